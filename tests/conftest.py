"""Shared test set-up: the repository root on sys.path so `tests.helpers` imports from any test folder,
and a real SQLite journal in a temporary folder for any test that asks for `journal`."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from gateway.journal.sqlite import SqliteJournal

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[SqliteJournal]:
    """A real SQLite journal, closed after the test."""
    from gateway.journal.sqlite import SqliteJournal

    j = SqliteJournal(tmp_path / "journal.sqlite3")
    yield j
    j.close()
