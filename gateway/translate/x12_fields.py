"""Functions the X12 base profiles call where the X12 dictionary is narrower than the canonical value."""

from __future__ import annotations

from typing import Any


def n402(state: Any) -> str:
    """A state or province code as N402 takes it (ID 2/2: 'TN', 'ON', as the US and Canadian posts code them),
    else nothing. Odoo codes other countries' subdivisions by ISO 3166-2 ('AGU' Aguascalientes, 'NSW' New South
    Wales): written, such a code makes the document fail the partner's check and be held, for a value that is
    right in Odoo; X12 004010's N4 has no other place for it."""
    text = str(state or "").strip()
    return text if len(text) == 2 else ""


def n407(state: Any) -> str:
    """The subdivision code N402 cannot hold, for 005010's N407 (Country Subdivision Code, ID 1/3: ISO 3166-2's
    'AGU'); nothing for a 2-character code, which N402 carries (only one of the two may be given, E0207)."""
    text = str(state or "").strip()
    return text if text and len(text) != 2 and len(text) <= 3 else ""
