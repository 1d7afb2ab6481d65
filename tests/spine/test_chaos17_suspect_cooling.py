"""A suspect of a kill whose step raises (a bug, a journal write refused) instead of killing the gateway: it cools
down like any other message, and the work beside it goes on meanwhile. As a suspect it stayed the one message
the pools might take (`Isolation.admit`), while the pool held it back for its cooling (up to a minute a time):
nothing else was taken for as long as it kept failing."""

from __future__ import annotations

from pathlib import Path

from gateway.journal.api import Direction, State
from gateway.journal.sqlite import SqliteJournal
from gateway.pipeline import WorkerPool
from gateway.poison import Isolation
from tests.helpers.wait import wait_for_async


async def test_a_suspect_that_raises_does_not_hold_back_the_other_messages(tmp_path: Path) -> None:
    # Given the suspect of a kill (at its parse step) and two other received files
    journal = SqliteJournal(tmp_path / "journal.sqlite3")
    isolation, _ = Isolation.load(tmp_path)
    suspect, *others = [journal.record_intake(direction=Direction.IN, partner="acme", channel="folder",
                                              filename=f"{name}.x12", sha256="0" * 64, size=1, source_key=name)
                        for name in ("suspect", "a", "b")]
    isolation.suspects[suspect.id] = None
    calls: list[str] = []

    def handle(message_id: str) -> None:
        calls.append(message_id)
        if message_id == suspect.id:
            raise RuntimeError("a bug in a step")        # not a kill: it stays received, and cools down
        journal.transition(message_id, State.PARSED, "parsed")

    pool = WorkerPool("worker", journal, handle, lambda m: m.direction is Direction.IN, workers=2, queue_size=8,
                      isolation=isolation)
    pool.start()
    try:
        # When the pool runs: the suspect first, alone
        await wait_for_async(lambda: {m.id for m in others} <= set(calls), timeout=30,
                             message="the other files taken")
    finally:
        await pool.stop(5)
    journal.close()

    # Then the others were taken while the suspect cooled down, not after its next try
    assert calls[0] == suspect.id and set(calls[1:3]) == {m.id for m in others}, calls
    assert suspect.id not in isolation.suspects
