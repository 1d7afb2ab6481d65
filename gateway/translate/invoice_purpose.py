"""A vendor's 810 that withdraws an invoice (BIG08 353 `01` cancellation, `03` delete) is refused when read. Odoo's
bill of an invoice is found by vendor and number, so such an 810 would find the bill and leave it to be paid, or,
before the invoice was billed, become a bill itself: either way money owed on an invoice the vendor withdrew, and
no one told. Cancelling or reversing a bill is accounting's, not the gateway's."""

from __future__ import annotations

from typing import Any

from gateway.errors import TranslationError

WITHDRAWN = {"01": "cancellation", "03": "delete"}
"""BIG08 (X12 353) codes that take an invoice back; 00 original, 05 replace, 07 duplicate and the rest are billed."""


def refuse_withdrawn(value: Any, seg: Any) -> Any:
    """BIG08 as read: the purpose itself, or TranslationError naming the invoice (BIG02) it withdraws."""
    code = str(value or "").strip()
    if code in WITHDRAWN:
        fields = seg.fields
        number = fields[2] if len(fields) > 2 else ""
        raise TranslationError(f"the 810 cancels invoice {number} (BIG08 {code}, {WITHDRAWN[code]}): no bill is "
                               "written; cancel or reverse its bill in Odoo if there is one (or leave it unbilled), "
                               "then close this message")
    return value
