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


X12_VENDOR = PartnerConfig.model_validate({
    "id": "widgetworks", "name": "Widget Works",
    "odoo": {"partner_ref": "WIDGETWORKS", "validate_receipts": True},
    "x12": {"ids": [{"qualifier": "ZZ", "id": "WIDGETWORKS"}], "gs_ids": ["WIDGETWORKS"], "ack": "none"},
    "documents": [{"type": "856", "direction": "in", "profile": "x12-004010-856"}]})


def cartons_856(control: int, number: str, po: str, cartons: list[tuple[str, int]]) -> bytes:
    """A vendor's 856 of cartons labelled by the carrier (MAN*CP, no SSCC, no shipment REF*CN), blue widgets in
    each."""
    body = [f"BSN*00*{number}*20261129*0900*0001", "HL*1**S", "TD1*CTN25*2****G*20*LB", "HL*2*1*O", f"PRF*{po}"]
    for index, (tracking, qty) in enumerate(cartons):
        pack = 3 + 2 * index
        body += [f"HL*{pack}*2*P", f"MAN*CP*{tracking}", f"HL*{pack + 1}*{pack}*I", "LIN*1*VN*WW-WB-100",
                 f"SN1**{qty}*EA"]
    body.append(f"CTT*{2 + 2 * len(cartons)}")
    isa = f"ISA*00*          *00*          *ZZ*WIDGETWORKS    *ZZ*ACMEDIST       *261129*0900*U*00401*{control:09d}"
    segments = [f"{isa}*0*P*>", f"GS*SH*WIDGETWORKS*ACMEDIST*20261129*0900*{control}*X*004010",
                "ST*856*0001", *body, f"SE*{len(body) + 2}*0001", f"GE*1*{control}", f"IEA*1*{control:09d}"]
    return "".join(s + "~\n" for s in segments).encode()


async def test_every_cartons_tracking_number_is_kept_and_a_later_carton_is_held(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    """An 856 whose two cartons carry their own tracking numbers (MAN*CP): the receipt kept the first carton's
    only, so the same second carton announced again under a new notice number was received a second time. The
    receipt keeps both, joined with ',' as Odoo does, and the second notice is held."""
    po, name = purchase(odoo)
    pipeline, journal = pipeline_for(tmp_path, examples, sandbox)
    pipeline.config.partners["widgetworks"] = X12_VENDOR

    async def send(control: int, number: str, cartons: list[tuple[str, int]]) -> object:
        message = await pipeline.submit(cartons_856(control, number, name, cartons),
                                        IntakeMeta(channel="sftp", filename=f"856_{control}.edi", partner="widgetworks"))
        return run(pipeline, message.id, {State.DONE, State.QUARANTINED})

    done = await send(201, "ASN-C1", [(A, 30), (B, 30)])
    assert done.state is State.DONE, done.last_error
    validated, backorder = receipts(odoo, po)
    ref = odoo.execute_kw("stock.picking", "read", [[validated["id"]], ["carrier_tracking_ref"]])[0]
    assert ref["carrier_tracking_ref"] == f"{A},{B}" and received(odoo, po) == [60.0, 0.0]

    held = await send(202, "ASN-C2", [(B, 30)])
    assert held.state is State.QUARANTINED, held.last_error
    assert f"the notice has tracking number {B}, already received: receipt {validated['name']}" in (held.last_error or "")
    assert received(odoo, po) == [60.0, 0.0] and receipts(odoo, po)[1] == backorder
    assert journal.odoo_links(held.id) == []


async def test_a_tracking_number_written_with_spaces_is_the_same_number(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    """The vendor's export gave the UPS number as its label prints it, in groups; its other system resends the
    shipment under a new number without the spaces: the same parcel, held."""
    po, name = purchase(odoo)
    pipeline, _ = pipeline_for(tmp_path, examples, sandbox)
    pipeline.config.partners["widgetworks"] = VENDOR
    for number, tracking, state in [("SHIP-S1", "1Z 999 AA1 01 2345 6784", State.DONE),
                                    ("SHIP-S2", "1Z999AA10123456784", State.QUARANTINED)]:
        message = await pipeline.submit(shipment(number, name, [(tracking, 60)]),
                                        IntakeMeta(channel="sftp", filename=f"{number}.csv", partner="widgetworks"))
        message = run(pipeline, message.id, {State.DONE, State.QUARANTINED})
        assert message.state is state, message.last_error
    assert "the notice has tracking number 1Z999AA10123456784, already received" in (message.last_error or "")
    assert received(odoo, po) == [60.0, 0.0]
