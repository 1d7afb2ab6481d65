"""Intake and the inbound state machine: the only place where transports, formats, translation,
acknowledgements and Odoo meet.

`submit()` is the commit point every transport calls: archive (fsync) + journal row, then
return. Workers then take due inbound messages and run one step per state::

    RECEIVED --parse--> PARSED --translate--> TRANSLATED --post--> POSTED --> DONE

Each step ends in one `journal.transition()`, and everything a step does before it is
idempotent (interchange dedupe keyed by message, acknowledgements keyed by parent + type,
Odoo posting that finds what it created), so a step re-run after a crash doubles nothing.
The parse and translate steps write their rows and their transition in one `journal.batch()`
(one commit: all or none); posting commits each Odoo link as soon as the record exists, then POSTED
and DONE together.
Transient errors wait in RETRY_WAIT with backoff; permanent ones quarantine the message with
its reason and a copy of the file. A step whose module is not installed leaves the message
where it is, with `last_error` saying what is missing, and tries again later.
"""

from __future__ import annotations

import asyncio
import hashlib
import importlib
import inspect
import logging
import os
import random
import re
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from gateway.config.filenames import pattern_for, render_pattern
from gateway.config.loader import LoadedConfig
from gateway.config.models import OurIds, PartnerConfig
from gateway.errors import (
    FormatError,
    GatewayError,
    JournalError,
    OdooCredentialsRefused,
    OdooRejected,
    OdooStopped,
    PartnerUnknown,
    StorageFull,
    TranslationError,
    TransportError,
    UnrecognisedFile,
    printable,
)
from gateway.holdback import HoldBack
from gateway.journal.api import ALLOWED, Direction, Message, OdooLink, State
from gateway.journal.archive import Archive, fsync_dir
from gateway.journal.sqlite import SqliteJournal
from gateway.logs import add_context, log_context
from gateway.logs import printable as escape_controls
from gateway.odoo.halt import Halt
from gateway.outbound.channels import NOT_YET_SENT, ack_before_sent
from gateway.poison import Isolation
from gateway.transports.base import IntakeMeta

if TYPE_CHECKING:
    from gateway.translate.canonical import Finding

log = logging.getLogger("gateway.pipeline")

INBOUND_WORK = frozenset({State.RECEIVED, State.PARSED, State.TRANSLATED, State.POSTED, State.RETRY_WAIT})
PARK_SECONDS = 30.0          # how long a message waits for a missing module before it is tried again
MAX_COOLING = 60.0           # the longest a message (or the whole pool, disk full) is held back after a failure
ACK_KINDS = {"997", "999", "TA1", "CONTRL", "APERAK", "824"}   # matched to what we sent, not translated
CHANGE_PURPOSES = frozenset({"change", "replace", "cancel"})   # what `trigger: change_applied` answers once posted


def compute_backoff(attempt: int, min_backoff: float, max_backoff: float, *,
                    jitter: bool = True, rand: Callable[[], float] = random.random) -> float:
    """Seconds to wait before attempt `attempt + 1`: exponential, capped, with 'equal jitter'.

    attempt 1 -> min_backoff, 2 -> 2*min, ... capped at max_backoff; jitter keeps each value
    within [half, full] of that, so many messages failing together do not retry together.
    """
    base = min(max_backoff, min_backoff * 2.0 ** min(max(0, attempt - 1), 64))    # 2.0 ** 1024 overflows
    if not jitter:
        return base
    return base / 2 + rand() * base / 2


@dataclass(slots=True)
class SeenDocuments:
    """The parse step's findings on a file's CSV / XML documents received before (see `_seen_documents`)."""

    repeated: dict[int, str] = field(default_factory=dict)   # transaction index -> the message that brought it
    said: list[str] = field(default_factory=list)            # an issue line per repeated document (50 at most)
    before: list[str] = field(default_factory=list)          # the first repeated ones, named in the PARSED event
    revised: list[str] = field(default_factory=list)         # messages whose documents this one corrects
    revised_numbers: list[str] = field(default_factory=list)  # the corrected documents' numbers
    revisions: list[str] = field(default_factory=list)       # said in the PARSED event
    duplicate: str | None = None                             # every document repeated: why the file is one
    first: str | None = None


class StepUnavailable(Exception):
    """A step's module is not installed (yet): the message stays where it is."""


def _require(module: str, *names: str) -> Any:
    """Import `module` (and check it has `names`), or raise StepUnavailable naming what is missing."""
    try:
        mod = importlib.import_module(module)
    except ImportError as exc:
        raise StepUnavailable(f"{module} is not installed ({exc})") from None
    for name in names:
        if not hasattr(mod, name):
            raise StepUnavailable(f"{module}.{name} is not available")
    return mod


def _safe_name(name: str) -> str:
    """A file name with no folder part and no surprising characters."""
    base = Path(name.replace("\\", "/")).name or "file"
    return re.sub(r"[^A-Za-z0-9._-]", "_", base).lstrip(".") or "file"


EXTRACTION_HELD = "held:extract:"       # key prefix of the quarantine entry of a failing Odoo extraction


def _sender(env: Any) -> str:
    """How an interchange's sender is recorded for duplicate detection: qualifier:id as sent."""
    return f"{env.sender_qualifier}:{env.sender_id}"


def _reject_repeated(result: Any, repeated: dict[int, str]) -> list[Any]:
    """Interchanges received before (in another file): an interchange-level error each (X12 TA105 025, EDIFACT
    0085 26, so a TA1 or CONTRL can say so and no 997 is sent for them), their sets not accepted."""
    base = _require("gateway.formats.base", "Issue", "Severity")
    found = []
    for env in result.interchanges:
        if env.index not in repeated:
            continue
        x12 = env.syntax.value == "x12"
        found.append(base.Issue(
            base.Severity.ERROR, f"interchange {env.control_number} from {_sender(env)} was received before "
            f"(message {repeated[env.index]}); it is not processed again", code="025" if x12 else "26",
            level="interchange", interchange=env.index, segment_tag="ISA" if x12 else "UNB",
            element_position=13 if x12 else None, value=env.control_number))
        for tx in result.transactions:
            if tx.envelope is env:
                tx.accepted = False
    result.issues.extend(found)
    return found


def _issues(issues: list[Any], limit: int = 10) -> str:
    """The first `limit` reader issues, each with its location, and how many more there are."""
    text = "; ".join(str(i) for i in issues[:limit])
    return text + (f"; and {len(issues) - limit} more" if len(issues) > limit else "")


def _parse_time(value: Any) -> datetime | None:
    """An ISO timestamp kept in a message's meta, or None."""
    try:
        return datetime.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def utcnow() -> datetime:
    return datetime.now(UTC)


class Pipeline:
    """Intake plus the inbound workers; `config` may be replaced on reload (SIGHUP)."""

    def __init__(self, config: LoadedConfig, journal: SqliteJournal, archive: Archive) -> None:
        self.config = config
        self.journal = journal
        self.archive = archive
        self.accepting = True
        self.on_new: Callable[[], None] | None = None    # set by the daemon to wake its dispatchers
        self._odoo_client: Any = None
        self._odoo_cache: Any = None
        self._odoo_lock = threading.Lock()
        self.halt = Halt()                 # set by the daemon's stop: its worker threads wait for Odoo no longer
        self._numbers: dict[tuple[str, str], list[Any]] = {}     # (partner, number) -> [lock, users]

    # ------------------------------------------------------------------ intake (the commit point)
    async def submit(self, data: bytes | Path, meta: IntakeMeta) -> Message:
        """Archive the bytes (fsync) and commit the journal row; only then may the sender be told."""
        return await asyncio.to_thread(self.submit_sync, data, meta)

    def submit_sync(self, data: bytes | Path, meta: IntakeMeta) -> Message:
        """`submit()` for code running in a thread."""
        if not self.accepting:
            raise TransportError("the gateway is stopping and takes no new files")
        sha = self.archive.put(data)
        # a name that is not UTF-8 (a folder file's bytes, kept by os as lone surrogates) is recorded as \xNN:
        # the journal cannot store the surrogates, and the file must be taken all the same
        source_key = printable(meta.source_key) if meta.source_key is not None else None
        message = self.journal.record_intake(
            direction=Direction.IN, partner=meta.partner, channel=meta.channel, filename=printable(meta.filename),
            sha256=sha, size=self.archive.path(sha).stat().st_size, source_key=source_key,
            meta=dict(meta.extra))
        log.info("%s %s from %s (%d bytes)", "duplicate" if message.state is State.DUPLICATE else "received",
                 message.filename, meta.channel, message.size,
                 extra={"edi": {k: v for k, v in (("message_id", message.id), ("partner", meta.partner)) if v}})
        if self.on_new is not None:
            self.on_new()
        return message

    # ------------------------------------------------------------------ outbound documents
    def queue_outbound(self, partner: PartnerConfig, rendered: Any, *, parent_id: str | None = None,
                       key: str | None = None, meta: dict[str, Any] | None = None) -> Message:
        """Archive a RenderedDocument and record it QUEUED for the outbox, once per `key`.

        `key` identifies the document across re-runs (parent + doc type + index, or the Odoo
        record version): calling again with the same key returns the first message. `meta`: more
        to keep on the message, written with it (the scheduler's digest of the document's content).
        """
        sha = self.archive.put(rendered.data)
        channel = partner.outbound.channel if partner.outbound else "folder"
        name = rendered.filename
        pattern = pattern_for(partner.filenames, rendered.doc_type)
        if pattern is not None:       # the partner's own names; CSV and XML have no control number: a counter
            control = rendered.control_number or f"{self.journal.next_control_number(partner.id, 'file'):09d}"
            name = render_pattern(pattern, partner=partner.id, doc_type=rendered.doc_type, control=control,
                                  number=rendered.number, when=utcnow())
        meta = {"expects_ack": rendered.expects_ack, "group_number": rendered.group_number,
                "transaction_numbers": list(rendered.transaction_numbers),
                "source_record": rendered.source_record, "number": rendered.number or None, **(meta or {})}
        message = self.journal.record_intake(
            direction=Direction.OUT, partner=partner.id, channel=channel, filename=_safe_name(name),
            sha256=sha, size=len(rendered.data), source_key=key, meta=meta, parent_id=parent_id,
            state=State.QUEUED, doc_type=rendered.doc_type, control_number=rendered.control_number or None,
            syntax=getattr(rendered.syntax, "value", rendered.syntax))
        if rendered.expects_ack and rendered.control_number:
            hours = self.ack_window(partner, message.syntax)
            self.journal.expect_ack(message.id, partner.id, rendered.expects_ack, rendered.control_number,
                                    rendered.group_number, utcnow() + timedelta(hours=hours))
        if self.on_new is not None:
            self.on_new()
        return message

    def hold_outbound(self, partner: PartnerConfig, doc: Any, doc_type: str, key: str, reason: str) -> Message:
        """An outbound document that could not be rendered: its canonical JSON kept and recorded QUARANTINED
        with the reason (once per Odoo record version), so it is on the status page and in the quarantine
        folder, not only in the log. It is never sent: the next run renders the record again, and
        `settle_held` closes this entry once that works."""
        canonical = _require("gateway.translate.canonical", "to_json")
        record = doc.source.odoo_record or doc.number
        return self._hold(partner, canonical.to_json(doc).encode(), f"{partner.id}_{doc_type}_{record}.json",
                          f"held:{key}", doc_type, "render", "json", {"source_record": doc.source.odoo_record},
                          f"render {doc_type} of {record}: {reason}; not sent (the next run tries again)")

    def hold_extraction(self, partner: PartnerConfig, doc_type: str, reason: str) -> Message | None:
        """Odoo refused a read of a partner's extraction job: nothing of the type goes to the partner until it
        works, so it is put where people look, once while that failure lasts (a new entry for another reason
        or after it worked in between); `settle_held` with the job's key prefix closes it."""
        text = f"extract {doc_type} for {partner.id} from Odoo: {reason}; nothing of this type is sent to the " \
            "partner until it works (each poll tries again)"
        prefix = f"{EXTRACTION_HELD}{doc_type}:{hashlib.sha256(text.encode()).hexdigest()[:16]}"
        if self.held(partner, prefix):
            return None                                     # still the same failure, already there
        return self._hold(partner, text.encode(), f"{partner.id}_{doc_type}_extraction.txt",
                          f"{prefix}:{utcnow().isoformat()}", doc_type, "extract", None, {}, text)

    def _hold(self, partner: PartnerConfig, data: bytes, filename: str, key: str, doc_type: str, channel: str,
              syntax: str | None, meta: dict[str, Any], reason: str) -> Message:
        message = self.journal.record_intake(
            direction=Direction.OUT, partner=partner.id, channel=channel, sha256=self.archive.put(data),
            filename=_safe_name(filename), size=len(data), source_key=key, state=State.QUARANTINED,
            doc_type=doc_type, syntax=syntax, meta={"held": True, **meta})
        if message.last_error is None:                     # the first failure under this key
            try:
                self._copy_to_quarantine(message, reason, partner.id)
            except OSError as exc:
                reason += f" (copy to quarantine failed: {exc.strerror or exc})"
            message = self.journal.note(message.id, error=reason)
            log.error("held: %s", reason)
        return message

    def held(self, partner: PartnerConfig, key_prefix: str) -> list[Message]:
        """The partner's outbound entries still held in quarantine whose key starts with `key_prefix`."""
        return [m for m in self.journal.find(state=State.QUARANTINED, partner=partner.id, direction=Direction.OUT,
                                             limit=1000) if (m.source_key or "").startswith(key_prefix)]

    def settle_held(self, partner: PartnerConfig, key: str, reason: str, *, prefix: bool = False) -> None:
        """What `hold_outbound` (its key) or `hold_extraction` (the job's key prefix) held works now: done."""
        self.settle_each(partner, {key: reason}, prefix=prefix)

    def settle_each(self, partner: PartnerConfig, reasons: dict[str, str], *, prefix: bool = False) -> None:
        """`settle_held` of several keys (key -> its reason) with one search of the partner's held entries."""
        if not reasons:
            return
        for entry in self.held(partner, os.path.commonprefix(list(reasons))):
            key = entry.source_key or ""
            reason = next((r for k, r in reasons.items() if key.startswith(k)), None) if prefix else reasons.get(key)
            if reason is not None:
                self._settle(entry, reason)

    def _settle(self, entry: Message, reason: str) -> None:
        """One held entry done, unless it left quarantine since the search (`edi-gateway close` from another
        process, while this run settled it): the person's word stands, and the run goes on with the others."""
        try:
            self.journal.transition(entry.id, State.DONE, reason, expect=State.QUARANTINED, last_error=None)
        except JournalError:
            now = self.journal.get(entry.id)
            if now.state is State.QUARANTINED:
                raise
            log.info("held %s %s is %s since this run looked, not settled (%s)", now.doc_type or "entry",
                     entry.id, now.state.value, reason)

    @staticmethod
    def ack_window(partner: PartnerConfig, syntax: str | None) -> float:
        """Hours the partner has to acknowledge what we send it (its x12/edifact ack_window_hours, else 24)."""
        if syntax == "edifact" and partner.edifact:
            return partner.edifact.ack_window_hours
        if partner.x12:
            return partner.x12.ack_window_hours
        return 24.0

    # ------------------------------------------------------------------ scheduling helpers
    def is_parked(self, message_id: str) -> bool:
        """True while a message waits for a missing part (its look-again time is still ahead)."""
        message = self.journal.get(message_id)
        return message.state is not State.RETRY_WAIT and bool(message.next_attempt_at) and \
            message.next_attempt_at > utcnow()  # type: ignore[operator]

    def unpark_all(self) -> None:
        """Try waiting messages again now (after a reload brought new partner files)."""
        self.journal.clear_waits()

    def _park(self, message: Message, why: str) -> Message:
        log.warning("waiting: %s", why)
        return self.journal.note(message.id, error=f"waiting in {message.state.value}: {why}",
                                 look_again_at=utcnow() + timedelta(seconds=PARK_SECONDS))

    # ------------------------------------------------------------------ the worker's entry point
    def advance(self, message_id: str) -> Message:
        """Run steps on one inbound message until it stops (done, waiting, quarantined, parked)."""
        message = self.journal.get(message_id)
        with log_context(message_id=message.id, partner=message.partner, control_number=message.control_number):
            return self._advance(message)

    def _advance(self, message: Message) -> Message:
        for _ in range(8):
            if message.direction is not Direction.IN or message.state not in INBOUND_WORK:
                return message
            if message.next_attempt_at and message.next_attempt_at > utcnow():
                return message                     # backing off, or waiting for a missing part
            if message.state is State.RETRY_WAIT:
                resume = State(message.meta.get("resume_state", State.RECEIVED.value))
                message = self.journal.transition(message.id, resume, f"retry {message.attempts + 1}",
                                                  expect=State.RETRY_WAIT)
            step = self._steps[message.state]
            try:
                message = step(self, message)
                if message.state is not State.RETRY_WAIT:                            # recovered, or found
                    done = {k: None for k in ("failing_since", "waiting_since") if message.meta.get(k)}
                    if done:
                        message = self.journal.note(message.id, meta=done)
            except StepUnavailable as exc:
                return self._park(message, str(exc))
            except OdooStopped as exc:
                return self._left_at_stop(message, f"{step.__name__.strip('_')}: {exc}", self._doubt(exc))
            except ImportError as exc:        # another part imports a module not built yet
                return self._park(message, f"a module this step needs is not installed: {exc}")
            except GatewayError as exc:
                return self._failed(message, exc, step.__name__.strip("_"))
            except Exception as exc:   # a bug in a step must not stop the gateway or lose the message
                log.exception("step %s failed", step.__name__.strip("_"))
                return self._quarantine(message, f"internal error in step {step.__name__.strip('_')}: "
                                                 f"{type(exc).__name__}: {exc}")
        return message

    def _failed(self, message: Message, exc: GatewayError, step: str) -> Message:
        """Permanent: quarantine. Transient (Odoo down): retry with backoff for `retry_hours`, then DEAD.

        Inbound is bounded by time, not attempts: an Odoo outage of hours must heal by itself,
        and with backoff capped at `outbox.max_backoff` a count would run out in about an hour.
        """
        reason = printable(f"{step}: {exc}")
        wait = getattr(exc, "wait_minutes", None)
        if wait is not None:
            return self._wait_for_order(message, reason, wait)
        if not exc.transient:
            # an unrecognised file may be a CSV partner's without its `csv:` settings: fixed here, then replayed
            return self._quarantine(message, reason,
                                    the_file=isinstance(exc, FormatError) and not isinstance(exc, UnrecognisedFile))
        hours = self.config.gateway.retry_hours
        retried = self._retry_until(message, reason, "failing_since", timedelta(hours=hours),
                                    f"{step} failed (transient)", self._doubt(exc))
        if retried is not None:
            return retried
        why = f"gave up after {hours:g} hours of transient failures ({message.attempts + 1} attempts)"
        if State.DEAD not in ALLOWED[message.state]:
            return self._quarantine(message, f"{reason} ({why})")
        return self.journal.transition(message.id, State.DEAD, why, error=reason, attempts=message.attempts + 1)

    def _left_at_stop(self, message: Message, reason: str, doubt: dict[str, Any] | None = None) -> Message:
        """The daemon stopped while the step waited for Odoo: not a failed attempt, so no backoff is set and no
        attempt counted; the message stays in its last committed state, which the next start resumes at once
        (but for a write whose answer the stop cut off, see `_doubt`)."""
        log.info("%s left for the next start: %s", message.filename, reason)
        return self.journal.note(message.id, error=printable(reason), meta=doubt)

    def _doubt(self, exc: GatewayError) -> dict[str, Any] | None:
        """For a call that changes records and lost its answer (`OdooUnavailable.in_doubt`), the time before which
        the message is not posted again (`odoo.in_doubt_seconds`): Odoo may still be running that create, and a
        search before it commits would find nothing and make the record twice."""
        if not getattr(exc, "in_doubt", False):
            return None
        return self._doubt_window()

    def _doubt_window(self) -> dict[str, Any]:
        until = utcnow() + timedelta(seconds=self.config.gateway.odoo.in_doubt_seconds)
        return {"odoo_in_doubt_until": until.isoformat()}

    def doubt_after_crash(self) -> int:
        """The previous run ended without a clean stop (killed, crashed, a drain cut short), so an Odoo write it
        had sent may still be running: Odoo finishes a request whose client died. Each message it was posting
        (TRANSLATED) waits out `_doubt`'s window before it is posted again; else a restart at once would search
        before that create commits and make the record twice. Returns how many wait."""
        if not self.config.gateway.odoo.enabled:
            return 0
        posting = self.journal.find(state=State.TRANSLATED, direction=Direction.IN, limit=1_000_000)
        doubt = self._doubt_window()
        with self.journal.batch():
            for message in posting:
                self.journal.note(message.id, meta=doubt)
        return len(posting)

    def _wait_out_doubt(self, message: Message) -> Message | None:
        """RETRY_WAIT until a lost write's doubt window has passed (no attempt counted), else None: go on."""
        until, now = _parse_time(message.meta.get("odoo_in_doubt_until")), utcnow()
        if until is None or now >= until:
            return None
        # never longer than the window from now: a later time was set by a clock since stepped back
        until = min(until, now + timedelta(seconds=self.config.gateway.odoo.in_doubt_seconds))
        reason = (f"an Odoo call that changes records lost its answer and may still be running in Odoo: posting "
                  f"again after {until:%H:%M:%S} UTC, when what it made can be found")
        log.info("%s: %s", message.filename, reason)
        return self.journal.transition(message.id, State.RETRY_WAIT, "waiting for a lost Odoo write to settle",
                                       error=reason, next_attempt_at=until,
                                       meta={"odoo_in_doubt_until": until.isoformat()})

    def _wait_for_order(self, message: Message, reason: str, minutes: float) -> Message:
        """A change or cancellation that came before its order reached Odoo: tried again with backoff for
        `minutes` after the first miss, then quarantined (a replay after the order is in Odoo applies it)."""
        retried = self._retry_until(message, reason, "waiting_since", timedelta(minutes=minutes),
                                    "waiting for its order to reach Odoo")
        if retried is not None:
            return retried
        return self._quarantine(message, f"{reason} (waited {minutes:g} minutes for the order)")

    def _retry_until(self, message: Message, reason: str, since_key: str, limit: timedelta,
                     event: str, doubt: dict[str, Any] | None = None) -> Message | None:
        """RETRY_WAIT with backoff (the last try at the deadline) until `limit` after the first failure, which
        `meta[since_key]` keeps; None once that deadline has passed. `doubt` (see `_doubt`) is kept in meta; the
        post step waits it out whenever it is tried next."""
        now = utcnow()
        since = _parse_time(message.meta.get(since_key)) or now
        deadline = since + limit
        if now >= deadline:
            return None
        attempts = message.attempts + 1
        outbox = self.config.gateway.outbox
        wait = compute_backoff(attempts, outbox.min_backoff, outbox.max_backoff)
        retry_at = min(now + timedelta(seconds=wait), deadline)
        log.warning("%s; %s, next try in %.0fs", reason, event, (retry_at - now).total_seconds())
        return self.journal.transition(message.id, State.RETRY_WAIT, event, error=reason, attempts=attempts,
                                       next_attempt_at=retry_at, meta={since_key: since.isoformat(), **(doubt or {})})

    def _quarantine(self, message: Message, reason: str, *, the_file: bool = False, **fields: Any) -> Message:
        """Permanent failure: keep the file and its reason where a human looks, then record it. `the_file`: the
        cause is the file's own content (unreadable, refused by its validation), not Odoo or our files."""
        reason = printable(reason)
        partner = fields.get("partner") or message.partner
        try:
            self._copy_to_quarantine(message, reason, partner, the_file=the_file)
        except OSError as exc:
            reason += f" (copy to quarantine failed: {exc.strerror or exc})"
        log.error("quarantined: %s", reason)
        fields["meta"] = {**fields.get("meta", {}), "the_file": the_file}     # for `show`'s next step
        return self.journal.transition(message.id, State.QUARANTINED, reason, error=reason, **fields)

    def _copy_to_quarantine(self, message: Message, reason: str, partner: str | None, *,
                            the_file: bool = False) -> Path:
        folder = self.config.gateway.quarantine_dir / _safe_name(partner or "unknown")
        folder.mkdir(parents=True, exist_ok=True)
        # the end of a long name (its extension), so that with the id, ".reason.txt" and ".tmp" it fits NAME_MAX
        target = folder / f"{message.id}_{_safe_name(message.filename)[-200:]}"
        if not target.exists():
            tmp = folder / f".{target.name}.tmp"
            tmp.unlink(missing_ok=True)
            # a copy, not a hard link: someone editing the quarantined file must not change the archive
            shutil.copyfile(self.archive.path(message.sha256), tmp)
            os.replace(tmp, target)
        reason_file = folder / f"{target.name}.reason.txt"
        # read by a person (cat, less -R): what the partner chose (its file name, the text a reason quotes)
        # goes in with its control characters escaped, as in the log and on the terminal
        source = f" {escape_controls(message.source_key)}" if message.source_key else ""
        said = "\n".join(escape_controls(line) for line in reason.split("\n"))
        reason_file.write_text(f"message {message.id}\nfile {escape_controls(message.filename)}\n"
                               f"from {message.channel}{source}\n\n{said}\n\n{quarantine_next_step(message, the_file)}\n",
                               encoding="utf-8")
        fsync_dir(folder)
        return target

    # ------------------------------------------------------------------ steps
    def _partner_for(self, message: Message) -> PartnerConfig | None:
        return self.config.partners.get(message.partner) if message.partner else None

    def _parse_bytes(self, message: Message, partner: PartnerConfig | None,
                     each: Callable[[Any], None] | None = None) -> Any:
        """The archived file read again (`formats.parse`); `each` sees every transaction as it is read."""
        formats = _require("gateway.formats", "parse")
        data = self.archive.read(message.sha256)
        try:
            return formats.parse(data, csv=partner.csv if partner else None, xml=partner.xml if partner else None,
                                 each=each)
        except ImportError as exc:
            raise StepUnavailable(f"no reader for this syntax is installed ({exc})") from None

    def _identify(self, message: Message, result: Any) -> PartnerConfig:
        known = self._partner_for(message)
        try:
            translate = _require("gateway.translate", "identify")
        except StepUnavailable:
            if known is not None:
                return known
            raise
        meta = IntakeMeta(channel=message.channel, filename=message.filename, partner=message.partner,
                          source_key=message.source_key, extra=dict(message.meta))
        partner: PartnerConfig | None = translate.identify(result, meta, self.config.partners, self._our_ids())
        if partner is None:
            raise PartnerUnknown(f"no partner profile matches {message.filename}")
        return partner

    def _refuse_undeclared(self, result: Any, partner: PartnerConfig) -> list[Any]:
        """Sets of a type the partner does not send are rejected (see translate.identify.refuse_undeclared); the
        issues saying so, which a partner file fixes (not the file: it may be right, only not set up here)."""
        try:
            refuse = _require("gateway.translate", "refuse_undeclared")
        except StepUnavailable:
            return []
        before = len(result.issues)
        refuse.refuse_undeclared(result, partner, self.config.profiles)
        undeclared: list[Any] = result.issues[before:]
        _require("gateway.acks.x12", "hold_back_errors").hold_back_errors(result, partner)   # accept_with_errors
        return undeclared

    def _our_ids(self) -> OurIds:
        return self.config.gateway.our_ids or OurIds()

    def _parse(self, message: Message) -> Message:
        partner = self._partner_for(message)
        # this step needs the envelopes, the issues and the acknowledgements' own segments, not the documents'
        result = self._parse_bytes(message, partner, each=_release_unless_ack)
        before = len(result.issues)
        try:
            partner = self._identify(message, result)
        except PartnerUnknown as exc:
            if not result.errors:
                raise
            # the reader's own located errors say what is wrong with the file; lead with them
            raise PartnerUnknown(f"rejected: {_issues(result.errors)}; no partner could be identified: {exc}") \
                from None
        # a production interchange for a partner set up for testing: the partner went live before its partner file
        live = {env.index for env in result.interchanges if not env.test}
        undeclared = [i for i in result.issues[before:] if i.level == "interchange" and i.interchange in live] + \
            self._refuse_undeclared(result, partner)
        summary = {"interchanges": len(result.interchanges), "transactions": len(result.transactions),
                   "issues": [str(i) for i in result.issues[:50]]}
        first = result.interchanges[0] if result.interchanges else None
        control = first.control_number if first else None
        doc_types = sorted({t.doc_type for t in result.transactions})
        fields = {"partner": partner.id, "syntax": result.syntax.value, "control_number": control or None,
                  "doc_type": ",".join(doc_types) or None}
        add_context(partner=partner.id, control_number=control or None)
        with self.journal.batch():            # the step's rows and its state change: one commit
            return self._parsed(message, result, partner, fields, summary, undeclared)

    def _parsed(self, message: Message, result: Any, partner: PartnerConfig, fields: dict[str, Any],
                summary: dict[str, Any], undeclared: list[Any]) -> Message:
        """What a parsed file leads to: duplicate check, acknowledgements read and queued, the next state.
        `undeclared`: the issues of sets refused only by the partner file (a type it does not list, a production
        interchange while it says testing), which a fixed partner file and a replay take."""
        repeated: dict[int, str] = {}         # interchange index -> the message that brought it first
        if not message.meta.get("force"):
            for env in result.interchanges:
                if env.control_number and env.syntax.value in ("x12", "edifact"):   # XML: by document, below
                    earlier = self.journal.seen_interchange(partner.id, _sender(env), env.control_number,
                                                            message.id)
                    if earlier is not None:
                        repeated[env.index] = earlier
            if repeated and len(repeated) == len(result.interchanges):
                first = result.interchanges[0]
                repeat = f"interchange {first.control_number} from {_sender(first)} was received before as " \
                    f"{repeated[first.index]}"
                if len(repeated) == 1 and not self._resent(message, repeated[first.index], first.control_number):
                    # new orders under numbers used before (a partner's counter started again) must not be lost;
                    # a batch of interchanges each seen before (a VAN's resend) is taken for one, as before.
                    # No answer yet: a CONTRL 26 / TA1 025 would reject what a replay then posts, and keep the
                    # replay's acknowledgement from being sent (one answer a file); the person's choice decides it
                    return self._quarantine(
                        message, f"parse: {repeat}, in a file with other bytes: the same interchange sent again in "
                        "another form (then end this entry), or new documents under a control number used before "
                        f"(the partner's counter started again?): compare the two (edi-gateway show), and `edi-gateway "
                        f"replay {message.id}` processes this one as new", **fields,
                        meta={"duplicate_of": repeated[first.index], "parse": summary})
                # told as when beside new ones (TA1 025, CONTRL 26), where the partner's settings ask for those
                _reject_repeated(result, repeated)
                self._queue_acks(message, result, partner)
                return self.journal.transition(message.id, State.DUPLICATE, repeat, **fields,
                                               meta={"duplicate_of": repeated[first.index]})
            # a file that also holds interchanges received before: those are rejected as duplicates (TA1 025,
            # CONTRL 26), the others go on; the translate step leaves them out too (meta below)
            summary["issues"] += [str(i) for i in _reject_repeated(result, repeated)]
            for env in result.interchanges:
                if env.control_number and env.index not in repeated and \
                        not any(t.accepted for t in result.transactions if t.envelope is env):
                    # rejected (a negative TA1 / 997 / CONTRL says so): the partner's corrected resend may
                    # carry the same control number, and must not be taken for a repeat of this one
                    self.journal.forget_interchange(partner.id, _sender(env), env.control_number, message.id)
        if repeated:
            summary["repeated_interchanges"] = sorted(repeated)
        seen = self._seen_documents(message, result, partner)
        if seen.duplicate is not None:
            return self.journal.transition(message.id, State.DUPLICATE, seen.duplicate, **fields,
                                           meta={"duplicate_of": seen.first})
        if seen.repeated:
            summary["repeated_documents"] = sorted(seen.repeated)
            summary["issues"] += seen.said
        unmatched = self._read_inbound_acks(message, result, partner)
        self._queue_acks(message, result, partner)
        if result.transactions and all(t.doc_type in ACK_KINDS for t in result.transactions):
            message = self.journal.transition(message.id, State.PARSED, "acknowledgement read", **fields,
                                              meta={"parse": summary, "unmatched_acks": unmatched or None})
            if refused := message.meta.get("unmatched_refusals"):
                return self._quarantine(message, f"the partner's application refused a document this gateway cannot "
                                        f"find among what it sent: {'; '.join(refused)}; find it (sent before this "
                                        "release, by hand or by another system?) and settle it with the partner")
            return self.journal.transition(message.id, State.DONE, "acknowledgement matched to what we sent"
                                           if not unmatched else f"acknowledgement matches nothing we sent: "
                                           f"{'; '.join(unmatched)}")
        if not result.transactions or result.fatal:
            # with no set read at all, a warning may be the cause (the ISA's terminator used nowhere after it)
            said = result.errors if result.transactions else [i for i in result.issues if i.severity.name != "INFO"]
            problems = _issues(said) or "no document in the file"
            # sets refused only as of a type not set up for the partner: its partner file is fixed, then replayed
            the_file = not result.errors or any(all(e is not u for u in undeclared) for e in result.errors)
            return self._quarantine(message, f"parse: rejected: {problems}", **fields, meta={"parse": summary},
                                    the_file=the_file)
        return self.journal.transition(message.id, State.PARSED, f"parsed {result.syntax.value} "
                                       f"{(fields['doc_type'] or '').replace(',', ', ')}"
                                       + _rejected_sets(result, repeated)
                                       + (f"; {_listed(seen.revisions, 5)}" if seen.revisions else "")
                                       + (f"; left out, {len(seen.repeated)} received before: "
                                          f"{_listed(seen.before, 3)}" if seen.before else ""),
                                       last_error=None, **fields,
                                       meta={"parse": summary, "revises": list(dict.fromkeys(seen.revised)) or None,
                                             "revised_numbers": seen.revised_numbers or None})

    def _resent(self, message: Message, earlier: str, control: str) -> bool:
        """Whether this file's interchange `control` is the one the `earlier` message brought: the same bytes, or
        the same sets (ST..SE, UNH..UNT) under another envelope date and time or with other line ends, as a
        partner's retry or an FTP transfer in ASCII mode makes them. A purged or unreadable earlier file cannot
        say so: the file then waits for a person."""
        try:
            first = self.journal.get(earlier)
            if first.sha256 == message.sha256:
                return True
            mine, theirs = (self._sets_digest(m, control) for m in (message, first))
        except (KeyError, OSError, GatewayError, StepUnavailable):
            return False
        return mine is not None and mine == theirs

    def _sets_digest(self, message: Message, control: str) -> str | None:
        """A digest of the sets of interchange `control` in the message's file, as their elements read (components
        split, so another component separator compares equal); None when it has none. Each set is let go once
        hashed, so a big batch file needs no parse tree in memory."""
        digest, found = hashlib.sha256(), False

        def each(tx: Any) -> None:
            nonlocal found
            if tx.envelope is not None and tx.envelope.control_number == control:
                found = True
                for seg in tx.segments:
                    sep = seg.component_sep
                    digest.update(repr([f.split(sep) if sep else f for f in seg.fields]).encode())
            _release_unless_ack(tx)

        self._parse_bytes(message, None, each=each)
        return digest.hexdigest() if found else None

    def _seen_documents(self, message: Message, result: Any, partner: PartnerConfig) -> SeenDocuments:
        """CSV and XML documents received before (they carry no control numbers; see gateway.content_keys):
        the same content again is a duplicate, not processed again; the same number with other content is a
        corrected resend, processed and said so. A forced replay of a duplicate skips the check."""
        seen = SeenDocuments()
        if message.meta.get("force"):
            return seen
        keys = _require("gateway.content_keys", "document_keys").document_keys(result)
        for key in keys:
            known = self.journal.seen_document(partner.id, key.kind, key.key, key.digest, message.id)
            if known.duplicate_of is not None:
                seen.repeated[key.index] = known.duplicate_of
                if len(seen.before) <= 3:         # the PARSED event names three, then "..."
                    seen.before.append(f"{key.label} as {known.duplicate_of}")
                if len(seen.said) < 50:           # what the parse summary keeps
                    seen.said.append(f"{key.label} was received before as {known.duplicate_of} "
                                     f"({self._state_of(known.duplicate_of)}); it is not processed again")
            elif known.revises is not None:
                seen.revised.append(known.revises)
                seen.revised_numbers.append(key.number)
                if len(seen.revisions) <= 5:      # the PARSED event names five, then "..."
                    seen.revisions.append(f"{key.label} revises {known.revises} (same number, other content)")
        if seen.revisions:
            log.info("%s from %s: %d corrected resend%s: %s", message.filename, partner.id, len(seen.revised),
                     "s" if len(seen.revised) != 1 else "", _listed(seen.revisions, 5))
        if seen.repeated and len(seen.repeated) == len(result.transactions):
            first = keys[0]
            seen.first = seen.repeated[first.index]
            seen.duplicate = (f"{first.label} was received before as {seen.first} ({self._state_of(seen.first)})"
                              if len(keys) == 1 else f"all {len(keys)} documents were received before: "
                              f"{first.label} as {seen.first} ({self._state_of(seen.first)}), ...")
        return seen

    def _state_of(self, message_id: str) -> str:
        """Where an earlier message is now (a quarantined first copy is the one to replay)."""
        try:
            return self.journal.get(message_id).state.value
        except KeyError:
            return "purged"

    def _read_inbound_acks(self, message: Message, result: Any, partner: PartnerConfig) -> list[str]:
        """Apply the partner's acknowledgements in the file to what we sent; those that match nothing, said."""
        acks_txs = [t for t in result.transactions if t.doc_type in ACK_KINDS]
        unmatched: list[str] = []
        if not acks_txs:
            return unmatched
        acks = _require("gateway.acks", "read")
        refused: list[str] = []       # application refusals of something we cannot find: never only a log line
        for tx in acks_txs:
            if tx.doc_type in ("APERAK", "824"):       # its application's answer, one document or more each
                advice = _require("gateway.acks.advice", "read", "apply")
                for said in advice.read(tx):
                    if (missed := advice.apply(said, partner, self.journal, message.id,
                                               lambda m: self.archive.read(m.sha256))) is not None:
                        unmatched.append(missed)
                        refused += [missed] if said.verdict == "rejected" else []
                continue
            ack = acks.read(tx)
            what = (f"{ack.ack_standard} for interchange {ack.interchange_control}" if ack.ack_standard == "TA1"
                    or not ack.group_control else f"{ack.ack_standard} for group {ack.group_control}")
            if tx.syntax.value == "x12":     # TA1 by ISA13, 997/999 by GS06: the X12 module knows how
                if not _require("gateway.acks.x12", "apply").apply(ack, partner.id, self.journal) and \
                        not (ack.ack_standard == "TA1" and ack.status != "rejected"):
                    log.warning("%s matches nothing we sent", what)
                    unmatched.append(f"{what} ({ack.status})")
                continue
            target = self.journal.match_ack(partner.id, ack.ack_standard, ack.interchange_control or "",
                                            ack.group_control)
            if target is None:
                log.warning("%s matches nothing we sent", what)
                unmatched.append(f"{what} ({ack.status})")
                continue
            sent = self.journal.get(target)
            verdict = State.REJECTED if ack.status == "rejected" else State.DONE
            if sent.state in NOT_YET_SENT:      # the partner has it, though our delivery was not confirmed
                ack_before_sent(self.journal, target, ack.ack_standard, verdict,
                                f"{ack.ack_standard} {ack.status} (in {message.id})", {"ack_message": message.id})
                continue
            if verdict not in ALLOWED[sent.state]:
                continue   # already settled (a re-run after a crash)
            self.journal.transition(target, verdict, f"{ack.ack_standard} {ack.status} (in {message.id})",
                                    meta={"ack_message": message.id})
        if refused or message.meta.get("unmatched_refusals"):     # a replay that finds them now clears them
            self.journal.note(message.id, meta={"unmatched_refusals": refused or None})
        return unmatched

    def _queue_acks(self, message: Message, result: Any, partner: PartnerConfig) -> None:
        if message.meta.get("acks_queued"):
            return      # keys make a re-run safe anyway; this only saves control numbers
        rejected = bool(result.errors) or any(not t.accepted for t in result.transactions)
        again = ""
        if any(c.doc_type in ACK_KINDS for c in self.journal.children(message.id)):
            if rejected or not message.meta.get("acks_rejected") or message.meta.get("the_file") is not False:
                # a replay of a file acknowledged before: its keys would drop a new ack, whose number would be a gap
                self.journal.note(message.id, meta={"acks_queued": True})
                return
            # its answer rejected what our fixed settings now take (a type set up, a partner gone live): told so,
            # or the partner resends what this replay posts
            again = f":{message.meta.get('replayed_at')}"
        acks = _require("gateway.acks", "build")
        ours = _require("gateway.translate.identify", "answering_ids").answering_ids(result, partner, self._our_ids())
        for index, rendered in enumerate(acks.build(result, partner, ours, self.journal)):
            self.queue_outbound(partner, rendered, parent_id=message.id,
                                key=f"{message.id}:{rendered.doc_type}:{index}{again}")
        self.journal.note(message.id, meta={"acks_queued": True, "acks_rejected": rejected})

    def _translate(self, message: Message) -> Message:
        """Each transaction is translated (and serialised) as soon as it is read, then its segments are let go,
        so a big batch file needs memory for its JSON, not for its parse tree. A set that a later group or
        interchange trailer rejects is dropped, and so is its translation error."""
        partner = self._require_partner(message)
        inbound = _require("gateway.translate.inbound", "translate_json")
        translated: list[tuple[Any, list[str] | Exception, list[Finding]]] = []

        def each(tx: Any) -> None:
            if tx.doc_type in ACK_KINDS:
                return
            checks: list[Finding] = []
            try:
                out: list[str] | Exception = inbound.translate_json(tx, partner, self.config.profiles, checks)
            except Exception as exc:  # noqa: BLE001 - raised below if the set turns out to be accepted
                out = exc
            translated.append((tx, out, checks))
            _release_unless_ack(tx)

        result = self._parse_bytes(message, partner, each=each)
        self._identify(message, result)       # what identifying rejected at parse (a test flag) is left out again
        self._refuse_undeclared(result, partner)
        parsed = message.meta.get("parse") or {}
        repeated = set(parsed.get("repeated_interchanges") or ())
        documents_seen = set(parsed.get("repeated_documents") or ())
        for index, tx in enumerate(result.transactions):
            if tx.envelope is not None and tx.envelope.index in repeated or index in documents_seen:
                tx.accepted = False               # received before, in another file: not again
        documents: list[str] = []
        failed: list[Exception] = []
        warned: list[str] = []
        held: list[Finding] = []
        holds = 0
        released = set(message.meta.get("held_counts") or ())
        for tx, out, checks in translated:
            if not tx.accepted:
                continue
            if isinstance(out, Exception):
                failed.append(out)        # one odd order of a batch does not hold back the others
                continue
            warned += checks
            # a stated line count (X12 CTT01, EDIFACT CNT+2) that is not the lines' number holds the document for a
            # person: a line may be lost (a truncated or mis-split file), and a short order posted says nothing
            holding = [c for c in checks if c.kind == "line_count" and c not in released] \
                if partner.line_counts == "hold" else []
            if holding:
                held += holding
                holds += 1
                continue
            documents += out
        checked: dict[str, Any] = {}
        if warned:
            log.warning("%s: %d consistency problem(s): %s", message.filename, len(warned), _listed(warned, 3))
            checked = {"parse": {**parsed, "issues": list(dict.fromkeys([
                *(parsed.get("issues") or []), *(f"warning: {w}" for w in warned[:50]),
                *([f"warning: and {len(warned) - 50} more consistency problems"] if len(warned) > 50 else [])]))},
                "held_counts": sorted(released | set(held)) or None}
        # what a person must do comes first: every held order, why, and the replay that posts it
        holding_reason = _held_reason(held, message.id) if held else None
        if (failed or held) and not documents:
            if checked:     # the findings, what a replay releases, and that it holds documents (`show`'s next step)
                message = self.journal.note(message.id, meta={**checked, "held_reason": holding_reason})
            if holding_reason is None:
                raise failed[0]
            # quarantined here, with the message as just noted: its .reason.txt's next step reads held_reason
            return self._quarantine(message, "translate: " + holding_reason
                                    + (f"; also not translated: {_listed(failed)}" if failed else ""))
        # one document per line: posting reads them back one at a time
        blob = _require("gateway.translate.canonical", "blob_of").blob_of(documents)
        untranslated = [str(exc) for exc in failed] or None      # quarantined after the rest is posted
        with self.journal.batch():            # the documents and the state change: one commit
            self.journal.put_blob(message.id, "canonical", blob)
            return self.journal.transition(message.id, State.TRANSLATED, f"translated into {len(documents)} "
                                           f"document{'s' if len(documents) != 1 else ''}"
                                           + (f"; {len(failed)} not translated" if failed else "")
                                           + (f"; {holds} held for its line count" if holds else ""),
                                           last_error=None, meta={"untranslated": untranslated,
                                                                  "held_reason": holding_reason, **checked})

    def _post(self, message: Message) -> Message:
        partner = self._require_partner(message)
        odoo = self.config.gateway.odoo
        waiting_out = self._wait_out_doubt(message) if odoo.enabled else None
        if waiting_out is not None:
            return waiting_out
        if not odoo.enabled:
            problem = _unfinished(message, 0, [])
            if problem is not None:
                raise problem
            return self.journal.transition(message.id, State.DONE, "odoo disabled: kept, not posted",
                                           last_error=None)
        wanted = {d.type for d in partner.documents if d.direction == "in" and not d.post}
        posting: Any = None
        posted = 0
        refused: list[GatewayError] = []
        waiting: list[GatewayError] = []
        answers = [d for d in partner.documents if d.direction == "out" and d.trigger == "change_applied"]
        # answers queued by an earlier try of this step (by key: a batch's documents post one by one)
        queued = {m.source_key for m in self.journal.children(message.id)} if answers else set()
        corrections = set(message.meta.get("revised_numbers") or ())
        revised = set(message.meta.get("revises") or ())
        not_applied: list[str] = []
        if replayed := message.meta.get("replayed_at"):
            # a replay follows a fix, often in Odoo ("add the product, then replay"): what the lookups remembered
            # before it was asked for (that the product was missing) must not fail it again for minutes. What
            # they learnt since stays: a replay of the whole quarantine forgets once, not at each message
            self.forget_lookups(before=datetime.fromisoformat(str(replayed)))
        for index, doc in enumerate(self._canonical(message)):
            if (doc.source.standard_type or "") in wanted:
                continue
            if self.halt.is_set():        # a batch's next document is not begun: the drain bound could cut it
                raise OdooStopped(f"the gateway is stopping: {posted} of the file's documents posted before it, "
                                  "the others are posted at the next start")
            if posting is None:
                posting, client = _require("gateway.odoo.posting", "post"), self._odoo()
            doc.source.message_id = message.id    # names the message in Odoo notes when it has no control numbers
            # a cXML credit memo naming its invoice by payloadID: the bill the journal knows that invoice made
            doc = _require("gateway.odoo.credit_memos", "with_credited_bill").with_credited_bill(self.journal,
                                                                                              partner.id, doc)
            try:
                with self._posting(partner.id, doc.number):
                    links = posting.post(client, doc, partner, self._odoo_cache) or []
            except GatewayError as exc:
                if isinstance(exc, OdooCredentialsRefused):
                    self._forget_odoo()   # the next attempt logs in afresh
                if exc.transient:
                    raise                 # Odoo is down: the whole step waits; what was posted is found again
                if getattr(exc, "wait_minutes", None) is not None:
                    waiting.append(exc)   # its order is not in Odoo yet: the others go on, then the step waits
                else:
                    refused.append(exc)   # one bad order of a batch does not hold back the others
                continue
            for link in links:
                self.journal.link_odoo(OdooLink(message.id, link.model, link.record_id, link.role))
            posted += 1
            if doc.number in corrections and links and all(link.role == "found" for link in links) and \
                    revised & set(self.journal.linked_messages(links[0].model, links[0].record_id)):
                # the record the revised message made or found: the correction changed nothing in Odoo
                not_applied.append(f"{doc.number} ({links[0].model},{links[0].record_id})")
            if answers and links and getattr(doc, "purpose", "") in CHANGE_PURPOSES:
                self._answer_change(message, partner, doc, links, client, index, answers, queued)
        if waiting and not refused:
            raise waiting[0]              # tried again later; what was posted now is found again then
        refused += waiting
        problem = _unfinished(message, posted, refused)
        if problem is not None:
            raise problem
        said = ""
        if not_applied:
            said = (f"; corrected, but found in Odoo as first received and left as it is (change it there): "
                    f"{_listed(not_applied)}")
            log.warning("%s from %s%s", message.filename, partner.id, said)
        with self.journal.batch():            # nothing is left to do once posted: POSTED and DONE, one commit
            message = self.journal.transition(message.id, State.POSTED, f"posted {posted} document"
                                              f"{'s' if posted != 1 else ''} to Odoo{said}", last_error=None)
            return self._posted(message)

    def _answer_change(self, message: Message, partner: PartnerConfig, doc: Any, links: list[Any], client: Any,
                       index: int, answers: list[Any], queued: set[str | None]) -> None:
        """Queue the partner's answer to a change now applied in Odoo (X12 865, `trigger: change_applied`),
        keyed `<message>:<type>:<document index>`; one in `queued` (an earlier try) is not rendered again.

        One the profile cannot write quarantines the change message (nothing polls for it again, unlike the
        scheduler's documents): the reason says the change is in Odoo; a replay after the profile is fixed
        finds the change applied and sends the answer."""
        todo = [s for s in answers if f"{message.id}:{s.type}:{index}" not in queued]
        if not todo:
            return
        ack = _require("gateway.odoo.order_changes", "change_acknowledgment").change_acknowledgment(client, doc, links)
        render = _require("gateway.translate", "render").render
        for setting in todo:
            try:
                rendered = render(ack, partner, self.config.profiles, self.journal, setting.type,
                                  our_ids=self._our_ids())
            except GatewayError as exc:
                if exc.transient:
                    raise
                raise TranslationError(f"the change of PO {doc.number} is applied in Odoo, but its {setting.type} "
                                       f"answer cannot be written: {exc}; fix the profile, then replay this "
                                       "message (the change is not applied twice)") from exc
            self.queue_outbound(partner, rendered, parent_id=message.id, key=f"{message.id}:{setting.type}:{index}")

    def _posted(self, message: Message) -> Message:
        return self.journal.transition(message.id, State.DONE, "done")

    def _canonical(self, message: Message) -> Iterator[Any]:
        """The message's canonical documents, one at a time (a batch file's thousands are never all built)."""
        canonical = _require("gateway.translate.canonical", "documents_in")
        yield from canonical.documents_in(self.journal.get_blob(message.id, "canonical") or "[]")

    def _odoo(self) -> Any:
        """One Odoo client (and lookup cache) shared by the workers; the client serialises its calls."""
        with self._odoo_lock:
            if self._odoo_client is None:
                client_mod = _require("gateway.odoo.client", "connect")
                posting = _require("gateway.odoo.posting")
                self._odoo_client = client_mod.connect(self.config.gateway.odoo, halt=self.halt)
                self._odoo_cache = getattr(posting, "Cache", dict)()
            return self._odoo_client

    def forget_lookups(self, before: datetime | None = None) -> None:
        """Drop what Odoo lookups remembered (products, units, contacts, ...: kept for minutes, misses too), so
        that what a person just made in Odoo is found: at a reload, and before a replayed message is posted
        (`before`: its replay's time; what was looked up after it is kept)."""
        cache = self._odoo_cache
        if cache is not None and hasattr(cache, "invalidate"):
            cache.invalidate(older_than=None if before is None else max(0.0, (utcnow() - before).total_seconds()))

    @contextmanager
    def _posting(self, partner: str, number: str) -> Iterator[None]:
        """One document of a business number at a time per partner. Posting looks for the order (bill,
        receipt) before it creates one: two workers posting the same PO at once (a partner's resend in a
        new interchange, a change right behind its order) would both find none and both create it."""
        key = (partner, number)
        with self._odoo_lock:
            entry = self._numbers.setdefault(key, [threading.Lock(), 0])
            entry[1] += 1
        try:
            with entry[0]:
                yield
        finally:
            with self._odoo_lock:
                entry[1] -= 1
                if not entry[1]:
                    del self._numbers[key]

    def _forget_odoo(self) -> None:
        """Drop the shared client (its login was refused); the next `_odoo()` connects again."""
        with self._odoo_lock:
            client, self._odoo_client = self._odoo_client, None
        if client is not None:
            client.close()

    def _require_partner(self, message: Message) -> PartnerConfig:
        partner = self._partner_for(message)
        if partner is None:
            raise PartnerUnknown(f"partner '{message.partner}' has no profile (was its file removed?)")
        return partner

    _steps: ClassVar[dict[State, Callable[[Pipeline, Message], Message]]] = {
        State.RECEIVED: _parse,
        State.PARSED: _translate,
        State.TRANSLATED: _post,
        State.POSTED: _posted,
    }

    # ------------------------------------------------------------------ overdue acknowledgements
    def flag_overdue_acks(self, now: datetime | None = None) -> list[Message]:
        """Mark each SENT message whose 997/999/CONTRL did not come within the partner's window, once.

        The mark (meta `ack_overdue`: when it was noticed) is what `messages`, `show` and the
        status page show; the WARNING names partner, message and control number for alerting.
        """
        now = now or utcnow()
        try:
            overdue_ids = _require("gateway.acks.x12", "overdue").overdue(self.journal, now)
        except StepUnavailable:
            overdue_ids = [m.id for m in self.journal.overdue_acks(now)]
        flagged = []
        for message_id in overdue_ids:
            message = self.journal.get(message_id)
            if message.meta.get("ack_overdue"):
                continue
            kind = _overdue_kind(message, now)
            with log_context(message_id=message.id, partner=message.partner, control_number=message.control_number):
                log.warning("acknowledgement overdue: partner %s, message %s (%s %s), control number %s: no %s "
                            "within the partner's window", message.partner, message.id, message.doc_type or "",
                            message.filename, message.control_number or "-", kind)
            flagged.append(self.journal.note(message.id, meta={"ack_overdue": now.isoformat()}))
        return flagged

    # ------------------------------------------------------------------ replay
    def replay(self, message_id: str) -> Message:
        return replay(self.journal, message_id)


def quarantine_next_step(message: Message, the_file: bool) -> str:
    """What a person does about a quarantined message, as its .reason.txt and `show` say it. A file wrong in itself (a
    wrong SE01 count) fails the same way at every replay, which reads the same bytes: only the partner's
    corrected resend helps. An outbound entry held by the scheduler is tried again by its next run."""
    close = f"edi-gateway close {message.id} --reason TEXT"
    if message.direction is Direction.OUT:
        return ("Not sent: the next run tries it again, and closes this entry once that works.\n"
                f"If it was handled otherwise, end this entry: {close}")
    if the_file:
        return ("The file itself is wrong: a replay reads the same bytes and fails the same way.\n"
                "The partner must send it again, corrected (it is taken as a new message); "
                f"then end this entry: {close}")
    if (message.meta.get("killed") or {}).get("set_aside"):     # it killed the gateway (`gateway.poison`)
        return (f"Give the gateway what it lacked (memory: systemd's MemoryMax=, the machine's), then: edi-gateway "
                f"replay {message.id}\nOr have the partner send it in smaller files, and end this entry: {close}")
    if message.meta.get("held_reason"):     # nothing to fix: a person decides (the reason names the documents)
        return (f"Held for its line count: post it as it is with edi-gateway replay {message.id} (once any other "
                "error the reason names is fixed), or have the partner send it again\n"
                f"If it was handled otherwise, end this entry: {close}")
    return (f"After fixing the cause (in Odoo, a partner or profile file): edi-gateway replay {message.id}\n"
            f"If it was handled otherwise, end this entry: {close}")


def _rejected_sets(result: Any, repeated: dict[int, str]) -> str:
    """'; 1 of 2 sets rejected ...' for a file whose other sets go on: the PARSED event says why (its negative
    acknowledgement told the partner), or the message would read as done with nothing said of them."""
    sets = [t for t in result.transactions if t.doc_type not in ACK_KINDS]
    rejected = [t for t in sets if not t.accepted and (t.envelope is None or t.envelope.index not in repeated)]
    if not rejected:
        return ""
    kind = "messages" if result.syntax.value == "edifact" else "sets"
    why = [e for e in result.errors if e.interchange not in repeated]
    log.warning("%d of %d %s rejected, not translated: %s", len(rejected), len(sets), kind, _issues(why, 3))
    return f"; {len(rejected)} of {len(sets)} {kind} rejected, not translated: {_issues(why, 3)}"


def _listed(problems: list[Any], limit: int = 10) -> str:
    return "; ".join(map(str, problems[:limit])) + ("; ..." if len(problems) > limit else "")


def _unfinished(message: Message, posted: int, refused: list[GatewayError]) -> GatewayError | None:
    """Why part of a file did not reach Odoo, once the rest did: orders Odoo refused, sets the profile
    could not translate (in the TRANSLATED step's meta). None when all of it went through. A lone
    refused document of a file is its own error, as it would have been alone."""
    untranslated = message.meta.get("untranslated") or []
    held = message.meta.get("held_reason")          # documents held for their line count (`_held_reason`)
    if len(refused) == 1 and not posted and not untranslated and not held:
        return refused[0]
    if refused:
        return OdooRejected(f"{len(refused)} of {posted + len(refused)} documents refused by Odoo ({posted} posted; "
                            f"a replay finds those and tries the rest again): {_listed(refused)}"
                            + (f"; also {held}" if held else "")
                            + (f"; also not translated: {_listed(untranslated)}" if untranslated else ""))
    if held:        # said first: what a person must do; then what else became of the file
        return TranslationError(f"{held} ({posted} other document{'s' if posted != 1 else ''} of the file posted: "
                                f"the replay finds {'it' if posted == 1 else 'them'} again)"
                                + (f"; also not translated: {_listed(untranslated)}" if untranslated else ""))
    if untranslated:
        return TranslationError(f"{len(untranslated)} transaction set{'s' if len(untranslated) != 1 else ''} could "
                                f"not be translated ({posted} document{'s' if posted != 1 else ''} posted; a replay "
                                f"finds those and tries the rest again): {_listed(untranslated)}")
    return None


def _held_reason(problems: list[Finding], message_id: str) -> str:
    """The quarantine reason of documents held for their line count, with both ways out; all of them (a replay
    releases them all)."""
    return (f"held, not posted: {_listed(problems)} (a line may be missing). Ask the partner to send it again, or "
            f"post it as it is: edi-gateway replay {message_id}")


def _release_unless_ack(tx: Any) -> None:
    """Let go of a read transaction's segments but its first (ST / UNH, which acknowledgements quote);
    an inbound acknowledgement keeps them all: they are what is matched to what we sent."""
    if tx.doc_type not in ACK_KINDS:
        del tx.segments[1:]


def _overdue_kind(message: Message, now: datetime) -> str:
    """What is missing: an async MDN past its due time (with its AS2 Message-ID), else the document's ack."""
    due = message.meta.get("awaits_due")
    if message.meta.get("awaits") and due and datetime.fromisoformat(str(due)) <= now:
        reference = message.meta.get("as2_message_id")
        return f"{message.meta['awaits']}" + (f" for {reference}" if reference else "")
    return str(message.meta.get("expects_ack") or "acknowledgement")


def replay(journal: SqliteJournal, message_id: str) -> Message:
    """Put a quarantined, dead, duplicate or closed inbound message back to RECEIVED, for a fresh run."""
    message = journal.get(message_id)
    if message.direction is not Direction.IN:
        raise JournalError(f"{message_id} is outbound: use resend")
    if message.state not in {State.QUARANTINED, State.DEAD, State.DUPLICATE, State.CLOSED}:
        raise JournalError(f"{message_id} is {message.state.value}; only quarantined, dead, duplicate or closed "
                           "messages can be replayed")
    # a duplicate, or a repeated control number held for a person (other bytes): processed as new this time
    force = message.state is State.DUPLICATE or bool(message.meta.get("duplicate_of"))
    return journal.transition(message_id, State.RECEIVED, "replay requested", attempts=0,
                              meta={"force": force, "acks_queued": False,
                                    "failing_since": None, "replayed_at": utcnow().isoformat()},
                              last_error=None)


class WorkerPool:
    """Takes due messages from the journal into a bounded queue; workers run them in threads."""

    def __init__(self, name: str, journal: SqliteJournal, handle: Callable[[str], Any],
                 select: Callable[[Message], bool], workers: int, queue_size: int,
                 after_pause: Callable[[], Any] | None = None, isolation: Isolation | None = None) -> None:
        """`isolation`: where the pools note what they work on, and which suspects of a kill run alone first."""
        self.name = name
        self.isolation = isolation
        self.after_pause = after_pause  # run (in a thread) once work goes through again after a disk-full pause
        self.journal = journal
        self.handle = handle            # blocking function run in a thread, or a coroutine function
        self.select = select
        self.workers = workers
        self.queue: asyncio.Queue[str] = asyncio.Queue(maxsize=queue_size)
        self.in_flight: set[str] = set()
        self.wake = asyncio.Event()
        self.stopping = False
        self.busy = 0
        self._tasks: list[asyncio.Task[Any]] = []
        # a message whose step raised what the journal could not record: without a pause, the dispatcher
        # would hand it out again every half second
        self._cooling: dict[str, HoldBack] = {}
        self._full = HoldBack(MAX_COOLING)      # the journal or archive disk is full: nothing is taken
        if isolation is not None:
            isolation.pools.append(self)

    def _storage_full(self, exc: StorageFull) -> None:
        """The disk under the journal or archive is full: every step would fail the same way, so none is
        taken for a while (one log line per pause), until one goes through."""
        if self._full.holding():
            return
        seconds = self._full.fail()
        log.error("%s: %s; no message is taken for %.0f s (free space, nothing is lost: what was received "
                  "waits in the journal, senders are not acknowledged)", self.name, exc, seconds)

    def start(self) -> None:
        self._tasks = [asyncio.create_task(self._dispatch(), name=f"{self.name}-dispatch")]
        self._tasks += [asyncio.create_task(self._work(), name=f"{self.name}-{i}") for i in range(self.workers)]

    async def _dispatch(self) -> None:
        while not self.stopping:
            wait = self._full.until - time.monotonic()
            if wait > 0:
                await asyncio.sleep(min(wait, 0.5))
                continue
            try:
                due = await asyncio.to_thread(self.journal.due, utcnow(), 500)
            except JournalError as exc:
                log.error("%s: cannot read the journal: %s", self.name, exc)
                due = []
            if self.isolation is not None:
                due = await self.isolation.admit(self, self.journal, due)
            now = time.monotonic()
            for message in due:
                if self.stopping:
                    break
                cooling = self._cooling.get(message.id)
                if message.id in self.in_flight or not self.select(message) or \
                        cooling is not None and cooling.holding(now):
                    continue
                self.in_flight.add(message.id)
                await self.queue.put(message.id)          # blocks when full: backpressure
            self.wake.clear()
            try:
                await asyncio.wait_for(self.wake.wait(), timeout=0.5)
            except TimeoutError:
                pass

    async def _work(self) -> None:
        while True:
            message_id = await self.queue.get()
            if self.stopping:       # put by a dispatcher that waited for room as the pool closed: for the next run
                self.in_flight.discard(message_id)
                self.queue.task_done()
                continue
            self.busy += 1
            if self.isolation is not None:
                self.isolation.begin(message_id)
            try:
                if inspect.iscoroutinefunction(self.handle):
                    await self.handle(message_id)
                else:
                    await asyncio.to_thread(self.handle, message_id)
                self._cooling.pop(message_id, None)
                if self._full.clear():
                    log.info("%s: the journal and archive take writes again", self.name)
                    if self.after_pause is not None:
                        await asyncio.to_thread(self.after_pause)
            except StorageFull as exc:
                self._storage_full(exc)
            except Exception:
                if message_id not in self._cooling:
                    log.exception("%s: unexpected error on %s", self.name, message_id)
                if self.isolation is not None:
                    # it raised, it did not kill the gateway: cooled like any other, no longer run alone (as a
                    # suspect it was all the pools could take, so nothing else ran while it cooled down)
                    self.isolation.suspects.pop(message_id, None)
                delay = self._cooling.setdefault(message_id, HoldBack(MAX_COOLING)).fail()
                log.error("%s: message %s is tried again in %.0f s", self.name, message_id, delay)
            finally:
                self.busy -= 1
                self.in_flight.discard(message_id)
                self.queue.task_done()
                if self.isolation is not None:
                    await self.isolation.end(self.journal, message_id)
                self.wake.set()

    def close(self) -> None:
        """Stop taking work: nothing queued or due is begun any more (it stays in the journal for the next run).
        The daemon's stop closes the inbound pool first: a message its stop left in a step would be handed out
        again while the other parts stop."""
        self.stopping = True
        self.wake.set()
        while not self.queue.empty():
            message_id = self.queue.get_nowait()
            self.in_flight.discard(message_id)
            self.queue.task_done()

    async def idle(self, timeout: float) -> bool:
        """Stop taking work and wait up to `timeout` for the running steps to end, the pool's tasks left running
        (`stop` ends them); True when none runs."""
        self.close()
        deadline = time.monotonic() + timeout
        while self.busy and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        return self.busy == 0

    async def stop(self, timeout: float) -> bool:
        """Stop taking work, let running steps finish within `timeout`; True when all finished."""
        drained = await self.idle(timeout)
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        return drained
