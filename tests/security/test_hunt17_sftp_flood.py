"""One stranger's connections that never log in took every SFTP slot (hunt 17).

`sftp_server.max_connections` (100) caps the connections open at once, logged in or not, so that a flood cannot
use up the daemon's file descriptors; but one address could take all of them: a stranger opening 100 connections
and saying nothing (each cut only at the 60 s login timeout, then opened again) kept every partner out, the
refusal of each partner's login logged as the cap doing its job. Now at most 10 connections not logged in yet are
kept from one address (an IPv6 /64, `max_unauthenticated_per_address`), as OpenSSH's PerSourceMaxStartups can be
set to; one more from it is closed at once,
the rest of the slots stay for others, and a connection that logs in no longer counts.

The daemon is real; the stranger is plain TCP and the partner the OpenSSH `sftp` client."""

from __future__ import annotations

import asyncio
from pathlib import Path

import asyncssh

from tests.helpers.gateway import GatewayProcess, Workspace
from tests.helpers.net import free_port
from tests.helpers.wait import wait_for_async
from tests.transports.conftest import JournalIntake, intake  # noqa: F401 - intake is a fixture
from tests.transports.sftp_util import known_hosts_line, make_key, openssh_sftp
from tests.transports.test_sftp_server import SftpWorld, sftp  # noqa: F401 - sftp is a fixture


async def test_one_address_cannot_hold_every_slot_with_connections_that_never_log_in(tmp_path: Path) -> None:
    key, port = make_key(tmp_path / "keys" / "northwind"), free_port()
    account = {"channel": "sftp", "user": "northwind", "authorized_keys": [f"{key}.pub"]}
    ws = Workspace.create(tmp_path / "gw", {"sftp_server": {"enabled": True, "host": "127.0.0.1", "port": port}},
                          partners={"acme": {"inbound": [account]}})
    gw = await asyncio.to_thread(GatewayProcess(ws.config).start)
    flood: list[asyncio.StreamWriter] = []
    sessions: list[asyncssh.SSHClientConnection] = []
    try:
        ended: list[int] = []

        async def silent(n: int) -> None:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            flood.append(writer)
            while await reader.read(4096):          # our version line, then nothing: it never logs in
                pass
            ended.append(n)

        tasks = [asyncio.create_task(silent(n)) for n in range(30)]
        await wait_for_async(lambda: len(ended) >= 20, 30, message="the connections beyond 10 from one address closed")
        await asyncio.sleep(0.5)
        assert len(ended) == 20, ended           # the other ten wait for the 60 s login timeout
        assert "sftp_server.max_unauthenticated_per_address" in gw.output()
        for writer in flood:
            writer.close()
        await asyncio.gather(*tasks, return_exceptions=True)
        known = tmp_path / "known_hosts"
        known.write_text(known_hosts_line("127.0.0.1", port, ws.root / "state" / "ssh_host_ed25519_key.pub"))
        # once they are gone the address logs in as before, and sessions logged in never count against it
        for _ in range(12):
            sessions.append(await asyncssh.connect("127.0.0.1", port, username="northwind", known_hosts=str(known),
                                                   client_keys=[str(key)], agent_path=None))
        done = await asyncio.to_thread(openssh_sftp, tmp_path, port, "northwind", key, known, "ls /\n", False)
        assert done.returncode == 0, done.stderr
    finally:
        for writer in flood:
            writer.close()
        for conn in sessions:
            conn.close()
        await asyncio.to_thread(gw.stop)


async def test_failed_logins_lock_out_an_ipv6_hosts_whole_64(sftp: SftpWorld) -> None:  # noqa: F811
    """Failed logins were counted per address, and one IPv6 host has a whole /64 to choose its address from: a
    password guesser that took a new address for each try was never locked out. They now count per /64 (an IPv4
    address stays its own). The server is the real one; this machine has no second IPv6 address to connect from,
    so the failures are those its login checks record."""
    server = sftp.server
    for n in range(server.settings.max_failed_logins):
        await server.failed(f"2001:db8:5:7::{n + 1:x}", "northwind", "password")
    assert server.locked("2001:db8:5:7:ffff::9")                 # another address of that /64
    assert not server.locked("2001:db8:5:8::1")                  # the next /64 is someone else
    assert not server.locked("127.0.0.1")
