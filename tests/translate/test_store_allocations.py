"""X12 850 SDQ store allocations: each PO1 line's quantity per store (or DC), read, checked and written back."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from gateway.formats import x12
from gateway.translate import translate
from gateway.translate.canonical import PurchaseOrder
from tests.helpers.profiles import base_profiles
from tests.translate.helpers import interchange, render_x12_base

PROFILES = base_profiles()
BODY = ["BEG*00*SA*PO-9**20261127", "N1*ST*DC 1*UL*0860001000023",
        "PO1*1*36*EA*12.50*PE*BP*BB-1001", "SDQ*EA*92*0107*12*0203*24",
        "PO1*2*6*EA*42.00*PE*BP*BB-1003", "SDQ*EA*92*0107*2", "SDQ*EA*92*0203*4", "CTT*2*42"]


def read(body: list[str]) -> PurchaseOrder:
    result = x12.parse(interchange(body))
    assert not result.errors, result.errors
    [doc] = translate(result.transactions[0], None, PROFILES)
    assert isinstance(doc, PurchaseOrder)
    return doc


def test_sdq_pairs_are_the_lines_allocations_over_several_segments() -> None:
    doc = read(BODY)
    assert [(ln.allocation_kind, ln.allocations) for ln in doc.lines] == [
        ("buyer", {"0107": Decimal(12), "0203": Decimal(24)}), ("buyer", {"0107": Decimal(2), "0203": Decimal(4)})]
    assert doc.check() == []


def test_allocations_that_do_not_add_up_are_reported() -> None:
    doc = read([*BODY[:3], "SDQ*EA*92*0107*12*0203*20", *BODY[4:]])
    assert doc.check() == ["line 1: its allocations add up to 32, not its quantity 36"]


def test_allocations_render_back_as_sdq(tmp_path: Path) -> None:
    doc = read(BODY)
    data = render_x12_base(doc, "850", tmp_path, PROFILES)
    assert b"SDQ*EA*92*0107*12*0203*24~" in data and b"SDQ*EA*92*0107*2*0203*4~" in data
    result = x12.parse(data)
    assert not result.errors, result.errors
    [back] = translate(result.transactions[0], None, PROFILES)
    assert [ln.allocations for ln in back.lines] == [ln.allocations for ln in doc.lines]
