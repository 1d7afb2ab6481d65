"""Placing a file where the partner (or another system) takes it and deletes it, in an order that still says
after a crash whether it was taken: the bytes under a staged name, the index entry (which delivery the file
is), the rename to the final name, then (the outbox) SENT, each durable before the next. Read back by
`placement()`: index entry and staged bytes, not placed; index entry and the file, WAITING; the index entry
alone, placed and then taken (FETCHED), which is delivered. A re-delivery after a restart places nothing that
was placed already, so a file taken between the restart and the re-delivery is not placed a second time."""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path

from gateway.journal.api import Message
from gateway.journal.archive import fsync_dir

WAITING = "waiting"     # the file is where the partner takes it from, not taken yet
FETCHED = "fetched"     # placed, then taken (fetched and deleted, picked up) by the partner


@dataclass(frozen=True, slots=True)
class Spot:
    """Where one file goes: `target`, its `staged` bytes before the rename (same file system), its `index`
    entry (outside anything the partner reads)."""

    target: Path
    staged: Path
    index: Path


def index_entry(message: Message) -> str:
    """What the index holds for this delivery of `message`: its id, and after a resend how many, so that the
    entry an earlier, settled delivery left behind is not read as this one's."""
    resends = int(message.meta.get("resends") or 0)
    return f"{message.id} {resends}" if resends else message.id


def placement(spot: Spot, entry: str) -> str | None:
    """How far the delivery `entry` (`index_entry()`) got: WAITING, FETCHED, or None (not placed)."""
    try:
        if spot.index.read_text().strip() != entry:
            return None
    except OSError:
        return None
    if spot.target.is_file():
        return WAITING
    return None if spot.staged.exists() else FETCHED


def place(spot: Spot, entry: str, data: bytes) -> None:
    """Staged bytes, index entry, rename, each durable before the next. On an OSError the staged bytes stay
    (the retry overwrites them): with the index entry written, their absence would read as FETCHED."""
    for d in {spot.target.parent, spot.staged.parent, spot.index.parent}:
        d.mkdir(parents=True, exist_ok=True)
    write_durably(spot.staged, data)
    write_durably(spot.index, entry.encode())
    os.replace(spot.staged, spot.target)
    fsync_dir(spot.target.parent)
    if spot.staged.parent != spot.target.parent:
        fsync_dir(spot.staged.parent)


def forget(index: Path, entry: str) -> None:
    """Remove an index entry once its delivery is recorded, if it is still `entry` (a newer file of the same
    name has its own)."""
    with contextlib.suppress(OSError):
        if index.read_text().strip() == entry:
            index.unlink()


def write_durably(path: Path, data: bytes) -> None:
    """`data` in `path`, the file and its folder entry fsynced."""
    with open(path, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    fsync_dir(path.parent)
