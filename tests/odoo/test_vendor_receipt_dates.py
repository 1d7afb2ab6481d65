"""A vendor's ship notice states when the goods arrive (X12 DTM*017, EDIFACT DTM+17/132, UBL Delivery, cXML
deliveryDate): the incoming receipt is scheduled for that day, where purchasing and the dock see it, instead of
the PO's expected arrival. An 856 through the real pipeline into the sandbox over HTTP, checked with odoorpc."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.config.models import PartnerConfig
from gateway.journal.api import State
from gateway.odoo.sandbox import SandboxServer
from gateway.transports.base import IntakeMeta
from tests.odoo.test_pipeline_posting import examples, pipeline_for, run
from tests.odoo.test_time_zones import los_angeles_warehouse
from tests.odoo.test_vendor_odd import purchase

__all__ = ["examples"]

# 16 (its stock.move.line qty_done; a PO line discount only where the database has the field), 18 (17's names
# and models, with is_storable) and 19 (JSON-2, product_uom_id/tax_ids, stock.package): 17 is on 18's side of
# each version threshold these tests touch
pytestmark = pytest.mark.parametrize("sandbox", [16, 18, 19], ids=["odoo16", "odoo18", "odoo19"],
                                     indirect=True)


def vendor(day_zone: str) -> PartnerConfig:
    return PartnerConfig.model_validate({
        "id": "widgetworks", "name": "Widget Works", "odoo": {"partner_ref": "WIDGETWORKS", "day_zone": day_zone},
        "x12": {"ids": [{"qualifier": "ZZ", "id": "WIDGETWORKS"}], "gs_ids": ["WIDGETWORKS"], "ack": "none"},
        "documents": [{"type": "856", "direction": "in", "profile": "x12-004010-856"}]})


def asn(control: int, number: str, po: str, dates: list[str]) -> bytes:
    """Widget Works' 856: 60 blue widgets of `po` shipped, with these DTM segments at the shipment level."""
    body = [f"BSN*00*{number}*20261129*0900*0001", "HL*1**S", "TD1*CTN25*2", *dates, "HL*2*1*O", f"PRF*{po}",
            "HL*3*2*I", "LIN*1*VN*WW-WB-100", "SN1**60*EA", "CTT*3"]
    isa = f"ISA*00*          *00*          *ZZ*WIDGETWORKS    *ZZ*ACMEDIST       *261129*0900*U*00401*{control:09d}"
    segments = [f"{isa}*0*P*>", f"GS*SH*WIDGETWORKS*ACMEDIST*20261129*0900*{control}*X*004010",
                "ST*856*0001", *body, f"SE*{len(body) + 2}*0001", f"GE*1*{control}", f"IEA*1*{control:09d}"]
    return "".join(s + "~\n" for s in segments).encode()


def scheduled(odoo: odoorpc.ODOO, po: int) -> tuple[str, list[str], list[float]]:
    [pick] = odoo.execute_kw("stock.picking", "search_read", [[("purchase_id", "=", po), ("state", "!=", "done")],
                                                              ["scheduled_date", "move_ids", "move_line_ids"]])
    moves = odoo.execute_kw("stock.move", "read", [pick["move_ids"], ["date"]])
    done = "qty_done" if odoo.version.startswith("16") else "quantity"
    lines = odoo.execute_kw("stock.move.line", "read", [pick["move_line_ids"], [done]])
    return pick["scheduled_date"], sorted({m["date"] for m in moves}), [r[done] for r in lines]


@pytest.mark.parametrize("day_zone, stored", [("user", "2026-12-04 17:00:00"), ("warehouse", "2026-12-04 20:00:00")])
async def test_the_receipt_is_scheduled_for_the_notices_delivery_date(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, odoo: odoorpc.ODOO,
        day_zone: str, stored: str) -> None:
    """Shipped 29 November, to arrive 4 December (DTM*017): the receipt and its open moves are scheduled at noon
    that day in the partner's day zone (the New York user's, or the Los Angeles warehouse's), as Odoo stores
    datetimes (UTC). A notice without a delivery date leaves the receipt's date as it was."""
    los_angeles_warehouse(odoo)
    po, name = purchase(odoo)
    other_po, other = purchase(odoo)
    before = scheduled(odoo, other_po)[0]
    pipeline, _journal = pipeline_for(tmp_path, examples, sandbox)
    pipeline.config.partners["widgetworks"] = vendor(day_zone)

    async def send(control: int, number: str, po_name: str, dates: list[str]) -> Any:
        message = await pipeline.submit(asn(control, number, po_name, dates),
                                        IntakeMeta(channel="sftp", filename=f"856_{control}.edi",
                                                   partner="widgetworks"))
        return run(pipeline, message.id, {State.DONE, State.QUARANTINED})

    done = await send(301, "ASN-301", name, ["DTM*011*20261129", "DTM*017*20261204"])
    assert done.state is State.DONE, done.last_error
    assert scheduled(odoo, po) == (stored, [stored], [60.0])
    undated = await send(302, "ASN-302", other, ["DTM*011*20261129"])
    assert undated.state is State.DONE, undated.last_error
    assert scheduled(odoo, other_po)[0] == before
