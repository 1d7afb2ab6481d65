"""Golden tests for the eurohandel (EDIFACT D96A) and shopmarket (CSV) example partners.

Given a partner's sample inbound file, when it is identified and translated with the partner's
profile, then the canonical documents equal the hand-written ones in golden/. Given a canonical
fixture (what Odoo extraction yields), when it is rendered for the partner with a fixed clock and a
fresh journal, then the bytes equal the reviewed file in expected/, and translating those bytes back
gives the fixture again. Regenerate expected/ after a deliberate change with
EDI_GOLDEN_UPDATE=1 pytest tests/translate_other/test_golden_partners.py (then review the diff).
"""

from __future__ import annotations

import json
import os

import pytest

from gateway.config.loader import LoadedConfig
from gateway.formats import parse
from gateway.formats.base import Syntax
from gateway.journal.sqlite import SqliteJournal
from gateway.translate import identify, render, translate
from gateway.translate.canonical import Document, from_dict, from_json, to_json
from gateway.transports.base import IntakeMeta
from tests.translate_other.conftest import EXAMPLES, HERE, RENDER_TIME

UPDATE = os.environ.get("EDI_GOLDEN_UPDATE") == "1"

SAMPLES = [
    ("eurohandel", "ORDERS_4500012345.edi", "eurohandel_ORDERS_4500012345.json"),
    ("eurohandel", "ORDERS_4500012346-47.edi", "eurohandel_ORDERS_4500012346-47.json"),
    ("eurohandel", "later/ORDCHG_4500012345.edi", "eurohandel_ORDCHG_4500012345.json"),
    ("shopmarket", "orders_20261128_0600.csv", "shopmarket_orders_20261128_0600.json"),
]
# eurohandel drops files into the shared inbox (the UNB sender names it); shopmarket logs into our SFTP server
CHANNEL = {"eurohandel": IntakeMeta(channel="folder", filename="x"),
           "shopmarket": IntakeMeta(channel="sftp", filename="x", partner="shopmarket")}
FIXTURES = [
    ("eurohandel", "DESADV", "eurohandel_shipnotice.json", "eurohandel_DESADV.edi"),
    ("eurohandel", "INVOIC", "eurohandel_invoice.json", "eurohandel_INVOIC.edi"),
    ("shopmarket", "csv-shipment", "shopmarket_shipnotice.json", "shopmarket_shipment.csv"),
]


def _plain(doc: Document) -> dict[str, object]:
    return json.loads(to_json(doc))  # type: ignore[no-any-return]


@pytest.mark.parametrize(("partner_id", "sample", "golden"), SAMPLES, ids=[s for _, s, _ in SAMPLES])
def test_sample_translates_to_hand_written_canonical(partner_id: str, sample: str, golden: str,
                                                      config: LoadedConfig) -> None:
    data = (EXAMPLES / "samples" / partner_id / sample).read_bytes()
    hint = config.partners[partner_id]
    result = parse(data, csv=hint.csv)
    assert [str(i) for i in result.errors] == []
    partner = identify(result, CHANNEL[partner_id], config.partners, config.gateway.our_ids)
    assert partner.id == partner_id
    docs = [d for tx in result.transactions for d in translate(tx, partner, config.profiles)]
    expected = [from_dict(d) for d in json.loads((HERE / "golden" / golden).read_text(encoding="utf-8"))]
    assert [_plain(d) for d in docs] == [_plain(d) for d in expected]
    assert all(d.check() == [] for d in docs)


def test_eurohandel_units_map_both_ways(config: LoadedConfig, journal: SqliteJournal) -> None:
    """KAR (EuroHandel's carton of 12) reads as DZN and DZN is written back as KAR, PCE stays PCE <-> EA."""
    profile = config.profiles.get("eurohandel-orders")
    assert profile.codes["units"]["KAR"] == "DZN" and profile.codes["units"]["PCE"] == "EA"
    doc = from_json((HERE / "fixtures" / "eurohandel_shipnotice.json").read_bytes())
    out = render(doc, config.partners["eurohandel"], config.profiles, journal, "DESADV",
                 our_ids=config.gateway.our_ids, now=RENDER_TIME).data
    assert b"QTY+12:4:KAR'" in out and b"QTY+12:48:PCE'" in out


@pytest.mark.parametrize(("partner_id", "doc_type", "fixture", "expected"), FIXTURES,
                         ids=[f"{p}-{t}" for p, t, _, _ in FIXTURES])
def test_fixture_renders_to_reviewed_bytes_and_reads_back(partner_id: str, doc_type: str, fixture: str,
                                                          expected: str, config: LoadedConfig,
                                                          journal: SqliteJournal) -> None:
    doc = from_json((HERE / "fixtures" / fixture).read_bytes())
    partner = config.partners[partner_id]
    rendered = render(doc, partner, config.profiles, journal, doc_type, our_ids=config.gateway.our_ids,
                      now=RENDER_TIME)
    path = HERE / "expected" / expected
    if UPDATE:
        path.write_bytes(rendered.data)
    assert rendered.data == path.read_bytes()
    result = parse(rendered.data, csv=partner.csv)
    assert [str(i) for i in result.errors] == []
    if result.syntax is Syntax.EDIFACT:
        assert rendered.control_number == result.interchanges[0].control_number
    profile = next(d.profile for d in partner.documents if d.type == doc_type)
    back = [d for tx in result.transactions for d in translate(tx, partner, config.profiles, profile=profile)]
    assert len(back) == 1
    assert back[0].model_dump(exclude={"source"}) == doc.model_dump(exclude={"source"})


def test_rendered_desadv_carries_valid_ssccs_for_packs_without_one(config: LoadedConfig,
                                                                   journal: SqliteJournal) -> None:
    """Packs Odoo sends without an SSCC get one from the partner's GS1 prefix, with a correct check digit."""
    data = json.loads((HERE / "fixtures" / "eurohandel_shipnotice.json").read_text(encoding="utf-8"))
    for pack in data["orders"][0]["packs"]:
        pack.pop("sscc")
    doc = from_dict(data)
    out = render(doc, config.partners["eurohandel"], config.profiles, journal, "DESADV",
                 our_ids=config.gateway.our_ids, now=RENDER_TIME).data.decode("latin-1")
    ssccs = [seg.split("+")[2] for seg in out.split("'\n") if seg.startswith("GIN+BJ+")]
    assert ssccs == ["006141410000000012", "006141410000000029"]     # prefix 0614141, serials 1 and 2

    def mod10(digits: str) -> int:                                   # GS1 General Specifications 7.9.1
        total = sum(int(c) * (3 if i % 2 == 0 else 1) for i, c in enumerate(reversed(digits)))
        return (10 - total % 10) % 10
    assert all(mod10(s[:17]) == int(s[17]) for s in ssccs)


def test_eurohandel_order_is_answered_with_a_positive_contrl(config: LoadedConfig, journal: SqliteJournal) -> None:
    """EuroHandel's partner file asks for CONTRL on success too: one per interchange, back to its UNB id."""
    from gateway.acks import build
    result = parse((EXAMPLES / "samples" / "eurohandel" / "ORDERS_4500012346-47.edi").read_bytes())
    assert config.gateway.our_ids is not None
    acks = build(result, config.partners["eurohandel"], config.gateway.our_ids, journal)
    assert len(acks) == 1 and acks[0].doc_type == "CONTRL"
    text = acks[0].data.decode("latin-1")
    assert "UNB+UNOC:3+0614141000005:14+4012345000009:14+" in text
    assert "UCI+EH000418+4012345000009:14+0614141000005:14+7'" in text    # 7: interchange accepted
    back = parse(acks[0].data)
    assert [str(i) for i in back.errors] == []
