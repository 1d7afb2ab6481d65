"""Poison files: a file whose processing kills the gateway (the kernel's OOM kill of a big file, a segfault in a C
library, a kill of a runaway) is set aside after a few kills instead of being taken again at every start, which
under systemd's Restart= made the gateway crash-loop on it every few seconds while little else went through.

The workers note in `state/inflight` which messages they are working on, and which suspects of the last kill have
not yet run alone. It is written without fsync: a killed process's writes stay in the page cache (a machine crash
is another case, and loses at most a count). A start after a kill (`gateway.lock` still said "pid N") counts a kill
on each message that was being worked on (an event, and meta `killed`), sets aside one at its limit (`verdict`), and
runs each other suspect alone, no other worker busy, before the workers take the rest: a message that only ran
beside the poison file finishes alone and never reaches the limit, while the poison file kills the gateway alone.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from gateway.errors import GatewayError
from gateway.journal.api import Direction, Message, State
from gateway.journal.sqlite import SqliteJournal

log = logging.getLogger("gateway.poison")

ALONE_KILLS = 2          # kills while it was the only message worked on: that is enough to set a message aside
STEPS = {State.RECEIVED: "parse", State.PARSED: "translate", State.TRANSLATED: "post"}   # the step each state runs
DOING = {"parse": "reading", "translate": "translating", "post": "posting", "delivery": "delivering"}


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
            lines = [line for line in lines if not line.startswith("running ")]
        for line in lines:
            kind, _, message_id = line.partition(" ")
            if kind == "running" and message_id:
                running.append(message_id)
            elif kind == "suspect" and message_id:
                isolation.suspects[message_id] = None
        return isolation, running

    def save(self) -> None:
        """Write the list over the old one in one write from its start, padded with blank lines to the old one's
        length: a kill cannot cut a write within a page in two, and the file is never renamed over nor emptied,
        which ext4 would flush to disk (2 ms a time measured here, twice per message, against 3 us)."""
        data = ("stopping\n" * self.stopping + "".join(f"running {m}\n" for m in self.running) +
                "".join(f"suspect {m}\n" for m in self.suspects)).encode("ascii")   # one running too: `load`
        try:
            if self._fd is None:
                self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o640)
                self._size = os.fstat(self._fd).st_size
            os.pwrite(self._fd, data + b"\n" * (self._size - len(data)), 0)
            self._size = max(self._size, len(data))
        except OSError as exc:   # the journal's own folder is full or gone: the journal says so louder
            log.debug("cannot write %s: %s", self.path, exc)

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


def count_kills(journal: SqliteJournal, running: Iterable[str]) -> list[Message]:
    """A start after a kill: one more kill on each message that was being worked on, in its events and its meta;
    those at a step (the kill may have come just after one finished) returned with their count."""
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
        alone = len(ids) == 1
        kills = {"count": before.get("count", 0) + 1, "alone": before.get("alone", 0) + alone, "step": step,
                 "at": datetime.now(UTC).isoformat()}
        beside = "alone" if alone else f"beside {len(ids) - 1} other message{'s' if len(ids) > 2 else ''}"
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
