"""The contract between the outbox and the ways a document leaves the gateway.

The outbox picks a `DeliveryChannel` by the partner's `outbound.channel` and calls
`deliver()`. A channel raises `DeliveryRetry` (transient: retried with backoff) or
`DeliveryRejected` (permanent: dead letter). Channels register themselves by name.
A channel whose confirmation comes later says so with `DeliveryResult.awaits`; the outbox
then records it as an acknowledgement expectation, overdue like a late 997 once `within` passes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Protocol

from gateway.config.models import PartnerConfig
from gateway.journal.api import Message


@dataclass(frozen=True, slots=True)
class Awaiting:
    """A confirmation the partner owes after delivery (an async MDN), and how long it may take."""

    kind: str                            # "MDN": the ack_expectations kind the ops pages show
    reference: str                       # what the confirmation quotes back: the AS2 Message-ID
    within: timedelta                    # overdue after this long


@dataclass(slots=True)
class DeliveryResult:
    detail: str = ""                     # "written outbox/acme/997_000000012.x12", "MDN processed"
    ack_pending: bool = False            # True when delivery confirmation comes later (async MDN, SFTP pickup)
    meta: dict[str, Any] = field(default_factory=dict)
    awaits: Awaiting | None = None       # recorded by the outbox as an ack expectation, due after `within`


class DeliveryChannel(Protocol):
    name: str

    async def deliver(self, message: Message, data: bytes, partner: PartnerConfig) -> DeliveryResult:
        """Send `data` to the partner. Must be safe to call again with the same message (retries)."""
        ...


CHANNELS: dict[str, DeliveryChannel] = {}


def register(channel: DeliveryChannel) -> None:
    """Make a channel available to the outbox under its name."""
    CHANNELS[channel.name] = channel
