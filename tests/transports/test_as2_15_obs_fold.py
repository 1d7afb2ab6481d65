"""Request headers folded over several lines (obs-fold), as some older AS2 products send a long Subject or
Disposition-Notification-Options: our server reads each fold as one SP (RFC 9112 5.2) and answers the message as
if it had come on one line. They were refused with 400 (aiohttp's parser). curl cannot fold, so the request is
written on a raw socket, over plain HTTP and over TLS, two messages on one kept-alive connection."""

from __future__ import annotations

import asyncio
import logging
import ssl

import pytest

from gateway.transports.as2.http_fold import unfold
from tests.helpers.wait import wait_for_async
from tests.transports.as2_peer import Reply, as2_headers, build_message, verify_mdn
from tests.transports.conftest import JournalIntake
from tests.transports.test_as2_server import PAYLOAD, World, mdn_fields, start_server, world

__all__ = ["world"]       # the fixture

OPTIONS = "signed-receipt-protocol=optional, pkcs7-signature;\r\n\tsigned-receipt-micalg=optional, sha-256"


def folded_request(path: str, headers: dict[str, str], body: bytes) -> bytes:
    """A POST whose Subject and Disposition-Notification-Options are folded as older AS2 products write them."""
    lines = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", f"Content-Length: {len(body)}"]
    for name, value in headers.items():
        if name == "Disposition-Notification-Options":
            value = OPTIONS
        elif name == "Subject":
            value = "EDI 850 purchase order from BigBox\r\n   sent by an older AS2 product"
        lines.append(f"{name}: {value}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def read_reply(reader: asyncio.StreamReader) -> Reply:
    head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in head[1:] if line)}
    body = await reader.readexactly(int(headers.get("content-length", "0")))
    return Reply(int(head[0].split()[1]), headers, body)


async def exchange(world: World, requests: list[bytes], tls: ssl.SSLContext | None = None) -> list[Reply]:
    """Each request written in turn on one connection to our server, and its reply read."""
    assert world.server is not None and world.server.port is not None
    reader, writer = await asyncio.open_connection("127.0.0.1", world.server.port, ssl=tls,
                                                   server_hostname="localhost" if tls else None)
    replies = []
    try:
        for request in requests:
            writer.write(request)
            await writer.drain()
            replies.append(await asyncio.wait_for(read_reply(reader), 60))
    finally:
        writer.close()
    return replies


@pytest.mark.parametrize("tls", [False, True], ids=["http", "https"])
async def test_folded_headers_are_read_as_one_line_and_the_message_is_taken(world: World, intake: JournalIntake,
                                                                             tls: bool) -> None:
    server = await start_server(world, intake, tls=tls)
    try:
        requests = []
        for n in (1, 2):
            ctype, body, _ = build_message(world.tmp / f"m{n}", PAYLOAD.replace(b"000000001", f"00000000{n}".encode()),
                                           signer=world.partner, recipient=world.ours)
            requests.append(folded_request("/as2", as2_headers("BIGBOX-AS2", "ACMEDIST", f"<fold{n}@bigbox>", ctype),
                                           body.read_bytes()))
        context = ssl.create_default_context(cafile=str(world.ours.cert_path)) if tls else None
        replies = await exchange(world, requests, context)
        for n, reply in enumerate(replies, 1):
            assert reply.status == 200, reply.body[:300]
            # signed, with the MIC in sha-256: the folded Disposition-Notification-Options was read whole
            fields = mdn_fields(verify_mdn(world.tmp, reply.headers["content-type"], reply.body, world.ours))
            assert fields["disposition"].endswith("; processed") and fields["received-content-mic"].endswith("sha-256")
            assert fields["original-message-id"] == f"<fold{n}@bigbox>"
        assert len(intake.messages()) == 2
    finally:
        await server.close()


async def test_a_fold_before_the_first_field_is_still_refused(world: World, intake: JournalIntake) -> None:
    server = await start_server(world, intake)
    try:
        (reply,) = await exchange(world, [(b"POST /as2 HTTP/1.1\r\n  folded: nothing\r\nHost: x\r\n"
                                          b"Content-Length: 0\r\n\r\n")])
        assert reply.status == 400 and intake.messages() == []
    finally:
        await server.close()


def test_unfold_joins_with_one_space_and_keeps_the_field_limit() -> None:
    assert unfold([b"Subject: a", b"\t  b ", b" c", b"X: y", b""], 100) == [b"Subject: a b c", b"X: y", b""]
    with pytest.raises(Exception, match="Got more than 20 bytes"):
        unfold([b"Subject: aaaaaaaaaa", b" bbbbbbbbbb"], 20)


async def test_what_the_parser_refuses_is_logged_without_the_bytes_it_quotes(
        world: World, intake: JournalIntake, caplog: pytest.LogCaptureFixture) -> None:
    """A body sent without the blank line that ends the headers is read as header lines, which aiohttp's Python
    parser quotes in its error: the log line names the error only (the bytes may be a partner's payload)."""
    server = await start_server(world, intake)
    try:
        request = (b"POST /as2 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 40\r\n"
                   b"ISA*00*CONFIDENTIAL-PRICE-LIST~\r\n\r\n")
        (reply,) = await exchange(world, [request])
        assert reply.status == 400
        logged = await wait_for_async(lambda: [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING],
                                      message="a log record")
        assert logged == ["malformed HTTP request from 127.0.0.1 refused (HTTP 400): Invalid HTTP header"]
        assert not any("CONFIDENTIAL" in (r.getMessage() + str(r.exc_text or "")) for r in caplog.records)
    finally:
        await server.close()
