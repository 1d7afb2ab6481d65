"""X12 860 changes whose POC lines repeat a line number (POC01 '1' for two lines, as a partner numbering its PO1
loops alike sends them), read by the base profile and merged into the sandbox's quotation over HTTP: each change
line finds its own order line by number and item, and two order lines the change cannot tell apart hold it."""

from __future__ import annotations

import odoorpc
import pytest

from gateway.errors import OdooRejected
from gateway.odoo.client import OdooClient
from gateway.odoo.posting import Cache, post
from tests.odoo.conftest import bigbox
from tests.odoo.test_change_charges import x12_change
from tests.odoo.test_ship_to_second_name import x12_850

SHIP_TO = ["N1*ST*BIGBOX DC 1*UL*0860001000023"]
BLUE = "PO1*1*24*EA*12.50*PE*BP*BB-1001*UP*614141000012*VN*WB-100"
RED = "PO1*1*48*EA*8.75*PE*BP*BB-1002*UP*614141000029*VN*WR-200"
BLUE_POC = "POC*1*QI*{}**EA*12.50*PE*BP*BB-1001*UP*614141000012"


def lines(odoo: odoorpc.ODOO, ref: str) -> list[tuple[int, str, float]]:
    [so] = odoo.execute_kw("sale.order", "search_read", [[("client_order_ref", "=", ref)]],
                           {"fields": ["order_line"]})
    rows = odoo.execute_kw("sale.order.line", "read", [so["order_line"], ["sequence", "product_id", "product_uom_qty"]])
    return sorted((r["sequence"], r["product_id"][1].split("]")[0].strip("["), r["product_uom_qty"]) for r in rows)


def test_two_items_changed_under_one_number_each_change_their_own_line(client: OdooClient,
                                                                      odoo: odoorpc.ODOO) -> None:
    """Blue and red widgets both PO1*1 on the order, both POC*1 in the change: each goes to its own product's line."""
    partner = bigbox(order_changes="revise")
    post(client, x12_850("PO-CH15-1", SHIP_TO, [BLUE, RED]), partner, Cache())
    assert lines(odoo, "PO-CH15-1") == [(1, "WB-100", 24.0), (2, "WR-200", 48.0)]
    post(client, x12_change("PO-CH15-1", [], [BLUE_POC.format(30),
                                             "POC*1*QI*60**EA*8.75*PE*BP*BB-1002*UP*614141000029"]), partner, Cache())
    assert lines(odoo, "PO-CH15-1") == [(1, "WB-100", 30.0), (2, "WR-200", 60.0)]


def test_one_item_changed_twice_under_one_number_on_two_order_lines_is_held(client: OdooClient,
                                                                            odoo: odoorpc.ODOO) -> None:
    """Blue widgets twice as PO1*1 (24 and 10, two deliveries), and a change of both as POC*1 (30 and 12): which
    is for which order line cannot be told. Merged as one line's two changes, order line 1 got 12 and line 2 kept
    10 while the 865 said both changed; now nothing is written and the message names both order lines."""
    partner = bigbox(order_changes="revise")
    post(client, x12_850("PO-CH15-2", SHIP_TO, [BLUE, BLUE.replace("*24*", "*10*"), RED]), partner, Cache())
    before = lines(odoo, "PO-CH15-2")
    assert before == [(1, "WB-100", 24.0), (2, "WB-100", 10.0), (3, "WR-200", 48.0)]
    change = x12_change("PO-CH15-2", [], [BLUE_POC.format(30), BLUE_POC.format(12)])
    with pytest.raises(OdooRejected, match=r"line 1.*names \[WB-100\] Blue Widget 2 times under line 1 \(quantity "
                                           r"30, quantity 12\), and sale order \S+ has it on lines 1 \(24\), 2 \(10\)"):
        post(client, change, partner, Cache())
    assert lines(odoo, "PO-CH15-2") == before


def test_a_quantity_and_a_price_of_one_line_stay_one_change(client: OdooClient, odoo: odoorpc.ODOO) -> None:
    """POC*1*QI and POC*1*PC of one line (its quantity and its price, two POCs) on an order with blue widgets on
    lines 1 and 2: one change of line 1, as before."""
    partner = bigbox(order_changes="revise")
    post(client, x12_850("PO-CH15-3", SHIP_TO, [BLUE, BLUE.replace("PO1*1*24", "PO1*2*10")]), partner, Cache())
    post(client, x12_change("PO-CH15-3", [], [BLUE_POC.format(30),
                                             "POC*1*PC***EA*12.00*PE*BP*BB-1001*UP*614141000012"]), partner, Cache())
    assert lines(odoo, "PO-CH15-3") == [(1, "WB-100", 30.0), (2, "WB-100", 10.0)]
