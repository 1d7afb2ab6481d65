"""What a retailer's PO header asks of the shipment and who to call about it, posted where Odoo keeps it.

An X12 850's CSH says how the order may ship (`CSH*SC` ship complete, `CSH*N` no back order), its header PER who
placed it (`PER*BD` the buyer), its ITD01/02 what kind of terms and from which day they count, its PO1 loops' CTP
the price the retailer will sell each item at. Odoo has one field for one of these: ship complete is the sale
order's Shipping Policy 'When all products are ready' (sale_stock's `picking_policy = 'one'`, 16-19), which its
delivery takes as its own move type, so the delivery is ready only once every line is. Odoo has no per-order
back-order setting (a delivery's backorder is decided when it is validated; 16+ has only the operation type's
`create_backorder`, for every order of the warehouse), no buyer contact on a sale order, and no retail price on a
sale line: those are said in the order's note, where the people shipping it read them, and no Odoo record is made
for them. A retail price never prices the line.
"""

from __future__ import annotations

import html
from typing import Any

from gateway.odoo.client import OdooClient
from gateway.translate.canonical import Line, LinePrice, OrderContact, PurchaseOrder

SHIP_COMPLETE = "ship_complete"
REQUIREMENTS = {
    SHIP_COMPLETE: "ship complete: one delivery with every line in full, no partial shipment",
    "no_backorder": "no back order: ship what is available and cancel the rest (validate the delivery with "
                    "No Backorder)",
    "ship_partial_balance_cancel": "ship partial, balance cancel: ship what is available and cancel the rest "
                                   "(validate the delivery with No Backorder)",
    "ship_partial_balance_backorder": "ship partial, balance back order: partial deliveries accepted, the rest to follow",
}
"""The note for a sales requirement (canonical, from X12 CSH01) that the warehouse must act on; others are named."""
USUAL_TERMS = ("basic", None)
USUAL_BASIS = ("invoice_date", None)


def shipping_policy(client: OdooClient, doc: PurchaseOrder) -> dict[str, Any]:
    """The sale order value for a PO that must ship complete: Shipping Policy 'When all products are ready'
    (`picking_policy` 'one'); nothing for any other PO, nor where the database has no such field."""
    if SHIP_COMPLETE not in (doc.sales_requirements or ()) or "picking_policy" not in client.fields("sale.order"):
        return {}
    return {"picking_policy": "one"}


def condition_notes(doc: PurchaseOrder) -> list[str]:
    """The note lines for the PO's sales requirement, header contacts, terms type and basis, and its lines'
    prices stated for information."""
    notes: list[str] = []
    notes += [f"EDI sales requirement: {REQUIREMENTS.get(said, said.replace('_', ' '))}"
              for said in dict.fromkeys(doc.sales_requirements or ())]
    notes += [_contact(c) for c in doc.contacts or () if c.name or c.phone or c.email]
    if doc.terms_type not in USUAL_TERMS or doc.terms_basis not in USUAL_BASIS:
        kind = f"payment terms type: {(doc.terms_type or 'basic').replace('_', ' ')}"
        notes.append(kind + (f", counted from the {doc.terms_basis.replace('_', ' ')}"
                             if doc.terms_basis not in USUAL_BASIS and doc.terms_basis else ""))
    notes += [_line_price(p, _posted(p, doc)) for p in doc.line_prices or ()]
    return notes


def conditions_noted(doc: PurchaseOrder, order: dict[str, Any]) -> bool:
    """Whether the sale order's note says each of the PO's conditions already. They are not in the content mark
    (`sale_orders.UNMARKED`, for marks written before they were read): a change or replacement differing from one
    applied before only in them (a second header-only 860 saying CSH*N after CSH*SC, another buyer, a new retail
    price) has that one's mark, and is applied only if this says something is not noted yet."""
    note = html.unescape(order.get("note") or "")
    return all(said in note for said in condition_notes(doc))


def _posted(stated: LinePrice, doc: PurchaseOrder) -> Line | None:
    """The order line a stated price is of: found by its number (PO101), not its place, as a store's order of a
    split PO (`store_orders: split`) or a merged change has only some of the PO's lines; None when it is not on
    this order or cannot be told (the price is then said without the line's)."""
    if stated.line_no is None:
        return doc.lines[stated.line_index - 1] if 0 < stated.line_index <= len(doc.lines) else None
    return next((line for line in doc.lines if line.line_no == stated.line_no), None)


def _line_price(stated: LinePrice, posted: Line | None) -> str:
    """A line's stated price; a multiplier (X12 CTP06/07) is said as not applied, for a person to check the price
    the line was posted at (a bookseller's PO: list price 29.00 with PO105 SR and CTP DIS .57, 16.53 to pay)."""
    line = stated.line_no or str(stated.line_index)
    said = f"line {line} {stated.kind.replace('_', ' ')} price: {stated.price}" if stated.price is not None else ""
    said += f" (class of trade {stated.class_of_trade})" if said and stated.class_of_trade else ""
    if stated.multiplier is None:
        return said
    price = f" {posted.unit_price}" + (f" ({posted.price_basis})" if posted.price_basis else "") \
        if posted is not None and posted.unit_price is not None else ""
    return (f"{said}; " if said else f"line {line} ") + (
        f"price multiplier {stated.multiplier}" + (f" ({stated.multiplier_kind})" if stated.multiplier_kind else "")
        + f" stated and not applied to the line's price{price}: check the price")


def _contact(contact: OrderContact) -> str:
    who = (contact.function or "contact").replace("_", " ")
    return f"{who}: " + ", ".join([*([contact.name] if contact.name else []),
                                   *([f"phone {contact.phone}"] if contact.phone else []),
                                   *([f"email {contact.email}"] if contact.email else [])])
