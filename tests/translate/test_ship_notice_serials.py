"""Vendors' serial numbers as the base ship notice profiles read them, and what an outbound 856 writes of them."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from gateway.config.models import DocumentSettings, OurIds, PartnerConfig, X12Id, X12Settings
from gateway.errors import TranslationError
from gateway.formats import edifact, x12
from gateway.journal.sqlite import SqliteJournal
from gateway.translate import render, translate
from gateway.translate.canonical import Pack, ShipItem, ShipNotice, ShipOrder
from tests.helpers.profiles import base_profiles
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
    reg = base_profiles()
    out = render(doc, partner, reg, journal, "856", our_ids=OUR, now=RENDER_TIME)
    segments = out.data.decode().split("~\n")
    assert [s for s in segments if s.startswith(("LIN", "REF*SE"))] == [
        "LIN*1*VN*WB-100", "REF*SE*S-1", "REF*SE*S-2", "REF*SE*S-3"]
    [back] = translate(x12.parse(out.data).transactions[0], None, reg, profile="x12-004010-856")
    assert isinstance(back, ShipNotice)
    assert back.orders[0].packs[0].items[0].serials == ["S-1", "S-2", "S-3"]


def desadv_item(*segments: str) -> ShipItem:
    """The one item of a D96A DESADV whose LIN group has these segments, read by the base profile."""
    body = ["BGM+351+DA-83+9", "RFF+ON:PO-1", "CPS+1", "LIN+1", *segments]
    wrapped = ["UNB+UNOC:3+4000000000009:14+0614141000005:14+261129:0900+7", "UNH+1+DESADV:D:96A:UN:EAN005",
               *body, f"UNT+{len(body) + 2}+1", "UNZ+1+7"]
    result = edifact.parse(("UNA:+.? '" + "".join(s + "'" for s in wrapped)).encode())
    assert [str(e) for e in result.errors] == []
    [doc] = translate(result.transactions[0], None, base_profiles(), profile="edifact-d96a-desadv")
    assert isinstance(doc, ShipNotice)
    [item] = doc.orders[0].packs[0].items
    return item


def test_a_desadv_pia_gives_its_item_ids_lot_and_serials_together() -> None:
    """PIA02..06 may mix a batch number or item ids with serial numbers (7143 SN): each PIA gives all of them,
    its serials added in order to those before and after it (GIN+BN)."""
    item = desadv_item("PIA+1+L-5:NB+SN-1:SN", "PIA+1+SN-2:SN+WB-100:SA", "QTY+12:3:PCE", "GIN+BN+SN-3")
    assert (item.lot, item.item_ids.get("vendor"), item.serials) == ("L-5", "WB-100", ["SN-1", "SN-2", "SN-3"])


@pytest.mark.parametrize(("gin", "serials"), [
    ("SN-A0001:SN-A0010", [f"SN-A{n:04d}" for n in range(1, 11)]),     # a prefix with a letter, zero-padded
    ("ABC9:ABC12", ["ABC9", "ABC10", "ABC11", "ABC12"]),                # neither zero-padded: widths may differ
    ("ABC1:ABC12", [f"ABC{n}" for n in range(1, 13)]),
    ("ABC09:ABC12", ["ABC09", "ABC10", "ABC11", "ABC12"]),
    ("7:7", ["7"]),
    ("A100B:A103B", ["A100B", "A101B", "A102B", "A103B"]),             # a letter after the number, on both ends
    ("A0098-US:A0101-US", ["A0098-US", "A0099-US", "A0100-US", "A0101-US"]),
    ("A100B7:A102B7", ["A100B7", "A101B7", "A102B7"]),                  # the ending starts with a letter
    ("A10B:A20B", [f"A{n}B" for n in range(10, 21)]),                   # not A 1 to 2 then 0B
], ids=["padded", "unpadded", "unpadded-from-1", "one-width", "one", "ending", "ending-padded", "ending-digit",
        "ending-after-zero"])
def test_a_gin_range_with_one_prefix_is_counted_out(gin: str, serials: list[str]) -> None:
    """A C208 range is its first, its last and every number between: both ends one prefix and a number, either
    zero-padded to one width or neither padded (ABC9:ABC12, numbered without leading zeros). ABC9:ABC12 was
    refused for its ends' widths. The number may be followed by an ending both share (a plant or revision letter:
    A100B:A103B), which was refused as ends in letters; an ending starting with a digit is not one (A100B:A190B
    is 100 to 190, not 10 to 19 then 0B; A10B:A20B is eleven)."""
    assert desadv_item("QTY+12:1:PCE", f"GIN+BN+SN-0+{gin}").serials == ["SN-0", *serials]


SHAPE = ("cannot be counted out: its first and last must be the same prefix followed by a number, both of one width "
         "or neither zero-padded, then, if any, the same ending not starting with a digit (SN-0007:SN-0010, "
         "ABC9:ABC12, A100B:A199B)")


@pytest.mark.parametrize(("gin", "why"), [
    ("SN-9:XY-12", SHAPE),
    ("ABC009:ABC12", SHAPE),
    ("SN-0010:SN-0007", "cannot be counted out: its last is below its first"),
    ("ABC19:ABC110", "can be counted out two ways, ABC 19 to 110 (92 numbers) or ABC1 9 to 10 (2 numbers)"),
    ("SN-00001:SN-99999", "has 99999 numbers, more than 10000: is its last mistyped?"),
    ("A100B:A199C", SHAPE),
    ("A19B:A110B", "can be counted out two ways, A 19 to 110 B (92 numbers) or A1 9 to 10 B (2 numbers)"),
    ("A103B:A100B", "cannot be counted out: its last is below its first"),
], ids=["prefixes", "padded-widths", "backwards", "ambiguous", "too-many", "two-endings", "ending-ambiguous",
        "ending-backwards"])
def test_a_gin_range_that_cannot_be_counted_out_is_refused_naming_its_element(gin: str, why: str) -> None:
    """A range with two prefixes, a zero-padded end of another width, a last below its first, ends that split
    into prefix and number two ways, or more numbers than any case holds (a mistyped end) is refused naming the
    segment, the element it is in (GIN03, not GIN02) and both ends; a too long range is never counted out."""
    first, last = gin.split(":")
    with pytest.raises(TranslationError, match=rf"segment 7 GIN element GIN03: range {first}:{last} {re.escape(why)}"):
        desadv_item("QTY+12:1:PCE", f"GIN+BN+SN-0+{gin}")
