"""The journal's interface: the only way the gateway records what happened to a message.

SQLite (WAL) implements it today (`gateway.journal.sqlite`); PostgreSQL can follow
behind the same methods. Every state change goes through `transition()`, which checks
it against `ALLOWED` and appends an event row in the same transaction: that is the
audit trail. Nothing else writes a message's state.
"""

from __future__ import annotations

import abc
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any


class Direction(str, Enum):
    IN = "in"
    OUT = "out"


class State(str, Enum):
    # inbound flow
    RECEIVED = "received"        # bytes archived, row committed: the sender may be acknowledged
    PARSED = "parsed"            # syntax read, partner identified, envelope/structure validated, acks queued
    TRANSLATED = "translated"    # canonical documents stored
    POSTED = "posted"            # Odoo records created / updated
    # outbound flow
    QUEUED = "queued"            # rendered, archived, waiting for the outbox
    SENT = "sent"                # delivered over the channel (MDN ok / file written / pushed)
    # both
    DONE = "done"                # nothing left to do (inbound posted, outbound acknowledged or no ack expected)
    RETRY_WAIT = "retry_wait"    # transient failure, next_attempt_at set
    QUARANTINED = "quarantined"  # permanent failure, a human must act
    DUPLICATE = "duplicate"      # same bytes / interchange / Message-ID seen before from this partner
    DEAD = "dead"                # retries exhausted
    REJECTED = "rejected"        # outbound: the partner's 997/999/CONTRL/MDN rejected it
    CLOSED = "closed"            # a person handled it outside the gateway (`edi-gateway close`): kept, not worked on


# what a person has to look at, in the order `status` lists it: its transitions are logged as warnings, and
# `edi-gateway close` ends it once handled
ATTENTION: tuple[State, ...] = (State.QUARANTINED, State.DEAD, State.REJECTED)

ALLOWED: dict[State, frozenset[State]] = {
    # CLOSED: by `edi-gateway close` while no gateway runs (a file that kills it, say)
    State.RECEIVED: frozenset({State.PARSED, State.RETRY_WAIT, State.QUARANTINED, State.DUPLICATE, State.DONE,
                               State.CLOSED}),
    State.PARSED: frozenset({State.TRANSLATED, State.RETRY_WAIT, State.QUARANTINED, State.DONE, State.CLOSED}),
    State.TRANSLATED: frozenset({State.POSTED, State.RETRY_WAIT, State.QUARANTINED, State.DEAD, State.DONE,
                                 State.CLOSED}),
    State.POSTED: frozenset({State.DONE}),
    State.QUEUED: frozenset({State.SENT, State.RETRY_WAIT, State.DEAD, State.QUARANTINED}),
    State.SENT: frozenset({State.DONE, State.REJECTED, State.QUEUED}),
    State.RETRY_WAIT: frozenset({State.RECEIVED, State.PARSED, State.TRANSLATED, State.QUEUED,
                                 State.RETRY_WAIT, State.DEAD, State.QUARANTINED}),
    # replay / resend; DONE: an outbound document held because it could not be rendered, rendered later
    State.QUARANTINED: frozenset({State.RECEIVED, State.QUEUED, State.DONE, State.CLOSED}),
    State.DEAD: frozenset({State.RECEIVED, State.QUEUED, State.CLOSED}),          # replay / resend / close
    State.DONE: frozenset({State.QUEUED, State.REJECTED}),          # resend; late negative ack
    State.REJECTED: frozenset({State.QUEUED, State.CLOSED}),
    State.CLOSED: frozenset({State.RECEIVED, State.QUEUED}),        # replay / resend of what a person closed
    State.DUPLICATE: frozenset({State.RECEIVED}),                   # forced replay
}


@dataclass(slots=True)
class Message:
    id: str                          # ULID-like, sortable: "01J..."
    direction: Direction
    state: State
    partner: str | None
    channel: str                     # "folder", "sftp", "sftp_remote", "as2", "odoo" (extracted)
    filename: str
    sha256: str                      # claim check: the archive holds the bytes
    size: int
    created_at: datetime
    updated_at: datetime
    syntax: str | None = None
    doc_type: str | None = None
    control_number: str | None = None        # ISA13 / UNB0020 / doc id
    source_key: str | None = None            # dedupe key of the source (path, AS2 Message-ID, remote file)
    parent_id: str | None = None             # outbound ack -> inbound message; inbound doc -> file
    attempts: int = 0
    next_attempt_at: datetime | None = None
    last_error: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Event:
    message_id: str
    at: datetime
    from_state: State | None
    to_state: State
    reason: str


@dataclass(slots=True)
class OdooLink:
    message_id: str
    model: str
    record_id: int
    role: str = "created"            # "created", "found" (idempotent hit), "updated"


@dataclass(slots=True, frozen=True)
class DocumentSeen:
    """What the journal knew of a document without a control number (CSV, XML) when it came in."""

    duplicate_of: str | None = None  # the message that brought the same document, same content, first
    revises: str | None = None       # the latest message that brought the same document with other content


class Journal(abc.ABC):
    """Durable record of messages, events, outbox, control numbers and Odoo links."""

    # ---- intake (the commit point) -------------------------------------------------
    @abc.abstractmethod
    def record_intake(self, *, direction: Direction, partner: str | None, channel: str, filename: str,
                      sha256: str, size: int, source_key: str | None, meta: dict[str, Any] | None = None,
                      parent_id: str | None = None, state: State = State.RECEIVED) -> Message:
        """Insert a message (already archived) and its first event in one transaction.

        If the same (channel, source_key, sha256) was recorded before, the new row is stored
        in state DUPLICATE with a reason naming the first message, and returned as such.
        """

    # ---- the one state-changing function -------------------------------------------
    @abc.abstractmethod
    def transition(self, message_id: str, to: State, reason: str, *,
                   expect: State | None = None, next_attempt_at: datetime | None = None,
                   error: str | None = None, **fields: Any) -> Message:
        """Move a message to `to`, checked against ALLOWED, appending an Event in the same transaction.

        `expect` guards against races (raises if the current state differs). `fields` may set
        syntax, doc_type, control_number, partner, meta (merged) and attempts.
        """

    @abc.abstractmethod
    def note(self, message_id: str, *, error: str | None = None, meta: dict[str, Any] | None = None,
             look_again_at: datetime | None = None) -> Message:
        """Record a problem or detail on a message without changing its state (no event row)."""

    @abc.abstractmethod
    def remark(self, message_id: str, reason: str, *, meta: dict[str, Any] | None = None) -> Message:
        """Append an event to a message's history without changing its state (from and to its state), merging
        `meta`: what happened to it between two steps, such as a kill of the gateway while it was worked on."""

    @abc.abstractmethod
    def batch(self) -> AbstractContextManager[None]:
        """Every write of the calling thread inside is one transaction (one commit): a pipeline step's rows
        and its state change, all of them or none after a crash."""

    # ---- reads ---------------------------------------------------------------------
    @abc.abstractmethod
    def get(self, message_id: str) -> Message: ...

    @abc.abstractmethod
    def events(self, message_id: str) -> list[Event]: ...

    @abc.abstractmethod
    def find(self, *, state: State | None = None, partner: str | None = None,
             direction: Direction | None = None, limit: int = 100) -> list[Message]: ...

    @abc.abstractmethod
    def outbound_by_key(self, source_key: str) -> Message | None:
        """The outbound message recorded under `source_key` (keys of outbound messages are unique), or None."""

    @abc.abstractmethod
    def due(self, now: datetime, limit: int = 100) -> list[Message]:
        """Messages to work on: non-terminal inbound/outbound whose next_attempt_at is due or unset."""

    @abc.abstractmethod
    def children(self, message_id: str) -> list[Message]: ...

    # ---- control numbers -----------------------------------------------------------
    @abc.abstractmethod
    def next_control_number(self, partner: str, kind: str, modulo: int = 999_999_999) -> int:
        """Next number of a per-partner counter ("isa", "gs", "st", "unb", "unh"); never repeats, crashes included."""

    # ---- envelope dedupe (idempotent consumer) -------------------------------------
    @abc.abstractmethod
    def seen_interchange(self, partner: str, sender: str, control_number: str, message_id: str) -> str | None:
        """Record an inbound interchange; return the first message id if this one was seen before."""

    @abc.abstractmethod
    def forget_interchange(self, partner: str, sender: str, control_number: str, message_id: str) -> None:
        """Undo `seen_interchange` for `message_id`: a rejected interchange's corrected resend may carry the
        same control number and is not a duplicate."""

    # ---- document dedupe (CSV, XML: no control numbers) -----------------------------
    @abc.abstractmethod
    def seen_document(self, partner: str, kind: str, key: str, digest: str, message_id: str) -> DocumentSeen:
        """Record a partner's document by its own key (cXML payloadID, UBL ID + IssueDate, CSV order number)
        and its content's digest. Seen before with the same digest (in another message): a duplicate.
        Seen before with another digest: a corrected resend, which is processed (as X12 processes one sent
        under a new control number), naming the message it revises."""

    @abc.abstractmethod
    def document_messages(self, partner: str, kind: str, key: str) -> list[str]:
        """The messages that brought a partner's document under its own key (`seen_document`), newest first."""

    # ---- outbound ack tracking -----------------------------------------------------
    @abc.abstractmethod
    def expect_ack(self, message_id: str, partner: str, kind: str, control_number: str,
                   group_number: str | None, due_at: datetime) -> None:
        """Remember that `message_id` (outbound) awaits a 997/999/CONTRL/MDN by these numbers."""

    @abc.abstractmethod
    def settle_ack(self, message_id: str, kind: str) -> None:
        """The `kind` expectation of `message_id` is met while the message still awaits another (an async
        MDN came back; its 997 has not): it no longer counts as overdue."""

    @abc.abstractmethod
    def match_ack(self, partner: str, kind: str, control_number: str,
                  group_number: str | None) -> str | None:
        """The outbound message id an inbound acknowledgement refers to, if any."""

    @abc.abstractmethod
    def overdue_acks(self, now: datetime) -> list[Message]: ...

    @abc.abstractmethod
    def sent_documents(self, partner: str, *, doc_types: tuple[str, ...], number: str | None = None,
                       control_number: str | None = None, group_number: str | None = None,
                       transaction: str | None = None, unnumbered: bool = False, limit: int = 5) -> list[Message]:
        """Our outbound messages of `doc_types` to `partner` with these numbers (the document's own, its
        interchange's, group's, set's), newest first: what a partner's APERAK / 824 answers. `unnumbered`: those
        that kept no document number (queued by a release that did not read APERAKs)."""

    # ---- Odoo links and export marks -----------------------------------------------
    @abc.abstractmethod
    def link_odoo(self, link: OdooLink) -> None: ...

    @abc.abstractmethod
    def odoo_links(self, message_id: str) -> list[OdooLink]: ...

    @abc.abstractmethod
    def linked_messages(self, model: str, record_id: int) -> list[str]:
        """Ids of the messages linked to one Odoo record, oldest first: the inbound order behind a sale order."""

    @abc.abstractmethod
    def export_mark(self, partner: str, model: str, record_id: int, write_date: str, kind: str) -> bool:
        """Claim an Odoo record version for export. False if (partner, model, id, write_date, kind) was exported."""

    # ---- generic per-message payloads (canonical JSON, validation reports) -----------
    @abc.abstractmethod
    def put_blob(self, message_id: str, name: str, content: str) -> None: ...

    @abc.abstractmethod
    def get_blob(self, message_id: str, name: str) -> str | None: ...

    @abc.abstractmethod
    def close(self) -> None: ...
