"""The profile language: inheritance, picks, code lists, conversions, hierarchies, errors with file:line."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from gateway.config.models import DocumentSettings, OurIds, PartnerConfig, X12Id, X12Settings
from gateway.errors import ConfigError, TranslationError
from gateway.formats import x12
from gateway.journal.sqlite import SqliteJournal
from gateway.odoo.lookup import buyer_number
from gateway.translate import ProfileRegistry, lint_profiles, render, translate
from gateway.translate.canonical import Invoice, Pack, PurchaseOrder, ShipItem, ShipNotice, ShipOrder
from gateway.translate.charges import charge_key
from gateway.translate.profile import BASE_DIR
from gateway.translate.values import gs1_check_digit, make_sscc, sscc_out
from tests.translate.conftest import RENDER_TIME
from tests.translate.helpers import PO_BODY, interchange, parse, registry

OUR = OurIds(x12=X12Id(qualifier="ZZ", id="ACMEDIST"), gs="ACMEDIST")


def _po(reg: ProfileRegistry, body: list[str], profile: str | None = None) -> PurchaseOrder:
    tx = parse(interchange(body)).transactions[0]
    doc = translate(tx, None, reg, profile=profile)[0]
    assert isinstance(doc, PurchaseOrder)
    return doc


def test_base_850_reads_header_parties_and_lines() -> None:
    doc = _po(ProfileRegistry.load([]), PO_BODY)
    assert (doc.number, doc.date, doc.reference("department")) == ("PO-1", "2026-11-28", "042")
    ship_to = doc.party("ship_to")
    assert ship_to is not None and ship_to.ids == {"gln": "0860001000023"}
    assert [ln.quantity for ln in doc.lines] == [Decimal(10), Decimal(2)]
    assert doc.lines[1].unit == "CS"                              # CA -> Rec 20 CS
    assert doc.totals.line_count == 2 and doc.totals.quantity_total == Decimal(12)


def test_buyer_item_is_the_bp_pair_and_an_in_stays_buyer_item() -> None:
    """An IN alone is kept once, as `buyer_item` (not also as `buyer`, which the 855/856/810 write as BP); the
    product lookup's `buyer_number` takes it when there is no BP."""
    doc = _po(ProfileRegistry.load([]), PO_BODY)
    assert doc.lines[0].item_ids["buyer"] == "BB-1001"            # BP present
    assert "buyer" not in doc.lines[1].item_ids and doc.lines[1].item_ids["buyer_item"] == "NW-A2"   # no BP: IN
    assert buyer_number(doc.lines[1].item_ids) == "NW-A2"


def test_partner_override_changes_only_what_it_says(tmp_path: Path) -> None:
    reg = registry(tmp_path, {"acme-850.yaml": (
        "extends: x12-004010-850\n"
        "codes:\n  units: {CA: DZN}\n"
        "structure:\n  lines:\n    fields:\n      item_ids.buyer: {pair: VN, at: 6}\n")})
    base = _po(reg, PO_BODY)
    doc = _po(reg, PO_BODY, profile="acme-850")
    assert doc.lines[1].unit == "DZN" and base.lines[1].unit == "CS"
    assert doc.lines[1].item_ids["buyer"] == "WR-200"
    assert "buyer" not in doc.lines[0].item_ids or doc.lines[0].item_ids["buyer"] == "BB-1001"
    assert doc.model_dump(exclude={"lines"}) == base.model_dump(exclude={"lines"})


def test_date_format_override_and_bad_date_is_located(tmp_path: Path) -> None:
    reg = registry(tmp_path, {"old-850.yaml": (
        "extends: x12-004010-850\n"
        "structure:\n  beg:\n    fields:\n      date: {at: 5, date: YYMMDD}\n")})
    body = ["BEG*00*SA*PO-2**261128", *PO_BODY[4:]]
    assert _po(reg, body, profile="old-850").date == "2026-11-28"
    with pytest.raises(TranslationError) as err:
        _po(reg, ["BEG*00*SA*PO-2**261399", *PO_BODY[4:]], profile="old-850")
    assert str(tmp_path / "old-850.yaml") + ":5" in str(err.value)
    assert "segment 2 BEG element BEG05" in str(err.value)


def test_required_value_missing_names_profile_line_and_segment() -> None:
    with pytest.raises(TranslationError) as err:
        _po(ProfileRegistry.load([]), ["BEG*00*SA***20261128", *PO_BODY[4:]])
    assert "x12-004010-850.yaml:" in str(err.value) and "BEG03" in str(err.value)


def test_implied_decimals_both_ways(tmp_path: Path) -> None:
    body = ["BIG*20261203*INV-1**PO-1", "IT1*1*4*EA*2.50**UP*614141000012", "TDS*1234", "CTT*1"]
    tx = parse(interchange(body, st="810", gs="IN")).transactions[0]
    inv = translate(tx, None, ProfileRegistry.load([]))[0]
    assert isinstance(inv, Invoice)
    assert inv.totals.total_amount == Decimal("12.34")
    from gateway.translate.values import number_out
    assert number_out(2)(inv.totals.total_amount) == "1234"
    from tests.translate.conftest import GOLDEN
    assert "TDS*100700~" in (GOLDEN / "bigbox" / "810_invoice.expected.x12").read_text()   # 1007.00 written


@pytest.mark.parametrize(("text", "message"), [
    ("extends: x12-004010-850\nstructure:\n  beg:\n    feilds: {number: 3}\n", "unknown key(s) feilds"),
    ("extends: x12-004010-850\nstructure:\n  beg:\n    fields: {number: {at: 3, codes: nope}}\n",
     "code list 'nope' is not defined"),
    ("extends: x12-004010-850\nstructure:\n  beg:\n    fields: {number: BEGX}\n", "is not an element address"),
    ("extends: x12-004010-85O\n", "extends: 'x12-004010-85O' is not a known profile"),
    ("extends: x12-004010-850\nstructure:\n  beg:\n    fields: {date: {at: 5, date: DDMMYY}}\n",
     "unknown date format"),
])
def test_profile_errors_name_file_and_line(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError) as err:
        registry(tmp_path, {"bad.yaml": text})
    assert message in str(err.value)
    assert f"{tmp_path / 'bad.yaml'}:" in str(err.value)
    assert err.value.line is not None and err.value.line >= 1


def test_lint_finds_unknown_segments_elements_dead_nodes_and_unmapped_fields(tmp_path: Path) -> None:
    reg = registry(tmp_path, {"lint-850.yaml": (
        "syntax: x12\nmessage: '850'\nversion: '004010'\ndocument: PurchaseOrder\n"
        "structure:\n"
        "  beg: {seg: BEG, fields: {number: 3, date: {at: 15, date: auto}}}\n"       # line 6: BEG15
        "  foo: {seg: XYZ, fields: {notes.0: 1}}\n"                                  # line 7: no XYZ
        "  ship: {seg: BSN, fields: {terms: 1}}\n"                                   # line 8: not in 850
        "  refs: {seg: REF, each: references, fields: {qualifier: 1, value: 2}}\n"
        "  refs2: {seg: REF, each: references, fields: {qualifier: 1, value: 2}}\n"  # line 10: shadowed
        "  bad: {seg: DTM, each: datez, fields: {date: 2}}\n")})                     # line 11: no such list
    problems = {(Path(p.path or "").name, p.line, p.message.split(" (")[0][:40]) for p in lint_profiles(reg)}
    text = "\n".join(str(p) for p in lint_profiles(reg))
    assert "lint-850.yaml:6: BEG15 does not exist" in text
    assert "lint-850.yaml:7: XYZ is not an X12 segment" in text
    assert "lint-850.yaml:8: BSN is not part of the 850 transaction set" in text
    assert "lint-850.yaml:10: REF node 'refs2' can never match" in text
    assert "lint-850.yaml:11: each: 'datez'" in text
    assert "PurchaseOrder needs 'lines'" in text
    assert problems and all(p[0] == "lint-850.yaml" for p in problems)


def test_lint_accepts_a_read_only_node_before_the_one_that_writes_the_same_segment(tmp_path: Path) -> None:
    """The pair that reads a segment one way and writes it another (the 846's SCH) is not dead code; a
    read-only node after another one of its tag still is."""
    head = ("syntax: x12\nmessage: '850'\nversion: '004010'\ndocument: PurchaseOrder\nstructure:\n"
            "  beg: {seg: BEG, fields: {number: 3}}\n")
    pair = registry(tmp_path / "pair", {"pair.yaml": head + (
        "  refs_in: {seg: REF, read_only: true, each: references, fields: {qualifier: 1, value: 3}}\n"
        "  refs: {seg: REF, each: references, fields: {qualifier: 1, value: 2}}\n")})
    assert not [p for p in lint_profiles(pair) if "can never match" in p.message]
    dead = registry(tmp_path / "dead", {"dead.yaml": head + (
        "  refs: {seg: REF, each: references, fields: {qualifier: 1, value: 2}}\n"
        "  refs_in: {seg: REF, read_only: true, each: references, fields: {qualifier: 1, value: 3}}\n")})
    assert [p.line for p in lint_profiles(dead) if "can never match" in p.message] == [8]


def test_lint_admits_a_quantity_schedule_only_where_it_is_read() -> None:
    """`each: schedule` under a quantity (846 SCH shares, split into quantities when read) is fine in a
    read-only node, as the base 846 profile has it, and a list no document has in a node that writes."""
    reg = ProfileRegistry.load([])
    node = next(n for n in reg.get("x12-004010-846").root.walk() if n.name == "schedule_in")   # type: ignore[union-attr]
    assert node.read_only and node.each == "schedule"
    assert not [p for p in lint_profiles(reg) if "schedule" in p.message]
    node.read_only = False
    try:
        assert [p.line for p in lint_profiles(reg) if "'schedule' is not a field of Quantity" in p.message] == \
            [node.where[1]]
    finally:
        node.read_only = True


def test_lint_checks_edifact_segments_elements_and_components_against_the_un_tables(tmp_path: Path) -> None:
    reg = registry(tmp_path, {"eh-orders.yaml": (
        "extends: edifact-d96a-orders\n"
        "structure:\n"
        "  packs: {seg: CPS, fields: {notes.0: 1}}\n"                          # line 3: no CPS in ORDERS
        "  bgm:\n"
        "    seg: BGM\n"
        "    always: true\n"
        "    fields:\n"
        "      number: {at: 2.9, required: true}\n"                            # line 8: 1004 is simple in D96A
        "      purpose: {at: 9}\n")})                                        # line 9: BGM has 4 elements
    text = "\n".join(str(p) for p in lint_profiles(reg) if "eh-orders" in str(p.path))
    assert "eh-orders.yaml:3: CPS is not part of the ORDERS message (D96A)" in text
    assert "eh-orders.yaml:8: BGM element 2 (1004) has 1 component; 2.9 does not exist" in text
    assert "eh-orders.yaml:9: BGM element 9 does not exist (BGM has 4)" in text


def test_lint_names_a_code_list_no_field_uses(tmp_path: Path) -> None:
    """A misspelt list (`unitz:`) was merged in and never applied. A workspace copy of a shipped common file
    keeps the lists the shipped one offers (X12 PER `contact_qualifiers`, which no base field names) without a
    word; a list it adds that nothing uses is named."""
    reg = registry(tmp_path, {
        "acme-850.yaml": "extends: x12-004010-850\ncodes:\n  unitz: {CA: DZN}\n  units: {KAR: CS}\n",
        "x12-common.yaml": (BASE_DIR / "x12-common.yaml").read_text() + "  scac: {UPSN: ups}\n"})
    found = [(Path(p.path or "").name, p.line, p.message) for p in lint_profiles(reg)]
    common_lines = (tmp_path / "x12-common.yaml").read_text().count("\n")
    assert found == [("acme-850.yaml", 3, "code list 'unitz' is used by no field; did you mean 'units'?"),
                     ("x12-common.yaml", common_lines, "code list 'scac' is used by no field")]


def test_a_charge_setting_keyed_by_a_partner_code_finds_the_canonical_word() -> None:
    """odoo.charge_products written before allowance codes were canonical ({D240: SVC-FREIGHT}) still maps
    the freight an 810 or an INVOIC now reads as `freight`; the word itself wins, the kind is the fallback."""
    assert charge_key("freight", "charge", {"D240": "SVC-FREIGHT"}) == "D240"
    assert charge_key("freight", "charge", {"FC": "SVC-FC", "freight": "SVC-FREIGHT"}) == "freight"
    assert charge_key("discount", "allowance", {"95": "SVC-DISCOUNT", "allowance": "SVC-OTHER"}) == "95"
    assert charge_key("G830", "charge", {"D240": "SVC-FREIGHT", "charge": "SVC-CHARGE"}) == "charge"
    assert charge_key(None, "allowance", {"charge": "SVC-CHARGE"}) is None


def test_shipped_and_example_profiles_lint_clean() -> None:
    from tests.translate.conftest import EXAMPLES
    reg = ProfileRegistry.load([EXAMPLES / "translations"])
    assert lint_profiles(reg) == []


def test_sscc_check_digit_matches_gs1() -> None:
    # GS1 General Specifications example SSCC: (00) 1 0614141 234567890 check digit 8
    assert gs1_check_digit("10614141234567890") == "8"
    assert sscc_out("10614141234567890") == "106141412345678908"
    with pytest.raises(ValueError, match="check digit"):
        sscc_out("106141412345678901")
    assert make_sscc("0", "0614141", 42) == "00614141000000042" + gs1_check_digit("00614141000000042")


def _partner(profile: str, version: str = "004010") -> PartnerConfig:
    return PartnerConfig(id="p1", x12=X12Settings(ids=[X12Id(qualifier="ZZ", id="P1")], version=version),
                         documents=[DocumentSettings(type="856", direction="out", profile=profile)])


def test_856_tare_pack_item_hierarchy_and_generated_ssccs(tmp_path: Path, journal: SqliteJournal) -> None:
    reg = registry(tmp_path, {"p1-856.yaml": (
        "extends: x12-004010-856\nsscc: {extension: '3', company_prefix: '0614141'}\n")})
    item = ShipItem(line_no="1", item_ids={"buyer": "B1"}, quantity=Decimal(6))
    doc = ShipNotice(number="S1", date="2026-12-02", structure="SOTPI", orders=[ShipOrder(
        po_number="PO-1", packs=[Pack(level="tare", packs=[Pack(items=[item]), Pack(items=[item])])])])
    out = render(doc, _partner("p1-856"), reg, journal, "856", our_ids=OUR, now=RENDER_TIME)
    text = out.data.decode()
    hls = [ln for ln in text.split("~\n") if ln.startswith("HL")]
    assert hls == ["HL*1**S*1", "HL*2*1*O*1", "HL*3*2*T*1", "HL*4*3*P*1", "HL*5*4*I*0", "HL*6*3*P*1",
                   "HL*7*6*I*0"]
    ssccs = [ln.split("*")[2] for ln in text.split("~\n") if ln.startswith("MAN*GM")]
    assert len(ssccs) == 3 and len(set(ssccs)) == 3
    assert all(s[0] == "3" and s[1:8] == "0614141" and gs1_check_digit(s[:17]) == s[17] for s in ssccs)
    assert "CTT*7~" in text
    assert not x12.parse(out.data).errors
    back = translate(x12.parse(out.data).transactions[0], None, reg, profile="p1-856")[0]
    assert isinstance(back, ShipNotice)
    tare = back.orders[0].packs[0]
    assert tare.level == "tare" and [p.level for p in tare.packs] == ["pack", "pack"]
    assert [p.sscc for p in [tare, *tare.packs]] == ssccs


FUNCTIONS = '''
def strip_prefix(value, segment):
    """GadgetMart prefixes its PO numbers with 'GM-'."""
    return value[3:] if value.startswith("GM-") else value

def mark(doc, tx):
    doc.setdefault("notes", []).append("read by " + tx.doc_type)
    return doc

def explode(value, segment):
    raise RuntimeError("boom")
'''


def test_function_escape_hatch_field_and_hook(tmp_path: Path) -> None:
    (tmp_path / "gmfix.py").write_text(FUNCTIONS)
    reg = registry(tmp_path, {"gm-850.yaml": (
        "extends: x12-004010-850\nhooks: {after_read: 'gmfix:mark'}\n"
        "structure:\n  beg:\n    fields:\n      number: {at: 3, function: 'gmfix:strip_prefix'}\n")})
    doc = _po(reg, ["BEG*00*SA*GM-4711**20261128", *PO_BODY[4:]], profile="gm-850")
    assert doc.number == "4711" and "read by 850" in doc.notes


def test_failing_function_is_a_located_error(tmp_path: Path) -> None:
    (tmp_path / "gmfix.py").write_text(FUNCTIONS)
    reg = registry(tmp_path, {"gm-850.yaml": (
        "extends: x12-004010-850\n"
        "structure:\n  beg:\n    fields:\n      number: {at: 3, function: 'gmfix:explode'}\n")})
    with pytest.raises(TranslationError) as err:
        _po(reg, PO_BODY, profile="gm-850")
    assert "RuntimeError: boom" in str(err.value) and "gm-850.yaml:5" in str(err.value)
    assert "BEG03" in str(err.value)


def test_missing_function_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot load function 'nomodule:fn'"):
        registry(tmp_path, {"gm-850.yaml": (
            "extends: x12-004010-850\nstructure:\n  beg:\n    fields:\n"
            "      number: {at: 3, function: 'nomodule:fn'}\n")})


def test_every_broken_profile_is_reported_at_once(tmp_path: Path) -> None:
    from gateway.translate.profile import ProfileErrors
    with pytest.raises(ProfileErrors) as err:
        registry(tmp_path, {"a.yaml": "extends: x12-004010-850\nstructure:\n  beg: {seg: BEG, fields: {number: 99x}}\n",
                            "b.yaml": "extends: nothing-like-it\n",
                            "c.yaml": "structure: [unclosed\n"})
    where = sorted((Path(e.path or "").name, e.line) for e in err.value.errors)
    assert [w[0] for w in where] == ["a.yaml", "b.yaml", "c.yaml"]
    assert all(line for _, line in where)


@pytest.mark.parametrize(("version", "profile"), [
    ("D93A", "edifact-d96a-orders"), ("D95B", "edifact-d96a-orders"), ("D96A", "edifact-d96a-orders"),
    ("D97A", "edifact-d96a-orders"), ("D00A", "edifact-d96a-orders"), ("D01B", "edifact-d01b-orders"),
    ("D03B", "edifact-d01b-orders"), ("003060", "x12-004010-850"), ("006020", "x12-005010-850")])
def test_a_version_without_a_profile_takes_the_nearest_one_before_it_in_time(version: str, profile: str) -> None:
    """EDIFACT directories were compared as text, so D93A, D95B and D00A ("D01B" sorts first) were read with the
    D01B profile, written years after them, instead of D96A, the nearest one before (or the oldest shipped)."""
    message = "850" if version[0].isdigit() else "ORDERS"
    found = ProfileRegistry.load([]).base_for("x12" if message == "850" else "edifact", message, version)
    assert found is not None and found.name == profile
