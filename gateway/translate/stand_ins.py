"""Parties a format requires that the canonical document names by another role: a UBL Order's
SellerSupplierParty when an 850 says vendor, a cXML OrderRequest's BillTo when the order names only its buyer.
The profiles' hooks call `stand_ins` with the format's required roles and, for each, the roles that may
stand in for it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def stand_ins(data: dict[str, Any], required: Mapping[str, tuple[str, ...]]) -> dict[str, Any]:
    """For each required role the document lacks, a copy of the first party that stands in for it."""
    parties = data.setdefault("parties", [])
    for role, others in required.items():
        roles = [p.get("role") for p in parties]
        found = next((r for r in (role, *others) if r in roles), None)
        if found is not None and found != role:
            parties.append({**parties[roles.index(found)], "role": role})
    return data
