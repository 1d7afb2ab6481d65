"""The example partners' sample files, end to end through Odoo: translate -> post -> ship and invoice in
Odoo -> extract -> render with the partner's profile -> queued. The demo world of docs/ARCHITECTURE.md,
with every real part: the formats, the translation engine and its example profiles, the sandbox."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import odoorpc
import pytest

from gateway import formats, translate
from gateway.journal.api import Direction
from gateway.odoo.client import OdooClient
from gateway.odoo.posting import Cache, post
from gateway.odoo.sandbox import SandboxServer
from gateway.odoo.scheduler import OdooScheduler, kind_of
from tests.helpers.examples import loaded_examples
from tests.odoo.test_scheduler import Ctx

EXAMPLES = Path(__file__).resolve().parents[2] / "gateway" / "examples"


@pytest.fixture(scope="module")
def config() -> Any:
    return loaded_examples()


def documents(config: Any, partner_id: str) -> list[Any]:
    partner = config.partners[partner_id]
    docs = []
    for sample in sorted(p for p in (EXAMPLES / "samples" / partner_id).iterdir() if p.is_file()):
        csv = partner.csv if sample.suffix == ".csv" else None
        result = formats.parse(sample.read_bytes(), csv=csv) if csv else formats.parse(sample.read_bytes())
        for tx in result.transactions:
            docs += translate.translate(tx, partner, config.profiles)
    return docs


@pytest.mark.parametrize("sandbox", [16, 17, 18, 19], ids=["odoo16", "odoo17", "odoo18", "odoo19"], indirect=True)
@pytest.mark.parametrize("partner_id", ["bigbox", "northwind", "eurohandel", "shopmarket"])
async def test_sample_orders_round_trip(config: Any, partner_id: str, sandbox: SandboxServer, client: OdooClient,
                                        odoo: odoorpc.ODOO, journal: Any, tmp_path: Path) -> None:
    from gateway.demo import odoo_day
    partner = config.partners[partner_id].model_copy(deep=True)
    docs = documents(config, partner_id)
    assert docs, f"{partner_id}: the samples translate into no document"
    cache = Cache()
    for doc in docs:
        links = post(client, doc, partner, cache)
        assert links[0].model == "sale.order" and links[0].role == "created"
        assert post(client, doc, partner, cache)[0].role == "found"
    numbers = sorted(d.number for d in docs)
    refs = odoo.execute_kw("sale.order", "search_read", [[("client_order_ref", "in", numbers)], ["client_order_ref"]])
    assert sorted(r["client_order_ref"] for r in refs) == numbers
    odoo_day.ship_and_invoice(odoo, lambda _: None)
    scheduler = OdooScheduler(Ctx(tmp_path, journal, {partner_id: partner}), lambda: client)
    scheduler.ctx.config.profiles = config.profiles
    queued = 0
    for setting in partner.documents:
        if kind_of(setting) is not None:
            queued += await scheduler.run_once(partner_id, setting.type, slot="2026-11-29 06:00")
    out = journal.find(direction=Direction.OUT, limit=100)
    assert queued == len(out) and queued >= 1, (queued, [m.doc_type for m in out])
    for message in out:
        data = scheduler.ctx.pipeline.archive.read(message.sha256)
        if message.doc_type not in ("846", "INVRPT"):
            assert any(n.encode() in data for n in numbers), (message.doc_type, data[:300])
