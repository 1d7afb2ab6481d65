"""`edi-gateway close ID --reason TEXT`: a quarantined message a person handled stops needing attention.

Found by the operator walkthrough: after the partner's corrected resend was processed, the rejected original
stayed under "needs attention" in `status` and on the status page for good; nothing could end it.
"""

from __future__ import annotations

import json
import os
import pwd
from pathlib import Path

import pytest

from gateway.commands.close import close, operator
from tests.helpers.gateway import GatewayProcess, Workspace, cli
from tests.helpers.wait import wait_for


def _quarantined(ws: Workspace, name: str, data: bytes) -> dict[str, object]:
    ws.drop(name, data)
    return wait_for(lambda: [m for m in ws.messages(state="quarantined") if m["filename"] == name],
                    message=f"{name} quarantined")[0]


def test_close_ends_the_entry_keeps_file_and_history_and_replay_still_works(tmp_path: Path) -> None:
    ws = Workspace.create(tmp_path / "ws", partners={"acme": {"name": "ACME"}})
    with GatewayProcess(ws.config):
        msg = _quarantined(ws, "garbage.txt", b"hello, this is not EDI\n")
        before = cli("status", config=ws.config).stdout
        assert msg["id"] in before and "close ID --reason TEXT once handled otherwise" in before

        done = cli("close", str(msg["id"]), "--reason", "partner resent it  corrected", config=ws.config)

        assert done.returncode == 0, done.stderr
        assert done.stdout == (f"{msg['id']} is closed (was quarantined); `edi-gateway replay {msg['id']}` runs it "
                               "again\n")
        me = pwd.getpwuid(os.getuid()).pw_name
        row = ws.messages(id=msg["id"])[0]
        assert row["state"] == "closed"
        last = ws.events(str(msg["id"]))[-1]
        assert (last["from_state"], last["to_state"]) == ("quarantined", "closed")
        assert last["reason"] == f"closed by {me}: partner resent it corrected"
        assert json.loads(row["meta"])["closed"]["by"] == me
        assert ws.archived(str(row["sha256"])).read_bytes() == b"hello, this is not EDI\n"
        # the quarantine folder is a to-do list too: the copy and its reason move to closed/, saying who and why
        folder = ws.root / "quarantine" / "unknown"
        assert not list(folder.glob(f"{msg['id']}_*"))
        copy = folder / "closed" / f"{msg['id']}_garbage.txt"
        assert copy.read_bytes() == b"hello, this is not EDI\n"
        said = Path(f"{copy}.reason.txt").read_text().splitlines()
        assert said[-1].startswith("closed 20") and said[-1].endswith(f" by {me}: partner resent it corrected")

        status = cli("status", config=ws.config).stdout
        assert "needs attention" not in status and msg["id"] not in status
        assert "  closed       1" in status
        assert json.loads(cli("status", "--json", config=ws.config).stdout)["attention"] == []
        shown = cli("show", str(msg["id"]), config=ws.config).stdout
        assert (f"closed    by {me} at " in shown and f": partner resent it corrected (no longer needs attention; "
                f"`edi-gateway replay {msg['id']}` runs it again)" in shown)
        assert f"quarantined -> closed       closed by {me}: partner resent it corrected" in shown

        # the daemon never takes it again: a later file is processed while this one stays closed
        _quarantined(ws, "later.txt", b"neither is this\n")
        assert ws.messages(id=msg["id"])[0]["state"] == "closed"

        replay = cli("replay", str(msg["id"]), config=ws.config)
        assert replay.returncode == 0, replay.stderr
        wait_for(lambda: ws.messages(id=msg["id"])[0]["state"] == "quarantined", message="replayed")
        assert [e["to_state"] for e in ws.events(str(msg["id"]))] == [
            "received", "quarantined", "closed", "received", "quarantined"]
        assert (folder / f"{msg['id']}_garbage.txt").is_file()         # quarantined again: a new open copy


def test_a_closed_message_whose_file_was_purged_names_its_closed_copy(tmp_path: Path) -> None:
    ws = Workspace.create(tmp_path / "ws", partners={"acme": {"name": "ACME"}})
    with GatewayProcess(ws.config):
        msg = _quarantined(ws, "garbage.txt", b"hello, this is not EDI\n")
        assert cli("close", str(msg["id"]), "--reason", "resent\x1b[2J", config=ws.config).returncode == 0
        assert ws.events(str(msg["id"]))[-1]["reason"].endswith(": resent\\x1b[2J")   # no terminal control
        assert cli("purge", "--days", "0", config=ws.config).returncode == 0

        replay = cli("replay", str(msg["id"]), config=ws.config)

        assert replay.returncode == 1
        copy = ws.root / "quarantine" / "unknown" / "closed" / f"{msg['id']}_garbage.txt"
        assert f"the quarantine keeps a copy: {copy}" in replay.stderr
        assert ws.messages(id=msg["id"])[0]["state"] == "closed"


def test_only_what_needs_attention_is_closed_and_the_rest_is_said_on_stderr(tmp_path: Path) -> None:
    ws = Workspace.create(tmp_path / "ws", partners={"acme": {"name": "ACME"}})
    with GatewayProcess(ws.config):
        one = _quarantined(ws, "one.txt", b"not EDI\n")
        two = _quarantined(ws, "two.txt", b"not EDI either\n")
        assert cli("close", str(one["id"]), "--reason", "handled", config=ws.config).returncode == 0

        done = cli("close", str(one["id"]), str(two["id"]), "01NOSUCHMESSAGE", "--reason", "by phone",
                   config=ws.config)

        assert done.returncode == 1
        assert done.stderr.splitlines() == [
            f"error: {one['id']} is closed; only quarantined, dead or rejected messages can be closed",
            "error: no message 01NOSUCHMESSAGE"]
        assert done.stdout.startswith(f"{two['id']} is closed (was quarantined)")
        assert ws.messages(id=two["id"])[0]["state"] == "closed"
        assert [e["reason"] for e in ws.events(str(one["id"]))][-1].endswith(": handled")   # not closed twice


def test_a_reason_is_required(tmp_path: Path) -> None:
    ws = Workspace.create(tmp_path / "ws")
    missing = cli("close", "01ANY", config=ws.config)
    assert missing.returncode == 2 and "--reason" in missing.stderr
    blank = cli("close", "01ANY", "--reason", "  ", config=ws.config)
    assert blank.returncode == 2 and blank.stderr == "error: --reason must say how the message was handled\n"


def test_the_operator_is_the_process_user_and_who_ran_sudo(monkeypatch: pytest.MonkeyPatch) -> None:
    me = pwd.getpwuid(os.getuid()).pw_name
    monkeypatch.setenv("USER", "someone-else")
    monkeypatch.delenv("SUDO_USER", raising=False)
    monkeypatch.delenv("SUDO_UID", raising=False)
    assert operator() == me
    monkeypatch.setenv("SUDO_USER", "alice")
    monkeypatch.setenv("SUDO_UID", "1000")
    assert operator() == f"alice (sudo as {me})"


def test_a_closed_outbound_message_can_be_resent(tmp_path: Path) -> None:
    """A dead delivery a person closed (sent by mail, say) is sent again by `resend` if they change their mind."""
    from gateway.journal.api import Direction, State
    from gateway.journal.sqlite import SqliteJournal
    from gateway.outbound.outbox import resend
    journal = SqliteJournal(tmp_path / "journal.sqlite3")
    try:
        out = journal.record_intake(direction=Direction.OUT, partner="acme", channel="folder", filename="a.x12",
                                    sha256="0" * 64, size=1, source_key="test:a", state=State.QUEUED)
        journal.transition(out.id, State.DEAD, "retries exhausted")
        assert close(journal, out.id, "sent by mail", "alice").state is State.CLOSED
        assert resend(journal, out.id).state is State.QUEUED
    finally:
        journal.close()


def test_a_closed_held_outbound_document_is_not_said_to_be_resendable(tmp_path: Path) -> None:
    """A document the profile could not render (`Pipeline.hold_outbound`) was never rendered: `resend` refuses
    it, so `close` and `show` must not tell the operator that it runs it again."""
    from gateway.errors import JournalError
    from gateway.journal.api import Direction, State
    from gateway.journal.sqlite import SqliteJournal
    from gateway.outbound.outbox import resend
    ws = Workspace.create(tmp_path / "ws", partners={"acme": {"name": "ACME"}})
    journal = SqliteJournal(ws.journal_path)
    try:
        held = journal.record_intake(direction=Direction.OUT, partner="acme", channel="render",
                                     filename="acme_810_account.move,7.json", sha256="0" * 64, size=2,
                                     source_key="held:odoo:account.move,7@2026-11-30 06:00:00:810",
                                     state=State.QUARANTINED, meta={"held": True}).id
    finally:
        journal.close()
    done = cli("close", held, "--reason", "mailed to the buyer", config=ws.config)
    assert done.returncode == 0, done.stderr
    assert done.stdout == (f"{held} is closed (was quarantined); it was never rendered, and is not sent (a later "
                           "version of its Odoo record is a new document)\n")
    shown = cli("show", held, config=ws.config).stdout
    assert "(no longer needs attention; it was never rendered, and is not sent" in shown and "resend" not in shown
    journal = SqliteJournal(ws.journal_path)
    try:
        with pytest.raises(JournalError, match="was never rendered"):
            resend(journal, held)
    finally:
        journal.close()
