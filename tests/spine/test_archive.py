"""The content-addressed archive: durable puts, one copy per content, purge that keeps what is needed."""

from __future__ import annotations

import hashlib
import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from gateway.errors import JournalError
from gateway.journal.api import Direction, State
from gateway.journal.archive import Archive
from gateway.journal.sqlite import SqliteJournal


def test_put_bytes_and_read_back(tmp_path: Path) -> None:
    archive = Archive(tmp_path / "archive")
    sha = archive.put(b"ISA*00~")
    assert sha == hashlib.sha256(b"ISA*00~").hexdigest()
    assert archive.read(sha) == b"ISA*00~"
    assert archive.path(sha) == tmp_path / "archive" / sha[:2] / sha[2:4] / sha
    with archive.open(sha) as f:
        assert f.read() == b"ISA*00~"


def test_same_content_is_stored_once(tmp_path: Path) -> None:
    archive = Archive(tmp_path / "archive")
    assert archive.put(b"x") == archive.put(b"x")
    assert list(archive) == [hashlib.sha256(b"x").hexdigest()]
    assert list((tmp_path / "archive" / "tmp").iterdir()) == []


def test_put_streams_a_big_file(tmp_path: Path) -> None:
    big = tmp_path / "big.bin"
    with open(big, "wb") as f:
        f.writelines(bytes([i]) * (1024 * 1024) for i in range(20))
    archive = Archive(tmp_path / "archive")
    sha = archive.put(big)
    assert sha == hashlib.sha256(big.read_bytes()).hexdigest()
    assert archive.path(sha).stat().st_size == 20 * 1024 * 1024


def test_unwritable_archive_raises_journal_error(tmp_path: Path) -> None:
    blocker = tmp_path / "archive"
    blocker.write_text("a file where the folder should be")
    with pytest.raises(JournalError, match="not writable"):
        Archive(blocker).put(b"x")


def test_missing_hash_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(JournalError, match="purged or never stored"):
        Archive(tmp_path).read("0" * 64)
    with pytest.raises(ValueError):
        Archive(tmp_path).path("../../etc/passwd")


def test_purge_keeps_what_the_journal_needs(tmp_path: Path) -> None:
    archive = Archive(tmp_path / "archive")
    journal = SqliteJournal(tmp_path / "j.sqlite3")
    old = time.time() - 100 * 86400

    def stored(content: bytes, state: State | None) -> str:
        sha = archive.put(content)
        os.utime(archive.path(sha), (old, old))
        if state is not None:
            m = journal.record_intake(direction=Direction.IN, partner="p", channel="folder", filename="f",
                                      sha256=sha, size=len(content), source_key=content.decode(),
                                      state=state)
            # make the row old too
            journal._db.execute("UPDATE messages SET updated_at = ? WHERE id = ?",
                                ((datetime.now(UTC) - timedelta(days=100)).isoformat(), m.id))
        return sha

    done_old = stored(b"done", State.DONE)
    unreferenced = stored(b"orphan", None)
    pending = stored(b"pending", State.RECEIVED)        # non-terminal: kept whatever its age
    fresh = archive.put(b"fresh")                       # within retention
    recent_row = stored(b"recent", State.DONE)
    journal._db.execute("UPDATE messages SET updated_at = ? WHERE sha256 = ?",
                        (datetime.now(UTC).isoformat(), recent_row))

    assert sorted(archive.purge(journal, 30, dry_run=True)) == sorted([done_old, unreferenced])
    assert archive.exists(done_old)
    removed = archive.purge(journal, 30)
    assert sorted(removed) == sorted([done_old, unreferenced])
    assert not archive.exists(done_old) and not archive.exists(unreferenced)
    assert archive.exists(pending) and archive.exists(fresh) and archive.exists(recent_row)
    journal.close()
