"""systemd's notify protocol (READY=1, STATUS=..., WATCHDOG=1, STOPPING=1) over $NOTIFY_SOCKET.

A datagram to a Unix socket, written with the socket module: no dependency, and a no-op when
the gateway does not run under systemd (no NOTIFY_SOCKET).
"""

from __future__ import annotations

import os
import socket


def notify(*lines: str) -> bool:
    """Send `lines` (e.g. "READY=1", "STATUS=12 waiting") to systemd; False when not under systemd."""
    address = os.environ.get("NOTIFY_SOCKET")
    if not address:
        return False
    if address.startswith("@"):
        address = "\0" + address[1:]          # abstract namespace
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            # never wait: it is sent from the event loop, and a manager whose queue is full (it reads no more)
            # would stop the whole daemon on a blocking send; the line is dropped instead
            sock.sendto("\n".join(lines).encode("utf-8"), socket.MSG_DONTWAIT, address)
        return True
    except OSError:
        return False


def watchdog_interval() -> float | None:
    """Seconds between WATCHDOG=1 pings (half of WatchdogSec), or None when no watchdog is set."""
    usec = os.environ.get("WATCHDOG_USEC")
    pid = os.environ.get("WATCHDOG_PID")
    if not usec or (pid and pid != str(os.getpid())):
        return None
    try:
        return max(0.5, int(usec) / 1_000_000 / 2)
    except ValueError:
        return None
