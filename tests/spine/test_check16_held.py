"""A held order's quarantine reason says first what a person must do (tests/spine/test_check16_*).

A batch ORDERS whose second order is short of its CNT+2 posted the first and was quarantined with "post: 1
transaction set could not be translated (1 document posted; a replay finds those and tries the rest again): held,
not posted: order 4500012347: ...": the set was translated; what the coordinator must decide (the partner sends
it again, or `replay` posts it as it is) came last. Now the reason begins with the held order, why and the replay,
then says what else became of the file. Through the daemon and the Odoo sandbox over HTTP.
"""

from __future__ import annotations

import re
import urllib.request
from pathlib import Path

import odoorpc

from gateway.odoo.sandbox import SandboxServer
from tests.helpers.gateway import GatewayProcess, cli
from tests.helpers.net import free_port
from tests.helpers.wait import wait_for
from tests.spine.test_check15_counts import EXAMPLES, _orders, _workspace, sandbox

__all__ = ["sandbox"]

BATCH = (EXAMPLES / "samples" / "eurohandel" / "ORDERS_4500012346-47.edi").read_bytes()


def test_a_held_order_beside_a_posted_one_is_named_first_with_its_replay(
        tmp_path: Path, sandbox: tuple[SandboxServer, odoorpc.ODOO]) -> None:
    server, odoo = sandbox
    ws = _workspace(tmp_path, server.url, ("eurohandel",))
    with GatewayProcess(ws.config, env={"EDI_GATEWAY_ODOO_PASSWORD": "admin"}):
        ws.drop("ORDERS_batch.edi", BATCH.replace(b"CNT+2:3'", b"CNT+2:4'"))
        [row] = wait_for(lambda: ws.messages(state="quarantined"), message="the batch's short order held")
        reason = row["last_error"]
        assert reason.startswith("post: held, not posted: order 4500012347: totals: line count 4 but the document "
                                 f"has 3 lines (a line may be missing). Ask the partner to send it again, or post it "
                                 f"as it is: edi-gateway replay {row['id']}"), reason
        assert reason.endswith("(1 other document of the file posted: the replay finds it again)"), reason
        assert "could not be translated" not in reason
        assert len(_orders(odoo, "4500012346")) == 1 and _orders(odoo, "4500012347") == []
        [copy] = (ws.root / "quarantine").glob(f"*/{row['id']}_*.reason.txt")
        assert "held, not posted: order 4500012347" in copy.read_text()
        # the next step says there is nothing to fix, not "after fixing the cause (in Odoo, ...)"
        assert f"next      Held for its line count: post it as it is with edi-gateway replay {row['id']}" in \
            cli("show", row["id"], config=ws.config).stdout
        assert cli("replay", row["id"], config=ws.config).returncode == 0
        wait_for(lambda: ws.messages(id=row["id"])[0]["state"] == "done", message="the released order posted")
    assert len(_orders(odoo, "4500012346")) == 1 and len(_orders(odoo, "4500012347")) == 1


def test_a_batch_whose_orders_are_all_held_names_each(tmp_path: Path,
                                                      sandbox: tuple[SandboxServer, odoorpc.ODOO]) -> None:
    """Both orders short: the reason named the first only, and the replay posted the second too, unseen."""
    server, odoo = sandbox
    ws = _workspace(tmp_path, server.url, ("eurohandel",))
    port = free_port()
    ws.settings["ops"] = {"enabled": True, "host": "127.0.0.1", "port": port, "min_free_mb": 0}
    ws.write_config()
    with GatewayProcess(ws.config, env={"EDI_GATEWAY_ODOO_PASSWORD": "admin"}):
        ws.drop("ORDERS_batch.edi", BATCH.replace(b"CNT+2:3'", b"CNT+2:4'").replace(b"CNT+2:2'", b"CNT+2:5'"))
        [row] = wait_for(lambda: ws.messages(state="quarantined"), message="the batch held")
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/messages/{row['id']}", timeout=10) as answer:
            said = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", answer.read().decode()))
        shown = cli("show", row["id"], config=ws.config).stdout
    assert f"What to do held for its line count: post it as it is with edi-gateway replay {row['id']} " in said, said
    assert f"next      Held for its line count: post it as it is with edi-gateway replay {row['id']}" in shown, shown
    reason = row["last_error"]
    assert "order 4500012346: totals: line count 5 but the document has 2 lines" in reason, reason
    assert "order 4500012347: totals: line count 4 but the document has 3 lines" in reason, reason
    assert _orders(odoo, "4500012346") == [] and _orders(odoo, "4500012347") == []
