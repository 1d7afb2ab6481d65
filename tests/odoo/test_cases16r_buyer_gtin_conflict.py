"""A buyer's item number that reads as a GTIN is an inference, not a GTIN the partner stated: 7eac476 looks it up
as a barcode after the customer's own codes but before ours. When the line names our code too and the two name
different products, the buyer's number is the retailer's own (an item master that kept the number of the item this
one replaced, whose UPC Odoo still sells; or any of its own numbers that ends in a right check digit by chance, 1
in 10): the line is ours, as before 7eac476, not the other product's. When both name the same product the case
recognition stands (tests/odoo/test_cases16_buyer_gtin.py).

BigBox's 850 posted into the sandbox Odoo over HTTP (17, 19); a warm lookup cache (a second order within its TTL)
decides as a cold one."""

from __future__ import annotations

import odoorpc

from gateway.odoo.client import OdooClient
from gateway.odoo.posting import Cache, post
from gateway.odoo.sandbox import SandboxServer
from tests.odoo.conftest import bigbox
from tests.odoo.test_case_prices import DC_1
from tests.odoo.test_caseorders15_gtin import order_lines
from tests.odoo.test_extraction_incoming import product
from tests.odoo.test_ship_to_second_name import x12_850

RED_UPC_14 = "00614141000029"       # the Red Widget's barcode (seed), as a GTIN-14: its check digit is right


def test_our_code_wins_over_a_buyers_number_that_is_another_products_barcode(
        client: OdooClient, odoo: odoorpc.ODOO, sandbox: SandboxServer) -> None:
    # Given BigBox's item number for the Blue Widget, 00614141000029, that is the Red Widget's barcode in Odoo,
    # when BigBox orders 12 Blue Widgets naming them by that number and by our code WB-100
    line = f"PO1*1*12*EA*12.50*PE*BP*{RED_UPC_14}*VN*WB-100"
    post(client, x12_850("PO-BP-OTHER-1", DC_1, [line]), bigbox(units={}), Cache())
    # and again within the lookup cache's lifetime of an order that found the Red Widget by that barcode
    warm = Cache()
    post(client, x12_850("PO-BP-RED", DC_1, ["PO1*1*6*EA*8.75*PE*UP*614141000029"]), bigbox(units={}), warm)
    post(client, x12_850("PO-BP-OTHER-2", DC_1, [line]), bigbox(units={}), warm)
    # Then both orders are of the Blue Widget, as our code says, never the Red Widget
    for ref in ("PO-BP-OTHER-1", "PO-BP-OTHER-2"):
        [so] = odoo.execute_kw("sale.order", "search", [[("client_order_ref", "=", ref)]])
        [posted] = order_lines(odoo, so, sandbox.version)
        assert (posted["product_id"][0], posted["product_uom_qty"]) == (product(odoo, "WB-100"), 12.0), ref
