"""Order dates as spreadsheets write them, through `edi-gateway translate` on a real file: the profile says the
format (`date:`), and a date that does not fit is refused naming row, column, value and the format expected."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.formats.test_csv_encodings import HEADER, ROW, shop_workspace, translated


def _dated(tmp_path: Path, fmt: str) -> Path:
    """The ShopMarket workspace with its order date read as `fmt`."""
    config = shop_workspace(tmp_path)
    profile = config.parent / "translations" / "shopmarket-order.yaml"
    text = profile.read_text(encoding="utf-8")
    assert "date: {at: Bestelldatum, date: DD.MM.CCYY}" in text
    profile.write_text(text.replace("date: {at: Bestelldatum, date: DD.MM.CCYY}",
                                    f"date: {{at: Bestelldatum, date: {fmt}}}"), encoding="utf-8")
    return config


def _file(date: str) -> bytes:
    return f"{HEADER}\r\n{ROW.replace('27.11.2026', date)}\r\n".encode()


@pytest.mark.parametrize(("fmt", "written"), [
    ("MM/DD/CCYY", "11/7/2026"),          # Excel in the US: month and day without their zeros
    ("MM/DD/CCYY", "11/07/2026"),
    ("DD/MM/CCYY", "7/11/2026"),          # Excel in the UK, France, Spain
    ("DD/MM/CCYY", "07/11/2026"),
    ("DD.MM.CCYY", "7.11.2026"),
    ("DD.MM.CCYY", "07.11.2026 14:05"),   # a date-and-time cell: the day is the date
    ("excel", "46333"),                   # a date cell formatted as a number
])
def test_spreadsheet_dates_are_read_in_the_format_the_profile_says(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str, written: str) -> None:
    """US Excel writes 11/7/2026: MM/DD/CCYY read it by position ('11/7/2026' is not written MM/DD/CCYY), so
    every order dated 1-9 of a month or January-September was quarantined. There was no day-first format with
    slashes, nor one for a spreadsheet's day number."""
    code, doc, err = translated(capsys, _dated(tmp_path, fmt), _file(written))
    assert code == 0, err
    assert isinstance(doc, dict) and doc["date"] == "2026-11-07"


@pytest.mark.parametrize(("fmt", "written", "said"), [
    ("DD.MM.CCYY", "46333", ("date '46333' is not written DD.MM.CCYY (like 30.11.2026); 46333 is a spreadsheet's "
                            "day number for 2026-11-07: the column is formatted as a number in the sheet")),
    ("DD.MM.CCYY", "07.11.26", "date '07.11.26' is not written DD.MM.CCYY (like 30.11.2026)"),
])   # 30/11/2026 under MM/DD/CCYY holds the whole file: tests/translate_other/test_csv16_dates.py
def test_a_date_that_does_not_fit_names_row_column_value_and_format(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str, written: str, said: str) -> None:
    """'07.11.26' was 'not a valid DD.MM.CCYY date (no such day)', and a day number gave no clue what it was."""
    code, _, err = translated(capsys, _dated(tmp_path, fmt), _file(written))
    assert code != 0
    assert "row 2 column Bestelldatum (date): " + said in err, err
