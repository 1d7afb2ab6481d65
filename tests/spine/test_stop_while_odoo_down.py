"""SIGTERM while Odoo is down: the real daemon as a subprocess, its Odoo a loopback port nothing listens on.

The Odoo client retries a refused connection with backoff (up to `retry_max` times); a stop must not wait for
those retries, in the workers posting a document or in the scheduler's extraction runs. The process exits within
`drain_seconds` (checked with a generous margin: the promise is "before systemd's TimeoutStopSec", not a speed)
with exit code 0 and "stopped", the document is left as it stood, and a restart with Odoo up posts it once.
"""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

import odoorpc
from ruamel.yaml import YAML

from gateway.odoo.sandbox import SandboxServer
from tests.helpers.gateway import GatewayProcess, Workspace
from tests.helpers.net import free_port
from tests.helpers.wait import wait_for

EXAMPLES = Path(__file__).resolve().parents[2] / "gateway" / "examples"
ORDER = EXAMPLES / "samples" / "eurohandel" / "ORDERS_4500012345.edi"
DRAIN = 10.0
MARGIN = 20.0          # a loaded CI machine starting and stopping Python: far more than a clean stop needs


class SilentOdoo:
    """Takes connections on loopback and never answers (an Odoo stuck behind a lock, a hung proxy)."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.05)
        self.port = int(self.sock.getsockname()[1])
        self.accepted: list[socket.socket] = []
        self.closing = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.closing.is_set():
            try:
                self.accepted.append(self.sock.accept()[0])
            except TimeoutError:
                continue

    def close(self) -> None:
        self.closing.set()
        self.thread.join(5)
        for conn in [*self.accepted, self.sock]:
            conn.close()


def stop_and_time(gw: GatewayProcess) -> tuple[int | None, float]:
    """SIGTERM; the exit code (None: still running at the drain bound plus the margin) and the seconds it took."""
    assert gw.proc is not None
    gw.signal(signal.SIGTERM)
    sent = time.monotonic()
    try:
        code: int | None = gw.proc.wait(DRAIN + MARGIN)
    except subprocess.TimeoutExpired:
        code = None
    return code, time.monotonic() - sent


def odoo_down_workspace(root: Path, port: int) -> Workspace:
    """EuroHandel's orders from the inbox folder, posted to Odoo at `port`; its scheduler runs every second.
    `retry_max` 30: one document's retries alone would take minutes, far past the drain bound."""
    odoo = {"enabled": True, "url": f"http://127.0.0.1:{port}", "database": "demo", "username": "admin",
            "password": "admin", "retry_max": 30, "poll_seconds": 1, "lookback_days": 2}
    ws = Workspace.create(root, {"odoo": odoo, "drain_seconds": DRAIN})
    shutil.copytree(EXAMPLES / "translations", ws.root / "translations", dirs_exist_ok=True)
    body = YAML(typ="safe").load((EXAMPLES / "partners" / "eurohandel.yaml").read_text())
    body["inbound"] = [{"channel": "folder"}]
    body["outbound"] = {"channel": "folder", "path": "outbox/eurohandel"}
    ws.write_partner("eurohandel", {k: v for k, v in body.items() if k != "id"})
    return ws


def test_sigterm_while_odoo_is_down_exits_within_the_drain_bound_and_the_order_is_posted_once_later(
        tmp_path: Path) -> None:
    port = free_port()
    ws = odoo_down_workspace(tmp_path / "ws", port)
    gw = GatewayProcess(ws.config).start()
    try:
        ws.drop("ORDERS_4500012345.edi", ORDER.read_bytes())
        [msg] = wait_for(lambda: ws.messages(direction="in"), message="the order taken")

        def retrying() -> bool:
            lines = [line for line in gw.output().splitlines() if "Connection refused); retry 2 in" in line]
            # the worker posting the order, and a scheduler run (no message of its own)
            return any(f"msg={msg['id']}" in line for line in lines) and any("msg=" not in line for line in lines)

        wait_for(retrying, message="the order's posting and a scheduler run retrying Odoo")
        # When SIGTERM arrives while both wait to try Odoo again
        code, waited = stop_and_time(gw)
    finally:
        gw.kill()
    # Then the process is gone before the drain bound we promise (plus the margin), cleanly: exit 0, "stopped",
    # nothing left running in a thread
    assert code == 0, f"exit {code} after {waited:.1f}s:\n{gw.output()}"
    out = gw.output()
    assert "gateway.daemon stopped" in out and "work still running" not in out, out
    # the order is where it stood, not a failed attempt: no backoff, resumed at once by the next start
    [row] = ws.messages(id=msg["id"])
    assert (row["state"], row["attempts"], row["next_attempt_at"]) == ("translated", 0, None), row
    assert "not tried again: the gateway is stopping" in row["last_error"]
    # When Odoo is up at that address and the gateway starts again
    with SandboxServer(version=17, seed_name="demo", port=port) as server, GatewayProcess(ws.config) as again:
        wait_for(lambda: ws.messages(id=msg["id"])[0]["state"] == "done", timeout=60, message="the order posted")
        odoo = odoorpc.ODOO("127.0.0.1", port=server.port, timeout=30)
        odoo.login("demo", "admin", "admin")
        orders = odoo.execute_kw("sale.order", "search_read", [[("client_order_ref", "=", "4500012345")],
                                                               ["id"]])
    # Then it is posted exactly once
    assert len(orders) == 1, orders
    assert "Traceback" not in gw.output() + again.output()


def test_sigterm_while_a_scheduler_run_waits_on_a_silent_odoo_exits_within_the_drain_bound(tmp_path: Path) -> None:
    """An Odoo that takes the connection and never answers: a scheduler run's thread waits on its socket (odoo.timeout
    60 s) and cannot be interrupted; the daemon waits for it until the drain deadline only, then exits 0 saying what
    it left (asyncio.run alone would wait for the thread after logging "stopped")."""
    silent = SilentOdoo()
    ws = odoo_down_workspace(tmp_path / "ws", silent.port)
    gw = GatewayProcess(ws.config).start()
    try:
        wait_for(lambda: silent.accepted, message="a scheduler run connected to Odoo")
        code, waited = stop_and_time(gw)
    finally:
        gw.kill()
        silent.close()
    assert code == 0, f"exit {code} after {waited:.1f}s:\n{gw.output()}"
    assert "work still running" in gw.output() and "resumes at the next start" in gw.output()
    assert "Traceback" not in gw.output()
