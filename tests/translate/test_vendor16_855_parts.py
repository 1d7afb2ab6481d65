"""An 855 line acknowledged in parts, several ACKs a PO1 (VICS repeats the ACK up to 104 times, each with its date in
ACK04/05), read into the line's `acks` and written back one ACK a part, through `edi-gateway render` and
`edi-gateway translate`. Before, a line kept its last ACK (`ACK*IA*4` then `ACK*IR*6` read as the whole line
rejected) and no date."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.translate.conftest import GOLDEN
from tests.translate.test_cli import run
from tests.translate.test_vendor16_865_rejected import round_trip


def test_a_line_in_parts_goes_out_one_ack_a_part_and_reads_back_the_same(
        workspace: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = json.loads((GOLDEN / "northwind" / "855_ack.json").read_text())
    doc["lines"][0].update(quantity="10", unit="EA", ordered_quantity="12", status="changed", acks=[
        {"qualifier": "accepted", "value": "4", "unit": "EA", "date": "2026-12-05"},
        {"qualifier": "backordered", "value": "6", "unit": "EA", "date": "2026-12-20"},
        {"qualifier": "rejected", "value": "2", "unit": "EA"}])
    doc["lines"][2]["ordered_quantity"] = "1.5"             # PO102 1.5: hashed as 15, as X12's hash total is
    segments, back = round_trip(capsys, workspace, tmp_path, doc, "northwind", "855")
    at = next(i for i, s in enumerate(segments) if s.startswith("PO1*1*"))
    assert segments[at].startswith("PO1*1*12*EA*")
    assert [s for s in segments[at:] if s.startswith("ACK")][:3] == [
        "ACK*IA*4*EA*067*20261205", "ACK*IB*6*EA*067*20261220", "ACK*IR*2*EA"]
    assert "CTT*3*37" in segments                           # CTT02: 12 + 10 + 15 (1.5 without its point)
    line = back["lines"][0]
    assert (line["status"], line["ordered_quantity"], line["quantity"]) == ("changed", "12", "10")
    assert line["acks"] == doc["lines"][0]["acks"]
    assert "acks" not in back["lines"][1]                   # one undated ACK: the line as before


def vendor_855(path: Path, body: list[str]) -> None:
    """A vendor's 855 interchange of these transaction set segments (ST to SE) at `path`."""
    isa = "ISA*00*          *00*          *ZZ*VENDORX        *ZZ*ACMEDIST       *261201*0900*U*00401*000000009*0*P*>"
    path.write_text("~".join([isa, "GS*PR*VENDORX*ACMEDIST*20261201*0900*9*X*004010", *body, "GE*1*9",
                              "IEA*1*000000009"]) + "~")


def test_an_ack_without_its_quantity_is_what_po102_leaves(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    """`ACK*IA` without ACK02 beside `ACK*IR*2`: the 10 of the 12 ordered that the rejection leaves, accepted."""
    monkeypatch.chdir(tmp_path)                       # no gateway.yaml: the base 855 profile
    body = ["ST*855*0001", "BAK*00*AC*P00012*20261201", "PO1*1*12*EA*7.50**VN*WB-100", "ACK*IA", "ACK*IR*2*EA",
            "CTT*1", "SE*6*0001"]
    vendor_855(tmp_path / "855.x12", body)
    code, out, err = run(capsys, "translate", str(tmp_path / "855.x12"), "--json")
    assert code == 0, err
    line = json.loads(out)["lines"][0]
    assert [(a["qualifier"], a["value"]) for a in line["acks"]] == [("accepted", "10"), ("rejected", "2")]
    assert (line["status"], line["quantity"]) == ("changed", "10")


def test_translate_shows_each_lines_acknowledgment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """`edi-gateway translate` of a vendor's 855 says what each line's ACKs say, beside the quantity ordered: it
    printed the quantities alone, the same for a line accepted and one rejected."""
    monkeypatch.chdir(tmp_path)
    body = ["ST*855*0001", "BAK*00*AC*P00012*20261201", "PO1*1*10*EA*7.50**VN*WB-100", "ACK*IA*4*EA*068*20261205",
            "ACK*IB*6*EA*068*20261220", "PO1*2*6*EA*5.25**VN*WR-200", "ACK*IR*6*EA", "CTT*2", "SE*9*0001"]
    vendor_855(tmp_path / "855.x12", body)
    code, out, err = run(capsys, "translate", str(tmp_path / "855.x12"))
    assert code == 0, err
    assert "line    1: 10 EA @ 7.50 (4 accepted 2026-12-05, 6 backordered 2026-12-20; ordered 10)  vendor WB-100" in out
    assert "line    2: 0 EA @ 5.25 (rejected; ordered 6)  vendor WR-200" in out
