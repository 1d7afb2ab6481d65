"""A partner's safety buffer and cap on what its stock feed offers (`odoo.stock_buffer`, `odoo.stock_cap`).

A retailer or marketplace sells on the last figure it got until the next feed, while Odoo takes orders from other
channels for the same stock: an ops person holds some back (a percentage or a few units) and caps what one channel
may sell. Given the demo world in the sandbox Odoo over loopback HTTP, when the scheduler runs Northwind's 846,
ShopMarket's CSV feed and EuroHandel's INVRPT through the real profiles, then each offers the free quantity less
the buffer, rounded down, at most the cap, never below 0, the same figure in all three; on hand is what Odoo counts.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import odoorpc
import pydantic
import pytest

from gateway.config.loader import LoadedConfig
from gateway.config.models import PartnerConfig
from gateway.journal.api import Direction
from gateway.odoo.client import OdooClient
from gateway.odoo.posting import Cache, post
from gateway.odoo.scheduler import OdooScheduler
from gateway.translate.canonical import Line
from tests.odoo.conftest import bigbox, order
from tests.odoo.test_stock_feed_csv import with_stock_feed
from tests.odoo.test_stock_feed_levels import examples, item, scheduler_for

__all__ = ["examples"]          # the module's fixture, shared

SLOT = "2026-12-04 06:00"


def held_back(partner: PartnerConfig, **odoo: Any) -> PartnerConfig:
    """The partner with its stock feed's buffer and cap set, as in its partners/<id>.yaml."""
    return partner.model_copy(update={"odoo": partner.odoo.model_copy(update=odoo)})


def with_invrpt(examples: LoadedConfig) -> PartnerConfig:
    """EuroHandel with a daily INVRPT on the shipped D96A profile."""
    base = examples.partners["eurohandel"]
    feed = {"type": "INVRPT", "direction": "out", "profile": "edifact-d96a-invrpt", "trigger": "schedule",
            "schedule": "0 6 * * *"}
    return PartnerConfig.model_validate({**base.model_dump(mode="json", exclude_none=True),
                                         "documents": [*base.model_dump(mode="json")["documents"], feed]})


async def sent(scheduler: OdooScheduler, partner: str, doc_type: str) -> str:
    """Run the partner's feed for SLOT and return the file it queued."""
    assert await scheduler.run_once(partner, doc_type, slot=SLOT) == 1
    [message] = [m for m in scheduler.ctx.journal.find(direction=Direction.OUT, partner=partner, limit=10)
                 if m.source_key and m.source_key.endswith(f"@{SLOT}:{doc_type}")]
    return scheduler.ctx.pipeline.archive.read(message.sha256).decode()


def segments(text: str) -> list[str]:
    return text.replace("\n", "").split("~")


async def test_a_percentage_held_back_is_rounded_down_and_the_same_in_the_846_the_csv_and_the_invrpt(
        client: OdooClient, odoo: odoorpc.ODOO, journal: Any, examples: LoadedConfig, tmp_path: Path) -> None:
    post(client, order(lines=[Line(line_no="1", item_ids={"upc": "614141000012"}, quantity=Decimal(24))]),
         bigbox(confirm_orders=True), Cache())                    # 476 Blue Widgets free of 500
    scheduler = scheduler_for(examples, client, journal, tmp_path)
    partners = scheduler.ctx.partners
    partners["northwind"] = held_back(partners["northwind"], stock_buffer="10%")
    partners["shopmarket"] = held_back(with_stock_feed(examples), stock_buffer="10%")
    partners["eurohandel"] = held_back(with_invrpt(examples), stock_buffer="10%")
    x12 = segments(await sent(scheduler, "northwind", "846"))
    # 90 % of 476 is 428.4: 428 offered, not 429; on hand stays what Odoo counts
    assert item(x12, "WB-100")[1:3] == ["QTY*33*428*EA", "QTY*17*500*EA"]
    assert item(x12, "WR-200")[1:3] == ["QTY*33*270*EA", "QTY*17*300*EA"]
    shop = {r["sku"]: r["quantity"] for r in csv.DictReader(io.StringIO(await sent(scheduler, "shopmarket", "STOCK")),
                                                             delimiter=";")}
    assert (shop["WB-100"], shop["WR-200"], shop["GL-300"], shop["CB-400"]) == ("428", "270", "108", "72")
    edifact = (await sent(scheduler, "eurohandel", "INVRPT")).replace("\n", "").split("'")
    at = edifact.index("PIA+5+614141000012:UP+WB-100:SA")
    assert edifact[at + 3:at + 5] == ["QTY+198:428:PCE", "QTY+145:500:PCE"]


async def test_a_fixed_quantity_held_back_and_a_cap(
        client: OdooClient, odoo: odoorpc.ODOO, journal: Any, examples: LoadedConfig, tmp_path: Path) -> None:
    scheduler = scheduler_for(examples, client, journal, tmp_path)
    scheduler.ctx.partners["northwind"] = held_back(scheduler.ctx.partners["northwind"], stock_buffer="100",
                                                    stock_cap=250)
    x12 = segments(await sent(scheduler, "northwind", "846"))
    # 500 - 100 capped at 250; 300 - 100; 120 - 100; 80 - 100 is none, not -20
    assert [item(x12, code)[1] for code in ("WB-100", "WR-200", "GL-300", "CB-400")] == [
        "QTY*33*250*EA", "QTY*33*200*EA", "QTY*33*20*EA", "QTY*33*0*EA"]
    assert item(x12, "CB-400")[2] == "QTY*17*80*EA"


@pytest.mark.parametrize("buffer", ["150%", "-5", "10 %", "five"])
def test_a_buffer_that_is_no_quantity_or_percentage_is_refused(buffer: str) -> None:
    with pytest.raises(pydantic.ValidationError, match="stock_buffer"):
        PartnerConfig(id="acme", odoo={"stock_buffer": buffer})


def test_a_quantity_or_a_percentage_is_taken() -> None:
    assert PartnerConfig(id="acme", odoo={"stock_buffer": "12.5%", "stock_cap": 40}).odoo.stock_buffer == "12.5%"
    assert PartnerConfig(id="acme", odoo={"stock_buffer": "2.5"}).odoo.stock_buffer == "2.5"
