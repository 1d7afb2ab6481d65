"""A vendor ships a PO in two trucks and sends a ship notice for each (ASN-1: 60 blue widgets of lot LOT-1 on pallet
...1019; ASN-2: the other 60, lot LOT-2 on pallet ...2016) before the dock validates the receipt (the default,
`validate_receipts` off), through the pipeline into the sandbox over HTTP. Before, a notice replaced every move
line of the open receipt: ASN-2 erased ASN-1's, the receipt announced 60 of the 120 coming, and the first truck's
lot and pallet were gone. Now a notice new to a receipt that carries another's keeps that one's lines; a resend
of either finds it (nothing written twice), and a replacement of one of them, whose lines cannot be told from the
other's, is held naming both, nothing written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

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

PALLETS = {"ASN-1": "006141410000001019", "ASN-2": "006141410000002016"}


@pytest.mark.parametrize("sandbox", [16, 17, 19], indirect=True)
async def test_two_trucks_two_notices_one_receipt(tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer,
                                                  odoo: odoorpc.ODOO) -> None:
    po, name = purchase(odoo, [(1, 120, 7.5)])
    pipeline, _journal = pipeline_for(tmp_path, examples, sandbox)
    pipeline.config.partners["widgetworks"] = VENDOR
    qty = "quantity" if sandbox.version >= 17 else "qty_done"

    async def send(control: int, purpose: str, number: str, lot: str) -> Any:
        data = asn(control, purpose, number, name, [], items=[
            "HL*4*3*I", "LIN*1*VN*WW-WB-100", "SN1**60*EA", f"REF*LT*{lot}"])
        data = data.replace(PALLETS["ASN-1"].encode(), PALLETS[number].encode())
        message = await pipeline.submit(data, IntakeMeta(channel="sftp", filename=f"{control}.edi",
                                                         partner="widgetworks"))
        return run(pipeline, message.id, {State.DONE, State.QUARANTINED}, rounds=60)

    def lines() -> list[tuple[float, str, str]]:
        [pick] = odoo.execute_kw("stock.picking", "search_read", [[("purchase_id", "=", po)], ["move_line_ids"]])
        rows = odoo.execute_kw("stock.move.line", "read", [pick["move_line_ids"], [qty, "lot_name",
                                                                                  "result_package_id"]])
        return sorted((r[qty], r["lot_name"], r["result_package_id"][1]) for r in rows)

    for control, number, lot in ((1401, "ASN-1", "LOT-1"), (1402, "ASN-2", "LOT-2"), (1403, "ASN-2", "LOT-2")):
        done = await send(control, "00", number, lot)
        assert done.state is State.DONE, done.last_error
        assert lines() == [(60.0, "LOT-1", PALLETS["ASN-1"]), (60.0, "LOT-2", PALLETS["ASN-2"])][:int(number[-1])]
    replaced = await send(1404, "05", "ASN-1", "LOT-1B")
    assert replaced.state is State.QUARANTINED
    assert "also carries ship notice ASN-2" in str(replaced.last_error), replaced.last_error
    assert lines() == [(60.0, "LOT-1", PALLETS["ASN-1"]), (60.0, "LOT-2", PALLETS["ASN-2"])]


async def test_the_second_truck_after_the_first_was_validated_fills_the_backorder(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    """With `validate_receipts`, ASN-1's 60 are received and Odoo leaves the other 60 on a backorder whose note is
    the receipt's (stock's _create_backorder copies the picking, its note with it): ASN-2 is received there as the
    60 it announces, not beside the backorder's own 60 (120 received, never 180)."""
    po, name = purchase(odoo, [(1, 120, 7.5)])
    pipeline, _journal = pipeline_for(tmp_path, examples, sandbox)
    pipeline.config.partners["widgetworks"] = VENDOR.model_copy(update={
        "odoo": VENDOR.odoo.model_copy(update={"validate_receipts": True})})
    for control, number in ((1411, "ASN-1"), (1412, "ASN-2")):
        data = asn(control, "00", number, name, [], items=["HL*4*3*I", "LIN*1*VN*WW-WB-100", "SN1**60*EA"])
        message = await pipeline.submit(data.replace(PALLETS["ASN-1"].encode(), PALLETS[number].encode()),
                                        IntakeMeta(channel="sftp", filename=f"{control}.edi", partner="widgetworks"))
        done = run(pipeline, message.id, {State.DONE, State.QUARANTINED}, rounds=60)
        assert done.state is State.DONE, done.last_error
    [line] = odoo.execute_kw("purchase.order.line", "search_read", [[("order_id", "=", po)], ["qty_received"]])
    assert line["qty_received"] == 120.0
