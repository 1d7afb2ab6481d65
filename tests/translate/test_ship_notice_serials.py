"""Vendors' serial numbers as the base ship notice profiles read them, and what an outbound 856 writes of them."""

from __future__ import annotations

from decimal import Decimal

from gateway.config.models import DocumentSettings, OurIds, PartnerConfig, X12Id, X12Settings
from gateway.formats import x12
from gateway.journal.sqlite import SqliteJournal
from gateway.translate import ProfileRegistry, render, translate
from gateway.translate.canonical import Pack, ShipItem, ShipNotice, ShipOrder
from tests.translate.conftest import RENDER_TIME

OUR = OurIds(x12=X12Id(qualifier="ZZ", id="ACMEDIST"), gs="ACMEDIST")


def test_an_856_writes_each_serial_once_and_reads_it_back_once(journal: SqliteJournal) -> None:
    """Outbound, an item's serial numbers are its REF*SE segments only: LIN's SN pairs are read (every one of
    them) but not written, so the file read back gives each serial once, in order."""
    partner = PartnerConfig(id="p1", x12=X12Settings(ids=[X12Id(qualifier="ZZ", id="P1")]),
                            documents=[DocumentSettings(type="856", direction="out", profile="x12-004010-856")])
    item = ShipItem(line_no="1", item_ids={"vendor": "WB-100"}, quantity=Decimal(3), serials=["S-1", "S-2", "S-3"])
    doc = ShipNotice(number="S1", date="2026-12-02", orders=[ShipOrder(po_number="PO-1",
                                                                       packs=[Pack(items=[item])])])
    reg = ProfileRegistry.load([])
    out = render(doc, partner, reg, journal, "856", our_ids=OUR, now=RENDER_TIME)
    segments = out.data.decode().split("~\n")
    assert [s for s in segments if s.startswith(("LIN", "REF*SE"))] == [
        "LIN*1*VN*WB-100", "REF*SE*S-1", "REF*SE*S-2", "REF*SE*S-3"]
    [back] = translate(x12.parse(out.data).transactions[0], None, reg, profile="x12-004010-856")
    assert isinstance(back, ShipNotice)
    assert back.orders[0].packs[0].items[0].serials == ["S-1", "S-2", "S-3"]
