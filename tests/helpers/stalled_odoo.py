"""Odoos that do not answer, on loopback: one that takes connections and never says a word, and a proxy in
front of a real (sandbox) Odoo that passes requests on but keeps chosen answers to itself (a hung proxy or
network after Odoo committed: the exactly-once case of a create whose answer was lost)."""

from __future__ import annotations

import socket
import ssl
import threading
import time
from collections.abc import Callable


class SilentOdoo:
    """Takes connections on 127.0.0.1 and never answers (an Odoo stuck behind a lock, a hung proxy). With `tls`,
    it completes each TLS handshake first (a TLS front end whose Odoo hangs); `greeted` lists those done."""

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.tls = tls
        self.greeted: list[ssl.SSLSocket] = []
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.05)
        self.port = int(self.sock.getsockname()[1])
        self.accepted: list[socket.socket] = []
        self.closing = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.closing.is_set():
            try:
                conn = self.sock.accept()[0]
            except TimeoutError:
                continue
            self.accepted.append(conn)
            self.handle(conn)

    def handle(self, conn: socket.socket) -> None:
        """Say nothing: the connection stays open until `close`."""
        if self.tls is not None:
            threading.Thread(target=self._greet, args=(conn, self.tls), daemon=True).start()

    def _greet(self, conn: socket.socket, tls: ssl.SSLContext) -> None:
        try:
            self.greeted.append(tls.wrap_socket(conn, server_side=True))
        except OSError:
            pass                                    # the client gave up during the handshake

    def close(self) -> None:
        self.closing.set()
        self.thread.join(5)
        for conn in [*self.greeted, *self.accepted, self.sock]:
            conn.close()


class StallingProxy(SilentOdoo):
    """Forwards each HTTP request (urllib's: one per connection) to 127.0.0.1:`target` and relays the answer,
    except for requests `stall` picks (from the request's bytes: the JSON-2 path, the JSON-RPC body): Odoo runs
    those (and commits), their answer is kept back and the connection left open. `stalled` lists the requests
    held; `stall` may be changed at any time. `seen` lists every request with the wall-clock time it arrived."""

    def __init__(self, target: int, stall: Callable[[bytes], bool] = lambda request: False) -> None:
        self.target = target
        self.stall = stall
        self.stalled: list[bytes] = []
        self.seen: list[tuple[float, bytes]] = []
        super().__init__()

    def handle(self, conn: socket.socket) -> None:
        threading.Thread(target=self._relay, args=(conn,), daemon=True).start()

    def _relay(self, conn: socket.socket) -> None:
        try:
            request = _read_request(conn)
            self.seen.append((time.time(), request))
            with socket.create_connection(("127.0.0.1", self.target), timeout=30) as upstream:
                upstream.sendall(request)
                answer = b"".join(iter(lambda: upstream.recv(65536), b""))
            if self.stall(request):
                self.stalled.append(request)          # Odoo answered; the client never hears it
                return
            conn.sendall(answer)
            conn.shutdown(socket.SHUT_WR)
        except OSError:
            pass                                    # the client went away: nothing to relay
        conn.close()                                # answered: a long run would otherwise keep each descriptor


def _read_request(conn: socket.socket) -> bytes:
    """One request's bytes as sent (its body Content-Length framed, as urllib sends it)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            raise ConnectionError("the client closed before its request was complete")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next((int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                   if line.lower().startswith(b"content-length:")), 0)
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            raise ConnectionError("the client closed before its request was complete")
        body += chunk
    return data[: len(head) + 4] + body


class UnreachableOdoo:
    """An address whose SYNs go unanswered, as behind a firewall that drops them: a loopback listener that never
    accepts, its one-place accept queue filled, so the kernel drops further connection attempts (Linux)."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(0)
        self.port = int(self.sock.getsockname()[1])
        self.filling: list[socket.socket] = []
        while True:                                  # until one connect goes unanswered: the queue is full
            probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            probe.settimeout(0.5)
            try:
                probe.connect(("127.0.0.1", self.port))
            except TimeoutError:
                probe.close()
                break
            self.filling.append(probe)

    def connecting(self) -> int:
        """How many sockets wait in SYN_SENT for this address (/proc/net/tcp state 02)."""
        target = f"0100007F:{self.port:04X}"
        with open("/proc/net/tcp", encoding="ascii") as table:
            return sum(1 for row in table.read().splitlines()[1:]
                       if row.split()[2] == target and row.split()[3] == "02")

    def close(self) -> None:
        for sock in [*self.filling, self.sock]:
            sock.close()
