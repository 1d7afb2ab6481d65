"""A row the CSV reader cannot read, through the real pipeline: the file is held, not posted without that line."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from gateway.config.loader import load
from gateway.journal.api import State
from gateway.journal.archive import Archive
from gateway.journal.sqlite import SqliteJournal
from gateway.pipeline import Pipeline
from tests.helpers.gateway import Workspace
from tests.spine.test_repeated_documents import SHOP, numbers, orders, run


@pytest.fixture
def pipeline(tmp_path: Path) -> Iterator[Pipeline]:
    ws = Workspace.create(tmp_path, partners={"shop": SHOP})
    config = load(ws.config, environ={})
    journal = SqliteJournal(config.gateway.state_dir / "journal.sqlite3")
    yield Pipeline(config, journal, Archive(config.gateway.archive_dir))
    journal.close()


def test_a_row_with_a_stray_quote_holds_the_file_instead_of_dropping_the_line(pipeline: Pipeline) -> None:
    """'"Cable" Bundle' (a quote opening a cell that goes on after it) could not be read: that row was left out
    and PO1 went on with one line of its two, the file 'done'."""
    data = orders("PO1,2026-11-28,WB-100,2,12.50", 'PO1,2026-11-28,"CB-400" Cable,1,30.00',
                  "PO2,2026-11-28,GL-300,1,42.00")
    message = run(pipeline, data, "orders.csv", "shop")
    assert message.state is State.QUARANTINED, message.state
    assert numbers(pipeline, message) == []
    assert "row 3 cannot be read as CSV" in (message.last_error or "")
    assert "no document of this file is taken, since the row may be a line of any of them" in \
        (message.last_error or "")
    good = run(pipeline, data.replace(b'"CB-400" Cable', b'"CB-400 ""Cable"""'), "orders-fixed.csv", "shop")
    assert good.state is State.DONE and numbers(pipeline, good) == ["PO1", "PO2"], good.last_error
