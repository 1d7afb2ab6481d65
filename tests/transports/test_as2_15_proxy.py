"""Outbound AS2 through an HTTP proxy: a partner's `proxy` setting, or HTTPS_PROXY in the daemon's environment
(not for a host NO_PROXY names, nor a loopback one). The proxy here is a tiny CONNECT proxy on loopback that
sends every tunnel to 127.0.0.1, so the partner can have a real host name (as2.acmeretail.test) that only the
proxy "resolves", as behind a corporate proxy; its login travels as Proxy-Authorization and is never written in
the journal or the log."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import ssl
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from aiohttp import web

from tests.transports.as2_daemon import send_one, serve_tls
from tests.transports.as2_peer import serve
from tests.transports.certs import Cert, make_cert
from tests.transports.test_delivery_hostile import Partner, as2_workspace

pytestmark = pytest.mark.slow

HOST = "as2.acmeretail.test"
LOGIN = "gw-user:pr0xy-s3cret"


class ConnectProxy:
    """CONNECT for https, an absolute-form request (`POST http://host:port/path`) for http, with Basic login
    `LOGIN`; each request's target and Proxy-Authorization recorded. Every host is 127.0.0.1 to it."""

    def __init__(self) -> None:
        self.tunnels: list[tuple[str, str | None]] = []
        self.port = 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            lines = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
            method, target, _ = lines[0].split(" ", 2)
            headers = {k.strip().lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines[1:] if ln)}
            self.tunnels.append((target, headers.get("proxy-authorization")))
            if headers.get("proxy-authorization") != "Basic " + base64.b64encode(LOGIN.encode()).decode():
                writer.write(b"HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"p\"\r\n"
                             b"Content-Length: 0\r\nConnection: close\r\n\r\n")
                await writer.drain()
                return
            if method == "CONNECT":
                up_reader, up_writer = await asyncio.open_connection("127.0.0.1", int(target.rpartition(":")[2]))
                writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
            else:                               # the request itself, in origin form, without the proxy's login
                url = urlsplit(target)
                up_reader, up_writer = await asyncio.open_connection("127.0.0.1", url.port)
                kept = [ln for ln in lines[1:] if ln and not ln.lower().startswith("proxy-")]
                up_writer.write("\r\n".join([f"{method} {url.path} HTTP/1.1", *kept, "", ""]).encode("latin-1"))
            await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))
        finally:
            writer.close()


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(ConnectionError):
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    writer.close()


@pytest.fixture
async def behind_proxy(tmp_path: Path) -> AsyncIterator[tuple[Partner, ConnectProxy, str, Cert, Cert]]:
    """(partner over HTTPS as `HOST`, the proxy, the partner's URL, our AS2 pair, its TLS certificate)."""
    certs = tmp_path / "certs"
    ours, theirs, server_cert = make_cert(certs, "acme"), make_cert(certs, "acmeretail"), make_cert(certs, HOST, dns=HOST)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(server_cert.cert_path, server_cert.key_path)
    p = Partner(theirs)
    app = web.Application()
    app.router.add_post("/as2", p.handle)
    runner, port = await serve_tls(app, context)
    proxy = ConnectProxy()
    server = await asyncio.start_server(proxy.handle, "127.0.0.1", 0)
    proxy.port = server.sockets[0].getsockname()[1]
    yield p, proxy, f"https://{HOST}:{port}/as2", ours, server_cert
    server.close()
    await runner.cleanup()


async def sent(tmp_path: Path, peer: Partner, url: str, ours: Cert, server_cert: Cert, until: tuple[str, ...],
               env: dict[str, str] | None = None, **channel: object) -> tuple[dict[str, object], str]:
    """Our 856 queued for the partner; its journal row once in one of `until`, and the daemon's output."""
    # a refused try waits long (no second try) when the test waits for retry_wait
    backoff = 120 if "retry_wait" in until else 0.2
    ws = as2_workspace(tmp_path, url, ours, peer.theirs, outbox={"min_backoff": backoff, "max_backoff": backoff * 2},
                       mdn="sync", tls_ca=str(server_cert.cert_path), **channel)
    return await send_one(ws, peer, until, env)


async def test_the_partners_proxy_setting_tunnels_the_post_with_its_login(
        tmp_path: Path, behind_proxy: tuple[Partner, ConnectProxy, str, Cert, Cert]) -> None:
    peer, proxy, url, ours, server_cert = behind_proxy
    final, output = await sent(tmp_path, peer, url, ours, server_cert, ("done", "dead", "rejected"),
                               proxy=f"http://{LOGIN}@127.0.0.1:{proxy.port}")
    assert final["state"] == "done", (final["state"], final["last_error"])
    assert [t for t, _ in proxy.tunnels] == [f"{HOST}:{url.split(':')[2].split('/')[0]}"] and len(peer.posts) == 1
    assert "pr0xy-s3cret" not in output


async def test_https_proxy_in_the_environment_is_used_and_no_proxy_is_honoured(
        tmp_path: Path, behind_proxy: tuple[Partner, ConnectProxy, str, Cert, Cert]) -> None:
    peer, proxy, url, ours, server_cert = behind_proxy
    env = {"HTTPS_PROXY": f"http://{LOGIN}@127.0.0.1:{proxy.port}", "NO_PROXY": "", "no_proxy": ""}
    final, _ = await sent(tmp_path / "a", peer, url, ours, server_cert, ("done", "dead", "rejected"), env=env)
    assert final["state"] == "done", (final["state"], final["last_error"])
    assert len(proxy.tunnels) == 1
    # NO_PROXY names the partner: tried directly, where its name does not resolve (or the lookup times out)
    final, _ = await sent(tmp_path / "b", peer, url, ours, server_cert, ("retry_wait", "dead"),
                          env={**env, "NO_PROXY": ".acmeretail.test", "no_proxy": ".acmeretail.test"}, timeout=3.0)
    assert final["state"] == "retry_wait" and len(proxy.tunnels) == 1


async def test_a_refused_proxy_login_is_retried_without_the_password_anywhere(
        tmp_path: Path, behind_proxy: tuple[Partner, ConnectProxy, str, Cert, Cert]) -> None:
    peer, proxy, url, ours, server_cert = behind_proxy
    final, output = await sent(tmp_path, peer, url, ours, server_cert, ("retry_wait", "dead"),
                               proxy=f"http://gw-user:wr0ng-s3cret@127.0.0.1:{proxy.port}")
    assert final["state"] == "retry_wait" and "407" in str(final["last_error"]), final["last_error"]
    assert "wr0ng-s3cret" not in str(final["last_error"]) + output and peer.posts == []


async def test_an_http_partner_is_reached_through_the_proxy_in_absolute_form(tmp_path: Path) -> None:
    """AS2 over plain HTTP (the payload is S/MIME) behind the same proxy: no tunnel, the POST goes to the proxy."""
    certs = tmp_path / "certs"
    ours, theirs = make_cert(certs, "acme"), make_cert(certs, "acmeretail")
    peer, proxy = Partner(theirs), ConnectProxy()
    app = web.Application()
    app.router.add_post("/as2", peer.handle)
    runner, port = await serve(app)
    server = await asyncio.start_server(proxy.handle, "127.0.0.1", 0)
    try:
        url = f"http://{HOST}:{port}/as2"
        ws = as2_workspace(tmp_path, url, ours, theirs, outbox={"min_backoff": 0.2, "max_backoff": 0.4}, mdn="sync",
                           proxy=f"http://{LOGIN}@127.0.0.1:{server.sockets[0].getsockname()[1]}")
        final, output = await send_one(ws, peer, ("done", "dead", "rejected"))
    finally:
        server.close()
        await runner.cleanup()
    assert final["state"] == "done", (final["state"], final["last_error"])
    assert [t for t, _ in proxy.tunnels] == [url] and len(peer.posts) == 1
    assert not any(k.lower().startswith("proxy-") for k in peer.posts[0]) and "pr0xy-s3cret" not in output
