"""Review of f1235c0 (an 856 item in cases read in units by its PO4): PO401 is the units a case holds only where
every guide reads it so. With inner packs (PO414 above 1) VICS reads PO401 as inner packs per case (PO4*2 + PO414 6
is 12 a case) and a PO4 of two count sizes (PO4*2*12*EA) is 2 packs of 12 to X12: f1235c0 read both as 2 a case,
so 5 cases (60 units) were received as 10, without a word. Such cases are now left unsized and the notice held
as before f1235c0, asking for the partner's mapping; Walmart's PO4*4*4*EA (vendor and warehouse pack both 4) is
read as 4 a case. Through the pipeline into the sandbox over HTTP."""

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
from tests.odoo.test_vendor_odd import purchase
from tests.odoo.test_vendor_receipts_pipeline import asn

__all__ = ["examples"]


@pytest.mark.parametrize(("po4", "received"), [("PO4*2*************6", None), ("PO4*2*12*EA", None),
                                               ("PO4*4*4*EA", 20.0), ("PO4*6*12*OZ", 30.0)])
async def test_a_case_size_guides_read_differently_is_not_guessed(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, odoo: odoorpc.ODOO, po4: str,
        received: float | None) -> None:
    po, name = purchase(odoo, [(1, 120, 7.5)])
    pipeline, _journal = pipeline_for(tmp_path, examples, sandbox)
    pipeline.config.partners["widgetworks"] = VENDOR
    [pick] = odoo.execute_kw("stock.picking", "search_read", [[("purchase_id", "=", po)], ["move_line_ids"]])
    before = odoo.execute_kw("stock.move.line", "read", [pick["move_line_ids"], ["quantity"]])
    message = await pipeline.submit(asn(1601, "00", "ASN-1601", name, [], items=[
        "HL*4*3*I", "LIN*1*VN*WW-WB-100", "SN1**5*CA", po4]),
        IntakeMeta(channel="sftp", filename="1601.edi", partner="widgetworks"))
    done = run(pipeline, message.id, {State.DONE, State.QUARANTINED}, rounds=60)
    [pick] = odoo.execute_kw("stock.picking", "search_read", [[("purchase_id", "=", po)], ["move_line_ids"]])
    rows = odoo.execute_kw("stock.move.line", "read", [pick["move_line_ids"], ["quantity"]])
    if received is None:
        assert done.state is State.QUARANTINED
        assert "is a case" in str(done.last_error), done.last_error
        assert rows == before        # nothing written
    else:
        assert done.state is State.DONE, done.last_error
        assert [r["quantity"] for r in rows] == [received]
