"""A vendor's 856 that counts an item in cases and says in PO4 how many a case holds (`SN1**5*CA` + `PO4*12`,
VICS's item loop) against a PO in units, through the pipeline into the sandbox over HTTP. Before, PO4 was not read
and the notice was quarantined saying 'unit CS is a case and the line says neither how many a case holds (X12 PO4,
...)' of a line that did say it; now the 5 cases are received as 60 units. An item in units under a PO4 that sizes
its inner packs (`SN1*1*24*EA` + `PO4*1*24*EA`, as a Walmart 856 has it) is read as before."""

from __future__ import annotations

from pathlib import Path

import odoorpc

from gateway.config.loader import LoadedConfig
from gateway.journal.api import State
from gateway.odoo.sandbox import SandboxServer
from gateway.transports.base import IntakeMeta
from tests.odoo.test_pipeline_posting import examples, pipeline_for, run
from tests.odoo.test_vendor18_po_digits import VENDOR
from tests.odoo.test_vendor_odd import purchase
from tests.odoo.test_vendor_receipts_pipeline import asn

__all__ = ["examples"]


async def test_cases_sized_by_po4_are_received_in_units(tmp_path: Path, examples: LoadedConfig,
                                                        sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    """PO of 120 blue and 50 red widgets in Units: 5 cases of 12 blue and 24 red in units are received as 60 and
    24, each on its own line's move."""
    po, name = purchase(odoo, [(1, 120, 7.5), (2, 50, 5.25)])
    pipeline, _journal = pipeline_for(tmp_path, examples, sandbox)
    pipeline.config.partners["widgetworks"] = VENDOR
    message = await pipeline.submit(asn(1001, "00", "ASN-1001", name, [], items=[
        "HL*4*3*I", "LIN*1*VN*WW-WB-100", "SN1**5*CA**10*CA", "PO4*12", "HL*5*3*I", "LIN*2*VN*WW-WR-200",
        "SN1**24*EA", "PO4*1*24*EA"]), IntakeMeta(channel="sftp", filename="1001.edi", partner="widgetworks"))
    done = run(pipeline, message.id, {State.DONE, State.QUARANTINED}, rounds=60)
    assert done.state is State.DONE, done.last_error
    [pick] = odoo.execute_kw("stock.picking", "search_read", [[("purchase_id", "=", po)], ["move_line_ids"]])
    rows = odoo.execute_kw("stock.move.line", "read", [pick["move_line_ids"], ["product_id", "quantity"]])
    assert sorted((r["product_id"][0], r["quantity"]) for r in rows) == [(1, 60.0), (2, 24.0)]
