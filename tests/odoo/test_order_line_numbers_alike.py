"""A buyer's 850 giving two PO1 loops the same line number (PO101), read and translated as the pipeline does and
posted to the sandbox over HTTP: each sale order line is its own product."""

from __future__ import annotations

import odoorpc

from gateway.odoo.client import OdooClient
from gateway.odoo.posting import Cache, post
from tests.odoo.conftest import bigbox
from tests.odoo.test_ship_to_second_name import x12_850


def test_two_po1_loops_numbered_alike_are_each_their_own_product(client: OdooClient, odoo: odoorpc.ODOO) -> None:
    """24 blue widgets and 48 red ones, both PO101 '1': lines were matched to products by their label ('line 1'),
    so the sale order had 24 and 48 red widgets, and no blue one."""
    doc = x12_850("PO-SAME-1", ["N1*ST*BIGBOX DC 1*UL*0860001000023"], [
        "PO1*1*24*EA*12.50*PE*BP*BB-1001*UP*614141000012*VN*WB-100",
        "PO1*1*48*EA*8.75*PE*BP*BB-1002*UP*614141000029*VN*WR-200"])
    post(client, doc, bigbox(), Cache())
    [so] = odoo.execute_kw("sale.order", "search_read", [[("client_order_ref", "=", "PO-SAME-1")]], {"fields": ["order_line"]})
    rows = odoo.execute_kw("sale.order.line", "read", [so["order_line"], ["product_id", "product_uom_qty"]])
    assert sorted((r["product_id"][1].split("]")[0].strip("["), r["product_uom_qty"]) for r in rows) == [
        ("WB-100", 24.0), ("WR-200", 48.0)]
