"""Which encoding a marketplace's CSV export is read in, through `edi-gateway translate` on a real file.

Excel saves 'CSV' in the machine's ANSI code page (Windows-1252 in Western Europe), 'CSV UTF-8' as UTF-8
with a byte-order mark, and 'Unicode text' as UTF-16 LE with one: a partner's people use all three.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gateway.cli import main
from tests.helpers.examples import example_workspace

HEADER = ("Bestellnummer;Bestelldatum;Kunde;Straße;PLZ;Ort;Land;E-Mail;Telefon;Position;Artikelnummer;EAN;"
          "Artikelbezeichnung;Menge;Einzelpreis;Gesamtpreis;Währung;Versandart")
ROW = ("SM-2026-9001;27.11.2026;Jürgen Weiß;Lindenallee 12;50667;Köln;DE;jw@example.de;;1;WB-100;0614141000012;"
       "Blue Widget;2;12,50;25,00;EUR;DHL Paket")


def shop_workspace(tmp_path: Path, **csv: str) -> Path:
    """The ShopMarket example workspace, its partner file's `csv:` settings changed as given."""
    config = example_workspace(tmp_path / "ws", ("shopmarket",))
    partner = config.parent / "partners" / "shopmarket.yaml"
    text = partner.read_text(encoding="utf-8")
    for key, value in csv.items():
        if f"\n  {key}: " not in text:
            text = text.replace("\ncsv:\n", f"\ncsv:\n  {key}: {value}\n", 1)
            continue
        start = text.index(f"\n  {key}: ") + 1
        end = text.index("\n", start)
        text = text[:start] + f"  {key}: {value}" + text[end:]
    partner.write_text(text, encoding="utf-8")
    return config


def cli_translate(capsys: pytest.CaptureFixture[str], path: Path, data: bytes,
                  *options: str) -> tuple[int, dict | list | None, str]:  # type: ignore[type-arg]
    """(exit code, the canonical JSON or None, stderr) of `edi-gateway translate PATH --json OPTIONS` on `data`."""
    path.write_bytes(data)
    code = main(["translate", str(path), "--json", *options])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, json.loads(out) if out.strip() else None, err


def translated(capsys: pytest.CaptureFixture[str], config: Path, data: bytes,
               name: str = "orders.csv") -> tuple[int, dict | list | None, str]:  # type: ignore[type-arg]
    """`cli_translate` of `data` as ShopMarket's."""
    return cli_translate(capsys, config.parent / name, data, "--partner", "shopmarket", "--config", str(config))


def _names(doc: dict) -> tuple[str, str, str]:  # type: ignore[type-arg]
    [ship_to] = [p for p in doc["parties"] if p["role"] == "ship_to"]
    return ship_to["name"], ship_to["address"]["lines"][0], ship_to["address"]["city"]


@pytest.mark.parametrize(("saved_as", "data"), [
    ("Excel 'CSV UTF-8' (byte-order mark)", b"\xef\xbb\xbf" + f"{HEADER}\r\n{ROW}\r\n".encode()),
    ("UTF-8 without a mark (Shopify, LibreOffice)", f"{HEADER}\n{ROW}\n".encode()),
    ("Excel 'Unicode text' (UTF-16 LE, byte-order mark)", f"{HEADER}\r\n{ROW}\r\n".encode("utf-16")),
    ("Excel 'CSV' on a Western-European Windows", f"{HEADER}\r\n{ROW}\r\n".encode("cp1252")),
])
def test_a_partner_set_up_for_windows_1252_is_read_right_whatever_excel_saved(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], saved_as: str, data: bytes) -> None:
    """With `csv.encoding: cp1252`, a UTF-8 export was read as Windows-1252: "Jürgen Weiß" of "Köln" reached
    Odoo as "JÃ¼rgen WeiÃŸ" of "KÃ¶ln" without a word (and with a byte-order mark the first column was not
    found, so no row had an order number). A UTF-16 export was refused."""
    config = shop_workspace(tmp_path, encoding="cp1252")
    code, doc, err = translated(capsys, config, data)
    assert code == 0, (saved_as, err)
    assert isinstance(doc, dict) and doc["number"] == "SM-2026-9001"
    assert _names(doc) == ("Jürgen Weiß", "Lindenallee 12", "Köln")


def test_excel_unicode_text_is_read_for_a_utf8_partner_too(tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    """Excel's 'Unicode text' is tab-separated UTF-16: its byte-order mark says so, so a partner whose settings
    name the tab and leave the encoding at utf-8 is read (it was refused, 'set csv.encoding: utf-16')."""
    config = shop_workspace(tmp_path, delimiter='"\\t"')
    data = f"{HEADER}\r\n{ROW}\r\n".replace(";", "\t").encode("utf-16")
    code, doc, err = translated(capsys, config, data)
    assert code == 0, err
    assert isinstance(doc, dict) and _names(doc) == ("Jürgen Weiß", "Lindenallee 12", "Köln")
    assert doc["lines"][0]["unit_price"] == "12.50"


def test_a_windows_1252_file_for_a_utf8_partner_is_refused_showing_the_names_as_they_would_read(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Refused, never guessed (the same bytes are other letters in Polish or Czech Windows), but the reason now
    shows each cell as Windows-1252 reads it, so the coordinator knows which setting to make."""
    config = shop_workspace(tmp_path)
    _, _, err = translated(capsys, config, f"{HEADER}\r\n{ROW}\r\n".encode("cp1252"))
    assert "SM-2026-9001 is rejected by these errors" in err
    assert "set csv.encoding: cp1252" in err
    assert "row 2, column 'Ort': 'K\ufffdln' holds bytes that are not valid utf-8; read as Windows-1252 it is " \
           "'Köln'" in err
