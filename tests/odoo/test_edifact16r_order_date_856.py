"""An 856's PRF04 is the date of the retailer's own order (its BEG05), each order its own, not the day Odoo's
sale order was confirmed (date_order, which action_confirm sets to that moment): 0b682c7 changed it for the
DESADV's DTM+171 and the 856 alike but tested only the DESADV. BigBox's two sample 850s (4500001234 of 27 November,
and the batch whose 4500001235 is of 28 November) go through the pipeline into the Odoo sandbox, are confirmed and
shipped there, and the daemon's scheduler sends each its 856."""

from __future__ import annotations

from pathlib import Path

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.journal.api import Direction, State
from gateway.odoo.client import OdooClient
from gateway.odoo.sandbox import SandboxServer
from gateway.transports.base import IntakeMeta
from tests.odoo import test_outbound_odd_odoo as odd
from tests.odoo.test_outbound_taxes_packs import daemon_scheduler, examples
from tests.odoo.test_pipeline_posting import pipeline_for, run
from tests.odoo.test_posting_cancel import EH_SAMPLE

__all__ = ["examples"]                             # the fixture, used by name

SAMPLES = EH_SAMPLE.parents[1] / "bigbox"


@pytest.mark.parametrize("sandbox", [17, 19], indirect=True, ids=["odoo17", "odoo19"])
async def test_each_856_gives_its_orders_own_date(sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO,
                                                  examples: LoadedConfig, tmp_path: Path) -> None:
    pipeline, journal = pipeline_for(tmp_path, examples, sandbox)
    for sample in ("850_4500001234.edi", "850_4500001235-36.edi"):
        message = await pipeline.submit((SAMPLES / sample).read_bytes(), IntakeMeta(channel="folder", filename=sample))
        assert run(pipeline, message.id, {State.DONE, State.QUARANTINED}).state is State.DONE
    for po in ("4500001234", "4500001235"):
        [order_id] = odoo.execute_kw("sale.order", "search", [[("client_order_ref", "=", po)]])
        [state] = odoo.execute_kw("sale.order", "read", [[order_id], ["state"]])
        if state["state"] != "sale":
            odoo.execute_kw("sale.order", "action_confirm", [[order_id]])
        odd.pack_and_ship(odoo, order_id, [])
    scheduler, _ = daemon_scheduler(examples, client, journal, tmp_path)
    assert await scheduler.run_once("bigbox", "856") == 2
    sent = [pipeline.archive.read(m.sha256).decode() for m in journal.find(direction=Direction.OUT, partner="bigbox",
                                                                             limit=20) if m.doc_type == "856"]
    prf = sorted(s for data in sent for s in data.replace("\n", "").split("~") if s.startswith("PRF*"))
    assert prf == ["PRF*4500001234***20261127", "PRF*4500001235***20261128"], sent
