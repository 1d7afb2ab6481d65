"""The sandbox reserves stock for a move in another unit as Odoo does (stock.move._prepare_move_line_vals): in the
move's unit when the quantity is whole there at 2 decimals, else in the product's own unit. A partial reservation
of 80 units for an order line in dozens was a move line of 6.666666666666667 Dozens, which no Odoo writes, and our
856/DESADV of it was held for a quantity too long for SN102 / QTY (found by the outbound chaos run)."""

from __future__ import annotations

import odoorpc
import pytest

from gateway.odoo.sandbox import SandboxServer
from tests.odoo.test_extraction import invoice as invoice_of


def order_in_dozens(odoo: odoorpc.ODOO, sandbox: SandboxServer, dozens: float) -> tuple[int, int]:
    """CB-400 (80 in stock) ordered in dozens and confirmed: the order and its delivery."""
    uom = "product_uom_id" if sandbox.version >= 19 else "product_uom"
    [product] = odoo.execute_kw("product.product", "search", [[("default_code", "=", "CB-400")]])
    [dozen] = odoo.execute_kw("uom.uom", "search", [[("name", "=", "Dozens")]])
    [customer] = odoo.execute_kw("res.partner", "search", [[("ref", "=", "BIGBOX")]])
    order = odoo.execute_kw("sale.order", "create", [{"partner_id": customer, "order_line": [
        (0, 0, {"product_id": product, "product_uom_qty": dozens, uom: dozen})]}])
    odoo.execute_kw("sale.order", "action_confirm", [[order]])
    [pick] = odoo.execute_kw("sale.order", "read", [[order], ["picking_ids"]])[0]["picking_ids"]
    return order, pick


def reserved(odoo: odoorpc.ODOO, sandbox: SandboxServer, dozens: float) -> list[tuple[float, str]]:
    """Its delivery's move lines (quantity, unit)."""
    _, pick = order_in_dozens(odoo, sandbox, dozens)
    lines = odoo.execute_kw("stock.move.line", "search_read", [[("picking_id", "=", pick)],
                                                                ["quantity", "product_uom_id"]])
    return [(line["quantity"], line["product_uom_id"][1]) for line in lines]


@pytest.mark.parametrize("dozens,expected", [(7, [(80.0, "Units")]), (6, [(6.0, "Dozens")])],
                         ids=["partial-in-units", "whole-dozens"])
def test_a_reservation_not_whole_in_the_moves_unit_is_in_the_products_unit(
        sandbox: SandboxServer, odoo: odoorpc.ODOO, dozens: float, expected: list[tuple[float, str]]) -> None:
    assert reserved(odoo, sandbox, dozens) == expected


def test_the_delivered_and_invoiced_quantity_of_a_part_is_at_odoos_2_decimals(
        sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    """80 units shipped of 7 dozens: the move, the order line's delivered quantity and the invoice say 6.67 Dozens
    (Product Unit of Measure), not 6.666666666666667, which our INVOIC wrote into QTY 6060 (n..15) and held."""
    order, pick = order_in_dozens(odoo, sandbox, 7)
    odoo.execute_kw("stock.picking", "button_validate", [[pick]], {"context": {"skip_backorder": True}})
    [move] = odoo.execute_kw("stock.move", "search_read", [[("picking_id", "=", pick)], ["quantity"]])
    [line] = odoo.execute_kw("sale.order.line", "search_read", [[("order_id", "=", order)], ["qty_delivered"]])
    invoice = invoice_of(odoo, order)
    [billed] = odoo.execute_kw("account.move.line", "search_read", [[("move_id", "=", invoice),
                                                                     ("display_type", "=", "product")], ["quantity"]])
    assert (move["quantity"], line["qty_delivered"], billed["quantity"]) == (6.67, 6.67, 6.67)
