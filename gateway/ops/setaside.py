"""The files an intake set aside because the gateway was killed each time it took them in (`gateway.poison`), for
`status`, the status page and /metrics. They never became messages, so the journal does not know them: the copies in
the quarantine (`<partner|unknown>/<name>.killed-<time>`, beside a `.reason.txt`) are the only record, and are read
from there at each look. A person deals with one by moving its copy out of the partner's folder (into its closed/, as
`close` does with a message's copy) or deleting it; it then leaves every list at once.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from gateway.poison import SET_ASIDE_MARK, SET_ASIDE_STAMP

REASON = ".reason.txt"
REASON_READ = 64 * 1024        # bytes of a .reason.txt read: ours are a few hundred
DEALT_WITH = ("each leaves this list once its copy leaves its partner's quarantine folder: moved back where it "
              "came from as its .reason.txt says, into the folder's closed/ to keep it, or deleted")


@dataclass(frozen=True, slots=True)
class SetAside:
    """One file kept unread in the quarantine: where it came from, when, why, and what a person does next."""

    partner: str        # its quarantine folder: the partner's id, or "unknown" (an inbox of no partner)
    name: str           # as it came in (the .reason.txt's `file` line), else the copy's name less the mark
    at: datetime
    copy: Path
    reason: str
    next_step: str


def set_aside_files(quarantine: Path, partner: str | None = None) -> list[SetAside]:
    """The set-aside copies in `quarantine` (one partner's folder with `partner`), newest first. The quarantine also
    keeps copies of quarantined messages (`<message id>_<name>`, their .reason.txt naming the message): not these."""
    folders = [quarantine / partner] if partner is not None else _folders(quarantine)
    found = []
    for folder in folders:
        try:
            with os.scandir(folder) as entries:
                names = [e.name for e in entries if not e.name.startswith(".") and SET_ASIDE_MARK in e.name]
        except OSError:
            continue            # no such partner folder yet, or not ours to read
        for name in names:
            at = _stamp(name)
            if at is None:
                continue
            copy = folder / name
            said = _read_reason(Path(f"{copy}{REASON}"))
            if said.startswith("message "):
                continue        # a quarantined message whose file was named so: the journal lists it
            found.append(_entry(folder.name, copy, at, said))
    return sorted(found, key=lambda s: (s.at, str(s.copy)), reverse=True)


def _folders(quarantine: Path) -> list[Path]:
    try:
        with os.scandir(quarantine) as entries:
            return sorted(Path(e.path) for e in entries if e.is_dir(follow_symlinks=False))
    except OSError:
        return []               # no quarantine yet: nothing was ever set aside


def _stamp(name: str) -> datetime | None:
    """When the copy was set aside, from its name's mark; None for any other name (its .reason.txt, a person's
    notes, a file named `x.killed-soon`)."""
    _, mark, stamp = name.rpartition(SET_ASIDE_MARK)
    if not mark:
        return None
    try:
        return datetime.strptime(stamp, SET_ASIDE_STAMP).replace(tzinfo=UTC)
    except ValueError:
        return None


def _read_reason(path: Path) -> str:
    try:
        with open(path, "rb") as f:
            return f.read(REASON_READ).decode("utf-8", "replace")
    except OSError:
        return ""               # removed by a person who kept the copy: still set aside, the reason unknown


def _entry(partner: str, copy: Path, at: datetime, said: str) -> SetAside:
    """`set_aside_file`'s .reason.txt is `file <name>`, the reason, then the next step, a blank line between."""
    parts = said.strip("\n").split("\n\n")
    first = parts[0] if said else ""
    name = first[5:] if first.startswith("file ") else copy.name.rpartition(SET_ASIDE_MARK)[0]
    if len(parts) >= 3:
        reason, step = "\n\n".join(parts[1:-1]), parts[-1]
    else:
        reason = "\n\n".join(parts[1:]) or f"its {REASON} is gone; the gateway was killed each time it took it in"
        step = "Find what killed the gateway in the log of the day it was set aside."
    return SetAside(partner=partner, name=name, at=at, copy=copy, reason=reason.strip(), next_step=step.strip())
