"""Audit: partner-chosen text never reaches the operator's terminal as control sequences.

An SFTP upload name may hold any byte but '/' and NUL (ESC, BEL, CR...), and error texts quote what
a partner sent. `messages`, `show` and `status` printed both raw, so a partner could retitle the
operator's terminal, clear or rewrite lines of the output, or worse on terminals that answer queries.
"""

from __future__ import annotations

from pathlib import Path

from gateway.journal.api import Direction, State
from gateway.journal.sqlite import SqliteJournal
from tests.helpers.gateway import Workspace, cli

NAME = "order\x1b]0;owned\x07\x1b[2J\r.x12"
ERROR = "parse: segment BEG: expected a date, got '\x1b[1A\x1b[2Kall fine\x9b31m'"


def test_audit_cli_output_has_no_control_characters(tmp_path: Path) -> None:
    ws = Workspace.create(tmp_path / "gw")
    ws.journal_path.parent.mkdir(parents=True, exist_ok=True)
    journal = SqliteJournal(ws.journal_path)
    try:
        msg = journal.record_intake(direction=Direction.IN, partner="acme", channel="sftp", filename=NAME,
                                    sha256="2" * 64, size=3, source_key=f"sftp:acme:inbound/{NAME}")
        journal.transition(msg.id, State.QUARANTINED, ERROR, error=ERROR)
    finally:
        journal.close()
    for args in (("messages",), ("show", msg.id), ("status",)):
        done = cli(*args, config=ws.config)
        assert done.returncode == 0, done.stderr
        out = done.stdout
        assert "order" in out, (args, out)
        bad = sorted({c for c in out if (ord(c) < 32 and c != "\n") or 0x7f <= ord(c) < 0xa0})
        assert bad == [], (args, bad)
