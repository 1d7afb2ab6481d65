"""`status` with an AS2 MDN queue it cannot read says so and goes on, as the status page does.

A corrupt or unreadable state/as2.sqlite3 ended `edi-gateway status` with a traceback (sqlite3.DatabaseError from
the MDN counts), so the one command an operator runs first showed nothing at all. Found by the review."""

from __future__ import annotations

import json
from pathlib import Path

from gateway.journal.sqlite import open_journal
from tests.helpers.gateway import Workspace, cli


def test_status_survives_an_unreadable_mdn_queue(tmp_path: Path) -> None:
    ws = Workspace.create(tmp_path / "ws", partners={"acme": {"name": "ACME"}})
    state = ws.root / "state"
    open_journal(state).close()                          # a gateway has run here
    (state / "as2.sqlite3").write_bytes(b"this is not a database" * 100)
    shown = cli("status", config=ws.config)
    assert shown.returncode == 0, shown.stderr
    assert f"asynchronous MDNs: the queue in {state / 'as2.sqlite3'} cannot be read: " in shown.stdout, shown.stdout
    assert "Traceback" not in shown.stderr
    data = json.loads(cli("status", "--json", config=ws.config).stdout)
    assert data["mdn_not_sent"] is None and "cannot be read" in data["mdn_queue_error"]
