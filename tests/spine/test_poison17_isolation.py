"""The isolation the two worker pools share (`gateway.poison.Isolation`): their dispatchers ask it, on the event
loop, what they may take while suspects of a kill wait to run alone."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from gateway.errors import JournalError
from gateway.journal.api import Direction, Message, State
from gateway.journal.sqlite import SqliteJournal
from gateway.pipeline import WorkerPool
from gateway.poison import Isolation


def _pools(journal: SqliteJournal, isolation: Isolation) -> tuple[WorkerPool, WorkerPool]:
    inbound = WorkerPool("worker", journal, lambda m: None, lambda m: m.direction is Direction.IN, 2, 8,
                         isolation=isolation)
    outbound = WorkerPool("outbox", journal, lambda m: None, lambda m: m.direction is Direction.OUT, 2, 8,
                          isolation=isolation)
    return inbound, outbound


def _intake(journal: SqliteJournal, name: str) -> Message:
    return journal.record_intake(direction=Direction.IN, partner="acme", channel="folder", filename=name,
                                 sha256="0" * 64, size=1, source_key=name)


async def test_both_pools_asking_at_once_about_suspects_that_finished_take_their_work(tmp_path: Path) -> None:
    # Given many suspects of a kill that finished meanwhile (set aside, say) and other work due
    journal = SqliteJournal(tmp_path / "journal.sqlite3")
    isolation, _ = Isolation.load(tmp_path)
    inbound, outbound = _pools(journal, isolation)
    finished = [_intake(journal, f"f{n}.x12") for n in range(400)]
    for message in finished:
        journal.transition(message.id, State.QUARANTINED, "set aside")
    isolation.suspects.update(dict.fromkeys(m.id for m in finished))
    other = _intake(journal, "other.x12")
    due = journal.due(other.created_at, 100)

    # When both dispatchers ask at the same time
    taken = await asyncio.gather(*(pool_.isolation.admit(pool_, journal, due)  # type: ignore[union-attr]
                                   for pool_ in (inbound, outbound, inbound, outbound)))

    # Then neither fails, the finished suspects are let go, and the work due is handed out
    assert all([m.id for m in t] == [other.id] for t in taken)
    assert isolation.suspects == {}
    journal.close()


async def test_a_journal_that_cannot_be_read_holds_the_work_back_without_ending_the_dispatcher(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    journal = SqliteJournal(tmp_path / "journal.sqlite3")
    isolation, _ = Isolation.load(tmp_path)
    inbound, _outbound = _pools(journal, isolation)
    suspect = _intake(journal, "suspect.x12")
    isolation.suspects[suspect.id] = None

    def broken(message_id: str) -> Message:
        raise JournalError("journal read failed: disk I/O error")

    monkeypatch.setattr(journal, "get", broken)
    assert await isolation.admit(inbound, journal, journal.due(suspect.created_at, 10)) == []
    monkeypatch.undo()
    # once it reads again, the suspect alone is handed out
    assert [m.id for m in await isolation.admit(inbound, journal, journal.due(suspect.created_at, 10))] == \
        [suspect.id]
    journal.close()


def test_poison_kills_sets_how_many_kills_beside_others_set_a_message_aside(tmp_path: Path) -> None:
    from gateway.config.models import GatewayConfig
    from gateway.poison import count_kills, verdict
    journal = SqliteJournal(tmp_path / "journal.sqlite3")
    message, other = _intake(journal, "big.x12"), _intake(journal, "other.x12")
    for _ in range(2):                                   # two kills, each while the other one ran too
        [counted, _beside] = count_kills(journal, [message.id, other.id])
    assert counted.meta["killed"]["count"] == 2 and counted.meta["killed"]["alone"] == 0
    assert verdict(counted, GatewayConfig().poison_kills) is None          # 3 by default
    assert verdict(counted, GatewayConfig(poison_kills=2).poison_kills) == (
        f"the gateway was killed 2 times while reading this file (step parse); it is set aside so the rest can go "
        f"on: look at its size (1 bytes; a big file needs 15-20 times that in memory), `edi-gateway show "
        f"{message.id}`, then `edi-gateway replay {message.id}` (once the gateway has the memory it needs, say) or "
        f"`edi-gateway close {message.id} --reason TEXT`")
    # a kill at another step starts the count again: the file got past the step that killed the gateway
    journal.transition(message.id, State.PARSED, "parsed")
    [again] = count_kills(journal, [message.id])
    assert again.meta["killed"] == {**again.meta["killed"], "count": 1, "alone": 1, "step": "translate"}
    with pytest.raises(ValueError, match="greater than or equal to 2"):
        GatewayConfig(poison_kills=1)                    # a single kill never sets a message aside
    journal.close()
