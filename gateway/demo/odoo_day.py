"""Odoo's side of the demo: the sandbox with the demo world, and the day's work a person does in Odoo.

Purchasing restocks from the vendor (so the inventory feed has stock on its way, 846 QTY + SCH);
the warehouse validates the deliveries of the orders the gateway posted and accounting invoices
and posts them. This goes through odoorpc, Odoo's ordinary external API, as any script or the
web client would, so the gateway later finds done pickings and posted invoices exactly as it
would in a real Odoo.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

ODOO_VERSION = 17


def start_sandbox(port: int) -> Any:
    """The Odoo sandbox seeded with the demo world on 127.0.0.1:`port`, or None when it is not built."""
    try:
        from gateway.odoo.sandbox import SandboxServer
    except ImportError:
        return None
    server = SandboxServer(version=ODOO_VERSION, seed_name="demo", port=port)
    server.start()
    return server


def stop_sandbox(server: Any) -> None:
    server.stop()


def connect(port: int, password: str) -> Any:
    import odoorpc

    odoo = odoorpc.ODOO("127.0.0.1", port=port, timeout=30)
    odoo.login("demo", "admin", password)
    return odoo


def describe(odoo: Any) -> str:
    version = odoo.version
    products = odoo.env["product.product"].search_count([])
    partners = odoo.env["res.partner"].search_count([("customer_rank", ">", 0), ("is_company", "=", True)])
    return f"Odoo {version}, {products} products, {partners} customers"


# what purchasing orders from the vendor at the start of the day: (product code, quantity, days until it arrives)
RESTOCK = (("SP-500", 120.0, 3), ("SP-500", 80.0, 6))


def restock(odoo: Any, today: date | None = None) -> str:
    """A confirmed purchase order to the demo vendor, its receipts expected in a few days.

    Confirming it creates the incoming receipt the way Odoo does, so the inventory feed reports
    that stock as on order with its dates.
    """
    today = today or date.today()
    vendor = odoo.env["res.partner"].search([("ref", "=", "WIDGETWORKS")])
    products = odoo.env["product.product"]
    lines = []
    for code, qty, days in RESTOCK:
        [product] = products.search([("default_code", "=", code)])
        lines.append((0, 0, {"product_id": product, "product_qty": qty, "price_unit": 1.0,
                             "date_planned": f"{today + timedelta(days=days)} 09:00:00"}))
    order = odoo.env["purchase.order"]
    po = order.create({"partner_id": vendor[0], "order_line": lines})
    odoo.execute_kw("purchase.order", "button_confirm", [[po]])
    arrivals = ", ".join(f"{int(qty)} {code} on {today + timedelta(days=days)}" for code, qty, days in RESTOCK)
    return f"purchase order {order.browse(po).name} confirmed: {arrivals}"


def edi_orders(odoo: Any) -> list[int]:
    """Sale orders that came from EDI (they carry the customer's PO number)."""
    return list(odoo.env["sale.order"].search([("client_order_ref", "!=", False)], order="id"))


def changed_orders(odoo: Any) -> list[str]:
    """PO numbers of the sale orders a partner's change was merged into (the merge notes it on the order)."""
    rows = odoo.execute_kw("sale.order", "search_read", [[("note", "ilike", "EDI change ")]],
                           {"fields": ["client_order_ref"], "order": "id"})
    return sorted(str(r["client_order_ref"]) for r in rows)


def _customer_ref(odoo: Any, order: Any) -> str:
    partner = order.partner_id
    commercial = partner.commercial_partner_id if "commercial_partner_id" in partner._columns else partner
    return str(commercial.ref or partner.ref or "")


def _pick_in_full(odoo: Any, moves: Any, ids: list[int]) -> None:
    """The warehouse picked each move's full demand: from 17 the move's `quantity`. Odoo 16 keeps the done
    quantity apart (`quantity_done`, on the move lines' `qty_done`): a move of one line (or none) takes the
    demand; one reserved over several lines has each line's reservation done (16's "Set quantities")."""
    if "quantity" in odoo.execute_kw("stock.move", "fields_get", [["quantity"]]):
        for move in moves.browse(ids):
            if move.quantity < move.product_uom_qty:
                move.write({"quantity": move.product_uom_qty})
        return
    for move in moves.browse(ids):
        lines = odoo.execute_kw("stock.move.line", "search_read", [[("move_id", "=", move.id)], ["reserved_uom_qty"]])
        if len(lines) <= 1:
            move.write({"quantity_done": move.product_uom_qty})
        for line in lines if len(lines) > 1 else []:
            odoo.execute_kw("stock.move.line", "write", [[line["id"]], {"qty_done": line["reserved_uom_qty"]}])


def ship_and_invoice(odoo: Any, note: Callable[[str], None]) -> tuple[str, dict[str, dict[str, int]]]:
    """Confirm, deliver in full and invoice every EDI order, like the warehouse and accounting would.

    Returns the summary line and, per customer ref (res.partner.ref), {"shipped": n, "invoiced": n}.
    """
    orders = odoo.env["sale.order"]
    ids = edi_orders(odoo)
    per_ref: dict[str, dict[str, int]] = {}
    if not ids:
        return "no EDI orders in Odoo to ship or invoice", per_ref
    confirmed = shipped = invoiced = 0
    for order in orders.browse(ids):
        if order.state in ("draft", "sent"):
            order.action_confirm()
            confirmed += 1
    pickings = odoo.env["stock.picking"]
    moves = odoo.env["stock.move"]
    for order in orders.browse(ids):
        for picking_id in order.picking_ids.ids:
            picking = pickings.browse(picking_id)
            if picking.state in ("done", "cancel"):
                continue
            if picking.state != "assigned":
                picking.action_assign()
            _pick_in_full(odoo, moves, picking.move_ids.ids)
            result = odoo.execute_kw("stock.picking", "button_validate", [[picking_id]])
            if isinstance(result, dict) and result.get("res_model") == "stock.backorder.confirmation":
                context = result.get("context") or {}
                wizard = odoo.execute_kw("stock.backorder.confirmation", "create", [{
                    "pick_ids": [[6, 0, [picking_id]]]}], {"context": context})
                odoo.execute_kw("stock.backorder.confirmation", "process", [[wizard]], {"context": context})
            shipped += 1
            per_ref.setdefault(_customer_ref(odoo, order), {"shipped": 0, "invoiced": 0})["shipped"] += 1
            note(f"delivery {picking.name} of {order.name} validated")
    for order_id in ids:
        order = orders.browse(order_id)
        if order.invoice_status != "to invoice":
            continue
        context = {"active_model": "sale.order", "active_ids": [order_id], "active_id": order_id}
        wizard = odoo.execute_kw("sale.advance.payment.inv", "create",
                                 [{"advance_payment_method": "delivered"}], {"context": context})
        odoo.execute_kw("sale.advance.payment.inv", "create_invoices", [[wizard]], {"context": context})
        for move_id in orders.browse(order_id).invoice_ids.ids:
            move = odoo.env["account.move"].browse(move_id)
            if move.state == "draft":
                move.action_post()
                invoiced += 1
                per_ref.setdefault(_customer_ref(odoo, order), {"shipped": 0, "invoiced": 0})["invoiced"] += 1
                note(f"invoice {odoo.env['account.move'].browse(move_id).name} for {order.name} posted")
    return (f"{len(ids)} EDI orders: {confirmed} confirmed, {shipped} deliveries validated, "
            f"{invoiced} invoices posted"), per_ref
