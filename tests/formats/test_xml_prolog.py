"""XML as small customers' shop scripts write it, through `edi-gateway translate` (base UBL and cXML profiles):
what lies before the root and how its text is spelt is read right or refused with the reason, never bent."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.formats.test_csv_encodings import cli_translate

UBL = """<?xml version="1.0" encoding="{encoding}"?>
<Order xmlns="urn:oasis:names:specification:ubl:schema:xsd:Order-2"
 xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
 xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
<cbc:UBLVersionID>2.1</cbc:UBLVersionID><cbc:ID>U-1</cbc:ID><cbc:IssueDate>2026-11-30</cbc:IssueDate>
<cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>
<cac:BuyerCustomerParty><cac:Party><cac:PartyName><cbc:Name>{name}</cbc:Name></cac:PartyName>
<cac:PostalAddress><cbc:StreetName>Hauptstraße 1</cbc:StreetName><cbc:CityName>Köln</cbc:CityName>
<cbc:PostalZone>50667</cbc:PostalZone></cac:PostalAddress></cac:Party></cac:BuyerCustomerParty>
<cac:OrderLine><cac:LineItem><cbc:ID>1</cbc:ID><cbc:Quantity unitCode="C62">4</cbc:Quantity>
<cac:Price><cbc:PriceAmount currencyID="EUR">10.00</cbc:PriceAmount></cac:Price>
<cac:Item><cbc:Name>Red</cbc:Name><cac:SellersItemIdentification><cbc:ID>WR-200</cbc:ID>
</cac:SellersItemIdentification></cac:Item></cac:LineItem></cac:OrderLine>
</Order>
"""


def translated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
               data: bytes) -> tuple[int, dict | list | None, str]:  # type: ignore[type-arg]
    """`cli_translate` of `data` with the base profiles (no gateway.yaml)."""
    monkeypatch.chdir(tmp_path)
    return cli_translate(capsys, tmp_path / "order.xml", data)


def _buyer(doc: dict) -> tuple[str, str, str]:  # type: ignore[type-arg]
    [buyer] = [p for p in doc["parties"] if p["role"] == "buyer"]
    return buyer["name"], buyer["address"]["lines"][0], buyer["address"]["city"]


def test_blank_lines_before_the_xml_declaration_are_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    """A shop script that prints a newline before `<?xml` (PHP's classic): the order was quarantined, 'XML
    declaration allowed only at the start of the document'. Errors still name the partner's line."""
    order = UBL.format(encoding="UTF-8", name="Bäckerei Müller")
    code, doc, err = translated(tmp_path, monkeypatch, capsys, b"\xef\xbb\xbf\r\n\r\n" + order.encode())
    assert code == 0, err
    assert isinstance(doc, dict) and doc["number"] == "U-1" and _buyer(doc)[0] == "Bäckerei Müller"
    broken = "\n\n" + order.replace("<cbc:ID>U-1</cbc:ID>", "<cbc:ID>U-1</cbc:Id>")
    code, _, err = translated(tmp_path, monkeypatch, capsys, broken.encode())
    assert code != 0 and "line 7" in err, err                  # the 5th line of the document, 7th of the file


def test_utf8_text_under_an_iso_8859_1_declaration_is_read_as_utf8(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """A template's declaration says ISO-8859-1 around text the shop writes in UTF-8: 'Köln' was read as
    'KÃ¶ln' and posted so. A document really in ISO-8859-1 is read as it says."""
    order = UBL.format(encoding="ISO-8859-1", name="Bäckerei Müller")
    code, doc, err = translated(tmp_path, monkeypatch, capsys, order.encode("utf-8"))
    assert code == 0, err
    assert isinstance(doc, dict) and _buyer(doc) == ("Bäckerei Müller", "Hauptstraße 1", "Köln")
    code, doc, err = translated(tmp_path, monkeypatch, capsys, order.encode("iso-8859-1"))
    assert code == 0, err
    assert isinstance(doc, dict) and _buyer(doc) == ("Bäckerei Müller", "Hauptstraße 1", "Köln")


def test_an_entity_no_loaded_dtd_declares_is_refused_not_read_around(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """`&eacute;` in a document naming an external DTD (which the gateway never loads): the name was read as
    the text before it, 'Caf', and the order went on with it."""
    order = UBL.format(encoding="UTF-8", name="Caf&eacute; Central").replace(
        "<Order ", '<!DOCTYPE Order SYSTEM "http://example.com/order.dtd">\n<Order ', 1)
    code, _, err = translated(tmp_path, monkeypatch, capsys, order.encode())
    assert code != 0
    assert "entity &eacute; (line 8) is not one of XML's own" in err
    assert "write the character itself or as a character reference (&#233;)" in err
    code, doc, err = translated(tmp_path, monkeypatch, capsys, order.replace("&eacute;", "&#233;").encode())
    assert code == 0 and isinstance(doc, dict) and _buyer(doc)[0] == "Café Central", err


def test_windows_1252_text_under_a_utf8_declaration_is_refused_showing_the_line_as_it_would_read(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """Refused (the declaration is the partner's word, and the bytes are not UTF-8), but the reason said only
    'Invalid bytes in character encoding, line 7': it now shows the line as Windows-1252 reads it."""
    order = UBL.format(encoding="UTF-8", name="Bäckerei Müller")
    code, _, err = translated(tmp_path, monkeypatch, capsys, order.encode("cp1252"))
    assert code != 0
    assert "not well-formed XML: Invalid bytes in character encoding, line 7, column" in err
    assert "read as Windows-1252 that line is '<cac:BuyerCustomerParty><cac:Party><cac:PartyName><cbc:Name>" \
           "Bäckerei Müller</cbc:Name></cac:PartyName>'" in err


CXML_ORDER = Path(__file__).parents[1] / "translate_other" / "expected" / "cxml_OrderRequest.xml"


def test_an_entity_no_loaded_dtd_declares_in_an_attribute_is_refused_too(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """A cXML order always names its DTD (never loaded): in an attribute libxml2 drops such an entity without a
    trace, so a ship-to's addressID 'M&uuml;nchen-42' was read as 'Mnchen-42' and the order went on with it (the
    Entity-node check saw only entities in text)."""
    order = CXML_ORDER.read_text().replace('addressID="ST-42"', 'addressID="M&uuml;nchen-42"')
    assert "M&uuml;nchen-42" in order
    code, _, err = translated(tmp_path, monkeypatch, capsys, order.encode())
    assert code != 0
    assert "entity &uuml; (line 29) is not one of XML's own" in err, err
    code, doc, err = translated(tmp_path, monkeypatch, capsys, order.replace("&uuml;", "&#252;").encode())
    assert code == 0 and isinstance(doc, dict), err
    [ship_to] = [p for p in doc["parties"] if p["role"] == "ship_to"]
    assert ship_to["ids"]["buyer"] == "München-42"
