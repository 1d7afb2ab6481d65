"""A real journal with a small, known history, and the ops endpoint serving it on 127.0.0.1:0."""

from __future__ import annotations

import sqlite3
import urllib.error
import urllib.request
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest

from gateway.config.models import GatewayConfig, PartnerConfig
from gateway.journal.api import Direction, OdooLink, State
from gateway.journal.archive import Archive
from gateway.journal.sqlite import SqliteJournal
from gateway.ops import start

MALICIOUS = (b"ISA*00*          *00*          *ZZ*EVIL<script>alert('x')</script>*ZZ*ACMEDIST~\r\n"
             b"GS*PO*\x01BAD~</pre><img src=x onerror=alert(1)>&amp;")


@dataclass
class World:
    tmp: Path
    config: GatewayConfig
    journal: SqliteJournal
    archive: Archive
    ids: dict[str, str] = field(default_factory=dict)

    def age(self, message_id: str, hours: float) -> None:
        """Given: the message's history happened `hours` earlier (shifted straight in the test's journal)."""
        shift = f"-{hours * 3600:.0f} seconds"
        with sqlite3.connect(self.journal.path) as db:
            for table, column in (("messages", "created_at"), ("messages", "updated_at"), ("events", "at")):
                key = "id" if table == "messages" else "message_id"
                db.execute(f"UPDATE {table} SET {column} = strftime('%Y-%m-%dT%H:%M:%f000+00:00', {column}, ?) "
                           f"WHERE {key} = ?", (shift, message_id))


def _intake(world: World, name: str, data: bytes, *, direction: Direction = Direction.IN, partner: str | None,
            channel: str, filename: str, parent: str | None = None,
            state: State = State.RECEIVED) -> str:
    sha = world.archive.put(data)
    msg = world.journal.record_intake(direction=direction, partner=partner, channel=channel, filename=filename,
                                      sha256=sha, size=len(data), source_key=f"{channel}:{filename}",
                                      parent_id=parent, state=state)
    world.ids[name] = msg.id
    return msg.id


def populate(world: World) -> None:
    j = world.journal
    # bigbox: an 850 all the way into Odoo, its 997 delivered, an 856 sent and never acknowledged
    po = _intake(world, "bigbox_po", b"ISA*00*...850...~", partner="bigbox", channel="as2", filename="PO1001.edi")
    j.transition(po, State.PARSED, "parsed", doc_type="850", control_number="000000101", syntax="x12")
    j.transition(po, State.TRANSLATED, "translated")
    j.transition(po, State.POSTED, "posted sale.order 7")
    j.link_odoo(OdooLink(po, "sale.order", 7))
    j.transition(po, State.DONE, "done")
    ack = _intake(world, "bigbox_997", b"ISA*...997...~", direction=Direction.OUT, partner="bigbox", channel="as2",
                  filename="bigbox_997_1.x12", parent=po, state=State.QUEUED)
    j.transition(ack, State.SENT, "MDN ok", doc_type="997")
    j.transition(ack, State.DONE, "no ack expected")
    asn = _intake(world, "bigbox_856", b"ISA*...856...~", direction=Direction.OUT, partner="bigbox", channel="as2",
                  filename="bigbox_856_2.x12", state=State.QUEUED)
    j.transition(asn, State.SENT, "MDN ok", doc_type="856", control_number="000000002")
    j.expect_ack(asn, "bigbox", "997", "000000002", "2", datetime.now(UTC) - timedelta(hours=1))
    # a 997 from bigbox for something else we sent: an acknowledgement received, not a file received
    ack_in = _intake(world, "bigbox_997_in", b"ISA*...997 from bigbox...~", partner="bigbox", channel="as2",
                     filename="997_from_bigbox.edi")
    j.transition(ack_in, State.PARSED, "acknowledgement read", doc_type="997", control_number="000000555")
    j.transition(ack_in, State.DONE, "acknowledgement matched to what we sent")
    # northwind: an 850 waiting to retry (Odoo down), for hours: stuck
    nw = _intake(world, "northwind_po", b"ISA*...northwind 850...~", partner="northwind", channel="sftp",
                 filename="nw_po_42.x12")
    j.transition(nw, State.PARSED, "parsed", doc_type="850", control_number="000000042")
    j.transition(nw, State.TRANSLATED, "translated")
    j.transition(nw, State.RETRY_WAIT, "Odoo unavailable", error="OdooUnavailable: connection refused",
                 next_attempt_at=datetime.now(UTC) + timedelta(minutes=5), attempts=3)
    world.age(nw, 2)
    # an outbound 846 to northwind that ran out of retries
    inv = _intake(world, "northwind_846", b"ISA*...846...~", direction=Direction.OUT, partner="northwind",
                  channel="sftp_remote", filename="nw_846.x12", state=State.QUEUED)
    j.transition(inv, State.DEAD, "retries exhausted", error="DeliveryRetry: connection refused", attempts=10,
                 doc_type="846")
    # a malformed file from the shared folder: quarantined, with markup in it
    bad = _intake(world, "bad_file", MALICIOUS, partner="eurohandel", channel="folder", filename="<b>bad</b>.edi")
    j.transition(bad, State.QUARANTINED, "unreadable",
                 error="ISA segment 1, element ISA13: expected 9 digits, found '<none>' (file <b>bad</b>.edi)")
    # shopmarket: an order being worked on right now (in flight, not stuck)
    _intake(world, "shop_fresh", b"order_id,sku\n1,WB-100\n", partner="shopmarket", channel="sftp",
            filename="orders.csv")


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    for sub in ("state", "archive", "inbox"):
        (tmp_path / sub).mkdir()
    config = GatewayConfig.model_validate({
        "state_dir": str(tmp_path / "state"), "archive_dir": str(tmp_path / "archive"),
        "inbox": [{"path": str(tmp_path / "inbox")}],
        "odoo": {"enabled": False}, "ops": {"port": 0}})
    journal = SqliteJournal(tmp_path / "state" / "journal.sqlite3")
    w = World(tmp_path, config, journal, Archive(tmp_path / "archive"))
    populate(w)
    yield w
    journal.close()


Served = tuple[World, str, SimpleNamespace]          # the world, the endpoint's base URL, the ops context

PARTNERS = {p: PartnerConfig(id=p, name=n) for p, n in
            [("bigbox", "BigBox Retail"), ("northwind", "Northwind Traders"), ("eurohandel", "EuroHandel GmbH"),
             ("shopmarket", "ShopMarket"), ("quietco", "Quiet Co (no traffic yet)")]}


@pytest.fixture
async def served(world: World) -> AsyncIterator[Served]:
    """The ops endpoint over the world's journal; yields (world, base_url, ctx)."""
    ctx = SimpleNamespace(config=world.config, journal=world.journal, partners=PARTNERS, ports={})
    stop = await start(ctx)
    try:
        yield world, f"http://127.0.0.1:{ctx.ports['ops']}", ctx
    finally:
        await stop()


def fetch(url: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    """An independent HTTP client (urllib), run in a thread by the tests."""
    request = urllib.request.Request(url, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()

