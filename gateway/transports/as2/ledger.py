"""AS2 bookkeeping the journal does not model: Message-IDs seen per partner, MICs we await, MDNs to send.

A small SQLite file next to the journal (`state/as2.sqlite3`). The journal stays the
record of documents; this file only answers "did this partner send this Message-ID
within the window", "which outbound message does this MDN answer" and "which async
MDNs still have to go out".
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS seen (
    partner TEXT NOT NULL, message_id TEXT NOT NULL, at REAL NOT NULL, journal_id TEXT NOT NULL,
    PRIMARY KEY (partner, message_id));
CREATE TABLE IF NOT EXISTS sent (
    message_id TEXT PRIMARY KEY, journal_id TEXT NOT NULL, partner TEXT NOT NULL,
    mic TEXT NOT NULL, mic_alg TEXT NOT NULL, at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS mdn_out (
    id INTEGER PRIMARY KEY AUTOINCREMENT, partner TEXT NOT NULL, url TEXT NOT NULL,
    headers TEXT NOT NULL, body BLOB NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
    next_at REAL NOT NULL, last_error TEXT, done INTEGER NOT NULL DEFAULT 0);  -- 1 sent, 2 given up, 3 refused
"""


@dataclass(slots=True)
class PendingMdn:
    id: int
    partner: str
    url: str
    headers: dict[str, str]
    body: bytes
    attempts: int


@dataclass(slots=True)
class SentRecord:
    message_id: str
    journal_id: str
    partner: str
    mic: str
    mic_alg: str


class Ledger:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(SCHEMA)
        self._lock = threading.Lock()

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
            self._db.execute("INSERT OR REPLACE INTO sent VALUES (?,?,?,?,?,?)",
                             (rec.message_id, rec.journal_id, rec.partner, rec.mic, rec.mic_alg, time.time()))

    def sent(self, message_id: str) -> SentRecord | None:
        with self._lock:
            row = self._db.execute("SELECT message_id, journal_id, partner, mic, mic_alg FROM sent "
                                   "WHERE message_id=?", (message_id.strip(),)).fetchone()
        return SentRecord(*row) if row else None

    # -- async MDNs to send (a durable queue with backoff) --------------------------
    def queue_mdn(self, partner: str, url: str, headers: dict[str, str], body: bytes) -> int:
        with self._lock:
            cur = self._db.execute("INSERT INTO mdn_out (partner, url, headers, body, next_at) VALUES (?,?,?,?,?)",
                                   (partner, url, json.dumps(headers), body, time.time()))
            return int(cur.lastrowid or 0)

    def due_mdns(self, limit: int = 20) -> list[PendingMdn]:
        with self._lock:
            rows = self._db.execute("SELECT id, partner, url, headers, body, attempts FROM mdn_out "
                                    "WHERE done=0 AND next_at<=? ORDER BY id LIMIT ?",
                                    (time.time(), limit)).fetchall()
        return [PendingMdn(r[0], r[1], r[2], json.loads(r[3]), r[4], r[5]) for r in rows]

    def mdn_sent(self, mdn_id: int) -> None:
        with self._lock:
            self._db.execute("UPDATE mdn_out SET done=1 WHERE id=?", (mdn_id,))

    def mdn_failed(self, mdn_id: int, error: str, delay: float, give_up: bool) -> None:
        with self._lock:
            self._db.execute("UPDATE mdn_out SET attempts=attempts+1, next_at=?, last_error=?, done=? WHERE id=?",
                             (time.time() + delay, error, 2 if give_up else 0, mdn_id))

    def mdn_refused(self, mdn_id: int, reason: str) -> None:
        """Not sent, and never tried again: its URL leads where the partner's settings do not allow (done=3)."""
        with self._lock:
            self._db.execute("UPDATE mdn_out SET last_error=?, done=3 WHERE id=?", (reason, mdn_id))

    def next_mdn_at(self) -> float | None:
        with self._lock:
            row = self._db.execute("SELECT MIN(next_at) FROM mdn_out WHERE done=0").fetchone()
        return row[0] if row and row[0] is not None else None
