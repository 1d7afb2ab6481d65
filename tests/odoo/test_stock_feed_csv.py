"""A marketplace's CSV stock feed: a row per item with the quantity it may sell, from the shipped csv-inventory profile.

Given ShopMarket (no customer codes in Odoo: every storable product sold is reported) with a daily `STOCK` document
on the csv-inventory profile, when the scheduler runs it against the sandbox Odoo over loopback HTTP, then the queued
file has a row per product with what is available, in the partner's CSV dialect; once a product is archived it drops
out of the products sold, and the next feed still says 0 for it rather than leaving the shop its last figure.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import odoorpc

from gateway.config.loader import LoadedConfig
from gateway.config.models import PartnerConfig
from gateway.journal.api import Direction
from gateway.odoo.client import OdooClient
from gateway.odoo.posting import Cache, post
from gateway.odoo.sandbox import SandboxServer
from gateway.odoo.scheduler import OdooScheduler
from gateway.translate.canonical import Line
from tests.odoo.conftest import bigbox, order
from tests.odoo.test_extraction_incoming import product, receipt
from tests.odoo.test_stock_feed_levels import boxes, examples, new_product, scheduler_for

__all__ = ["examples"]          # the module's fixture, shared


def with_stock_feed(examples: LoadedConfig) -> PartnerConfig:
    shop = examples.partners["shopmarket"]
    feed = {"type": "STOCK", "direction": "out", "profile": "csv-inventory", "trigger": "schedule",
            "schedule": "0 6 * * *"}
    return PartnerConfig.model_validate({**shop.model_dump(mode="json", exclude_none=True),
                                         "documents": [*shop.model_dump(mode="json")["documents"], feed]})


async def rows(scheduler: OdooScheduler, slot: str) -> list[dict[str, str]]:
    assert await scheduler.run_once("shopmarket", "STOCK", slot=slot) == 1
    [message] = [m for m in scheduler.ctx.journal.find(direction=Direction.OUT, partner="shopmarket", limit=10)
                 if m.source_key and m.source_key.endswith(f"@{slot}:STOCK")]
    assert message.filename.endswith(".csv")
    text = scheduler.ctx.pipeline.archive.read(message.sha256).decode()
    return list(csv.DictReader(io.StringIO(text), delimiter=";"))


async def test_a_marketplace_gets_a_row_per_item_with_what_it_may_sell(
        client: OdooClient, odoo: odoorpc.ODOO, journal: Any, examples: LoadedConfig, tmp_path: Path) -> None:
    scheduler = scheduler_for(examples, client, journal, tmp_path)
    scheduler.ctx.partners["shopmarket"] = with_stock_feed(examples)
    post(client, order(lines=[Line(line_no="1", item_ids={"upc": "614141000012"}, quantity=Decimal(24))]),
         bigbox(confirm_orders=True), Cache())                    # 24 Blue Widgets reserved for BigBox
    first = await rows(scheduler, "2026-12-04 06:00")
    assert [(r["sku"], r["gtin"], r["quantity"], r["unit"]) for r in first] == [
        ("WB-100", "00614141000012", "476", "EA"), ("WR-200", "00614141000029", "300", "EA"),
        ("GL-300", "00614141000036", "120", "EA"), ("CB-400", "00614141000043", "80", "EA"),
        ("SP-500", "00614141000050", "0", "EA")]
    assert {(r["report_id"], r["report_date"], r["warehouse"]) for r in first} == {("WH-202612040600", "2026-12-04",
                                                                                     "WH")}
    odoo.execute_kw("product.product", "write", [[product(odoo, "CB-400")], {"active": False}])
    second = await rows(scheduler, "2026-12-05 06:00")
    assert [(r["sku"], r["quantity"]) for r in second] == [("WB-100", "476"), ("WR-200", "300"), ("GL-300", "120"),
                                                           ("SP-500", "0"), ("CB-400", "0")]


async def test_a_product_in_a_unit_without_a_code_is_a_row_under_odoos_unit_name(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, examples: LoadedConfig,
        tmp_path: Path) -> None:
    # a CSV takes Odoo's unit name as it is (an 846 could not: there the product is left out, not the whole feed)
    new_product(odoo, sandbox.version, "Widget Box", "storable", boxes(odoo, sandbox.version), default_code="WX-12")
    odoo.execute_kw("stock.picking", "button_validate", [[receipt(odoo, "WX-12", 24, "2026-11-30 09:00:00")]])
    scheduler = scheduler_for(examples, client, journal, tmp_path)
    scheduler.ctx.partners["shopmarket"] = with_stock_feed(examples)
    got = await rows(scheduler, "2026-12-04 06:00")
    assert [(r["sku"], r["quantity"], r["unit"]) for r in got if r["sku"] == "WX-12"] == [("WX-12", "2", "Boxes")]
