"""An X12 order line's prices for information (CTP in the 850/860 PO1/POC loop) as the order's `line_prices`.

A retailer states the shelf price it will sell the item at (`CTP**RES*1.99`) for the labels and tickets its vendor
prints, sometimes a unit cost again (`CTP**UCP*...`). Neither is the price the line is sold at (PO104): they are
kept beside the lines, by line, so that posting notes them and never prices a line by them. The X12 base 850
profile names `line_prices_in` as its after_read hook; a partner profile with an after_read hook of its own calls it.
"""

from __future__ import annotations

from typing import Any


def line_prices_in(data: dict[str, Any], tx: Any = None) -> dict[str, Any]:
    """Each line's CTPs (the profile's `_stated_prices`) as the order's `line_prices`, naming the line by its number and
    place; a CTP without a price (CTP03) says nothing and is left out."""
    found: list[dict[str, Any]] = []
    for index, line in enumerate(data.get("lines") or [], 1):
        prices = line.pop("_stated_prices", None)
        for price in prices or ():
            if price.get("price") is None:
                continue
            found.append({**({"line_no": line["line_no"]} if line.get("line_no") else {}), "line_index": index,
                          "kind": price.get("kind") or "unspecified", "price": price["price"],
                          **({"class_of_trade": price["class_of_trade"]} if price.get("class_of_trade") else {})})
    if found:
        data["line_prices"] = found
    return data
