"""A partner's connection held as many files open as it liked, one SFTP session after another (hunt 17).

At most 64 files may be open at once, so that a partner's client gone wrong (or a partner attacking) cannot use up
the daemon's file descriptors, which the journal and the archive need for every partner's files. The count was
per SFTP session, and one SSH connection may open session after session (channels): with 60 sessions of 64 files
a single login held 3,840 descriptors, and nothing bounded it. The 64 are now counted over all the sessions of a
connection, and closing files (or the connection) gives the room back.

The daemon is real; the partner is asyncssh's client, several SFTP sessions on one connection."""

from __future__ import annotations

import asyncio
from pathlib import Path

import asyncssh
import pytest

from tests.helpers.gateway import GatewayProcess, Workspace
from tests.helpers.net import free_port
from tests.transports.sftp_util import known_hosts_line, make_key

DOC = b"ISA*00*          *00*          *ZZ*NORTHWIND      *ZZ*ACME           *261130*2330*U*00401*000000901*0*P*>~"


async def test_the_open_files_limit_holds_over_all_the_sessions_of_a_connection(tmp_path: Path) -> None:
    key, port = make_key(tmp_path / "keys" / "northwind"), free_port()
    account = {"channel": "sftp", "user": "northwind", "authorized_keys": [f"{key}.pub"]}
    ws = Workspace.create(tmp_path / "gw", {"sftp_server": {"enabled": True, "host": "127.0.0.1", "port": port}},
                          partners={"acme": {"inbound": [account]}})
    known = tmp_path / "known_hosts"
    gw = await asyncio.to_thread(GatewayProcess(ws.config).start)
    try:
        known.write_text(known_hosts_line("127.0.0.1", port, ws.root / "state" / "ssh_host_ed25519_key.pub"))
        async with asyncssh.connect("127.0.0.1", port, username="northwind", known_hosts=str(known),
                                    client_keys=[str(key)], agent_path=None) as conn:
            sessions = [await conn.start_sftp_client() for _ in range(3)]
            held = [await sessions[n % 3].open(f"/inbound/.hold-{n}.part", "wb") for n in range(64)]
            for session in sessions:
                with pytest.raises(asyncssh.SFTPFailure, match="at most 64 files may be open at once in a "
                                                               "connection"):
                    await session.open("/inbound/one-more.edi", "wb")
            await held.pop().close()
            async with sessions[0].open("/inbound/po-901.edi", "wb") as f:     # one closed: room again
                await f.write(DOC)
            for f in held:
                await f.close()
        async with asyncssh.connect("127.0.0.1", port, username="northwind", known_hosts=str(known),
                                    client_keys=[str(key)], agent_path=None) as conn:
            again = await conn.start_sftp_client()                          # a new connection starts afresh
            files = [await again.open(f"/inbound/.again-{n}.part", "wb") for n in range(64)]
            for f in files:
                await f.close()
    finally:
        await asyncio.to_thread(gw.stop)
    assert [m["filename"] for m in ws.messages(direction="in")] == ["po-901.edi"]
