"""The 810's terms of sale for an invoice due in parts: one ITD per part.

X12 states deferred or instalment terms (ITD01 04) with each part's due date and its amount or percent of the
invoice (ITD09, ITD10, ITD11; with 04, ITD07 or ITD09 and ITD10 or ITD11 are required). An invoice due in parts is
written as one `ITD*04` per part (the profile's `instalments` node) instead of the single ITD; the first part also
carries the early-payment discount and the terms' name. An invoice due at once keeps its one ITD.

`render` does this before the profile's before_write hook, as `pack_loose_items`, for every profile with an
`instalments` node: a partner 810 profile with a hook of its own (one calling `invoice_prices_out`, as README
advised) would otherwise write the single ITD, an `ITD*04` without its parts, beside the parts' ITDs.
"""

from __future__ import annotations

from typing import Any

from gateway.translate.profile import Profile

SINGLE = ("terms", "terms_type", "terms_discount_percent", "terms_discount_days", "terms_net_days", "due_date")
"""The invoice's fields the single ITD writes (ITD01, ITD03, ITD05, ITD06, ITD07, ITD12; ITD02 from terms_basis)."""


def instalments_out(data: dict[str, Any], profile: Profile) -> None:
    """An invoice due in parts, for a profile that writes them: its single ITD left unwritten, each part taking the
    terms' basis, the first also the discount and the terms' name. Otherwise the parts are left out, so that no
    profile writes them beside the single ITD, and so is 04 (a profile without the node, `instalments: null` for a
    retailer taking no ITD*04, states 01 with the last due date, as before parts were stated)."""
    parts = data.get("instalments") or []
    writes = profile.root is not None and any(n.each == "instalments" and not n.read_only for n in profile.root.walk())
    if len(parts) < 2 or not writes:
        data.pop("instalments", None)
        if data.get("terms_type") == "deferred_or_instalment":
            data.pop("terms_type")           # X12 wants the parts with 04 (ITD10 or ITD11)
        return
    for part in parts:
        part["_basis"] = data.get("terms_basis")
    parts[0].update({"_discount_percent": data.get("terms_discount_percent"),
                     "_discount_days": data.get("terms_discount_days"), "_description": data.get("terms")})
    for name in (*SINGLE, "terms_basis"):
        data.pop(name, None)
