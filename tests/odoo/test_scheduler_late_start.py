"""A scheduled document's slot missed while the daemon was down is run once at start, however late the event loop
gets to it. Its job's misfire grace was the poll interval (1 s in many tests, 60 s by default): a start that kept the
loop busy longer (a loaded machine, a slow start hook) made APScheduler drop the run ('missed by'), and a yearly or
daily feed then waited for its next slot; the mid-session full run timed out once on such a feed."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

from gateway.config.loader import LoadedConfig
from gateway.config.models import GatewayConfig
from gateway.journal.api import Direction
from gateway.odoo.client import OdooClient
from gateway.odoo.sandbox import SandboxServer
from gateway.odoo.scheduler import OdooScheduler
from tests.odoo.conftest import settings_for
from tests.odoo.test_scheduler import BIGBOX, Ctx, json_render


async def test_the_start_slot_of_a_scheduled_feed_runs_when_the_loop_comes_to_it_late(
        sandbox: SandboxServer, client: OdooClient, journal: Any, tmp_path: Path) -> None:
    ctx = Ctx(tmp_path, journal, {"bigbox": BIGBOX})
    gateway = GatewayConfig(state_dir=tmp_path / "state", archive_dir=tmp_path / "archive",
                            quarantine_dir=tmp_path / "quarantine", odoo=settings_for(sandbox, poll_seconds=1))
    ctx.config = LoadedConfig(path=tmp_path / "gateway.yaml", gateway=gateway, partners=ctx.config.partners)
    scheduler = OdooScheduler(ctx, lambda: client, render=json_render)

    def feeds() -> list[Any]:
        return [m for m in journal.find(direction=Direction.OUT, limit=100) if m.doc_type == "846"]
    await scheduler.start()
    time.sleep(2.5)  # noqa: ASYNC251 - on purpose: the loop busy with the rest of a slow start: the slot's run time is 2.5 s past
    try:
        for _ in range(600):
            if feeds():
                break
            await asyncio.sleep(0.05)
        sent = feeds()
    finally:
        await scheduler.stop()
    assert len(sent) == 1, sent
