"""The outbox: delivers QUEUED messages over each partner's channel, retrying with backoff.

The channel is looked up in `gateway.outbound.channels.CHANNELS` by the partner's
`outbound.channel` (default "folder": outbox/<partner>/). Each channel has its own
concurrency limit. A transient failure (`DeliveryRetry`, or any error a channel did not
classify) waits in RETRY_WAIT for `compute_backoff()` (or the partner's longer Retry-After, see
`retry_after`); after `max_attempts` the message is
DEAD with the reason kept, until `edi-gateway resend ID`. A permanent refusal
(`DeliveryRejected`) is DEAD at once. A delivered message is SENT; it is DONE at once unless
an acknowledgement (997/999/CONTRL, async MDN) is expected, which settles it later. A
channel's `DeliveryResult.awaits` (an async MDN) becomes an ack expectation with its due
time, so a confirmation that never comes shows as overdue; it is never resent by itself.
An acknowledgement that comes before the delivery is recorded (the partner took it, our POST
timed out) is kept on the message (`channels.ack_before_sent`) and settles it without another
delivery (`channels.settle_early`).
"""

from __future__ import annotations

import asyncio
import importlib
import logging
from datetime import timedelta
from typing import Any

from gateway.config.loader import LoadedConfig
from gateway.errors import DeliveryError, DeliveryRetry, GatewayError, JournalError
from gateway.journal.api import Direction, Message, State
from gateway.journal.archive import Archive
from gateway.journal.sqlite import SqliteJournal
from gateway.outbound import folder_channel
from gateway.outbound.channels import CHANNELS, settle_early
from gateway.outbound.retry_after import retry_wait
from gateway.pipeline import PARK_SECONDS, compute_backoff, utcnow

log = logging.getLogger("gateway.outbox")

# channel name -> module that registers it when imported (built by other parts of the gateway)
CHANNEL_MODULES = {"as2": "gateway.outbound.as2_channel", "sftp_remote": "gateway.outbound.sftp_channel",
                   "sftp": "gateway.outbound.sftp_channel"}
DISK_FULL_WAIT = 30.0
"""Seconds at least between tries of a message our own disk had no room for (capped by `outbox.max_backoff`)."""
RESENDABLE = frozenset({State.DEAD, State.QUARANTINED, State.DONE, State.REJECTED, State.SENT, State.CLOSED})
# the partner answered this transmission (an AS2 MDN processed it or refused it, or none was asked and it was taken):
# sent again under the same AS2 Message-ID, a partner that keeps the ids it has seen would take it for a duplicate
SETTLED_BY_PARTNER = frozenset({State.DONE, State.REJECTED})


class Outbox:
    """Delivery of outbound messages; `deliver_one()` is what the outbox's workers run."""

    def __init__(self, config: LoadedConfig, journal: SqliteJournal, archive: Archive) -> None:
        self.config = config
        self.journal = journal
        self.archive = archive
        self._limits: dict[str, asyncio.Semaphore] = {}
        folder_channel.FOLDER.outbox_dir = config.gateway.outbox_dir
        folder_channel.FOLDER.index_dir = config.gateway.state_dir / "folder-index"

    def reload(self, config: LoadedConfig) -> None:
        self.config = config
        folder_channel.FOLDER.outbox_dir = config.gateway.outbox_dir
        folder_channel.FOLDER.index_dir = config.gateway.state_dir / "folder-index"

    def channel_for(self, message: Message) -> Any:
        partner = self.config.partners.get(message.partner or "")
        name = partner.outbound.channel if partner is not None and partner.outbound else "folder"
        if name not in CHANNELS and name in CHANNEL_MODULES:
            try:
                importlib.import_module(CHANNEL_MODULES[name])
            except ImportError:
                pass
        return CHANNELS.get(name), name

    def _limit(self, name: str) -> asyncio.Semaphore:
        if name not in self._limits:
            self._limits[name] = asyncio.Semaphore(self.config.gateway.outbox.concurrency_per_channel)
        return self._limits[name]

    def wants(self, message: Message) -> bool:
        return message.direction is Direction.OUT

    async def deliver_one(self, message_id: str) -> Message:
        message = await asyncio.to_thread(self.journal.get, message_id)
        if message.direction is not Direction.OUT:
            return message
        if message.next_attempt_at and message.next_attempt_at > utcnow():
            return message                          # backing off, or waiting for a missing part
        if message.state is State.RETRY_WAIT:
            message = await asyncio.to_thread(self.journal.transition, message.id, State.QUEUED,
                                              f"retry {message.attempts + 1}", expect=State.RETRY_WAIT)
        if message.state is not State.QUEUED:
            return message
        if message.meta.get("early_acks"):         # the partner acknowledged it already: not delivered again
            return await asyncio.to_thread(settle_early, self.journal, message.id)
        partner = self.config.partners.get(message.partner or "")
        channel, name = self.channel_for(message)
        if partner is None or channel is None:
            why = (f"partner '{message.partner}' has no profile" if partner is None
                   else f"outbound channel '{name}' is not available in this installation")
            log.warning("waiting: %s", why, extra={"edi": {"message_id": message.id, "partner": message.partner}})
            return await asyncio.to_thread(self.journal.note, message.id, error=f"waiting in queued: {why}",
                                           look_again_at=utcnow() + timedelta(seconds=PARK_SECONDS))
        async with self._limit(name):
            try:
                data = await asyncio.to_thread(self.archive.read, message.sha256)
                result = await channel.deliver(message, data, partner)
            except JournalError as exc:
                return await self._failed(message, exc, transient=True)
            except DeliveryError as exc:
                return await self._failed(message, exc, transient=exc.transient)
            except GatewayError as exc:
                return await self._failed(message, exc, transient=exc.transient)
            except Exception as exc:    # a channel's unexpected error: retry, never crash the outbox
                log.exception("channel %s failed", name, extra={"edi": {"message_id": message.id}})
                return await self._failed(message, exc, transient=True)
        awaits: dict[str, str] = {}
        if result.awaits is not None:
            # recorded before SENT: a crash in between leaves the message QUEUED, so it is delivered again
            # (same AS2 Message-ID) and this upsert on (message, kind) only moves the due time; the
            # overdue queries count SENT messages only, so the early row never shows on its own
            due = utcnow() + result.awaits.within
            await asyncio.to_thread(self.journal.expect_ack, message.id, partner.id, result.awaits.kind,
                                    result.awaits.reference, None, due)
            awaits = {"awaits": result.awaits.kind, "awaits_due": due.isoformat()}
        detail = result.detail or f"delivered via {name}"
        meta = {"delivery": result.detail, "ack_pending": result.ack_pending, **result.meta, **awaits}
        extra = {"edi": {"message_id": message.id, "partner": message.partner}}
        if result.rejected is not None:
            log.error("sent %s via %s, rejected by the partner: %s", message.filename, name, result.rejected,
                      extra=extra)
            return await asyncio.to_thread(self._sent_and_rejected, message.id, detail, result.rejected, meta)
        sent = await asyncio.to_thread(self.journal.transition, message.id, State.SENT, detail,
                                       expect=State.QUEUED, last_error=None, meta=meta)
        log.info("sent %s via %s: %s", message.filename, name, result.detail, extra=extra)
        if result.on_sent is not None:
            await asyncio.to_thread(result.on_sent)
        if sent.meta.get("early_acks"):            # its acknowledgement came while it was being delivered
            return await asyncio.to_thread(settle_early, self.journal, message.id)
        if result.ack_pending or message.meta.get("expects_ack"):
            return sent
        return await asyncio.to_thread(self.journal.transition, message.id, State.DONE,
                                       "no acknowledgement expected", expect=State.SENT)

    def _sent_and_rejected(self, message_id: str, detail: str, reason: str, meta: dict[str, Any]) -> Message:
        """Delivered and refused in the same answer (a negative synchronous MDN): SENT and REJECTED in one
        commit. Apart, a crash between them left a SENT message that `resume()` finished as delivered, the
        refusal lost; together, the crash leaves it QUEUED, sent again (same AS2 Message-ID) and refused again."""
        with self.journal.batch():
            self.journal.transition(message_id, State.SENT, detail, expect=State.QUEUED, last_error=None, meta=meta)
            return self.journal.transition(message_id, State.REJECTED, reason, expect=State.SENT, error=reason)

    def resume(self) -> int:
        """At start-up: finish messages delivered just before a crash (SENT, no acknowledgement expected), and
        apply the acknowledgements kept for a message whose SENT a crash cut off from them (early_acks: an async
        MDN that came before our POST returned), which would otherwise wait for what had already come."""
        finished = 0
        for message in self.journal.find(state=State.SENT, direction=Direction.OUT, limit=100_000):
            if message.meta.get("early_acks"):
                settle_early(self.journal, message.id)
                finished += 1
                continue
            if message.meta.get("expects_ack") or message.meta.get("ack_pending"):
                continue
            self.journal.transition(message.id, State.DONE, "delivered before a restart; no acknowledgement "
                                    "expected", expect=State.SENT)
            finished += 1
        folder_channel.FOLDER.forget_delivered(self._pending)
        return finished

    def _pending(self, message_id: str) -> bool:
        try:
            return self.journal.get(message_id).state in (State.QUEUED, State.RETRY_WAIT)
        except KeyError:
            return False

    async def _failed(self, message: Message, exc: BaseException, *, transient: bool) -> Message:
        fresh = await asyncio.to_thread(self.journal.get, message.id)
        if fresh.meta.get("early_acks"):
            # the partner acknowledged it while we were delivering it (our POST then timed out): it has it
            log.warning("delivery failed (%s), but the partner acknowledged it meanwhile: not retried", exc,
                        extra={"edi": {"message_id": message.id, "partner": message.partner}})
            return await asyncio.to_thread(settle_early, self.journal, message.id)
        settings = self.config.gateway.outbox
        disk_full = isinstance(exc, DeliveryRetry) and exc.disk_full
        attempts = message.attempts + (0 if disk_full else 1)      # our full disk is no try of the partner's
        reason = f"{type(exc).__name__}: {exc}" if not isinstance(exc, GatewayError) else str(exc)
        extra = {"edi": {"message_id": message.id, "partner": message.partner}}
        if not transient or attempts >= settings.max_attempts:
            why = "refused by the partner" if not transient else f"gave up after {attempts} attempts"
            log.error("dead: %s: %s", why, reason, extra=extra)
            return await asyncio.to_thread(self.journal.transition, message.id, State.DEAD, why,
                                           error=reason, attempts=attempts)
        asked = exc.retry_after if isinstance(exc, DeliveryRetry) else None
        wait = retry_wait(compute_backoff(max(attempts, 1), settings.min_backoff, settings.max_backoff), asked,
                          settings.max_backoff)
        if disk_full:                           # room comes back in minutes, not seconds: no busy retrying
            wait = max(wait, min(DISK_FULL_WAIT, settings.max_backoff))
        log.warning("delivery failed (%s), retry %d in %.1fs%s", reason, attempts + 1, wait,
                    "" if asked is None else f" (the partner asked for {asked:.0f}s)", extra=extra)
        return await asyncio.to_thread(self.journal.transition, message.id, State.RETRY_WAIT,
                                       f"delivery failed, attempt {attempts}", error=reason, attempts=attempts,
                                       next_attempt_at=utcnow() + timedelta(seconds=wait))


def resend(journal: SqliteJournal, message_id: str) -> Message:
    """Queue an outbound message again (dead, quarantined, sent or done), attempts reset."""
    message = journal.get(message_id)
    if message.direction is not Direction.OUT:
        raise JournalError(f"{message_id} is inbound: use replay")
    if message.meta.get("held"):
        raise JournalError(f"{message_id} was never rendered ({message.last_error}); fix the cause: the next "
                           "scheduled run renders the record again")
    if message.state is State.QUEUED or message.state is State.RETRY_WAIT:
        return journal.transition(message_id, State.QUEUED, "resend requested", attempts=0) \
            if message.state is State.RETRY_WAIT else message
    if message.state not in RESENDABLE:
        raise JournalError(f"{message_id} is {message.state.value} and cannot be resent")
    # counted: the index of our SFTP server's pickups tells this delivery from the earlier one (sftp_channel)
    meta = {"resends": int(message.meta.get("resends") or 0) + 1}
    if message.state in SETTLED_BY_PARTNER:      # a new transmission: AS2 gives it a Message-ID of its own
        meta["transmissions"] = int(message.meta.get("transmissions") or 0) + 1
    return journal.transition(message_id, State.QUEUED, "resend requested", attempts=0, last_error=None, meta=meta)
