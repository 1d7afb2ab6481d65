"""`replay` / `resend` of a message whose file `purge` removed: refused by the command, naming what is left.

Found by running the gateway for a day by the README: `purge --days 0` removed a quarantined file, then
`replay ID` answered "is received again; the running gateway will process it" (exit 0) and the daemon
quarantined it again with "archive has no <sha256> (purged or never stored)".
"""

from __future__ import annotations

from pathlib import Path

from tests.helpers.gateway import GatewayProcess, Workspace, cli
from tests.helpers.wait import wait_for


def test_replay_of_a_purged_quarantined_file_is_refused_naming_the_quarantine_copy(tmp_path: Path) -> None:
    ws = Workspace.create(tmp_path / "ws", partners={"acme": {"name": "ACME"}})
    with GatewayProcess(ws.config):
        ws.drop("garbage.txt", b"hello, this is not EDI\n")
        msg = wait_for(lambda: ws.messages(state="quarantined"), message="quarantined")[0]
        purge = cli("purge", "--days", "0", config=ws.config)
        assert purge.returncode == 0 and msg["sha256"] in purge.stdout, purge.stdout + purge.stderr

        replay = cli("replay", msg["id"], config=ws.config)

        assert replay.returncode == 1, replay.stdout
        assert replay.stdout == ""
        assert f"{msg['id']} cannot be replayed: its file garbage.txt is no longer in the archive" in replay.stderr
        copy = ws.root / "quarantine" / "unknown" / f"{msg['id']}_garbage.txt"
        assert f"the quarantine keeps a copy: {copy}" in replay.stderr
        assert copy.read_bytes() == b"hello, this is not EDI\n"
        assert ws.messages(id=msg["id"])[0]["state"] == "quarantined"      # untouched, not failed once more
        assert [e["to_state"] for e in ws.events(msg["id"])] == ["received", "quarantined"]


def test_resend_of_a_purged_outbound_file_is_refused(tmp_path: Path) -> None:
    ws = Workspace.create(tmp_path / "ws", partners={"acme": {"name": "ACME"}})
    (ws.root / "outbox").mkdir()
    (ws.root / "outbox" / "acme").write_text("a file where the partner's folder should be")
    with GatewayProcess(ws.config):
        ws.drop("po.txt", b"not EDI either\n")          # only to have a journal; the outbound row is ours
        wait_for(lambda: ws.messages(state="quarantined"), message="journal in use")
        from tests.spine.test_daemon import _queue_outbound
        out = _queue_outbound(ws, "acme", "acme_856_1.x12", b"ISA*...~")
        wait_for(lambda: ws.messages(id=out)[0]["state"] == "dead", timeout=60, message="dead after its attempts")
        assert cli("purge", "--days", "0", config=ws.config).returncode == 0

        resend = cli("resend", out, config=ws.config)

        assert resend.returncode == 1 and resend.stdout == ""
        assert f"{out} cannot be resent: its file acme_856_1.x12 is no longer in the archive" in resend.stderr
        assert ws.messages(id=out)[0]["state"] == "dead"


def test_unknown_id_is_an_error_on_stderr(tmp_path: Path) -> None:
    ws = Workspace.create(tmp_path / "ws")
    with GatewayProcess(ws.config):
        for command in ("replay", "resend"):
            done = cli(command, "01NOSUCHMESSAGE", config=ws.config)
            assert done.returncode == 1 and done.stdout == "", done.stdout
            assert done.stderr.strip() == "error: no message 01NOSUCHMESSAGE"
