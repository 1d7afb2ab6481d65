"""The contract between the outbox and the ways a document leaves the gateway.

The outbox picks a `DeliveryChannel` by the partner's `outbound.channel` and calls
`deliver()`. A channel raises `DeliveryRetry` (transient: retried with backoff) or
`DeliveryRejected` (permanent: dead letter). Channels register themselves by name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from gateway.config.models import PartnerConfig
from gateway.journal.api import Message


@dataclass(slots=True)
class DeliveryResult:
    detail: str = ""                     # "written outbox/acme/997_000000012.x12", "MDN processed"
    ack_pending: bool = False            # True when delivery confirmation comes later (async MDN, SFTP pickup)
    meta: dict[str, Any] = field(default_factory=dict)


class DeliveryChannel(Protocol):
    name: str

    async def deliver(self, message: Message, data: bytes, partner: PartnerConfig) -> DeliveryResult:
        """Send `data` to the partner. Must be safe to call again with the same message (retries)."""
        ...


CHANNELS: dict[str, DeliveryChannel] = {}


def register(channel: DeliveryChannel) -> None:
    """Make a channel available to the outbox under its name."""
    CHANNELS[channel.name] = channel
