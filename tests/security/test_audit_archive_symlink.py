"""Audit: the archive never stores what a symlink points at.

The folder inbox skips symlinks when it looks, but a partner able to write the shared inbox can swap
a checked file for a link (to a key, the journal, /etc/...) before the intake opens it; the intake's
own open must refuse to follow it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.errors import JournalError
from gateway.journal.archive import Archive


def test_audit_archive_put_refuses_a_symlink(tmp_path: Path) -> None:
    secret = tmp_path / "private.key"
    secret.write_bytes(b"-----BEGIN PRIVATE KEY----- not for partners")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    link = inbox / "order.x12"
    link.symlink_to(secret)
    archive = Archive(tmp_path / "archive")
    with pytest.raises(JournalError):
        archive.put(link)
    assert list(archive) == []
    plain = inbox / "plain.x12"
    plain.write_bytes(b"ISA*")
    assert archive.read(archive.put(plain)) == b"ISA*"
