"""The async-MDN queue in state/as2.sqlite3 as `edi-gateway mdn` reads and changes it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from gateway.transports.as2.ledger import Ledger

# mdn_out as the releases before `edi-gateway mdn` made it: no Message-ID, journal id or time queued
OLD_MDN_OUT = """CREATE TABLE mdn_out (
    id INTEGER PRIMARY KEY AUTOINCREMENT, partner TEXT NOT NULL, url TEXT NOT NULL,
    headers TEXT NOT NULL, body BLOB NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
    next_at REAL NOT NULL, last_error TEXT, done INTEGER NOT NULL DEFAULT 0)"""


def test_a_ledger_from_an_earlier_release_keeps_its_mdns_and_gains_the_new_columns(tmp_path: Path) -> None:
    path = tmp_path / "as2.sqlite3"
    db = sqlite3.connect(path)
    db.execute(OLD_MDN_OUT)
    db.execute("INSERT INTO mdn_out (partner, url, headers, body, next_at, last_error, done) "
               "VALUES ('bigbox', 'http://localhost:1/mdn', '{}', x'00', 0, 'localhost: loopback', 3)")
    db.commit()
    db.close()
    ledger = Ledger(path)
    try:
        (old,) = ledger.owed_mdns(state="refused")
        assert (old.partner, old.message_id, old.journal_id, old.at) == ("bigbox", "", "", None)
        new = ledger.queue_mdn("bigbox", "https://as2.bigbox.example/mdn", {}, b"mdn", message_id="<a@bigbox>",
                               journal_id="01JOURNAL")
        assert [r.id for r in ledger.owed_mdns(key="01JOURNAL")] == [new]
        assert [r.id for r in ledger.owed_mdns(key="a@bigbox")] == [new] == [r.id for r in ledger.owed_mdns(
            key="<a@bigbox>")]
        ledger.requeue_mdn(old.id, "https://as2.bigbox.example/mdn")
        assert [(r.id, r.url, r.attempts) for r in ledger.due_mdns()] == [
            (old.id, "https://as2.bigbox.example/mdn", 0), (new, "https://as2.bigbox.example/mdn", 0)]
    finally:
        ledger.close()
    again = Ledger(path)                    # opened once more: the columns are there, nothing is added twice
    try:
        assert again.owed_mdns(partner="bigbox", state="queued", limit=1)[0].id == new
    finally:
        again.close()
