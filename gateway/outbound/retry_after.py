"""A partner's HTTP Retry-After (RFC 9110 10.2.3) on a 503 or 429: how long it asked us to wait.

A partner that says "busy, come back in 10 minutes" (maintenance, rate limit) is best left alone
that long: retrying on our own short backoff only burns attempts towards `max_attempts`. Its
wait is honoured within our own limits: never sooner than our backoff, never later than
`outbox.max_backoff` (a partner cannot park a message for days).
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds the header asks for (delay-seconds or an HTTP-date, a past date being 0); None when absent or not
    one of the two."""
    text = (value or "").strip()
    if text.isdigit():
        return float(text)
    if not text:
        return None
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:                       # "-0000": RFC 5322's UTC without a stated zone
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def retry_wait(backoff: float, asked: float | None, ceiling: float) -> float:
    """Seconds until the next attempt: our `backoff`, or the partner's `asked` wait when longer, capped at
    `ceiling` (never below our backoff)."""
    if asked is None:
        return backoff
    return max(backoff, min(asked, ceiling))
