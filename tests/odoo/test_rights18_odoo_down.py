"""The rights check when Odoo cannot answer. Down at start: the daemon asks again each poll_seconds, without the
connection's own retries (a 'retry N' warning each, eight a round, every round of an outage), says so once, and checks
once Odoo answers (real daemon, the sandbox started late on the port the gateway was given). Refusing the question
itself (a model the database lacks): a warning, no group named, not a problem (`edi-gateway odoo-check`, 17 and 19)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from gateway.odoo.sandbox import SandboxServer
from gateway.odoo.sandbox.seed import api_user
from gateway.ops.probe import ask_healthz
from tests.helpers.gateway import GatewayProcess, cli
from tests.helpers.net import free_port
from tests.helpers.wait import wait_for
from tests.odoo.test_rights18_check import EVERYTHING, KEY, secret, workspace


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


@pytest.mark.parametrize("sandbox", [17, 19], indirect=True)
def test_a_check_odoo_cannot_answer_is_a_warning_not_a_missing_group(tmp_path: Path, sandbox: SandboxServer) -> None:
    """Odoo refusing the question itself (here: a database without the Purchase app, for Acme's vendor invoices)
    says so as a warning; it named a group to give ('give it Purchase: User') and marked the gateway not ready."""
    api_user(sandbox.db, "edi", "edi", EVERYTHING, [KEY])
    del sandbox.db.models["purchase.order"]
    done = cli("odoo-check", config=workspace(tmp_path, sandbox.url).config, env=secret(sandbox))
    out = done.stdout
    assert done.returncode == 0 and "problem:" not in out, (out, done.stderr)
    warnings = [line for line in out.splitlines() if line.startswith("warning: ")]
    assert warnings and all("could not check whether the Odoo user 'edi' may read purchase.order" in w
                            for w in warnings), out
    assert any(w.startswith("warning: vendor invoices in (bills) (acme 810): ") for w in warnings), out
    said = "Object purchase.order doesn't exist" if sandbox.version < 19 else "the model 'purchase.order' does not exist"
    assert said in warnings[0] and "give it" not in warnings[0], out        # JSON-2's 404 on 19
