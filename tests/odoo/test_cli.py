"""`edi-gateway odoo-sandbox` as a subprocess: serves until SIGTERM, odoorpc talks to it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import odoorpc

from tests.helpers.net import free_port

ROOT = Path(__file__).resolve().parents[2]


def test_sandbox_command_serves_until_sigterm() -> None:
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "gateway", "odoo-sandbox", "--port", str(port),
                             "--odoo-version", "18", "--seed", "demo", "--password", "pw"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=ROOT, text=True)
    try:
        assert proc.stdout is not None
        banner = proc.stdout.readline()
        assert f"Odoo 18 on http://127.0.0.1:{port}" in banner
        odoo = odoorpc.ODOO("127.0.0.1", port=port, timeout=10)
        odoo.login("demo", "admin", "pw")
        assert odoo.version == "18.0"
        assert odoo.env["product.product"].search_count([("barcode", "!=", False)]) == 5
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0


def test_sandbox_command_reports_a_busy_port() -> None:
    import socket
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        proc = subprocess.run([sys.executable, "-m", "gateway", "odoo-sandbox", "--port", str(port)],
                              capture_output=True, text=True, cwd=ROOT, timeout=30, check=False,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 4 and "cannot listen" in proc.stderr and "Traceback" not in proc.stderr
