"""Inbound consistency checks through the real daemon and the Odoo sandbox over HTTP (tests/spine/test_check15_*).

`Document.check()` (a line count or quantity total that is not the lines', an amount that is not quantity x
price) ran only in `edi-gateway translate`: an 850 whose CTT01 said 4 lines and that held 3 (a truncated or
mis-split file: a lost order line) posted a short sale order without a word. Now the pipeline checks each
translated document: a line count that is not the lines' number holds the document (quarantined, released by
`replay` once a person decided); the other problems post with a warning in the message's findings.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import odoorpc
import pytest
from ruamel.yaml import YAML

from gateway.odoo.sandbox import SandboxServer
from tests.helpers.gateway import GatewayProcess, Workspace, cli
from tests.helpers.wait import wait_for

EXAMPLES = Path(__file__).resolve().parents[2] / "gateway" / "examples"
X12 = (EXAMPLES / "samples" / "bigbox" / "850_4500001234.edi").read_bytes()
EDIFACT = (EXAMPLES / "samples" / "eurohandel" / "ORDERS_4500012345.edi").read_bytes()


def _workspace(root: Path, odoo_url: str, partners: tuple[str, ...]) -> Workspace:
    """The example partners, their files taken from the inbox folder and their documents written to outbox/."""
    our_ids = YAML().load((EXAMPLES / "gateway.yaml").read_text())["our_ids"]
    ws = Workspace.create(root, {"our_ids": dict(our_ids), "odoo": {
        "enabled": True, "url": odoo_url, "database": "demo", "username": "admin"}})
    for name in partners:
        example = YAML().load((EXAMPLES / "partners" / f"{name}.yaml").read_text())
        partner = {**example, "inbound": [{"channel": "folder"}], "outbound": {"channel": "folder",
                                                                               "path": f"outbox/{name}"}}
        ws.write_partner(name, {k: v for k, v in partner.items() if k != "id"})
        for profile in (EXAMPLES / "translations").glob(f"{name}-*.yaml"):
            shutil.copy(profile, ws.root / "translations")
    return ws


@pytest.fixture()
def sandbox() -> Iterator[tuple[SandboxServer, odoorpc.ODOO]]:
    """An Odoo 17 sandbox over HTTP and a client of it."""
    server = SandboxServer(version=17, seed_name="demo")
    server.start()
    try:
        odoo = odoorpc.ODOO("127.0.0.1", port=server.port, timeout=10)
        odoo.login("demo", "admin", "admin")
        yield server, odoo
    finally:
        server.stop()


def _orders(odoo: odoorpc.ODOO, number: str) -> list[dict[str, object]]:
    return odoo.execute_kw("sale.order", "search_read", [[("client_order_ref", "=", number)]],  # type: ignore[no-any-return]
                           {"fields": ["client_order_ref", "note"]})


def test_an_850_short_of_its_ctt01_is_held_until_replayed_and_a_wrong_hash_posts_with_a_warning(
        tmp_path: Path, sandbox: tuple[SandboxServer, odoorpc.ODOO]) -> None:
    server, odoo = sandbox
    ws = _workspace(tmp_path, server.url, ("bigbox",))
    with GatewayProcess(ws.config, env={"EDI_GATEWAY_ODOO_PASSWORD": "admin"}):
        # CTT01 says 4 lines, the file holds 3: a line may be lost
        ws.drop("850_short.edi", X12.replace(b"CTT*3*78", b"CTT*4*78"))
        [row] = wait_for(lambda: ws.messages(state="quarantined"), message="the short order held")
        assert "order 4500001234: totals: line count 4 but the document has 3 lines" in row["last_error"], row
        assert "edi-gateway replay" in row["last_error"]
        assert _orders(odoo, "4500001234") == []
        assert cli("replay", row["id"], config=ws.config).returncode == 0    # a person decided: post it
        wait_for(lambda: ws.messages(id=row["id"])[0]["state"] == "done", message="the released order posted")
        shown = cli("show", row["id"], config=ws.config).stdout
        assert "warning: order 4500001234: totals: line count 4 but the document has 3 lines" in shown, shown
        [order] = _orders(odoo, "4500001234")
        assert "EDI check: totals: line count 4 but the document has 3 lines" in str(order["note"]), order

        # CTT02 (the quantity hash) 80, the lines add up to 78: posted, with a warning
        ws.drop("850_hash.edi", X12.replace(b"CTT*3*78", b"CTT*3*80").replace(b"4500001234", b"4500001235")
                .replace(b"000001201", b"000001202").replace(b"*1201*", b"*1202*").replace(b"GE*1*1201",
                                                                                           b"GE*1*1202"))
        wait_for(lambda: ws.count(direction="in", state="done") == 2, message="the order with a wrong hash posted")
        [second] = [m for m in ws.messages(direction="in") if m["id"] != row["id"]]
        shown = cli("show", second["id"], config=ws.config).stdout
        assert "warning: order 4500001235: totals: quantity total 80 but the lines add up to 78" in shown, shown
        [order] = _orders(odoo, "4500001235")     # said where the people working the order read it
        assert "EDI check: totals: quantity total 80 but the lines add up to 78" in str(order["note"]), order


def test_an_orders_short_of_its_cnt_is_held(tmp_path: Path, sandbox: tuple[SandboxServer, odoorpc.ODOO]) -> None:
    server, odoo = sandbox
    ws = _workspace(tmp_path, server.url, ("eurohandel",))
    with GatewayProcess(ws.config, env={"EDI_GATEWAY_ODOO_PASSWORD": "admin"}):
        ws.drop("ORDERS_short.edi", EDIFACT.replace(b"CNT+2:3'", b"CNT+2:5'"))
        [row] = wait_for(lambda: ws.messages(state="quarantined"), message="the short ORDERS held")
        assert "order 4500012345: totals: line count 5 but the document has 3 lines" in row["last_error"], row
    assert _orders(odoo, "4500012345") == []


def test_a_batchs_order_short_of_its_cnt_is_held_alone_and_a_replay_posts_it_once_beside_the_other(
        tmp_path: Path, sandbox: tuple[SandboxServer, odoorpc.ODOO]) -> None:
    batch = (EXAMPLES / "samples" / "eurohandel" / "ORDERS_4500012346-47.edi").read_bytes()
    server, odoo = sandbox
    ws = _workspace(tmp_path, server.url, ("eurohandel",))
    with GatewayProcess(ws.config, env={"EDI_GATEWAY_ODOO_PASSWORD": "admin"}):
        ws.drop("ORDERS_batch.edi", batch.replace(b"CNT+2:3'", b"CNT+2:4'"))
        [row] = wait_for(lambda: ws.messages(state="quarantined"), message="the batch's short order held")
        assert "order 4500012347: totals: line count 4 but the document has 3 lines" in row["last_error"], row
        assert "4500012346" not in row["last_error"]
        assert len(_orders(odoo, "4500012346")) == 1 and _orders(odoo, "4500012347") == []
        shown = cli("show", row["id"], config=ws.config).stdout
        assert "translated into 1 document; 1 held for its line count" in shown, shown
        assert cli("replay", row["id"], config=ws.config).returncode == 0
        wait_for(lambda: ws.messages(id=row["id"])[0]["state"] == "done", message="the released order posted")
    assert len(_orders(odoo, "4500012346")) == 1 and len(_orders(odoo, "4500012347")) == 1


def test_a_partner_set_to_warn_of_line_counts_gets_its_short_order_posted_with_the_warning(
        tmp_path: Path, sandbox: tuple[SandboxServer, odoorpc.ODOO]) -> None:
    """A partner whose translator counts its lines otherwise (`line_counts: warn`) is not held order after order."""
    server, odoo = sandbox
    ws = _workspace(tmp_path, server.url, ("bigbox",))
    partner = YAML().load((ws.root / "partners" / "bigbox.yaml").read_text())
    ws.write_partner("bigbox", {**{k: v for k, v in partner.items() if k != "id"}, "line_counts": "warn"})
    with GatewayProcess(ws.config, env={"EDI_GATEWAY_ODOO_PASSWORD": "admin"}):
        ws.drop("850_short.edi", X12.replace(b"CTT*3*78", b"CTT*4*78"))
        wait_for(lambda: ws.count(direction="in", state="done") == 1, message="the short order posted")
        [row] = ws.messages(direction="in")
        shown = cli("show", row["id"], config=ws.config).stdout
        assert "warning: order 4500001234: totals: line count 4 but the document has 3 lines" in shown, shown
        [order] = _orders(odoo, "4500001234")
        assert "EDI check: totals: line count 4 but the document has 3 lines" in str(order["note"]), order
