"""A cXML ship notice and invoice name the buyer's OrderRequest by its payloadID (Fulfill.dtd's OrderReference needs
its DocumentReference; an invoice's OrderReference likewise), which was not kept. It is the cXML file's interchange,
so the sale order's note marker names it already; ship notice and invoice extraction read it from there into the
document's source (not its references, which an X12 810 or EDIFACT INVOIC would write as a REF/RFF). Sandbox
over real HTTP (17, 19): the order is read from a cXML file and posted, delivered and invoiced in Odoo, extracted,
and written through the shipped cXML profiles."""

from __future__ import annotations

from typing import Any

import odoorpc
import pytest
from lxml import etree

from gateway.config.models import OurIds, PartnerConfig
from gateway.odoo.client import OdooClient
from gateway.odoo.extract.invoices import extract_invoices
from gateway.odoo.extract.ship_notices import extract_ship_notices
from gateway.odoo.posting import Cache, post
from gateway.odoo.sale_orders import order_payload_id
from gateway.translate import render
from gateway.translate.canonical import Document
from tests.helpers.profiles import base_profiles
from tests.odoo.conftest import bigbox, order
from tests.odoo.test_extraction import deliver, invoice
from tests.odoo.test_xml_orders import cxml

IN_ODOO = pytest.mark.parametrize("sandbox", [17, 19], ids=["odoo17", "odoo19"], indirect=True)

CXML = PartnerConfig.model_validate({"id": "bigbox-cxml", "xml": {"ids": ["AN01"]}, "documents": [
    {"type": t, "direction": "out", "profile": p} for t, p in (("ShipNoticeRequest", "cxml-shipnoticerequest"),
                                                                ("InvoiceDetailRequest", "cxml-invoicedetailrequest"))]})
OURS = OurIds.model_validate({"xml": "0614141000005"})


def _written(doc: Document, doc_type: str, journal: Any) -> Any:
    return etree.fromstring(render(doc, CXML, base_profiles(), journal, doc_type, our_ids=OURS).data)


@IN_ODOO
def test_the_ship_notice_and_invoice_name_the_cxml_order_by_its_payload_id(
        client: OdooClient, odoo: odoorpc.ODOO, journal: Any) -> None:
    partner = bigbox(confirm_orders=True)
    [link] = post(client, cxml("CX-77", "new", "20261128-77", [("1", "WB-100", 24, None)]), partner, Cache())
    deliver(odoo, link.record_id)
    [asn] = extract_ship_notices(client, partner, journal)
    portion = _written(asn, "ShipNoticeRequest", journal).find("Request/ShipNoticeRequest/ShipNoticePortion")
    assert portion.find("OrderReference").get("orderID") == "CX-77"
    assert portion.find("OrderReference/DocumentReference").get("payloadID") == "20261128-77@bigbox.example"
    odoo.execute_kw("account.move", "action_post", [[invoice(odoo, link.record_id)]])
    [bill] = extract_invoices(client, partner, journal)
    info = _written(bill, "InvoiceDetailRequest", journal).find(
        "Request/InvoiceDetailRequest/InvoiceDetailOrder/InvoiceDetailOrderInfo")
    assert [child.tag for child in info] == ["OrderReference"]
    assert info.find("OrderReference").get("orderID") == "CX-77"
    assert info.find("OrderReference/DocumentReference").get("payloadID") == "20261128-77@bigbox.example"


@IN_ODOO
def test_an_order_that_did_not_come_by_cxml_is_named_by_its_number(
        client: OdooClient, odoo: odoorpc.ODOO, journal: Any) -> None:
    """An X12 850's sale order has no payloadID: the invoice names it with OrderIDInfo (valid without one), the
    ship notice's OrderReference by its orderID alone (Fulfill.dtd wants a DocumentReference, and no payloadID
    of ours would match the buyer's order)."""
    partner = bigbox(confirm_orders=True)
    [link] = post(client, order(), partner, Cache())
    deliver(odoo, link.record_id)
    [asn] = extract_ship_notices(client, partner, journal)
    portion = _written(asn, "ShipNoticeRequest", journal).find("Request/ShipNoticeRequest/ShipNoticePortion")
    assert portion.find("OrderReference").get("orderID") == "PO-1001"
    assert portion.find("OrderReference/DocumentReference") is None
    odoo.execute_kw("account.move", "action_post", [[invoice(odoo, link.record_id)]])
    [bill] = extract_invoices(client, partner, journal)
    info = _written(bill, "InvoiceDetailRequest", journal).find(
        "Request/InvoiceDetailRequest/InvoiceDetailOrder/InvoiceDetailOrderInfo")
    assert [(child.tag, child.get("orderID")) for child in info] == [("OrderIDInfo", "PO-1001")]


def test_an_updated_order_is_named_by_its_last_order_request() -> None:
    """A cXML update replaces the quotation and adds its own marker: the payloadID is the last one's."""
    note = ("<p>EDI OrderRequest CX-1 of 2026-11-28 (interchange 10@bigbox.example set -) [content ab]</p>"
            "<p>EDI replacement CX-1 (interchange 11@bigbox.example set -): 2 lines</p>")
    assert order_payload_id(note) == "11@bigbox.example"
    assert order_payload_id("<p>EDI 850 PO-1 of 2026-11-28 (interchange 000000001 set 0001)</p>") is None
    assert order_payload_id(None) is None
