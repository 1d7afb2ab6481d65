"""The clock stepped back a day while an order waits seconds for its next try, with `outbox.max_backoff` at its
default (an hour). e82f18d brought such a wait back to the longest wait the gateway sets, which is that hour: the
order, due in seconds, was posted an hour late (its tests set max_backoff to 5 s). A step seen while the daemon runs
is known to the second (the wall clock against the monotonic one), so the wait moves back by it. The real daemon as a
subprocess with its wall clock shifted (tests/spine/hunt17_clock.py), the Odoo sandbox over HTTP.
"""

from __future__ import annotations

from pathlib import Path

from gateway.odoo.sandbox import SandboxServer
from tests.helpers.net import free_port
from tests.helpers.wait import wait_for
from tests.spine.test_hunt17_clock_step_back import shifted_daemon
from tests.spine.test_stop_while_odoo_down import ORDER, odoo_down_workspace, sale_orders

DAY = 86400


def test_a_clock_set_back_a_day_with_the_default_backoff_posts_the_waiting_order_when_it_was_due(
        tmp_path: Path) -> None:
    port = free_port()
    ws = odoo_down_workspace(tmp_path / "ws", port)
    ws.settings["odoo"]["retry_max"] = 0                  # Odoo down: the order waits in retry_wait at once
    clock = tmp_path / "clock"
    gw = shifted_daemon(ws, clock)
    ws.settings["outbox"].update({"min_backoff": 2.0, "max_backoff": 3600.0})     # the default ceiling
    ws.write_config()
    with gw:
        ws.drop("ORDERS_4500012345.edi", ORDER.read_bytes())
        [msg] = wait_for(lambda: ws.messages(direction="in", state="retry_wait"), timeout=60,
                         message="the order waiting for Odoo")
        # Given the clock set back a day while the order waits seconds for its next try, and Odoo back
        clock.write_text(str(-DAY))
        with SandboxServer(version=17, seed_name="demo", port=port) as server:
            # Then it is posted within its backoff of seconds, not an hour later (a minute: far less than the hour)
            wait_for(lambda: ws.messages(id=msg["id"])[0]["state"] == "done", timeout=60,
                     message=f"the order posted after the clock went back:\n{gw.output()}")
            assert len(sale_orders(server.port)) == 1
    assert "clock: the system clock went back" in gw.output()
    assert "Traceback" not in gw.output()
