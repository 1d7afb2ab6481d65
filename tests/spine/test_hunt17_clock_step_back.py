"""The system clock stepped back while the gateway runs (NTP correcting a clock that ran a day ahead, a VM restored
from a snapshot). Every wait the journal keeps is a wall-clock time, and so is each scheduler job's next run: a
message told to retry in 5 s, and the next poll for done deliveries, were then a day away. The real daemon as a
subprocess with its wall clock shifted (tests/spine/hunt17_clock.py), the Odoo sandbox over HTTP.
"""

from __future__ import annotations

from pathlib import Path

import odoorpc

from gateway.odoo.sandbox import SandboxServer
from tests.helpers.gateway import GatewayProcess
from tests.helpers.net import free_port
from tests.helpers.stalled_odoo import StallingProxy
from tests.helpers.wait import wait_for
from tests.spine.test_chaos import ship
from tests.spine.test_stop_while_odoo_down import ORDER, odoo_down_workspace, sale_orders

DAY = 86400
IN_DOUBT = 10.0       # odoo.in_doubt_seconds: still ahead when the clock goes back


def test_a_clock_set_back_a_day_holds_neither_a_retry_nor_the_ship_notices(tmp_path: Path) -> None:
    port = free_port()
    ws = odoo_down_workspace(tmp_path / "ws", port)
    ws.settings["odoo"]["retry_max"] = 0                  # Odoo down: the order waits in retry_wait at once
    ws.settings["outbox"]["max_backoff"] = 5.0
    ws.write_config()
    clock = tmp_path / "clock"
    clock.write_text("0")
    gw = GatewayProcess(ws.config, preload=["tests.spine.hunt17_clock"], env={"EDI_TEST_CLOCK_FILE": str(clock)})
    with gw:
        ws.drop("ORDERS_4500012345.edi", ORDER.read_bytes())
        [msg] = wait_for(lambda: ws.messages(direction="in", state="retry_wait"), timeout=60,
                         message="the order waiting for Odoo")
        # Given the clock set back a day while the order waits for its next try, and Odoo back
        clock.write_text(str(-DAY))
        with SandboxServer(version=17, seed_name="demo", port=port) as server:
            # Then the order is posted within the longest wait the gateway sets, not a day later
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
        ws.settings["outbox"]["max_backoff"] = 5.0
        ws.write_config()
        clock = tmp_path / "clock"
        clock.write_text("0")
        gw = GatewayProcess(ws.config, preload=["tests.spine.hunt17_clock"], env={"EDI_TEST_CLOCK_FILE": str(clock)})
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
