"""An EANCOM order line's split delivery (LOC+7 with its QTY+11, one group per place) as the canonical allocations.

An X12 850 gives a line's quantity per store in one SDQ: one id qualifier for the line, then location/quantity
pairs, which the profile reads straight into `Line.allocations` and `allocation_kind`. EANCOM ORDERS gives the
same thing as a segment group per place under the line (D96A SG33, D01B SG37: `LOC+7+<GLN>::9'` then
`QTY+11:<quantity>'`), each naming its own code list (C517 3055: 9 a GLN, 92 the buyer's store number, 91 ours).
The ORDERS profiles read those groups into the list `_allocations` (location, kind, quantity) and name these
hooks, which turn it into the line's allocations and back, so that posting and the cross-dock split see an
EDIFACT order exactly as an X12 one. A cross-dock DESADV says the same of each despatched item (EANCOM 2002
SG20 under the LIN, 97 SG18: the store a carton's goods go to, `gateway.odoo.crossdock.one_order`): its
profile names the same hooks, for the items of its packages.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from gateway.errors import TranslationError
from gateway.translate.values import date_in

GROUPS = "_allocations"


def after_read(data: dict[str, Any], tx: Any = None) -> dict[str, Any]:
    """Each line's LOC/QTY groups as its allocations (a place named twice gets both quantities) and their one
    kind. A line's one place without a QTY (EANCOM makes it conditional) gets the line's whole quantity: the line
    goes there. Refused: a line whose places are of several kinds (a GLN and a store number), as no store lookup
    can take both, and one of several places without its quantity, which no one can guess."""
    window_ends(data, tx)
    for index, line in enumerate(_items(data), 1):
        groups = line.pop(GROUPS, None)
        if not groups:
            continue
        label = f"line {line.get('line_no') or index}"
        if len(groups) == 1 and groups[0].get("quantity") is None:
            groups[0]["quantity"] = line.get("quantity")
        allocations: dict[str, Decimal] = {}
        for group in groups:
            location = str(group.get("location") or "")
            if group.get("quantity") is None:
                among = f"one of {len(groups)} places" if len(groups) > 1 else "and the line has no quantity"
                raise TranslationError(f"{label}: how much goes to {location} (LOC+7) is not said: no QTY+11, {among}")
            allocations[location] = allocations.get(location, Decimal(0)) + Decimal(str(group["quantity"]))
        kinds = {group.get("kind") for group in groups}
        if len(kinds) > 1:
            raise TranslationError(f"{label}: its delivery places (LOC+7) are named by different code lists "
                                   f"({', '.join(sorted(str(k) for k in kinds))}); one line's stores must be all "
                                   "GLNs or all store numbers")
        line["allocations"] = allocations
        line["allocation_kind"] = kinds.pop()
    return data


WINDOW_ENDS = {"2": "deliver_not_after", "64": "deliver_not_after", "10": "ship_no_later"}
"""The latest day of a window each DTM 2005 gives as a period (2379 718): delivery (2, 64), shipment (10)."""
_DAY = date_in("102")


def window_ends(data: dict[str, Any], tx: Any) -> None:
    """The last day of a header DTM period (format 718, CCYYMMDD-CCYYMMDD) as its window's latest date. The date
    reads the period's first day only, so an order wanting delivery from 7 to 9 December in one DTM+2 was posted
    for the 7th and the 9th was said nowhere; it is now 'deliver no later than' in the note, as a DTM+63 is. Read
    from the message's own segments (before its first LIN)."""
    dates = data.get("dates")
    for seg in getattr(tx, "segments", None) or ():
        if seg.fields[0] == "LIN":
            break
        parts = seg.fields[1].split(seg.component_sep) if seg.fields[0] == "DTM" and len(seg.fields) > 1 else []
        end = WINDOW_ENDS.get(parts[0].strip()) if len(parts) > 2 and parts[2].strip() == "718" else None
        text = parts[1].strip() if end else ""
        if len(text) != 17 or text[8] != "-" or not isinstance(dates, list):
            continue
        try:
            until = _DAY(text[9:])
        except ValueError:
            continue                                # the date itself is refused by the profile's reading
        if not any(isinstance(d, dict) and d.get("qualifier") == end for d in dates):
            dates.append({"qualifier": end, "date": until})


def before_write(data: dict[str, Any]) -> dict[str, Any]:
    """Each line's allocations as one LOC/QTY group per place, in the order the partner gave them."""
    for line in _items(data):
        allocations = line.get("allocations")
        if allocations:
            line[GROUPS] = [{"location": location, "kind": line.get("allocation_kind"), "quantity": quantity}
                            for location, quantity in allocations.items()]
    return data


def _items(data: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """An order's lines, or a ship notice's items: each order's own and those in its packages, nested or not."""
    def packed(packs: list[Any]) -> Iterator[dict[str, Any]]:
        for pack in packs:
            if isinstance(pack, dict):
                yield from (item for item in pack.get("items") or () if isinstance(item, dict))
                yield from packed(pack.get("packs") or [])
    yield from (line for line in data.get("lines") or () if isinstance(line, dict))
    for order in data.get("orders") or ():
        if isinstance(order, dict):
            yield from (item for item in order.get("items") or () if isinstance(item, dict))
            yield from packed(order.get("packs") or [])
