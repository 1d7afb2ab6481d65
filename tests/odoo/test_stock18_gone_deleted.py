"""A warehouse deleted from Odoo after a feed reported it is not sent as 0 without its location.

The file of 0 for a warehouse the feed stopped reporting (c5f4e97) names the location by the warehouse's code,
read from Odoo again. Given Northwind's 846 reporting a second warehouse WH2 from the sandbox Odoo over loopback
HTTP, when that warehouse is deleted in Odoo (a site set up by mistake, nothing ever moved through it) before the
next feed, then no file of 0 without an N1*WH goes out: a retailer reads an 846 without a location as the
vendor's stock of those items, every item of the feed would read 0 for a week. The warehouse is logged instead.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.journal.api import Direction
from gateway.odoo.client import OdooClient
from gateway.odoo.sandbox import SandboxServer
from tests.odoo.test_stock_feed_levels import examples, scheduler_for

__all__ = ["examples"]          # the module's fixture, shared


async def test_a_deleted_warehouse_gets_no_feed_of_zero_without_its_location(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, examples: LoadedConfig,
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    wh2 = int(odoo.execute_kw("stock.warehouse", "create", [{"name": "West Coast", "code": "WH2"}]))
    scheduler = scheduler_for(examples, client, journal, tmp_path)
    assert await scheduler.run_once("northwind", "846", slot="2026-12-04 08:00") == 2
    odoo.execute_kw("stock.warehouse", "unlink", [[wh2]])
    caplog.set_level(logging.INFO)
    await scheduler.run_once("northwind", "846", slot="2026-12-04 12:00")
    files = [scheduler.ctx.pipeline.archive.read(m.sha256).decode()
             for m in journal.find(direction=Direction.OUT, partner="northwind", limit=20)
             if m.source_key and m.source_key.endswith("@2026-12-04 12:00:846")]
    assert files and all("N1*WH*" in f for f in files), files
    assert f"warehouse {wh2}" in caplog.text, caplog.text
