"""The inbox folder and our SFTP server know the same temp names: a file a copying process still writes under
Spring Integration's `.writing` name is not taken, its final name is."""

from __future__ import annotations

from pathlib import Path

import pytest

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


HOLD_WRITE_LEASE = """
import fcntl, os, signal, sys
fd = os.open(sys.argv[1], os.O_RDWR)


def give_up(*_):      # as Samba and the NFS server answer a break: the lease goes, the writing goes on
    fcntl.fcntl(fd, fcntl.F_SETLEASE, fcntl.F_UNLCK)
    print("broken", flush=True)


signal.signal(signal.SIGURG, give_up)
fcntl.fcntl(fd, fcntl.F_SETSIG, signal.SIGURG)
fcntl.fcntl(fd, fcntl.F_SETLEASE, fcntl.F_WRLCK)
print("held", flush=True)
os.pwrite(fd, sys.stdin.buffer.read(), os.fstat(fd).st_size)      # the rest, once the test sends it
os.close(fd)
"""


async def test_a_file_another_process_holds_a_write_lease_on_is_not_taken(
        tmp_path: Path, intake: JournalIntake) -> None:
    """A process holding a write lease on a file (Samba's kernel oplocks for a Windows client writing it, the
    kernel NFS server's write delegation to a client writing it) lets no one open it without waiting: the
    lease check's non-blocking open failed (EWOULDBLOCK), which was read as "nobody writes it": the file was
    taken, its read waiting for the holder to give the lease up, and then reading what had reached it so far
    while the writing went on."""
    import asyncio
    import subprocess
    import sys
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "po-3.edi").write_bytes(DOC[:30])
    holder = await asyncio.create_subprocess_exec(sys.executable, "-c", HOLD_WRITE_LEASE, str(inbox / "po-3.edi"),
                                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert holder.stdin is not None and holder.stdout is not None
    try:
        assert await holder.stdout.readline() == b"held\n"
        (inbox / "po-4.edi").write_bytes(DOC)
        folder = FolderInbox(FolderInboxSettings(path=inbox, processed=inbox / "done", min_age=0), intake)
        assert not folder.ready(inbox / "po-3.edi", 0.0)
        assert await asyncio.wait_for(holder.stdout.readline(), 10) == b"broken\n"      # it gave the lease up
        await folder.start()
        try:
            (inbox / "po-5.edi").write_bytes(DOC)
            await wait_for_async(lambda: folder.taken >= 2, message="two files taken")
            assert sorted(m.filename for m in intake.messages()) == ["po-4.edi", "po-5.edi"]
            holder.stdin.write(DOC[30:])
            holder.stdin.close()
            assert await asyncio.wait_for(holder.wait(), 10) == 0
            await wait_for_async(lambda: folder.taken == 3, message="po-3.edi taken once its writer let go")
        finally:
            await folder.stop()
    finally:
        if holder.returncode is None:
            holder.kill()
            await holder.wait()
    assert {m.filename: intake.stored(m) for m in intake.messages()} == {"po-3.edi": DOC, "po-4.edi": DOC,
                                                                          "po-5.edi": DOC}


MOUNTS = r"""27 1 254:0 / / rw,relatime - ext4 /dev/vda rw
40 27 0:50 / /srv/edi\040share rw,relatime shared:5 - nfs4 nas:/edi rw,vers=4.1
41 27 0:51 / /mnt/nas rw,relatime - cifs //nas/edi rw,cache=strict
42 41 0:52 / /mnt/nas/local rw,relatime - tmpfs tmpfs rw
"""


def test_no_lease_is_asked_on_an_nfs_or_smb_share() -> None:
    """On NFSv4 the kernel grants a read lease only under a read delegation of the file server's, on SMB only
    under a read oplock, and answers EAGAIN otherwise, for a file nobody writes: an inbox on such a share (a
    NetApp with delegations off, a Samba share with oplocks off) held every file as being written, for ever,
    without a word. The lease is asked only where it tells of this machine's writers."""
    from gateway.transports.folder import LEASE_FILESYSTEMS, filesystem_type
    assert filesystem_type(Path("/srv/edi share/inbox"), MOUNTS) == "nfs4"
    assert filesystem_type(Path("/mnt/nas/inbox"), MOUNTS) == "cifs"
    assert filesystem_type(Path("/mnt/nas/local/inbox"), MOUNTS) == "tmpfs"
    assert filesystem_type(Path("/srv/edi"), MOUNTS) == "ext4"
    assert not {"nfs", "nfs4", "cifs", "smb3"} & LEASE_FILESYSTEMS
    assert {"ext4", "xfs", "btrfs", "tmpfs", "overlay"} <= LEASE_FILESYSTEMS


def test_a_file_held_open_for_writing_long_after_it_stopped_changing_is_said_once(
        tmp_path: Path, intake: JournalIntake, caplog: pytest.LogCaptureFixture) -> None:
    """A file that some process here keeps open for writing (a stalled copy, a coordinator's spreadsheet
    program holding the CSV it opened) stayed in the inbox, not taken, without a word in the log: the
    coordinator could not tell why the order never came. Once unchanged for HELD_TELL_SECONDS it is said, once."""
    import logging

    from gateway.transports.folder import HELD_TELL_SECONDS
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    folder = FolderInbox(FolderInboxSettings(path=inbox, processed=None, min_age=5), intake)
    with (inbox / "po-6.edi").open("wb") as writer, caplog.at_level(logging.WARNING, "gateway.transports.folder"):
        writer.write(DOC[:30])
        writer.flush()
        looks = [folder.ready(inbox / "po-6.edi", t) for t in (0.0, 10.0, HELD_TELL_SECONDS, HELD_TELL_SECONDS + 30)]
    assert looks == [False] * 4
    said = (f"po-6.edi: unchanged for {HELD_TELL_SECONDS:.0f} s, but a process on this machine still holds it "
            "open for writing; not taken until it closes it")
    assert [r.getMessage() for r in caplog.records] == [said]
    assert folder.ready(inbox / "po-6.edi", HELD_TELL_SECONDS + 31)
