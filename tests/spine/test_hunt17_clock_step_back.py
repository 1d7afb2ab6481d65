"""The system clock stepped back while the gateway runs (NTP correcting a clock that ran a day ahead, a VM restored
from a snapshot). Every wait the journal keeps is a wall-clock time, and so is each scheduler job's next run: a
message told to retry in 5 s, and the next poll for done deliveries, were then a day away. The real daemon as a
subprocess with its wall clock shifted (tests/spine/hunt17_clock.py), the Odoo sandbox over HTTP.
"""

from __future__ import annotations

import math
import shutil
import time
from pathlib import Path

import odoorpc
from ruamel.yaml import YAML

from gateway.odoo.sandbox import SandboxServer
from tests.helpers.gateway import GatewayProcess, Workspace
from tests.helpers.net import free_port
from tests.helpers.stalled_odoo import StallingProxy
from tests.helpers.wait import wait_for
from tests.spine.test_chaos import ship
from tests.spine.test_stop_while_odoo_down import EXAMPLES, ORDER, odoo_down_workspace, sale_orders

DAY = 86400
FOUR_HOURS = 4 * 3600
IN_DOUBT = 10.0       # odoo.in_doubt_seconds: still ahead when the clock goes back


def shifted_daemon(ws: Workspace, clock: Path, seconds: float = 0.0) -> GatewayProcess:
    """The daemon of `ws` with its wall clock `seconds` off; write other seconds to `clock` to step it. Retries wait
    5 s at most, so the longest wait the gateway sets is its 30 s parks."""
    ws.settings["outbox"]["max_backoff"] = 5.0
    ws.write_config()
    clock.write_text(str(seconds))
    return GatewayProcess(ws.config, preload=["tests.spine.hunt17_clock"], env={"EDI_TEST_CLOCK_FILE": str(clock)})


def test_a_clock_set_back_a_day_holds_neither_a_retry_nor_the_ship_notices(tmp_path: Path) -> None:
    port = free_port()
    ws = odoo_down_workspace(tmp_path / "ws", port)
    ws.settings["odoo"]["retry_max"] = 0                  # Odoo down: the order waits in retry_wait at once
    clock = tmp_path / "clock"
    gw = shifted_daemon(ws, clock)
    # outbox.max_backoff at its default: a wait the step left a day ahead moves back by the step, not to this hour
    ws.settings["outbox"].update({"min_backoff": 2.0, "max_backoff": 3600.0})
    ws.write_config()
    with gw:
        ws.drop("ORDERS_4500012345.edi", ORDER.read_bytes())
        [msg] = wait_for(lambda: ws.messages(direction="in", state="retry_wait"), timeout=60,
                         message="the order waiting for Odoo")
        # Given the clock set back a day while the order waits seconds for its next try, and Odoo back
        clock.write_text(str(-DAY))
        with SandboxServer(version=17, seed_name="demo", port=port) as server:
            # Then the order is posted when its own try was due, not a day (nor max_backoff's hour) later
            wait_for(lambda: ws.messages(id=msg["id"])[0]["state"] == "done", timeout=120,
                     message=f"the order posted after the clock went back:\n{gw.output()}")
            # And a delivery done now is sent as a DESADV at the next poll, not a day later
            odoo = odoorpc.ODOO("127.0.0.1", port=server.port, timeout=30)
            odoo.login("demo", "admin", "admin")
            [order] = odoo.execute_kw("sale.order", "search_read",
                                      [[("client_order_ref", "=", "4500012345")], ["state"]])
            if order["state"] in ("draft", "sent"):
                odoo.execute_kw("sale.order", "action_confirm", [[order["id"]]])
            assert ship(odoo, order["id"])
            wait_for(lambda: ws.messages(direction="out", doc_type="DESADV"), timeout=120,
                     message=f"the DESADV of the delivery:\n{gw.output()}")
    assert "clock: the system clock went back" in gw.output()
    assert "Traceback" not in gw.output()


def test_a_clock_set_back_a_day_does_not_stretch_the_wait_for_a_lost_odoo_write(tmp_path: Path) -> None:
    """A create whose answer was lost waits `odoo.in_doubt_seconds` (Odoo may still be running it) before the order
    is posted again; that time, kept with the message, must not become a day when the clock goes back a day."""
    server = SandboxServer(version=17, seed_name="demo")
    server.start()
    proxy = StallingProxy(server.port, stall=lambda request: b'"sale.order", "create"' in request)
    try:
        ws = odoo_down_workspace(tmp_path / "ws", proxy.port, timeout=2.0, in_doubt=IN_DOUBT)
        ws.settings["odoo"]["poll_seconds"] = 3600
        clock = tmp_path / "clock"
        gw = shifted_daemon(ws, clock)
        with gw:
            ws.drop("ORDERS_4500012345.edi", ORDER.read_bytes())
            # Given Odoo made the order and its answer was lost: the order waits for that write to settle
            [msg] = wait_for(lambda: [m for m in ws.messages(direction="in") if m["state"] == "retry_wait" and
                                      "odoo_in_doubt_until" in m["meta"]], timeout=60, message="the write in doubt")
            proxy.stall = lambda request: False
            # When the clock goes back a day
            clock.write_text(str(-DAY))
            # Then the order is found and done within the waits the gateway sets, not a day later
            wait_for(lambda: ws.messages(id=msg["id"])[0]["state"] == "done", timeout=150,
                     message=f"the order done after the clock went back:\n{gw.output()}")
        assert len(sale_orders(server.port)) == 1
    finally:
        proxy.close()
        server.stop()
    assert "Traceback" not in gw.output()


def northwind_846_workspace(root: Path, odoo_port: int) -> Workspace:
    """Northwind with only its 846 stock feed, every 4 hours (its example's schedule), into outbox/northwind/."""
    odoo = {"enabled": True, "url": f"http://127.0.0.1:{odoo_port}", "database": "demo", "username": "admin",
            "password": "admin", "poll_seconds": 60, "lookback_days": 2}
    ws = Workspace.create(root, {"odoo": odoo, "our_ids": {"x12": {"qualifier": "ZZ", "id": "ACMEDIST"}, "gs": "ACMEDIST"}})
    shutil.copytree(EXAMPLES / "translations", ws.root / "translations", dirs_exist_ok=True)
    body = YAML(typ="safe").load((EXAMPLES / "partners" / "northwind.yaml").read_text())
    body["inbound"] = [{"channel": "folder"}]
    body["outbound"] = {"channel": "folder", "path": "outbox/northwind"}
    body["documents"] = [d for d in body["documents"] if d["type"] in ("850", "846")]
    ws.write_partner("northwind", {k: v for k, v in body.items() if k != "id"})
    return ws


def test_a_clock_stepped_forward_past_a_stock_feeds_slot_sends_that_slots_feed(tmp_path: Path) -> None:
    """APScheduler drops a run more than `misfire_grace_time` late as missed: a clock stepped forward (or a VM
    resumed) past the 846's 4-hourly slot skipped that feed until the next slot, four hours on."""
    clock = tmp_path / "clock"
    now = time.time()
    slot = math.ceil(now / FOUR_HOURS) * FOUR_HOURS
    with SandboxServer(version=17, seed_name="demo") as server:
        ws = northwind_846_workspace(tmp_path / "ws", server.port)
        gw = shifted_daemon(ws, clock, slot - 60 - now)        # the daemon's clock: a minute before a slot
        with gw:
            # the slot before, at once (it was missed while the gateway was down)
            wait_for(lambda: ws.messages(direction="out", doc_type="846"), timeout=60, message="the first 846")
            # When the clock steps two hours forward, past the next slot
            clock.write_text(str(slot - 60 - now + 2 * 3600))
            # Then that slot's feed goes out now, not four hours later
            wait_for(lambda: len(ws.messages(direction="out", doc_type="846")) == 2, timeout=90,
                     message=f"the 846 of the slot the clock stepped over:\n{gw.output()}")
    assert "clock: the system clock went forward" in gw.output()
    assert "Traceback" not in gw.output()
