"""Functions the UBL base profiles call for what one element cannot say alone.

Price/BaseQuantity (Peppol BT-149, 'item price base quantity'): a price given for 100 or 1000 units (screws,
labels) is the price of one divided by it, as EDIFACT's PRI 5284 is (`edifact_fields.price_per_unit`).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from gateway.translate.values import basis_quantity, price_of_one

CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"


def price_per_base_quantity(value: Decimal, line: Any) -> Decimal:
    """A line's PriceAmount divided by its Price/BaseQuantity, the quantity the price is for; without one, or
    with 1, the price as given. A base quantity that is no positive number is refused. `line` is the
    InvoiceLine (CreditNoteLine) element, or the OrderLine, whose Price is in its LineItem."""
    found = line.xpath("(cac:Price | cac:LineItem/cac:Price)/cbc:BaseQuantity/text()",
                       namespaces={"cac": CAC, "cbc": CBC})
    text = str(found[0]).strip() if found else ""
    if not text:
        return value
    return price_of_one(value, basis_quantity(text, "Price/BaseQuantity"))
