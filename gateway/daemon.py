"""The gateway process: one asyncio loop running intake, the inbound workers, the outbox and the
parts other modules add (SFTP, AS2, remote SFTP, the ops server, the Odoo scheduler).

Start-up resumes every message from its last committed state (the workers simply take what the
journal says is due); after a run that ended without a clean stop, what it was posting first waits
`odoo.in_doubt_seconds` (`single_instance`, `Pipeline.doubt_after_crash`). SIGTERM (or SIGINT) stops intake, ends waits for Odoo at once (`gateway.odoo.halt`),
lets running steps finish within `drain_seconds` and exits 0; SIGHUP re-lints and reloads partner and translation files and the
inbox folders of gateway.yaml, keeping the old ones when the new ones have errors. Under systemd it reports READY=1, STATUS= and
WATCHDOG=1.

Parts plug in through one convention (see docs/ARCHITECTURE.md, "Daemon parts")::

    async def start(ctx: GatewayContext) -> Stopper      # Stopper: async () -> None
    async def reload(ctx: GatewayContext) -> None         # optional, after SIGHUP

`PARTS` says which module is started when; a module that is not installed is skipped.
"""

from __future__ import annotations

import asyncio
import fcntl
import gc
import importlib
import logging
import os
import resource
import signal
import sys
import threading
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

from gateway import sdnotify
from gateway.cli import EXIT_CONFIG, EXIT_ERROR, EXIT_OK, EXIT_UNAVAILABLE
from gateway.config.loader import ConfigErrors, LoadedConfig, check_folders, load_checked, warning_text
from gateway.config.models import As2Channel, GatewayConfig, PartnerConfig
from gateway.errors import ConfigError, GatewayError, JournalError
from gateway.journal.api import Direction, Message, State
from gateway.journal.archive import Archive, fsync_dir
from gateway.journal.sqlite import SqliteJournal, open_journal
from gateway.logs import log_context
from gateway.ops.certificates import Reminders, certificates_in_use, expiry_warnings
from gateway.ops.disk import free_space, low_space_warnings
from gateway.outbound.outbox import DISK_FULL_WAIT, Outbox
from gateway.pipeline import PARK_SECONDS, Pipeline, WorkerPool, utcnow
from gateway.poison import Isolation, count_kills, verdict
from gateway.transports.folder import FolderInbox

log = logging.getLogger("gateway.daemon")

ACK_CHECK_SECONDS = 60.0     # how often sent messages are checked for an acknowledgement past its window
CERT_CHECK_SECONDS = 3600.0  # how often the configured certificates' expiry is looked at (see Reminders)
DISK_CHECK_SECONDS = 300.0   # how often the free space where the gateway writes is looked at
CLOCK_CHECK_SECONDS = 5.0    # how often waits are checked against a clock that stepped back
CLOCK_STEP_SECONDS = 60.0    # a step of the system clock this large (back or forward) reschedules the jobs

Stopper = Callable[[], Awaitable[None]]


@dataclass
class GatewayContext:
    """What a daemon part receives: the configuration and the shared services.

    `config` is replaced on reload; read `ctx.config` / `ctx.partners` each time rather than
    keeping a copy. Transports call `ctx.pipeline.submit(data, IntakeMeta)`; extraction jobs
    call `ctx.pipeline.queue_outbound(partner, rendered, key=...)`.
    """

    config: LoadedConfig
    journal: SqliteJournal
    archive: Archive
    pipeline: Pipeline
    outbox: Outbox
    stopping: asyncio.Event = field(default_factory=asyncio.Event)
    ports: dict[str, int] = field(default_factory=dict)          # bound ports by part: "ops", "sftp", "as2"
    health_checks: dict[str, Callable[[], Awaitable[tuple[bool, str]]]] = field(default_factory=dict)
    isolation: Isolation | None = None       # a transport notes in it the files it is taking in (`gateway.poison`)

    @property
    def partners(self) -> dict[str, PartnerConfig]:
        return self.config.partners


def _uses_channel(ctx: GatewayContext, name: str) -> bool:
    return any(name in [c.channel for c in p.inbound] + [p.outbound.channel if p.outbound else ""]
               for p in ctx.partners.values() if p.active)


# module -> when it is started
PARTS: dict[str, Callable[[GatewayContext], bool]] = {
    "gateway.odoo.rights": lambda ctx: ctx.config.gateway.odoo.enabled,      # before ops: its check on /healthz
    "gateway.ops.server": lambda ctx: ctx.config.gateway.ops.enabled,
    "gateway.transports.sftp_server": lambda ctx: ctx.config.gateway.sftp_server.enabled,
    "gateway.transports.as2": lambda ctx: ctx.config.gateway.as2_server.enabled,
    "gateway.transports.sftp_remote": lambda ctx: _uses_channel(ctx, "sftp_remote"),
    "gateway.odoo.scheduler": lambda ctx: ctx.config.gateway.odoo.enabled and any(
        d.direction == "out" and d.trigger != "none" for p in ctx.partners.values() for d in p.documents),
}


def _freeze_long_lived(*, collect: bool = True) -> None:
    """Put what lives until the next reload (modules, profiles, config) out of every later collection: walking
    it again and again measured 15-20% of the translation hot path. At a reload the previous profiles are
    let go first, so their cyclic parts are freed rather than kept frozen for good. At start nothing was let
    go: a full collection there walked every object of the imports (~0.25 s of CPU at each start) to free a
    few dozen, so `collect=False` freezes them as they are."""
    gc.unfreeze()
    if collect:
        gc.collect()
    gc.freeze()


class Daemon:
    """Owns the loop's tasks; `run()` returns the process exit code."""

    def __init__(self, config: LoadedConfig, *, after_crash: bool = False) -> None:
        """`after_crash`: the previous run on this state folder ended without a clean stop (`single_instance`)."""
        self.config = config
        self.after_crash = after_crash
        self.journal = open_journal(config.gateway.state_dir)
        self.archive = Archive(config.gateway.archive_dir)
        self.pipeline = Pipeline(config, self.journal, self.archive)
        self.outbox = Outbox(config, self.journal, self.archive)
        self.ctx = GatewayContext(config, self.journal, self.archive, self.pipeline, self.outbox)
        # what the last run was working on when it ended, and the suspects of a kill it had not run alone yet
        self.isolation, self.running_at_end = Isolation.load(config.gateway.state_dir)
        self.isolation.limit, self.isolation.quarantine = config.gateway.poison_kills, config.gateway.quarantine_dir
        self.ctx.isolation = self.isolation
        self.inboxes = [FolderInbox(settings, self.pipeline, isolation=self.isolation)
                        for settings in config.gateway.inbox]
        self.stoppers: list[tuple[str, Stopper]] = []
        self.modules: dict[str, Any] = {}
        self._stop = asyncio.Event()
        self._reload = asyncio.Event()
        self._tasks: list[asyncio.Task[Any]] = []

    # ------------------------------------------------------------------ lifecycle
    async def run(self) -> int:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self._stop.set)
        loop.add_signal_handler(signal.SIGHUP, self._reload.set)
        gw = self.config.gateway
        self.executor = ThreadPoolExecutor(max_workers=gw.workers + gw.outbox.concurrency_per_channel * 2 + 8,
                                           thread_name_prefix="gw")
        loop.set_default_executor(self.executor)
        self.inbound = WorkerPool("worker", self.journal, self.pipeline.advance,
                                  lambda m: m.direction is Direction.IN,
                                  gw.workers, gw.queue_size, isolation=self.isolation)
        # after a disk-full pause: what was delivered while its last journal write failed is finished then
        self.outbound = WorkerPool("outbox", self.journal, self.outbox.deliver_one, self.outbox.wants,
                                   max(1, gw.outbox.concurrency_per_channel * 2), gw.queue_size,
                                   after_pause=self.outbox.resume, isolation=self.isolation)

        def wake() -> None:
            for pool in (self.inbound, self.outbound):
                loop.call_soon_threadsafe(pool.wake.set)

        self.pipeline.on_new = wake
        await asyncio.to_thread(self.outbox.resume)
        await asyncio.to_thread(self.journal.clear_waits)      # whatever waited for a missing part: try again
        if self.after_crash:
            await asyncio.to_thread(self._count_kills)
        if self.after_crash and (doubted := await asyncio.to_thread(self.pipeline.doubt_after_crash)):
            log.warning("the previous run ended without a clean stop: %d message(s) it was posting wait %gs, "
                        "the time a write it had sent may still run in Odoo, before they are posted again",
                        doubted, gw.odoo.in_doubt_seconds)
        self.inbound.start()
        try:
            for inbox in self.inboxes:
                await inbox.start()
            await self._start_parts()
            # after the parts: a message queued while the gateway was down goes out through its channel (AS2,
            # our SFTP server), which is only there once its part has started
            self.outbound.start()
        except GatewayError as exc:
            log.error("cannot start: %s", exc)
            await self._shutdown()
            return EXIT_UNAVAILABLE
        except OSError as exc:
            log.error("cannot start: %s%s", f"{exc.filename}: " if exc.filename else "", exc.strerror or exc)
            await self._shutdown()
            return EXIT_UNAVAILABLE
        pending = sum(self.journal.counts().get(s, 0) for s in ("received", "parsed", "translated", "posted",
                                                                 "queued", "retry_wait"))
        log.info("edi-gateway running: %d partners, %d messages to resume", len(self.ctx.partners), pending)
        sdnotify.notify("READY=1", f"STATUS={self._status()}")
        self._tasks.append(asyncio.create_task(self._heartbeat(), name="heartbeat"))
        self._tasks.append(asyncio.create_task(self._watch_acks(), name="overdue-acks"))
        self._tasks.append(asyncio.create_task(self._watch_certificates(), name="certificates"))
        self._tasks.append(asyncio.create_task(self._watch_disk(), name="disk"))
        self._tasks.append(asyncio.create_task(self._watch_clock(), name="clock"))
        _freeze_long_lived(collect=False)
        while not self._stop.is_set():
            stop = asyncio.create_task(self._stop.wait())
            reload = asyncio.create_task(self._reload.wait())
            await asyncio.wait({stop, reload}, return_when=asyncio.FIRST_COMPLETED)
            for task in (stop, reload):
                task.cancel()
            if self._reload.is_set() and not self._stop.is_set():
                self._reload.clear()
                await self.reload()
        sdnotify.notify("STOPPING=1", "STATUS=draining")
        self.isolation.stop()               # a kill from now on ends a stop: no kill counted (`Isolation.load`)
        drained = await self._shutdown()
        if not drained:
            # a step still runs in a thread (a slow Odoo call): its message stays in its last
            # committed state and resumes at the next start, so leaving now loses nothing
            log.warning("stopped with work still running after %.0fs; it resumes at the next start",
                        gw.drain_seconds)
            self.isolation.leave()          # a stop, not a kill: nothing it was working on is a suspect
            self.journal.close()
            logging.shutdown()
            os._exit(EXIT_OK)
        log.info("stopped")
        return EXIT_OK

    def _count_kills(self) -> None:
        """The last run was killed: a kill counted on each message it was working on; one at its limit is set aside
        (quarantined, an outbound one dead, with the reason), the others run alone first (`gateway.poison`)."""
        # suspects first, the list saved before any count: a start that fails while counting counts none twice
        self.isolation.suspects.update(dict.fromkeys(self.running_at_end))
        self.isolation.save()
        self.isolation.count_intake_kills(len(dict.fromkeys(self.running_at_end)))
        for message in count_kills(self.journal, self.running_at_end, len(self.isolation.taken_at_end)):
            reason = verdict(message, self.config.gateway.poison_kills)
            if reason is None:
                log.warning("the gateway was killed while working on %s (%s): it runs alone first",
                            message.id, message.filename)
                continue
            meta = {"killed": {**message.meta["killed"], "set_aside": True}}
            with log_context(message_id=message.id, partner=message.partner):
                if message.direction is Direction.IN:      # its .reason.txt's next step reads the meta
                    self.pipeline._quarantine(replace(message, meta={**message.meta, **meta}), reason, meta=meta)
                else:
                    log.error("dead: %s", reason)
                    self.journal.transition(message.id, State.DEAD, "set aside", error=reason, meta=meta)
            self.isolation.suspects.pop(message.id, None)
        self.isolation.save()

    async def _start_parts(self) -> None:
        for name, wanted in PARTS.items():
            if not wanted(self.ctx):
                continue
            try:
                module = importlib.import_module(name)
            except ModuleNotFoundError as exc:
                if exc.name and name.startswith(exc.name):
                    log.warning("%s is enabled in the configuration but not installed: skipped", name)
                    continue
                raise
            stopper = await module.start(self.ctx)
            self.modules[name] = module
            self.stoppers.append((name, stopper))
            log.info("started %s", name)

    async def _shutdown(self) -> bool:
        """Stop intake first (senders keep what we did not commit), then drain the workers."""
        self.pipeline.accepting = False
        self.pipeline.halt.set()           # worker threads waiting for Odoo give up now, without a retry
        self.inbound.close()               # and no message (one just left by that) is begun again
        self.outbound.close()              # nor a delivery, through a channel whose part is about to stop
        self.ctx.stopping.set()
        deadline = time.monotonic() + self.config.gateway.drain_seconds
        for inbox in self.inboxes:
            await inbox.stop()
        # a running delivery uses its channel's part (the AS2 ledger records its MDN): it ends before they stop,
        # within half the drain, else its answer met a closed ledger ("channel as2 failed") and it went again
        await self.outbound.idle(max(0.1, (deadline - time.monotonic()) / 2))
        for name, stopper in reversed(self.stoppers):
            try:
                await asyncio.wait_for(stopper(), timeout=max(0.1, deadline - time.monotonic()))
            except Exception as exc:  # noqa: BLE001 - one part failing to stop must not keep the others running
                log.error("stopping %s: %s", name, exc)
        for task in self._tasks:
            task.cancel()
        left = max(0.1, deadline - time.monotonic())
        results = await asyncio.gather(self.inbound.stop(left), self.outbound.stop(left))
        return all(results) and await self._threads_finished(deadline)

    async def _threads_finished(self, deadline: float) -> bool:
        """Wait until `deadline` for the threads still working for tasks the stop cancelled (a scheduler run, a
        disk check); True when none is left. asyncio.run waits for them too, without a bound, after "stopped"."""
        finished: Future[None] = Future()

        def close() -> None:
            self.executor.shutdown(wait=True)
            finished.set_result(None)

        # not the executor's own thread, and a daemon one: the interpreter does not wait for it at exit
        threading.Thread(target=close, name="gw-stop", daemon=True).start()
        try:
            await asyncio.wait_for(asyncio.wrap_future(finished), timeout=max(0.1, deadline - time.monotonic()))
        except TimeoutError:
            return False
        return True

    async def reload(self) -> None:
        """SIGHUP: re-lint (transport checks included); on success swap partners and profiles, else keep the running ones."""
        sdnotify.notify("RELOADING=1")
        try:
            fresh = await asyncio.to_thread(load_checked, self.config.path)
        except ConfigError as exc:
            for error in getattr(exc, "errors", [exc]):
                log.error("reload refused, keeping the running configuration: %s", error)
            sdnotify.notify("READY=1", f"STATUS=reload failed; {self._status()}")
            return
        fresh.gateway = await self._apply_gateway_changes(fresh.gateway)
        self.config = fresh
        self.ctx.config = fresh
        self.pipeline.config = fresh
        self.pipeline.unpark_all()                # what waited for a partner file may go on now
        self.pipeline.forget_lookups()            # a reload follows fixes, in Odoo as in the partner files
        self.outbox.reload(fresh)
        for name, module in self.modules.items():
            hook = getattr(module, "reload", None)
            if hook is not None:
                try:
                    await hook(self.ctx)
                except Exception as exc:  # noqa: BLE001 - a part's failed reload must not stop the daemon
                    log.error("reload of %s failed: %s", name, exc)
        _freeze_long_lived()
        log.info("reloaded: %d partners", len(fresh.partners))
        sdnotify.notify("READY=1", f"STATUS={self._status()}")

    async def _apply_gateway_changes(self, fresh: GatewayConfig) -> GatewayConfig:
        """The running gateway settings with the new `inbox:` list applied (added folders watched, removed ones
        let go once a file being taken is in); the rest of gateway.yaml (listeners, state folders, limits)
        changes on restart only, and each setting left waiting is named in the log."""
        old = self.config.gateway
        waiting = [name for name in type(old).model_fields
                   if name != "inbox" and getattr(old, name) != getattr(fresh, name)]
        if waiting:
            log.warning("gateway.yaml changes that apply at the next restart, not now: %s", ", ".join(waiting))
        if fresh.inbox == old.inbox:
            return old
        kept = [inbox for inbox in self.inboxes if inbox.settings in fresh.inbox]
        for inbox in self.inboxes:
            if inbox not in kept:
                await inbox.stop()
                log.info("no longer watching %s", inbox.folder)
        running = [inbox.settings for inbox in kept]
        for settings in fresh.inbox:
            if settings in running:
                continue
            inbox = FolderInbox(settings, self.pipeline, isolation=self.isolation)
            try:
                await inbox.start()
            except OSError as exc:
                log.error("cannot watch %s: %s", settings.path, exc.strerror or exc)
                await inbox.stop()
                continue
            kept.append(inbox)
        self.inboxes = kept
        return old.model_copy(update={"inbox": [inbox.settings for inbox in kept]})

    async def _watch_acks(self) -> None:
        """At start and every minute: flag sent messages whose acknowledgement is overdue (once each)."""
        while True:
            try:
                await asyncio.to_thread(self.pipeline.flag_overdue_acks)
            except GatewayError as exc:
                log.error("overdue acknowledgement check failed: %s", exc)
            except Exception:      # a bug here must not end the check for the rest of the run
                log.exception("overdue acknowledgement check failed")
            await asyncio.sleep(ACK_CHECK_SECONDS)

    async def _watch_certificates(self) -> None:
        """At start and every hour: log the certificates that expired or expire soon (each once a day)."""
        reminders = Reminders()
        while True:
            try:
                found = await asyncio.to_thread(certificates_in_use, self.ctx.config.gateway, self.ctx.partners)
                now = datetime.now(UTC)
                for warning in reminders.due(expiry_warnings(found, now), now):
                    log.warning("certificate: %s", warning)
            except Exception:      # a bug here must not end the check for the rest of the run
                log.exception("certificate check failed")
            await asyncio.sleep(CERT_CHECK_SECONDS)

    async def _watch_disk(self) -> None:
        """At start and every few minutes: log each filesystem the gateway writes to that has less than
        ops.min_free_mb free (when it first does, then once a day while it does)."""
        reminders = Reminders()
        while True:
            try:
                gateway = self.ctx.config.gateway
                spaces = await asyncio.to_thread(free_space, gateway)
                low = {str(s.path): w for s, w in ((s, low_space_warnings([s], gateway.ops.min_free_mb))
                                                   for s in spaces) if w}
                for path in reminders.due(list(low), datetime.now(UTC)):
                    log.warning("disk: %s", low[path][0])
            except Exception:      # a bug here must not end the check for the rest of the run
                log.exception("free space check failed")
            await asyncio.sleep(DISK_CHECK_SECONDS)

    async def _watch_clock(self) -> None:
        """At start and every few seconds: waits set beyond the longest the gateway sets are brought back to it, and
        on a step back seen while running every wait moves back by the step (`SqliteJournal.pull_in`), and so does
        each acknowledgement's due time (`SqliteJournal.pull_in_ack_dues`, which also brings back one beyond the
        longest acknowledgement window); a step of
        the clock either way while running reschedules the scheduler's jobs
        (`clock_stepped` hooks). APScheduler keeps each job's next run on the wall clock: after NTP set back a
        clock that ran a day ahead, no ASN, invoice or 855 was extracted for a day; a clock stepped forward past
        a stock feed's slot (or a VM resumed after it) skipped that feed as missed until the next slot."""
        offset = utcnow().timestamp() - time.monotonic()
        while True:
            try:
                gw = self.ctx.config.gateway
                longest = max(gw.outbox.max_backoff, gw.odoo.in_doubt_seconds, PARK_SECONDS, DISK_FULL_WAIT)
                now = utcnow().timestamp() - time.monotonic()
                back = timedelta(seconds=offset - now if offset - now > CLOCK_STEP_SECONDS else 0)
                moved = await asyncio.to_thread(self.journal.pull_in, utcnow() + timedelta(seconds=longest + 1), back)
                if moved and back:
                    log.warning("clock: %d message(s) waiting moved back with the clock", moved)
                elif moved:
                    log.warning("clock: %d message(s) waited beyond %gs from now, the longest wait configured (a "
                                "clock since put back, or a lower outbox.max_backoff): tried within it", moved, longest)
                stepped, offset = offset - now, now     # once the waits moved: not moved again by the next check
                window = longest_ack_window(self.ctx.partners)
                dues = await asyncio.to_thread(self.journal.pull_in_ack_dues, utcnow() + window, back)
                if dues and back:
                    log.warning("clock: %d acknowledgement due time(s) moved back with the clock", dues)
                elif dues:
                    log.warning("clock: %d acknowledgement due time(s) were beyond %s from now, the longest "
                                "acknowledgement window configured (a clock since put back, or a window shortened): "
                                "brought back to it", dues, window)
                if abs(stepped) > CLOCK_STEP_SECONDS:
                    hooks = [h for h in (getattr(m, "clock_stepped", None) for m in self.modules.values()) if h]
                    log.warning("clock: the system clock went %s %.0fs%s", "back" if stepped > 0 else "forward",
                                abs(stepped), "; the scheduled jobs are planned again" if hooks else "")
                    for hook in hooks:
                        await hook(self.ctx)
            except GatewayError as exc:
                log.error("clock check failed: %s", exc)
            except Exception:      # a bug here must not end the check for the rest of the run
                log.exception("clock check failed")
            await asyncio.sleep(CLOCK_CHECK_SECONDS)

    # ------------------------------------------------------------------ systemd
    def _status(self) -> str:
        counts = self.journal.counts()
        waiting = sum(counts.get(s, 0) for s in ("received", "parsed", "translated", "posted", "queued"))
        return (f"{len(self.ctx.partners)} partners; {waiting} in progress, {counts.get('retry_wait', 0)} "
                f"retrying, {counts.get('quarantined', 0)} quarantined, {counts.get('dead', 0)} dead")

    async def _heartbeat(self) -> None:
        interval = sdnotify.watchdog_interval()
        last_status = 0.0
        while True:
            await asyncio.sleep(min(interval or 10.0, 10.0))
            try:
                status = await asyncio.to_thread(self._status)   # also proves the journal answers
            except GatewayError as exc:
                log.error("journal check failed: %s", exc)
                continue
            lines = ["WATCHDOG=1"] if interval else []
            if time.monotonic() - last_status >= 10:
                lines.append(f"STATUS={status}")
                last_status = time.monotonic()
            if lines:
                sdnotify.notify(*lines)


def run(config_path: str | Path | None) -> int:
    """`edi-gateway run`: load (refuse to start on any error), then serve until SIGTERM."""
    try:
        config = load_checked(config_path)
    except ConfigErrors as exc:
        for error in exc.errors:
            print(f"error: {error}", file=sys.stderr)
        print("not started: fix the configuration (edi-gateway lint)", file=sys.stderr)
        return EXIT_CONFIG
    # the journal, archive and quarantine hold partner data: never readable by other users, even when
    # started from a login shell (umask 022); systemd's UMask=0027 is the same floor
    os.umask(os.umask(0o027) | 0o027)
    from gateway import logs
    logs.configure(config.gateway.log_format, config.gateway.log_level)
    logs.register_config_secrets(config.gateway)
    for warning in dict.fromkeys(warning_text(w) for w in config.warnings):
        log.warning("config warning%s", warning)
    for problem in check_folders(config):
        log.warning("folder: %s", problem)
    raise_open_files_limit()
    try:
        lock, crashed = single_instance(config.gateway.state_dir)
        daemon = Daemon(config, after_crash=crashed)
    except GatewayError as exc:
        log.error("cannot start: %s", exc)
        return EXIT_UNAVAILABLE
    code = EXIT_ERROR
    try:
        code = asyncio.run(daemon.run())
        return code
    except Exception:     # a bug: logged with its traceback for the operator; systemd restarts us
        log.exception("the gateway stopped on an internal error; every message resumes at the next start")
        return EXIT_ERROR
    finally:
        daemon.journal.close()
        # drained (a stop, or a start that failed on a part and stopped what it had begun; asyncio.run waited for
        # their threads): the next start need not doubt what this run was posting
        if code in (EXIT_OK, EXIT_UNAVAILABLE):
            try:
                _write_lock(lock, "")
            except OSError as exc:       # the next start then waits out what this one was posting: safe
                log.warning("cannot empty %s: %s", lock.name, exc.strerror or exc)
        lock.close()


def longest_ack_window(partners: dict[str, PartnerConfig]) -> timedelta:
    """The longest any acknowledgement may take (997/999/CONTRL and SFTP pickup windows, async MDN timeouts): a due
    time further ahead was set on a clock since put back. A minute more, so a due time set this second is left."""
    hours = [Pipeline.ack_window(p, syntax) for p in partners.values() for syntax in ("x12", "edifact")]
    hours += [p.outbound.mdn_timeout_hours for p in partners.values() if isinstance(p.outbound, As2Channel)]
    return timedelta(hours=max(hours, default=24.0), minutes=1)


def raise_open_files_limit() -> None:
    """Raise the soft limit on open files to the hard one (systemd gives services 1024 soft, 524288 hard): every
    SFTP or AS2 connection is a file descriptor, and the journal, the archive and the outbox need theirs
    however many partners are connected. The listeners' max_connections stay far below either limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard != resource.RLIM_INFINITY else max(soft, 1 << 20)
    if soft == resource.RLIM_INFINITY or soft >= target:
        return
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    except (OSError, ValueError) as exc:
        log.warning("open files limit stays at %d: %s", soft, exc)
        return
    log.info("open files limit raised from %d to %d", soft, target)


def single_instance(state_dir: Path) -> tuple[TextIO, bool]:
    """Hold `state_dir/gateway.lock` for the daemon's life (the kernel lets go when the process ends, however it
    ends). A second daemon on the same journal, say `edi-gateway run` by hand beside the systemd service,
    would take the same files and post and deliver the same messages twice. Also True when the previous daemon
    ended without a clean stop: its "pid N" is still in the file, which `run` empties once it has drained."""
    path = Path(state_dir) / "gateway.lock"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        new = not path.exists()
        handle = open(path, "a+", encoding="utf-8")  # noqa: SIM115 - held open until the daemon ends
        if new:
            fsync_dir(path.parent)      # the name too: a lock file a power cut took away says "clean stop"
    except OSError as exc:
        raise JournalError(f"cannot open {path}: {exc.strerror or exc}") from exc
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.seek(0)
        holder = handle.read().strip() or "another process"
        handle.close()
        raise JournalError(f"another edi-gateway runs on {state_dir} ({holder}); stop it first (systemctl "
                           "stop edi-gateway), or give this one its own state_dir") from None
    handle.seek(0)
    crashed = handle.read().startswith("pid ")
    try:
        _write_lock(handle, f"pid {os.getpid()}\n")
    except OSError as exc:
        handle.close()
        raise JournalError(f"cannot write {path}: {exc.strerror or exc}") from exc
    return handle, crashed


def _write_lock(handle: TextIO, text: str) -> None:
    """Replace the lock's content and fsync it. The pid must be on disk before this run sends Odoo a write: a power
    cut that lost it left the emptied lock of the last clean stop, and the next start posted at once what this run
    may have had in Odoo's hands (no `odoo.in_doubt_seconds` wait: a second sale order). Emptied at a clean stop,
    durably too, so that stop's next start does not wait for nothing."""
    handle.seek(0)
    handle.truncate()
    handle.write(text)
    handle.flush()
    os.fsync(handle.fileno())


__all__ = ["PARTS", "Daemon", "GatewayContext", "Message", "Stopper", "run"]
