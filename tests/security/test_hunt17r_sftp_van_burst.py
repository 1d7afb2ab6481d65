"""A VAN's burst of logins from one address was cut at 10 (review of hunt 17).

a71a0ef keeps at most 10 connections not logged in yet from one address (an IPv6 /64), so that one stranger cannot
hold every slot. A VAN, or a partner's translator, that delivers for several mailboxes at once opens its connections
together from one outbound address, and each stays "not logged in" through its key exchange and login (on this
daemon up to a second with a key, several with a password): of 16 opened together, 6 were disconnected with "too
many connections". Nothing is lost (the partner keeps its files and retries) but its deliveries fail and wait, and
the limit could not be raised. `sftp_server.max_unauthenticated_per_address` now sets it, and the refusal's log
line names that setting.

The daemon is real; the VAN is 16 asyncssh clients opened at once."""

from __future__ import annotations

import asyncio
from pathlib import Path

import asyncssh

from tests.helpers.gateway import GatewayProcess, Workspace
from tests.helpers.net import free_port
from tests.transports.sftp_util import known_hosts_line, make_key

MAILBOXES = 16


async def test_a_van_opening_16_connections_at_once_gets_each_in_when_the_limit_allows(tmp_path: Path) -> None:
    key, port = make_key(tmp_path / "keys" / "van"), free_port()
    partners = {f"retailer{n}": {"inbound": [{"channel": "sftp", "user": f"retailer{n}",
                                              "authorized_keys": [f"{key}.pub"]}]} for n in range(MAILBOXES)}
    ws = Workspace.create(tmp_path / "gw", {"sftp_server": {"enabled": True, "host": "127.0.0.1", "port": port,
                                                             "max_unauthenticated_per_address": MAILBOXES}},
                          partners=partners)
    known = tmp_path / "known_hosts"
    with GatewayProcess(ws.config):
        known.write_text(known_hosts_line("127.0.0.1", port, ws.root / "state" / "ssh_host_ed25519_key.pub"))

        async def deliver(user: str) -> list[str]:
            conn = await asyncssh.connect("127.0.0.1", port, username=user, known_hosts=str(known),
                                          client_keys=[str(key)], agent_path=None)
            async with conn, conn.start_sftp_client() as sftp:
                return sorted(await sftp.listdir("/"))

        listed = await asyncio.gather(*(deliver(user) for user in partners), return_exceptions=True)
        assert all(isinstance(found, list) and "inbound" in found for found in listed), listed
