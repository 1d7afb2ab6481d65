"""We log into a partner's SFTP server: poll their folder for new files, push ours (asyncssh client).

Poll: a remote file is taken only once its size and mtime were the same on two polls in a
row (the partner may still be writing); it is downloaded to a local temp file, submitted
(the commit point), and only then deleted or moved on the remote. A crash in between
means the file is fetched again on the next polls and the journal answers DUPLICATE
(same source and bytes), so it is still processed once. A partner's server that refuses the delete or
move (a read-only drop folder) leaves the file there: it is taken once, warned about, and not taken again
while it stays unchanged; one file that cannot be read or cleared never holds up the others. A move never
replaces a file of the same name in the partner's folder (SFTP v3 rename refuses to, and their copy of
yesterday's `orders.edi` is theirs): it goes in as `<name>.<message id>`. Push: write `<name>.part`, then
rename to the final name. The partner's host key is pinned: an unknown or changed key is
refused before any login.
"""

from __future__ import annotations

import asyncio
import fnmatch
import logging
import posixpath
import shutil
import stat
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncssh

from gateway.config.models import GatewayConfig, PartnerConfig, SftpRemoteChannel
from gateway.errors import DeliveryRejected, DeliveryRetry, TransportError
from gateway.journal.api import Message
from gateway.poison import Isolation, intake_key, set_aside_file
from gateway.transports.base import Intake, IntakeMeta
from gateway.transports.temp_names import is_temp_name, processed_name

log = logging.getLogger("gateway.transports.sftp_remote")
DOWNLOAD_CHUNK = 1 << 20


def _connect(ch: SftpRemoteChannel) -> Any:
    try:
        pinned = asyncssh.import_public_key(ch.known_host_key)
    except (asyncssh.KeyImportError, ValueError) as exc:
        raise TransportError(f"known_host_key of {ch.host} is not an OpenSSH public key: {exc}") from exc
    return asyncssh.connect(ch.host, ch.port, username=ch.user, client_keys=[str(ch.key)],
                            known_hosts=([pinned], [], []), config=None, agent_path=None,
                            password=None, kbdint_auth=False, gss_auth=False,
                            connect_timeout=ch.timeout, login_timeout=ch.timeout)


def _explain(ch: SftpRemoteChannel, exc: BaseException) -> str:
    where = f"{ch.user}@{ch.host}:{ch.port}"
    if isinstance(exc, asyncssh.HostKeyNotVerifiable):
        return f"{where}: host key does not match the pinned known_host_key ({exc.reason})"
    if isinstance(exc, asyncssh.PermissionDenied):
        return f"{where}: login refused for our key ({exc.reason})"
    if isinstance(exc, asyncssh.Error):
        return f"{where}: {exc.reason}"
    return f"{where}: {exc}"


def _matches(name: str, pattern: str) -> bool:
    """`pattern` (fnmatch) ignoring case: a partner's system that writes ORDERS.EDI where `*.edi` was agreed
    must not leave its orders unseen on its server without a word."""
    return fnmatch.fnmatchcase(name.lower(), pattern.lower())


# --------------------------------------------------------------------------- push

async def push(ch: SftpRemoteChannel, name: str, data: bytes) -> str:
    """Write `data` as `<push_dir>/<name>` via a `.part` name and a rename; returns the remote path."""
    folder = ch.push_dir or ch.remote_dir
    final = posixpath.join(folder, name)
    tmp = final + ".part"
    try:
        async with _connect(ch) as conn, conn.start_sftp_client() as sftp:
            async with sftp.open(tmp, "wb") as f:
                await f.write(data)
            try:
                await sftp.posix_rename(tmp, final)         # atomic replace where the server offers it
            except asyncssh.SFTPOpUnsupported:             # SFTP v3 rename refuses an existing target
                if await sftp.lexists(final):               # a retry's; a drop folder may not let us delete
                    await sftp.remove(final)
                await sftp.rename(tmp, final)
    except asyncssh.HostKeyNotVerifiable as exc:
        raise DeliveryRejected(_explain(ch, exc)) from exc
    except asyncssh.PermissionDenied as exc:
        raise DeliveryRejected(_explain(ch, exc)) from exc
    except (TimeoutError, asyncssh.Error, OSError) as exc:
        raise DeliveryRetry(f"push of {name} failed: {_explain(ch, exc)}") from exc
    return final


# --------------------------------------------------------------------------- poll

@dataclass
class RemotePoller:
    partner: PartnerConfig
    ch: SftpRemoteChannel
    intake: Intake
    work_dir: Path
    max_backoff: float = 3600.0
    seen: dict[str, tuple[int, int]] = field(default_factory=dict)
    too_big: dict[str, int] = field(default_factory=dict)      # files over max_file_size, already warned about
    kept: dict[str, tuple[int, int]] = field(default_factory=dict)  # taken, but their server kept them (size, mtime)
    unreadable: dict[str, tuple[int, int]] = field(default_factory=dict)  # their server refused the download
    failures: int = 0
    last_error: str | None = None
    isolation: Isolation | None = None     # notes a file being taken in: one that kills the gateway is set aside

    async def poll_once(self) -> list[Message]:
        """One poll: list, take what was stable since the last poll, then delete/move it remotely."""
        taken: list[Message] = []
        self.work_dir.mkdir(parents=True, exist_ok=True)
        too_big: dict[str, int] = {}
        async with _connect(self.ch) as conn, conn.start_sftp_client() as sftp:
            current: dict[str, tuple[int, int]] = {}
            kept: dict[str, tuple[int, int]] = {}
            for entry in await sftp.readdir(self.ch.remote_dir):
                name = entry.filename if isinstance(entry.filename, str) else entry.filename.decode()
                a = entry.attrs
                if name in (".", "..") or is_temp_name(name) or not _matches(name, self.ch.pattern):
                    continue
                if a.permissions is None or not stat.S_ISREG(a.permissions):
                    continue
                if (a.size or 0) > self.ch.max_file_size:
                    if self.too_big.get(name) != a.size:          # once per file and size, not every poll
                        log.warning("sftp_remote %s: %s is %d bytes, over max_file_size (%d): left on the "
                                    "partner's server", self.partner.id, posixpath.join(self.ch.remote_dir, name),
                                    a.size, self.ch.max_file_size)
                    too_big[name] = a.size or 0
                    continue
                observed = (a.size or 0, a.mtime or 0)
                if self.kept.get(name) == observed:       # taken already; their server would not let it go
                    kept[name] = observed
                    continue
                current[name] = observed
            self.kept = kept
            self.unreadable = {n: v for n, v in self.unreadable.items() if current.get(n) == v}
            for name, observed in sorted(current.items()):
                if self.seen.get(name) != observed:
                    continue                              # new or still changing: wait for the next poll
                message = await self._take(sftp, name, observed)
                if message is not None:
                    taken.append(message)
                    current.pop(name, None)
            self.seen = current
            self.too_big = too_big
        return taken

    async def _take(self, sftp: asyncssh.SFTPClient, name: str, observed: tuple[int, int]) -> Message | None:
        remote = posixpath.join(self.ch.remote_dir, name)
        local = self.work_dir / f"{uuid.uuid4().hex}.download"
        try:
            try:
                if not await self._download(sftp, remote, local):
                    return None
            except asyncssh.SFTPNoSuchFile:
                return None                               # gone since the listing (renamed or taken by them)
            except asyncssh.SFTPError as exc:             # this file only: the others are still taken
                if self.unreadable.get(name) != observed:
                    log.warning("sftp_remote %s: %s could not be downloaded (%s); left there and tried again "
                                "at each poll", self.partner.id, remote, exc.reason)
                self.unreadable[name] = observed
                return None
            if local.stat().st_size != observed[0]:
                log.info("sftp_remote %s: %s changed while downloading, retaking later", self.partner.id, remote)
                return None
            meta = IntakeMeta(channel="sftp_remote", filename=name, partner=self.partner.id,
                              source_key=f"sftp://{self.ch.user}@{self.ch.host}:{self.ch.port}/{remote}",
                              extra={"remote_host": self.ch.host, "remote_path": remote,
                                     "remote_mtime": observed[1]})
            if self.isolation is None:
                message = await self.intake.submit(local, meta)
            else:
                # fetched again at each start, as a file left in an inbox folder is: named by its path, size, mtime
                key = intake_key("sftp_remote", meta.source_key, *observed)
                if (reason := self.isolation.intake_verdict(key)) is not None:
                    await self._set_aside(sftp, remote, name, observed, local, key, reason)
                    return None
                with self.isolation.taking_in(key, f"{self.partner.id}'s file {remote}"):
                    message = await self.intake.submit(local, meta)
        finally:
            local.unlink(missing_ok=True)
        # committed: only now may the partner's copy go
        try:
            where = await self._move(sftp, remote, name, message.id) if self.ch.after == "move" else None
            if where is None:
                await sftp.remove(remote)
        except asyncssh.SFTPError as exc:
            self.kept[name] = observed
            log.warning("sftp_remote %s: took %s as %s (%s), but the partner's server refused to %s it (%s): "
                        "left there, and not taken again while it stays unchanged (a restart fetches it once "
                        "more, recorded as a duplicate)", self.partner.id, remote, message.id,
                        message.state.value, self.ch.after, exc.reason)
            return message
        log.info("sftp_remote %s: took %s as %s (%s)%s", self.partner.id, remote, message.id, message.state.value,
                 f", moved to {where}" if where else "")
        return message

    async def _set_aside(self, sftp: asyncssh.SFTPClient, remote: str, name: str, observed: tuple[int, int],
                         local: Path, key: str, reason: str) -> None:
        """A file the gateway was killed taking in, again and again (`gateway.poison`): its download kept, unread, in
        the quarantine with a .reason.txt; then the partner's copy goes as after a take (else fetched at each poll)."""
        assert self.isolation is not None
        step = ("Find what killed the gateway (the log and the system journal at each of those kills: an OOM kill, a "
                "crash in a library), give it what it lacked, then put the file back on the partner's server (it is "
                "fetched as a new file), or have the partner send it again in smaller files.")
        kept = await asyncio.to_thread(set_aside_file, local, name, self.isolation.quarantine / self.partner.id,
                                       f"{reason}.\nIt was {remote} on {self.ch.host}.", step, move=True)
        log.error("sftp_remote %s: %s set aside: %s: kept as %s", self.partner.id, remote, reason, kept)
        try:
            where = await self._move(sftp, remote, name, "set-aside") if self.ch.after == "move" else None
            if where is None:
                await sftp.remove(remote)
        except asyncssh.SFTPError as exc:
            # not fetched again while it stays unchanged; its count kept, so that a restart, which fetches it
            # again (a read-only drop folder), sets it aside at once instead of dying on it twice more
            self.kept[name] = observed
            log.warning("sftp_remote %s: the partner's server refused to %s %s (%s): left there", self.partner.id,
                        self.ch.after, remote, exc.reason)
            return
        self.isolation.forget_intake(key)

    async def _move(self, sftp: asyncssh.SFTPClient, remote: str, name: str, message_id: str) -> str:
        """Move a taken file into `move_to` without replacing one of the same name there (a partner that
        reuses a name daily keeps each day's): that one goes in as `<name>.<message id>`. OpenSSH's
        posix-rename where offered, else the plain SFTP v3 rename."""
        folder = self.ch.move_to or posixpath.join(self.ch.remote_dir, "processed")
        target = posixpath.join(folder, name)
        if await sftp.lexists(target):
            target = posixpath.join(folder, processed_name(name, message_id))
        try:
            await sftp.posix_rename(remote, target)
        except asyncssh.SFTPOpUnsupported:
            await sftp.rename(remote, target)
        return target

    async def _download(self, sftp: asyncssh.SFTPClient, remote: str, local: Path) -> bool:
        """Copy `remote` to `local`, reading no more than max_file_size + 1 bytes (the listing's size is the
        server's word: a server that serves more than it listed is cut off); False when it was larger."""
        limit = self.ch.max_file_size
        got = 0
        async with sftp.open(remote, "rb") as src:
            with local.open("wb") as dst:
                while chunk := await src.read(min(DOWNLOAD_CHUNK, limit + 1 - got)):
                    assert isinstance(chunk, bytes)                 # opened "rb": bytes, never text
                    got += len(chunk)
                    if got > limit:
                        log.warning("sftp_remote %s: download of %s stopped: more than max_file_size (%d bytes); "
                                    "left on the partner's server", self.partner.id, remote, limit)
                        return False
                    await asyncio.to_thread(dst.write, chunk)
        return True

    async def run(self) -> None:
        """Poll every `interval`; connection failures back off (doubling, up to `max_backoff`)."""
        while True:
            try:
                await self.poll_once()
                self.failures, self.last_error = 0, None
                delay = self.ch.interval
            except asyncio.CancelledError:
                raise
            except (TimeoutError, asyncssh.Error, OSError, TransportError) as exc:
                self.failures += 1
                self.last_error = _explain(self.ch, exc)
                delay = min(self.max_backoff, self.ch.interval * 2 ** min(self.failures, 16))
                log.warning("sftp_remote %s: poll failed (%s), next try in %.0fs", self.partner.id,
                            self.last_error, delay)
            except Exception as exc:  # noqa: BLE001 - e.g. the journal is unwritable: the poller keeps running
                self.failures += 1
                self.last_error = str(exc)
                delay = min(self.max_backoff, self.ch.interval * 2 ** min(self.failures, 16))
                log.error("sftp_remote %s: poll failed: %s", self.partner.id, exc)
            await asyncio.sleep(delay)


def pollers_for(partners: dict[str, PartnerConfig], intake: Intake, work_dir: Path,
                max_backoff: float = 3600.0) -> list[RemotePoller]:
    out = []
    for p in partners.values():
        if not p.active:
            continue
        for ch in p.inbound:
            if isinstance(ch, SftpRemoteChannel):
                out.append(RemotePoller(p, ch, intake, work_dir / p.id, max_backoff))
    return out


class _Running:
    """The pollers of this process, restarted on reload."""

    def __init__(self) -> None:
        self.pollers: list[RemotePoller] = []
        self.tasks: list[asyncio.Task[None]] = []

    def start(self, ctx: Any) -> None:
        config: GatewayConfig = getattr(ctx.config, "gateway", ctx.config)
        partners = getattr(ctx, "partners", None) or getattr(ctx.config, "partners", {})
        self.pollers = pollers_for(partners, ctx.pipeline, Path(config.state_dir) / "sftp-remote",
                                   config.outbox.max_backoff)
        for poller in self.pollers:
            poller.isolation = getattr(ctx, "isolation", None)
        self.tasks = [asyncio.create_task(p.run(), name=f"sftp_remote:{p.partner.id}") for p in self.pollers]

    async def stop(self) -> None:
        for t in self.tasks:
            t.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        self.tasks = []

    async def health(self) -> tuple[bool, str]:
        failing = [f"{p.partner.id}: {p.last_error}" for p in self.pollers if p.failures]
        return (not failing, "; ".join(failing) or f"{len(self.pollers)} poller(s) ok")


_running = _Running()


async def start(ctx: Any) -> Callable[[], Awaitable[None]]:
    """Start one poller per partner with an `sftp_remote` inbound channel. Returns an async stop()."""
    config: GatewayConfig = getattr(ctx.config, "gateway", ctx.config)
    shutil.rmtree(Path(config.state_dir) / "sftp-remote", ignore_errors=True)   # partial downloads
    _running.start(ctx)
    checks = getattr(ctx, "health_checks", None)
    if isinstance(checks, dict):
        checks["transport:sftp_remote"] = _running.health
    return _running.stop


async def reload(ctx: Any) -> None:
    """After SIGHUP: pollers restart with the new partner settings (a poll in progress is cancelled;
    nothing was deleted remotely before its commit, so nothing is lost)."""
    await _running.stop()
    _running.start(ctx)


from gateway.outbound import sftp_channel as _sftp_channel  # noqa: F401  (registers "sftp_remote")
