"""The CSV shipment confirmation we send back, in the dialect the partner asked for, through `edi-gateway render`
(the renderer the scheduler uses) on ShopMarket's example ship notice."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gateway.cli import main
from tests.formats.test_csv_encodings import shop_workspace

SHIP_NOTICE = Path(__file__).resolve().parents[1] / "translate_other" / "fixtures" / "shopmarket_shipnotice.json"


def rendered(tmp_path: Path, capsys: pytest.CaptureFixture[str], carrier: str | None = None,
             **csv: str) -> tuple[int, bytes, str]:
    """(exit code, the confirmation's bytes, stderr) for the example ship notice, its carrier named `carrier`."""
    config = shop_workspace(tmp_path, **csv)
    doc = json.loads(SHIP_NOTICE.read_text(encoding="utf-8"))
    if carrier is not None:
        doc["carrier_name"] = carrier
    source, out = tmp_path / "asn.json", tmp_path / "out.csv"
    source.write_text(json.dumps(doc), encoding="utf-8")
    code = main(["render", str(source), "--partner", "shopmarket", "--type", "csv-shipment", "--config",
                 str(config), "--output", str(out)])
    _, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out.read_bytes() if out.exists() else b"", err


def test_line_ends_are_the_partners(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Every file went out with CRLF; a partner whose importer splits on LF alone had a CR ending each last
    column ('WH/OUT/00031\\r' is no delivery note of theirs)."""
    code, data, err = rendered(tmp_path, capsys, line_end="lf")
    assert code == 0, err
    assert b"\r" not in data and data.count(b"\n") == 4 and data.endswith(b";WH/OUT/00031\n")
    code, data, err = rendered(tmp_path / "default", capsys)
    assert code == 0, err
    assert data.count(b"\r\n") == 4


def test_a_name_the_partners_encoding_lacks_is_refused_naming_row_and_column(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """'Łódź' for a Windows-1252 partner raised UnicodeEncodeError out of the renderer: no reason a person could
    act on, and the scheduler did not hold the confirmation (it is held, with this reason, as any render
    refusal). One the encoding has is written in it."""
    code, _, err = rendered(tmp_path, capsys, carrier="Kurier Łódź", encoding="cp1252")
    assert code != 0
    assert "row 2, column 'Versanddienstleister': 'Kurier Łódź' holds 'Ł', which cp1252 (the partner's " \
           "csv.encoding) cannot write" in err
    code, data, err = rendered(tmp_path / "ok", capsys, carrier="Spedition Müller", encoding="cp1252")
    assert code == 0 and ";Spedition M\xfcller;".encode("latin-1") in data, err


def test_a_file_without_quoting_refuses_a_cell_holding_the_delimiter(tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    """With `quoting: none` the cell went out as 'DHL\\; Express': the partner's importer split the row there
    and read the backslash as text."""
    code, _, err = rendered(tmp_path, capsys, carrier="DHL; Express", quoting="none")
    assert code != 0
    assert "row 2, column 'Versanddienstleister': 'DHL; Express' holds ';', which a file without quoting" in err
    code, data, err = rendered(tmp_path / "ok", capsys, carrier="DHL Express", quoting="none")
    assert code == 0 and b";DHL Express;" in data, err


def test_a_file_without_quoting_carries_a_quote_inside_a_cell(tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    """A quote inside a cell opens nothing (an inch mark, a name in quotes after a word): it went out as
    'Spedition \\"Blitz\\"' before aec1473, and since then the confirmation was held. A quote opening the cell
    is still refused, as a reader that quotes at all would take it for the start of a quoted cell."""
    code, data, err = rendered(tmp_path, capsys, carrier='Spedition "Blitz"', quoting="none")
    assert code == 0 and b';Spedition "Blitz";' in data, err
    code, _, err = rendered(tmp_path / "start", capsys, carrier='"Blitz" Kurier', quoting="none")
    assert code != 0
    assert "row 2, column 'Versanddienstleister': '\"Blitz\" Kurier' holds '\"'" in err
    code, data, err = rendered(tmp_path / "minimal", capsys, carrier='"Blitz" Kurier')
    assert code == 0 and b';"""Blitz"" Kurier";' in data, err
