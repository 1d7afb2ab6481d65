"""A warehouse a partner's feed stops reporting is sent as 0, not left at its last figures.

A retailer keeps each location's last figures (846 N1*WH / INVRPT LOC+18) until a feed names that location again.
Given Northwind's 846 reporting two warehouses from the sandbox Odoo over loopback HTTP, when the feed stops
counting one of them (an ops person sets `odoo.warehouse` to the main one; a warehouse archived in Odoo), then the
next feeds still say 0 for each of its items at that location for a week, as for an item dropped from a feed,
rather than leaving the retailer selling the other warehouse's stock.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import odoorpc

from gateway.config.loader import LoadedConfig
from gateway.journal.api import Direction
from gateway.odoo.client import OdooClient
from gateway.odoo.posting import Cache, post
from gateway.odoo.sandbox import SandboxServer
from gateway.odoo.scheduler import OdooScheduler
from gateway.translate.canonical import Line
from tests.odoo.conftest import bigbox, order
from tests.odoo.test_extraction import deliver
from tests.odoo.test_extraction_incoming import purchase
from tests.odoo.test_stock_feed_levels import examples, item, scheduler_for

__all__ = ["examples"]          # the module's fixture, shared


def west_coast(odoo: odoorpc.ODOO, version: int) -> int:
    """A second warehouse WH2 with 60 Spare Part Kits received into it from a vendor."""
    wh2 = int(odoo.execute_kw("stock.warehouse", "create", [{"name": "West Coast", "code": "WH2"}]))
    [west] = odoo.execute_kw("stock.warehouse", "read", [[wh2], ["in_type_id"]])
    po = purchase(odoo, version, [("SP-500", 60, "Units", "2026-12-03 09:00:00")], confirm=False)
    odoo.execute_kw("purchase.order", "write", [[po], {"picking_type_id": west["in_type_id"][0]}])
    odoo.execute_kw("purchase.order", "button_confirm", [[po]])
    [pick] = odoo.execute_kw("purchase.order", "read", [[po], ["picking_ids"]])[0]["picking_ids"]
    for move in odoo.execute_kw("stock.move", "search", [[("picking_id", "=", pick)]]):
        odoo.execute_kw("stock.move", "write", [[move], {"quantity": 60}])
    assert odoo.execute_kw("stock.picking", "button_validate", [[pick]]) is True
    return wh2


async def feeds(scheduler: OdooScheduler, slot: str) -> dict[str, list[str]]:
    """Run Northwind's 846 for `slot`: the segments of each file it queued, by warehouse (N1*WH's code)."""
    await scheduler.run_once("northwind", "846", slot=slot)
    out = {}
    for message in scheduler.ctx.journal.find(direction=Direction.OUT, partner="northwind", limit=20):
        if message.source_key and message.source_key.endswith(f"@{slot}:846"):
            segments = scheduler.ctx.pipeline.archive.read(message.sha256).decode().replace("\n", "").split("~")
            out[next(s for s in segments if s.startswith("N1*WH*")).split("*")[4]] = segments
    return out


async def test_a_warehouse_taken_out_of_the_feed_is_sent_as_zero_for_a_week(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, examples: LoadedConfig,
        tmp_path: Path) -> None:
    west_coast(odoo, sandbox.version)
    scheduler = scheduler_for(examples, client, journal, tmp_path)
    first = await feeds(scheduler, "2026-12-04 08:00")
    assert item(first["WH2"], "SP-500")[1:3] == ["QTY*33*60*EA", "QTY*17*60*EA"]
    # the partner is to be served from the main warehouse only
    northwind = scheduler.ctx.partners["northwind"]
    scheduler.ctx.partners["northwind"] = northwind.model_copy(
        update={"odoo": northwind.odoo.model_copy(update={"warehouse": "WH"})})
    second = await feeds(scheduler, "2026-12-04 12:00")
    assert set(second) == {"WH", "WH2"}
    assert item(second["WH2"], "SP-500")[1:3] == ["QTY*33*0*EA", "QTY*17*0*EA"]
    assert [s for s in second["WH2"] if s.startswith("CTT*")] == ["CTT*5"]       # every item it reported
    assert item(second["WH"], "WR-200")[1] == "QTY*33*300*EA"
    assert set(await feeds(scheduler, "2026-12-10 12:00")) == {"WH", "WH2"}     # still within the week
    assert set(await feeds(scheduler, "2026-12-12 12:00")) == {"WH"}            # then no more


async def test_a_warehouse_archived_in_odoo_is_sent_as_zero(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, examples: LoadedConfig,
        tmp_path: Path) -> None:
    wh2 = west_coast(odoo, sandbox.version)
    scheduler = scheduler_for(examples, client, journal, tmp_path)
    assert set(await feeds(scheduler, "2026-12-04 08:00")) == {"WH", "WH2"}
    # the site closes: its 60 kits go to a customer, then the warehouse is archived (Odoo refuses to archive
    # locations that still hold stock), both before the next feed
    [link] = post(client, order(lines=[Line(line_no="1", item_ids={"vendor": "SP-500"}, quantity=Decimal(60))]),
                  bigbox(confirm_orders=True, warehouse="WH2"), Cache())
    deliver(odoo, link.record_id)
    odoo.execute_kw("stock.warehouse", "write", [[wh2], {"active": False}])
    second = await feeds(scheduler, "2026-12-04 12:00")
    assert item(second["WH2"], "SP-500")[1:3] == ["QTY*33*0*EA", "QTY*17*0*EA"]
