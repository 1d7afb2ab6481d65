"""Numbers with thousands separators as spreadsheets save a formatted cell (US "1,234.50", French "1 234,50",
Swiss "1'234.50"), through `edi-gateway translate`."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from tests.formats.test_csv_encodings import HEADER, ROW, shop_workspace, translated


def _us_file(**cells: str) -> bytes:
    names, values = HEADER.split(";"), ROW.split(";")
    for name, value in cells.items():
        values[names.index(name)] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows([names, values])
    return out.getvalue().encode()


def test_thousands_commas_are_read_in_number_columns_only(tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    """A decimal-point partner's '1,234.50' price and '1,200' quantity were 'not a number' (the order was
    quarantined) while the decimal-comma dialect read '1.234,50'. An article number '100,200' is not a column the
    profile reads as a number, and stays as written."""
    config = shop_workspace(tmp_path, delimiter='","', decimal='"."')
    data = _us_file(Menge="1,200", Einzelpreis="1,234.50", Gesamtpreis="1,481,400.00", Artikelnummer="100,200")
    code, doc, err = translated(capsys, config, data)
    assert code == 0, err
    assert isinstance(doc, dict)
    [line] = doc["lines"]
    assert (line["quantity"], line["unit_price"], line["item_ids"]["vendor"]) == ("1200", "1234.50", "100,200")
    code, _, err = translated(capsys, config, _us_file(Einzelpreis="12,50"))    # a decimal comma: refused
    assert code != 0 and "row 2 column Einzelpreis (unit_price): '12,50' is not a number" in err


@pytest.mark.parametrize(("decimal", "delimiter", "price", "quantity"), [
    (",", ";", "1\u00a0234,50", "1\u00a0200"),       # French Excel: no-break spaces
    (",", ";", "1 234,50", "1 200"),
    (".", ",", "1'234.50", "1'200"),                 # Swiss
    (".", ",", "1 234.50", "1 200"),
])
def test_thousands_in_spaces_or_apostrophes_are_read_in_number_columns(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], decimal: str, delimiter: str, price: str,
        quantity: str) -> None:
    """A French export's '1 234,50' (Excel writes a no-break space) and a Swiss '1'234.50' were 'not a number'."""
    config = shop_workspace(tmp_path, delimiter=f'"{delimiter}"', decimal=f'"{decimal}"')
    names, values = HEADER.split(";"), ROW.split(";")
    values[names.index("Menge")], values[names.index("Einzelpreis")] = quantity, price
    values[names.index("Gesamtpreis")] = "0"
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows([names, values])
    code, doc, err = translated(capsys, config, out.getvalue().encode())
    assert code == 0, err
    assert isinstance(doc, dict)
    assert [(line["quantity"], line["unit_price"]) for line in doc["lines"]] == [("1200", "1234.50")]


@pytest.mark.parametrize("price", ["12,50 €", "€12,50", "EUR 12,50"])
def test_a_price_with_the_orders_currency_sign_is_read_and_another_refused(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], price: str) -> None:
    """Excel saves a column formatted as currency with its sign. It was refused whatever the sign; now a sign that
    is the order's currency (its Währung column says EUR) is read, in the partner's decimal comma, and a sign of
    another currency is refused naming row and column (tests/translate_other/test_csv16_currency.py: the daemon)."""
    config = shop_workspace(tmp_path)
    code, doc, err = translated(capsys, config, f"{HEADER}\r\n{ROW.replace(';12,50;', f';{price};')}\r\n".encode())
    assert code == 0, err
    assert isinstance(doc, dict) and doc["lines"][0]["unit_price"] == "12.50"
    dollars = price.replace("€", "$").replace("EUR", "USD")
    code, _, err = translated(capsys, config, f"{HEADER}\r\n{ROW.replace(';12,50;', f';{dollars};')}\r\n".encode())
    assert code != 0
    assert "row 2 column Einzelpreis: a number in " in err and "but the document's currency is EUR" in err, err


def test_a_comma_in_a_semicolon_separated_decimal_point_file_is_not_read_as_thousands(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Excel separates with ';' where ',' is the decimal mark: ShopMarket's partner file without csv.decimal (the
    default '.') and an order of quantities only, '1,000' (one, in 3 decimals as SAP writes them), was read as a
    thousand (since 05eac51) and posted so. It is left as text and refused, saying why; with ',' between columns
    (a US export) '1,200' is still twelve hundred, and an apostrophe (Swiss, ';' and '.') is still thousands."""
    config = shop_workspace(tmp_path, decimal='"."')
    one = ROW.replace(";2;12,50;25,00;", ";1,000;;;")
    code, _, err = translated(capsys, config, f"{HEADER}\r\n{one}\r\n".encode())
    assert code != 0
    assert "1,000 uses ',' in a file separated by ';'" in err and "csv.decimal: ','" in err, err
    assert "row 2 column Menge (quantity): '1,000' is not a number" in err, err
    swiss = ROW.replace(";2;12,50;25,00;", ";1'200;1'234.50;;")
    code, doc, err = translated(capsys, config, f"{HEADER}\r\n{swiss}\r\n".encode())
    assert code == 0 and isinstance(doc, dict), err
    assert [(line["quantity"], line["unit_price"]) for line in doc["lines"]] == [("1200", "1234.50")]
