"""The demo waits for its gateway's /healthz: with `http_proxy` set in the environment (and no `no_proxy`), as on
many company machines, urllib sent that loopback request to the proxy, so the demo never saw its gateway answer
(`edi-gateway status` asked past the proxy already; both now ask through `gateway.ops.probe`)."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from gateway.demo.runner import _healthz

NOT_READY = {"status": "not ready", "live": True, "checks": {"odoo": {"ok": False, "detail": "unreachable"}}}


class _Healthz(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = json.dumps(NOT_READY).encode()
        self.send_response(503 if self.path == "/healthz" else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def ops_port() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Healthz)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_the_demo_asks_its_gateway_past_a_proxy_the_environment_names(ops_port: int,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("no_proxy", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
    for name in ("http_proxy", "HTTP_PROXY"):
        monkeypatch.setenv(name, f"http://127.0.0.1:{_closed_port()}")      # a proxy that is not there
    assert _healthz(ops_port) == NOT_READY


def test_nothing_answering_is_none() -> None:
    assert _healthz(_closed_port()) is None
