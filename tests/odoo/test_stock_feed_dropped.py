"""An item the 846 stops reporting is sent as 0 for a week, so the retailer does not go on selling its last figure.

Given Northwind's 846 queued by the scheduler (real pipeline and profiles) from the sandbox Odoo over loopback HTTP,
when sales removes Northwind's code from a product and purchasing gives another product a new barcode, then the next
feeds carry a 0 line for the delisted item (all its identifiers) and one for the old barcode only (the product's
codes still come with its stock), until a week after each was last reported.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import odoorpc

from gateway.config.loader import LoadedConfig
from gateway.odoo.client import OdooClient
from tests.odoo.test_extraction_incoming import product
from tests.odoo.test_stock_feed_levels import examples, feed, scheduler_for

__all__ = ["examples"]          # the module's fixture, shared


def lines(segments: list[str]) -> dict[str, list[str]]:
    """LIN (without its line number) -> the QTY segments of its loop."""
    out: dict[str, list[str]] = {}
    current = ""
    for s in segments:
        if s.startswith("LIN*"):
            current = s.split("*", 2)[2]
            out[current] = []
        elif s.startswith("QTY*") and current:
            out[current].append(s)
    return out


async def test_an_item_no_longer_reported_is_sent_as_zero_for_a_week(
        client: OdooClient, odoo: odoorpc.ODOO, journal: Any, examples: LoadedConfig, tmp_path: Path) -> None:
    scheduler = scheduler_for(examples, client, journal, tmp_path)
    first = lines(await feed(scheduler, "2026-12-01 08:00"))
    assert first["IN*NW-A4*VN*CB-400*UP*614141000043*UK*00614141000043"] == ["QTY*33*80*EA", "QTY*17*80*EA"]
    # sales removes Northwind's code for the Cable Bundle; purchasing relabels the Red Widget
    customer = odoo.execute_kw("res.partner", "search", [[("ref", "=", "NORTHWIND")]])[0]
    codes = odoo.execute_kw("product.customerinfo", "search",
                            [[("partner_id", "=", customer), ("product_id", "=", product(odoo, "CB-400"))]])
    odoo.execute_kw("product.customerinfo", "unlink", [codes])
    odoo.execute_kw("product.product", "write", [[product(odoo, "WR-200")], {"barcode": "614141000999"}])

    second = lines(await feed(scheduler, "2026-12-01 12:00"))
    assert second["IN*NW-A2*VN*WR-200*UP*614141000999*UK*00614141000999"] == ["QTY*33*300*EA", "QTY*17*300*EA"]
    assert second["UP*614141000029*UK*00614141000029"] == ["QTY*33*0*EA", "QTY*17*0*EA"]
    assert second["IN*NW-A4*VN*CB-400*UP*614141000043*UK*00614141000043"] == ["QTY*33*0*EA", "QTY*17*0*EA"]
    assert len(second) == 6

    week = lines(await feed(scheduler, "2026-12-08 08:00"))          # a week after they were last reported
    assert week["UP*614141000029*UK*00614141000029"] == ["QTY*33*0*EA", "QTY*17*0*EA"]
    later = lines(await feed(scheduler, "2026-12-08 12:00"))          # more than a week
    assert len(later) == 4 and "UP*614141000029*UK*00614141000029" not in later
