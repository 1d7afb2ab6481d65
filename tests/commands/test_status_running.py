"""`status` says whether a gateway runs on the state folder, and `replay` does not promise a running one.

Found running the gateway for a day by the README: `status` listed messages and what needs attention but not
whether the daemon was up, and `replay ID` with the daemon stopped said "the running gateway will process
it". Both now read the daemon's lock (state/gateway.lock) from /proc/locks, without taking it.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers.gateway import GatewayProcess, Workspace, cli
from tests.helpers.wait import wait_for


def test_status_names_the_running_gateway_and_replay_says_when_none_runs(tmp_path: Path) -> None:
    ws = Workspace.create(tmp_path / "ws", partners={"acme": {"name": "ACME"}})
    state = ws.root / "state"
    with GatewayProcess(ws.config) as gw:
        assert gw.proc is not None
        ws.drop("garbage.txt", b"not EDI\n")
        msg = wait_for(lambda: ws.messages(state="quarantined"), message="quarantined")[0]["id"]

        shown = cli("status", config=ws.config)
        assert shown.returncode == 0 and f"gateway  running, pid {gw.proc.pid}\n" in shown.stdout, shown.stdout
        assert json.loads(cli("status", "--json", config=ws.config).stdout)["gateway_pid"] == gw.proc.pid

    stopped = cli("status", config=ws.config)
    assert f"gateway  not running (no process holds {state / 'gateway.lock'})" in stopped.stdout, stopped.stdout
    assert json.loads(cli("status", "--json", config=ws.config).stdout)["gateway_pid"] == 0

    replayed = cli("replay", msg, config=ws.config)
    assert replayed.returncode == 0, replayed.stderr
    assert replayed.stdout == (f"{msg} is received again; no gateway runs on {state} now: the next one started "
                               "will process it\n")
    with GatewayProcess(ws.config):            # and the next one does
        wait_for(lambda: ws.messages(id=msg)[0]["state"] == "quarantined"
                 and len(ws.events(msg)) == 4, message="processed at the next start")
