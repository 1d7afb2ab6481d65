"""A CSV shipment confirmation read in (a 3PL's or a vendor's), through `edi-gateway translate --profile`: the
rows of one order make one order of the shipment wherever they are."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.formats.test_csv_encodings import cli_translate, shop_workspace

HEADER = "Bestellnummer;Position;Artikelnummer;Menge;Versanddatum;Versanddienstleister;Sendungsnummer;Lieferschein"
ROWS = ["SM-1;1;WB-100;2;01.12.2026;DHL Paket;00340434161234567890;WH/OUT/00031",
        "SM-2;1;CB-400;1;01.12.2026;DHL Paket;00340434161234567890;WH/OUT/00031",
        "SM-1;2;GL-300;3;01.12.2026;DHL Paket;00340434161234567890;WH/OUT/00031"]


def test_an_orders_rows_apart_in_a_shipment_make_one_order(tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    """Rows sorted by item put SM-1's two rows apart: the shipment had SM-1 twice, SM-1, SM-2, SM-1."""
    config = shop_workspace(tmp_path, group_by="Lieferschein")
    data = "\r\n".join([HEADER, *ROWS, ""]).encode()
    code, doc, err = cli_translate(capsys, tmp_path / "shipment.csv", data, "--partner", "shopmarket", "--config",
                                   str(config), "--profile", "shopmarket-shipment")
    assert code == 0, err
    assert isinstance(doc, dict) and doc["number"] == "WH/OUT/00031"
    assert [(order["po_number"], [item["line_no"] for item in order["items"]]) for order in doc["orders"]] == [
        ("SM-1", ["1", "2"]), ("SM-2", ["1"])]


def test_a_shipments_parcels_tracking_numbers_are_all_read(tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    """A shipment of two parcels gives each row its parcel's tracking number. Since 9898424 the file was refused
    ('differs from ... in row 2, the document's first'), and before it the second number was dropped: they are
    the shipment's, joined with ',' as Odoo's carrier_tracking_ref holds several parcels' numbers."""
    config = shop_workspace(tmp_path, group_by="Lieferschein")
    second = ROWS[2].replace("00340434161234567890", "00340434161234567891")
    data = "\r\n".join([HEADER, ROWS[0], ROWS[1], second, ROWS[0].replace(";1;WB-100;2;", ";3;BX-9;1;"), ""])
    code, doc, err = cli_translate(capsys, tmp_path / "shipment.csv", data.encode(), "--partner", "shopmarket",
                                   "--config", str(config), "--profile", "shopmarket-shipment")
    assert code == 0, err
    assert isinstance(doc, dict) and doc["tracking_number"] == "00340434161234567890,00340434161234567891"
    assert doc["carrier_name"] == "DHL Paket"
    code, _, err = cli_translate(capsys, tmp_path / "carriers.csv", data.replace(
        "01.12.2026;DHL Paket;00340434161234567891", "01.12.2026;UPS;00340434161234567891").encode(),
        "--partner", "shopmarket", "--config", str(config), "--profile", "shopmarket-shipment")
    assert code != 0 and "'UPS' differs from 'DHL Paket' in row 2" in err, err
