"""SIGTERM while Odoo is down or silent: the real daemon as a subprocess, its Odoo a loopback port nothing listens
on, one that takes connections and never answers, or a sandbox behind a proxy that keeps an answer back.

The Odoo client retries a refused connection with backoff (up to `retry_max` times); a stop must not wait for
those retries, in the workers posting a document or in the scheduler's extraction runs, nor for a socket that
never answers (`odoo.timeout`). The process exits within `drain_seconds` (checked with a generous margin: the
promise is "before systemd's TimeoutStopSec", not a speed), or, for a silent Odoo, with `odoo.timeout` and
`drain_seconds` both far beyond the test's own deadline; with exit code 0 and "stopped", the document is left
as it stood, and a restart with Odoo up posts it once.
"""

from __future__ import annotations

import json
import re
import shutil
import signal
import subprocess
import time
from datetime import datetime
from pathlib import Path

import odoorpc
from ruamel.yaml import YAML

from gateway.odoo.sandbox import SandboxServer
from tests.helpers.gateway import GatewayProcess, Workspace
from tests.helpers.net import free_port
from tests.helpers.stalled_odoo import SilentOdoo, StallingProxy
from tests.helpers.wait import wait_for

EXAMPLES = Path(__file__).resolve().parents[2] / "gateway" / "examples"
ORDER = EXAMPLES / "samples" / "eurohandel" / "ORDERS_4500012345.edi"
DRAIN = 10.0
MARGIN = 20.0          # a loaded CI machine starting and stopping Python: far more than a clean stop needs
IN_DOUBT = 5.0        # odoo.in_doubt_seconds of the stop during a create: the restart must wait it out
FAR = 120.0            # odoo.timeout and drain_seconds for a silent Odoo: beyond the test's deadline (DRAIN + MARGIN)


def stop_and_time(gw: GatewayProcess) -> tuple[int | None, float]:
    """SIGTERM; the exit code (None: still running at DRAIN plus the margin) and the seconds it took."""
    assert gw.proc is not None
    gw.signal(signal.SIGTERM)
    sent = time.monotonic()
    try:
        code: int | None = gw.proc.wait(DRAIN + MARGIN)
    except subprocess.TimeoutExpired:
        code = None
    return code, time.monotonic() - sent


def stopped_cleanly_leaving(gw: GatewayProcess, ws: Workspace, message_id: str, code: int | None, waited: float,
                            why: str) -> str:
    """Checks a stop: exit 0 with "stopped", nothing left running in a thread, and the message where it stood, not
    a failed attempt (no backoff: resumed at once by the next start), `why` in its last error; the daemon's log."""
    assert code == 0, f"exit {code} after {waited:.1f}s:\n{gw.output()}"
    out = gw.output()
    assert "gateway.daemon stopped" in out and "work still running" not in out, out
    [row] = ws.messages(id=message_id)
    assert (row["state"], row["attempts"], row["next_attempt_at"]) == ("translated", 0, None), row
    assert why in row["last_error"], row["last_error"]
    return out


def sale_orders(port: int) -> list[dict[str, int]]:
    """The sale orders of PO 4500012345 in the Odoo at `port`, read by odoorpc itself."""
    odoo = odoorpc.ODOO("127.0.0.1", port=port, timeout=30)
    odoo.login("demo", "admin", "admin")
    return list(odoo.execute_kw("sale.order", "search_read", [[("client_order_ref", "=", "4500012345")], ["id"]]))


def odoo_down_workspace(root: Path, port: int, drain: float = DRAIN, timeout: float = 60.0,
                        in_doubt: float = 1.0) -> Workspace:
    """EuroHandel's orders from the inbox folder, posted to Odoo at `port`; its scheduler runs every second.
    `retry_max` 30: one document's retries alone would take minutes, far past the drain bound."""
    odoo = {"enabled": True, "url": f"http://127.0.0.1:{port}", "database": "demo", "username": "admin",
            "password": "admin", "retry_max": 30, "poll_seconds": 1, "lookback_days": 2, "timeout": timeout,
            "in_doubt_seconds": in_doubt}
    ws = Workspace.create(root, {"odoo": odoo, "drain_seconds": drain})
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
            lines = [line for line in gw.output().splitlines() if "Connection refused; retry 2 in" in line]
            # the worker posting the order, and a scheduler run (no message of its own)
            return any(f"msg={msg['id']}" in line for line in lines) and any("msg=" not in line for line in lines)

        wait_for(retrying, message="the order's posting and a scheduler run retrying Odoo")
        # When SIGTERM arrives while both wait to try Odoo again
        code, waited = stop_and_time(gw)
    finally:
        gw.kill()
    # Then the process is gone before the drain bound we promise (plus the margin), cleanly, the order where it stood
    stopped_cleanly_leaving(gw, ws, msg["id"], code, waited, "not tried again: the gateway is stopping")
    # When Odoo is up at that address and the gateway starts again
    with SandboxServer(version=17, seed_name="demo", port=port) as server, GatewayProcess(ws.config) as again:
        wait_for(lambda: ws.messages(id=msg["id"])[0]["state"] == "done", timeout=60, message="the order posted")
        orders = sale_orders(server.port)
    # Then it is posted exactly once
    assert len(orders) == 1, orders
    assert "Traceback" not in gw.output() + again.output()


def test_sigterm_while_odoo_takes_the_connections_and_never_answers_ends_the_waits_at_once(tmp_path: Path) -> None:
    """An Odoo that takes the connection and never answers (stuck behind a lock, a hung proxy): the order's posting
    and a scheduler run each wait on a socket, with `odoo.timeout` and `drain_seconds` both at 120 s. The stop
    shuts those sockets down: the process is gone, cleanly, long before either (the test gives it 30 s), with
    nothing left running, and the order waits at the state it had, no attempt counted."""
    silent = SilentOdoo()
    ws = odoo_down_workspace(tmp_path / "ws", silent.port, drain=FAR, timeout=FAR)
    gw = GatewayProcess(ws.config).start()
    try:
        jobs = gw.output().count("every 1s")             # DESADV, INVOIC: each job's run connects once, and waits
        jobs += 1                                        # and so does the start's check of the user's rights
        wait_for(lambda: len(silent.accepted) == jobs, message="each scheduler job's run connected to Odoo")
        ws.drop("ORDERS_4500012345.edi", ORDER.read_bytes())
        [msg] = wait_for(lambda: ws.messages(direction="in"), message="the order taken")
        wait_for(lambda: len(silent.accepted) == jobs + 1, message="the order's posting connected to Odoo")
        code, waited = stop_and_time(gw)
    finally:
        gw.kill()
        silent.close()
    out = stopped_cleanly_leaving(gw, ws, msg["id"], code, waited, "ended by the stop before Odoo answered")
    assert "Traceback" not in out
    # the scheduler's runs ended by the stop, not by an outage to warn about
    assert "run stopped with the daemon" in out and "Odoo unavailable" not in out, out


def test_sigterm_while_the_answer_to_an_orders_create_hangs_leaves_it_to_be_found_at_the_next_start(
        tmp_path: Path) -> None:
    """Odoo created the sale order, and its answer hangs in a proxy (`odoo.timeout` and `drain_seconds` 120 s). The
    stop ends the wait at once, exit 0; the order message stays translated, no attempt counted; the next start,
    the proxy passing answers again, finds the order posting's search looks for first: one sale order, not two."""
    server = SandboxServer(version=17, seed_name="demo")
    server.start()
    proxy = StallingProxy(server.port, stall=lambda request: b'"sale.order", "create"' in request)
    try:
        ws = odoo_down_workspace(tmp_path / "ws", proxy.port, drain=FAR, timeout=FAR, in_doubt=IN_DOUBT)
        gw = GatewayProcess(ws.config).start()
        try:
            ws.drop("ORDERS_4500012345.edi", ORDER.read_bytes())
            wait_for(lambda: proxy.stalled, timeout=60, message="Odoo created the order; its answer held back")
            [msg] = ws.messages(direction="in")
            code, waited = stop_and_time(gw)
        finally:
            gw.kill()
        stopped_cleanly_leaving(gw, ws, msg["id"], code, waited, "ended by the stop before Odoo answered")
        # the create the stop cut off may still be running in Odoo: the stop noted until when that is in doubt
        until = datetime.fromisoformat(json.loads(ws.messages(id=msg["id"])[0]["meta"])["odoo_in_doubt_until"])
        proxy.stall = lambda request: False
        with GatewayProcess(ws.config) as again:
            wait_for(lambda: ws.messages(id=msg["id"])[0]["state"] == "done", timeout=60, message="the order posted")
        orders = sale_orders(server.port)
        # ... and the next start waited that out (odoo.in_doubt_seconds) before posting, rather than search at once
        # and maybe create it twice: no sale order call reached Odoo before `until` (but the start's check of the
        # user's rights, 9e3f6e5, which asks whether it may create sale orders and changes nothing)
        created = next(t for t, request in proxy.seen if request in proxy.stalled)
        early = [t for t, request in proxy.seen if t > created and b'"sale.order"' in request and t < until.timestamp()
                 and b'"check_access_rights"' not in request]
        assert not early, f"{len(early)} sale.order calls before {until}"
        # and did so by waiting (when it was running before `until`: a loaded machine may start it after that)
        running = re.search(r"^(\S+ \S+) INFO .*edi-gateway running", again.output(), re.MULTILINE)
        assert running, again.output()
        if datetime.fromisoformat(running[1]).timestamp() + 1 < until.timestamp():      # the log: local time
            assert any(e["reason"].startswith("waiting for a lost Odoo write to settle") for e in ws.events(msg["id"]))
    finally:
        proxy.close()
        server.stop()
    assert len(proxy.stalled) == 1 and len(orders) == 1, orders
    assert "Traceback" not in gw.output() + again.output()
