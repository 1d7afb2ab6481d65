"""Poison files: a file whose processing kills the gateway (the kernel's OOM kill of a big file, a segfault in a C
library, a kill of a runaway) is set aside after a few kills instead of being taken again at every start, which
under systemd's Restart= made the gateway crash-loop on it every few seconds while little else went through.

The workers note in `state/inflight` which messages they are working on, and which suspects of the last kill have
not yet run alone. It is written without fsync: a killed process's writes stay in the page cache (a machine crash
is another case, and loses at most a count). A start after a kill (`gateway.lock` still said "pid N") counts a kill
on each message that was being worked on (an event, and meta `killed`), sets aside one at its limit (`verdict`), and
runs each other suspect alone, no other worker busy, before the workers take the rest: a message that only ran
beside the poison file finishes alone and never reaches the limit, while the poison file kills the gateway alone.

A file can kill the gateway before it is a message too, while it is taken in (archived; an AS2 message decrypted,
verified, decompressed first). Such a file is still in the inbox folder at the next start, or sent again by its
partner: the intakes note it in `state/inflight` as `taking <key> <what>` (the key names it at its source), a start
after a kill counts the kill in `state/intake-kills`, and the intake sets the file aside (`set_aside_file`) once it
is at the same limit, taking it alone before that.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
import shutil
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from gateway.errors import GatewayError
from gateway.journal.api import Direction, Message, State
from gateway.journal.archive import fsync_dir
from gateway.journal.sqlite import SqliteJournal
from gateway.transports.temp_names import processed_name

log = logging.getLogger("gateway.poison")

ALONE_KILLS = 2          # kills while it was the only message worked on: that is enough to set a message aside
STEPS = {State.RECEIVED: "parse", State.PARSED: "translate", State.TRANSLATED: "post"}   # the step each state runs
DOING = {"parse": "reading", "translate": "translating", "post": "posting", "delivery": "delivering"}
INTAKE_KILLS = "intake-kills"           # in the state folder: the kills counted on files being taken in
FORGET_INTAKE_KILLS = timedelta(days=30)  # a count on a file never seen again (its sender took it back) is let go
SET_ASIDE_MARK = ".killed-"              # <name>.killed-<SET_ASIDE_STAMP>: a set-aside copy in the quarantine
SET_ASIDE_STAMP = "%Y%m%dT%H%M%S%fZ"     # (`gateway.ops.setaside` lists them from there: the only record kept)


def intake_key(*source: object) -> str:
    """What names a file being taken in, before it has a message, at its source: a folder file's path, inode, size
    and mtime (a new version is another file); an AS2 message's partner and Message-ID (kept by its resends)."""
    return hashlib.sha256("\0".join(map(str, source)).encode("utf-8", "surrogateescape")).hexdigest()[:32]


def step_of(message: Message) -> str | None:
    """The step a worker runs on `message` in its committed state (a retry: the step it failed in), None when no
    step that could kill runs from it (finished, waiting for a person, POSTED's own bookkeeping)."""
    state = message.state
    if state is State.RETRY_WAIT:
        state = State(message.meta.get("resume_state") or State.RECEIVED.value)
    if message.direction is Direction.OUT:
        return "delivery" if state is State.QUEUED else None
    return STEPS.get(state)


class Pool(Protocol):
    """What the isolation needs of a worker pool (`gateway.pipeline.WorkerPool`)."""

    in_flight: set[str]
    select: Callable[[Message], bool]


@dataclass
class Isolation:
    """The messages being worked on and the suspects to run alone, shared by the inbound and outbound pools (all on
    the event loop's thread) and kept in `state/inflight`."""

    path: Path
    running: dict[str, None] = field(default_factory=dict)
    suspects: dict[str, str | None] = field(default_factory=dict)   # id -> the step it was in when last seen killed
    pools: list[Pool] = field(default_factory=list)
    stopping: bool = False     # a stop (SIGTERM) began: a kill from now on is systemd's after TimeoutStopSec
    taking: dict[str, str] = field(default_factory=dict)        # intake key -> what (the log's words), being taken
    taken_at_end: dict[str, str] = field(default_factory=dict)  # those the last run was taking when it ended
    intake_kills: dict[str, dict[str, Any]] = field(default_factory=dict)   # key -> count, alone, what, at
    limit: int = 3             # gateway.poison_kills
    quarantine: Path = Path("quarantine")   # gateway.quarantine_dir: where a file an intake sets aside goes
    _fd: int | None = None
    _size: int = 0

    @classmethod
    def load(cls, state_dir: Path) -> tuple[Isolation, list[str]]:
        """The isolation with the suspects a stopped run left, and the messages it was working on when it ended."""
        isolation = cls(Path(state_dir) / "inflight")
        running: list[str] = []
        try:
            lines = isolation.path.read_text(encoding="ascii").splitlines()
        except (OSError, UnicodeDecodeError):
            lines = []          # none yet, or not ours: nothing is counted, nothing is lost
        if "stopping" in lines:
            # killed while it stopped (systemd's SIGKILL after TimeoutStopSec, a reboot that would not wait): a
            # long step cut short, not a file that kills the gateway; counted, three such stops set a fine file aside
            lines = [line for line in lines if not line.startswith(("running ", "taking "))]
        for line in lines:
            kind, _, message_id = line.partition(" ")
            if kind == "running" and message_id:
                running.append(message_id)
            elif kind == "suspect" and message_id:
                isolation.suspects[message_id] = None
            elif kind == "taking" and message_id:
                key, _, what = message_id.partition(" ")
                isolation.taken_at_end[key] = what
        try:
            kills = json.loads((Path(state_dir) / INTAKE_KILLS).read_text(encoding="utf-8"))
            since = (datetime.now(UTC) - FORGET_INTAKE_KILLS).isoformat()
            isolation.intake_kills = {k: v for k, v in kills.items() if isinstance(v, dict) and v.get("at", "") > since}
        except (OSError, ValueError, AttributeError):
            pass                # none yet (or not ours): a file that kills the gateway is counted from now on
        return isolation, running

    def save(self) -> None:
        """Write the list over the old one in one write from its start, padded with blank lines to the old one's
        length: a kill cannot cut a write within a page in two, and the file is never renamed over nor emptied,
        which ext4 would flush to disk (2 ms a time measured here, twice per message, against 3 us)."""
        data = ("stopping\n" * self.stopping + "".join(f"running {m}\n" for m in self.running) +
                "".join(f"suspect {m}\n" for m in self.suspects) +
                "".join(f"taking {k} {w}\n" for k, w in self.taking.items())).encode("ascii")   # one running too
        try:
            if self._fd is None:
                self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o640)
                self._size = os.fstat(self._fd).st_size
            os.pwrite(self._fd, data + b"\n" * (self._size - len(data)), 0)
            self._size = max(self._size, len(data))
        except OSError as exc:   # the journal's own folder is full or gone: the journal says so louder
            log.debug("cannot write %s: %s", self.path, exc)

    # ------------------------------------------------------------------ files being taken in (no message yet)
    @contextmanager
    def taking_in(self, key: str, what: str) -> Iterator[None]:
        """Note `key` (`intake_key`) in `state/inflight` while the block takes its file in: a kill meanwhile is
        counted on it at the next start. A take that ends, taken or refused (an error: the process lived through
        it), clears its count."""
        if key in self.intake_kills:
            log.warning("taking %s in alone: the gateway was killed while taking it in", what)
        self.taking[key] = ascii(what)[1:-1][:300]         # the list is ASCII: a name's other letters escaped
        self.save()
        ended = False
        try:
            yield
            ended = True
        except Exception:
            ended = True
            raise
        finally:
            self.taking.pop(key, None)
            self.save()
            if ended and self.intake_kills.pop(key, None) is not None:
                self._save_intake_kills()

    def intake_kill_count(self, key: str) -> int:
        """The kills counted on this file while it was taken in: one with any is taken alone, fewest kills first
        (one killed only beside the poison file goes in before the poison file kills the gateway again)."""
        return int(self.intake_kills.get(key, {}).get("count", 0))

    def intake_verdict(self, key: str) -> str | None:
        """Why the file `key` names is set aside, not taken in again, or None (the same limits as a message's)."""
        kills = self.intake_kills.get(key)
        if not kills or (kills.get("count", 0) < self.limit and kills.get("alone", 0) < ALONE_KILLS):
            return None
        alone = kills.get("alone", 0)
        return (f"the gateway was killed {kills['count']} times while taking this file in, before it was recorded"
                f"{f' ({alone} of them while it was taken alone)' if alone else ''}; it is set aside so the rest "
                "can go on")

    def forget_intake(self, key: str) -> None:
        """The file `key` names was set aside: sent or put back again, it is counted afresh."""
        if self.intake_kills.pop(key, None) is not None:
            self._save_intake_kills()

    def count_intake_kills(self, beside: int) -> None:
        """A start after a kill: one more kill on each file the last run was taking in (`beside`: the messages it
        was working on besides); durable before anything is taken again."""
        now = datetime.now(UTC).isoformat()
        alone = len(self.taken_at_end) + beside == 1
        for key, what in self.taken_at_end.items():
            before = self.intake_kills.get(key, {})
            kills = {"count": before.get("count", 0) + 1, "alone": before.get("alone", 0) + alone, "what": what,
                     "at": now}
            self.intake_kills[key] = kills
            log.warning("the gateway was killed while taking in %s (%s): kill %d", what,
                        "alone" if alone else "beside other work", kills["count"])
        if self.taken_at_end:
            self._save_intake_kills()

    def _save_intake_kills(self) -> None:
        path = self.path.with_name(INTAKE_KILLS)
        try:
            if not self.intake_kills:
                path.unlink(missing_ok=True)
                return
            tmp = path.with_name(f".{INTAKE_KILLS}.tmp")
            with open(tmp, "w", encoding="utf-8") as f:
                json.dump(self.intake_kills, f)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
            fsync_dir(path.parent)
        except OSError as exc:   # the journal's own folder is full or gone: the journal says so louder
            log.error("cannot write %s: %s", path, exc.strerror or exc)

    def begin(self, message_id: str) -> None:
        self.running[message_id] = None
        self.save()
        if message_id in self.suspects:
            log.warning("running %s alone, no other message meanwhile: the gateway was killed while working on it",
                        message_id)

    async def end(self, journal: SqliteJournal, message_id: str) -> None:
        """A worker is done with `message_id`. A suspect stays one (run alone again when next due) while it is
        still at the step it was killed in: waiting out a lost Odoo write, or retrying it after a failure."""
        self.running.pop(message_id, None)
        if message_id in self.suspects:
            try:
                message = await asyncio.to_thread(journal.get, message_id)
                same = step_of(message) is not None and step_of(message) == self.suspects.get(message_id)
            except Exception:  # noqa: BLE001 - the journal unreadable now: run it alone again, no harm
                same = True
            if not same:
                self.suspects.pop(message_id, None)
        self.save()

    def stop(self) -> None:
        """A stop began: what is being worked on is no suspect if the stop ends in a kill (`load`)."""
        self.stopping = True
        self.save()

    def leave(self) -> None:
        """A stop that did not wait for a step to end (drain_seconds ran out): not a kill, nothing to count."""
        self.running.clear()
        self.save()

    async def admit(self, pool: Pool, journal: SqliteJournal, due: list[Message]) -> list[Message]:
        """What `pool` may take of `due`: all of it while no suspect waits; else nothing while the first due suspect
        waits for every worker to be idle or runs, and that suspect alone, by the pool that takes it, once they are."""
        if not self.suspects:
            return due
        try:
            suspect = self._first_due(await asyncio.to_thread(_read, journal, list(self.suspects)))
        except GatewayError as exc:
            log.error("%s: cannot read the journal: %s", getattr(pool, "name", "pool"), exc)
            return []
        if suspect is None:
            return due
        if not pool.select(suspect) or any(p.in_flight for p in self.pools):
            return []           # the pools' in_flight: what they queued or run, the suspect too once taken
        return [suspect]

    def _first_due(self, found: dict[str, Message | None]) -> Message | None:
        """The suspect to run alone next, fewest kills first (one that only ran beside the poison file finishes
        before the poison file kills the gateway again); those finished meanwhile drop out. On the loop's thread,
        as every change of the lists."""
        now, ready = datetime.now(UTC), []
        for message_id, message in found.items():
            step = step_of(message) if message is not None else None
            if message is None or step is None:
                self.suspects.pop(message_id, None)
            elif message_id in self.suspects:
                self.suspects[message_id] = self.suspects[message_id] or step
                if message.next_attempt_at is None or message.next_attempt_at <= now:
                    ready.append(message)
        return min(ready, key=lambda m: (killed(m).get("count", 0), m.id), default=None)


def _read(journal: SqliteJournal, ids: list[str]) -> dict[str, Message | None]:
    found: dict[str, Message | None] = {}
    for message_id in ids:
        try:
            found[message_id] = journal.get(message_id)
        except KeyError:
            found[message_id] = None
    return found


def killed(message: Message) -> dict[str, Any]:
    """The kills counted on a message at its current step: meta `killed` (count, alone, step), or {}."""
    kills = message.meta.get("killed") or {}
    return kills if isinstance(kills, dict) and kills.get("step") == step_of(message) and \
        not kills.get("set_aside") else {}


def count_kills(journal: SqliteJournal, running: Iterable[str], taking: int = 0) -> list[Message]:
    """A start after a kill: one more kill on each message that was being worked on, in its events and its meta;
    those at a step (the kill may have come just after one finished) returned with their count. `taking`: the files
    being taken in meanwhile, which make no kill one "alone"."""
    ids = list(dict.fromkeys(running))
    counted = []
    for message_id in ids:
        try:
            message = journal.get(message_id)
        except KeyError:
            continue
        step = step_of(message)
        if step is None:
            continue
        before = killed(message)
        alone = len(ids) + taking == 1
        kills = {"count": before.get("count", 0) + 1, "alone": before.get("alone", 0) + alone, "step": step,
                 "at": datetime.now(UTC).isoformat()}
        others = [f"{n} {one if n == 1 else many}" for n, one, many in
                  ((len(ids) - 1, "other message", "other messages"),
                   (taking, "file being taken in", "files being taken in")) if n]
        beside = "alone" if alone else f"beside {' and '.join(others)}"
        counted.append(journal.remark(message_id, f"the gateway was killed while {DOING[step]} it (step {step}, "
                                      f"{beside}): kill {kills['count']}", meta={"killed": kills}))
    return counted


def verdict(message: Message, limit: int) -> str | None:
    """Why `message` is set aside now, or None: `limit` kills while it was worked on (gateway.poison_kills), or
    ALONE_KILLS while it was the only one."""
    kills = killed(message)
    count, alone = kills.get("count", 0), kills.get("alone", 0)
    if count < limit and alone < ALONE_KILLS:
        return None
    inbound = message.direction is Direction.IN
    again = (f"`edi-gateway replay {message.id}` (once the gateway has the memory it needs, say)" if inbound
             else f"`edi-gateway resend {message.id}`")
    return (f"the gateway was killed {count} times while {DOING[kills['step']]} this file (step {kills['step']}"
            f"{f', {alone} of them while it ran alone' if alone else ''}); it is set aside so the rest can go on: "
            f"look at its size ({message.size} bytes{'; a big file needs 15-20 times that in memory' if inbound else ''}"
            f"), `edi-gateway show {message.id}`, then {again} or `edi-gateway close {message.id} --reason TEXT`")


def set_aside_file(source: Path, name: str, quarantine: Path, reason: str, next_step: str, *,
                   move: bool) -> Path:
    """Keep a file that kills the gateway while it is taken in where a person looks (`quarantine`, its partner's
    folder), with a `.reason.txt`; moved (`move`: out of an inbox, so that it is not taken again) or copied, never
    read by anything but the copy. Durable before it returns: the source may be gone then (or, moved from a folder
    that lets nothing go, still there: an error then would have the caller try again and copy it again)."""
    quarantine.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime(SET_ASIDE_STAMP)
    suffix = ".reason.txt"
    target = quarantine / processed_name(name, f"{SET_ASIDE_MARK[1:]}{stamp}{suffix}")[:-len(suffix)]
    moved = False
    if move:
        try:
            os.rename(source, target)
            moved = True
        except OSError:
            pass                # another filesystem (a mounted inbox): copied, then removed
    if not moved:
        tmp = quarantine / f".{stamp}.tmp"
        try:
            shutil.copyfile(source, tmp)
            with open(tmp, "rb") as f:
                os.fsync(f.fileno())
            os.replace(tmp, target)
        except BaseException:
            # a copy a full disk cut short is no copy; left, each retry (every 2 s, each AS2 resend) left another,
            # taking whatever room was freed to let the set-aside through
            tmp.unlink(missing_ok=True)
            raise
    with open(f"{target}{suffix}", "w", encoding="utf-8") as f:
        f.write(f"file {ascii(name)[1:-1]}\n\n{reason}\n\n{next_step}\n")
        f.flush()
        os.fsync(f.fileno())
    fsync_dir(quarantine)
    if move:
        try:
            source.unlink(missing_ok=True)
        except OSError:
            pass                # kept all the same; the caller finds the source still there (a read-only inbox)
    return target
