"""A held outbound entry a person closes (`edi-gateway close`, another process) while a scheduler run settles it.

The run searched the held entries, then the person closed one, then the run settled it: the run ended with a
JournalError (closed -> done is not allowed) and the entries after it stayed held until the next run. Now the
closed one is left as the person closed it, with an info line, and the others are settled. Two journal
connections to one file, interleaved by the test at the moment between the search and the settling.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from gateway.commands.close import close
from gateway.config.loader import load
from gateway.journal.api import Message, State
from gateway.journal.archive import Archive
from gateway.journal.sqlite import SqliteJournal
from gateway.pipeline import EXTRACTION_HELD, Pipeline
from tests.helpers.gateway import Workspace
from tests.spine.test_daemon import ACME


def test_an_entry_closed_after_the_search_is_left_closed_and_the_others_are_settled(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    ws = Workspace.create(tmp_path / "ws", partners={"acme": ACME})
    config = load(ws.config, environ={})
    run = SqliteJournal(config.gateway.state_dir / "journal.sqlite3")          # the daemon's scheduler run
    command = SqliteJournal(config.gateway.state_dir / "journal.sqlite3")      # `edi-gateway close`
    try:
        pipeline = Pipeline(config, run, Archive(config.gateway.archive_dir))
        partner = config.partners["acme"]
        first = pipeline.hold_extraction(partner, "856", "Access denied on stock.picking")
        second = pipeline.hold_extraction(partner, "810", "Access denied on account.move")
        assert first is not None and second is not None
        searched = pipeline.held

        def held_then_closed(partner_: object, prefix: str) -> list[Message]:
            found = searched(partner, prefix)              # the run's search: both still quarantined
            close(command, first.id, "the ASN was keyed in the retailer's portal", "pat")
            return found

        pipeline.held = held_then_closed                   # type: ignore[method-assign]
        caplog.set_level(logging.INFO, logger="gateway.pipeline")
        pipeline.settle_each(partner, {f"{EXTRACTION_HELD}856:": "works again",
                                       f"{EXTRACTION_HELD}810:": "works again"}, prefix=True)

        assert command.get(first.id).state is State.CLOSED
        assert command.get(first.id).meta["closed"]["by"] == "pat"
        assert command.get(second.id).state is State.DONE
        said = [r for r in caplog.records if first.id in r.getMessage()]
        assert [(r.levelname, r.getMessage()) for r in said] == [
            ("INFO", f"held 856 {first.id} is closed since this run looked, not settled (works again)")]
    finally:
        run.close()
        command.close()
