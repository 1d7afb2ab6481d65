"""Odoo behind a reverse proxy that serves it under a path (`https://erp.example.com/odoo/`, the proxy stripping
`/odoo` before Odoo sees the request), as many companies put it beside other applications on one host name.

`odoo.url: http://.../odoo` worked on 19 (JSON-2 posts to the URL given) but on 16-18 the client refused it at
connect: "odoorpc cannot use a path prefix; use the server root", and the server root is not Odoo in such a setup
(the proxy answers it, or another application does), so the documents of a 16-18 database behind such a proxy
waited for good. odoorpc builds its URLs from host and port only; the client now puts the URL's path in front of
each of its requests. BigBox's 850 through the pipeline, over a real proxy on 127.0.0.1 to the sandbox (17, 19).
"""

from __future__ import annotations

import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.errors import OdooUnavailable
from gateway.journal.api import State
from gateway.odoo.client import connect
from gateway.odoo.sandbox import SandboxServer
from tests.odoo.conftest import settings_for
from tests.odoo.test_pipeline_posting import SAMPLE, examples, pipeline_for, run
from tests.odoo.test_posting_cancel import pipeline_orders, submit

__all__ = ["examples"]          # the module's fixture, shared

PREFIX = "/odoo"
PASSED = ("Content-Type", "Authorization", "X-Odoo-Database", "Cookie", "User-Agent")


@pytest.fixture
def proxy(sandbox: SandboxServer) -> Iterator[str]:
    """A reverse proxy on 127.0.0.1 serving the sandbox under /odoo (nginx's `location /odoo/ {proxy_pass
    http://odoo/;}`): a request outside /odoo is the proxy's own 404. Its base URL, with the path."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def _forward(self) -> None:
            if not self.path.startswith(PREFIX + "/"):
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            size = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(size) if size else None
            request = urllib.request.Request(sandbox.url + self.path[len(PREFIX):], data=body, method=self.command,
                                             headers={h: v for h in PASSED if (v := self.headers.get(h))})
            try:
                with urllib.request.urlopen(request, timeout=10) as answer:
                    status, headers, data = answer.status, answer.headers, answer.read()
            except urllib.error.HTTPError as exc:
                status, headers, data = exc.code, exc.headers, exc.read()
            self.send_response(status)
            for name in ("Content-Type", "Set-Cookie"):
                for value in headers.get_all(name) or []:
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = _forward

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}{PREFIX}"
    server.shutdown()
    server.server_close()


async def test_an_order_is_posted_to_an_odoo_a_proxy_serves_under_a_path(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, odoo: odoorpc.ODOO, proxy: str) -> None:
    pipeline, _journal = pipeline_for(tmp_path, examples, sandbox, url=proxy)
    message = run(pipeline, (await submit(pipeline, SAMPLE.read_bytes(), SAMPLE.name)).id,
                  {State.DONE, State.QUARANTINED})
    assert message.state is State.DONE, message.last_error
    [order] = pipeline_orders(odoo)
    assert order["state"] == "draft", order


def test_a_web_client_page_given_as_odoo_url_is_named_in_the_wait_reason(sandbox: SandboxServer) -> None:
    """`odoo.url` pasted from the browser's address bar (`https://erp.example.com/odoo` on 17.2+, `/web` before): the
    version probe at <url>/web/webclient/version_info answers 404 (or the login page), and documents waited with
    "cannot reach Odoo at ...: HTTP 404", which reads as Odoo being down. The reason now says what to change."""
    with pytest.raises(OdooUnavailable) as caught:
        connect(settings_for(sandbox, url=sandbox.url + "/odoo", retry_max=0), retry_base=0.01)
    assert "HTTP 404 (odoo.url ends in /odoo: Odoo's API answers at the server's address" in str(caught.value)
