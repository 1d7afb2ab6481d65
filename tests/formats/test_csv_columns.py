"""A marketplace export's header row as spreadsheets leave it, through `edi-gateway translate` on a real file."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.formats.test_csv_encodings import HEADER, ROW, shop_workspace, translated


def test_a_column_named_twice_with_two_values_is_refused_not_read_as_the_last(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A hand-made sheet with a second 'Menge' column (the quantity ordered, then the quantity in stock): the
    last one was read, so the order asked for 99 where the customer ordered 2."""
    config = shop_workspace(tmp_path)
    data = f"{HEADER};Menge\r\n{ROW};99\r\n".encode()
    code, doc, err = translated(capsys, config, data)
    assert "row 2: the header names 2 columns 'Menge' (14, 19), and this row has '2' and '99' in them" in err
    assert "SM-2026-9001 is rejected" in err
    same = f"{HEADER};Menge\r\n{ROW};2\r\n".encode()              # the same figure twice is no question
    code, doc, err = translated(capsys, config, same)
    assert code == 0 and "rejected" not in err, err
    assert isinstance(doc, dict) and doc["lines"][0]["quantity"] == "2"


def test_a_tab_separated_file_for_a_semicolon_partner_says_so(tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    """Excel's 'Unicode text' is tab-separated: the reason listed one 'column' of the whole header line."""
    config = shop_workspace(tmp_path)
    data = f"{HEADER}\r\n{ROW}\r\n".replace(";", "\t").encode("utf-16")
    _, _, err = translated(capsys, config, data)
    assert "the header row has no column 'Bestellnummer' to group orders by (it is one column: the file is " \
           "separated by tabs, not by semicolons as the partner's csv.delimiter says)" in err


def test_a_header_in_other_case_and_spacing_is_read_by_the_profiles_names(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A hand-made sheet titled ' BESTELLNUMMER ', 'STRASSE', 'einzel preis'... was not found under the profile's
    'Bestellnummer': every row had 'no value in column Bestellnummer' and the file was quarantined. Columns in
    another order and one more column were read already."""
    config = shop_workspace(tmp_path)
    names = HEADER.split(";")
    shouted = [f" {name.upper()} " for name in names]
    shouted[names.index("Einzelpreis")] = "einzelpreis"
    cells = ROW.split(";")
    order = list(reversed(range(len(names))))
    data = (";".join([shouted[i] for i in order] + ["Notiz"]) + "\r\n"
            + ";".join([cells[i] for i in order] + ["bitte klingeln"]) + "\r\n").encode()
    code, doc, err = translated(capsys, config, data)
    assert code == 0, err
    assert isinstance(doc, dict) and doc["number"] == "SM-2026-9001" and doc["date"] == "2026-11-27"
    [ship_to] = doc["parties"]
    assert (ship_to["name"], ship_to["address"]["lines"], ship_to["address"]["city"]) == (
        "Jürgen Weiß", ["Lindenallee 12"], "Köln")
    assert [(line["quantity"], line["unit_price"], line["item_ids"]) for line in doc["lines"]] == [
        ("2", "12.50", {"vendor": "WB-100", "ean": "0614141000012"})]


@pytest.mark.parametrize("first_line", ["sep=;", "SEP=,"])
def test_excels_sep_line_is_not_taken_for_the_header(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                     first_line: str) -> None:
    """Exports made 'for Excel' start with a line naming the delimiter, which Excel reads and never shows: it was
    taken for the header row ('the header row has no column Bestellnummer (columns: sep=)'). The delimiter it
    names is the one the file is read with."""
    config = shop_workspace(tmp_path)
    row = ROW.replace("12,50", "12").replace("25,00", "24")          # no decimal comma in a comma-separated file
    data = f"{first_line}\r\n{HEADER}\r\n{row}\r\n".replace(";", first_line[-1])
    code, doc, err = translated(capsys, config, data.encode())
    assert code == 0, err
    assert isinstance(doc, dict) and doc["number"] == "SM-2026-9001"
    assert [(line["quantity"], line["item_ids"]["vendor"]) for line in doc["lines"]] == [("2", "WB-100")]


def test_title_rows_above_the_header_of_a_report_export_are_skipped(tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """An ERP's report export starts with its title and a blank row: the title was taken for the header row
    ('the header row has no column Bestellnummer (columns: Bestellungen November 2026)') and the file held.
    The header is the first row naming the group_by column; errors keep the sheet's row numbers."""
    config = shop_workspace(tmp_path)
    data = f"Bestellungen November 2026;;;\r\n;;;\r\n{HEADER}\r\n{ROW}\r\n{ROW.replace(';12,50;', ';zwölf;')}\r\n"
    _, _, err = translated(capsys, config, data.encode())
    assert "row 5 column Einzelpreis (unit_price): 'zwölf' is not a number" in err, err
    code, doc, err = translated(capsys, config, f"Bestellungen November 2026\r\n\r\n{HEADER}\r\n{ROW}\r\n".encode())
    assert code == 0, err
    assert isinstance(doc, dict) and doc["number"] == "SM-2026-9001" and len(doc["lines"]) == 1
