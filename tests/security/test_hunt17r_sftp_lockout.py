"""A lockout of failed logins kept out partners who log in with their own key (review of hunt 17).

Failed logins lock out their source (an IPv4 address, since b99fa71 an IPv6 host's whole /64) for
`lockout_seconds`, and the lockout refused every login from it, an account's own key too. Behind one NAT address or
in one /64 (a VAN's outbound address, a partner's office, a cloud subnet) one client failing (a VAN mailbox with a
stale key retrying, a colleague's typo, a password guesser next door) kept every other partner there out for as
long as the failures went on. A key cannot be guessed: an account's own key now gets in during a lockout, which
still refuses passwords and other keys, and is not lifted by that login.

The daemon is real; the clients are asyncssh and the OpenSSH `sftp` client."""

from __future__ import annotations

import asyncio
from pathlib import Path

import asyncssh
import pytest

from gateway.transports.sftp_server import hash_password
from tests.helpers.gateway import GatewayProcess, Workspace
from tests.helpers.net import free_port
from tests.transports.sftp_util import known_hosts_line, make_key, openssh_sftp


async def _login(port: int, known: Path, user: str, **how: object) -> None:
    conn = await asyncssh.connect("127.0.0.1", port, username=user, known_hosts=str(known), agent_path=None,
                                  **how)  # type: ignore[arg-type]
    async with conn, conn.start_sftp_client() as sftp:
        await sftp.listdir("/")


async def test_a_partners_own_key_gets_in_while_its_address_is_locked_out(tmp_path: Path) -> None:
    key, stale, port = make_key(tmp_path / "keys" / "acme"), make_key(tmp_path / "keys" / "stale"), free_port()
    accounts = {"acme": {"channel": "sftp", "user": "acme", "authorized_keys": [f"{key}.pub"]},
                "globex": {"channel": "sftp", "user": "globex",
                           "password_hash": hash_password("s3cret", iterations=1000)}}
    ws = Workspace.create(tmp_path / "gw", {"sftp_server": {"enabled": True, "host": "127.0.0.1", "port": port,
                                                             "login_throttle_seconds": 0.01,
                                                             "max_failed_logins": 3}},
                          partners={pid: {"inbound": [acct]} for pid, acct in accounts.items()})
    known = tmp_path / "known_hosts"
    with GatewayProcess(ws.config):
        known.write_text(known_hosts_line("127.0.0.1", port, ws.root / "state" / "ssh_host_ed25519_key.pub"))
        for _ in range(3):            # a mailbox of the same VAN address with a key we do not accept
            with pytest.raises(asyncssh.PermissionDenied):
                await _login(port, known, "globex", client_keys=[str(stale)], password=None)
        # the lockout holds for passwords, the right one too, and other keys
        with pytest.raises(asyncssh.PermissionDenied):
            await _login(port, known, "globex", client_keys=None, password="s3cret")
        # the VAN's other mailbox, with its own key, is served
        done = await asyncio.to_thread(openssh_sftp, tmp_path, port, "acme", key, known, "ls /\n", False)
        assert done.returncode == 0, done.stderr
        # and its login did not lift the lockout for the password
        with pytest.raises(asyncssh.PermissionDenied):
            await _login(port, known, "globex", client_keys=None, password="s3cret")
