"""Progress of the demo: a bar redrawn in place on a terminal, one plain line per step otherwise.

Each step ends as `ok` (ran for real), `skipped` (a part of the gateway is not available, named)
or `failed` (it ran and something went wrong, said in one line); the demo carries on either way.
"""

from __future__ import annotations

import shutil
import sys
import time
from dataclasses import dataclass
from typing import Literal, TextIO

Outcome = Literal["ok", "skipped", "failed"]


@dataclass(slots=True)
class StepResult:
    number: int
    title: str
    outcome: Outcome
    detail: str
    seconds: float


UNICODE = {"ok": "\u2714", "skipped": "\u2013", "failed": "\u2718", "full": "\u2588", "empty": "\u2591",
           "more": "\u2026"}
ASCII = {"ok": "+", "skipped": "-", "failed": "x", "full": "#", "empty": ".", "more": "..."}


def _glyphs(stream: TextIO) -> dict[str, str]:
    """Box-drawing characters when the terminal's encoding has them, plain ASCII otherwise."""
    try:
        "".join(UNICODE.values()).encode(getattr(stream, "encoding", None) or "ascii")
    except (UnicodeEncodeError, LookupError):
        return ASCII
    return UNICODE


class Progress:
    """Reports steps 1..total to `stream`; a bar when it is a terminal."""

    def __init__(self, total: int, stream: TextIO | None = None, tty: bool | None = None) -> None:
        self.total = total
        self.stream = stream or sys.stdout
        self.tty = self.stream.isatty() if tty is None else tty
        self.results: list[StepResult] = []
        self.glyphs = _glyphs(self.stream)
        self._title = ""
        self._started = 0.0
        self._number = 0

    def begin(self, title: str) -> None:
        self._number += 1
        self._title = title
        self._started = time.monotonic()
        if self.tty:
            self._bar(f"{title}{self.glyphs['more']}")
        else:
            self.stream.write(f"[{self._number}/{self.total}] {title} ...\n")
            self.stream.flush()

    def note(self, text: str) -> None:
        """A sub-step's news while the step runs (shown in the bar, or as an indented line)."""
        if self.tty:
            self._bar(f"{self._title}: {text}")
        else:
            self.stream.write(f"      {text}\n")
            self.stream.flush()

    def end(self, outcome: Outcome, detail: str = "") -> StepResult:
        seconds = time.monotonic() - self._started
        result = StepResult(self._number, self._title, outcome, detail, seconds)
        self.results.append(result)
        mark = {"ok": "ok", "skipped": "SKIPPED", "failed": "FAILED"}[outcome]
        if self.tty:
            symbol = self.glyphs[outcome]
            self._clear()
            line = f"{symbol} {self._title} ({seconds:.1f} s)" + (f": {detail}" if detail else "")
            if outcome != "ok":
                line = f"{symbol} {self._title}: {mark}" + (f": {detail}" if detail else "")
            self.stream.write(line + "\n")
            if self._number < self.total:
                self._bar("")
        else:
            self.stream.write(f"[{self._number}/{self.total}] {self._title}: {mark} ({seconds:.1f} s)"
                              + (f" {detail}" if detail else "") + "\n")
        self.stream.flush()
        return result

    def _clear(self) -> None:
        self.stream.write("\r\x1b[2K")

    def _bar(self, text: str) -> None:
        width = 24
        done = len(self.results)
        filled = int(width * done / max(1, self.total))
        bar = self.glyphs["full"] * filled + self.glyphs["empty"] * (width - filled)
        columns = shutil.get_terminal_size((100, 20)).columns
        line = f"[{bar}] {done}/{self.total} {text}"
        self._clear()
        self.stream.write(line[: max(10, columns - 1)])
        self.stream.flush()

    def finish(self) -> None:
        if self.tty:
            self._clear()
            self.stream.flush()
