"""A cross-dock DESADV: an EANCOM ORDERS split by store (LOC+7/QTY+11), posted as one order to the DC, is announced
with each store's goods in cartons of their own, every item marked for its store the EANCOM way (LOC+7/QTY+11 under
its LIN), as `gateway.odoo.crossdock` splits the delivery. Through the real pipeline, sandbox and scheduler."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.formats import parse
from gateway.journal.api import Direction, State
from gateway.odoo.client import OdooClient
from gateway.odoo.sandbox import SandboxServer
from gateway.translate import translate
from gateway.translate.canonical import ShipNotice
from gateway.transports.base import IntakeMeta
from tests.helpers.profiles import base_profiles
from tests.odoo.test_crossdock import scheduler
from tests.odoo.test_extraction import deliver
from tests.odoo.test_pipeline_posting import examples, pipeline_for, run
from tests.translate.test_edifact_allocations import split_order

__all__ = ["examples"]      # the module-scoped fixture, re-exported

STORE_A, STORE_B = "4012345000023", "4012345000030"


@pytest.mark.parametrize("sandbox", [19], indirect=True, ids=["odoo19"])
async def test_a_dc_delivery_for_two_stores_marks_each_cartons_items_for_its_store(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO) -> None:
    """48 Blue Widgets (12 for store A, 36 for B), 10 Gadgets for A and 4 cartons of Red Widgets for the DC; the
    warehouse ships 40 widgets, loose. The DESADV to the DC (NAD+DP) has a carton per store, with our SSCC: A's
    holds 12 widgets and the 10 gadgets, B's the other 28 widgets (short: the last store in the ORDERS' order), each
    LIN followed by LOC+7 with the store's GLN and QTY+11; the DC's own goods are not marked."""
    pipeline, journal = pipeline_for(tmp_path, examples, sandbox)
    message = await pipeline.submit(split_order(), IntakeMeta(channel="folder", filename="ORDERS_split.edi"))
    assert (done := run(pipeline, message.id, {State.DONE, State.QUARANTINED})).state is State.DONE, done.last_error
    [so] = odoo.execute_kw("sale.order", "search", [[("client_order_ref", "=", "4500012345")]])
    odoo.execute_kw("sale.order", "action_confirm", [[so]])
    [widget] = odoo.execute_kw("product.product", "search", [[("default_code", "=", "WB-100")]])
    deliver(odoo, so, partial={widget: 40.0})
    assert await scheduler(pipeline, client).run_once("eurohandel", "DESADV") == 1
    [sent] = [m for m in journal.find(direction=Direction.OUT, limit=50) if m.doc_type == "DESADV"]
    data = pipeline.archive.read(sent.sha256)
    result = parse(data)                        # the gateway's own reader: segment table of D96A DESADV
    assert [str(i) for i in result.errors] == []
    cartons: list[list[tuple[str, str, str, str]]] = []
    sscc: list[str | None] = []
    for seg in result.transactions[0].segments:
        if seg.tag == "CPS":
            cartons.append([])
            sscc.append(None)
        elif seg.tag == "GIN" and seg.get(1) == "BJ":
            sscc[-1] = seg.component(2, 1)
        elif seg.tag == "LIN":
            cartons[-1].append((seg.component(3, 1), "", "", ""))
        elif seg.tag == "QTY" and seg.component(1, 1) == "12":
            cartons[-1][-1] = (cartons[-1][-1][0], seg.component(1, 2), "", "")
        elif seg.tag == "LOC" and seg.get(1) == "7":
            cartons[-1][-1] = (*cartons[-1][-1][:2], f"{seg.component(2, 1)}::{seg.component(2, 3)}", "")
        elif seg.tag == "QTY" and seg.component(1, 1) == "11":
            cartons[-1][-1] = (*cartons[-1][-1][:3], seg.component(1, 2))
    # each item by the EAN-13 the ORDERS named it by (LIN+1++0614141000012:EN), not Odoo's GTIN-14
    assert cartons == [[("0614141000012", "12", f"{STORE_A}::9", "12"), ("0614141000036", "10", f"{STORE_A}::9", "10")],
                       [("0614141000012", "28", f"{STORE_B}::9", "28")],
                       [("0614141000029", "4", "", "")]]
    assert all(sscc[:2]) and len(set(sscc[:2])) == 2      # the stores' cartons carry our SSCCs for the DC to sort
    assert b"NAD+DP+4012345000016::9" in data           # to the DC
    [doc] = translate(result.transactions[0], None, base_profiles(), profile="edifact-d96a-desadv")
    assert isinstance(doc, ShipNotice)
    assert [(i.allocation_kind, i.allocations) for i in doc.all_items()] == [
        ("gln", {STORE_A: Decimal(12)}), ("gln", {STORE_A: Decimal(10)}), ("gln", {STORE_B: Decimal(28)}), (None, {})]


@pytest.mark.parametrize("sandbox", [18], indirect=True, ids=["odoo18"])
async def test_a_line_in_dozens_shipped_in_units_is_split_in_units(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO) -> None:
    """4 DZN of Blue Widgets, 1 for store A and 3 for B (QTY+11 in the line's unit); the warehouse ships 40 Units (a
    move line in the product's own unit). The DESADV's cartons give A 12 and B the other 28, in Units, each marked
    for its store (LOC+7/QTY+11); it gave A 1 and B 3 of the 40, and the DC 36."""
    split = {b"QTY+21:48:PCE'": b"QTY+21:4:DZN'",
             b"PRI+AAA:12.50'": b"PRI+AAA:150.00'\nLOC+7+4012345000023::9'\nQTY+11:1'\nLOC+7+4012345000030::9'\n"
                                b"QTY+11:3'"}
    pipeline, journal = pipeline_for(tmp_path, examples, sandbox)
    message = await pipeline.submit(split_order(split=split), IntakeMeta(channel="folder", filename="ORDERS_dz.edi"))
    assert (done := run(pipeline, message.id, {State.DONE, State.QUARANTINED})).state is State.DONE, done.last_error
    [so] = odoo.execute_kw("sale.order", "search", [[("client_order_ref", "=", "4500012345")]])
    odoo.execute_kw("sale.order", "action_confirm", [[so]])
    [widget] = odoo.execute_kw("product.product", "search", [[("default_code", "=", "WB-100")]])
    [units] = odoo.execute_kw("uom.uom", "search", [[("name", "=", "Units")]])
    [pick] = odoo.execute_kw("sale.order", "read", [[so], ["picking_ids"]])[0]["picking_ids"]
    [line] = odoo.execute_kw("stock.move.line", "search", [[("picking_id", "=", pick), ("product_id", "=", widget)]])
    odoo.execute_kw("stock.move.line", "write", [[line], {"quantity": 40.0, "product_uom_id": units}])
    odoo.execute_kw("stock.picking", "button_validate", [[pick]], {"context": {"skip_backorder": True}})
    assert await scheduler(pipeline, client).run_once("eurohandel", "DESADV") == 1
    [sent] = [m for m in journal.find(direction=Direction.OUT, limit=50) if m.doc_type == "DESADV"]
    result = parse(pipeline.archive.read(sent.sha256))
    assert [str(i) for i in result.errors] == []
    [doc] = translate(result.transactions[0], None, base_profiles(), profile="edifact-d96a-desadv")
    assert isinstance(doc, ShipNotice)
    widgets = [(i.quantity, i.allocations) for i in doc.all_items() if i.item_ids.get("gtin") == "00614141000012"]
    assert widgets == [(Decimal(12), {STORE_A: Decimal(12)}), (Decimal(28), {STORE_B: Decimal(28)})]
