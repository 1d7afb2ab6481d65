"""The worker pool when a step fails in a way the journal could not record (a full disk, a bug): it holds
the work back instead of handing the same message out twice a second, and says so once."""

from __future__ import annotations

import asyncio
import logging
import threading
from pathlib import Path

import pytest

from gateway.errors import StorageFull
from gateway.journal.api import Direction, State
from gateway.journal.sqlite import SqliteJournal
from gateway.pipeline import WorkerPool
from tests.helpers.wait import wait_for_async


def one_message(tmp_path: Path) -> tuple[SqliteJournal, str]:
    journal = SqliteJournal(tmp_path / "journal.sqlite3")
    message = journal.record_intake(direction=Direction.IN, partner="acme", channel="folder", filename="po.x12",
                                    sha256="0" * 64, size=1, source_key="po.x12")
    return journal, message.id


async def test_a_full_disk_pauses_the_pool_then_finishes_what_waited(tmp_path: Path,
                                                                     caplog: pytest.LogCaptureFixture) -> None:
    journal, message_id = one_message(tmp_path)
    calls: list[str] = []
    resumed: list[bool] = []

    def handle(mid: str) -> None:
        calls.append(mid)
        if len(calls) <= 3:
            raise StorageFull("journal commit failed: database or disk is full")
        journal.transition(mid, State.PARSED, "parsed")

    pool = WorkerPool("worker", journal, handle, lambda m: m.state is State.RECEIVED, workers=2, queue_size=8,
                      after_pause=lambda: resumed.append(True))
    with caplog.at_level(logging.ERROR, logger="gateway.pipeline"):
        pool.start()
        try:
            await wait_for_async(lambda: resumed, timeout=20, message="the pool going on after the pause")
        finally:
            await pool.stop(5)
    journal.close()
    # 1 s, then 2 s, then 4 s of pause: three failed tries in over 7 s, not one every half second
    assert calls == [message_id] * 4 and resumed == [True]
    pauses = [r.getMessage() for r in caplog.records if "no message is taken" in r.getMessage()]
    assert [p.split("taken for ")[1].split(" s")[0] for p in pauses] == ["1", "2", "4"]


async def test_a_message_that_keeps_raising_cools_down(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    journal, _ = one_message(tmp_path)
    calls: list[str] = []

    def handle(mid: str) -> None:
        calls.append(mid)
        raise RuntimeError("a bug in a step")

    pool = WorkerPool("worker", journal, handle, lambda m: True, workers=1, queue_size=8)
    with caplog.at_level(logging.ERROR, logger="gateway.pipeline"):
        pool.start()
        try:
            await wait_for_async(lambda: len(calls) >= 3, timeout=20, message="three tries")
        finally:
            await pool.stop(5)
    journal.close()
    tracebacks = [r for r in caplog.records if r.exc_info]
    later = [r.getMessage() for r in caplog.records if "is tried again in" in r.getMessage()]
    assert len(tracebacks) == 1                                  # the traceback once, not at every try
    assert [m.split("tried again in ")[1] for m in later[:3]] == ["1 s", "2 s", "4 s"]


async def test_a_closed_pool_begins_nothing_more_while_its_running_step_finishes(tmp_path: Path) -> None:
    """The daemon's stop closes the inbound pool as it sets the Odoo halt: a step the halt ends leaves its message
    due (at the state it had), and an open pool would hand it out again while the other parts stop."""
    journal, message_id = one_message(tmp_path)
    calls: list[str] = []
    release = threading.Event()

    def handle(mid: str) -> None:          # a step left at the stop: the message stays as it was, due
        calls.append(mid)
        release.wait(30)

    pool = WorkerPool("worker", journal, handle, lambda m: True, workers=2, queue_size=8)
    pool.start()
    dispatcher = pool._tasks[0]
    try:
        await wait_for_async(lambda: calls, message="the step begun")
        pool.close()
        release.set()
        await asyncio.wait_for(dispatcher, 10)                  # nothing hands work out any more
        await wait_for_async(lambda: pool.busy == 0 and pool.queue.empty(), message="the step finished")
    finally:
        release.set()
        await pool.stop(5)
    journal.close()
    assert calls == [message_id]


async def test_a_message_the_dispatcher_was_still_putting_in_the_queue_is_not_begun_after_close(
        tmp_path: Path) -> None:
    """The queue full as the pool closes: close empties it, which lets the dispatcher's waiting put through; the
    message it put stays in the journal for the next run instead of being begun after the stop."""
    journal = SqliteJournal(tmp_path / "journal.sqlite3")
    ids = [journal.record_intake(direction=Direction.IN, partner="acme", channel="folder", filename=f"po{i}.x12",
                                 sha256=f"{i}" * 64, size=1, source_key=f"po{i}.x12").id for i in range(3)]
    calls: list[str] = []
    release = threading.Event()

    def handle(mid: str) -> None:
        calls.append(mid)
        release.wait(30)

    pool = WorkerPool("worker", journal, handle, lambda m: True, workers=1, queue_size=1)
    pool.start()
    dispatcher = pool._tasks[0]
    try:
        # one begun, one queued, the third in the dispatcher's put, waiting for room
        await wait_for_async(lambda: len(calls) == 1 and len(pool.in_flight) == 3, message="the queue full")
        pool.close()
        release.set()
        await asyncio.wait_for(dispatcher, 10)
        await wait_for_async(lambda: pool.busy == 0 and pool.queue.empty(), message="the pool idle")
    finally:
        release.set()
        await pool.stop(5)
    journal.close()
    assert calls == ids[:1]
