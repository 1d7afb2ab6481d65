"""Odd but real marketplace CSV exports (ShopMarket): what a spreadsheet does to a file before it is
sent is either read right or refused with the row and the column."""

from __future__ import annotations

import pytest

from gateway.config.loader import LoadedConfig
from gateway.errors import TranslationError
from gateway.formats import parse
from gateway.translate import translate
from tests.helpers.profiles import base_profiles
from tests.translate_other.conftest import EXAMPLES

SAMPLE = (EXAMPLES / "samples" / "shopmarket" / "orders_20261128_0600.csv").read_text(encoding="utf-8")
HEADER, FIRST, *REST = SAMPLE.splitlines()
COLUMNS = HEADER.split(";")


def _with(cells: dict[str, str], row: str = FIRST) -> bytes:
    values = row.split(";")
    for name, value in cells.items():
        values[COLUMNS.index(name)] = value
    return "\n".join([HEADER, ";".join(values), *REST]).encode()


@pytest.mark.parametrize("ean", ["6,14141E+11", "6.14141E+11", "6,14141E+12"])
def test_a_gtin_in_excel_scientific_notation_is_refused_naming_row_and_column(config: LoadedConfig,
                                                                             ean: str) -> None:
    partner = config.partners["shopmarket"]
    result = parse(_with({"EAN": ean}), csv=partner.csv)
    with pytest.raises(TranslationError) as info:
        translate(result.transactions[0], partner, config.profiles)
    text = str(info.value)
    assert "row 2" in text and "column EAN" in text and "scientific notation" in text


def test_a_gtin_that_lost_its_leading_zero_is_kept_as_digits(config: LoadedConfig) -> None:
    partner = config.partners["shopmarket"]
    result = parse(_with({"EAN": "614141000012"}), csv=partner.csv)
    doc = translate(result.transactions[0], partner, config.profiles)[0]
    assert doc.lines[0].item_ids["ean"] == "614141000012"                # type: ignore[attr-defined]


CXML = """<?xml version="1.0" encoding="UTF-8"?>
<cXML payloadID="1@buyer" timestamp="2026-11-30T14:05:00Z">
<Header><From><Credential domain="NetworkID"><Identity>BUYER1</Identity></Credential></From>
<To><Credential domain="NetworkID"><Identity>ACMEDIST</Identity></Credential></To>
<Sender><Credential domain="NetworkID"><Identity>BUYER1</Identity></Credential></Sender></Header>
<Request><OrderRequest>
<OrderRequestHeader orderID="PO-9" orderDate="2026-11-30T14:05:00Z" type="new">
<Total><Money currency="EUR">62.50</Money></Total>
</OrderRequestHeader>
<ItemOut quantity="2" lineNumber="1">
<ItemID><SupplierPartID>WB-100</SupplierPartID></ItemID>
<ItemDetail><UnitPrice><Money currency="{first}">12.50</Money></UnitPrice><UnitOfMeasure>EA</UnitOfMeasure></ItemDetail>
</ItemOut>
<ItemOut quantity="3" lineNumber="2">
<ItemID><SupplierPartID>CB-400</SupplierPartID></ItemID>
<ItemDetail><UnitPrice><Money currency="{second}">12.50</Money></UnitPrice><UnitOfMeasure>EA</UnitOfMeasure></ItemDetail>
</ItemOut>
</OrderRequest></Request></cXML>
"""

UBL = """<?xml version="1.0" encoding="UTF-8"?>
<Order xmlns="urn:oasis:names:specification:ubl:schema:xsd:Order-2"
 xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
 xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
<cbc:UBLVersionID>2.1</cbc:UBLVersionID><cbc:ID>U-1</cbc:ID><cbc:IssueDate>2026-11-30</cbc:IssueDate>
<cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>
<cac:OrderLine><cac:LineItem><cbc:ID>1</cbc:ID><cbc:Quantity unitCode="C62">4</cbc:Quantity>
<cac:Price><cbc:PriceAmount currencyID="{first}">10.00</cbc:PriceAmount></cac:Price>
<cac:Item><cbc:Name>Red</cbc:Name><cac:SellersItemIdentification><cbc:ID>WR-200</cbc:ID></cac:SellersItemIdentification></cac:Item>
</cac:LineItem></cac:OrderLine>
<cac:OrderLine><cac:LineItem><cbc:ID>2</cbc:ID><cbc:Quantity unitCode="C62">1</cbc:Quantity>
<cac:Price><cbc:PriceAmount currencyID="{second}">3.00</cbc:PriceAmount></cac:Price>
<cac:Item><cbc:Name>Blue</cbc:Name><cac:SellersItemIdentification><cbc:ID>WB-100</cbc:ID></cac:SellersItemIdentification></cac:Item>
</cac:LineItem></cac:OrderLine>
</Order>
"""


def _xml_order(template: str, first: str, second: str) -> list[object]:
    result = parse(template.replace("{first}", first).replace("{second}", second).encode())
    assert [str(i) for i in result.errors] == []
    return list(translate(result.transactions[0], None, base_profiles()))


@pytest.mark.parametrize(("template", "where"), [
    (CXML, "ItemOut/ItemDetail/UnitPrice/Money/@currency"),
    (UBL, "cac:OrderLine/cac:LineItem/cac:Price/cbc:PriceAmount/@currencyID")])
def test_a_line_price_in_another_currency_is_refused_naming_its_xpath(template: str, where: str) -> None:
    with pytest.raises(TranslationError) as info:
        _xml_order(template, "EUR", "USD")
    text = str(info.value)
    assert where in text and "USD" in text and "expected EUR" in text


@pytest.mark.parametrize("template", [CXML, UBL])
def test_line_prices_in_the_document_currency_are_read(template: str) -> None:
    doc = _xml_order(template, "EUR", "eur")[0]
    assert doc.currency == "EUR"                                           # type: ignore[attr-defined]
    assert [str(line.unit_price) for line in doc.lines] in (["12.50", "12.50"], ["10.00", "3.00"])  # type: ignore[attr-defined]
