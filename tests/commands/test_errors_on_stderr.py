"""A command's error goes to stderr with exit 1 or 2, so `edi-gateway show ID > out.txt` or a script reading stdout
is not handed the error as if it were the answer (show, messages and init printed theirs on stdout)."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.journal.sqlite import open_journal
from tests.helpers.gateway import Workspace, cli


@pytest.mark.parametrize(("argv", "code", "said"), [
    (["show", "01NOSUCHMESSAGE"], 1, "error: no message 01NOSUCHMESSAGE"),
    (["messages", "--state", "bogus"], 2, "error: unknown state 'bogus'; one of: received, parsed"),
])
def test_journal_commands(tmp_path: Path, argv: list[str], code: int, said: str) -> None:
    ws = Workspace.create(tmp_path / "ws")
    open_journal(ws.root / "state").close()              # the journal a gateway that ran leaves
    done = cli(*argv, config=ws.config)
    assert (done.returncode, done.stdout) == (code, ""), done.stdout
    assert done.stderr.startswith(said), done.stderr


def test_init_into_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    (tmp_path / "ws").mkdir()
    (tmp_path / "ws" / "notes.txt").write_text("mine")
    done = cli("init", str(tmp_path / "ws"))
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == f"error: {tmp_path / 'ws'} is not empty (use --force to write into it)\n"
