"""`edi-gateway reload` at a gateway that is starting: it holds its lock from before it opens its journal, and until
its loop runs SIGHUP has its default action, which ends the process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from gateway.config.args import running_gateway
from tests.helpers.gateway import GatewayProcess, Workspace, cli
from tests.helpers.wait import wait_for

ACME = {"name": "Acme Retail", "x12": {"ids": [{"qualifier": "ZZ", "id": "ACMERETAIL"}]},
        "documents": [{"type": "850", "direction": "in", "profile": "x12-004010-850"}]}

# another process (a backup, `sqlite3 journal.sqlite3`) holds the journal a few seconds: the start waits on it
HOLD = """import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN EXCLUSIVE")
print("held", flush=True)
sys.stdin.read()
db.execute("COMMIT")
"""


def test_reload_waits_for_a_starting_gateway_instead_of_ending_it(tmp_path: Path) -> None:
    """reload said 'reload asked of the gateway (pid N) ... lint ok' (exit 0) and the gateway, still opening its
    journal, died of the SIGHUP (exit 129) without a line in its log."""
    ws = Workspace.create(tmp_path, partners={"acme": ACME})
    with GatewayProcess(ws.config):
        pass                                               # the journal exists
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(ws.journal_path)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        with GatewayProcess(ws.config, wait_ready=False) as gw:
            assert gw.proc is not None and holder.stdin is not None
            pid = gw.proc.pid
            wait_for(lambda: running_gateway(ws.journal_path.parent) == pid)     # locked, opening its journal
            reload = subprocess.Popen([sys.executable, "-m", "gateway", "reload", "--config", str(ws.config)],
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            try:
                reload.wait(timeout=8)          # lint, then (before the fix) the SIGHUP at once
            except subprocess.TimeoutExpired:
                pass                            # waiting for the gateway to take SIGHUP
            holder.stdin.close()                # the journal is free: the gateway goes on starting
            out, err = reload.communicate(timeout=60)
            assert gw.proc.poll() is None, f"the gateway ended ({gw.proc.returncode}): {gw.output()}"
            assert reload.returncode == 0, out + err
            assert out.startswith(f"reload asked of the gateway (pid {pid})"), out + err
            gw.wait_notification("READY=1")
            wait_for(lambda: "reloaded: 1 partner" in gw.output(), timeout=30)
            assert gw.proc.poll() is None, gw.output()
    finally:
        holder.kill()
        holder.wait()
    assert cli("status", config=ws.config).returncode == 0
