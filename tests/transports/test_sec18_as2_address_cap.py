"""One address must not take every connection slot of the AS2 server (as2_server.max_connections_per_address), and
slow senders are ended by the header and body timeouts: real sockets on 127.0.0.1, 127.0.0.2 and ::1."""

from __future__ import annotations

import asyncio
import logging
import subprocess
from pathlib import Path

import pytest

from gateway.transports.as2.server import As2Server
from tests.helpers.wait import wait_for_async
from tests.transports.as2_peer import as2_headers, build_message, verify_mdn
from tests.transports.conftest import JournalIntake
from tests.transports.test_as2_limits import read_response
from tests.transports.test_as2_server import PAYLOAD, World, mdn_fields, start_server
from tests.transports.test_as2_server import world as world  # noqa: PLC0414  (fixture)

SLOW_HEAD = b"POST /as2 HTTP/1.1\r\nHost: 127.0.0.1\r\nAS2-From: BIGBOX-AS2\r\n"   # headers never finished


def open_now(server: As2Server) -> int:
    runner = server._runner
    return len(runner.server.connections) if runner is not None and runner.server is not None else 0


async def hold(host: str, port: int, count: int) -> list[tuple[asyncio.StreamReader, asyncio.StreamWriter]]:
    """`count` connections from `host` that each begin a request's headers and never finish them (slowloris)."""
    held = []
    for _ in range(count):
        reader, writer = await asyncio.open_connection(host, port, local_addr=(host, 0))
        writer.write(SLOW_HEAD)
        await writer.drain()
        held.append((reader, writer))
    return held


def curl_from(source: str, url: str, body: Path, headers: dict[str, str], tmp: Path,
              cacert: Path | None = None) -> tuple[int, str, bytes]:
    """curl POSTing from the local address `source`: (status, content type, body)."""
    hfile, bfile = tmp / "from.headers", tmp / "from.body"
    cmd = ["curl", "-sS", "--noproxy", "*", "--interface", source, "-X", "POST", "--data-binary", f"@{body}",
           "-D", str(hfile), "-o", str(bfile), "-H", "Expect:", *(["--cacert", str(cacert)] if cacert else [])]
    for k, v in headers.items():
        cmd += ["-H", f"{k}: {v}"]
    done = subprocess.run([*cmd, url], capture_output=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    lines = hfile.read_bytes().decode("latin-1").split("\r\n")
    ctype = next(v.strip() for k, _, v in (ln.partition(":") for ln in lines[1:]) if k.lower() == "content-type")
    return int(lines[0].split()[1]), ctype, bfile.read_bytes()


async def test_another_partner_gets_its_mdn_while_one_address_holds_its_share(
        world: World, intake: JournalIntake, caplog: pytest.LogCaptureFixture) -> None:
    """A stranger on 127.0.0.1 trickles headers on as many connections as the server takes: beyond its share it is
    closed at once, and the partner on 127.0.0.2 still sends its message and gets its signed MDN. Before the cap
    the stranger held all three slots and the partner's connection was closed unanswered."""
    server = await start_server(world, intake, max_connections=3, max_connections_per_address=2, idle_timeout=120)
    held: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
    try:
        assert server.port and server.site
        held = await hold("127.0.0.1", server.port, 3)
        await wait_for_async(lambda: open_now(server) == 2 and server.site and server.site.refused_source.count == 1,
                             message="two of the stranger's connections open, its third refused")
        assert await asyncio.wait_for(held[2][0].read(), 30) == b""           # the third: closed unanswered
        refusals = [r.getMessage() for r in caplog.records if "AS2 connection from 127.0.0.1 refused" in r.getMessage()]
        assert len(refusals) == 1 and "as2_server.max_connections_per_address" in refusals[0], refusals

        ctype, body, _ = build_message(world.tmp / "m", PAYLOAD, signer=world.partner, recipient=world.ours)
        status, mdn_type, mdn_body = await asyncio.to_thread(
            curl_from, "127.0.0.2", world.url, body, as2_headers("BIGBOX-AS2", "ACMEDIST", "<cap@bigbox>", ctype),
            world.tmp)
        assert status == 200
        fields = mdn_fields(verify_mdn(world.tmp, mdn_type, mdn_body, world.ours))
        assert fields["disposition"].endswith("; processed") and fields["original-message-id"] == "<cap@bigbox>"
        assert [m.meta["as2_message_id"] for m in intake.messages()] == ["<cap@bigbox>"]

        held.pop(0)[1].close()                                                 # the stranger lets one go:
        await wait_for_async(lambda: open_now(server) == 1, message="its slot freed")
        (again,) = await hold("127.0.0.1", server.port, 1)                     # its next one is taken
        held.append(again)
        await wait_for_async(lambda: open_now(server) == 2, message="the stranger's new connection open")
        assert server.site.refused_source.count == 1
    finally:
        for _, writer in held:
            writer.close()
        await server.close()


async def test_over_https_handshakes_that_never_start_count_against_their_address(
        world: World, intake: JournalIntake) -> None:
    """Over HTTPS a stranger's connections that never send their TLS hello count against its address from their
    accept: one beyond its share is closed at once, and a partner on another address completes its handshake and
    gets its MDN while the stranger holds its share."""
    server = await start_server(world, intake, tls=True, max_connections=3, max_connections_per_address=2,
                                idle_timeout=120)
    stalled: list[asyncio.StreamWriter] = []
    try:
        assert server.port and server.site
        for _ in range(3):
            stalled.append((await asyncio.open_connection("127.0.0.1", server.port, local_addr=("127.0.0.1", 0)))[1])
        await wait_for_async(lambda: server.site and len(server.site.handshakes) == 2
                             and server.site.refused_source.count == 1, message="two handshakes held, one refused")
        ctype, body, _ = build_message(world.tmp / "tls", PAYLOAD, signer=world.partner, recipient=world.ours)
        status, mdn_type, mdn_body = await asyncio.to_thread(
            curl_from, "127.0.0.2", world.url, body, as2_headers("BIGBOX-AS2", "ACMEDIST", "<tls@bigbox>", ctype),
            world.tmp, world.ours.cert_path)
        assert status == 200 and "processed" in mdn_fields(verify_mdn(world.tmp, mdn_type, mdn_body, world.ours))[
            "disposition"]
        assert len(server.site.handshakes) == 2 and len(intake.messages()) == 1
    finally:
        for writer in stalled:
            writer.close()
        await server.close()


async def test_an_ipv6_address_counts_with_its_slash_64(world: World, intake: JournalIntake,
                                                        caplog: pytest.LogCaptureFixture) -> None:
    """Over IPv6 (::1) the share is counted per /64, as the SFTP server's limits are: one host has a whole /64 of
    addresses to open connections from."""
    server = await start_server(world, intake, max_connections=10, max_connections_per_address=2, idle_timeout=120)
    await server.close()
    server.settings.host = "::1"
    await server.start()
    held: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
    try:
        assert server.port and server.site
        held = await hold("::1", server.port, 3)
        assert await asyncio.wait_for(held[2][0].read(), 30) == b""
        assert open_now(server) == 2 and server.site.refused_source.count == 1
        assert set(server.site.by_source) == {"::/64"}
        assert any("AS2 connection from ::1 refused" in r.getMessage() for r in caplog.records)
    finally:
        for _, writer in held:
            writer.close()
        await server.close()


async def test_headers_trickled_past_idle_timeout_end_the_connection(world: World, intake: JournalIntake) -> None:
    """A slowloris sender that keeps sending a header byte now and then is cut idle_timeout after its connection
    opened (the bytes it sends do not keep it open), and its slot is free again."""
    server = await start_server(world, intake, idle_timeout=1.0)
    try:
        assert server.port
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(b"POST /as2 HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        sent = 0
        try:
            while not reader.at_eof() and sent < 600:                         # up to a minute of trickling
                writer.write(b"a")
                await writer.drain()
                sent += 1
                try:
                    await asyncio.wait_for(reader.read(1), 0.1)
                except TimeoutError:
                    pass
        except ConnectionError:
            pass
        finally:
            writer.close()
        assert sent < 600, "the server kept a trickling connection open"
        await wait_for_async(lambda: open_now(server) == 0, message="its slot freed")
    finally:
        await server.close()


async def test_a_body_trickled_slower_than_body_min_rate_is_dropped(world: World, intake: JournalIntake,
                                                                     caplog: pytest.LogCaptureFixture) -> None:
    """A body that never stalls but comes slower than body_min_rate gets 408 once body_deadline plus one second per
    body_min_rate bytes has passed; nothing is stored."""
    server = await start_server(world, intake, body_deadline=0.5, body_min_rate=1000)
    try:
        assert server.port
        headers = as2_headers("BIGBOX-AS2", "ACMEDIST", "<trickle@bigbox>", "application/pkcs7-mime")
        head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(f"POST /as2 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100000\r\n{head}\r\n".encode())
        answer: asyncio.Task[tuple[int, dict[str, str], bytes]] = asyncio.create_task(read_response(reader))
        try:
            for _ in range(600):                                               # 10 bytes every 50 ms: 200 B/s
                if answer.done():
                    break
                writer.write(b"x" * 10)
                await writer.drain()
                await asyncio.sleep(0.05)
            code, _, text = await answer
        finally:
            writer.close()
        assert code == 408 and b"not received in time" in text
        assert intake.messages() == []
        assert any("its body stalled" in r.getMessage() for r in caplog.records if r.levelno == logging.WARNING)
    finally:
        await server.close()


async def test_an_idle_keep_alive_connection_is_closed_after_idle_timeout(world: World, intake: JournalIntake) -> None:
    """After its answer a keep-alive connection that sends nothing more is closed idle_timeout later: idle
    connections do not hold their address's share for long."""
    server = await start_server(world, intake, idle_timeout=0.5)
    try:
        assert server.port
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(b"POST /as2/mdn HTTP/1.1\r\nHost: 127.0.0.1\r\nAS2-From: NOBODY\r\nContent-Length: 0\r\n\r\n")
        try:
            code, headers, _ = await read_response(reader)
            assert code == 403 and headers.get("connection", "").lower() != "close"
            assert await asyncio.wait_for(reader.read(), 30) == b""                # then closed by the server
        finally:
            writer.close()
        await wait_for_async(lambda: open_now(server) == 0, message="its slot freed")
    finally:
        await server.close()
