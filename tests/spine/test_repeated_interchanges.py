"""A file holding interchanges received before in another file and new ones (a VAN's batch resent with a new
interchange added): the repeated ones are rejected as duplicates and the new ones go on. Before, only the
file's first interchange was looked up: [old, new] was one DUPLICATE (the new interchange lost) and
[new, old] processed the old one again (a second 997)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from gateway.config.loader import load
from gateway.journal.api import State
from gateway.journal.archive import Archive
from gateway.journal.sqlite import SqliteJournal
from gateway.pipeline import Pipeline
from gateway.transports.base import IntakeMeta
from tests.helpers.edifact import orders
from tests.helpers.gateway import Workspace
from tests.helpers.x12 import purchase_order
from tests.spine.test_crash import EURO
from tests.spine.test_daemon import ACME


@pytest.fixture
def pipeline(tmp_path: Path) -> Iterator[Pipeline]:
    ws = Workspace.create(tmp_path, partners={"acme": {**ACME, "x12": {**ACME["x12"], "ta1": True}},
                                              "euro": EURO})
    config = load(ws.config, environ={})
    journal = SqliteJournal(config.gateway.state_dir / "journal.sqlite3")
    yield Pipeline(config, journal, Archive(config.gateway.archive_dir))
    journal.close()


def run(pipeline: Pipeline, data: bytes, name: str) -> tuple[State, list[str], str]:
    """(final state, the POs translated, the acknowledgements' text) of one file."""
    message = pipeline.submit_sync(data, IntakeMeta(channel="folder", filename=name, source_key=name))
    done = pipeline.advance(message.id)
    blob = pipeline.journal.get_blob(message.id, "canonical") or "" if done.state is State.DONE else ""
    pos = sorted(line.split('"number":"')[1].split('"')[0] for line in blob.splitlines() if line.startswith("{"))
    acks = "".join(pipeline.archive.read(m.sha256).decode("latin-1") for m in pipeline.journal.children(message.id))
    return done.state, pos, acks


def test_the_new_interchanges_of_a_file_go_on_and_the_repeated_ones_are_duplicates(pipeline: Pipeline) -> None:
    assert run(pipeline, purchase_order(81), "first.x12")[:2] == (State.DONE, ["PO0000081"])
    state, pos, acks = run(pipeline, purchase_order(81) + purchase_order(82), "old-and-new.x12")
    assert (state, pos) == (State.DONE, ["PO0000082"])
    assert "TA1*000000081*261129*0850*R*025~" in acks                 # the repeat, said so
    assert "AK1*PO*82~" in acks and "AK1*PO*81~" not in acks           # one 997, for the new one
    state, pos, acks = run(pipeline, purchase_order(83) + purchase_order(82), "new-and-old.x12")
    assert (state, pos) == (State.DONE, ["PO0000083"]) and "AK1*PO*82~" not in acks
    assert run(pipeline, purchase_order(82) + purchase_order(83), "all-old.x12")[0] is State.DUPLICATE


def test_a_repeated_edifact_interchange_gets_contrl_26(pipeline: Pipeline) -> None:
    assert run(pipeline, orders(91), "first.edi")[:2] == (State.DONE, ["PO0000091"])
    state, pos, acks = run(pipeline, orders(91) + orders(92), "old-and-new.edi")
    assert (state, pos) == (State.DONE, ["PO0000092"])
    assert "UCI+91+" in acks and "+4+26" in acks, acks
