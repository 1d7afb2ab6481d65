"""A vendor's invoice that withdraws an invoice (X12 810 BIG08 353 `01` cancellation, `03` delete; EDIFACT INVOIC
BGM 1225 `1` cancellation, `3` deletion) is refused when read. Odoo's bill of an invoice is found by vendor and
number, so such a message would find the bill and leave it to be paid, or, before the invoice was billed, become a
bill itself: either way money owed on an invoice the vendor withdrew, and no one told. Cancelling or reversing a
bill is accounting's, not the gateway's."""

from __future__ import annotations

from typing import Any

from gateway.errors import TranslationError

WITHDRAWN = {"BIG": {"01": "cancellation", "03": "delete"}, "BGM": {"1": "cancellation", "3": "deletion"}}
"""The purpose codes that take an invoice back, by segment; the others (an original, a replacement, a duplicate,
a copy) are billed as ever."""


def refuse_withdrawn(value: Any, seg: Any) -> Any:
    """BIG08 / BGM 1225 as read: the code itself, or TranslationError naming the invoice it withdraws (BIG02,
    BGM 1004)."""
    fields = seg.fields
    code = str(value or "").strip()
    withdrawn = WITHDRAWN.get(str(fields[0]), {})
    if code in withdrawn:
        number = fields[2].split(getattr(seg, "component_sep", None) or "\x00")[0] if len(fields) > 2 else ""
        raise TranslationError(f"the vendor cancels invoice {number} ({fields[0]} {code}, {withdrawn[code]}): no "
                               "bill is written; cancel or reverse its bill in Odoo if there is one (or leave it "
                               "unbilled), then close this message")
    return value
