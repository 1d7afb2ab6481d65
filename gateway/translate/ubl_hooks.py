"""UBL 2.1 documents as their schemas require them, from the canonical document (the base profiles' hooks).

An Invoice needs every InvoiceLine's LineExtensionAmount and its AccountingSupplierParty and
AccountingCustomerParty; an Order its BuyerCustomerParty and SellerSupplierParty; a DespatchAdvice its
DespatchSupplierParty. A canonical document need
not say it that way: an invoice read from an 810 has no line amounts (IT1 gives a quantity and a price), one
from Odoo names its parties seller and buyer / bill_to, an 850 names the vendor (N1*VN), an 856 the ship-from, not the supplier.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from gateway.translate.invoice_amounts import cents, line_amount, lines_amount
from gateway.translate.stand_ins import stand_ins

# a required party's canonical role -> the roles that stand in for it, in order
INVOICE_PARTIES: dict[str, tuple[str, ...]] = {"supplier": ("seller", "vendor", "remit_to"), "buyer": ("bill_to",)}
ORDER_PARTIES: dict[str, tuple[str, ...]] = {"supplier": ("seller", "vendor"), "buyer": ("sold_to", "ordered_by")}
DESPATCH_PARTIES: dict[str, tuple[str, ...]] = {"supplier": ("ship_from", "seller", "vendor")}


def invoice_before_write(data: dict[str, Any]) -> dict[str, Any]:
    """Each line's amount (quantity x price after its own allowances and charges), the lines' total, and the
    accounting parties."""
    for line in data.get("lines") or []:
        line["amount"] = line_amount(line)
    totals = data.setdefault("totals", {})
    if totals.get("lines_amount") is None:
        totals["lines_amount"] = lines_amount(data)
    _monetary_totals(data, Decimal(str(totals["lines_amount"])))
    return stand_ins(data, INVOICE_PARTIES)


def _monetary_totals(data: dict[str, Any], lines: Decimal) -> None:
    """LegalMonetaryTotal's TaxExclusiveAmount, AllowanceTotalAmount and ChargeTotalAmount: with the invoice's own
    allowances and charges (an Odoo charge line sent as one) off the lines, LineExtensionAmount plus the tax is not
    the total, and a reader footing it (EN 16931 BR-CO-13) needs them. Not written when one is a percent only."""
    said = data.get("allowances_charges") or []
    if any(ac.get("amount") is None for ac in said):
        return
    allowed = cents(sum((Decimal(str(ac["amount"])) for ac in said if ac.get("kind") == "allowance"), Decimal(0)))
    charged = cents(sum((Decimal(str(ac["amount"])) for ac in said if ac.get("kind") == "charge"), Decimal(0)))
    data["_tax_exclusive"] = cents(lines - allowed + charged)
    data["_allowance_total"] = allowed if allowed else None
    data["_charge_total"] = charged if charged else None


def order_before_write(data: dict[str, Any]) -> dict[str, Any]:
    """The order's buyer and seller parties."""
    return stand_ins(data, ORDER_PARTIES)


def despatch_before_write(data: dict[str, Any]) -> dict[str, Any]:
    """The despatch advice's DespatchSupplierParty."""
    return stand_ins(data, DESPATCH_PARTIES)

