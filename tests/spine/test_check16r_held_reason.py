"""A file whose every document is held for its line count: the quarantine's .reason.txt says what to do
(tests/spine/test_check16r_*).

bf4b93e made `show` and the status page say "Held for its line count: post it as it is with edi-gateway replay
ID", but the .reason.txt written beside the quarantined copy, where a coordinator working from the quarantine
folder reads it, still said "After fixing the cause (in Odoo, a partner or profile file): edi-gateway replay ID":
it was written from the message as it was before the translate step noted what it held. Through the daemon and
the Odoo sandbox over HTTP.
"""

from __future__ import annotations

from pathlib import Path

import odoorpc

from gateway.odoo.sandbox import SandboxServer
from tests.helpers.gateway import GatewayProcess, cli
from tests.helpers.wait import wait_for
from tests.spine.test_check15_counts import _orders, _workspace, sandbox
from tests.spine.test_check16_held import BATCH

__all__ = ["sandbox"]


def test_the_reason_file_of_a_wholly_held_batch_says_it_is_held(
        tmp_path: Path, sandbox: tuple[SandboxServer, odoorpc.ODOO]) -> None:
    server, odoo = sandbox
    ws = _workspace(tmp_path, server.url, ("eurohandel",))
    with GatewayProcess(ws.config, env={"EDI_GATEWAY_ODOO_PASSWORD": "admin"}):
        ws.drop("ORDERS_batch.edi", BATCH.replace(b"CNT+2:3'", b"CNT+2:4'").replace(b"CNT+2:2'", b"CNT+2:5'"))
        [row] = wait_for(lambda: ws.messages(state="quarantined"), message="the batch held")
        [copy] = (ws.root / "quarantine").glob(f"*/{row['id']}_*.reason.txt")
        said = copy.read_text()
        assert f"Held for its line count: post it as it is with edi-gateway replay {row['id']}" in said, said
        assert "After fixing the cause" not in said, said
        assert row["last_error"].startswith("translate: held, not posted: order 4500012346: totals: line count 5 "
                                            "but the document has 2 lines; order 4500012347: "), row["last_error"]
        assert _orders(odoo, "4500012346") == [] and _orders(odoo, "4500012347") == []
        # the replay posts both, once
        assert cli("replay", row["id"], config=ws.config).returncode == 0
        wait_for(lambda: ws.messages(id=row["id"])[0]["state"] == "done", message="the released orders posted")
    assert len(_orders(odoo, "4500012346")) == 1 and len(_orders(odoo, "4500012347")) == 1
