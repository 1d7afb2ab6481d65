"""The models the sandbox serves, with the field names of the chosen Odoo version.

Only what the EDI flows touch, but with real names, types, relations and selections
(../shared/reference/odoo-external-api.md §3). Version differences:

- 16: stock.move `quantity_done` and `reserved_availability`, stock.move.line `qty_done` and `reserved_uom_qty`
  (what is done and what is reserved are two figures; no `picked`), so a transfer validated with nothing done
  asks for the `stock.immediate.transfer` wizard (OpenUpgrade stock 17.0: `quantity_done`/`qty_done` became
  `quantity`); sale.order state `done` ("Locked", `action_done`; no `locked` boolean); res.partner type `private`.
- 16, 17: product `detailed_type` (consu|service|product; `type` follows it), res.users `groups_id`.
- 18: product `type` consu|service|combo plus the boolean `is_storable`; operation type code `dropship`
  (stock_dropshipping's Vendors -> Customers type, `incoming` before); sale lines keep a price set by hand
  when their quantity changes (`technical_price_unit`; 17 prices them from the pricelist again).
- 19: sale/purchase lines `product_uom_id` and `tax_ids`; uom categories are gone
  (`relative_factor`, `relative_uom_id`); res.users `group_ids`; packages are `stock.package`
  (`stock.quant.package` before; OpenUpgrade stock 19.0.1.1 pre-migration renames the model).

In every version res.partner `barcode` (the default GLN field) is company-dependent: a value per company, a
call sees its own company's (`Field.company_dependent`).
The names Odoo 16+ keeps per language (`Field.translate`: units, taxes, products, payment terms) are read and
searched in the call's `lang` (`Env.lang`), en_US without one.

Add-ons a real database may lack (`build(version, without=...)`):

- `product_supplierinfo_for_customer` (OCA): the `product.customerinfo` model of customer item codes;
- `stock_delivery` (Odoo's Delivery, 17+): `delivery.carrier` and the picking's `carrier_id`,
  `carrier_tracking_ref`, `weight` (and `shipping_weight` on 17: from 18 it is part of `stock`);
- `product_expiry` (Odoo's Expiration Dates): the move line's `expiration_date`, given to the lot a receipt
  line creates (`stock.move.line._prepare_new_lot_vals`);
- `account_tax_python`: taxes of amount_type `code`, computed by a formula (`python_compute`, a `result = ...`
  statement, to 17; `formula`, an expression, from 18). The sandbox evaluates plain arithmetic only.
- `mrp`: bills of materials; a kit's (phantom BoM's) stock figures are its components', figure by figure
  (mrp/models/product.py `_compute_quantities_dict`, 16-19).
"""

from __future__ import annotations

import ast
import math
from typing import Any

from gateway.odoo.sandbox.orm import Env, Field, ModelSpec, half_up


def C(string: str = "", **kw: Any) -> Field:
    return Field("char", string, **kw)


def T(string: str = "", **kw: Any) -> Field:
    return Field("text", string, **kw)


def H(string: str = "", **kw: Any) -> Field:
    return Field("html", string, **kw)


def I(string: str = "", **kw: Any) -> Field:
    return Field("integer", string, **kw)


def F(string: str = "", **kw: Any) -> Field:
    return Field("float", string, **kw)


def MON(string: str = "", **kw: Any) -> Field:
    return Field("monetary", string, **kw)


def B(string: str = "", **kw: Any) -> Field:
    return Field("boolean", string, **kw)


def D(string: str = "", **kw: Any) -> Field:
    return Field("date", string, **kw)


def DT(string: str = "", **kw: Any) -> Field:
    return Field("datetime", string, **kw)


def SEL(selection: Any, string: str = "", **kw: Any) -> Field:
    return Field("selection", string, selection=selection, **kw)


def M2O(relation: str, string: str = "", **kw: Any) -> Field:
    return Field("many2one", string, relation=relation, **kw)


def O2M(relation: str, inverse: str, string: str = "", **kw: Any) -> Field:
    return Field("one2many", string, relation=relation, inverse=inverse, **kw)


def M2M(relation: str, string: str = "", **kw: Any) -> Field:
    return Field("many2many", string, relation=relation, **kw)


def REL(kind: str, via: str, target: str, relation: str | None = None, **kw: Any) -> Field:
    return Field(kind, relation=relation, related=(via, target), **kw)


def COMP(kind: str, fn: Any, relation: str | None = None, selection: Any = None, **kw: Any) -> Field:
    return Field(kind, relation=relation, compute=fn, selection=selection, **kw)


def names(version: int) -> dict[str, str]:
    """Version-dependent field names the business methods need."""
    return {
        "sale_uom": "product_uom_id" if version >= 19 else "product_uom",
        "sale_tax": "tax_ids" if version >= 19 else "tax_id",
        "purchase_uom": "product_uom_id" if version >= 19 else "product_uom",
        "purchase_tax": "tax_ids" if version >= 19 else "taxes_id",
        "groups": "group_ids" if version >= 19 else "groups_id",
        # 16 keeps what is done and what is reserved apart; from 17 `quantity` is both (with `picked`)
        "move_done": "quantity" if version >= 17 else "quantity_done",
        "move_reserved": "quantity" if version >= 17 else "reserved_availability",
        "line_done": "quantity" if version >= 17 else "qty_done",
        "line_reserved": "quantity" if version >= 17 else "reserved_uom_qty",
    }


def term_days(version: int) -> str:
    """The field of a payment term line's days after the invoice date: `days` to 16, `nb_days` from 17."""
    return "nb_days" if version >= 17 else "days"


# --------------------------------------------------------------------------- computes

def _languages(env: Env) -> list[tuple[str, str]]:
    """res.partner `_lang_get`: the active languages only (`res.lang.get_installed`)."""
    return [(code, code) for code, active in env.db.languages.items() if active]


def _context_language(env: Env) -> Any:
    """A new contact's language: `env.lang`, the call's context's (none on an execute_kw without one; 19's
    `default_get` takes a parent's only when the parent is a default too)."""
    return env.context.get("lang") or False


def _company(env: Env) -> Any:
    return env.company


def _currency(env: Env) -> Any:
    company = _company(env)
    return env.db.data["res.company"][company]["currency_id"] if company else False


def _partner_display(env: Env, rid: int) -> str:
    rec = env.db.data["res.partner"][rid]
    name = rec.get("name") or ""
    if rec.get("parent_id"):
        parent = _partner_display(env, rec["parent_id"])
        if not name:
            labels = {"delivery": "Delivery Address", "invoice": "Invoice Address", "other": "Other Address"}
            return f"{parent}, {labels.get(rec.get('type') or '', '')}".rstrip(", ")
        return f"{parent}, {name}"
    return str(name)


def _commercial(env: Env, rid: int) -> int:
    rec = env.db.data["res.partner"][rid]
    while not rec.get("is_company") and rec.get("parent_id"):
        rid = rec["parent_id"]
        rec = env.db.data["res.partner"][rid]
    return rid


def _product_display(env: Env, rid: int) -> str:
    code = env.get("product.product", rid, "default_code")
    name = env.get("product.product", rid, "name")
    return f"[{code}] {name}" if code else str(name)


def _template_variant_value(fname: str) -> Any:
    def compute(env: Env, rid: int) -> Any:
        variants = [i for i, r in env.db.data["product.product"].items() if r.get("product_tmpl_id") == rid]
        return env.db.data["product.product"][variants[0]].get(fname, False) if len(variants) == 1 else False
    return compute


def _template_variant_setter(fname: str) -> Any:
    def setter(env: Env, rid: int, value: Any) -> None:
        variants = [i for i, r in env.db.data["product.product"].items() if r.get("product_tmpl_id") == rid]
        if not variants:
            variants = env.with_context(create_product_product=True).create("product.product",
                                                                              [{"product_tmpl_id": rid}])
        env.write("product.product", variants[:1], {fname: value})
    return setter


def to_reference(env: Env, uom: int, qty: float) -> float:
    """A quantity in `uom` as the reference unit of its category (19: relative_factor, before: factor)."""
    rec = env.db.data["uom.uom"][uom]
    if env.db.version >= 19:
        return qty * (rec.get("relative_factor") or 1.0)
    return qty / (rec.get("factor") or 1.0)


def from_reference(env: Env, uom: int, qty: float) -> float:
    return qty / (to_reference(env, uom, 1.0) or 1.0)


def _move_product_qty(env: Env, rid: int) -> float:
    """stock.move.product_qty: the demand in the product's own unit (Odoo stores it; computed here)."""
    rec = env.db.data["stock.move"][rid]
    qty = float(rec.get("product_uom_qty", 0.0))
    unit = env.get("product.product", rec["product_id"], "uom_id") if rec.get("product_id") else None
    if not rec.get("product_uom") or not unit or unit == rec["product_uom"]:
        return qty
    return from_reference(env, unit, to_reference(env, rec["product_uom"], qty))


def _location_name(env: Env, rid: int) -> str:
    rec = env.db.data["stock.location"][rid]
    if rec.get("location_id"):
        return f"{_location_name(env, rec['location_id'])}/{rec.get('name')}"
    return str(rec.get("name"))


def internal_locations(env: Env) -> set[int]:
    """Internal stock locations the context restricts to: `location`, else the warehouse, which Odoo 16-17
    read from `warehouse` and 18 on from `warehouse_id` (stock/models/product.py `_get_domain_locations`);
    the key the other versions read means nothing there. A warehouse is every location under its view location
    (`mapped('view_location_id')` there), Input, Output and a person's WH/Damaged as well as WH/Stock."""
    ctx = env.context
    roots: list[int] = []
    if ctx.get("location"):
        loc = ctx["location"]
        roots = loc if isinstance(loc, list) else [loc]
    else:
        wh = ctx.get("warehouse" if env.db.version <= 17 else "warehouse_id")
        whs = [wh] if isinstance(wh, int) else (wh or list(env.db.data["stock.warehouse"]))
        roots = [env.db.data["stock.warehouse"][w].get("view_location_id") or env.db.data["stock.warehouse"][w][
            "lot_stock_id"] for w in whs if w in env.db.data["stock.warehouse"]]
    locs = env.hierarchy("stock.location", roots, down=True)
    return {loc for loc in locs if env.db.data["stock.location"][loc].get("usage") == "internal"}


def _qty(kind: str) -> Any:
    """product.product's stock figures (stock `_compute_quantities_dict`), in the product's unit as Odoo keeps
    quants: onhand and free from the quants, outgoing the open moves leaving the context's locations, virtual
    onhand plus incoming minus outgoing."""
    def compute(env: Env, rid: int) -> float:
        if kit_bom(env, rid):
            return _kit_qty(env, rid, compute)
        locs = internal_locations(env)
        total = 0.0
        for q in env.db.data["stock.quant"].values():
            if kind != "outgoing" and q.get("product_id") == rid and q.get("location_id") in locs:
                total += q.get("quantity", 0.0) - (q.get("reserved_quantity", 0.0) if kind == "free" else 0.0)
        unit = env.get("product.product", rid, "uom_id")     # quants are kept in the reference unit here
        total = from_reference(env, unit, total) if unit and total else total
        if kind in ("virtual", "outgoing"):
            for mid, m in env.db.data["stock.move"].items():      # product_qty: in the product's unit
                if m.get("product_id") != rid or m.get("state") in ("done", "cancel", "draft"):
                    continue
                if m.get("location_id") in locs and m.get("location_dest_id") not in locs:
                    total += _move_product_qty(env, mid) * (1 if kind == "outgoing" else -1)
                elif kind == "virtual" and m.get("location_dest_id") in locs and m.get("location_id") not in locs:
                    total += _move_product_qty(env, mid)
        return total
    return compute


def kit_bom(env: Env, rid: int) -> int | None:
    """mrp `_bom_find(bom_type='phantom')`: the product's kit BoM, its variant's or else its template's, the first
    by sequence; None without one (or without mrp)."""
    if "mrp.bom" not in env.db.data:
        return None
    tmpl = env.get("product.product", rid, "product_tmpl_id")
    found = sorted((b.get("sequence", 0), not b.get("product_id"), i) for i, b in env.db.data["mrp.bom"].items()
                   if b.get("type") == "phantom" and b.get("active", True) and
                   (b.get("product_id") == rid or (not b.get("product_id") and b.get("product_tmpl_id") == tmpl)))
    return found[0][2] if found else None


def _kit_qty(env: Env, rid: int, figure: Any) -> float:
    """A kit's stock figure as mrp's `_compute_quantities_dict` makes it, one figure at a time: the fewest kits
    its storable components' same figure makes (each line's quantity in the component's unit per kit), in whole
    kits; 0 when no component is storable. A kit inside it counts by its own components (`explode`)."""
    bom_id = kit_bom(env, rid)
    bom = env.db.data["mrp.bom"][bom_id or 0]
    ratios = []
    for line in env.db.data["mrp.bom.line"].values():
        component = line.get("product_id")
        if line.get("bom_id") != bom_id or not component or not (kit_bom(env, component) or _storable(env, component)) \
                or not _for_variant(env, line, rid):
            continue
        own = env.get("product.product", component, "uom_id")
        each = from_reference(env, own, to_reference(env, line.get("product_uom_id") or own, line["product_qty"]))
        if each:
            ratios.append(figure(env, component) / (each / (bom.get("product_qty") or 1.0)))
    return float(min(ratios) // 1) if ratios else 0.0


def _for_variant(env: Env, line: dict[str, Any], rid: int) -> bool:
    """mrp.bom.line `_skip_bom_line` (16-19): a line applied on some variants counts for one that has, for each
    attribute line it names, one of its values (a value of an attribute making no variants is on none)."""
    has = set(env.get("product.product", rid, "product_template_attribute_value_ids") or [])
    wanted: dict[int, set[int]] = {}
    for value in line.get("bom_product_template_attribute_value_ids") or []:
        wanted.setdefault(env.db.data["product.template.attribute.value"][value]["attribute_line_id"], set()).add(value)
    return all(values & has for values in wanted.values())


def _storable(env: Env, rid: int) -> bool:
    """Stock is tracked: 16-17 type `product`, 18+ `is_storable`."""
    return bool(env.get("product.product", rid, "is_storable")) if env.db.version >= 18 else \
        env.get("product.product", rid, "type") == "product"


def money_round(value: float, places: int = 2) -> float:
    """`res.currency.round` of a 0.01 currency (`places` 2; KWD's 0.001: 3): float_round HALF-UP (13.125 -> 13.13),
    not Python's round, which rounds a binary-exact half to even (13.125 -> 13.12)."""
    return half_up(value, places)


def _currency_places(env: Env, model: str, rec: dict[str, Any]) -> int:
    """The decimals an invoice's amounts are rounded to: its currency's (res.currency `decimal_places`, computed
    from its rounding, 16-19: KWD's 0.001 is 3); orders are rounded in cents here."""
    if model == "account.move.line":
        rec = env.db.data["account.move"].get(rec.get("move_id") or 0, {})
    elif model != "account.move":
        return 2
    rounding = float(env.db.data["res.currency"].get(rec.get("currency_id") or 0, {}).get("rounding") or 0.01)
    return math.ceil(math.log10(1 / rounding)) if 0 < rounding < 1 else 0


def formula_field(version: int) -> str:
    """The field of a `code` tax's formula (account_tax_python): a `result = ...` statement to 17, an expression
    from 18."""
    return "formula" if version >= 18 else "python_compute"


def _leaf_taxes(env: Env, ids: list[int]) -> list[int]:
    """The taxes a line's taxes amount to: a group is its children, in their sequence (Odoo's `flatten_taxes_hierarchy`)."""
    data = env.db.data["account.tax"]
    return [leaf for t in sorted((t for t in ids if t in data), key=lambda t: (data[t].get("sequence", 1), t))
            for leaf in (_leaf_taxes(env, data[t].get("children_tax_ids") or [])
                         if data[t].get("amount_type") == "group" else [t])]


def _tax_amount(env: Env, tax: dict[str, Any], sub: float, quantity: float, price_unit: float) -> float:
    """One tax on a tax-excluded subtotal, as Odoo 16-19 compute it: a percentage of it; a fixed amount per unit;
    `division` (price-included style) sub / (1 - rate) - sub; `code`, its formula (arithmetic only here)."""
    rate = float(tax.get("amount", 0.0))
    kind = tax.get("amount_type")
    if kind == "fixed":                 # math.copysign(quantity, base): a fee on a negative line is negative
        return math.copysign(quantity, sub) * rate if sub else quantity * rate
    if kind == "division":
        return sub * rate / 100.0 / (1 - rate / 100.0) if rate != 100.0 else 0.0
    if kind == "code":
        text = str(tax.get(formula_field(env.db.version)) or "0").strip()
        text = text.split("=", 1)[1] if text.startswith("result") else text
        return _arithmetic(ast.parse(text.strip(), mode="eval").body,
                           {"base": sub, "base_amount": sub, "quantity": quantity, "price_unit": price_unit})
    return sub * rate / 100.0


def _arithmetic(node: ast.AST, names: dict[str, float]) -> float:
    """A formula of numbers, the names Odoo gives a tax formula, + - * / and brackets: nothing else is run."""
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        return float(node.value)
    if isinstance(node, ast.Name) and node.id in names:
        return names[node.id]
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return -_arithmetic(node.operand, names)
    ops = {ast.Add: float.__add__, ast.Sub: float.__sub__, ast.Mult: float.__mul__, ast.Div: float.__truediv__}
    if isinstance(node, ast.BinOp) and type(node.op) in ops:
        return float(ops[type(node.op)](_arithmetic(node.left, names), _arithmetic(node.right, names)))
    raise ValueError(f"the sandbox evaluates arithmetic tax formulas only, not {ast.dump(node)}")


def _rounds_globally(env: Env) -> bool:
    """The company's Tax Calculation Rounding Method is 'Round Globally' (round_per_line is Odoo's default)."""
    company = _company(env)
    return bool(company) and env.db.data["res.company"][company].get(
        "tax_calculation_rounding_method") == "round_globally"


def _included(env: Env, tax: dict[str, Any]) -> bool:
    """A percentage or fixed tax included in the price: `price_include` to 17, `price_include_override` from 18 (the
    sandbox has no company default for it: a tax is excluded unless it says so)."""
    if tax.get("amount_type") not in ("percent", "fixed"):
        return False
    return tax.get("price_include_override") == "tax_included" if env.db.version >= 18 else bool(
        tax.get("price_include"))


def _line_taxes(env: Env, rec: dict[str, Any], qty: str, tax: str,
                places: int = 2) -> tuple[float, list[tuple[int, float]]]:
    """A line's rounded subtotal and each of its taxes (groups expanded into their children) on it, unrounded.
    Taxes included in the price are taken out of the line's amount first: fixed ones as they are, then percentages
    (what is left / (1 + their rates)), each its share of what is taken out, as Odoo 18's
    `_eval_tax_amount_fixed_amount` then `_eval_tax_amount_price_included`; 16-17's compute_all gives the last of
    them with an amount what the rounded amount leaves once the rounded subtotal and the others, each computed on
    that subtotal, are out (its 'checkpoint', whatever the rounding method: two lines of 21.53 with 21 % in them
    are 3.74 each, 7.48)."""
    quantity, price = rec.get(qty, 0.0), rec.get("price_unit", 0.0)
    amount = money_round(quantity * price * (1 - rec.get("discount", 0.0) / 100.0), places)
    data = env.db.data["account.tax"]
    leaves = _leaf_taxes(env, rec.get(tax) or [])
    inside = [t for t in leaves if _included(env, data[t])]
    percent = [t for t in inside if data[t].get("amount_type") == "percent"]
    fixed = sum(_tax_amount(env, data[t], amount, quantity, price) for t in inside if t not in percent)  # first
    factor = 1 + sum(float(data[t].get("amount", 0.0)) for t in percent) / 100.0
    sub = money_round((amount - fixed) / factor, places)
    found = [(t, (amount - fixed) * float(data[t].get("amount", 0.0)) / 100.0 / factor if t in percent
              else _tax_amount(env, data[t], sub, quantity, price)) for t in leaves]
    last = [t for t in inside if data[t].get("amount")][-1:]     # 16-17's checkpoint: the last with an amount
    if last and env.db.version <= 17:   # the others as if excluded, on the subtotal (force_price_include=False)
        found = [(t, _tax_amount(env, data[t], sub, quantity, price)) for t, _ in found]
        rest = amount - sub - sum(a for t, a in found if t in inside and t != last[0])
        found = [(t, rest if t == last[0] else a) for t, a in found]
    return sub, found


def _line_figures(env: Env, rec: dict[str, Any], qty: str, tax: str, places: int = 2) -> tuple[float, float]:
    """A line's subtotal and tax. With `round_per_line` (the default) each tax is rounded, and those rounded
    amounts are what the document's tax adds up; with `round_globally` the line's taxes are left unrounded (its
    total is rounded with them) and the document rounds each tax's sum over its lines (its tax lines)."""
    sub, taxes = _line_taxes(env, rec, qty, tax, places)
    return sub, sum(a if _rounds_globally(env) else money_round(a, places) for _, a in taxes)


def _line_amount(model: str, qty: str, tax: str, total: bool) -> Any:
    def compute(env: Env, rid: int) -> float:
        places = _currency_places(env, model, env.db.data[model][rid])
        sub, tax_amount = _line_figures(env, env.db.data[model][rid], qty, tax, places)
        return money_round(sub + tax_amount, places) if total else sub
    return compute


def _sum_lines(model: str, line_model: str, inverse: str, fname: str, qty: str, tax: str) -> Any:
    def compute(env: Env, rid: int) -> float:
        places = _currency_places(env, model, env.db.data[model][rid])
        figures = [_line_figures(env, r, qty, tax, places) for r in env.db.data[line_model].values()
                   if r.get(inverse) == rid and (not r.get("display_type") or r.get("display_type") == "product")]
        sub = money_round(sum(f[0] for f in figures), places)
        tax_amount = money_round(sum(f[1] for f in figures), places)
        if _rounds_globally(env):           # one tax line per tax: the sum of its unrounded amounts, rounded
            by_tax: dict[int, float] = {}
            for r in env.db.data[line_model].values():
                if r.get(inverse) == rid and (not r.get("display_type") or r.get("display_type") == "product"):
                    for t, amount in _line_taxes(env, r, qty, tax, places)[1]:
                        by_tax[t] = by_tax.get(t, 0.0) + amount
            tax_amount = money_round(sum(money_round(a, places) for a in by_tax.values()), places)
        if fname == "untaxed":
            return sub
        if fname == "tax":
            return tax_amount
        if fname == "residual" and model == "account.move" and env.db.data[model][rid].get("payment_state") == "paid":
            return 0.0
        return money_round(sub + tax_amount, places)
    return compute


def _moved_qty(line_field: str, partner_usage: str) -> Any:
    """qty_delivered / qty_received of done moves, by where they went as sale_stock's and purchase_stock's
    `_compute_qty_delivered` / `_compute_qty_received` tell it, not by operation type: delivered is what went
    into a customer location less what came back out of one; received is every move of the line less what went
    back to a vendor location. So a drop-shipment (Vendors -> Customers, an `incoming` or `dropship` operation)
    counts as delivered and as received."""
    def compute(env: Env, rid: int) -> float:
        total = 0.0
        for m in env.db.data["stock.move"].values():
            if m.get(line_field) != rid or m.get("state") != "done":
                continue
            into, out_of = location_usage(env, m.get("location_dest_id")), location_usage(env, m.get("location_id"))
            if partner_usage == "customer":
                sign = 1 if into == "customer" else -1 if out_of == "customer" else 0
            else:
                sign = -1 if into == "supplier" else 1
            total += sign * m.get(names(env.db.version)["move_done"], 0.0)
        return total
    return compute


def _kits_delivered(moved: Any) -> Any:
    """sale.order.line qty_delivered of a kit line (a phantom BoM; its moves are its components'): sale_mrp's
    `_compute_qty_delivered` through stock.move `_compute_kit_quantities` (mrp/models/stock_move.py, 16-19): per BoM
    line that mrp.bom `explode` reaches (through the kits inside, `_kit_leaves`), its done moves into customer
    locations less those out of them, over what one kit takes; the fewest whole kits, 0 when a line has no move;
    service lines skipped; counted in the BoM's unit, given in the line's. The BoM is the one the line's moves name
    (archived since or not), as sale_mrp takes it. A kit made of kits alone (its BoM on none of the moves) is all or
    nothing, as sale_mrp falls back to when no move names the kit's own BoM. A line whose moves name no BoM line
    (no kit, or made a kit after its order): `moved`."""
    def compute(env: Env, rid: int) -> float:
        line = env.db.data["sale.order.line"][rid]
        done = names(env.db.version)["move_done"]
        mine = [m for m in env.db.data["stock.move"].values() if m.get("sale_line_id") == rid]
        boms = sorted({env.db.data["mrp.bom.line"].get(m.get("bom_line_id") or 0, {}).get("bom_id") or 0
                       for m in mine if m.get("state") != "cancel"} - {0})
        if not boms:            # no kit, or its moves made before it became one (none exploded): its own moves
            return float(moved(env, rid))
        product, tmpl = line["product_id"], env.get("product.product", line["product_id"], "product_tmpl_id")
        bom_id = next((b for b in boms if (bom := env.db.data["mrp.bom"][b]).get("type") == "phantom" and
                       (bom.get("product_id") == product or
                        (not bom.get("product_id") and bom.get("product_tmpl_id") == tmpl))), None)   # archived or not
        if bom_id is None:
            whole = bool(mine) and all(m.get("state") == "done" and
                                       location_usage(env, m.get("location_dest_id")) == "customer" for m in mine)
            return float(line.get("product_uom_qty", 0.0)) if whole else 0.0
        ratios = []
        for bid, (part, unit, each) in _kit_leaves(env, int(product), 1.0, frozenset(), bom_id).items():
            if env.get("product.product", part, "type") == "service" or not each:
                continue
            qty = 0.0
            for m in mine:
                if m.get("bom_line_id") == bid and m.get("state") == "done":
                    into, out_of = location_usage(env, m.get("location_dest_id")), location_usage(env, m.get("location_id"))
                    sign = 1 if into == "customer" else -1 if out_of == "customer" else 0
                    qty += sign * from_reference(env, unit, to_reference(env, m["product_uom"], m.get(done, 0.0)))
            ratios.append(qty / each)
        kits = float(min(ratios) // 1) if ratios else 0.0      # in the BoM's unit, then the line's (Dozens)
        bom_unit, unit = env.db.data["mrp.bom"][bom_id].get("product_uom_id"), line.get(names(env.db.version)["sale_uom"])
        return from_reference(env, unit, to_reference(env, bom_unit, kits)) if bom_unit and unit else kits
    return compute


def _kit_leaves(env: Env, kit: int, times: float, inside: frozenset[int],
                bom_id: int | None = None) -> dict[int, tuple[int, Any, float]]:
    """mrp.bom `explode` of one kit (of `bom_id`, else its kit BoM): BoM line id -> (component, the line's unit,
    how many of it one kit takes), for the lines that are no kit, a kit's line followed into its own BoM (times
    its quantity per kit)."""
    bom_id = bom_id or kit_bom(env, kit)
    bom = env.db.data["mrp.bom"][bom_id or 0]
    out: dict[int, tuple[int, Any, float]] = {}
    for bid, line in env.db.data["mrp.bom.line"].items():
        part = int(line["product_id"])
        if line.get("bom_id") != bom_id or not line.get("product_qty") or not _for_variant(env, line, kit):
            continue
        each = times * line["product_qty"] / (bom.get("product_qty") or 1.0)
        if kit_bom(env, part) and part not in inside | {kit}:
            out.update(_kit_leaves(env, part, each, inside | {kit}))
        else:
            out[bid] = (part, line.get("product_uom_id") or env.get("product.product", part, "uom_id"), each)
    return out


def location_usage(env: Env, location: Any) -> str:
    """A location's type (internal, customer, supplier, ...); "" for none."""
    return str(env.db.data["stock.location"].get(location or 0, {}).get("usage") or "")


def _invoiced_qty(link: str, many: bool, unit: str) -> Any:
    """qty_invoiced of a sale / purchase line (`unit`: its unit field's key in `names`): its invoice lines' quantities,
    each converted from the invoice line's unit into the order line's, as sale's and purchase's
    `_compute_qty_invoiced` do (product_uom_id._compute_quantity, 16-19): 5 Dozens billed on a line in Units is 60."""
    def compute(env: Env, rid: int) -> float:
        model = "sale.order.line" if many else "purchase.order.line"
        own = env.db.data[model][rid].get(names(env.db.version)[unit])
        total = 0.0
        for line in env.db.data["account.move.line"].values():
            linked = rid in (line.get(link) or []) if many else line.get(link) == rid
            if not linked:
                continue
            move = env.db.data["account.move"].get(line.get("move_id") or 0)
            if move and move.get("state") != "cancel":
                sign = -1 if move.get("move_type") in ("out_refund", "in_refund") else 1
                qty, billed_in = line.get("quantity", 0.0), line.get("product_uom_id")
                if own and billed_in and billed_in != own:
                    qty = from_reference(env, own, to_reference(env, billed_in, qty))
                total += sign * qty
        return total
    return compute


def _po_qty_to_invoice(env: Env, rid: int) -> float:
    """What Odoo's bill control leaves to bill on a confirmed PO line (purchase.order.line `_compute_qty_invoiced`,
    16-19): ordered, or on a product billed on received quantities received, less what is billed."""
    line = env.db.data["purchase.order.line"][rid]
    if env.get("purchase.order.line", rid, "state") not in ("purchase", "done"):
        return 0.0
    product = line.get("product_id")
    basis = env.get("purchase.order.line", rid, "qty_received") \
        if product and env.get("product.product", product, "purchase_method") == "receive" else line.get("product_qty", 0.0)
    return float(basis) - float(env.get("purchase.order.line", rid, "qty_invoiced"))


def _sale_invoice_lines(env: Env, rid: int) -> list[int]:
    return [i for i, r in env.db.data["account.move.line"].items() if rid in (r.get("sale_line_ids") or [])]


def _order_invoices(line_model: str, link: str, many: bool) -> Any:
    def compute(env: Env, rid: int) -> list[int]:
        lines = {i for i, r in env.db.data[line_model].items() if r.get("order_id") == rid}
        moves = []
        for r in env.db.data["account.move.line"].values():
            linked = bool(lines & set(r.get(link) or [])) if many else r.get(link) in lines
            if linked and r.get("move_id") not in moves:
                moves.append(r["move_id"])
        return moves
    return compute


def _sale_invoice_status(env: Env, rid: int) -> str:
    lines = [i for i, r in env.db.data["sale.order.line"].items()
             if r.get("order_id") == rid and not r.get("display_type")]
    state = env.db.data["sale.order"][rid].get("state")
    if state not in ("sale", "done") or not lines:      # done: 16's locked order, still invoiced
        return "no"
    to_invoice = [i for i in lines if env.get("sale.order.line", i, "qty_delivered")
                  > env.get("sale.order.line", i, "qty_invoiced")]
    if to_invoice:
        return "to invoice"
    if all(env.get("sale.order.line", i, "qty_invoiced") >= env.db.data["sale.order.line"][i].get("product_uom_qty", 0)
           for i in lines):
        return "invoiced"
    return "no"


def _available(env: Env, rid: int) -> float:
    q = env.db.data["stock.quant"][rid]
    return float(q.get("quantity", 0.0) - q.get("reserved_quantity", 0.0))


def _picking_type_code(env: Env, rid: int) -> Any:
    ptype = env.db.data["stock.picking"][rid].get("picking_type_id")
    return env.db.data["stock.picking.type"][ptype].get("code") if ptype else False


def _move_commercial(env: Env, rid: int) -> Any:
    partner = env.db.data["account.move"][rid].get("partner_id")
    return _commercial(env, partner) if partner else False


def _default_uom(env: Env) -> Any:
    """Odoo's product default unit: uom.product_uom_unit ("Units")."""
    return min(env.db.data["uom.uom"]) if env.db.data["uom.uom"] else False


def _seq_default(code: str, prefix: str, pad: int = 5) -> Any:
    def default(env: Env) -> str:
        return f"{prefix}{env.db.next_sequence(code):0{pad}d}"
    return default


def _today(env: Env) -> str:
    from datetime import date
    return date.today().isoformat()


def _now(env: Env) -> str:
    from gateway.odoo.sandbox.orm import now_str
    return now_str()


# --------------------------------------------------------------------------- the models

def package_model(version: int) -> str:
    """The model of packages (pallets, cartons) in `version`."""
    return "stock.package" if version >= 19 else "stock.quant.package"


ADDONS = ("product_supplierinfo_for_customer", "stock_delivery", "product_expiry", "account_tax_python", "mrp")
"""Add-ons the sandbox can leave out, as a database without them (see the module docstring)."""


def build(version: int, without: frozenset[str] = frozenset()) -> dict[str, ModelSpec]:
    unknown = without - set(ADDONS)
    if unknown:
        raise ValueError(f"the sandbox cannot leave out {sorted(unknown)} (only {', '.join(ADDONS)})")
    n = names(version)
    specs: list[ModelSpec] = []
    package = package_model(version)
    customer_codes = "product_supplierinfo_for_customer" not in without
    delivery = "stock_delivery" not in without
    expiry = "product_expiry" not in without
    tax_code = "account_tax_python" not in without
    mrp = "mrp" not in without

    def model(name: str, description: str, fields: dict[str, Field], **kw: Any) -> None:
        specs.append(ModelSpec(name, description, fields, **kw))

    model("res.currency", "Currency", {"name": C("Currency", required=True), "symbol": C("Symbol"),
                                       "rounding": F("Rounding Factor", default=0.01), "active": B(default=True)})
    model("res.country", "Country", {"name": C("Country Name", required=True), "code": C("Country Code")})
    model("res.country.state", "Country state", {"name": C("State Name", required=True), "code": C("State Code"),
                                                "country_id": M2O("res.country", "Country", required=True)})
    model("res.company", "Companies", {
        "name": C("Company Name", required=True), "partner_id": M2O("res.partner", "Partner"),
        "currency_id": M2O("res.currency", "Currency"), "country_id": M2O("res.country", "Country"),
        "tax_calculation_rounding_method": SEL([("round_per_line", "Round per Line"),
                                                ("round_globally", "Round Globally")], default="round_per_line")})
    model("res.groups", "Access Groups", {"name": C("Name", required=True)})
    model("res.users", "User", {
        "name": REL("char", "partner_id", "name"), "login": C("Login", required=True),
        "partner_id": M2O("res.partner", "Related Partner", required=True),
        "company_id": M2O("res.company", "Company", default=_company),
        "company_ids": M2M("res.company", "Companies"), "active": B(default=True),
        "lang": C("Language", default="en_US"), "tz": C("Timezone", default="UTC"),
        n["groups"]: M2M("res.groups", "Groups")}, rec_name="login",
        display=lambda env, rid: env.get("res.users", rid, "name") or env.get("res.users", rid, "login"))
    model("res.partner", "Contact", {
        "name": C("Name"), "display_name": COMP("char", _partner_display),
        "ref": C("Reference"), "barcode": C("Barcode", help="Use a barcode to identify this contact.",
                                     company_dependent=True),
        "vat": C("Tax ID"), "parent_id": M2O("res.partner", "Related Company"),
        "child_ids": O2M("res.partner", "parent_id", "Contact"),
        "commercial_partner_id": COMP("many2one", _commercial, relation="res.partner"),
        "is_company": B("Is a Company"),
        "type": SEL([("contact", "Contact"), ("invoice", "Invoice Address"), ("delivery", "Delivery Address"),
                     ("other", "Other Address"), *([("private", "Private Address")] if version <= 16 else [])],
                    "Address Type", default="contact"),
        "street": C("Street"), "street2": C("Street2"), "zip": C("Zip"), "city": C("City"),
        "state_id": M2O("res.country.state", "State"), "country_id": M2O("res.country", "Country"),
        "email": C("Email"), "phone": C("Phone"), "company_id": M2O("res.company", "Company"),
        "tz": C("Timezone", help="Odoo: a selection of zone names, set from the creating user's by default"),
        "customer_rank": I("Customer Rank"), "supplier_rank": I("Supplier Rank"),
        "user_id": M2O("res.users", "Salesperson"),
        "property_product_pricelist": M2O("product.pricelist", "Pricelist"),
        # account: a partner's agreed terms, one per company (invoices take them: `_compute_invoice_payment_term_id`)
        "property_payment_term_id": M2O("account.payment.term", "Customer Payment Terms", company_dependent=True),
        # account: a fiscal position set by hand wins over the ones applied by the delivery address's region
        "property_account_position_id": M2O("account.fiscal.position", "Fiscal Position", company_dependent=True),
        "property_supplier_payment_term_id": M2O("account.payment.term", "Vendor Payment Terms",
                                                 company_dependent=True),
        "lang": SEL(_languages, "Language", default=_context_language), "active": B(default=True),
        "comment": H("Notes")}, order="complete_name ASC, id DESC".replace("complete_name", "name"),
        parent="parent_id", display=_partner_display)
    if version < 19:
        model("uom.category", "Product UoM Categories", {"name": C("Unit of Measure Category", required=True)})
        uom_fields = {"category_id": M2O("uom.category", "Category", required=True),
                      "factor": F("Ratio", default=1.0),
                      "uom_type": SEL([("bigger", "Bigger than the reference Unit of Measure"),
                                       ("reference", "Reference Unit of Measure for this category"),
                                       ("smaller", "Smaller than the reference Unit of Measure")], "Type",
                                      default="reference")}
    else:
        uom_fields = {"relative_factor": F("Contains", default=1.0),
                      "relative_uom_id": M2O("uom.uom", "Reference Unit")}
    model("uom.uom", "Product Unit of Measure", {"name": C("Unit of Measure", required=True, translate=True),
                                                 "rounding": F("Rounding Precision", default=0.01),
                                                 "active": B(default=True), **uom_fields})
    model("product.category", "Product Category", {"name": C("Name", required=True)})
    if version <= 17:
        kinds = {"detailed_type": SEL([("consu", "Consumable"), ("service", "Service"), ("product", "Storable Product")],
                                      "Product Type", default="consu"),
                 "type": SEL([("consu", "Consumable"), ("service", "Service"), ("product", "Storable Product")],
                             "Type", default="consu")}
    else:
        kinds = {"type": SEL([("consu", "Goods"), ("service", "Service"), ("combo", "Combo")], "Product Type",
                             default="consu"),
                 "is_storable": B("Track Inventory")}
    template_fields: dict[str, Field] = {
        "name": C("Name", required=True, translate=True), "default_code": COMP("char", _template_variant_value("default_code"),
                             setter=_template_variant_setter("default_code")),
        "barcode": COMP("char", _template_variant_value("barcode"), setter=_template_variant_setter("barcode")),
        "invoice_policy": SEL([("order", "Ordered quantities"), ("delivery", "Delivered quantities")],
                              "Invoicing Policy", default="order"),
        # purchase's bill control, 16-19: goods on received quantities, a service on ordered ones, as Odoo computes
        # it on create and on a change of type (business.template_pre_create / template_on_write)
        "purchase_method": SEL([("purchase", "On ordered quantities"), ("receive", "On received quantities")],
                               "Control Policy", default="receive"),
        "list_price": F("Sales Price", default=1.0), "standard_price": F("Cost"),
        "uom_id": M2O("uom.uom", "Unit of Measure", required=True, default=_default_uom),
        "uom_po_id": M2O("uom.uom", "Purchase UoM"),
        "sale_ok": B("Can be Sold", default=True), "purchase_ok": B("Can be Purchased", default=True),
        "categ_id": M2O("product.category", "Product Category"), "active": B(default=True),
        "taxes_id": M2M("account.tax", "Customer Taxes"), "supplier_taxes_id": M2M("account.tax", "Vendor Taxes"),
        "seller_ids": O2M("product.supplierinfo", "product_tmpl_id", "Vendors"),
        **({"customer_ids": O2M("product.customerinfo", "product_tmpl_id", "Customer")} if customer_codes else {}),
        "product_variant_ids": O2M("product.product", "product_tmpl_id", "Products"),
        "company_id": M2O("res.company", "Company"), "description_sale": T("Sales Description"),
        "weight": F("Weight"), **kinds,
        # 19: packagings are units of the product (product `uom_ids`, "Packagings ... used for sales")
        **({"uom_ids": M2M("uom.uom", "Packagings")} if version >= 19 else {}),
        "tracking": SEL([("serial", "By Unique Serial Number"), ("lot", "By Lots"), ("none", "By Quantity")],
                        "Tracking", default="none")}
    model("product.template", "Product", template_fields, order="name")
    related = {k: REL(f.type, "product_tmpl_id", k, relation=f.relation, selection=f.selection)
               for k, f in template_fields.items()
               if k not in ("default_code", "barcode", "active", "product_variant_ids")}
    model("product.product", "Product Variant", {
        **related, "product_tmpl_id": M2O("product.template", "Product Template", required=True),
        "default_code": C("Internal Reference"), "barcode": C("Barcode"), "active": B(default=True),
        "qty_available": COMP("float", _qty("onhand")), "free_qty": COMP("float", _qty("free")),
        "virtual_available": COMP("float", _qty("virtual")), "outgoing_qty": COMP("float", _qty("outgoing")),
        "product_template_attribute_value_ids": M2M("product.template.attribute.value", "Attribute Values")},
        order="default_code, name, id", display=_product_display)
    # a variant's attribute values, each of one attribute line of its template (product/models/product_attribute.py,
    # product_template_attribute_line.py, product_template_attribute_value.py)
    model("product.attribute", "Product Attribute", {"name": C("Attribute", required=True), "create_variant": SEL(
        [("always", "Instantly"), ("dynamic", "Dynamically"), ("no_variant", "Never")], "Variants Creation Mode",
        default="always")})
    model("product.template.attribute.line", "Product Template Attribute Line", {
        "product_tmpl_id": M2O("product.template", "Product Template", required=True),
        "attribute_id": M2O("product.attribute", "Attribute", required=True)})
    model("product.template.attribute.value", "Product Template Attribute Value", {
        "name": C("Value", required=True),
        "attribute_line_id": M2O("product.template.attribute.line", "Attribute Line", required=True)})
    model("stock.package.type", "Package Type", {"name": C("Package Type", required=True),
                                                 "sequence": I("Sequence", default=1)}, order="sequence, id")
    if version <= 18:   # product.packaging (product; `sales` from sale, `package_type_id` from stock), gone in 19
        model("product.packaging", "Product Packaging", {
            "name": C("Product Packaging", required=True), "sequence": I("Sequence", default=1),
            "product_id": M2O("product.product", "Product", required=True),
            "qty": F("Contained Quantity", default=1.0), "barcode": C("Barcode"),
            "product_uom_id": REL("many2one", "product_id", "uom_id", relation="uom.uom"),
            "sales": B("Sales", default=True), "package_type_id": M2O("stock.package.type", "Package Type"),
            "company_id": M2O("res.company", "Company")}, order="product_id, sequence, id")
    else:               # 19: a packaging unit's barcode for one product (product/models/product_uom.py)
        model("product.uom", "Link between products and their UoMs", {
            "uom_id": M2O("uom.uom", "Unit", required=True),
            "product_id": M2O("product.product", "Product", required=True),
            "barcode": C("Barcode", required=True), "company_id": M2O("res.company", "Company", default=_company)},
            rec_name="barcode")
    if mrp:             # mrp's bills of materials; a kit (type phantom) is sold and counted by its components
        model("mrp.bom", "Bill of Material", {
            "product_tmpl_id": M2O("product.template", "Product", required=True),
            "product_id": M2O("product.product", "Product Variant"), "product_qty": F("Quantity", default=1.0),
            "product_uom_id": M2O("uom.uom", "Unit", default=_default_uom), "sequence": I("Sequence"),
            "type": SEL([("normal", "Manufacture this product"), ("phantom", "Kit")], "BoM Type", default="normal"),
            "bom_line_ids": O2M("mrp.bom.line", "bom_id", "BoM Lines", cascade=True), "active": B(default=True),
            "company_id": M2O("res.company", "Company", default=_company)}, order="sequence, product_id, id")
        model("mrp.bom.line", "Bill of Material Line", {
            "bom_id": M2O("mrp.bom", "Parent BoM", required=True),
            "product_id": M2O("product.product", "Component", required=True),
            "product_qty": F("Quantity", default=1.0), "product_uom_id": M2O("uom.uom", "Product Unit of Measure"),
            "bom_product_template_attribute_value_ids": M2M("product.template.attribute.value", "Apply on Variants"),
            "sequence": I("Sequence", default=1)}, order="sequence, id")
    info = {"partner_id": M2O("res.partner", "Vendor", required=True),
            "product_tmpl_id": M2O("product.template", "Product Template"),
            "product_id": M2O("product.product", "Product Variant"),
            "product_code": C("Vendor Product Code"), "product_name": C("Vendor Product Name"),
            "min_qty": F("Quantity"), "price": F("Price"), "currency_id": M2O("res.currency", "Currency",
                                                                              default=_currency),
            "delay": I("Delivery Lead Time", default=1), "company_id": M2O("res.company", "Company", default=_company),
            "sequence": I("Sequence", default=1)}
    studio = {"x_edi_available_qty": F("Vendor Available Qty (EDI)", help="custom field, as added with Studio"),
              "x_edi_available_date": D("Vendor Availability Date (EDI)")}
    model("product.supplierinfo", "Supplier Pricelist", {**info, **studio}, order="sequence, min_qty DESC, price, id",
          display=lambda env, rid: env.display_name("res.partner", env.db.data["product.supplierinfo"][rid]["partner_id"]))
    if customer_codes:
        model("product.customerinfo", "Customer Pricelist",
              {**info, "partner_id": M2O("res.partner", "Customer", required=True),
               "product_code": C("Customer Product Code"), "product_name": C("Customer Product Name")},
              order="sequence, min_qty DESC, price, id",
              display=lambda env, rid: env.display_name("res.partner",
                                                        env.db.data["product.customerinfo"][rid]["partner_id"]))
    model("product.pricelist", "Pricelist", {
        "name": C("Pricelist Name", required=True), "currency_id": M2O("res.currency", "Currency", default=_currency),
        "item_ids": O2M("product.pricelist.item", "pricelist_id", "Pricelist Rules"), "active": B(default=True),
        "company_id": M2O("res.company", "Company")})
    model("product.pricelist.item", "Pricelist Rule", {
        "pricelist_id": M2O("product.pricelist", "Pricelist", required=True),
        "product_tmpl_id": M2O("product.template", "Product"), "product_id": M2O("product.product", "Variant"),
        "applied_on": SEL([("3_global", "All Products"), ("1_product", "Product"), ("0_product_variant", "Variant")],
                          default="3_global"),
        "compute_price": SEL([("fixed", "Fixed Price"), ("percentage", "Discount")], default="fixed"),
        "fixed_price": F("Fixed Price"), "percent_price": F("Percentage Price"), "min_quantity": F("Min. Quantity")})
    tax_types = [("group", "Group of Taxes"), ("fixed", "Fixed"), ("percent", "Percentage of Price"),
                 ("division", "Percentage of Price Tax Included")] + ([("code", "Python Code")] if tax_code else [])
    model("account.tax", "Tax", {
        "name": C("Tax Name", required=True, translate=True), "amount": F("Amount"), "sequence": I("Sequence", default=1),
        "amount_type": SEL(tax_types, default="percent"),
        "children_tax_ids": M2M("account.tax", "Children Taxes"),
        **({"price_include_override": SEL([("tax_included", "Tax Included"), ("tax_excluded", "Tax Excluded")],
                                          "Included in Price"),
            # 18-19: computed from the override (and the company's default, which the sandbox does not have)
            "price_include": COMP("boolean", lambda env, rid: env.db.data["account.tax"][rid].get(
                "price_include_override") == "tax_included")}
           if version >= 18 else
           {"price_include": B("Included in Price")}),
        **({formula_field(version): T("Python Code")} if tax_code else {}),
        "type_tax_use": SEL([("sale", "Sales"), ("purchase", "Purchases"), ("none", "None")], default="sale"),
        # account_edi_ubl_cii (18-19; 17's account_edi_ubl_cii_tax_extension, not modelled): the tax's VAT category
        # for e-invoices (all of Odoo's choices) and its CEF VATEX exemption reason (the EU-wide ones of Odoo's list)
        **({"ubl_cii_tax_category_code": SEL([(c, c) for c in ("AE", "E", "S", "Z", "G", "O", "K", "L", "M", "B")],
                                             "Tax Category Code"),
            "ubl_cii_tax_exemption_reason_code": SEL([(c, c) for c in (
                "VATEX-EU-79-C", "VATEX-EU-132", "VATEX-EU-143", "VATEX-EU-148", "VATEX-EU-151", "VATEX-EU-309",
                "VATEX-EU-AE", "VATEX-EU-D", "VATEX-EU-F", "VATEX-EU-G", "VATEX-EU-I", "VATEX-EU-IC", "VATEX-EU-O",
                "VATEX-EU-J")], "Tax Exemption Reason Code")} if version >= 18 else {}),
        "active": B(default=True), "company_id": M2O("res.company", "Company", default=_company)})
    model("account.journal", "Journal", {
        "name": C("Journal Name", required=True), "code": C("Short Code", required=True),
        "type": SEL([("sale", "Sales"), ("purchase", "Purchase"), ("general", "Miscellaneous")], required=True),
        "company_id": M2O("res.company", "Company", default=_company)})
    model("crm.tag", "CRM Tag", {"name": C("Tag Name", required=True), "color": I("Color")})
    model("decimal.precision", "Decimal Precision", {"name": C("Usage", required=True), "digits": I("Digits",
                                                                                                 default=2)})
    if delivery:
        model("delivery.carrier", "Shipping Methods", {
            "name": C("Delivery Method", required=True), "delivery_type": SEL([("fixed", "Fixed Price"),
                                                                              ("base_on_rule", "Based on Rules")],
                                                                             default="fixed"),
            "active": B(default=True)})
    carrier_fields = {"carrier_id": M2O("delivery.carrier", "Carrier"), "carrier_tracking_ref": C("Tracking Reference"),
                      "weight": F("Weight")} if delivery else {}
    if delivery or version >= 18:
        carrier_fields["shipping_weight"] = F("Weight for Shipping")
    # stock_dropshipping adds its own operation type code from 18 (res_company._create_dropship_picking_type:
    # Vendors -> Customers, no warehouse); to 17 that operation type is an `incoming` one
    picking_codes = [("incoming", "Receipt"), ("outgoing", "Delivery"), ("internal", "Internal Transfer"),
                     *([("dropship", "Dropship")] if version >= 18 else [])]
    model("stock.location", "Inventory Locations", {
        "name": C("Location Name", required=True), "complete_name": COMP("char", _location_name),
        "location_id": M2O("stock.location", "Parent Location"),
        "usage": SEL([("supplier", "Vendor Location"), ("view", "View"), ("internal", "Internal Location"),
                      ("customer", "Customer Location"), ("inventory", "Inventory Loss"),
                      ("transit", "Transit Location")], "Location Type", default="internal", required=True),
        "warehouse_id": M2O("stock.warehouse", "Warehouse"), "active": B(default=True),
        "company_id": M2O("res.company", "Company", default=_company)},
        order="complete_name, id".replace("complete_name", "name"), parent="location_id",
        display=_location_name)
    model("stock.warehouse", "Warehouse", {
        "name": C("Warehouse", required=True), "code": C("Short Name", required=True),
        "lot_stock_id": M2O("stock.location", "Location Stock"), "view_location_id": M2O("stock.location", "View"),
        "in_type_id": M2O("stock.picking.type", "In Type"), "out_type_id": M2O("stock.picking.type", "Out Type"),
        "partner_id": M2O("res.partner", "Address"), "company_id": M2O("res.company", "Company", default=_company),
        "active": B(default=True)})
    model("stock.picking.type", "Picking Type", {
        "name": C("Operation Type", required=True),
        "code": SEL(picking_codes, "Type of Operation", required=True),
        "sequence_code": C("Sequence Prefix"), "warehouse_id": M2O("stock.warehouse", "Warehouse"),
        "default_location_src_id": M2O("stock.location", "Default Source Location"),
        "default_location_dest_id": M2O("stock.location", "Default Destination Location"),
        "active": B(default=True), "company_id": M2O("res.company", "Company", default=_company)},
        display=lambda env, rid: (f"{env.display_name('stock.warehouse', w)}: " if (w := env.db.data[
            'stock.picking.type'][rid].get('warehouse_id')) else "") + str(env.db.data['stock.picking.type'][rid]['name']))
    picking_states = [("draft", "Draft"), ("waiting", "Waiting Another Operation"), ("confirmed", "Waiting"),
                      ("assigned", "Ready"), ("done", "Done"), ("cancel", "Cancelled")]
    model("stock.picking", "Transfer", {
        "name": C("Reference", default="/"), "partner_id": M2O("res.partner", "Contact"),
        "picking_type_id": M2O("stock.picking.type", "Operation Type", required=True),
        "picking_type_code": COMP("selection", _picking_type_code, selection=picking_codes),
        "location_id": M2O("stock.location", "Source Location"),
        "location_dest_id": M2O("stock.location", "Destination Location"),
        "origin": C("Source Document"), "sale_id": M2O("sale.order", "Sales Order"),
        "purchase_id": M2O("purchase.order", "Purchase Orders"),
        "move_ids": O2M("stock.move", "picking_id", "Stock Moves", cascade=True),
        "move_ids_without_package": O2M("stock.move", "picking_id", "Stock moves not in package"),
        "move_line_ids": O2M("stock.move.line", "picking_id", "Operations"),
        "scheduled_date": DT("Scheduled Date", default=_now), "date_deadline": DT("Deadline"),
        "date_done": DT("Date of Transfer"), "backorder_id": M2O("stock.picking", "Back Order of"),
        **carrier_fields,
        "state": SEL(picking_states, "Status", default="draft"), "note": H("Notes"),
        "company_id": M2O("res.company", "Company", default=_company)}, order="priority desc, scheduled_date asc, id desc"
        .replace("priority desc, ", ""))
    model("stock.move", "Stock Move", {
        "name": C("Description"), "picking_id": M2O("stock.picking", "Transfer"),
        "picking_type_id": M2O("stock.picking.type", "Operation Type"),
        "product_id": M2O("product.product", "Product", required=True),
        "product_uom_qty": F("Demand"),
        **({"quantity": F("Quantity"), "picked": B("Picked")} if version >= 17 else
           {"quantity_done": F("Quantity Done"), "reserved_availability": F("Quantity Reserved", readonly=True)}),
        "product_qty": COMP("float", _move_product_qty, string="Real Quantity"),
        "product_uom": M2O("uom.uom", "UoM", required=True),
        "picking_code": REL("selection", "picking_type_id", "code", selection=picking_codes),
        "state": SEL([("draft", "New"), ("waiting", "Waiting Another Move"), ("confirmed", "Waiting Availability"),
                      ("partially_available", "Partially Available"), ("assigned", "Available"),
                      ("done", "Done"), ("cancel", "Cancelled")], "Status", default="draft"),
        "sale_line_id": M2O("sale.order.line", "Sale Line"),
        "purchase_line_id": M2O("purchase.order.line", "Purchase Order Line"),
        **({"bom_line_id": M2O("mrp.bom.line", "BoM Line")} if mrp else {}),     # a kit's component move
        "move_line_ids": O2M("stock.move.line", "move_id", "Move Lines", cascade=True),
        "location_id": M2O("stock.location", "Source Location", required=True),
        "location_dest_id": M2O("stock.location", "Destination Location", required=True),
        "origin": C("Source Document"), "partner_id": M2O("res.partner", "Destination Address"),
        "date": DT("Date Scheduled", default=_now), "date_deadline": DT("Deadline"),
        "company_id": M2O("res.company", "Company", default=_company)},
        display=lambda env, rid: str(env.db.data["stock.move"][rid].get("name") or ""))
    model("stock.lot", "Lot/Serial", {
        "name": C("Lot/Serial Number", required=True), "product_id": M2O("product.product", "Product", required=True),
        "expiration_date": DT("Expiration Date"), "company_id": M2O("res.company", "Company", default=_company)})
    model(package, "Packages", {
        "name": C("Package Reference", required=True), "shipping_weight": F("Shipping Weight"),
        "location_id": M2O("stock.location", "Location"), "company_id": M2O("res.company", "Company")})
    model("stock.move.line", "Product Moves (Stock Move Line)", {
        "move_id": M2O("stock.move", "Stock Operation"), "picking_id": M2O("stock.picking", "Transfer"),
        "product_id": M2O("product.product", "Product"),
        **({"quantity": F("Quantity"), "picked": B("Picked")} if version >= 17 else
           {"qty_done": F("Done"), "reserved_uom_qty": F("Reserved")}),
        "product_uom_id": M2O("uom.uom", "Unit of Measure"), "lot_id": M2O("stock.lot", "Lot/Serial Number"),
        "lot_name": C("Lot/Serial Number Name"), "package_id": M2O(package, "Source Package"),
        "result_package_id": M2O(package, "Destination Package"),
        "location_id": M2O("stock.location", "From"), "location_dest_id": M2O("stock.location", "To"),
        "state": REL("selection", "move_id", "state"),
        **({"expiration_date": DT("Expiration Date")} if expiry else {}),
        "company_id": M2O("res.company", "Company", default=_company)})
    model("stock.quant", "Quants", {
        "product_id": M2O("product.product", "Product", required=True),
        "location_id": M2O("stock.location", "Location", required=True), "lot_id": M2O("stock.lot", "Lot/Serial Number"),
        "package_id": M2O(package, "Package"), "owner_id": M2O("res.partner", "Owner"),
        "quantity": F("Quantity"), "reserved_quantity": F("Reserved Quantity"),
        "available_quantity": COMP("float", _available), "inventory_quantity": F("Counted Quantity"),
        "in_date": DT("Incoming Date", default=_now), "company_id": M2O("res.company", "Company", default=_company)})
    model("stock.backorder.confirmation", "Backorder Confirmation", {
        "pick_ids": M2M("stock.picking", "Transfers")}, transient=True)
    if version <= 16:                   # removed in 17, where validating with nothing picked picks everything
        model("stock.immediate.transfer", "Immediate Transfer", {
            "pick_ids": M2M("stock.picking", "Transfers")}, transient=True)
    model("account.fiscal.position", "Fiscal Position", {
        "name": C("Fiscal Position", required=True), "sequence": I("Sequence"), "active": B(default=True),
        "auto_apply": B("Detect Automatically"), "country_id": M2O("res.country", "Country"),
        "state_ids": M2M("res.country.state", "Federal States"), "company_id": M2O("res.company", "Company",
                                                                                 default=_company),
        "tax_ids": O2M("account.fiscal.position.tax", "position_id", "Tax Mapping")}, order="sequence, id")
    model("account.fiscal.position.tax", "Tax Mapping of Fiscal Position", {
        "position_id": M2O("account.fiscal.position", "Fiscal Position", required=True),
        "tax_src_id": M2O("account.tax", "Tax on Product", required=True),
        "tax_dest_id": M2O("account.tax", "Tax to Apply")})
    model("account.incoterms", "Incoterms", {"name": C("Name", required=True, translate=True),
                                             "code": C("Code", required=True), "active": B(default=True)})
    so_states = [("draft", "Quotation"), ("sent", "Quotation Sent"), ("sale", "Sales Order"),
                 *([("done", "Locked")] if version <= 16 else []), ("cancel", "Cancelled")]
    model("sale.order", "Sales Order", {
        "name": C("Order Reference", default=_seq_default("sale.order", "S")),
        "partner_id": M2O("res.partner", "Customer", required=True),
        "partner_invoice_id": M2O("res.partner", "Invoice Address"),
        "partner_shipping_id": M2O("res.partner", "Delivery Address"),
        "client_order_ref": C("Customer Reference"), "origin": C("Source Document"),
        "date_order": DT("Order Date", default=_now), "commitment_date": DT("Delivery Date"),
        "validity_date": D("Expiration"), "pricelist_id": M2O("product.pricelist", "Pricelist"),
        # sale_stock: the terms of delivery and their place
        "incoterm": M2O("account.incoterms", "Incoterm"), "incoterm_location": C("Incoterm Location"),
        # sale_stock (16-19): 'one' makes the delivery wait for every line (its move_type), Odoo's "ship complete"
        "picking_policy": SEL([("direct", "As soon as possible"), ("one", "When all products are ready")],
                              "Shipping Policy", required=True, default="direct"),
        "fiscal_position_id": M2O("account.fiscal.position", "Fiscal Position"),
        "payment_term_id": M2O("account.payment.term", "Payment Terms"),
        "currency_id": M2O("res.currency", "Currency"), "warehouse_id": M2O("stock.warehouse", "Warehouse"),
        "order_line": O2M("sale.order.line", "order_id", "Order Lines", cascade=True),
        "picking_ids": O2M("stock.picking", "sale_id", "Transfers"),
        "invoice_ids": COMP("many2many", _order_invoices("sale.order.line", "sale_line_ids", True),
                            relation="account.move"),
        "invoice_status": COMP("selection", _sale_invoice_status,
                               selection=[("upselling", "Upselling Opportunity"), ("invoiced", "Fully Invoiced"),
                                          ("to invoice", "To Invoice"), ("no", "Nothing to Invoice")]),
        "amount_untaxed": COMP("monetary", _sum_lines("sale.order", "sale.order.line", "order_id", "untaxed",
                                                      "product_uom_qty", n["sale_tax"])),
        "amount_tax": COMP("monetary", _sum_lines("sale.order", "sale.order.line", "order_id", "tax",
                                                  "product_uom_qty", n["sale_tax"])),
        "amount_total": COMP("monetary", _sum_lines("sale.order", "sale.order.line", "order_id", "total",
                                                    "product_uom_qty", n["sale_tax"])),
        "state": SEL(so_states, "Status", default="draft"), **({"locked": B("Locked")} if version >= 17 else {}),
        "note": H("Terms and conditions"), "tag_ids": M2M("crm.tag", "Tags"),
        "user_id": M2O("res.users", "Salesperson"), "company_id": M2O("res.company", "Company", default=_company)},
        order="date_order desc, id desc")
    model("sale.order.line", "Sales Order Line", {
        "order_id": M2O("sale.order", "Order Reference", required=True), "sequence": I("Sequence", default=10),
        "product_id": M2O("product.product", "Product"), "name": T("Description"),
        "product_uom_qty": F("Quantity", default=1.0), n["sale_uom"]: M2O("uom.uom", "Unit of Measure"),
        "price_unit": F("Unit Price", digits="Product Price"), "discount": F("Discount (%)", digits="Discount"),
        n["sale_tax"]: M2M("account.tax", "Taxes"),
        # 16-18 sale: the line's packaging and how many of it (stored computes Odoo keeps consistent with
        # product_uom_qty, writable; sale/models/sale_order_line.py _compute_product_packaging_qty), gone in 19
        **({"product_packaging_id": M2O("product.packaging", "Packaging"),
            "product_packaging_qty": F("Packaging Quantity")} if version <= 18 else {}),
        # 18+: the price the line last computed; a price_unit that differs from it was set by hand and is kept
        **({"technical_price_unit": F("Technical Price Unit")} if version >= 18 else {}),
        "qty_delivered": COMP("float", _kits_delivered(_moved_qty("sale_line_id", "customer"))),
        "qty_invoiced": COMP("float", _invoiced_qty("sale_line_ids", True, "sale_uom")),
        "invoice_lines": COMP("many2many", _sale_invoice_lines, relation="account.move.line"),
        "display_type": SEL([("line_section", "Section"), ("line_note", "Note")], "Display Type"),
        "is_downpayment": B("Is a down payment"),
        **({"is_delivery": B("Is a Delivery")} if delivery else {}),     # the shipping line Odoo adds
        "price_subtotal": COMP("monetary", _line_amount("sale.order.line", "product_uom_qty", n["sale_tax"], False)),
        "price_total": COMP("monetary", _line_amount("sale.order.line", "product_uom_qty", n["sale_tax"], True)),
        "state": REL("selection", "order_id", "state", selection=so_states),
        "company_id": REL("many2one", "order_id", "company_id", relation="res.company")},
        order="order_id, sequence, id", display=lambda env, rid: f"{env.display_name('sale.order', env.db.data['sale.order.line'][rid]['order_id'])} - {env.db.data['sale.order.line'][rid].get('name') or ''}")
    if version < 19:                    # 19 cancels at once (OpenUpgrade sale 19.0.1.2 drops the wizard's access)
        model("sale.order.cancel", "Sales Order Cancel", {
            "order_id": M2O("sale.order", "Sale Order", required=True)}, transient=True)
    model("sale.advance.payment.inv", "Sales Advance Payment Invoice", {
        "advance_payment_method": SEL([("delivered", "Regular invoice"), ("percentage", "Down payment (percentage)"),
                                       ("fixed", "Down payment (fixed amount)")], "Create Invoice",
                                      default="delivered"),
        "sale_order_ids": M2M("sale.order", "Sales Orders")}, transient=True)
    # the Reverse button's wizard (account/wizard/account_move_reversal.py): 16 picks a refund_method and calls
    # reverse_moves; 17-19 have the buttons refund_moves / modify_moves, reverse_moves(is_modify) behind them
    model("account.move.reversal", "Account Move Reversal", {
        "move_ids": M2M("account.move", "Move"), "new_move_ids": M2M("account.move", "New Move"),
        "date": D("Reversal date", default=_today), "reason": C("Reason"),
        "journal_id": M2O("account.journal", "Journal"), "company_id": M2O("res.company", "Company", default=_company),
        **({"refund_method": SEL([("refund", "Partial Refund"), ("cancel", "Full Refund"),
                                  ("modify", "Full refund and new draft invoice")], "Credit Method",
                                 default="refund")} if version <= 16 else {})}, transient=True)
    po_states = [("draft", "RFQ"), ("sent", "RFQ Sent"), ("to approve", "To Approve"), ("purchase", "Purchase Order"),
                 ("done", "Locked"), ("cancel", "Cancelled")]
    model("purchase.order", "Purchase Order", {
        "name": C("Order Reference", default=_seq_default("purchase.order", "P")),
        "partner_id": M2O("res.partner", "Vendor", required=True), "partner_ref": C("Vendor Reference"),
        "origin": C("Source Document"), "date_order": DT("Order Deadline", default=_now),
        "date_planned": DT("Expected Arrival"), "currency_id": M2O("res.currency", "Currency", default=_currency),
        "order_line": O2M("purchase.order.line", "order_id", "Order Lines", cascade=True),
        "picking_ids": O2M("stock.picking", "purchase_id", "Receptions"),
        "invoice_ids": COMP("many2many", _order_invoices("purchase.order.line", "purchase_line_id", False),
                            relation="account.move"),
        "picking_type_id": M2O("stock.picking.type", "Deliver To"),
        "state": SEL(po_states, "Status", default="draft"), "notes": H("Terms and Conditions"),
        **({"locked": B("Locked"), "acknowledged": B("Acknowledged")} if version >= 19 else {}),  # 19's flags
        "amount_total": COMP("monetary", _sum_lines("purchase.order", "purchase.order.line", "order_id", "total",
                                                    "product_qty", n["purchase_tax"])),
        "company_id": M2O("res.company", "Company", default=_company)}, order="priority desc, id desc"
        .replace("priority desc, ", ""))
    model("purchase.order.line", "Purchase Order Line", {
        "order_id": M2O("purchase.order", "Order Reference", required=True), "sequence": I("Sequence", default=10),
        "product_id": M2O("product.product", "Product"), "name": T("Description"),
        "product_qty": F("Quantity", default=1.0), n["purchase_uom"]: M2O("uom.uom", "Unit of Measure"),
        "price_unit": F("Unit Price"), "discount": F("Discount (%)"), n["purchase_tax"]: M2M("account.tax", "Taxes"),
        "qty_received": COMP("float", _moved_qty("purchase_line_id", "supplier")),
        "qty_invoiced": COMP("float", _invoiced_qty("purchase_line_id", False, "purchase_uom")),
        "qty_to_invoice": COMP("float", _po_qty_to_invoice),
        "date_planned": DT("Expected Arrival"), "display_type": SEL([("line_section", "Section"),
                                                                    ("line_note", "Note")], "Display Type"),
        "price_subtotal": COMP("monetary", _line_amount("purchase.order.line", "product_qty", n["purchase_tax"], False)),
        "state": REL("selection", "order_id", "state", selection=po_states)}, order="order_id, sequence, id")
    model("account.payment.term", "Payment Terms", {
        "name": C("Payment Terms", required=True, translate=True), "active": B(default=True),
        "line_ids": O2M("account.payment.term.line", "payment_id", "Terms", cascade=True),
        "company_id": M2O("res.company", "Company"),
        # the early payment discount: the term's from 17, each line's in 16
        **({"early_discount": B("Early Discount"), "discount_percentage": F("Discount %", default=2.0),
            "discount_days": I("Discount Days", default=10)} if version >= 17 else {})})
    model("account.payment.term.line", "Payment Terms Line", {   # the days after the invoice date each part is due
        "payment_id": M2O("account.payment.term", "Payment Terms", required=True),
        "value": SEL([*([("balance", "Balance")] if version <= 16 else []), ("percent", "Percent"),
                      ("fixed", "Fixed")], "Type", default="percent"),
        "value_amount": F("Value", default=100.0), term_days(version): I("Days", default=0),
        # the days count from the month's end: 16's end_month, 17+'s delay_type (the due date it gives is not modelled)
        **({"end_month": B("End of month"), "days_after": I("Days after End of month")}   # 16: due after the month end
           if version <= 16 else {"delay_type": SEL(
            [("days_after", "Days after invoice date"), ("days_after_end_of_month", "Days after end of month"),
             ("days_after_end_of_next_month", "Days after end of next month"),
             ("days_end_of_month_on_the", "Days end of month on the")], "Due Date Computation", required=True,
            default="days_after")}),
        **({"discount_percentage": F("Discount %"), "discount_days": I("Discount Days")} if version <= 16 else {})})
    move_types = [("entry", "Journal Entry"), ("out_invoice", "Customer Invoice"), ("out_refund", "Customer Credit Note"),
                  ("in_invoice", "Vendor Bill"), ("in_refund", "Vendor Credit Note"),
                  ("out_receipt", "Sales Receipt"), ("in_receipt", "Purchase Receipt")]
    model("account.move", "Journal Entry", {
        "name": C("Number", default="/"), "move_type": SEL(move_types, "Type", required=True, default="entry"),
        "partner_id": M2O("res.partner", "Partner"),
        "commercial_partner_id": COMP("many2one", _move_commercial, relation="res.partner"),
        "partner_shipping_id": M2O("res.partner", "Delivery Address"), "ref": C("Reference"),
        "invoice_origin": C("Origin"), "payment_reference": C("Payment Reference"),
        # the invoice a credit note reverses (account/models/account_move.py, 16-19; set by the reversal wizard)
        "reversed_entry_id": M2O("account.move", "Reversal of"),
        "invoice_date": D("Invoice/Bill Date"), "invoice_date_due": D("Due Date"), "date": D("Date", default=_today),
        "invoice_payment_term_id": M2O("account.payment.term", "Payment Terms"),
        "currency_id": M2O("res.currency", "Currency", default=_currency), "journal_id": M2O("account.journal", "Journal"),
        "invoice_line_ids": O2M("account.move.line", "move_id", "Invoice lines", cascade=True),
        "line_ids": O2M("account.move.line", "move_id", "Journal Items"),
        "amount_untaxed": COMP("monetary", _sum_lines("account.move", "account.move.line", "move_id", "untaxed",
                                                      "quantity", "tax_ids")),
        "amount_tax": COMP("monetary", _sum_lines("account.move", "account.move.line", "move_id", "tax", "quantity",
                                                  "tax_ids")),
        "amount_total": COMP("monetary", _sum_lines("account.move", "account.move.line", "move_id", "total",
                                                    "quantity", "tax_ids")),
        "amount_residual": COMP("monetary", _sum_lines("account.move", "account.move.line", "move_id", "residual",
                                                       "quantity", "tax_ids")),
        "state": SEL([("draft", "Draft"), ("posted", "Posted"), ("cancel", "Cancelled")], "Status", default="draft"),
        "payment_state": SEL([("not_paid", "Not Paid"), ("in_payment", "In Payment"), ("paid", "Paid"),
                              ("partial", "Partially Paid"), ("reversed", "Reversed"),
                              ("invoicing_legacy", "Invoicing App Legacy")], "Payment Status", default="not_paid"),
        "narration": H("Terms and Conditions"), "company_id": M2O("res.company", "Company", default=_company),
        # set by _post (a move posted before keeps its number when it is posted again) and by Send & Print
        "posted_before": B("Posted Before", readonly=True), "is_move_sent": B("Is Move Sent", readonly=True)},
        order="date desc, name desc, id desc")
    model("account.move.line", "Journal Item", {
        "move_id": M2O("account.move", "Journal Entry", required=True), "sequence": I("Sequence", default=10),
        "product_id": M2O("product.product", "Product"), "name": C("Label"), "quantity": F("Quantity", default=1.0),
        # a bill line's Unit Price is kept to Product Price digits, as a sale line's (account.move.line, 16-19)
        "price_unit": F("Unit Price", digits="Product Price"), "discount": F("Discount (%)"),
        "product_uom_id": M2O("uom.uom", "Unit of Measure"),
        "tax_ids": M2M("account.tax", "Taxes"), "sale_line_ids": M2M("sale.order.line", "Sales Order Lines"),
        "purchase_line_id": M2O("purchase.order.line", "Purchase Order Line"),
        "price_subtotal": COMP("monetary", _line_amount("account.move.line", "quantity", "tax_ids", False)),
        "price_total": COMP("monetary", _line_amount("account.move.line", "quantity", "tax_ids", True)),
        "display_type": SEL([("product", "Product"), ("line_section", "Section"), ("line_note", "Note"),
                             ("tax", "Tax"), ("payment_term", "Payment Term"), ("rounding", "Rounding")],
                            default="product"),
        "parent_state": REL("selection", "move_id", "state"),
        # a payment_term line's due date and share of the total (account.move.line, 16-19)
        "date_maturity": D("Due Date"), "amount_currency": F("Amount in Currency")}, order="sequence, id",
        display=lambda env, rid: str(env.db.data["account.move.line"][rid].get("name") or ""))
    model("ir.model", "Models", {"model": C("Model", required=True), "name": C("Model Description"),
                                 "state": SEL([("manual", "Custom Object"), ("base", "Base Object")], default="base"),
                                 "transient": B("Transient Model")}, order="model")
    model("ir.model.data", "Model Data", {"module": C("Module", required=True), "name": C("External Identifier",
                                                                                          required=True),
                                          "model": C("Model Name", required=True), "res_id": I("Record ID")},
          display=lambda env, rid: f"{env.db.data['ir.model.data'][rid]['module']}.{env.db.data['ir.model.data'][rid]['name']}")
    for spec in specs:      # the magic columns every model has
        for fname, kind, rel in (("create_date", "datetime", None), ("write_date", "datetime", None),
                                 ("create_uid", "many2one", "res.users"), ("write_uid", "many2one", "res.users")):
            spec.fields.setdefault(fname, Field(kind, fname.replace("_", " ").title(), relation=rel, readonly=True,
                                                compute=_magic(spec.name, fname)))
    return {s.name: s for s in specs}


def _magic(model: str, fname: str) -> Any:
    def compute(env: Env, rid: int) -> Any:
        return env.db.data[model][rid].get(fname, False)
    return compute
