"""A partner whose profiles map IN to the buyer's item (Northwind: `item_qualifiers: {IN: buyer, BP: buyer_part}` and
`item_ids.buyer: {pair: IN, at: 6}`) is answered as before the X12 base stopped picking IN as `buyer`: its sample 850
(`PO1*1*2*CA*150.00*PE*IN*NW-A1*UP*614141000012*BP*7701-WB`) through the pipeline into the sandbox over HTTP, and the
855 the scheduler sends once the order is confirmed names each number once, under the qualifier it came with (17)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.journal.api import State
from gateway.odoo.client import OdooClient
from gateway.odoo.sandbox import SandboxServer
from gateway.odoo.scheduler import OdooScheduler
from gateway.translate import ProfileRegistry, lint_profiles
from gateway.transports.base import IntakeMeta
from tests.odoo.test_casesout15_ship_bill import line_of
from tests.odoo.test_outbound_changed_lines import segments, sent
from tests.odoo.test_pipeline_posting import examples, pipeline_for, run

__all__ = ["examples"]

EXAMPLES = Path(__file__).resolve().parents[2] / "gateway" / "examples" / "translations"
SAMPLE = Path(__file__).resolve().parents[2] / "gateway" / "examples" / "samples" / "northwind" / "850_NW-77001.edi"


@pytest.mark.parametrize("sandbox", [17], indirect=True)
async def test_northwinds_in_as_its_buyer_item_is_answered_once_as_in(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, client: OdooClient,
        odoo: odoorpc.ODOO) -> None:
    pipeline, _journal = pipeline_for(tmp_path, examples, sandbox)
    message = await pipeline.submit(SAMPLE.read_bytes(), IntakeMeta(channel="sftp", filename=SAMPLE.name,
                                                                     partner="northwind"))
    done = run(pipeline, message.id, {State.DONE, State.QUARANTINED})
    assert done.state is State.DONE, done.last_error
    [so] = odoo.execute_kw("sale.order", "search", [[("client_order_ref", "=", "NW-77001")]])
    odoo.execute_kw("sale.order", "action_confirm", [[so]])
    ctx = SimpleNamespace(config=pipeline.config, journal=pipeline.journal, pipeline=pipeline,
                          partners=pipeline.config.partners)
    assert await OdooScheduler(ctx, lambda: client).run_once("northwind", "855") == 1
    po1 = line_of(segments(sent(pipeline, "855"), "PO1"), "1")
    pairs = list(zip(po1[6::2], po1[7::2]))
    assert [p for p in pairs if p[0] in ("IN", "BP")] == [("IN", "NW-A1"), ("BP", "7701-WB")], po1


def test_a_pick_of_in_alone_is_warned_about_and_northwinds_code_list_is_not(tmp_path: Path) -> None:
    """`item_ids.buyer: {pair: IN, at: 6}` with no code list keeps the number twice (the base's pairs keep IN as
    `buyer_item`, which the base no longer picks as `buyer` itself), and the 855/856/810 send it back twice: lint
    warns, naming the code list that says it once; Northwind's profiles, which map IN to buyer, lint clean."""
    (tmp_path / "acme-850.yaml").write_text(
        "extends: x12-004010-850\nstructure:\n  lines:\n    fields:\n      item_ids.buyer: {pair: IN, at: 6}\n")
    said = [str(e) for e in lint_profiles(ProfileRegistry.load([tmp_path]))]
    assert any("acme-850.yaml:5" in s and "picks the IN pair" in s and "IN: buyer" in s for s in said), said
    said = [str(e) for e in lint_profiles(ProfileRegistry.load([EXAMPLES]))]
    assert not any("northwind" in s for s in said), said
