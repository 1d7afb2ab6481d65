"""Audit: the status page answers only requests addressed to this machine (DNS rebinding).

The ops endpoint has no login because it listens on loopback. A web page the operator opens can
still reach it: its own domain re-resolved to 127.0.0.1 makes the browser send the page's requests
there, same-origin for that domain, and read the status page and raw partner files. Such requests
carry the foreign domain in Host; they must be refused.
"""

from __future__ import annotations

import asyncio
import contextlib
import http.client
from collections.abc import AsyncIterator
from pathlib import Path
from types import SimpleNamespace

from gateway.config.models import GatewayConfig, OpsSettings
from gateway.journal.sqlite import SqliteJournal
from gateway.ops import start


def _get(port: int, path: str, host: str) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.putrequest("GET", path, skip_host=True)
        conn.putheader("Host", host)
        conn.endheaders()
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


@contextlib.asynccontextmanager
async def ops_endpoint(tmp_path: Path) -> AsyncIterator[int]:
    """The ops endpoint of an empty gateway on a free loopback port; its port."""
    config = GatewayConfig(state_dir=tmp_path / "state", archive_dir=tmp_path / "archive",
                           ops=OpsSettings(host="127.0.0.1", port=0))
    (tmp_path / "state").mkdir()
    journal = SqliteJournal(tmp_path / "state" / "journal.sqlite3")
    ctx = SimpleNamespace(config=config, journal=journal, partners={}, ports={})
    stop = await start(ctx)
    try:
        yield ctx.ports["ops"]
    finally:
        await stop()
        journal.close()


async def test_audit_ops_refuses_foreign_host_header(tmp_path: Path) -> None:
    async with ops_endpoint(tmp_path) as port:
        for path in ("/", "/metrics", "/messages/01ABC"):
            assert await asyncio.to_thread(_get, port, path, "rebind.attacker.example") == 421, path
            assert await asyncio.to_thread(_get, port, path, f"rebind.attacker.example:{port}") == 421, path
        assert await asyncio.to_thread(_get, port, "/", f"127.0.0.1:{port}") == 200
        assert await asyncio.to_thread(_get, port, "/", f"localhost:{port}") == 200
        assert await asyncio.to_thread(_get, port, "/", f"[::1]:{port}") == 200
