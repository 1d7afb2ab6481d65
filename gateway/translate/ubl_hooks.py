"""A UBL 2.1 Invoice's amounts as its schema requires them, from the canonical invoice.

Every InvoiceLine needs its LineExtensionAmount, and the invoice its AccountingSupplierParty and
AccountingCustomerParty; an invoice read from an 810 has no line amounts (IT1 gives a quantity and a price),
and one from Odoo names its parties seller and buyer / bill_to, not supplier. The UBL invoice profile names
`before_write` as its hook: each line gets its amount, the totals the lines' sum, the accounting parties
the invoice's seller (else its remit-to) and its bill-to when it names no supplier or buyer.
"""

from __future__ import annotations

from typing import Any

from gateway.translate.invoice_amounts import line_amount, lines_amount

# the accounting party's canonical role -> the roles that stand in for it, in order
ACCOUNTING = {"supplier": ("seller", "remit_to"), "buyer": ("bill_to",)}


def before_write(data: dict[str, Any]) -> dict[str, Any]:
    """Each line's amount (quantity x price after its own allowances and charges) and the lines' total."""
    for line in data.get("lines") or []:
        line["amount"] = line_amount(line)
    totals = data.setdefault("totals", {})
    if totals.get("lines_amount") is None:
        totals["lines_amount"] = lines_amount(data)
    parties = data.setdefault("parties", [])
    for role, stand_ins in ACCOUNTING.items():
        roles = [p.get("role") for p in parties]
        found = next((r for r in (role, *stand_ins) if r in roles), None)
        if found is not None and found != role:
            parties.append({**parties[roles.index(found)], "role": role})
    return data
