"""The real daemon on a disk that fills up: a 1 MiB tmpfs under its journal, archive and outbox.

Nothing may be lost or doubled, nothing quarantined for want of space, and the daemon must neither stop
nor spin: files stay in the inbox until there is room, and every one is taken exactly once after."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.disk import full, grow, small_disk
from tests.helpers.gateway import GatewayProcess, Workspace
from tests.helpers.wait import wait_for
from tests.helpers.x12 import purchase_order
from tests.spine.test_daemon import ACME


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[Path]:
    with small_disk(tmp_path / "disk") as path:
        yield path


def test_a_full_disk_holds_everything_back_and_loses_nothing(tmp_path: Path, disk: Path) -> None:
    ws = Workspace.create(tmp_path / "gw", {
        "state_dir": str(disk / "state"), "archive_dir": str(disk / "archive"),
        "quarantine_dir": str(disk / "quarantine"), "outbox_dir": str(disk / "outbox"),
        # an acknowledgement written into the full outbox fails as a delivery, which is no try of the partner's
        # (test_outbox_disk_full); a failure of another kind on the way (the journal full for its row) still
        # counts, so tries that outlast the full disk (100, 1-2 s apart), as production's outlast a disk freed in time
        "outbox": {"max_attempts": 100, "min_backoff": 1.0, "max_backoff": 2.0}},
        partners={"acme": ACME})
    orders = {f"order{i:03d}.x12": purchase_order(1000 + i, lines=20) for i in range(120)}
    with GatewayProcess(ws.config) as gw:
        for name, data in orders.items():
            ws.drop(name, data)
        wait_for(lambda: full(disk) and "stay in the inbox" in gw.output(), timeout=60,
                 message="the disk full and the inbox waiting")
        waiting = [p.name for p in ws.inbox.iterdir() if p.is_file()]
        assert waiting, "every file was taken: the disk did not fill"
        log = gw.output()
        assert "unexpected error" not in log and "internal error" not in log, log[-3000:]
        assert gw.proc is not None and gw.proc.poll() is None

        grow(disk)                                 # space freed: everything goes on by itself
        wait_for(lambda: not any(p.is_file() for p in ws.inbox.iterdir()), timeout=120,
                 message="the inbox emptied")
        wait_for(lambda: ws.count(direction="in", state="done") == len(orders), timeout=120,
                 message="every order done")
        wait_for(lambda: ws.count(direction="out") == ws.count(direction="out", state="done"), timeout=120,
                 message="every acknowledgement delivered")
    rows = ws.messages(direction="in")
    assert sorted(r["filename"] for r in rows) == sorted(orders)          # each exactly once
    assert {r["state"] for r in ws.messages()} == {"done"}                # none quarantined, none dead
    assert sorted(p.name for p in ws.processed.iterdir()) == sorted(orders)
    acks = ws.messages(direction="out")
    assert len(acks) == len(orders) and len({r["control_number"] for r in acks}) == len(orders)
