"""An address's share of the AS2 server (as2_server.max_connections_per_address) is given back however its
connections end: a TLS handshake cut half-way by a reset, a connection cut in the middle of its request's body over
TLS. Were one of them counted for ever, the partner behind that address (a VAN, its NAT) would be locked out for good
after a few bad network moments. Real sockets on 127.0.0.1, the partner's real message through curl."""

from __future__ import annotations

import asyncio
import socket
import ssl
import struct

from gateway.transports.as2.server import As2Server
from tests.helpers.wait import wait_for_async
from tests.transports.as2_peer import as2_headers, build_message, verify_mdn
from tests.transports.conftest import JournalIntake
from tests.transports.test_as2_server import PAYLOAD, World, mdn_fields, start_server
from tests.transports.test_as2_server import world as world  # noqa: PLC0414  (fixture)
from tests.transports.test_sec18_as2_address_cap import curl_from

HALF_HELLO = bytes.fromhex("16030100c8010000c40303") + b"\x00" * 16     # a ClientHello's first bytes, then nothing


def held(server: As2Server) -> int:
    assert server.site is not None
    return sum(not t.is_closing() for t in server.site.by_source.get("127.0.0.1", ()))


async def cut(writer: asyncio.StreamWriter) -> None:
    """Reset the connection (SO_LINGER 0): the peer's network dropped it, no TLS close_notify, no FIN."""
    sock = writer.get_extra_info("socket")
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()
    await asyncio.sleep(0)


async def test_connections_cut_during_tls_or_a_body_give_their_share_back(world: World,
                                                                           intake: JournalIntake) -> None:
    server = await start_server(world, intake, tls=True, max_connections=10, max_connections_per_address=2,
                                idle_timeout=120)
    try:
        assert server.port and server.site
        for _ in range(3):                           # cut in the handshake, again and again: more than its share
            pair = [(await asyncio.open_connection("127.0.0.1", server.port))[1] for _ in range(2)]
            for writer in pair:
                writer.write(HALF_HELLO)
                await writer.drain()
            await wait_for_async(lambda: held(server) == 2, message="both handshakes counted")
            for writer in pair:
                await cut(writer)
            await wait_for_async(lambda: held(server) == 0, message="the cut handshakes' share given back")

        tls = ssl.create_default_context(cafile=str(world.ours.cert_path))
        for _ in range(3):                           # over TLS, cut in the middle of its body
            _, writer = await asyncio.open_connection("127.0.0.1", server.port, ssl=tls,
                                                      server_hostname="localhost")
            headers = as2_headers("BIGBOX-AS2", "ACMEDIST", "<cut@bigbox>", "application/pkcs7-mime")
            head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
            writer.write(f"POST /as2 HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100000\r\n{head}\r\n".encode()
                         + b"x" * 5000)
            await writer.drain()
            await wait_for_async(lambda: server.in_flight == 1, message="its request being read")
            await cut(writer)
            await wait_for_async(lambda: held(server) == 0 and server.in_flight == 0,
                                 message="the cut request's share given back")

        ctype, body, _ = build_message(world.tmp / "m", PAYLOAD, signer=world.partner, recipient=world.ours)
        status, mdn_type, mdn_body = await asyncio.to_thread(
            curl_from, "127.0.0.1", world.url, body, as2_headers("BIGBOX-AS2", "ACMEDIST", "<after@bigbox>", ctype),
            world.tmp, world.ours.cert_path)
        assert status == 200
        assert mdn_fields(verify_mdn(world.tmp, mdn_type, mdn_body, world.ours))["disposition"].endswith("processed")
        assert [m.meta["as2_message_id"] for m in intake.messages()] == ["<after@bigbox>"]
        assert server.site.refused_source.count == 0
    finally:
        await server.close()
