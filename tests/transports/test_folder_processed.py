"""A taken inbox file leaves for processed/ under a name that fits, and one that cannot leave is not taken again
while it stays unchanged (each scan used to record it once more: a new message every 10 s, for ever)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from gateway.config.models import FolderInboxSettings
from gateway.transports import folder as folder_module
from gateway.transports.folder import FolderInbox
from tests.helpers.wait import wait_for_async
from tests.transports.conftest import JournalIntake
from tests.transports.test_sftp_server import DOC


async def test_a_long_name_processed_already_holds_leaves_under_a_cut_name(tmp_path: Path,
                                                                          intake: JournalIntake) -> None:
    """A partner's 240-byte name that processed/ already holds (a name reused daily) went in as
    `<name>.<message id>`, past NAME_MAX: the rename failed, and the file stayed in the inbox."""
    inbox, processed = tmp_path / "inbox", tmp_path / "done"
    processed.mkdir()
    name = "PO_" + "9" * 233 + ".edi"
    assert len(name.encode()) == 240
    (processed / name).write_bytes(b"yesterday's file")
    (inbox_file := inbox / name).parent.mkdir()
    inbox_file.write_bytes(DOC)
    folder = FolderInbox(FolderInboxSettings(path=inbox, processed=processed, min_age=0), intake)
    await folder.start()
    try:
        await wait_for_async(lambda: folder.taken == 1, message="the file taken")
    finally:
        await folder.stop()
    [message] = intake.messages()
    assert list(inbox.iterdir()) == []
    moved = sorted(p.name for p in processed.iterdir() if p.name != name)
    assert len(moved) == 1 and moved[0].endswith(f".{message.id}") and len(moved[0].encode()) == 255, moved
    assert moved[0].startswith("PO_999") and (processed / moved[0]).read_bytes() == DOC


async def test_a_file_that_cannot_leave_the_inbox_is_not_taken_again_until_it_changes(
        tmp_path: Path, intake: JournalIntake, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(folder_module, "RESCAN_SECONDS", 0.2)
    inbox, processed = tmp_path / "inbox", tmp_path / "done"
    folder = FolderInbox(FolderInboxSettings(path=inbox, processed=processed, min_age=0), intake)
    await folder.start()
    try:
        shutil.rmtree(processed)
        processed.write_bytes(b"")           # processed/ is now a file: every move into it fails (ENOTDIR)
        (inbox / "po-1.edi").write_bytes(DOC)
        await wait_for_async(lambda: folder.taken == 1, message="po-1.edi taken")
        scans = folder.scans
        await wait_for_async(lambda: folder.scans >= scans + 3, message="three more full scans")
        assert folder.taken == 1 and len(intake.messages()) == 1
        (inbox / "po-1.edi").write_bytes(DOC.replace(b"~", b"~\n"))        # the partner wrote it again
        await wait_for_async(lambda: folder.taken == 2, message="the new content taken")
    finally:
        await folder.stop()
    assert sorted(intake.stored(m) for m in intake.messages()) == sorted([DOC, DOC.replace(b"~", b"~\n")])
    assert (inbox / "po-1.edi").exists()
