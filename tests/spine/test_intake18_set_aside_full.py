"""A file set aside (`gateway.poison.set_aside_file`) into a quarantine on another filesystem is copied there; when
that disk is full the copy fails and the file stays where it was (an inbox, an SFTP staging file, an AS2 message's
work copy), tried again later. The copy cut short was left behind as a hidden `.tmp`: each retry (every 2 s from an
inbox, each resend of an AS2 message) left another, eating whatever room a person freed for the set-aside to go
through. A small tmpfs as the quarantine (root only)."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.poison import set_aside_file
from tests.helpers.disk import grow, small_disk


def test_a_set_aside_the_full_quarantine_disk_cut_short_leaves_no_partial_copy(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    big = inbox / "big.x12"
    big.write_bytes(b"ISA*" + b"x" * (256 * 1024))
    with small_disk(tmp_path / "quarantine", "128k") as quarantine:
        # Given a quarantine on another, full, filesystem: each try fails and the file stays in the inbox
        for _ in range(3):
            with pytest.raises(OSError):
                set_aside_file(big, big.name, quarantine / "acme", "killed", "look", move=True)
            assert big.exists()
        # Then no partial copy is left to fill the disk
        assert list((quarantine / "acme").iterdir()) == []
        # And once there is room the next try moves it, whole
        grow(quarantine, "1m")
        kept = set_aside_file(big, big.name, quarantine / "acme", "killed", "look", move=True)
        assert kept.read_bytes().startswith(b"ISA*") and kept.stat().st_size == 4 + 256 * 1024 and not big.exists()
        assert sorted(p.name for p in (quarantine / "acme").iterdir()) == [kept.name, f"{kept.name}.reason.txt"]
