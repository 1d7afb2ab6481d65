"""The two SFTP ways out: a file waiting in the partner's jail on our server (`sftp`), or pushed to theirs
(`sftp_remote`). Both write a temporary name and rename, so the partner never sees half a file, and
both are safe to retry (the same name is overwritten)."""

from __future__ import annotations

import asyncio
import contextlib
import os
from datetime import timedelta
from pathlib import Path

from gateway.config.models import PartnerConfig, SftpAccountChannel, SftpRemoteChannel
from gateway.errors import DeliveryRejected, DeliveryRetry
from gateway.journal.api import Message
from gateway.journal.archive import fsync_dir
from gateway.outbound.channels import Awaiting, DeliveryResult, register

PICKUP = "pickup"       # the ack_expectations kind of a file waiting in our SFTP server for the partner


def safe_name(message: Message) -> str:
    name = Path(message.filename).name.replace("\x00", "")
    return name if name and not name.startswith(".") else f"{message.id}.edi"


class SftpAccountDelivery:
    """`outbound: {channel: sftp, user: ...}`: place the file in `<root>/<user>/outbound/`; the partner's
    fetch-and-delete settles the message (SENT -> DONE) through the SFTP server."""

    name = "sftp"

    def __init__(self) -> None:
        self.root: Path | None = None

    def configure(self, root: Path, partners: dict[str, PartnerConfig]) -> None:
        self.root = Path(root).resolve()

    async def deliver(self, message: Message, data: bytes, partner: PartnerConfig) -> DeliveryResult:
        ch = partner.outbound
        if not isinstance(ch, SftpAccountChannel):
            raise DeliveryRejected(f"partner {partner.id} has no outbound SFTP account")
        if self.root is None:
            raise DeliveryRetry("the SFTP transport is not started (gateway.transports.sftp_server.start)")
        from gateway.pipeline import Pipeline
        name = safe_name(message)
        await asyncio.to_thread(self._place, self.root, ch.user, name, message.id, data)
        # a file nobody fetches must not wait unseen: overdue (status page, metrics, one warning) after the
        # partner's acknowledgement window, like a 997 that does not come; the fetch settles it
        window = timedelta(hours=Pipeline.ack_window(partner, message.syntax))
        return DeliveryResult(detail=f"waiting in {ch.user}:outbound/{name} for pickup", ack_pending=True,
                              meta={"sftp_path": f"outbound/{name}"},
                              awaits=Awaiting(PICKUP, f"outbound/{name}", window))

    @staticmethod
    def _place(root: Path, user: str, name: str, message_id: str, data: bytes) -> None:
        folder = root / user / "outbound"
        index = root / ".delivered" / user
        tmp = root / ".staging" / user / f"out-{message_id}"
        try:
            for d in (folder, index, tmp.parent):
                d.mkdir(parents=True, exist_ok=True)
            (index / name).write_text(message_id)
            with open(tmp, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, folder / name)
            fsync_dir(folder)
        except OSError as exc:
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)
            raise DeliveryRetry(f"cannot place outbound/{name} for {user}: {exc.strerror or exc}") from exc


class SftpRemoteDelivery:
    """`outbound: {channel: sftp_remote, ...}`: push to the partner's server (temp name, then rename)."""

    name = "sftp_remote"

    async def deliver(self, message: Message, data: bytes, partner: PartnerConfig) -> DeliveryResult:
        from gateway.transports.sftp_remote import push
        ch = partner.outbound
        if not isinstance(ch, SftpRemoteChannel):
            raise DeliveryRejected(f"partner {partner.id} has no outbound sftp_remote settings")
        path = await push(ch, safe_name(message), data)
        return DeliveryResult(detail=f"pushed to {ch.user}@{ch.host}:{path}", meta={"remote_path": path})


ACCOUNT = SftpAccountDelivery()
REMOTE = SftpRemoteDelivery()
register(ACCOUNT)
register(REMOTE)
