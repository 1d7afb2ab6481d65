"""How long to hold work back after a failure that would only repeat at once (a full disk, a bug)."""

from __future__ import annotations

import time


class HoldBack:
    """No new try before `until`: 1 s after the first failure, twice as long after each next one, at most
    `longest`; `clear()` after a success. Times are `time.monotonic()`."""

    def __init__(self, longest: float = 60.0) -> None:
        self.longest = longest
        self.seconds = 0.0          # the current pause, 0 when there is none
        self.until = 0.0

    def holding(self, now: float | None = None) -> bool:
        return (time.monotonic() if now is None else now) < self.until

    def fail(self) -> float:
        """A failure: a new pause, twice the last one (at least 1 s); returns its length."""
        self.seconds = min(self.longest, max(1.0, self.seconds * 2))
        self.until = time.monotonic() + self.seconds
        return self.seconds

    def clear(self) -> bool:
        """A success: no pause any more; True when there was one to end."""
        had = self.seconds > 0
        self.seconds = self.until = 0.0
        return had
