"""An X12 order line's prices for information (CTP in the 850/860 PO1/POC loop) as the order's `line_prices`.

A retailer states the shelf price it will sell the item at (`CTP**RES*1.99`) for the labels and tickets its vendor
prints, sometimes a unit cost again (`CTP**UCP*...`). Neither is the price the line is sold at (PO104): they are
kept beside the lines, by line, so that posting notes them and never prices a line by them. `inbound.read` calls
`line_prices_in` before the profile's hook, not as the base profile's hook: a partner's own after_read hook that did
not call it would leave the list to the canonical model, which would refuse every such order ('lines.0._stated_prices:
extra inputs are not permitted').
"""

from __future__ import annotations

from typing import Any

STATED_PRICES = "_stated_prices"
"""A line's CTPs, read by the X12 850/860 profiles' read-only `prices` node."""


SAID = ("price", "class_of_trade", "multiplier", "multiplier_kind")


def line_prices_in(data: dict[str, Any]) -> None:
    """Each line's CTPs (the profile's `_stated_prices`) as the order's `line_prices`, naming the line by its number and
    place; a CTP with neither a price (CTP03) nor a multiplier (CTP07) says nothing and is left out."""
    found: list[dict[str, Any]] = []
    for index, line in enumerate(data.get("lines") or (), 1):
        prices = line.pop(STATED_PRICES, None) if isinstance(line, dict) else None
        for price in prices or ():
            if price.get("price") is None and price.get("multiplier") is None:
                continue
            found.append({**({"line_no": line["line_no"]} if line.get("line_no") else {}), "line_index": index,
                          "kind": price.get("kind") or "unspecified",
                          **{key: price[key] for key in SAID if price.get(key) is not None and price.get(key) != ""}})
    if found:
        data["line_prices"] = found
