"""A SIGKILL (an OOM kill, `systemctl kill`, a stop past TimeoutStopSec) while a create is running in Odoo.

Odoo does not stop a request when its client goes away: the worker runs the create to its end and commits it
(until `limit_time_real`). A gateway restarted at once (systemd's Restart=on-failure) that posts the document
again searches before that commit, finds nothing and creates the record a second time. The real daemon as a
subprocess, the Odoo sandbox behind a proxy that holds the order's create (Odoo still working on it) until the
restarted daemon either looks for the order (no wait: the bug) or says it waits for a lost write to settle.
"""

from __future__ import annotations

import socket
import threading
from pathlib import Path

from gateway.odoo.sandbox import SandboxServer
from tests.helpers.gateway import GatewayProcess
from tests.helpers.stalled_odoo import StallingProxy, _read_request
from tests.helpers.wait import wait_for
from tests.spine.test_stop_while_odoo_down import ORDER, odoo_down_workspace, sale_orders

IN_DOUBT = 4.0       # odoo.in_doubt_seconds: how long Odoo may still run a write whose client died


class SlowCreateOdoo(StallingProxy):
    """Relays every request to the sandbox at `target`, but holds the first `sale.order` create (Odoo still working
    on it) until `release` is set; then Odoo runs it and commits, whoever waits for the answer. `finished` is set
    once Odoo has answered it."""

    def __init__(self, target: int) -> None:
        self.held: bytes | None = None
        self.release = threading.Event()
        self.finished = threading.Event()
        super().__init__(target)

    def _relay(self, conn: socket.socket) -> None:
        try:
            request = _read_request(conn)
            first = self.held is None and b'"sale.order", "create"' in request
            if first:
                self.held = request
            self.seen.append((0.0, request))
            if first:
                self.release.wait(120)
            elif b'"sale.order"' in request and self.release.is_set():
                # released: in Odoo the create commits long before a doubt window of seconds ends; on a loaded
                # machine the relay may not have passed it on yet, so a later look waits for it (a look before
                # the release, which only a gateway that did not wait makes, is not held: the bug shows)
                self.finished.wait(60)
            with socket.create_connection(("127.0.0.1", self.target), timeout=30) as upstream:
                upstream.sendall(request)
                answer = b"".join(iter(lambda: upstream.recv(65536), b""))
            if first:
                self.finished.set()
            conn.sendall(answer)
            conn.shutdown(socket.SHUT_WR)
        except OSError:
            pass                                    # the client went away (killed): Odoo's work is done all the same
        conn.close()


def test_sigkill_while_odoo_runs_the_orders_create_then_restart_makes_one_sale_order(tmp_path: Path) -> None:
    server = SandboxServer(version=17, seed_name="demo")
    server.start()
    odoo = SlowCreateOdoo(server.port)
    try:
        ws = odoo_down_workspace(tmp_path / "ws", odoo.port, in_doubt=IN_DOUBT)
        ws.settings["odoo"]["poll_seconds"] = 3600       # no extraction run asks Odoo about sale orders meanwhile
        ws.write_config()
        gw = GatewayProcess(ws.config).start()
        try:
            ws.drop("ORDERS_4500012345.edi", ORDER.read_bytes())
            wait_for(lambda: odoo.held, timeout=60, message="the order's create reached Odoo")
            [msg] = ws.messages(direction="in")
        finally:
            gw.kill()                                   # Given the daemon killed while Odoo creates the order
        seen = len(odoo.seen)
        with GatewayProcess(ws.config) as again:        # When systemd starts it again at once

            def settled_or_searched() -> bool:
                waiting = any(e["reason"].startswith("waiting for a lost Odoo write to settle")
                              for e in ws.events(msg["id"]))
                searched = any(b'"sale.order"' in request for _, request in odoo.seen[seen:])
                return waiting or searched

            wait_for(settled_or_searched, timeout=60, message="the restarted daemon's next step for the order")
            odoo.release.set()                          # Odoo finishes the create the kill cut off
            wait_for(odoo.finished.is_set, timeout=60, message="Odoo committed the first create")
            wait_for(lambda: ws.messages(id=msg["id"])[0]["state"] == "done", timeout=60, message="the order done")
        orders = sale_orders(server.port)
    finally:
        odoo.release.set()
        odoo.close()
        server.stop()
    # Then the order is in Odoo once: the restart waited for the write in doubt before searching for it
    assert len(orders) == 1, (orders, again.output())
    assert "Traceback" not in again.output()
