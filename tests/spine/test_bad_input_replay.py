"""The coordinator's loop through the real daemon and the Odoo sandbox over HTTP: an order quarantined for an item
Odoo does not know, the item set up in Odoo, `edi-gateway replay ID`: one sale order, one 997, and no gap in the
997s' control numbers.

Found replaying: the replay built the file's 997 again, which the key of the first dropped, but its interchange
and group numbers had been drawn from the partner's counters, so the partner's next 997 came with ISA13 and GS06
one higher than the last it got (a partner watching its inbound numbers sees a missing interchange).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import odoorpc
from ruamel.yaml import YAML

from gateway.odoo.sandbox import SandboxServer
from tests.helpers.gateway import GatewayProcess, Workspace, cli
from tests.helpers.wait import wait_for
from tests.odoo.test_pipeline_posting import unknown_item

EXAMPLES = Path(__file__).resolve().parents[2] / "gateway" / "examples"
SAMPLE = (EXAMPLES / "samples" / "bigbox" / "850_4500001234.edi").read_bytes()


def bigbox_workspace(root: Path, odoo_url: str) -> Workspace:
    """The example BigBox partner, its files taken from the inbox folder and its documents written to outbox/."""
    example = YAML().load((EXAMPLES / "partners" / "bigbox.yaml").read_text())
    partner = {**example, "inbound": [{"channel": "folder"}], "outbound": {"channel": "folder",
                                                                           "path": "outbox/bigbox"}}
    our_ids = YAML().load((EXAMPLES / "gateway.yaml").read_text())["our_ids"]
    ws = Workspace.create(root, {"our_ids": dict(our_ids), "odoo": {
        "enabled": True, "url": odoo_url, "database": "demo", "username": "admin"}})
    ws.write_partner("bigbox", {k: v for k, v in partner.items() if k != "id"})
    for profile in (EXAMPLES / "translations").glob("bigbox-*.yaml"):
        shutil.copy(profile, ws.root / "translations")
    return ws


def _acks(ws: Workspace) -> list[dict[str, Any]]:
    return [m for m in ws.messages(direction="out") if m["doc_type"] == "997"]


def test_an_order_replayed_after_its_item_was_set_up_in_odoo_is_posted_once_and_acknowledged_once(
        tmp_path: Path) -> None:
    server = SandboxServer(version=17, seed_name="demo")
    server.start()
    try:
        odoo = odoorpc.ODOO("127.0.0.1", port=server.port, timeout=10)
        odoo.login("demo", "admin", "admin")
        set_up_again = unknown_item(odoo)
        ws = bigbox_workspace(tmp_path, server.url)
        with GatewayProcess(ws.config, env={"EDI_GATEWAY_ODOO_PASSWORD": "admin"}):
            ws.drop("850_4500001234.edi", SAMPLE)
            [row] = wait_for(lambda: ws.messages(state="quarantined"), message="the order quarantined")
            assert "order 4500001234, line 2" in row["last_error"] and "BB-1002" in row["last_error"]
            shown = cli("show", row["id"], config=ws.config).stdout
            assert f"next      After fixing the cause (in Odoo, a partner or profile file): edi-gateway replay " \
                   f"{row['id']}\n" in shown, shown

            set_up_again()
            assert cli("replay", row["id"], config=ws.config).returncode == 0
            wait_for(lambda: ws.messages(id=row["id"])[0]["state"] == "done", message="the replayed order posted")
            # the partner's next order: its 997 follows the first one's numbers
            ws.drop("850_4500001299.edi", SAMPLE.replace(b"000001201", b"000001299").replace(b"*1201*", b"*1299*")
                    .replace(b"GE*1*1201", b"GE*1*1299").replace(b"4500001234", b"4500001299"))
            wait_for(lambda: ws.count(direction="in", state="done") == 2, message="the next order posted")
            wait_for(lambda: len(_acks(ws)) == 2 and all(m["state"] == "done" for m in _acks(ws)),
                     message="two 997s written")
        first, second = _acks(ws)
        assert first["parent_id"] == row["id"]
        assert [int(m["control_number"]) for m in (first, second)] == [1, 2]
        texts = [ws.archived(m["sha256"]).read_text() for m in (first, second)]
        assert [re.findall(r"GS\*FA\*[^*]*\*[^*]*\*\d+\*\d+\*(\d+)\*", t) for t in texts] == [["1"], ["2"]]
        orders = odoo.execute_kw("sale.order", "search_read", [[("client_order_ref", "in", ["4500001234", "4500001299"])],
                                                              ["client_order_ref"]])
        assert sorted(o["client_order_ref"] for o in orders) == ["4500001234", "4500001299"]
    finally:
        server.stop()
