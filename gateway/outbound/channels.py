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

from collections.abc import Callable
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
    rejected: str | None = None          # delivered, and refused in the answer (a negative synchronous MDN): why.
    #                                      The outbox records SENT then REJECTED, as for the same refusal by async MDN
    on_sent: Callable[[], None] | None = None   # run (in a thread) once SENT is recorded: drops what only a crash
    #                                             before SENT needed (the folder channel's index entry)


class DeliveryChannel(Protocol):
    name: str

    async def deliver(self, message: Message, data: bytes, partner: PartnerConfig) -> DeliveryResult:
        """Send `data` to the partner. Must be safe to call again with the same message (retries)."""
        ...


CHANNELS: dict[str, DeliveryChannel] = {}


def register(channel: DeliveryChannel) -> None:
    """Make a channel available to the outbox under its name."""
    CHANNELS[channel.name] = channel


# An acknowledgement (997/999/CONTRL, a rejecting TA1, an async MDN) can come before our side recorded the delivery:
# the partner took the document but our POST timed out or the connection dropped before its answer (RETRY_WAIT,
# or DEAD after the last attempt), or it answers while the delivery is still in flight (QUEUED).
NOT_YET_SENT = frozenset({State.QUEUED, State.RETRY_WAIT, State.DEAD})
PICKUP = "pickup"       # the ack_expectations kind of a file waiting in our SFTP server for the partner to fetch
# confirmations that the partner has the document (not that it accepted it): an async MDN, the fetch of our file
DELIVERY_CONFIRMATIONS = frozenset({"MDN", PICKUP})


def ack_before_sent(journal: Journal, message_id: str, kind: str, to: State, reason: str,
                    meta: dict[str, Any] | None = None) -> Message:
    """Keep an acknowledgement that came before the message was SENT (meta `early_acks`) instead of dropping it.

    The partner has the document, so it is not sent again: a message waiting to retry (or given up) is queued
    at once, and the outbox settles a queued message with early acks without delivering it (`settle_early`),
    as it does one whose delivery was in flight when the acknowledgement came."""
    with journal.batch():
        current = journal.get(message_id)
        if current.state not in NOT_YET_SENT and current.state is not State.SENT:
            return current
        early = [*(current.meta.get("early_acks") or []),
                 {"kind": kind, "state": to.value, "reason": reason, "meta": meta or {}}]
        if current.state in (State.RETRY_WAIT, State.DEAD):
            journal.transition(message_id, State.QUEUED, f"{reason} before its delivery was confirmed: the partner "
                               "has it, so it is settled and not sent again", expect=current.state,
                               meta={"early_acks": early})
        else:
            journal.note(message_id, meta={"early_acks": early})
        if current.state is State.SENT:         # the outbox recorded the delivery meanwhile
            return settle_early(journal, message_id)
        return journal.get(message_id)


def settle_early(journal: Journal, message_id: str) -> Message:
    """Apply the acknowledgements kept by `ack_before_sent` to a QUEUED or SENT message: QUEUED -> SENT without
    delivering it again, then REJECTED if one of them rejects it, DONE if a 997/999/CONTRL accepts it, else (a
    positive MDN or the fetch of our file alone) delivered as `confirm_delivery` says."""
    with journal.batch():
        current = journal.get(message_id)
        early: list[dict[str, Any]] = list(current.meta.get("early_acks") or [])
        if not early or current.state not in (State.QUEUED, State.SENT):
            return current
        said = "; ".join(str(e.get("reason")) for e in early)
        if current.state is State.QUEUED:
            current = journal.transition(message_id, State.SENT, f"not sent again: the partner acknowledged it "
                                         f"before its delivery was confirmed ({said})", expect=State.QUEUED,
                                         last_error=None, meta={"early_acks": None})
        else:
            current = journal.note(message_id, meta={"early_acks": None})
        rejected = [e for e in early if e.get("state") == State.REJECTED.value]
        functional = [e for e in early if e.get("kind") not in DELIVERY_CONFIRMATIONS]
        mdns = [e for e in early if e.get("kind") in DELIVERY_CONFIRMATIONS]
        extra: dict[str, Any] = {}
        for e in early:
            extra.update(e.get("meta") or {})
        for kind in {str(e["kind"]) for e in mdns}:
            journal.settle_ack(message_id, kind)
            extra["awaits"] = None
        if rejected:
            journal.transition(message_id, State.REJECTED, str(rejected[0]["reason"]), expect=State.SENT, meta=extra,
                               error=str(rejected[0]["reason"]))      # the partner's reason: status, the page
        elif functional:
            journal.transition(message_id, State.DONE, str(functional[-1]["reason"]), expect=State.SENT, meta=extra)
        else:
            confirm_delivery(journal, current, str(mdns[-1]["reason"]), extra)
        return journal.get(message_id)


def confirm_delivery(journal: Journal, message: Message, reason: str, meta: dict[str, Any]) -> bool:
    """A SENT message's delivery is confirmed: DONE, unless its 997/999/CONTRL is still to come; then it
    stays SENT (so it can go overdue) with the confirmation noted. True when it is DONE."""
    if message.meta.get("expects_ack"):
        journal.note(message.id, meta={**meta, "delivered": reason})
        return False
    journal.transition(message.id, State.DONE, reason, expect=State.SENT, meta=meta)
    return True
