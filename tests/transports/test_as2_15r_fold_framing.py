"""Folds our server must not unfold: inside Content-Length, Transfer-Encoding or Host, or a continuation line that
reads as one of those fields. Since c48ba7f the server unfolds obs-fold (RFC 9112 5.2) where aiohttp's C parser
refused every fold; unfolding these too let a request be framed one way by us and another way by a front end that
does not unfold (RFC 9112 lets it refuse instead; some read a continuation line as a field of its own): request
smuggling through the reverse proxy or load balancer in front of the AS2 port. They are refused with 400 again, as
before c48ba7f, and nothing is taken; a folded Subject or Disposition-Notification-Options still goes through
(test_as2_15_obs_fold). Written on a raw socket: no client folds."""

from __future__ import annotations

import pytest

from tests.transports.as2_peer import as2_headers, build_message
from tests.transports.conftest import JournalIntake
from tests.transports.test_as2_15_obs_fold import exchange
from tests.transports.test_as2_server import PAYLOAD, World, start_server, world

__all__ = ["world"]       # the fixture

FOLDS = {
    # a continuation of an innocent field that a front end reading it as a field frames as chunked
    "hidden-transfer-encoding": ("X-Note: from BigBox", "\r\n Transfer-Encoding: chunked"),
    "folded-content-length": ("Content-Length:", "\r\n {length}"),
    "folded-host": ("Host:", "\r\n 127.0.0.1"),
}


def request(world: World, fold: tuple[str, str]) -> bytes:
    """A real signed AS2 message to our server, with `fold` (a field, its continuation) among its headers."""
    ctype, body_path, _ = build_message(world.tmp / "m", PAYLOAD, signer=world.partner, recipient=world.ours)
    body = body_path.read_bytes()
    field, continuation = fold
    lines = ["POST /as2 HTTP/1.1"]
    lines += [] if field.startswith("Host") else ["Host: 127.0.0.1"]
    lines += [] if field.startswith("Content-Length") else [f"Content-Length: {len(body)}"]
    lines.append(field + continuation.format(length=len(body)))
    lines += [f"{k}: {v}" for k, v in as2_headers("BIGBOX-AS2", "ACMEDIST", "<fold-framing@bigbox>", ctype).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


@pytest.mark.parametrize("name", FOLDS)
async def test_a_fold_in_a_framing_field_is_refused_and_nothing_is_taken(world: World, intake: JournalIntake,
                                                                         name: str) -> None:
    server = await start_server(world, intake)
    try:
        (reply,) = await exchange(world, [request(world, FOLDS[name])])
        assert reply.status == 400, (reply.status, reply.body[:200])
        assert intake.messages() == []
    finally:
        await server.close()
