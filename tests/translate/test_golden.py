"""Golden tests per example partner.

Given a sample inbound file, when it is translated with the partner's profile, then the
canonical JSON is exactly the reviewed one in tests/golden/<partner>/. Given a canonical
fixture, when it is rendered for the partner (fixed clock, fresh journal), then the bytes
are exactly the reviewed ones, and reading them back gives the fixture again.
Regenerate after a deliberate change with:  EDI_GOLDEN_UPDATE=1 pytest tests/translate/test_golden.py
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from gateway.config.loader import LoadedConfig
from gateway.formats import x12
from gateway.journal.sqlite import SqliteJournal
from gateway.translate import identify, render, translate
from gateway.translate.canonical import Document, from_json
from gateway.transports.base import IntakeMeta
from tests.translate.conftest import EXAMPLES, GOLDEN, RENDER_TIME

UPDATE = os.environ.get("EDI_GOLDEN_UPDATE") == "1"
# later/: what a partner sends after its orders are in Odoo (BigBox's 860 change); the demo sends only the top folder
SAMPLES = sorted((f, p) for p in ("bigbox", "northwind") for pattern in ("*.edi", "later/*.edi")
                 for f in (EXAMPLES / "samples" / p).glob(pattern))
FIXTURES = [("bigbox", "856", "856_ship_notice.json"), ("bigbox", "810", "810_invoice.json"),
            ("bigbox", "865", "865_change_ack.json"),
            ("northwind", "856", "856_ship_notice.json"), ("northwind", "810", "810_invoice.json"),
            ("northwind", "846", "846_inventory.json"), ("northwind", "855", "855_ack.json")]
CHANNEL = {"bigbox": IntakeMeta(channel="as2", filename="x", partner="bigbox"),
           "northwind": IntakeMeta(channel="sftp", filename="x", partner="northwind")}


def _golden(path: Path, actual: bytes) -> None:
    if UPDATE:
        path.write_bytes(actual)
    assert path.exists(), f"{path} missing: run with EDI_GOLDEN_UPDATE=1 and review it"
    assert actual == path.read_bytes()


def _canonical(docs: list[Document]) -> bytes:
    return (json.dumps([json.loads(d.model_dump_json(exclude_none=True)) for d in docs], indent=2) + "\n").encode()


@pytest.mark.parametrize(("sample", "partner_id"), SAMPLES, ids=[s.name for s, _ in SAMPLES])
def test_sample_translates_to_reviewed_canonical_json(sample: Path, partner_id: str, config: LoadedConfig) -> None:
    result = x12.parse(sample.read_bytes())
    assert not result.errors
    partner = identify(result, CHANNEL[partner_id], config.partners, config.gateway.our_ids)
    assert partner.id == partner_id
    docs = [d for tx in result.transactions for d in translate(tx, partner, config.profiles)]
    assert docs and all(d.check() == [] for d in docs)
    _golden(GOLDEN / partner_id / f"{sample.stem}.json", _canonical(docs))


@pytest.mark.parametrize(("partner_id", "doc_type", "fixture"), FIXTURES,
                         ids=[f"{p}-{t}" for p, t, _ in FIXTURES])
def test_fixture_renders_to_reviewed_bytes_and_reads_back(partner_id: str, doc_type: str, fixture: str,
                                                          config: LoadedConfig, journal: SqliteJournal) -> None:
    doc = from_json((GOLDEN / partner_id / fixture).read_bytes())
    partner = config.partners[partner_id]
    rendered = render(doc, partner, config.profiles, journal, doc_type, our_ids=config.gateway.our_ids,
                      now=RENDER_TIME)
    _golden(GOLDEN / partner_id / f"{Path(fixture).stem}.expected.x12", rendered.data)
    result = x12.parse(rendered.data)
    assert [str(i) for i in result.errors] == []
    assert rendered.control_number == result.interchanges[0].control_number
    back = translate(result.transactions[0], partner, config.profiles, profile=f"{partner_id}-{doc_type}")
    assert back[0].model_dump(exclude={"source"}) == doc.model_dump(exclude={"source"})


def test_render_picks_the_partner_document_by_canonical_type(config: LoadedConfig, journal: SqliteJournal) -> None:
    """Given no partner type (the scheduler's call), the partner's outbound document for ShipNotice is used,
    and control numbers come from the journal: a second rendering gets the next ones."""
    doc = from_json((GOLDEN / "northwind" / "856_ship_notice.json").read_bytes())
    partner = config.partners["northwind"]
    first = render(doc, partner, config.profiles, journal, our_ids=config.gateway.our_ids, now=RENDER_TIME)
    second = render(doc, partner, config.profiles, journal, our_ids=config.gateway.our_ids, now=RENDER_TIME)
    assert first.doc_type == "856" and first.expects_ack == "999"
    assert (first.control_number, second.control_number) == ("000000001", "000000002")
    assert (first.transaction_numbers, second.transaction_numbers) == (["0001"], ["0002"])
    assert first.filename == "northwind_856_000000001.x12" and first.source_record == "stock.picking,51"
