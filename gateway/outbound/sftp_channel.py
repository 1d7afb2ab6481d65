"""The two SFTP ways out: a file waiting in the partner's jail on our server (`sftp`), or pushed to theirs
(`sftp_remote`). Both write a temporary name and rename, so the partner never sees half a file, and
both are safe to retry (the same name is overwritten).

A file waiting in our jail is written in this order: the bytes under a staging name outside the jail, the
index entry (`.delivered/<user>/<name>` holds the message id), the rename into `outbound/`, then (the outbox)
SENT. Each step is fsynced before the next, so after a crash the three files tell where the placement
stands (`placement()`): index entry and staged bytes, not placed yet; index entry and the file in
`outbound/`, waiting; index entry alone, placed and then fetched and deleted by the partner, which is
delivered. A delivery after a restart never places a file that was placed already."""

from __future__ import annotations

import asyncio
import os
from datetime import timedelta
from pathlib import Path

from gateway.config.models import PartnerConfig, SftpAccountChannel, SftpRemoteChannel
from gateway.errors import DeliveryRejected, DeliveryRetry
from gateway.journal.api import Message
from gateway.journal.archive import fsync_dir
from gateway.outbound.channels import PICKUP, Awaiting, DeliveryResult, register

WAITING = "waiting"     # placement(): the file is in outbound/, not fetched yet
FETCHED = "fetched"     # placement(): placed, then fetched and deleted by the partner


def safe_name(message: Message) -> str:
    name = Path(message.filename).name.replace("\x00", "")
    return name if name and not name.startswith(".") else f"{message.id}.edi"


def staged_path(root: Path, user: str, message_id: str) -> Path:
    """Where a message's bytes wait before the rename into the jail; not under `.staging`, which the server
    empties at start: that the file is still here is what says it was never placed."""
    return root / ".outgoing" / user / message_id


def index_entry(message: Message) -> str:
    """What the index holds for this delivery of `message`: its id, and after a resend how many, so that the
    entry an earlier, settled delivery left behind is not read as this one's."""
    resends = int(message.meta.get("resends") or 0)
    return f"{message.id} {resends}" if resends else message.id


def placement(root: Path, user: str, name: str, entry: str) -> str | None:
    """How far the delivery `entry` (`index_entry()`) of file `outbound/<name>` got: WAITING, FETCHED, or None
    (not placed)."""
    try:
        if (root / ".delivered" / user / name).read_text().strip() != entry:
            return None
    except OSError:
        return None
    if (root / user / "outbound" / name).is_file():
        return WAITING
    return None if staged_path(root, user, entry.split()[0]).exists() else FETCHED


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
        """Staged bytes, index entry, rename, each durable before the next (see the module's docstring).
        Returns what `placement()` found instead when the file was placed already (nothing written)."""
        folder = root / user / "outbound"
        index = root / ".delivered" / user
        tmp = staged_path(root, user, entry.split()[0])
        where = placement(root, user, name, entry)
        if where is not None:
            return where
        try:
            for d in (folder, index, tmp.parent):
                d.mkdir(parents=True, exist_ok=True)
            _write_durably(tmp, data)
            _write_durably(index / name, entry.encode())
            os.replace(tmp, folder / name)
            fsync_dir(folder)
            fsync_dir(tmp.parent)
            return None
        except OSError as exc:
            # the staged bytes stay (the retry overwrites them): with the index entry written, their absence
            # would read as "placed and fetched"
            raise DeliveryRetry(f"cannot place outbound/{name} for {user}: {exc.strerror or exc}") from exc


def _write_durably(path: Path, data: bytes) -> None:
    with open(path, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    fsync_dir(path.parent)


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
