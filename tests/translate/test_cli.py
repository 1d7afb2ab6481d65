"""`edi-gateway translate` and `edi-gateway render` as a coordinator runs them: exit codes, output, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gateway.cli import EXIT_CONFIG, main
from tests.translate.conftest import EXAMPLES, GOLDEN


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def test_translate_identifies_the_partner_and_prints_lines(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sample = EXAMPLES / "samples" / "northwind" / "850_NW-77002-03.edi"
    code, out, err = run(capsys, "translate", str(sample), "--config", str(workspace))
    assert code == 0, err
    assert "PurchaseOrder NW-77002" in out and "PurchaseOrder NW-77003" in out
    assert "partner northwind" in out
    assert "line    1: 4 EA @ 42.00  buyer NW-A3, upc 614141000036" in out
    assert "ship_to" in out and "store 0107" in out


def test_translate_shows_what_each_change_line_does(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)                       # no gateway.yaml: the base ORDCHG profile
    sample = EXAMPLES / "samples" / "eurohandel" / "later" / "ORDCHG_4500012345.edi"
    code, out, err = run(capsys, "translate", str(sample))
    assert code == 0, err
    assert "line    1: change: 60 EA  ean 0614141000012" in out
    assert "line    2: delete  ean 0614141000029" in out
    assert "line    3: change: quantity kept @ 39.90  ean 0614141000036" in out
    assert "line    4: add: 8 EA @ 30.00" in out


def test_translate_json_is_the_canonical_document(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sample = EXAMPLES / "samples" / "bigbox" / "850_4500001234.edi"
    code, out, _ = run(capsys, "translate", str(sample), "--config", str(workspace), "--json")
    assert code == 0
    expected = json.loads((GOLDEN / "bigbox" / "850_4500001234.json").read_text())
    assert [json.loads(out)] == expected


def test_translate_without_partner_uses_the_base_profile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    sample = EXAMPLES / "samples" / "northwind" / "850_NW-77001.edi"
    code, out, err = run(capsys, "translate", str(sample), "--json")
    assert code == 0 and "base profile" in err
    doc = json.loads(out)
    assert doc["lines"][0]["unit"] == "CS"                 # the base reads CA as a case, not a dozen
    assert doc["parties"][1]["ids"] == {"buyer": "0042"}


def test_translate_errors_name_the_profile_line_and_the_segment(tmp_path: Path, workspace: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.edi"
    text = (EXAMPLES / "samples" / "bigbox" / "850_4500001234.edi").read_text()
    bad.write_text(text.replace("BEG*00*SA*4500001234**20261127", "BEG*00*SA*4500001234**20261341"))
    code, _, err = run(capsys, "translate", str(bad), "--config", str(workspace))
    assert code == 1
    assert "x12-004010-850.yaml:" in err and "segment 2 BEG element BEG05" in err
    assert "date '20261341'" in err


def test_translate_missing_file_and_unknown_partner(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "translate", "/nonexistent.edi", "--config", str(workspace))[0] == 1
    code, _, err = run(capsys, "translate", str(EXAMPLES / "samples" / "bigbox" / "850_4500001234.edi"),
                       "--partner", "nobody", "--config", str(workspace))
    assert code == 1 and "no partner 'nobody'" in err


def test_translate_with_a_broken_config_names_the_file_and_exits_3(tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "gateway.yaml"
    config.write_text("outbox: {min_backof: 5}\n")
    sample = EXAMPLES / "samples" / "northwind" / "850_NW-77002-03.edi"
    code, out, err = run(capsys, "translate", str(sample), "--config", str(config))
    assert code == EXIT_CONFIG and out == ""
    assert f"error: {config}:1" in err and "min_backof" in err


def test_render_prints_the_partner_file(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "render", str(GOLDEN / "bigbox" / "856_ship_notice.json"), "--partner", "bigbox",
                         "--type", "856", "--config", str(workspace))
    assert code == 0, err
    expected = (GOLDEN / "bigbox" / "856_ship_notice.expected.x12").read_text().split("~\n")
    got = out.split("~\n")
    same = [i for i, seg in enumerate(expected) if not seg.startswith(("ISA", "GS", "BSN"))]
    assert [got[i] for i in same] == [expected[i] for i in same]    # all but the clock-stamped segments


def test_render_errors(workspace: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fixture = str(GOLDEN / "northwind" / "846_inventory.json")
    code, _, err = run(capsys, "render", fixture, "--partner", "bigbox", "--type", "846", "--config", str(workspace))
    assert code == 1 and "partner bigbox has no outbound document 846" in err
    broken = tmp_path / "doc.json"
    broken.write_text('{"doc_type": "ShipNotice", "number": "S1", "orders": []}')
    code, _, err = run(capsys, "render", str(broken), "--partner", "bigbox", "--config", str(workspace))
    assert code == 1 and "not a canonical document: ShipNotice.orders" in err


def test_render_says_which_document_it_takes_and_reads_a_list_of_one(workspace: Path, tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    """A purchase order given where a ship notice is rendered names the document's type and the partner's
    outbound documents, not the shipped profile as if it were wrong; JSON as the golden files and
    `translate --json` of a file of several documents hold it (a list) is read when it holds one document;
    a file that is no JSON says so without an empty place ('document: : ...')."""
    order = str(GOLDEN / "bigbox" / "850_4500001234.json")
    code, _, err = run(capsys, "render", order, "--partner", "bigbox", "--type", "856", "--config", str(workspace))
    assert code == 1 and "the document is a PurchaseOrder, but partner bigbox's 856" in err, err
    assert "writes a ShipNotice; none of partner bigbox's outbound documents writes one" in err
    asn = json.loads((GOLDEN / "bigbox" / "856_ship_notice.json").read_text())
    listed = tmp_path / "listed.json"
    listed.write_text(json.dumps([asn]))
    code, out, err = run(capsys, "render", str(listed), "--partner", "bigbox", "--type", "856",
                         "--config", str(workspace))
    assert code == 0 and out.startswith("ISA*"), err
    listed.write_text(json.dumps([asn, asn]))
    code, _, err = run(capsys, "render", str(listed), "--partner", "bigbox", "--config", str(workspace))
    assert code == 1 and "holds 2 documents; render takes one" in err
    listed.write_text("{bad")
    code, _, err = run(capsys, "render", str(listed), "--partner", "bigbox", "--config", str(workspace))
    assert code == 1 and f"{listed}: not a canonical document: Invalid JSON" in err, err


def test_render_bad_value_names_the_profile_line(workspace: Path, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    doc = json.loads((GOLDEN / "bigbox" / "856_ship_notice.json").read_text())
    doc["orders"][0]["packs"][0]["sscc"] = "006141410000005018"            # wrong check digit
    path = tmp_path / "asn.json"
    path.write_text(json.dumps(doc))
    code, _, err = run(capsys, "render", str(path), "--partner", "bigbox", "--type", "856", "--config", str(workspace))
    assert code == 1
    assert "x12-004010-856.yaml:" in err and "MAN02 (sscc)" in err and "check digit 8, expected 7" in err


def test_render_shows_a_file_the_partner_would_refuse_and_says_why(workspace: Path, tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """The preview prints the bytes even when they break the standard (so the element can be looked at),
    lists each problem on stderr and exits 1: the daemon would hold that document instead of sending it."""
    doc = json.loads((GOLDEN / "bigbox" / "810_invoice.json").read_text())
    doc["number"] = "INV/2026/BIGBOX/000000012345"            # BIG02 allows 22 characters
    path = tmp_path / "invoice.json"
    path.write_text(json.dumps(doc))
    code, out, err = run(capsys, "render", str(path), "--partner", "bigbox", "--type", "810", "--config", str(workspace))
    assert code == 1 and "BIG*" in out and "INV/2026/BIGBOX/000000012345" in out
    assert "the partner's validation would refuse this file" in err and "segment 2 BIG, element 2" in err
    assert "the daemon holds such a document instead of sending it" in err
