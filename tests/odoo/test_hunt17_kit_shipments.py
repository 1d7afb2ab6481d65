"""A kit (mrp phantom BoM) a retailer orders is announced as the kits shipped, not as their components.

Odoo sells a kit as one sale line and ships it as its components: confirming the order explodes the kit's move into
one move per BoM line, each keeping the sale line (mrp stock.move `action_explode`), and counts the line delivered
as the whole kits the done components make (sale_mrp `_compute_qty_delivered`). The 856 listed each component move
as an item of the kit's line: Northwind, which ordered 5 gift sets (its code NW-GS1), was told of 5 Blue Widgets and
10 Red Widgets under PO line 1, items it never ordered in quantities its PO does not have, which its receiving
refuses line by line. Now a kit line's components are counted back into kits: 5 NW-GS1. The kit's order and delivery
in the sandbox over HTTP (17, 19), the 856 rendered with Northwind's profile.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import odoorpc

from gateway.config.loader import LoadedConfig
from gateway.journal.api import State
from gateway.odoo.client import OdooClient
from gateway.odoo.extract.ship_notices import extract_ship_notices
from gateway.odoo.sandbox import SandboxServer
from gateway.translate.canonical import Party
from tests.odoo.test_casesout15_ship_bill import line_of
from tests.odoo.test_crossdock import scheduler
from tests.odoo.test_extraction import deliver
from tests.odoo.test_extraction_incoming import product
from tests.odoo.test_hunt17_replaced_product_codes import posted_by
from tests.odoo.test_outbound_changed_lines import segments, sent
from tests.odoo.test_outbound_odd_odoo import (
    examples,
    invoiced,
    line,
    ordered,
    pack_and_ship,
    rendered_and_read_back,
)
from tests.odoo.test_stock15_kits import kit

__all__ = ["examples"]          # the module's fixture, shared

STORE = Party(role="ship_to", ids={"store": "0042"})


def item_lines(data: bytes) -> list[list[str]]:
    """The 856's LIN and SN1 segments, split."""
    return [s.split("*") for s in data.decode().replace("\n", "").split("~") if s.startswith(("LIN*", "SN1*"))]


def test_a_kit_shipped_as_its_components_is_announced_as_the_kits(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, examples: LoadedConfig) -> None:
    kit(odoo, sandbox.version, "GS1", [("WB-100", 1), ("WR-200", 2)])
    order_id = ordered(examples, client, "northwind", "NW-KITS", STORE,
                       [line("1", {"buyer": "NW-GS1"}, 5), line("2", {"buyer": "NW-A3"}, 2)])
    pack_and_ship(odoo, order_id, [])
    [asn] = extract_ship_notices(client, examples.partners["northwind"], journal)
    data, _ = rendered_and_read_back(examples, journal, "northwind", asn, "856")
    said = item_lines(data)
    assert [s[2:4] for s in said if s[0] == "LIN"] == [["IN", "NW-GS1"], ["IN", "NW-A3"]], said
    assert [s[2:4] for s in said if s[0] == "SN1"] == [["5", "EA"], ["2", "EA"]], said


def test_kits_shipped_over_a_delivery_and_its_backorder_are_announced_as_each_completes_them(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, examples: LoadedConfig) -> None:
    """5 gift sets (a Blue Widget and two Red Widgets each), the first delivery short of Red Widgets (5 Blue, 4 Red:
    2 whole sets), the backorder the other 6 Red: its 856 announces the 3 sets it completes, as Odoo counts the line
    delivered (5 in all), not the 6 Red Widgets it carried."""
    kit(odoo, sandbox.version, "GS1", [("WB-100", 1), ("WR-200", 2)])
    order_id = ordered(examples, client, "northwind", "NW-KITS2", STORE, [line("1", {"buyer": "NW-GS1"}, 5)])
    deliver(odoo, order_id, partial={product(odoo, "WR-200"): 4.0})
    [first] = extract_ship_notices(client, examples.partners["northwind"], journal)
    assert [(i.item_ids.get("buyer"), i.quantity) for i in first.all_items()] == [("NW-GS1", 2)]
    assert backorder_shipped(client, odoo, journal, examples, order_id) == ([("NW-GS1", 3)], 5.0)


def backorder_shipped(client: OdooClient, odoo: odoorpc.ODOO, journal: Any, examples: LoadedConfig,
                      order_id: int) -> tuple[list[tuple[str | None, Any]], float]:
    """The order's backorder validated: its 856's (Northwind item, quantity) and the kit line's qty_delivered."""
    [back] = odoo.execute_kw("stock.picking", "search", [[("sale_id", "=", order_id), ("state", "!=", "done")]])
    odoo.execute_kw("stock.picking", "button_validate", [[back]], {"context": {"skip_backorder": True}})
    [second] = extract_ship_notices(client, examples.partners["northwind"], journal)
    [sold] = odoo.execute_kw("sale.order.line", "search_read", [[("order_id", "=", order_id)]],
                             {"fields": ["qty_delivered"]})
    return [(i.item_ids.get("buyer"), i.quantity) for i in second.all_items()], sold["qty_delivered"]


async def test_a_kit_ordered_by_an_850_goes_out_in_the_856_and_810_as_ordered(
        tmp_path: Path, sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, examples: LoadedConfig) -> None:
    """The whole way: BigBox's 850 orders 4 gift sets by its own code (BB-GS1) through the pipeline; confirmed,
    delivered and invoiced in Odoo; the scheduler's 856 and 810 name line 1 as BigBox ordered it, 4 EA of BB-GS1."""
    kit_id = kit(odoo, sandbox.version, "GS1", [("WB-100", 1), ("WR-200", 2)])
    bigbox = odoo.execute_kw("res.partner", "search", [[("ref", "=", "BIGBOX")]])[0]
    tmpl = odoo.execute_kw("product.product", "read", [[kit_id], ["product_tmpl_id"]])[0]["product_tmpl_id"][0]
    odoo.execute_kw("product.customerinfo", "create", [{"partner_id": bigbox, "product_tmpl_id": tmpl,
                                                        "product_id": kit_id, "product_code": "BB-GS1"}])
    message, first, pipeline = await posted_by(tmp_path, examples, sandbox, odoo, b"PO1*1*4*EA*30.00**BP*BB-GS1~\n")
    assert message.state is State.DONE, message.last_error
    so = odoo.execute_kw("sale.order.line", "read", [[first["id"]], ["order_id"]])[0]["order_id"][0]
    odoo.execute_kw("sale.order", "action_confirm", [[so]])
    invoiced(odoo, so)
    poll = scheduler(pipeline, client)
    assert await poll.run_once("bigbox", "856") == 1
    assert await poll.run_once("bigbox", "810") == 1
    lin = line_of(segments(sent(pipeline, "856"), "LIN"), "1")
    assert "BB-GS1" in lin and not any("BB-1001" in s for s in segments(sent(pipeline, "856"), "LIN")), lin
    sn1 = segments(sent(pipeline, "856"), "SN1")
    assert sn1[0][2:4] == ["4", "EA"], sn1
    it1 = line_of(segments(sent(pipeline, "810"), "IT1"), "1")
    assert it1[2:4] == ["4", "EA"] and "BB-GS1" in it1, it1
