"""X12 structure walk: use and repeat counts, missing mandatory items and out-of-place segments, in
transactions short and long (the validator counts differently above 200 segments), and segments of one
transaction with different repetition separators."""

from __future__ import annotations

import pytest

from gateway.formats import x12
from gateway.formats.base import Issue, Segment, Severity, Syntax, Transaction
from gateway.formats.x12_validate import set_definition, validate_transaction

ISA = ("ISA*00*          *00*          *ZZ*BIGBOXRETAIL   *ZZ*ACMEDIST       *260115*1030*U*00401*"
       "000000101*0*P*>~")
HEAD = ["BEG*00*SA*PO-1**20260115", "REF*DP*042"]
N1 = ["N1*ST*DC 1*UL*0860001000023", "N3*1 MAIN ST", "N4*SEATTLE*WA*98101"]
LINE = ["PO1*1*10*EA*12.50**UP*614141000012", "PID*F****BLUE WIDGET"]
FILLER = LINE * 120          # 240 segments: the transaction is long


def findings(body: list[str]) -> list[tuple[str, str, int | None, str]]:
    """(segment tag, code, position, message) of every finding of one 850 004010 with `body`."""
    segs = ["ST*850*0001", *body]
    segs.append(f"SE*{len(segs) + 1}*0001")
    text = ISA + "".join(s + "~" for s in ["GS*PO*BIGBOX*ACMEDIST*20260115*1030*1*X*004010", *segs,
                                           "GE*1*1", "IEA*1*000000101"])
    result = x12.parse(text.encode())
    return [(i.segment_tag, i.code, i.segment_position, i.message) for i in result.issues
            if i.severity is not Severity.INFO]


@pytest.mark.parametrize("filler", [[], FILLER], ids=["short", "long"])
def test_every_use_over_a_segments_maximum_is_reported_with_its_count(filler: list[str]) -> None:
    # PER: at most 3 in the heading; REF in loop N1: at most 12
    body = [*HEAD, *["PER*BD*A"] * 5, *N1, *["REF*IA*1"] * 13, *filler, *LINE, "CTT*1"]
    assert findings(body) == [
        ("PER", "5", 7, "PER appears 4 times here; at most 3 allowed"),
        ("PER", "5", 8, "PER appears 5 times here; at most 3 allowed"),
        ("REF", "5", 24, "REF appears 13 times here; at most 12 allowed")]


@pytest.mark.parametrize("filler", [[], FILLER], ids=["short", "long"])
def test_every_iteration_over_a_loops_maximum_is_reported_with_its_count(filler: list[str]) -> None:
    # loop SAC in the heading: at most 25 iterations; a second run of SAC after N1 is out of place
    body = [*HEAD, *["SAC*A*B720"] * 27, *filler, *LINE, "CTT*1"]
    assert findings(body) == [
        ("SAC", "4", 29, "loop SAC repeats 26 times; at most 25 allowed"),
        ("SAC", "4", 30, "loop SAC repeats 27 times; at most 25 allowed")]


def test_a_loop_with_a_large_maximum_is_counted_in_a_long_transaction() -> None:
    # loop N1 in the heading: at most 200 iterations, which only a transaction of over 200 segments can pass
    body = [*HEAD, *["N1*ST*DC 1*UL*0860001000023"] * 202, *LINE, "CTT*1"]
    assert findings(body) == [
        ("N1", "4", 204, "loop N1 repeats 201 times; at most 200 allowed"),
        ("N1", "4", 205, "loop N1 repeats 202 times; at most 200 allowed")]


def test_a_count_starts_again_where_its_loop_starts_again() -> None:
    # 3 PER in loop N1 of each of 2 iterations, 13 SAC loops in the lines, 200 N1 loops: all within limits
    body = [*HEAD, *(["N1*ST*X*92*0042", *["PER*BD*A"] * 3] * 2), *(LINE + ["SAC*A*B720"] * 13) * 2,
            "CTT*1"]
    assert findings(body) == []
    # 201 iterations of loop N1, some with a REF: the 201st is one too many
    assert findings([*HEAD, *(["N1*ST*X*92*0042"] * 100 + ["REF*IA*1"]) * 2, "N1*ST*X*92*0042", *LINE,
                     "CTT*1"]) == [("N1", "4", 206, "loop N1 repeats 201 times; at most 200 allowed")]


@pytest.mark.parametrize("filler", [[], FILLER], ids=["short", "long"])
def test_mandatory_items_left_out_and_segments_out_of_place(filler: list[str]) -> None:
    # BEG after loop N1, no loop PO1 (the filler's PO1 loops are out of place after BEG too), a segment
    # of another set, a tag no set has (all read while inside the summary's loop CTT)
    body = ["REF*DP*042", *N1, "BEG*00*SA*PO-1**20260115", "CTT*1", "BSN*00*SHIP-1*20260115*1030", *filler, "ZZZ*1"]
    end = 9 + len(filler)
    expected = [
        ("BEG", "3", 2, "mandatory segment BEG is missing (detected at REF, segment 2)"),
        ("BEG", "7", 6, ("segment BEG is out of sequence (inside loop N1); it was read but check the "
                        "partner's segment order")),
        ("PO1", "3", 7, "mandatory loop PO1 is missing (detected at CTT, segment 7)"),
        ("BSN", "6", 8, "segment BSN is not part of transaction set 850 (Purchase Order)")]
    expected += [(tag, "7", n, (f"segment {tag} is out of sequence (inside loop CTT); it was read but check "
                               "the partner's segment order"))
                 for n, tag in enumerate([s[:3] for s in filler], 9)]
    expected.append(("ZZZ", "6", end, "segment ZZZ is not defined in transaction set 850"))
    assert findings(body) == expected


def test_segments_with_different_repetition_separators_are_each_checked_with_their_own() -> None:
    definition = set_definition("850", "005010")
    assert definition is not None

    def segment(text: str, position: int, sep: str | None) -> Segment:
        tag, *elements = text.split("*")
        return Segment(tag, elements, position, 0, ">", sep)

    tx = Transaction(Syntax.X12, "850", "005010", segments=[
        segment("ST*850*0001", 1, "^"), segment("BEG*00^XX*SA*PO-1**20260115", 2, "^"),
        segment("REF*DP^ZZ*042", 3, None), *[segment(s, n, "^") for n, s in enumerate([*LINE, "CTT*1"], 4)],
        segment("SE*7*0001", 7, "^")])
    issues: list[Issue] = validate_transaction(tx)
    # BEG01 is split on its own "^" (one bad code, XX); REF01 has no separator: "DP^ZZ" is one bad value
    assert [(i.segment_tag, i.element_position, i.value) for i in issues] == [("BEG", 1, "XX"), ("REF", 1, "DP^ZZ")]


@pytest.mark.parametrize("rule", ["R0304", "R020304", "P0304", "C0204", "C020304", "E020304", "L020304", "L0204"])
@pytest.mark.parametrize("sep", [None, "^"])
def test_the_quick_test_of_each_length_agrees_with_the_detailed_checks(rule: str, sep: str | None) -> None:
    """Segments of 0-5 elements (the definition has 4, the first mandatory), every pattern of values: the
    quick test passes only segments without findings, and all of those that hold no repetition separator."""
    import itertools

    from gateway.formats.x12_validate import Dictionary, Item, SetDef, _Checker, _plan

    dic = Dictionary({"1": ["AN", 1, 5, "Note"], "2": ["ID", 2, 2, "Code"], "3": ["R", 1, 4, "Amount"]}, {},
                     {"ZZZ": {"n": 4, "el": [["3", "M"], ["2", "O"], ["1", "O"], ["1", "O"]], "rules": [rule]}})
    root = Item("ST", "M", 1, [Item("ST", "M", 1), Item("ZZZ", "O", 1)])
    definition = SetDef("999", "test", root, frozenset({"ST", "ZZZ"}), {}, {}, None)
    plan = _plan(definition, "ZZZ", (">", sep), dic)
    assert plan is not None
    outcomes = set()
    for width in range(6):
        for pattern in itertools.product(["", "AB", "12.5", *(["A^B"] if sep else [])], repeat=width):
            values = list(pattern)
            seg = Segment("ZZZ", values, 2, 0, ">", sep)
            checker = _Checker(Transaction(Syntax.X12, "999", segments=[seg]), definition, [])
            checker.dic = dic
            checker.elements_in_detail(seg, plan.spec)
            quick = plan.by_length[width + 1](seg.fields)          # by the number of fields: tag + elements
            assert quick is plan.clean(seg.fields)
            assert quick is (checker.issues == []) or (not quick and sep and sep in "".join(values)), \
                (rule, values, checker.issues)
            outcomes.add(quick)
    assert outcomes == {True, False}
