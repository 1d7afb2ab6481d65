"""CSV we send is not run as spreadsheet formulas (OWASP 'CSV injection'): a text cell from Odoo starting with = + -
@ TAB or CR (a carrier name, a product code, an order number a customer typed) gets a leading apostrophe, by default,
so the ShopMarket coordinator who opens the shipment confirmation in Excel sees text, not a HYPERLINK that posts the
next cell to a stranger or a DDE command. Number columns are never touched (a quantity -5 stays -5 for the
importer), nor text no formula harms with (a code '+GL-300', a phone, '-5'). `csv.formula_escape: none` writes every
cell as it is.

Through the real `render` CLI on the shipped example workspace; the expected file is golden."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from gateway.cli import main
from gateway.config.models import CsvSettings
from gateway.formats import csv as csv_format
from tests.helpers.examples import EXAMPLES, example_workspace

HERE = Path(__file__).resolve().parent / "sec18"
DOC = HERE / "shopmarket_formulas.json"


def render(config: Path, capsys: pytest.CaptureFixture[str]) -> str:
    code = main(["render", str(DOC), "--partner", "shopmarket", "--type", "csv-shipment", "--config", str(config)])
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


def test_formula_cells_of_a_shipment_confirmation_are_written_as_text(capsys: pytest.CaptureFixture[str]) -> None:
    out = render(EXAMPLES / "gateway.yaml", capsys)
    assert out == (HERE / "shopmarket_formulas.csv").read_bytes().decode()
    rows = [line.split(";") for line in out.split("\r\n")[1:] if line]
    assert [r[3] for r in rows] == ["-5", "3", "4,5", "1"]                # Menge: numbers as the importer reads them
    assert [r[2] for r in rows] == ["+GL-300", "-5", "\tSP-500", "WR-200 (=2x)"]     # codes: no formula in them
    assert rows[0][5].startswith("\"'=HYPERLINK(") and rows[0][0].startswith("'@SUM(")


def test_a_partner_whose_importer_is_a_program_gets_every_cell_as_it_is(tmp_path: Path,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    config = example_workspace(tmp_path / "ws", ("shopmarket",))
    partner = tmp_path / "ws" / "partners" / "shopmarket.yaml"
    partner.write_text(partner.read_text().replace("\ncsv:\n", "\ncsv:\n  formula_escape: none\n", 1))
    out = render(config, capsys)
    assert "'" not in out.replace("|' /C calc'!", "")
    assert out.split("\r\n")[1].startswith("@SUM(1+1)*cmd|' /C calc'!A0;1;+GL-300;-5;")


def test_number_values_and_number_columns_are_never_escaped() -> None:
    rows = [{"code": "-5", "name": "=1+1", "qty": "-5", "price": Decimal(-2)}]
    written = csv_format.write(rows, CsvSettings(), ["code", "name", "qty", "price"], numbers={"qty"}).decode()
    assert written.splitlines()[1] == "-5,'=1+1,-5,-2"



def test_a_code_a_phone_number_or_an_amount_is_sent_as_it_is(tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    """A cell without '=', a parenthesis, '|', '!', '[', a quote or a backslash calls no function, DDE program, sheet
    or file: no formula harms with it. Escaped, a vendor's importer stored the apostrophe as part of the ship-to phone
    Odoo writes in international form ('+49 30 1234567') on every drop-ship order, and a SKU '-A12' matched nothing."""
    config = example_workspace(tmp_path / "ws", ("shopmarket",))
    partner = tmp_path / "ws" / "partners" / "shopmarket.yaml"
    partner.write_text(partner.read_text() + "  - {type: csv-po, direction: out, profile: csv-order}\n")
    code = main(["render", str(HERE / "dropship_po_phone.json"), "--partner", "shopmarket", "--type", "csv-po",
                 "--config", str(config)])
    out, err = capsys.readouterr()
    assert code == 0, err
    header, row = (line.split(";") for line in out.split("\r\n")[:2])
    cells = dict(zip(header, row, strict=True))
    assert cells["ship_to_phone"] == "+49 30 1234567"
    assert (cells["sku"], cells["description"]) == ("-A12", "-20% Set")
    assert (cells["quantity"], cells["amount"]) == ("-5", "-62,50")
    rows = [{"phone": "+1 (555) 123-4567", "amount": "-1.234,50", "none": "-", "dde": "-2+3+cmd|' /C calc'!A0",
             "sheet": "-'\\\\host\\s\\[x]1'!1:1"}]
    written = csv_format.write(rows, CsvSettings(delimiter=";"), list(rows[0])).decode().splitlines()[1]
    assert written == "+1 (555) 123-4567;-1.234,50;-;'-2+3+cmd|' /C calc'!A0;'-'\\\\host\\s\\[x]1'!1:1"
