"""`status` during an Odoo outage says why messages are being retried, not only that they are.

Found running the gateway for a day by the README with the Odoo sandbox stopped: `status` showed 'translated 1'
(or 'retry_wait 1') and 'next retry at ...', nothing needed attention, and the cause ("cannot reach Odoo at
...") was only in the message's `show` and the daemon's log."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers.gateway import GatewayProcess, cli
from tests.helpers.net import free_port
from tests.helpers.wait import wait_for
from tests.spine.test_stop_while_odoo_down import ORDER, odoo_down_workspace


def test_status_lists_the_causes_of_what_is_being_retried(tmp_path: Path) -> None:
    port = free_port()                                     # nothing listens: Odoo is down
    ws = odoo_down_workspace(tmp_path / "ws", port)
    ws.settings["odoo"]["retry_max"] = 1                  # the step gives up soon and records why
    ws.write_config()
    with GatewayProcess(ws.config):
        ws.drop(ORDER.name, ORDER.read_bytes())
        wait_for(lambda: any("cannot reach Odoo" in (m["last_error"] or "") for m in ws.messages(direction="in")),
                 timeout=60, message="the order fails to reach Odoo")
        cause = f"post: cannot reach Odoo at http://127.0.0.1:{port}"

        shown = cli("status", config=ws.config).stdout
        lines = shown.splitlines()
        at = lines.index("retrying, by cause (each goes on by itself once its cause is gone):")
        assert lines[at + 1].split(None, 1)[0] == "1" and cause in lines[at + 1], shown
        causes = json.loads(cli("status", "--json", config=ws.config).stdout)["retry_causes"]
        assert [n for text, n in causes.items() if cause in text] == [1], causes


def test_status_shows_the_running_daemon_s_health(tmp_path: Path) -> None:
    """Odoo down before any message failed on it: only the daemon's own check knows; status asks its /healthz."""
    port = free_port()
    ws = odoo_down_workspace(tmp_path / "ws", port)
    ws.settings["ops"] = {"enabled": True, "host": "127.0.0.1", "port": free_port(), "min_free_mb": 0}
    ws.write_config()
    with GatewayProcess(ws.config):
        def health_line() -> str:
            out = cli("status", config=ws.config).stdout
            return next((line for line in out.splitlines() if line.startswith("health ")), "")
        line = wait_for(lambda: "odoo:" in health_line() and health_line(), timeout=60, message="odoo check run")
        assert line.startswith("health   not ready: ") and f"odoo: http://127.0.0.1:{port} unreachable" in line, line
        health = json.loads(cli("status", "--json", config=ws.config).stdout)["health"]
        assert health["status"] == "not ready" and health["checks"]["odoo"]["ok"] is False
        assert health["checks"]["transport:folder"]["ok"] is True and "transport:folder" not in line
    stopped = cli("status", config=ws.config).stdout
    assert "health " not in stopped and "gateway  not running" in stopped      # no daemon: nothing to ask
