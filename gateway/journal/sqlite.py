"""The SQLite journal: WAL mode, synchronous=FULL, one connection guarded by a lock.

Every write is one `BEGIN IMMEDIATE` transaction, committed before the method returns,
so that a number handed out or a state written survives a crash of the process or the
machine. Other processes (the CLI's `replay`, `resend`) may write the same file at the
same time; SQLite's busy timeout serialises them.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from gateway.errors import JournalError, StorageFull, printable
from gateway.journal.api import (
    ALLOWED,
    ATTENTION,
    Direction,
    DocumentSeen,
    Event,
    Journal,
    Message,
    OdooLink,
    State,
)
from gateway.logs import log_context

log = logging.getLogger("gateway.journal")

# States a worker or the outbox still has to act on (SENT waits for an ack, tracked separately).
ACTIVE: frozenset[State] = frozenset({State.RECEIVED, State.PARSED, State.TRANSLATED, State.POSTED,
                                      State.QUEUED, State.RETRY_WAIT})

_SCHEMA = """
CREATE TABLE IF NOT EXISTS messages (
    id TEXT PRIMARY KEY,
    direction TEXT NOT NULL,
    state TEXT NOT NULL,
    partner TEXT,
    channel TEXT NOT NULL,
    filename TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    syntax TEXT,
    doc_type TEXT,
    control_number TEXT,
    source_key TEXT,
    parent_id TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT,
    last_error TEXT,
    meta TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS messages_state ON messages(state, next_attempt_at);
CREATE INDEX IF NOT EXISTS messages_source ON messages(channel, source_key, sha256);
CREATE INDEX IF NOT EXISTS messages_parent ON messages(parent_id);
CREATE INDEX IF NOT EXISTS messages_key ON messages(direction, source_key);
CREATE INDEX IF NOT EXISTS messages_sha ON messages(sha256);
-- covers /metrics' per-state counts (an index-only scan in group order) and the outbox / unacked lookups
CREATE INDEX IF NOT EXISTS messages_metrics ON messages(direction, state, partner, doc_type);
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id TEXT NOT NULL,
    at TEXT NOT NULL,
    from_state TEXT,
    to_state TEXT NOT NULL,
    reason TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_message ON events(message_id, seq);
CREATE INDEX IF NOT EXISTS events_state ON events(to_state, message_id);   -- /metrics latency and stuck queries
CREATE TABLE IF NOT EXISTS counters (
    partner TEXT NOT NULL, kind TEXT NOT NULL, value INTEGER NOT NULL,
    PRIMARY KEY (partner, kind)
);
CREATE TABLE IF NOT EXISTS interchanges (
    partner TEXT NOT NULL, sender TEXT NOT NULL, control_number TEXT NOT NULL,
    message_id TEXT NOT NULL, at TEXT NOT NULL,
    PRIMARY KEY (partner, sender, control_number)
);
-- documents without control numbers (CSV, XML): a partner's document by its own key and its content's digest
CREATE TABLE IF NOT EXISTS documents (
    partner TEXT NOT NULL, kind TEXT NOT NULL, key TEXT NOT NULL, digest TEXT NOT NULL,
    message_id TEXT NOT NULL, at TEXT NOT NULL,
    PRIMARY KEY (partner, kind, key, digest)
);
CREATE INDEX IF NOT EXISTS documents_message ON documents(message_id);
CREATE TABLE IF NOT EXISTS ack_expectations (
    message_id TEXT NOT NULL, partner TEXT NOT NULL, kind TEXT NOT NULL,
    control_number TEXT NOT NULL, group_number TEXT NOT NULL DEFAULT '', due_at TEXT NOT NULL,
    PRIMARY KEY (message_id, kind)
);
CREATE INDEX IF NOT EXISTS ack_lookup ON ack_expectations(partner, kind, control_number, group_number);
CREATE TABLE IF NOT EXISTS odoo_links (
    message_id TEXT NOT NULL, model TEXT NOT NULL, record_id INTEGER NOT NULL, role TEXT NOT NULL,
    PRIMARY KEY (message_id, model, record_id)
);
CREATE INDEX IF NOT EXISTS odoo_link_record ON odoo_links(model, record_id);
CREATE TABLE IF NOT EXISTS export_marks (
    partner TEXT NOT NULL, model TEXT NOT NULL, record_id INTEGER NOT NULL,
    write_date TEXT NOT NULL, kind TEXT NOT NULL, at TEXT NOT NULL,
    PRIMARY KEY (partner, model, record_id, write_date, kind)
);
CREATE TABLE IF NOT EXISTS blobs (
    message_id TEXT NOT NULL, name TEXT NOT NULL, content TEXT NOT NULL,
    PRIMARY KEY (message_id, name)
);
"""

SCHEMA_VERSION = 1
"""The journal's layout, kept in SQLite's `user_version`. A release that changes the layout raises it and adds
the step from the one before to `_MIGRATIONS`; a journal written by a newer release is refused, so going back
to an older gateway never writes rows that release's journal cannot read."""
_MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {}   # from version n to n + 1

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_id_lock = threading.Lock()
_last_id: list[int] = [0, 0]   # [millis, random80] of the last id, for monotonic ids within a process


def _text(value: Any) -> Any:
    """A value as SQLite can store it: a str through `printable` (a reason or a control number quoting
    bytes of a partner's file that are not UTF-8)."""
    return printable(value) if isinstance(value, str) else value


def new_id() -> str:
    """A 26-character ULID: sortable by creation time, unique without coordination."""
    with _id_lock:
        millis = time.time_ns() // 1_000_000
        if millis <= _last_id[0]:
            millis, rand = _last_id[0], _last_id[1] + 1
        else:
            rand = secrets.randbits(80)
        _last_id[0], _last_id[1] = millis, rand
    value = (millis << 80) | (rand & ((1 << 80) - 1))
    return "".join(_CROCKFORD[(value >> shift) & 31] for shift in range(125, -1, -5))


def utcnow() -> datetime:
    return datetime.now(UTC)


def _ts(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


_FIELDS = ("syntax", "doc_type", "control_number", "partner", "attempts", "filename", "last_error")


def _journal_error(exc: sqlite3.Error, what: str) -> JournalError:
    """StorageFull (transient) for SQLite's SQLITE_FULL (disk or quota full), else JournalError."""
    full = getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL or "disk is full" in str(exc)
    return (StorageFull if full else JournalError)(f"{what}: {exc}")


def _upgrade(db: sqlite3.Connection, path: Path) -> None:
    """Bring the journal to SCHEMA_VERSION (a new one is made at it; one from before the version was kept is
    version 1), or refuse one a newer gateway wrote."""
    version = int(db.execute("PRAGMA user_version").fetchone()[0])
    if version > SCHEMA_VERSION:
        raise JournalError(f"journal {path} was written by a newer edi-gateway (journal schema {version}; this one "
                           f"knows up to {SCHEMA_VERSION}): run that release again, or restore the journal's "
                           "backup from before the upgrade")
    for statement in _SCHEMA.split(";"):
        if statement.strip():
            db.execute(statement)
    for step in range(max(version, 1), SCHEMA_VERSION):
        _MIGRATIONS[step](db)
    if version != SCHEMA_VERSION:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


class SqliteJournal(Journal):
    """The embedded journal. `path` is the database file (created with its folder)."""

    def __init__(self, path: Path | str, *, busy_timeout: float = 30.0) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(str(self.path), timeout=busy_timeout, isolation_level=None,
                                       check_same_thread=False)
            self._db.row_factory = sqlite3.Row
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._lock = threading.RLock()
            self._batch_owner: int | None = None
            self._after_commit: list[Callable[[], None]] | None = None
            with self._tx() as db:
                _upgrade(db, self.path)
        except (sqlite3.Error, OSError) as exc:
            raise JournalError(f"cannot open journal {self.path}: {exc}") from exc

    # ------------------------------------------------------------------ plumbing
    @contextmanager
    def batch(self) -> Iterator[None]:
        """Every write of this thread inside is one transaction: one commit (one fsync) for a pipeline step's
        rows, its events and its state change, and all of them or none after a crash. Other threads wait
        for it, so a step opens it after its slow work (reading the file), around its journal writes only.
        A batch opened inside one of the same thread is part of the outer one."""
        if self._batch_owner == threading.get_ident():
            yield
            return
        committed: list[Callable[[], None]] = []
        with self._tx():
            self._batch_owner = threading.get_ident()
            self._after_commit = committed
            try:
                yield
            finally:
                self._batch_owner = None
                self._after_commit = None
        for mirror in committed:            # only once committed: a batch rolled back logged no transition
            mirror()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, committed (and fsynced, synchronous=FULL) on exit; inside `batch()`, part
        of the batch's."""
        with self._lock:
            if self._batch_owner == threading.get_ident():
                yield self._db
                return
            try:
                self._db.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise _journal_error(exc, f"journal {self.path} is not writable") from exc
            try:
                yield self._db
            except sqlite3.Error as exc:
                self._rollback()
                raise _journal_error(exc, f"journal {self.path} write failed") from exc
            except BaseException:
                self._rollback()
                raise
            try:
                self._db.execute("COMMIT")
            except sqlite3.Error as exc:
                self._rollback()
                raise _journal_error(exc, f"journal {self.path} commit failed") from exc

    def _rollback(self) -> None:
        """Undo the open transaction; SQLite may have rolled it back itself (a full disk does that)."""
        if self._db.in_transaction:
            self._db.execute("ROLLBACK")

    def _read(self, sql: str, params: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        with self._lock:
            try:
                return self._db.execute(sql, params).fetchall()
            except sqlite3.Error as exc:
                raise JournalError(f"journal {self.path} read failed: {exc}") from exc

    @staticmethod
    def _message(row: sqlite3.Row) -> Message:
        return Message(
            id=row["id"], direction=Direction(row["direction"]), state=State(row["state"]),
            partner=row["partner"], channel=row["channel"], filename=row["filename"],
            sha256=row["sha256"], size=row["size"], created_at=_dt(row["created_at"]) or utcnow(),
            updated_at=_dt(row["updated_at"]) or utcnow(), syntax=row["syntax"], doc_type=row["doc_type"],
            control_number=row["control_number"], source_key=row["source_key"], parent_id=row["parent_id"],
            attempts=row["attempts"], next_attempt_at=_dt(row["next_attempt_at"]),
            last_error=row["last_error"], meta=json.loads(row["meta"] or "{}"),
        )

    def _get(self, db: sqlite3.Connection, message_id: str) -> Message:
        row = db.execute("SELECT * FROM messages WHERE id = ?", (message_id,)).fetchone()
        if row is None:
            raise KeyError(message_id)
        return self._message(row)

    @staticmethod
    def _event(db: sqlite3.Connection, message_id: str, at: str, frm: State | None, to: State,
               reason: str) -> None:
        db.execute("INSERT INTO events (message_id, at, from_state, to_state, reason) VALUES (?,?,?,?,?)",
                   (message_id, at, frm.value if frm else None, to.value, reason))

    # ------------------------------------------------------------------ intake
    def record_intake(self, *, direction: Direction, partner: str | None, channel: str, filename: str,
                      sha256: str, size: int, source_key: str | None, meta: dict[str, Any] | None = None,
                      parent_id: str | None = None, state: State = State.RECEIVED, syntax: str | None = None,
                      doc_type: str | None = None, control_number: str | None = None) -> Message:
        """See Journal.record_intake; an outbound message with a known source_key is returned, not doubled.

        `syntax`, `doc_type`, `control_number` may be known already (rendered outbound documents).
        """
        now = _ts(utcnow())
        assert now is not None
        message_id = new_id()
        reason = f"{'received' if direction is Direction.IN else 'created'} via {channel}: {filename}"
        with self._tx() as db:
            if direction is Direction.OUT and source_key:
                # outbound documents are keyed (parent + doc type, Odoo record version): a re-run
                # after a crash gets the message it created the first time, never a second one
                row = db.execute("SELECT * FROM messages WHERE direction = ? AND source_key = ?",
                                 (direction.value, source_key)).fetchone()
                if row is not None:
                    return self._message(row)
            first = db.execute(
                "SELECT id FROM messages WHERE channel = ? AND IFNULL(source_key, '') = ? AND sha256 = ? "
                "AND direction = ? AND state != ? ORDER BY id LIMIT 1",
                (channel, source_key or "", sha256, direction.value, State.DUPLICATE.value)).fetchone()
            if first is not None and direction is Direction.IN:
                state = State.DUPLICATE
                reason = f"duplicate of {first['id']} (same bytes from the same source)"
                meta = {**(meta or {}), "duplicate_of": first["id"]}
            db.execute(
                "INSERT INTO messages (id, direction, state, partner, channel, filename, sha256, size, "
                "created_at, updated_at, source_key, parent_id, meta, syntax, doc_type, control_number) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (message_id, direction.value, state.value, partner, channel, filename, sha256, size,
                 now, now, source_key, parent_id, json.dumps(meta or {}, default=str), syntax, doc_type,
                 control_number))
            self._event(db, message_id, now, None, state, reason)
            return self._get(db, message_id)

    # ------------------------------------------------------------------ the one state writer
    def transition(self, message_id: str, to: State, reason: str, *,
                   expect: State | None = None, next_attempt_at: datetime | None = None,
                   error: str | None = None, **fields: Any) -> Message:
        unknown = set(fields) - set(_FIELDS) - {"meta"}
        if unknown:
            raise ValueError(f"transition cannot set {sorted(unknown)}")
        now = _ts(utcnow())
        assert now is not None
        with self._tx() as db:
            current = self._get(db, message_id)
            if expect is not None and current.state is not expect:
                raise JournalError(f"message {message_id} is {current.state.value}, expected {expect.value}")
            if to not in ALLOWED[current.state]:
                raise JournalError(f"message {message_id}: {current.state.value} -> {to.value} is not allowed")
            meta = dict(current.meta)
            meta.update(fields.pop("meta", None) or {})
            if to is State.RETRY_WAIT and current.state is not State.RETRY_WAIT:
                meta["resume_state"] = current.state.value     # where a retry picks up again
            sets = {"state": to.value, "updated_at": now, "meta": json.dumps(meta, default=str),
                    "next_attempt_at": _ts(next_attempt_at)}
            if error is not None:
                sets["last_error"] = error = _text(error)
            sets.update({name: _text(value) for name, value in fields.items()})
            reason = _text(reason)
            assignments = ", ".join(f"{name} = ?" for name in sets)
            db.execute(f"UPDATE messages SET {assignments} WHERE id = ?", (*sets.values(), message_id))
            text = reason if error is None or error in reason else f"{reason}: {error}"
            self._event(db, message_id, now, current.state, to, text)
            updated = self._get(db, message_id)
        # the audit trail, mirrored in the log after the commit (partner and control number come from
        # the caller's log_context once the envelope is read); inside a batch, after the batch's commit
        def mirror() -> None:
            with log_context(message_id=message_id, partner=updated.partner,
                             control_number=updated.control_number):
                log.log(logging.WARNING if to in ATTENTION else logging.INFO, "%s -> %s: %s",
                        current.state.value, to.value, text)
        if self._after_commit is not None and self._batch_owner == threading.get_ident():
            self._after_commit.append(mirror)
        else:
            mirror()
        return updated

    def note(self, message_id: str, *, error: str | None = None, meta: dict[str, Any] | None = None,
             look_again_at: datetime | None = None) -> Message:
        """Record a problem or detail on a message without changing its state (no event row).

        `look_again_at` keeps `due()` from returning the message before then (a step waiting for
        a part of the gateway that is not installed); `clear_waits()` lifts it.
        """
        with self._tx() as db:
            current = self._get(db, message_id)
            merged = {**current.meta, **(meta or {})}
            db.execute("UPDATE messages SET last_error = ?, meta = ?, updated_at = ?, next_attempt_at = ? "
                       "WHERE id = ?",
                       (_text(error) if error is not None else current.last_error, json.dumps(merged, default=str),
                        _ts(utcnow()), _ts(look_again_at) if look_again_at else _ts(current.next_attempt_at),
                        message_id))
            return self._get(db, message_id)

    def remark(self, message_id: str, reason: str, *, meta: dict[str, Any] | None = None) -> Message:
        now = _ts(utcnow())
        assert now is not None
        with self._tx() as db:
            current = self._get(db, message_id)
            db.execute("UPDATE messages SET meta = ?, updated_at = ? WHERE id = ?",
                       (json.dumps({**current.meta, **(meta or {})}, default=str), now, message_id))
            self._event(db, message_id, now, current.state, current.state, _text(reason))
            return self._get(db, message_id)

    def clear_waits(self) -> int:
        """Make every waiting message (not RETRY_WAIT, whose backoff stands) due now: after a start or reload."""
        marks = ",".join("?" for _ in ACTIVE - {State.RETRY_WAIT})
        with self._tx() as db:
            cur = db.execute(f"UPDATE messages SET next_attempt_at = NULL WHERE next_attempt_at IS NOT NULL "
                             f"AND state IN ({marks})", tuple(s.value for s in ACTIVE - {State.RETRY_WAIT}))
            return cur.rowcount

    def pull_in(self, latest: datetime, stepped_back: timedelta = timedelta(0)) -> int:
        """Bring each wait set beyond `latest` (now plus the longest wait the gateway sets) back to it. Only a clock
        since stepped back (NTP correcting one that ran ahead, a VM restored) puts one there, and the message would
        wait for as long as the clock was ahead: a day's ASNs held for a day. `stepped_back`: a step just seen while
        running, known to the second: every wait still ahead moves back by it, to the time it was set for, rather
        than to `latest` (an hour with the default outbox.max_backoff for a retry due in seconds). Returns how many
        moved."""
        marks = ",".join("?" for _ in ACTIVE)
        states = tuple(s.value for s in ACTIVE)
        moved = 0
        if stepped_back > timedelta(0):
            with self._tx() as db:
                rows = db.execute(f"SELECT id, next_attempt_at FROM messages WHERE next_attempt_at > ? AND state IN "
                                  f"({marks})", (_ts(utcnow()), *states)).fetchall()
                for row in rows:
                    earlier = min(latest, datetime.fromisoformat(row["next_attempt_at"]) - stepped_back)
                    db.execute("UPDATE messages SET next_attempt_at = ? WHERE id = ?", (_ts(earlier), row["id"]))
                moved = len(rows)
        where = f"next_attempt_at > ? AND state IN ({marks})"
        params = (_ts(latest), *states)
        if not self._read(f"SELECT 1 FROM messages WHERE {where} LIMIT 1", params):
            return moved                    # the usual case: a read, no write transaction
        with self._tx() as db:
            return moved + db.execute(f"UPDATE messages SET next_attempt_at = ? WHERE {where}",
                                      (_ts(latest), *params)).rowcount

    def pull_in_ack_dues(self, latest: datetime, stepped_back: timedelta = timedelta(0)) -> int:
        """`pull_in` for the due times of awaited acknowledgements (a 997/CONTRL, an async MDN, an SFTP pickup), which
        a clock that ran ahead set that much late: a day ahead, a missing 997 was flagged overdue a day late.
        `stepped_back` (a step back seen while running): each moves back by it, the async MDN's with it. Then one
        still beyond `latest` (now plus the longest window configured: a clock put back while the gateway was
        stopped, or a window since shortened) is brought back to it. A step forward moves none: the time may really
        have passed (a suspended or paused machine), and an alarm comes early rather than late. Returns how many
        moved."""
        if stepped_back <= timedelta(0) and not self._read("SELECT 1 FROM ack_expectations WHERE due_at > ? LIMIT 1",
                                                           (_ts(latest),)):
            return 0                        # the usual case: a read, no write transaction
        with self._tx() as db:
            rows = db.execute("SELECT a.message_id, a.kind, a.due_at, json_extract(m.meta, '$.awaits_due') AS mdn "
                              "FROM ack_expectations a JOIN messages m ON m.id = a.message_id").fetchall()
            moved = 0
            for row in rows:
                due = min(latest, datetime.fromisoformat(row["due_at"]) - stepped_back)
                if due != datetime.fromisoformat(row["due_at"]):
                    moved += 1
                    db.execute("UPDATE ack_expectations SET due_at = ? WHERE message_id = ? AND kind = ?",
                               (_ts(due), row["message_id"], row["kind"]))
            for message_id, mdn in {r["message_id"]: r["mdn"] for r in rows if r["mdn"]}.items():
                due = min(latest, datetime.fromisoformat(mdn) - stepped_back)
                if due != datetime.fromisoformat(mdn):
                    db.execute("UPDATE messages SET meta = json_set(meta, '$.awaits_due', ?) WHERE id = ?",
                               (due.isoformat(), message_id))
        return moved

    # ------------------------------------------------------------------ reads
    def get(self, message_id: str) -> Message:
        rows = self._read("SELECT * FROM messages WHERE id = ?", (message_id,))
        if not rows:
            raise KeyError(message_id)
        return self._message(rows[0])

    def events(self, message_id: str) -> list[Event]:
        rows = self._read("SELECT * FROM events WHERE message_id = ? ORDER BY seq", (message_id,))
        return [Event(message_id=r["message_id"], at=_dt(r["at"]) or utcnow(),
                      from_state=State(r["from_state"]) if r["from_state"] else None,
                      to_state=State(r["to_state"]), reason=r["reason"]) for r in rows]

    def find(self, *, state: State | None = None, partner: str | None = None,
             direction: Direction | None = None, limit: int = 100) -> list[Message]:
        where, params = [], []
        for column, value in (("state", state), ("partner", partner), ("direction", direction)):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value.value if isinstance(value, (State, Direction)) else value)
        sql = "SELECT * FROM messages" + (" WHERE " + " AND ".join(where) if where else "")
        sql += " ORDER BY id DESC LIMIT ?"
        return [self._message(r) for r in self._read(sql, (*params, limit))]

    def outbound_by_key(self, source_key: str) -> Message | None:
        rows = self._read("SELECT * FROM messages WHERE direction = ? AND source_key = ?",       # messages_key
                          (Direction.OUT.value, source_key))
        return self._message(rows[0]) if rows else None

    def due(self, now: datetime, limit: int = 100) -> list[Message]:
        marks = ",".join("?" for _ in ACTIVE)
        rows = self._read(
            f"SELECT * FROM messages WHERE state IN ({marks}) AND (next_attempt_at IS NULL OR next_attempt_at <= ?)"
            " ORDER BY IFNULL(next_attempt_at, created_at), id LIMIT ?",
            (*(s.value for s in ACTIVE), _ts(now), limit))
        return [self._message(r) for r in rows]

    def children(self, message_id: str) -> list[Message]:
        return [self._message(r) for r in
                self._read("SELECT * FROM messages WHERE parent_id = ? ORDER BY id", (message_id,))]

    def counts(self) -> dict[str, int]:
        """Number of messages per state (for `status` and metrics)."""
        return {r["state"]: r["n"] for r in self._read("SELECT state, COUNT(*) AS n FROM messages GROUP BY state")}

    def next_due_at(self) -> datetime | None:
        """When the earliest waiting message becomes due (lets workers sleep until then)."""
        rows = self._read("SELECT MIN(next_attempt_at) AS t FROM messages WHERE state = ?",
                          (State.RETRY_WAIT.value,))
        return _dt(rows[0]["t"]) if rows else None

    # ------------------------------------------------------------------ control numbers
    def next_control_number(self, partner: str, kind: str, modulo: int = 999_999_999) -> int:
        with self._tx() as db:
            row = db.execute("SELECT value FROM counters WHERE partner = ? AND kind = ?", (partner, kind)).fetchone()
            value = 1 if row is None else row["value"] % modulo + 1
            db.execute("INSERT INTO counters (partner, kind, value) VALUES (?,?,?) "
                       "ON CONFLICT(partner, kind) DO UPDATE SET value = excluded.value", (partner, kind, value))
        return int(value)

    # ------------------------------------------------------------------ interchange dedupe
    def seen_interchange(self, partner: str, sender: str, control_number: str, message_id: str) -> str | None:
        sender, control_number = _text(sender), _text(control_number)
        with self._tx() as db:
            row = db.execute("SELECT message_id FROM interchanges WHERE partner = ? AND sender = ? "
                             "AND control_number = ?", (partner, sender, control_number)).fetchone()
            if row is not None:
                return None if row["message_id"] == message_id else str(row["message_id"])
            db.execute("INSERT INTO interchanges (partner, sender, control_number, message_id, at) "
                       "VALUES (?,?,?,?,?)", (partner, sender, control_number, message_id, _ts(utcnow())))
            return None

    def forget_interchange(self, partner: str, sender: str, control_number: str, message_id: str) -> None:
        """Undo `seen_interchange` for `message_id`: the interchange was rejected, so the partner's corrected
        resend under the same control number is a new interchange, not a duplicate."""
        sender, control_number = _text(sender), _text(control_number)
        with self._tx() as db:
            db.execute("DELETE FROM interchanges WHERE partner = ? AND sender = ? AND control_number = ? "
                       "AND message_id = ?", (partner, sender, control_number, message_id))

    # ------------------------------------------------------------------ document dedupe (no control numbers)
    def seen_document(self, partner: str, kind: str, key: str, digest: str, message_id: str) -> DocumentSeen:
        key = _text(key)
        with self._tx() as db:
            same = db.execute("SELECT message_id FROM documents WHERE partner = ? AND kind = ? AND key = ? "
                              "AND digest = ?", (partner, kind, key, digest)).fetchone()
            if same is not None:
                earlier = str(same["message_id"])
                return DocumentSeen(duplicate_of=None if earlier == message_id else earlier)
            other = db.execute("SELECT message_id FROM documents WHERE partner = ? AND kind = ? AND key = ? "
                               "AND message_id != ? ORDER BY at DESC, message_id DESC LIMIT 1",
                               (partner, kind, key, message_id)).fetchone()
            db.execute("INSERT INTO documents (partner, kind, key, digest, message_id, at) VALUES (?,?,?,?,?,?)",
                       (partner, kind, key, digest, message_id, _ts(utcnow())))
            return DocumentSeen(revises=str(other["message_id"]) if other is not None else None)

    def document_messages(self, partner: str, kind: str, key: str) -> list[str]:
        rows = self._read("SELECT message_id FROM documents WHERE partner = ? AND kind = ? AND key = ? "
                          "ORDER BY at DESC, message_id DESC", (partner, kind, _text(key)))
        return [str(r["message_id"]) for r in rows]

    # ------------------------------------------------------------------ ack tracking
    def expect_ack(self, message_id: str, partner: str, kind: str, control_number: str,
                   group_number: str | None, due_at: datetime) -> None:
        with self._tx() as db:
            db.execute("INSERT OR REPLACE INTO ack_expectations (message_id, partner, kind, control_number, "
                       "group_number, due_at) VALUES (?,?,?,?,?,?)",
                       (message_id, partner, kind, control_number, group_number or "", _ts(due_at)))

    def settle_ack(self, message_id: str, kind: str) -> None:
        with self._tx() as db:
            db.execute("DELETE FROM ack_expectations WHERE message_id = ? AND kind = ?", (message_id, kind))

    def match_ack(self, partner: str, kind: str, control_number: str, group_number: str | None) -> str | None:
        """An empty control number matches by group number alone (a 997 quotes GS06, not ISA13)."""
        control_number, group_number = _text(control_number), _text(group_number)
        sql = "SELECT message_id FROM ack_expectations WHERE partner = ? AND kind = ?"
        params: tuple[Any, ...] = (partner, kind)
        if control_number:
            sql += " AND control_number = ?"
            params += (control_number,)
        elif not group_number:
            return None
        if group_number is not None:
            sql += " AND (group_number = ? OR group_number = '')"
            params += (group_number,)
        rows = self._read(sql + " ORDER BY message_id DESC LIMIT 1", params)
        return str(rows[0]["message_id"]) if rows else None

    def overdue_acks(self, now: datetime) -> list[Message]:
        rows = self._read("SELECT m.* FROM messages m JOIN ack_expectations a ON a.message_id = m.id "
                          "WHERE a.due_at <= ? AND m.state = ? GROUP BY m.id ORDER BY m.id",
                          (_ts(now), State.SENT.value))
        return [self._message(r) for r in rows]

    def sent_documents(self, partner: str, *, doc_types: tuple[str, ...], number: str | None = None,
                       control_number: str | None = None, group_number: str | None = None,
                       transaction: str | None = None, unnumbered: bool = False, limit: int = 5) -> list[Message]:
        if not doc_types or not (number or control_number or group_number or transaction or unnumbered):
            return []
        sql = (f"SELECT * FROM messages WHERE direction = ? AND partner = ? "
               f"AND doc_type IN ({','.join('?' for _ in doc_types)})")
        params: list[Any] = [Direction.OUT.value, partner, *doc_types]
        for clause, value in (("json_extract(meta, '$.number') = ?", number), ("control_number = ?", control_number),
                              ("CAST(json_extract(meta, '$.group_number') AS TEXT) = ?", group_number),
                              ("EXISTS (SELECT 1 FROM json_each(meta, '$.transaction_numbers') WHERE value = ?)",
                               transaction)):
            if value:
                sql += f" AND {clause}"
                params.append(_text(value))
        if unnumbered:
            sql += " AND json_extract(meta, '$.number') IS NULL"
        return [self._message(r) for r in self._read(sql + " ORDER BY id DESC LIMIT ?", (*params, limit))]

    # ------------------------------------------------------------------ Odoo
    def link_odoo(self, link: OdooLink) -> None:
        with self._tx() as db:
            db.execute("INSERT INTO odoo_links (message_id, model, record_id, role) VALUES (?,?,?,?) "
                       "ON CONFLICT(message_id, model, record_id) DO NOTHING",
                       (link.message_id, link.model, link.record_id, link.role))

    def odoo_links(self, message_id: str) -> list[OdooLink]:
        rows = self._read("SELECT * FROM odoo_links WHERE message_id = ? ORDER BY rowid", (message_id,))
        return [OdooLink(r["message_id"], r["model"], r["record_id"], r["role"]) for r in rows]

    def linked_messages(self, model: str, record_id: int) -> list[str]:
        rows = self._read("SELECT message_id FROM odoo_links WHERE model = ? AND record_id = ? ORDER BY rowid",
                          (model, record_id))
        return [r["message_id"] for r in rows]

    def export_mark(self, partner: str, model: str, record_id: int, write_date: str, kind: str) -> bool:
        with self._tx() as db:
            cur = db.execute("INSERT OR IGNORE INTO export_marks (partner, model, record_id, write_date, kind, at) "
                             "VALUES (?,?,?,?,?,?)", (partner, model, record_id, write_date, kind, _ts(utcnow())))
            return cur.rowcount == 1

    # ------------------------------------------------------------------ blobs
    def put_blob(self, message_id: str, name: str, content: str) -> None:
        with self._tx() as db:
            db.execute("INSERT OR REPLACE INTO blobs (message_id, name, content) VALUES (?,?,?)",
                       (message_id, name, content))

    def get_blob(self, message_id: str, name: str) -> str | None:
        rows = self._read("SELECT content FROM blobs WHERE message_id = ? AND name = ?", (message_id, name))
        return str(rows[0]["content"]) if rows else None

    # ------------------------------------------------------------------ archive support
    def needed_shas(self, cutoff: datetime) -> set[str]:
        """Archive hashes still needed: any message not finished, or touched since `cutoff`."""
        marks = ",".join("?" for _ in ACTIVE | {State.SENT})
        rows = self._read(f"SELECT DISTINCT sha256 FROM messages WHERE state IN ({marks}) OR updated_at >= ?",
                          (*(s.value for s in ACTIVE | {State.SENT}), _ts(cutoff)))
        return {r["sha256"] for r in rows}

    def close(self) -> None:
        with self._lock:
            self._db.close()


def open_journal(state_dir: Path) -> SqliteJournal:
    """The journal of a gateway whose state folder is `state_dir`."""
    os.makedirs(state_dir, exist_ok=True)
    return SqliteJournal(Path(state_dir) / "journal.sqlite3")
