"""Where the lines of a purchase order go: the order's own ship-to, the stores its lines are allocated to
(X12 SDQ), or a line's own ship-to (an X12 N1 under PO1, a cXML ItemOut/ShipTo, a UBL LineItem/Delivery).

One answer for posting and acknowledging: `odoo.store_orders: split` makes one sale order per place, `one`
keeps one order to the order's ship-to and names each line's other place in its note, so no line is shipped
to the header's address without anyone being told.
"""

from __future__ import annotations

from decimal import Decimal

from gateway.errors import OdooRejected
from gateway.odoo.lookup import party_label
from gateway.translate.canonical import Line, Party, PurchaseOrder


def line_ship_to(line: Line) -> Party | None:
    return next((p for p in line.parties if p.role == "ship_to"), None)


def same_place(a: Party, b: Party) -> bool:
    """Whether two ship-to parties name one place: by the identifiers both carry (GLN, store, address id),
    else by name and, where both give one, postal code (as a delivery contact is found by them)."""
    shared = a.ids.keys() & b.ids.keys()
    if shared:
        return all(a.ids[k] == b.ids[k] for k in shared)
    zips = {p.address.postal_code for p in (a, b) if p.address is not None and p.address.postal_code}
    return a.name == b.name and len(zips) <= 1


def order_ship_to(doc: PurchaseOrder) -> Party | None:
    """The order's ship-to: its header's, else the one place every line names (a cXML order may give its
    ShipTo only on the ItemOuts)."""
    header = doc.party("ship_to")
    if header is not None or not doc.lines:
        return header
    places = [line_ship_to(line) for line in doc.lines]
    first = places[0]
    if first is not None and all(p is not None and same_place(p, first) for p in places):
        return first
    return None


def own_place(line: Line, header: Party | None) -> Party | None:
    """The line's own ship-to when it is not the order's (None: the line goes where the order goes)."""
    place = line_ship_to(line)
    if place is None or header is not None and same_place(place, header):
        return None
    return place


def _share_of(line: Line, quantity: Decimal | None) -> Line:
    """One place's share of a line: its quantity (the amount only when it is the whole line), no allocations
    and no ship-to of its own (the order for the place has it)."""
    update: dict[str, object] = {"allocations": {}, "parties": [p for p in line.parties if p.role != "ship_to"]}
    if quantity != line.quantity:
        update.update(quantity=quantity, amount=None)
    return line.model_copy(update=update)


def destinations(doc: PurchaseOrder, label: str) -> list[tuple[Party | None, list[Line]]]:
    """Each place the order's lines go to, with its share of them: the order's own ship-to (None) first, then the
    others by name. A store allocation goes to the store (its id as GLN or store number, as the allocations say);
    what no store is given, and a line without allocations, to the line's own ship-to, else the order's."""
    header = order_ship_to(doc)
    kinds = {line.allocation_kind for line in doc.lines if line.allocations}
    places: list[tuple[Party | None, list[Line]]] = [(None, [])]

    def share(place: Party | None, line: Line) -> None:
        for known, lines in places:
            if known is place or known is not None and place is not None and same_place(known, place):
                lines.append(line)
                return
        places.append((place, [line]))

    for line in doc.lines:
        rest = line.quantity
        for location, quantity in line.allocations.items():
            if not location.strip():
                raise OdooRejected(f"{label}, line {line.line_no or '?'}: an allocation of {quantity} names no "
                                   "store or location")
            if quantity:
                store = Party(role="ship_to", ids={"gln" if kinds == {"gln"} else "store": location})
                share(store, _share_of(line, quantity))
        if line.allocations:
            allocated = sum(line.allocations.values(), Decimal(0))
            rest = (line.quantity or Decimal(0)) - allocated
            if rest < 0:
                raise OdooRejected(f"{label}, line {line.line_no or '?'}: its store allocations add up to "
                                   f"{allocated}, more than its quantity {line.quantity}")
            if not rest:
                continue
        share(own_place(line, header), _share_of(line, rest))
    own = places[0]
    others = sorted(places[1:], key=lambda p: party_label(p[0]) if p[0] is not None else "")
    return ([own] if own[1] else []) + others


def place_notes(doc: PurchaseOrder) -> list[str]:
    """For one order to the order's ship-to: the lines that should go elsewhere, each naming its place."""
    header = order_ship_to(doc)
    notes = []
    for index, line in enumerate(doc.lines, 1):
        place = own_place(line, header)
        if place is not None:
            notes.append(f"line {line.line_no or index} ships to {place_text(place)}, not to the order's ship-to")
    return notes


def place_text(place: Party) -> str:
    """A ship-to as people read it: name, identifiers, street and town."""
    address = place.address
    bits = [place.name, ", ".join(f"{k} {v}" for k, v in place.ids.items()) or None]
    if address is not None:
        bits += [*address.lines, " ".join(b for b in (address.postal_code, address.city) if b) or None,
                 address.country]
    return ", ".join(b for b in bits if b) or "a place without name or identifiers"
