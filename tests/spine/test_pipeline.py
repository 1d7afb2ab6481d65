"""The inbound state machine in-process: missing parts park a message, transient errors retry,
permanent ones quarantine with a copy, a crash in the middle of a step doubles no acknowledgement."""

from __future__ import annotations

import importlib
import json
import re
import sys
import types
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

import pytest

import gateway.formats
from gateway.config.loader import load
from gateway.errors import OdooRejected, OdooUnavailable
from gateway.journal.api import Direction, Message, OdooLink, State
from gateway.journal.archive import Archive
from gateway.journal.sqlite import SqliteJournal
from gateway.pipeline import Pipeline
from gateway.transports.base import IntakeMeta
from tests.helpers.edifact import orders
from tests.helpers.gateway import Workspace
from tests.helpers.x12 import purchase_order, purchase_order_batch
from tests.spine.test_crash import EURO
from tests.spine.test_daemon import ACME


class Make(Protocol):
    def __call__(self, settings: dict[str, Any] | None = None) -> Pipeline: ...


@pytest.fixture
def make(tmp_path: Path) -> Iterator[Make]:
    made: list[SqliteJournal] = []

    def build(settings: dict[str, Any] | None = None) -> Pipeline:
        ws = Workspace.create(tmp_path / f"ws{len(made)}", settings, partners={"acme": ACME, "euro": EURO})
        config = load(ws.config, environ={})
        journal = SqliteJournal(config.gateway.state_dir / "journal.sqlite3")
        made.append(journal)
        return Pipeline(config, journal, Archive(config.gateway.archive_dir))

    yield build
    for journal in made:
        journal.close()


def submit(pipeline: Pipeline, data: bytes, name: str = "po.x12", key: str | None = None) -> Message:
    return pipeline.submit_sync(data, IntakeMeta(channel="folder", filename=name, source_key=key or name))


def fake_odoo(monkeypatch: pytest.MonkeyPatch, post: Callable[[Any], list[OdooLink]]) -> list[Any]:
    calls: list[Any] = []
    client = types.ModuleType("gateway.odoo.client")
    client.connect = lambda settings, halt=None: "client"  # type: ignore[attr-defined]
    posting = types.ModuleType("gateway.odoo.posting")

    def _post(cl: Any, doc: Any, partner: Any, cache: Any) -> list[OdooLink]:
        calls.append(doc)
        return post(doc)

    posting.post = _post                                   # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "gateway.odoo.client", client)
    monkeypatch.setitem(sys.modules, "gateway.odoo.posting", posting)
    return calls


def count_commits(pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The journal's COMMITs from now on, one entry each (each one an fsync of the WAL)."""
    commits: list[str] = []
    db = pipeline.journal._db
    real_execute = db.execute

    class Counting:
        def __getattr__(self, name: str) -> Any:
            return getattr(db, name)

        def execute(self, sql: str, *args: Any) -> Any:
            if sql == "COMMIT":
                commits.append(sql)
            return real_execute(sql, *args)

    monkeypatch.setattr(pipeline.journal, "_db", Counting())
    return commits


def test_intake_returns_committed_message_and_detects_same_source(make: Make) -> None:
    pipeline = make()
    first = submit(pipeline, purchase_order(1))
    assert first.state is State.RECEIVED
    assert pipeline.archive.read(first.sha256) == purchase_order(1)
    again = submit(pipeline, purchase_order(1))
    assert again.state is State.DUPLICATE and again.meta["duplicate_of"] == first.id


def test_missing_reader_leaves_message_received_with_a_clear_error(make: Make, monkeypatch: pytest.MonkeyPatch) -> None:
    pipeline = make()
    message = submit(pipeline, purchase_order(2))
    real = importlib.import_module("gateway.formats.x12")
    # as if not installed: `from gateway.formats import x12` finds the package attribute first,
    # so a module imported earlier in the same run must go from there as well
    monkeypatch.setitem(sys.modules, "gateway.formats.x12", None)
    monkeypatch.delattr(gateway.formats, "x12", raising=False)
    parked = pipeline.advance(message.id)
    assert parked.state is State.RECEIVED
    assert parked.last_error is not None and parked.last_error.startswith("waiting in received")
    assert "gateway.formats.x12" in parked.last_error
    assert pipeline.is_parked(message.id)
    assert [e.to_state for e in pipeline.journal.events(message.id)] == [State.RECEIVED]
    # once the part is there, the same message goes on
    monkeypatch.setitem(sys.modules, "gateway.formats.x12", real)    # the same module object, not a second copy
    monkeypatch.setattr(gateway.formats, "x12", real, raising=False)
    pipeline.unpark_all()
    assert pipeline.advance(message.id).state is State.DONE       # odoo disabled in the workspace


def test_odoo_disabled_keeps_translated_documents(make: Make) -> None:
    pipeline = make()
    message = submit(pipeline, purchase_order(3))
    done = pipeline.advance(message.id)
    assert done.state is State.DONE and done.partner == "acme" and done.doc_type == "850"
    states = [e.to_state for e in pipeline.journal.events(message.id)]
    assert states == [State.RECEIVED, State.PARSED, State.TRANSLATED, State.DONE]
    assert "odoo disabled" in (pipeline.journal.events(message.id)[-1].reason or "")
    assert '"PurchaseOrder"' in (pipeline.journal.get_blob(message.id, "canonical") or "")


def test_a_latin1_x12_file_is_translated_with_its_characters_and_archived_as_sent(make: Make) -> None:
    """X12 declares no character set and some partners send Windows-1252 / Latin-1 names: the file is kept
    byte for byte (a warning says it is not UTF-8), and its documents carry the characters, not an error."""
    pipeline = make()
    data = purchase_order(4).replace(b"PO1*1*", b"N1*ST*Gro\xdfhandel K\xf6ln S\xfcd*92*0042~\nPO1*1*")
    data = data.replace(b"SE*5*", b"SE*6*")
    message = submit(pipeline, data, name="latin1.x12")
    done = pipeline.advance(message.id)
    assert done.state is State.DONE, done.last_error
    assert any("not valid UTF-8" in issue for issue in done.meta["parse"]["issues"])
    [doc] = json.loads(pipeline.journal.get_blob(message.id, "canonical") or "[]")
    assert [p["name"] for p in doc["parties"] if p["role"] == "ship_to"] == ["Großhandel Köln Süd"]
    assert pipeline.archive.read(done.sha256) == data


@pytest.mark.parametrize("damage", [(b"*000000011*", b"*00000\xe9011*"), (b"ST*850*", b"ST*8\xe950*"),
                                    (b"ACMERETAIL     ", b"ACMERET\xe9IL     ")], ids=["ISA13", "ST01", "ISA06"])
def test_a_byte_that_is_not_utf8_in_an_envelope_is_a_located_quarantine_reason(
        make: Make, damage: tuple[bytes, bytes], request: pytest.FixtureRequest) -> None:
    """Such a byte in a control number, a set id or a sender id made the journal refuse the reason (not UTF-8
    text) and the message was quarantined as an internal error; now the reason names the element."""
    damage_id = request.node.callspec.id
    pipeline = make()
    message = submit(pipeline, purchase_order(11).replace(*damage, 1), name="bad.x12")
    done = pipeline.advance(message.id)
    assert done.state is State.QUARANTINED
    reason = done.last_error or ""
    assert "internal error" not in reason and re.search(r"\\(udc|x)e9", reason), reason
    element = {"ISA13": "ISA13", "ST01": "ST01", "ISA06": "ISA05/06"}[damage_id]
    assert element in reason
    [kept] = Path(pipeline.config.path).parent.rglob(f"{message.id}_*.reason.txt")
    assert element in kept.read_text(encoding="utf-8")


def test_posted_documents_carry_their_journal_message_id(make: Make, monkeypatch: pytest.MonkeyPatch) -> None:
    """What an order change's note names when its source has no control numbers (a CSV file)."""
    pipeline = make({"odoo": {"enabled": True}})
    calls = fake_odoo(monkeypatch, lambda doc: [OdooLink("", "sale.order", 7)])
    message = submit(pipeline, purchase_order(9))
    assert pipeline.advance(message.id).state is State.DONE
    assert [doc.source.message_id for doc in calls] == [message.id]


def test_transient_odoo_error_waits_and_retries(make: Make, monkeypatch: pytest.MonkeyPatch) -> None:
    pipeline = make({"odoo": {"enabled": True}})
    outcomes = [OdooUnavailable("connection refused"), None]

    def post(doc: Any) -> list[OdooLink]:
        outcome = outcomes.pop(0)
        if outcome:
            raise outcome
        return [OdooLink("", "sale.order", 42)]

    calls = fake_odoo(monkeypatch, post)
    message = submit(pipeline, purchase_order(4))
    waiting = pipeline.advance(message.id)
    assert waiting.state is State.RETRY_WAIT and waiting.attempts == 1
    assert waiting.meta["resume_state"] == "translated" and "connection refused" in (waiting.last_error or "")
    assert waiting.next_attempt_at is not None
    assert pipeline.advance(message.id).state is State.RETRY_WAIT          # not due yet: untouched
    pipeline.journal._db.execute("UPDATE messages SET next_attempt_at = NULL WHERE id = ?", (message.id,))
    done = pipeline.advance(message.id)
    assert done.state is State.DONE and len(calls) == 2
    assert pipeline.journal.odoo_links(message.id) == [OdooLink(message.id, "sale.order", 42, "created")]


def test_permanent_error_quarantines_with_copy_and_reason(make: Make, monkeypatch: pytest.MonkeyPatch) -> None:
    pipeline = make({"odoo": {"enabled": True}})

    def post(doc: Any) -> list[OdooLink]:
        raise OdooRejected("line 1: no product with barcode 614141000011", odoo_error="ValidationError")

    fake_odoo(monkeypatch, post)
    message = submit(pipeline, purchase_order(5), name="../../evil name.x12", key="k5")
    result = pipeline.advance(message.id)
    assert result.state is State.QUARANTINED and "no product with barcode" in (result.last_error or "")
    folder = pipeline.config.gateway.quarantine_dir / "acme"
    [copy] = folder.glob(f"{message.id}_*.x12")
    assert copy.name == f"{message.id}_evil_name.x12"          # no path escape, no odd characters
    assert copy.read_bytes() == purchase_order(5)
    reason = Path(f"{copy}.reason.txt").read_text()
    assert "no product with barcode" in reason and f"edi-gateway replay {message.id}" in reason


def test_same_interchange_from_another_source_is_a_duplicate(make: Make) -> None:
    pipeline = make()
    first = submit(pipeline, purchase_order(6), name="a.x12")
    second = submit(pipeline, purchase_order(6), name="b.x12")
    assert pipeline.advance(first.id).state is State.DONE
    dup = pipeline.advance(second.id)
    assert dup.state is State.DUPLICATE and first.id in pipeline.journal.events(second.id)[-1].reason


class Crash(BaseException):
    """Stands for the process dying: not caught by the pipeline."""


def test_crash_after_queuing_the_ack_does_not_double_it(make: Make, monkeypatch: pytest.MonkeyPatch) -> None:
    """The parse step's rows (the ack queued, its control number, the note) and its state change are one
    journal transaction: a crash before PARSED leaves none of them, and the re-run queues the ack once."""
    pipeline = make()
    message = submit(pipeline, orders(7), name="o.edi")
    real = pipeline.journal.transition

    def crash_on_parsed(message_id: str, to: State, *args: Any, **kw: Any) -> Message:
        if to is State.PARSED:
            raise Crash()
        return real(message_id, to, *args, **kw)

    monkeypatch.setattr(pipeline.journal, "transition", crash_on_parsed)
    with pytest.raises(Crash):
        pipeline.advance(message.id)
    assert pipeline.journal.children(message.id) == []
    after = pipeline.journal.get(message.id)
    assert after.state is State.RECEIVED and not after.meta.get("acks_queued")
    monkeypatch.setattr(pipeline.journal, "transition", real)
    assert pipeline.advance(message.id).state in {State.DONE, State.QUARANTINED, State.PARSED}
    [ack] = pipeline.journal.children(message.id)
    assert ack.direction is Direction.OUT and ack.state is State.QUEUED and ack.doc_type == "CONTRL"


def test_a_parse_step_is_one_journal_commit(make: Make, monkeypatch: pytest.MonkeyPatch) -> None:
    """Fewer fsyncs per message: each step commits once: the parse step its duplicate check, the ack's
    control number, the ack queued and expected, the note and PARSED; the translate step the documents
    and TRANSLATED."""
    pipeline = make()
    message = submit(pipeline, orders(8), name="o8.edi")
    commits = count_commits(pipeline, monkeypatch)
    assert pipeline.advance(message.id).state is State.DONE
    steps = [e.to_state for e in pipeline.journal.events(message.id)][1:]
    assert steps == [State.PARSED, State.TRANSLATED, State.DONE]        # (Odoo off: kept, not posted)
    assert len(commits) == len(steps) and len(pipeline.journal.children(message.id)) == 1


def test_a_posted_message_commits_each_odoo_link_then_posted_and_done_once(
        make: Make, monkeypatch: pytest.MonkeyPatch) -> None:
    """Posting commits each Odoo record's link as soon as it exists (a crash must not lose it); POSTED and
    DONE, with nothing between them to do, are one commit that keeps both events."""
    pipeline = make({"odoo": {"enabled": True}})
    fake_odoo(monkeypatch, lambda doc: [OdooLink("", "sale.order", 7), OdooLink("", "res.partner", 3, "created")])
    message = submit(pipeline, purchase_order(12))
    commits = count_commits(pipeline, monkeypatch)
    assert pipeline.advance(message.id).state is State.DONE
    steps = [e.to_state for e in pipeline.journal.events(message.id)][1:]
    assert steps == [State.PARSED, State.TRANSLATED, State.POSTED, State.DONE]
    assert len(commits) == 2 + 2 + 1            # parse, translate; the two links; posted + done
    assert len(pipeline.journal.odoo_links(message.id)) == 2


def test_replay_of_a_quarantined_message(make: Make) -> None:
    from gateway.pipeline import replay
    pipeline = make()
    message = submit(pipeline, b"junk", name="junk.txt")
    assert pipeline.advance(message.id).state is State.QUARANTINED
    again = replay(pipeline.journal, message.id)
    assert again.state is State.RECEIVED and again.attempts == 0 and again.last_error is None
    with pytest.raises(Exception, match="only quarantined, dead, duplicate or closed"):
        replay(pipeline.journal, message.id)


def test_partner_997_settles_what_we_sent(make: Make) -> None:
    from gateway.formats.base import Syntax
    from gateway.outbound.rendered import RenderedDocument
    from tests.helpers.x12 import functional_ack
    pipeline = make()
    acme = pipeline.config.partners["acme"]
    sent = {}
    for group in ("50", "51"):
        doc = RenderedDocument(doc_type="856", syntax=Syntax.X12, filename=f"acme_856_{group}.x12",
                               data=f"856 {group}".encode(), control_number=f"0000000{group}", group_number=group,
                               expects_ack="997")
        out = pipeline.queue_outbound(acme, doc, key=f"test:856:{group}")
        assert pipeline.queue_outbound(acme, doc, key=f"test:856:{group}").id == out.id   # idempotent
        sent[group] = pipeline.journal.transition(out.id, State.SENT, "written").id
    accepted = submit(pipeline, functional_ack(900, "50"), name="997a.x12")
    rejected = submit(pipeline, functional_ack(901, "51", status="R"), name="997b.x12")
    assert pipeline.advance(accepted.id).state is State.DONE
    assert pipeline.advance(rejected.id).state is State.DONE
    assert pipeline.journal.get(sent["50"]).state is State.DONE
    assert pipeline.journal.get(sent["51"]).state is State.REJECTED
    # a 997 is not acknowledged with a 997
    assert pipeline.journal.children(accepted.id) == []


def test_odoo_down_is_retried_for_retry_hours_not_attempts_then_dead_and_replay_revives(make: Make, monkeypatch: pytest.MonkeyPatch) -> None:
    import gateway.pipeline
    from gateway.pipeline import replay
    # max_attempts bounds outbound deliveries only; an inbound message waits out an Odoo outage of hours
    pipeline = make({"odoo": {"enabled": True}, "retry_hours": 2,
                     "outbox": {"max_attempts": 3, "min_backoff": 60, "max_backoff": 900}})
    clock = [datetime(2026, 11, 29, 8, 0, tzinfo=UTC)]
    monkeypatch.setattr(gateway.pipeline, "utcnow", lambda: clock[0])

    def post(doc: Any) -> list[OdooLink]:
        raise OdooUnavailable("503 Service Unavailable")

    fake_odoo(monkeypatch, post)
    message = submit(pipeline, purchase_order(8))
    first_failure = clock[0]
    result = pipeline.advance(message.id)
    waits: list[float] = []
    while result.state is State.RETRY_WAIT and len(waits) < 200:
        assert result.meta["failing_since"] == first_failure.isoformat()
        assert result.next_attempt_at is not None
        waits.append((result.next_attempt_at - clock[0]).total_seconds())
        clock[0] = result.next_attempt_at
        result = pipeline.advance(message.id)
    assert result.state is State.DEAD and "503" in (result.last_error or "")
    assert clock[0] == first_failure + timedelta(hours=2)                 # the last try is at the deadline
    assert result.attempts > 3 and max(waits) <= 900                     # backoff capped at outbox.max_backoff
    assert "gave up after 2 hours of transient failures" in pipeline.journal.events(message.id)[-1].reason
    revived = replay(pipeline.journal, message.id)
    assert revived.state is State.RECEIVED and revived.attempts == 0 and revived.meta["failing_since"] is None


def test_recovered_message_forgets_when_its_failures_began(make: Make, monkeypatch: pytest.MonkeyPatch) -> None:
    outcomes = [OdooUnavailable("connection refused"), None]

    def post(doc: Any) -> list[OdooLink]:
        outcome = outcomes.pop(0)
        if outcome:
            raise outcome
        return [OdooLink("", "sale.order", 7)]

    pipeline = make({"odoo": {"enabled": True}})
    fake_odoo(monkeypatch, post)
    message = submit(pipeline, purchase_order(18))
    assert pipeline.advance(message.id).meta["failing_since"]
    pipeline.journal._db.execute("UPDATE messages SET next_attempt_at = NULL WHERE id = ?", (message.id,))
    done = pipeline.advance(message.id)
    assert done.state is State.DONE and done.meta["failing_since"] is None


def test_rejected_interchange_is_quarantined_under_its_partner_with_a_negative_ack(make: Make) -> None:
    pipeline = make()
    bad = purchase_order(9).replace(b"SE*5*0009", b"SE*99*0009")       # wrong segment count
    message = submit(pipeline, bad, name="bad.x12")
    result = pipeline.advance(message.id)
    assert result.state is State.QUARANTINED and result.partner == "acme" and result.control_number == "000000009"
    assert "rejected" in (result.last_error or "")
    assert list((pipeline.config.gateway.quarantine_dir / "acme").glob(f"{message.id}_bad.x12"))
    [ack] = pipeline.journal.children(message.id)
    assert ack.doc_type == "997" and b"AK5*R" in pipeline.archive.read(ack.sha256)


def test_a_set_rejected_by_a_later_group_trailer_is_not_translated(make: Make) -> None:
    # sets are translated as they are read; the second interchange's GE01 (read after its set) rejects the
    # set, so its document must not be kept
    pipeline = make()
    good, bad = purchase_order(10), purchase_order(11).replace(b"GE*1*11~", b"GE*2*11~")
    message = submit(pipeline, good + bad, name="two.x12")
    done = pipeline.advance(message.id)
    assert done.state is State.DONE, done.last_error
    blob = pipeline.journal.get_blob(message.id, "canonical") or ""
    assert "PO0000010" in blob and "PO0000011" not in blob
    [reason] = [e.reason for e in pipeline.journal.events(message.id) if e.to_state is State.TRANSLATED]
    assert reason == "translated into 1 document"


def test_one_refused_order_of_a_batch_does_not_hold_back_the_others(make: Make,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    pipeline = make({"odoo": {"enabled": True}})
    batch = purchase_order_batch(12, 4, lines=1)

    def post(doc: Any) -> list[OdooLink]:
        if doc.number.endswith("0000002"):
            raise OdooRejected(f"order {doc.number}: line 1: no product with barcode 61414100001", "ValidationError")
        return [OdooLink("", "sale.order", int(doc.number[-2:]))]

    calls = fake_odoo(monkeypatch, post)
    message = submit(pipeline, batch, name="batch.x12")
    result = pipeline.advance(message.id)
    assert [doc.number for doc in calls] == ["PO0120000001", "PO0120000002", "PO0120000003", "PO0120000004"]
    assert result.state is State.QUARANTINED
    assert "1 of 4 documents refused by Odoo (3 posted; a replay finds those and tries the rest again)" in (
        result.last_error or "")
    assert "order PO0120000002: line 1: no product with barcode" in (result.last_error or "")
    assert [link.record_id for link in pipeline.journal.odoo_links(message.id)] == [1, 3, 4]


def test_odoo_down_in_the_middle_of_a_batch_waits_for_the_whole_step(make: Make,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    pipeline = make({"odoo": {"enabled": True}})

    def post(doc: Any) -> list[OdooLink]:
        if doc.number.endswith("0000002"):
            raise OdooUnavailable("connection refused")
        return [OdooLink("", "sale.order", int(doc.number[-2:]))]

    calls = fake_odoo(monkeypatch, post)
    message = submit(pipeline, purchase_order_batch(13, 3, lines=1), name="batch.x12")
    assert pipeline.advance(message.id).state is State.RETRY_WAIT
    assert len(calls) == 2                         # stopped at the outage: the rest waits with the message


def test_a_set_that_cannot_be_translated_does_not_hold_back_the_others(make: Make,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    # the second order's delivery date is 13th month: read with a warning, refused by the profile
    pipeline = make({"odoo": {"enabled": True}})
    batch = purchase_order_batch(14, 3, lines=1).replace(b"PO0140000002**20261129~\nDTM*002*20261205",
                                                        b"PO0140000002**20261129~\nDTM*002*20261305")
    calls = fake_odoo(monkeypatch, lambda doc: [OdooLink("", "sale.order", int(doc.number[-2:]))])
    message = submit(pipeline, batch, name="batch.x12")
    result = pipeline.advance(message.id)
    assert [doc.number for doc in calls] == ["PO0140000001", "PO0140000003"]
    assert result.state is State.QUARANTINED
    error = result.last_error or ""
    assert "1 transaction set could not be translated (2 documents posted; a replay finds those" in error
    assert "DTM02: date '20261305' is not a valid CCYYMMDD date (no such day)" in error
    [translated] = [e.reason for e in pipeline.journal.events(message.id) if e.to_state is State.TRANSLATED]
    assert translated == "translated into 2 documents; 1 not translated"


def test_without_odoo_an_untranslated_set_still_quarantines_the_file(make: Make) -> None:
    pipeline = make()
    batch = purchase_order_batch(15, 2, lines=1).replace(b"DTM*002*20261205", b"DTM*002*20261305", 1)
    result = pipeline.advance(submit(pipeline, batch, name="batch.x12").id)
    assert result.state is State.QUARANTINED and "(0 documents posted" in (result.last_error or "")
    assert '"PO0150000002"' in (pipeline.journal.get_blob(result.id, "canonical") or "")


def test_refused_and_untranslated_orders_of_one_batch_are_named_together(make: Make,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    pipeline = make({"odoo": {"enabled": True}})
    batch = purchase_order_batch(16, 3, lines=1).replace(b"PO0160000002**20261129~\nDTM*002*20261205",
                                                        b"PO0160000002**20261129~\nDTM*002*20261305")

    def post(doc: Any) -> list[OdooLink]:
        if doc.number.endswith("0000003"):
            raise OdooRejected(f"order {doc.number}: customer on hold")
        return [OdooLink("", "sale.order", 1)]

    fake_odoo(monkeypatch, post)
    result = pipeline.advance(submit(pipeline, batch, name="batch.x12").id)
    error = result.last_error or ""
    assert result.state is State.QUARANTINED
    assert "1 of 2 documents refused by Odoo (1 posted" in error and "order PO0160000003: customer on hold" in error
    assert "; also not translated: " in error and "date '20261305'" in error


def test_documents_stored_before_one_per_line_blobs_are_still_posted(make: Make,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    # a message translated by an earlier version (canonical blob "[doc,doc]" on one line), posted after an upgrade
    pipeline = make({"odoo": {"enabled": True}})
    outcomes: list[Any] = [OdooUnavailable("down")]

    def post(doc: Any) -> list[OdooLink]:
        if outcomes:
            raise outcomes.pop()
        return [OdooLink("", "sale.order", int(doc.number[-2:]))]

    calls = fake_odoo(monkeypatch, post)
    message = submit(pipeline, purchase_order_batch(17, 2, lines=1), name="batch.x12")
    assert pipeline.advance(message.id).state is State.RETRY_WAIT
    blob = pipeline.journal.get_blob(message.id, "canonical") or ""
    assert blob.startswith("[\n")
    pipeline.journal.put_blob(message.id, "canonical", "[" + ",".join(blob[2:-2].split(",\n")) + "]")
    pipeline.journal._db.execute("UPDATE messages SET next_attempt_at = NULL WHERE id = ?", (message.id,))
    assert pipeline.advance(message.id).state is State.DONE
    assert [doc.number for doc in calls] == ["PO0170000001", "PO0170000001", "PO0170000002"]
