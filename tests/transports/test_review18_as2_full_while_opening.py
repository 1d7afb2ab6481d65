"""A message whose body fits the work folder but whose opened layers (decrypted, decompressed, written beside it) do
not: the partner gets 503 (send it again later), as when the body itself does not fit, never an error MDN. An error MDN
is final to the partner's AS2 software: it marks the message failed and does not resend it, so a file a partner sent
on a day the disk ran low was lost unless a person on its side noticed. Real sockets, curl, a small tmpfs (root)."""

from __future__ import annotations

import logging

import pytest

from tests.helpers.disk import grow, small_disk
from tests.transports.as2_peer import as2_headers, build_message
from tests.transports.conftest import JournalIntake
from tests.transports.test_as2_server import PAYLOAD, World, post, start_server
from tests.transports.test_as2_server import world as world  # noqa: PLC0414  (fixture)

MB = 1024 * 1024


async def test_a_disk_filled_while_the_message_is_opened_answers_503(world: World, intake: JournalIntake,
                                                                     caplog: pytest.LogCaptureFixture) -> None:
    work = world.tmp / "state" / "as2-work"
    with small_disk(work, "8m"):
        server = await start_server(world, intake, min_free_mb=1)
        try:
            ctype, body, _ = build_message(world.tmp / "big", PAYLOAD * 42000, signer=world.partner,
                                           recipient=world.ours, compress=False)
            assert 4 * MB < body.stat().st_size < 6 * MB       # fits with the reserve; its decrypted layer does not
            headers = as2_headers("BIGBOX-AS2", "ACMEDIST", "<opened@bigbox>", ctype)
            reply = await post(world, body, headers)
            assert reply.status == 503 and b"send it again later" in reply.body, (reply.status, reply.body[:300])
            assert intake.messages() == [] and not any(work.iterdir())
            assert not [r for r in caplog.records if r.exc_info]                  # no traceback
            grow(work, "32m")                                                     # room made: the resend is taken
            reply = await post(world, body, headers)
            assert reply.status == 200 and [m.meta["as2_message_id"] for m in intake.messages()] == ["<opened@bigbox>"]
            assert not [r for r in caplog.records if r.levelno >= logging.ERROR and "opened@" not in r.getMessage()]
        finally:
            await server.close()
