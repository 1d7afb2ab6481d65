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

from typing import Any

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.odoo.client import OdooClient
from gateway.odoo.extraction import extract_ship_notices
from gateway.odoo.sandbox import SandboxServer
from tests.odoo.test_extraction import deliver
from tests.odoo.test_extraction_incoming import product
from tests.odoo.test_hunt17_kit_shipments import STORE, backorder_shipped, item_lines
from tests.odoo.test_outbound_odd_odoo import examples, line, ordered, rendered_and_read_back
from tests.odoo.test_stock15_kits import kit

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
