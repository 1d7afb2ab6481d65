"""Outbound delivery to partners that misbehave, through the real daemon and real servers on loopback.

The AS2 partner is an aiohttp endpoint that signs its MDNs with its own key (our MDN builder, given the
partner's identity) and posts them to the daemon's `/as2/mdn`, sometimes before answering our POST, and
sometimes answering that POST too late. What the partner acknowledged is settled and never sent again.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest
from aiohttp import ClientSession, web

from gateway.journal.sqlite import SqliteJournal
from gateway.transports.as2 import mdn
from gateway.transports.as2.ledger import Ledger
from tests.helpers.gateway import GatewayProcess, Workspace
from tests.helpers.net import free_port
from tests.helpers.wait import wait_for
from tests.spine.test_acks_hostile import ASN, queue_asn, row
from tests.transports.as2_peer import as2_headers, build_message, curl_post, serve
from tests.transports.certs import Cert, make_cert
from tests.transports.sftp_util import known_hosts_line, make_key, openssh_sftp
from tests.transports.test_as2_server import mdn_sink

pytestmark = pytest.mark.slow

FETCH_KILL = "EDI_TEST_FETCH_KILL_MARKER"


def _die_before_a_fetch_is_settled() -> None:
    """In the daemon (this module preloaded): SIGKILL once, after the partner's delete of one of our outbound
    files, before its message is settled."""
    from gateway.transports.sftp_server import Account, SftpServer
    fetched = SftpServer.fetched

    async def die_then_fetched(self: SftpServer, acct: Account, name: str) -> None:
        marker = Path(os.environ[FETCH_KILL])
        if marker.exists():
            marker.unlink()
            os.kill(os.getpid(), signal.SIGKILL)
        await fetched(self, acct, name)

    SftpServer.fetched = die_then_fetched  # type: ignore[method-assign]


if os.environ.get(FETCH_KILL):
    _die_before_a_fetch_is_settled()

class Partner:
    """The partner's AS2 endpoint. `mdn_first`: its async MDN goes out before it answers our POST, which it
    answers after `delay` seconds; `sync`: the MDN is the answer to our POST instead (when we ask for one there);
    `disposition`: what the MDN says; `busy`: it answers 503 with this Retry-After instead."""

    def __init__(self, theirs: Cert) -> None:
        self.theirs = theirs
        self.ledger_path: Path | None = None      # the daemon's state/as2.sqlite3: the MIC it expects
        self.posts: list[dict[str, str]] = []
        self.mdn_answers: list[str] = []
        self.delay = 0.0
        self.disposition = mdn.Disposition("processed")
        self.mdn_first = True
        self.busy: str | Callable[[], str] | None = None

    async def handle(self, request: web.Request) -> web.Response:
        await request.read()
        self.posts.append(dict(request.headers))
        if self.busy is not None:
            after = self.busy() if callable(self.busy) else self.busy
            return web.Response(status=503, text="maintenance", headers={"Retry-After": after})
        if "Receipt-Delivery-Option" not in request.headers:
            headers, body = self.mdn(request.headers["Message-ID"])
            return web.Response(status=200, body=body, headers=headers)
        if self.mdn_first:
            await self.send_mdn(request.headers["Message-ID"], request.headers["Receipt-Delivery-Option"])
        if self.delay:
            await asyncio.sleep(self.delay)
        return web.Response(status=200, text="ok")

    def mdn(self, message_id: str) -> tuple[dict[str, str], bytes]:
        """Its signed MDN for our `message_id`, quoting the MIC the daemon computed (from its ledger)."""
        assert self.ledger_path is not None
        ledger = Ledger(self.ledger_path)
        try:
            rec = ledger.sent(message_id)
        finally:
            ledger.close()
        assert rec is not None
        return mdn.build(original_message_id=message_id, our_id="ACMERETAIL-AS2", partner_id="ACMEDIST",
                         disposition=self.disposition, mic=(rec.mic, rec.mic_alg), text="received",
                         signer=self.theirs.identity)

    async def send_mdn(self, message_id: str, url: str) -> None:
        headers, body = self.mdn(message_id)
        async with ClientSession() as session, session.post(url, data=body, headers=headers) as resp:
            self.mdn_answers.append(f"{resp.status} {await resp.text()}")


@pytest.fixture
async def partner(tmp_path: Path) -> AsyncIterator[tuple[Partner, str, Cert]]:
    ours, theirs = make_cert(tmp_path / "certs", "acme"), make_cert(tmp_path / "certs", "acmeretail")
    p = Partner(theirs)
    app = web.Application()
    app.router.add_post("/as2", p.handle)
    runner, port = await serve(app)
    yield p, f"http://127.0.0.1:{port}/as2", ours
    await runner.cleanup()


def as2_workspace(tmp_path: Path, url: str, ours: Cert, theirs: Cert, outbox: dict[str, Any] | None = None,
                  **channel: Any) -> Workspace:
    port = free_port()
    return Workspace.create(tmp_path / "gw", {
        "our_ids": {"x12": {"qualifier": "ZZ", "id": "ACMEDIST"}, "as2_id": "ACMEDIST"},
        "outbox": outbox or {"min_backoff": 120, "max_backoff": 120},
        "as2_server": {"enabled": True, "host": "127.0.0.1", "port": port, "certificate": str(ours.cert_path),
                       "private_key": str(ours.key_path), "public_url": f"http://127.0.0.1:{port}/as2"}},
        partners={"acme": {"name": "Acme Retail", "x12": {"ids": [{"qualifier": "ZZ", "id": "ACMERETAIL"}],
                                                          "ack": "none"},
                           "outbound": {"channel": "as2", "as2_id": "ACMERETAIL-AS2", "url": url, "mdn": "async",
                                        "certificates": [str(theirs.cert_path)], "sign": True, "encrypt": True,
                                        **channel}}})


@pytest.mark.parametrize("disposition,final", [(mdn.Disposition("processed"), "done"),
                                               (mdn.Disposition("processed", "error", "decryption-failed"),
                                                "rejected")], ids=["processed", "decryption-failed"])
async def test_an_async_mdn_before_our_post_timed_out_settles_the_message_without_a_second_post(
        tmp_path: Path, partner: tuple[Partner, str, Cert], disposition: mdn.Disposition, final: str) -> None:
    peer, url, ours = partner
    peer.delay, peer.disposition = 4, disposition       # MDN first, then our POST times out waiting for its answer
    ws = as2_workspace(tmp_path, url, ours, peer.theirs, timeout=2)
    peer.ledger_path = ws.root / "state" / "as2.sqlite3"
    gw = await asyncio.to_thread(GatewayProcess(ws.config).start)
    try:
        mid = await asyncio.to_thread(queue_asn, ws, None)
        await asyncio.to_thread(wait_for, lambda: row(ws, mid)["state"] == final, 60, 0.05,
                                f"the message {final} by the partner's MDN")
        await asyncio.sleep(1)
        assert row(ws, mid)["state"] == final
    finally:
        await asyncio.to_thread(gw.stop)
    assert len(peer.posts) == 1, "the partner had it: no second POST"
    assert len(peer.mdn_answers) == 1 and peer.mdn_answers[0].startswith("200")
    reasons = [e["reason"] for e in ws.events(mid)]
    assert any("not sent again" in r for r in reasons), reasons
    assert any(str(disposition) in r for r in reasons), reasons
    meta = json.loads(row(ws, mid)["meta"])
    assert meta.get("early_acks") is None and meta.get("mdn") == str(disposition)
    overdue = ws._query("SELECT 1 FROM ack_expectations a JOIN messages m ON m.id = a.message_id "
                        "WHERE m.state = 'sent'")
    assert overdue == []


@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_a_negative_mdn_rejects_the_message_whether_sync_or_async(
        tmp_path: Path, partner: tuple[Partner, str, Cert], mode: str) -> None:
    """The partner took our message and refused it in its MDN: its answer, not a failed delivery. Either way the
    MDN comes, the message ends `rejected` (delivered, then refused) with the partner's reason, and is not retried."""
    peer, url, ours = partner
    peer.disposition, peer.mdn_first = mdn.Disposition("processed", "error", "authentication-failed"), False
    ws = as2_workspace(tmp_path, url, ours, peer.theirs, mdn=mode)
    peer.ledger_path = ws.root / "state" / "as2.sqlite3"
    gw = await asyncio.to_thread(GatewayProcess(ws.config).start)
    try:
        mid = await asyncio.to_thread(queue_asn, ws, None)
        if mode == "async":
            await asyncio.to_thread(wait_for, lambda: row(ws, mid)["state"] == "sent", 60, 0.05, "posted")
            await peer.send_mdn(peer.posts[0]["Message-ID"], peer.posts[0]["Receipt-Delivery-Option"])
        await asyncio.to_thread(wait_for, lambda: row(ws, mid)["state"] in ("rejected", "dead"), 60, 0.05,
                                "the partner's negative MDN applied")
    finally:
        await asyncio.to_thread(gw.stop)
    final = row(ws, mid)
    assert final["state"] == "rejected" and final["attempts"] == 0
    assert "processed/error: authentication-failed" in final["last_error"]
    assert [e["to_state"] for e in ws.events(mid)][-2:] == ["sent", "rejected"]
    assert json.loads(final["meta"])["mdn"] == "processed/error: authentication-failed"
    assert len(peer.posts) == 1


@pytest.mark.parametrize("header,expected", [("600", 600), ("in-a-date", 600), ("86400", 3600), ("soon", None)],
                         ids=["seconds", "http-date", "capped-at-max-backoff", "unreadable"])
async def test_a_busy_partners_retry_after_sets_the_next_attempt(
        tmp_path: Path, partner: tuple[Partner, str, Cert], header: str, expected: int | None) -> None:
    """A 503 with Retry-After (seconds or an HTTP date) moves the next attempt to when the partner asked, up to
    outbox.max_backoff; an unreadable one leaves our own backoff (min_backoff 1 s here)."""
    peer, url, ours = partner
    peer.busy = header
    if header == "in-a-date":
        peer.busy = lambda: format_datetime(datetime.now(UTC) + timedelta(seconds=600), usegmt=True)
    ws = as2_workspace(tmp_path, url, ours, peer.theirs, outbox={"min_backoff": 1, "max_backoff": 3600},
                       mdn="sync")
    peer.ledger_path = ws.root / "state" / "as2.sqlite3"
    gw = await asyncio.to_thread(GatewayProcess(ws.config).start)
    try:
        mid = await asyncio.to_thread(queue_asn, ws, None)
        await asyncio.to_thread(wait_for, lambda: row(ws, mid)["state"] == "retry_wait", 60, 0.05, "refused busy")
        waiting = row(ws, mid)
    finally:
        await asyncio.to_thread(gw.stop)
    waited = (datetime.fromisoformat(waiting["next_attempt_at"])
              - datetime.fromisoformat(waiting["updated_at"])).total_seconds()
    if expected is None:
        assert waited <= 1
    else:
        assert expected - 5 <= waited <= expected
        assert "HTTP 503, Retry-After" in waiting["last_error"]
    assert waiting["attempts"] == 1 and len(peer.posts) == 1


async def test_the_daemon_posts_an_async_mdn_only_where_the_partners_yaml_allows(tmp_path: Path) -> None:
    """Through the daemon and a partner YAML: an MDN URL under the partner's async_mdn_allow prefix gets its MDN;
    another on the same loopback host does not (the message is taken, flagged, and goes on the same way)."""
    certs = tmp_path / "certs"
    ours, theirs = make_cert(certs, "acme"), make_cert(certs, "bigbox")
    received, runner, sink_port = await mdn_sink()
    port = free_port()
    ws = Workspace.create(tmp_path / "gw", {"as2_server": {
        "enabled": True, "host": "127.0.0.1", "port": port, "as2_id": "ACMEDIST", "certificate": str(ours.cert_path),
        "private_key": str(ours.key_path)}}, partners={"bigbox": {"inbound": [{
            "channel": "as2", "as2_id": "BIGBOX-AS2", "certificates": [str(theirs.cert_path)],
            "async_mdn_allow": [f"http://127.0.0.1:{sink_port}/mdn"]}]}})
    gw = await asyncio.to_thread(GatewayProcess(ws.config).start)
    try:
        for name, path in (("allowed", "/mdn"), ("refused", "/admin")):
            ctype, body, _ = build_message(tmp_path / name, ASN, signer=theirs, recipient=ours)
            headers = as2_headers("BIGBOX-AS2", "ACMEDIST", f"<{name}@bigbox>", ctype,
                                  async_url=f"http://127.0.0.1:{sink_port}{path}")
            reply = await asyncio.to_thread(curl_post, f"http://127.0.0.1:{port}/as2", body, headers, tmp_path)
            assert reply.status == 200
        await asyncio.to_thread(wait_for, lambda: received, 60, 0.05, "the allowed MDN")
        await asyncio.sleep(0.5)
    finally:
        await asyncio.to_thread(gw.stop)
        await runner.cleanup()
    assert len(received) == 1 and b"<allowed@bigbox>" in received[0]
    rows = {json.loads(m["meta"])["as2_message_id"]: m for m in ws.messages(direction="in")}
    assert "async_mdn" not in json.loads(rows["<allowed@bigbox>"]["meta"])
    refused = json.loads(rows["<refused@bigbox>"]["meta"])["async_mdn"]
    assert refused["state"] == "refused" and "127.0.0.1 is a loopback address" in refused["reason"]
    assert rows["<allowed@bigbox>"]["state"] == rows["<refused@bigbox>"]["state"]


async def test_killed_while_the_post_is_out_and_its_mdn_already_in_the_restart_sends_nothing_again(
        tmp_path: Path, partner: tuple[Partner, str, Cert]) -> None:
    peer, url, ours = partner
    peer.delay = 10                     # it keeps our POST open after sending its MDN; we are killed meanwhile
    ws = as2_workspace(tmp_path, url, ours, peer.theirs, timeout=900)
    peer.ledger_path = ws.root / "state" / "as2.sqlite3"
    gw = await asyncio.to_thread(GatewayProcess(ws.config).start)
    try:
        mid = await asyncio.to_thread(queue_asn, ws, "997")
        await asyncio.to_thread(wait_for, lambda: peer.mdn_answers, 60, 0.05, "the partner's MDN answered")
    finally:
        await asyncio.to_thread(gw.kill)
    assert row(ws, mid)["state"] == "queued"            # the POST never returned: no delivery recorded
    gw = await asyncio.to_thread(GatewayProcess(ws.config).start)
    try:
        await asyncio.to_thread(wait_for, lambda: "mdn" in json.loads(row(ws, mid)["meta"]), 60, 0.05,
                                "the MDN applied after the restart")
        await asyncio.sleep(1)
    finally:
        await asyncio.to_thread(gw.stop)
    assert len(peer.posts) == 1, "the partner had it (its MDN says so): not posted again after the restart"
    # delivered (MDN), still awaiting its 997: SENT, with only the 997 expected
    assert row(ws, mid)["state"] == "sent"
    kinds = [r["kind"] for r in ws._query("SELECT kind FROM ack_expectations WHERE message_id = ?", (mid,))]
    assert kinds == ["997"]


@pytest.mark.parametrize("expects", [None, "999"], ids=["no-ack", "awaits-999"])
def test_a_fetch_whose_settling_a_crash_cut_off_is_settled_at_the_restart(tmp_path: Path,
                                                                          expects: str | None) -> None:
    key, port = make_key(tmp_path / "keys" / "northwind"), free_port()
    account = {"channel": "sftp", "user": "northwind"}
    ws = Workspace.create(tmp_path / "gw", {"sftp_server": {"enabled": True, "host": "127.0.0.1", "port": port}},
                          partners={"acme": {"inbound": [{**account, "authorized_keys": [f"{key}.pub"]}],
                                             "outbound": account}})
    marker = tmp_path / "kill-marker"
    marker.touch()
    outbound = ws.root / "sftp" / "northwind" / "outbound"
    gw = GatewayProcess(ws.config, preload=["tests.transports.test_delivery_hostile"],
                        env={FETCH_KILL: str(marker)}).start()
    try:
        mid = queue_asn(ws, expects)
        wait_for(lambda: row(ws, mid)["state"] == "sent", timeout=60, message="placed in outbound/")
        known = tmp_path / "known_hosts"
        known.write_bytes(known_hosts_line("127.0.0.1", port,
                                           (ws.root / "state" / "ssh_host_ed25519_key.pub")).encode())
        openssh_sftp(tmp_path, port, "northwind", key, known,
                     f"get outbound/acme_856_000000012.x12 {tmp_path / 'got'}\nrm outbound/acme_856_000000012.x12\n",
                     check=False)
        wait_for(lambda: gw.proc is not None and gw.proc.poll() is not None, timeout=30, message="killed")
    finally:
        gw.kill()
    assert not marker.exists() and list(outbound.iterdir()) == []       # the file is gone: the partner has it
    assert row(ws, mid)["state"] == "sent"
    with GatewayProcess(ws.config):
        if expects is None:
            wait_for(lambda: row(ws, mid)["state"] == "done", timeout=30, message="settled at the restart")
        else:
            wait_for(lambda: json.loads(row(ws, mid)["meta"]).get("fetched_by") == "northwind", timeout=30,
                     message="the fetch noted at the restart")
            assert row(ws, mid)["state"] == "sent"          # fetched is delivered, its 999 still awaited
    assert list(outbound.iterdir()) == []                  # not placed again
    assert (tmp_path / "got").read_bytes() == ASN
    if expects is None:
        assert "northwind" in ws.events(mid)[-1]["reason"]


def test_a_file_the_partner_never_fetches_is_flagged_overdue_and_its_fetch_clears_it(tmp_path: Path) -> None:
    from gateway.ops.queries import JournalQueries
    key, port = make_key(tmp_path / "keys" / "northwind"), free_port()
    account = {"channel": "sftp", "user": "northwind"}
    ws = Workspace.create(tmp_path / "gw", {"sftp_server": {"enabled": True, "host": "127.0.0.1", "port": port}},
                          partners={"acme": {"inbound": [{**account, "authorized_keys": [f"{key}.pub"]}],
                                             "outbound": account}})
    later = datetime.now(UTC) + timedelta(days=2)           # past any window: no waiting for the clock
    with GatewayProcess(ws.config):
        mid = queue_asn(ws, None)                          # what we send with no 997 to come (a 997 of ours, a CSV)
        wait_for(lambda: row(ws, mid)["state"] == "sent", timeout=60, message="placed in outbound/")
        # never fetched: overdue once its window passed, on the status page's list and in the journal's
        queries = JournalQueries(ws.journal_path)
        try:
            assert [(r.id, kind) for r, kind, _, _ in queries.overdue_acks(later)] == [(mid, "pickup")]
        finally:
            queries.close()
        journal = SqliteJournal(ws.journal_path)
        try:
            assert [m.id for m in journal.overdue_acks(later)] == [mid]
        finally:
            journal.close()
        known = tmp_path / "known_hosts"
        known.write_bytes(known_hosts_line("127.0.0.1", port,
                                           (ws.root / "state" / "ssh_host_ed25519_key.pub")).encode())
        openssh_sftp(tmp_path, port, "northwind", key, known, "rm outbound/acme_856_000000012.x12\n")
        wait_for(lambda: row(ws, mid)["state"] == "done", timeout=30, message="settled by the fetch")
    assert ws._query("SELECT kind FROM ack_expectations WHERE message_id = ?", (mid,)) == []
