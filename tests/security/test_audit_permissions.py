"""Audit: what the daemon writes that holds partner data is not readable by other users of the machine.

systemd runs the gateway with UMask=0027, but `edi-gateway run` from a shell inherits the login's
umask (typically 022), which made the journal, the archive and quarantine copies world-readable.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.gateway import GatewayProcess, Workspace
from tests.helpers.wait import wait_for


@pytest.fixture
def loose_umask() -> Iterator[None]:
    old = os.umask(0o022)            # the daemon subprocess inherits it, as from a login shell
    try:
        yield
    finally:
        os.umask(old)


def _world_readable(root: Path, existing: set[Path]) -> list[str]:
    """Files and the folders the daemon made (not those the workspace had) that others may read."""
    return [f"{p} {stat.filemode(p.stat().st_mode)}" for p in root.rglob("*")
            if p not in existing and not p.is_symlink()
            and p.stat().st_mode & (stat.S_IROTH | stat.S_IWOTH | stat.S_IXOTH)]


def test_audit_journal_archive_quarantine_not_world_readable(tmp_path: Path, loose_umask: None) -> None:
    ws = Workspace.create(tmp_path / "gw", {"inbox": [{"path": "inbox", "processed": "inbox/processed",
                                                        "min_age": 0.3}]})
    existing = set(ws.root.rglob("*"))
    with GatewayProcess(ws.config):
        ws.drop("garbage.x12", b"ISA*this is not an interchange~")
        wait_for(lambda: ws.count(state="quarantined") == 1, message="the malformed file quarantined")
    assert list((ws.root / "quarantine").rglob("*garbage*")), "a quarantine copy was made"
    for folder in ("state", "archive", "quarantine"):
        assert _world_readable(ws.root / folder, existing) == [], folder
