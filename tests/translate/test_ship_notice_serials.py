"""Vendors' serial numbers as the base ship notice profiles read them, and what an outbound 856 writes of them."""

from __future__ import annotations

from decimal import Decimal

from gateway.config.models import DocumentSettings, OurIds, PartnerConfig, X12Id, X12Settings
from gateway.formats import edifact, x12
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


def test_a_desadv_pia_gives_its_item_ids_lot_and_serials_together() -> None:
    """PIA02..06 may mix a batch number or item ids with serial numbers (7143 SN): each PIA gives all of them,
    its serials added in order to those before and after it (GIN+BN)."""
    body = ["BGM+351+DA-83+9", "RFF+ON:PO-1", "CPS+1", "LIN+1", "PIA+1+L-5:NB+SN-1:SN", "PIA+1+SN-2:SN+WB-100:SA",
            "QTY+12:3:PCE", "GIN+BN+SN-3"]
    segments = ["UNB+UNOC:3+4000000000009:14+0614141000005:14+261129:0900+7", "UNH+1+DESADV:D:96A:UN:EAN005",
                *body, f"UNT+{len(body) + 2}+1", "UNZ+1+7"]
    result = edifact.parse(("UNA:+.? '" + "".join(s + "'" for s in segments)).encode())
    assert [str(e) for e in result.errors] == []
    [doc] = translate(result.transactions[0], None, ProfileRegistry.load([]), profile="edifact-d96a-desadv")
    assert isinstance(doc, ShipNotice)
    [item] = doc.orders[0].packs[0].items
    assert (item.lot, item.item_ids.get("vendor"), item.serials) == ("L-5", "WB-100", ["SN-1", "SN-2", "SN-3"])
