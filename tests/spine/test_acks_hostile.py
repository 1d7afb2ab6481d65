"""Partners' acknowledgements that come at the wrong time, twice, or for the wrong thing, through the real daemon.

The partner is an aiohttp AS2 endpoint on loopback that takes our document and then misbehaves (answers too
late, so our POST times out and the outbox waits to retry); its 997s come in through the shared inbox. An
acknowledgement is never lost because our side had not recorded the delivery yet, and a document the partner
acknowledged is not sent to it again.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from gateway.journal.api import Direction, State
from gateway.journal.archive import Archive
from gateway.journal.sqlite import SqliteJournal
from tests.helpers.gateway import GatewayProcess, Workspace
from tests.helpers.net import free_port
from tests.helpers.wait import wait_for
from tests.helpers.x12 import functional_ack
from tests.transports.as2_peer import serve
from tests.transports.certs import make_cert

pytestmark = pytest.mark.slow

ASN = (b"ISA*00*          *00*          *ZZ*ACMEDIST       *ZZ*ACMERETAIL     *261129*1200*U*00401*000000012*0*P*>~"
       b"GS*SH*ACMEDIST*ACMERETAIL*20261129*1200*12*X*004010~ST*856*0001~SE*2*0001~GE*1*12~IEA*1*000000012~")


class SlowPartner:
    """An AS2 endpoint that stores what it gets; with `delay`, it answers only after that many seconds."""

    def __init__(self) -> None:
        self.bodies: list[bytes] = []
        self.delay = 0.0

    async def handle(self, request: web.Request) -> web.Response:
        self.bodies.append(await request.read())
        if self.delay:
            await asyncio.sleep(self.delay)
        return web.Response(status=200, text="ok")


@pytest.fixture
async def partner() -> AsyncIterator[tuple[SlowPartner, str]]:
    p = SlowPartner()
    app = web.Application()
    app.router.add_post("/as2", p.handle)
    runner, port = await serve(app)
    yield p, f"http://127.0.0.1:{port}/as2"
    await runner.cleanup()


def workspace(tmp_path: Path, url: str, **outbox: Any) -> Workspace:
    cert, theirs = make_cert(tmp_path / "certs", "acme"), make_cert(tmp_path / "certs", "acmeretail")
    port = free_port()
    return Workspace.create(tmp_path / "gw", {
        "our_ids": {"x12": {"qualifier": "ZZ", "id": "ACMEDIST"}, "as2_id": "ACMEDIST"},
        "outbox": {"min_backoff": 120, "max_backoff": 120, **outbox},
        "as2_server": {"enabled": True, "host": "127.0.0.1", "port": port, "certificate": str(cert.cert_path),
                       "private_key": str(cert.key_path)}},
        partners={"acme": {"name": "Acme Retail", "x12": {"ids": [{"qualifier": "ZZ", "id": "ACMERETAIL"}],
                                                          "ack": "none"},
                           "outbound": {"channel": "as2", "as2_id": "ACMERETAIL-AS2", "url": url, "mdn": "none",
                                        "certificates": [str(theirs.cert_path)], "sign": False, "encrypt": False, "timeout": 1}}})


def queue_asn(ws: Workspace, expects: str | None = "997", group: str = "12") -> str:
    """Our 856 (ISA13 000000012, GS06 `group`) QUEUED for the outbox; with `expects`, awaiting that ack within
    the hour."""
    sha = Archive(ws.root / "archive").put(ASN)
    journal = SqliteJournal(ws.journal_path)
    try:
        mid = journal.record_intake(direction=Direction.OUT, partner="acme", channel="as2",
                                    filename="acme_856_000000012.x12", sha256=sha, size=len(ASN),
                                    source_key="test:asn", state=State.QUEUED, syntax="x12", doc_type="856",
                                    control_number="000000012",
                                    meta={"expects_ack": expects, "group_number": group}).id
        if expects:
            journal.expect_ack(mid, "acme", expects, "000000012", group, datetime.now(UTC) + timedelta(hours=1))
        return mid
    finally:
        journal.close()


def row(ws: Workspace, mid: str) -> dict[str, Any]:
    return ws.messages(id=mid)[0]


@pytest.mark.parametrize("status,final", [("A", "done"), ("R", "rejected")])
async def test_a_997_for_a_document_waiting_to_be_retried_settles_it_and_it_is_not_sent_again(
        tmp_path: Path, partner: tuple[SlowPartner, str], status: str, final: str) -> None:
    peer, url = partner
    peer.delay = 5                      # it takes our 856, but answers after our POST gave up
    ws = workspace(tmp_path, url)
    gw = await asyncio.to_thread(GatewayProcess(ws.config).start)
    try:
        mid = await asyncio.to_thread(queue_asn, ws)
        await asyncio.to_thread(wait_for, lambda: row(ws, mid)["state"] == "retry_wait", 60, 0.05,
                                "the timed-out POST waiting to be retried")
        # the partner has it, and its 997 for our group 12 arrives before our retry is due
        ws.drop("their997.x12", functional_ack(900, "12", status, sender="ACMERETAIL"))
        await asyncio.to_thread(wait_for, lambda: row(ws, mid)["state"] == final, 30, 0.05,
                                f"the 856 {final} by the partner's 997")
        reasons = [e["reason"] for e in ws.events(mid)]
        assert any("997" in r for r in reasons), reasons
        assert any("not sent again" in r for r in reasons), reasons
        their = ws.messages(filename="their997.x12")[0]
        assert their["state"] == "done"
        await asyncio.sleep(1)
    finally:
        await asyncio.to_thread(gw.stop)
    assert len(peer.bodies) == 1                     # delivered once: the retry never went out
    assert json.loads(row(ws, mid)["meta"]).get("early_acks") in (None, [])


def test_a_997_for_a_group_we_never_sent_says_so(tmp_path: Path) -> None:
    from tests.helpers.gateway import cli
    ws = workspace(tmp_path, "http://127.0.0.1:9/as2")
    with GatewayProcess(ws.config):
        mid = queue_asn(ws, "997", group="12")
        ws.drop("stray997.x12", functional_ack(901, "4242", "R", sender="ACMERETAIL"))
        wait_for(lambda: [m for m in ws.messages(filename="stray997.x12") if m["state"] == "done"], 30,
                 message="the stray 997 read")
    (stray,) = ws.messages(filename="stray997.x12")
    reason = ws.events(stray["id"])[-1]["reason"]
    assert "matches nothing we sent" in reason and "4242" in reason, reason
    assert json.loads(stray["meta"])["unmatched_acks"] == ["997 for group 4242 (rejected)"]
    shown = cli("show", stray["id"], config=ws.config)
    assert "matches nothing we sent" in shown.stdout, shown.stdout
    assert row(ws, mid)["state"] in ("queued", "retry_wait")          # our 856 (group 12) untouched
