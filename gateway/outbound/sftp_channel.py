"""The two SFTP ways out: a file waiting in the partner's jail on our server (`sftp`), or pushed to theirs
(`sftp_remote`). Both write a temporary name and rename, so the partner never sees half a file, and
both are safe to retry (the same name is overwritten).

A file waiting in our jail is placed by `gateway.outbound.placing`, so that a file the partner fetched
between a crash and the re-delivery is not placed a second time."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from gateway.config.models import PartnerConfig, SftpAccountChannel, SftpRemoteChannel
from gateway.errors import DeliveryRejected, DeliveryRetry
from gateway.journal.api import Message
from gateway.outbound.channels import PICKUP, Awaiting, DeliveryResult, register
from gateway.outbound.placing import FETCHED, WAITING, Spot, index_entry, place, placement


def safe_name(message: Message) -> str:
    name = Path(message.filename).name.replace("\x00", "")
    return name if name and not name.startswith(".") else f"{message.id}.edi"


def index_dir(root: Path, user: str) -> Path:
    """Where the index entries of `user`'s placed files are: outside the jail, read by the SFTP server's delete."""
    return root / ".delivered" / user


def spot(root: Path, user: str, name: str, entry: str) -> Spot:
    """Our file `outbound/<name>` of `user`'s jail; its bytes are staged in `.outgoing/`, which (unlike
    `.staging`, emptied at start) is left alone: that they are still there is what says it was never placed."""
    return Spot(target=root / user / "outbound" / name, staged=root / ".outgoing" / user / entry.split()[0],
                index=index_dir(root, user) / name)


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
        where = await asyncio.to_thread(self._place, self.root, ch.user, name, index_entry(message), data)
        # a file nobody fetches must not wait unseen: overdue (status page, metrics, one warning) after the
        # partner's acknowledgement window, like a 997 that does not come; the fetch settles it
        window = timedelta(hours=Pipeline.ack_window(partner, message.syntax))
        detail = {None: f"waiting in {ch.user}:outbound/{name} for pickup",
                  WAITING: f"already waiting in {ch.user}:outbound/{name} (placed before a restart), not placed again",
                  FETCHED: f"not placed again: {ch.user} fetched outbound/{name} placed before a restart"}[where]
        # FETCHED stays a pickup to settle: the server noted the fetch (an early acknowledgement) or settles the
        # SENT message when it finds the index entry without its file at start
        return DeliveryResult(detail=detail, ack_pending=True,
                              meta={"sftp_path": f"outbound/{name}"},
                              awaits=Awaiting(PICKUP, f"outbound/{name}", window))

    @staticmethod
    def _place(root: Path, user: str, name: str, entry: str, data: bytes) -> str | None:
        """Place the file (`placing.place`) unless `placement()` finds it placed already: then what it found."""
        where = placement(spot(root, user, name, entry), entry)
        if where is not None:
            return where
        try:
            place(spot(root, user, name, entry), entry, data)
        except OSError as exc:
            raise DeliveryRetry.from_os_error(f"cannot place outbound/{name} for {user}: {exc.strerror or exc}",
                                              exc) from exc
        return None


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
