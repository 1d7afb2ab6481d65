"""One partner's logins took every SFTP slot (hunt 17).

`sftp_server.max_connections` caps the connections open at once, for all partners together. One account (a
partner's client gone wrong, opening a connection per file and never closing them, or whoever holds its key) could
hold every one of them: every other partner's login was then refused. An account now holds at most a quarter of
them (25 of the default 100); a login beyond is disconnected at once and logged, the other partners still get in,
and once one of its connections closes the account logs in again.

The daemon is real; the partners are asyncssh's client."""

from __future__ import annotations

import asyncio
from pathlib import Path

import asyncssh
import pytest

from tests.helpers.gateway import GatewayProcess, Workspace
from tests.helpers.net import free_port
from tests.helpers.wait import wait_for_async
from tests.transports.sftp_util import known_hosts_line, make_key


async def test_one_account_holds_at_most_its_share_of_the_connections(tmp_path: Path) -> None:
    nw, shop, port = make_key(tmp_path / "keys" / "northwind"), make_key(tmp_path / "keys" / "shop"), free_port()
    ws = Workspace.create(tmp_path / "gw", {"sftp_server": {"enabled": True, "host": "127.0.0.1", "port": port,
                                                             "max_connections": 8}},        # a share of 2
                          partners={"northwind": {"inbound": [{"channel": "sftp", "user": "northwind",
                                                               "authorized_keys": [f"{nw}.pub"]}]},
                                    "shopmarket": {"inbound": [{"channel": "sftp", "user": "shopmarket",
                                                                "authorized_keys": [f"{shop}.pub"]}]}})
    known = tmp_path / "known_hosts"
    gw = await asyncio.to_thread(GatewayProcess(ws.config).start)
    held: list[asyncssh.SSHClientConnection] = []

    async def login(user: str, key: Path) -> asyncssh.SSHClientConnection:
        return await asyncssh.connect("127.0.0.1", port, username=user, known_hosts=str(known),
                                      client_keys=[str(key)], agent_path=None)

    async def listed(conn: asyncssh.SSHClientConnection) -> list[str]:
        async with conn.start_sftp_client() as sftp:
            return sorted(await sftp.listdir("/"))

    try:
        known.write_text(known_hosts_line("127.0.0.1", port, ws.root / "state" / "ssh_host_ed25519_key.pub"))
        held += [await login("northwind", nw), await login("northwind", nw)]
        with pytest.raises((asyncssh.Error, OSError)):      # disconnected at once: no session
            one_more = await login("northwind", nw)
            try:
                await listed(one_more)
            finally:
                one_more.close()
        await wait_for_async(lambda: "one account's share" in gw.output(), message="the refusal logged")
        other = await login("shopmarket", shop)               # another partner still gets in
        held.append(other)
        assert await listed(other) == [".", "..", "inbound", "outbound"]
        held.pop(0).close()
        for _ in range(300):                                  # until the gateway has seen that connection end
            again = await login("northwind", nw)
            held.append(again)
            try:
                assert await listed(again) == [".", "..", "inbound", "outbound"]
                break
            except (asyncssh.Error, OSError):
                await asyncio.sleep(0.1)
        else:
            raise AssertionError("northwind never got in again after one of its connections closed")
    finally:
        for conn in held:
            conn.close()
        await asyncio.to_thread(gw.stop)
