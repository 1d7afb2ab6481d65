"""A vendor's ship notice counting an item in cases that says how many a case holds (X12 856 PO4 in the item
loop, PO401 the units a case holds) is read in those units: 5 CA under PO4*12 is 60 EA. Odoo receives goods in
the product's units; a case code with no size refuses the notice ("a case of how many?"), so a case the vendor
sizes must not be left one."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from gateway.translate.edifact_allocations import _items

CASES = ("CS", "CA", "CT", "PK", "BX")
"""Unit codes of a case of some number of units (as the Odoo lookup's CASE_UNITS): a size applies to them."""
PACKS = "_case_packs"
"""The item's case sizes the profile reads (its PO4s' PO401 as `size`), taken out here."""


COUNTS = ("EA", "PC", "PCE", "UN", "C62")
"""Unit codes of a count of units: a PO402 size in them counts units, not ounces or litres each."""


def _size(pack: dict[str, Any]) -> Decimal | None:
    """The units a case holds by one PO4, where every guide reads it the same: PO401 alone (PO4*12), or beside a
    PO402 that sizes each unit in a measure (PO4*6*12*OZ: 6 bottles) or repeats it (Walmart's PO4*6*6*EA, vendor
    and warehouse pack both 6). None where guides differ: with inner packs (PO414 above 1) VICS reads PO401 as inner
    packs per case (PO4*2...*6 is 12) and others as units per case, and PO4*2*12*EA is 24 to X12 (2 packs of 12)
    and 2 to a guide that puts its warehouse pack in PO402; the case is then left unsized, for the partner to map."""
    size, inner, each = (Decimal(str(pack[k])) if pack.get(k) is not None else None
                         for k in ("size", "inner", "pack_size"))
    if size is None or size <= 1 or (inner is not None and inner > 1):
        return None
    counted = str(pack.get("pack_unit") or "").upper() in COUNTS
    return None if counted and each is not None and each > 1 and each != size else size


def cases_in_units(data: dict[str, Any]) -> None:
    """Each shipped item in cases with a case size (its first PO4's, `_size`) as its units: its quantity and its
    ordered one (SN105, in SN103's unit as the profile reads it) times the size, its unit EA. A size no guide agrees
    on, or an item in units, is left as read (a PO4 there sizes inner packs, not cases). `inbound.read` calls it
    before the profile's hook, not as the base 856's hook: a partner's own after_read hook that did not call it left
    the PO4s to the canonical model, which refused every such notice ('_case_packs: extra inputs are not permitted')."""
    for item in _items(data):
        packs = item.pop(PACKS, None) or []
        unit = str(item.get("unit") or "").upper()
        size = _size(packs[0]) if packs and isinstance(packs[0], dict) else None
        if size is None or unit not in CASES:
            continue
        for field in ("quantity", "ordered_quantity"):
            if item.get(field) is not None:
                item[field] = Decimal(str(item[field])) * size
        item["unit"] = "EA"
