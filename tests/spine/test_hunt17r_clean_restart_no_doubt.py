"""A clean stop (SIGTERM, drained: `systemctl restart`, an upgrade) must not make the next start wait out a killed
run's doubt window (6340007: `pid N` in state/gateway.lock, emptied by a drained stop). Were the lock left as a kill
leaves it, every order the stop left in translated would wait `odoo.in_doubt_seconds` (120 s by default) after each
restart. The real daemon as a subprocess: an Odoo that takes the connection and never answers (the order's posting
waits on its first call, a read: nothing in doubt), SIGTERM; then the Odoo sandbox at that address over HTTP and a
second start with `in_doubt_seconds` far beyond the test's deadline.
"""

from __future__ import annotations

import signal
import socket
from pathlib import Path

from gateway.odoo.sandbox import SandboxServer
from tests.helpers.gateway import GatewayProcess, Workspace
from tests.helpers.stalled_odoo import SilentOdoo
from tests.helpers.wait import wait_for
from tests.spine.test_stop_while_odoo_down import FAR, ORDER, odoo_down_workspace, sale_orders


def left_in_translated(root: Path, silent: SilentOdoo) -> tuple[Workspace, str]:
    """EuroHandel's order left in translated by a clean stop while its posting waited for Odoo's first answer;
    `in_doubt_seconds` an hour. Returns the workspace and the order's message id."""
    ws = odoo_down_workspace(root, silent.port, drain=FAR, timeout=FAR, in_doubt=3600.0)
    ws.settings["odoo"]["poll_seconds"] = 3600       # no scheduler run takes Odoo's connections meanwhile
    ws.write_config()
    gw = GatewayProcess(ws.config).start()
    try:
        accepted = len(silent.accepted)
        ws.drop("ORDERS_4500012345.edi", ORDER.read_bytes())
        [msg] = wait_for(lambda: ws.messages(direction="in"), message="the order taken")
        wait_for(lambda: len(silent.accepted) > accepted, message="the order's posting connected to Odoo")
        gw.signal(signal.SIGTERM)
        assert gw.stop(timeout=60) == 0, gw.output()
    finally:
        gw.kill()
    [row] = ws.messages(id=msg["id"])
    assert (row["state"], "odoo_in_doubt_until" in row["meta"]) == ("translated", False), row
    return ws, msg["id"]


def posted_at_once(ws: Workspace, message_id: str, port: int) -> None:
    """Starts the gateway with the Odoo sandbox at `port`: the order is done within a minute (not after the hour
    in_doubt_seconds says a killed run's writes wait), once, without a doubt window."""
    with SandboxServer(version=17, seed_name="demo", port=port) as server, GatewayProcess(ws.config) as again:
        wait_for(lambda: ws.messages(id=message_id)[0]["state"] == "done", timeout=60,
                 message=f"the order posted after a clean restart:\n{again.output()}")
        assert len(sale_orders(server.port)) == 1
    assert "without a clean stop" not in again.output()
    assert not any(e["reason"].startswith("waiting for a lost Odoo write") for e in ws.events(message_id))


def test_a_restart_after_a_clean_stop_posts_what_the_stop_left_in_translated_at_once(tmp_path: Path) -> None:
    silent = SilentOdoo()
    try:
        ws, message_id = left_in_translated(tmp_path / "ws", silent)
    finally:
        silent.close()
    assert (ws.journal_path.parent / "gateway.lock").read_text() == "", "a drained stop empties the lock"
    posted_at_once(ws, message_id, silent.port)


def test_a_start_that_failed_on_a_taken_port_does_not_make_the_next_one_wait(tmp_path: Path) -> None:
    """A start that cannot listen (the status page's port taken by a leftover process, an AS2 port in use) drains
    what it began and exits 4 (systemd's Restart=on-failure tries again); nothing of it runs in Odoo after it. Its
    `pid N` was left in the lock, so the start after the cause was fixed took it for a kill and held every order
    in translated for in_doubt_seconds."""
    silent = SilentOdoo()
    try:
        ws, message_id = left_in_translated(tmp_path / "ws", silent)
        with socket.create_server(("127.0.0.1", 0)) as taken:
            # Given a start that fails: the status page's port is taken (and Odoo still does not answer)
            ws.settings["ops"].update({"enabled": True, "port": taken.getsockname()[1]})
            ws.write_config()
            failed = GatewayProcess(ws.config, wait_ready=False).start()
            try:
                assert failed.proc is not None
                assert failed.proc.wait(60) == 4, failed.output()
            finally:
                failed.kill()
        assert "cannot start" in failed.output(), failed.output()
    finally:
        silent.close()
    # When the port is free again and Odoo answers, Then the order is posted at once
    ws.settings["ops"]["enabled"] = False
    ws.write_config()
    posted_at_once(ws, message_id, silent.port)
