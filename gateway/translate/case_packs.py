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


def after_read(data: dict[str, Any], tx: Any = None) -> dict[str, Any]:
    """Each shipped item in cases with a case size (its first PO4's) as its units: its quantity and its ordered one
    (SN105, in SN103's unit as the profile reads it) times the size, its unit EA. A size of 0 or 1, or an item in
    units, is left as read (a PO4 there sizes inner packs, not cases)."""
    for item in _items(data):
        sizes = [p.get("size") for p in item.pop(PACKS, None) or [] if p.get("size") is not None]
        unit = str(item.get("unit") or "").upper()
        if not sizes or unit not in CASES or Decimal(str(sizes[0])) <= 1:
            continue
        size = Decimal(str(sizes[0]))
        for field in ("quantity", "ordered_quantity"):
            if item.get(field) is not None:
                item[field] = Decimal(str(item[field])) * size
        item["unit"] = "EA"
    return data
