"""Business behaviour of the sandbox: create hooks and the public methods the gateway calls.

Modelled on Odoo 16-19: `sale.order.action_confirm` creates the outgoing picking with its
moves and reserves stock; `sale.order.action_cancel` returns the `sale.order.cancel` wizard
for an order past draft in 17 and 18 (context `disable_cancel_warning` skips it; 19 has no such
wizard and cancels at once) and cancels its open pickings; `stock.picking.button_validate` returns the backorder wizard
(in 16 first the immediate transfer wizard when nothing is done) or moves the quants; `sale.advance.payment.inv.create_invoices` is the public invoicing
path (`_create_invoices` is private); `account.move.action_post` numbers and posts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from gateway.odoo.sandbox.exceptions import OdooAttributeError, OdooValueError, UserError
from gateway.odoo.sandbox.models import (
    _currency_places,
    _for_variant,
    from_reference,
    kit_bom,
    location_usage,
    money_round,
    names,
    to_reference,
)
from gateway.odoo.sandbox.orm import Env, ModelSpec, half_up, now_str

REQUIRED = object()


@dataclass
class Method:
    fn: Callable[..., Any]
    on_records: bool                          # False: @api.model (no ids)
    params: list[tuple[str, Any]]             # (name, default or REQUIRED)


# --------------------------------------------------------------------------- uom and stock helpers

def is_storable(env: Env, product: int) -> bool:
    if env.db.version <= 17:
        return bool(env.get("product.product", product, "detailed_type") == "product")
    return bool(env.get("product.product", product, "is_storable"))


def _location(env: Env, usage: str) -> int:
    for rid, rec in env.db.data["stock.location"].items():
        if rec.get("usage") == usage and rec.get("active", True):
            return rid
    raise UserError(f"No {usage} location is configured.")


def _quant(env: Env, product: int, location: int, lot: Any = False, package: Any = False) -> int:
    for rid, rec in env.db.data["stock.quant"].items():
        if (rec.get("product_id"), rec.get("location_id"), rec.get("lot_id") or False,
                rec.get("package_id") or False) == (product, location, lot or False, package or False):
            return rid
    return env.create("stock.quant", [{"product_id": product, "location_id": location, "lot_id": lot or False,
                                       "package_id": package or False}])[0]


def _add_quant(env: Env, product: int, location: int, qty: float, reserved: float = 0.0,
               lot: Any = False, package: Any = False) -> None:
    rid = _quant(env, product, location, lot, package)
    rec = env.db.data["stock.quant"][rid]
    env.write("stock.quant", [rid], {"quantity": rec.get("quantity", 0.0) + qty,
                                     "reserved_quantity": max(0.0, rec.get("reserved_quantity", 0.0) + reserved)})


# --------------------------------------------------------------------------- create hooks

def product_pre_create(env: Env, vals: dict[str, Any]) -> dict[str, Any]:
    if vals.get("product_tmpl_id"):
        return vals
    template_fields = env.spec("product.template").fields
    own = {"default_code", "barcode", "active", "product_tmpl_id"}
    tmpl_vals = {k: vals.pop(k) for k in list(vals) if k in template_fields and k not in own}
    tmpl_vals.setdefault("name", vals.get("default_code") or "Product")
    ctx = env.with_context(create_product_product=False)
    vals["product_tmpl_id"] = ctx.create("product.template", [tmpl_vals])[0]
    return vals


def template_pre_create(env: Env, vals: dict[str, Any]) -> dict[str, Any]:
    if env.db.version <= 17:
        if "detailed_type" in vals and "type" not in vals:
            vals["type"] = vals["detailed_type"]
        elif "type" in vals and "detailed_type" not in vals:
            vals["detailed_type"] = vals["type"]
    if "uom_id" in vals and "uom_po_id" not in vals:
        vals["uom_po_id"] = vals["uom_id"]
    if "purchase_method" not in vals and "purchase_method" in env.spec("product.template").fields:
        vals["purchase_method"] = _purchase_method(vals.get("detailed_type", vals.get("type")))
    return vals


def template_on_write(env: Env, ids: list[int], vals: dict[str, Any]) -> None:
    """A product's type changed without its bill control: Odoo computes it again (`_purchase_method`)."""
    kind = vals.get("detailed_type", vals.get("type"))
    if kind is not None and "purchase_method" not in vals:
        env.write("product.template", ids, {"purchase_method": _purchase_method(kind)})


def _purchase_method(kind: Any) -> str:
    """purchase's bill control as product.template `_compute_purchase_method` computes it on create and on a change
    of type (16-17 on `detailed_type`, 18-19 on `type`; purchase/models/product.py): a service is billed on ordered
    quantities, anything else on received ones (the field's default; an `ir.default` the sandbox does not keep)."""
    return "purchase" if kind == "service" else "receive"


def template_on_create(env: Env, ids: list[int], vals_list: list[dict[str, Any]]) -> None:
    if env.context.get("create_product_product") is False:
        return
    for rid in ids:
        if not any(r.get("product_tmpl_id") == rid for r in env.db.data["product.product"].values()):
            env.create("product.product", [{"product_tmpl_id": rid}])


def _address(env: Env, partner: int, kind: str) -> int:
    """res.partner `address_get([kind])` as sale.order computes its delivery and invoice addresses: the customer's
    own contact of that type, else the customer itself."""
    commercial = env.get("res.partner", partner, "commercial_partner_id")
    for rid, rec in env.db.data["res.partner"].items():
        if (rec.get("parent_id") in (partner, commercial) and rec.get("type") == kind
                and rec.get("active", True) and (partner == commercial or rid == partner)):
            return rid
    return partner


def sale_pre_create(env: Env, vals: dict[str, Any]) -> dict[str, Any]:
    partner = vals.get("partner_id")
    if partner and env.exists("res.partner", partner):
        commercial = env.get("res.partner", partner, "commercial_partner_id")
        vals.setdefault("partner_invoice_id", _address(env, partner, "invoice"))
        vals.setdefault("partner_shipping_id", _address(env, partner, "delivery"))
        pricelist = env.db.data["res.partner"][commercial].get("property_product_pricelist")
        if not vals.get("pricelist_id"):
            vals["pricelist_id"] = pricelist or (min(env.db.data["product.pricelist"])
                                                 if env.db.data["product.pricelist"] else False)
    if not vals.get("currency_id"):     # `_compute_currency_id`: the pricelist's, else (none) the company's
        company = vals.get("company_id") or env.company
        vals["currency_id"] = (env.db.data["product.pricelist"][vals["pricelist_id"]].get("currency_id")
                               if vals.get("pricelist_id") else
                               env.db.data["res.company"].get(company or 0, {}).get("currency_id") or False)
    if "payment_term_id" not in vals and partner and env.exists("res.partner", partner):   # `_compute_payment_term_id`
        vals["payment_term_id"] = env.get("res.partner", partner, "property_payment_term_id") or False
    if "fiscal_position_id" not in vals:
        vals["fiscal_position_id"] = fiscal_position(env, vals.get("partner_id"), vals.get("partner_shipping_id"))
    if not vals.get("warehouse_id") and env.db.data["stock.warehouse"]:
        vals["warehouse_id"] = min(env.db.data["stock.warehouse"])
    if "user_id" not in vals:       # `_compute_user_id`: the customer's (or its company's) salesperson, else the caller
        who = [p for p in (partner, partner and env.exists("res.partner", partner)
                           and env.get("res.partner", partner, "commercial_partner_id")) if p]
        vals["user_id"] = next((env.get("res.partner", p, "user_id") for p in who
                                if env.get("res.partner", p, "user_id")), env.uid)
    return vals


def fiscal_position(env: Env, partner: Any, delivery: Any) -> Any:
    """account.fiscal.position `_get_fiscal_position(partner, delivery)` as sale.order `_compute_fiscal_position_id`
    (16-19) calls it: the delivery address's, else the customer's, Fiscal Position set by hand; else the first
    automatic one (by sequence) of the delivery address's country whose states, when it names some, hold its state
    (Odoo ranks by zip range and VAT too; the sandbox has neither)."""
    if not partner or not env.exists("res.partner", partner):
        return False
    delivery = delivery if delivery and env.exists("res.partner", delivery) else partner
    for who in (delivery, partner):
        manual = env.get("res.partner", who, "property_account_position_id")
        if manual:
            return manual
    country = env.get("res.partner", delivery, "country_id")
    state = env.get("res.partner", delivery, "state_id")
    found = [(0 if rec.get("state_ids") else 1, rec.get("sequence") or 0, rid)
             for rid, rec in env.db.data["account.fiscal.position"].items()
             if rec.get("auto_apply") and rec.get("active", True) and country
             and rec.get("country_id") in (False, None, country)
             and (not rec.get("state_ids") or state in rec["state_ids"])]
    return min(found)[2] if found else False


def mapped_taxes(env: Env, position: Any, taxes: list[int]) -> list[int]:
    """account.fiscal.position `map_tax`: each tax the position maps is replaced by its destination (none: dropped)."""
    if not position:
        return list(taxes)
    rules = [r for r in env.db.data["account.fiscal.position.tax"].values() if r.get("position_id") == position]
    out: list[int] = []
    for tax in taxes:
        targets = [r.get("tax_dest_id") for r in rules if r.get("tax_src_id") == tax]
        out += [t for t in targets if t] if targets else [tax]
    return sorted(set(out), key=out.index)


def sale_on_write(env: Env, ids: list[int], vals: dict[str, Any]) -> None:
    """sale.order `_compute_fiscal_position_id` (stored, depends on the customer and the delivery address): a new
    address gives the order the fiscal position it calls for, but its lines keep their taxes (the form's "Update
    taxes" button, `action_update_taxes`, maps them again)."""
    if "fiscal_position_id" in vals or not {"partner_id", "partner_shipping_id"} & set(vals):
        return
    for rid in ids:
        rec = env.db.data["sale.order"][rid]
        position = fiscal_position(env, rec.get("partner_id"), rec.get("partner_shipping_id"))
        if position != rec.get("fiscal_position_id"):
            env.write("sale.order", [rid], {"fiscal_position_id": position})


def sale_action_update_taxes(env: Env, ids: list[int]) -> None:
    """sale.order `action_update_taxes` (16-19): each line's product taxes through the order's fiscal position."""
    n = names(env.db.version)
    for rid in ids:
        position = env.db.data["sale.order"][rid].get("fiscal_position_id")
        for line, rec in list(env.db.data["sale.order.line"].items()):
            if rec.get("order_id") == rid and rec.get("product_id") and not rec.get("display_type"):
                taxes = mapped_taxes(env, position, env.get("product.product", rec["product_id"], "taxes_id"))
                env.write("sale.order.line", [line], {n["sale_tax"]: [[6, 0, taxes]]})


def pricelist_price(env: Env, pricelist: Any, product: int, qty: float, uom: Any) -> float:
    price = float(env.get("product.product", product, "list_price"))
    template = env.get("product.product", product, "product_tmpl_id")
    best = None
    for item in env.db.data["product.pricelist.item"].values():
        if item.get("pricelist_id") != pricelist or item.get("min_quantity", 0.0) > qty:
            continue
        if item.get("product_id") not in (False, None, product) or item.get("product_tmpl_id") not in (False, None, template):
            continue
        rank = 0 if item.get("product_id") else 1 if item.get("product_tmpl_id") else 2
        if best is None or rank < best[0]:
            best = (rank, item)
    if best is not None:
        item = best[1]
        price = item.get("fixed_price", 0.0) if item.get("compute_price") == "fixed" else \
            price * (1 - item.get("percent_price", 0.0) / 100.0)
    base_uom = env.get("product.product", product, "uom_id")
    if uom and base_uom and uom != base_uom:
        price = price * to_reference(env, uom, 1.0) / to_reference(env, base_uom, 1.0)
    return half_up(price, env.precision("Product Price"))       # as a sale line keeps it (its digits)


def in_partner_language(env: Env, model: str, order: Any) -> Env:
    """`env` in the language of the order's partner, as sale and purchase lines describe their product
    (sale.order.line `_compute_name`, purchase.order.line's name: the customer's or vendor's language, whoever
    calls); a language the database has not active leaves the call's."""
    partner = env.db.data[model].get(order or 0, {}).get("partner_id")
    lang = env.db.data["res.partner"].get(partner or 0, {}).get("lang")
    return env.with_context(lang=lang) if lang and (lang == "en_US" or env.db.languages.get(lang)) else env


def sale_line_pre_create(env: Env, vals: dict[str, Any]) -> dict[str, Any]:
    n = names(env.db.version)
    product = vals.get("product_id")
    if product and env.exists("product.product", product) and not vals.get("display_type"):
        vals.setdefault("name", in_partner_language(env, "sale.order", vals.get("order_id")).display_name(
            "product.product", product))
        if not vals.get(n["sale_uom"]):
            vals[n["sale_uom"]] = env.get("product.product", product, "uom_id")
        if n["sale_tax"] not in vals:       # `_compute_tax_id`: the product's, through the order's fiscal position
            position = env.db.data["sale.order"].get(vals.get("order_id") or 0, {}).get("fiscal_position_id")
            vals[n["sale_tax"]] = [[6, 0, mapped_taxes(env, position, env.get("product.product", product,
                                                                               "taxes_id"))]]
        if "price_unit" not in vals:
            order = env.db.data["sale.order"].get(vals.get("order_id") or 0, {})
            vals["price_unit"] = pricelist_price(env, order.get("pricelist_id"), product,
                                                 vals.get("product_uom_qty", 1.0), vals[n["sale_uom"]])
            if env.db.version >= 18:
                vals["technical_price_unit"] = vals["price_unit"]
    elif not vals.get("display_type") and not vals.get("name"):
        raise UserError("Missing required product and UoM on accountable sale quote line.")
    return vals


def sale_line_on_write(env: Env, ids: list[int], vals: dict[str, Any]) -> None:
    """sale.order.line `_compute_price_unit` (depends on product, unit and quantity): a new quantity, unit or
    product prices the line from the pricelist again unless the same write sets its price, or it is invoiced
    already; to 17 that replaces a price written by hand too, from 18 a price set by hand (price_unit no longer
    the `technical_price_unit` the line computed) is kept."""
    n = names(env.db.version)
    if "price_unit" in vals or not {"product_id", "product_uom_qty", n["sale_uom"]} & set(vals):
        return
    for rid in ids:
        rec = env.db.data["sale.order.line"][rid]
        if rec.get("display_type") or not rec.get("product_id") or env.get("sale.order.line", rid, "qty_invoiced"):
            continue
        if env.db.version >= 18 and rec.get("technical_price_unit") != rec.get("price_unit"):
            continue
        order = env.db.data["sale.order"].get(rec.get("order_id") or 0, {})
        price = pricelist_price(env, order.get("pricelist_id"), rec["product_id"], rec.get("product_uom_qty", 0.0),
                                rec.get(n["sale_uom"]))
        env.write("sale.order.line", [rid], {"price_unit": price, **(
            {"technical_price_unit": price} if env.db.version >= 18 else {})})


def purchase_line_pre_create(env: Env, vals: dict[str, Any]) -> dict[str, Any]:
    n = names(env.db.version)
    product = vals.get("product_id")
    if product and env.exists("product.product", product):
        vals.setdefault("name", in_partner_language(env, "purchase.order", vals.get("order_id")).display_name(
            "product.product", product))
        if not vals.get(n["purchase_uom"]):
            vals[n["purchase_uom"]] = env.get("product.product", product, "uom_po_id") or \
                env.get("product.product", product, "uom_id")
    return vals


def warehouse_on_create(env: Env, ids: list[int], vals_list: list[dict[str, Any]]) -> None:
    """A warehouse made through the API gets its locations (view CODE, CODE/Stock) and its Receipts and
    Delivery Orders operation types, as stock's `stock.warehouse.create` does. The seed's first
    warehouse brings its own (with Odoo's xml ids), so one given a stock location is left alone."""
    for rid, vals in zip(ids, vals_list, strict=True):
        if vals.get("lot_stock_id") or vals.get("view_location_id"):
            continue
        code = str(env.db.data["stock.warehouse"][rid].get("code"))
        view = env.create("stock.location", [{"name": code, "usage": "view", "warehouse_id": rid}])[0]
        stock = env.create("stock.location", [{"name": "Stock", "usage": "internal", "location_id": view,
                                               "warehouse_id": rid}])[0]
        types = env.create("stock.picking.type", [
            {"name": "Receipts", "code": "incoming", "sequence_code": "IN", "warehouse_id": rid,
             "default_location_src_id": _location(env, "supplier"), "default_location_dest_id": stock},
            {"name": "Delivery Orders", "code": "outgoing", "sequence_code": "OUT", "warehouse_id": rid,
             "default_location_src_id": stock, "default_location_dest_id": _location(env, "customer")}])
        env.write("stock.warehouse", [rid], {"view_location_id": view, "lot_stock_id": stock,
                                             "in_type_id": types[0], "out_type_id": types[1]})


def _open_moves(env: Env, field: str, ids: list[int]) -> list[int]:
    return [i for i, r in env.db.data["stock.move"].items() if r.get(field) in ids
            and r.get("state") not in ("done", "cancel")]


def purchase_line_on_write(env: Env, ids: list[int], vals: dict[str, Any]) -> None:
    """A new planned date on a confirmed line (the vendor's new promise) becomes the deadline of its open
    receipt moves; their scheduled `date` stays (purchase_stock `_update_move_date_deadline`). A new quantity
    changes what its receipt expects (`_receipt_demand`)."""
    if vals.get("date_planned"):
        moves = _open_moves(env, "purchase_line_id", ids)
        if moves:
            env.write("stock.move", moves, {"date_deadline": vals["date_planned"]})
    if "product_qty" in vals:
        _receipt_demand(env, ids)


def purchase_line_on_create(env: Env, ids: list[int], vals_list: list[dict[str, Any]]) -> None:
    """A product line added to a confirmed order is expected in its open receipt (`_receipt_demand`)."""
    _receipt_demand(env, ids)


def _receipt_demand(env: Env, ids: list[int]) -> None:
    """purchase_stock `_create_or_update_picking` (16-19, purchase_order_line.py), for confirmed product lines: a
    move of the difference between the line's quantity and what its moves hold, which stock `_merge_moves` merges
    into its open receipt move (a lower quantity lowers that move's demand); a line without one gets a move in the
    order's open receipt, on the line's planned date (`_prepare_stock_move_vals`). The reservation follows."""
    n = names(env.db.version)
    for rid in ids:
        rec = env.db.data["purchase.order.line"][rid]
        order = env.record("purchase.order", rec["order_id"])
        if order.get("state") != "purchase" or not rec.get("product_id") or rec.get("display_type"):
            continue
        done = sum(float(m.get("product_uom_qty") or 0.0) for m in env.db.data["stock.move"].values()
                   if m.get("purchase_line_id") == rid and m.get("state") == "done")
        want = max(float(rec.get("product_qty") or 0.0) - done, 0.0)
        moves = _open_moves(env, "purchase_line_id", [rid])
        if moves:
            picking = env.db.data["stock.move"][moves[0]].get("picking_id")
            _unreserve(env, moves[0])
            if want <= 0:       # emptied by the merge: cancelled (stock `_merge_moves`' moves_to_cancel)
                env.write("stock.move", [moves[0]], {"product_uom_qty": 0.0, "state": "cancel"})
                continue
            env.write("stock.move", [moves[0]], {"product_uom_qty": want})
        else:
            picking = next((i for i, p in env.db.data["stock.picking"].items() if p.get("purchase_id") == rec["order_id"]
                            and p.get("state") not in ("done", "cancel")), None)
            if picking is None or want <= 0:
                continue
            planned = rec.get("date_planned") or order.get("date_planned") or now_str()
            env.create("stock.move", [{"picking_id": picking, "product_id": rec["product_id"], "name": rec.get("name"),
                                       "product_uom_qty": want, "product_uom": rec.get(n["purchase_uom"]),
                                       "purchase_line_id": rid, "date": planned, "date_deadline": planned,
                                       "state": "confirmed"}])
        if picking:
            _assign_picking(env, picking)


def picking_on_write(env: Env, ids: list[int], vals: dict[str, Any]) -> None:
    """Rescheduling a transfer moves the scheduled date of its open moves (stock `_set_scheduled_date`)."""
    if vals.get("scheduled_date"):
        moves = _open_moves(env, "picking_id", ids)
        if moves:
            env.write("stock.move", moves, {"date": vals["scheduled_date"]})


def picking_pre_create(env: Env, vals: dict[str, Any]) -> dict[str, Any]:
    ptype = vals.get("picking_type_id")
    if ptype and env.exists("stock.picking.type", ptype):
        rec = env.db.data["stock.picking.type"][ptype]
        vals.setdefault("location_id", rec.get("default_location_src_id"))
        vals.setdefault("location_dest_id", rec.get("default_location_dest_id"))
        if vals.get("name", "/") == "/":
            wh = env.db.data["stock.warehouse"].get(rec.get("warehouse_id") or 0, {})
            code = rec.get("sequence_code") or "PICK"
            vals["name"] = f"{wh.get('code', 'WH')}/{code}/{env.db.next_sequence('picking.' + str(ptype)):05d}"
    return vals


def move_pre_create(env: Env, vals: dict[str, Any]) -> dict[str, Any]:
    picking = env.db.data["stock.picking"].get(vals.get("picking_id") or 0)
    if picking:
        vals.setdefault("location_id", picking.get("location_id"))
        vals.setdefault("location_dest_id", picking.get("location_dest_id"))
        vals.setdefault("picking_type_id", picking.get("picking_type_id"))
        vals.setdefault("partner_id", picking.get("partner_id"))
        vals.setdefault("origin", picking.get("origin"))
    product = vals.get("product_id")
    if product and env.exists("product.product", product):
        vals.setdefault("product_uom", env.get("product.product", product, "uom_id"))
        vals.setdefault("name", env.display_name("product.product", product))
    return vals


def move_line_pre_create(env: Env, vals: dict[str, Any]) -> dict[str, Any]:
    move = env.db.data["stock.move"].get(vals.get("move_id") or 0)
    if move:
        for key, src in (("picking_id", "picking_id"), ("product_id", "product_id"), ("location_id", "location_id"),
                         ("location_dest_id", "location_dest_id"), ("product_uom_id", "product_uom")):
            vals.setdefault(key, move.get(src))
    if vals.get("lot_name") and not vals.get("lot_id") and vals.get("product_id"):
        vals["lot_id"] = _lot(env, vals["product_id"], vals["lot_name"], vals.get("expiration_date"))
    return vals


def move_line_on_write(env: Env, ids: list[int], vals: dict[str, Any]) -> None:
    """Writing a move line's quantity/lot updates its move, as the detailed operations do."""
    if "lot_name" in vals:
        for rid in ids:
            rec = env.db.data["stock.move.line"][rid]
            if rec.get("lot_name") and rec.get("product_id"):
                env.write("stock.move.line", [rid], {"lot_id": _lot(env, rec["product_id"], rec["lot_name"])})
    n = names(env.db.version)
    if n["line_done"] in vals or n["line_reserved"] in vals:
        for move in {env.db.data["stock.move.line"][rid].get("move_id") for rid in ids}:
            if move:
                _sync_move_quantity(env, move)


def move_line_on_create(env: Env, ids: list[int], vals_list: list[dict[str, Any]]) -> None:
    for move in {env.db.data["stock.move.line"][rid].get("move_id") for rid in ids}:
        if move:
            _sync_move_quantity(env, move)


def move_line_on_unlink(env: Env, gone: list[dict[str, Any]]) -> None:
    """A move's quantity is the sum of its move lines' in 17+ (computed): deleting a line lowers it."""
    for move in {r.get("move_id") for r in gone}:
        if move and move in env.db.data["stock.move"]:
            _sync_move_quantity(env, move)


def _sync_move_quantity(env: Env, move: int) -> None:
    """The move's quantity in its own unit: a line in dozens on a move in units counts twelve each. Rounded to
    Product Unit of Measure, as Odoo stores it: 80 units on a move in dozens are 6.67, not 6.666666666666667.
    In 16 the done and the reserved quantity are each summed (`quantity_done`, `reserved_availability`)."""
    n = names(env.db.version)
    unit = env.db.data["stock.move"][move].get("product_uom")
    env.db.remember("write", "stock.move", move)
    for line_field, move_field in {(n["line_done"], n["move_done"]), (n["line_reserved"], n["move_reserved"])}:
        total = sum(_in_unit(env, r.get(line_field, 0.0), r.get("product_uom_id"), unit)
                    for r in env.db.data["stock.move.line"].values() if r.get("move_id") == move)
        env.db.data["stock.move"][move][move_field] = round(total, env.precision("Product Unit of Measure"))
    env.db.data["stock.move"][move]["write_date"] = now_str()


def _in_unit(env: Env, qty: float, unit: int | None, to: int | None) -> float:
    if not unit or not to or unit == to:
        return float(qty)
    return from_reference(env, to, to_reference(env, unit, qty))


def move_on_write(env: Env, ids: list[int], vals: dict[str, Any]) -> None:
    """Writing a move's quantity adjusts its move lines, as Odoo 17+ does (quantity = reserved + picked); 16's
    `quantity_done` goes to the move's one line (`_quantity_done_set`)."""
    if env.db.version <= 16:
        if "quantity_done" in vals:
            _quantity_done_set(env, ids, float(vals["quantity_done"] or 0.0))
        return
    if "quantity" not in vals:
        return
    for move in ids:
        rec = env.db.data["stock.move"][move]
        lines = [i for i, r in env.db.data["stock.move.line"].items() if r.get("move_id") == move]
        have = sum(env.db.data["stock.move.line"][i].get("quantity", 0.0) for i in lines)
        diff = float(vals["quantity"] or 0.0) - have
        if abs(diff) < 1e-9:
            continue
        if lines:
            last = env.db.data["stock.move.line"][lines[-1]]
            env.write("stock.move.line", [lines[-1]], {"quantity": max(0.0, last.get("quantity", 0.0) + diff)})
        else:
            env.create("stock.move.line", [{"move_id": move, "quantity": diff}])
        _ = rec


def _quantity_done_set(env: Env, ids: list[int], done: float) -> None:
    """16's inverse of `stock.move.quantity_done`: a move without lines gets one done line (its reservation
    untouched), a move with one line gets it on that line, and a move with more refuses another figure than the
    lines' own sum ("work directly with the move lines")."""
    for move in ids:
        lines = [i for i, r in env.db.data["stock.move.line"].items() if r.get("move_id") == move]
        if not lines:
            if done:
                env.create("stock.move.line", [{"move_id": move, "qty_done": done}])
            else:
                _sync_move_quantity(env, move)
        elif len(lines) == 1:
            env.write("stock.move.line", lines, {"qty_done": done})
        else:
            unit = env.db.data["stock.move"][move].get("product_uom")
            have = sum(_in_unit(env, env.db.data["stock.move.line"][i].get("qty_done", 0.0),
                                env.db.data["stock.move.line"][i].get("product_uom_id"), unit) for i in lines)
            if abs(have - done) > 1e-9:
                raise UserError("Cannot set the done quantity from this stock move, work directly with the move "
                                "lines.")
            _sync_move_quantity(env, move)


def _lot(env: Env, product: int, name: str, expiration: Any = None) -> int:
    """The product's lot of that name; a new one gets the move line's expiration date (product_expiry's
    `_prepare_new_lot_vals`), an existing one keeps its own."""
    for rid, rec in env.db.data["stock.lot"].items():
        if rec.get("product_id") == product and rec.get("name") == name:
            return rid
    return env.create("stock.lot", [{"product_id": product, "name": name,
                                     **({"expiration_date": expiration} if expiration else {})}])[0]


def move_pre_create_account(env: Env, vals: dict[str, Any]) -> dict[str, Any]:
    move_type = vals.get("move_type", "entry")
    if not vals.get("journal_id") and move_type != "entry":
        kind = "sale" if move_type.startswith("out_") else "purchase"
        for rid, rec in env.db.data["account.journal"].items():
            if rec.get("type") == kind:
                vals["journal_id"] = rid
                break
    if "invoice_payment_term_id" not in vals and move_type != "entry" and vals.get("partner_id"):
        # account.move._compute_invoice_payment_term_id: the partner's terms (customer's or vendor's), as the
        # company of the move holds them; a create that gives the field (False too) keeps what it gives
        field = "property_payment_term_id" if move_type.startswith("out_") else "property_supplier_payment_term_id"
        vals["invoice_payment_term_id"] = env.get("res.partner", vals["partner_id"], field) or False
    return vals


def move_term_due(env: Env, ids: list[int], vals: dict[str, Any] | list[dict[str, Any]] | None = None) -> None:
    """account.move._compute_invoice_date_due over `needed_terms`: a move with payment terms and lines is due on
    the last date its terms give from the invoice date (else the accounting date, else today), whatever due date
    was written; without terms the due date written is kept."""
    for rid in ids:
        move = env.db.data["account.move"].get(rid)
        if not move or not move.get("invoice_payment_term_id"):
            continue
        if not any(r.get("move_id") == rid for r in env.db.data["account.move.line"].values()):
            continue
        lines = [r for r in env.db.data["account.payment.term.line"].values()
                 if r.get("payment_id") == move["invoice_payment_term_id"]]
        start = date.fromisoformat(str(move.get("invoice_date") or move.get("date") or date.today().isoformat()))
        days = max((int(r.get("nb_days") or r.get("days") or 0) for r in lines), default=0)
        move["invoice_date_due"] = (start + timedelta(days=days)).isoformat()


def account_line_pre_create(env: Env, vals: dict[str, Any]) -> dict[str, Any]:
    product = vals.get("product_id")
    if product and env.exists("product.product", product):
        vals.setdefault("name", env.display_name("product.product", product))
        vals.setdefault("product_uom_id", env.get("product.product", product, "uom_id"))
        move = env.db.data["account.move"].get(vals.get("move_id") or 0, {})
        if "price_unit" not in vals:
            vals["price_unit"] = env.get("product.product", product, "list_price" if str(
                move.get("move_type", "")).startswith("out_") else "standard_price")
    return vals


# --------------------------------------------------------------------------- business methods

def sale_action_confirm(env: Env, ids: list[int]) -> bool:
    n = names(env.db.version)
    for rid in ids:
        order = env.record("sale.order", rid)
        if order.get("state") not in ("draft", "sent"):
            raise UserError("Some orders are not in a state requiring confirmation.")
    for rid in ids:
        order = env.db.data["sale.order"][rid]
        env.write("sale.order", [rid], {"state": "sale", "date_order": now_str()})
        lines = [i for i, r in env.db.data["sale.order.line"].items()
                 if r.get("order_id") == rid and not r.get("display_type") and r.get("product_id")
                 and env.get("product.product", r["product_id"], "type") != "service"]
        if not lines:
            continue
        wh = env.db.data["stock.warehouse"][order["warehouse_id"]]
        picking = env.create("stock.picking", [{
            "picking_type_id": wh["out_type_id"], "partner_id": order.get("partner_shipping_id"),
            "origin": order.get("name"), "sale_id": rid, "location_id": wh["lot_stock_id"],
            "location_dest_id": _location(env, "customer"),
            "scheduled_date": order.get("commitment_date") or now_str(), "state": "confirmed"}])[0]
        for line in lines:
            rec = env.db.data["sale.order.line"][line]
            env.create("stock.move", _exploded(env, {
                "picking_id": picking, "product_id": rec["product_id"], "name": rec.get("name"),
                "product_uom_qty": rec.get("product_uom_qty", 0.0), "product_uom": rec.get(n["sale_uom"]),
                "sale_line_id": line, "state": "confirmed"}))
        _assign_picking(env, picking)
    return True


def _exploded(env: Env, move: dict[str, Any], inside: frozenset[int] = frozenset()) -> list[dict[str, Any]]:
    """A move of a kit (a product with a phantom BoM) as mrp confirms it: one move per BoM line for the variant,
    each the kit move's values with the component, its quantity (the kit's in the BoM's counting, times the line's)
    in the line's unit, and `bom_line_id` (stock.move `action_explode` / `_prepare_phantom_move_values`,
    mrp/models/stock_move.py 16-19; the sale line stays on each; the move's quantity taken in the BoM's unit,
    `_compute_quantity`). A component that is a kit itself is exploded
    in turn, as mrp.bom `explode` follows a line whose product has a kit BoM (`inside`: the kits above, against a
    loop), so its moves name its own BoM lines. Any other move: itself."""
    bom_id = kit_bom(env, move["product_id"])
    if bom_id is None or move["product_id"] in inside:
        return [move]
    bom = env.db.data["mrp.bom"][bom_id]
    kits = move["product_uom_qty"] / (bom.get("product_qty") or 1.0)
    if move.get("product_uom") and bom.get("product_uom_id"):       # the line's Dozens, the BoM's Units
        kits = from_reference(env, bom["product_uom_id"], to_reference(env, move["product_uom"], kits))
    return [part for bid, line in env.db.data["mrp.bom.line"].items()
            if line.get("bom_id") == bom_id and _for_variant(env, line, move["product_id"])
            and env.get("product.product", line["product_id"], "type") != "service"
            for part in _exploded(env, {**move, "product_id": line["product_id"], "bom_line_id": bid,
                                        "product_uom_qty": kits * line["product_qty"],
                                        "product_uom": line.get("product_uom_id") or
                                        env.get("product.product", line["product_id"], "uom_id")},
                                  inside | {move["product_id"]})] or [move]


def sale_action_done(env: Env, ids: list[int]) -> bool:
    """16's Lock: a confirmed order becomes `done` (17 has the `locked` boolean and `action_lock` instead)."""
    if env.db.version >= 17:
        raise OdooAttributeError("The method 'action_done' does not exist on the model 'sale.order'")
    env.write("sale.order", ids, {"state": "done"})
    return True


def sale_action_cancel(env: Env, ids: list[int]) -> Any:
    """A locked order is refused (17+: `locked`; 16's Lock, state `done`, is not checked in the code read); the
    `sale.order.cancel` wizard opens when `_asks_cancel_wizard`, unless the context says `disable_cancel_warning`;
    else `_action_cancel`."""
    orders = [env.record("sale.order", rid) for rid in ids]
    if any(o.get("locked") for o in orders):
        raise UserError("You cannot cancel a locked order. Please unlock it first.")
    if not env.context.get("disable_cancel_warning") and any(_asks_cancel_wizard(env, rid) for rid in ids):
        if len(ids) != 1:
            raise OdooValueError(f"Expected singleton: sale.order{tuple(ids)}")
        return {"name": "Cancel Sales Order", "view_mode": "form", "res_model": "sale.order.cancel",
                "type": "ir.actions.act_window", "target": "new", "view_id": False,
                "context": {"default_order_id": ids[0], "mark_so_as_canceled": True}}
    for rid in ids:
        _sale_cancel(env, rid)
    return True


def _asks_cancel_wizard(env: Env, order: int) -> bool:
    """`_show_cancel_wizard`: 17 and 18 for an order past draft; 16 (sale's, and sale_stock's override, as copies
    of that code read) for one with a draft invoice or a done delivery; never in 19, which has no such wizard."""
    if env.db.version >= 19:
        return False
    if env.db.version >= 17:
        return bool(env.db.data["sale.order"][order].get("state") != "draft")
    invoices = env.get("sale.order", order, "invoice_ids") or []
    return any(env.db.data["account.move"][m].get("state") == "draft" for m in invoices) or any(
        r.get("sale_id") == order and r.get("state") == "done" for r in env.db.data["stock.picking"].values())


def _sale_cancel(env: Env, order: int) -> None:
    """sale_stock's `_action_cancel`: the order's pickings that are not done are cancelled (their moves
    too, reservations released), draft invoices are cancelled, then the order."""
    for pick in [i for i, r in env.db.data["stock.picking"].items() if r.get("sale_id") == order
                 and r.get("state") not in ("done", "cancel")]:
        for move in [i for i, r in env.db.data["stock.move"].items() if r.get("picking_id") == pick
                     and r.get("state") not in ("done", "cancel")]:
            _unreserve(env, move)
            env.write("stock.move", [move], {"state": "cancel"})
        env.write("stock.picking", [pick], {"state": "cancel"})
    drafts = [i for i, r in env.db.data["account.move"].items() if r.get("state") == "draft"
              and i in (env.get("sale.order", order, "invoice_ids") or [])]
    if drafts:
        env.write("account.move", drafts, {"state": "cancel"})
    env.write("sale.order", [order], {"state": "cancel"})


def _unreserve(env: Env, move: int) -> None:
    reserved = names(env.db.version)["line_reserved"]
    rec = env.db.data["stock.move"][move]
    lines = [i for i, r in env.db.data["stock.move.line"].items() if r.get("move_id") == move]
    for line_id in lines:
        line = env.db.data["stock.move.line"][line_id]
        src = line.get("location_id") or rec["location_id"]
        if location_usage(env, src) == "internal" and is_storable(env, rec["product_id"]):
            ref_qty = to_reference(env, line.get("product_uom_id") or rec["product_uom"], line.get(reserved, 0.0))
            _add_quant(env, rec["product_id"], src, 0.0, -ref_qty, line.get("lot_id"), line.get("package_id"))
    if lines:
        env.unlink("stock.move.line", lines)


def sale_cancel_wizard_cancel(env: Env, ids: list[int]) -> Any:
    """`sale.order.cancel.action_cancel`: the order's action_cancel without the warning."""
    result: Any = True
    for rid in ids:
        order = int(env.record("sale.order.cancel", rid)["order_id"])
        result = sale_action_cancel(env.with_context(disable_cancel_warning=True), [order])
    return result


def _reserved_line(env: Env, product: int, uom: int, take: float) -> dict[str, Any]:
    """A reservation's move line quantity, as stock.move._prepare_move_line_vals makes it: in the move's unit
    when the quantity is whole there at Odoo's 2 decimals (Product Unit of Measure), else in the product's own
    unit (20 units of a move in dozens are 20 Units, not 1.6666666666666667 Dozens)."""
    reserved = names(env.db.version)["line_reserved"]
    in_move = round(from_reference(env, uom, take), 2)
    if abs(to_reference(env, uom, in_move) - take) < 0.005:
        return {reserved: in_move, "product_uom_id": uom}
    own = env.get("product.product", product, "uom_id") or uom
    return {reserved: round(from_reference(env, own, take), 2), "product_uom_id": own}


def _assign_picking(env: Env, picking: int) -> None:
    """Reserve stock for the picking's moves (action_assign)."""
    n = names(env.db.version)
    moves = [i for i, r in env.db.data["stock.move"].items() if r.get("picking_id") == picking
             and r.get("state") in ("confirmed", "partially_available", "assigned")]
    any_reserved = False
    all_reserved = True
    for move in moves:
        rec = env.db.data["stock.move"][move]
        product, uom = rec["product_id"], rec["product_uom"]
        need = rec.get("product_uom_qty", 0.0) - rec.get(n["move_reserved"], 0.0)
        src = rec["location_id"]
        if need <= 0:
            any_reserved = True
            continue
        if location_usage(env, src) != "internal" or not is_storable(env, product):
            env.create("stock.move.line", [{"move_id": move, n["line_reserved"]: need}])
            env.write("stock.move", [move], {"state": "assigned"})
            any_reserved = True
            continue
        need_ref = to_reference(env, uom, need)
        locs = env.hierarchy("stock.location", [src], down=True)
        for qid, q in sorted(env.db.data["stock.quant"].items()):
            if need_ref <= 1e-9:
                break
            if q.get("product_id") != product or q.get("location_id") not in locs:
                continue
            free = q.get("quantity", 0.0) - q.get("reserved_quantity", 0.0)
            take = min(free, need_ref)
            if take <= 0:
                continue
            env.write("stock.quant", [qid], {"reserved_quantity": q.get("reserved_quantity", 0.0) + take})
            env.create("stock.move.line", [{"move_id": move, **_reserved_line(env, product, uom, take),
                                             "location_id": q["location_id"], "lot_id": q.get("lot_id") or False,
                                             "package_id": q.get("package_id") or False}])
            need_ref -= take
        rec = env.db.data["stock.move"][move]
        reserved = rec.get(n["move_reserved"], 0.0)
        state = "assigned" if reserved >= rec.get("product_uom_qty", 0.0) - 1e-9 else \
            "partially_available" if reserved > 0 else "confirmed"
        env.write("stock.move", [move], {"state": state})
        any_reserved = any_reserved or reserved > 0
        all_reserved = all_reserved and state == "assigned"
    env.write("stock.picking", [picking], {"state": "assigned" if any_reserved else "confirmed"})


def picking_action_confirm(env: Env, ids: list[int]) -> bool:
    """Mark as To Do: draft moves become confirmed; a receipt (from a supplier or inventory location)
    is made ready at once, as stock's `action_confirm` does (nothing to reserve there)."""
    for rid in ids:
        moves = [i for i, r in env.db.data["stock.move"].items() if r.get("picking_id") == rid
                 and r.get("state") == "draft"]
        if not moves:
            continue
        env.write("stock.move", moves, {"state": "confirmed"})
        env.write("stock.picking", [rid], {"state": "confirmed"})
        src = env.db.data["stock.picking"][rid].get("location_id")
        if src and location_usage(env, src) in ("supplier", "inventory"):
            _assign_picking(env, rid)
    return True


def picking_action_assign(env: Env, ids: list[int]) -> bool:
    for rid in ids:
        _assign_picking(env, rid)
    return True


def picking_do_unreserve(env: Env, ids: list[int]) -> bool:
    """`stock.picking.do_unreserve` (16-19, the Unreserve button): the open moves give their reservations back
    (`stock.move._do_unreserve`) and wait again, still owed to the customer."""
    for rid in ids:
        moves = [i for i, r in env.db.data["stock.move"].items() if r.get("picking_id") == rid
                 and r.get("state") not in ("draft", "done", "cancel")]
        for move in moves:
            _unreserve(env, move)
        if moves:
            env.write("stock.move", moves, {"state": "confirmed"})
            env.write("stock.picking", [rid], {"state": "confirmed"})
    return True


def picking_button_validate(env: Env, ids: list[int]) -> Any:
    """17+: a transfer with nothing picked is validated as reserved. 16 keeps the done quantity apart: with
    nothing done anywhere it answers the `stock.immediate.transfer` wizard (unless `skip_immediate`), whose
    `process` sets the done quantities to the reserved ones."""
    n = names(env.db.version)
    todo = [rid for rid in ids if env.record("stock.picking", rid).get("state") not in ("done", "cancel")]
    need_backorder, immediate = [], []
    for rid in todo:
        moves = [r for r in env.db.data["stock.move"].values() if r.get("picking_id") == rid
                 and r.get("state") not in ("done", "cancel")]
        if not any(m.get(n["move_done"], 0.0) > 0 or m.get(n["move_reserved"], 0.0) > 0 for m in moves):
            raise UserError("You cannot validate a transfer if no quantities are reserved nor done. You can use the "
                            "info button on the top right corner of your screen to cancel the transfer.")
        if not any(m.get(n["move_done"], 0.0) > 0 for m in moves):
            immediate.append(rid)
            continue
        _check_tracking(env, rid)
        if any(m.get(n["move_done"], 0.0) < m.get("product_uom_qty", 0.0) - 1e-9 for m in moves):
            need_backorder.append(rid)
    if immediate and not env.context.get("skip_immediate"):
        return {"name": "Immediate Transfer?", "type": "ir.actions.act_window", "view_mode": "form",
                "res_model": "stock.immediate.transfer", "views": [[False, "form"]], "view_id": False,
                "target": "new", "context": {"default_show_transfers": False,
                                             "default_pick_ids": [[4, p] for p in immediate],
                                             "button_validate_picking_ids": todo}}
    if need_backorder and not env.context.get("skip_backorder"):
        return {"name": "Create Backorder?", "type": "ir.actions.act_window", "view_mode": "form",
                "res_model": "stock.backorder.confirmation", "views": [[False, "form"]], "view_id": False,
                "target": "new", "context": {"default_pick_ids": [[4, p] for p in need_backorder],
                                             "button_validate_picking_ids": todo}}
    no_backorder = set(env.context.get("picking_ids_not_to_backorder") or [])
    for rid in todo:
        _action_done(env, rid, create_backorder=rid not in no_backorder)
    return True


def immediate_process(env: Env, ids: list[int]) -> Any:
    """16's `stock.immediate.transfer.process`: each move line's done quantity is its reserved one
    (`_set_quantities_to_reservation`), then the transfers are validated past this wizard."""
    picks: list[int] = []
    for rid in ids:
        picks += [p for p in env.db.data["stock.immediate.transfer"][rid].get("pick_ids") or [] if p not in picks]
    for pick in picks:
        for line in [i for i, r in env.db.data["stock.move.line"].items() if r.get("picking_id") == pick
                     and r.get("state") not in ("done", "cancel")]:
            env.write("stock.move.line", [line], {"qty_done": env.db.data["stock.move.line"][line]
                                                  .get("reserved_uom_qty", 0.0)})
    todo = env.context.get("button_validate_picking_ids") or picks
    return picking_button_validate(env.with_context(skip_immediate=True), list(todo))


def _check_tracking(env: Env, picking: int) -> None:
    """stock.move.line._action_done's checks for a product tracked by lot or serial: a lot on every line
    with a quantity, and a serial number is one unit, once."""
    done = names(env.db.version)["line_done"]
    seen: set[tuple[int, int]] = set()
    for move_id, move in env.db.data["stock.move"].items():
        if move.get("picking_id") != picking or move.get("state") in ("done", "cancel"):
            continue
        tracking = env.get("product.product", move["product_id"], "tracking")
        if tracking not in ("lot", "serial"):
            continue
        name = env.get("product.product", move["product_id"], "name")
        lines = [r for r in env.db.data["stock.move.line"].values()
                 if r.get("move_id") == move_id and r.get(done, 0.0) > 0]
        for line in lines:
            if not line.get("lot_id"):
                raise UserError(f"You need to supply a Lot/Serial number for product:\n - {name}")
            if tracking == "serial":
                if abs(line[done] - 1.0) > 1e-9:
                    raise UserError("You can only process 1.0 Units of products with unique serial number.")
                key = (move["product_id"], line["lot_id"])
                if key in seen:
                    lot = env.get("stock.lot", line["lot_id"], "name")
                    raise UserError(f"The serial number has already been assigned: \n Product: {name}, "
                                    f"Serial Number: {lot}")
                seen.add(key)


def _check_serial_quants(env: Env, placed: set[tuple[int, int, int]]) -> None:
    """stock.quant.check_quantity: a serial number is one unit in a location and those under it, so receiving
    one that is in stock there already is refused (as the validation of the receipt, rolled back)."""
    for product, location, lot in sorted(placed):
        if env.get("product.product", product, "tracking") != "serial":
            continue
        under = env.hierarchy("stock.location", [location], down=True)
        total = sum(q.get("quantity", 0.0) for q in env.db.data["stock.quant"].values()
                    if q.get("product_id") == product and q.get("lot_id") == lot and q.get("location_id") in under)
        if total > 1.0 + 1e-9:
            raise UserError(f"The serial number has already been assigned: \n Product: "
                            f"{env.get('product.product', product, 'name')}, Serial Number: "
                            f"{env.get('stock.lot', lot, 'name')}")


def _action_done(env: Env, picking: int, create_backorder: bool) -> None:
    """Done lines move their quants (and release what they reserved); in 16 a line with nothing done gives
    its reservation back and is deleted, and a move with nothing done goes into the backorder as it is, as
    stock.picking._create_backorder moves every move not done or cancelled (a part done is split off first)."""
    n = names(env.db.version)
    pick = env.db.data["stock.picking"][picking]
    remainders: list[tuple[int, float | None]] = []
    placed: set[tuple[int, int, int]] = set()          # (product, location, lot) a serial went to
    for move in [i for i, r in env.db.data["stock.move"].items() if r.get("picking_id") == picking
                 and r.get("state") not in ("done", "cancel")]:
        rec = env.db.data["stock.move"][move]
        qty, demand = rec.get(n["move_done"], 0.0), rec.get("product_uom_qty", 0.0)
        if qty <= 0:
            if env.db.version <= 16:
                _unreserve(env, move)
            if create_backorder:
                remainders.append((move, None))     # moved whole into the backorder (stock _create_backorder)
            else:
                env.write("stock.move", [move], {"state": "cancel"})
            continue
        unused = []
        for line_id in [i for i, r in env.db.data["stock.move.line"].items() if r.get("move_id") == move]:
            line = env.db.data["stock.move.line"][line_id]
            unit = line.get("product_uom_id") or rec["product_uom"]
            ref_qty = to_reference(env, unit, line.get(n["line_done"], 0.0))
            held = to_reference(env, unit, line.get(n["line_reserved"], 0.0))
            src, dest = line.get("location_id") or rec["location_id"], line.get("location_dest_id") or rec["location_dest_id"]
            if ref_qty <= 0:
                if held > 0 and location_usage(env, src) == "internal" and is_storable(env, rec["product_id"]):
                    _add_quant(env, rec["product_id"], src, 0.0, -held, line.get("lot_id"), line.get("package_id"))
                unused.append(line_id)
                continue
            if location_usage(env, src) == "internal" and is_storable(env, rec["product_id"]):
                _add_quant(env, rec["product_id"], src, -ref_qty, -held, line.get("lot_id"), line.get("package_id"))
            if location_usage(env, dest) == "internal" and is_storable(env, rec["product_id"]):
                _add_quant(env, rec["product_id"], dest, ref_qty, 0.0, line.get("lot_id"),
                           line.get("result_package_id"))
                if line.get("lot_id"):
                    placed.add((rec["product_id"], dest, line["lot_id"]))
            env.write("stock.move.line", [line_id], {"picked": True} if env.db.version >= 17 else
                      {"reserved_uom_qty": 0.0})
        if unused and env.db.version <= 16:
            env.unlink("stock.move.line", unused)
        if qty < demand - 1e-9 and create_backorder:
            remainders.append((move, demand - qty))
        env.write("stock.move", [move], {"state": "done", **({"picked": True} if env.db.version >= 17 else {}),
                                         "product_uom_qty": min(qty, demand) if qty < demand else demand})
    _check_serial_quants(env, placed)
    env.write("stock.picking", [picking], {"state": "done", "date_done": now_str()})
    if remainders:
        back = env.create("stock.picking", [{
            "picking_type_id": pick["picking_type_id"], "partner_id": pick.get("partner_id"),
            "origin": pick.get("origin"), "sale_id": pick.get("sale_id"), "purchase_id": pick.get("purchase_id"),
            "location_id": pick.get("location_id"), "location_dest_id": pick.get("location_dest_id"),
            "backorder_id": picking, "state": "confirmed",
            "note": pick.get("note")}])[0]        # stock _create_backorder: picking.copy(), the note (copy=True) too
        for move, qty in remainders:
            rec = env.db.data["stock.move"][move]
            if qty is None:
                env.write("stock.move", [move], {"picking_id": back})
                env.write("stock.move.line", [i for i, r in env.db.data["stock.move.line"].items()
                                              if r.get("move_id") == move], {"picking_id": back})
                continue
            env.create("stock.move", [{"picking_id": back, "product_id": rec["product_id"], "name": rec.get("name"),
                                       "product_uom_qty": qty, "product_uom": rec["product_uom"],
                                       "sale_line_id": rec.get("sale_line_id"),
                                       "purchase_line_id": rec.get("purchase_line_id"), "state": "confirmed",
                                       # stock's _split copies the move: the rest is still expected when it was
                                       "date": rec.get("date") or now_str(), "date_deadline": rec.get("date_deadline"),
                                       **({"bom_line_id": rec["bom_line_id"]} if rec.get("bom_line_id") else {})}])
        _assign_picking(env, back)


def backorder_process(env: Env, ids: list[int]) -> bool:
    for rid in ids:
        picks = env.db.data["stock.backorder.confirmation"][rid].get("pick_ids") or []
        picking_button_validate(env.with_context(skip_backorder=True), picks)
    return True


def backorder_process_cancel(env: Env, ids: list[int]) -> bool:
    for rid in ids:
        picks = env.db.data["stock.backorder.confirmation"][rid].get("pick_ids") or []
        picking_button_validate(env.with_context(skip_backorder=True, picking_ids_not_to_backorder=picks), picks)
    return True


def advance_pre_create(env: Env, vals: dict[str, Any]) -> dict[str, Any]:
    if not vals.get("sale_order_ids") and env.context.get("active_model") == "sale.order":
        vals["sale_order_ids"] = [[6, 0, list(env.context.get("active_ids") or [])]]
    return vals


def advance_create_invoices(env: Env, ids: list[int]) -> Any:
    n = names(env.db.version)
    created: list[int] = []
    for rid in ids:
        wizard = env.record("sale.advance.payment.inv", rid)
        if wizard.get("advance_payment_method") != "delivered":
            raise UserError("Down payments are not supported by the sandbox.")
        for order_id in wizard.get("sale_order_ids") or []:
            order = env.record("sale.order", order_id)
            lines = []
            for line in [i for i, r in env.db.data["sale.order.line"].items() if r.get("order_id") == order_id
                         and not r.get("display_type")]:
                rec = env.db.data["sale.order.line"][line]
                policy = env.get("product.product", rec["product_id"], "invoice_policy") if rec.get("product_id") else "order"
                base = env.get("sale.order.line", line, "qty_delivered") if policy == "delivery" else rec.get("product_uom_qty", 0.0)
                qty = base - env.get("sale.order.line", line, "qty_invoiced")
                if qty <= 1e-9:
                    continue
                lines.append([0, 0, {"product_id": rec.get("product_id"), "name": rec.get("name"), "quantity": qty,
                                     "price_unit": rec.get("price_unit", 0.0), "discount": rec.get("discount", 0.0),
                                     "product_uom_id": rec.get(n["sale_uom"]),
                                     "tax_ids": [[6, 0, rec.get(n["sale_tax"]) or []]],
                                     "sale_line_ids": [[6, 0, [line]]], "sequence": rec.get("sequence", 10)}])
            if order.get("state") not in ("sale", "done") or not lines:       # done: 16's locked order
                continue
            created += env.create("account.move", [{
                "move_type": "out_invoice", "partner_id": order.get("partner_invoice_id"),
                "partner_shipping_id": order.get("partner_shipping_id"), "ref": order.get("client_order_ref") or "",
                "invoice_origin": order.get("name"), "currency_id": order.get("currency_id"),
                "invoice_line_ids": lines}])
    if not created:
        raise UserError("There is no invoiceable line. If a product has a Delivered quantities invoicing policy, "
                        "please make sure that a quantity has been delivered.")
    if env.context.get("open_invoices"):
        action: dict[str, Any] = {"type": "ir.actions.act_window", "res_model": "account.move",
                                  "name": "Invoices", "context": {"default_move_type": "out_invoice"}}
        if len(created) == 1:
            action.update({"views": [[False, "form"]], "res_id": created[0]})
        else:
            action.update({"views": [[False, "list"], [False, "form"]], "domain": [["id", "in", created]]})
        return action
    return {"type": "ir.actions.act_window_close"}


def move_action_post(env: Env, ids: list[int]) -> bool:
    for rid in ids:
        move = env.record("account.move", rid)
        if move.get("state") == "posted":
            raise UserError(f"The entry {move.get('name')} (id {rid}) is already posted.")
        lines = [r for r in env.db.data["account.move.line"].values() if r.get("move_id") == rid]
        if not lines:
            raise UserError("You need to add a line before posting.")
        mtype = move.get("move_type")
        if mtype in ("in_invoice", "in_refund") and not move.get("invoice_date"):
            raise UserError("The Bill/Refund date is required to validate this document.")
        if mtype != "entry" and not move.get("partner_id"):
            raise UserError("The field 'Customer' is required, please complete it to validate the Customer Invoice.")
        year = date.today().year
        prefix = {"out_invoice": "INV", "out_refund": "RINV", "in_invoice": "BILL", "in_refund": "RBILL"}.get(
            str(mtype), "MISC")
        vals: dict[str, Any] = {"state": "posted", "posted_before": True}
        if not (move.get("posted_before") and move.get("name") not in (False, None, "", "/")):
            # account.move._compute_name: a move that has a name and was posted before keeps it; a reset to
            # draft, an edit and a new post give the customer the same invoice number again
            vals["name"] = f"{prefix}/{year}/{env.db.next_sequence(prefix):05d}"
        if not move.get("invoice_date"):
            vals["invoice_date"] = date.today().isoformat()
        if not move.get("invoice_date_due"):
            vals["invoice_date_due"] = vals.get("invoice_date") or move.get("invoice_date")
        env.write("account.move", [rid], vals)
        move_term_due(env, [rid])
        _term_parts(env, rid)
    return False


def _term_parts(env: Env, rid: int) -> None:
    """account.move._compute_needed_terms: a move with payment terms gets a receivable line (`display_type`
    payment_term, 16-19) per due date, its `amount_currency` the term line's share of the total (percent, fixed, 16's
    balance; the last line the rest), due its days after the invoice date (month-end rules not modelled); a move
    without terms gets none here (Odoo's one line due at once)."""
    move = env.db.data["account.move"][rid]
    env.unlink("account.move.line", [k for k, r in env.db.data["account.move.line"].items()
                                     if r.get("move_id") == rid and r.get("display_type") == "payment_term"])
    terms = [r for _, r in sorted(((k, r) for k, r in env.db.data["account.payment.term.line"].items()
                                   if move.get("invoice_payment_term_id")
                                   and r.get("payment_id") == move["invoice_payment_term_id"]),
                                  key=lambda kr: (int(kr[1].get("nb_days") or kr[1].get("days") or 0), kr[0]))]
    total, places = float(env.get("account.move", rid, "amount_total")), _currency_places(env, "account.move", move)
    start, left = date.fromisoformat(str(move["invoice_date"])), total
    due: dict[str, float] = {}
    for index, line in enumerate(terms):
        share = (left if index == len(terms) - 1 or line.get("value") == "balance" else money_round(
            total * float(line.get("value_amount") or 0) / 100 if line.get("value") == "percent" else
            float(line.get("value_amount") or 0), places))
        day = (start + timedelta(days=int(line.get("nb_days") or line.get("days") or 0))).isoformat()
        due[day], left = money_round(due.get(day, 0.0) + share, places), money_round(left - share, places)
    sign = -1 if move.get("move_type") in ("out_refund", "in_invoice") else 1
    env.create("account.move.line", [{"move_id": rid, "display_type": "payment_term", "date_maturity": day,
                                      "amount_currency": sign * amount, "quantity": 0.0} for day, amount in due.items()])


def reversal_reverse_moves(env: Env, ids: list[int], is_modify: bool = False) -> Any:
    """account.move.reversal.reverse_moves (Customer Invoice > Credit Note): each posted move's reversal, a draft
    copy of the reverse type whose `ref` is 'Reversal of: <number>, <reason>' ('Reversal of: <number>' without a
    reason) and `reversed_entry_id` the move (the wizard's _prepare_default_reversal, account.move._reverse_moves,
    16-19); its lines keep their sale order lines (sale's _copy_data_extend_business_fields). A partial refund
    only: the sandbox does not reconcile ('cancel') nor make the new invoice of 'modify'."""
    if is_modify or any(env.get("account.move.reversal", r, "refund_method") not in (None, False, "refund")
                        for r in ids if env.db.version <= 16):
        raise UserError("The sandbox makes partial refunds only.")
    reverse = {"out_invoice": "out_refund", "out_refund": "out_invoice", "in_invoice": "in_refund",
               "in_refund": "in_invoice"}
    created: list[int] = []
    for rid in ids:
        wizard = env.record("account.move.reversal", rid)
        for move_id in wizard.get("move_ids") or []:
            move = env.record("account.move", move_id)
            if move.get("state") != "posted":
                raise UserError("You can only reverse posted moves.")
            lines = [[0, 0, {**{f: r.get(f) for f in ("product_id", "name", "quantity", "price_unit", "discount",
                                                      "product_uom_id", "sequence")},
                             "tax_ids": [[6, 0, r.get("tax_ids") or []]],
                             "sale_line_ids": [[6, 0, r.get("sale_line_ids") or []]]}]
                     for r in env.db.data["account.move.line"].values() if r.get("move_id") == move_id
                     and r.get("display_type") in (None, False, "product")]
            reason = wizard.get("reason")
            created += env.create("account.move", [{
                "move_type": reverse.get(str(move.get("move_type")), "entry"), "reversed_entry_id": move_id,
                "ref": f"Reversal of: {move.get('name')}, {reason}" if reason else f"Reversal of: {move.get('name')}",
                **{f: move.get(f) for f in ("partner_id", "partner_shipping_id", "invoice_origin", "currency_id",
                                            "company_id")},
                "journal_id": wizard.get("journal_id") or move.get("journal_id"),
                "invoice_payment_term_id": False,      # _prepare_default_reversal: a credit note has no terms
                "invoice_date": wizard.get("date") or move.get("date"), "invoice_line_ids": lines}])
    env.write("account.move.reversal", ids, {"new_move_ids": [[6, 0, created]]})
    action: dict[str, Any] = {"name": "Reverse Moves", "type": "ir.actions.act_window", "res_model": "account.move"}
    if len(created) == 1:
        action.update({"view_mode": "form", "res_id": created[0]})
    else:
        action.update({"view_mode": "tree,form", "domain": [["id", "in", created]]})
    return action


def reversal_refund_moves(env: Env, ids: list[int]) -> Any:
    """17-19's Reverse button: reverse_moves(is_modify=False); 16 has no such method."""
    if env.db.version <= 16:
        raise OdooAttributeError("The method 'refund_moves' does not exist on the model 'account.move.reversal'")
    return reversal_reverse_moves(env, ids)


def move_button_draft(env: Env, ids: list[int]) -> None:
    """Back to draft; returns None like Odoo's, which XML-RPC cannot marshal (fault 1, odoo/odoo #51741)."""
    for rid in ids:
        env.write("account.move", [rid], {"state": "draft"})


def purchase_button_confirm(env: Env, ids: list[int]) -> bool:
    n = names(env.db.version)
    for rid in ids:
        order = env.record("purchase.order", rid)
        if order.get("state") not in ("draft", "sent"):
            continue
        env.write("purchase.order", [rid], {"state": "purchase"})
        wh = env.db.data["stock.warehouse"][min(env.db.data["stock.warehouse"])]
        ptype = order.get("picking_type_id") or wh["in_type_id"]       # "Deliver To": the receiving warehouse
        dest = env.db.data["stock.picking.type"][ptype].get("default_location_dest_id") or wh["lot_stock_id"]
        picking = env.create("stock.picking", [{
            "picking_type_id": ptype, "partner_id": order["partner_id"],
            "origin": order.get("name"), "purchase_id": rid, "location_id": _location(env, "supplier"),
            "location_dest_id": dest, "scheduled_date": order.get("date_planned") or now_str(),
            "state": "confirmed"}])[0]
        for line in [i for i, r in env.db.data["purchase.order.line"].items() if r.get("order_id") == rid
                     and r.get("product_id") and not r.get("display_type")]:
            rec = env.db.data["purchase.order.line"][line]
            # purchase_stock's _prepare_stock_move_vals: the receipt is expected on the line's planned date
            planned = rec.get("date_planned") or order.get("date_planned") or now_str()
            env.create("stock.move", [{"picking_id": picking, "product_id": rec["product_id"], "name": rec.get("name"),
                                       "product_uom_qty": rec.get("product_qty", 0.0),
                                       "product_uom": rec.get(n["purchase_uom"]), "purchase_line_id": line,
                                       "date": planned, "date_deadline": planned, "state": "confirmed"}])
        _assign_picking(env, picking)
    return True


def context_get(env: Env) -> dict[str, Any]:
    user = env.db.data["res.users"].get(env.uid, {})
    return {"lang": user.get("lang") or "en_US", "tz": user.get("tz") or "UTC", "uid": env.uid}


def check_object_reference(env: Env, module: str, xml_id: str, raise_on_access_error: bool = False) -> list[Any]:
    for rec in env.db.data["ir.model.data"].values():
        if rec.get("module") == module and rec.get("name") == xml_id:
            return [rec["model"], rec["res_id"]]
    raise OdooValueError(f"External ID not found in the system: {module}.{xml_id}")


def install(models: dict[str, ModelSpec]) -> None:
    """Attach the hooks above to the model specs."""
    hooks: dict[str, dict[str, Any]] = {
        "product.product": {"pre_create": product_pre_create},
        "product.template": {"pre_create": template_pre_create, "on_create": template_on_create,
                             "on_write": template_on_write},
        "sale.order": {"pre_create": sale_pre_create, "on_write": sale_on_write},
        "sale.order.line": {"pre_create": sale_line_pre_create, "on_write": sale_line_on_write},
        "purchase.order.line": {"pre_create": purchase_line_pre_create, "on_create": purchase_line_on_create,
                                "on_write": purchase_line_on_write},
        "stock.warehouse": {"on_create": warehouse_on_create},
        "stock.picking": {"pre_create": picking_pre_create, "on_write": picking_on_write},
        "stock.move": {"pre_create": move_pre_create, "on_write": move_on_write},
        "stock.move.line": {"pre_create": move_line_pre_create, "on_write": move_line_on_write,
                            "on_create": move_line_on_create, "on_unlink": move_line_on_unlink},
        "account.move": {"pre_create": move_pre_create_account, "on_create": move_term_due, "on_write": move_term_due},
        "account.move.line": {"pre_create": account_line_pre_create},
        "sale.advance.payment.inv": {"pre_create": advance_pre_create},
    }
    for model, attrs in hooks.items():
        for attr, fn in attrs.items():
            setattr(models[model], attr, fn)


METHODS: dict[tuple[str, str], Method] = {
    ("sale.order", "action_confirm"): Method(sale_action_confirm, True, []),
    ("sale.order", "action_cancel"): Method(sale_action_cancel, True, []),
    ("sale.order.cancel", "action_cancel"): Method(sale_cancel_wizard_cancel, True, []),
    ("stock.picking", "button_validate"): Method(picking_button_validate, True, []),
    ("stock.picking", "action_assign"): Method(picking_action_assign, True, []),
    ("stock.picking", "do_unreserve"): Method(picking_do_unreserve, True, []),
    ("stock.picking", "action_confirm"): Method(picking_action_confirm, True, []),
    ("stock.backorder.confirmation", "process"): Method(backorder_process, True, []),
    ("stock.backorder.confirmation", "process_cancel_backorder"): Method(backorder_process_cancel, True, []),
    ("stock.immediate.transfer", "process"): Method(immediate_process, True, []),
    ("sale.order", "action_done"): Method(sale_action_done, True, []),
    ("sale.order", "action_update_taxes"): Method(sale_action_update_taxes, True, []),
    ("sale.advance.payment.inv", "create_invoices"): Method(advance_create_invoices, True, []),
    ("account.move", "action_post"): Method(move_action_post, True, []),
    ("account.move", "button_draft"): Method(move_button_draft, True, []),
    ("account.move.reversal", "reverse_moves"): Method(reversal_reverse_moves, True, [("is_modify", False)]),
    ("account.move.reversal", "refund_moves"): Method(reversal_refund_moves, True, []),
    ("purchase.order", "button_confirm"): Method(purchase_button_confirm, True, []),
    ("res.users", "context_get"): Method(context_get, False, []),
    ("ir.model.data", "check_object_reference"): Method(
        check_object_reference, False, [("module", REQUIRED), ("xml_id", REQUIRED),
                                        ("raise_on_access_error", False)]),
}
