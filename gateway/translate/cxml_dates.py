"""cXML dates are ISO 8601 timestamps with their offset (orderDate, invoiceDate, noticeDate ...); a canonical date
is a calendar day. The cXML profiles write theirs with `date: ISO8601`: the day's start in UTC. A document that says
in which zone its days are told (`source.day_zone`: the partner's Odoo day zone, for documents extracted from
Odoo) has them written as the day's start there, with that zone's offset on that day, which every buyer reads as
the same day: the profiles' hooks call `zoned_days`. Read, a timestamp gives its day as its sender wrote it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from gateway.translate.values import day_start


def zoned_days(data: dict[str, Any], keys: Iterable[str], lists: Iterable[tuple[str, str]] = ()) -> dict[str, Any]:
    """The days at `keys` of the document, and at each (list, key) of its items, as timestamps in its day zone;
    left as days (written in UTC) when it names none."""
    name = (data.get("source") or {}).get("day_zone")
    if not name:
        return data
    try:
        zone = ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return data                                  # extraction names zones it found; written in UTC
    items = [(data, key) for key in keys] + [(item, key) for within, key in lists for item in data.get(within) or []]
    for item, key in items:
        if item.get(key):
            item[key] = day_start(item[key], zone)
    return data
