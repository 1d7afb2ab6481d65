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


def color_variants(odoo: odoorpc.ODOO, version: int, code: str, colors: list[str]) -> dict[str, int]:
    """A product with a variant per color (attribute Color), each listed by Northwind, as Sales creates them:
    color -> (variant product id, its attribute value id)."""
    first = new_product(odoo, version, f"Gift Set {code}", "consumable", default_code=f"{code}-{colors[0]}")
    tmpl = odoo.execute_kw("product.product", "read", [[first], ["product_tmpl_id"]])[0]["product_tmpl_id"][0]
    color = odoo.execute_kw("product.attribute", "create", [{"name": "Color"}])
    line = odoo.execute_kw("product.template.attribute.line", "create", [{"product_tmpl_id": tmpl,
                                                                          "attribute_id": color}])
    out = {}
    for n, name in enumerate(colors):
        value = odoo.execute_kw("product.template.attribute.value", "create", [{"name": name,
                                                                                "attribute_line_id": line}])
        pid = first if n == 0 else odoo.execute_kw("product.product", "create", [{
            "product_tmpl_id": tmpl, "default_code": f"{code}-{name}"}])
        odoo.execute_kw("product.product", "write", [[pid], {"product_template_attribute_value_ids": [(6, 0, [value])]}])
        northwind_code(odoo, pid, f"NW-{code}-{name}")
        out[name] = value
    return out


async def test_a_bom_line_applied_on_other_variants_does_not_hold_back_a_variants_kits(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, examples: LoadedConfig,
        tmp_path: Path) -> None:
    # one kit BoM for the gift set's two colors: a Blue Widget in each, a Gadget Large (120) in the Red set only,
    # a Cable Bundle (80) in the Blue set only ("Apply on Variants"). The Red sets are 120, not the 80 the Blue
    # set's cables make
    values = color_variants(odoo, sandbox.version, "GIFT", ["Red", "Blue"])
    tmpl = odoo.execute_kw("product.product", "read", [[product(odoo, "GIFT-Red")], ["product_tmpl_id"]])[0]
    odoo.execute_kw("mrp.bom", "create", [{
        "product_tmpl_id": tmpl["product_tmpl_id"][0], "type": "phantom", "product_qty": 1.0, "bom_line_ids": [
            (0, 0, {"product_id": product(odoo, "WB-100"), "product_qty": 1}),
            (0, 0, {"product_id": product(odoo, "GL-300"), "product_qty": 1,
                    "bom_product_template_attribute_value_ids": [(6, 0, [values["Red"]])]}),
            (0, 0, {"product_id": product(odoo, "CB-400"), "product_qty": 1,
                    "bom_product_template_attribute_value_ids": [(6, 0, [values["Blue"]])]})]}])
    [red] = odoo.execute_kw("product.product", "read", [[product(odoo, "GIFT-Red")], ["free_qty"]])
    assert red["free_qty"] == 120                                                  # Odoo's
    segments = await feed(scheduler_for(examples, client, journal, tmp_path))
    assert item(segments, "GIFT-Red")[1:3] == ["QTY*33*120*EA", "QTY*17*120*EA"]
    assert item(segments, "GIFT-Blue")[1:3] == ["QTY*33*80*EA", "QTY*17*80*EA"]
