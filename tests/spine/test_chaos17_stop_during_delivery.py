"""SIGTERM while an AS2 delivery waits for the partner's answer: the stop lets it end before the AS2 part stops.
The parts used to stop first, so the answer came to a closed ledger: `channel as2 failed` with a traceback
(sqlite3.ProgrammingError: Cannot operate on a closed database), the message counted a failed attempt and went
again at the next start, and the chaos run under load failed on that traceback."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

from aiohttp import web

from gateway.journal.api import Direction, State
from gateway.journal.archive import Archive
from gateway.journal.sqlite import SqliteJournal
from tests.helpers.gateway import GatewayProcess, Workspace
from tests.helpers.wait import wait_for
from tests.spine.test_acks_hostile import ASN, row
from tests.transports.as2_peer import serve
from tests.transports.certs import make_cert
from tests.transports.test_delivery_hostile import Partner, as2_workspace


class SlowPartner(Partner):
    """Answers our POST (its MDN in the answer) only once `gate` is set."""

    def __init__(self, root: Path) -> None:
        super().__init__(make_cert(root / "certs", "acmeretail"))
        self.arrived = asyncio.Event()
        self.gate = asyncio.Event()

    async def handle(self, request: web.Request) -> web.Response:
        self.arrived.set()
        await self.gate.wait()
        return await super().handle(request)


def queue(ws: Workspace, count: int) -> list[str]:
    """`count` of our 856s QUEUED for Acme's AS2 channel."""
    sha = Archive(ws.root / "archive").put(ASN)
    journal = SqliteJournal(ws.journal_path)
    try:
        return [journal.record_intake(direction=Direction.OUT, partner="acme", channel="as2",
                                      filename=f"acme_856_{n}.x12", sha256=sha, size=len(ASN),
                                      source_key=f"test:asn:{n}", state=State.QUEUED, syntax="x12",
                                      doc_type="856", control_number=f"{n:09d}").id for n in range(1, count + 1)]
    finally:
        journal.close()


async def test_a_stop_lets_the_running_as2_deliveries_end_before_the_as2_part_stops(tmp_path: Path) -> None:
    peer = SlowPartner(tmp_path)
    app = web.Application()
    app.router.add_post("/as2", peer.handle)
    runner, port = await serve(app)
    ours = make_cert(tmp_path / "certs", "acme")
    ws = as2_workspace(tmp_path, f"http://127.0.0.1:{port}/as2", ours, peer.theirs, mdn="sync")
    peer.ledger_path = ws.root / "state" / "as2.sqlite3"
    gw = await asyncio.to_thread(GatewayProcess(ws.config).start)
    try:
        # Given three deliveries begun, two of them waiting for the partner's answer (two at a time per channel)
        ids = await asyncio.to_thread(queue, ws, 3)
        await asyncio.wait_for(peer.arrived.wait(), 60)
        # When the gateway is told to stop, and the answers come a moment later
        assert gw.proc is not None
        gw.proc.send_signal(signal.SIGTERM)
        await asyncio.sleep(1)
        peer.gate.set()
        code = await asyncio.to_thread(gw.proc.wait, 60)
    finally:
        await asyncio.to_thread(gw.stop)
        await runner.cleanup()
    # Then each delivery begun ends with the partner's MDN: no failure, no traceback, a clean exit
    out = gw.output()
    assert code == 0 and "Traceback" not in out and "delivery failed" not in out, out[-3000:]
    rows = [row(ws, mid) for mid in ids]
    assert all(r["state"] in ("sent", "done") and r["attempts"] == 0 for r in rows), rows
    assert len(peer.posts) == 3


async def test_a_kill_as_an_as2_build_records_its_mic_leaves_a_delivery_its_mdn_can_settle(tmp_path: Path) -> None:
    """The build's headers.json (kept for the retries, same Message-ID) was written before the ledger row with the
    MIC: a kill between them (or the closed ledger of the stop above) left a kept build no later attempt recorded,
    so every MDN for it matched nothing (the chaos run's 846: 131 attempts, never delivered)."""
    peer = SlowPartner(tmp_path)
    peer.gate.set()
    app = web.Application()
    app.router.add_post("/as2", peer.handle)
    runner, port = await serve(app)
    ours = make_cert(tmp_path / "certs", "acme")
    ws = as2_workspace(tmp_path, f"http://127.0.0.1:{port}/as2", ours, peer.theirs, mdn="sync",
                       outbox={"min_backoff": 0.2, "max_backoff": 0.5})
    peer.ledger_path = ws.root / "state" / "as2.sqlite3"
    marker = tmp_path / "kill.marker"
    marker.touch()
    try:
        # Given a daemon killed as it built the first AS2 message, then started again
        killed = GatewayProcess(ws.config, preload=["tests.helpers.as2_build_kill"],
                                env={"EDI_TEST_KILL_MARKER": str(marker)})
        await asyncio.to_thread(killed.start)
        [mid] = await asyncio.to_thread(queue, ws, 1)
        assert killed.proc is not None
        await asyncio.to_thread(killed.proc.wait, 60)
        killed.kill()
        assert not marker.exists()
        gw = GatewayProcess(ws.config)
        await asyncio.to_thread(gw.start)
        try:
            # Then its delivery is settled by the partner's MDN
            await asyncio.to_thread(wait_for, lambda: row(ws, mid)["state"] in ("sent", "done"), 60, 0.05,
                                    "the delivery settled by its MDN")
        finally:
            await asyncio.to_thread(gw.stop)
    finally:
        await runner.cleanup()
    assert "Traceback" not in gw.output()
