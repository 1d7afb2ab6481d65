"""The contract between the outbox and the ways a document leaves the gateway.

The outbox picks a `DeliveryChannel` by the partner's `outbound.channel` and calls
`deliver()`. A channel raises `DeliveryRetry` (transient: retried with backoff) or
`DeliveryRejected` (permanent: dead letter). Channels register themselves by name.
A channel whose confirmation comes later says so with `DeliveryResult.awaits`; the outbox
then records it as an acknowledgement expectation, overdue like a late 997 once `within` passes.
When such a confirmation arrives (a fetch from our SFTP server, an async MDN), the channel
calls `confirm_delivery`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Protocol

from gateway.config.models import PartnerConfig
from gateway.journal.api import Journal, Message, State


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


def confirm_delivery(journal: Journal, message: Message, reason: str, meta: dict[str, Any]) -> bool:
    """A SENT message's delivery is confirmed: DONE, unless its 997/999/CONTRL is still to come; then it
    stays SENT (so it can go overdue) with the confirmation noted. True when it is DONE."""
    if message.meta.get("expects_ack"):
        journal.note(message.id, meta={**meta, "delivered": reason})
        return False
    journal.transition(message.id, State.DONE, reason, expect=State.SENT, meta=meta)
    return True
