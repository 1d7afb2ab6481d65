"""The UBL 2.1 Invoice and Order we write are ones the partner's schema validation takes, and an invoice's
ship-to is read as sent: golden documents rendered through the shipped profiles and their hooks, checked
against the UBL 2.1 content models of the elements written, and read back."""

from __future__ import annotations

import json
from decimal import Decimal

from lxml import etree

from gateway.config.loader import LoadedConfig
from gateway.config.models import OurIds, PartnerConfig
from gateway.formats import parse
from gateway.journal.sqlite import SqliteJournal
from gateway.translate import render, translate
from gateway.translate.canonical import Document, from_json
from tests.helpers.content_models import Models, problems
from tests.translate.conftest import GOLDEN, RENDER_TIME

UBL = PartnerConfig.model_validate({"id": "ubl-buyer", "xml": {"ids": ["4000000000009"]}, "documents": [
    {"type": t, "direction": d, "profile": p} for t, p in (("Invoice", "ubl-2.1-invoice"), ("Order", "ubl-2.1-order"),
                                                           ("DespatchAdvice", "ubl-2.1-despatchadvice"))
    for d in ("in", "out")]})
OURS = OurIds.model_validate({"xml": "0614141000005"})

# UBL 2.1 (maindoc/UBL-Invoice-2.1.xsd, common/UBL-CommonAggregateComponents-2.1.xsd) sequences of the elements
# this profile writes, the optional elements it never writes left out.
MODELS: Models = {
    "Invoice": (["UBLVersionID?", "ID", "IssueDate", "DueDate?", "InvoiceTypeCode?", "Note*",
                 "DocumentCurrencyCode?", "LineCountNumeric?", "OrderReference?", "DespatchDocumentReference*",
                 "ContractDocumentReference*", "AccountingSupplierParty", "AccountingCustomerParty", "Delivery*",
                 "PaymentTerms*", "AllowanceCharge*", "TaxTotal*", "LegalMonetaryTotal", "InvoiceLine",
                 "InvoiceLine*"], []),
    "AccountingSupplierParty": (["Party"], []),
    "AccountingCustomerParty": (["Party"], []),
    "Party": (["EndpointID?", "PartyIdentification*", "PartyName*", "PostalAddress?", "PartyTaxScheme*",
               "PartyLegalEntity*", "Contact?"], []),
    "PostalAddress": (["StreetName?", "AdditionalStreetName?", "CityName?", "PostalZone?", "CountrySubentity?",
                       "Country?"], []),
    "Delivery": (["ActualDeliveryDate?", "DeliveryAddress?", "DeliveryLocation?", "RequestedDeliveryPeriod?",
                  "DeliveryParty?", "Despatch?"], []),
    "DespatchAdvice": (["UBLVersionID?", "ID", "IssueDate", "Note*", "OrderReference*", "DespatchSupplierParty",
                        "DeliveryCustomerParty", "Shipment?", "DespatchLine", "DespatchLine*"], []),
    "DespatchSupplierParty": (["Party"], []),
    "DeliveryCustomerParty": (["Party"], []),
    "Shipment": (["ID", "GrossWeightMeasure?", "TotalTransportHandlingUnitQuantity?", "Consignment*",
                  "ShipmentStage*", "Delivery?", "TransportHandlingUnit*"], []),
    "Consignment": (["ID", "CarrierAssignedID?"], []),
    "DespatchLine": (["ID", "DeliveredQuantity?", "OrderLineReference", "OrderLineReference*", "Item"], []),
    "OrderLineReference": (["LineID"], []),
    "DeliveryLocation": (["ID?", "Name?", "Address?"], []),
    "Address": (["StreetName?", "AdditionalStreetName?", "CityName?", "PostalZone?", "CountrySubentity?",
                 "Country?"], []),
    "AllowanceCharge": (["ChargeIndicator", "AllowanceChargeReasonCode?", "AllowanceChargeReason*",
                         "MultiplierFactorNumeric?", "Amount", "BaseAmount?"], []),
    "TaxTotal": (["TaxAmount", "TaxSubtotal*"], []),
    "TaxSubtotal": (["TaxableAmount?", "TaxAmount", "TaxCategory"], []),
    "TaxCategory": (["ID?", "Percent?", "TaxExemptionReasonCode?", "TaxExemptionReason*", "TaxScheme"], []),
    "LegalMonetaryTotal": (["LineExtensionAmount?", "TaxExclusiveAmount?", "TaxInclusiveAmount?",
                            "AllowanceTotalAmount?", "ChargeTotalAmount?", "PayableAmount"], []),
    "InvoiceLine": (["ID", "Note*", "InvoicedQuantity?", "LineExtensionAmount", "Item", "Price?"], []),
    "Item": (["Description*", "Name?", "BuyersItemIdentification?", "SellersItemIdentification?",
              "StandardItemIdentification?", "ClassifiedTaxCategory*"], []),
    "Price": (["PriceAmount"], []),
    "Order": (["UBLVersionID?", "ID", "IssueDate", "OrderTypeCode?", "Note*", "DocumentCurrencyCode?",
               "LineCountNumeric?", "BuyerCustomerParty", "SellerSupplierParty", "AccountingCustomerParty?",
               "Delivery*", "AllowanceCharge*", "AnticipatedMonetaryTotal?", "OrderLine", "OrderLine*"], []),
    "BuyerCustomerParty": (["Party"], []),
    "SellerSupplierParty": (["Party"], []),
    "OrderLine": (["LineItem"], []),
    "LineItem": (["ID", "Quantity?", "Delivery*", "AllowanceCharge*", "Price?", "Item"], []),
}


def _as_odoo_names_them() -> Document:
    """The golden 810 invoice with the parties an Odoo invoice has: seller, buyer's bill-to, ship-to."""
    doc = from_json((GOLDEN / "bigbox" / "810_invoice.json").read_bytes())
    remit, ship_to = doc.parties
    bill_to = ship_to.model_copy(update={"role": "bill_to", "name": "BIGBOX STORES INC"})
    return doc.model_copy(update={"parties": [remit.model_copy(update={"role": "seller"}), bill_to, ship_to]})


def test_an_invoice_from_odoo_meets_the_ubl_invoice_schema(journal: SqliteJournal, config: LoadedConfig) -> None:
    """Written before: no AccountingSupplierParty or AccountingCustomerParty (Odoo says seller and bill_to),
    no LineExtensionAmount on any line and no PayableAmount (an 810 has no line amounts), and the Delivery's
    ActualDeliveryDate after its DeliveryLocation. All four break the 2.1 schema."""
    doc = _as_odoo_names_them()
    data = render(doc, UBL, config.profiles, journal, "Invoice", our_ids=OURS, now=RENDER_TIME).data
    assert problems(etree.fromstring(data), MODELS) == []
    back = translate(parse(data).transactions[0], UBL, config.profiles)[0]
    assert [line.amount for line in back.lines] == [Decimal("300.00"), Decimal("420.00"), Decimal("252.00")]
    assert back.totals.lines_amount == Decimal("972.00")                       # type: ignore[attr-defined]
    assert back.party("supplier").name == "ACME DISTRIBUTION"                  # type: ignore[union-attr]
    assert back.party("buyer").name == "BIGBOX STORES INC"                     # type: ignore[union-attr]
    assert back.ship_date == doc.ship_date                                     # type: ignore[attr-defined]
    assert b"<cbc:PayableAmount currencyID=\"USD\">1007.00</cbc:PayableAmount>" in data


def test_a_ship_to_id_without_a_scheme_is_read(config: LoadedConfig) -> None:
    """The ship-to's own id (a DC number, no schemeID) was read from cac:Party/... under Delivery, where 2.1 has
    no Party: it was never read. It is the DeliveryLocation's ID, else the DeliveryParty's identification."""
    head = ('<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2" '
            'xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2" '
            'xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">'
            '<cbc:ID>INV-1</cbc:ID><cbc:IssueDate>2026-12-03</cbc:IssueDate><cac:Delivery>')
    tail = ('</cac:Delivery><cac:InvoiceLine><cbc:ID>1</cbc:ID><cbc:InvoicedQuantity unitCode="EA">2'
            '</cbc:InvoicedQuantity><cbc:LineExtensionAmount currencyID="USD">5.00</cbc:LineExtensionAmount>'
            '<cac:Item><cbc:Name>W</cbc:Name></cac:Item></cac:InvoiceLine></Invoice>')
    for delivery in ("<cac:DeliveryLocation><cbc:ID>DC-7</cbc:ID></cac:DeliveryLocation>",
                     ("<cac:DeliveryParty><cac:PartyIdentification><cbc:ID>DC-7</cbc:ID></cac:PartyIdentification>"
                      "</cac:DeliveryParty>")):
        [doc] = translate(parse((head + delivery + tail).encode()).transactions[0], UBL, config.profiles)
        assert doc.party("ship_to").ids.get("id") == "DC-7"                     # type: ignore[union-attr]


def test_an_order_names_its_seller_as_the_schema_requires(journal: SqliteJournal, config: LoadedConfig) -> None:
    """The BigBox 850 names the vendor (N1*VN), an Odoo order the seller: the Order was written without the
    SellerSupplierParty the 2.1 schema requires. The party that stands in for it is written there."""
    raw = json.loads((GOLDEN / "bigbox" / "850_4500001234.json").read_text())[0]
    doc = from_json(json.dumps(raw).encode())
    assert doc.party("supplier") is None and doc.party("vendor") is not None
    data = render(doc, UBL, config.profiles, journal, "Order", our_ids=OURS, now=RENDER_TIME).data
    assert problems(etree.fromstring(data), MODELS) == []
    back = translate(parse(data).transactions[0], UBL, config.profiles)[0]
    assert back.party("supplier").ids == doc.party("vendor").ids                # type: ignore[union-attr]


def test_a_despatch_advice_meets_the_schema(journal: SqliteJournal, config: LoadedConfig) -> None:
    """The BigBox 856 as a DespatchAdvice was written without the DespatchSupplierParty (the 856 names the
    ship-from), with each DespatchLine's required ID missing and its OrderLineReference before the quantity,
    the Delivery's Despatch before its ActualDeliveryDate, and a Consignment without its required ID."""
    raw = json.loads((GOLDEN / "bigbox" / "856_ship_notice.json").read_text())
    doc = from_json(json.dumps(raw[0] if isinstance(raw, list) else raw).encode())
    doc = doc.model_copy(update={"tracking_number": "1Z999AA10123456784"})
    data = render(doc, UBL, config.profiles, journal, "DespatchAdvice", our_ids=OURS, now=RENDER_TIME).data
    assert problems(etree.fromstring(data), MODELS) == []
    back = translate(parse(data).transactions[0], UBL, config.profiles)[0]
    assert back.party("supplier").ids == doc.party("ship_from").ids             # type: ignore[union-attr]
    assert back.tracking_number == "1Z999AA10123456784"                        # type: ignore[attr-defined]
    assert (back.ship_date, back.delivery_date) == (doc.ship_date, doc.delivery_date)  # type: ignore[attr-defined]
    assert sorted(i.line_no for i in back.orders[0].items) == ["1", "2", "3"]   # type: ignore[attr-defined]
