"""A kit with a kit inside it is announced as the kits each delivery completes, counting through the inner kit.

Odoo explodes a kit inside a kit in turn (mrp.bom `explode`): a gift set of 2 Red Widget packs (3 Red Widgets
each) and 1 Blue Widget ships as 6 Red Widgets, their moves naming the pack's BoM line, and 1 Blue Widget. sale_mrp
counts the set delivered by the Red Widgets over the 6 one set takes (`_compute_kit_quantities`, the line quantity
taken through the pack's). The ship notice counted each component by its own BoM line alone, 3 Red Widgets a set:
the first delivery, 12 Red Widgets and all 5 Blue Widgets (2 whole sets), announced 4 NW-GS2, two sets the retailer
would receive short and then find in no later notice. The kits and the sale order in the sandbox over HTTP (17, 19),
the 856 rendered with Northwind's profile.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.odoo.client import OdooClient
from gateway.odoo.extract.ship_notices import extract_ship_notices
from gateway.odoo.sandbox import SandboxServer
from tests.odoo.test_extraction import deliver
from tests.odoo.test_extraction_incoming import product
from tests.odoo.test_hunt17_kit_shipments import STORE, backorder_shipped, item_lines
from tests.odoo.test_outbound_odd_odoo import examples, line, ordered, rendered_and_read_back
from tests.odoo.test_stock15_kits import kit
from tests.odoo.test_stock_feed_levels import new_product, northwind_code

__all__ = ["examples"]          # the module's fixture, shared


def test_a_kit_of_kits_is_announced_as_the_sets_its_components_complete(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, examples: LoadedConfig) -> None:
    kit(odoo, sandbox.version, "PK3", [("WR-200", 3)])
    kit(odoo, sandbox.version, "GS2", [("PK3", 2), ("WB-100", 1)])
    order_id = ordered(examples, client, "northwind", "NW-KITS3", STORE, [line("1", {"buyer": "NW-GS2"}, 5)])
    deliver(odoo, order_id, partial={product(odoo, "WR-200"): 12.0})
    [first] = extract_ship_notices(client, examples.partners["northwind"], journal)
    data, _ = rendered_and_read_back(examples, journal, "northwind", first, "856")
    said = item_lines(data)
    assert [s[2:4] for s in said if s[0] == "LIN"] == [["IN", "NW-GS2"]], said
    assert [s[2:4] for s in said if s[0] == "SN1"] == [["2", "EA"]], said
    assert backorder_shipped(client, odoo, journal, examples, order_id) == ([("NW-GS2", 3)], 5.0)


def test_a_kit_ordered_by_the_dozen_is_announced_in_dozens(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, examples: LoadedConfig,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """2 dozen gift sets (the sale line in Odoo's Dozens): Odoo explodes 24 sets' components and counts the line
    delivered as 2 (sale_mrp gives the kits in the line's unit). The 856 said 24 DZ, twelve times what was shipped."""
    northwind = examples.partners["northwind"]
    monkeypatch.setitem(examples.partners, "northwind", northwind.model_copy(update={"odoo": northwind.odoo.model_copy(
        update={"units": {**northwind.odoo.units, "DZ": "Dozens"}})}))      # the partner's odoo.units
    kit(odoo, sandbox.version, "GS1", [("WB-100", 1), ("WR-200", 2)])
    order_id = ordered(examples, client, "northwind", "NW-KITS4", STORE, [line("1", {"buyer": "NW-GS1"}, 2, "DZ")])
    deliver(odoo, order_id)
    [asn] = extract_ship_notices(client, examples.partners["northwind"], journal)
    data, _ = rendered_and_read_back(examples, journal, "northwind", asn, "856")
    said = item_lines(data)
    assert [s[2:4] for s in said if s[0] == "SN1"] == [["2", "DZ"]], said
    [sold] = odoo.execute_kw("sale.order.line", "search_read", [[("order_id", "=", order_id)]],
                             {"fields": ["qty_delivered"]})
    assert sold["qty_delivered"] == 2.0


def test_kits_whose_parts_went_in_two_deliveries_done_out_of_order_are_announced(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, examples: LoadedConfig) -> None:
    """5 gift sets (a Blue Widget and two Red Widgets each), their Red Widgets split off into a delivery of their own
    (as Odoo's Split does: the moves given to a new transfer) and shipped first, the Blue Widgets after. Neither
    delivery completes a set alone; the second completes all 5 with the first. Counted by delivery id, the Blue
    Widgets' delivery (the older) never counted the Red Widgets' (done before it, with a later id): no 856 ever
    announced the 5 sets."""
    kit(odoo, sandbox.version, "GS1", [("WB-100", 1), ("WR-200", 2)])
    order_id = ordered(examples, client, "northwind", "NW-KITS5", STORE, [line("1", {"buyer": "NW-GS1"}, 5)])
    [pick] = odoo.execute_kw("sale.order", "read", [[order_id], ["picking_ids"]])[0]["picking_ids"]
    [was] = odoo.execute_kw("stock.picking", "read", [[pick], ["picking_type_id", "partner_id", "location_id",
                                                              "location_dest_id", "origin", "sale_id"]])
    split = odoo.execute_kw("stock.picking", "create", [{k: v[0] if isinstance(v, list) else v for k, v in was.items()
                                                         if k != "id"}])
    [was] = odoo.execute_kw("stock.picking", "read", [[split], ["name"]])
    red = odoo.execute_kw("stock.move", "search", [[("picking_id", "=", pick), ("product_id", "=", product(odoo, "WR-200"))]])
    odoo.execute_kw("stock.move", "write", [red, {"picking_id": split}])
    odoo.execute_kw("stock.move.line", "write", [odoo.execute_kw("stock.move.line", "search", [[("move_id", "in", red)]]),
                                                 {"picking_id": split}])
    odoo.execute_kw("stock.picking", "button_validate", [[split]], {"context": {"skip_backorder": True}})
    [done] = odoo.execute_kw("stock.picking", "read", [[split], ["date_done"]])      # shipped the day before
    day_before = datetime.strptime(done["date_done"], "%Y-%m-%d %H:%M:%S") - timedelta(days=1)
    odoo.execute_kw("stock.picking", "write", [[split], {"date_done": f"{day_before:%Y-%m-%d %H:%M:%S}"}])
    held: list[str] = []
    first = extract_ship_notices(client, examples.partners["northwind"], journal,
                                 hold=lambda doc, reason: held.append(reason))
    assert first == [] and held == [(f"ship notice {was['name']}: it carries only parts of kits, which complete no kit "
                                    "(Odoo counts none delivered), so it announces no item; the kits go out in the "
                                    "notice of the delivery that completes them")], held
    odoo.execute_kw("stock.picking", "button_validate", [[pick]], {"context": {"skip_backorder": True}})
    second = extract_ship_notices(client, examples.partners["northwind"], journal)
    said = [(i.item_ids.get("buyer"), i.quantity) for asn in [*first, *second] for i in asn.all_items()]
    assert said == [("NW-GS1", 5)], said


def test_a_product_made_a_kit_after_its_order_was_confirmed_counts_its_own_moves(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, examples: LoadedConfig) -> None:
    """The order's moves were made before the product got its kit BoM, so none is exploded (none names a BoM line):
    sale_mrp finds no BoM on the moves and leaves the line's delivered quantity to sale_stock, its own moves (3 of
    the 5 shipped are 3), and the 856 announces them as any item."""
    pid = new_product(odoo, sandbox.version, "Gift Set 3", "consumable", default_code="GS3")
    northwind_code(odoo, pid, "NW-GS3")
    order_id = ordered(examples, client, "northwind", "NW-KITS6", STORE, [line("1", {"buyer": "NW-GS3"}, 5)])
    tmpl = odoo.execute_kw("product.product", "read", [[pid], ["product_tmpl_id"]])[0]["product_tmpl_id"][0]
    odoo.execute_kw("mrp.bom", "create", [{"product_tmpl_id": tmpl, "type": "phantom", "product_qty": 1.0,
                                           "bom_line_ids": [(0, 0, {"product_id": product(odoo, "WB-100"),
                                                                    "product_qty": 1})]}])
    deliver(odoo, order_id, partial={pid: 3.0})
    [asn] = extract_ship_notices(client, examples.partners["northwind"], journal)
    assert [(i.item_ids.get("buyer"), i.quantity) for i in asn.all_items()] == [("NW-GS3", 3)]
    [sold] = odoo.execute_kw("sale.order.line", "search_read", [[("order_id", "=", order_id)]],
                             {"fields": ["qty_delivered"]})
    assert sold["qty_delivered"] == 3.0


def test_a_kit_whose_bom_was_archived_after_the_order_is_counted_by_its_moves_bom(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, examples: LoadedConfig) -> None:
    """The gift set discontinued (its kit BoM archived) after the order was confirmed: Odoo counts the line by the
    BoM its moves name (sale_mrp takes the BoM from the moves' BoM lines), so the 5 sets shipped are announced, as
    before the kit of kits' count, which walks the kit's current BoM."""
    kit_id = kit(odoo, sandbox.version, "GS1", [("WB-100", 1), ("WR-200", 2)])
    order_id = ordered(examples, client, "northwind", "NW-KITS7", STORE, [line("1", {"buyer": "NW-GS1"}, 5)])
    tmpl = odoo.execute_kw("product.product", "read", [[kit_id], ["product_tmpl_id"]])[0]["product_tmpl_id"][0]
    odoo.execute_kw("mrp.bom", "write", [odoo.execute_kw("mrp.bom", "search", [[("product_tmpl_id", "=", tmpl)]]),
                                         {"active": False}])
    deliver(odoo, order_id)
    [asn] = extract_ship_notices(client, examples.partners["northwind"], journal)
    assert [(i.item_ids.get("buyer"), i.quantity) for i in asn.all_items()] == [("NW-GS1", 5)]
    [sold] = odoo.execute_kw("sale.order.line", "search_read", [[("order_id", "=", order_id)]],
                             {"fields": ["qty_delivered"]})
    assert sold["qty_delivered"] == 5.0         # Odoo's count by the moves' BoM (the sandbox gave the 15 parts)
