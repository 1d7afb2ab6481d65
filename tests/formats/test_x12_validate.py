"""X12 structure validation: definitions as data, loops, element types, syntax notes, the 856 HL hierarchy."""

from __future__ import annotations

import json
import random
from importlib import resources

import pytest

from gateway.formats import x12
from gateway.formats.base import Issue, Severity
from gateway.formats.x12_validate import check_value, set_definition

ISA = ("ISA*00*          *00*          *ZZ*BIGBOXRETAIL   *ZZ*ACMEDIST       *260115*1030*U*00401*"
       "000000101*0*P*>~")


def read(doc: str, body: list[str], version: str = "004010", fid: str = "PO") -> list[Issue]:
    segs = [f"ST*{doc}*0001", *body]
    segs.append(f"SE*{len(segs) + 1}*0001")
    isa = ISA.replace("*U*00401*", "*^*00501*") if version >= "005" else ISA
    text = isa + "".join(s + "~" for s in [f"GS*{fid}*BIGBOX*ACMEDIST*20260115*1030*1*X*{version}", *segs,
                                            "GE*1*1", "IEA*1*000000101"])
    result = x12.parse(text.encode())
    envelope = [i for i in result.issues if i.level in ("interchange", "group", "transaction")
                and i.severity is not Severity.INFO]
    assert envelope == [], [str(i) for i in envelope]
    return [i for i in result.issues if i.severity is not Severity.INFO]


PO = ["BEG*00*SA*PO-1**20260115", "REF*DP*042", "N1*ST*DC 1*UL*0860001000023", "N3*1 MAIN ST",
      "N4*SEATTLE*WA*98101", "PO1*1*10*EA*12.50**UP*614141000012", "PID*F****BLUE WIDGET", "CTT*1"]


def test_definitions_are_data_for_every_set_and_version() -> None:
    folder = resources.files("gateway.formats").joinpath("x12_defs", "sets")
    for doc in ("850", "855", "856", "810", "846", "860", "997"):
        raw = json.loads(folder.joinpath(f"{doc}.json").read_text("utf-8"))
        assert raw["versions"] == ["004010", "005010"]
        assert set_definition(doc, "004010") and set_definition(doc, "005010X000")
    assert set_definition("999", "005010X231A1") is not None and set_definition("999", "004010") is None
    assert set_definition("940", "004010") is None and set_definition("850", "003060") is None


def test_a_clean_purchase_order_has_no_findings() -> None:
    assert read("850", PO) == []
    assert read("850", PO, version="005010") == []


def test_unknown_set_is_read_generically_with_a_note() -> None:
    text = ISA + "GS*OW*A*B*20260115*1030*1*X*004010~ST*940*0001~W05*N*1~SE*3*0001~GE*1*1~IEA*1*000000101~"
    result = x12.parse(text.encode())
    assert not result.errors and result.transactions[0].segments[1].get(2) == "1"
    assert any("read generically" in i.message and i.severity is Severity.INFO for i in result.issues)


def test_segment_order_requirement_and_max_use() -> None:
    issues = read("850", ["REF*DP*042", "BEG*00*SA*PO-1**20260115", *PO[2:], "CUR*BY*USD", "ZZZ*1"])
    found = {(i.segment_tag, i.code, i.severity) for i in issues}
    assert ("BEG", "3", Severity.ERROR) in found              # BEG must come first: missing where expected
    assert ("ZZZ", "6", Severity.ERROR) in found               # not part of the set
    assert ("CUR", "7", Severity.WARNING) in found             # known segment, wrong place
    over = read("850", [*PO[:2], *["PER*BD*A"] * 4, *PO[2:]])
    assert [(i.segment_tag, i.code, i.segment_position) for i in over] == [("PER", "5", 7)]
    nopo1 = read("850", [PO[0], "CTT*0"])
    assert [(i.segment_tag, i.code, i.loop_id) for i in nopo1] == [("PO1", "3", "PO1")]   # the loop it triggers


def test_loops_repeat_and_nest() -> None:
    many_n1 = [PO[0], *("N1*ST*DC*UL*0860001000023", "N3*A", "N4*BOISE*ID*83701") * 3, *PO[5:]]
    assert read("850", many_n1) == []
    nested = [PO[0], *PO[5:7], "SCH*5*EA***002*20260201", "SCH*5*EA***002*20260301", "N1*ST*X*92*0042",
              "PO1*2*1*EA*1**UP*614141000029", "CTT*2"]
    assert read("850", nested) == []


def test_element_types_lengths_codes_and_notes() -> None:
    issues = read("850", ["BEG*09*SA*PO-1**20261399", "REF*DP", "PO1*1*1.2.3*EA*12.50", "DTM*002*20260101*2561",
                          "PID*F", "CTT*1*" + "9" * 11])
    got = {(i.segment_tag, i.element_position, i.code) for i in issues}
    assert ("BEG", 1, "7") in got          # code list (353)
    assert ("BEG", 5, "8") in got          # invalid date
    assert ("REF", 2, "2") in got          # R0203: REF02 or REF03 required
    assert ("PO1", 2, "6") in got          # R type
    assert ("DTM", 3, "9") in got          # TM
    assert ("PID", 4, "2") in got          # R0405
    assert ("CTT", 2, "5") in got          # R 1/10: too long
    severities = {(i.segment_tag, i.element_position): i.severity for i in issues}
    assert severities[("BEG", 1)] is Severity.ERROR and severities[("CTT", 2)] is Severity.WARNING
    beg1 = next(i for i in issues if i.segment_tag == "BEG" and i.element_position == 1)
    assert beg1.element_ref == "353" and beg1.value == "09" and "BEG01" in beg1.message


def code(value: str, spec: list[object]) -> str:
    """The X12 error code check_value gives for a value it refuses."""
    found = check_value(value, spec)
    assert found is not None, (value, spec)
    return found[0]


def test_check_value_types() -> None:
    n2 = ["N2", 1, 10, "Amount"]
    assert check_value("12345", n2) is None and check_value("-12", n2) is None
    assert code("12.5", n2) == "6"
    r = ["R", 1, 5, "x"]
    assert check_value("-1.2345", r) is None and check_value(".5", r) is None and code("123456", r) == "5"
    assert check_value("20240229", ["DT", 8, 8, "d"]) is None and code("20230229", ["DT", 8, 8, "d"]) == "8"
    assert check_value("2359", ["TM", 4, 8, "t"]) is None and code("235960", ["TM", 4, 8, "t"]) == "9"
    assert code("A", ["AN", 2, 5, "a"]) == "4" and code("AB\x01", ["AN", 1, 5, "a"]) == "6"


def test_vics_usage_where_it_differs() -> None:
    body = [PO[0], *PO[5:7]]                    # no CTT
    assert read("850", body, version="004010") == []
    vics = read("850", body, version="004010VICS")
    assert [(i.segment_tag, i.code) for i in vics] == [("CTT", "3")]
    bsn = ["BSN*00*SHIP1*20260115*1200", "HL*1**S", "TD1*CTN25*2", "HL*2*1*O", "PRF*PO-1", "HL*3*2*I",
           "LIN**UP*614141000012", "SN1**10*EA", "CTT*3"]
    assert read("856", bsn, fid="SH") == []
    vics = read("856", bsn, version="004010VICS", fid="SH")
    assert [(i.segment_tag, i.element_position, i.code) for i in vics] == [("BSN", 5, "1")]


@pytest.mark.parametrize("structure,levels,ok", [
    ("0001", ["S", "O", "T", "P", "I"], True),
    ("0001", ["S", "O", "P", "I"], True),
    ("0004", ["S", "O", "I"], True),
    ("0002", ["S", "O", "I", "P"], True),
    ("0004", ["S", "O", "P"], False),
    ("0001", ["S", "I", "O"], False),
])
def test_856_hierarchy_follows_bsn05(structure: str, levels: list[str], ok: bool) -> None:
    body = [f"BSN*00*SHIP1*20260115*1200*{structure}"]
    for n, level in enumerate(levels, start=1):
        body.append(f"HL*{n}*{n - 1 if n > 1 else ''}*{level}")
        if level == "I":
            body += ["LIN**UP*614141000012", "SN1**10*EA"]
    body.append(f"CTT*{len(levels)}")
    issues = [i for i in read("856", body, fid="SH") if i.segment_tag == "HL"]
    assert (issues == []) is ok, [str(i) for i in issues]
    if not ok:
        assert all(i.code == "7" and i.element_position == 3 for i in issues) or \
            any("not part of hierarchy" in i.message for i in issues)


def test_856_hl_parent_errors() -> None:
    body = ["BSN*00*SHIP1*20260115*1200*0001", "HL*1**S", "HL*2*9*O", "HL*2*1*O", "CTT*2"]
    issues = [(i.element_position, i.code) for i in read("856", body, fid="SH") if i.segment_tag == "HL"]
    assert (2, "7") in issues and (1, "7") in issues      # unknown parent, HL01 used twice


def test_997_and_999_definitions_catch_broken_acks() -> None:
    assert read("997", ["AK1*PO*1", "AK2*850*0001", "AK5*A", "AK9*A*1*1*1"], fid="FA") == []
    bad = read("997", ["AK2*850*0001", "AK5*Q", "AK9*A*1*1*1"], fid="FA")
    assert {(i.segment_tag, i.code) for i in bad} >= {("AK1", "3"), ("AK5", "7")}
    ok999 = read("999", ["AK1*PO*1*005010", "AK2*850*0001", "IK3*PO1*3**8", "IK4*2*330*6*X", "IK5*R*5",
                         "AK9*R*1*1*0"], version="005010X231A1", fid="FA")
    assert ok999 == []


def _some_values(rng: random.Random, spec: list[object] | None, allowed: list[str] | None) -> list[str]:
    """Values around an element's limits: good and bad codes, lengths, dates, numbers, odd characters."""
    out = ["", "A", "0", "-1", "1.5", ".5", "1.", "12345678901234567890123", "20261129", "261129", "20261332",
           "1230", "2460", "123059", "X" * 81, "A\x01B", "A^B", "A>B", "Ü", "١٢", "²", " ", "1-2"]
    if spec is not None:
        low, high = int(spec[1]), int(spec[2])   # type: ignore[call-overload]
        for size in {max(low - 1, 1), low, high, high + 1}:
            out += ["9" * size, "A" * size, "-" + "9" * size]
    if allowed:
        out += list(allowed[:5]) + [allowed[0] + "^" + allowed[-1], allowed[0].lower(), allowed[0] + " "]
    return [rng.choice(out) for _ in range(6)] + out


@pytest.mark.parametrize("doc,version", [("850", "004010"), ("850", "004010VICS"), ("856", "005010"),
                                         ("810", "004010"), ("855", "004010"), ("846", "005010"),
                                         ("997", "004010"), ("999", "005010X231A1")])
@pytest.mark.parametrize("sep", [None, "^"])
def test_the_quick_element_check_passes_only_segments_without_findings(doc: str, version: str,
                                                                       sep: str | None) -> None:
    """The compiled quick check may only say "clean" when the detailed checks find nothing."""
    from gateway.formats.base import Segment, Syntax, Transaction
    from gateway.formats.x12_validate import _Checker, _plan, dictionary

    definition = set_definition(doc, version)
    assert definition is not None
    rng = random.Random(f"{doc}{version}{sep}")
    dic = dictionary()
    total_clean = total_dirty = 0
    for tag in sorted(definition.tags):
        plan = _plan(definition, tag, (">", sep), dic)
        if plan is None:
            continue
        spec = plan.spec
        pools = {pos: _some_values(rng, espec, allowed) for pos, _n, _r, _q, espec, allowed in spec.fields}
        pools.update({pos: ["", "A", "1>2>3", "X>", ">>>>>>>>>>>>>>>>>>>>"] for pos, _n, ref, _q, espec, _a
                      in spec.fields if espec is None})
        clean = 0
        for _ in range(300):
            size = rng.randint(0, spec.most + 1)
            values = [rng.choice(pools.get(p, ["", "Z"])) for p in range(1, size + 1)]
            if rng.random() < 0.5:      # mostly valid: every mandatory element filled with a good value
                for pos, _n, _r, req, espec, allowed in spec.fields:
                    if pos <= size and (req == "M" or rng.random() < 0.3):
                        values[pos - 1] = allowed[0] if allowed else "9" * int(espec[1]) if espec else values[pos - 1]
            seg = Segment(tag, values, 2, 0, ">", sep)
            issues: list[Issue] = []
            _Checker(Transaction(Syntax.X12, doc, segments=[seg]), definition, issues).elements_in_detail(seg, spec)
            if plan.clean(seg.fields):
                clean += 1
                assert issues == [], (tag, values, [str(i) for i in issues])
        total_clean += clean
        total_dirty += 300 - clean
    assert total_clean > 300 and total_dirty > 300      # both answers were exercised


@pytest.mark.parametrize("rule", ["R010203", "P0102", "C010203", "E0103", "L010203"])
def test_the_quick_check_agrees_with_every_syntax_note_kind(rule: str) -> None:
    """Every presence pattern of a synthetic segment: clean exactly when the detailed check is silent."""
    import itertools

    from gateway.formats.base import Segment, Syntax, Transaction
    from gateway.formats.x12_validate import Dictionary, Item, SetDef, _Checker, _plan

    dic = Dictionary({"1": ["AN", 1, 5, "Note"]}, {}, {"ZZZ": {"el": [["1", "O"]] * 4, "rules": [rule]}})
    root = Item("ST", "M", 1, [Item("ST", "M", 1), Item("ZZZ", "O", 1)])
    definition = SetDef("999", "test", root, frozenset({"ST", "ZZZ"}), {}, {}, None)
    plan = _plan(definition, "ZZZ", (None, None), dic)
    assert plan is not None
    outcomes = set()
    for pattern in itertools.product(["", "A"], repeat=4):
        values = list(pattern)
        seg = Segment("ZZZ", values, 2)
        checker = _Checker(Transaction(Syntax.X12, "999", segments=[seg]), definition, [])
        checker.dic = dic
        checker.elements_in_detail(seg, plan.spec)
        assert plan.clean(seg.fields) is (checker.issues == []), (rule, values, [str(i) for i in checker.issues])
        outcomes.add(plan.clean(seg.fields))
    assert outcomes == {True, False}


def test_segments_the_standard_allows_are_not_flagged() -> None:
    """Definition gaps found on real files: BAK08 is the seller's reference (BAK09 the date), IT8 has 27
    elements, and an 850's heading may carry an SPI loop (with MSG) and an ADV loop after its N1 loops."""
    assert read("855", ["BAK*00*AD*7542*20110928****83517234*20110928", "PO1*1*1*EA*1.00**BP*X", "ACK*IA*1*EA"],
                fid="PR") == []
    assert read("850", ["BEG*00*SA*PO-1**20260115", "N1*ST*STORE*92*0042", "SPI*ZZ", "MSG*ship to the back",
                        "ADV*ZZ*AA", "PO1*1*1*EA*1.00**BP*X", "IT8*******B0", "CTT*1"]) == []


def test_prf_elements_in_their_places() -> None:
    """PRF05 is the Assigned Identification (350, the PO line a vendor's 856 names), PRF06 the contract number
    (367, up to 30 characters), PRF07 the PO type code (92): 350 was missing, so a contract number in PRF06 was
    checked as a two-letter PO type code and the ship notice got an error it did not have."""
    bsn = ["BSN*00*SHIP1*20260115*1200", "HL*1**S", "TD1*CTN25*2", "HL*2*1*O",
           "PRF*PO-1***20260110*0003*CONTRACT-2026-NORTH*SA", "HL*3*2*I", "LIN**UP*614141000012", "SN1**10*EA",
           "CTT*3"]
    assert read("856", bsn, fid="SH") == []
    wrong = [*bsn[:4], "PRF*PO-1*****CONTRACT*SALE", *bsn[5:]]
    assert [(i.segment_tag, i.element_position, i.code) for i in read("856", wrong, fid="SH")] == [("PRF", 7, "5")]


def test_itd_deferred_due_date_and_sn1_load_make_up_are_what_x12_says() -> None:
    """ITD09 (388) is the Terms Deferred Due Date, a date, and ITD10 (389) its amount; SN107 (728) the
    Returnable Container Load Make-Up Code, an id of one or two characters. The dictionary had 388 as an
    amount (a deferred due date was an error, a bad one passed) and 728 as a quantity."""
    po = ["BEG*00*SA*PO-1**20260110", "ITD*01*3*2**10**30*****Net 30 2/10", "PO1*1*10*EA*9.5**UP*614141000012",
          "CTT*1"]
    assert read("850", po) == []
    deferred = [po[0], "ITD*04*3*******20260301*1500", *po[2:]]
    assert read("850", deferred) == []
    amount_as_date = [po[0], "ITD*04*3*******150000*1500", *po[2:]]
    assert [(i.segment_tag, i.element_position) for i in read("850", amount_as_date)] == [("ITD", 9)]
    bsn = ["BSN*00*SHIP1*20260115*1200", "HL*1**S", "TD1*CTN25*2", "HL*2*1*O", "PRF*PO-1", "HL*3*2*I",
           "LIN**UP*614141000012", "SN1**10*EA****1*AC", "CTT*3"]
    assert read("856", bsn, fid="SH") == []
    three = [*bsn[:7], "SN1**10*EA****123*AC", bsn[8]]
    assert [(i.segment_tag, i.element_position) for i in read("856", three, fid="SH")] == [("SN1", 7)]


def test_request_reference_number_takes_45_characters() -> None:
    """Element 326 (BAK06, BCA07, ACK06) is AN 1/45 in X12: the dictionary said 30, so a buyer's long RFQ
    reference drew a warning it did not deserve."""
    reference = "RFQ-2026-NORTHWIND-SPRING-RESET-0001-A"                       # 38 characters
    bak = [f"BAK*00*AC*PO-1*20260110**{reference}", "PO1*1*10*EA*9.5**UP*614141000012", "CTT*1"]
    assert read("855", bak, fid="PR") == []
    too_long = [f"BAK*00*AC*PO-1*20260110**{reference}-{'X' * 8}", *bak[1:]]
    assert [(i.segment_tag, i.element_position) for i in read("855", too_long, fid="PR")] == [("BAK", 6)]


def where(issues: list[Issue]) -> list[tuple[str, int | None, int | None]]:
    return [(i.segment_tag, i.element_position, i.component_position) for i in issues]


def test_element_counts_are_the_standards() -> None:
    """Each segment takes as many elements as X12 defines (the larger count where 004010 and 005010 differ).
    The dictionary allowed 10 in BIG, which has 11 in 005010, and 10 in MEA (12 in 005010), so a correct
    invoice or order drew 'too many elements'; TAX has 13 (not 16), so a 14th went unnoticed."""
    big = "BIG*20260110*INV-1*20260105*PO-1******CR*0001"                  # BIG11 set in 005010
    assert read("810", [big, "IT1*1*10*EA*9.5**UP*614141000012", "TDS*9500"], "005010", fid="IN") == []
    mea = "MEA*PD*WT*12.5*LB********ZZ"                                     # MEA12
    assert read("850", [*PO[:2], mea, *PO[2:]], "005010") == []
    tax = "TAX*EXEMPT-1" + "*" * 12 + "X*Y"                                  # a 14th element
    assert where(read("850", [*PO[:2], tax, *PO[2:]])) == [("TAX", 14, None)]


def test_composite_unit_of_measure_has_fifteen_components() -> None:
    """C001 (QTY03, POC05) repeats unit, exponent and multiplier five times: a second unit drew a warning."""
    body = ["BIA*00*SI*INV-1*20260110", "LIN**UP*614141000012", "QTY*33*10*CA>1>12>EA>1>1", "CTT*1"]
    assert read("846", body, fid="IB") == []
    body[2] = "QTY*33*10*CA>1>12>EA>X"
    assert where(read("846", body, fid="IB")) == [("QTY", 3, 5)]


def test_bia06_is_the_action_code() -> None:
    """BIA06 is element 306 (Action Code, ID 1/2: '2' is change), not 640 (Transaction Type Code, 2/2)."""
    assert read("846", ["BIA*00*SI*INV-1*20260110**2", "LIN**UP*614141000012", "CTT*1"], fid="IB") == []


def test_lengths_of_exchange_rate_quantity_invoiced_communication_number_loop_id() -> None:
    """280 Exchange Rate is R 4/10; 358 Quantity Invoiced R 1/15 and 364 Communication Number AN 1/256
    in 005010 (the longer length is kept for both versions); 447 Loop Identifier Code AN 1/6 in 004010."""
    cur = ["BEG*00*SA*PO-1**20260115", "CUR*BY*EUR*1.0850", *PO[1:]]
    assert read("850", cur) == []
    cur[1] = "CUR*BY*EUR*1.1"
    assert where(read("850", cur)) == [("CUR", 3, None)]
    it1 = ["BIG*20260110*INV-1", "IT1*1*123456789012*EA*9.5**UP*614141000012", "TDS*9500"]
    assert read("810", it1, "005010", fid="IN") == []
    email = "purchasing.north-west-distribution-centre.receiving-team@example-wholesale-distribution-group.com"
    per = [*PO[:2], f"PER*BD*JANE*EM*{email}", *PO[2:]]
    assert len(email) > 80 and read("850", per, "005010") == []
    ack = ["AK1*PO*1", "AK2*850*0001", "AK3*N1*4*N1LOOP*8", "AK5*R*5", "AK9*R*1*1*0"]
    assert read("997", ack, fid="FA") == []


def test_999_context_composites_are_context_reference_and_element_references() -> None:
    """CTX01-2 is the Context Reference (AN 1/35) and CTX06's components are data element reference
    numbers (at most 4 long); both were read as 1271 Industry Code (AN 1/50)."""
    body = ["AK1*PO*1*005010", "AK2*850*0001", "IK3*PO1*3**8", "CTX*SITUATIONAL TRIGGER>PO102*PO1*3**2*330",
            "IK4*2*330*6*X", "IK5*R*5", "AK9*R*1*1*0"]
    assert read("999", body, "005010X231A1", fid="FA") == []
    body[3] = "CTX*SITUATIONAL TRIGGER>" + "R" * 36 + "*PO1*3**2*QTY01"
    assert where(read("999", body, "005010X231A1", fid="FA")) == [("CTX", 1, 2), ("CTX", 6, 1)]


def test_999_context_may_name_the_composite_as_real_999s_do() -> None:
    """CTX06 written as the composite id and its element ('C023>1325', the Wisconsin DHS sample and
    StAEDI's 999s) is accepted: 005010 defines both as N0, later releases AN 1/4. A 999 acknowledges
    one of our own files, so a warning on its wording is noise to the coordinator."""
    body = ["AK1*HC*1*005010X222A1", "AK2*837*0001", "IK3*CLM*22**8", "CTX*SITUATIONAL TRIGGER*CLM*43**5>3*C023>1325",
            "IK4*5>3*1325*7*X", "IK5*R*5", "AK9*R*1*1*0"]
    assert read("999", body, "005010X231A1", fid="FA") == []
    ack = ["AK1*PO*1", "AK2*850*0001", "AK3*PO1*3**8", "AK4*2*C023*7*X", "AK5*R*5", "AK9*R*1*1*0"]
    assert read("997", ack, fid="FA") == []


ORDER_CHANGE = ["BCH*04*SA*PO-1**3*20260110", "POC*1*CA*36**EA*12.50*PE*UP*614141000012", "CTT*1"]
CHANGE_ACK = ["BCA*00*AC*PO-1**3*20260110", "POC*1*CA*36**EA*12.50*PE*UP*614141000012", "CTT*1"]
INVOICE = ["BIG*20260110*INV-1", "IT1*1*10*EA*9.5**UP*614141000012", "TDS*9500"]
ADVICE = ["BIA*00*SI*INV-1*20260110", "LIN**UP*614141000012", "CTT*1"]
ACK = ["BAK*00*AC*PO-1*20260110", "PO1*1*10*EA*9.5**UP*614141000012", "CTT*1"]


def insert(body: list[str], at: int, *segments: str) -> list[str]:
    return [*body[:at], *segments, *body[at:]]


@pytest.mark.parametrize(("doc", "version", "fid", "body"), [
    # 004010 850: a line's ship-to with its own lead time (PO1/N1/LDT loop; the corpus's vscedi 850 has one)
    ("850", "004010", "PO", insert(PO, 7, "N1*ST*STORE 12*92*0012", "LDT*AO*5*DA", "QTY*01*4")),
    # 005010 850: notes in MTX (which took MSG's place), a form in PWK, the ship-to's individual name (IN2)
    ("850", "005010", "PO", insert(PO, 2, "N9*ZZ*NOTES", "MTX*GEN*DELIVER TO DOCK 4", "PWK*OZ*EL")),
    ("850", "005010", "PO", insert(PO, 3, "IN2*05*JANE")),
    ("850", "005010", "PO", insert(PO, 7, "MTX*LIN*GIFT WRAP")),
    ("850", "004010", "PO", insert(PO, 2, "AMT*TT*125", "FA1*DZ", "FA2*58*ABC")),
    # 846: a line's allowance, contact, store quantities and unit (all in the LIN loop of 004010 and 005010)
    ("846", "004010", "IB", insert(ADVICE, 2, "SAC*A*C310***500", "PER*IC*JANE", "SDQ*EA*92*0012*4",
                                   "UIT*EA*9.5", "QTY*33*10", "UIT*CA")),
    ("846", "005010", "IB", insert(ADVICE, 2, "SLN*1**I*4*EA", "MEA*PD*WT*2", "PKG*F*68***CARTON")),
    ("846", "004010", "IB", insert(ADVICE, 1, "N1*WH*MAIN DC*92*01", "REF*IA*778")),
    # 855: the advertising loop, notes in an N1, a schedule line's acknowledgment (SLN/ACK)
    ("855", "004010", "PR", insert(ACK, 1, "N1*ST*DC 1*92*01", "MSG*CALL FIRST", "ADV*AB*AA")),
    ("855", "004010", "PR", insert(ACK, 2, "SLN*1**I*4*EA*9.5", "ACK*IA*4*EA")),
    # 860 / 865: header G53 (maintenance type), the SPI loop, CTT's five AMTs; 865's POC/PD loop
    ("860", "004010", "PC", insert(ORDER_CHANGE, 1, "G53*001")),
    ("860", "004010", "PC", insert(ORDER_CHANGE, 1, "SPI*00", "REF*ZZ*SPEC-1")),
    ("860", "004010", "PC", [*ORDER_CHANGE, "AMT*TT*450", "AMT*1*5"]),
    ("865", "004010", "CA", insert(CHANGE_ACK, 2, "PD*MO*20260101*EA*4*LIST PRICE", "PDD*01*4")),
    ("865", "005010", "CA", insert(CHANGE_ACK, 1, "N1*ST*DC 1*92*01", "MTX*GEN*CALL FIRST")),
    # 810 005010: a condition indicator (CRC) and a header allowance's date
    ("810", "005010", "IN", insert(INVOICE, 1, "CRC*ZZ*N*01")),
    ("810", "005010", "IN", insert(INVOICE, 3, "SAC*A*C310***500", "DTM*011*20260109")),
])
def test_segments_the_standard_places_in_the_set_are_read_clean(doc: str, version: str, fid: str,
                                                                 body: list[str]) -> None:
    """The set definitions hold every segment and loop X12 places there in 004010 or 005010 (checked
    against Bots' grammars). Each of these was missing, so a correct document was rejected for 'a segment
    not defined in the set' or told its segment was out of sequence."""
    assert read(doc, body, version, fid=fid) == []


SHIP_NOTICE = ["BSN*00*SHIP1*20260115*1200", "HL*1**S", "TD1*CTN25*2", "HL*2*1*O", "PRF*PO-1", "HL*3*2*I",
               "LIN**UP*614141000012", "SN1**10*EA", "CTT*3"]


@pytest.mark.parametrize(("doc", "version", "fid", "body"), [
    # 846: the heading has DTM before REF, PER and MEA; a line has DTM before CTP and CUR, LM before SLN
    ("846", "004010", "IB", insert(ADVICE, 1, "DTM*405*20260110", "REF*IA*778")),
    ("846", "005010", "IB", insert(ADVICE, 2, "DTM*405*20260110", "CTP**RES*9.5", "CUR*SE*USD",
                                   "LM*AS", "LQ*0*ABC", "SLN*1**I*4*EA")),
    # 855: heading TXI before CTB; a line's ACK before MAN, its schedule line's SAC before DTM
    ("855", "004010", "PR", insert(ACK, 1, "TXI*ST*12.5", "CTB*OR**01*10")),
    ("855", "004010", "PR", insert(ACK, 2, "ACK*IA*10*EA", "MAN*GM*00012345")),
    ("855", "005010", "PR", insert(ACK, 2, "SLN*1**I*4*EA*9.5", "SAC*A*C310***500", "DTM*002*20260120")),
    # 860 / 865: heading CTB before MAN, N1 before AMT; a changed line's MAN before PCT, TXI before SPI
    ("860", "004010", "PC", insert(ORDER_CHANGE, 1, "CTB*OR**01*10", "MAN*GM*00012345")),
    ("860", "004010", "PC", insert(ORDER_CHANGE, 2, "MAN*GM*00012345", "PCT*ZZ*10", "TXI*ST*12.5", "SPI*00")),
    ("865", "004010", "CA", insert(CHANGE_ACK, 1, "N1*ST*DC 1*92*01", "AMT*TT*450")),
    # 005010: TD3 opens a loop with its AT9 in the 856; TXI one with its DTM in the 810's SAC loops
    ("856", "005010", "SH", insert(SHIP_NOTICE, 3, "TD3*TL**1234567", "AT9*5300")),   # AT901 FFFII: 53 ft 0 in
    ("810", "005010", "IN", insert(INVOICE, 3, "SAC*C*H750***1500", "TXI*ST*1.2", "DTM*140*20260110")),
    # 850: a line's LDT loop (in LS/LE) holds its own LM/LQ codes
    ("850", "004010", "PO", insert(PO, 7, "LS*A", "LDT*AO*5*DA", "LM*AS", "LQ*0*ABC", "LE*A")),
])
def test_segments_in_the_standards_order_are_read_clean(doc: str, version: str, fid: str,
                                                        body: list[str]) -> None:
    """Each body of a set definition follows X12's order (004010 and 005010 agree here; checked against
    Bots' grammars and, for the 846 heading, published 846 tables): these segments, in the standard's
    order, were told they were out of sequence, or (AT9, a line LDT's LM) rejected."""
    assert read(doc, body, version, fid=fid) == []


@pytest.mark.parametrize(("doc", "fid", "body"), [
    # 855 lines: LDT (lead time) after DTM, AMT after MAN, as segments of the line (the definition had the
    # 850's LS/LDT/LE loop and line AMT loop at the end of the line instead)
    ("855", "PR", insert(ACK, 2, "DTM*002*20260120", "LDT*AO*5*DA", "TD5*O*2*UPSN")),
    ("855", "PR", insert(ACK, 2, "MAN*GM*00012345", "AMT*1*95", "CTB*OR**01*10")),
    # 860 / 865 changed lines: PKG after PWK
    ("860", "PC", insert(ORDER_CHANGE, 2, "PWK*OZ*EL", "PKG*F*68***CARTON", "REF*ZZ*1")),
    ("865", "CA", insert(CHANGE_ACK, 2, "PWK*OZ*EL", "PKG*F*68***CARTON", "REF*ZZ*1")),
    # 846 quantities: LDT a segment before DTM (not a loop taking the next QTY), LS/LE around REF loops
    ("846", "IB", insert(ADVICE, 2, "QTY*33*10", "LDT*AO*5*DA", "DTM*018*20260120", "QTY*17*4")),
    ("846", "IB", insert(ADVICE, 2, "QTY*33*10", "LS*A", "REF*LT*LOT-7", "DTM*036*20270101", "LE*A")),
])
def test_line_segments_where_the_standard_has_them(doc: str, fid: str, body: list[str]) -> None:
    """Where our definition had a loop of the same tag at another place (copied from the 850's line), the
    standard's segment at its own place was out of sequence; the 846's LDT loop even took the next QTY
    as its own, and REF inside LS/LE came after the point where the definition allowed it."""
    assert read(doc, body, fid=fid) == []


def test_td5_syntax_notes_are_conditional() -> None:
    """TD5's notes are C0203 and C0708 (if the qualifier, then the code), not paired: a carrier code without a
    qualifier (TD503) or a location without its qualifier (TD508) is allowed; the other notes (C1011, C1312,
    C1413, C1512) were missing."""
    assert read("850", insert(PO, 2, "TD5*B**UPSN*U", "TD5*O***M****PHILADELPHIA")) == []
    assert where(read("850", insert(PO, 2, "TD5*B*2**U"))) == [("TD5", 3, None)]
    assert where(read("850", insert(PO, 2, "TD5*B*2*UPSN*U******CD"))) == [("TD5", 11, None)]


def test_requirements_the_standard_sets() -> None:
    """The 846's LIN loop is mandatory (an inventory advice names its items) and so is MSG in the 810's N9
    loop (the N9 introduces the message text); both were optional."""
    assert [(i.code, i.segment_tag) for i in read("846", ["BIA*00*SI*INV-1*20260110", "CTT*0"], fid="IB")] == \
        [("3", "LIN")]
    note = insert(INVOICE, 1, "N9*L1*NOTES")
    assert [(i.code, i.segment_tag) for i in read("810", note, fid="IN")] == [("3", "MSG")]
    assert read("810", insert(INVOICE, 1, "N9*L1*NOTES", "MSG*PAY BY THE 15TH"), fid="IN") == []


def test_maximum_uses_are_the_standards() -> None:
    """Where our definitions allowed more than X12 does in either version (855/865 CSH 1 and N1/N4 1, 846
    heading N1 loop 5, QTY loop 99, 850 SPI/REF 5, 855 SLN/PO3 25, ...), the extra use went unnoticed."""
    two_n4 = insert(ACK, 1, "N1*ST*DC 1*92*01", "N4*SEATTLE*WA*98101", "N4*TACOMA*WA*98402")
    assert [(i.code, i.segment_tag) for i in read("855", two_n4, fid="PR")] == [("5", "N4")]
    six_n1 = insert(ADVICE, 1, *[f"N1*WH*DC {n}*92*0{n}" for n in range(6)])
    assert [(i.code, i.segment_tag) for i in read("846", six_n1, fid="IB")] == [("4", "N1")]
    six_ref = insert(PO, 2, "SPI*00", *[f"REF*ZZ*SPEC-{n}" for n in range(6)])
    assert [(i.code, i.segment_tag) for i in read("850", six_ref)] == [("5", "REF")]


@pytest.mark.parametrize(("doc", "fid", "body"), [
    ("850", "PO", insert(PO, 2, "TXI*ST*12.5", "LDT*AO*5*DA", "QTY*01*4", "MTX*GEN*FIRST DROP")),
    ("860", "PC", insert(ORDER_CHANGE, 1, "PCT*ZZ*10", "LDT*AO*5*DA", "QTY*01*4")),
    ("865", "CA", insert(CHANGE_ACK, 1, "G53*001", "LDT*AO*5*DA", "QTY*01*4")),
])
def test_005010_heading_lead_time_loop(doc: str, fid: str, body: list[str]) -> None:
    """005010 moved the heading's LDT into a loop of its own after TXI/PCT/G53 (with QTY, MTX, REF); one
    definition serves both versions, so 004010's LDT after DTM stays and the loop is added where 005010
    has it. The 005010 form was out of sequence, its QTY even 'not in place'."""
    assert read(doc, body, "005010", fid=fid) == []
    assert read("850", insert(PO, 2, "DTM*002*20260120", "LDT*AO*3*DA")) == []          # 004010's place


def test_elements_of_segments_that_had_only_a_count() -> None:
    """SAC, TD3, TD4, PO3, CTP, SCH, FOB and NTE had only an element count, so nothing in them was checked:
    a charge without a code (SAC02 or an agency code) went to Odoo as an allowance of nothing. They now have
    the standard's elements and syntax notes (004010 and 005010; the longer length where they differ)."""
    header = insert(PO, 2, "FOB*PP*OR*ORIGIN*01*FOB", "SAC*C*D240***1500", "SAC*A*C310***500*3*2",
                    "TD3*TL*ABCD*123456789012", "TD4*ZZZ*9*3*FLAMMABLE")
    lines = insert(header, 11, "PO3*QT**PRP*11.5*PE*100*EA", "CTP*RS*RES*12.5*10*EA*DIS*.9")
    assert read("850", insert(lines, 14, "SCH*5*EA*ST*STORE 12*002*20260201")) == []
    assert read("810", insert(INVOICE, 1, "NTE*GEN*LEAVE AT THE DOCK"), fid="IN") == []
    cases = [
        (insert(PO, 2, "SAC*A***100.00"), [("SAC", 2, None), ("SAC", 3, None)]),   # R0203, P0304
        (insert(PO, 2, "SAC*C*D2400***1500"), [("SAC", 2, None)]),                    # 1300 is ID 4/4
        (insert(PO, 2, "SAC*C*D240***15.00"), [("SAC", 5, None)]),                    # N2: implied decimals
        (insert(PO, 2, "TD3*TL*ABCD"), [("TD3", 3, None)]),                           # C0203
        (insert(PO, 2, "TD4**9"), [("TD4", 3, None)]),                                # C0203
        (insert(PO, 2, "FOB*PP**ORIGIN"), [("FOB", 2, None)]),                        # C0302
        (insert(PO, 6, "CTP**RES*12.5*10"), [("CTP", 5, None)]),                      # P0405
        (insert(PO, 6, "PO3*QT**PRP*11.5"), [("PO3", 6, None), ("PO3", 7, None)]),    # PO306/07 mandatory
        (insert(PO, 7, "SCH*5*EA*ST**002*20260201"), [("SCH", 4, None)]),            # C0304
        (insert(PO, 7, "SCH*5*EA***002*2026021"), [("SCH", 6, None)]),                # SCH06 is a date
        (insert(PO, 5, "N4*SEATTLE*WA*98101***SEA"), [("N4", 5, None)]),              # C0605
    ]
    for body, expected in cases:
        assert where(read("850", body)) == expected, body
    assert where(read("810", insert(INVOICE, 1, "NTE*GEN"), fid="IN")) == [("NTE", 2, None)]


def test_terms_currency_taxes_packaging_and_store_quantities_are_checked_whole() -> None:
    """ITD, CUR and TXI had their first elements only and no syntax notes; SDQ (store allocations, which
    the 850 profile reads) and PKG had none at all. A discount percent with no date or days (ITD L03040513),
    a rate date without its qualifier (CUR C0807), a tax with neither amount, percent nor exemption (TXI
    R020306), a store without its quantity (SDQ P0506) or a packaging code without its agency (PKG C0403)
    went by."""
    good = insert(insert(PO, 7, "SDQ*EA*92*0012*4*0013*6", "TXI*ST*1.25*.06***2"),
                  1, "CUR*BY*USD*1.0850*SE*CAD*IMF*007*20260115")
    assert read("850", insert(good, 3, "ITD*08*3*2**10**30")) == []
    assert read("850", insert(PO, 7, "PKG*S*68*VI*PALLET")) == []
    cases = [
        (insert(PO, 2, "ITD*08*3*2"), ("ITD", 4)),
        (insert(PO, 1, "CUR*BY*USD******20260115"), ("CUR", 7)),
        (insert(PO, 7, "TXI*ST"), ("TXI", 2)),
        (insert(PO, 7, "SDQ*EA*92*0012*4*0013"), ("SDQ", 6)),
        (insert(PO, 7, "PKG*S*68**PALLET"), ("PKG", 3)),
    ]
    for body, (tag, pos) in cases:
        assert where(read("850", body)) == [(tag, pos, None)], body


def test_sublines_measurements_lead_times_and_item_data_are_checked() -> None:
    """SLN, MEA, LDT, LM/LQ, PCT and IT3 had only a count. A subline with a price basis but no price (SLN
    C0706), a product id without its qualifier (SLN P0910), a range without its unit (MEA C0604)
    or a measurement both valued and coded (E0803), a lead time without its unit (LDT03 mandatory), an
    industry code without its list (LQ C0102) and units shipped without their unit (IT3 P0102) went by."""
    assert read("850", insert(PO, 7, "MEA*PD*G*1340*LB*0*0", "PCT*D*2.5", "LDT*AA*10*DA",
                              "SLN*1**I*1*EA*3.55*PE**IN*2456987")) == []
    assert read("810", insert(INVOICE, 2, "IT3*10*EA*CL*2*QO"), fid="IN") == []
    cases = [
        ("850", insert(PO, 7, "SLN*1**I*1*EA**PE"), [("SLN", 6, None)]),
        ("850", insert(PO, 7, "SLN*1**I*1*EA*3.55****2456987"), [("SLN", 9, None)]),
        ("850", insert(PO, 7, "MEA*PD*G****5"), [("MEA", 4, None)]),
        ("850", insert(PO, 7, "MEA*PD*G*10*LB****YS"), [("MEA", 3, None)]),
        ("850", insert(PO, 7, "LDT*AA*10"), [("LDT", 3, None)]),
        ("850", insert(PO, 7, "PCT*D"), [("PCT", 2, None)]),
        ("810", insert(INVOICE, 2, "IT3*10"), [("IT3", 2, None)]),
    ]
    for doc, body, expected in cases:
        assert where(read(doc, body, fid="IN" if doc == "810" else "PO")) == expected, body


def test_every_product_id_pair_of_a_line_is_checked() -> None:
    """PO1, IT1 and ACK carry ten product id pairs and LIN fifteen; the dictionary described the first two or
    three, so a qualifier without its id (or a 5-letter 'qualifier') from the third pair on went by, and the
    gateway read an item id the partner never completed."""
    ids = "*UP*614141000012*VN*BB-1001*BP*ACME-77*SK*0042"
    po1 = "PO1*1*10*EA*12.50*PE" + ids
    assert read("850", [*PO[:5], po1, *PO[6:]]) == []
    assert where(read("850", [*PO[:5], po1 + "*EN", *PO[6:]])) == [("PO1", 15, None)]          # P1415
    assert where(read("810", ["BIG*20260110*INV-1", "IT1*1*10*EA*9.5*PE" + ids.replace("*SK", "*SKU"),
                              "TDS*9500"], fid="IN")) == [("IT1", 12, None)]
    assert where(read("846", ["BIA*00*SI*INV-1*20260110", "LIN*" + ids + "*IN", "CTT*1"], fid="IB")) == \
        [("LIN", 11, None)]                                                                    # P1011
    assert where(read("855", ["BAK*00*AC*PO-1*20260110", "PO1*1*10*EA*9.5**UP*614141000012",
                              "ACK*IA*10*EA****UP*614141000012*VN*BB-1001*BP", "CTT*1"], fid="PR")) == \
        [("ACK", 12, None)]                                                                    # P1112


def test_tax_reference_carrier_detail_and_shipment_summary_are_checked() -> None:
    """TAX, CAD and ISS had only a count: a tax location qualifier without its location (TAX P0203), an
    invoice's carrier detail naming neither carrier nor routing (CAD R0405) or units shipped without their
    unit (ISS P0102) went by."""
    assert read("850", insert(PO, 2, "TAX*EXEMPT-123*SP*WA")) == []
    assert where(read("850", insert(PO, 2, "TAX**SP"))) == [("TAX", 1, None), ("TAX", 3, None)]
    summary = [*INVOICE, "CAD*M***UPSN", "ISS*10*CA*150*LB"]
    assert read("810", summary, fid="IN") == []
    assert where(read("810", [*INVOICE, "CAD*M", "ISS*10"], fid="IN")) == [("CAD", 4, None), ("ISS", 2, None)]


def test_carrier_transit_time_and_item_physical_details_are_checked_whole() -> None:
    """TD5 was described up to TD508 and PO4 up to PO409: the transit time (TD509-TD511, 732 is the Transit
    Time Direction Qualifier, ID 2/2, not a 'Service Level Code'), the service levels, the dimensions and the
    inner pack went unchecked, and PO4's weight/volume pairs (C0506, P0607, P0809) were not noted."""
    assert read("850", insert(PO, 2, "TD5*O*2*UPSN*M******CD*3*SG")) == []
    assert where(read("850", insert(PO, 2, "TD5*O*2*UPSN*M******CDX*3"))) == [("TD5", 10, None)]
    assert read("850", insert(PO, 7, "PO4*12*1*EA**G*2.5*LB*10*CF*12*8*6*IN*6")) == []
    assert where(read("850", insert(PO, 7, "PO4*12*1*EA*****10"))) == [("PO4", 9, None)]
    assert where(read("850", insert(PO, 7, "PO4*12*1*EA***********SIX"))) == [("PO4", 14, None)]


def test_contract_paperwork_load_detail_and_name_components_are_checked() -> None:
    """CN1, PWK, CLD, IN2, UIT, DTP, G53 and LS/LE had only a count: a contract amount that is no number, a
    paperwork id without its qualifier (PWK P0506), a load's size without its unit (CLD C0405) or a name
    component qualifier five letters long went by. PWK08 is the C002 composite (Actions Indicated)."""
    assert read("850", insert(PO, 6, "CN1*02**2*CONTRACT-9")) == []
    assert where(read("850", insert(PO, 6, "CN1*02*ABC"))) == [("CN1", 2, None)]
    assert read("850", insert(PO, 7, "PWK*CT*BM***92*DOC-1**1>2")) == []
    assert where(read("850", insert(PO, 7, "PWK*CT*BM***92"))) == [("PWK", 6, None)]
    asn = ["BSN*00*SHIP1*20260115*1200", "HL*1**S", "TD1*CTN25*2", "HL*2*1*O", "PRF*PO-1", "HL*3*2*I",
           "LIN**UP*614141000012", "SN1**10*EA", "CLD*2*5*CTN25*12*LB", "CTT*3"]
    assert read("856", asn, fid="SH") == []
    asn[8] = "CLD*2*5*CTN25*12"
    assert where(read("856", asn, fid="SH")) == [("CLD", 5, None)]
    assert where(read("850", insert(PO, 3, "IN2*FIRST*JANE"), version="005010")) == [("IN2", 1, None)]
    assert where(read("846", insert(ADVICE, 2, "UIT*EA**PE"), fid="IB")) == [("UIT", 2, None)]
    assert where(read("860", insert(ORDER_CHANGE, 1, "G53*0042"), fid="PC")) == [("G53", 1, None)]


def test_a_message_text_line_format_needs_its_carriage_control() -> None:
    """MSG's note C0302: a number of line feeds (MSG03) without the printer carriage control (MSG02) it
    counts for; the dictionary had no note for MSG."""
    assert read("850", insert(PO, 7, "MSG*LEAVE AT DOCK 4*LC*2")) == []
    assert where(read("850", insert(PO, 7, "MSG*LEAVE AT DOCK 4**2"))) == [("MSG", 2, None)]


def test_service_characteristics_contacts_and_message_text_are_checked() -> None:
    """SI (a line's service characteristics, nine more qualifier/id pairs), G61 (a contact) and 005010's MTX
    (message text, AN up to 4096) had only a count: an id without its qualifier (SI P0405), a contact number
    without its qualifier (G61 P0304) or a note reference code four long went by."""
    assert read("850", insert(PO, 6, "SI*VI*ZZ*STYLE-9*ZZ*COLOUR-4")) == []
    assert where(read("850", insert(PO, 6, "SI*VI*ZZ*STYLE-9*ZZ"))) == [("SI", 5, None)]
    assert where(read("850", insert(PO, 2, "SPI*00", "N1*BY*BUYER", "G61*BD*JANE**555-0100"))) == [("G61", 3, None)]
    text = "X" * 300
    assert read("850", insert(PO, 7, f"MTX*LIN*{text}"), version="005010") == []
    assert where(read("850", insert(PO, 7, f"MTX*LINE*{text}"), version="005010")) == [("MTX", 1, None)]


@pytest.mark.parametrize(("doc", "fid", "body", "wrong", "found"), [
    # CSH: an amount that is no number (N2), and C0203 (an action code needs its amount)
    ("850", "PO", insert(PO, 2, "CSH*P4*DE*150000"), insert(PO, 2, "CSH*P4*DE*1500.00"), [("CSH", 3, None)]),
    ("850", "PO", insert(PO, 2, "CSH*SC"), insert(PO, 2, "CSH*SC*DE"), [("CSH", 3, None)]),
    # PAM: a quantity without its qualifier and unit (P010203); a date without its qualifier (C0807)
    ("850", "PO", insert(PO, 2, "PAM*01*12*EA"), insert(PO, 2, "PAM*01*12"), [("PAM", 3, None)]),
    ("850", "PO", insert(PO, 2, "PAM****1*500*MO*007*20260101"), insert(PO, 2, "PAM****1*500***20260101"),
     [("PAM", 7, None)]),
    # TC2: the commodity code is mandatory
    ("850", "PO", insert(PO, 2, "TC2*A*3403"), insert(PO, 2, "TC2*A"), [("TC2", 2, None)]),
    # DIS: the control limit is a whole number (N0), the terms type exactly three long
    ("850", "PO", insert(PO, 2, "DIS*FFL*AD*5*ZZ*100"), insert(PO, 2, "DIS*FFL*AD*5*ZZ*1.5"), [("DIS", 5, None)]),
    ("850", "PO", insert(PO, 2, "DIS*FFL*AD*5*ZZ*100"), insert(PO, 2, "DIS*FL*AD*5*ZZ*100"), [("DIS", 1, None)]),
    # CTB: a restriction says something (R020406); an amount has its qualifier (P0506)
    ("850", "PO", insert(PO, 2, "CTB*OR**01*10"), insert(PO, 2, "CTB*OR"), [("CTB", 2, None)]),
    ("850", "PO", insert(PO, 2, "CTB*OR****TT*5000"), insert(PO, 2, "CTB*OR*****5000"), [("CTB", 5, None)]),
    # INC: an installment's number of terms is mandatory
    ("850", "PO", insert(PO, 2, "INC*01*MO*12"), insert(PO, 2, "INC*01*MO"), [("INC", 3, None)]),
    # EFI in the N9 loop: a program named without its version (C0504), a drawing size three long
    ("850", "PO", insert(PO, 2, "N9*ZZ*DRAWING", "EFI*00***7*ACROBAT"), insert(PO, 2, "N9*ZZ*DRAWING",
     "EFI*00****ACROBAT"), [("EFI", 4, None)]),
    ("850", "PO", insert(PO, 2, "N9*ZZ*DRAWING", "EFI*00*********A4"), insert(PO, 2, "N9*ZZ*DRAWING",
     "EFI*00*********A4L"), [("EFI", 10, None)]),
    # NX2 in the N1 loop: the address component itself is mandatory, the county five digits
    ("850", "PO", insert(PO, 5, "NX2*01*1 MAIN ST*53033"), insert(PO, 5, "NX2*01"), [("NX2", 2, None)]),
    ("850", "PO", insert(PO, 5, "NX2*01*1 MAIN ST*53033"), insert(PO, 5, "NX2*01*1 MAIN ST*530333"),
     [("NX2", 3, None)]),
    # SPI (860): a reference id without its qualifier (P0203); an entity title over 132
    ("860", "PC", insert(ORDER_CHANGE, 1, "SPI*00*ZZ*SPEC-1"), insert(ORDER_CHANGE, 1, "SPI*00**SPEC-1"),
     [("SPI", 2, None)]),
    ("860", "PC", insert(ORDER_CHANGE, 1, "SPI*00*ZZ*SPEC-1*" + "T" * 132),
     insert(ORDER_CHANGE, 1, "SPI*00*ZZ*SPEC-1*" + "T" * 133), [("SPI", 4, None)]),
])
def test_heading_terms_of_orders_and_changes_are_checked(doc: str, fid: str, body: list[str], wrong: list[str],
                                                          found: list[tuple[str, int, None]]) -> None:
    """CSH, PAM, TC2, DIS, CTB, INC, SPI, EFI and NX2 had only an element count, so a do-not-exceed amount
    written as a decimal, a quantity without its unit, a discount limit that is no whole number or a
    restriction with nothing in it went by. Each is now described as X12 004010/005010 has it, with its
    syntax notes (CSH C0203 P0607 P0910; PAM P010203 R020514 P0405 P0607 L070809 C0807 C0907 L101112 C1110
    P1314; CTB R020406 P0304 P0506; SPI P0203; EFI C0504 C0706 C0908)."""
    assert read(doc, body, fid=fid) == []
    assert read(doc, body, "005010", fid=fid) == []
    assert where(read(doc, wrong, fid=fid)) == found
    assert where(read(doc, wrong, "005010", fid=fid)) == found


@pytest.mark.parametrize(("doc", "version", "fid", "body", "wrong", "found"), [
    # 810: BAL's amount, CRC's condition (2 or 3 long), FA2's financial code, DMG's date without its format
    ("810", "004010", "IN", insert(INVOICE, 1, "BAL*M*YB*1500.00"), insert(INVOICE, 1, "BAL*M*YB*15OO"),
     [("BAL", 3, None)]),
    ("810", "005010", "IN", insert(INVOICE, 1, "CRC*ZZ*N*01"), insert(INVOICE, 1, "CRC*ZZ*N*0001"), [("CRC", 3, None)]),
    ("810", "004010", "IN", insert(INVOICE, 1, "CRC*ZZ*N*01"), insert(INVOICE, 1, "CRC*ZZ**01"), [("CRC", 2, None)]),
    ("810", "004010", "IN", insert(INVOICE, 1, "FA1*DZ", "FA2*58*ABC"), insert(INVOICE, 1, "FA1*DZ", "FA2*58"),
     [("FA2", 2, None)]),
    ("810", "004010", "IN", insert(INVOICE, 1, "N1*BT*ACME*92*01", "DMG*D8*19700101*F"),
     insert(INVOICE, 1, "N1*BT*ACME*92*01", "DMG**19700101*F"), [("DMG", 1, None)]),
    ("810", "005010", "IN", insert(INVOICE, 1, "N1*BT*ACME*92*01", "DMG*D8*19700101*F**7>RET>2135-2"),
     insert(INVOICE, 1, "N1*BT*ACME*92*01", "DMG*D8*19700101*FEMALE"), [("DMG", 3, None)]),
    # 810 / 856: a port named without its function (R401 mandatory); its location id without the qualifier
    ("810", "004010", "IN", insert(INVOICE, 1, "V1**OCEAN STAR", "R4*D*UN*USNYC"),
     insert(INVOICE, 1, "V1**OCEAN STAR", "R4**UN*USNYC"), [("R4", 1, None)]),
    ("810", "004010", "IN", insert(INVOICE, 1, "V1**OCEAN STAR", "R4*D*UN*USNYC"),
     insert(INVOICE, 1, "V1**OCEAN STAR", "R4*D**USNYC"), [("R4", 2, None)]),
    ("810", "004010", "IN", insert(INVOICE, 1, "V1**OCEAN STAR"), insert(INVOICE, 1, "V1**" + "S" * 29),
     [("V1", 2, None)]),
    # 856 (005010 TD3 loop): AT9 equipment length is FFFII (N0 4/5); a weight needs qualifier and unit
    ("856", "005010", "SH", insert(SHIP_NOTICE, 3, "TD3*TL**1234567", "AT9*5300***G*L*12000"),
     insert(SHIP_NOTICE, 3, "TD3*TL**1234567", "AT9*53"), [("AT9", 1, None)]),
    ("856", "005010", "SH", insert(SHIP_NOTICE, 3, "TD3*TL**1234567", "AT9*5300***G*L*12000"),
     insert(SHIP_NOTICE, 3, "TD3*TL**1234567", "AT9*5300****L*12000"), [("AT9", 4, None)]),
    # 846: a contract summary's reference without its qualifier (P0405); its F.O.B. point code three long
    ("846", "004010", "IB", insert(ADVICE, 2, "CS*C-1***CT*778"), insert(ADVICE, 2, "CS*C-1****778"),
     [("CS", 4, None)]),
    ("846", "004010", "IB", insert(ADVICE, 2, "CS*C-1*******OR"), insert(ADVICE, 2, "CS*C-1*******ORI"),
     [("CS", 8, None)]),
])
def test_invoice_shipment_and_inventory_details_are_checked(doc: str, version: str, fid: str, body: list[str],
                                                           wrong: list[str], found: list[tuple[str, int, None]]) -> None:
    """BAL, CRC, FA1/FA2, DMG, V1/R4, AT9 and CS had only an element count (AT9 no entry at all), so a balance
    that is no number, a condition code four long, a port without its function code or an equipment length
    of '53' (AT901 is feet and inches, FFFII) went by. Syntax notes: DMG P0102 P1011, R4 P0203, AT9 P040506
    P0708, CS P0405. DMG05 is the C056 composite as 005010 has it; 004010's single race code reads the same."""
    assert read(doc, body, version, fid=fid) == []
    assert where(read(doc, wrong, version, fid=fid)) == found


def test_pricing_data_of_a_change_acknowledgment_is_checked() -> None:
    """865's PD (pricing basic input: period, start date, unit, quantity, cost element name) and PDD (its
    rates, R020304) had only a count, so a period start that is no date or a rate line with no quantity,
    amount or percent went by. The 865 test that read 'PD*01*4*1' (a date of '4') as clean now writes a PD
    the standard accepts."""
    body = insert(CHANGE_ACK, 2, "PD*MO*20260101*EA*4*LIST PRICE", "PDD*01*4")
    assert read("865", body, fid="CA") == []
    assert read("865", body, "005010", fid="CA") == []
    assert where(read("865", insert(CHANGE_ACK, 2, "PD*MO*2026-01*EA*4*LIST PRICE"), fid="CA")) == [("PD", 2, None)]
    assert where(read("865", insert(CHANGE_ACK, 2, "PD*MO*20260101*EA*4"), fid="CA")) == [("PD", 5, None)]
    assert where(read("865", insert(CHANGE_ACK, 2, "PD*MO*20260101*EA*4*LIST PRICE", "PDD*01"),
                      fid="CA")) == [("PDD", 2, None)]
    assert where(read("865", insert(CHANGE_ACK, 2, "PD*MO*20260101*EA*4*LIST PRICE", "PDD*" + "1" * 21 + "*4"),
                      fid="CA")) == [("PDD", 1, None)]


@pytest.mark.parametrize("version", ["004010", "005010"])
def test_yes_no_questions_are_checked(version: str) -> None:
    """YNQ (810 heading and line, 856 HL) had only a count: an answer without its Y/N, a question asked both by
    code and in free text (E010910), a date without its format (P0304) or an industry code without its list
    (C0908) went by."""
    assert read("810", insert(INVOICE, 1, "YNQ*1D*Y*D8*20260110"), version, fid="IN") == []
    assert read("810", insert(INVOICE, 1, "YNQ**N********IS THIS A REPLACEMENT"), version, fid="IN") == []
    assert where(read("810", insert(INVOICE, 1, "YNQ*1D"), version, fid="IN")) == [("YNQ", 2, None)]
    assert where(read("810", insert(INVOICE, 1, "YNQ*1D*Y********IS THIS A REPLACEMENT"), version,
                      fid="IN")) == [("YNQ", 10, None)]
    assert where(read("810", insert(INVOICE, 1, "YNQ*1D*Y*D8"), version, fid="IN")) == [("YNQ", 4, None)]
    assert where(read("810", insert(INVOICE, 1, "YNQ**Y*******RETURNABLE"), version, fid="IN")) == [("YNQ", 8, None)]
    assert where(read("810", insert(INVOICE, 1, "YNQ*1D*YES"), version, fid="IN")) == [("YNQ", 2, None)]


HAZMAT = ["LH1*EA*2*UN1263**4910150", "LH2*3*P*FLAMMABLE LIQUID***FA*23", "LH3*PAINT*D", "LFH*TEC*ACETONE",
          "LHT*3*FLAMMABLE LIQUID*FLAMMABLE", "LHR*ZZ*ERG-128", "LHE*PAINT*FLAMMABLE LIQUID*ZZ*ERG-128"]


@pytest.mark.parametrize(("at", "wrong", "found"), [
    (0, "LH1*EA*2*UN126**4910150", [("LH1", 3, None)]),                     # UN/NA number is six long
    (0, "LH1*EA*2.5*UN1263**4910150", [("LH1", 2, None)]),                  # lading quantity is N0
    (1, "LH2*3*P*FLAMMABLE LIQUID****23", [("LH2", 6, None)]),              # a flashpoint without its unit
    (1, "LH2*3*P*FLAMMABLE", [("LH2", 3, None)]),                          # placard notation is 14 to 40
    (2, "LH3*PAINT*D*NO", [("LH3", 3, None)]),                             # N.O.S. indicator is three long
    (3, "LFH*TEC", [("LFH", 2, None)]),                                    # the information itself
    (4, "LHT*3*FLAMMABLE*FLAMMABLE", [("LHT", 2, None)]),
    (5, "LHR*ZZ", [("LHR", 2, None)]),
    (6, "LHE*PAINT*FLAMMABLE LIQUID*ZZ", [("LHE", 4, None)]),
])
def test_hazardous_material_segments_of_a_ship_notice_are_checked(at: int, wrong: str,
                                                                   found: list[tuple[str, int, None]]) -> None:
    """The 856's LH1 loop (LH1, LH2, LH3, LFH, LHT, LHR, LHE) had only element counts, so a UN number five
    long, a fractional lading quantity, a flashpoint without its unit (LH2 P0607) or a placard notation
    shorter than the standard's 14 went by. LH4 and LEP are described too (see the test below)."""
    body = insert(SHIP_NOTICE, 8, *HAZMAT)
    assert read("856", body, fid="SH") == []
    assert read("856", body, "005010", fid="SH") == []
    hazmat = list(HAZMAT)
    hazmat[at] = wrong
    assert where(read("856", insert(SHIP_NOTICE, 8, *hazmat), fid="SH")) == found


def test_conditions_of_sale_of_an_order_line_are_checked() -> None:
    """IT8 (an order line's conditions of sale and substitutes: ten product id pairs) had only a count, so a
    do-not-exceed amount written as a decimal or a substitute's id over 48 went by. Its syntax notes are not
    described (the 004010 notes were not found in a published table)."""
    line = insert(PO, 7, "IT8*SC*DE*150000****S1*UP*614141000029")
    assert read("850", line) == []
    assert read("850", line, "005010") == []
    assert where(read("850", insert(PO, 7, "IT8*SC*DE*1500.00"))) == [("IT8", 3, None)]
    assert where(read("850", insert(PO, 7, "IT8********UP*" + "9" * 49))) == [("IT8", 9, None)]


@pytest.mark.parametrize("version", ["004010", "005010"])
def test_pallet_information_of_a_ship_notice_is_checked(version: str) -> None:
    """PAL (an 856 level's pallet: type, tiers, blocks, weights, dimensions) had only a count, so tiers
    written as '4.5', a pallet height without its unit (C0910) or a gross weight without its unit (P1112)
    went by."""
    pallet = "PAL*4*5*8*40*45*LB*48*40*60*IN*1450*LB"
    assert read("856", insert(SHIP_NOTICE, 8, pallet), version, fid="SH") == []
    assert where(read("856", insert(SHIP_NOTICE, 8, "PAL*4*4.5*8"), version, fid="SH")) == [("PAL", 2, None)]
    assert where(read("856", insert(SHIP_NOTICE, 8, "PAL*4*5*8*40*****60"), version, fid="SH")) == \
        [("PAL", 10, None)]
    assert where(read("856", insert(SHIP_NOTICE, 8, "PAL*4*5*8*40******IN*1450"), version, fid="SH")) == \
        [("PAL", 7, None), ("PAL", 12, None)]       # L10070809 is reported at the first of PAL07-09


def test_order_heading_and_message_text_are_checked_to_their_last_element() -> None:
    """BEG was described to BEG10 and 005010's MTX to MTX02, so a security level three long in BEG11, a
    transaction type code in BEG12 or MTX's second text, carriage control, line count and language went
    unchecked. MTX's notes: C0102 (a note code needs its text), C0302, C0504 (a line count needs its
    carriage control)."""
    assert read("850", [PO[0] + "******00*NE", *PO[1:]]) == []
    assert where(read("850", [PO[0] + "******001", *PO[1:]])) == [("BEG", 11, None)]
    assert where(read("850", [PO[0] + "*******NEW", *PO[1:]])) == [("BEG", 12, None)]
    mtx = "MTX*LIN*GIFT WRAP*IN BLUE PAPER*AA*2*en"
    assert read("850", insert(PO, 7, mtx), version="005010") == []
    assert where(read("850", insert(PO, 7, "MTX*LIN"), version="005010")) == [("MTX", 2, None)]
    assert where(read("850", insert(PO, 7, "MTX*LIN*GIFT WRAP*IN BLUE PAPER**2"), version="005010")) == \
        [("MTX", 4, None)]
    assert where(read("850", insert(PO, 7, "MTX*LIN*GIFT WRAP*IN BLUE PAPER*AA*2*ENGL"), version="005010")) == \
        [("MTX", 6, None)]


@pytest.mark.parametrize(("doc", "fid", "body", "wrong", "found"), [
    ("856", "SH", insert(SHIP_NOTICE, 8, "GF*CT*C-778**125.50"), insert(SHIP_NOTICE, 8, "GF*CT"), [("GF", 2, None)]),
    ("856", "SH", insert(SHIP_NOTICE, 8, "GF*CT*C-778**125.50"), insert(SHIP_NOTICE, 8, "GF*CT*C-778**12.5.0"),
     [("GF", 4, None)]),
    ("856", "SH", insert(SHIP_NOTICE, 8, "ETD*ZZ*A*AE*AUTH-1"), insert(SHIP_NOTICE, 8, "ETD*ZZ"), [("ETD", 2, None)]),
    ("856", "SH", insert(SHIP_NOTICE, 8, "ETD*ZZ*A*AE*AUTH-1"), insert(SHIP_NOTICE, 8, "ETD*ZZ*A*AE"),
     [("ETD", 4, None)]),
    ("856", "SH", insert(SHIP_NOTICE, 8, "ETD*ZZ*A*AE*AUTH-1"), insert(SHIP_NOTICE, 8, "ETD*ZZZ*A"), [("ETD", 1, None)]),
    ("856", "SH", insert(SHIP_NOTICE, 8, "TSD*1*A"), insert(SHIP_NOTICE, 8, "TSD*" + "1" * 21), [("TSD", 1, None)]),
    ("846", "IB", insert(ADVICE, 2, "DD*01*ZZ*CT*C-1*02*ZZ*10*Y"), insert(ADVICE, 2, "DD*01*ZZ*CT*C-1*02*ZZ*10*YES"),
     [("DD", 8, None)]),
    ("846", "IB", insert(ADVICE, 2, "DD*01*ZZ*CT*C-1*02*ZZ*10*Y"), insert(ADVICE, 2, "DD*01*ZZZZ"), [("DD", 2, None)]),
])
def test_furnished_goods_excess_transport_trailer_and_demand_details_are_checked(
        doc: str, fid: str, body: list[str], wrong: list[str], found: list[tuple[str, int, None]]) -> None:
    """GF (P0102 P0506 P0809), ETD (P0304), TSD and the 846's DD had only a count, so a reference id without its
    qualifier, a premium freight reason without who pays for it or a stock indicator 'YES' went by. ETD05,
    TSD02 and DD's syntax notes are left undescribed (not verified). The dictionary's element 626 was named
    'Unit Price' (R 1/10), used nowhere; X12's 626 is the Excess Transportation Reason Code (ID 1/2)."""
    assert read(doc, body, fid=fid) == []
    assert read(doc, body, "005010", fid=fid) == []
    assert where(read(doc, wrong, fid=fid)) == found


ADVERTISING = "ADV*ZZ*AA*18*34*AGE*AB*2.5"
ACQUISITION = ["SPI*00", "CB1*AA*A"]
TARIFF = "L7*1*ICC*1234567*1*ABC*1*775*1*EP01*20260110*R1*1*250*S*SEATTLE*WA"
SERVICE = "SR*1*1234567*0800*1700*CALL AHEAD*12.5*4*20260110*20260120*SVC-1*SVC-2"
EPA = "LEP*D001*IGNITABLEWASTE*WA*EPA-77"
CANADA = "LH4*ERP-2-1234*800-555-0100*II*3*6.1**1*250*CANADIAN NOTE*Y*800-555-0199*KG"


@pytest.mark.parametrize(("doc", "fid", "body", "wrong", "found"), [
    ("850", "PO", insert(PO, 5, ADVERTISING), insert(PO, 5, "ADV*ZZ*AA*18*34*AGE*AB"), [("ADV", 7, None)]),
    ("850", "PO", insert(PO, 5, ADVERTISING), insert(PO, 5, "ADV*ZZ"), [("ADV", 2, None)]),
    ("850", "PO", insert(PO, 5, ADVERTISING), insert(PO, 5, "ADV*ZZ*AA*18-34"), [("ADV", 3, None)]),
    ("850", "PO", insert(PO, 5, *ACQUISITION), insert(PO, 5, "SPI*00", "CB1*AAA*A"), [("CB1", 1, None)]),
    ("850", "PO", insert(PO, 5, *ACQUISITION), insert(PO, 5, "SPI*00", "CB1*AA*AB"), [("CB1", 2, None)]),
    ("810", "IN", insert(INVOICE, 1, TARIFF), insert(INVOICE, 1, "L7*1.5"), [("L7", 1, None)]),
    ("810", "IN", insert(INVOICE, 1, TARIFF), insert(INVOICE, 1, "L7*1*ICC*12345678"), [("L7", 3, None)]),
    ("810", "IN", insert(INVOICE, 1, TARIFF), insert(INVOICE, 1, "L7*1********EP1"), [("L7", 9, None)]),
    ("810", "IN", insert(INVOICE, 2, SERVICE), insert(INVOICE, 2, "SR*1*12345678"), [("SR", 2, None)]),
    ("810", "IN", insert(INVOICE, 2, SERVICE), insert(INVOICE, 2, "SR*1**2500"), [("SR", 3, None)]),
    ("856", "SH", insert(SHIP_NOTICE, 8, HAZMAT[0], EPA), insert(SHIP_NOTICE, 8, HAZMAT[0], "LEP*D001**WA"),
     [("LEP", 4, None)]),
    ("856", "SH", insert(SHIP_NOTICE, 8, HAZMAT[0], EPA), insert(SHIP_NOTICE, 8, HAZMAT[0], "LEP*D01"),
     [("LEP", 1, None)]),
    ("856", "SH", insert(SHIP_NOTICE, 8, HAZMAT[0], CANADA),
     insert(SHIP_NOTICE, 8, HAZMAT[0], "LH4*ERP-2-1234*******250"), [("LH4", 12, None)]),
    ("856", "SH", insert(SHIP_NOTICE, 8, HAZMAT[0], CANADA),
     insert(SHIP_NOTICE, 8, HAZMAT[0], "LH4*ERP-2-1234*******2.5****KG"), [("LH4", 8, None)]),
    ("856", "SH", insert(SHIP_NOTICE, 8, HAZMAT[0], CANADA), insert(SHIP_NOTICE, 8, HAZMAT[0], "LH4*ERP-210-12345"),
     [("LH4", 1, None)]),
])
def test_advertising_contract_tariff_service_and_hazmat_details_are_checked(
        doc: str, fid: str, body: list[str], wrong: list[str], found: list[tuple[str, int, None]]) -> None:
    """ADV, CB1, L7, SR, LEP and LH4 had only an element count, so an advertising value without its
    qualifier (ADV P0607), a contract code three long, an Ex Parte of three, a day rotation of eight, an EPA
    state without its reference (LEP P0304) or a net explosive quantity without its unit (LH4 P0812) went by.
    005010's LH4 P0102 and SR's time/date notes are not described (not verified for 004010)."""
    assert read(doc, body, fid=fid) == []
    assert read(doc, body, "005010", fid=fid) == []
    assert where(read(doc, wrong, fid=fid)) == found


def test_005010_service_characteristics_qualifiers_take_three_characters() -> None:
    """Element 1000 (ADV02/06, SI02...) is ID 2/3 from 004050 on; it was kept at 004010's 2/2, so a correct
    005010 three-character qualifier was refused. The dictionary keeps the longer length, as elsewhere."""
    assert read("850", insert(PO, 5, "ADV*ZZ*ABC*18*34*AGE*ABC*2.5"), "005010") == []
