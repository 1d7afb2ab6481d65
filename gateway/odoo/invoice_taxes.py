"""An Odoo invoice line's taxes, one by one, as the partner's document lists them (TXI, TAX/MOA 124, cac:TaxTotal).

Odoo gives each line's tax-excluded amount (`price_subtotal`) and its amount with taxes (`price_total`), so the
line's tax in all is always Odoo's own figure; what it does not give is that figure tax by tax. A line's taxes are
expanded as Odoo does (a `group` is its children, in their sequence) and each is computed on the subtotal as Odoo
16-19 compute it: `percent` a percentage of it, `fixed` an amount per unit, `division` (the price-included style)
subtotal x rate / (1 - rate). A `code` tax (account_tax_python) runs a formula the gateway does not evaluate: it is
Odoo's line tax less the others. What does not add up to Odoo's line tax (two formula taxes on one line, a tax
included in the base of the next) is a `TaxMismatch`: the invoice is held, not sent with figures Odoo disagrees with.
A company that rounds taxes globally has them added up unrounded by tax and rounded once, as its tax lines are; a
percentage or fixed tax included in the price is then taken out of the amount that includes it, as Odoo does
(`_included`).
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from gateway.odoo.client import OdooClient

TAX_FIELDS = ["name", "amount", "amount_type", "children_tax_ids", "price_include"]   # 18-19: computed, readable
COMPUTED = ("percent", "fixed", "division")     # what the gateway computes; `code` is Odoo's figure less these


class TaxMismatch(ValueError):
    """A line's taxes cannot be told one by one so that they add up to Odoo's tax on the line."""


def dec(value: Any) -> Decimal:
    """Odoo's float as a Decimal without float noise or exponent: 490.0 -> 490, 12.5 -> 12.5."""
    d = Decimal(str(value or 0))
    return d.quantize(Decimal(1)) if d == d.to_integral_value() else d.normalize()


def money(value: Decimal, places: int = 2) -> Decimal:
    """An amount rounded to the cent as Odoo rounds money (float_round HALF-UP: 13.125 -> 13.13), not half to even;
    to the currency's smallest unit (`places`: 3 for KWD, BHD, OMR, their fils or baisa; 0 for JPY)."""
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def places_of(rounding: Any) -> int:
    """A currency's decimal places from its Rounding Factor, as res.currency's _compute_decimal_places (16-19):
    0.001 -> 3, 0.05 -> 2, 1 -> 0."""
    factor = float(rounding or 0)
    return math.ceil(math.log10(1 / factor)) if 0 < factor < 1 else 0


def read_taxes(client: OdooClient, ids: set[int], more: tuple[str, ...] = ()) -> dict[int, dict[str, Any]]:
    """The taxes `ids` and the children of the groups among them, by id: one read per level of groups, with the
    fields `more` (a tax's VAT category, tax_categories.CATEGORY_FIELDS, where the database has them)."""
    found: dict[int, dict[str, Any]] = {}
    wanted = set(ids)
    while wanted:
        rows = client.read("account.tax", sorted(wanted), [*TAX_FIELDS, *more])
        found.update({t["id"]: t for t in rows})
        wanted = {c for t in rows for c in t.get("children_tax_ids") or []} - set(found)
    return found


def leaves(taxes: dict[int, dict[str, Any]], ids: list[int]) -> list[dict[str, Any]]:
    """The taxes a line's `tax_ids` amount to: each group replaced by its children (Odoo orders a group's children
    by their sequence; `children_tax_ids` is read in that order)."""
    return [leaf for t in ids if t in taxes
            for leaf in (leaves(taxes, taxes[t].get("children_tax_ids") or [])
                         if taxes[t].get("amount_type") == "group" else [taxes[t]])]


def rate_of(tax: dict[str, Any]) -> Decimal | None:
    """The percentage to send with a tax: a `percent` tax's own; `division`, `fixed` and `code` have none that is
    a percentage of the taxable amount."""
    return dec(tax["amount"]) if tax.get("amount_type") == "percent" else None


def line_taxes(taxes: dict[int, dict[str, Any]], line: dict[str, Any], subtotal: Decimal, label: str,
               globally: bool = False, version: int = 17, places: int = 2) -> list[tuple[dict[str, Any], Decimal]]:
    """Each tax of an invoice line (groups expanded) with its amount, adding up to Odoo's tax on the line
    (`price_total` - `price_subtotal`). `label` names the line in a `TaxMismatch`.

    `globally`: the company rounds taxes globally (Tax Calculation Rounding Method): Odoo keeps a line's taxes
    unrounded, rounds only the line's total, and the invoice's tax lines round each tax's sum over the lines. The
    amounts are then unrounded too, for the caller to add up by tax and round (`money`) as Odoo does; `version`
    (Odoo's major) says how an included tax is taken out of the price then (`_included`); `places`, the
    currency's decimal places, what a rounded amount is rounded to."""
    found = leaves(taxes, line["tax_ids"])
    if not found:
        return []
    odoo_tax = dec(line["price_total"]) - subtotal
    amounts = {t["id"]: _computed(t, subtotal, dec(line["quantity"]), not globally, places) for t in found}
    if globally:
        amounts.update(_included(found, line, subtotal, version, places))
    unknown = [t for t in found if amounts[t["id"]] is None]
    known = sum((a for a in amounts.values() if a is not None), Decimal(0))
    if len(unknown) > 1:
        raise TaxMismatch(f"{label}: taxes {_names(unknown)} are computed by Odoo formulas (amount type 'code') and "
                          f"Odoo gives only their sum with the line's other taxes ({odoo_tax}), not each one")
    if unknown:
        amounts[unknown[0]["id"]] = odoo_tax - known
    elif len(found) == 1 and not globally:
        amounts[found[0]["id"]] = odoo_tax      # Odoo's own figure (a price-included tax rounds from the total)
    elif money(subtotal + known, places) - subtotal != odoo_tax:
        raise TaxMismatch(f"{label}: taxes {_names(found)} come to {known} on the line's {subtotal}, Odoo's tax on "
                          f"the line is {odoo_tax} (a tax included in the base of the next one?)")
    return [(t, amounts[t["id"]] or Decimal(0)) for t in found]


def _computed(tax: dict[str, Any], subtotal: Decimal, quantity: Decimal, rounded: bool,
              places: int = 2) -> Decimal | None:
    """One tax on a line's tax-excluded subtotal (`rounded` to the cent, or not), as Odoo 16-19 compute it; None for
    a `code` tax.

    `division` is the same on the excluded subtotal whether the price includes it or not: excluded, Odoo adds
    subtotal / (1 - rate) - subtotal (16-17 `_compute_amount`; 18-19 `_eval_tax_amount_price_excluded`, where a
    batch of division taxes shares one 1 - sum of rates); included, the tax is rate x total and the subtotal
    the rest, (1 - rate) x total."""
    kind = tax.get("amount_type")
    rate = dec(tax["amount"])
    if kind == "percent":
        amount = subtotal * rate / 100
    elif kind == "fixed":                          # math.copysign(quantity, base): a negative line, a negative fee
        amount = (-abs(quantity) if subtotal < 0 else abs(quantity) if subtotal else quantity) * rate
    elif kind == "division":
        amount = subtotal * rate / (100 - rate) if rate != 100 else Decimal(0)
    else:
        return None
    return money(amount, places) if rounded else amount


def _included(found: list[dict[str, Any]], line: dict[str, Any], subtotal: Decimal,
              version: int, places: int = 2) -> dict[int, Decimal]:
    """The unrounded amounts of a line's taxes included in its price, for a company rounding globally. Odoo takes
    them out of the amount that includes them, not out of the rounded subtotal (21 % of 28,858.45 is 6,060.2745,
    but 7,777 at 4.49 with 21 % in it has 6,060.28 of tax): 16-17 `compute_all` gives the last included tax with an
    amount (its 'checkpoint') what is left of the amount rounded to the cent once the rounded subtotal and the other
    included taxes, each computed on the subtotal, are taken out; 18-19 `_get_tax_details` takes fixed ones out
    first, then gives each percentage its rate's share of what is left, unrounded ((amount - fixed) x rate / (100 +
    the included rates)). A `division` or formula tax in the price: {} (each computed on the subtotal)."""
    inside = [t for t in found if t.get("price_include")]
    if not inside or any(t.get("amount_type") not in ("percent", "fixed") for t in inside):
        return {}
    quantity = dec(line["quantity"])
    whole = dec(line["price_unit"]) * (100 - dec(line.get("discount"))) / 100 * quantity
    each = {t["id"]: _computed(t, subtotal, quantity, False) or Decimal(0) for t in inside}
    if version >= 18:
        percent = [t for t in inside if t.get("amount_type") == "percent"]
        rest = whole - sum((each[t["id"]] for t in inside if t not in percent), Decimal(0))
        rates = sum((dec(t["amount"]) for t in percent), Decimal(0))
        return {**each, **{t["id"]: rest * dec(t["amount"]) / (100 + rates) for t in percent}}
    last = [t["id"] for t in inside if dec(t["amount"])][-1:]
    return {**each, **{t: money(whole, places) - subtotal - sum((a for o, a in each.items() if o != t), Decimal(0))
                       for t in last}}


def _names(taxes: list[dict[str, Any]]) -> str:
    return ", ".join(f"'{t['name']}'" for t in taxes)
