"""Purchase order changes: the X12 860 structure definition and 004010/005010 base profiles both ways, the
EDIFACT ORDCHG action codes, and what the canonical model lets a change line leave out."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import ValidationError

from gateway.errors import TranslationError
from gateway.formats import x12
from gateway.translate import translate
from gateway.translate.canonical import Line, PurchaseOrder
from tests.helpers.profiles import base_profiles
from tests.translate.conftest import EXAMPLES
from tests.translate.helpers import interchange, render_x12_base

SAMPLE = EXAMPLES / "samples" / "bigbox" / "later" / "860_4500001234.edi"
PROFILES = base_profiles()


def read(body: list[str], version: str = "004010") -> list[PurchaseOrder]:
    result = x12.parse(interchange(body, st="860", gs="PC", version=version))
    assert not result.errors, result.errors
    docs = [d for tx in result.transactions for d in translate(tx, None, PROFILES)]
    assert all(isinstance(d, PurchaseOrder) for d in docs)
    return docs  # type: ignore[return-value]


@pytest.mark.parametrize("version", ["004010", "005010"])
def test_poc_lines_carry_their_change_kind_quantity_price_and_items(version: str) -> None:
    [doc] = read(["BCH*04*SA*PO-77**3*20261120", "POC*1*QD*10*10*CA*4.25*PE*BP*B-1*UP*012345678905",
                  "POC*2*PC***EA*3.10**BP*B-2", "POC*3*NC**4*EA***BP*B-3", "POC*4*DI*0*0*EA***IN*B-4", "CTT*4"],
                 version)
    assert (doc.purpose, doc.number, doc.date, doc.source.standard_type) == ("change", "PO-77", "2026-11-20", "860")
    assert [(ln.line_no, ln.change, ln.quantity, ln.unit, ln.unit_price) for ln in doc.lines] == [
        ("1", "change", 10, "CS", Decimal("4.25")), ("2", "change", None, "EA", Decimal("3.10")), ("3", "unchanged", None, "EA", None),
        ("4", "delete", 0, "EA", None)]
    assert doc.lines[0].item_ids == {"buyer": "B-1", "upc": "012345678905"} and doc.lines[3].item_ids == {"buyer_item": "B-4"}   # IN: once


def test_a_cancellation_needs_no_lines_but_an_order_does() -> None:
    [doc] = read(["BCH*01*SA*PO-77**3*20261120"])
    assert doc.purpose == "cancel" and doc.lines == []
    with pytest.raises(ValidationError, match="order PO-1 has no lines"):
        PurchaseOrder(number="PO-1", lines=[])


def test_only_a_change_line_may_leave_out_its_quantity() -> None:
    with pytest.raises(ValidationError, match=r"line 2: no quantity"):
        PurchaseOrder(number="PO-1", lines=[Line(line_no="1", item_ids={"buyer": "A"}, quantity=1),
                                            Line(line_no="2", item_ids={"buyer": "B"})])
    with pytest.raises(ValidationError, match=r"line 1: no quantity \(a change line of kind 'add' must state one\)"):
        PurchaseOrder(number="PO-1", purpose="change", lines=[Line(line_no="1", item_ids={"buyer": "A"}, change="add")])
    kept = PurchaseOrder(number="PO-1", purpose="change", lines=[
        Line(line_no="1", item_ids={"buyer": "A"}, change=kind) for kind in ("change", "delete", "unchanged")])
    assert [ln.quantity for ln in kept.lines] == [None, None, None]


def test_a_missing_change_code_is_located_in_the_profile_and_segment() -> None:
    result = x12.parse(interchange(["BCH*04*SA*PO-77**3*20261120", "POC*1**5*5*EA***BP*B-1"], st="860", gs="PC"))
    with pytest.raises(TranslationError, match=r"x12-004010-860.yaml:\d+ segment 3 POC element POC02"):
        translate(result.transactions[0], None, PROFILES)


def test_the_structure_is_checked_as_an_860() -> None:
    result = x12.parse(interchange(["BEG*04*SA*PO-77**20261120", "POC*1*QI*5*5*EA***BP"], st="860", gs="PC"))
    messages = [i.message for i in result.errors]
    assert any("segment BEG is not part of transaction set 860" in m for m in messages)
    assert any("mandatory segment BCH is missing" in m for m in messages)
    assert any("POC08, POC09 must be used together" in m for m in messages)


def test_the_bigbox_sample_renders_back_to_what_it_reads(tmp_path: Path) -> None:
    """translate(render(doc)) == doc (but the CTT02 quantity total the writer adds), and the rendered 860 passes
    the validator."""
    [tx] = x12.parse(SAMPLE.read_bytes()).transactions
    [doc] = translate(tx, None, PROFILES)
    data = render_x12_base(doc, "860", tmp_path, PROFILES)
    result = x12.parse(data)
    assert not result.errors, result.errors
    assert b"BCH*04*SA*4500001234**" in data and b"POC*2*DI*0*" in data and b"POC*4*AI*12*" in data
    [back] = translate(result.transactions[0], None, PROFILES)
    assert back.totals.quantity_total == sum(ln.quantity or 0 for ln in doc.lines) == 54
    assert back.model_dump(exclude={"source", "totals"}) == doc.model_dump(exclude={"source", "totals"})
    assert back.totals.line_count == doc.totals.line_count == 4


def test_a_code_the_list_lacks_is_kept_as_sent_and_a_partner_can_map_it(tmp_path: Path) -> None:
    body = ["BCH*04*SA*PO-77**3*20261120", "POC*1*CI*0*0*EA***BP*B-1"]
    [doc] = read(body)
    assert doc.lines[0].change == "CI"           # posting then quarantines it, naming codes: line_changes
    from tests.translate.helpers import registry
    profiles = registry(tmp_path, {"acme-860.yaml": "extends: x12-004010-860\ncodes: {line_changes: {CI: delete}}\n"})
    result = x12.parse(interchange(body, st="860", gs="PC"))
    [mapped] = translate(result.transactions[0], None, profiles, profile="acme-860")
    assert mapped.lines[0].change == "delete"


def test_an_ordchg_lin_without_an_action_code_is_a_change_never_a_whole_order() -> None:
    """EANCOM makes LIN 1229 mandatory in ORDCHG; a partner that leaves it out still means "changed", and
    a change line must never make the message read as the whole revised order (which would drop the
    order lines it does not list)."""
    from gateway.formats import parse
    sample = EXAMPLES / "samples" / "eurohandel" / "later" / "ORDCHG_4500012345.edi"
    data = sample.read_bytes().replace(b"LIN+1+3+", b"LIN+1++")
    [doc] = translate(parse(data).transactions[0], None, PROFILES)
    assert [(ln.line_no, ln.change) for ln in doc.lines] == [  # type: ignore[attr-defined]
        ("1", "change"), ("2", "delete"), ("3", "change"), ("4", "add")]
