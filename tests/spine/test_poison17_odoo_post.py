"""A file whose posting to Odoo kills the gateway, beside others being posted, with the Odoo sandbox over HTTP.

A start after a kill first waits out the doubt window of what was being posted (`odoo.in_doubt_seconds`); the
suspects of the kill must then still be posted each alone, or the orders posted beside the poison file would be
killed with it again and again and set aside with it. The poison order is quarantined at its third kill, every
other order is in Odoo exactly once, and nothing else is set aside.
"""

from __future__ import annotations

from pathlib import Path

import odoorpc

from gateway.odoo.sandbox import SandboxServer
from tests.spine.test_crash import check_nothing_lost_nothing_doubled
from tests.spine.test_poison17_crash_loop import run_like_systemd
from tests.spine.test_stop_while_odoo_down import ORDER, odoo_down_workspace

POS = ["4500020001", "4500020002", "4500020003", "4500020004"]


def order(po: str, control: str, note: str) -> bytes:
    """EuroHandel's sample ORDERS under another PO number, interchange control number and delivery note."""
    text = ORDER.read_bytes().replace(b"4500012345", po.encode()).replace(b"EH000417", control.encode())
    return text.replace(b"Anlieferung Rampe 3", note.encode())


def sale_orders(port: int) -> dict[str, int]:
    """How many sale orders each PO number has in the Odoo at `port`, read by odoorpc itself."""
    odoo = odoorpc.ODOO("127.0.0.1", port=port, timeout=30)
    odoo.login("demo", "admin", "admin")
    found = odoo.execute_kw("sale.order", "search_read", [[("client_order_ref", "like", "45000200")],
                                                          ["client_order_ref"]])
    counts: dict[str, int] = {}
    for row in found:
        counts[row["client_order_ref"]] = counts.get(row["client_order_ref"], 0) + 1
    return counts


def test_a_file_whose_posting_kills_the_gateway_is_set_aside_and_the_orders_beside_it_are_posted_once(
        tmp_path: Path) -> None:
    server = SandboxServer(version=17, seed_name="demo")
    server.start()
    try:
        ws = odoo_down_workspace(tmp_path / "ws", server.port, in_doubt=1.0)
        ws.settings["odoo"]["poll_seconds"] = 3600
        ws.settings["inbox"][0]["min_age"] = 0.05
        ws.write_config()
        ws.inbox.mkdir(exist_ok=True)
        # Given an order whose posting kills the gateway, dropped first, then one slow to post and two others
        dropped = {"poison.edi": order(POS[0], "EH020001", "POISON"),
                   "slow.edi": order(POS[1], "EH020002", "SLOWPOST")}
        dropped |= {f"order{n}.edi": order(POS[n], f"EH02000{n + 1}", "Rampe 3") for n in (2, 3)}
        for name, data in dropped.items():
            ws.drop(name, data)
        env = {"EDI_TEST_POISON": "POISON", "EDI_TEST_POISON_STEP": "post", "EDI_TEST_SLOW": "SLOWPOST"}

        # When the gateway is started again each time it dies
        codes, log = run_like_systemd(ws, env, len(dropped))
        in_odoo = sale_orders(server.port)
    finally:
        server.stop()

    # Then it died three times, the poison order is quarantined with its count, the others are in Odoo once each
    assert codes == [-9, -9, -9, 0], log
    rows = {r["filename"]: r for r in ws.messages(direction="in")}
    assert rows["poison.edi"]["state"] == "quarantined"
    assert rows["poison.edi"]["last_error"].startswith(
        "the gateway was killed 3 times while posting this file (step post, 2 of them while it ran alone)")
    assert in_odoo == {po: 1 for po in POS[1:]}, in_odoo
    assert {r["filename"] for r in ws.messages(state="quarantined")} == {"poison.edi"}
    assert all(rows[name]["state"] == "done" for name in dropped if name != "poison.edi")
    slow_kills = [e for e in ws.events(rows["slow.edi"]["id"]) if "the gateway was killed" in e["reason"]]
    assert len(slow_kills) == 1, slow_kills
    check_nothing_lost_nothing_doubled(ws, dropped, "post")
