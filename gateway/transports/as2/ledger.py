"""AS2 bookkeeping the journal does not model: Message-IDs seen per partner, MICs we await, MDNs to send.

A small SQLite file next to the journal (`state/as2.sqlite3`). The journal stays the
record of documents; this file only answers "did this partner send this Message-ID
within the window", "which outbound message does this MDN answer" and "which async
MDNs still have to go out".
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from gateway.logs import redact_url

SCHEMA = """
CREATE TABLE IF NOT EXISTS seen (
    partner TEXT NOT NULL, message_id TEXT NOT NULL, at REAL NOT NULL, journal_id TEXT NOT NULL,
    PRIMARY KEY (partner, message_id));
CREATE TABLE IF NOT EXISTS sent (
    message_id TEXT PRIMARY KEY, journal_id TEXT NOT NULL, partner TEXT NOT NULL,
    mic TEXT NOT NULL, mic_alg TEXT NOT NULL, at REAL NOT NULL);
-- an unsigned message's MICs by algorithm (JSON, pack.unsigned_mics): a table apart, so that a release before it,
-- writing `sent` as it knows it, still can after a downgrade
CREATE TABLE IF NOT EXISTS sent_mics (message_id TEXT PRIMARY KEY, mics TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS mdn_out (
    id INTEGER PRIMARY KEY AUTOINCREMENT, partner TEXT NOT NULL, url TEXT NOT NULL,
    headers TEXT NOT NULL, body BLOB NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
    next_at REAL NOT NULL, last_error TEXT, done INTEGER NOT NULL DEFAULT 0,  -- 1 sent, 2 given up, 3 refused
    message_id TEXT, journal_id TEXT, at REAL,      -- the partner's Message-ID it answers, our journal id, queued at
    requeued INTEGER NOT NULL DEFAULT 0);           -- times `edi-gateway mdn resend` queued it again
CREATE INDEX IF NOT EXISTS mdn_out_due ON mdn_out (done, next_at);
"""
# columns added to mdn_out since its first release (a ledger made before them gets them when opened)
ADDED = (("message_id", "TEXT"), ("journal_id", "TEXT"), ("at", "REAL"), ("requeued", "INTEGER NOT NULL DEFAULT 0"))
MDN_STATES = {0: "queued", 1: "sent", 2: "failed", 3: "refused"}   # mdn_out.done, as `edi-gateway mdn` names it
# A failed or refused attempt is recorded only on the row as it was tried: `edi-gateway mdn resend` (another
# process) may have queued it again meanwhile (attempts reset, perhaps a new URL), and the attempt must not undo
# that (give it up, or put it off by the old attempt's backoff). The count of requeues tells, where attempts and
# URL alone did not: a resend to the same URL during the first attempt left both as they were
UNLESS_REQUEUED = "id=? AND done=0 AND attempts=? AND requeued=?"


@dataclass(slots=True)
class PendingMdn:
    id: int
    partner: str
    url: str
    headers: dict[str, str]
    body: bytes
    attempts: int
    message_id: str = ""          # the partner's AS2 Message-ID this MDN answers
    journal_id: str = ""          # the inbound message it was taken as (or the earlier one it repeats)
    last_error: str | None = None
    requeued: int = 0             # times `edi-gateway mdn resend` queued it again, when it was read


@dataclass(slots=True)
class OwedMdn:
    """One row of the async-MDN queue as `edi-gateway mdn list` shows it (no body)."""

    id: int
    partner: str
    url: str
    message_id: str
    journal_id: str
    state: str                    # queued, sent, failed (given up), refused (see MDN_STATES)
    attempts: int
    last_error: str | None
    at: float | None              # when it was queued (None for rows older than the column)
    next_at: float


@dataclass(slots=True)
class SentRecord:
    message_id: str
    journal_id: str
    partner: str
    mic: str
    mic_alg: str
    mics: dict[str, list[str]] = field(default_factory=dict)   # unsigned: the MICs by algorithm (see check_mdn)


class Ledger:
    def __init__(self, path: Path, *, read_only: bool = False) -> None:
        """`read_only`: a look that changes nothing (the status page), at a file the AS2 part made and opened."""
        self._lock = threading.Lock()
        if read_only:
            self._db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5.0, check_same_thread=False,
                                       isolation_level=None)
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(SCHEMA)
        _add_columns(self._db)

    def close(self) -> None:
        self._db.close()

    # -- inbound Message-IDs --------------------------------------------------------
    def seen(self, partner: str, message_id: str, window_days: float) -> str | None:
        """The journal id of an earlier message with this Message-ID inside the window."""
        cutoff = time.time() - window_days * 86400
        with self._lock:
            row = self._db.execute("SELECT journal_id FROM seen WHERE partner=? AND message_id=? AND at>=?",
                                   (partner, message_id, cutoff)).fetchone()
        return row[0] if row else None

    def remember(self, partner: str, message_id: str, journal_id: str, window_days: float) -> None:
        now = time.time()
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO seen VALUES (?,?,?,?)", (partner, message_id, now, journal_id))
            self._db.execute("DELETE FROM seen WHERE at < ?", (now - window_days * 86400,))

    # -- outbound MICs ----------------------------------------------------------------
    def record_sent(self, rec: SentRecord) -> None:
        with self._lock:
            # its MICs first: a `sent` row is never without them (a crash between leaves a row nobody reads)
            if rec.mics:
                self._db.execute("INSERT OR REPLACE INTO sent_mics VALUES (?,?)", (rec.message_id, json.dumps(rec.mics)))
            else:
                self._db.execute("DELETE FROM sent_mics WHERE message_id=?", (rec.message_id,))
            self._db.execute("INSERT OR REPLACE INTO sent (message_id, journal_id, partner, mic, mic_alg, at) "
                             "VALUES (?,?,?,?,?,?)", (rec.message_id, rec.journal_id, rec.partner, rec.mic, rec.mic_alg, time.time()))

    def sent(self, message_id: str) -> SentRecord | None:
        """The message an MDN's Original-Message-ID names, with or without the angle brackets we sent it with."""
        # imported here: it brings aiohttp and cryptography, which `edi-gateway status` reading the ledger needs not
        from gateway.transports.as2.mdn import bare_message_id

        bare = bare_message_id(message_id)
        with self._lock:
            row = self._db.execute("SELECT s.message_id, journal_id, partner, mic, mic_alg, m.mics FROM sent s "
                                   "LEFT JOIN sent_mics m ON m.message_id = s.message_id "
                                   "WHERE s.message_id IN (?, ?) ORDER BY s.message_id = ? DESC",
                                   (f"<{bare}>", bare, message_id.strip())).fetchone()
        if row is None:
            return None
        message_id, journal_id, partner, mic, mic_alg, mics = row
        return SentRecord(message_id, journal_id, partner, mic, mic_alg, json.loads(mics) if mics else {})

    # -- async MDNs to send (a durable queue with backoff) --------------------------
    def queue_mdn(self, partner: str, url: str, headers: dict[str, str], body: bytes, *, message_id: str = "",
                  journal_id: str = "", refused: str | None = None) -> int:
        """Queue an MDN to POST; one `refused` (its URL is not allowed) is kept unsent, for `edi-gateway mdn
        resend` once the partner's settings allow it."""
        now = time.time()
        with self._lock:
            cur = self._db.execute(
                "INSERT INTO mdn_out (partner, url, headers, body, next_at, last_error, done, message_id, journal_id,"
                " at) VALUES (?,?,?,?,?,?,?,?,?,?)",
                (partner, url, json.dumps(headers), body, now, refused, 3 if refused else 0, message_id, journal_id,
                 now))
            return int(cur.lastrowid or 0)

    def due_mdns(self, limit: int = 20) -> list[PendingMdn]:
        with self._lock:
            rows = self._db.execute("SELECT id, partner, url, headers, body, attempts, message_id, journal_id, "
                                    "last_error, requeued FROM mdn_out WHERE done=0 AND next_at<=? ORDER BY id LIMIT ?",
                                    (time.time(), limit)).fetchall()
        return [PendingMdn(r[0], r[1], r[2], json.loads(r[3]), r[4], r[5], r[6] or "", r[7] or "", r[8], r[9])
                for r in rows]

    def owed_mdns(self, *, partner: str | None = None, state: str | None = None, key: str | None = None,
                  limit: int = 100) -> list[OwedMdn]:
        """The queue's rows, newest first: of one partner, in one state (a MDN_STATES name), or answering `key`
        (a journal id or an AS2 Message-ID, with or without its angle brackets)."""
        where: list[str] = []
        params: list[str | int] = []
        if partner is not None:
            where.append("partner=?")
            params.append(partner)
        if state is not None:
            where.append("done=?")
            params.append(next(code for code, name in MDN_STATES.items() if name == state))
        if key is not None:
            bare = key.strip().strip("<>")
            where.append("(journal_id=? OR message_id=? OR message_id=?)")
            params += [key.strip(), bare, f"<{bare}>"]
        sql = ("SELECT id, partner, url, message_id, journal_id, done, attempts, last_error, at, next_at FROM mdn_out"
               + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY id DESC LIMIT ?")
        with self._lock:
            rows = self._db.execute(sql, (*params, limit)).fetchall()
        return [OwedMdn(r[0], r[1], r[2], r[3] or "", r[4] or "", MDN_STATES.get(r[5], str(r[5])), r[6], r[7], r[8],
                        r[9]) for r in rows]

    def unsent_counts(self) -> dict[str, int]:
        """How many MDNs are refused and how many failed (given up), as long as nobody sent them again."""
        with self._lock:
            rows = self._db.execute("SELECT done, COUNT(*) FROM mdn_out WHERE done IN (2, 3) GROUP BY done").fetchall()
        return {MDN_STATES[done]: n for done, n in rows}

    def requeue_mdn(self, mdn_id: int, url: str | None = None) -> bool:
        """Due now again, attempts reset (its last error kept until it is sent), to `url` when given: `edi-gateway
        mdn resend`, from any process; the daemon's sender looks at the queue every few seconds. False when it
        was sent meanwhile (the daemon's retry got through after the command looked): not sent twice."""
        with self._lock:
            cur = self._db.execute("UPDATE mdn_out SET done=0, attempts=0, next_at=?, url=COALESCE(?, url), "
                                   "requeued=requeued+1 WHERE id=? AND done!=1", (time.time(), url, mdn_id))
            return cur.rowcount > 0

    def mdn_signed(self, mdn_id: int, headers: dict[str, str], body: bytes) -> None:
        """The MDN as signed again with our current key pair (`mdn.signed_again`): what is kept is what is sent."""
        with self._lock:
            self._db.execute("UPDATE mdn_out SET headers=?, body=? WHERE id=?", (json.dumps(headers), body, mdn_id))

    def mdn_sent(self, tried: PendingMdn) -> bool:
        """Recorded as sent, unless `edi-gateway mdn resend --url` sent it elsewhere while it was POSTed (False):
        the row then stays queued for the address the partner gave since, rather than saying it was sent there
        (the partner gets it twice, one Original-Message-ID). A resend to the same URL is answered by this POST."""
        with self._lock:
            cur = self._db.execute("UPDATE mdn_out SET done=1 WHERE id=? AND done=0 AND url=?", (tried.id, tried.url))
            return cur.rowcount > 0

    def mdn_failed(self, tried: PendingMdn, error: str, delay: float, give_up: bool) -> bool:
        """Retried after `delay`, or given up (done=2); False when the row was queued again while it was tried
        (UNLESS_REQUEUED)."""
        with self._lock:
            cur = self._db.execute("UPDATE mdn_out SET attempts=attempts+1, next_at=?, last_error=?, done=? "
                                   f"WHERE {UNLESS_REQUEUED}", (time.time() + delay, error, 2 if give_up else 0,
                                                                tried.id, tried.attempts, tried.requeued))
            return cur.rowcount > 0

    def mdn_refused(self, tried: PendingMdn, reason: str) -> bool:
        """Not sent, and never tried again: its URL leads where the partner's settings do not allow (done=3);
        False when the row was queued again while it was tried."""
        with self._lock:
            cur = self._db.execute(f"UPDATE mdn_out SET last_error=?, done=3 WHERE {UNLESS_REQUEUED}",
                                   (reason, tried.id, tried.attempts, tried.requeued))
            return cur.rowcount > 0

    def next_mdn_at(self) -> float | None:
        with self._lock:
            row = self._db.execute("SELECT MIN(next_at) FROM mdn_out WHERE done=0").fetchone()
        return row[0] if row and row[0] is not None else None


def _add_columns(db: sqlite3.Connection) -> None:
    """Give a ledger made by an earlier release the mdn_out columns it lacks (another process may race us)."""
    have = {row[1] for row in db.execute("PRAGMA table_info(mdn_out)")}
    for name, kind in ADDED:
        if name not in have:
            try:
                db.execute(f"ALTER TABLE mdn_out ADD COLUMN {name} {kind}")
            except sqlite3.OperationalError as exc:
                if "duplicate column" not in str(exc):
                    raise
    if "message_id" not in have:
        _name_earlier_mdns(db)


_ORIGINAL = re.compile(rb"^Original-Message-ID:[ \t]*([^\r\n]+)", re.MULTILINE | re.IGNORECASE)


def _name_earlier_mdns(db: sqlite3.Connection) -> None:
    """The unsent MDNs an earlier release queued: their Message-ID from the MDN's own report, the journal id from
    `seen` (while the duplicate window keeps it), so `edi-gateway mdn resend` finds them by either."""
    for row_id, partner, body in db.execute("SELECT id, partner, body FROM mdn_out WHERE done != 1").fetchall():
        found = _ORIGINAL.search(body)
        if found is None:
            continue
        message_id = found.group(1).decode("utf-8", "replace").strip()
        seen = db.execute("SELECT journal_id FROM seen WHERE partner=? AND message_id=?",
                          (partner, message_id)).fetchone()
        db.execute("UPDATE mdn_out SET message_id=?, journal_id=? WHERE id=?",
                   (message_id, seen[0] if seen else None, row_id))


def owed_note(state: str, url: str, reason: str | None = None) -> dict[str, str]:
    """What the inbound message's meta `async_mdn` says of the MDN we owe for it (`show`, the status page)."""
    note = {"state": state, "url": redact_url(url), "at": datetime.now(UTC).isoformat(timespec="seconds")}
    return {**note, "reason": reason} if reason else note


def owed_text(meta: dict[str, object], message_id: str) -> str | None:
    """One line on the MDN we owe for an inbound message, from its meta `async_mdn` (None when nothing went
    wrong with it): what `edi-gateway show` and the status page's message page say."""
    note = meta.get("async_mdn")
    if not isinstance(note, dict):
        return None
    state, url, at = note.get("state"), note.get("url", "?"), str(note.get("at", ""))[:19].replace("T", " ")
    why = f": {note['reason']}" if note.get("reason") else ""
    if state == "refused":
        return (f"asynchronous MDN not sent, refused {at} UTC, to {url}{why} (once the partner's async_mdn_allow "
                f"lists it: edi-gateway mdn resend {message_id})")
    if state == "failed":
        return f"asynchronous MDN not sent, failed {at} UTC, to {url}{why} (edi-gateway mdn resend {message_id})"
    if state == "queued":
        return f"asynchronous MDN queued again {at} UTC for {url}{why}"
    return f"asynchronous MDN sent {at} UTC to {url} (after it was refused or failed)"
