"""A partner that lists the documents it sends has agreed to send those: a set of another type is rejected in its
acknowledgement (997 AK5 R 1, CONTRL UCM 4 with 0085 17) and goes no further. Without the check a customer's
810 was read by the base profile and would have become a vendor bill in Odoo."""

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
from tests.spine.test_crash import EURO
from tests.spine.test_daemon import ACME

EURO_INVOICES = {**EURO, "documents": [{"type": "INVOIC", "direction": "in", "profile": "edifact-d96a-invoic"}]}


def invoice_and_order(control: int) -> bytes:
    """One interchange from Acme: a group with its 850 and a group with an 810 it has not agreed to send."""
    isa = (f"ISA*00*          *00*          *ZZ*ACMERETAIL     *ZZ*ACMEDIST       *261129*0850*U*00401*"
           f"{control:09d}*0*P*>")
    segments = [isa, "GS*PO*ACMERETAIL*ACMEDIST*20261129*0850*1*X*004010", "ST*850*0001",
                "BEG*00*SA*PO-UND-1**20261129", "PO1*1*2*EA*12.5**UP*614141000012", "CTT*1", "SE*5*0001", "GE*1*1",
                "GS*IN*ACMERETAIL*ACMEDIST*20261129*0850*2*X*004010", "ST*810*0001", "BIG*20261129*INV-9**PO-UND-1",
                "IT1*1*2*EA*12.5**UP*614141000012", "TDS*2500", "CTT*1", "SE*6*0001", "GE*1*2",
                f"IEA*2*{control:09d}"]
    return ("~\n".join(segments) + "~\n").encode()


@pytest.fixture
def pipeline(tmp_path: Path) -> Iterator[Pipeline]:
    ws = Workspace.create(tmp_path, partners={"acme": ACME, "euro": EURO_INVOICES})
    config = load(ws.config, environ={})
    journal = SqliteJournal(config.gateway.state_dir / "journal.sqlite3")
    yield Pipeline(config, journal, Archive(config.gateway.archive_dir))
    journal.close()


def test_an_x12_set_the_partner_does_not_send_is_rejected_and_the_rest_goes_on(pipeline: Pipeline) -> None:
    message = pipeline.submit_sync(invoice_and_order(71), IntakeMeta(channel="folder", filename="mixed.x12",
                                                                     source_key="mixed.x12"))
    done = pipeline.advance(message.id)
    assert done.state is State.DONE                       # odoo off: the 850 is translated and kept
    documents = [line for line in pipeline.journal.get_blob(message.id, "canonical").splitlines()
                 if line.startswith("{")]
    assert len(documents) == 1 and '"number":"PO-UND-1"' in documents[0]
    acks = {pipeline.archive.read(m.sha256).decode() for m in pipeline.journal.children(message.id)}
    joined = "".join(acks)
    assert "AK1*PO*1~" in joined and "AK1*IN*2~" in joined
    assert "AK2*810*0001~\nAK5*R*1~" in joined and "AK2*850*0001~\nAK5*A~" in joined
    issues = " ".join(pipeline.journal.get(message.id).meta["parse"]["issues"])
    assert "partner acme is not set up to send 810 (its documents: 850)" in issues


def test_an_edifact_message_the_partner_does_not_send_is_rejected_with_no_agreement(pipeline: Pipeline) -> None:
    message = pipeline.submit_sync(orders(72), IntakeMeta(channel="folder", filename="orders.edi",
                                                          source_key="orders.edi"))
    done = pipeline.advance(message.id)
    assert done.state is State.QUARANTINED
    assert "partner euro is not set up to send ORDERS (its documents: INVOIC)" in (done.last_error or "")
    [contrl] = pipeline.journal.children(message.id)
    text = pipeline.archive.read(contrl.sha256).decode("latin-1")
    assert "UCM+1+ORDERS:D:96A:UN:EAN008+4+17" in text, text
