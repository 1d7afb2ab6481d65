"""The daemon's stop as the Odoo client's sockets see it.

The client's calls block in threads on sockets (odoorpc and JSON-2 are synchronous): a call to an Odoo
that took the connection and never answers would hold the stop for `odoo.timeout` (60 s), past
`drain_seconds`. `Halt` is the stop event the client is given: its connections register their
sockets with it before they connect, and `set()` shuts them down, so a connect to an address that
drops packets, or a read blocked on an Odoo that took the connection and says nothing, returns at once
(connection reset, end of file) and the call ends, which the client reports as `OdooStopped` (see
`client.retrying`). A socket made after the stop is shut down as it registers. With HTTPS the TLS
socket is registered before its handshake, so a server that never completes one does not hold the stop.

A call's outcome is then unknown, as after any dropped connection: posting searches before it
creates, so the next start finds a record whose answer the stop cut off instead of doubling it.
"""

from __future__ import annotations

import http.client
import socket
import ssl
import threading
import urllib.request
import weakref
from functools import partial
from http.cookiejar import CookieJar
from typing import Any


class Halt(threading.Event):
    """A threading.Event whose `set()` also shuts down the Odoo sockets in use (one per daemon)."""

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._sockets: weakref.WeakSet[socket.socket] = weakref.WeakSet()

    def set(self) -> None:
        with self._lock:
            super().set()
            sockets = list(self._sockets)
        for sock in sockets:
            _shut(sock)

    def track(self, sock: socket.socket) -> None:
        """Register a connected socket; shut it down at once when the stop came first (no call after it)."""
        with self._lock:
            for old in [s for s in self._sockets if s.fileno() == -1]:    # closed since: nothing to shut
                self._sockets.discard(old)
            self._sockets.add(sock)
            stopped = self.is_set()
        if stopped:
            _shut(sock)


def _shut(sock: socket.socket) -> None:
    """Both directions: a read blocked on it in another thread returns end of file. The plain socket's method,
    also for TLS: SSLSocket.shutdown would drop its TLS state under the reading thread's feet."""
    try:
        socket.socket.shutdown(sock, socket.SHUT_RDWR)
    except OSError:             # closed meanwhile, or not connected any more: nothing waits on it
        pass


def _open(halt: Halt, address: tuple[str, int], timeout: object = None,
          source_address: tuple[str, int] | None = None) -> socket.socket:
    """socket.create_connection, but each socket tracked before its connect (which the stop can then end);
    http.client calls it through its `_create_connection` attribute, there for such substitutes."""
    host, port = address
    failure: OSError = OSError(f"no address found for {host}")
    for family, kind, proto, _, target in socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM):
        sock = socket.socket(family, kind, proto)
        try:
            halt.track(sock)
            if halt.is_set():
                raise ConnectionAbortedError("the gateway is stopping")
            if timeout is None or isinstance(timeout, (int, float)):    # else http.client's "the default"
                sock.settimeout(timeout)
            if source_address:
                sock.bind(source_address)
            sock.connect(target)
            return sock
        except OSError as exc:
            sock.close()
            if halt.is_set():
                raise
            failure = exc
    raise failure


class _Connection(http.client.HTTPConnection):
    def __init__(self, *args: Any, halt: Halt, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._create_connection = partial(_open, halt)


class _TlsConnection(http.client.HTTPSConnection):
    def __init__(self, *args: Any, halt: Halt, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._create_connection = partial(_open, halt)
        self._halt = halt

    def connect(self) -> None:
        """HTTPSConnection.connect with the handshake after the TLS socket is tracked (wrap_socket takes the
        plain socket's fd, and would shake hands before it returns)."""
        http.client.HTTPConnection.connect(self)              # TCP, and a proxy's CONNECT tunnel
        # HTTPSConnection's own context (its defaults, ALPN) and tunnel host: attributes typeshed leaves out
        context: ssl.SSLContext = self._context  # type: ignore[attr-defined]
        tunnel: str | None = self._tunnel_host  # type: ignore[attr-defined]
        self.sock = context.wrap_socket(self.sock, server_hostname=tunnel or self.host, do_handshake_on_connect=False)
        self._halt.track(self.sock)
        self.sock.do_handshake()


class _HttpHandler(urllib.request.HTTPHandler):
    def __init__(self, halt: Halt) -> None:
        super().__init__()
        self._halt = halt

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(partial(_Connection, halt=self._halt), req)


class _HttpsHandler(urllib.request.HTTPSHandler):
    def __init__(self, halt: Halt) -> None:
        super().__init__()
        self._halt = halt

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(partial(_TlsConnection, halt=self._halt), req)   # the default TLS context, as urlopen's


def opener(halt: threading.Event | None, cookies: bool = False) -> urllib.request.OpenerDirector:
    """urllib's opener (proxies, redirects as `urlopen` has them) whose connections a `Halt` can shut down;
    `cookies` for odoorpc, which keeps its session in a cookie jar. A plain Event (tests, scripts) or none:
    urllib's own connections."""
    handlers: list[urllib.request.BaseHandler] = [urllib.request.HTTPCookieProcessor(CookieJar())] if cookies else []
    if isinstance(halt, Halt):
        handlers += [_HttpHandler(halt), _HttpsHandler(halt)]
    return urllib.request.build_opener(*handlers)
