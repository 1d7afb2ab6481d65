"""The default way a document leaves: a file in a local folder (outbox/<partner>/ unless the partner says).

Written as `name.tmp`, fsynced, then renamed, so a partner (or an SFTP pickup) never sees half
a file. Between the two, an index entry under `<state_dir>/folder-index/<partner>/` (`gateway.outbound.placing`)
records which delivery the file is: a file another system picked up between a crash (after the rename,
before SENT) and the re-delivery is not written a second time, and one still there is not rewritten.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import Callable
from pathlib import Path

from gateway.config.models import FolderChannel, PartnerConfig
from gateway.errors import DeliveryRetry
from gateway.journal.api import Message
from gateway.outbound.channels import DeliveryResult, register
from gateway.outbound.placing import FETCHED, WAITING, Spot, forget, index_entry, place, placement


class FolderDelivery:
    """`outbound: {channel: folder, path: ...}`; without a path, `<outbox_dir>/<partner id>/`."""

    name = "folder"

    def __init__(self, outbox_dir: Path | None = None) -> None:
        self.outbox_dir = outbox_dir or Path("outbox")
        self.index_dir = Path("state") / "folder-index"     # gateway state, never in a folder someone reads

    def folder_for(self, partner: PartnerConfig) -> Path:
        channel = partner.outbound
        if isinstance(channel, FolderChannel) and channel.path is not None:
            return channel.path
        return self.outbox_dir / partner.id

    async def deliver(self, message: Message, data: bytes, partner: PartnerConfig) -> DeliveryResult:
        folder, name = self.folder_for(partner), Path(message.filename).name or message.id
        entry = index_entry(message)
        index = self.index_dir / partner.id / name
        where = await asyncio.to_thread(placement, Spot(folder / name, folder / f"{name}.tmp", index), entry)
        done = functools.partial(forget, index, entry)
        if where == WAITING:
            return DeliveryResult(detail=f"{folder / name} already written before a restart, not rewritten",
                                  on_sent=done)
        if where == FETCHED:
            return DeliveryResult(detail=f"not written again: {folder / name}, written before a restart, was "
                                  "picked up", on_sent=done)
        target = await asyncio.to_thread(self.write, folder, name, data, index, entry)
        return DeliveryResult(detail=f"written {target}", on_sent=done)

    @staticmethod
    def write(folder: Path, name: str, data: bytes, index: Path, entry: str) -> Path:
        """`name.tmp`, then the `index` entry, then the rename to `name` (`placing.place`): never half a file
        under the real name, and what was written before a crash is known."""
        target = folder / name
        try:
            place(Spot(target, folder / f"{name}.tmp", index), entry, data)
        except OSError as exc:
            raise DeliveryRetry.from_os_error(f"cannot write {target}: {exc.strerror or exc}{_not_a_folder(folder)}",
                                              exc) from exc
        return target

    def forget_delivered(self, pending: Callable[[str], bool]) -> int:
        """At start: remove the index entries of messages no longer waiting for delivery (`pending(message id)`
        false), which a crash right after their SENT left behind. Returns how many were removed."""
        removed = 0
        for entry in sorted(self.index_dir.glob("*/*")):
            with contextlib.suppress(OSError, IndexError):
                if not pending(entry.read_text().split()[0]):
                    entry.unlink()
                    removed += 1
        return removed


FOLDER = FolderDelivery()
register(FOLDER)


def _not_a_folder(folder: Path) -> str:
    """Why the folder cannot hold the file when a file stands where it or a folder above it should be: "File
    exists" alone did not say which, nor that it is in the way."""
    for part in (folder, *folder.parents):
        if part.exists() and not part.is_dir():
            return f" ({part} is a file, where the partner's outbound folder {folder} should be: move it away)"
        if part.is_dir():
            break
    return ""
