"""The contract between transports and the pipeline.

A transport receives bytes from a partner and calls `Intake.submit()`. That call
archives the bytes (fsync), commits the journal row, and only then returns. The
transport acknowledges its sender (closes the SFTP upload OK, returns the AS2 MDN,
moves the local file) *after* `submit()` returned. If `submit()` raises, the sender
is not acknowledged and keeps the file. Transports never parse documents.
"""

from __future__ import annotations

import ipaddress
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from gateway.journal.api import Message


@dataclass(slots=True)
class IntakeMeta:
    channel: str                      # "folder" | "sftp" | "sftp_remote" | "as2"
    filename: str
    partner: str | None = None        # known from the channel (SFTP account, AS2-From, per-partner inbox)
    source_key: str | None = None     # what identifies this file at its source (AS2 Message-ID, remote path)
    extra: dict[str, Any] = field(default_factory=dict)   # AS2 headers, remote host, ...


class Intake(Protocol):
    async def submit(self, data: bytes | Path, meta: IntakeMeta) -> Message:
        """Durably record the bytes (or the file at Path, streamed) and return the committed message.

        The returned message may be in state DUPLICATE: the sender is still acknowledged
        (we have the bytes) but the document is not processed again.
        """
        ...


def source_of(peer: str) -> str:
    """Where a connection comes from, for the limits per address (SFTP's connections not logged in and failed
    logins, AS2's connections): its address, an IPv6 one's /64 (one host has a whole /64 to choose addresses from)."""
    try:
        address = ipaddress.ip_address(peer.partition("%")[0])
    except ValueError:
        return peer
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


class Refusals:
    """Connections a listener refused beyond its cap (`setting`): counted, and logged at most once a minute
    with the count, so a flood of connections does not flood the log as well."""

    def __init__(self, log: logging.Logger, what: str, setting: str) -> None:
        self.log, self.what, self.setting = log, what, setting
        self.count = 0
        self._logged_at = -60.0

    def add(self, peer: str, open_now: int) -> None:
        self.count += 1
        now = time.monotonic()
        if now - self._logged_at >= 60:
            self._logged_at = now
            self.log.warning("%s connection from %s refused: %d connections are open (%s); %d refused so far",
                             self.what, peer, open_now, self.setting, self.count)
