"""What the scheduled 846 tells a retailer it may order: never less than nothing, nothing of what Odoo no longer sells.

Given the demo world in the sandbox Odoo (over loopback HTTP, changed with odoorpc as people in Odoo would), when the
scheduler runs Northwind's 846 through the real pipeline and profiles, then the queued X12 file says 0 for a product
Odoo let go below zero and for one archived, leaves out a service and what the retailer could not match (no
identifier at all) while every other line still goes out, offers only stock no delivery is owed, and whole cases.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.journal.api import Direction
from gateway.odoo.client import OdooClient
from gateway.odoo.posting import Cache, post
from gateway.odoo.sandbox import SandboxServer
from gateway.odoo.scheduler import OdooScheduler
from gateway.translate.canonical import Line
from tests.helpers.examples import loaded_examples
from tests.odoo.conftest import bigbox, order
from tests.odoo.test_extraction import deliver
from tests.odoo.test_extraction_incoming import product, purchase, receipt
from tests.odoo.test_scheduler import Ctx

EXAMPLES = Path(__file__).resolve().parents[2] / "gateway" / "examples"
SLOT = "2026-12-04 08:00"


@pytest.fixture(scope="module")
def examples() -> LoadedConfig:
    return loaded_examples()


def scheduler_for(examples: LoadedConfig, client: OdooClient, journal: Any, tmp: Path) -> OdooScheduler:
    """The daemon's scheduler over the example partners and their profiles, rendering with the real engine."""
    ctx = Ctx(tmp, journal, dict(examples.partners))
    ctx.config.profiles = examples.profiles
    return OdooScheduler(ctx, lambda: client)


async def feed(scheduler: OdooScheduler, slot: str = SLOT) -> list[str]:
    """Run Northwind's 846 job for `slot` and return the segments of the file it queued."""
    assert await scheduler.run_once("northwind", "846", slot=slot) == 1
    [message] = [m for m in scheduler.ctx.journal.find(direction=Direction.OUT, partner="northwind", limit=10)
                 if m.source_key and m.source_key.endswith(f"@{slot}:846")]
    return scheduler.ctx.pipeline.archive.read(message.sha256).decode().replace("\n", "").split("~")


def item(segments: list[str], code: str) -> list[str]:
    """The segments of the LIN loop of our item `code` (VN), without the LIN."""
    at = next(i for i, s in enumerate(segments) if s.startswith("LIN*") and f"*VN*{code}*" in f"{s}*")
    end = next(i for i in range(at + 1, len(segments)) if segments[i].startswith(("LIN*", "CTT*")))
    return segments[at + 1:end]


def northwind_code(odoo: odoorpc.ODOO, product_id: int, code: str | bool) -> None:
    """Northwind's item code for a product (product.customerinfo), as sales would enter it."""
    customer = odoo.execute_kw("res.partner", "search", [[("ref", "=", "NORTHWIND")]])[0]
    tmpl = odoo.execute_kw("product.product", "read", [[product_id], ["product_tmpl_id"]])[0]["product_tmpl_id"][0]
    odoo.execute_kw("product.customerinfo", "create", [{"partner_id": customer, "product_tmpl_id": tmpl,
                                                        "product_id": product_id, "product_code": code}])


def new_product(odoo: odoorpc.ODOO, version: int, name: str, kind: str, unit: int | None = None, **vals: Any) -> int:
    """A product as Inventory creates it: `kind` storable, consumable (untracked goods) or service; counted in
    `unit` (uom.uom id; bought in it too before 19, which has no purchase unit)."""
    if unit is not None:
        vals.update(uom_id=unit, **({"uom_po_id": unit} if version <= 18 else {}))
    if version <= 17:
        vals["detailed_type"] = vals["type"] = {"storable": "product", "consumable": "consu", "service": "service"}[kind]
    else:
        vals.update(type="service" if kind == "service" else "consu", is_storable=kind == "storable")
    return int(odoo.execute_kw("product.product", "create", [{"name": name, **vals}]))


def boxes(odoo: odoorpc.ODOO, version: int) -> int:
    """A unit 'Boxes' of 12 Units, as an admin adds one in Odoo (19 has no unit categories)."""
    units = odoo.execute_kw("uom.uom", "search", [[("name", "=", "Units")]])[0]
    if version >= 19:
        box = {"name": "Boxes", "relative_factor": 12.0, "relative_uom_id": units}
    else:
        category = odoo.execute_kw("uom.uom", "read", [[units], ["category_id"]])[0]["category_id"][0]
        box = {"name": "Boxes", "category_id": category, "uom_type": "bigger", "factor": 1 / 12}
    return int(odoo.execute_kw("uom.uom", "create", [box]))


async def test_stock_odoo_let_go_below_zero_is_sent_as_none(
        client: OdooClient, odoo: odoorpc.ODOO, journal: Any, examples: LoadedConfig, tmp_path: Path) -> None:
    # 520 Blue Widgets shipped from the 500 counted: Odoo validates it and its quant goes to -20
    [link] = post(client, order(lines=[Line(line_no="1", item_ids={"upc": "614141000012"}, quantity=Decimal(520))]),
                  bigbox(confirm_orders=True), Cache())
    deliver(odoo, link.record_id, partial={product(odoo, "WB-100"): 520.0})
    assert odoo.execute_kw("product.product", "read", [[product(odoo, "WB-100")], ["qty_available"]])[0][
        "qty_available"] == -20
    segments = await feed(scheduler_for(examples, client, journal, tmp_path))
    assert item(segments, "WB-100")[1:3] == ["QTY*33*0*EA", "QTY*17*0*EA"]
    assert item(segments, "WR-200")[1:3] == ["QTY*33*300*EA", "QTY*17*300*EA"]


async def test_an_archived_product_is_sent_as_none_with_nothing_to_arrive(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, examples: LoadedConfig,
        tmp_path: Path) -> None:
    purchase(odoo, sandbox.version, [("GL-300", 50, "Units", "2026-12-11 09:00:00")])
    odoo.execute_kw("product.product", "write", [[product(odoo, "GL-300")], {"active": False}])
    segments = await feed(scheduler_for(examples, client, journal, tmp_path))
    # 120 still on the shelf, but no order for it can be posted any more: the retailer must stop selling it
    assert item(segments, "GL-300") == ["PID*F****Gadget Large", "QTY*33*0*EA", "QTY*17*0*EA", "N1*WH**91*WH"]
    assert item(segments, "CB-400")[1] == "QTY*33*80*EA"


async def test_a_service_is_left_out_and_an_untracked_consumable_is_reported_as_odoo_counts_it(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, examples: LoadedConfig,
        tmp_path: Path) -> None:
    # a service has no stock at all; an untracked consumable has what Odoo counts of it (nothing here; a kit's
    # figure is what its components make), and a retailer that lists it must not keep an old figure
    northwind_code(odoo, new_product(odoo, sandbox.version, "Assembly", "service", default_code="SV-1"), "NW-S1")
    northwind_code(odoo, new_product(odoo, sandbox.version, "Gift Bag", "consumable", default_code="BAG-1"), "NW-B1")
    segments = await feed(scheduler_for(examples, client, journal, tmp_path))
    assert [s.split("*")[5] for s in segments if s.startswith("LIN*")] == ["WB-100", "WR-200", "GL-300", "CB-400",
                                                                          "SP-500", "BAG-1"]
    assert item(segments, "BAG-1")[1:3] == ["QTY*33*0*EA", "QTY*17*0*EA"]


async def test_a_product_the_retailer_could_not_match_is_left_out_and_the_feed_goes_out(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, examples: LoadedConfig,
        tmp_path: Path) -> None:
    # listed for Northwind without its code, and with no barcode or internal reference: a LIN with no item number
    northwind_code(odoo, new_product(odoo, sandbox.version, "Prototype", "storable"), False)
    segments = await feed(scheduler_for(examples, client, journal, tmp_path))
    assert [s for s in segments if s.startswith("CTT*")] == ["CTT*5"]
    assert "PID*F****Prototype" not in segments


async def test_stock_owed_to_a_delivery_but_not_reserved_is_not_offered(
        client: OdooClient, odoo: odoorpc.ODOO, journal: Any, examples: LoadedConfig, tmp_path: Path) -> None:
    # BigBox's 100 Blue Widgets are confirmed, then the warehouse unreserves the delivery (to pick another order
    # first): Odoo's free quantity is all 500 again, but 100 of them are still owed to BigBox
    [link] = post(client, order(lines=[Line(line_no="1", item_ids={"upc": "614141000012"}, quantity=Decimal(100))]),
                  bigbox(confirm_orders=True), Cache())
    [pick] = odoo.execute_kw("sale.order", "read", [[link.record_id], ["picking_ids"]])[0]["picking_ids"]
    odoo.execute_kw("stock.picking", "do_unreserve", [[pick]])
    assert odoo.execute_kw("product.product", "read", [[product(odoo, "WB-100")], ["free_qty"]])[0]["free_qty"] == 500
    segments = await feed(scheduler_for(examples, client, journal, tmp_path))
    assert item(segments, "WB-100")[1:3] == ["QTY*33*400*EA", "QTY*17*500*EA"]


async def test_a_product_counted_in_dozens_offers_whole_dozens_only(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, examples: LoadedConfig,
        tmp_path: Path) -> None:
    # a pack counted in dozens in Odoo (Northwind's CA), 3 dozen received, 6 single units sold to BigBox
    dozens = odoo.execute_kw("uom.uom", "search", [[("name", "=", "Dozens")]])[0]
    northwind_code(odoo, new_product(odoo, sandbox.version, "Widget Pack", "storable", dozens, default_code="WP-12",
                                     barcode="614141000777"), "NW-P12")
    odoo.execute_kw("stock.picking", "button_validate", [[receipt(odoo, "WP-12", 36, "2026-11-30 09:00:00")]])
    [link] = post(client, order(lines=[Line(line_no="1", item_ids={"vendor": "WP-12"}, quantity=Decimal(6),
                                            unit_price=Decimal(1))]), bigbox(confirm_orders=True), Cache())
    deliver(odoo, link.record_id)
    assert odoo.execute_kw("product.product", "read", [[product(odoo, "WP-12")], ["qty_available"]])[0][
        "qty_available"] == 2.5
    segments = await feed(scheduler_for(examples, client, journal, tmp_path))
    # 2.5 cases are 2 Northwind can order; on hand stays what Odoo counts
    assert item(segments, "WP-12")[1:3] == ["QTY*33*2*CA", "QTY*17*2.5*CA"]


async def test_a_product_in_a_unit_the_partner_has_no_code_for_is_left_out_and_the_feed_goes_out(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, examples: LoadedConfig,
        tmp_path: Path) -> None:
    # boxes of 12, a unit added in Odoo after Northwind's setup: 'Boxes' in QTY03 would fail the whole 846
    northwind_code(odoo, new_product(odoo, sandbox.version, "Widget Box", "storable", boxes(odoo, sandbox.version),
                                     default_code="WX-12"), "NW-X12")
    segments = await feed(scheduler_for(examples, client, journal, tmp_path))
    assert [s for s in segments if s.startswith("CTT*")] == ["CTT*5"]
    assert not [s for s in segments if "WX-12" in s]


async def test_units_a_partner_calls_by_a_code_of_its_own_are_still_whole(
        client: OdooClient, odoo: odoorpc.ODOO, journal: Any, examples: LoadedConfig, tmp_path: Path) -> None:
    # two and a half Blue Widgets sold (a sample split), and a partner that calls Odoo's Units 'PC'
    [link] = post(client, order(lines=[Line(line_no="1", item_ids={"upc": "614141000012"}, quantity=Decimal("2.5"))]),
                  bigbox(confirm_orders=True), Cache())
    deliver(odoo, link.record_id)
    scheduler = scheduler_for(examples, client, journal, tmp_path)
    northwind = scheduler.ctx.partners["northwind"]
    scheduler.ctx.partners["northwind"] = northwind.model_copy(
        update={"odoo": northwind.odoo.model_copy(update={"units": {**northwind.odoo.units, "PC": "Units"}})})
    segments = await feed(scheduler)
    assert item(segments, "WB-100")[1:3] == ["QTY*33*497*PC", "QTY*17*497.5*PC"]
