"""Commands run by a user who may not enter the gateway's state folder (systemd's StateDirectory is 0700, the
daemon's umask makes the folders it creates 0750): a coordinator's own login, not the service user."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.gateway import ROOT, cli

pytestmark = pytest.mark.skipif(os.geteuid() != 0 or shutil.which("setpriv") is None,
                                reason="needs root and setpriv to run a command as another user")


@pytest.fixture
def closed_state() -> Iterator[Path]:
    """An init workspace anyone may read, whose state folder (with a journal and a lock) only root may enter."""
    root = Path(tempfile.mkdtemp(prefix="edi-other-user-"))
    try:
        root.chmod(0o755)
        done = cli("init", str(root / "ws"))
        assert done.returncode == 0, done.stdout + done.stderr
        subprocess.run(["chmod", "-R", "a+rX", str(root / "ws")], check=True)
        state = root / "ws" / "state"
        state.mkdir(exist_ok=True)
        (state / "journal.sqlite3").write_bytes(b"")
        (state / "gateway.lock").write_text("pid 1\n")
        state.chmod(0o700)
        yield root / "ws" / "gateway.yaml"
    finally:
        shutil.rmtree(root)


def as_nobody(*args: str) -> subprocess.CompletedProcess[str]:
    cmd = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", sys.executable, "-m", "gateway", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60, cwd=ROOT, check=False)


@pytest.mark.parametrize("command", ["status", "messages", "mdn list", "replay M1"])
def test_a_journal_command_says_it_may_not_read_the_state_folder(closed_state: Path, command: str) -> None:
    """They printed a PermissionError traceback (pathlib's exists() raises it for a folder one may not enter)."""
    done = as_nobody(*command.split(), "--config", str(closed_state))
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 4, done.stderr
    assert done.stderr.startswith(f"error: cannot read the journal in {closed_state.parent / 'state'}: "
                                  "Permission denied; run this as the gateway's user"), done.stderr


def test_reload_does_not_say_no_gateway_runs_when_it_cannot_look(closed_state: Path) -> None:
    """reload said 'no gateway runs on ...: the configuration is good, and the next `edi-gateway run` loads it'
    (exit 1) although it could not look at the lock: a coordinator took the running gateway for stopped."""
    done = as_nobody("reload", "--config", str(closed_state))
    assert "no gateway runs" not in done.stderr, done.stderr
    assert done.returncode == 4, done.stderr
    assert "cannot tell which process holds" in done.stderr and "run this as the gateway's user" in done.stderr
