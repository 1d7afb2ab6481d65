"""ISA field values: each check still finds its fault, now that the usual header is passed by one match
(`x12._ISA_VALID`) before the field-by-field checks; a header that match does not take is checked as before."""

from __future__ import annotations

import pytest

from gateway.formats import x12

FIELDS = ["00", "          ", "00", "          ", "ZZ", "SENDER         ", "ZZ", "RECEIVER       ", "240131",
          "2359", "U", "00401", "000000007", "0", "P", ">"]


def _file(fields: list[str], terminator: str = "~") -> bytes:
    isa = "ISA*" + "*".join(fields) + terminator
    return (isa + "\nGS*PO*SENDER*RECEIVER*20240131*2359*7*X*004010~\nST*850*0001~\nBEG*00*SA*PO1**20240131~\n"
            "SE*3*0001~\nGE*1*7~\nIEA*1*" + fields[12] + "~\n").encode()


def _isa_findings(fields: list[str]) -> list[str]:
    return [i.message for i in x12.parse(_file(fields), validate=False).issues if i.segment_tag == "ISA"]


def test_a_usual_header_has_no_finding() -> None:
    assert _isa_findings(FIELDS) == []
    for usual in ({0: "03", 2: "01", 8: "991201", 9: "0000", 11: "00501", 13: "1", 14: "T"},
                  {8: "240229", 9: "1200", 11: "00200", 14: "I"}):
        assert _isa_findings([usual.get(i, v) for i, v in enumerate(FIELDS)]) == []


@pytest.mark.parametrize(("index", "value", "found"), [
    (0, "07", "ISA01 (authorization qualifier) has an invalid value '07'"),
    (2, "02", "ISA03 (security qualifier) has an invalid value '02'"),
    (8, "241301", "ISA09 (date (YYMMDD)) has an invalid value '241301'"),
    (8, "240001", "ISA09 (date (YYMMDD)) has an invalid value '240001'"),
    (8, "24013A", "ISA09 (date (YYMMDD)) has an invalid value '24013A'"),
    (9, "2400", "ISA10 (time (HHMM)) has an invalid value '2400'"),
    (9, "1260", "ISA10 (time (HHMM)) has an invalid value '1260'"),
    (11, "01401", "ISA12 (control version number) has an invalid value '01401'"),
    (11, "0040A", "ISA12 (control version number) has an invalid value '0040A'"),
    (12, "00000000A", "ISA13 (control number) has an invalid value '00000000A'"),
    (13, "2", "ISA14 (acknowledgment requested flag) has an invalid value '2'"),
    (14, "X", "ISA15 (usage indicator) has an invalid value 'X'"),
    (5, "SENDER", "ISA06 (sender id) must be exactly 15 characters, found 6 ('SENDER')"),
])
def test_each_faulty_value_is_found(index: int, value: str, found: str) -> None:
    fields = list(FIELDS)
    fields[index] = value
    assert found in _isa_findings(fields)


def test_digits_other_than_ascii_are_judged_as_before() -> None:
    """Arabic-Indic digits are decimal to Python: the field-by-field checks accept this date, as they always did."""
    fields = list(FIELDS)
    fields[8] = "24\u0660\u0661\u0663\u0661"
    assert _isa_findings(fields) == []


def test_a_field_holding_the_terminator_is_found() -> None:
    fields = list(FIELDS)
    fields[5] = "SEND!R         "
    data = _file(fields, terminator="!").replace(b"~", b"!")
    messages = [i.message for i in x12.parse(data, validate=False).issues if i.segment_tag == "ISA"]
    assert any("ISA06 (sender id) 'SEND!R         ' contains the segment terminator" in m for m in messages)
