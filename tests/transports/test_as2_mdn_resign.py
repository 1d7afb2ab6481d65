"""Async MDNs sent again through the real daemon and `edi-gateway mdn resend` (a second process): while the
daemon is POSTing the same MDN.

The partner is openssl + curl; its MDN endpoints are aiohttp apps on 127.0.0.1 (tests.transports.test_as2_mdn_resend's
Sink, which records what it got). openssl verifies every MDN against the certificate the partner holds.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from tests.helpers.gateway import GatewayProcess, Workspace
from tests.helpers.net import free_port
from tests.helpers.wait import wait_for
from tests.transports.as2_peer import as2_headers, build_message, curl_post, serve, verify_mdn
from tests.transports.certs import make_cert
from tests.transports.test_as2_mdn_resend import PAYLOAD, bigbox, listed, mdn, settled

pytestmark = pytest.mark.slow


async def test_an_mdn_resent_elsewhere_while_the_daemon_posts_it_goes_to_the_new_url_too(tmp_path: Path) -> None:
    """The partner's MDN endpoint takes the daemon's POST and, before it answers, the coordinator runs `mdn resend
    --url` with the partner's new MDN path on the same server (it said its address changed). The POST then got
    through and the row was recorded sent, to the new URL, where nothing went. The MDN goes there as well, and is
    listed sent there. (The daemon posts one server's MDNs one after another, so the new URL is not tried before
    the first POST is answered: the order is the test's.)"""
    certs = tmp_path / "certs"
    ours, theirs = make_cert(certs, "acme"), make_cert(certs, "bigbox")
    port, sink_port = free_port(), free_port()
    old_url, new_url = f"http://127.0.0.1:{sink_port}/mdn", f"http://127.0.0.1:{sink_port}/mdn2"
    ws = Workspace.create(tmp_path / "gw", {
        "as2_server": {"enabled": True, "host": "127.0.0.1", "port": port, "as2_id": "ACMEDIST",
                       "certificate": str(ours.cert_path), "private_key": str(ours.key_path)}},
        partners={"bigbox": bigbox(theirs, [f"http://127.0.0.1:{sink_port}/"])})
    resent: list[Any] = []
    got: list[tuple[str, dict[str, str], bytes]] = []

    async def take(request: web.Request) -> web.Response:
        got.append((request.path, dict(request.headers), await request.read()))
        if request.path == "/mdn":                  # answered once the command has queued it for /mdn2
            resent.append(await asyncio.to_thread(mdn, ws, "resend", "<po2@bigbox>", "--url", new_url))
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/mdn", take)
    app.router.add_post("/mdn2", take)
    runner, _ = await serve(app, sink_port)
    try:
        with GatewayProcess(ws.config) as gw:
            ctype, body, _ = build_message(tmp_path / "msg", PAYLOAD, signer=theirs, recipient=ours)
            reply = await asyncio.to_thread(curl_post, f"http://127.0.0.1:{port}/as2", body, as2_headers(
                "BIGBOX-AS2", "ACMEDIST", "<po2@bigbox>", ctype, async_url=old_url), tmp_path)
            assert reply.status == 200
            await asyncio.to_thread(wait_for, lambda: len(got) == 2, 30, 0.05, "the MDN at the new URL")
            assert len(resent) == 1 and resent[0].returncode == 0, resent[0].stderr
            await asyncio.to_thread(wait_for, lambda: settled(ws) == ["sent"], 30, 0.05, "the MDN recorded sent")
            assert "but queued again meanwhile for another address" in gw.output()
        assert [path for path, _, _ in got] == ["/mdn", "/mdn2"]
        for _, headers, mdn_body in got:
            assert b"Original-Message-ID: <po2@bigbox>" in verify_mdn(tmp_path, headers["Content-Type"], mdn_body,
                                                                       ours)
        assert [r["url"] for r in listed(ws, "sent")] == [new_url]
    finally:
        await runner.cleanup()
