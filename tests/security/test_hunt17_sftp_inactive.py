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

import paramiko

from tests.helpers.gateway import GatewayProcess, Workspace
from tests.helpers.net import free_port
from tests.helpers.wait import wait_for
from tests.transports.sftp_util import known_hosts_line, make_key, openssh_sftp, paramiko_session

WAITING = "acme_810_000000041.x12"


def _acme(active: bool, *keys: Path) -> dict[str, object]:
    account = {"channel": "sftp", "user": "northwind"}
    return {"active": active, "inbound": [{**account, "authorized_keys": [f"{k}.pub" for k in keys]}],
            "outbound": account}


def _world(tmp: Path, active: bool) -> tuple[Workspace, Path, int]:
    key, port = make_key(tmp / "keys" / "northwind"), free_port()
    ws = Workspace.create(tmp / "gw", {"sftp_server": {"enabled": True, "host": "127.0.0.1", "port": port,
                                                        "login_throttle_seconds": 0.01}},
                          partners={"acme": _acme(active, key)})
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
        ws.write_partner("acme", _acme(False, key))
        gw.signal(signal.SIGHUP)
        wait_for(lambda: "reload" in gw.output().lower() and _ls(tmp_path, ws, key, port)[0] != 0, 30, 0.2,
                 "the login refused after the reload")


def _session(ws: Workspace, key: Path, port: int) -> tuple[paramiko.SSHClient, paramiko.SFTPClient]:
    ssh = paramiko_session(ws.root, key, port)
    return ssh, ssh.open_sftp()


def _still_served(sftp: paramiko.SFTPClient) -> bool:
    try:
        sftp.listdir("/outbound")
    except (OSError, EOFError, paramiko.SSHException):
        return False
    return True


def test_a_session_open_when_its_key_is_withdrawn_ends_at_the_reload(tmp_path: Path) -> None:
    """The session of a key an operator removed (a laptop stolen at the partner) went on after the reload, with no
    idle limit: the holder kept reading outbound/ and uploading for as long as it kept the connection open. The
    reload now ends the sessions whose account, key or password it withdrew; others go on."""
    ws, key, port = _world(tmp_path, active=True)
    other = make_key(tmp_path / "keys" / "northwind-2")
    ws.write_partner("acme", _acme(True, key, other))
    with GatewayProcess(ws.config) as gw:
        stolen = _session(ws, key, port)
        kept = _session(ws, other, port)
        assert _still_served(stolen[1]) and _still_served(kept[1])
        ws.write_partner("acme", _acme(True, other))
        gw.signal(signal.SIGHUP)
        wait_for(lambda: "reloaded" in gw.output(), 30, 0.1, "the reload")
        wait_for(lambda: not _still_served(stolen[1]), 30, 0.1, "the withdrawn key's session ended")
        assert _still_served(kept[1])
        assert "SFTP session of 'northwind' from 127.0.0.1 ended: the reload withdrew" in gw.output()
        for ssh, sftp in (stolen, kept):
            sftp.close()
            ssh.close()
