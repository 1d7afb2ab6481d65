"""`edi-gateway mdn` takes --config before or after its action, like every other command takes it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gateway.cli import build_parser
from gateway.journal.sqlite import SqliteJournal
from gateway.transports.as2.ledger import Ledger
from tests.helpers.gateway import Workspace, cli


@pytest.mark.parametrize("argv", [["mdn", "--config", "ws/gateway.yaml", "list"],
                                  ["mdn", "list", "--config", "ws/gateway.yaml"],
                                  ["mdn", "-c", "ws/gateway.yaml", "resend", "<a@bigbox>"],
                                  ["mdn", "resend", "<a@bigbox>", "-c", "ws/gateway.yaml"]])
def test_config_before_or_after_the_action(argv: list[str]) -> None:
    assert build_parser().parse_args(argv).config == "ws/gateway.yaml"


def test_without_config_the_default_lookup_applies() -> None:
    assert build_parser().parse_args(["mdn", "list"]).config is None


# --------------------------------------------------------------------------- wording (operator walkthrough)

def test_the_actions_config_help_says_what_the_file_is() -> None:
    """`mdn resend --help` said "--config ... as for mdn"."""
    done = cli("mdn", "resend", "--help", env={"COLUMNS": "200"})
    assert "as for mdn" not in done.stdout
    assert "gateway.yaml (default ./gateway.yaml, then /etc/edi-gateway/gateway.yaml)" in done.stdout


def _ledger_with_a_sent_mdn(tmp_path: Path) -> Workspace:
    ws = Workspace.create(tmp_path / "ws")
    SqliteJournal(ws.journal_path).close()
    ledger = Ledger(ws.journal_path.parent / "as2.sqlite3")
    try:
        row = ledger.queue_mdn("bigbox", "https://as2.bigbox.example/mdn", {}, b"mdn", message_id="<po1@bigbox>",
                               journal_id="01JSENTFIRSTTRY0000000000A")
        (due,) = ledger.due_mdns()
        assert due.id == row and ledger.mdn_sent(due)
    finally:
        ledger.close()
    return ws


def test_an_mdn_sent_at_the_first_try_is_listed_with_one_try(tmp_path: Path) -> None:
    """`mdn list` showed TRIES 0 for an MDN that was sent: the queue counts failed POSTs only."""
    ws = _ledger_with_a_sent_mdn(tmp_path)
    table = cli("mdn", "list", config=ws.config)
    assert table.returncode == 0, table.stderr
    header, row = table.stdout.splitlines()[:2]
    assert row.split()[:4] == ["01JSENTFIRSTTRY0000000000A", "sent", "bigbox", "1"]
    assert header.index("TRIES") + len("TRIES") == row.index(" 1 ") + 2         # under its column
    [listed] = json.loads(cli("mdn", "list", "--json", config=ws.config).stdout)
    assert listed["attempts"] == 1


def test_mdn_errors_go_to_stderr_as_every_command_s_do(tmp_path: Path) -> None:
    ws = _ledger_with_a_sent_mdn(tmp_path)
    unknown = "error: no asynchronous MDN for 01NOSUCHMESSAGE (a journal id or an AS2 Message-ID)"
    sent = "error: the MDN for <po1@bigbox> was sent to https://as2.bigbox.example/mdn; nothing to send again"
    for key, said in (("01NOSUCHMESSAGE", unknown), ("<po1@bigbox>", sent)):
        done = cli("mdn", "resend", key, config=ws.config)
        assert (done.returncode, done.stdout, done.stderr) == (1, "", said + "\n")
