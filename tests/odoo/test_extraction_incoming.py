"""The 846 / INVRPT feed carries stock still to arrive: open receipts, summed per product per expected date.

Given purchase orders confirmed in the sandbox Odoo (over loopback HTTP, driven with odoorpc as a buyer
would), when the inventory feed is extracted, then each product's line has one dated `on_order` quantity
per expected day in the product's unit, after available and on hand; and Northwind's 846 says QTY*63 + SCH.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.config.models import OurIds, PartnerConfig
from gateway.formats import x12
from gateway.formats.x12_validate import validate_transaction
from gateway.odoo.client import OdooClient
from gateway.odoo.extract.inventory import extract_inventory
from gateway.odoo.posting import Cache, post
from gateway.odoo.sandbox import SandboxServer
from gateway.translate import render
from gateway.translate.canonical import InventoryAdvice, Line
from tests.helpers.examples import loaded_examples
from tests.helpers.profiles import base_profiles
from tests.odoo.conftest import bigbox, northwind, order

EXAMPLES = Path(__file__).resolve().parents[2] / "gateway" / "examples"


@pytest.fixture(scope="module")
def examples() -> LoadedConfig:
    return loaded_examples()


def product(odoo: odoorpc.ODOO, code: str) -> int:
    return int(odoo.execute_kw("product.product", "search", [[("default_code", "=", code)]])[0])


def purchase(odoo: odoorpc.ODOO, version: int, lines: list[tuple[str, float, str, str]], confirm: bool = True) -> int:
    """A buyer's purchase order to Widget Works: (product code, quantity, unit name, planned arrival)."""
    vendor = odoo.execute_kw("res.partner", "search", [[("ref", "=", "WIDGETWORKS")]])[0]
    uom_field = "product_uom_id" if version >= 19 else "product_uom"
    order_lines = []
    for code, qty, unit, planned in lines:
        uom = odoo.execute_kw("uom.uom", "search", [[("name", "=", unit)]])[0]
        order_lines.append((0, 0, {"product_id": product(odoo, code), "product_qty": qty, uom_field: uom,
                                   "date_planned": planned, "price_unit": 1.0}))
    po = int(odoo.execute_kw("purchase.order", "create", [{"partner_id": vendor, "order_line": order_lines}]))
    if confirm:
        odoo.execute_kw("purchase.order", "button_confirm", [[po]])
    return po


def receipt(odoo: odoorpc.ODOO, code: str, qty: float, scheduled: str, confirm: bool = True) -> int:
    """A receipt entered by hand in Inventory (no purchase order): picking of the Receipts type + one move."""
    in_type = odoo.execute_kw("stock.picking.type", "search", [[("code", "=", "incoming")]])[0]
    units = odoo.execute_kw("uom.uom", "search", [[("name", "=", "Units")]])[0]
    pick = int(odoo.execute_kw("stock.picking", "create", [{
        "picking_type_id": in_type, "scheduled_date": scheduled,
        "move_ids": [(0, 0, {"name": code, "product_id": product(odoo, code), "product_uom_qty": qty,
                             "product_uom": units, "date": scheduled})]}]))
    if confirm:
        odoo.execute_kw("stock.picking", "action_confirm", [[pick]])
    return pick


def receive(odoo: odoorpc.ODOO, po: int, quantities: dict[int, float]) -> None:
    """The warehouse receives part of a purchase and keeps the rest as a backorder."""
    [pick] = odoo.execute_kw("purchase.order", "read", [[po], ["picking_ids"]])[0]["picking_ids"]
    for move in odoo.execute_kw("stock.move", "search_read", [[("picking_id", "=", pick)], ["product_id"]]):
        odoo.execute_kw("stock.move", "write", [[move["id"]], {"quantity": quantities.get(move["product_id"][0], 0.0)}])
    wizard = odoo.execute_kw("stock.picking", "button_validate", [[pick]])
    assert isinstance(wizard, dict) and wizard["res_model"] == "stock.backorder.confirmation"
    confirm = odoo.execute_kw("stock.backorder.confirmation", "create", [{"pick_ids": [(6, 0, [pick])]}],
                              {"context": wizard["context"]})
    odoo.execute_kw("stock.backorder.confirmation", "process", [[confirm]], {"context": wizard["context"]})


def by_code(doc: InventoryAdvice) -> dict[str, list[tuple[str, Any, str, str | None]]]:
    return {line.item_ids["vendor"]: [(q.qualifier, q.value, q.unit, q.date) for q in line.quantities]
            for line in doc.lines}


def test_open_receipts_are_dated_on_order_quantities_per_product_and_day(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any) -> None:
    v = sandbox.version
    purchase(odoo, v, [("SP-500", 120, "Units", "2026-12-11 09:00:00"), ("SP-500", 80, "Units", "2026-12-18 09:00:00"),
                       ("WR-200", 1, "Dozens", "2026-12-09 14:00:00")])
    purchase(odoo, v, [("SP-500", 30, "Units", "2026-12-11 16:30:00")])      # same day: summed with the 120
    purchase(odoo, v, [("GL-300", 999, "Units", "2026-12-10 09:00:00")], confirm=False)   # an RFQ: not expected
    receipt(odoo, "CB-400", 40, "2026-12-15 08:00:00")
    receipt(odoo, "CB-400", 500, "2026-12-16 08:00:00", confirm=False)       # draft receipt: not expected yet
    post(client, order(), bigbox(confirm_orders=True), Cache())             # outgoing moves are not arrivals

    [doc] = extract_inventory(client, northwind(), journal, slot="2026-12-04 08:00")
    got = by_code(doc)
    assert got["SP-500"] == [("available", 0, "EA", None), ("on_hand", 0, "EA", None),
                             ("on_order", 150, "EA", "2026-12-11"), ("on_order", 80, "EA", "2026-12-18")]
    assert got["WR-200"][2:] == [("on_order", 12, "EA", "2026-12-09")]     # a dozen bought = 12 in stock units
    assert got["CB-400"][2:] == [("on_order", 40, "EA", "2026-12-15")]
    assert got["GL-300"] == [("available", 96, "EA", None), ("on_hand", 120, "EA", None)]
    assert got["WB-100"] == [("available", 476, "EA", None), ("on_hand", 500, "EA", None)]
    assert doc.check() == []


def test_a_partial_receipt_moves_to_on_hand_and_the_backorder_stays_expected(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any) -> None:
    po = purchase(odoo, sandbox.version, [("SP-500", 120, "Units", "2026-12-11 09:00:00"),
                                          ("GL-300", 10, "Units", "2026-12-11 09:00:00")])
    receive(odoo, po, {product(odoo, "SP-500"): 50, product(odoo, "GL-300"): 10})
    got = by_code(extract_inventory(client, northwind(), journal, slot="2026-12-04 08:00")[0])
    assert got["SP-500"] == [("available", 50, "EA", None), ("on_hand", 50, "EA", None),
                             ("on_order", 70, "EA", "2026-12-11")]
    assert got["GL-300"] == [("available", 130, "EA", None), ("on_hand", 130, "EA", None)]


def test_a_later_vendor_promise_or_a_rescheduled_receipt_moves_the_date(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any) -> None:
    po = purchase(odoo, sandbox.version, [("SP-500", 120, "Units", "2026-12-11 09:00:00"),
                                          ("CB-400", 10, "Units", "2026-12-11 09:00:00")])
    lines = odoo.execute_kw("purchase.order.line", "search_read", [[("order_id", "=", po)], ["product_id"]])
    [sp_line] = [line["id"] for line in lines if line["product_id"][0] == product(odoo, "SP-500")]
    odoo.execute_kw("purchase.order.line", "write", [[sp_line], {"date_planned": "2026-12-16 09:00:00"}])
    got = by_code(extract_inventory(client, northwind(), journal, slot="2026-12-04 08:00")[0])
    assert got["SP-500"][2:] == [("on_order", 120, "EA", "2026-12-16")]    # the vendor is late: not before the 16th
    assert got["CB-400"][2:] == [("on_order", 10, "EA", "2026-12-11")]
    [pick] = odoo.execute_kw("purchase.order", "read", [[po], ["picking_ids"]])[0]["picking_ids"]
    odoo.execute_kw("stock.picking", "write", [[pick], {"scheduled_date": "2026-12-18 07:00:00"}])
    got = by_code(extract_inventory(client, northwind(), journal, slot="2026-12-04 12:00")[0])
    assert got["SP-500"][2:] == [("on_order", 120, "EA", "2026-12-18")]    # the warehouse receives it later still
    assert got["CB-400"][2:] == [("on_order", 10, "EA", "2026-12-18")]


def test_each_warehouse_reports_only_the_receipts_into_it(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any) -> None:
    wh2 = odoo.execute_kw("stock.warehouse", "create", [{"name": "West Coast", "code": "WH2"}])
    [west] = odoo.execute_kw("stock.warehouse", "read", [[wh2], ["in_type_id"]])
    po = purchase(odoo, sandbox.version, [("SP-500", 60, "Units", "2026-12-14 09:00:00")], confirm=False)
    odoo.execute_kw("purchase.order", "write", [[po], {"picking_type_id": west["in_type_id"][0]}])
    odoo.execute_kw("purchase.order", "button_confirm", [[po]])
    purchase(odoo, sandbox.version, [("SP-500", 25, "Units", "2026-12-15 09:00:00")])   # into the first one
    docs = {d.lines[0].location: by_code(d) for d in extract_inventory(client, northwind(), journal,
                                                                       slot="2026-12-04 08:00")}
    assert docs["WH2"]["SP-500"][2:] == [("on_order", 60, "EA", "2026-12-14")]
    assert docs["WH"]["SP-500"][2:] == [("on_order", 25, "EA", "2026-12-15")]
    [only] = extract_inventory(client, northwind(warehouse="WH2"), journal, slot="2026-12-04 12:00")
    assert by_code(only)["SP-500"][2:] == [("on_order", 60, "EA", "2026-12-14")]


def test_each_warehouse_reports_only_its_own_stock(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any) -> None:
    """Odoo 16-17 restrict a product's quantities to a warehouse by the context key `warehouse`, 18 and 19 by
    `warehouse_id` (the other key is ignored there): with only one of them, every warehouse's 846 on the other
    versions said the stock of all warehouses together."""
    wh2 = odoo.execute_kw("stock.warehouse", "create", [{"name": "West Coast", "code": "WH2"}])
    [west] = odoo.execute_kw("stock.warehouse", "read", [[wh2], ["in_type_id"]])
    po = purchase(odoo, sandbox.version, [("SP-500", 60, "Units", "2026-12-03 09:00:00")], confirm=False)
    odoo.execute_kw("purchase.order", "write", [[po], {"picking_type_id": west["in_type_id"][0]}])
    odoo.execute_kw("purchase.order", "button_confirm", [[po]])
    [pick] = odoo.execute_kw("purchase.order", "read", [[po], ["picking_ids"]])[0]["picking_ids"]
    for move in odoo.execute_kw("stock.move", "search", [[("picking_id", "=", pick)]]):
        odoo.execute_kw("stock.move", "write", [[move], {"quantity": 60}])
    assert odoo.execute_kw("stock.picking", "button_validate", [[pick]]) is True
    docs = {d.lines[0].location: by_code(d) for d in extract_inventory(client, northwind(), journal,
                                                                       slot="2026-12-04 08:00")}
    assert docs["WH2"]["SP-500"] == [("available", 60, "EA", None), ("on_hand", 60, "EA", None)]
    assert docs["WH"]["SP-500"] == [("available", 0, "EA", None), ("on_hand", 0, "EA", None)]
    assert docs["WH2"]["WR-200"] == [("available", 0, "EA", None), ("on_hand", 0, "EA", None)]
    assert docs["WH"]["WR-200"][:2] == [("available", 300, "EA", None), ("on_hand", 300, "EA", None)]


def test_incoming_stock_costs_one_call_per_warehouse_however_many_receipts(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any) -> None:
    def calls(slot: str) -> int:
        before = client.calls
        assert len(extract_inventory(client, northwind(), journal, Cache(), slot=slot)) == 1
        return client.calls - before
    calls("2026-12-04 03:00")   # the client's one-time look-ups (fields, models) out of the way
    none = calls("2026-12-04 04:00")
    purchase(odoo, sandbox.version, [("SP-500", 5, "Units", "2026-12-11 09:00:00")])
    one = calls("2026-12-04 08:00")
    for day in range(10, 20):
        purchase(odoo, sandbox.version, [(code, 5, "Units", f"2026-12-{day} 09:00:00")
                                         for code in ("WB-100", "WR-200", "GL-300", "CB-400", "SP-500")])
    assert none == one == calls("2026-12-04 12:00")


@pytest.mark.parametrize("sandbox", [16, 18], indirect=True, ids=["odoo16", "odoo18"])
def test_northwind_846_says_qty_63_and_sch_for_each_arrival(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, examples: LoadedConfig) -> None:
    purchase(odoo, sandbox.version, [("SP-500", 120, "Units", "2026-12-11 09:00:00"),
                                     ("SP-500", 80, "Units", "2026-12-18 09:00:00"),
                                     ("WR-200", 1, "Dozens", "2026-12-09 14:00:00")])
    partner = examples.partners["northwind"]
    [doc] = extract_inventory(client, partner, journal, slot="2026-12-04 08:00")
    rendered = render(doc, partner, examples.profiles, journal, "846", our_ids=examples.gateway.our_ids)
    segments = rendered.data.decode().replace("\n", "").split("~")
    at = segments.index("LIN*5*IN*NW-A5*VN*SP-500*UP*614141000050*UK*00614141000050")
    assert segments[at + 1:at + 9] == ["PID*F****Spare Part Kit", "QTY*33*0*EA", "QTY*17*0*EA",
                                       "QTY*63*120*EA", "SCH*120*EA***018*20261211",
                                       "QTY*63*80*EA", "SCH*80*EA***018*20261218", "N1*WH**91*WH"]
    at = segments.index("LIN*2*IN*NW-A2*VN*WR-200*UP*614141000029*UK*00614141000029")
    assert segments[at + 2:at + 6] == ["QTY*33*300*EA", "QTY*17*300*EA", "QTY*63*12*EA", "SCH*12*EA***018*20261209"]
    assert sum(s.startswith("SCH*") for s in segments) == 3
    assert [s for s in segments if s.startswith("BIA*")] == ["BIA*00*MM*WH-202612040800*20261204"]
    result = x12.parse(rendered.data)
    assert len(result.transactions) == 1
    # SCH sits in the QTY loop of the 005010 846, and the warehouse's N1 has its N103 qualifier
    assert [i.message for i in validate_transaction(result.transactions[0])] == []


@pytest.mark.parametrize("sandbox", [19], indirect=True, ids=["odoo19"])
def test_an_invrpt_partner_gets_qty_21_with_its_date(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any) -> None:
    purchase(odoo, sandbox.version, [("SP-500", 120, "Units", "2026-12-11 09:00:00")])
    partner = PartnerConfig.model_validate({
        "id": "eh", "odoo": {"partner_ref": "NORTHWIND"},
        "edifact": {"ids": [{"qualifier": "14", "id": "4000000000009"}], "version": "D96A"},
        "documents": [{"type": "INVRPT", "direction": "out", "profile": "edifact-d96a-invrpt"}]})
    [doc] = extract_inventory(client, partner, journal, slot="2026-12-04 08:00")
    our = OurIds.model_validate({"edifact": {"qualifier": "14", "id": "0614141000005"}})
    text = render(doc, partner, base_profiles(), journal, "INVRPT", our_ids=our).data.decode()
    assert "LOC+18+WH'QTY+198:0:PCE'QTY+145:0:PCE'QTY+21:120:PCE'DTM+194:20261211:102'UNT" in text.replace("\n", "")


def test_no_open_receipt_keeps_the_two_quantities(client: OdooClient, odoo: odoorpc.ODOO, journal: Any) -> None:
    post(client, order(lines=[Line(line_no="1", item_ids={"buyer": "BB-1005"}, quantity=Decimal(3))]),
         bigbox(confirm_orders=True), Cache())
    got = by_code(extract_inventory(client, northwind(), journal, slot="2026-12-04 08:00")[0])
    assert all([q for q, *_ in quantities] == ["available", "on_hand"] for quantities in got.values())
