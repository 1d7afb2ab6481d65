"""The async-MDN queue in state/as2.sqlite3 as `edi-gateway mdn` reads and changes it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from gateway.transports.as2 import mdn
from gateway.transports.as2.ledger import Ledger

# mdn_out as the releases before `edi-gateway mdn` made it: no Message-ID, journal id or time queued
OLD_MDN_OUT = """CREATE TABLE mdn_out (
    id INTEGER PRIMARY KEY AUTOINCREMENT, partner TEXT NOT NULL, url TEXT NOT NULL,
    headers TEXT NOT NULL, body BLOB NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
    next_at REAL NOT NULL, last_error TEXT, done INTEGER NOT NULL DEFAULT 0)"""
OLD_SEEN = """CREATE TABLE seen (partner TEXT NOT NULL, message_id TEXT NOT NULL, at REAL NOT NULL,
    journal_id TEXT NOT NULL, PRIMARY KEY (partner, message_id))"""


def test_a_ledger_from_an_earlier_release_keeps_its_mdns_and_names_the_unsent_ones(tmp_path: Path) -> None:
    path = tmp_path / "as2.sqlite3"
    db = sqlite3.connect(path)
    db.execute(OLD_MDN_OUT)
    db.execute(OLD_SEEN)
    _headers, body = mdn.build(original_message_id="<old@bigbox>", our_id="ACMEDIST", partner_id="BIGBOX-AS2",
                               disposition=mdn.Disposition("processed"), mic=None, text="received", signer=None)
    for done, mdn_body in ((3, body), (2, b"not an MDN")):
        db.execute("INSERT INTO mdn_out (partner, url, headers, body, next_at, last_error, done) "
                   "VALUES ('bigbox', 'http://localhost:1/mdn', '{}', ?, 0, 'localhost: loopback', ?)", (mdn_body, done))
    db.execute("INSERT INTO seen VALUES ('bigbox', '<old@bigbox>', 0, '01OLDJOURNAL')")
    db.commit()
    db.close()
    ledger = Ledger(path)
    try:
        (old,) = ledger.owed_mdns(state="refused")
        assert (old.partner, old.message_id, old.journal_id, old.at) == ("bigbox", "<old@bigbox>", "01OLDJOURNAL", None)
        assert ledger.owed_mdns(key="01OLDJOURNAL") == ledger.owed_mdns(key="old@bigbox") == [old]
        (unnamed,) = ledger.owed_mdns(state="failed")
        assert (unnamed.message_id, unnamed.journal_id) == ("", "")
        new = ledger.queue_mdn("bigbox", "https://as2.bigbox.example/mdn", {}, b"mdn", message_id="<a@bigbox>",
                               journal_id="01JOURNAL")
        assert [r.id for r in ledger.owed_mdns(key="01JOURNAL")] == [new]
        assert [r.id for r in ledger.owed_mdns(key="a@bigbox")] == [new] == [r.id for r in ledger.owed_mdns(
            key="<a@bigbox>")]
        ledger.requeue_mdn(old.id, "https://as2.bigbox.example/mdn")
        assert [(r.id, r.url, r.attempts, r.message_id) for r in ledger.due_mdns()] == [
            (old.id, "https://as2.bigbox.example/mdn", 0, "<old@bigbox>"),
            (new, "https://as2.bigbox.example/mdn", 0, "<a@bigbox>")]
    finally:
        ledger.close()
    again = Ledger(path)                    # opened once more: the columns are there, nothing is added twice
    try:
        assert again.owed_mdns(partner="bigbox", state="queued", limit=1)[0].id == new
    finally:
        again.close()
