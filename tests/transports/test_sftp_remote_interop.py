"""Our poller against partner servers that do not do what OpenSSH's defaults do: a server that refuses our
delete or rename (a read-only drop folder), one without `posix-rename@openssh.com` whose plain SFTP v3 rename
fails over an existing file (a partner reusing one file name every day). OpenSSH's `internal-sftp -P` refuses
the named requests as such a server does."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from gateway.journal.api import State
from tests.transports.conftest import JournalIntake
from tests.transports.test_sftp_remote import DOC, PartnerSshd, poller

pytestmark = pytest.mark.skipif(not Path("/usr/sbin/sshd").exists(), reason="openssh-server not installed")

OTHER = DOC.replace(b"+42'", b"+43'")


def refusing(tmp: Path, requests: str) -> PartnerSshd:
    """The partner's sshd, its SFTP server refusing `requests` (sftp-server -P: answered "permission denied")."""
    server = PartnerSshd(tmp)
    server.config.write_text(server.config.read_text().replace(
        "ForceCommand internal-sftp\n", f"ForceCommand internal-sftp -P {requests}\n"))
    return server


@pytest.fixture
def no_delete(tmp_path: Path) -> Iterator[PartnerSshd]:
    server = refusing(tmp_path, "remove")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def v3_rename(tmp_path: Path) -> Iterator[PartnerSshd]:
    server = refusing(tmp_path, "posix-rename")
    server.start()
    yield server
    server.stop()


async def test_a_refused_delete_leaves_the_file_taken_once_and_the_other_files_still_come(
        no_delete: PartnerSshd, intake: JournalIntake, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    out = no_delete.remote / "out"
    (out / "a-orders.edi").write_bytes(DOC)
    (out / "b-orders.edi").write_bytes(OTHER)
    p = poller(no_delete, intake, tmp_path)
    assert await p.poll_once() == []
    with caplog.at_level(logging.WARNING, logger="gateway.transports.sftp_remote"):
        taken = await p.poll_once()
    assert [intake.stored(m) for m in taken] == [DOC, OTHER]
    assert all(m.state is State.RECEIVED for m in taken)
    assert (out / "a-orders.edi").exists() and (out / "b-orders.edi").exists()     # their server said no
    assert "refused" in caplog.text and "a-orders.edi" in caplog.text
    for _ in range(3):                                   # left there, unchanged: not fetched again every poll
        assert await p.poll_once() == []
    assert len(intake.messages()) == 2
    (out / "a-orders.edi").write_bytes(DOC + b"\n")      # the partner wrote it again: a new version is taken
    await p.poll_once()
    (again,) = await p.poll_once()
    assert intake.stored(again) == DOC + b"\n"


async def test_a_move_over_a_name_the_archive_already_holds_keeps_both(
        v3_rename: PartnerSshd, intake: JournalIntake, tmp_path: Path) -> None:
    """Without posix-rename, SFTP v3 rename refuses an existing target: yesterday's orders.edi in the
    partner's archive folder blocked today's orders.edi, fetched again every poll."""
    out = v3_rename.remote / "out"
    (out / "archive").mkdir()
    (out / "archive" / "orders.edi").write_bytes(b"yesterday")
    (out / "orders.edi").write_bytes(DOC)
    p = poller(v3_rename, intake, tmp_path, after="move", move_to=str(out / "archive"))
    await p.poll_once()
    (msg,) = await p.poll_once()
    assert not (out / "orders.edi").exists()
    assert (out / "archive" / "orders.edi").read_bytes() == b"yesterday"
    assert (out / "archive" / f"orders.edi.{msg.id}").read_bytes() == DOC
    assert await p.poll_once() == [] and len(intake.messages()) == 1
