"""The systemd unit: notify type, watchdog, restart, own user, credentials, exposure <= 2.0."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

UNIT = Path(__file__).resolve().parents[2] / "systemd" / "edi-gateway.service"


def settings() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for line in UNIT.read_text().splitlines():
        if "=" in line and not line.lstrip().startswith(("#", "[")):
            key, value = line.split("=", 1)
            out.setdefault(key.strip(), []).append(value.strip())
    return out


def test_unit_declares_what_the_daemon_relies_on() -> None:
    s = settings()
    assert s["Type"] == ["notify"] and s["Restart"] == ["on-failure"]
    assert s["WatchdogSec"] and s["DynamicUser"] == ["yes"]
    assert s["StateDirectory"] == ["edi-gateway"] and s["ConfigurationDirectory"] == ["edi-gateway"]
    assert s["LoadCredential"] == ["odoo-password:/etc/edi-gateway/odoo-password"]
    assert set(s["RestrictAddressFamilies"][0].split()) == {"AF_INET", "AF_INET6", "AF_UNIX"}
    assert "run --config /etc/edi-gateway/gateway.yaml" in s["ExecStart"][0]


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not installed")
def test_exposure_is_at_most_two() -> None:
    result = subprocess.run(["systemd-analyze", "security", "--offline=yes", str(UNIT)],
                            capture_output=True, text=True, timeout=120, check=False)
    match = re.search(r"Overall exposure level for edi-gateway\.service: (\d+\.\d+)", result.stdout)
    assert match, result.stdout + result.stderr
    assert float(match.group(1)) <= 2.0, result.stdout


def test_systemd_gateway_yaml_keeps_all_writes_under_the_state_directory(tmp_path: Path) -> None:
    from gateway.config.loader import load_gateway
    config = load_gateway(UNIT.parent / "gateway.yaml", environ={})
    for path in (config.state_dir, config.archive_dir, config.quarantine_dir, config.outbox_dir,
                 config.inbox[0].path, config.inbox[0].processed):
        assert str(path).startswith("/var/lib/edi-gateway/"), path
