"""The same engine and language on CSV rows and XML trees (columns, XPath with namespaces), both ways."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

from gateway.config.models import CsvSettings, DocumentSettings, PartnerConfig
from gateway.errors import TranslationError
from gateway.formats import csv as csv_format
from gateway.formats import xml as xml_format
from gateway.journal.sqlite import SqliteJournal
from gateway.translate import render, translate
from gateway.translate.canonical import PurchaseOrder
from tests.translate.helpers import registry

CSV_PROFILE = """syntax: csv
message: csv
document: PurchaseOrder
columns: [order, date, item, qty, unit, price]
codes:
  units: {Stk: EA, Kar: CS}
structure:
  header:
    rows: first
    fields:
      number: {at: order, required: true}
      date: {at: date, date: DD.MM.CCYY}
  lines:
    rows: each
    each: lines
    fields:
      item_ids.sku: item
      quantity: {at: qty, number: true, required: true}
      unit: {at: unit, codes: units}
      unit_price: {at: price, number: true}
"""

CSV_DATA = "order;date;item;qty;unit;price\nA-1;28.11.2026;WB-100;3;Stk;12,50\nA-1;28.11.2026;GL-300;1;Kar;504,00\n"

XML_PROFILE = """syntax: xml
message: Order
document: PurchaseOrder
root: ord:Order
namespaces:
  ord: urn:example:order
  c: urn:example:common
structure:
  head:
    xpath: "."
    fields:
      number: {at: "c:ID", required: true}
      date: {at: "c:IssueDate", date: ISO}
      currency: "c:Amount/@currency"
  buyer:
    xpath: "ord:Buyer"
    each: parties
    fields:
      role: {const: buyer}
      name: "c:Name"
      ids.gln: "c:PartyID[@scheme='GLN']"
  lines:
    xpath: "ord:Line"
    each: lines
    fields:
      line_no: "c:ID"
      item_ids.gtin: "c:Item/c:GTIN"
      quantity: {at: "c:Quantity", number: true, required: true}
      unit: "c:Quantity/@unit"
      unit_price: {at: "c:Price", number: true}
"""

XML_DATA = b"""<?xml version="1.0" encoding="UTF-8"?>
<ord:Order xmlns:ord="urn:example:order" xmlns:c="urn:example:common">
  <c:ID>X-77</c:ID>
  <c:IssueDate>2026-11-28</c:IssueDate>
  <c:Amount currency="EUR">100.00</c:Amount>
  <ord:Buyer><c:Name>Shop One</c:Name><c:PartyID scheme="GLN">4012345000009</c:PartyID></ord:Buyer>
  <ord:Line><c:ID>1</c:ID><c:Item><c:GTIN>00614141000012</c:GTIN></c:Item>
    <c:Quantity unit="EA">4</c:Quantity><c:Price>12.50</c:Price></ord:Line>
  <ord:Line><c:ID>2</c:ID><c:Item><c:GTIN>00614141000036</c:GTIN></c:Item>
    <c:Quantity unit="EA">1</c:Quantity><c:Price>42.00</c:Price></ord:Line>
</ord:Order>
"""


def test_csv_rows_to_canonical_and_back(tmp_path: Path, journal: SqliteJournal) -> None:
    reg = registry(tmp_path, {"t-csv-order.yaml": CSV_PROFILE})
    settings = CsvSettings(delimiter=";", decimal=",", group_by="order")
    result = csv_format.parse(CSV_DATA.encode(), settings=settings)
    doc = translate(result.transactions[0], None, reg, profile="t-csv-order")[0]
    assert isinstance(doc, PurchaseOrder)
    assert (doc.number, doc.date) == ("A-1", "2026-11-28")
    assert [(ln.item_ids["sku"], ln.quantity, ln.unit, ln.unit_price) for ln in doc.lines] == [
        ("WB-100", Decimal(3), "EA", Decimal("12.50")), ("GL-300", Decimal(1), "CS", Decimal("504.00"))]
    partner = PartnerConfig(id="shop", csv=settings,
                            documents=[DocumentSettings(type="csv-order", direction="out", profile="t-csv-order")])
    out = render(doc, partner, reg, journal, "csv-order")
    assert out.data.decode().replace("\r\n", "\n") == CSV_DATA


def test_csv_error_names_row_and_profile_line(tmp_path: Path) -> None:
    reg = registry(tmp_path, {"t-csv-order.yaml": CSV_PROFILE})
    data = CSV_DATA.replace("GL-300;1;", "GL-300;eins;").encode()
    result = csv_format.parse(data, settings=CsvSettings(delimiter=";", decimal=",", group_by="order"))
    with pytest.raises(TranslationError) as err:
        translate(result.transactions[0], None, reg, profile="t-csv-order")
    assert "t-csv-order.yaml:18 row 3 column qty (quantity): 'eins' is not a number" in str(err.value)


def test_xml_with_namespaces_to_canonical_and_back(tmp_path: Path, journal: SqliteJournal) -> None:
    reg = registry(tmp_path, {"t-xml-order.yaml": XML_PROFILE})
    result = xml_format.parse(XML_DATA)
    doc = translate(result.transactions[0], None, reg, profile="t-xml-order")[0]
    assert isinstance(doc, PurchaseOrder)
    assert (doc.number, doc.currency) == ("X-77", "EUR")
    buyer = doc.party("buyer")
    assert buyer is not None and buyer.ids == {"gln": "4012345000009"}
    assert [ln.item_ids["gtin"] for ln in doc.lines] == ["00614141000012", "00614141000036"]
    partner = PartnerConfig(id="x", documents=[DocumentSettings(type="Order", direction="out",
                                                                profile="t-xml-order")])
    out = render(doc, partner, reg, journal, "Order")
    tree = etree.fromstring(out.data)
    ns = {"ord": "urn:example:order", "c": "urn:example:common"}
    assert tree.xpath("string(ord:Buyer/c:PartyID[@scheme='GLN'])", namespaces=ns) == "4012345000009"
    assert tree.xpath("ord:Line/c:Quantity/@unit", namespaces=ns) == ["EA", "EA"]
    back = translate(xml_format.parse(out.data).transactions[0], None, reg, profile="t-xml-order")[0]
    assert back.model_dump(exclude={"source"}) == doc.model_dump(exclude={"source"})


def test_xml_error_names_xpath_and_line(tmp_path: Path) -> None:
    reg = registry(tmp_path, {"t-xml-order.yaml": XML_PROFILE})
    result = xml_format.parse(XML_DATA.replace(b"<c:Quantity unit=\"EA\">1<", b"<c:Quantity unit=\"EA\">one<"))
    with pytest.raises(TranslationError) as err:
        translate(result.transactions[0], None, reg, profile="t-xml-order")
    assert "t-xml-order.yaml:28 XPath ord:Line/c:Quantity (line 9): 'one' is not a number" in str(err.value)
