"""EANCOM ORDERS split delivery (LOC+7 / QTY+11 under a LIN, D96A SG33, D01B SG37): each line's quantity per
store, read into the line's allocations as an X12 850's SDQ is, checked against the directory's segment table,
and written back; the same groups under a cross-dock DESADV's LIN name each item's store."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from gateway.config.models import OurIds, PartnerConfig
from gateway.errors import TranslationError
from gateway.formats import parse
from gateway.journal.sqlite import SqliteJournal
from gateway.translate import render, translate
from gateway.translate.canonical import Document, Pack, PurchaseOrder, ShipItem, ShipNotice, ShipOrder
from tests.helpers.profiles import base_profiles

PROFILES = base_profiles()
SAMPLE = Path(__file__).resolve().parents[2] / "gateway" / "examples" / "samples" / "eurohandel" / \
    "ORDERS_4500012345.edi"
VERSIONS = {"D96A": b"ORDERS:D:96A:UN:EAN008", "D01B": b"ORDERS:D:01B:UN:EAN010"}
# line 1 (48 Blue Widgets): 12 for one store, 36 for another, by GLN; line 3 (10 Gadgets): all for the first
SPLIT = {b"PRI+AAA:12.50'": b"PRI+AAA:12.50'\nLOC+7+4012345000023::9'\nQTY+11:12'\nLOC+7+4012345000030::9'\n"
                            b"QTY+11:36'",
         b"PRI+AAA:42.00'": b"PRI+AAA:42.00'\nLOC+7+4012345000023::9'\nQTY+11:10'"}


def split_order(version: str = "D96A", split: dict[bytes, bytes] = SPLIT) -> bytes:
    """EuroHandel's sample ORDERS with `split`'s LOC/QTY groups under its lines, in `version`."""
    data = SAMPLE.read_bytes().replace(VERSIONS["D96A"], VERSIONS[version])
    added = 0
    for old, new in split.items():
        assert data.count(old) == 1
        data = data.replace(old, new)
        added += new.count(b"'") - old.count(b"'")
    return data.replace(b"UNT+34+1'", f"UNT+{34 + added}+1'".encode())


def read(data: bytes, version: str = "D96A") -> PurchaseOrder:
    result = parse(data)
    assert [str(e) for e in result.errors] == []
    [doc] = translate(result.transactions[0], None, PROFILES, profile=f"edifact-{version.lower()}-orders")
    assert isinstance(doc, PurchaseOrder)
    return doc


def written(doc: Document, version: str, tmp: Path, message: str = "ORDERS") -> bytes:
    """`doc` as the base `message` profile of `version` writes it for a partner with only that (an order without
    the sample's notes: the base profile writes an FTX without its subject code, 4451, which the outbound check
    refuses)."""
    if isinstance(doc, PurchaseOrder):
        doc = doc.model_copy(update={"notes": []})
    profile = f"edifact-{version.lower()}-{message.lower()}"
    partner = PartnerConfig.model_validate({
        "id": "eh", "edifact": {"ids": [{"qualifier": "14", "id": "4012345000009"}], "version": version},
        "documents": [{"type": message, "direction": "out", "profile": profile}]})
    journal = SqliteJournal(tmp / "render.sqlite3")
    try:
        our = OurIds.model_validate({"edifact": {"qualifier": "14", "id": "0614141000005"}})
        return render(doc, partner, PROFILES, journal, message, our_ids=our, now=datetime(2026, 12, 1)).data
    finally:
        journal.close()


@pytest.mark.parametrize("version", ["D96A", "D01B"])
def test_loc_qty_groups_are_the_lines_allocations_and_go_back_out(version: str, tmp_path: Path) -> None:
    doc = read(split_order(version), version)
    assert [(ln.line_no, ln.allocation_kind, ln.allocations) for ln in doc.lines] == [
        ("1", "gln", {"4012345000023": Decimal(12), "4012345000030": Decimal(36)}),
        ("2", None, {}), ("3", "gln", {"4012345000023": Decimal(10)})]
    assert doc.check() == []
    out = written(doc, version, tmp_path)
    assert b"PRI+AAA:12.50'LOC+7+4012345000023::9'QTY+11:12'LOC+7+4012345000030::9'QTY+11:36'" \
        in out.replace(b"\n", b"")
    back = read(out, version)
    assert [(ln.allocation_kind, ln.allocations) for ln in back.lines] == \
        [(ln.allocation_kind, ln.allocations) for ln in doc.lines]


def test_store_numbers_of_the_buyer_are_kept_as_such_and_written_with_92(tmp_path: Path) -> None:
    """C517 3055 92 (the buyer's code list) is a store number, as SDQ02 92 is in an 850: `buyer`, which posting
    looks up by the store contact's Reference, not as a GLN."""
    doc = read(split_order(split={b"PRI+AAA:12.50'": b"PRI+AAA:12.50'\nLOC+7+0107::92'\nQTY+11:12'\n"
                                                     b"LOC+7+0203::92'\nQTY+11:36'"}))
    assert (doc.lines[0].allocation_kind, doc.lines[0].allocations) == \
        ("buyer", {"0107": Decimal(12), "0203": Decimal(36)})
    assert b"LOC+7+0107::92'QTY+11:12'LOC+7+0203::92'QTY+11:36'" in written(doc, "D96A", tmp_path).replace(b"\n", b"")


def test_one_line_naming_stores_by_two_code_lists_is_refused() -> None:
    data = split_order(split={b"PRI+AAA:12.50'": b"PRI+AAA:12.50'\nLOC+7+4012345000023::9'\nQTY+11:12'\n"
                                                 b"LOC+7+0203::92'\nQTY+11:36'"})
    result = parse(data)
    with pytest.raises(TranslationError, match=r"line 1: its delivery places \(LOC\+7\) are named by different "
                                               r"code lists \(buyer, gln\)"):
        translate(result.transactions[0], None, PROFILES, profile="edifact-d96a-orders")


def test_a_lines_one_place_without_a_quantity_gets_the_whole_line() -> None:
    """EANCOM makes the group's QTY conditional: a line's only LOC+7 without one says where the whole line goes
    (not an allocation of nothing, which left all 48 at the DC); one of several places without it is refused."""
    doc = read(split_order(split={b"PRI+AAA:12.50'": b"PRI+AAA:12.50'\nLOC+7+4012345000023::9'"}))
    assert doc.lines[0].allocations == {"4012345000023": Decimal(48)} and doc.check() == []
    data = split_order(split={b"PRI+AAA:12.50'": b"PRI+AAA:12.50'\nLOC+7+4012345000023::9'\n"
                                                 b"LOC+7+4012345000030::9'\nQTY+11:36'"})
    with pytest.raises(TranslationError, match=r"line 1: how much goes to 4012345000023 \(LOC\+7\) is not said: "
                                               r"no QTY\+11, one of 2 places"):
        translate(parse(data).transactions[0], None, PROFILES, profile="edifact-d96a-orders")


@pytest.mark.parametrize("version", ["D96A", "D01B"])
def test_a_cross_dock_desadv_marks_each_item_for_its_store_and_reads_back(version: str, tmp_path: Path) -> None:
    """A carton's items allocated to a store (`crossdock.one_order`) are written LOC+7/QTY+11 under their LIN
    (EANCOM DESADV 97 SG18, 2002 SG20), which the directory's segment table takes and the profile reads back."""
    widget = ShipItem(line_no="1", item_ids={"ean": "0614141000012"}, quantity=Decimal(12),
                      allocations={"0107": Decimal(12)}, allocation_kind="buyer")
    dc = ShipItem(line_no="2", item_ids={"ean": "0614141000029"}, quantity=Decimal(4))
    notice = ShipNotice(number="WH/OUT/7", date="2026-12-01", orders=[ShipOrder(
        po_number="4500012345", packs=[Pack(sscc="006141410000000012", items=[widget]), Pack(items=[dc])])])
    out = written(notice, version, tmp_path, "DESADV")
    assert b"QTY+12:12:PCE'LOC+7+0107::92'QTY+11:12'" in out.replace(b"\n", b"")
    result = parse(out)
    assert [str(e) for e in result.errors] == []
    [back] = translate(result.transactions[0], None, PROFILES, profile=f"edifact-{version.lower()}-desadv")
    assert isinstance(back, ShipNotice)
    assert [(i.allocation_kind, i.allocations) for i in back.all_items()] == [("buyer", {"0107": Decimal(12)}),
                                                                               (None, {})]
