"""Connections a network glitch cut without a word kept a partner out (review of hunt 17).

Since 67bcbdd one account holds at most a quarter of `max_connections`, and a connection counts until the server
sees it close. A NAT that forgets an idle connection (its idle timeout), a VPN or link that drops, a client host
that loses power: the client reconnects, and our side of the old connection, with nothing to send, stayed open
(the kernel's TCP keepalive asks after two hours), counted against the account. A partner whose client keeps its
connection open between polls behind such a NAT piled up dead connections until every new login of it was
disconnected 'too many connections for this account', as it had before against max_connections for everyone.
The server now asks a connection silent for `keepalive_seconds` (60) whether its client is there, and closes it
after 3 unanswered asks; the asks also keep a NAT from forgetting a live one.

The daemon is real; the glitch is a relay that stops passing bytes and keeps both sockets open."""

from __future__ import annotations

import asyncio
from pathlib import Path

import asyncssh

from tests.helpers.gateway import GatewayProcess, Workspace
from tests.helpers.net import free_port
from tests.transports.sftp_util import known_hosts_line, make_key


class Link:
    """A TCP relay to the daemon that a glitch can cut without a word: frozen, it passes nothing more either way
    and closes nothing (a NAT that forgot the connection)."""

    def __init__(self, target: int) -> None:
        self.target, self.frozen, self.port = target, False, 0
        self.sockets: list[asyncio.StreamWriter] = []

    async def start(self) -> None:
        server = await asyncio.start_server(self._relay, "127.0.0.1", 0)
        self.port = server.sockets[0].getsockname()[1]

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target)
        self.sockets += [writer, up_writer]
        await asyncio.gather(self._pass(reader, up_writer), self._pass(up_reader, writer))

    async def _pass(self, source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
        while data := await source.read(65536):
            if self.frozen:
                await asyncio.Event().wait()            # held: never passed on, never closed
            sink.write(data)

    def close(self) -> None:
        for writer in self.sockets:
            writer.transport.abort()


async def test_dead_connections_of_an_account_are_closed_and_it_logs_in_again(tmp_path: Path) -> None:
    key, port = make_key(tmp_path / "keys" / "northwind"), free_port()
    account = {"channel": "sftp", "user": "northwind", "authorized_keys": [f"{key}.pub"]}
    ws = Workspace.create(tmp_path / "gw", {"sftp_server": {"enabled": True, "host": "127.0.0.1", "port": port,
                                                             "max_connections": 8, "keepalive_seconds": 0.5}},
                          partners={"acme": {"inbound": [account]}})       # the account's share: 2
    known = tmp_path / "known_hosts"
    link = Link(port)
    await link.start()
    gw = await asyncio.to_thread(GatewayProcess(ws.config).start)
    cut: list[asyncssh.SSHClientConnection] = []
    try:
        known.write_text(known_hosts_line("127.0.0.1", port, ws.root / "state" / "ssh_host_ed25519_key.pub"))
        known.write_text(known.read_text() + known_hosts_line("127.0.0.1", link.port,
                                                              ws.root / "state" / "ssh_host_ed25519_key.pub"))

        async def listing(via: int) -> list[str]:
            conn = await asyncssh.connect("127.0.0.1", via, username="northwind", known_hosts=str(known),
                                          client_keys=[str(key)], agent_path=None)
            if via == link.port:
                cut.append(conn)
                return []
            async with conn, conn.start_sftp_client() as sftp:
                return sorted(await sftp.listdir("/"))

        for _ in range(2):
            await listing(link.port)                    # the client's connections, kept open between polls
        link.frozen = True                              # the NAT forgets them; the client will connect anew
        deadline = asyncio.get_running_loop().time() + 30
        while True:
            try:
                assert "inbound" in await listing(port)
                break
            except (asyncssh.DisconnectError, asyncssh.ChannelOpenError):    # refused while the dead ones count
                assert asyncio.get_running_loop().time() < deadline, "the dead connections were never closed"
                await asyncio.sleep(0.2)
    finally:
        for conn in cut:
            conn.abort()
        link.close()
        await asyncio.to_thread(gw.stop)
