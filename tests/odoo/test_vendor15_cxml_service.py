"""cXML InvoiceDetailServiceItem lines (a service the PO ordered: installation billed as a lump sum, hours at a
rate) become bill lines on the PO's service lines, beside the goods; they were not read, so the bill lacked them
and only the totals note showed the difference. Real cXML through the daemon's pipeline into the sandbox over
HTTP, checked with odoorpc."""

from __future__ import annotations

from pathlib import Path

import odoorpc
from lxml import etree

from gateway.config.loader import LoadedConfig
from gateway.formats import parse
from gateway.journal.api import State
from gateway.odoo.sandbox import SandboxServer
from tests.odoo.test_cxml_vendor_bills import invoice, item, post_file
from tests.odoo.test_pipeline_posting import examples
from tests.odoo.test_vendor_bill_checks import bill, po_lines
from tests.odoo.test_vendor_odd import purchase

__all__ = ["examples"]


def service(number: int, order_line: int, code: str, amount: str, priced: str = "") -> str:
    """An InvoiceDetailServiceItem billing order line `order_line`, our service `code` (BuyerPartID); `priced`:
    its quantity attribute and price elements, none for a lump sum."""
    quantity, price = priced.split("|") if priced else ("", "")
    return f"""<InvoiceDetailServiceItem invoiceLineNumber="{number}"{quantity}>
<InvoiceDetailServiceItemReference lineNumber="{order_line}"><Classification domain="UNSPSC">72101500</Classification>
<ItemID><SupplierPartID>WW-{code}</SupplierPartID><BuyerPartID>{code}</BuyerPartID></ItemID>
<Description xml:lang="en">{code.title()}</Description></InvoiceDetailServiceItemReference>
<SubtotalAmount><Money currency="USD">{amount}</Money></SubtotalAmount>{price}</InvoiceDetailServiceItem>"""


async def test_service_items_are_billed_on_the_pos_service_lines(tmp_path: Path, examples: LoadedConfig,
                                                                 sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    kind = "detailed_type" if sandbox.version < 18 else "type"
    services = [odoo.execute_kw("product.product", "create", [{
        "name": name.title(), "default_code": name, kind: "service", "purchase_method": "purchase"}])
        for name in ("INSTALL", "LABOUR")]
    po, name = purchase(odoo, [(1, 100, 7.5), (services[0], 1, 150.0), (services[1], 4, 40.0)])
    data = invoice("WW-CX-SVC", [(name, [
        item(1, 1, "blue", 100, "7.50"), service(2, 2, "INSTALL", "150.00"),
        service(3, 3, "LABOUR", "120.00",
                ' quantity="3"|<UnitOfMeasure>EA</UnitOfMeasure><UnitPrice><Money currency="USD">40.00</Money>'
                '</UnitPrice>')])], "1020.00")
    assert [str(e) for e in parse(data).errors] == []        # as the DTD orders a service item's elements
    etree.fromstring(data)
    [message] = await post_file(tmp_path, examples, sandbox, data)
    assert message.state is State.DONE, message.last_error
    blue, install, labour = po_lines(odoo, po)
    made = bill(odoo, "WW-CX-SVC")
    assert made["lines"] == [(1.0, 150.0, install), (3.0, 40.0, labour), (100.0, 7.5, blue)]
    assert made["amount_total"] == 1020.0
    # the vendor's total, the PO's prices; the services (billed on ordered quantities) within what was ordered, the
    # widgets (on received quantities) billed before they arrived
    assert "EDI totals differ" not in made["narration"] and "Install" not in made["narration"]
    assert "Labour" not in made["narration"] and f"purchase order {name} line 1 ([WB-100] Blue Widget): this bill " \
        "100, billed before 0, received 0" in made["narration"]
