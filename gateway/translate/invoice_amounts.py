"""An invoice line's amount and the lines' total, for formats that require them when the canonical invoice
leaves them out (an 810's IT1 has a price and a quantity, no amount; cXML's SubtotalAmount and UBL's
LineExtensionAmount must be there)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

HUNDRED = Decimal(100)
CENTS = Decimal("0.01")


def cents(value: Decimal) -> Decimal:
    """`value` rounded to the cent, halves up, as invoices are."""
    return value.quantize(CENTS, rounding=ROUND_HALF_UP)


def line_amount(line: dict[str, Any]) -> Decimal | None:
    """The line's amount: as given, else quantity x price less its allowances plus its charges (a percent
    taken of that gross), to the cent; None without a price."""
    if line.get("amount") is not None:
        return Decimal(str(line["amount"]))
    if line.get("unit_price") is None or line.get("quantity") is None:
        return None
    gross = Decimal(str(line["quantity"])) * Decimal(str(line["unit_price"]))
    amount = gross
    for ac in line.get("allowances_charges") or []:
        sign = -1 if ac.get("kind") == "allowance" else 1
        if ac.get("amount") is not None:
            amount += sign * Decimal(str(ac["amount"]))
        elif ac.get("percent") is not None:
            amount += sign * gross * Decimal(str(ac["percent"])) / HUNDRED
    return cents(amount)


def lines_amount(data: dict[str, Any]) -> Decimal:
    """The lines' total before the invoice's own allowances, charges and tax."""
    return cents(sum((a for a in map(line_amount, data.get("lines") or []) if a is not None), Decimal(0)))
