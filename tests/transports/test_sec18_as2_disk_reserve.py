"""AS2 bodies are written to the work folder before their signature is checked, by anyone naming a partner's AS2 id:
as2_server.min_free_mb keeps that much free there (the journal and archive share the disk). A body that would leave
less is refused with 503 and Retry-After, by its Content-Length before it is read, or as a chunked one grows; the
partner's smaller message is still taken. Real sockets on 127.0.0.1 and a small tmpfs (root only)."""

from __future__ import annotations

import asyncio
import contextlib

import pytest

from tests.helpers.disk import small_disk
from tests.helpers.wait import wait_for_async
from tests.transports.as2_peer import as2_headers, build_message
from tests.transports.conftest import JournalIntake
from tests.transports.test_as2_limits import read_response
from tests.transports.test_as2_server import PAYLOAD, World, post, start_server
from tests.transports.test_as2_server import world as world  # noqa: PLC0414  (fixture)

MB = 1024 * 1024


async def test_a_body_that_would_eat_the_reserve_is_refused_by_its_length(world: World, intake: JournalIntake,
                                                                          caplog: pytest.LogCaptureFixture) -> None:
    with small_disk(world.tmp / "state" / "as2-work", "32m"):
        server = await start_server(world, intake, min_free_mb=29)
        try:
            ctype, body, _ = build_message(world.tmp / "big", PAYLOAD * 30000, signer=world.partner,
                                           recipient=world.ours)
            assert 3 * MB < body.stat().st_size < 8 * MB
            reply = await post(world, body, as2_headers("BIGBOX-AS2", "ACMEDIST", "<big@bigbox>", ctype))
            assert reply.status == 503 and reply.headers["retry-after"] == "30"
            assert b"send it again later" in reply.body and intake.messages() == []
            assert any("as2_server.min_free_mb (29 MB)" in r.getMessage() for r in caplog.records)
            ctype, body, _ = build_message(world.tmp / "small", PAYLOAD, signer=world.partner, recipient=world.ours)
            reply = await post(world, body, as2_headers("BIGBOX-AS2", "ACMEDIST", "<small@bigbox>", ctype))
            assert reply.status == 200 and len(intake.messages()) == 1
        finally:
            await server.close()


async def test_a_chunked_body_is_refused_once_it_eats_into_the_reserve(world: World, intake: JournalIntake) -> None:
    with small_disk(world.tmp / "state" / "as2-work", "48m"):
        server = await start_server(world, intake, min_free_mb=41)
        try:
            assert server.port
            headers = as2_headers("BIGBOX-AS2", "ACMEDIST", "<chunked@bigbox>", "application/pkcs7-mime")
            head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
            reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
            writer.write(f"POST /as2 HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n{head}\r\n".encode())
            answer = asyncio.create_task(read_response(reader))
            with contextlib.suppress(ConnectionError):
                for _ in range(12):                                          # 12 MB, 1 MB a chunk
                    if answer.done():
                        break
                    writer.write(b"%x\r\n%s\r\n" % (MB, b"x" * MB))
                    await writer.drain()
                else:
                    writer.write(b"0\r\n\r\n")
            try:
                code, response_headers, text = await answer
            finally:
                writer.close()
            assert code == 503 and response_headers["retry-after"] == "30", text
            assert intake.messages() == []
            await wait_for_async(lambda: not any((world.tmp / "state" / "as2-work").iterdir()),
                                 message="the refused body removed")
        finally:
            await server.close()
