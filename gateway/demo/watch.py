"""Watching the journal (read-only) until the gateway has done what the demo expects, or gone quiet.

The demo never waits a fixed time: it polls the journal and stops as soon as every inbound file
is settled, or when nothing has changed for a few seconds (a part missing, a partner endpoint
down), then says what is still waiting and why.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

SETTLED_IN = ("done", "quarantined", "duplicate", "dead")
SETTLED_OUT = ("sent", "done", "rejected", "dead")
ACK_TYPES = ("997", "999", "TA1", "CONTRL")
QUIET_SECONDS = 6.0
MISSING_PART = "not installed"      # how the pipeline says a step's module is not built yet


def _connect(path: Path) -> sqlite3.Connection | None:
    if not path.is_file():
        return None
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5.0)
    db.row_factory = sqlite3.Row
    return db


def _marks(values: tuple[str, ...]) -> str:
    return ",".join("?" for _ in values)


def _last_seq(db: sqlite3.Connection) -> int:
    return int(db.execute("SELECT IFNULL(MAX(seq), 0) FROM events").fetchone()[0])


async def _poll(path: Path, done: Callable[[sqlite3.Connection], bool], timeout: float,
                note: Callable[[str], None], describe: Callable[[sqlite3.Connection], str]) -> tuple[bool, str]:
    """Poll until `done(db)`, the journal is quiet for QUIET_SECONDS, or `timeout`; (finished, description)."""
    deadline = time.monotonic() + timeout
    last_seq, last_change = -1, time.monotonic()
    shown = ""
    while True:
        db = _connect(path)
        if db is not None:
            try:
                finished = done(db)
                seq = _last_seq(db)
                text = describe(db)
            finally:
                db.close()
            if text != shown:
                note(text)
                shown = text
            if finished:
                return True, text
            if seq != last_seq:
                last_seq, last_change = seq, time.monotonic()
        now = time.monotonic()
        if now > deadline or (last_seq > 0 and now - last_change > QUIET_SECONDS):
            return False, shown
        await asyncio.sleep(0.25)


def inbound_status(db: sqlite3.Connection) -> dict[str, int]:
    rows = db.execute("SELECT state, COUNT(*) AS n FROM messages WHERE direction = 'in' GROUP BY state")
    return {r["state"]: r["n"] for r in rows}


def _waiting(db: sqlite3.Connection, direction: str, settled: tuple[str, ...]) -> list[str]:
    """What is not settled yet, grouped by the reason it gives: "2 files (a.edi, b.edi) received: why"."""
    rows = db.execute(f"SELECT partner, filename, state, last_error FROM messages WHERE direction = ? "
                      f"AND state NOT IN ({_marks(settled)}) ORDER BY id", (direction, *settled)).fetchall()
    groups: dict[tuple[str, str], list[str]] = {}
    for r in rows:
        why = (r["last_error"] or "").split(" (/")[0]       # drop the module path from import errors
        groups.setdefault((r["state"], why), []).append(f"{r['partner'] or '?'}/{r['filename']}")
    out = []
    for (state, why), names in groups.items():
        shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
        noun = "file" if direction == "in" else "outbound document"
        out.append(f"{len(names)} {noun}{'s' if len(names) != 1 else ''} {state} ({shown})"
                   + (f": {why}" if why else ""))
    return out


async def wait_for_inbound(path: Path, expected: int, timeout: float, note: Callable[[str], None]) -> tuple[bool, str]:
    """Until `expected` inbound files are in the journal and settled, and their acknowledgements are out."""

    def done(db: sqlite3.Connection) -> bool:
        counts = inbound_status(db)
        total = sum(counts.values())
        settled = sum(counts.get(s, 0) for s in SETTLED_IN)
        acks_pending = db.execute(
            f"SELECT COUNT(*) FROM messages WHERE direction = 'out' AND doc_type IN ({_marks(ACK_TYPES)}) "
            f"AND state NOT IN ({_marks(SETTLED_OUT)})", (*ACK_TYPES, *SETTLED_OUT)).fetchone()[0]
        return total >= expected and settled == total and acks_pending == 0

    def describe(db: sqlite3.Connection) -> str:
        counts = inbound_status(db)
        total = sum(counts.values())
        parts = [f"{n} {s}" for s, n in sorted(counts.items())]
        orders = db.execute("SELECT COUNT(DISTINCT record_id) FROM odoo_links WHERE model = 'sale.order'"
                            ).fetchone()[0]
        acks = db.execute(f"SELECT COUNT(*) FROM messages WHERE direction = 'out' AND doc_type IN "
                          f"({_marks(ACK_TYPES)}) AND state IN ('sent', 'done')", ACK_TYPES).fetchone()[0]
        return (f"{total}/{expected} files in: {', '.join(parts) or 'none yet'}; {orders} sale orders in Odoo; "
                f"{acks} acknowledgements sent")

    finished, text = await _poll(path, done, timeout, note, describe)
    if not finished:
        db = _connect(path)
        if db is not None:
            try:
                waiting = _waiting(db, "in", SETTLED_IN) + _waiting(db, "out", SETTLED_OUT)
            finally:
                db.close()
            if waiting:
                text += "; still waiting: " + "; ".join(waiting)
    return finished, text


def outbound_count(path: Path, doc_types: tuple[str, ...]) -> int:
    """How many outbound documents of these types the journal holds (0 when it cannot be read yet)."""
    db = _connect(path)
    if db is None:
        return 0
    try:
        row = db.execute(f"SELECT COUNT(*) AS n FROM messages WHERE direction = 'out' AND doc_type IN "
                         f"({_marks(doc_types)})", doc_types).fetchone()
        return int(row["n"])
    finally:
        db.close()


async def wait_for_outbound(path: Path, want: dict[str, int], timeout: float,
                            note: Callable[[str], None]) -> tuple[bool, str]:
    """Until each group ("ASNs", "invoices", "inventory feeds") has `want` documents, each one delivered
    or, when its partner cannot take it now, waiting to retry."""
    from gateway.demo.summary import ASN_TYPES, INVENTORY_TYPES, INVOICE_TYPES
    groups = {"ASNs": ASN_TYPES, "invoices": INVOICE_TYPES, "inventory feeds": INVENTORY_TYPES}
    delivered = ("sent", "done")
    parked = ("retry_wait", "dead", "rejected")

    def counts(db: sqlite3.Connection) -> dict[str, dict[str, int]]:
        rows = db.execute("SELECT doc_type, state, COUNT(*) AS n FROM messages WHERE direction = 'out' "
                          "GROUP BY doc_type, state").fetchall()
        out = {g: {"sent": 0, "waiting": 0, "queued": 0} for g in groups}
        for r in rows:
            for g, types in groups.items():
                if r["doc_type"] in types:
                    key = "sent" if r["state"] in delivered else "waiting" if r["state"] in parked else "queued"
                    out[g][key] += r["n"]
        return out

    def done(db: sqlite3.Connection) -> bool:
        have = counts(db)
        return all(have[g]["sent"] + have[g]["waiting"] >= n and have[g]["queued"] == 0 for g, n in want.items())

    def describe(db: sqlite3.Connection) -> str:
        have = counts(db)
        parts = []
        for g in groups:
            text = f"{have[g]['sent']} {g} sent"
            if have[g]["waiting"]:
                text += f" ({have[g]['waiting']} more waiting to retry)"
            parts.append(text)
        return ", ".join(parts)

    finished, text = await _poll(path, done, timeout, note, describe)
    db = _connect(path)
    if db is not None:
        try:
            waiting = _waiting(db, "out", SETTLED_OUT)
        finally:
            db.close()
        if waiting:
            text += "; " + ("" if finished else "still ") + "waiting: " + "; ".join(waiting)
    return finished, text


async def wait_for_partner_acks(path: Path, expected: int, timeout: float,
                                note: Callable[[str], None]) -> tuple[bool, str]:
    """Until `expected` acknowledgements from partners are read, and say what they settled."""

    def counts(db: sqlite3.Connection) -> tuple[int, int, int]:
        read = db.execute(f"SELECT COUNT(*) FROM messages WHERE direction = 'in' AND doc_type IN "
                          f"({_marks(ACK_TYPES)}) AND state IN ({_marks(SETTLED_IN)})",
                          (*ACK_TYPES, *SETTLED_IN)).fetchone()[0]
        matched = db.execute("SELECT COUNT(*) FROM events WHERE reason LIKE '%acknowledgement matched%'"
                             ).fetchone()[0]
        waiting = db.execute("SELECT COUNT(*) FROM messages m JOIN ack_expectations a ON a.message_id = m.id "
                             "WHERE m.direction = 'out' AND m.state = 'sent'").fetchone()[0]
        return read, matched, waiting

    def done(db: sqlite3.Connection) -> bool:
        return counts(db)[0] >= expected

    def describe(db: sqlite3.Connection) -> str:
        read, matched, waiting = counts(db)
        return (f"{read}/{expected} partner acknowledgements read, {matched} matched to what we sent; "
                f"{waiting} sent documents still await theirs")

    return await _poll(path, done, timeout, note, describe)
