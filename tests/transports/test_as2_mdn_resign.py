"""Async MDNs sent again through the real daemon and `edi-gateway mdn resend` (a second process): after our
certificate rotation, and while the daemon is POSTing the same MDN.

The partner is openssl + curl; its MDN endpoints are aiohttp apps on 127.0.0.1 (tests.transports.test_as2_mdn_resend's
Sink, which records what it got). openssl verifies every MDN against the certificate the partner holds.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from tests.helpers.gateway import GatewayProcess, Workspace
from tests.helpers.net import free_port
from tests.helpers.wait import wait_for
from tests.transports.as2_peer import as2_headers, build_message, curl_post, openssl, serve, verify_mdn
from tests.transports.certs import make_cert
from tests.transports.test_as2_mdn_resend import PAYLOAD, Sink, bigbox, listed, mdn, noted, settled, show

pytestmark = pytest.mark.slow


def queued_body(ws: Workspace) -> tuple[str, bytes]:
    """The Content-Type and body of the (only) MDN in state/as2.sqlite3, as the daemon keeps it."""
    db = sqlite3.connect(f"file:{ws.root / 'state' / 'as2.sqlite3'}?mode=ro", uri=True, timeout=10)
    try:
        ((headers, body),) = db.execute("SELECT headers, body FROM mdn_out").fetchall()
    finally:
        db.close()
    return json.loads(headers)["Content-Type"], bytes(body)


def signed_by(tmp: Path, content_type: str, body: bytes, cert: Path) -> bool:
    """openssl's word: `cert` verifies the MDN's signature."""
    f = tmp / "check.eml"
    f.write_bytes(f"MIME-Version: 1.0\r\nContent-Type: {content_type}\r\n\r\n".encode() + body)
    return openssl("cms", "-verify", "-in", f, "-CAfile", cert, "-out", tmp / "check.out").returncode == 0


async def test_an_mdn_resent_after_our_certificate_rotation_is_signed_with_the_new_key(tmp_path: Path) -> None:
    """The MDN failed while the partner's endpoint was down; we rotated our key pair (the partner now holds our
    new certificate) and restarted; `mdn resend` sent it still signed with the old key, which the partner cannot
    verify. It goes out signed with the current key, the report (MIC, disposition) as first built."""
    certs = tmp_path / "certs"
    old, new, theirs = make_cert(certs, "acme-2025"), make_cert(certs, "acme-2026"), make_cert(certs, "bigbox")
    down, port = free_port(), free_port()
    ws = Workspace.create(tmp_path / "gw", {
        "as2_server": {"enabled": True, "host": "127.0.0.1", "port": port, "as2_id": "ACMEDIST",
                       "certificate": str(old.cert_path), "private_key": str(old.key_path)},
        "outbox": {"max_attempts": 2, "min_backoff": 0.1, "max_backoff": 0.2}},
        partners={"bigbox": bigbox(theirs, [f"http://127.0.0.1:{down}/"])})
    sink = Sink()
    with GatewayProcess(ws.config):
        ctype, body, _ = build_message(tmp_path / "msg", PAYLOAD, signer=theirs, recipient=old)
        reply = await asyncio.to_thread(curl_post, f"http://127.0.0.1:{port}/as2", body, as2_headers(
            "BIGBOX-AS2", "ACMEDIST", "<po1@bigbox>", ctype, async_url=f"http://127.0.0.1:{down}/mdn"), tmp_path)
        assert reply.status == 200
        await asyncio.to_thread(wait_for, lambda: settled(ws) == ["failed"], 60, 0.05, "the MDN given up")
    first_type, first_body = queued_body(ws)
    report = verify_mdn(tmp_path, first_type, first_body, old)         # what the partner was owed
    assert b"Received-Content-MIC:" in report and b"Original-Message-ID: <po1@bigbox>" in report

    ws.settings["as2_server"].update(certificate=str(new.cert_path), private_key=str(new.key_path),
                                     previous_keys=[{"certificate": str(old.cert_path),
                                                     "private_key": str(old.key_path)}])
    ws.write_config()
    await sink.start(down)                                              # the partner's endpoint is up again
    try:
        with GatewayProcess(ws.config) as gw:
            done = await asyncio.to_thread(mdn, ws, "resend", "<po1@bigbox>")
            assert done.returncode == 0, done.stderr
            await asyncio.to_thread(wait_for, lambda: settled(ws) == ["sent"], 60, 0.05, "the MDN sent again")
            ((headers, got),) = sink.got
            assert signed_by(tmp_path, headers["Content-Type"], got, new.cert_path)
            assert not signed_by(tmp_path, headers["Content-Type"], got, old.cert_path)
            assert "signed again, with our current certificate" in gw.output()
        assert verify_mdn(tmp_path, headers["Content-Type"], got, new) == report
        assert queued_body(ws) == (headers["Content-Type"], got)        # what is kept is what was sent
    finally:
        await sink.stop()


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
            await asyncio.to_thread(wait_for, lambda: list(noted(ws).values()) == ["sent"], 30, 0.05,
                                    "the message told")
            assert "but queued again meanwhile for another address" in gw.output()
        assert [path for path, _, _ in got] == ["/mdn", "/mdn2"]
        for _, headers, mdn_body in got:
            assert b"Original-Message-ID: <po2@bigbox>" in verify_mdn(tmp_path, headers["Content-Type"], mdn_body,
                                                                       ours)
        assert [r["url"] for r in listed(ws, "sent")] == [new_url]
        # the message said its MDN was queued again (the command's note): it says it was sent
        (message,) = ws.messages(direction="in")
        assert json.loads(message["meta"])["async_mdn"]["state"] == "sent"
        assert "asynchronous MDN sent" in show(ws, message["id"])
    finally:
        await runner.cleanup()
