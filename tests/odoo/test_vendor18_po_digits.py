"""A vendor whose system keeps our PO numbers as digits answers Odoo's P00001 as 00001 or 1 (BAK03, PRF01, BIG04:
the letters of Odoo's sequence prefix dropped, sometimes the zeros too). Each document is found on that PO of
this vendor, through the pipeline into the sandbox over HTTP. Before, each was quarantined "no such purchase order
of Widget Works Inc. in Odoo" (855, 856) or "purchase order 00001 ... is not in Odoo" (810), a clerk replaying
nothing: the vendor cannot send Odoo's letters its system does not keep."""

from __future__ import annotations

from pathlib import Path

import odoorpc

from gateway.config.loader import LoadedConfig
from gateway.config.models import PartnerConfig
from gateway.journal.api import State
from gateway.odoo.sandbox import SandboxServer
from gateway.transports.base import IntakeMeta
from tests.odoo.test_pipeline_posting import examples, pipeline_for, run
from tests.odoo.test_vendor16_acks import po_lines, x12_855
from tests.odoo.test_vendor_bill_checks import bill, on_ordered_quantities, x12_810
from tests.odoo.test_vendor_odd import purchase
from tests.odoo.test_vendor_receipts_pipeline import asn

__all__ = ["examples"]

VENDOR = PartnerConfig.model_validate({
    "id": "widgetworks", "name": "Widget Works", "odoo": {"partner_ref": "WIDGETWORKS"},
    "x12": {"ids": [{"qualifier": "ZZ", "id": "WIDGETWORKS"}], "gs_ids": ["WIDGETWORKS"], "ack": "none"},
    "documents": [{"type": t, "direction": "in", "profile": f"x12-004010-{t}"} for t in ("855", "856", "810")]})


async def test_documents_naming_the_po_by_its_digits_find_it(tmp_path: Path, examples: LoadedConfig,
                                                             sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    """PO P000nn of 10 blue widgets: an 855 naming it by its digits (zeros kept) cuts it to 8; an 856 naming it
    by its number without the zeros ships the 8 on its receipt; an 810 so named bills them on its line. The
    vendor's other PO (P...1) is left alone."""
    on_ordered_quantities(odoo)
    other, _ = purchase(odoo, [(1, 3, 7.5)])
    po, name = purchase(odoo, [(1, 10, 7.5)])
    digits = name.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    assert digits != name and digits.isdigit(), name
    pipeline, _journal = pipeline_for(tmp_path, examples, sandbox)
    pipeline.config.partners["widgetworks"] = VENDOR

    async def send(control: int, data: bytes) -> None:
        message = await pipeline.submit(data, IntakeMeta(channel="sftp", filename=f"{control}.edi",
                                                         partner="widgetworks"))
        done = run(pipeline, message.id, {State.DONE, State.QUARANTINED}, rounds=60)
        assert done.state is State.DONE, done.last_error

    await send(901, x12_855(901, digits, ["PO1*1*10*EA*7.50**VN*WW-WB-100", "ACK*IC*8*EA"]))
    assert po_lines(odoo, po)[0][:2] == (1, 8.0)
    await send(902, asn(902, "00", "ASN-902", str(int(digits)), [], items=[
        "HL*4*3*I", "LIN*1*VN*WW-WB-100", "SN1**8*EA"]))
    [pick] = odoo.execute_kw("stock.picking", "search_read", [[("purchase_id", "=", po)], ["move_line_ids"]])
    assert [r["quantity"] for r in odoo.execute_kw("stock.move.line", "read", [pick["move_line_ids"],
                                                                             ["quantity"]])] == [8.0]
    await send(903, x12_810(903, "WW-INV-903", digits, ["IT1*1*8*EA*7.50**VN*WW-WB-100"], ["TDS*6000"]))
    [first] = odoo.execute_kw("purchase.order.line", "search", [[("order_id", "=", po)]], {"limit": 1})
    assert bill(odoo, "WW-INV-903")["lines"] == [(8.0, 7.5, first)]
    assert po_lines(odoo, other)[0][:2] == (1, 3.0)
