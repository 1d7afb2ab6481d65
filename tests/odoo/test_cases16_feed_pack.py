"""A feed in cases states the case's size: each 846 line in the partner's cases (`odoo.stock_packaging`) carries
PO4 with PO401 the product's units per case, in the LIN loop before the price and quantities (X12 846's PO4 Item
Physical Details, 004010 and 005010). Without it, a packaging whose quantity someone changes in Odoo while its
barcode stays the same (a case of 24 made 12) changed what each CA of the feed meant without a word: the retailer,
still reading 24 a case, counted twice the stock and ordered cases the warehouse packs with half as much.

Northwind's 846 through the daemon's scheduler and the base 005010 profile, on the sandbox over HTTP (17, 19)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.odoo.client import OdooClient
from gateway.odoo.sandbox import SandboxServer
from tests.odoo.test_extraction_incoming import product
from tests.odoo.test_stock15_cases import in_cases, packaging
from tests.odoo.test_stock_feed_levels import examples, feed, item, scheduler_for

__all__ = ["examples"]          # the module's fixture, shared

CASE_GTIN = "10614141000019"


def resize(odoo: odoorpc.ODOO, version: int, name: str, qty: float) -> None:
    """The packaging `name` made to hold `qty` units, its barcode kept, as a person edits it in Odoo: 16-18 the
    product.packaging's Contained quantity, 19 the packaging unit's ratio to Units."""
    if version <= 18:
        found = odoo.execute_kw("product.packaging", "search", [[("name", "=", name)]])
        odoo.execute_kw("product.packaging", "write", [found, {"qty": qty}])
    else:
        found = odoo.execute_kw("uom.uom", "search", [[("name", "=", name)]])
        odoo.execute_kw("uom.uom", "write", [found, {"relative_factor": qty}])


async def test_the_846_in_cases_states_the_case_size_and_says_when_it_changes(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, examples: LoadedConfig,
        tmp_path: Path) -> None:
    # Given the Blue Widget's case of 24 (GTIN 10614141000019) and Northwind's feed in cases on the 005010 profile
    v = sandbox.version
    packaging(odoo, v, "WB-100", "Case of 24", 24, CASE_GTIN)
    documents = [d.model_copy(update={"profile": "x12-005010-846"}) if d.type == "846" else d
                 for d in examples.partners["northwind"].documents]

    async def daily(slot: str) -> list[str]:
        """The day's feed, by a scheduler of its own: Odoo's units are cached for minutes, a day's run reads them."""
        scheduler = scheduler_for(examples, client, journal, tmp_path)
        scheduler.ctx.partners["northwind"] = in_cases(examples, "northwind", "Case", documents=documents)
        return await feed(scheduler, slot)
    # When the feed goes out, then the line says 24 a case before its 500 widgets in 20 cases
    first = await daily("2026-12-04 06:00")
    assert item(first, "WB-100")[1:3] == ["PO4*24", "QTY*33*20*CA"], item(first, "WB-100")
    # When the case is made 12 under the same barcode, the next feed says so: 12 a case, 41 of them
    resize(odoo, v, "Case of 24", 12)
    second = await daily("2026-12-05 06:00")
    lin = next(s for s in second if s.startswith("LIN*") and "*VN*WB-100*" in s)
    assert lin.endswith(f"*UK*{CASE_GTIN}") and item(second, "WB-100")[1:3] == ["PO4*12", "QTY*33*41*CA"], \
        (lin, item(second, "WB-100"))


@pytest.mark.parametrize("sandbox", [17], ids=["odoo17"], indirect=True)
async def test_a_product_not_in_cases_has_no_po4(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, examples: LoadedConfig,
        tmp_path: Path) -> None:
    """A feed in units (no `stock_packaging`) writes no PO4: its lines are the product's own units, as before."""
    packaging(odoo, sandbox.version, "WB-100", "Case of 24", 24, CASE_GTIN)
    assert product(odoo, "WB-100")
    segments = await feed(scheduler_for(examples, client, journal, tmp_path))
    assert not [s for s in segments if s.startswith("PO4")], segments
