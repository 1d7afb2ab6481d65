"""An EANCOM order line's split delivery (LOC+7 with its QTY+11, one group per place) as the canonical allocations.

An X12 850 gives a line's quantity per store in one SDQ: one id qualifier for the line, then location/quantity
pairs, which the profile reads straight into `Line.allocations` and `allocation_kind`. EANCOM ORDERS gives the
same thing as a segment group per place under the line (D96A SG33, D01B SG37: `LOC+7+<GLN>::9'` then
`QTY+11:<quantity>'`), each naming its own code list (C517 3055: 9 a GLN, 92 the buyer's store number, 91 ours).
The ORDERS profiles read those groups into the list `_allocations` (location, kind, quantity) and name these
hooks, which turn it into the line's allocations and back, so that posting and the cross-dock split see an
EDIFACT order exactly as an X12 one.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from gateway.errors import TranslationError

GROUPS = "_allocations"


def after_read(data: dict[str, Any], tx: Any = None) -> dict[str, Any]:
    """Each line's LOC/QTY groups as its allocations (a place named twice gets both quantities) and their one
    kind; a line whose places are of several kinds (a GLN and a store number) is refused, as no store lookup
    can take both."""
    for index, line in enumerate(data.get("lines") or (), 1):
        groups = line.pop(GROUPS, None) if isinstance(line, dict) else None
        if not groups:
            continue
        allocations: dict[str, Decimal] = {}
        for group in groups:
            location = str(group.get("location") or "")
            allocations[location] = allocations.get(location, Decimal(0)) + Decimal(str(group.get("quantity") or 0))
        kinds = {group.get("kind") for group in groups}
        if len(kinds) > 1:
            raise TranslationError(f"line {line.get('line_no') or index}: its delivery places (LOC+7) are named "
                                   f"by different code lists ({', '.join(sorted(str(k) for k in kinds))}); "
                                   "one line's stores must be all GLNs or all store numbers")
        line["allocations"] = allocations
        line["allocation_kind"] = kinds.pop()
    return data


def before_write(data: dict[str, Any]) -> dict[str, Any]:
    """Each line's allocations as one LOC/QTY group per place, in the order the partner gave them."""
    for line in data.get("lines") or ():
        allocations = line.get("allocations") if isinstance(line, dict) else None
        if allocations:
            line[GROUPS] = [{"location": location, "kind": line.get("allocation_kind"), "quantity": quantity}
                            for location, quantity in allocations.items()]
    return data
