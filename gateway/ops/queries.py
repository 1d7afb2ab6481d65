"""Read-only aggregate queries over the SQLite journal, for /metrics and the status page.

The Journal interface answers questions about one message; operations need totals over all of
them (counts per state, latency buckets, the oldest unacknowledged message). Those are single
SQL aggregates here, on a separate connection opened with ``mode=ro``: this module can never
change the journal, and its reads never wait for the daemon's writes (WAL readers do not block).
Timestamps are stored as UTC ISO-8601 text, so comparing them as strings orders them in time.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from gateway.journal.api import State

# Inbound and outbound states a worker or the outbox still has to move (not waiting on a partner).
IN_FLIGHT = (State.RECEIVED, State.PARSED, State.TRANSLATED, State.POSTED, State.QUEUED, State.RETRY_WAIT)
ACK_TYPES = ("997", "999", "TA1", "CONTRL", "APERAK", "824")
T = TypeVar("T")
LATENCY_BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0, 3600.0, 14400.0, 86400.0)


def _ts(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def _marks(values: tuple[Any, ...]) -> str:
    return ",".join("?" for _ in values)


def progress_since(events: list[tuple[str | None, str, str]]) -> str | None:
    """When a message last made progress, from its (from, to, at) events in order.

    Moving into retry_wait, and resuming from it into the state it failed in, is not progress.
    """
    since: str | None = None
    resume: str | None = None
    retry = State.RETRY_WAIT.value
    for frm, to, at in events:
        if to == retry:
            if frm != retry:
                resume = frm
            continue
        if frm == retry and to == resume:
            continue
        since, resume = at, None
    return since


@dataclass(slots=True)
class Histogram:
    buckets: list[int]          # cumulative counts per LATENCY_BUCKETS upper bound
    count: int
    total: float


@dataclass(slots=True)
class PartnerFlow:
    """One row of the status page's flow table."""

    partner: str
    received: int = 0           # inbound files taken in (duplicates and the partner's acks excluded)
    posted: int = 0             # inbound files that reached Odoo
    odoo_records: dict[str, int] = field(default_factory=dict)   # distinct Odoo records they made, by model
    in_flight: int = 0          # inbound and outbound still moving
    acks_sent: int = 0          # 997/999/TA1/CONTRL we sent
    acks_received: int = 0      # the partner's 997/999/TA1/CONTRL for what we sent
    outbound: dict[str, int] = field(default_factory=dict)   # other documents we sent, by type
    quarantined: int = 0
    dead: int = 0
    duplicates: int = 0
    last_activity: str | None = None


@dataclass(slots=True)
class Row:
    """A message as the status page lists it."""

    id: str
    direction: str
    state: str
    partner: str | None
    channel: str
    filename: str
    doc_type: str | None
    control_number: str | None
    created_at: str
    updated_at: str
    attempts: int
    last_error: str | None
    reason: str | None = None    # the reason of its latest event
    sha256: str = ""
    since: str | None = None     # stuck list: when it last made progress (see `progress_since`)


class JournalQueries:
    """Aggregates over the journal database at `path`, on a read-only connection."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._db: sqlite3.Connection | None = None
        self._lock = threading.RLock()
        self._memos: dict[str, Any] = {}
        self._memo_version: int | None = None
        self._latency: tuple[int, dict[tuple[str, str], Histogram]] | None = None   # (events seq counted, figures)

    def _conn(self) -> sqlite3.Connection:
        if self._db is None:
            db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=5.0, check_same_thread=False)
            db.row_factory = sqlite3.Row
            self._db = db
        return self._db

    def _rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._conn().execute(sql, params).fetchall()

    def _memo(self, key: str, compute: Callable[[], T]) -> T:
        """`compute()`, reused until the journal changes: scrapes of an unchanged journal cost one PRAGMA.

        PRAGMA data_version changes whenever another connection commits to the database, and every
        write comes from another connection (this one is read-only), so a reused answer is always the
        one the query would give now. Callers must not mutate what they get.
        """
        with self._lock:
            version = int(self._conn().execute("PRAGMA data_version").fetchone()[0])
            if version != self._memo_version:
                self._memos.clear()
                self._memo_version = version
            if key not in self._memos:
                self._memos[key] = compute()
            result: T = self._memos[key]
            return result

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None
            self._memos.clear()
            self._memo_version = None
            self._latency = None

    # ------------------------------------------------------------------ metrics
    def message_counts(self) -> list[tuple[str, str, str, str, int]]:
        """(direction, state, partner, doc_type, count) for every combination present."""
        return self._memo("message_counts", self._message_counts)

    def _message_counts(self) -> list[tuple[str, str, str, str, int]]:
        # Grouped on the bare columns so SQLite walks the messages_metrics index in order (no temp
        # b-tree); NULL and '' are merged and the few hundred groups sorted here instead.
        counts: dict[tuple[str, str, str, str], int] = {}
        for d, st, p, t, n in self._rows("SELECT direction, state, partner, doc_type, COUNT(*) FROM messages "
                                         "GROUP BY direction, state, partner, doc_type"):
            key = (d, st, p or "", t or "")
            counts[key] = counts.get(key, 0) + n
        return [(*key, n) for key, n in sorted(counts.items())]

    def intake_to_odoo(self) -> dict[tuple[str, str], Histogram]:
        """Seconds from intake to the first POSTED event, bucketed, per (partner, doc_type)."""
        return self._memo("intake_to_odoo", self._intake_to_odoo)

    def _intake_to_odoo(self) -> dict[tuple[str, str], Histogram]:
        """Counted once over the whole journal, then kept up to date from the events written since (the
        events table only grows, its seq in commit order): a scrape after a write reads the new POSTED
        events, not every posted message again."""
        top = int(self._rows("SELECT IFNULL(MAX(seq), 0) FROM events")[0][0])
        if self._latency is None or top < self._latency[0]:       # first scrape, or another journal file
            figures = self._latency_upto(top)
        else:
            covered, figures = self._latency
            self._latency_add(figures, covered, top)
        self._latency = (top, figures)
        return {key: Histogram(list(h.buckets), h.count, h.total) for key, h in sorted(figures.items())}

    def _latency_upto(self, top: int) -> dict[tuple[str, str], Histogram]:
        cases = ", ".join(f"SUM(CASE WHEN s <= {b!r} THEN 1 ELSE 0 END)" for b in LATENCY_BUCKETS)
        # driven from events_state(to_state, message_id): grouping on e.message_id follows that index's
        # order, where grouping on m.id needed a temp b-tree over every posted message
        rows = self._rows(
            f"SELECT p, t, COUNT(*), SUM(s), {cases} FROM ("
            " SELECT IFNULL(m.partner, '') AS p, IFNULL(m.doc_type, '') AS t,"
            " (julianday(MIN(e.at)) - julianday(m.created_at)) * 86400.0 AS s"
            " FROM events e JOIN messages m ON m.id = e.message_id"
            " WHERE e.to_state = ? AND e.seq <= ? AND m.direction = 'in' GROUP BY e.message_id) GROUP BY p, t",
            (State.POSTED.value, top))
        return {(r[0], r[1]): Histogram(buckets=[int(x) for x in tuple(r)[4:]], count=int(r[2]),
                                        total=float(r[3] or 0.0)) for r in rows}

    def _latency_add(self, figures: dict[tuple[str, str], Histogram], covered: int, top: int) -> None:
        """Add the inbound messages whose first POSTED event is among events (covered, top]."""
        rows = self._rows(
            "SELECT IFNULL(m.partner, ''), IFNULL(m.doc_type, ''),"
            " (julianday(e.at) - julianday(m.created_at)) * 86400.0"
            # CROSS JOIN and "+e.to_state" keep SQLite walking the new events by seq (the rowid) first, not
            # every posted message or every POSTED event
            " FROM events e CROSS JOIN messages m ON m.id = e.message_id"
            " WHERE e.seq > ? AND e.seq <= ? AND +e.to_state = ? AND m.direction = 'in' AND NOT EXISTS"
            " (SELECT 1 FROM events x WHERE x.to_state = e.to_state AND x.message_id = e.message_id"
            " AND x.seq < e.seq)", (covered, top, State.POSTED.value))
        for partner, doc_type, seconds in rows:
            hist = figures.setdefault((partner, doc_type), Histogram([0] * len(LATENCY_BUCKETS), 0, 0.0))
            value = float(seconds or 0.0)
            hist.count += 1
            hist.total += value
            for index, bound in enumerate(LATENCY_BUCKETS):
                if value <= bound:
                    hist.buckets[index] += 1

    def event_totals(self, to_state: State) -> list[tuple[str, str, int]]:
        """(partner, direction, count) of transitions into `to_state`, ever: a counter."""
        def compute() -> list[tuple[str, str, int]]:
            rows = self._rows("SELECT IFNULL(m.partner, '') AS p, m.direction AS d, COUNT(*) AS n FROM events e "
                              "JOIN messages m ON m.id = e.message_id WHERE e.to_state = ? GROUP BY 1, 2 "
                              "ORDER BY 1, 2", (to_state.value,))
            return [(r["p"], r["d"], r["n"]) for r in rows]
        return self._memo(f"event_totals:{to_state.value}", compute)

    def outbox_depth(self) -> dict[str, int]:
        """Outbound messages waiting to be (re)sent, per partner."""
        def compute() -> dict[str, int]:
            rows = self._rows("SELECT IFNULL(partner, '') AS p, COUNT(*) AS n FROM messages "
                              "WHERE direction = 'out' AND state IN (?, ?) GROUP BY 1",
                              (State.QUEUED.value, State.RETRY_WAIT.value))
            return {r["p"]: r["n"] for r in rows}
        return dict(self._memo("outbox_depth", compute))

    def oldest_unacked(self, now: datetime) -> dict[str, float]:
        """Per partner, the age in seconds of the oldest outbound message sent and still awaiting its ack."""
        def compute() -> list[tuple[str, str]]:
            rows = self._rows(
                "SELECT IFNULL(m.partner, '') AS p, MIN(m.updated_at) AS t FROM messages m "
                "WHERE m.direction = 'out' AND m.state = ? "
                "AND EXISTS (SELECT 1 FROM ack_expectations a WHERE a.message_id = m.id) GROUP BY 1",
                (State.SENT.value,))
            return [(r["p"], r["t"]) for r in rows]
        out: dict[str, float] = {}
        for partner, sent_at in self._memo("oldest_unacked", compute):     # the age is `now`'s, never reused
            out[partner] = max(0.0, (now - datetime.fromisoformat(sent_at)).total_seconds())
        return out

    def overdue_ack_counts(self, now: datetime) -> dict[str, int]:
        rows = self._rows("SELECT IFNULL(m.partner, '') AS p, COUNT(DISTINCT m.id) AS n FROM messages m "
                          "JOIN ack_expectations a ON a.message_id = m.id WHERE a.due_at <= ? AND m.state = ? "
                          "GROUP BY 1", (_ts(now), State.SENT.value))
        return {r["p"]: r["n"] for r in rows}

    # ------------------------------------------------------------------ status page
    def flow(self) -> list[PartnerFlow]:
        """Per partner: what came in, what reached Odoo, what went out, what is stuck."""
        flows: dict[str, PartnerFlow] = {}

        def get(partner: str) -> PartnerFlow:
            return flows.setdefault(partner, PartnerFlow(partner=partner))

        for direction, state, partner, doc_type, n in self.message_counts():
            f = get(partner)
            if state == State.QUARANTINED.value:
                f.quarantined += n
            elif state == State.DEAD.value:
                f.dead += n
            elif state == State.DUPLICATE.value:
                f.duplicates += n
            elif state in {s.value for s in IN_FLIGHT}:
                f.in_flight += n
            if direction == "in" and state != State.DUPLICATE.value:
                if doc_type in ACK_TYPES:
                    f.acks_received += n
                else:
                    f.received += n
            if direction == "out" and state in (State.SENT.value, State.DONE.value, State.REJECTED.value):
                if doc_type in ACK_TYPES:
                    f.acks_sent += n
                else:
                    f.outbound[doc_type or "?"] = f.outbound.get(doc_type or "?", 0) + n
        for r in self._rows("SELECT IFNULL(m.partner, '') AS p, COUNT(DISTINCT m.id) AS n FROM messages m "
                            "JOIN events e ON e.message_id = m.id AND e.to_state = ? WHERE m.direction = 'in' "
                            "GROUP BY 1", (State.POSTED.value,)):
            get(r["p"]).posted = r["n"]
        for r in self._rows("SELECT IFNULL(partner, '') AS p, MAX(updated_at) AS t FROM messages GROUP BY 1"):
            get(r["p"]).last_activity = r["t"]
        for partner, models in self.odoo_records().items():
            get(partner).odoo_records = models
        return sorted(flows.values(), key=lambda f: (f.partner == "", f.partner))

    def _list(self, where: str, params: tuple[Any, ...], limit: int, order: str = "m.updated_at") -> list[Row]:
        rows = self._rows(
            "SELECT m.*, (SELECT e.reason FROM events e WHERE e.message_id = m.id ORDER BY e.seq DESC LIMIT 1)"
            f" AS reason FROM messages m WHERE {where} ORDER BY {order} LIMIT ?", (*params, limit))
        return [Row(id=r["id"], direction=r["direction"], state=r["state"], partner=r["partner"],
                    channel=r["channel"], filename=r["filename"], doc_type=r["doc_type"],
                    control_number=r["control_number"], created_at=r["created_at"], updated_at=r["updated_at"],
                    attempts=r["attempts"], last_error=r["last_error"], reason=r["reason"], sha256=r["sha256"])
                for r in rows]

    def stuck(self, now: datetime, older_than: timedelta, limit: int = 200, partner: str | None = None
              ) -> list[Row]:
        """Messages still in flight that made no progress for longer than `older_than`, longest first.

        A failed attempt and its retry (x -> retry_wait -> x) are not progress, so a message
        bouncing between retry_wait and queued for an hour has been stuck for an hour.
        """
        cutoff = _ts(now - older_than)
        states = tuple(s.value for s in IN_FLIGHT)
        only = " AND partner = ?" if partner is not None else ""
        candidates = (f"SELECT id FROM messages WHERE state IN ({_marks(states)}) AND created_at <= ?{only} "
                      f"LIMIT 5000")
        history: dict[str, list[tuple[str | None, str, str]]] = {}
        for r in self._rows(f"SELECT message_id, from_state, to_state, at FROM events WHERE message_id IN "
                            f"({candidates}) ORDER BY message_id, seq",
                            (*states, cutoff, *([partner] if partner is not None else []))):
            history.setdefault(r["message_id"], []).append((r["from_state"], r["to_state"], r["at"]))
        since = {mid: progress_since(events) for mid, events in history.items()}
        ids = sorted((t, mid) for mid, t in since.items() if t is not None and t <= cutoff)[:limit]
        if not ids:
            return []
        rows = {r.id: r for r in self._list(f"m.id IN ({_marks(tuple(ids))})", tuple(mid for _, mid in ids),
                                            len(ids))}
        out = []
        for t, mid in ids:
            if mid in rows:
                rows[mid].since = t
                out.append(rows[mid])
        return out

    def _in_state(self, state: State, limit: int, partner: str | None) -> list[Row]:
        if partner is None:
            return self._list("m.state = ?", (state.value,), limit, order="m.updated_at DESC")
        return self._list("m.state = ? AND m.partner = ?", (state.value, partner), limit, order="m.updated_at DESC")

    def quarantined(self, limit: int = 200, partner: str | None = None) -> list[Row]:
        return self._in_state(State.QUARANTINED, limit, partner)

    def dead(self, limit: int = 200, partner: str | None = None) -> list[Row]:
        return self._in_state(State.DEAD, limit, partner)

    def rejected(self, limit: int = 200, partner: str | None = None) -> list[Row]:
        """What the partner refused (its 997/999/CONTRL, MDN, or its application's APERAK / 824)."""
        return self._in_state(State.REJECTED, limit, partner)

    def recent(self, limit: int = 25, partner: str | None = None) -> list[Row]:
        """The latest messages by last change (ids are time-ordered, so the newest created come first on ties)."""
        if partner is None:
            return self._list("1 = 1", (), limit, order="m.updated_at DESC, m.id DESC")
        return self._list("m.partner = ?", (partner,), limit, order="m.updated_at DESC, m.id DESC")

    def partners(self) -> set[str]:
        return {r["p"] for r in self._rows("SELECT DISTINCT partner AS p FROM messages WHERE partner IS NOT NULL")}

    def overdue_acks(self, now: datetime, limit: int = 200, partner: str | None = None
                     ) -> list[tuple[Row, str, str, str]]:
        """(message, ack kind, control number, due at) for sent messages whose ack is past due."""
        only = " AND m.partner = ?" if partner is not None else ""
        rows = self._rows("SELECT a.message_id, a.kind, a.control_number, a.due_at FROM ack_expectations a "
                          f"JOIN messages m ON m.id = a.message_id WHERE a.due_at <= ? AND m.state = ?{only} "
                          "ORDER BY a.due_at LIMIT ?",
                          (_ts(now), State.SENT.value, *([partner] if partner is not None else []), limit))
        out = []
        for r in rows:
            found = self.message(r["message_id"])
            if found is not None:
                out.append((found, r["kind"], r["control_number"], r["due_at"]))
        return out

    def message(self, message_id: str) -> Row | None:
        found = self._list("m.id = ?", (message_id,), 1)
        return found[0] if found else None

    def meta(self, message_id: str) -> dict[str, Any]:
        rows = self._rows("SELECT meta FROM messages WHERE id = ?", (message_id,))
        found = json.loads(rows[0]["meta"] or "{}") if rows else {}
        return found if isinstance(found, dict) else {}

    def related(self, message_id: str) -> list[tuple[str, str]]:
        """(what, message id) of the earlier messages this one repeats ("Duplicate of") or corrects ("Revises"),
        as the pipeline noted them in its meta."""
        meta = self.meta(message_id)
        first = [("Duplicate of", str(meta["duplicate_of"]))] if meta.get("duplicate_of") else []
        return first + [("Revises", str(other)) for other in meta.get("revises") or ()]

    def events(self, message_id: str) -> list[tuple[str, str | None, str, str]]:
        """(at, from, to, reason) of one message, oldest first."""
        rows = self._rows("SELECT at, from_state, to_state, reason FROM events WHERE message_id = ? ORDER BY seq",
                          (message_id,))
        return [(r["at"], r["from_state"], r["to_state"], r["reason"]) for r in rows]

    def odoo_links(self, message_id: str) -> list[tuple[str, int, str]]:
        rows = self._rows("SELECT model, record_id, role FROM odoo_links WHERE message_id = ? ORDER BY rowid",
                          (message_id,))
        return [(r["model"], r["record_id"], r["role"]) for r in rows]

    def children(self, message_id: str) -> list[Row]:
        return self._list("m.parent_id = ?", (message_id,), 100, order="m.id")

    def odoo_records(self) -> dict[str, dict[str, int]]:
        """Per partner, distinct Odoo records its inbound messages created or found, by model."""
        rows = self._rows("SELECT IFNULL(m.partner, '') AS p, l.model AS model, COUNT(DISTINCT l.record_id) AS n "
                          "FROM odoo_links l JOIN messages m ON m.id = l.message_id WHERE m.direction = 'in' "
                          "GROUP BY 1, 2")
        out: dict[str, dict[str, int]] = {}
        for r in rows:
            out.setdefault(r["p"], {})[r["model"]] = r["n"]
        return out
