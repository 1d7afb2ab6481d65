"""Audit follow-ups: the findings the audit left open, each pinned by a test that fails without its fix."""

from __future__ import annotations

import os
from pathlib import Path

from tests.helpers.gateway import Workspace, cli

# --------------------------------------------------------------------------- 1. lint warns about exposure

def _exposed_workspace(root: Path, mode: int) -> tuple[Workspace, Path]:
    """A workspace whose Odoo URL, ops host and secret files are as given; secret files get `mode`."""
    root.mkdir(parents=True)
    creds = root / "creds"
    creds.mkdir()
    for secret in (root / "odoo.pass", root / "our.key", creds / "odoo-password"):
        secret.write_text("not-a-real-secret\n")
        os.chmod(secret, mode)
    return Workspace.create(root / "gw", {
        "odoo": {"enabled": True, "url": "http://odoo.example.com:8069", "password_file": str(root / "odoo.pass")},
        "ops": {"enabled": True, "host": "0.0.0.0", "port": 0},
        "as2_server": {"private_key": str(root / "our.key")},
    }), creds


def test_audit_lint_warns_cleartext_odoo_open_ops_and_loose_secret_files(tmp_path: Path) -> None:
    ws, creds = _exposed_workspace(tmp_path / "loose", 0o644)
    done = cli("lint", config=ws.config, env={"CREDENTIALS_DIRECTORY": str(creds)})
    assert done.returncode == 0, done.stdout + done.stderr            # warnings, not errors
    warnings = [line for line in done.stdout.splitlines() if line.startswith("warning:")]
    text = "\n".join(warnings)
    assert "odoo.url is plain http:// to odoo.example.com" in text, done.stdout
    assert "ops.host '0.0.0.0' is not a loopback address" in text, done.stdout
    for name in ("as2_server.private_key:", "odoo.password_file:", "systemd credential odoo-password:"):
        assert name in text and "readable by group or others" in text, (name, done.stdout)
    assert "not-a-real-secret" not in done.stdout + done.stderr


def test_audit_lint_quiet_for_loopback_and_private_secret_files(tmp_path: Path) -> None:
    ws, creds = _exposed_workspace(tmp_path / "tight", 0o600)
    ws.settings["odoo"]["url"] = "http://127.0.0.1:8069"
    ws.settings["ops"]["host"] = "::1"
    ws.write_config()
    done = cli("lint", config=ws.config, env={"CREDENTIALS_DIRECTORY": str(creds)})
    assert done.returncode == 0, done.stdout + done.stderr
    assert "ok" in done.stdout
    assert not [line for line in done.stdout.splitlines() if line.startswith("warning:")], done.stdout
    ws.settings["odoo"]["url"] = "https://odoo.example.com"
    ws.write_config()
    done = cli("lint", config=ws.config, env={"CREDENTIALS_DIRECTORY": str(creds)})
    assert not [line for line in done.stdout.splitlines() if line.startswith("warning:")], done.stdout


# --------------------------------------------------------------------------- 2. one certificate, one error

def test_audit_lint_reports_a_shared_bad_certificate_once(tmp_path: Path) -> None:
    ws = Workspace.create(tmp_path / "gw")
    (ws.root / "shared.pem").write_text("-----BEGIN CERTIFICATE-----\nbroken\n-----END CERTIFICATE-----\n")
    (ws.root / "our.key").write_text("-----BEGIN PRIVATE KEY-----\nbroken\n-----END PRIVATE KEY-----\n")
    ws.settings["as2_server"] = {"enabled": True, "port": 0, "certificate": "shared.pem", "private_key": "our.key"}
    ws.write_config()
    ws.write_partner("bb", {"name": "BB", "inbound": [{"channel": "as2", "as2_id": "BB", "require_signed": True,
                                                       "certificates": ["shared.pem"]}]})
    done = cli("lint", config=ws.config)
    assert done.returncode != 0
    bad = [line for line in done.stdout.splitlines() if "not a PEM or DER X.509 certificate" in line]
    assert len(bad) == 1, done.stdout
