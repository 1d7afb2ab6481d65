"""Review of 8c89599 (a second ship notice adds its lines to an open receipt carrying another's): a vendor system
that regenerates its ASN number resends the same truck (same pallet SSCC) as ASN-1B while ASN-1's receipt is still
open, through the pipeline into the sandbox over HTTP. Before 8c89599 it replaced ASN-1's lines (60 announced);
with it, ASN-1B was taken for a second truck and added its 60 beside them: 120 announced for one pallet of 60,
which the dock validates as pre-filled. It is now held naming the receipt and ASN-1, nothing written; a second
truck (another pallet) is still added."""

from __future__ import annotations

from pathlib import Path
from typing import Any

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

PALLET = "006141410000001019"       # asn()'s MAN*GM
OTHER = "006141410000002016"


async def test_same_truck_under_a_new_notice_number_is_not_announced_twice(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    po, name = purchase(odoo, [(1, 120, 7.5)])
    pipeline, _journal = pipeline_for(tmp_path, examples, sandbox)
    pipeline.config.partners["widgetworks"] = VENDOR
    qty = "quantity" if sandbox.version >= 17 else "qty_done"

    async def send(control: int, number: str, pallet: str) -> Any:
        data = asn(control, "00", number, name, [], items=["HL*4*3*I", "LIN*1*VN*WW-WB-100", "SN1**60*EA"])
        message = await pipeline.submit(data.replace(PALLET.encode(), pallet.encode()),
                                        IntakeMeta(channel="sftp", filename=f"{control}.edi", partner="widgetworks"))
        return run(pipeline, message.id, {State.DONE, State.QUARANTINED}, rounds=60)

    def announced() -> list[float]:
        [pick] = odoo.execute_kw("stock.picking", "search_read", [[("purchase_id", "=", po)], ["move_line_ids"]])
        return sorted(r[qty] for r in odoo.execute_kw("stock.move.line", "read", [pick["move_line_ids"], [qty]]))

    first = await send(1501, "ASN-1", PALLET)
    assert first.state is State.DONE, first.last_error
    again = await send(1502, "ASN-1B", PALLET)
    assert again.state is State.QUARANTINED, again.last_error
    assert "same shipment under a new number" in str(again.last_error) and "ASN-1" in str(again.last_error)
    assert announced() == [60.0]
    second = await send(1503, "ASN-2", OTHER)
    assert second.state is State.DONE, second.last_error
    assert announced() == [60.0, 60.0]


async def test_the_first_trucks_tracking_number_stays_on_the_shared_receipt(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    """Two trucks, a carrier PRO number each (REF*CN), on one open receipt: the second notice wrote its number over
    the first's (carrier_tracking_ref 'PRO-2'), so the dock saw one truck's, and the first truck resent under a new
    notice number with its PRO and no pallet label was added again (180 announced of 120). The receipt keeps both
    ('PRO-1,PRO-2', as Odoo's carrier connectors join a delivery's) and the resend is held."""
    po, name = purchase(odoo, [(1, 120, 7.5)])
    pipeline, _journal = pipeline_for(tmp_path, examples, sandbox)
    pipeline.config.partners["widgetworks"] = VENDOR
    qty = "quantity" if sandbox.version >= 17 else "qty_done"

    async def send(control: int, number: str, pallet: str, pro: str) -> Any:
        data = asn(control, "00", number, name, [], items=["HL*4*3*I", "LIN*1*VN*WW-WB-100", "SN1**60*EA"]).decode()
        data = data.replace("TD1*PLT94*1****G*120*LB~\n", f"TD1*PLT94*1****G*120*LB~\nREF*CN*{pro}~\n")
        count = data.split("SE*")[1].split("*")[0]
        data = data.replace(f"SE*{count}*", f"SE*{int(count) + 1}*")
        if not pallet:
            data = data.replace(f"MAN*GM*{PALLET}~\n", "").replace(f"SE*{int(count) + 1}*", f"SE*{count}*")
        message = await pipeline.submit(data.replace(PALLET, pallet or PALLET).encode(),
                                        IntakeMeta(channel="sftp", filename=f"{control}.edi", partner="widgetworks"))
        return run(pipeline, message.id, {State.DONE, State.QUARANTINED}, rounds=60)

    def receipt() -> tuple[str, list[float]]:
        [pick] = odoo.execute_kw("stock.picking", "search_read", [[("purchase_id", "=", po)],
                                                                  ["move_line_ids", "carrier_tracking_ref"]])
        return pick["carrier_tracking_ref"], sorted(
            r[qty] for r in odoo.execute_kw("stock.move.line", "read", [pick["move_line_ids"], [qty]]))

    for control, number, pallet, pro in ((1511, "ASN-1", PALLET, "PRO-1"), (1512, "ASN-2", OTHER, "PRO-2")):
        done = await send(control, number, pallet, pro)
        assert done.state is State.DONE, done.last_error
    assert receipt() == ("PRO-1,PRO-2", [60.0, 60.0])
    again = await send(1513, "ASN-1B", "", "PRO-1")
    assert again.state is State.QUARANTINED, again.last_error
    assert "tracking number PRO-1" in str(again.last_error), again.last_error
    assert receipt() == ("PRO-1,PRO-2", [60.0, 60.0])
