"""A warehouse taken out of a partner's feed is sent as 0 before the warehouse still fed, not after it.

The usual reason to set `odoo.warehouse` is a partner that takes one figure per item whatever the location (a
marketplace or web shop importing each file's quantity by SKU): it got a file per warehouse and kept the last one's.
Given Northwind's 846 reporting two warehouses from the sandbox Odoo over loopback HTTP, when an ops person sets
`odoo.warehouse` to the main one, then the next run's file of 0 for the other warehouse's items leaves before the
main warehouse's file in the order the outbox sends (created, then id), so such a partner ends each run on the
main warehouse's figures. Queued after it, every item it stocks read 0 there for the week the zeros are sent.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import odoorpc

from gateway.config.loader import LoadedConfig
from gateway.odoo.client import OdooClient
from gateway.odoo.sandbox import SandboxServer
from tests.odoo.test_stock18_warehouse_gone import feeds, west_coast
from tests.odoo.test_stock_feed_levels import examples, scheduler_for

__all__ = ["examples"]          # the module's fixture, shared


async def test_the_zeros_of_a_warehouse_taken_out_leave_before_the_warehouse_still_fed(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, examples: LoadedConfig,
        tmp_path: Path) -> None:
    west_coast(odoo, sandbox.version)
    scheduler = scheduler_for(examples, client, journal, tmp_path)
    await feeds(scheduler, "2026-12-04 08:00")
    northwind = scheduler.ctx.partners["northwind"]
    scheduler.ctx.partners["northwind"] = northwind.model_copy(
        update={"odoo": northwind.odoo.model_copy(update={"warehouse": "WH"})})
    second = await feeds(scheduler, "2026-12-04 12:00")
    assert set(second) == {"WH", "WH2"}
    due = [m.source_key for m in journal.due(datetime.now(UTC) + timedelta(days=1), limit=20)
           if m.source_key and m.source_key.endswith("@2026-12-04 12:00:846")]
    [wh] = [wh["id"] for wh in odoo.execute_kw("stock.warehouse", "search_read", [[("code", "=", "WH")], ["id"]])]
    assert [key.partition("@")[0] for key in due][-1] == f"odoo:stock.warehouse,{wh}", due
