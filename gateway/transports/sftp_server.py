"""The SFTP server partners log into (asyncssh): one jail per account, inbound/ to write, outbound/ to read.

Commit before acknowledgement: an upload is written to a staging file outside the jail;
when its write handle closes (or a temp name is renamed to its final name) the bytes go
through `Intake.submit()` and only then does the close/rename return OK. The blocking file
work of a commit (fsync, copies, renames) runs in a worker thread, so one partner's large
upload never stalls the other sessions of the event loop. A crash before
that leaves only a staging file, cleared at start: the partner never got OK and sends
again. An upload still open when its session ends (the client crashed or the connection
dropped: asyncssh closes the handles it leaves) is never taken: its bytes may stop anywhere.
The jail is enforced on every path: lexical `..` is clamped at the jail root and
anything whose real path leaves the jail (a symlink) is refused; attributes (modes, owners,
times) are never set by a partner.
"""

from __future__ import annotations

import asyncio
import base64
import bisect
import hashlib
import hmac
import logging
import os
import posixpath
import re
import shutil
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncssh
from asyncssh.constants import FXF_APPEND, FXF_CREAT, FXF_TRUNC, FXF_WRITE

from gateway.config.models import GatewayConfig, PartnerConfig, SftpAccountChannel, SftpServerSettings
from gateway.errors import ConfigError
from gateway.journal.api import Journal, State
from gateway.outbound.channels import NOT_YET_SENT, PICKUP, ack_before_sent
from gateway.outbound.placing import FETCHED, forget, index_entry, placement
from gateway.outbound.sftp_channel import index_dir, spot
from gateway.poison import Isolation, intake_key, set_aside_file
from gateway.transports.base import Intake, IntakeMeta, Refusals, source_of
from gateway.transports.keys import write_public, write_secret
from gateway.transports.temp_names import is_temp_name

log = logging.getLogger("gateway.transports.sftp")

USER_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$")
NAME_RE = re.compile(r"^[^/\x00]{1,255}$")
INBOUND, OUTBOUND, PROCESSED = "inbound", "outbound", "processed"
NAME_MAX = 255                      # bytes in a file name (Linux NAME_MAX)
MAX_OPEN_FILES = 64                 # open handles per connection: more is a client gone wrong (or an attack)
MAX_SPANS = 1024                    # separate written stretches of one upload: more is refused, not tracked
ACCOUNT_SHARE = 4                   # one account may hold at most max_connections // ACCOUNT_SHARE connections


# --------------------------------------------------------------------------- passwords

DEFAULT_ITERATIONS = 600_000


def hash_password(password: str, iterations: int = DEFAULT_ITERATIONS) -> str:
    """`pbkdf2_sha256$iterations$salt$hash` (the Django format) for `password_hash` in a partner file."""
    salt = base64.b64encode(os.urandom(12)).decode().rstrip("=")
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), iterations)
    return f"pbkdf2_sha256${iterations}${salt}${base64.b64encode(digest).decode()}"


def check_password(password: str, encoded: str) -> bool:
    """Whether `password` matches a `hash_password` string; the digests are compared in constant time."""
    try:
        algo, iterations, salt, expected = encoded.split("$", 3)
        rounds = int(iterations)
    except ValueError:
        return False
    if algo != "pbkdf2_sha256" or rounds < 1:
        return False
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), rounds)
    return hmac.compare_digest(base64.b64encode(digest), expected.encode())


def dummy_hash(hashes: Iterable[str | None]) -> str:
    """A hash no password matches, as costly as the accounts' own (their highest iteration count):
    checking a password against it for an unknown user takes as long as for a real account."""
    rounds = [int(h.split("$")[1]) for h in hashes
              if h and h.startswith("pbkdf2_sha256$") and h.split("$")[1].isdecimal()]
    salt = base64.b64encode(os.urandom(12)).decode().rstrip("=")
    never = base64.b64encode(os.urandom(32)).decode()
    return f"pbkdf2_sha256${max(rounds, default=DEFAULT_ITERATIONS)}${salt}${never}"


# --------------------------------------------------------------------------- accounts

@dataclass(slots=True)
class Account:
    user: str
    partner: str
    keys: list[bytes]                 # public key blobs
    password_hash: str | None
    jail: Path


def load_public_keys(paths: list[Path]) -> list[bytes]:
    keys: list[bytes] = []
    for path in paths:
        try:
            lines = path.read_text().splitlines()
        except OSError as exc:
            raise ConfigError(f"cannot read authorized keys: {exc.strerror}", path=str(path)) from exc
        for n, line in enumerate(lines, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            try:
                keys.append(asyncssh.import_public_key(line).public_data)
            except (asyncssh.KeyImportError, ValueError) as exc:
                raise ConfigError(f"not an OpenSSH public key: {exc}", path=str(path), line=n) from exc
    return keys


def accounts_from(partners: dict[str, PartnerConfig], root: Path) -> dict[str, Account]:
    """The login accounts of the active partners: one set `active: false` (taken out of service) has none, as its
    AS2 messages are refused at the door."""
    accounts: dict[str, Account] = {}
    for p in partners.values():
        if not p.active:
            continue
        channels = [c for c in p.inbound if isinstance(c, SftpAccountChannel)]
        if isinstance(p.outbound, SftpAccountChannel):
            channels.append(p.outbound)
        for ch in channels:
            if not USER_RE.match(ch.user):
                raise ConfigError(f"SFTP user {ch.user!r} of partner {p.id} is not a safe account name")
            if ch.user in accounts and accounts[ch.user].partner != p.id:
                raise ConfigError(f"SFTP user {ch.user!r} is used by partners {accounts[ch.user].partner} "
                                  f"and {p.id}")
            pw = ch.password_hash.get_secret_value() if ch.password_hash else None
            acct = accounts.setdefault(ch.user, Account(ch.user, p.id, [], pw, root / ch.user))
            acct.keys.extend(k for k in load_public_keys(ch.authorized_keys) if k not in acct.keys)
            acct.password_hash = acct.password_hash or pw
    return accounts


def load_host_key(path: Path) -> asyncssh.SSHKey:
    """Our host key: generated once (ed25519, mode 0600) and reused, so partners can pin it. Its public half
    beside it (`.pub`, what an operator hands partners) is written again when it does not hold that key: a stop
    between the two writes (SIGKILL, power cut) left it empty or missing for good, as the key was then reused."""
    if path.exists():
        key = asyncssh.read_private_key(str(path))
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        key = asyncssh.generate_private_key("ssh-ed25519")
        write_secret(path, key.export_private_key())
        log.info("generated SFTP host key %s (%s)", path, key.get_fingerprint())
    public = path.with_name(path.name + ".pub")
    if _public_key_in(public) != key.public_data:
        write_public(public, key.export_public_key())
    return key


def _public_key_in(path: Path) -> bytes | None:
    """The key an OpenSSH public key file holds; None when it is missing, empty or not one."""
    try:
        return bytes(asyncssh.read_public_key(str(path)).public_data)
    except (OSError, asyncssh.KeyImportError, ValueError):
        return None


# --------------------------------------------------------------------------- the server

class SftpServer:
    """Accounts, login throttling, staging and the commit of uploads; one per gateway."""

    def __init__(self, settings: SftpServerSettings, partners: dict[str, PartnerConfig], intake: Intake,
                 journal: Journal | None = None) -> None:
        self.settings = settings
        self.root = Path(settings.root).resolve()
        self.use_accounts(accounts_from(partners, self.root))
        self.intake = intake
        self.journal = journal
        self.isolation: Isolation | None = None   # notes an upload being taken in: one that kills us is set aside
        self.failures: dict[str, list[float]] = {}
        self.host_key: asyncssh.SSHKey | None = None
        self._acceptor: asyncssh.SSHAcceptor | None = None
        self.port: int | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self.connections: set[asyncssh.SSHServerConnection] = set()
        # user, key or password hash, partner: what a reload must still allow for the session to go on
        self.logins: dict[asyncssh.SSHServerConnection, tuple[str, bytes | str, str]] = {}
        self.refused = Refusals(log, "SFTP", "sftp_server.max_connections")
        self.unauthenticated: dict[str, int] = {}      # source (address, IPv6 /64) -> its connections not logged in
        self.open_files: dict[object, int] = {}        # connection -> files open in its sessions together
        self.refused_source = Refusals(log, "SFTP", "not logged in yet, from its address or IPv6 /64: "
                                       "sftp_server.max_unauthenticated_per_address")
        self.refused_account = Refusals(log, "SFTP", f"one account's share, max_connections / {ACCOUNT_SHARE}")

    def use_accounts(self, accounts: dict[str, Account]) -> None:
        """The accounts logins are checked against (at start and after a reload)."""
        self.accounts = accounts
        self.dummy_hash = dummy_hash(a.password_hash for a in accounts.values())

    def end_withdrawn(self) -> int:
        """After a reload: end the sessions whose login no longer stands (the account gone or its partner inactive,
        the key or password it logged in with removed), as a key taken away after a breach must not keep a session
        open (they have no idle limit). Returns how many were ended."""
        ended = 0
        for conn, (user, credential, partner) in list(self.logins.items()):
            acct = self.accounts.get(user)
            # an account moved to another partner ends too: the session's uploads would go on as the old one's
            if acct is not None and acct.partner == partner and (credential in acct.keys
                                                                 or credential == acct.password_hash):
                continue
            peer = conn.get_extra_info("peername")
            log.warning("SFTP session of %r from %s ended: the reload withdrew the login it used (account, key or "
                        "password, or its partner)", user, peer[0] if peer else "?")
            self.logins.pop(conn, None)
            conn.disconnect(asyncssh.DISC_BY_APPLICATION, "your access was withdrawn")
            ended += 1
        return ended

    def password_hash_for(self, user: str) -> tuple[str, bool]:
        """The hash a password for `user` is checked against, and whether it is a real account's: an
        unknown user or an account without a password gets the dummy hash (same cost, never matches)."""
        acct = self.accounts.get(user)
        if acct is not None and acct.password_hash:
            return acct.password_hash, True
        return self.dummy_hash, False

    # ---------------------------------------------------------------- lifecycle
    def prepare(self, clear_staging: bool = True) -> None:
        for acct in self.accounts.values():
            for sub in (INBOUND, OUTBOUND):
                (acct.jail / sub).mkdir(parents=True, exist_ok=True)
            staging = self.staging_dir(acct.user)
            if clear_staging and staging.exists():
                for stale in staging.iterdir():          # uploads a crash interrupted: never acknowledged
                    stale.unlink(missing_ok=True)
            staging.mkdir(parents=True, exist_ok=True)

    async def start(self) -> None:
        self.prepare()
        self.host_key = load_host_key(Path(self.settings.host_key))
        self._acceptor = await asyncssh.listen(
            self.settings.host, self.settings.port, server_host_keys=[self.host_key],
            server_factory=lambda: _Auth(self), sftp_factory=lambda chan: JailedSftp(chan, self),
            allow_scp=False, agent_forwarding=False, x11_forwarding=False, allow_pty=False,
            # no GSSAPI (Kerberos): a host keytab would let any domain user in past the partner accounts
            gss_host=None, login_timeout=60, encoding=None,
            # a connection cut without a word (a glitch, a NAT forgetting it) would count for hours (TCP keepalive)
            keepalive_interval=self.settings.keepalive_seconds, keepalive_count_max=3)
        self.port = self._acceptor.sockets[0].getsockname()[1]
        log.info("SFTP server listening on %s:%s, host key %s", self.settings.host, self.port,
                 self.host_key.get_fingerprint())

    async def close(self) -> None:
        """Stop listening, then close the open sessions (an upload not committed yet is not acknowledged)."""
        if self._acceptor is not None:
            self._acceptor.close()
            await self._acceptor.wait_closed()
        for conn in list(self.connections):
            conn.close()
        for conn in list(self.connections):
            await conn.wait_closed()
        for task in list(self._tasks):
            task.cancel()

    def staging_dir(self, user: str) -> Path:
        return self.root / ".staging" / user

    def index_dir(self, user: str) -> Path:
        return index_dir(self.root, user)

    # ---------------------------------------------------------------- login throttling
    def locked(self, peer: str) -> bool:
        """Whether `peer`'s address is locked out; counted per source (an IPv6 address's /64: one host has all of
        it to choose from, and counted per address its password guesses had no lockout)."""
        source = source_of(peer)
        now = time.monotonic()
        recent = [t for t in self.failures.get(source, []) if now - t < self.settings.lockout_seconds]
        if recent:
            self.failures[source] = recent
        else:
            self.failures.pop(source, None)     # an address that stopped failing is forgotten
        return len(recent) >= self.settings.max_failed_logins

    async def failed(self, peer: str, user: str, how: str) -> None:
        source = source_of(peer)
        self.failures.setdefault(source, []).append(time.monotonic())
        n = len(self.failures[source])
        log.warning("SFTP login failed for %r from %s (%s), %d recent failure(s)", user, peer, how, n)
        await asyncio.sleep(self.settings.login_throttle_seconds * min(2 ** (n - 1), 16))

    # ---------------------------------------------------------------- commit of an upload
    async def take(self, acct: Account, staged: Path, name: str) -> None:
        """Submit a complete upload; the caller acknowledges the partner only if this returns."""
        meta = IntakeMeta(channel="sftp", filename=name, partner=acct.partner,
                          source_key=f"sftp:{acct.user}:{INBOUND}/{name}",
                          extra={"sftp_user": acct.user})
        if self.isolation is None:
            message = await self.intake.submit(staged, meta)
        else:
            # a resend has the name and bytes of the upload that killed the gateway while it was taken in; its size
            # alone would also name the partner's next order under a fixed name (ORDERS.EDI), as long, refused
            key = intake_key("sftp", acct.user, name, await asyncio.to_thread(_sha256_of, staged))
            if (reason := self.isolation.intake_verdict(key)) is not None:
                await self._set_aside_killer(acct, staged, name, reason)
            with self.isolation.taking_in(key, f"SFTP upload {acct.user}/{INBOUND}/{name}"):
                message = await self.intake.submit(staged, meta)
        log.info("SFTP upload %s/%s/%s committed as %s (%s)", acct.user, INBOUND, name, message.id,
                 message.state.value)
        try:
            await asyncio.to_thread(self._set_aside, acct, staged, name, message.id)
        except OSError as exc:      # committed all the same: the partner is told so, the copy stays staged
            log.warning("SFTP upload %s/%s/%s (%s): its processed copy was not kept: %s", acct.user, INBOUND,
                        name, message.id, exc)

    async def _set_aside_killer(self, acct: Account, staged: Path, name: str, reason: str) -> None:
        """An upload the gateway was killed taking in, again and again (`gateway.poison`): moved, unread, to the
        quarantine with a .reason.txt, and its close refused, saying so: the partner's resends are set aside too."""
        assert self.isolation is not None
        step = ("Find what killed the gateway (the log and the system journal at each of those kills: an OOM kill, a "
                "crash in a library) and give it what it lacked; then ask the partner to upload it again under "
                "another name (this name with these bytes is set aside again), or have it sent in smaller files.")
        kept = await asyncio.to_thread(set_aside_file, staged, name, self.isolation.quarantine / acct.partner,
                                       f"{reason}.\nIt was uploaded by {acct.user} as {INBOUND}/{name}.", step,
                                       move=True)
        log.error("SFTP upload %s/%s/%s set aside: %s: kept as %s, its close refused", acct.user, INBOUND, name,
                  reason, kept)
        raise asyncssh.SFTPFailure(f"{name}: not accepted: the receiving gateway was killed each time it took this "
                                   "file in; it is kept for the receiving EDI team: contact them")

    def _set_aside(self, acct: Account, staged: Path, name: str, message_id: str) -> None:
        """After the commit: keep the upload in inbound/processed/ (keep_processed) or drop the staging file."""
        if self.settings.keep_processed:
            done = acct.jail / INBOUND / PROCESSED
            done.mkdir(exist_ok=True)
            target = done / name
            if target.exists():
                target = done / _fit(f"{time.strftime('%Y%m%dT%H%M%S')}-{message_id}-", name)
            os.replace(staged, target)
        else:
            staged.unlink(missing_ok=True)

    # ---------------------------------------------------------------- delivered outbound files
    async def fetched(self, acct: Account, name: str) -> None:
        """The partner deleted outbound/<name>: the message we placed there counts as delivered, recorded before
        the partner's delete is answered. One not SENT yet (placed before a crash, or its SENT not written yet)
        keeps the fetch as an early acknowledgement, which the outbox settles without placing the file again;
        the index entry stays until the message has left QUEUED, so a delivery already under way finds the file
        fetched (`placement()`) and places nothing."""
        index = self.index_dir(acct.user) / name
        try:
            entry = index.read_text().strip()
        except OSError:
            return
        message_id = entry.split()[0]
        if self.journal is not None:
            current = await asyncio.to_thread(ack_before_sent, self.journal, message_id, PICKUP, State.DONE,
                                              f"fetched and deleted by {acct.user} over SFTP",
                                              {"fetched_by": acct.user})
            log.info("SFTP outbound %s/%s fetched by partner: %s %s", acct.user, name, message_id,
                     current.state.value)
            if current.state is State.QUEUED:       # the answer is not held up while the outbox settles it
                task = asyncio.create_task(self._forget_once_settled(index, entry))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
                return
        forget(index, entry)

    def settle_fetched_before_start(self) -> int:
        """At start: files of ours that left outbound/ while the gateway was not there to settle them (the
        partner's delete went through, then the process died before its message was settled, or the file was
        placed and the process died before SENT) settle their messages now, from the index of what we placed
        (`placement()`: an index entry whose staged bytes are still there was never placed, and is not settled).
        Returns how many were settled."""
        if self.journal is None:
            return 0
        settled = 0
        for acct in self.accounts.values():
            index = self.index_dir(acct.user)
            if not index.is_dir():
                continue
            for entry in sorted(index.iterdir()):
                if not entry.is_file():
                    continue
                try:
                    delivery = entry.read_text().strip()
                    message_id = delivery.split()[0]
                    current = self.journal.get(message_id)
                except (OSError, KeyError, IndexError):
                    continue
                if placement(spot(self.root, acct.user, entry.name, delivery), delivery) != FETCHED:
                    continue
                if delivery != index_entry(current):
                    pass                    # an earlier delivery's, of a message resent since: not this one's fetch
                elif current.state in NOT_YET_SENT or (current.state is State.SENT
                                                       and not current.meta.get("fetched_by")):
                    after = ack_before_sent(self.journal, message_id, PICKUP, State.DONE,
                                            f"outbound/{entry.name} gone at the next start: fetched and deleted "
                                            f"by {acct.user} before the restart", {"fetched_by": acct.user})
                    log.info("SFTP outbound %s/%s was fetched before the restart: %s %s", acct.user, entry.name,
                             message_id, after.state.value)
                    settled += 1
                    current = after
                if current.state not in (State.QUEUED, State.RETRY_WAIT):   # the outbox settles those first
                    entry.unlink(missing_ok=True)
        return settled

    async def _forget_once_settled(self, index: Path, entry: str) -> None:
        """Remove the index entry once the outbox settled the fetched message (QUEUED no more); one still
        QUEUED after a minute keeps it, and the next start's `settle_fetched_before_start` removes it."""
        assert self.journal is not None
        for _ in range(600):
            await asyncio.sleep(0.1)
            current = await asyncio.to_thread(self.journal.get, entry.split()[0])
            if current.state is not State.QUEUED:
                forget(index, entry)
                return


class _Auth(asyncssh.SSHServer):
    def __init__(self, owner: SftpServer) -> None:
        self.owner = owner
        self.peer = "?"
        self.conn: asyncssh.SSHServerConnection | None = None
        self.key_refused: set[str] = set()      # user names a key was refused for on this connection
        self.login: tuple[str, bytes | str] | None = None      # the user and key (or password hash) accepted
        self.source = "?"
        self.counted_out = False               # no longer among its address's connections not logged in

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        peer = conn.get_extra_info("peername")
        self.peer = str(peer[0]) if peer else "?"
        if len(self.owner.connections) >= self.owner.settings.max_connections:
            # a flood of connections that never log in must not use up the daemon's file descriptors: one
            # beyond the cap is closed at once, as sshd's MaxStartups does (a client that reads on past our
            # version line gets the reason; OpenSSH says "Connection closed")
            self.owner.refused.add(self.peer, len(self.owner.connections))
            asyncio.get_running_loop().call_soon(
                conn.disconnect, asyncssh.DISC_TOO_MANY_CONNECTIONS, "too many connections, try again later")
            return
        # one address may not hold every slot with connections that never log in (a stranger would keep every
        # partner out, reconnecting each login_timeout): beyond a few, one more from it is closed at once
        self.source = source_of(self.peer)
        waiting = self.owner.unauthenticated.get(self.source, 0)
        if waiting >= self.owner.settings.max_unauthenticated_per_address:
            self.owner.refused_source.add(self.peer, waiting)
            asyncio.get_running_loop().call_soon(
                conn.disconnect, asyncssh.DISC_TOO_MANY_CONNECTIONS, "too many connections, try again later")
            return
        self.owner.unauthenticated[self.source] = waiting + 1
        self.conn = conn
        self.owner.connections.add(conn)

    def auth_completed(self) -> None:
        """A partner got in: the failures counted against its address are forgotten (a client that offered
        another key first, or a colleague's typo behind the same NAT, must not lock it out later)."""
        if not self.owner.locked(self.peer):           # a key let in past a lockout does not lift it
            self.owner.failures.pop(source_of(self.peer), None)
        self._logged_in()
        if self.conn is None or self.login is None:
            return
        user, share = self.login[0], max(1, self.owner.settings.max_connections // ACCOUNT_SHARE)
        if sum(who == user for who, *_ in self.owner.logins.values()) >= share:
            # one partner (or whoever holds its key) logging in again and again must not take every slot from the
            # others: beyond its share of max_connections, a login of that account is disconnected at once
            self.owner.refused_account.add(f"{self.peer} ({user!r})", share)
            asyncio.get_running_loop().call_soon(
                self.conn.disconnect, asyncssh.DISC_TOO_MANY_CONNECTIONS, "too many connections for this account, "
                "try again later")
            return
        acct = self.owner.accounts.get(user)
        self.owner.logins[self.conn] = (*self.login, acct.partner if acct is not None else "")

    def _logged_in(self) -> None:
        """The connection no longer counts against its address's connections not logged in (once)."""
        if self.conn is not None and not self.counted_out:
            self.counted_out = True
            left = self.owner.unauthenticated.get(self.source, 1) - 1
            if left > 0:
                self.owner.unauthenticated[self.source] = left
            else:
                self.owner.unauthenticated.pop(self.source, None)

    def connection_lost(self, exc: Exception | None) -> None:
        if self.conn is not None:
            self.owner.connections.discard(self.conn)
            self.owner.logins.pop(self.conn, None)
            self.owner.open_files.pop(self.conn, None)
            self._logged_in()

    def begin_auth(self, username: str) -> bool:
        return True

    def public_key_auth_supported(self) -> bool:
        return True

    async def validate_public_key(self, username: str, key: asyncssh.SSHKey) -> bool:
        acct = self.owner.accounts.get(username)
        # an account's own key gets in even while its source is locked out: a key cannot be guessed, and the lockout
        # (counted per address, an IPv6 /64) would otherwise keep out every partner behind the guesser's NAT or /64,
        # or a VAN's other mailboxes while one of them fails with a stale key
        if acct is not None and key.public_data in acct.keys:
            self.login = (username, key.public_data)
            return True
        if self.owner.locked(self.peer):
            log.warning("SFTP login for %r from %s refused: too many failed logins", username, self.peer)
            return False
        # clients offer every key they hold: one refused key per connection and user name counts, for a
        # real account and an unknown name alike (counting each key of an unknown name made its throttle
        # pauses longer and its lockout sooner: that told which user names exist)
        if username in self.key_refused:
            return False
        self.key_refused.add(username)
        await self.owner.failed(self.peer, username, "unknown key" if acct else "unknown user")
        return False

    def password_auth_supported(self) -> bool:
        return any(a.password_hash for a in self.owner.accounts.values())

    async def validate_password(self, username: str, password: str) -> bool:
        if self.owner.locked(self.peer):
            return False
        encoded, real = self.owner.password_hash_for(username)
        ok = await asyncio.to_thread(check_password, password, encoded) and real
        if ok:
            self.login = (username, encoded)
        else:
            await self.owner.failed(self.peer, username, "password")
        return ok


# --------------------------------------------------------------------------- the jail

@dataclass(slots=True)
class _Upload:
    name: str
    staged: Path
    file: Any
    limit: int
    temp: bool
    append: bool = False            # FXF_APPEND: every write goes to the end, whatever offset it names
    failed: str = ""                # a write that could not be stored (a full disk): the upload is never taken
    too_big: bool = False
    size: int = 0
    spans: list[tuple[int, int]] = field(default_factory=list)   # the stretches written, sorted and disjoint


@dataclass(slots=True)
class _Reader:
    file: Any
    extra: dict[str, Any] = field(default_factory=dict)

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        """asyncssh answers a client's "ranges" request (asyncssh's own get()) by seeking the handle
        with SEEK_DATA / SEEK_HOLE, so a read handle must be seekable."""
        return int(self.file.seek(offset, whence))


def _fit(prefix: str, name: str) -> str:
    """`prefix` + `name`, with `name` cut from the front so that the whole fits NAME_MAX bytes."""
    room = NAME_MAX - len(prefix.encode())
    data = name.encode("utf-8", "surrogateescape")
    return prefix + data[max(0, len(data) - room):].decode("utf-8", "ignore")


def _cover(spans: list[tuple[int, int]], start: int, end: int) -> None:
    """Add the written stretch [start, end) to `spans` (sorted, disjoint), merging what touches it."""
    if end <= start:
        return
    if spans and spans[-1][0] <= start <= spans[-1][1]:          # the usual case: the next write in order
        spans[-1] = (spans[-1][0], max(spans[-1][1], end))
        return
    lo = bisect.bisect_left(spans, (start, start))
    if lo > 0 and spans[lo - 1][1] >= start:
        lo -= 1
    hi = lo
    while hi < len(spans) and spans[hi][0] <= end:
        hi += 1
    if hi > lo:
        start, end = min(start, spans[lo][0]), max(end, spans[hi - 1][1])
    spans[lo:hi] = [(start, end)]


def _first_gap(spans: list[tuple[int, int]]) -> int:
    """The first byte offset no write covered."""
    return spans[0][1] if spans and spans[0][0] == 0 else 0


def _continued(name: str, size: int) -> str:
    return (f"inbound/{name} was taken when its upload closed; it cannot be resumed or added to (from byte {size}): "
            "send the whole file again, under a temp name (.part, .tmp, .filepart) renamed when complete if it "
            "is written in pieces")


def _unwritten(name: str, gap: int) -> str:
    return (f"inbound/{name}: not stored, bytes from {gap} on were never written in this upload (a resume starts "
            "where the file in inbound/ ends): send the whole file again")


def _denied(what: str) -> asyncssh.SFTPPermissionDenied:
    return asyncssh.SFTPPermissionDenied(what)


def _sha256_of(path: Path) -> str:
    """The sha256 of a staged upload, streamed (blocking: callers run it in a thread)."""
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def _stage(staged: Path, resume: Path | None) -> tuple[Any, int]:
    """Open an upload's staging file (blocking: callers run it in a thread). `resume`: the temp-name
    upload in inbound/ a client continues (no truncate), copied in first when it is a plain file."""
    if resume is not None and resume.is_file() and not resume.is_symlink():
        shutil.copyfile(resume, staged)
    # the SFTP handle owns the file until close (no with-block can span the requests)
    f = open(staged, "r+b" if staged.exists() else "w+b", buffering=0)  # noqa: SIM115
    return f, os.fstat(f.fileno()).st_size


def _open_read(local: str) -> Any:
    """An outbound file for reading (blocking: callers run it in a thread); the handle owns it until close."""
    return open(local, "rb", buffering=0)


def _discard(file: Any) -> None:
    file.close()


def _make_durable(file: Any) -> None:
    """Flush, fsync and close an upload's staging file (blocking: callers run it in a thread)."""
    try:
        file.flush()
        os.fsync(file.fileno())
    finally:
        file.close()


class _SessionHandler(asyncssh.sftp.SFTPServerHandler):
    """asyncssh's SFTP session, telling our server when the session is over before asyncssh closes the
    handles the client left open. asyncssh calls `SFTPServer.close` for those exactly as for a close the
    client asked for; without this, a crashed client's half-written upload would be taken as complete."""

    async def _cleanup(self, exc: Exception | None) -> None:
        server = getattr(self, "_server", None)
        if isinstance(server, JailedSftp):
            server.ending = True
        await super()._cleanup(exc)


# asyncssh makes its session handler by this module-level name (asyncssh.sftp._sftp_handler); the test of a
# client killed mid-upload fails if a later asyncssh stops doing so
asyncssh.sftp.SFTPServerHandler = _SessionHandler  # type: ignore[misc]


class JailedSftp(asyncssh.SFTPServer):
    """One partner's view: `/`, `/inbound` (write files), `/outbound` (read and delete files)."""

    def __init__(self, chan: asyncssh.SSHServerChannel[bytes], owner: SftpServer) -> None:
        self.owner = owner
        user = chan.get_extra_info("username")
        self.acct = owner.accounts[user]
        self.jail = os.path.realpath(self.acct.jail)
        self.recent: dict[str, asyncssh.SFTPAttrs] = {}     # committed this session: clients stat after put
        self.ending = False            # the session is over: handles still open are closed for it, not by it
        self.conn = chan.get_connection()           # kept: the channel lets it go when the session ends
        super().__init__(chan, chroot=self.jail.encode())

    @property
    def open_files(self) -> int:
        """Files open in all the sessions of this connection: a client may open one SFTP session after another on
        a connection, and counted per session its open files (file descriptors of the daemon) had no bound."""
        return self.owner.open_files.get(self.conn, 0)

    @open_files.setter
    def open_files(self, count: int) -> None:
        if count > 0:
            self.owner.open_files[self.conn] = count
        else:
            self.owner.open_files.pop(self.conn, None)

    # ---------------------------------------------------------------- path policy
    @staticmethod
    def _virtual(path: bytes) -> str:
        try:
            text = path.decode("utf-8", "strict") if isinstance(path, bytes) else str(path)
        except UnicodeDecodeError:
            raise _denied("path is not valid UTF-8") from None
        if "\x00" in text or "\\" in text:
            raise _denied("path contains forbidden characters")
        return posixpath.normpath(posixpath.join("/", text)).replace("//", "/")

    def _parts(self, path: bytes) -> list[str]:
        return [p for p in self._virtual(path).split("/") if p]

    def _local(self, parts: list[str]) -> str:
        local = os.path.join(self.jail, *parts)
        real = os.path.realpath(local)
        if real != self.jail and not real.startswith(self.jail + os.sep):
            log.warning("SFTP %s: refused path %s (resolves outside the jail)", self.acct.user, "/".join(parts))
            raise _denied("path leads outside your folder")
        return local

    def map_path(self, path: bytes) -> bytes:
        """Every default operation (stat, listing) passes here: clamp `..`, refuse symlink escapes."""
        parts = self._parts(path)
        if parts and parts[0] not in (INBOUND, OUTBOUND):
            raise asyncssh.SFTPNoSuchFile("only inbound/ and outbound/ exist here")
        return self._local(parts).encode()

    def realpath(self, path: bytes) -> bytes:
        return self._virtual(path).encode()

    def _inbound_name(self, path: bytes) -> str:
        parts = self._parts(path)
        if len(parts) != 2 or parts[0] != INBOUND or parts[1] == PROCESSED or not NAME_RE.match(parts[1]):
            raise _denied("files may only be written directly into inbound/")
        if len(parts[1].encode()) > NAME_MAX:
            raise _denied(f"file names may be at most {NAME_MAX} bytes long")
        self._local(parts)
        return parts[1]

    def _outbound_name(self, path: bytes) -> str:
        parts = self._parts(path)
        if len(parts) != 2 or parts[0] != OUTBOUND:
            raise _denied("files may only be read from outbound/")
        self._local(parts)
        return parts[1]

    # ---------------------------------------------------------------- files
    def open56(self, path: bytes, desired_access: int, flags: int, attrs: asyncssh.SFTPAttrs) -> object:
        """SFTP v5/v6 opens are refused: `open` holds the jail's rules, and asyncssh would call this one
        instead for a client that negotiated a later version (asyncssh's server offers v3 today)."""
        raise asyncssh.SFTPOpUnsupported("SFTP v5/v6 open is not supported; use SFTP v3")

    async def open(self, path: bytes, pflags: int, attrs: asyncssh.SFTPAttrs) -> object:
        if self.open_files >= MAX_OPEN_FILES:
            raise asyncssh.SFTPFailure(f"at most {MAX_OPEN_FILES} files may be open at once in a connection "
                                       "(its sessions together); close some first")
        if pflags & (FXF_WRITE | FXF_APPEND | FXF_CREAT | FXF_TRUNC):
            name = self._inbound_name(path)
            taken = self._committed(path)
            if taken is not None and pflags & FXF_APPEND:
                raise asyncssh.SFTPFailure(_continued(name, taken.size or 0))
            staged = self.owner.staging_dir(self.acct.user) / uuid.uuid4().hex
            resume = Path(self.jail) / INBOUND / name if not pflags & FXF_TRUNC and is_temp_name(name) else None
            f, size = await asyncio.to_thread(_stage, staged, resume)
            self.open_files += 1
            return _Upload(name, staged, f, self.owner.settings.max_file_size, is_temp_name(name),
                           append=bool(pflags & FXF_APPEND), size=size, spans=[(0, size)] if size else [])
        name = self._outbound_name(path)
        local = self._local([OUTBOUND, name])
        if os.path.islink(local) or not os.path.isfile(local):
            raise asyncssh.SFTPNoSuchFile(f"outbound/{name} does not exist")
        reader = _Reader(await asyncio.to_thread(_open_read, local))
        self.open_files += 1
        return reader

    def read(self, file_obj: object, offset: int, size: int) -> bytes:
        if not isinstance(file_obj, _Reader):
            raise _denied("upload handles cannot be read")
        file_obj.file.seek(offset)
        return bytes(file_obj.file.read(size))

    def write(self, file_obj: object, offset: int, data: bytes) -> int:
        if not isinstance(file_obj, _Upload):
            raise _denied("outbound files are read-only")
        if file_obj.append:
            offset = file_obj.size
        if file_obj.too_big or offset + len(data) > file_obj.limit:
            file_obj.too_big = True
            raise asyncssh.SFTPFailure(f"{file_obj.name}: larger than the limit of {file_obj.limit} bytes; "
                                       "upload refused")
        if file_obj.failed:
            raise asyncssh.SFTPFailure(f"{file_obj.name}: not stored ({file_obj.failed}); send it again later")
        try:
            file_obj.file.seek(offset)
            n = file_obj.file.write(data)
        except OSError as exc:          # the staging disk is full: this upload can no longer be whole
            file_obj.failed = exc.strerror or str(exc)
            raise asyncssh.SFTPFailure(f"{file_obj.name}: not stored ({file_obj.failed}); send it again "
                                       "later") from None
        file_obj.size = max(file_obj.size, offset + len(data))
        _cover(file_obj.spans, offset, offset + len(data))
        if len(file_obj.spans) > MAX_SPANS:
            file_obj.failed = "written in too many separate pieces"
        return int(n)

    async def close(self, file_obj: object) -> None:
        if isinstance(file_obj, (_Reader, _Upload)):
            self.open_files -= 1
        if isinstance(file_obj, _Reader):
            file_obj.file.close()
            return
        if not isinstance(file_obj, _Upload):
            return
        up = file_obj
        if self.ending:
            await self._abandon(up)
            return
        try:
            await asyncio.to_thread(_make_durable, up.file)
        except OSError as exc:
            up.failed = up.failed or exc.strerror or str(exc)
        if up.too_big:
            await asyncio.to_thread(up.staged.unlink, missing_ok=True)
            log.warning("SFTP %s: upload %s refused, larger than %d bytes", self.acct.user, up.name, up.limit)
            raise asyncssh.SFTPFailure(f"{up.name}: larger than the limit of {up.limit} bytes; upload refused")
        if up.failed:                   # some of its bytes never reached the disk: never a document
            await asyncio.to_thread(up.staged.unlink, missing_ok=True)
            log.error("SFTP %s: upload %s not stored (%s); the partner was told to send it again",
                      self.acct.user, up.name, up.failed)
            raise asyncssh.SFTPFailure(f"{up.name}: not stored ({up.failed}); send it again later")
        if up.spans != ([(0, up.size)] if up.size else []):
            # bytes no write covered, which would read as NULs: a resume (a write at an offset) of a file taken
            # when its first upload closed, or from past the end of a temp-name file; one handle of several
            # writing a piece each. A temp-name file is taken at its rename, so it is checked here too
            await asyncio.to_thread(up.staged.unlink, missing_ok=True)
            gap = _first_gap(up.spans)
            taken = up.name in self.recent
            log.warning("SFTP %s: upload %s refused: bytes from %d on were never written in it%s", self.acct.user,
                        up.name, gap, " (a resume of an upload taken when it closed?)" if taken else "")
            raise asyncssh.SFTPFailure(_continued(up.name, gap) if taken else _unwritten(up.name, gap))
        if up.temp:
            await asyncio.to_thread(os.replace, up.staged, Path(self.jail) / INBOUND / up.name)
            return
        await self._commit(up.staged, up.name)

    async def _abandon(self, up: _Upload) -> None:
        """An upload the client never closed: the session ended under it (a crash, a dropped connection).
        Its bytes may stop anywhere, so it is not taken; a temp-name upload is kept in inbound/ under its
        name, as a client that resumes expects. Never raises: asyncssh closes the session's other handles
        after this one."""
        try:
            keep = up.temp and not up.too_big and not up.failed
            if keep and _first_gap(up.spans) < up.size:
                # a client resumes from the size it finds: up to the first byte not written (pieces sent out of
                # order, the session ended before the rest came), not over a stretch of NULs
                await asyncio.to_thread(up.file.truncate, _first_gap(up.spans))
            await asyncio.to_thread(_make_durable if keep else _discard, up.file)
            if keep:
                await asyncio.to_thread(os.replace, up.staged, Path(self.jail) / INBOUND / up.name)
                return
            await asyncio.to_thread(up.staged.unlink, missing_ok=True)
            log.warning("SFTP %s: upload %s abandoned (the session ended before the client closed it): not "
                        "taken, %d bytes discarded; the partner must send it again", self.acct.user, up.name,
                        up.size)
        except OSError as exc:
            log.error("SFTP %s: abandoned upload %s could not be cleared: %s", self.acct.user, up.name, exc)

    async def _commit(self, staged: Path, name: str) -> None:
        try:
            st = await asyncio.to_thread(staged.stat)
            await self.owner.take(self.acct, staged, name)
            self.recent[name] = asyncssh.SFTPAttrs(type=asyncssh.FILEXFER_TYPE_REGULAR, size=st.st_size,
                                                   permissions=0o100644, atime=int(st.st_atime),
                                                   mtime=int(st.st_mtime))
            if len(self.recent) > 100:
                self.recent.pop(next(iter(self.recent)))
        except asyncssh.SFTPFailure:
            raise                       # set aside (`SftpServer.take`): the failure says why
        except Exception as exc:
            await asyncio.to_thread(staged.unlink, missing_ok=True)
            log.error("SFTP %s: upload %s not committed: %s", self.acct.user, name, exc)
            raise asyncssh.SFTPFailure(f"{name}: not accepted (gateway could not store it), send it again") \
                from exc

    def _committed(self, path: bytes) -> asyncssh.SFTPAttrs | None:
        parts = self._parts(path)
        if (len(parts) == 2 and parts[0] == INBOUND and parts[1] in self.recent
                and not os.path.lexists(self._local(parts))):
            return self.recent[parts[1]]
        return None

    def stat(self, path: bytes) -> Any:
        return self._committed(path) or super().stat(path)

    def lstat(self, path: bytes) -> Any:
        return self._committed(path) or super().lstat(path)

    def fstat(self, file_obj: object) -> Any:
        if not isinstance(file_obj, (_Upload, _Reader)):
            raise asyncssh.SFTPInvalidHandle("unknown handle")
        return os.fstat(file_obj.file.fileno())

    def fsetstat(self, file_obj: object, attrs: asyncssh.SFTPAttrs) -> None:
        if not isinstance(file_obj, _Upload):
            raise _denied("outbound files are read-only")
        # times/modes of uploads are not kept

    def setstat(self, path: bytes, attrs: asyncssh.SFTPAttrs) -> None:
        self._inbound_name(path)          # clients set times after a put: accepted, and not applied

    def lsetstat(self, path: bytes, attrs: asyncssh.SFTPAttrs) -> None:
        """`lsetstat@openssh.com` (OpenSSH `chmod -h`): as `setstat`; asyncssh's own would chmod / chown
        whatever the path names, the jail's folders and the files waiting in outbound/ included."""
        self.setstat(path, attrs)

    def fsync(self, file_obj: object) -> None:
        """`fsync@openssh.com` (OpenSSH `put -f`): an upload's bytes so far to disk (a commit fsyncs anyway)."""
        if isinstance(file_obj, _Upload):
            os.fsync(file_obj.file.fileno())
        elif not isinstance(file_obj, _Reader):
            raise asyncssh.SFTPInvalidHandle("unknown handle")

    def fstatvfs(self, file_obj: object) -> Any:
        raise asyncssh.SFTPOpUnsupported("statvfs is not offered")

    async def rename(self, oldpath: bytes, newpath: bytes) -> None:
        if self._parts(oldpath)[:1] == [OUTBOUND]:     # a client's "after download: rename / move to archive"
            raise _denied("files in outbound/ cannot be renamed or moved: delete a file once downloaded (that "
                          "tells us you have it)")
        old = self._inbound_name(oldpath)
        new = self._inbound_name(newpath)
        if self._committed(oldpath) is not None:
            # taken when its upload closed, under a temp name we do not know (`.inprogress`, `_tmp`): the client's
            # rename to the final name is answered OK (it failed: the client reported the upload failed and sent
            # it again), and nothing is taken twice
            self.recent[new] = self.recent.pop(old)
            log.info("SFTP %s: %s renamed to %s after it was taken under its first name; nothing more to take",
                     self.acct.user, old, new)
            return
        src = Path(self._local([INBOUND, old]))
        if not src.is_file() or src.is_symlink():
            raise asyncssh.SFTPNoSuchFile(f"inbound/{old} does not exist")
        if is_temp_name(new):
            await asyncio.to_thread(os.replace, src, Path(self._local([INBOUND, new])))
            return
        # temp -> final: commit the bytes under the final name; the temp file goes only after the commit
        staged = self.owner.staging_dir(self.acct.user) / uuid.uuid4().hex
        await asyncio.to_thread(shutil.copyfile, src, staged)
        await self._commit(staged, new)
        await asyncio.to_thread(src.unlink, missing_ok=True)

    async def posix_rename(self, oldpath: bytes, newpath: bytes) -> None:
        await self.rename(oldpath, newpath)

    async def remove(self, path: bytes) -> None:
        parts = self._parts(path)
        if len(parts) == 2 and parts[0] == INBOUND and is_temp_name(parts[1]):
            os.unlink(self._local(parts))                 # an abandoned partial upload of the partner's
            return
        if self._committed(path) is not None:
            # WinSCP sending a name again in one session: it deletes the file it uploaded before (its stat
            # answers) to rename the new upload over it, SFTP v3 rename not replacing. What was taken stays taken
            del self.recent[parts[1]]
            log.info("SFTP %s: %s deleted by the partner after it was taken; the message stays", self.acct.user,
                     parts[1])
            return
        name = self._outbound_name(path)
        local = self._local([OUTBOUND, name])
        if os.path.islink(local) or not os.path.isfile(local):
            raise asyncssh.SFTPNoSuchFile(f"outbound/{name} does not exist")
        os.unlink(local)
        await self.owner.fetched(self.acct, name)

    def mkdir(self, path: bytes, attrs: asyncssh.SFTPAttrs) -> None:
        raise _denied("folders cannot be created")

    def rmdir(self, path: bytes) -> None:
        raise _denied("folders cannot be removed")

    def symlink(self, oldpath: bytes, newpath: bytes) -> None:
        raise _denied("links cannot be created")

    def link(self, oldpath: bytes, newpath: bytes) -> None:
        raise _denied("links cannot be created")

    def readlink(self, path: bytes) -> bytes:
        raise _denied("links cannot be read")

    def statvfs(self, path: bytes) -> Any:
        raise asyncssh.SFTPOpUnsupported("statvfs is not offered")

    async def scandir(self, path: bytes) -> AsyncIterator[asyncssh.SFTPName]:
        parts = self._parts(path)
        if not parts:
            names = [INBOUND, OUTBOUND]
        else:
            local = self.map_path(path).decode()
            if not os.path.isdir(local):
                raise asyncssh.SFTPNoSuchFile("not a folder")
            names = sorted(n for n in os.listdir(local) if not os.path.islink(os.path.join(local, n)))
        for name in [".", ".."] + names:
            child = posixpath.join("/" + "/".join(parts), name).encode() if name not in (".", "..") else \
                ("/" + "/".join(parts)).encode()
            attrs = await self.convert_attrs(self.lstat(child))
            sftp_name = asyncssh.SFTPName(name.encode(), attrs=attrs)
            await _maybe(self.format_longname(sftp_name))
            yield sftp_name


async def _maybe(value: Any) -> None:
    if asyncio.iscoroutine(value):
        await value


# --------------------------------------------------------------------------- daemon hook

async def start(ctx: Any) -> Callable[[], Awaitable[None]]:
    """Configure the outbound `sftp` channel and, when enabled, serve SFTP. Returns an async stop()."""
    from gateway.outbound.sftp_channel import ACCOUNT
    config: GatewayConfig = getattr(ctx.config, "gateway", ctx.config)
    partners = getattr(ctx, "partners", None) or getattr(ctx.config, "partners", {})
    ACCOUNT.configure(Path(config.sftp_server.root), partners)
    server: SftpServer | None = None
    if config.sftp_server.enabled:
        server = SftpServer(config.sftp_server, partners, ctx.pipeline, ctx.journal)
        server.isolation = getattr(ctx, "isolation", None)
        await asyncio.to_thread(server.settle_fetched_before_start)
        await server.start()
        ports = getattr(ctx, "ports", None)
        if isinstance(ports, dict):
            ports["sftp"] = server.port

    _running["server"] = server

    async def stop() -> None:
        if server is not None:
            await server.close()
        _running.pop("server", None)

    return stop


_running: dict[str, Any] = {}


async def reload(ctx: Any) -> None:
    """After SIGHUP: new accounts and keys apply to the next login; a session whose login the new ones withdraw ends."""
    from gateway.outbound.sftp_channel import ACCOUNT
    server = _running.get("server")
    config: GatewayConfig = getattr(ctx.config, "gateway", ctx.config)
    partners = getattr(ctx, "partners", None) or getattr(ctx.config, "partners", {})
    ACCOUNT.configure(Path(config.sftp_server.root), partners)
    if server is None:
        return
    try:
        server.use_accounts(accounts_from(partners, server.root))
        server.prepare(clear_staging=False)
        server.end_withdrawn()
    except ConfigError as exc:
        log.error("SFTP accounts not reloaded, keeping the previous ones: %s", exc)


from gateway.outbound import sftp_channel as _sftp_channel  # noqa: F401  (registers "sftp" and "sftp_remote")
