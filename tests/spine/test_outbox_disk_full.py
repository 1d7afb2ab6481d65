"""An outbox folder with no room: what we owe a partner waits for room, however long, and is never dead for it.

A write into our own full disk (ENOSPC) is no try of the partner's: counted as one, `outbox.max_attempts` (10,
about 20-40 minutes of a full disk in production) ended the acknowledgement dead while nothing was wrong with
the partner, and it went out only when a person resent it."""

from __future__ import annotations

import os
from pathlib import Path

from tests.helpers.disk import full, grow, small_disk
from tests.helpers.gateway import GatewayProcess, Workspace
from tests.helpers.wait import wait_for
from tests.helpers.x12 import purchase_order
from tests.spine.test_daemon import ACME


def test_an_acknowledgement_waits_out_a_full_outbox_disk_and_goes_out(tmp_path: Path) -> None:
    with small_disk(tmp_path / "disk", size="64k") as disk:
        ballast = disk / "ballast"
        fd = os.open(ballast, os.O_WRONLY | os.O_CREAT)   # the outbox's disk full before anything is written
        try:
            while os.write(fd, b"\0" * 4096):
                pass
        except OSError:
            pass
        finally:
            os.close(fd)
        assert full(disk)
        ws = Workspace.create(tmp_path / "gw", {
            "outbox_dir": str(disk / "outbox"),
            # three tries 0.1-0.2 s apart: without the fix the 997 is dead within a second
            "outbox": {"max_attempts": 3, "min_backoff": 0.1, "max_backoff": 0.2}},
            partners={"acme": ACME})
        with GatewayProcess(ws.config) as gw:
            ws.drop("order.x12", purchase_order(4711))
            wait_for(lambda: ws.count(direction="in", state="done") == 1, message="the order done")
            wait_for(lambda: gw.output().count("No space left on device") >= 6, timeout=60,
                     message="the acknowledgement's writes failing for want of room, twice the tries allowed")
            [ack] = ws.messages(direction="out")
            assert ack["state"] == "retry_wait" and ack["attempts"] == 0, (ack["state"], ack["attempts"])
            grow(disk, "1m")                             # room again: it goes out by itself
            wait_for(lambda: ws.count(direction="out", state="done") == 1, message="the acknowledgement delivered")
        [ack] = ws.messages(direction="out")
        assert ack["state"] == "done"
        events = [e["to_state"] for e in ws.events(ack["id"])]
        assert "dead" not in events, events
        written = [p for p in (disk / "outbox").rglob("*") if p.is_file() and not p.name.endswith(".tmp")]
        assert len(written) == 1 and written[0].read_bytes().startswith(b"ISA"), written
