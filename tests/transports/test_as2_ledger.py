"""The async-MDN queue in state/as2.sqlite3 as `edi-gateway mdn` reads and changes it."""

from __future__ import annotations

import argparse
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from gateway.cli import EXIT_ERROR
from gateway.commands import mdn as mdn_command
from gateway.journal.sqlite import SqliteJournal
from gateway.transports.as2 import mdn
from gateway.transports.as2.ledger import Ledger, OwedMdn

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


def test_an_mdn_the_daemon_sent_after_resend_looked_is_not_queued_again(tmp_path: Path) -> None:
    """`edi-gateway mdn resend` reads a retrying MDN, the daemon's next try gets through, then the command
    queues it again: it was sent, and is not sent a second time."""
    path = tmp_path / "as2.sqlite3"
    daemon, command = Ledger(path), Ledger(path)       # two processes, two connections to one file
    try:
        mdn_id = daemon.queue_mdn("bigbox", "https://as2.bigbox.example/mdn", {}, b"mdn", message_id="<s@bigbox>",
                                  journal_id="01SENT")
        (owed,) = command.owed_mdns(key="01SENT")
        assert owed.state == "queued"
        (trying,) = daemon.due_mdns()
        assert trying.id == mdn_id and daemon.mdn_sent(trying)
        assert command.requeue_mdn(owed.id, "https://new.bigbox.example/mdn") is False
        assert [(r.state, r.url) for r in command.owed_mdns(key="01SENT")] == [
            ("sent", "https://as2.bigbox.example/mdn")]
        assert daemon.due_mdns() == []
    finally:
        daemon.close()
        command.close()


def test_mdn_resend_says_so_when_the_mdn_was_sent_while_it_looked(tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """The command's side of the same moment: it read the row as queued, the daemon then sent it; the command
    says it was sent and exits with an error instead of saying it is queued."""
    path = tmp_path / "as2.sqlite3"
    ledger = Ledger(path)
    journal = SqliteJournal(tmp_path / "journal.sqlite3")
    try:
        mdn_id = ledger.queue_mdn("bigbox", "https://as2.bigbox.example/mdn", {}, b"mdn", journal_id="01SENT")
        looked = ledger.owed_mdns(key="01SENT")                         # what the command read: queued
        (trying,) = ledger.due_mdns()
        assert trying.id == mdn_id and ledger.mdn_sent(trying)          # then the daemon's retry got through

        class Looked(Ledger):
            def owed_mdns(self, **_: Any) -> list[OwedMdn]:
                return looked

        command = Looked(path)
        try:
            args = argparse.Namespace(id="01SENT", url=None, config=str(tmp_path / "gateway.yaml"))
            assert mdn_command.resend(args, command, journal) == EXIT_ERROR
        finally:
            command.close()
        assert "was sent to https://as2.bigbox.example/mdn while this command looked" in capsys.readouterr().err
        assert [r.state for r in ledger.owed_mdns(key="01SENT")] == ["sent"]
    finally:
        ledger.close()
        journal.close()


def test_an_mdn_sent_while_resend_moved_it_to_another_url_stays_queued_for_that_url(tmp_path: Path) -> None:
    """The daemon takes the MDN and POSTs it to the URL it was queued for; meanwhile `edi-gateway mdn resend --url`
    (another process) queues it for the address the partner gave since; then the POST gets through. The row was
    recorded sent, and `mdn list` said sent to the new address, where nothing ever went: it stays queued for it."""
    path = tmp_path / "as2.sqlite3"
    daemon, command = Ledger(path), Ledger(path)
    try:
        mdn_id = daemon.queue_mdn("bigbox", "https://as2.bigbox.example/mdn", {}, b"mdn", message_id="<m@bigbox>",
                                  journal_id="01MOVED")
        (posting,) = daemon.due_mdns()                                   # the daemon's POST starts
        assert command.requeue_mdn(mdn_id, "https://new.bigbox.example/mdn")
        assert daemon.mdn_sent(posting) is False                         # the POST to the old URL got through
        assert [(r.state, r.url) for r in command.owed_mdns(key="01MOVED")] == [
            ("queued", "https://new.bigbox.example/mdn")]
        (again,) = daemon.due_mdns()
        assert (again.id, again.url) == (mdn_id, "https://new.bigbox.example/mdn")
        assert daemon.mdn_sent(again)
        assert [(r.state, r.url) for r in command.owed_mdns(key="01MOVED")] == [
            ("sent", "https://new.bigbox.example/mdn")]

        # the same URL queued again while it was POSTed: this POST is the one asked for, it is not sent twice
        other = daemon.queue_mdn("bigbox", "https://as2.bigbox.example/mdn", {}, b"mdn", journal_id="01SAME")
        (posting,) = daemon.due_mdns()
        assert command.requeue_mdn(other)
        assert daemon.mdn_sent(posting)
        assert [r.state for r in command.owed_mdns(key="01SAME")] == ["sent"] and daemon.due_mdns() == []
    finally:
        daemon.close()
        command.close()


def test_a_first_attempt_that_fails_after_resend_queued_it_again_to_the_same_url_leaves_it_due(
        tmp_path: Path) -> None:
    """`mdn resend` while the daemon's first POST hangs, to the URL it already had: the row looked as the daemon
    had read it (no attempts, same URL), so the attempt's failure put it off by the backoff, or gave it up with
    max_attempts 1, though the command had said it was queued to go out now. The requeue count tells them apart."""
    path = tmp_path / "as2.sqlite3"
    daemon, command = Ledger(path), Ledger(path)
    try:
        for give_up in (False, True):
            mdn_id = daemon.queue_mdn("bigbox", "https://as2.bigbox.example/mdn", {}, b"mdn",
                                      journal_id=f"01HANG{give_up}")
            (trying,) = daemon.due_mdns()
            assert trying.attempts == 0
            assert command.requeue_mdn(mdn_id)                              # no --url: the same address
            assert daemon.mdn_failed(trying, "timed out", 3600, give_up) is False
            (again,) = daemon.due_mdns()                                    # due now, as the command said
            assert (again.id, again.attempts, again.last_error) == (mdn_id, 0, None)
            assert daemon.mdn_refused(trying, "loopback") is False
            assert daemon.mdn_sent(again)
    finally:
        daemon.close()
        command.close()
