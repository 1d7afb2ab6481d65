"""A synchronous MDN that does not come back because the connection was cut, through the real daemon: the partner
may or may not have the message, so it is sent again as built (same Message-ID, same bytes, so the same MIC; the
partner's duplicate check applies) with the outbox's backoff, and is dead for a person only once the attempts run
out. An HTTP refusal (4xx) before any MDN is dead at once: the partner did not take it, and the same bytes get the
same answer. A 2xx whose MDN is missing or unreadable is neither: see test_as2_15r_sync_mdn."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web

from tests.transports.as2_daemon import send_one
from tests.transports.as2_peer import serve
from tests.transports.certs import Cert, make_cert
from tests.transports.test_delivery_hostile import Partner, as2_workspace

pytestmark = pytest.mark.slow

FAST = {"min_backoff": 0.2, "max_backoff": 0.4}


class Flaky(Partner):
    """The partner's endpoint answering each POST by the next of `answers` ('mdn' once they run out): 'empty' a
    200 without a body, 'text' a 200 'ok' (a product that answers as if asked for none), 'garbage' a 200 whose
    body claims to be an MDN and is not, 'impostor' an MDN signed by a key we do not know, 'cut' the connection
    closed once the body is read, a number that HTTP status."""

    def __init__(self, theirs: Cert, impostor: Cert) -> None:
        super().__init__(theirs)
        self.answers: list[str] = []
        self.bodies: list[str] = []
        self.impostor = impostor

    async def handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        self.posts.append(dict(request.headers))
        self.bodies.append(hashlib.sha256(body).hexdigest())
        answer = self.answers.pop(0) if self.answers else "mdn"
        if answer == "cut":
            assert request.transport is not None
            request.transport.close()
            return web.Response()
        if answer.isdigit():
            return web.Response(status=int(answer), text="no thanks")
        if answer == "empty":
            return web.Response(status=200)
        if answer == "text":
            return web.Response(status=200, text="ok")
        if answer == "garbage":
            return web.Response(status=200, body=b"--x\r\nnot an MDN\r\n",
                                headers={"Content-Type": 'multipart/signed; boundary="x"'})
        signer, self.theirs = self.theirs, (self.impostor if answer == "impostor" else self.theirs)
        try:
            headers, mdn_body = self.mdn(request.headers["Message-ID"])
        finally:
            self.theirs = signer
        return web.Response(status=200, body=mdn_body, headers=headers)


@pytest.fixture
async def flaky(tmp_path: Path) -> AsyncIterator[tuple[Flaky, str, Cert]]:
    certs = tmp_path / "certs"
    ours, theirs, impostor = make_cert(certs, "acme"), make_cert(certs, "acmeretail"), make_cert(certs, "impostor")
    p = Flaky(theirs, impostor)
    app = web.Application()
    app.router.add_post("/as2", p.handle)
    runner, port = await serve(app)
    yield p, f"http://127.0.0.1:{port}/as2", ours
    await runner.cleanup()


async def settled(tmp_path: Path, peer: Flaky, url: str, ours: Cert, answers: list[str],
                  **outbox: float) -> tuple[dict[str, object], str]:
    """Our 856 sent by the daemon to `peer` answering `answers` in turn: its journal row once done, dead or
    rejected, and the daemon's output."""
    peer.answers = list(answers)
    ws = as2_workspace(tmp_path, url, ours, peer.theirs, outbox={**FAST, **outbox}, mdn="sync")
    return await send_one(ws, peer, ("done", "dead", "rejected"))


async def test_a_cut_connection_is_sent_again_as_the_same_message_until_an_mdn_reads(
        tmp_path: Path, flaky: tuple[Flaky, str, Cert]) -> None:
    peer, url, ours = flaky
    answers = ["cut", "503", "cut"]
    final, _ = await settled(tmp_path, peer, url, ours, answers, max_attempts=len(answers) + 1)
    assert final["state"] == "done", (final["state"], final["last_error"])
    assert len(peer.posts) == len(answers) + 1
    assert len({p["Message-ID"] for p in peer.posts}) == 1         # one AS2 message: the partner's check holds
    assert len(set(peer.bodies)) == 1                              # the same bytes, so the same MIC


async def test_when_the_attempts_run_out_it_is_dead_saying_the_partner_may_have_it(
        tmp_path: Path, flaky: tuple[Flaky, str, Cert]) -> None:
    peer, url, ours = flaky
    final, output = await settled(tmp_path, peer, url, ours, ["cut", "cut", "cut"], max_attempts=3)
    assert final["state"] == "dead" and len(peer.posts) == 3
    error = str(final["last_error"])
    assert "failed" in error and "the partner may have the message" in error, error
    assert "gave up after 3 attempts" in output


async def test_an_http_refusal_before_any_mdn_is_dead_at_once(tmp_path: Path,
                                                              flaky: tuple[Flaky, str, Cert]) -> None:
    peer, url, ours = flaky
    final, _ = await settled(tmp_path, peer, url, ours, ["403"])
    assert final["state"] == "dead" and len(peer.posts) == 1
    assert "HTTP 403" in str(final["last_error"])
