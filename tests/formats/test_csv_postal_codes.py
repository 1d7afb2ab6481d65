"""Postal codes Excel saved as numbers, through `edi-gateway translate` on ShopMarket's export."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.formats.test_csv_encodings import HEADER, ROW, shop_workspace, translated


@pytest.mark.parametrize(("sent", "country", "read"), [
    ("1067", "DE", "01067"),              # Dresden
    ("184", "IT", "00184"),               # Rome
    ("2134", "US", "02134"),              # Boston
    ("150", "NO", "0150"),                # Oslo
    ("01067", "DE", "01067"),
    ("1010", "AT", "1010"),               # Vienna: Austrian codes are four digits
    ("1234 AB", "NL", "1234 AB"),
    ("SW1A 1AA", "GB", "SW1A 1AA"),
])
def test_a_postal_code_a_spreadsheet_took_the_zeros_off_gets_them_back(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], sent: str, country: str, read: str) -> None:
    """Excel saves Dresden's 01067 as 1067: the ship-to went to Odoo, and on the carrier's label, as 1067."""
    row = ROW.replace(";50667;Köln;DE;", f";{sent};Köln;{country};")
    code, doc, err = translated(capsys, shop_workspace(tmp_path), f"{HEADER}\r\n{row}\r\n".encode())
    assert code == 0, err
    assert isinstance(doc, dict)
    [ship_to] = doc["parties"]
    assert (ship_to["address"]["postal_code"], ship_to["address"]["country"]) == (read, country)
