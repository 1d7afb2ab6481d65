"""Review of the kit stock feed: a kit's figures as Odoo's own arithmetic makes them, arrivals net of what is owed.

Given kits (mrp phantom BoMs) in the sandbox Odoo over loopback HTTP, when the scheduler runs Northwind's 846
through the real profile, then a BoM that makes several kits at once offers every whole kit Odoo counts (its
components per batch of the BoM's quantity, as mrp's `_compute_quantities_dict` multiplies back), and a
component's receipt first fills the deliveries owed beyond its stock before it completes any kit.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import odoorpc

from gateway.config.loader import LoadedConfig
from gateway.odoo.client import OdooClient
from gateway.odoo.sandbox import SandboxServer
from tests.odoo.test_extraction_incoming import product, purchase
from tests.odoo.test_stock15_kits import owed_unreserved
from tests.odoo.test_stock_feed_levels import examples, feed, item, new_product, northwind_code, scheduler_for

__all__ = ["examples"]          # the module's fixture, shared


def kit_of(odoo: odoorpc.ODOO, version: int, code: str, makes: float, parts: list[tuple[str, float]]) -> int:
    """A kit Northwind lists whose BoM makes `makes` kits of `parts` (component code, quantity), as entered in
    Manufacturing (a BoM's Quantity above 1: "this recipe makes 3")."""
    pid = new_product(odoo, version, f"Kit {code}", "consumable", default_code=code)
    northwind_code(odoo, pid, f"NW-{code}")
    tmpl = odoo.execute_kw("product.product", "read", [[pid], ["product_tmpl_id"]])[0]["product_tmpl_id"][0]
    odoo.execute_kw("mrp.bom", "create", [{"product_tmpl_id": tmpl, "type": "phantom", "product_qty": makes,
                                           "bom_line_ids": [(0, 0, {"product_id": product(odoo, c), "product_qty": q})
                                                            for c, q in parts]}])
    return pid


async def test_a_bom_of_several_kits_offers_every_whole_kit_odoo_counts(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, examples: LoadedConfig,
        tmp_path: Path) -> None:
    # 3 kits take 5 Blue Widgets (500) and 5 Gadgets Large (120): 300 and 72 kits; 5/3 a kit is no decimal, and
    # 120 / 1.666...7 counted 71
    trio = kit_of(odoo, sandbox.version, "TRIO", 3, [("WB-100", 5), ("GL-300", 5)])
    [figures] = odoo.execute_kw("product.product", "read", [[trio], ["free_qty", "qty_available"]])
    assert (figures["free_qty"], figures["qty_available"]) == (72, 72)          # Odoo's
    segments = await feed(scheduler_for(examples, client, journal, tmp_path))
    assert item(segments, "TRIO")[1:3] == ["QTY*33*72*EA", "QTY*17*72*EA"]


async def test_a_components_receipt_fills_what_is_owed_before_it_makes_kits(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, examples: LoadedConfig,
        tmp_path: Path) -> None:
    # 350 Red Widgets owed to BigBox, 300 on hand: 50 short. Of the 60 arriving on the 11th, 50 go to that delivery;
    # the 10 left make 5 pairs, not 30. The Red Widget's own line still says what is on order
    kit_of(odoo, sandbox.version, "PAIR", 1, [("WB-100", 1), ("WR-200", 2)])
    owed_unreserved(client, odoo, "614141000029", 350)
    purchase(odoo, sandbox.version, [("WR-200", 60, "Units", "2026-12-11 09:00:00")])
    segments = await feed(scheduler_for(examples, client, journal, tmp_path))
    assert item(segments, "WR-200")[1:4] == ["QTY*33*0*EA", "QTY*17*300*EA", "QTY*63*60*EA"]
    assert item(segments, "PAIR")[1:5] == ["QTY*33*0*EA", "QTY*17*150*EA", "QTY*63*5*EA",
                                           "SCH*5*EA***018*20261211"]
