"""Functions the UBL base profiles call for what one element cannot say alone.

Price/BaseQuantity (Peppol BT-149, 'item price base quantity'): a price given for 100 or 1000 units (screws,
labels) is the price of one divided by it, as EDIFACT's PRI 5284 is (`edifact_fields.price_per_unit`).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from gateway.translate.values import basis_quantity, price_of_one

CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"


def price_per_base_quantity(value: Decimal, line: Any) -> Decimal:
    """A line's PriceAmount divided by its Price/BaseQuantity, the quantity the price is for; without one, or
    with 1, the price as given. A base quantity that is no positive number, or in another unit than the line's
    (`_same_unit`), is refused. `line` is the
    InvoiceLine (CreditNoteLine) element, or the OrderLine, whose Price is in its LineItem."""
    ns = {"cac": CAC, "cbc": CBC}
    found = line.xpath("(cac:Price | cac:LineItem/cac:Price)/cbc:BaseQuantity", namespaces=ns)
    text = (found[0].text or "").strip() if found else ""
    if not text:
        return value
    one = price_of_one(value, basis_quantity(text, "Price/BaseQuantity"))
    _same_unit(found[0].get("unitCode"), line, ns, one)
    return one


LINE_QUANTITY = "(cbc:InvoicedQuantity | cbc:CreditedQuantity | cac:LineItem/cbc:Quantity)"
LINE_AMOUNT = "(cbc:LineExtensionAmount | cac:LineItem/cbc:LineExtensionAmount)/text()"
CENT = Decimal("0.01")
ONE_UNIT = {"C62": "EA", "H87": "EA", "PCE": "EA", "XBX": "BX", "XCS": "CS", "XCT": "CS", "CT": "CS", "XPK": "PK"}
"""Rec 20 / Rec 21 spellings of one unit, as ubl-common's `units` reads them: 'C62' priced per 'EA' is the same."""


def _same_unit(base: str | None, line: Any, ns: dict[str, str], one: Decimal) -> None:
    """Refuses a price whose BaseQuantity is in another unit than the line's quantity (a price per BX for a line
    in EA), unless the line's amount is its quantity at that price: divided by the base quantity, it would be
    taken as the price of one of the line's units, a box's price for each piece. Peppol requires the same unit
    (PEPPOL-EN16931-R130); a sender writing C62 on every BaseQuantity is still read by its line's amount."""
    quantity = line.xpath(LINE_QUANTITY, namespaces=ns)
    unit = str(quantity[0].get("unitCode") or "").strip().upper() if quantity else ""
    said = (base or "").strip().upper()
    if not said or not unit or ONE_UNIT.get(said, said) == ONE_UNIT.get(unit, unit):
        return
    amount = line.xpath(LINE_AMOUNT, namespaces=ns)
    try:
        if amount and abs(Decimal(str(quantity[0].text).strip()) * one - Decimal(str(amount[0]).strip())) <= CENT:
            return
    except InvalidOperation:
        pass
    raise ValueError(f"Price/BaseQuantity is in {said} and the line's quantity in {unit}, and the line's amount is "
                     f"not its quantity at that price: the price of one {unit} is not known (PEPPOL-EN16931-R130: "
                     "the same unit); ask the partner to price the line per its own unit")
