"""Review of 96d5d60 (a PO named by its digits alone is found on the vendor's order): an 810 line's REF*PO may be
a drop-ship customer's order number, not ours (its line is then billed on the invoice's own PO, as
`posting._bill_orders` says). A vendor naming our PO in full (BIG04 P000nn) with a customer's 4711-like number on
its line that happens to be the digits of another of our POs of that vendor was billed on that other PO's line
(the wrong PO's bill control, its quantity to bill taken). Now a line's digits are read as our PO only from a
vendor that names the invoice's own PO so (or names none); the vendor of digits still gets its lines' POs found.
Through the pipeline into the sandbox over HTTP."""

from __future__ import annotations

from pathlib import Path

import odoorpc

from gateway.config.loader import LoadedConfig
from gateway.journal.api import State
from gateway.odoo.sandbox import SandboxServer
from gateway.transports.base import IntakeMeta
from tests.odoo.test_pipeline_posting import examples, pipeline_for, run
from tests.odoo.test_vendor18_po_digits import VENDOR
from tests.odoo.test_vendor_bill_checks import bill, on_ordered_quantities, x12_810
from tests.odoo.test_vendor_odd import purchase

__all__ = ["examples"]


async def test_a_customer_order_number_on_a_line_is_not_our_po_by_digits(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    on_ordered_quantities(odoo)
    other, other_name = purchase(odoo, [(1, 3, 7.5)])
    po, name = purchase(odoo, [(1, 10, 7.5)])
    customer_po = str(int(other_name.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")))      # a drop-ship customer's order
    pipeline, _journal = pipeline_for(tmp_path, examples, sandbox)
    pipeline.config.partners["widgetworks"] = VENDOR

    async def send(control: int, number: str, po_number: str, ref: str) -> None:
        data = x12_810(control, number, po_number, ["IT1*1*2*EA*7.50**VN*WW-WB-100", f"REF*PO*{ref}"], ["TDS*1500"])
        message = await pipeline.submit(data, IntakeMeta(channel="sftp", filename=f"{control}.edi",
                                                         partner="widgetworks"))
        done = run(pipeline, message.id, {State.DONE, State.QUARANTINED}, rounds=60)
        assert done.state is State.DONE, done.last_error

    [mine] = odoo.execute_kw("purchase.order.line", "search", [[("order_id", "=", po)]])
    [theirs] = odoo.execute_kw("purchase.order.line", "search", [[("order_id", "=", other)]])
    await send(1701, "WW-INV-1701", name, customer_po)
    assert bill(odoo, "WW-INV-1701")["lines"] == [(2.0, 7.5, mine)]
    # a vendor of digits: its line's digits are our PO's (a consolidated invoice)
    await send(1702, "WW-INV-1702", str(int(name.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))), customer_po)
    assert bill(odoo, "WW-INV-1702")["lines"] == [(2.0, 7.5, theirs)]
