"""The real daemon sending one AS2 message to a test partner, for tests of outbound AS2 behaviour."""

from __future__ import annotations

import asyncio
import ssl
from typing import Any

from aiohttp import web

from tests.helpers.gateway import GatewayProcess, Workspace
from tests.helpers.wait import wait_for
from tests.spine.test_acks_hostile import queue_asn, row
from tests.transports.test_delivery_hostile import Partner


async def serve_tls(app: web.Application, context: ssl.SSLContext) -> tuple[web.AppRunner, int]:
    """Serve `app` over TLS on 127.0.0.1 (a free port); the caller cleans up the runner."""
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0, ssl_context=context).start()
    return runner, int(runner.addresses[0][1])


async def send_one(ws: Workspace, peer: Partner, until: tuple[str, ...],
                   env: dict[str, str] | None = None) -> tuple[dict[str, Any], str]:
    """Our 856 queued in `ws` (made by `as2_workspace`) for `peer`, the daemon running until the message is in one
    of the states `until`: its journal row then, and the daemon's output."""
    peer.ledger_path = ws.root / "state" / "as2.sqlite3"
    gw = await asyncio.to_thread(GatewayProcess(ws.config, env=env).start)
    try:
        mid = await asyncio.to_thread(queue_asn, ws, None)
        await asyncio.to_thread(wait_for, lambda: row(ws, mid)["state"] in until, 60, 0.05, "/".join(until))
    finally:
        await asyncio.to_thread(gw.stop)
    return row(ws, mid), gw.output()
