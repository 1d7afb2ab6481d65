"""A vendor's cXML invoice with a discount and other charges in its summary, read by the base profile and posted
into the sandbox over real HTTP: the bill carries each as a line on its mapped service product, so its total is
the vendor's. The summary's InvoiceDetailDiscount and InvoiceHeaderModifications were not read (the bill came out
short of the vendor's total by their amount)."""

from __future__ import annotations

import odoorpc

from gateway.formats import parse
from gateway.odoo.client import OdooClient
from gateway.odoo.posting import Cache, post
from gateway.odoo.sandbox import SandboxServer
from gateway.translate import translate
from gateway.translate.canonical import Invoice
from tests.helpers.profiles import base_profiles
from tests.odoo.test_vendor_odd import bill_lines, purchase, widgetworks


def cxml_invoice(payload_id: str, request: str) -> bytes:
    """Widget Works' cXML envelope around an InvoiceDetailRequest's content (its header, orders and summary)."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.050/InvoiceDetail.dtd">
<cXML payloadID="{payload_id}" timestamp="2026-12-01T10:00:00-06:00"><Header>
<From><Credential domain="NetworkID"><Identity>widgetworks</Identity></Credential></From>
<To><Credential domain="NetworkID"><Identity>us</Identity></Credential></To>
<Sender><Credential domain="NetworkID"><Identity>widgetworks</Identity></Credential><UserAgent>t</UserAgent></Sender>
</Header><Request><InvoiceDetailRequest>{request}</InvoiceDetailRequest></Request></cXML>""".encode()


def _invoice_text(po_name: str) -> bytes:
    return cxml_invoice("ww-inv-77@widgetworks.example", f"""
<InvoiceDetailRequestHeader invoiceID="WW-CX-77" purpose="standard" operation="new" invoiceDate="2026-12-01"/>
<InvoiceDetailOrder><InvoiceDetailOrderInfo><OrderReference orderID="{po_name}"><DocumentReference payloadID="x"/>
</OrderReference></InvoiceDetailOrderInfo>
<InvoiceDetailItem invoiceLineNumber="1" quantity="100"><UnitOfMeasure>EA</UnitOfMeasure>
<UnitPrice><Money currency="USD">7.50</Money></UnitPrice>
<InvoiceDetailItemReference lineNumber="1"><ItemID><SupplierPartID>WW-WB-100</SupplierPartID></ItemID>
</InvoiceDetailItemReference><SubtotalAmount><Money currency="USD">750.00</Money></SubtotalAmount>
</InvoiceDetailItem></InvoiceDetailOrder>
<InvoiceDetailSummary><SubtotalAmount><Money currency="USD">750.00</Money></SubtotalAmount>
<Tax><Money currency="USD">0.00</Money><Description xml:lang="en">none</Description></Tax>
<ShippingAmount><Money currency="USD">45.00</Money></ShippingAmount>
<InvoiceDetailDiscount percentageRate="2"><Money currency="USD">15.00</Money></InvoiceDetailDiscount>
<InvoiceHeaderModifications><Modification><AdditionalCost><Money currency="USD">12.00</Money></AdditionalCost>
<ModificationDetail name="Insurance"><Description xml:lang="en">Transit insurance</Description></ModificationDetail>
</Modification></InvoiceHeaderModifications>
<NetAmount><Money currency="USD">792.00</Money></NetAmount></InvoiceDetailSummary>
""")


def test_a_cxml_invoices_discount_and_modifications_are_bill_lines(sandbox: SandboxServer, client: OdooClient,
                                                                   odoo: odoorpc.ODOO) -> None:
    kind = "detailed_type" if sandbox.version < 18 else "type"
    for code, name in (("SVC-FREIGHT", "Freight"), ("SVC-DISCOUNT", "Discount"), ("SVC-INSURANCE", "Insurance")):
        odoo.execute_kw("product.product", "create", [{"name": name, "default_code": code, kind: "service"}])
    _po, name = purchase(odoo)
    result = parse(_invoice_text(name))
    assert [str(e) for e in result.errors] == []
    [doc] = translate(result.transactions[0], None, base_profiles(), profile="cxml-invoicedetailrequest")
    assert isinstance(doc, Invoice)
    partner = widgetworks(charge_products={"freight": "SVC-FREIGHT", "discount": "SVC-DISCOUNT",
                                           "insurance": "SVC-INSURANCE"})
    links = post(client, doc, partner, Cache())
    assert [(n, q, p) for n, q, p in bill_lines(odoo, links[0].record_id) if q == 1.0] == [
        ("Transit insurance", 1.0, 12.0), ("discount", 1.0, -15.0), ("freight", 1.0, 45.0)]
    assert odoo.execute_kw("account.move", "read", [[links[0].record_id], ["amount_untaxed"]])[0][
        "amount_untaxed"] == 792
