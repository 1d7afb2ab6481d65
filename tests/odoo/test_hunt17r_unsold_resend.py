"""A PO resent after one of its items stopped being sold finds its sale order, as before, and is not refused.

Refusing a line for a product with Can be Sold unticked (055fbf1) is right for a sale line about to be written; but
the check sat in the writing of the lines, which a resend of a posted PO also goes through to compare itself with its
sale order. A retailer resending its 850 (a new ISA, its vendor number at the retailer typed anew: no difference Odoo keeps)
after the distributor unticked Can be Sold on the Blue Widget was quarantined "is not for sale in Odoo" for an order
Odoo had and the warehouse was shipping, where it was found before. BigBox's 850 twice through the pipeline into the
sandbox over HTTP (17, 19).
"""

from __future__ import annotations

from pathlib import Path

import odoorpc

from gateway.config.loader import LoadedConfig
from gateway.journal.api import State
from gateway.odoo.sandbox import SandboxServer
from tests.odoo.test_caseorders15_gtin import BLUE
from tests.odoo.test_hunt17_replaced_product_codes import examples, posted_by
from tests.odoo.test_pipeline_posting import SAMPLE, run
from tests.odoo.test_posting_cancel import pipeline_orders, submit

__all__ = ["examples"]          # the module's fixture, shared


async def test_a_po_resent_after_its_item_stopped_being_sold_finds_its_order(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    message, first, pipeline = await posted_by(tmp_path, examples, sandbox, odoo, BLUE)
    assert message.state is State.DONE and first, message.last_error
    [blue] = odoo.execute_kw("product.product", "search", [[("default_code", "=", "WB-100")]])
    odoo.execute_kw("product.product", "write", [[blue], {"sale_ok": False}])
    pipeline.forget_lookups()           # the resend comes days later: the lookups' minutes are long past
    again = SAMPLE.read_bytes().replace(b"\r\n", b"\n").replace(b"000001201", b"000001202") \
        .replace(b"*1201", b"*1202").replace(b"REF*IA*77812", b"REF*IA*77813")
    resent = run(pipeline, (await submit(pipeline, again, "850_resent.edi")).id, {State.DONE, State.QUARANTINED})
    assert resent.state is State.DONE, resent.last_error
    assert len(pipeline_orders(odoo)) == 1
