"""Two companies in one database, each with a purchase order of one name to Widget Works (each company numbers its
POs with its own sequence: both have a P00001). A vendor's 855, ship notice and 810 name only the number; the
gateway works in one company (`odoo.company_id`, else the API user's default), every call with that company alone
in `allowed_company_ids`, so Odoo's multi-company record rule on purchase.order (`company_id in company_ids`, 16-19)
shows it that company's order only: the bill, the receipt and the acknowledgment all go to it, never to the other
company's order of that name, with no company filter of the gateway's own. Through the sandbox over HTTP."""

from __future__ import annotations

from typing import Any

import odoorpc
import pytest

from gateway.odoo.client import connect
from gateway.odoo.posting import Cache, post
from gateway.odoo.sandbox import SandboxServer
from tests.odoo.conftest import read_x12, settings_for
from tests.odoo.test_bills16_backordered_parts import x12_bill
from tests.odoo.test_multi_company import second_company
from tests.odoo.test_vendor_odd import purchase, widgetworks
from tests.odoo.test_vendor_receipts import notice

pytestmark = pytest.mark.parametrize("sandbox", [17, 19], ids=["odoo17", "odoo19"], indirect=True)


def state(odoo: odoorpc.ODOO, po: int) -> dict[str, Any]:
    """What the vendor's documents left on a PO: its lines' (ordered, received, billed)."""
    ids = odoo.execute_kw("purchase.order.line", "search", [[("order_id", "=", po), ("display_type", "=", False)]],
                          {"order": "sequence, id"})
    return {"lines": [(r["product_qty"], r["qty_received"], r["qty_invoiced"]) for r in odoo.execute_kw(
        "purchase.order.line", "read", [ids, ["product_qty", "qty_received", "qty_invoiced"]])]}


def test_each_company_s_documents_reach_its_own_order_of_the_name(sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    canada = second_company(odoo)
    home_po, name = purchase(odoo, [(1, 10, 7.5)])
    in_canada = {"context": {"allowed_company_ids": [canada]}}
    tmpl = odoo.execute_kw("product.product", "read", [[1], ["product_tmpl_id"]])[0]["product_tmpl_id"][0]
    odoo.execute_kw("product.supplierinfo", "create", [{"partner_id": 12, "product_tmpl_id": tmpl, "product_id": 1,
                                                        "product_code": "WW-WB-100", "price": 7.5}], in_canada)
    canada_po = odoo.execute_kw("purchase.order", "create", [{"partner_id": 12, "name": name, "order_line": [
        (0, 0, {"product_id": 1, "product_qty": 20, "price_unit": 7.5})]}], in_canada)
    odoo.execute_kw("purchase.order", "button_confirm", [[canada_po]], in_canada)
    for company, po, ordered in ((canada, canada_po, 20), (None, home_po, 10)):
        client = connect(settings_for(sandbox, company_id=company), retry_base=0.01)
        try:
            tag = f"{po}-{company or 0}"
            ack = read_x12(["ST*855*0001", f"BAK*00*AC*{name}*20261201****SO-{tag}",
                            f"PO1*1*{ordered}*EA*7.50**VN*WW-WB-100", f"ACK*IC*{ordered - 2}*EA", "CTT*1"],
                           gs="PR", sender="WIDGETWORKS", app="WIDGETWORKS")
            post(client, ack, widgetworks(), Cache())
            post(client, notice(f"ASN-{tag}", name, 3), widgetworks(validate_receipts=True), Cache())
            post(client, x12_bill(f"WW-INV-{tag}", name, ["IT1*1*3*EA*7.50**VN*WW-WB-100"], 2250), widgetworks(),
                 Cache())
        finally:
            client.close()
        assert state(odoo, po) == {"lines": [(ordered - 2.0, 3.0, 3.0)]}
    assert state(odoo, canada_po) == {"lines": [(18.0, 3.0, 3.0)]}         # untouched by the home company's
