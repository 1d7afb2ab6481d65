"""An async MDN that does not come in time: the sent message is an overdue acknowledgement, through the daemon.

The partner is an aiohttp + openssl AS2 peer that takes our message and keeps its MDN back;
the daemon's outbox records the expectation (kind MDN, the AS2 Message-ID, due after the
partner's `mdn_timeout_hours`), the ops queries, /metrics and the status page show it overdue,
and the late openssl-signed MDN, posted with curl, still settles the message and clears it.
Sync-MDN and no-MDN partners record no MDN expectation. A SIGKILL between recording the
expectation and marking the message SENT loses nothing and doubles nothing.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sqlite3
import subprocess
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from aiohttp import web

from gateway.journal.sqlite import SqliteJournal
from gateway.ops.queries import JournalQueries
from tests.helpers.gateway import GatewayProcess, Workspace
from tests.helpers.net import free_port
from tests.helpers.wait import wait_for
from tests.transports.as2_peer import curl_post, serve
from tests.transports.certs import make_cert
from tests.transports.test_as2_client import Peer
from tests.transports.test_outbound_daemon import ASN, queue, state

pytestmark = pytest.mark.slow

TIMEOUT_HOURS = 2 / 3600                # two seconds: set by the test, so the wait for "overdue" stays short
KILL_MARKER = "EDI_TEST_MDN_KILL_MARKER"


def _die_after_mdn_expectation() -> None:
    """In the daemon (this module preloaded): SIGKILL once, right after the MDN expectation is recorded."""
    expect_ack = SqliteJournal.expect_ack

    def expect_then_die(self: SqliteJournal, message_id: str, partner: str, kind: str, control_number: str,
                        group_number: str | None, due_at: datetime) -> None:
        expect_ack(self, message_id, partner, kind, control_number, group_number, due_at)
        marker = Path(os.environ[KILL_MARKER])
        if kind == "MDN" and marker.exists():
            marker.unlink()
            os.kill(os.getpid(), signal.SIGKILL)

    SqliteJournal.expect_ack = expect_then_die  # type: ignore[method-assign]


if os.environ.get(KILL_MARKER):
    _die_after_mdn_expectation()


def http_get(url: str) -> str:
    """An independent client (curl) for the ops endpoints."""
    r = subprocess.run(["curl", "-sS", "--noproxy", "*", "-f", url], capture_output=True, timeout=30, check=False)
    assert r.returncode == 0, r.stderr
    return r.stdout.decode()


def overdue_gauge(metrics: str, partner: str) -> float | None:
    found = re.search(rf'^edi_gateway_overdue_acks\{{partner="{partner}"\}} (\S+)$', metrics, re.MULTILINE)
    return float(found.group(1)) if found else None


def overdue_section(page: str) -> str:
    return page.split('id="overdue"')[1].split("</section>")[0]


def expectations(ws: Workspace, mid: str) -> list[tuple[str, str, str]]:
    db = sqlite3.connect(f"file:{ws.journal_path}?mode=ro", uri=True)
    try:
        return [tuple(r) for r in db.execute("SELECT kind, control_number, due_at FROM ack_expectations "
                                             "WHERE message_id = ?", (mid,))]
    finally:
        db.close()


async def test_async_mdn_overdue_then_late_mdn_settles_and_clears(tmp_path: Path) -> None:
    certs = tmp_path / "certs"
    acme, bigbox = make_cert(certs, "acme"), make_cert(certs, "bigbox")
    peer = Peer(tmp_path / "peer", acme, bigbox)       # decrypts, verifies, signs an MDN we may hold back
    (tmp_path / "peer").mkdir()
    app = web.Application(client_max_size=1 << 24)
    app.router.add_post("/as2", peer.handle)
    runner, peer_port = await serve(app)
    port, ops_port = free_port(), free_port()

    def outbound(as2_id: str, mdn: str, **kw: object) -> dict[str, object]:
        return {"outbound": {"channel": "as2", "as2_id": as2_id, "url": f"http://127.0.0.1:{peer_port}/as2",
                             "mdn": mdn, "certificates": [str(bigbox.cert_path)], **kw}}

    ws = Workspace.create(tmp_path / "gw", {
        "ops": {"enabled": True, "host": "127.0.0.1", "port": ops_port},
        "as2_server": {"enabled": True, "host": "127.0.0.1", "port": port, "as2_id": "ACMEDIST",
                       "certificate": str(acme.cert_path), "private_key": str(acme.key_path),
                       "public_url": f"http://127.0.0.1:{port}/as2"}},
        partners={"bigbox": outbound("BIGBOX-AS2", "async", mdn_timeout_hours=TIMEOUT_HOURS),
                  "syncco": outbound("SYNCCO-AS2", "sync", mdn_timeout_hours=TIMEOUT_HOURS),
                  "noneco": outbound("NONECO-AS2", "none", mdn_timeout_hours=TIMEOUT_HOURS)})
    ops = f"http://127.0.0.1:{ops_port}"
    try:
        gw = await asyncio.to_thread(GatewayProcess(ws.config).start)
        try:
            # one at a time: the peer's openssl steps share its work files
            mid = await asyncio.to_thread(queue, ws, "bigbox", "as2", "bigbox_856_12.x12", ASN)
            await asyncio.to_thread(wait_for, lambda: state(ws, mid) == "sent", 60, 0.05, "posted")
            headers, body = peer.requests[-1]
            as2_id = headers["Message-ID"]
            assert as2_id.startswith(f"<{mid}@") and headers["Receipt-Delivery-Option"] == f"{ws_url(port)}/mdn"
            ((kind, ref, due_at),) = expectations(ws, mid)
            assert (kind, ref) == ("MDN", as2_id)
            due = datetime.fromisoformat(due_at)
            sent = datetime.fromisoformat(str(ws.messages(id=mid)[0]["updated_at"]))
            assert timedelta(0) < due - sent <= timedelta(hours=TIMEOUT_HOURS)
            # the ops queries: not overdue before the due time, overdue from it on (times given, not waited for)
            queries = JournalQueries(ws.journal_path)
            try:
                assert queries.overdue_acks(due - timedelta(milliseconds=1)) == []
                ((row, k, ctrl, _),) = queries.overdue_acks(due)
                assert (row.id, k, ctrl) == (mid, "MDN", as2_id)
                assert queries.overdue_ack_counts(due) == {"bigbox": 1}
            finally:
                queries.close()

            # the live ops endpoints, once the (tiny) timeout has really passed
            await asyncio.to_thread(wait_for, lambda: overdue_gauge(http_get(ops + "/metrics"), "bigbox") == 1,
                                    60, 0.2, "overdue gauge")
            page = await asyncio.to_thread(http_get, ops + "/")
            section = overdue_section(page)
            assert mid in section and "MDN" in section and f"{mid}@" in section
            assert state(ws, mid) == "sent"                     # never resent or failed by the timeout
            assert len(peer.requests) == 1
        finally:
            await asyncio.to_thread(gw.stop)
        # the daemon's overdue check (at start, then every minute) logs it once; a restart keeps it awaited
        gw = await asyncio.to_thread(GatewayProcess(ws.config).start)
        try:
            await asyncio.to_thread(wait_for, lambda: f"message {mid}" in gw.output(), 30, 0.05, "overdue warning")
            warning = next(line for line in gw.output().splitlines() if f"message {mid}" in line)
            assert "acknowledgement overdue: partner bigbox" in warning and "WARNING" in warning.upper()
            assert "no MDN for <" in warning                    # names what is missing: the MDN, by Message-ID
            assert state(ws, mid) == "sent" and len(peer.requests) == 1

            # partners with a sync MDN or none: delivered and done, no MDN expectation
            for partner in ("syncco", "noneco"):
                other = await asyncio.to_thread(queue, ws, partner, "as2", f"{partner}_856_1.x12", ASN)
                await asyncio.to_thread(wait_for, lambda o=other: state(ws, o) == "done", 60, 0.05, partner)
                assert expectations(ws, other) == []
                assert "awaits" not in str(ws.messages(id=other)[0]["meta"])

            # the late MDN, signed by the partner, posted by curl to our receipt endpoint
            reply = await asyncio.to_thread(peer.answer, headers, body)
            assert isinstance(reply.body, bytes)
            (tmp_path / "late.mdn").write_bytes(reply.body)
            got = await asyncio.to_thread(curl_post, f"{ws_url(port)}/mdn", tmp_path / "late.mdn", {
                "AS2-From": "BIGBOX-AS2", "AS2-To": "ACMEDIST", "Content-Type": reply.headers["Content-Type"]},
                tmp_path)
            assert got.status == 200 and b"settled" in got.body
            await asyncio.to_thread(wait_for, lambda: state(ws, mid) == "done", 30, 0.05, "late MDN settled")
            metrics = await asyncio.to_thread(http_get, ops + "/metrics")
            assert not overdue_gauge(metrics, "bigbox")
            assert mid not in overdue_section(await asyncio.to_thread(http_get, ops + "/"))
            assert "async MDN processed" in ws.events(mid)[-1]["reason"]
        finally:
            await asyncio.to_thread(gw.stop)
    finally:
        await runner.cleanup()


async def test_kill_between_expectation_and_sent_loses_and_doubles_nothing(tmp_path: Path) -> None:
    certs = tmp_path / "certs"
    acme, bigbox = make_cert(certs, "acme"), make_cert(certs, "bigbox")
    peer = Peer(tmp_path / "peer", acme, bigbox)
    (tmp_path / "peer").mkdir()
    app = web.Application(client_max_size=1 << 24)
    app.router.add_post("/as2", peer.handle)
    runner, peer_port = await serve(app)
    port = free_port()
    ws = Workspace.create(tmp_path / "gw", {
        "ops": {"enabled": False},
        "as2_server": {"enabled": True, "host": "127.0.0.1", "port": port, "as2_id": "ACMEDIST",
                       "certificate": str(acme.cert_path), "private_key": str(acme.key_path),
                       "public_url": ws_url(port)}},
        partners={"bigbox": {"outbound": {"channel": "as2", "as2_id": "BIGBOX-AS2", "mdn": "async",
                                          "url": f"http://127.0.0.1:{peer_port}/as2",
                                          "certificates": [str(bigbox.cert_path)]}}})
    marker = tmp_path / "kill.armed"
    marker.write_text("1")
    try:
        gw = await asyncio.to_thread(GatewayProcess(ws.config, preload=["tests.transports.test_as2_mdn_timeout"],
                                                    env={KILL_MARKER: str(marker)}).start)
        mid = await asyncio.to_thread(queue, ws, "bigbox", "as2", "bigbox_856_12.x12", ASN)
        assert gw.proc is not None
        await asyncio.to_thread(gw.proc.wait, 60)           # killed right after the expectation
        gw.kill()
        assert not marker.exists() and state(ws, mid) == "queued"
        ((kind, first_ref, first_due),) = expectations(ws, mid)
        assert kind == "MDN" and len(peer.requests) == 1
        gw = await asyncio.to_thread(GatewayProcess(ws.config).start)
        try:
            await asyncio.to_thread(wait_for, lambda: state(ws, mid) == "sent", 60, 0.05, "sent after restart")
        finally:
            await asyncio.to_thread(gw.stop)
        # the same AS2 message again (the partner's duplicate check applies), one expectation, a later due
        assert [h["Message-ID"] for h, _ in peer.requests] == [first_ref, first_ref]
        ((kind, ref, due_at),) = expectations(ws, mid)
        assert (kind, ref) == ("MDN", first_ref) and due_at >= first_due
        queries = JournalQueries(ws.journal_path)
        try:
            later = datetime.fromisoformat(due_at) + timedelta(seconds=1)
            assert [r.id for r, *_ in queries.overdue_acks(later)] == [mid]
            assert queries.overdue_ack_counts(later) == {"bigbox": 1}
        finally:
            queries.close()
    finally:
        await runner.cleanup()


def ws_url(port: int) -> str:
    return f"http://127.0.0.1:{port}/as2"
