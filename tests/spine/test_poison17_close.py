"""`edi-gateway close` of a message still in received/parsed/translated: taken while no gateway runs (the operator
stopped a gateway that a file kills at each start, and ends that file's message), refused while one runs (its
worker may be in the message's step right now, and would post it after the close)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers.gateway import GatewayProcess, Workspace, cli
from tests.helpers.wait import wait_for
from tests.helpers.x12 import purchase_order
from tests.spine.test_daemon import ACME

HOOK = ["tests.helpers.poison_points"]


def _workspace(tmp_path: Path) -> Workspace:
    ws = Workspace.create(tmp_path, {"inbox": [{"path": "inbox", "processed": "inbox/processed", "min_age": 0.05}]},
                          partners={"acme": ACME})
    ws.inbox.mkdir(exist_ok=True)
    return ws


def test_close_ends_a_received_message_while_no_gateway_runs_and_the_next_start_leaves_it(tmp_path: Path) -> None:
    # Given a gateway killed by a file it was parsing, and not started again (the operator stopped the service)
    ws = _workspace(tmp_path)
    ws.drop("huge.x12", purchase_order(1, po="POISON1"))
    gw = GatewayProcess(ws.config, preload=HOOK, env={"EDI_TEST_POISON": "POISON1"}, wait_ready=False).start()
    assert gw.proc is not None
    gw.proc.wait(60)
    gw.kill()
    assert gw.proc.returncode == -9, gw.output()
    [msg] = ws.messages(direction="in")
    assert msg["state"] == "received"

    # When the operator closes its message
    done = cli("close", str(msg["id"]), "--reason", "order entered by hand; the partner splits the file",
               config=ws.config)

    # Then it is closed, saying what it was, and the next start (the poison still there) neither runs nor counts it
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"{msg['id']} is closed (was received); `edi-gateway replay {msg['id']}` runs it")
    row = ws.messages(id=msg["id"])[0]
    assert row["state"] == "closed" and json.loads(row["meta"])["closed"]["was"] == "received"
    ws.drop("po2.x12", purchase_order(2))
    with GatewayProcess(ws.config, preload=HOOK, env={"EDI_TEST_POISON": "POISON1"}) as again:
        wait_for(lambda: [r["state"] for r in ws.messages(direction="in") if r["filename"] == "po2.x12"] == ["done"],
                 message="the next file done")
    assert ws.messages(id=msg["id"])[0]["state"] == "closed", again.output()
    assert [e["to_state"] for e in ws.events(str(msg["id"]))] == ["received", "closed"]


def test_close_refuses_a_message_in_progress_while_a_gateway_runs(tmp_path: Path) -> None:
    # Given a running gateway parsing a slow file
    ws = _workspace(tmp_path)
    env = {"EDI_TEST_SLOW": "SLOW2", "EDI_TEST_SLOW_SECONDS": "8"}
    with GatewayProcess(ws.config, preload=HOOK, env=env) as gw:
        ws.drop("slow.x12", purchase_order(2, po="SLOW2"))
        wait_for(lambda: "running" in (ws.root / "state" / "inflight").read_text()
                 if (ws.root / "state" / "inflight").exists() else False, message="its parse begun")
        [msg] = ws.messages(direction="in")
        assert gw.proc is not None

        # When someone closes it
        refused = cli("close", str(msg["id"]), "--reason", "handled", config=ws.config)

        # Then it is refused, saying why and what to do; the message goes on
        assert refused.returncode == 1
        assert refused.stderr == (
            f"error: {msg['id']} is received and a gateway runs on this state folder (pid {gw.proc.pid}): it may be "
            "working on it right now. Stop the gateway first (systemctl stop edi-gateway), close it, then start it "
            "again\n")
        wait_for(lambda: ws.messages(id=msg["id"])[0]["state"] == "done", timeout=30, message="the file done")
