"""`edi-gateway odoo-sandbox` as a subprocess: serves until SIGTERM, odoorpc talks to it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import urllib.request
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


def test_sandbox_command_serves_a_french_database() -> None:
    """`--lang fr_FR`: the names a French Odoo 19 (English archived) answers JSON-2 in; execute_kw reads en_US."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "gateway", "odoo-sandbox", "--port", str(port),
                             "--odoo-version", "19", "--lang", "fr_FR", "--password", "pw"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, "PYTHONPATH": str(ROOT)},
                            cwd=ROOT, text=True)
    try:
        assert proc.stdout is not None
        assert "in fr_FR" in proc.stdout.readline()
        request = urllib.request.Request(f"http://127.0.0.1:{port}/json/2/uom.uom/search_read", method="POST",
                                         data=json.dumps({"domain": [], "fields": ["name"], "limit": 1}).encode(),
                                         headers={"Content-Type": "application/json", "Authorization": "bearer pw"})
        with urllib.request.urlopen(request, timeout=10) as response:
            assert json.loads(response.read())[0]["name"] == "Unités"
        odoo = odoorpc.ODOO("127.0.0.1", port=port, timeout=10)
        odoo.login("demo", "admin", "pw")
        assert odoo.execute_kw("uom.uom", "search_read", [[], ["name"]], {"limit": 1})[0]["name"] == "Units"
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0


def test_sandbox_command_refuses_a_language_it_has_no_names_for() -> None:
    proc = subprocess.run([sys.executable, "-m", "gateway", "odoo-sandbox", "--port", "0", "--lang", "xx_XX"],
                          capture_output=True, text=True, cwd=ROOT, timeout=30, check=False,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 2 and "no 'xx_XX' names" in proc.stderr and "Traceback" not in proc.stderr
