"""One product's Barcode typed wrong in Odoo no longer holds the whole inventory feed. Since 5c63dbd the 846 of
every product was quarantined for the Gadget Large's UPC one digit off, so the retailer went on selling on the
last feed's figures for all of them until someone corrected that Barcode. The feed goes out, the number noted in
the log with the digit it should end in (and named once, not as its UPC and its GTIN-14 apart); a number with a
wrong check digit matches no other item of the retailer's, so that line alone is not matched there.

Northwind's 846 from the sandbox Odoo over HTTP through the daemon's scheduler and the example profile."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.odoo.client import OdooClient
from tests.odoo.test_extraction_incoming import product
from tests.odoo.test_stock_feed_levels import examples, feed, item, scheduler_for

__all__ = ["examples"]          # the module's fixture, shared


async def test_a_barcode_typed_wrong_is_noted_and_the_846_goes_out(
        client: OdooClient, odoo: odoorpc.ODOO, journal: Any, examples: LoadedConfig, tmp_path: Path,
        caplog: pytest.LogCaptureFixture) -> None:
    # Given the Gadget Large's Barcode typed with its last digit one off (614141000036 is right)
    odoo.execute_kw("product.product", "write", [[product(odoo, "GL-300")], {"barcode": "614141000037"}])
    # When the scheduler runs Northwind's 846
    with caplog.at_level(logging.WARNING, logger="gateway.translate"):
        segments = await feed(scheduler_for(examples, client, journal, tmp_path))
    # Then every product's stock goes out, the Gadget Large's too, under the number Odoo has
    assert item(segments, "WB-100") and item(segments, "GL-300")
    # And the log names the product, the number and the digit it should end in, once
    [noted] = [r.getMessage() for r in caplog.records if "614141000037" in r.getMessage()]
    assert "'Gadget Large'" in noted and "should be 6" in noted and noted.count("614141000037") == 1
