"""A partner's AS2 endpoint that answers our POST with a redirect (it moved from http to https, or to another path),
through the real daemon: the message is dead at once naming the new address, one POST and nothing else. aiohttp
followed the redirect and, for a 301/302, turned the POST into a GET without the body: the page there (AS2
products answer a GET with a 'server is running' page) came back as a 200 without an MDN, so the message the
partner never received was counted as sent (retried until dead since e376ff0, sent with its MDN overdue since
a028379)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web

from tests.transports.as2_daemon import send_one
from tests.transports.as2_peer import serve
from tests.transports.certs import Cert, make_cert
from tests.transports.test_delivery_hostile import Partner, as2_workspace

pytestmark = pytest.mark.slow


class Moved(Partner):
    """An endpoint that moved: a POST to /as2 is sent to /as2-new, whose GET answers an HTML status page."""

    def __init__(self, theirs: Cert) -> None:
        super().__init__(theirs)
        self.requests: list[str] = []

    async def post(self, request: web.Request) -> web.StreamResponse:
        await request.read()
        self.requests.append(f"POST {request.path}")
        raise web.HTTPMovedPermanently(location="/as2-new")

    async def get(self, request: web.Request) -> web.StreamResponse:
        self.requests.append(f"GET {request.path}")
        return web.Response(text="<html><body>AS2 server is running</body></html>", content_type="text/html")


@pytest.fixture
async def moved(tmp_path: Path) -> AsyncIterator[tuple[Moved, str, Cert, Cert]]:
    certs = tmp_path / "certs"
    peer = Moved(make_cert(certs, "acmeretail"))
    app = web.Application()
    app.router.add_post("/as2", peer.post)
    app.router.add_get("/as2-new", peer.get)
    runner, port = await serve(app)
    yield peer, f"http://127.0.0.1:{port}/as2", make_cert(certs, "acme"), peer.theirs
    await runner.cleanup()


@pytest.mark.parametrize("mdn", ["sync", "async", "none"])
async def test_a_redirect_is_not_followed_and_the_message_is_dead_naming_the_new_address(
        tmp_path: Path, moved: tuple[Moved, str, Cert, Cert], mdn: str) -> None:
    """Without an MDN asked for, the GET's 200 made the message done: lost without a word; with an async one, sent
    and awaiting an MDN the partner could never send."""
    peer, url, ours, theirs = moved
    ws = as2_workspace(tmp_path, url, ours, theirs, outbox={"min_backoff": 0.2, "max_backoff": 0.4}, mdn=mdn)
    final, _ = await send_one(ws, peer, ("sent", "done", "dead", "rejected"))
    error = str(final["last_error"])
    assert final["state"] == "dead" and "HTTP 301" in error and "moved to /as2-new" in error, (final["state"], error)
    assert peer.requests == ["POST /as2"]
