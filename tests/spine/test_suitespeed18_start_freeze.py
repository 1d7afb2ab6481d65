"""The daemon freezes start-up's objects without a full collection first: the collection walked every object
the imports made (~0.25 s of CPU at each start, right after READY, as the first files arrive) to free a few
dozen. A reload still collects first (tests/spine/test_daemon_reload_gc.py)."""

from __future__ import annotations

import asyncio
import gc
from pathlib import Path
from typing import Any

from gateway.config.loader import load_checked
from gateway.daemon import Daemon
from tests.helpers.gateway import Workspace
from tests.helpers.wait import wait_for


def test_start_freezes_without_a_full_collection(tmp_path: Path) -> None:
    ws = Workspace.create(tmp_path)
    daemon = Daemon(load_checked(ws.config))
    full: list[int] = []

    def seen(phase: str, info: dict[str, Any]) -> None:
        if phase == "start" and info["generation"] == 2:
            full.append(1)

    async def started_then_stopped() -> int:
        task = asyncio.create_task(daemon.run())
        await asyncio.to_thread(wait_for, lambda: gc.get_freeze_count() > 0 or task.done(), 60, 0.02,
                                "the daemon's start-up freeze")
        daemon._stop.set()
        return await task

    gc.disable()                      # no automatic collection: only one the daemon asks for is counted
    gc.callbacks.append(seen)
    try:
        assert asyncio.run(started_then_stopped()) == 0
    finally:
        gc.callbacks.remove(seen)
        gc.unfreeze()
        gc.enable()
    assert full == []
