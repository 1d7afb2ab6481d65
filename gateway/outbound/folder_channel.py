"""The default way a document leaves: a file in a local folder (outbox/<partner>/ unless the partner says).

Written as `name.tmp`, fsynced, then renamed, so a partner (or an SFTP pickup) never sees half
a file. Re-delivering the same message overwrites the same name: safe to retry.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from pathlib import Path

from gateway.config.models import FolderChannel, PartnerConfig
from gateway.errors import DeliveryRetry
from gateway.journal.api import Message
from gateway.journal.archive import fsync_dir
from gateway.outbound.channels import DeliveryResult, register


class FolderDelivery:
    """`outbound: {channel: folder, path: ...}`; without a path, `<outbox_dir>/<partner id>/`."""

    name = "folder"

    def __init__(self, outbox_dir: Path | None = None) -> None:
        self.outbox_dir = outbox_dir or Path("outbox")

    def folder_for(self, partner: PartnerConfig) -> Path:
        channel = partner.outbound
        if isinstance(channel, FolderChannel) and channel.path is not None:
            return channel.path
        return self.outbox_dir / partner.id

    async def deliver(self, message: Message, data: bytes, partner: PartnerConfig) -> DeliveryResult:
        target = await asyncio.to_thread(self.write, self.folder_for(partner), Path(message.filename).name
                                         or message.id, data)
        return DeliveryResult(detail=f"written {target}")

    @staticmethod
    def write(folder: Path, name: str, data: bytes) -> Path:
        """`name.tmp`, fsync, rename to `name`, fsync the folder: never half a file under the real name."""
        target = folder / name
        tmp = folder / f"{name}.tmp"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            with open(tmp, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, target)
            fsync_dir(folder)
        except OSError as exc:
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)
            raise DeliveryRetry(f"cannot write {target}: {exc.strerror or exc}") from exc
        return target


FOLDER = FolderDelivery()
register(FOLDER)
