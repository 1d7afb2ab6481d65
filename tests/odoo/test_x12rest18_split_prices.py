"""A PO split into one sale order per store (`odoo.store_orders: split`, X12 SDQ) whose line 2 states a price
multiplier (CTP06/07, not applied): each store's order has only its lines, so the line the note checks the price of
is found by its number, not by its place in the PO. Store 0107 has lines 2 and 3; its note named line 2's
multiplier 'not applied to the line's price 8.75', line 3's price (its second line), for a person to check a price
that was not line 2's at all (42.00). Through the posting over HTTP to the sandbox (17, 19)."""

from __future__ import annotations

from decimal import Decimal

import odoorpc
import pytest

from gateway.odoo.client import OdooClient
from gateway.odoo.posting import Cache, post
from gateway.translate.canonical import Line, LinePrice
from tests.odoo.conftest import bigbox, order

pytestmark = pytest.mark.parametrize("sandbox", [17, 19], ids=["odoo17", "odoo19"], indirect=True)


def test_a_stores_order_checks_the_multiplier_against_its_own_line(client: OdooClient, odoo: odoorpc.ODOO) -> None:
    lines = [Line(line_no="1", item_ids={"buyer": "BB-1001"}, quantity=Decimal(36), unit_price=Decimal("12.50")),
             Line(line_no="2", item_ids={"buyer": "BB-1003"}, quantity=Decimal(6), unit_price=Decimal("42.00"),
                  allocation_kind="buyer", allocations={"0107": Decimal(6)}),
             Line(line_no="3", item_ids={"buyer": "BB-1002"}, quantity=Decimal(4), unit_price=Decimal("8.75"),
                  allocation_kind="buyer", allocations={"0107": Decimal(4)})]
    stated = [LinePrice(line_no="2", line_index=2, kind="unspecified", multiplier=Decimal(".57"),
                        multiplier_kind="DIS")]
    post(client, order("PO-CTP-S", lines=lines, line_prices=stated), bigbox(store_orders="split",
                                                                           create_ship_to=True), Cache())
    notes = {}
    for so in odoo.execute_kw("sale.order", "search_read", [[("client_order_ref", "=", "PO-CTP-S")]],
                              {"fields": ["partner_shipping_id", "note"]}):
        [ship] = odoo.execute_kw("res.partner", "read", [[so["partner_shipping_id"][0]], ["ref", "name"]])
        notes[ship["ref"] or ship["name"]] = so["note"]
    assert ("line 2 price multiplier 0.57 (DIS) stated and not applied to the line&#x27;s price 42.00: check the "
            "price") in notes["0107"], notes["0107"]
