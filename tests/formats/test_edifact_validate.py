"""Structure validation of EDIFACT messages against the definitions kept as data."""

from __future__ import annotations

import pytest

from gateway.formats import edifact, edifact_defs
from gateway.formats.base import Issue, Severity


def message(body: str, mtype: str = "ORDERS:D:96A:UN") -> bytes:
    segs = [s for s in body.split("'") if s.strip()]
    n = len(segs) + 2
    return (f"UNB+UNOC:3+S:14+R:14+261129:0900+1'UNH+1+{mtype}'" + "'".join(segs) + f"'UNT+{n}+1'UNZ+1+1'"
            ).encode("latin-1")


GOOD = ("BGM+220+PO1+9'DTM+137:20261129:102'NAD+BY+4012345000009::9'LIN+1++00614141000012:EN'"
        "QTY+21:12:PCE'PRI+AAA:12.5'UNS+S'CNT+2:1'")


def issues(body: str, mtype: str = "ORDERS:D:96A:UN") -> list[Issue]:
    return edifact.parse(message(body, mtype)).issues


def test_conforming_orders_has_no_issue() -> None:
    assert issues(GOOD) == []


CHANGE = ("BGM+230+4500012345+4'DTM+137:20261128:102'NAD+BY+4012345000009::9'LIN+1+3+0614141000012:EN'"
          "QTY+21:60:PCE'LIN+2+2+0614141000029:EN'UNS+S'CNT+2:2'")


@pytest.mark.parametrize("version", ["D:96A", "D:01B"])
def test_an_ordchg_is_checked_against_its_own_segment_table(version: str) -> None:
    """ORDCHG has a segment table of its own (the ORDERS one plus the AJT adjustment groups, with other
    repeats): a conforming change has no issue, a segment out of place is reported where it is."""
    mtype = f"ORDCHG:{version}:UN"
    assert issues(CHANGE, mtype) == []
    misplaced = issues(CHANGE.replace("NAD+BY", "QTY+21:1:PCE'NAD+BY"), mtype)
    assert [(i.code, i.segment_tag, i.segment_position) for i in misplaced if i.severity is Severity.ERROR] == \
        [("15", "QTY", 4)]
    ajt = issues(CHANGE.replace("NAD+BY", "AJT+1'FTX+AAI+++late delivery'NAD+BY"), mtype)
    assert ajt == []                                  # the adjustment group ORDERS does not have


def test_definitions_load_for_every_message_and_directory() -> None:
    for version in ("D96A", "D01B"):
        for doc in ("ORDERS", "ORDCHG", "ORDRSP", "DESADV", "INVOIC", "INVRPT", "APERAK"):
            table = edifact_defs.message(doc, version)
            assert table is not None and table[0].tag == "UNH" and table[-1].tag == "UNT", (doc, version)
    contrl = edifact_defs.message("CONTRL", "D3")
    assert contrl is not None and [n.tag for n in contrl] == ["UNH", "UCI", "SG1", "SG3", "UNT"]
    orders = edifact_defs.message("ORDERS", "D96A")
    assert orders is not None
    lin = next(n for n in orders if n.trigger == "LIN")
    assert (lin.tag, lin.max, lin.mandatory) == ("SG25", 200000, False)
    d96a, d01b = edifact_defs.directory("D96A"), edifact_defs.directory("D01B")
    assert d96a is not None and d01b is not None
    fmt = d96a.elements["6060"]
    assert (fmt.kind, fmt.max) == ("n", 15)
    assert d01b.elements["6060"].text == "an..35"


def test_missing_mandatory_segment_is_code_13_at_the_next_segment() -> None:
    found = issues(GOOD.replace("DTM+137:20261129:102'", ""))
    assert [(i.code, i.segment_tag, i.segment_position) for i in found] == [("13", "NAD", 3)]
    assert "mandatory segment DTM" in found[0].message
    assert found[0].location() == "interchange 1, transaction 1, segment 3 NAD"


def test_segment_out_of_place_is_code_15_with_its_group() -> None:
    found = issues(GOOD.replace("QTY+21:12:PCE'", "QTY+21:12:PCE'BGM+220+X'"))
    assert [(i.code, i.segment_tag, i.loop_id) for i in found] == [("15", "BGM", "SG25")]


def test_unknown_segment_tag_is_code_15() -> None:
    found = issues(GOOD.replace("UNS+S'", "XYZ+1'UNS+S'"))
    assert [(i.code, i.segment_tag) for i in found] == [("15", "XYZ")]
    assert "not a segment of this message" in found[0].message


def test_too_many_repeats_of_segment_and_group() -> None:
    found = issues(GOOD.replace("NAD+BY", "FTX+AAI+++x'" * 100 + "NAD+BY"))
    assert [(i.code, i.segment_tag) for i in found] == [("35", "FTX")]
    lines = "".join(f"LIN+{n}++4711:EN'" for n in range(2, 4))
    alc = "ALC+A'" * 16   # header ALC group allows 15
    found = issues(GOOD.replace("LIN+1", alc + "LIN+1").replace("UNS+S'", lines + "UNS+S'"))
    assert [(i.code, i.segment_tag, i.loop_id) for i in found] == [("36", "ALC", "SG18")]


def test_element_checks_with_contrl_codes() -> None:
    body = GOOD.replace("QTY+21:12:PCE'", "QTY+21:12a:PCE'").replace("NAD+BY+4012345000009::9'", "NAD+BY+::9'")
    body = body.replace("PRI+AAA:12.5'", "PRI+AAA:12.5:CT:AAA:1:PCE:X'")
    body = body.replace("BGM+220+PO1+9'", "BGM+220+" + "X" * 36 + "+9+1+2'")
    found = {(i.code, i.segment_tag, i.element_position, i.component_position) for i in issues(body)}
    assert found == {
        ("37", "QTY", 1, 2),     # 6060 n..15 holds '12a'
        ("13", "NAD", 2, 1),     # 3039 party id missing
        ("16", "PRI", 1, 7),     # C509 has 6 components
        ("39", "BGM", 2, None),  # 1004 an..35
        ("16", "BGM", 5, None),  # BGM has 4 elements
    }


def test_decimal_comma_and_sign_are_numeric() -> None:
    assert issues(GOOD.replace("QTY+21:12:PCE'", "QTY+21:-12,5:PCE'")) == []
    found = issues(GOOD.replace("QTY+21:12:PCE'", "QTY+21:.5:PCE'"))
    assert [i.code for i in found] == ["38"]


def test_d01b_uses_its_own_directory() -> None:
    body = GOOD.replace("QTY+21:12:PCE'", "QTY+21:ABC:PCE'")
    assert [i.code for i in issues(body)] == ["37"]
    assert issues(body, "ORDERS:D:01B:UN:EAN010") == []     # 6060 is an..35 in D.01B


def test_errors_reject_the_message_only() -> None:
    data = message(GOOD.replace("DTM+137:20261129:102'", ""))
    r = edifact.parse(data)
    assert [t.accepted for t in r.transactions] == [False]
    assert all(i.severity is Severity.ERROR for i in r.issues)


@pytest.mark.parametrize("mtype", ["ORDERS:D:97A:UN", "IFTMIN:D:96A:UN", "ZZZZZZ:D:01B:UN"])
def test_messages_without_definitions_are_read_generically(mtype: str) -> None:
    r = edifact.parse(message("ANY+thing+at:all'XYZ'", mtype))
    assert r.issues == []
    assert [s.tag for s in r.transactions[0].segments] == ["UNH", "ANY", "XYZ", "UNT"]


def test_issue_count_is_bounded() -> None:
    body = GOOD.replace("UNS+S'", "XYZ'" * 500 + "UNS+S'")
    found = issues(body)
    assert len(found) == 101 and found[-1].code == "18"


@pytest.mark.parametrize("mtype", ["../../D96A/segments:D:96A:UN", "README:D:96A:UN", "ORD\x00RS:D:96A:UN",
                                   "orders:D:96A:UN", "../service/CONTRL:D:96A:UN"])
def test_message_type_from_the_file_never_names_a_path(mtype: str) -> None:
    assert edifact_defs.message(mtype.split(":")[0], "D96A") is None
    r = edifact.parse(message("ANY+thing'", mtype))
    assert [t.doc_type for t in r.transactions] == [mtype.split(":")[0]]


TYPICAL = {
    "ORDERS": "BGM+220+PO1+9'DTM+137:20261129:102'NAD+BY+4012345000009::9'NAD+DP+4012345000016::9'CUX+2:EUR:9'"
              "LIN+1++00614141000012:EN'QTY+21:12:PCE'PRI+AAA:12.5'UNS+S'CNT+2:1'",
    "ORDRSP": "BGM+231+PO1+29'DTM+137:20261129:102'RFF+ON:PO1'NAD+SU+0614141000005::9'LIN+1+5+00614141000012:EN'"
              "QTY+21:12:PCE'DTM+2:20261203:102'UNS+S'",
    "DESADV": "BGM+351+DN1+9'DTM+137:20261129:102'RFF+ON:PO1'NAD+DP+4012345000016::9'CPS+1'PAC+1++201'"
              "PCI+33E'GIN+BJ+006141410000000018'CPS+2+1'LIN+1++00614141000012:EN'QTY+12:12:PCE'CNT+2:1'",
    "INVOIC": "BGM+380+INV1+9'DTM+137:20261129:102'RFF+ON:PO1'NAD+SU+0614141000005::9'NAD+BY+4012345000009::9'"
              "TAX+7+VAT+++:::19+S'CUX+2:EUR:4'LIN+1++00614141000012:EN'QTY+47:12:PCE'MOA+203:150'"
              "PRI+AAA:12.5'TAX+7+VAT+++:::19+S'UNS+S'CNT+2:1'MOA+77:178.5'MOA+79:150'TAX+7+VAT+++:::19+S'"
              "MOA+124:28.5'",
    "APERAK": "BGM+313+ACK1+27'DTM+137:20261129:102'RFF+ACW:PO1'NAD+MR+0614141000005::9'ERC+12'FTX+AAO+++bad'",
}
INVRPT = {
    "D96A": "BGM+35+INV1+9'DTM+137:20261129:102'NAD+SU+0614141000005::9'LIN+1++00614141000012:EN'"
            "QTY+145:500:PCE'LOC+18+WH1'",
    "D01B": "BGM+35+INV1+9'DTM+137:20261129:102'NAD+SU+0614141000005::9'LIN+1++00614141000012:EN'"
            "INV+1++11'QTY+145:500:PCE'LOC+18+WH1'",
}


@pytest.mark.parametrize("version", ["D96A", "D01B"])
@pytest.mark.parametrize("doc", [*TYPICAL, "INVRPT"])
def test_typical_messages_of_every_definition_validate(doc: str, version: str) -> None:
    body = INVRPT[version] if doc == "INVRPT" else TYPICAL[doc]
    found = issues(body, f"{doc}:D:{version[1:]}:UN")
    assert found == [], [str(i) for i in found]


def test_envelope_segments_are_checked_against_iso_9735() -> None:
    data = (b"UNB+UNOC:3+:14+R:14+261129:9+++++x'UNH+1+ORDERS:D:96A:UN'" + GOOD.encode()
            + b"UNT+10+1'UNZ+1+'")
    found = {(i.severity.value, i.code, i.segment_tag, i.element_position, i.component_position)
             for i in edifact.parse(data).issues}
    assert found == {
        ("error", "13", "UNB", 2, 1),      # no sender id
        ("error", "13", "UNB", 5, None),   # no control reference
        ("warning", "40", "UNB", 4, 2),    # time is n4
        ("warning", "37", "UNB", 9, None),  # ack request n1
        ("error", "13", "UNZ", 2, None),   # UNZ reference missing
    }
    assert all(i.level == "interchange" and i.transaction is None for i in edifact.parse(data).issues)


def test_a_segment_past_the_issue_cap_is_not_remembered_as_clean() -> None:
    # a message with more errors than are listed; its last bad QTY is never checked, so it must not be taken
    # for a clean segment when the next message (in the same process) carries it
    lines = "".join(f"LIN+{n}++00614141000012:EN'QTY+21:{n}:TOOLONG{n}'" for n in range(1, 120))
    flooded = GOOD.replace("LIN+1++00614141000012:EN'QTY+21:12:PCE'", lines + "LIN+120++00614141000012:EN'"
                           "QTY+21:5:BADUNIT'")
    assert any(i.code == "18" for i in issues(flooded))          # "more than 100 errors"
    later = GOOD.replace("QTY+21:12:PCE'", "QTY+21:5:BADUNIT'")
    assert [i.value for i in issues(later) if i.segment_tag == "QTY"] == ["BADUNIT"]


def test_digits_that_are_not_decimal_are_reported_never_a_crash() -> None:
    """'³' is a digit to str.isdigit() but not to int(): counts, dates and times holding one are errors in
    the file (found by a mutation fuzz run: the UNZ count crashed the reader)."""
    from gateway.formats import x12
    data = message(GOOD).replace(b"UNT+10+1", b"UNT+1\xc2\xb30+1").replace(b"UNZ+1+1", b"UNZ+\xc2\xb3+1")
    result = edifact.parse(data)
    assert {i.segment_tag for i in result.errors} >= {"UNT", "UNZ"}
    po = (b"ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *261129*0900*U*00401*"
          b"000000001*0*P*>~GS*PO*S*R*20261129*0900*1*X*004010~ST*850*0001~BEG*00*SA*PO1**2026112\xc2\xb3~"
          b"DTM*002*20261205*1\xc2\xb300~PO1*1*2*EA*1.5**UP*614141000012~CTT*1~SE*\xc2\xb36*0001~GE*1*1~IEA*1*000000001~")
    checked = x12.parse(po)
    assert {(i.segment_tag, i.element_position) for i in checked.errors} >= {("BEG", 5), ("SE", 1)}
    assert ("DTM", 3) in {(i.segment_tag, i.element_position) for i in checked.issues}     # a time: a warning


def where(found: list[Issue]) -> list[tuple[str, str, int | None, int | None]]:
    return [(i.code, i.segment_tag, i.element_position, i.component_position) for i in found]


def test_d01b_lengths_that_grew_since_d96a() -> None:
    """In D.01B the line item identifier (1082) is an..6, code list identifications (1131) an..17 and
    hierarchical ids (7164, 7166) an..35; the dictionary kept D.96A's n..6, an..3 and an..12 for them, so a
    correct D.01B order or despatch advice drew errors. D.96A still says n..6 and an..3."""
    body = GOOD.replace("LIN+1++", "LIN+A1++").replace("UNS+S", "LOC+7+DOCK4:ACMELOCLIST:92'UNS+S")
    assert issues(body, "ORDERS:D:01B:UN") == []
    assert where(issues(body)) == [("37", "LIN", 1, None), ("39", "LOC", 2, 2)]
    desadv = TYPICAL["DESADV"].replace("CPS+2+1'", "CPS+PALLET-0614141-0001+SHIPMENT-0614141-2026'")
    assert issues(desadv, "DESADV:D:01B:UN") == []
    assert where(issues(desadv, "DESADV:D:96A:UN")) == [("39", "CPS", 1, None), ("39", "CPS", 2, None)]


def test_d96a_elements_as_the_directory_defines_them() -> None:
    """D.96A: C243 (TAX05) has seven components, the account holder number (3194) is an..35, the payment
    terms identification (C110's 4277) is mandatory, IMD02 is 7081 (simple), RCS has three elements and INP
    carries C849 (3301, 3285), C522 (4403, 4401, 1131, 3055, 4400) and C850; the dictionary had four
    components, an..17, conditional, C272, four elements and composites of other segments."""
    tax = GOOD.replace("LIN+1", "TAX+7+VAT+++:::21:PRICE:ZZZ:9+S'LIN+1")
    assert issues(tax) == []
    fii = GOOD.replace("LIN+1", "NAD+SU+0614141000005::9'FII+RB+DE89370400440532013000:ACME GMBH'LIN+1")
    assert issues(fii) == []
    pat = GOOD.replace("LIN+1", "PAT+1+:1:9+5:3:D:30'LIN+1")
    assert where(issues(pat)) == [("13", "PAT", 2, 1)]
    imd = GOOD.replace("QTY+21", "IMD+F+8+:::BLUE WIDGET'QTY+21")
    assert issues(imd) == []
    assert where(issues(imd.replace("IMD+F+8+", "IMD+F+8:ZZ:9+"))) == [("16", "IMD", 2, 2)]
    d96a = edifact_defs.directory("D96A")
    assert d96a is not None
    assert [r.ref for r in d96a.segments["RCS"]] == ["7293", "C550", "1229"]
    assert [(r.ref, r.mandatory) for r in d96a.composites["C522"]] == \
        [("4403", True), ("4401", False), ("1131", False), ("3055", False), ("4400", False)]
    assert [r.ref for r in d96a.segments["INP"]] == ["C849", "C522", "C850", "1229"]


def test_d01b_desadv_package_identification_holds_its_goods_identity_numbers() -> None:
    """In D.01B's DESADV the GIN and COD groups belong to the PCI group (as GIN does in D.96A); the table had
    them beside it, so a second PCI with its own SSCC was reported out of place."""
    body = TYPICAL["DESADV"].replace("GIN+BJ+006141410000000018'",
                                     "GIN+BJ+006141410000000018'PCI+33E'GIN+BJ+006141410000000025'")
    assert issues(body, "DESADV:D:01B:UN") == []
    assert issues(body, "DESADV:D:96A:UN") == []


@pytest.mark.parametrize(("mtype", "body"), [
    ("ORDRSP:D:01B:UN", "BGM+231+RSP1+29'DTM+137:20261129:102'" + "LIN+1+5'" * 2001 + "UNS+S'"),
    ("INVOIC:D:01B:UN", "BGM+380+INV1+9'DTM+137:20261129:102'" + "LIN+1++00614141000012:EN'QTY+47:1'" * 10000
     + "UNS+S'MOA+77:1'"),
    ("INVRPT:D:01B:UN", "BGM+35+INV1+9'DTM+137:20261129:102'" + "LIN+1++00614141000012:EN'" * 10000),
    ("INVOIC:D:01B:UN", "BGM+380+INV1+9'DTM+137:20261129:102'" + "RFF+ON:PO1'" * 10000 + "UNS+S'MOA+77:1'"),
    ("ORDERS:D:01B:UN", GOOD.replace("LIN+1", "RCS+1'" + "FTX+AAI+++note'" * 10000 + "LIN+1")),
])
def test_d01b_repeats_as_the_directory_allows(mtype: str, body: str) -> None:
    """D.01B allows 200000 ORDRSP lines, 9999999 INVOIC and INVRPT lines, 99999 INVOIC references and 99999
    FTX in an RCS group; the tables said 2000, 9999, 9999 and 9999, so a large message was rejected."""
    assert issues(body, mtype) == []


def test_inventory_status_and_characteristic_segments_are_in_the_directories() -> None:
    """INV (which opens D.01B INVRPT's quantity groups and which our D.01B profile writes), STS (a stock
    line's status) and CCI/CAV (an ordered item's characteristics) sit in the message tables but were absent
    from the directories, so nothing in them was checked. D.01B's CCI has a fourth element (4051)."""
    inv = INVRPT["D01B"]
    assert issues(inv, "INVRPT:D:01B:UN") == []
    assert where(issues(inv.replace("INV+1++11", "INV+1+ACCEPTED"), "INVRPT:D:01B:UN")) == [("39", "INV", 2, None)]
    sts = INVRPT["D96A"] + "STS+1+ZZZZ+7"
    assert where(issues(sts, "INVRPT:D:96A:UN")) == [("39", "STS", 2, 1)]
    assert issues(INVRPT["D96A"] + "STS+1+1+7", "INVRPT:D:96A:UN") == []
    ordered = GOOD.replace("PRI+", "CCI+++COLOUR::91'CAV+:::DARK RED'PRI+")
    assert issues(ordered) == []
    assert where(issues(ordered.replace("COLOUR::91", "COLOUR-OF-THE-HOUSING"))) == [("39", "CCI", 3, 1)]
    assert where(issues(ordered.replace("+COLOUR::91", "+COLOUR::91+4"))) == [("16", "CCI", 4, None)]
    assert issues(ordered.replace("+COLOUR::91", "+COLOUR::91+4"), "ORDERS:D:01B:UN") == []


def test_seal_attached_equipment_and_stages_are_in_the_directories() -> None:
    """SEL and EQA (a DESADV's equipment group) and STG (an order's stages of a process) sit in the message
    tables but were absent from the directories. D.96A's seal number is mandatory and an..10; D.01B made it
    conditional, an..35, and added the range of seal numbers (C208)."""
    equipment = TYPICAL["DESADV"].replace("CPS+1'", "EQD+CN+ABCU1234567'SEL+96753+SH'EQA+RG+ABCU7654321'CPS+1'")
    assert issues(equipment, "DESADV:D:96A:UN") == []
    long_seal = equipment.replace("SEL+96753", "SEL+SEAL-0614141-0001")
    assert where(issues(long_seal, "DESADV:D:96A:UN")) == [("39", "SEL", 1, None)]
    assert issues(long_seal.replace("+SH'", "+SH++1:9'"), "DESADV:D:01B:UN") == []
    assert where(issues(equipment.replace("EQA+RG+", "EQA++"), "DESADV:D:96A:UN")) == [("13", "EQA", 1, None)]
    staged = GOOD.replace("UNS+S", "STG+1+2+1'UNS+S")
    assert issues(staged) == []
    assert [(i.segment_tag, i.element_position) for i in issues(staged.replace("STG+1+2", "STG+1+TWO"))] == \
        [("STG", 2)]


def test_d01b_transport_movement_details_are_in_the_directory() -> None:
    """D.01B's DESADV has TMD (transport movement details) in its TDT group; the directory lacked it, so its
    equipment plan (8332, an..26) and haulage code went unchecked."""
    moved = TYPICAL["DESADV"].replace("CPS+1'", "TDT+20++30'TMD+3++2'CPS+1'")
    assert issues(moved, "DESADV:D:01B:UN") == []
    plan = moved.replace("TMD+3++2'", "TMD+3+FULL CONTAINER LOAD, TWO 40FT UNITS+2'")
    assert where(issues(plan, "DESADV:D:01B:UN")) == [("39", "TMD", 2, None)]


def test_dangerous_goods_are_in_the_directory() -> None:
    """DGS (a despatched line's dangerous goods class, UN number and flashpoint) sits in DESADV's line group
    but was absent from the directory; a five-digit UN number (7124 is n4) went by. D.01B inherits D.96A's."""
    hazardous = TYPICAL["DESADV"].replace("CNT+2:1'", "DGS+ADR+3B+1178+021:CEL'CNT+2:1'")
    assert issues(hazardous, "DESADV:D:96A:UN") == []
    assert where(issues(hazardous.replace("+1178+", "+11780+"), "DESADV:D:96A:UN")) == [("39", "DGS", 3, 1)]


D01B_ORDER = GOOD.replace("QTY+21:12:PCE'", "QTY+21:12:PCE'GIS+37'MTD+7+4'")
D01B_INVOICE = TYPICAL["INVOIC"].replace("LIN+1++00614141000012:EN'", "TDT+20++30'TSR+27+2'LIN+1++00614141000012:EN'"
                                         "PGI+PG+FROZEN FOOD::91'")
D01B_DESADV = TYPICAL["DESADV"].replace("GIN+BJ+006141410000000018'", "GIN+BJ+006141410000000018'COD+LCK+STL'")


@pytest.mark.parametrize(("mtype", "good", "wrong", "found"), [
    # GIS (an order line's processing indicator): the indicator code is mandatory in C529, an..3
    ("ORDERS", D01B_ORDER, D01B_ORDER.replace("GIS+37", "GIS+:ZZ:9"), [("13", "GIS", 1, 1)]),
    ("ORDERS", D01B_ORDER, D01B_ORDER.replace("GIS+37", "GIS+3701"), [("39", "GIS", 1, 1)]),
    # MTD (maintenance operation): the object type qualifier is mandatory, the operation code an..3
    ("ORDERS", D01B_ORDER, D01B_ORDER.replace("MTD+7+4", "MTD++4"), [("13", "MTD", 1, None)]),
    ("ORDERS", D01B_ORDER, D01B_ORDER.replace("MTD+7+4", "MTD+7+4000"), [("39", "MTD", 2, None)]),
    # RJL (a payment term's accounting journal): C595's journal id is mandatory and an..17
    ("ORDERS", GOOD.replace("LIN+1", "PAT+1'MOA+9:100'RJL+SALES-2026+AE'LIN+1"),
     GOOD.replace("LIN+1", "PAT+1'MOA+9:100'RJL+SALES-JOURNAL-2026-NORTH+AE'LIN+1"), [("39", "RJL", 1, 1)]),
    ("ORDERS", GOOD.replace("LIN+1", "PAT+1'MOA+9:100'RJL+SALES-2026+AE'LIN+1"),
     GOOD.replace("LIN+1", "PAT+1'MOA+9:100'RJL+:ZZ+AE'LIN+1"), [("13", "RJL", 1, 1)]),
    # TSR (an invoice's transport service): condition code an..3, a service without its requirement code
    ("INVOIC", D01B_INVOICE, D01B_INVOICE.replace("TSR+27+2", "TSR+2700+2"), [("39", "TSR", 1, 1)]),
    ("INVOIC", D01B_INVOICE, D01B_INVOICE.replace("TSR+27+2", "TSR+27+:ZZ"), [("13", "TSR", 2, 1)]),
    # PGI (an invoice line's product group): the group type is mandatory, an..3
    ("INVOIC", D01B_INVOICE, D01B_INVOICE.replace("PGI+PG+", "PGI++"), [("13", "PGI", 1, None)]),
    ("INVOIC", D01B_INVOICE, D01B_INVOICE.replace("PGI+PG+", "PGI+PGRP+"), [("39", "PGI", 1, None)]),
    # COD (a package's component details): type of unit an..3, C824 has four components
    ("DESADV", D01B_DESADV, D01B_DESADV.replace("COD+LCK+STL", "COD+LOCK+STL"), [("39", "COD", 1, 1)]),
    ("DESADV", D01B_DESADV, D01B_DESADV.replace("COD+LCK+STL", "COD+LCK+STL::9:STEEL:X"), [("16", "COD", 2, 5)]),
])
def test_d01b_segments_of_the_tables_are_in_its_directory(mtype: str, good: str, wrong: str,
                                                          found: list[tuple[str, str, int, int | None]]) -> None:
    """COD, GIS, MTD, PGI, RJL and TSR sit in D.01B's ORDERS/ORDCHG/ORDRSP, INVOIC and DESADV tables but had no
    directory entry, so nothing in them was checked. They are now described as the D.01B directory has them
    (C823/C824, C529, C288, C595/C596, C536/C233/C537/C703 and their simple elements)."""
    assert issues(good, f"{mtype}:D:01B:UN") == []
    assert where(issues(wrong, f"{mtype}:D:01B:UN")) == found
