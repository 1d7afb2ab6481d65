"""What aiohttp's Python parser (the server's since c48ba7f) says of a malformed request is logged without the bytes
it received: two of its errors are those bytes, unquoted, where the C parser's quoted them after its own words (which
the log line keeps): a chunk-size line that is not hex (with wrong chunk sizes, a line of the partner's payload) and
a request target (after a body shorter than its Content-Length said, the payload's next line is read as a request)."""

from __future__ import annotations

import logging

import pytest

from tests.helpers.wait import wait_for_async
from tests.transports.conftest import JournalIntake
from tests.transports.test_as2_15_obs_fold import exchange
from tests.transports.test_as2_server import World, start_server, world

__all__ = ["world"]       # the fixture


HEAD = (b"Host: 127.0.0.1\r\nAS2-From: BIGBOX-AS2\r\nAS2-To: ACMEDIST\r\nMessage-ID: <raw@bigbox>\r\n"
        b"Content-Type: application/edi-x12\r\n")
REQUESTS = {
    "chunk size": (b"POST /as2 HTTP/1.1\r\nTransfer-Encoding: chunked\r\n" + HEAD +
                   b"\r\n5\r\nISA*0\r\nISA*00*CONFIDENTIAL-PRICE-LIST~\r\n0\r\n\r\n", "Invalid chunk size"),
    "request target": (b"POST ISA*00*CONFIDENTIAL-PRICE-LIST~ HTTP/1.1\r\n" + HEAD + b"\r\n",
                       "Invalid request target"),
}


@pytest.mark.parametrize("name", REQUESTS)
async def test_the_bytes_a_parser_error_is_made_of_are_not_logged(world: World, intake: JournalIntake,
                                                                 caplog: pytest.LogCaptureFixture, name: str) -> None:
    request, words = REQUESTS[name]
    server = await start_server(world, intake)
    try:
        (reply,) = await exchange(world, [request])
        assert reply.status == 400, reply
        logged = await wait_for_async(lambda: [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING],
                                      message="a log record")
        assert not any("CONFIDENTIAL" in (r.getMessage() + str(r.exc_text or "")) for r in caplog.records), logged
        assert logged == [f"malformed HTTP request from 127.0.0.1 refused (HTTP 400): {words}"]
    finally:
        await server.close()
