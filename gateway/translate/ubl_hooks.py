"""UBL 2.1 documents as their schemas require them, from the canonical document (the base profiles' hooks).

An Invoice needs every InvoiceLine's LineExtensionAmount and its AccountingSupplierParty and
AccountingCustomerParty; an Order its BuyerCustomerParty and SellerSupplierParty; a DespatchAdvice its
DespatchSupplierParty. A canonical document need
not say it that way: an invoice read from an 810 has no line amounts (IT1 gives a quantity and a price), one
from Odoo names its parties seller and buyer / bill_to, an 850 names the vendor (N1*VN), an 856 the ship-from, not the supplier.
"""

from __future__ import annotations

from typing import Any

from gateway.translate.invoice_amounts import line_amount, lines_amount
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
    return stand_ins(data, INVOICE_PARTIES)


def order_before_write(data: dict[str, Any]) -> dict[str, Any]:
    """The order's buyer and seller parties."""
    return stand_ins(data, ORDER_PARTIES)


def despatch_before_write(data: dict[str, Any]) -> dict[str, Any]:
    """The despatch advice's DespatchSupplierParty."""
    return stand_ins(data, DESPATCH_PARTIES)

