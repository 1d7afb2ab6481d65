"""An async MDN URL whose host the HTTP client or the proxy reads otherwise than our address check did.

Direct: yarl reads a URL's host as IDNA, so 'http://127。0。0。1:port/' (ideographic full stops, one header a partner
writes) is the address 127.0.0.1 to aiohttp, which connects to it without asking our resolver; the check read it as a
name and left it to that resolver: the MDN was POSTed to our own loopback. Through a proxy: 'localhost.' and
'127.0.0.1.' are loopback to the proxy (Squid drops trailing dots) and no name to our resolver, and 'odoo' is
completed by the proxy with its own domain (append_domain): each was left to the proxy, ours connecting to 127.0.0.1
for any host.

The daemon is real; the partner is openssl + curl; the proxy is the loopback CONNECT proxy of test_as2_15_proxy."""

from __future__ import annotations

import asyncio
from pathlib import Path

from aiohttp import web

from tests.helpers.gateway import GatewayProcess
from tests.helpers.net import free_port
from tests.helpers.wait import wait_for
from tests.transports.test_as2_16_mdn_egress import World, post_messages, workspace, world
from tests.transports.test_as2_mdn_resend import listed, settled

__all__ = ["world"]          # the fixture, imported for the tests below


async def refused_all(tmp_path: Path, w: World, urls: dict[str, str], **outbound: str) -> list[str]:
    """The partner's messages, each asking its MDN at its URL; the MDN queue's reasons once none is queued."""
    port = free_port()
    ws = workspace(tmp_path, w, port, **outbound)
    gw = await asyncio.to_thread(GatewayProcess(ws.config).start)
    try:
        await post_messages(tmp_path, w, port, urls)
        await asyncio.to_thread(wait_for, lambda: len(settled(ws)) == len(urls) and "queued" not in settled(ws),
                                60, 0.05, "every MDN refused, sent or given up")
    finally:
        await asyncio.to_thread(gw.stop)
    assert settled(ws) == ["refused"] * len(urls), settled(ws)
    return sorted(str(r["last_error"]) for r in listed(ws, "refused"))


async def test_an_idna_address_is_refused_as_the_address_it_is(tmp_path: Path, world: World) -> None:
    got: list[str] = []

    async def take(request: web.Request) -> web.Response:
        got.append(request.host)
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/mdn", take)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    inside = site._server.sockets[0].getsockname()[1]        # type: ignore[union-attr]
    try:
        reasons = await refused_all(tmp_path, world, {"wide": f"http://127\u30020\u30020\u30021:{inside}/mdn"},
                                    proxy="direct")
    finally:
        await runner.cleanup()
    assert got == []
    assert all("127.0.0.1 is a loopback address" in r for r in reasons), reasons


async def test_through_a_proxy_names_it_reads_as_inside_are_refused(tmp_path: Path, world: World) -> None:
    urls = {"dot": f"http://127.0.0.1.:{world.https_port}/mdn", "named": f"http://localhost.:{world.https_port}/mdn",
            "short": f"http://odoo-internal:{world.https_port}/mdn"}
    reasons = await refused_all(tmp_path, world, urls)
    assert world.proxy.tunnels == [] and world.endpoint.got == []
    assert sum("loopback" in r for r in reasons) == 2 and sum("one label" in r for r in reasons) == 1, reasons
