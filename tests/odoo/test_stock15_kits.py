"""A kit (mrp phantom BoM) in the stock feed is offered only as far as its components no delivery is owed go.

Given a kit of one Blue Widget and two Red Widgets in the sandbox Odoo (over loopback HTTP), whose figures Odoo
computes from the components one figure at a time, and 100 Red Widgets owed to BigBox on a delivery the warehouse
unreserved, when the scheduler runs Northwind's 846, then the kit is offered as the 100 kits the 200 unowed Red
Widgets make, not Odoo's 150 less its kit outgoing of 0 (the fewest kits the components' deliveries add up to, and
the Blue Widgets have none).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import odoorpc

from gateway.config.loader import LoadedConfig
from gateway.odoo.client import OdooClient, connect
from gateway.odoo.extract.inventory import extract_inventory
from gateway.odoo.posting import Cache, post
from gateway.odoo.sandbox import SandboxServer
from gateway.translate.canonical import Line
from tests.odoo.conftest import bigbox, northwind, order, settings_for
from tests.odoo.test_extraction_incoming import product, purchase
from tests.odoo.test_stock_feed_levels import examples, feed, item, new_product, northwind_code, scheduler_for

__all__ = ["examples"]          # the module's fixture, shared


def kit(odoo: odoorpc.ODOO, version: int, code: str, parts: list[tuple[str, float]]) -> int:
    """A kit product Northwind lists, and its kit BoM (one kit of `parts`: component code, quantity), as entered
    in Manufacturing; the kit itself is goods whose stock Odoo does not track, as kits usually are."""
    pid = new_product(odoo, version, f"Kit {code}", "consumable", default_code=code)
    northwind_code(odoo, pid, f"NW-{code}")
    tmpl = odoo.execute_kw("product.product", "read", [[pid], ["product_tmpl_id"]])[0]["product_tmpl_id"][0]
    odoo.execute_kw("mrp.bom", "create", [{"product_tmpl_id": tmpl, "type": "phantom", "product_qty": 1.0,
                                           "bom_line_ids": [(0, 0, {"product_id": product(odoo, c), "product_qty": q})
                                                            for c, q in parts]}])
    return pid


def owed_unreserved(client: OdooClient, odoo: odoorpc.ODOO, upc: str, qty: int) -> None:
    """BigBox's confirmed order of `qty`, whose delivery the warehouse then unreserves: still owed, not reserved."""
    [link] = post(client, order(lines=[Line(line_no="1", item_ids={"upc": upc}, quantity=Decimal(qty))]),
                  bigbox(confirm_orders=True), Cache())
    [pick] = odoo.execute_kw("sale.order", "read", [[link.record_id], ["picking_ids"]])[0]["picking_ids"]
    odoo.execute_kw("stock.picking", "do_unreserve", [[pick]])


async def test_a_kit_is_not_offered_with_components_owed_to_another_delivery(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, examples: LoadedConfig,
        tmp_path: Path) -> None:
    pair = kit(odoo, sandbox.version, "KIT-1", [("WB-100", 1), ("WR-200", 2)])
    owed_unreserved(client, odoo, "614141000029", 100)            # 100 of the 300 Red Widgets
    [figures] = odoo.execute_kw("product.product", "read", [[pair], ["free_qty", "qty_available", "outgoing_qty"]])
    assert (figures["free_qty"], figures["qty_available"], figures["outgoing_qty"]) == (150, 150, 0)   # Odoo's
    segments = await feed(scheduler_for(examples, client, journal, tmp_path))
    assert item(segments, "WR-200")[1:3] == ["QTY*33*200*EA", "QTY*17*300*EA"]
    assert item(segments, "KIT-1")[1:3] == ["QTY*33*100*EA", "QTY*17*150*EA"]
    assert item(segments, "WB-100")[1:3] == ["QTY*33*500*EA", "QTY*17*500*EA"]


def test_kits_cost_the_same_calls_however_many_there_are(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any) -> None:
    def calls(slot: str) -> int:
        before = client.calls
        assert len(extract_inventory(client, northwind(), journal, Cache(), slot=slot)) == 1
        return client.calls - before
    kit(odoo, sandbox.version, "KIT-1", [("WB-100", 1), ("WR-200", 2)])
    calls("2026-12-04 03:00")   # the client's one-time look-ups (fields, models) out of the way
    one = calls("2026-12-04 04:00")
    for n in range(2, 6):
        kit(odoo, sandbox.version, f"KIT-{n}", [("GL-300", n), ("CB-400", 1), ("SP-500", 1)])
    assert calls("2026-12-04 08:00") == one


def test_a_database_without_manufacturing_gets_its_feed(journal: Any) -> None:
    server = SandboxServer(version=18, seed_name="demo", without=("mrp",))
    server.start()
    try:
        client = connect(settings_for(server), retry_base=0.01)
        [doc] = extract_inventory(client, northwind(), journal, Cache(), slot="2026-12-04 08:00")
        assert [line.item_ids["vendor"] for line in doc.lines] == ["WB-100", "WR-200", "GL-300", "CB-400", "SP-500"]
        client.close()
    finally:
        server.stop()


async def test_a_kit_inside_a_kit_counts_by_its_components(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, examples: LoadedConfig,
        tmp_path: Path) -> None:
    # a gift set of one Widget Pair kit and one Gadget Large: Odoo's 120 sets (its 150 pairs, 120 gadgets), but the
    # 200 Red Widgets no delivery is owed make 100 pairs, so 100 sets
    kit(odoo, sandbox.version, "KIT-1", [("WB-100", 1), ("WR-200", 2)])
    kit(odoo, sandbox.version, "SET-1", [("KIT-1", 1), ("GL-300", 1)])
    owed_unreserved(client, odoo, "614141000029", 100)
    segments = await feed(scheduler_for(examples, client, journal, tmp_path))
    assert item(segments, "SET-1")[1:3] == ["QTY*33*100*EA", "QTY*17*120*EA"]


async def test_a_kit_shows_the_kits_its_components_receipts_complete_by_each_day(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, examples: LoadedConfig,
        tmp_path: Path) -> None:
    # 100 pairs now (200 Red Widgets unowed); 60 Red arriving on the 11th make 30 more, 1 on the 14th none (half a
    # pair is no kit), 1 more on the 16th the 131st; Blue Widgets (500) never run short
    kit(odoo, sandbox.version, "KIT-1", [("WB-100", 1), ("WR-200", 2)])
    owed_unreserved(client, odoo, "614141000029", 100)
    purchase(odoo, sandbox.version, [("WR-200", 60, "Units", "2026-12-11 09:00:00"),
                                     ("WR-200", 1, "Units", "2026-12-14 09:00:00"),
                                     ("WR-200", 1, "Units", "2026-12-16 09:00:00")])
    segments = await feed(scheduler_for(examples, client, journal, tmp_path))
    assert item(segments, "KIT-1")[1:7] == ["QTY*33*100*EA", "QTY*17*150*EA", "QTY*63*30*EA",
                                            "SCH*30*EA***018*20261211", "QTY*63*1*EA", "SCH*1*EA***018*20261216"]
    assert item(segments, "KIT-1")[7] == "N1*WH**91*WH"
