"""The sandbox's ORM semantics, checked through odoorpc: domains, x2many commands, business methods."""

from __future__ import annotations

from typing import Any

import odoorpc
import pytest

from gateway.odoo.sandbox import SandboxServer
from gateway.odoo.sandbox.models import package_model


def kw(odoo: odoorpc.ODOO, model: str, method: str, *args: Any, **kwargs: Any) -> Any:
    return odoo.execute_kw(model, method, list(args), kwargs)


def names(odoo: odoorpc.ODOO, model: str, domain: list[Any]) -> list[str]:
    rows = kw(odoo, model, "search_read", domain, ["name"], order="id")
    return [r["name"] for r in rows]


@pytest.mark.parametrize("domain,expected", [
    ([("ref", "=", "BIGBOX")], ["BigBox Retail"]),
    (["|", ("ref", "=", "BIGBOX"), ("ref", "=", "NORTHWIND")], ["BigBox Retail", "Northwind Traders"]),
    (["&", ("is_company", "=", True), "!", ("customer_rank", "=", 0)],
     ["BigBox Retail", "Northwind Traders", "EuroHandel GmbH", "ShopMarket Online"]),
    ([("name", "ilike", "northwind store")], ["Northwind Store 0042", "Northwind Store 0107"]),
    ([("name", "like", "northwind")], []),
    ([("name", "=like", "Northwind%")], ["Northwind Traders", "Northwind Store 0042", "Northwind Store 0107"]),
    ([("name", "=ilike", "bigbox dc _")], ["BigBox DC 1"]),
    ([("id", "child_of", 5), ("type", "=", "delivery")], ["Northwind Store 0042", "Northwind Store 0107"]),
    ([("parent_id.ref", "=", "EUROHANDEL")], ["EuroHandel Lager Köln"]),
    ([("ref", "in", ["0042", "0107", "X"])], ["Northwind Store 0042", "Northwind Store 0107"]),
    ([("parent_id", "=", False), ("ref", "!=", False), ("customer_rank", ">=", 1), ("ref", "not in", ["BIGBOX"])],
     ["Northwind Traders", "EuroHandel GmbH", "ShopMarket Online"]),
    ([("barcode", "<", "0860001000016"), ("barcode", ">", "0700000000000")], ["BigBox Retail"]),
    ([("child_ids.barcode", "=", "0860001000023")], ["BigBox Retail"]),
    ([("parent_id", "=", "BigBox Retail")], ["BigBox DC 1"]),
])
def test_domains(odoo: odoorpc.ODOO, domain: list[Any], expected: list[str]) -> None:
    assert names(odoo, "res.partner", domain) == expected


def test_archived_records_hidden_unless_active_test(odoo: odoorpc.ODOO) -> None:
    assert kw(odoo, "res.partner", "search", [("name", "=", "OdooBot")]) == []
    assert len(kw(odoo, "res.partner", "search", [("name", "=", "OdooBot")], context={"active_test": False})) == 1
    assert len(kw(odoo, "res.partner", "search", [("name", "=", "OdooBot"), ("active", "=", False)])) == 1


def test_x2many_commands(sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    uom = "product_uom_id" if sandbox.version >= 19 else "product_uom"
    order = kw(odoo, "sale.order", "create", {"partner_id": 4, "order_line": [
        (0, 0, {"product_id": 1, "product_uom_qty": 3}), (0, 0, {"product_id": 2, "product_uom_qty": 1})]})
    assert isinstance(order, int)
    lines = kw(odoo, "sale.order", "read", [order], ["order_line"])[0]["order_line"]
    assert len(lines) == 2
    first = kw(odoo, "sale.order.line", "read", lines[:1], ["price_unit", uom, "name"])[0]
    assert first["price_unit"] == 12.5 and first[uom] == [1, "Units"] and first["name"] == "[WB-100] Blue Widget"
    kw(odoo, "sale.order", "write", [order], {"order_line": [(1, lines[0], {"product_uom_qty": 5}), (2, lines[1], 0),
                                                            (0, 0, {"product_id": 3})]})
    rows = kw(odoo, "sale.order.line", "search_read", [("order_id", "=", order)], ["product_id", "product_uom_qty"])
    assert [(r["product_id"][0], r["product_uom_qty"]) for r in rows] == [(1, 5.0), (3, 1.0)]
    kw(odoo, "sale.order", "write", [order], {"tag_ids": [(6, 0, [1])]})
    tag = kw(odoo, "crm.tag", "create", [{"name": "t2"}, {"name": "t3"}])
    assert isinstance(tag, list) and len(tag) == 2
    kw(odoo, "sale.order", "write", [order], {"tag_ids": [(4, tag[0]), (3, 1)]})
    assert kw(odoo, "sale.order", "read", [order], ["tag_ids"])[0]["tag_ids"] == [tag[0]]
    kw(odoo, "sale.order", "write", [order], {"tag_ids": [(5,)]})
    assert kw(odoo, "sale.order", "read", [order], ["tag_ids"])[0]["tag_ids"] == []
    kw(odoo, "sale.order", "unlink", [order])
    assert kw(odoo, "sale.order.line", "search", [("id", "in", lines)]) == []


def test_a_failed_call_is_rolled_back(odoo: odoorpc.ODOO) -> None:
    before = kw(odoo, "sale.order", "search_count", [])
    with pytest.raises(odoorpc.error.RPCError):
        kw(odoo, "sale.order", "create", [{"partner_id": 4}, {"client_order_ref": "no partner"}])
    assert kw(odoo, "sale.order", "search_count", []) == before


def test_order_to_cash(sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    """Confirm -> delivery with moves -> validate (stock moves) -> invoice wizard -> post."""
    order = kw(odoo, "sale.order", "create", {"partner_id": 4, "client_order_ref": "PO-9", "order_line": [
        (0, 0, {"product_id": 1, "product_uom_qty": 10}), (0, 0, {"product_id": 3, "product_uom_qty": 200})]})
    assert kw(odoo, "sale.order", "action_confirm", [order]) is True
    with pytest.raises(odoorpc.error.RPCError, match="not in a state requiring confirmation"):
        kw(odoo, "sale.order", "action_confirm", [order])
    so = kw(odoo, "sale.order", "read", [order], ["state", "picking_ids", "partner_shipping_id"])[0]
    assert so["state"] == "sale" and len(so["picking_ids"]) == 1
    assert so["partner_shipping_id"][0] == 8      # Odoo picks the delivery contact (address_get)
    pick = kw(odoo, "stock.picking", "read", so["picking_ids"], ["state", "picking_type_code", "origin", "move_ids",
                                                                  "partner_id", "name"])[0]
    assert pick["picking_type_code"] == "outgoing" and pick["state"] == "assigned" and pick["name"] == "WH/OUT/00001"
    moves = kw(odoo, "stock.move", "read", pick["move_ids"], ["product_uom_qty", "quantity", "state"])
    assert [(m["product_uom_qty"], m["quantity"], m["state"]) for m in moves] == [
        (10.0, 10.0, "assigned"), (200.0, 120.0, "partially_available")]   # only 120 Gadgets in stock
    wizard = kw(odoo, "stock.picking", "button_validate", so["picking_ids"])
    assert wizard["res_model"] == "stock.backorder.confirmation"
    wiz = kw(odoo, "stock.backorder.confirmation", "create", {"pick_ids": [(4, pick["id"])]},
             context=wizard["context"])
    kw(odoo, "stock.backorder.confirmation", "process", [wiz], context=wizard["context"])
    assert kw(odoo, "stock.picking", "read", [pick["id"]], ["state"])[0]["state"] == "done"
    back = kw(odoo, "stock.picking", "search_read", [("backorder_id", "=", pick["id"])], ["move_ids", "state"])
    assert len(back) == 1 and back[0]["state"] == "confirmed"
    stock = {r["id"]: r["qty_available"] for r in kw(odoo, "product.product", "read", [1, 3], ["qty_available"])}
    assert stock == {1: 490.0, 3: 0.0}
    lines = kw(odoo, "sale.order.line", "search_read", [("order_id", "=", order)], ["qty_delivered"])
    assert [line["qty_delivered"] for line in lines] == [10.0, 120.0]
    with pytest.raises(odoorpc.error.RPCError, match="Private methods"):
        kw(odoo, "sale.order", "_create_invoices", [order])
    wiz = kw(odoo, "sale.advance.payment.inv", "create", {"advance_payment_method": "delivered"},
             context={"active_model": "sale.order", "active_ids": [order]})
    action = kw(odoo, "sale.advance.payment.inv", "create_invoices", [wiz], context={"open_invoices": True})
    invoice = action["res_id"]
    move = kw(odoo, "account.move", "read", [invoice], ["state", "move_type", "invoice_origin", "ref",
                                                         "amount_total", "name"])[0]
    assert (move["state"], move["move_type"], move["invoice_origin"], move["ref"], move["name"]) == (
        "draft", "out_invoice", "S00001", "PO-9", "/")
    assert move["amount_total"] == 10 * 12.5 + 120 * 42.0
    assert kw(odoo, "account.move", "action_post", [invoice]) is False
    posted = kw(odoo, "account.move", "read", [invoice], ["state", "name"])[0]
    assert posted["state"] == "posted" and posted["name"].startswith("INV/")


def test_receipt_with_lot_and_package_updates_stock(sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    uom = "product_uom_id" if sandbox.version >= 19 else "product_uom"
    po = kw(odoo, "purchase.order", "create", {"partner_id": 12, "order_line": [
        (0, 0, {"product_id": 5, "product_qty": 40, "price_unit": 3.0})]})
    kw(odoo, "purchase.order", "button_confirm", [po])
    pick = kw(odoo, "stock.picking", "search_read", [("purchase_id", "=", po)], ["move_ids", "picking_type_code"])[0]
    assert pick["picking_type_code"] == "incoming"
    line = kw(odoo, "stock.move.line", "search", [("picking_id", "=", pick["id"])])
    package = kw(odoo, package_model(sandbox.version), "create", {"name": "006141410000000025"})
    kw(odoo, "stock.move.line", "write", line, {"quantity": 40, "lot_name": "LOT-7", "result_package_id": package})
    assert kw(odoo, "stock.picking", "button_validate", [pick["id"]]) is True
    quant = kw(odoo, "stock.quant", "search_read", [("product_id", "=", 5), ("location_id.usage", "=", "internal")],
               ["quantity", "lot_id", "package_id"])
    assert [(q["quantity"], q["lot_id"][1], q["package_id"][1]) for q in quant] == [(40.0, "LOT-7",
                                                                                      "006141410000000025")]
    assert kw(odoo, "purchase.order.line", "search_read", [("order_id", "=", po)], ["qty_received", uom])[0][
        "qty_received"] == 40.0
