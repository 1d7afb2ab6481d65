"""The 810's terms of sale for an invoice due in parts: one ITD per part.

X12 states deferred or instalment terms (ITD01 04) with each part's due date and its amount or percent of the
invoice (ITD09, ITD10, ITD11; with 04, ITD07 or ITD09 and ITD10 or ITD11 are required). An invoice due in parts is
written as one `ITD*04` per part (the profile's `instalments` node) instead of the single ITD; the first part also
carries the early-payment discount and the terms' name. An invoice due at once keeps its one ITD.
"""

from __future__ import annotations

from typing import Any

from gateway.translate.x12_fields import invoice_prices_out

SINGLE = ("terms", "terms_type", "terms_discount_percent", "terms_discount_days", "terms_net_days", "due_date")
"""The invoice's fields the single ITD writes (ITD01, ITD03, ITD05, ITD06, ITD07, ITD12; ITD02 from terms_basis)."""


def invoice_out(data: dict[str, Any]) -> dict[str, Any]:
    """The 810's before_write hook: an invoice due in parts leaves its single ITD unwritten, its first part taking
    the discount and the terms' name; then `invoice_prices_out`. A profile with a before_write hook of its own
    calls this one."""
    parts = data.get("instalments") or []
    if len(parts) > 1:
        for part in parts:
            part["_basis"] = data.get("terms_basis")
        parts[0].update({"_discount_percent": data.get("terms_discount_percent"),
                         "_discount_days": data.get("terms_discount_days"), "_description": data.get("terms")})
        for name in (*SINGLE, "terms_basis"):
            data.pop(name, None)
    else:
        data.pop("instalments", None)
    return invoice_prices_out(data)
