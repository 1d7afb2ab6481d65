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
