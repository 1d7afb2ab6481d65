"""Audit: `lint` and `run` never echo a secret from a configuration file, however it is misspelt or mistyped.

Pydantic's messages can quote the input; the loader asks for them without it. These cases pin that
down: a misspelt key (`pasword: <secret>`), a wrong type for `password` / `password_hash`, and an
unreadable AS2 private key whose passphrase file is set.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.gateway import Workspace, cli
from tests.transports.certs import make_cert

SECRET = "hunter2-Xq7"


@pytest.mark.parametrize("odoo", [
    {"pasword": SECRET},                     # misspelt key
    {"password": [SECRET]},                  # wrong type
    {"password": {"value": SECRET}},
    {"timeout": SECRET},                     # a secret pasted into the wrong field
])
def test_audit_gateway_yaml_errors_do_not_echo_values(tmp_path: Path, odoo: dict[str, object]) -> None:
    ws = Workspace.create(tmp_path / "gw", {"odoo": odoo})
    for command in ("lint", "run"):
        done = cli(command, config=ws.config)
        assert done.returncode != 0
        assert "odoo." in done.stdout + done.stderr
        assert SECRET not in done.stdout + done.stderr, command


@pytest.mark.parametrize("channel", [
    {"channel": "sftp", "user": "acme", "pasword_hash": SECRET},
    {"channel": "sftp", "user": "acme", "password_hash": [SECRET]},
    {"channel": "sftp", "user": f"acme {SECRET}"},                     # fails the user pattern
])
def test_audit_partner_file_errors_do_not_echo_values(tmp_path: Path, channel: dict[str, object]) -> None:
    ws = Workspace.create(tmp_path / "gw", {"sftp_server": {"enabled": True, "port": 0}},
                          partners={"acme": {"name": "ACME", "inbound": [channel]}})
    done = cli("lint", config=ws.config)
    assert done.returncode != 0
    assert "acme.yaml" in done.stdout
    assert SECRET not in done.stdout + done.stderr


def test_audit_as2_key_passphrase_not_echoed(tmp_path: Path) -> None:
    ws = Workspace.create(tmp_path / "gw")
    (ws.root / "pass.txt").write_text(SECRET)
    cert = make_cert(ws.root / "certs", "acme")
    (ws.root / "our.key").write_text(f"-----BEGIN PRIVATE KEY-----\n{SECRET}\n-----END PRIVATE KEY-----\n")
    ws.settings["as2_server"] = {"enabled": True, "port": 0, "certificate": str(cert.cert_path),
                                 "private_key": "our.key", "private_key_password_file": "pass.txt"}
    ws.write_config()
    ws.write_partner("bb", {"name": "BB", "inbound": [{"channel": "as2", "as2_id": "BB", "require_signed": True,
                                                       "certificates": [str(cert.cert_path)]}]})
    for command in ("lint", "run"):
        done = cli(command, config=ws.config)
        assert done.returncode != 0
        assert "private key" in done.stdout + done.stderr, command
        assert SECRET not in done.stdout + done.stderr, command
