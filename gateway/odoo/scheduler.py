"""Per-partner APScheduler jobs: Odoo records -> canonical documents -> rendered -> outbox.

For every active partner document with `direction: out` and a trigger:

- `delivery_done`  -> poll every `odoo.poll_seconds` for done deliveries (ShipNotice);
- `invoice_posted` -> poll for posted invoices (Invoice);
- `order_confirmed` -> poll for confirmed sale orders (PurchaseOrderAck: 855 / ORDRSP);
- `schedule`       -> at the cron `schedule` (inventory types: InventoryAdvice; 856/DESADV-like
  types: ShipNotice; 810/INVOIC-like: Invoice).

A job runs the extraction in a worker thread, renders each document with the partner's
profile (`gateway.translate.render`), queues it with `ctx.pipeline.queue_outbound(...,
key=outbox_key)` and only then records the export mark. The outbox key makes the queueing
idempotent, so the order queue-then-mark cannot double a document, and a crash (or a render
error) before the queueing leaves the record unexported for the next run: nothing lost.
Record versions whose key is already among the partner's recent outbound messages are
skipped without rendering, except those of the newest write_date second the last run saw
(write_date counts seconds: a write in the second of a read looks like the version read),
which are built again and compared by content. A digest is kept with its `versions.CONTENT_VERSION`: one of
another version (sent by an earlier release, whose documents carried other fields) is not compared but replaced by
the record's rebuilt one as its baseline (`_baseline`), so an upgrade neither holds recent invoices nor replaces
recent ASNs when Odoo writes them again; the first run after it builds each such version still current once
(`_stale`), so the baseline is what the partner got and a later repost with new figures is held as before. Records held in quarantine are read again by
id, whatever the window, until they are sent or settled; one Odoo deleted or cancelled settles its
entries, saying so. A held version a person closed (`edi-gateway close`: handled otherwise) is never
sent, even once it renders. Schedules are crontab lines on the
clock of a time zone, read as cron reads them (`gateway.odoo.crontab`). A scheduled run that cannot reach
Odoo, is refused a read (held) or cannot queue a document is tried again after `odoo.poll_seconds`, not at its
next slot (`_retry_soon`). A
stock feed waits while the partner's previous one is in delivery retry (`_undelivered`), and carries 0 for
the items the previous one reported and it no longer does (`inventory.with_dropped`).

Daemon hook: `start(ctx) -> stop` and `reload(ctx)` (docs/ARCHITECTURE.md, "Daemon parts").
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any, cast
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from gateway.config.models import DocumentSettings, PartnerConfig
from gateway.errors import GatewayError, OdooCredentialsRefused, OdooStopped, OdooUnavailable
from gateway.journal.api import Direction, Journal, Message, State
from gateway.odoo.client import OdooClient, connect, in_thread
from gateway.odoo.crontab import cron_trigger
from gateway.odoo.extract import inventory, invoices, order_acks, ship_notices, versions
from gateway.odoo.lookup import Cache
from gateway.odoo.tax_categories import writes_category
from gateway.pipeline import EXTRACTION_HELD
from gateway.translate.canonical import Document, InventoryAdvice, Invoice, ShipNotice
from gateway.translate.outbound import marks_item_stores, writes_each_order

log = logging.getLogger("gateway.odoo.scheduler")

KNOWN_WINDOW = 5000        # recent outbound messages per partner whose keys skip re-rendering
INVENTORY_WORDS = ("846", "INVRPT", "INVENTORY", "STOCK", "SLSRPT")
SHIP_WORDS = ("856", "DESADV", "SHIP", "ASN")
INVOICE_WORDS = ("810", "INVOIC", "INVOICE")
ORDER_ACK_WORDS = ("855", "ORDRSP", "ORDERRESPONSE", "CONFIRMATION")
MODELS = {versions.KIND_SHIP: "stock.picking", versions.KIND_INVOICE: "account.move",   # what a kind reads
          versions.KIND_ORDER_ACK: "sale.order"}
DIGESTED = (versions.KIND_SHIP, versions.KIND_INVOICE)    # kinds whose messages keep their content's digest
SETTLED_AFTER = timedelta(seconds=2)     # a read this long after another is in a later second of Odoo's clock
HELD_RECORD = "held:odoo:"               # key prefix of a record version held in quarantine (`Pipeline.hold_outbound`)
RECORD_NAMES = {"stock.picking": "delivery", "account.move": "invoice", "sale.order": "sale order"}


def kind_of(doc: DocumentSettings) -> str | None:
    """Which extraction feeds an outbound document setting, or None when it is not Odoo-triggered."""
    if doc.direction != "out" or doc.trigger in ("none", "change_applied"):
        return None                 # change_applied: queued by the pipeline when the change is posted
    if doc.trigger == "delivery_done":
        return versions.KIND_SHIP
    if doc.trigger == "invoice_posted":
        return versions.KIND_INVOICE
    if doc.trigger == "order_confirmed":
        return versions.KIND_ORDER_ACK
    name = doc.type.upper()
    for words, kind in ((SHIP_WORDS, versions.KIND_SHIP), (INVOICE_WORDS, versions.KIND_INVOICE),
                        (ORDER_ACK_WORDS, versions.KIND_ORDER_ACK)):
        if any(w in name for w in words) and not any(w in name for w in INVENTORY_WORDS):
            return kind
    return versions.KIND_INVENTORY


class OdooScheduler:
    """The jobs of one daemon; `run_once` is what a job does (tests call it directly)."""

    def __init__(self, ctx: Any, client_factory: Callable[[], OdooClient] | None = None,
                 render: Callable[..., Any] | None = None) -> None:
        self.ctx = ctx
        # the daemon's stop ends the client's retry waits, so a run waiting for Odoo does not hold the stop
        self.client_factory = client_factory or (lambda: connect(ctx.config.gateway.odoo, halt=ctx.pipeline.halt))
        self.render = render
        self.client: OdooClient | None = None
        self.cache = Cache()
        self.scheduler = AsyncIOScheduler(timezone=UTC)
        self.settled: set[tuple[str, str]] = set()   # jobs whose held extraction failures are closed, this run
        self.running: set[asyncio.Task[Any]] = set()  # the runs under way, ended by stop()
        # per job: the record versions found written again without a change to their document (no message has
        # their key), left out of the next runs as a queued version is, instead of rebuilt and logged each poll
        self.unchanged: dict[tuple[str, str], set[str]] = {}
        self.waited: set[str] = set()       # stock feeds the outbox is retrying that a newer one was held back for

    # ------------------------------------------------------------------ lifecycle
    def schedule(self) -> None:
        self.scheduler.remove_all_jobs()
        poll = self.ctx.config.gateway.odoo.poll_seconds
        for partner in self.ctx.partners.values():
            if not partner.active:
                continue
            for doc in partner.documents:
                if kind_of(doc) is None:
                    continue
                first: dict[str, Any] = {}
                if doc.trigger == "schedule" and doc.schedule:
                    trigger: Any = cron_trigger(doc.schedule, self.zone_of(doc))
                    # the latest slot at once: one missed while the daemon was down (or a run a crash cut
                    # short) is run now, once; a slot already sent is found by its outbox keys
                    first["next_run_time"] = datetime.now(UTC)
                else:
                    trigger = IntervalTrigger(seconds=poll, timezone=UTC)
                # a slot is run however late the loop comes to it (once: coalesce), not dropped as missed: a
                # start or a busy loop past the grace would leave a daily feed to the next day, a yearly one a year
                grace = None if first else max(1, int(poll))
                self.scheduler.add_job(self._job, trigger, args=[partner.id, doc.type],
                                       id=f"{partner.id}:{doc.type}", max_instances=1, coalesce=True,
                                       misfire_grace_time=grace, replace_existing=True, **first)
                log.info("partner %s: %s (%s) %s", partner.id, doc.type, kind_of(doc),
                         f"at {doc.schedule} ({self.zone_of(doc)})" if doc.trigger == "schedule" and doc.schedule else f"every {poll:g}s")

    def zone_of(self, doc: DocumentSettings) -> ZoneInfo:
        """The time zone a document's `schedule` is read in: its own `schedule_timezone`, else the gateway's
        `odoo.schedule_timezone` (UTC unless set). Both were checked to be IANA names when the config loaded."""
        return ZoneInfo(doc.schedule_timezone or self.ctx.config.gateway.odoo.schedule_timezone)

    async def start(self) -> None:
        self.schedule()
        self.scheduler.start()

    async def stop(self) -> None:
        """No new runs, and the running ones ended here, while the daemon waits for its threads: left to the loop's
        end, a run would go on from its thread's result into a closed thread pool."""
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        for task in list(self.running):
            task.cancel()
        await asyncio.gather(*self.running, return_exceptions=True)
        if self.client is not None:
            self.client.close()

    # ------------------------------------------------------------------ one job
    async def _job(self, partner_id: str, doc_type: str) -> None:
        """`run_once` as APScheduler runs it. A run the daemon's stop cancels ends quietly: what it queued is
        marked, the rest is found again by the next run; APScheduler would log the cancellation as an ERROR
        with its traceback, at every stop that comes during a run."""
        task = asyncio.current_task()
        assert task is not None             # a coroutine the loop runs is always a task's
        self.running.add(task)
        try:
            await self.run_once(partner_id, doc_type)
        except asyncio.CancelledError:
            log.info("partner %s %s: run stopped with the daemon; the next run picks it up", partner_id, doc_type)
        finally:
            self.running.discard(task)

    async def run_once(self, partner_id: str, doc_type: str, slot: str | None = None) -> int:
        """Extract, render and queue one partner document type; returns how many were queued."""
        partner = self.ctx.partners.get(partner_id)
        setting = next((d for d in partner.documents if d.type == doc_type), None) if partner else None
        if partner is None or setting is None or not partner.active:
            return 0
        kind = kind_of(setting) or ""
        try:
            if self.client is None:
                self.client = await in_thread(self.client_factory)
            started = datetime.now(UTC)
            recent = await in_thread(self.ctx.journal.find, direction=Direction.OUT, partner=partner.id,
                                     limit=KNOWN_WINDOW)
            if kind == versions.KIND_INVENTORY and (waiting := _undelivered(recent, setting.type)):
                # the outbox retries it when its backoff ends, after a newer feed queued now would have gone:
                # the partner would take the older figures last
                then = self._retry_soon(partner, setting)
                if waiting.id not in self.waited:          # once per feed, not at every retry
                    self.waited.add(waiting.id)
                    log.info("partner %s %s: the feed queued as %s has not reached the partner yet (%s); the next "
                             "one follows it, %s", partner_id, doc_type, waiting.id, waiting.last_error or "retrying",
                             then)
                return 0
            unchanged = self.unchanged.get((partner.id, setting.type), set())
            known = {m.source_key for m in recent} | unchanged
            days = await in_thread(self._lookback, partner.id, setting.type, started)
            overlap, read_before = await in_thread(self._overlap, partner.id, setting.type)
            seen: dict[str, str] = {}
            # versions an earlier release sent, unchanged since: built again once so the baseline is what the
            # partner got; left to their next write, a repost with new figures would become the baseline, unheld
            stale = await in_thread(self._stale, partner, setting.type, recent, unchanged) if kind in DIGESTED \
                else set()
            docs = await in_thread(self._extract, self.client, partner, setting, kind, slot, known - stale, days,
                                   overlap if kind in DIGESTED else None, seen, None, stale)
            unchanged |= stale - {versions.outbox_key(d, setting.type) for d in docs}
            read, window = datetime.now(UTC), list(seen.values())
            held = await in_thread(self._held_records, partner, setting.type, recent)
            model = MODELS.get(kind)
            aside = [int(r.partition(",")[2]) for r in held if r not in seen and r.startswith(f"{model},")]
            ended: dict[str, tuple[str, str | None]] = {}
            if aside:                  # held, and out of the window by now: tried by id until sent or settled
                docs += await in_thread(self._extract, self.client, partner, setting, kind, slot, known, days,
                                        None, seen, sorted(aside))
                if missing := [rid for rid in aside if f"{model},{rid}" not in seen]:
                    ended = await in_thread(_ended, self.client, str(model), missing)
            gone: dict[str, list[dict[str, Any]]] = {}   # a warehouse no longer fed: 0 for its items, for a week
            if kind == versions.KIND_INVENTORY:
                zero_feeds = await in_thread(self._gone, partner, setting, recent, docs, slot)
                gone = {zeros.source.odoo_record or "": kept_items for zeros, kept_items in zero_feeds}
                # queued first: a partner taking one figure per item whatever the location ends on the live ones
                docs[:0] = [zeros for zeros, _ in zero_feeds]
        except OdooStopped:     # the daemon's stop ended its wait for Odoo, or came between two reads: no outage
            log.info("partner %s %s: run stopped with the daemon; the next run picks it up", partner_id, doc_type)
            return 0
        except OdooUnavailable as exc:
            if isinstance(exc, OdooCredentialsRefused):
                self.client = None          # the next run logs in afresh
            log.warning("partner %s %s: Odoo unavailable, %s: %s", partner_id, doc_type,
                        self._retry_soon(partner, setting), exc)
            return 0
        except GatewayError as exc:       # held as "each poll tries again": a scheduled one too, until its next slot
            log.error("partner %s %s: extraction failed, %s: %s", partner_id, doc_type,
                      self._retry_soon(partner, setting), exc)
            await in_thread(self.ctx.pipeline.hold_extraction, partner, setting.type, str(exc))
            self.settled.discard((partner.id, setting.type))
            return 0
        if (partner.id, setting.type) not in self.settled:     # once after start, and after each failure
            await in_thread(lambda: self.ctx.pipeline.settle_held(
                partner, f"{EXTRACTION_HELD}{setting.type}:", "extraction from Odoo works again", prefix=True))
            self.settled.add((partner.id, setting.type))
        queued = 0
        last = _last_sent(recent, setting.type) if kind in DIGESTED else {}
        closed = {m.source_key for m in recent if m.state is State.CLOSED and m.meta.get("held")}
        current: dict[str, str] = {}         # record -> the key of the version this run found of it
        for record, write_date in seen.items():
            model, _, rid = record.partition(",")
            if (key := versions.record_key(model, rid, write_date, setting.type)) in known:
                current[record] = key        # left out by the search: already queued
        for doc in docs:
            key = versions.outbox_key(doc, setting.type)
            try:
                kept: list[dict[str, Any]] | None = None
                if isinstance(doc, InventoryAdvice) and key not in known:
                    doc, kept = (doc, gone[doc.source.odoo_record or ""]) if doc.source.odoo_record in gone \
                        else await in_thread(self._with_dropped, partner, setting, doc)
                before = last.get(doc.source.odoo_record or "")
                digest = versions.content_digest(doc) if kind in DIGESTED else None
                # a version held for a person (changed figures the earlier release saw) is not baselined away
                earlier = (digest is not None and before is not None and _other_version(before)
                           and (doc.source.odoo_record or "") not in held)
                if key in known and digest is not None and before is not None and not earlier and \
                        before.meta.get("content") not in (None, digest):
                    # written again in the second the last run read it: the same write_date, another document
                    key = _same_second_key(key, digest)
                current[doc.source.odoo_record or ""] = key
                if earlier and before is not None and digest is not None:
                    # its digest is of what an earlier release built: no measure of a change, so no hold, no
                    # replacement; this version is what the next writes are compared with
                    await in_thread(self._baseline, partner, setting.type, doc, before, digest)
                    if key not in known:
                        unchanged.add(key)
                elif key not in known:
                    if before is not None and digest is not None and before.meta.get("content") == digest:
                        # written again in Odoo (sent, paid, printed) without a change the partner would see
                        log.info("partner %s %s: %s changed in Odoo (write_date %s) but not its document, already "
                                 "queued as %s: not sent again", partner_id, doc_type, doc.source.odoo_record,
                                 doc.source.odoo_write_date, before.id)
                        unchanged.add(key)
                    elif f"held:{key}" in closed:
                        # a person closed its held entry, handled otherwise (sent by hand): once the cause is
                        # fixed it must not go to the partner again; marked, so it is not read again either
                        log.info("partner %s %s: %s (write_date %s) was held and then closed by a person: not "
                                 "sent", partner_id, doc_type, doc.source.odoo_record, doc.source.odoo_write_date)
                    elif not await in_thread(self._queue, doc, partner, setting, f"held:{key}" in known,
                                             digest, before, key):
                        continue          # held: not marked, so the next run renders it again
                    else:
                        queued += 1
                        if kept is not None:
                            await in_thread(self.ctx.journal.put_blob, _run_key(partner.id, setting.type),
                                            f"reported:{doc.source.odoo_record}", json.dumps(kept))
                await in_thread(self._mark, doc, partner, f"{kind}:{setting.type}")
            except Exception as exc:  # noqa: BLE001 - a bug or journal failure: the next run tries again
                log.error("partner %s %s: %s not queued, %s: %s", partner_id, doc_type, doc.source.odoo_record,
                          self._retry_soon(partner, setting), exc)
        await in_thread(self._settle, partner, setting.type, held, current, ended)
        # kept while the search still finds those versions (a record out of the window, or written again, drops out)
        self.unchanged[(partner.id, setting.type)] = unchanged & set(current.values())
        await in_thread(self.ctx.journal.put_blob, _run_key(partner.id, setting.type), "last_run",
                        started.isoformat())
        if kind in DIGESTED:
            later = read_before is not None and started - read_before >= SETTLED_AFTER
            following = _overlap_after(window, overlap, later)
            # a mark kept keeps the read of the run that chose it: written over by each run, runs less than
            # SETTLED_AFTER apart would never be `later`, and the newest second would be built at every poll
            if following is not None and (following != overlap or read_before is None):
                await in_thread(self.ctx.journal.put_blob, _run_key(partner.id, setting.type), "overlap",
                                json.dumps({"from": following, "read": read.isoformat()}))
        return queued

    def _with_dropped(self, partner: PartnerConfig, setting: DocumentSettings,
                      doc: InventoryAdvice) -> tuple[InventoryAdvice, list[dict[str, Any]]]:
        """A warehouse's stock feed with 0 for the items its last queued feed reported and this one does not
        (`inventory.with_dropped`); what it reports is kept once it is queued."""
        return inventory.with_dropped(doc, self._reported(partner, setting, str(doc.source.odoo_record)))

    def _reported(self, partner: PartnerConfig, setting: DocumentSettings, record: str) -> list[dict[str, Any]]:
        """The items a warehouse's ("stock.warehouse,1") last queued feed reported, as `with_dropped` kept them."""
        text = self.ctx.journal.get_blob(_run_key(partner.id, setting.type), f"reported:{record}")
        try:
            before = json.loads(text) if text else []
        except ValueError:
            log.warning("partner %s %s: items reported before unreadable; items dropped since are not sent as 0",
                        partner.id, setting.type)
            before = []
        return before if isinstance(before, list) else []

    def _gone(self, partner: PartnerConfig, setting: DocumentSettings, recent: list[Message], docs: list[Document],
              slot: str | None) -> list[tuple[InventoryAdvice, list[dict[str, Any]]]]:
        """`inventory.gone_warehouses` for the warehouses among this job's recent feeds that this run has none of."""
        fed = [d for d in docs if isinstance(d, InventoryAdvice)]
        records = {(m.source_key or "").removeprefix("odoo:").partition("@")[0] for m in recent
                   if (m.source_key or "").startswith("odoo:stock.warehouse,")
                   and (m.source_key or "").endswith(f":{setting.type}")} - {d.source.odoo_record for d in fed}
        before = {int(r.partition(",")[2]): self._reported(partner, setting, r) for r in records
                  if r.partition(",")[2].isdecimal()}
        if not any(before.values()):
            return []
        slot = str(fed[0].source.odoo_write_date) if fed else slot or current_slot(
            setting.schedule if setting.trigger == "schedule" else None, zone=self.zone_of(setting))
        assert self.client is not None          # run_once connected before extracting
        return inventory.gone_warehouses(self.client, partner, fed, before, slot)

    def _retry_soon(self, partner: PartnerConfig, setting: DocumentSettings) -> str:
        """After a run that could not reach Odoo, read from it (held: a warehouse archived, an access right
        missing) or queue a document, the next one: a scheduled document's job is brought forward to
        `odoo.poll_seconds` from now (not after its next slot), so Odoo down at 06:00, a cause fixed in Odoo at 08:00
        or a journal that failed a write does not cost a daily 846 its day. Until the next slot comes the retries build
        the slot missed (`current_slot`), whose outbox keys make the one that gets through send each warehouse's
        feed once. Polled jobs retry at their next poll anyway. Says which."""
        job = self.scheduler.get_job(f"{partner.id}:{setting.type}") if self.scheduler.running else None
        if setting.trigger != "schedule" or not setting.schedule or job is None:
            return "next run retries"
        delay = self.ctx.config.gateway.odoo.poll_seconds
        soon = datetime.now(UTC) + timedelta(seconds=delay)
        if job.next_run_time is not None and job.next_run_time <= soon:
            return "next run retries"
        job.modify(next_run_time=soon)
        return f"retried in {delay:g}s, then every {delay:g}s until its next slot"

    def _lookback(self, partner_id: str, doc_type: str, now: datetime) -> int:
        """How many days back a run looks: `odoo.lookback_days`, or back to the last run that reached Odoo when
        that is longer ago (Odoo down for longer than the window: what was done meanwhile is still found), with
        two days to spare for the two clocks."""
        days = int(self.ctx.config.gateway.odoo.lookback_days)
        last = self.ctx.journal.get_blob(_run_key(partner_id, doc_type), "last_run")
        if last:
            try:
                days = max(days, (now - datetime.fromisoformat(last)).days + 2)
            except (TypeError, ValueError):
                log.warning("partner %s %s: last run time %r unreadable, looking back %d days", partner_id,
                            doc_type, last, days)
        return days

    def _overlap(self, partner_id: str, doc_type: str) -> tuple[str | None, datetime | None]:
        """The write_date from which this run builds record versions again although they were queued (see
        `_extract`), and when the run that chose it had finished reading Odoo; (None, None) before any."""
        text = self.ctx.journal.get_blob(_run_key(partner_id, doc_type), "overlap")
        try:
            kept = json.loads(text) if text else {}
            return kept.get("from"), datetime.fromisoformat(kept["read"]) if kept.get("read") else None
        except (TypeError, ValueError, AttributeError):
            log.warning("partner %s %s: overlap mark %r unreadable, starting afresh", partner_id, doc_type, text)
            return None, None

    def _held_records(self, partner: PartnerConfig, doc_type: str, recent: list[Message]) -> dict[str, list[Message]]:
        """Odoo record ("account.move,7") -> its versions held in quarantine for this job (`Pipeline.hold_outbound`:
        the profile could not render them, or an invoice changed after it went out), still open. `recent`: the
        partner's newest outbound messages; when that is all of them and none is such an entry, the journal holds
        none, and the search (at every poll) is not made."""
        if len(recent) < KNOWN_WINDOW and not any(m.state is State.QUARANTINED and _held_of(m, doc_type)
                                                  for m in recent):
            return {}
        out: dict[str, list[Message]] = {}
        for entry in self.ctx.pipeline.held(partner, HELD_RECORD):
            if _held_of(entry, doc_type):
                out.setdefault((entry.source_key or "").removeprefix(HELD_RECORD).partition("@")[0], []).append(entry)
        return out

    def _settle(self, partner: PartnerConfig, doc_type: str, held: dict[str, list[Message]], current: dict[str, str],
                ended: dict[str, tuple[str, str | None]]) -> None:
        """Close, with one search, the held versions no one will send: those of records this run found at another
        version (queued, held in turn, or needing nothing sent), which would otherwise stay open for ever, and
        those of records Odoo deleted or cancelled (`ended`), which were otherwise looked up at every run until a
        person closed them."""
        reasons: dict[str, str] = {}
        for record, entries in held.items():
            now = current.get(record)
            for entry in entries:
                if now is not None and entry.source_key != f"held:{now}":
                    reasons[entry.source_key or ""] = (
                        f"superseded: {record} was changed in Odoo since; its version of "
                        f"{now.partition('@')[2].rpartition(':')[0]} is the one that counts")
            if record in ended and entries:
                how, name = ended[record]
                model = record.partition(",")[0]
                reason = (f"{RECORD_NAMES.get(model, model)} {name or self._held_number(entries[0]) or record} was "
                          f"{how} in Odoo; the held {doc_type} is no longer owed")
                log.info("partner %s %s: %s", partner.id, doc_type, reason)
                reasons.update((entry.source_key or "", reason) for entry in entries)
        self.ctx.pipeline.settle_each(partner, reasons)

    def _stale(self, partner: PartnerConfig, doc_type: str, recent: list[Message], unchanged: set[str]) -> set[str]:
        """The keys of record versions whose latest message has a digest of another release's document
        (`_other_version`), not held for a person and not yet looked at: the search builds them again, once."""
        stale = {record: str(m.source_key) for record, m in _last_sent(recent, doc_type).items()
                 if _other_version(m) and "#" not in str(m.source_key) and m.source_key not in unchanged}
        held = self._held_records(partner, doc_type, recent) if stale else {}
        return {key for record, key in stale.items() if record not in held}

    def _baseline(self, partner: PartnerConfig, doc_type: str, doc: Document, before: Message, digest: str) -> None:
        """Note `digest` (of this release's document) as what the next versions of `before`'s record are compared
        with. After an upgrade that changed what documents carry, every record sent before it and written again
        (a payment, a slip printed) would otherwise differ: each invoice held for a person, each ASN replaced. What
        the record's first write after the upgrade changed is not sent; the digest sent is kept (`content_earlier`)."""
        again = "read again" if before.source_key == versions.outbox_key(doc, doc_type) else "written again"
        reason = (f"sent by an earlier release; its record {again} at {doc.source.odoo_write_date}: compared from "
                  "now on")
        self.ctx.journal.remark(before.id, reason, meta={"content": digest,
                                                         "content_version": versions.CONTENT_VERSION,
                                                         "content_earlier": before.meta.get("content")})
        log.info("partner %s %s: %s, queued as %s: %s", partner.id, doc_type, doc.source.odoo_record, before.id,
                 reason)

    def _held_number(self, entry: Message) -> str | None:
        """The document number in a held entry's canonical JSON (the name a deleted record had in Odoo)."""
        try:
            number = json.loads(self.ctx.pipeline.archive.read(entry.sha256)).get("number")
        except (OSError, ValueError, AttributeError):
            return None
        return str(number) if number else None

    def _mark(self, doc: Document, partner: PartnerConfig, kind: str) -> None:
        model, _, rid = (doc.source.odoo_record or ",0").partition(",")
        self.ctx.journal.export_mark(partner.id, model, int(rid), str(doc.source.odoo_write_date), kind)

    def _extract(self, client: OdooClient, partner: PartnerConfig, setting: DocumentSettings, kind: str,
                 slot: str | None, known: set[str | None], lookback: int, overlap: str | None = None,
                 seen: dict[str, str] | None = None, record_ids: list[int] | None = None,
                 sent: set[str] | None = None) -> list[Document]:
        """The job's documents. A record version already queued is left out before its document is built, unless
        its write_date is at or after `overlap` (the newest write_date the last run saw): Odoo's write_date counts
        seconds, so a write in the second the last run read the record would look like the version it read; those
        are built again and compared by content (`run_once`). `seen` receives the write_date of each record the
        search found ("account.move,7" -> write_date). `record_ids`: these records, whatever their age, instead of
        the window (not for stock levels: a later slot's report is the one to send). `sent`: versions already
        sent, built again only for their baseline (`_stale`), never held."""
        mark = f"{kind}:{setting.type}"

        def exclude(model: str, rid: int, write_date: str) -> bool:
            if seen is not None:
                seen[f"{model},{rid}"] = write_date
            if overlap is not None and write_date >= overlap:
                return False
            return versions.record_key(model, rid, write_date, setting.type) in known

        def hold(doc: Document, reason: str) -> None:   # taxes Odoo gives no figures for, a mixed carton: for a person
            if sent and versions.outbox_key(doc, setting.type) in sent:
                return          # a version already sent, built again for its baseline only: nothing to hold
            self.ctx.pipeline.hold_outbound(partner, doc, setting.type, versions.outbox_key(doc, setting.type), reason)

        if kind == versions.KIND_SHIP:
            profiles = self.ctx.config.profiles          # None: no profiles (a render that needs none)
            # cross-dock: an order per store (X12 856), or one order whose items name their stores (EANCOM DESADV)
            profile = profiles.get(setting.profile) if profiles is not None and setting.profile in profiles else None
            each_order = profile is not None and writes_each_order(profile)
            in_items = profile is not None and not each_order and marks_item_stores(profile)
            return list(ship_notices.extract_ship_notices(client, partner, self.ctx.journal, self.cache, lookback, mark,
                                                        claim_marks=False, exclude=exclude, record_ids=record_ids,
                                                        by_store=each_order or in_items, stores_in_items=in_items,
                                                        hold=hold))
        if kind == versions.KIND_INVOICE:
            profiles = self.ctx.config.profiles          # a VAT category written: an untaxed line has one too
            profile = profiles.get(setting.profile) if profiles is not None and setting.profile in profiles else None
            return list(invoices.extract_invoices(client, partner, self.ctx.journal, self.cache, lookback, mark,
                                                    claim_marks=False, exclude=exclude, record_ids=record_ids,
                                                    hold=hold, categories_written=profile is None or
                                                    writes_category(profile.data.get("structure"))))
        if kind == versions.KIND_ORDER_ACK:
            return list(order_acks.extract_order_acks(client, partner, self.ctx.journal, self.cache, lookback, mark,
                                                      claim_marks=False, exclude=exclude, record_ids=record_ids))
        slot = slot or current_slot(setting.schedule if setting.trigger == "schedule" else None,
                                    zone=self.zone_of(setting))
        profiles = self.ctx.config.profiles
        syntax = profiles.get(setting.profile).syntax if profiles is not None and setting.profile in profiles else None
        return list(inventory.extract_inventory(client, partner, self.ctx.journal, self.cache, slot, mark,
                                                 claim_marks=False, coded_units=syntax not in ("csv", "xml")))

    def _queue(self, doc: Document, partner: PartnerConfig, setting: DocumentSettings, was_held: bool,
               digest: str | None = None, before: Message | None = None, key: str | None = None) -> bool:
        """Render and queue one document; False when the profile cannot render it (then it is held in
        quarantine with the reason, see `Pipeline.hold_outbound`), or a person closed its held entry meanwhile.
        `was_held`: an earlier run held it. `digest`: its content's (kept on the message); `before`: the message
        an earlier version of the same record went out as, which a ship notice now replaces (BSN01 05, BGM 1225
        5); `key`: the outbox key when it is not the record version's own (`_same_second_key`)."""
        render_fn = self.render or _engine_render()
        key = key or versions.outbox_key(doc, setting.type)
        if before is not None and isinstance(doc, ShipNotice) and doc.purpose == "original":
            doc = doc.model_copy(update={"purpose": "replace"})
        if before is not None and isinstance(doc, Invoice) and before.state not in (State.REJECTED, State.DEAD):
            # Odoo keeps a re-posted invoice's number: the partner's payables would take a second invoice under
            # it as a duplicate (or pay both); a person decides. An earlier one the partner rejected, or that
            # never left, is simply replaced.
            if not was_held:
                self.ctx.pipeline.hold_outbound(
                    partner, doc, setting.type, key,
                    f"invoice {doc.number} went out before with other figures (message {before.id}, "
                    f"{before.state.value}) and Odoo kept its number: a second invoice under that number is a "
                    "duplicate to the partner; correct it with a credit note and a new invoice in Odoo, or send "
                    "this one by hand if the partner takes replacements")
            return False
        try:
            rendered = render_fn(doc, partner, self.ctx.config.profiles, self.ctx.journal, doc_type=setting.type)
        except GatewayError as exc:
            if exc.transient:
                raise
            from gateway.commands.render import PreviewNumbers  # trial renders use up no control number
            fit = inventory.writable(doc, lambda d: render_fn(d, partner, self.ctx.config.profiles, cast(
                Journal, PreviewNumbers()), doc_type=setting.type)) if isinstance(doc, InventoryAdvice) else None
            if fit is None:     # a stock feed goes without the items its profile cannot write
                self.ctx.pipeline.hold_outbound(partner, doc, setting.type, key, str(exc))
                return False
            rendered = render_fn(fit, partner, self.ctx.config.profiles, self.ctx.journal, doc_type=setting.type)
        if getattr(rendered, "source_record", None) is None:
            rendered.source_record = doc.source.odoo_record
        # one commit: queued but still held after a crash, the entry would stay open for ever (the next run
        # finds the key queued and renders nothing), inviting a person to send by hand what already went out
        with self.ctx.journal.batch():
            entry = self.ctx.journal.outbound_by_key(f"held:{key}")
            if entry is not None and entry.state is State.CLOSED:
                # `edi-gateway close` since this run read the journal, or before the messages it read: handled
                # otherwise, not sent (the batch holds the journal, so a close cannot come between this look and
                # the queueing)
                log.info("partner %s %s: %s (write_date %s) was held and closed by a person meanwhile: not sent",
                         partner.id, setting.type, doc.source.odoo_record, doc.source.odoo_write_date)
                return False
            message = self.ctx.pipeline.queue_outbound(partner, rendered, key=key,
                                                       meta={"content": digest,
                                                             "content_version": versions.CONTENT_VERSION}
                                                       if digest else None)
            if entry is not None:
                self.ctx.pipeline.settle_held(partner, f"held:{key}", f"rendered after all, as {message.id}")
        return True


def current_slot(schedule: str | None, now: datetime | None = None, zone: tzinfo = UTC) -> str:
    """The schedule slot a run at `now` belongs to ("YYYY-MM-DD HH:MM", UTC): the latest time at or before `now`
    the cron `schedule` (read in `zone`) fires, not the minute the job happens to run in (late by a busy loop, or
    run at start for a slot missed while the daemon was down), so that every run of one slot has the same outbox
    keys."""
    now = now or datetime.now(UTC)
    if schedule:
        trigger = cron_trigger(schedule, zone)
        for back in (timedelta(hours=1), timedelta(days=1), timedelta(days=32), timedelta(days=367),
                     timedelta(days=8 * 366)):
            fire = trigger.get_next_fire_time(None, now - back)
            if fire is None or fire > now:
                continue
            while True:
                after = trigger.get_next_fire_time(fire, fire + timedelta(seconds=1))
                if after is None or after > now:
                    return str(fire.astimezone(UTC).strftime("%Y-%m-%d %H:%M"))
                fire = after
    return now.strftime("%Y-%m-%d %H:%M")


def _run_key(partner_id: str, doc_type: str) -> str:
    """Where the journal keeps the start of a job's last run that reached Odoo (a blob of no message)."""
    return f"odoo-scheduler:{partner_id}:{doc_type}"


def _overlap_after(seen: list[str], overlap: str | None, later: bool) -> str | None:
    """The write_date from which the next run builds queued versions again. A write in the second of a read gets
    the write_date of that second, which is at least the newest one the read found (`seen`): from there. When
    nothing newer was found, the versions from `overlap` on stay open until a run read them again `later` (at
    least `SETTLED_AFTER` after the run that chose it finished reading, so in a later second of Odoo's clock
    whatever the skew between the two clocks): then what it read is final, and the mark moves a second on."""
    top = max(seen, default=None)
    if top is not None and (overlap is None or top > overlap):
        return top
    if overlap is not None and later:
        try:
            return (datetime.strptime(overlap, "%Y-%m-%d %H:%M:%S") + timedelta(seconds=1)).strftime(
                "%Y-%m-%d %H:%M:%S")
        except ValueError:
            return overlap
    return overlap


def _held_of(message: Message, doc_type: str) -> bool:
    """Whether a message is a held record version of the `doc_type` job (open or settled)."""
    key = message.source_key or ""
    return key.startswith(HELD_RECORD) and key.endswith(f":{doc_type}")


def _ended(client: OdooClient, model: str, ids: list[int]) -> dict[str, tuple[str, str | None]]:
    """Of held records the job's search no longer finds, those Odoo deleted or cancelled: record -> ("deleted",
    None) or ("cancelled", its name). Others (an invoice reset to draft, say) are still looked up by id."""
    rows = {r["id"]: r for r in client.search_read(model, [("id", "in", ids)], ["name", "state"])}
    out: dict[str, tuple[str, str | None]] = {}
    for rid in ids:
        row = rows.get(rid)
        if row is None or row.get("state") == "cancel":
            out[f"{model},{rid}"] = ("deleted", None) if row is None else ("cancelled", str(row.get("name") or ""))
    return out


def _undelivered(recent: list[Message], doc_type: str) -> Message | None:
    """A stock feed of the `doc_type` job that the outbox failed to deliver and will try again (RETRY_WAIT). The
    outbox takes what is due first, and a feed queued after it is due before that one's backoff ends: a newer
    feed would reach the partner first and the older one overwrite it. Queued feeds not yet tried go in order."""
    return next((m for m in recent if m.state is State.RETRY_WAIT and m.doc_type == doc_type
                 and (m.source_key or "").startswith("odoo:stock.warehouse,")), None)


def _same_second_key(key: str, digest: str) -> str:
    """The outbox key of a record version written in the same second as the one queued under `key` (so with its
    write_date) but saying something else: the write_date with the start of its content digest."""
    head, _, tail = key.rpartition(":")
    return f"{head}#{digest[:16]}:{tail}"


def _other_version(message: Message) -> bool:
    """Whether a message's content digest is of another release's document (`versions.CONTENT_VERSION`), so
    comparing it says nothing. One the partner rejected, or that never left, is not: its record's next version is
    sent as before (the partner holds no copy to duplicate)."""
    return (message.meta.get("content_version") != versions.CONTENT_VERSION
            and message.state not in (State.REJECTED, State.DEAD))


def _last_sent(recent: list[Message], doc_type: str) -> dict[str, Message]:
    """Odoo record ("account.move,7") -> the latest message one of its versions was queued as, `doc_type`."""
    out: dict[str, Message] = {}
    for message in recent:                                   # newest first
        record = message.meta.get("source_record")
        if (record and not message.meta.get("held") and (message.source_key or "").startswith("odoo:")
                and (message.source_key or "").endswith(f":{doc_type}")):
            out.setdefault(str(record), message)
    return out


def _engine_render() -> Callable[..., Any]:
    """The translation engine's render, imported when first needed (it loads the profile machinery)."""
    from gateway.translate import render
    return render


_RUNNING: dict[int, OdooScheduler] = {}


async def start(ctx: Any) -> Callable[[], Awaitable[None]]:
    """Daemon hook: schedule the partners' Odoo-triggered documents; returns the stopper."""
    scheduler = OdooScheduler(ctx)
    await scheduler.start()
    _RUNNING[id(ctx)] = scheduler

    async def stop() -> None:
        _RUNNING.pop(id(ctx), None)
        await scheduler.stop()

    return stop


async def reload(ctx: Any) -> None:
    """Daemon hook after SIGHUP: partner files changed, so the jobs are rebuilt."""
    scheduler = _RUNNING.get(id(ctx))
    if scheduler is not None:
        scheduler.schedule()


clock_stepped = reload
"""Daemon hook after the system clock stepped: each job's next run is a wall-clock time, which a clock set back a day
would leave a day ahead, and a clock stepped forward past it makes APScheduler drop the run as missed (beyond
`misfire_grace_time`); rebuilt, interval jobs run within their interval and scheduled ones at once (a slot already
sent is found by its outbox keys)."""
