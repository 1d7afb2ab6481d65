"""The asynchronous MDNs we owe a partner go the way our messages to it go: through its proxy (or HTTPS_PROXY), with
its `tls_ca` and our TLS client certificate. They went direct, without a client certificate: a partner whose MDN
endpoint requires one never got its MDN (the handshake failed at each retry until given up), and on a host where
only the proxy reaches out the partner's name did not even resolve.

Through a proxy, which resolves the name itself, the address check still holds: a name our own resolver answers
for must lead only to allowed addresses (localhost, 127.1: refused, the proxy never asked); a name it cannot
resolve (as2.acmeretail.test here, known to the proxy only) is left to the proxy.

The daemon is real; the partner is openssl + curl, its MDN endpoint an HTTPS server on 127.0.0.1 requiring our
client certificate, reached through the loopback CONNECT proxy of test_as2_15_proxy (which sends every tunnel to
127.0.0.1)."""

from __future__ import annotations

import asyncio
import os
import ssl
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from tests.helpers.gateway import GatewayProcess, Workspace
from tests.helpers.net import free_port
from tests.helpers.wait import wait_for
from tests.transports.as2_daemon import serve_tls
from tests.transports.as2_peer import as2_headers, build_message, curl_post, verify_mdn
from tests.transports.certs import Cert, make_cert
from tests.transports.test_as2_15_proxy import LOGIN, ConnectProxy
from tests.transports.test_as2_mdn_resend import PAYLOAD, listed, settled

pytestmark = pytest.mark.slow

HOST = "as2.acmeretail.test"


class MdnEndpoint:
    """The partner's async MDN endpoint: each POST's body, and the subject of the client certificate it came with."""

    def __init__(self) -> None:
        self.got: list[tuple[dict[str, str], bytes, str | None]] = []

    async def take(self, request: web.Request) -> web.Response:
        assert request.transport is not None
        peer = request.transport.get_extra_info("peercert") or {}
        client = dict(x[0] for x in peer.get("subject", ())).get("commonName")
        self.got.append((dict(request.headers), await request.read(), client))
        return web.Response(text="ok")


@dataclass
class World:
    ours: Cert
    theirs: Cert
    server_cert: Cert
    client: Cert
    endpoint: MdnEndpoint
    https_port: int
    proxy: ConnectProxy


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    certs = tmp_path / "certs"
    ours, theirs = make_cert(certs, "acme"), make_cert(certs, "acmeretail")
    server_cert, client = make_cert(certs, HOST, dns=HOST), make_cert(certs, "acme-tls-client")
    os.chmod(client.key_path, 0o600)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH, cafile=str(client.cert_path))
    context.load_cert_chain(server_cert.cert_path, server_cert.key_path)
    context.verify_mode = ssl.CERT_REQUIRED
    endpoint = MdnEndpoint()
    app = web.Application()
    app.router.add_post("/mdn", endpoint.take)
    runner, https_port = await serve_tls(app, context)
    proxy = ConnectProxy()
    server = await asyncio.start_server(proxy.handle, "127.0.0.1", 0)
    proxy.port = server.sockets[0].getsockname()[1]
    try:
        yield World(ours, theirs, server_cert, client, endpoint, https_port, proxy)
    finally:
        server.close()
        await runner.cleanup()


def workspace(tmp_path: Path, w: World, port: int, **outbound: Any) -> Workspace:
    """Our gateway, the partner sending over AS2 (its inbound channel) and receiving over AS2 through its proxy with
    our client certificate (its outbound channel, where those settings are)."""
    return Workspace.create(tmp_path / "gw", {
        "our_ids": {"as2_id": "ACMEDIST"},
        "outbox": {"max_attempts": 3, "min_backoff": 0.2, "max_backoff": 0.4},
        "as2_server": {"enabled": True, "host": "127.0.0.1", "port": port, "certificate": str(w.ours.cert_path),
                       "private_key": str(w.ours.key_path)}},
        partners={"acme": {"inbound": [{"channel": "as2", "as2_id": "ACMERETAIL-AS2",
                                        "certificates": [str(w.theirs.cert_path)]}],
                           "outbound": {"channel": "as2", "as2_id": "ACMERETAIL-AS2",
                                        "url": f"https://{HOST}:{w.https_port}/as2",
                                        "certificates": [str(w.theirs.cert_path)],
                                        "proxy": f"http://{LOGIN}@127.0.0.1:{w.proxy.port}",
                                        "tls_ca": str(w.server_cert.cert_path),
                                        "tls_client_certificate": str(w.client.cert_path),
                                        "tls_client_key": str(w.client.key_path), **outbound}}})


async def post_messages(tmp_path: Path, w: World, port: int, urls: dict[str, str]) -> None:
    """The partner's messages to us, signed and encrypted by openssl, each asking its MDN at its URL."""
    for name, url in urls.items():
        ctype, body, _ = build_message(tmp_path / name, PAYLOAD, signer=w.theirs, recipient=w.ours)
        reply = await asyncio.to_thread(curl_post, f"http://127.0.0.1:{port}/as2", body, as2_headers(
            "ACMERETAIL-AS2", "ACMEDIST", f"<{name}@acmeretail>", ctype, async_url=url), tmp_path)
        assert reply.status == 200, reply.body


async def test_the_async_mdn_goes_through_the_partners_proxy_with_our_client_certificate(
        tmp_path: Path, world: World) -> None:
    port = free_port()
    ws = workspace(tmp_path, world, port)
    url = f"https://{HOST}:{world.https_port}/mdn"
    gw = await asyncio.to_thread(GatewayProcess(ws.config).start)
    try:
        await post_messages(tmp_path, world, port, {"po1": url})
        await asyncio.to_thread(wait_for, lambda: settled(ws) in (["sent"], ["failed"]), 60, 0.05,
                                "the MDN sent or given up")
    finally:
        await asyncio.to_thread(gw.stop)
    assert settled(ws) == ["sent"], listed(ws, "failed")
    assert [(target, auth is not None) for target, auth in world.proxy.tunnels] == [
        (f"{HOST}:{world.https_port}", True)]
    [(headers, body, client)] = world.endpoint.got
    assert client == "acme-tls-client"
    report = verify_mdn(tmp_path, headers["Content-Type"], body, world.ours).decode()
    assert "Original-Message-ID: <po1@acmeretail>" in report and "processed" in report
    assert "pr0xy-s3cret" not in gw.output() and "BEGIN" not in gw.output()


async def test_through_a_proxy_a_name_we_resolve_to_an_internal_address_is_still_refused(
        tmp_path: Path, world: World) -> None:
    """The proxy would connect to 127.0.0.1 for either (ours here does for any name): our lookup refuses them before
    it is asked. Without that check, routing MDNs through the proxy would have let a partner reach our loopback."""
    port = free_port()
    ws = workspace(tmp_path, world, port)
    urls = {"named": f"http://localhost:{world.https_port}/mdn", "short": f"http://127.1:{world.https_port}/mdn"}
    gw = await asyncio.to_thread(GatewayProcess(ws.config).start)
    try:
        await post_messages(tmp_path, world, port, urls)
        await asyncio.to_thread(wait_for, lambda: settled(ws) and "queued" not in settled(ws), 60, 0.05,
                                "both MDNs refused or sent")
    finally:
        await asyncio.to_thread(gw.stop)
    assert settled(ws) == ["refused", "refused"]
    reasons = sorted(str(r["last_error"]) for r in listed(ws, "refused"))
    assert all("127.0.0.1 is a loopback address" in r for r in reasons), reasons
    assert world.proxy.tunnels == [] and world.endpoint.got == []
