"""The SQLite journal: one state writer, audit trail, counters that survive crashes, dedupe."""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from multiprocessing.queues import Queue
from pathlib import Path
from typing import Any

import pytest

from gateway.errors import JournalError
from gateway.journal.api import ALLOWED, Direction, Message, OdooLink, State
from gateway.journal.sqlite import SqliteJournal, new_id


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[SqliteJournal]:
    j = SqliteJournal(tmp_path / "journal.sqlite3")
    yield j
    j.close()


def _intake(j: SqliteJournal, sha: str = "a" * 64, key: str | None = "inbox/a.x12", **kw: Any) -> Message:
    return j.record_intake(direction=kw.pop("direction", Direction.IN), partner=kw.pop("partner", "acme"),
                           channel="folder", filename="a.x12", sha256=sha, size=3, source_key=key, **kw)


def test_wal_and_full_sync(journal: SqliteJournal) -> None:
    assert journal._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert journal._db.execute("PRAGMA synchronous").fetchone()[0] == 2   # FULL


def test_intake_writes_message_and_first_event(journal: SqliteJournal) -> None:
    m = _intake(journal)
    assert m.state is State.RECEIVED and m.direction is Direction.IN
    [event] = journal.events(m.id)
    assert event.from_state is None and event.to_state is State.RECEIVED
    assert "folder" in event.reason


def test_same_bytes_same_source_is_duplicate(journal: SqliteJournal) -> None:
    first = _intake(journal)
    again = _intake(journal)
    other_source = _intake(journal, key="inbox/b.x12")
    assert again.state is State.DUPLICATE and again.meta["duplicate_of"] == first.id
    assert first.id in journal.events(again.id)[0].reason
    assert other_source.state is State.RECEIVED


def test_transition_checks_allowed_and_logs_event(journal: SqliteJournal) -> None:
    m = _intake(journal)
    with pytest.raises(JournalError, match="not allowed"):
        journal.transition(m.id, State.SENT, "nope")
    m2 = journal.transition(m.id, State.PARSED, "parsed X12", syntax="x12", doc_type="850")
    assert m2.state is State.PARSED and m2.syntax == "x12" and m2.doc_type == "850"
    with pytest.raises(JournalError, match="expected received"):
        journal.transition(m.id, State.TRANSLATED, "x", expect=State.RECEIVED)
    assert [e.to_state for e in journal.events(m.id)] == [State.RECEIVED, State.PARSED]
    assert journal.get(m.id).state is State.PARSED   # the failed ones changed nothing


def test_every_allowed_transition_is_accepted(tmp_path: Path) -> None:
    j = SqliteJournal(tmp_path / "j.sqlite3")
    for src, targets in ALLOWED.items():
        for dst in targets:
            m = j.record_intake(direction=Direction.IN, partner=None, channel="t", filename="f",
                                sha256=new_id().lower().ljust(64, "0")[:64], size=0, source_key=new_id(),
                                state=src)
            assert j.transition(m.id, dst, "test").state is dst
    j.close()


def test_retry_wait_remembers_where_to_resume(journal: SqliteJournal) -> None:
    m = _intake(journal)
    m = journal.transition(m.id, State.PARSED, "ok")
    later = datetime.now(UTC) + timedelta(minutes=5)
    m = journal.transition(m.id, State.RETRY_WAIT, "odoo down", next_attempt_at=later, error="timeout",
                           attempts=1)
    assert m.meta["resume_state"] == "parsed" and m.last_error == "timeout" and m.attempts == 1
    assert m.next_attempt_at == later
    assert journal.due(datetime.now(UTC)) == []
    assert [x.id for x in journal.due(later + timedelta(seconds=1))] == [m.id]
    m = journal.transition(m.id, State.RETRY_WAIT, "again", next_attempt_at=later)
    assert m.meta["resume_state"] == "parsed"


def test_due_excludes_terminal_states(journal: SqliteJournal) -> None:
    live = _intake(journal, sha="1" * 64)
    done = _intake(journal, sha="2" * 64)
    journal.transition(done.id, State.QUARANTINED, "bad")
    assert [m.id for m in journal.due(datetime.now(UTC))] == [live.id]


def test_control_numbers_never_repeat_across_crashes(tmp_path: Path) -> None:
    db = tmp_path / "j.sqlite3"
    SqliteJournal(db).close()
    code = ("import sys; from gateway.journal.sqlite import SqliteJournal\n"
            f"j = SqliteJournal({str(db)!r})\n"
            "while True:\n"
            "    print(j.next_control_number('acme', 'isa'), flush=True)\n")
    seen: list[int] = []
    for _ in range(3):
        proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
        assert proc.stdout is not None
        for _ in range(50):
            seen.append(int(proc.stdout.readline()))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
    assert len(seen) == len(set(seen)) == 150
    assert seen == sorted(seen)


def test_control_numbers_wrap_at_modulo_and_are_per_partner(journal: SqliteJournal) -> None:
    assert [journal.next_control_number("a", "gs", modulo=3) for _ in range(4)] == [1, 2, 3, 1]
    assert journal.next_control_number("b", "gs") == 1


def test_control_numbers_are_unique_across_threads(journal: SqliteJournal) -> None:
    out: list[int] = []
    lock = threading.Lock()

    def take() -> None:
        for _ in range(25):
            n = journal.next_control_number("acme", "st")
            with lock:
                out.append(n)

    threads = [threading.Thread(target=take) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(out) == list(range(1, 101))


def _take_numbers(db: str, count: int, queue: Queue[list[int]]) -> None:   # runs in another process
    j = SqliteJournal(db)
    queue.put([j.next_control_number("acme", "isa") for _ in range(count)])


def test_control_numbers_are_unique_across_processes(tmp_path: Path) -> None:
    db = str(tmp_path / "j.sqlite3")
    SqliteJournal(db).close()
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    procs = [ctx.Process(target=_take_numbers, args=(db, 30, queue)) for _ in range(2)]
    for p in procs:
        p.start()
    numbers = queue.get(timeout=60) + queue.get(timeout=60)
    for p in procs:
        p.join()
    assert sorted(numbers) == list(range(1, 61))


def test_seen_interchange_is_idempotent_for_the_same_message(journal: SqliteJournal) -> None:
    assert journal.seen_interchange("acme", "ZZ:ACME", "000000001", "M1") is None
    assert journal.seen_interchange("acme", "ZZ:ACME", "000000001", "M1") is None   # re-run after crash
    assert journal.seen_interchange("acme", "ZZ:ACME", "000000001", "M2") == "M1"
    assert journal.seen_interchange("acme", "ZZ:OTHER", "000000001", "M3") is None


def test_ack_expectations_match_and_overdue(journal: SqliteJournal) -> None:
    out = _intake(journal, direction=Direction.OUT, state=State.QUEUED)
    now = datetime.now(UTC)
    journal.expect_ack(out.id, "acme", "997", "000000042", "42", now + timedelta(hours=1))
    assert journal.match_ack("acme", "997", "000000042", "42") == out.id
    assert journal.match_ack("acme", "997", "000000042", None) == out.id
    assert journal.match_ack("acme", "997", "000000042", "43") is None
    assert journal.match_ack("other", "997", "000000042", "42") is None
    assert journal.overdue_acks(now + timedelta(hours=2)) == []          # still QUEUED, not SENT
    journal.transition(out.id, State.SENT, "written")
    assert journal.overdue_acks(now) == []
    assert [m.id for m in journal.overdue_acks(now + timedelta(hours=2))] == [out.id]
    journal.transition(out.id, State.DONE, "997 accepted")
    assert journal.overdue_acks(now + timedelta(hours=2)) == []


def test_odoo_links_export_marks_blobs(journal: SqliteJournal) -> None:
    m = _intake(journal)
    journal.link_odoo(OdooLink(m.id, "sale.order", 7))
    journal.link_odoo(OdooLink(m.id, "sale.order", 7))     # idempotent
    journal.link_odoo(OdooLink(m.id, "res.partner", 3, "found"))
    assert journal.odoo_links(m.id) == [OdooLink(m.id, "sale.order", 7, "created"),
                                        OdooLink(m.id, "res.partner", 3, "found")]
    assert journal.export_mark("acme", "stock.picking", 5, "2026-01-01 10:00:00", "856") is True
    assert journal.export_mark("acme", "stock.picking", 5, "2026-01-01 10:00:00", "856") is False
    assert journal.export_mark("acme", "stock.picking", 5, "2026-01-02 10:00:00", "856") is True
    assert journal.get_blob(m.id, "canonical") is None
    journal.put_blob(m.id, "canonical", '{"a": 1}')
    journal.put_blob(m.id, "canonical", '{"a": 2}')
    assert journal.get_blob(m.id, "canonical") == '{"a": 2}'


def test_children_and_find(journal: SqliteJournal) -> None:
    parent = _intake(journal)
    child = _intake(journal, sha="b" * 64, direction=Direction.OUT, parent_id=parent.id, state=State.QUEUED)
    assert [c.id for c in journal.children(parent.id)] == [child.id]
    assert [m.id for m in journal.find(state=State.QUEUED)] == [child.id]
    assert [m.id for m in journal.find(direction=Direction.IN, partner="acme")] == [parent.id]
    assert journal.counts() == {"received": 1, "queued": 1}


def test_ids_are_sortable_and_unique() -> None:
    ids = [new_id() for _ in range(2000)]
    assert ids == sorted(ids) and len(set(ids)) == 2000 and all(len(i) == 26 for i in ids)


def test_unopenable_journal_raises_journal_error_for_any_user(tmp_path: Path) -> None:
    # a folder where the journal file should be: refused whoever runs the tests, root included
    (tmp_path / "taken.sqlite3").mkdir()
    with pytest.raises(JournalError, match="cannot open journal"):
        SqliteJournal(tmp_path / "taken.sqlite3")


def test_unwritable_journal_raises_journal_error(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root ignores file permissions")
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    with pytest.raises(JournalError):
        SqliteJournal(folder / "j.sqlite3")


def test_outbound_with_same_key_is_not_doubled(journal: SqliteJournal) -> None:
    a = _intake(journal, direction=Direction.OUT, key="PARENT:997:0", state=State.QUEUED)
    b = _intake(journal, sha="c" * 64, direction=Direction.OUT, key="PARENT:997:0", state=State.QUEUED)
    assert a.id == b.id and b.sha256 == "a" * 64
    assert len(journal.find(direction=Direction.OUT)) == 1


def test_match_ack_by_group_number_alone(journal: SqliteJournal) -> None:
    out = _intake(journal, direction=Direction.OUT, state=State.QUEUED)
    journal.expect_ack(out.id, "acme", "997", "000000042", "42", datetime.now(UTC))
    assert journal.match_ack("acme", "997", "", "42") == out.id
    assert journal.match_ack("acme", "997", "", None) is None


def test_a_file_where_the_journal_folder_should_be_is_a_journal_error(tmp_path: Path) -> None:
    (tmp_path / "state").write_text("not a folder")
    with pytest.raises(JournalError, match="cannot open journal"):
        SqliteJournal(tmp_path / "state" / "journal.sqlite3")
