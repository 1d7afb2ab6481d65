"""One order over several rows of a marketplace export, through `edi-gateway translate`: the order's own columns
(number, date, ship-to) are read from its first row, so the other rows must not say otherwise."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.formats.test_csv_encodings import HEADER, ROW, shop_workspace, translated

SECOND = ROW.replace(";1;WB-100;0614141000012;Blue Widget;2;12,50;25,00;", ";2;CB-400;0614141000043;Cable;1;30,00;30,00;")
OTHER = ROW.replace("SM-2026-9001", "SM-2026-9002").replace("Jürgen Weiß", "Ida Berg")


def test_a_later_row_with_another_ship_to_is_refused_naming_row_and_column(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The first row's street was taken and the second line, meant for another address, went there too."""
    moved = SECOND.replace("Lindenallee 12", "Hauptstraße 5")
    _, _, err = translated(capsys, shop_workspace(tmp_path), f"{HEADER}\r\n{ROW}\r\n{moved}\r\n".encode())
    assert "row 3 column Straße (address.lines.0): 'Hauptstraße 5' differs from 'Lindenallee 12' in row 2, the " \
           "document's first" in err, err


def test_rows_apart_and_blank_order_columns_make_one_order(tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    """Another order between two rows of one, and a second row with the order's columns left blank (Shopify's
    export gives them on an order's first row only): one order of two lines, the first row's ship-to."""
    names, cells = HEADER.split(";"), SECOND.split(";")
    for name in ("Bestelldatum", "Kunde", "Straße", "PLZ", "Ort", "Land", "E-Mail"):
        cells[names.index(name)] = ""
    data = f"{HEADER}\r\n{ROW}\r\n{OTHER}\r\n{';'.join(cells)}\r\n".encode()
    code, docs, err = translated(capsys, shop_workspace(tmp_path), data)
    assert code == 0, err
    assert isinstance(docs, list)
    first = next(doc for doc in docs if doc["number"] == "SM-2026-9001")
    assert [line["item_ids"]["vendor"] for line in first["lines"]] == ["WB-100", "CB-400"]
    assert first["parties"][0]["address"]["lines"] == ["Lindenallee 12"]


def test_rows_that_say_the_same_in_other_words_agree(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Columns are compared as read: the order's date at another time of day is the same date."""
    first = ROW.replace("27.11.2026", "27.11.2026 09:14")
    second = SECOND.replace("27.11.2026", "27.11.2026 09:15")
    code, doc, err = translated(capsys, shop_workspace(tmp_path), f"{HEADER}\r\n{first}\r\n{second}\r\n".encode())
    assert code == 0, err
    assert isinstance(doc, dict) and doc["date"] == "2026-11-27" and len(doc["lines"]) == 2


def test_an_orders_columns_on_a_later_row_only_are_read(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Shopify's export gives an order's own columns on its first row only; sorted by item in the sheet, the row
    holding them may come second. They were read from the first row alone: the order went to Odoo without its
    date and its ship-to's name and address, without a word. A third row giving another street is still refused."""
    names, cells = HEADER.split(";"), ROW.split(";")
    for name in ("Bestelldatum", "Kunde", "Straße", "PLZ", "Ort", "Land", "E-Mail"):
        cells[names.index(name)] = ""
    data = f"{HEADER}\r\n{';'.join(cells)}\r\n{SECOND}\r\n".encode()
    code, doc, err = translated(capsys, shop_workspace(tmp_path), data)
    assert code == 0, err
    assert isinstance(doc, dict) and doc["date"] == "2026-11-27" and len(doc["lines"]) == 2
    [ship_to] = doc["parties"]
    assert (ship_to["name"], ship_to["address"]["lines"], ship_to["address"]["postal_code"],
            ship_to["address"]["city"], ship_to["address"]["country"]) == ("Jürgen Weiß", ["Lindenallee 12"],
                                                                          "50667", "Köln", "DE")
    moved = SECOND.replace(";2;CB-400;", ";3;GL-300;").replace("Lindenallee 12", "Hauptstraße 5")
    _, _, err = translated(capsys, shop_workspace(tmp_path / "moved"), data + f"{moved}\r\n".encode())
    assert "row 4 column Straße (address.lines.0): 'Hauptstraße 5' differs from 'Lindenallee 12' in row 3:" in err, err
