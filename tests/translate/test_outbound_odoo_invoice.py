"""The 810 an Odoo invoice goes out as, through the real pipeline, scheduler and BigBox's profiles on the sandbox."""

from __future__ import annotations

from pathlib import Path

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.journal.api import State
from gateway.odoo.client import OdooClient
from gateway.odoo.sandbox import SandboxServer
from gateway.pipeline import Pipeline
from tests.odoo.conftest import client, odoo, sandbox
from tests.odoo.test_crossdock import scheduler
from tests.odoo.test_outbound_changed_lines import segments, sent
from tests.odoo.test_outbound_odd_odoo import invoiced
from tests.odoo.test_pipeline_posting import SAMPLE, examples, pipeline_for, run
from tests.odoo.test_posting_cancel import pipeline_orders, submit

__all__ = ["client", "examples", "odoo", "sandbox"]      # the fixtures, used by the test below

pytestmark = pytest.mark.parametrize("sandbox", [17], ids=["odoo17"], indirect=True)


async def confirmed_order(tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer,
                          odoo: odoorpc.ODOO) -> tuple[Pipeline, int]:
    """BigBox's sample 850 through the pipeline into the sandbox, its sale order confirmed: the pipeline and the
    order's id."""
    pipeline, _ = pipeline_for(tmp_path, examples, sandbox)
    message = run(pipeline, (await submit(pipeline, SAMPLE.read_bytes(), SAMPLE.name)).id,
                  {State.DONE, State.QUARANTINED})
    assert message.state is State.DONE, message.last_error
    [so] = pipeline_orders(odoo)
    odoo.execute_kw("sale.order", "action_confirm", [[so["id"]]])
    return pipeline, int(so["id"])


async def test_an_invoice_line_says_the_price_basis_its_order_line_said(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO) -> None:
    """BigBox orders 'PO1*1*24*EA*12.50*PE*...' (PO105 PE: price per each), and its 855/865 say PE back; the
    810's IT1 left IT105 empty ('IT1*1*24*EA*12.5**BP*...'), which VICS 810 guides ask for with the price: the
    invoice's lines did not carry the basis of the order line they bill. They do now."""
    pipeline, order_id = await confirmed_order(tmp_path, examples, sandbox, odoo)
    invoiced(odoo, order_id)
    assert await scheduler(pipeline, client).run_once("bigbox", "810") == 1
    it1 = segments(sent(pipeline, "810"), "IT1")
    assert len(it1) == 3 and [seg[5] for seg in it1] == ["PE", "PE", "PE"]
