"""A vendor's X12 856 files through the real pipeline into the sandbox over HTTP: the serial numbers in its
REF*SE segments become the received lines, and a replacement (BSN01 05) that comes after the receipt was
validated is quarantined naming that receipt, with nothing written to Odoo."""

from __future__ import annotations

from pathlib import Path

import odoorpc

from gateway.config.loader import LoadedConfig
from gateway.config.models import PartnerConfig
from gateway.journal.api import State
from gateway.odoo.sandbox import SandboxServer
from gateway.transports.base import IntakeMeta
from tests.odoo.test_pipeline_posting import examples, pipeline_for, run
from tests.odoo.test_vendor_odd import purchase
from tests.odoo.test_vendor_receipts import receipts, received, track_by_serial

__all__ = ["examples"]

VENDOR = PartnerConfig.model_validate({
    "id": "widgetworks", "name": "Widget Works",
    "odoo": {"partner_ref": "WIDGETWORKS", "validate_receipts": True},
    "x12": {"ids": [{"qualifier": "ZZ", "id": "WIDGETWORKS"}], "gs_ids": ["WIDGETWORKS"], "ack": "none"},
    "documents": [{"type": "856", "direction": "in", "profile": "x12-004010-856"}]})


def asn(control: int, purpose: str, number: str, po: str, serials: list[str]) -> bytes:
    """A vendor's 856 (shipment/order/pack/item): one pallet of blue widgets, one REF*SE per unit."""
    body = ([f"BSN*{purpose}*{number}*20261129*0900*0001", "HL*1**S", "TD1*PLT94*1****G*120*LB", "HL*2*1*O",
             f"PRF*{po}", "HL*3*2*P", "MAN*GM*006141410000001019", "HL*4*3*I", "LIN*1*VN*WW-WB-100",
             f"SN1**{len(serials)}*EA"] + [f"REF*SE*{s}" for s in serials] + ["CTT*4"])
    isa = f"ISA*00*          *00*          *ZZ*WIDGETWORKS    *ZZ*ACMEDIST       *261129*0900*U*00401*{control:09d}"
    segments = [f"{isa}*0*P*>", f"GS*SH*WIDGETWORKS*ACMEDIST*20261129*0900*{control}*X*004010",
                "ST*856*0001", *body, f"SE*{len(body) + 2}*0001", f"GE*1*{control}", f"IEA*1*{control:09d}"]
    return "".join(s + "~\n" for s in segments).encode()


async def test_serials_are_received_and_a_late_replacement_is_held(tmp_path: Path, examples: LoadedConfig,
                                                                   sandbox: SandboxServer,
                                                                   odoo: odoorpc.ODOO) -> None:
    track_by_serial(odoo)
    po, name = purchase(odoo, [(1, 3, 7.5), (2, 50, 5.25)])
    pipeline, journal = pipeline_for(tmp_path, examples, sandbox)
    pipeline.config.partners["widgetworks"] = VENDOR

    async def send(control: int, purpose: str, serials: list[str]) -> object:
        message = await pipeline.submit(asn(control, purpose, "ASN-000101", name, serials),
                                        IntakeMeta(channel="sftp", filename=f"856_{control}.edi",
                                                   partner="widgetworks"))
        return run(pipeline, message.id, {State.DONE, State.QUARANTINED})

    first = await send(101, "00", ["SN-A", "SN-B", "SN-C"])
    assert first.state is State.DONE, first.last_error
    done, backorder = receipts(odoo, po)
    lots = odoo.execute_kw("stock.move.line", "read", [done["move_line_ids"], ["quantity", "lot_id"]])
    assert sorted((r["quantity"], r["lot_id"][1]) for r in lots) == [(1.0, "SN-A"), (1.0, "SN-B"), (1.0, "SN-C")]
    assert done["state"] == "done" and received(odoo, po) == [3.0, 0.0]

    again = await send(102, "05", ["SN-A", "SN-B", "SN-D"])          # the vendor corrects a serial number
    assert again.state is State.QUARANTINED
    assert f"ship notice ASN-000101, purchase order {name}: the notice replaces ship notice ASN-000101, whose " \
           f"receipt {done['name']}" in (again.last_error or "")
    reason = next((tmp_path / "quarantine" / "widgetworks").glob("*.reason.txt")).read_text()
    assert done["name"] in reason and "nothing was written" in reason
    assert receipts(odoo, po)[1] == backorder and received(odoo, po) == [3.0, 0.0]
    assert journal.odoo_links(again.id) == []
