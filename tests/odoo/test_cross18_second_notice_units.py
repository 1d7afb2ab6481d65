"""Two trucks, a notice each (ASN-1 then ASN-2, 60 blue widgets in units each, no PO line named), on one open receipt
of a PO buying blue widgets on two lines: line 1 in Dozens (5 = 60 units, as a buyer sets a line's unit), line 2 in
Units (60), through the pipeline into the sandbox over HTTP. ASN-1 fills line 1, written in Units on its Dozens move
(the finer unit, as `receipts._piece` writes it). ASN-2 must fill line 2: before, what ASN-1 left on line 1 was not
taken off its open quantity (only move lines in the move's own unit were counted), so ASN-2 went on line 1 too: 120
announced on a line of 60 and none on line 2, which the dock then received (and the vendor bill matched) line by
line that way. Vendors that count in units against our case or dozen lines are common, the more so since a notice
in cases sized by PO4 is read in units (`case_packs.cases_in_units`)."""

from __future__ import annotations

from pathlib import Path

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.journal.api import State
from gateway.odoo.sandbox import SandboxServer
from gateway.transports.base import IntakeMeta
from tests.odoo.test_pipeline_posting import examples, pipeline_for, run
from tests.odoo.test_vendor18_po_digits import VENDOR
from tests.odoo.test_vendor18_second_notice import PALLETS
from tests.odoo.test_vendor_odd import purchase
from tests.odoo.test_vendor_receipts import dozens_on_line_one
from tests.odoo.test_vendor_receipts_pipeline import asn

__all__ = ["examples"]


@pytest.mark.parametrize("sandbox", [16, 19], indirect=True)
async def test_the_second_notice_fills_the_line_the_first_left_open(tmp_path: Path, examples: LoadedConfig,
                                                                    sandbox: SandboxServer,
                                                                    odoo: odoorpc.ODOO) -> None:
    po, name = purchase(odoo, [(1, 5, 90.0), (1, 60, 7.5)], confirm=False)
    dozens_on_line_one(odoo, po)
    odoo.execute_kw("purchase.order", "button_confirm", [[po]])
    pipeline, _journal = pipeline_for(tmp_path, examples, sandbox)
    pipeline.config.partners["widgetworks"] = VENDOR
    qty = "quantity" if sandbox.version >= 17 else "qty_done"
    lines = odoo.execute_kw("purchase.order.line", "search", [[("order_id", "=", po)]], {"order": "id"})
    for control, number in ((1501, "ASN-1"), (1502, "ASN-2")):
        data = asn(control, "00", number, name, [], items=["HL*4*3*I", "LIN**VN*WW-WB-100", "SN1**60*EA"])
        message = await pipeline.submit(data.replace(PALLETS["ASN-1"].encode(), PALLETS[number].encode()),
                                        IntakeMeta(channel="sftp", filename=f"{control}.edi", partner="widgetworks"))
        done = run(pipeline, message.id, {State.DONE, State.QUARANTINED}, rounds=60)
        assert done.state is State.DONE, done.last_error
    announced = [0.0, 0.0]
    for move in odoo.execute_kw("stock.move", "search_read", [[("purchase_line_id", "in", lines)],
                                                             ["purchase_line_id", "move_line_ids"]]):
        rows = odoo.execute_kw("stock.move.line", "read", [move["move_line_ids"], [qty, "product_uom_id"]])
        assert {r["product_uom_id"][1] for r in rows} <= {"Units"}
        announced[lines.index(move["purchase_line_id"][0])] += sum(r[qty] for r in rows)
    assert announced == [60.0, 60.0]
