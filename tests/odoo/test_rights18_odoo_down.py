"""The daemon's rights check while Odoo is down at start: asked again each poll_seconds, without the connection's own
retries (a 'retry N' warning each, eight a round, every round of an outage), said once, and done once Odoo answers.
Real daemon, the sandbox started late on the port the gateway was given."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gateway.odoo.sandbox import SandboxServer
from gateway.odoo.sandbox.seed import api_user
from gateway.ops.probe import ask_healthz
from tests.helpers.gateway import GatewayProcess
from tests.helpers.net import free_port
from tests.helpers.wait import wait_for
from tests.odoo.test_rights18_check import EVERYTHING, workspace


def rights(ops_port: int) -> str:
    """The odoo:rights detail on /healthz ('' while none)."""
    found: dict[str, Any] | str = ask_healthz(f"http://127.0.0.1:{ops_port}/healthz")
    return str(found["checks"].get("odoo:rights", {}).get("detail", "")) if isinstance(found, dict) else ""


def test_an_odoo_down_at_start_is_asked_again_quietly_and_checked_once_it_answers(tmp_path: Path) -> None:
    odoo_port, ops_port = free_port(), free_port()
    ws = workspace(tmp_path, f"http://127.0.0.1:{odoo_port}", ops_port=ops_port)      # nothing listens there yet
    (ws.root / "partners" / "northwind.yaml").unlink()     # the vendor only: no scheduled extraction asks Odoo
    ws.settings["odoo"].update(retry_max=8, poll_seconds=0.2)                           # the default retries
    ws.write_config()
    with GatewayProcess(ws.config, env={"EDI_GATEWAY_ODOO_PASSWORD": "edi"}) as gw:
        wait_for(lambda: "not checked yet: cannot reach Odoo" in rights(ops_port), message="the check's first round")
        server = SandboxServer(version=17, seed_name="demo", port=odoo_port)
        api_user(server.db, "edi", "edi", EVERYTHING)
        server.start()
        try:
            wait_for(lambda: "may do what the configured flows need" in rights(ops_port), message="checked")
        finally:
            server.stop()
        out = gw.output()
    assert "; retry " not in out, out                      # eight a round before, from the first round on
    assert out.count("Odoo rights: not checked yet (cannot reach Odoo") == 1, out
    assert "Odoo rights: the Odoo user 'edi' may do what the configured flows need" in out, out
