"""What the feed offers is the stock deliveries can take: the warehouse's Stock location, not all of its locations.

Odoo's figures for a warehouse (context `warehouse` / `warehouse_id`) count every location under its view location:
a WH/Damaged or WH/Returns a person keeps beside WH/Stock for goods awaiting inspection or a vendor return, WH/Input,
WH/Quality Control. A delivery reserves from WH/Stock only, so those goods cannot be shipped. Given the demo world in
the sandbox Odoo over loopback HTTP with 40 damaged Cable Bundles received into WH/Damaged, when the scheduler runs
Northwind's 846 and a kit of cables is listed, then neither the cables nor the kits they would make are offered.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import odoorpc

from gateway.config.loader import LoadedConfig
from gateway.odoo.client import OdooClient
from gateway.odoo.sandbox import SandboxServer
from tests.odoo.test_extraction_incoming import product, receipt
from tests.odoo.test_stock15_kits import kit
from tests.odoo.test_stock_feed_levels import examples, feed, item, scheduler_for

__all__ = ["examples"]          # the module's fixture, shared


def damaged(odoo: odoorpc.ODOO, code: str, qty: float) -> None:
    """`qty` of product `code` received into WH/Damaged, an internal location beside WH/Stock under the warehouse."""
    [wh] = odoo.execute_kw("stock.warehouse", "search_read", [[("code", "=", "WH")], ["view_location_id"]])
    place = odoo.execute_kw("stock.location", "create", [{"name": "Damaged", "usage": "internal",
                                                          "location_id": wh["view_location_id"][0]}])
    pick = receipt(odoo, code, qty, "2026-12-01 09:00:00", confirm=False)
    odoo.execute_kw("stock.picking", "write", [[pick], {"location_dest_id": place}])
    moves = odoo.execute_kw("stock.move", "search", [[("picking_id", "=", pick)]])
    odoo.execute_kw("stock.move", "write", [moves, {"location_dest_id": place}])
    odoo.execute_kw("stock.picking", "action_confirm", [[pick]])
    odoo.execute_kw("stock.picking", "button_validate", [[pick]])
    assert odoo.execute_kw("product.product", "read", [[product(odoo, code)], ["qty_available"]],
                           {"context": {"location": place}})[0]["qty_available"] == qty


async def test_damaged_goods_beside_stock_are_not_offered(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, examples: LoadedConfig,
        tmp_path: Path) -> None:
    damaged(odoo, "CB-400", 40)
    kit(odoo, sandbox.version, "KIT-CB", [("CB-400", 10)])
    segments = await feed(scheduler_for(examples, client, journal, tmp_path))
    # 80 on the shelves a delivery picks from; the 40 damaged ones are not for sale, nor the 4 kits they would make
    assert item(segments, "CB-400")[1:3] == ["QTY*33*80*EA", "QTY*17*80*EA"]
    assert item(segments, "KIT-CB")[1:3] == ["QTY*33*8*EA", "QTY*17*8*EA"]
