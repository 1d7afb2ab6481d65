"""997 / 999 / TA1 for malformed X12 written here, run through the in-process pipeline (real reader,
validator, journal and archive; no Odoo) or the ack builder, the acknowledgement's bytes checked against
X12: AK5 / IK5 per set, AK9 counts (AK904: sets accepted, A or E), AK303 loop ids, C030 positions."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

import pytest

from gateway.acks import x12 as acks
from gateway.config.loader import load
from gateway.formats import x12
from gateway.journal.api import Message, State
from gateway.journal.archive import Archive
from gateway.journal.sqlite import SqliteJournal
from gateway.pipeline import Pipeline
from gateway.transports.base import IntakeMeta
from tests.acks.test_x12_acks import ISA_4010, OUR, file_of, partner
from tests.helpers.gateway import Workspace
from tests.helpers.x12 import purchase_order
from tests.spine.test_daemon import ACME


class Make(Protocol):
    def __call__(self, settings: dict[str, Any] | None = None) -> Pipeline: ...


@pytest.fixture
def make(tmp_path: Path) -> Iterator[Make]:
    made: list[SqliteJournal] = []

    def build(settings: dict[str, Any] | None = None) -> Pipeline:
        ws = Workspace.create(tmp_path / f"ws{len(made)}", settings, partners={"acme": ACME})
        config = load(ws.config, environ={})
        journal = SqliteJournal(config.gateway.state_dir / "journal.sqlite3")
        made.append(journal)
        return Pipeline(config, journal, Archive(config.gateway.archive_dir))

    yield build
    for journal in made:
        journal.close()


def run(pipeline: Pipeline, data: bytes, name: str) -> tuple[Message, list[list[str]]]:
    """The message after its inbound steps, and the body segments of each 997 it got (ST to SE excluded)."""
    message = pipeline.submit_sync(data, IntakeMeta(channel="folder", filename=name, source_key=name))
    done = pipeline.advance(message.id)
    bodies = []
    for ack in pipeline.journal.children(message.id):
        if ack.doc_type in ("997", "999"):
            for tx in x12.parse(pipeline.archive.read(ack.sha256)).transactions:
                bodies.append(["*".join(s.fields) for s in tx.segments[1:-1]])
    return done, bodies


def test_sets_of_a_group_rejected_by_its_trailer_are_acknowledged_rejected(make: Make) -> None:
    """A GE01 that miscounts rejects the group, and the gateway does not translate its sets; the 997 said
    AK5*A for each and counted them accepted in AK904 (AK9*R*2*1*1*5), so a partner reading set by set took
    the order as delivered while it never reached Odoo."""
    pipeline = make()
    good, bad = purchase_order(10), purchase_order(11).replace(b"GE*1*11~", b"GE*2*11~")
    done, [first, second] = run(pipeline, good + bad, "two.x12")
    assert done.state is State.DONE
    assert "PO0000011" not in (pipeline.journal.get_blob(done.id, "canonical") or "")
    assert first == ["AK1*PO*10", "AK2*850*0010", "AK5*A", "AK9*A*1*1*1"]
    assert second == ["AK1*PO*11", "AK2*850*0011", "AK5*R", "AK9*R*2*1*0*5"]


@pytest.mark.parametrize(("fault", "ak9"), [
    (lambda t: t.replace("GE*1*101", "GE*1*102"), "AK9*R*1*1*0*4"),         # GE02 is not GS06
    (lambda t: t.replace("GE*1*101~\n", ""), "AK9*R*1*1*0*3"),              # no GE
])
def test_every_group_fault_rejects_its_sets(fault: Any, ak9: str, journal: SqliteJournal) -> None:
    data = fault(file_of(ISA_4010, "004010", [["ST*850*0001", "BEG*00*SA*PO-1**20260115",
                                                "PO1*1*10*EA*12.50**UP*614141000012", "CTT*1", "SE*5*0001"]])
                 .decode()).encode()
    result = x12.parse(data)
    assert acks.accepted_transactions(result, partner()) == []
    [doc] = acks.build(result, partner(), OUR, journal, now=datetime(2026, 11, 30, 9, 5))
    text = doc.data.decode()
    assert "AK5*R~" in text and ak9 + "~" in text
