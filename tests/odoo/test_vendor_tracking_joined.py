"""A vendor's CSV shipment of several parcels is read with every parcel's tracking number joined with ',' (as
Odoo's carrier_tracking_ref keeps them) and received so. The same shipment sent again under a new shipment
number, for one of its parcels or with one more, is held naming the validated receipt, through the pipeline and
the sandbox over HTTP: any number in common is the same shipment (the numbers were compared whole, so 'A' did not
match a receipt of 'A,B', and the parcel's goods were received a second time on the backorder)."""

from __future__ import annotations

from pathlib import Path

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.config.models import PartnerConfig
from gateway.journal.api import State
from gateway.odoo.sandbox import SandboxServer
from gateway.transports.base import IntakeMeta
from tests.odoo.test_pipeline_posting import examples, pipeline_for, run
from tests.odoo.test_vendor_odd import purchase
from tests.odoo.test_vendor_receipts import receipts, received

__all__ = ["examples"]

VENDOR = PartnerConfig.model_validate({
    "id": "widgetworks", "name": "Widget Works",
    "odoo": {"partner_ref": "WIDGETWORKS", "validate_receipts": True},
    "csv": {"group_by": "shipment_id"},
    "documents": [{"type": "csv-shipment", "direction": "in", "profile": "csv-shipment"}]})
HEADER = "shipment_id,ship_date,carrier,tracking_number,order_number,line_no,sku,gtin,quantity,unit"
A, B, C = "00340434161234567890", "00340434161234567891", "00340434161234567892"


def shipment(number: str, po: str, parcels: list[tuple[str, int]]) -> bytes:
    """One row per parcel: its tracking number and the blue widgets (PO line 1) in it."""
    rows = [f"{number},2026-11-29,DHL,{tracking},{po},1,WW-WB-100,,{qty},EA" for tracking, qty in parcels]
    return "\r\n".join([HEADER, *rows, ""]).encode()


@pytest.mark.parametrize(("first", "again"), [([(A, 30), (B, 30)], [(A, 30)]),          # one parcel of two
                                              ([(A, 60)], [(A, 30), (C, 30)])],         # one parcel more
                         ids=["parcel-of-received", "received-and-more"])
async def test_a_parcel_of_a_received_shipment_under_a_new_number_is_held(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, odoo: odoorpc.ODOO,
        first: list[tuple[str, int]], again: list[tuple[str, int]]) -> None:
    po, name = purchase(odoo)
    pipeline, journal = pipeline_for(tmp_path, examples, sandbox)
    pipeline.config.partners["widgetworks"] = VENDOR

    async def send(number: str, parcels: list[tuple[str, int]]) -> object:
        message = await pipeline.submit(shipment(number, name, parcels),
                                        IntakeMeta(channel="sftp", filename=f"{number}.csv", partner="widgetworks"))
        return run(pipeline, message.id, {State.DONE, State.QUARANTINED})

    done = await send("SHIP-1", first)
    assert done.state is State.DONE, done.last_error
    validated, backorder = receipts(odoo, po)
    ref = odoo.execute_kw("stock.picking", "read", [[validated["id"]], ["carrier_tracking_ref"]])[0]
    assert validated["state"] == "done" and ref["carrier_tracking_ref"] == ",".join(t for t, _ in first)
    assert received(odoo, po) == [60.0, 0.0]

    held = await send("SHIP-2", again)
    assert held.state is State.QUARANTINED, held.last_error
    assert f"the notice has tracking number {A}, already received: receipt {validated['name']}" in (held.last_error or "")
    assert received(odoo, po) == [60.0, 0.0] and receipts(odoo, po)[1] == backorder
    assert journal.odoo_links(held.id) == []
