"""cXML ItemOut price modifications (UnitPrice/Modifications) as canonical line allowances and charges.

cXML states them per unit and already inside the price: UnitPrice/Money is what the buyer pays per unit,
each Modification says what came off (AdditionalDeduction) or was added (AdditionalCost) on the way there,
and OriginalPrice the price it was applied to. A canonical line, like an X12 PO1 with its SACs, has the
gross unit price and allowances for the whole line, which Odoo takes off that price once. Read as cXML
states them, the buyer's discount would come off its own net price a second time.

The cXML order profile reads the modifications as they stand (per unit) and names these functions as its
hooks: `after_read` turns them into the canonical line (gross price, amounts for the line), `before_write`
back (net price, per-unit amounts, OriginalPrice when the base was sent). A partner profile with its own
hooks over it calls these from them.
"""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any

from gateway.errors import TranslationError
from gateway.translate.cxml_dates import zoned_days
from gateway.translate.invoice_amounts import cents, lines_amount
from gateway.translate.stand_ins import stand_ins

log = logging.getLogger(__name__)

HUNDRED = Decimal(100)
CENTS = Decimal("0.01")                  # a net price written in cents when it is a whole number of them
HALF_CENT = Decimal("0.005")             # a net price sent rounded to the cent still agrees
PRICE_PLACES = Decimal("0.0001")         # a gross price undone from a percent that does not divide evenly


def _stated(shipping: dict[str, Any], charges: list[dict[str, Any]]) -> bool:
    """Whether the header's Shipping cost is already one of the Total's Modifications, a freight charge of the same
    amount (ModificationDetail name="Shipping"): a buyer stating it both ways means one charge, not two."""
    return any(c.get("kind") == "charge" and c.get("code") == "freight" and c.get("amount") == shipping.get("amount")
               for c in charges)


def after_read(data: dict[str, Any], tx: Any = None) -> dict[str, Any]:
    """Each line's per-unit modifications as amounts for the line, and its unit price the gross. A net price
    its OriginalPrice does not come to after the modifications is refused: the buyer's figures disagree (a
    system that sends the gross price in UnitPrice/Money too), and either reading bills one of them wrongly.
    The header's Shipping cost (the profile's `_shipping`) is one of the order's charges."""
    if "_shipping" in data:
        stated = data.get("allowances_charges") or []
        data["allowances_charges"] = [*stated, *(c for c in data.pop("_shipping") if not _stated(c, stated))]
    for index, line in enumerate(data.get("lines") or [], 1):
        mods = line.get("allowances_charges") or []
        quantity = line.get("quantity")
        if not mods or quantity is None:
            continue
        net = line.get("unit_price")
        gross = mods[0].get("base_amount")
        if gross is not None and net is not None and abs(_net(gross, mods) - net) > HALF_CENT:
            raise TranslationError(f"line {line.get('line_no') or index}: UnitPrice {net} is not its "
                                   f"OriginalPrice {gross} after its modifications ({_net(gross, mods)}); the "
                                   "buyer's price and its modifications disagree: ask which is meant")
        if gross is None and net is not None:
            if any(m.get("amount") is None and m.get("percent") == HUNDRED for m in mods):
                raise TranslationError(f"line {line.get('line_no') or index}: 100 % off leaves no price to tell "
                                       "the gross one from; the buyer must send the Modification's OriginalPrice")
            gross = _gross(net, mods)
        line["unit_price"] = gross
        for mod in mods:
            for key in ("amount", "base_amount"):
                if mod.get(key) is not None:
                    mod[key] = mod[key] * quantity
    return data


def before_write(data: dict[str, Any]) -> dict[str, Any]:
    """Each line's allowances and charges per unit, from its gross price to the net UnitPrice/Money; the
    order's own ones each with one figure; the Total's Money when the order has none and the BillTo (the
    buyer, when the order names no bill-to): the DTD requires both. The orderDate in the order's day zone,
    as the invoice and ship notice hooks write theirs (`cxml_dates`)."""
    stand_ins(data, {"bill_to": ("buyer",)})
    lines_total = lines_amount(data)
    header = [_one_figure(dict(m), lines_total, "the order") for m in data.get("allowances_charges") or []]
    data["allowances_charges"] = header
    totals = data.setdefault("totals", {})
    if totals.get("total_amount") is None and data.get("lines"):
        totals["total_amount"] = cents(lines_total + sum((_signed(m, lines_total) for m in header), Decimal(0)))
    for index, line in enumerate(data.get("lines") or [], 1):
        mods = line.get("allowances_charges") or []
        quantity = line.get("quantity")
        if not mods:
            continue
        label = f"line {line.get('line_no') or index}"
        if not quantity:
            raise TranslationError(f"{label}: a cXML modification is per unit; the line has no quantity to "
                                   "share its allowances and charges over")
        price = line.get("unit_price")
        written = []
        for mod in mods:
            mod = dict(mod)
            what = f"{label}: {mod.get('kind')} {mod.get('code') or '(no code)'}"
            had_base = mod.pop("base_amount", None) is not None
            if price is not None:
                mod = _one_figure(mod, price * quantity, what)
            if mod.get("amount") is not None:
                mod["amount"] = _per_unit(mod["amount"], quantity, what)
            elif mod.get("percent") is None:
                raise TranslationError(f"{what} has no amount or percent: a cXML modification needs one")
            if (had_base or mod.pop("base_amount", None) is not None) and price is not None:
                mod["base_amount"] = price                # OriginalPrice: the price it was applied to
            written.append(mod)
            price = _net(price, [mod]) if price is not None else None
        line["allowances_charges"] = written
        if price is not None:
            cents_price = price.quantize(CENTS)
            line["unit_price"] = cents_price if cents_price == price else price
    return zoned_days(data, ("date",))


def _one_figure(mod: dict[str, Any], base: Decimal, what: str) -> dict[str, Any]:
    """A Modification holds an amount or a percent, not both (AdditionalDeduction, AdditionalCost). One with
    both (an X12 SAC05 and SAC07) whose amount is that percent of `base` is written as the percent with
    its base (OriginalPrice): both figures stand in the file. Otherwise the amount, which is what is paid."""
    if mod.get("amount") is None or mod.get("percent") is None:
        return mod
    if cents(base * mod["percent"] / HUNDRED) == cents(mod["amount"]):
        mod.pop("amount")
        mod["base_amount"] = base
    else:
        log.info("%s: %s is not %s %% of %s; the cXML modification states the amount", what, mod["amount"],
                 mod["percent"], base)
        mod.pop("percent")
    return mod


def _signed(mod: dict[str, Any], base: Decimal) -> Decimal:
    """What an order-level modification adds to the total (less for an allowance)."""
    figure = mod["amount"] if mod.get("amount") is not None else base * (mod.get("percent") or 0) / HUNDRED
    return -figure if mod.get("kind") == "allowance" else figure


def _net(gross: Decimal, mods: list[dict[str, Any]]) -> Decimal:
    """The price after the modifications (amounts per unit), applied in their order."""
    price = gross
    for mod in mods:
        sign = -1 if mod.get("kind") == "allowance" else 1
        if mod.get("amount") is not None:
            price += sign * mod["amount"]
        elif mod.get("percent") is not None:
            price *= 1 + sign * mod["percent"] / HUNDRED
    return price


def _gross(net: Decimal, mods: list[dict[str, Any]]) -> Decimal:
    """The price before the modifications (amounts per unit), undone from the net in reverse order."""
    price = net
    for mod in reversed(mods):
        sign = -1 if mod.get("kind") == "allowance" else 1
        if mod.get("amount") is not None:
            price -= sign * mod["amount"]
        elif mod.get("percent") is not None:
            price /= 1 + sign * mod["percent"] / HUNDRED
    exponent = price.normalize().as_tuple().exponent
    return price if isinstance(exponent, int) and exponent >= -6 else price.quantize(PRICE_PLACES)


def _per_unit(amount: Decimal, quantity: Decimal, what: str) -> Decimal:
    """`amount` over `quantity` units, refused when it is no exact per-unit amount (none would add up)."""
    unit = amount / quantity
    if unit * quantity != amount:
        raise TranslationError(f"{what}: {amount} over {quantity} units is no exact amount per unit, which is how "
                               "cXML states a line's modification; give it as a percent or an amount that divides")
    return unit
