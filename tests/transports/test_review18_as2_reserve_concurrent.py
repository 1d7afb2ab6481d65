"""as2_server.min_free_mb holds when several bodies arrive at once: a stranger sending eight chunked bodies together
(as2_server allows 64 at once) is refused with 503 + Retry-After before the work folder's disk is full, rather than
each body being looked at only every 8 MiB (eight of them wrote 64 MiB between two looks: the disk the journal and
archive share was filled, the reserve never held). Real sockets on 127.0.0.1 and a small tmpfs (root only)."""

from __future__ import annotations

import asyncio
import contextlib
import logging

import pytest

from tests.helpers.disk import small_disk
from tests.helpers.wait import wait_for_async
from tests.transports.as2_peer import as2_headers
from tests.transports.conftest import JournalIntake
from tests.transports.test_as2_limits import read_response
from tests.transports.test_as2_server import World, start_server
from tests.transports.test_as2_server import world as world  # noqa: PLC0414  (fixture)

MB = 1024 * 1024


async def test_bodies_sent_together_never_eat_the_reserve(world: World, intake: JournalIntake,
                                                          caplog: pytest.LogCaptureFixture) -> None:
    work = world.tmp / "state" / "as2-work"
    with small_disk(work, "48m"):
        server = await start_server(world, intake, min_free_mb=16, idle_timeout=120)
        try:
            assert server.port
            streams = []
            for n in range(8):
                head = "".join(f"{k}: {v}\r\n" for k, v in as2_headers(
                    "BIGBOX-AS2", "ACMEDIST", f"<flood{n}@stranger>", "application/pkcs7-mime").items())
                reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
                writer.write(f"POST /as2 HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n{head}\r\n"
                             .encode())
                streams.append((asyncio.create_task(read_response(reader)), writer))
            for _ in range(12):                                   # 12 MiB each, 1 MiB a chunk, side by side
                for answer, writer in streams:
                    if not answer.done() and not writer.is_closing():
                        with contextlib.suppress(ConnectionError):
                            writer.write(b"%x\r\n%s\r\n" % (MB, b"x" * MB))
                            await writer.drain()
            for answer, writer in streams:                        # (a body let through ends here)
                if not answer.done() and not writer.is_closing():
                    with contextlib.suppress(ConnectionError):
                        writer.write(b"0\r\n\r\n")
            codes = []
            for answer, writer in streams:
                code, headers, text = await asyncio.wait_for(answer, 60)
                writer.close()
                codes.append("no room" if (code, headers.get("retry-after")) == (503, "30") and b"no room" in text
                             else code)
            # a body that got through before the reserve was reached is read (and refused: it is no CMS); the rest
            # are asked to come again; none fills the disk
            assert "no room" in codes and set(codes) <= {"no room", 200}, codes
            assert not [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
            assert intake.messages() == []
            await wait_for_async(lambda: not any(work.iterdir()), message="the refused bodies removed")
        finally:
            await server.close()

