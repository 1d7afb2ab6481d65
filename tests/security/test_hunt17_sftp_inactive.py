"""A partner set `active: false` still logged into our SFTP server (hunt 17).

`active: false` is how an operator takes a partner out of service (contract ended, keys to be rotated, a breach
under investigation): its AS2 messages are refused at the door (403), its SFTP server is no longer polled, nothing
is extracted for it. Our SFTP server still let its key in, to list and download what waited in its outbound/
folder (invoices, ship notices: prices, addresses) and to upload files, which were archived and quarantined. Now its
account is gone as for a partner without a file, at start and after a reload.

The daemon is real; the partner is the OpenSSH `sftp` client."""

from __future__ import annotations

import signal
from pathlib import Path

from tests.helpers.gateway import GatewayProcess, Workspace
from tests.helpers.net import free_port
from tests.helpers.wait import wait_for
from tests.transports.sftp_util import known_hosts_line, make_key, openssh_sftp

WAITING = "acme_810_000000041.x12"


def _world(tmp: Path, active: bool) -> tuple[Workspace, Path, int]:
    key, port = make_key(tmp / "keys" / "northwind"), free_port()
    account = {"channel": "sftp", "user": "northwind"}
    ws = Workspace.create(tmp / "gw", {"sftp_server": {"enabled": True, "host": "127.0.0.1", "port": port,
                                                        "login_throttle_seconds": 0.01}},
                          partners={"acme": {"active": active,
                                             "inbound": [{**account, "authorized_keys": [f"{key}.pub"]}],
                                             "outbound": account}})
    return ws, key, port


def _ls(tmp: Path, ws: Workspace, key: Path, port: int) -> tuple[int, str]:
    known = tmp / "known_hosts"
    known.write_text(known_hosts_line("127.0.0.1", port, ws.root / "state" / "ssh_host_ed25519_key.pub"))
    r = openssh_sftp(tmp, port, "northwind", key, known, "ls outbound\n", check=False)
    return r.returncode, r.stdout + r.stderr


def test_an_inactive_partner_cannot_log_in(tmp_path: Path) -> None:
    ws, key, port = _world(tmp_path, active=False)
    outbound = ws.root / "sftp" / "northwind" / "outbound"
    outbound.mkdir(parents=True)
    (outbound / WAITING).write_bytes(b"ISA*00*...~")          # placed while the partner was still active
    with GatewayProcess(ws.config) as gw:
        code, said = _ls(tmp_path, ws, key, port)
        assert code != 0 and WAITING not in said, said
        assert "Permission denied" in said, said
        assert "SFTP login failed for 'northwind'" in gw.output()


def test_a_partner_made_inactive_by_a_reload_cannot_log_in_again(tmp_path: Path) -> None:
    ws, key, port = _world(tmp_path, active=True)
    with GatewayProcess(ws.config) as gw:
        code, said = _ls(tmp_path, ws, key, port)
        assert code == 0, said
        partner = ws.root / "partners" / "acme.yaml"
        partner.write_text(partner.read_text().replace("active: true", "active: false"))
        assert "active: false" in partner.read_text()
        gw.signal(signal.SIGHUP)
        wait_for(lambda: "reload" in gw.output().lower() and _ls(tmp_path, ws, key, port)[0] != 0, 30, 0.2,
                 "the login refused after the reload")
