"""A clean stop (SIGTERM, drained: `systemctl restart`, an upgrade) must not make the next start wait out a killed
run's doubt window (6340007: `pid N` in state/gateway.lock, emptied by a drained stop). Were the lock left as a kill
leaves it, every order the stop left in translated would wait `odoo.in_doubt_seconds` (120 s by default) after each
restart. The real daemon as a subprocess: an Odoo that takes the connection and never answers (the order's posting
waits on its first call, a read: nothing in doubt), SIGTERM; then the Odoo sandbox at that address over HTTP and a
second start with `in_doubt_seconds` far beyond the test's deadline.
"""

from __future__ import annotations

import signal
from pathlib import Path

from gateway.odoo.sandbox import SandboxServer
from tests.helpers.gateway import GatewayProcess
from tests.helpers.stalled_odoo import SilentOdoo
from tests.helpers.wait import wait_for
from tests.spine.test_stop_while_odoo_down import FAR, ORDER, odoo_down_workspace, sale_orders


def test_a_restart_after_a_clean_stop_posts_what_the_stop_left_in_translated_at_once(tmp_path: Path) -> None:
    silent = SilentOdoo()
    ws = odoo_down_workspace(tmp_path / "ws", silent.port, drain=FAR, timeout=FAR, in_doubt=3600.0)
    ws.settings["odoo"]["poll_seconds"] = 3600       # no scheduler run takes Odoo's connections meanwhile
    ws.write_config()
    gw = GatewayProcess(ws.config).start()
    try:
        accepted = len(silent.accepted)
        ws.drop("ORDERS_4500012345.edi", ORDER.read_bytes())
        [msg] = wait_for(lambda: ws.messages(direction="in"), message="the order taken")
        wait_for(lambda: len(silent.accepted) > accepted, message="the order's posting connected to Odoo")
        # Given a clean stop while the order waits for Odoo's first answer
        gw.signal(signal.SIGTERM)
        assert gw.stop(timeout=60) == 0, gw.output()
    finally:
        gw.kill()
        silent.close()
    [row] = ws.messages(id=msg["id"])
    assert (row["state"], "odoo_in_doubt_until" in row["meta"]) == ("translated", False), row
    assert (ws.journal_path.parent / "gateway.lock").read_text() == "", "a drained stop empties the lock"
    # When the gateway starts again, Odoo answering at that address
    with SandboxServer(version=17, seed_name="demo", port=silent.port) as server, GatewayProcess(ws.config) as again:
        # Then the order is posted at once, not after the hour in_doubt_seconds says a killed run's writes wait
        wait_for(lambda: ws.messages(id=msg["id"])[0]["state"] == "done", timeout=60,
                 message=f"the order posted after a clean restart:\n{again.output()}")
        assert len(sale_orders(server.port)) == 1
    assert "without a clean stop" not in again.output()
    assert not any(e["reason"].startswith("waiting for a lost Odoo write") for e in ws.events(msg["id"]))
