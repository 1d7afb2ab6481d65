"""The inbox folder and our SFTP server know the same temp names: a file a copying process still writes under
Spring Integration's `.writing` name is not taken, its final name is."""

from __future__ import annotations

from pathlib import Path

from gateway.config.models import FolderInboxSettings
from gateway.transports.folder import FolderInbox
from tests.helpers.wait import wait_for_async
from tests.transports.conftest import JournalIntake
from tests.transports.test_sftp_server import DOC


async def test_a_writing_name_waits_for_its_rename(tmp_path: Path, intake: JournalIntake) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "po-1.edi.writing").write_bytes(DOC[:30])           # still being written (it was taken)
    (inbox / "po-2.edi").write_bytes(DOC)
    folder = FolderInbox(FolderInboxSettings(path=inbox, processed=None, min_age=0), intake)
    await folder.start()
    try:
        await wait_for_async(lambda: folder.taken == 1, message="po-2.edi taken")
        assert [m.filename for m in intake.messages()] == ["po-2.edi"]
        (inbox / "po-1.edi.writing").write_bytes(DOC)
        (inbox / "po-1.edi.writing").rename(inbox / "po-1.edi")
        await wait_for_async(lambda: folder.taken == 2, message="po-1.edi taken")
    finally:
        await folder.stop()
    assert sorted(m.filename for m in intake.messages()) == ["po-1.edi", "po-2.edi"]
    assert list(inbox.iterdir()) == []


async def test_a_file_still_open_for_writing_here_is_not_taken_however_long_it_stays_unchanged(
        tmp_path: Path, intake: JournalIntake) -> None:
    """A copy into the inbox that stalls longer than min_age (a slow FTP upload by a local FTP server, a copy
    over a slow link) keeps its size and mtime: it was taken half written, and the rest went on being written
    into the file moved to processed/. Linux grants no read lease on a file a process holds open for writing."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    writer = (inbox / "po-3.edi").open("wb")
    try:
        writer.write(DOC[:30])
        writer.flush()
        (inbox / "po-4.edi").write_bytes(DOC)
        folder = FolderInbox(FolderInboxSettings(path=inbox, processed=inbox / "done", min_age=0), intake)
        await folder.start()
        try:
            await wait_for_async(lambda: folder.taken >= 1, message="po-4.edi taken")
            assert [m.filename for m in intake.messages()] == ["po-4.edi"]
            writer.write(DOC[30:])
        finally:
            writer.close()
        await wait_for_async(lambda: folder.taken == 2, message="po-3.edi taken once closed")
    finally:
        await folder.stop()
    assert {m.filename: intake.stored(m) for m in intake.messages()} == {"po-3.edi": DOC, "po-4.edi": DOC}


async def test_an_old_mtime_takes_a_file_at_once_only_when_it_was_there_at_start(
        tmp_path: Path, intake: JournalIntake) -> None:
    """A file that looks untouched for min_age was taken at once whenever it was seen changing: one written
    onto a network share whose file server's clock is behind ours (an unsynchronised NAS: the mtime it sets
    is already "old" to us) was taken half written, at first sight, and again at each change."""
    import os
    import time
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    long_ago = time.time() - 7200
    (inbox / "po-1.edi").write_bytes(DOC)                       # there while the gateway was down
    os.utime(inbox / "po-1.edi", (long_ago, long_ago))
    folder = FolderInbox(FolderInboxSettings(path=inbox, processed=None, min_age=3600), intake)
    await folder.start()
    try:
        await wait_for_async(lambda: folder.taken >= 1, message="the file there at start taken at once")
        growing = inbox / "po-2.edi"
        growing.write_bytes(DOC[:30])                           # closed: its writer is on another machine
        os.utime(growing, (long_ago, long_ago))
        await wait_for_async(lambda: growing in folder._seen or folder.taken > 1, message="po-2.edi looked at")
    finally:
        await folder.stop()
    assert [m.filename for m in intake.messages()] == ["po-1.edi"]
