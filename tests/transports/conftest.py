"""Shared fixtures: a real Intake over the real SQLite journal and archive, test certificates."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from gateway.journal.api import Direction, Message
from gateway.journal.archive import Archive
from gateway.journal.sqlite import SqliteJournal
from gateway.transports.base import IntakeMeta


class JournalIntake:
    """The intake commit point as the pipeline does it: archive (fsync) + journal row, then return.

    `fail` makes the next submit raise, to show that the sender is then not acknowledged.
    """

    def __init__(self, root: Path) -> None:
        self.journal = SqliteJournal(root / "journal.sqlite3")
        self.archive = Archive(root / "archive")
        self.calls: list[IntakeMeta] = []
        self.fail: Exception | None = None

    def submit_sync(self, data: bytes | Path, meta: IntakeMeta) -> Message:
        if self.fail is not None:
            exc, self.fail = self.fail, None
            raise exc
        sha = self.archive.put(data)
        self.calls.append(meta)
        return self.journal.record_intake(direction=Direction.IN, partner=meta.partner, channel=meta.channel,
                                          filename=meta.filename, sha256=sha,
                                          size=self.archive.path(sha).stat().st_size,
                                          source_key=meta.source_key, meta=dict(meta.extra))

    async def submit(self, data: bytes | Path, meta: IntakeMeta) -> Message:
        return await asyncio.to_thread(self.submit_sync, data, meta)

    def messages(self) -> list[Message]:
        return self.journal.find(direction=Direction.IN, limit=1000)

    def stored(self, message: Message) -> bytes:
        return self.archive.read(message.sha256)


@pytest.fixture
def intake(tmp_path: Path) -> Iterator[JournalIntake]:
    it = JournalIntake(tmp_path / "state")
    yield it
    it.journal.close()
