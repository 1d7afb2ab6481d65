"""The real daemon's logs: with JOURNAL_STREAM naming its stderr (as systemd sets it) every line is one JSON
object, the lines about a message carry its id (and its partner once known); the Odoo secret never appears."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from tests.helpers.net import free_port
from tests.helpers.wait import wait_for

pytestmark = pytest.mark.slow

SECRET = "Odoo-Pa55-never-logged"


def test_daemon_under_journald_writes_json_lines_with_context_and_no_secret(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    subprocess.run([sys.executable, "-m", "gateway", "init", str(ws)], check=True, capture_output=True)
    yaml = YAML()
    config = yaml.load((ws / "gateway.yaml").read_text())
    config["ops"]["port"] = free_port()
    config["as2_server"]["port"] = free_port()
    config["sftp_server"]["port"] = free_port()
    config["inbox"][0]["min_age"] = 0.2
    with (ws / "gateway.yaml").open("w") as f:
        yaml.dump(config, f)
    sample = ws / "samples" / "eurohandel" / "ORDERS_4500012345.edi"
    err_path = tmp_path / "stderr.log"
    with err_path.open("w") as err:
        st = os.fstat(err.fileno())
        env = {**os.environ, "JOURNAL_STREAM": f"{st.st_dev}:{st.st_ino}", "EDI_GATEWAY_ODOO_PASSWORD": SECRET}
        proc = subprocess.Popen([sys.executable, "-m", "gateway", "run", "--config", str(ws / "gateway.yaml")],
                                stdout=err, stderr=err, env=env, cwd=ws)
        try:
            def running() -> bool:
                assert proc.poll() is None, err_path.read_text()
                return "edi-gateway running" in err_path.read_text()
            wait_for(running, message="the daemon running")
            (ws / "inbox" / sample.name).write_bytes(sample.read_bytes())
            wait_for(lambda: '"control_number"' in err_path.read_text(), message="a line with the UNB number")
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=30)
    text = err_path.read_text()
    assert SECRET not in text
    records = [json.loads(line) for line in text.splitlines() if line.strip()]   # every line is JSON
    assert all({"ts", "level", "logger", "msg"} <= set(r) for r in records)
    assert any(r.get("partner") == "eurohandel" and r.get("message_id") for r in records), text
    # once the envelope is read, the lines of a file from the shared inbox carry its partner and UNB number
    assert any(r.get("partner") == "eurohandel" and r.get("control_number") for r in records), text
    received = [r for r in records if r["msg"].startswith("received ORDERS_4500012345.edi")]
    assert received and received[0].get("message_id"), text
