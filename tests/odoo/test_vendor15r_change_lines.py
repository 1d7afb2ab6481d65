"""X12 860 changes restating one line in two POC lines (its quantity and its price, each POC carrying the line's
quantity in POC03, as many retailers' guides require) on an order with the item on two lines: one change of the
line the number names, as before the hold for lines numbered alike; two different quantities, or the same POC twice,
under one number of an item on several order lines still hold. Read by the 860 base profile and merged into the
sandbox's quotation over HTTP, checked with odoorpc."""

from __future__ import annotations

import odoorpc
import pytest

from gateway.errors import OdooRejected
from gateway.odoo.client import OdooClient
from gateway.odoo.posting import Cache, post
from tests.odoo.conftest import bigbox
from tests.odoo.test_change15_line_numbers import BLUE, BLUE_POC, SHIP_TO, lines
from tests.odoo.test_change_charges import x12_change
from tests.odoo.test_ship_to_second_name import x12_850


def prices(odoo: odoorpc.ODOO, ref: str) -> list[tuple[int, float]]:
    [so] = odoo.execute_kw("sale.order", "search_read", [[("client_order_ref", "=", ref)]], {"fields": ["order_line"]})
    return sorted((r["sequence"], r["price_unit"]) for r in odoo.execute_kw("sale.order.line", "read", [
        so["order_line"], ["sequence", "price_unit"]]))


def test_a_quantity_and_a_price_each_restating_the_quantity_are_one_change(client: OdooClient,
                                                                          odoo: odoorpc.ODOO) -> None:
    """Blue widgets on lines 1 (24) and 2 (10); POC*1*QI*30 and POC*1*PC*30 at 12.00: line 1 becomes 30 at 12.00,
    line 2 stays. Since f29bda8 the change was held as 'names Blue Widget 2 times under line 1 (quantity 30,
    quantity 30)', a person redoing by hand what the gateway had applied before."""
    partner = bigbox(order_changes="revise")
    post(client, x12_850("PO-CH15R-1", SHIP_TO, [BLUE, BLUE.replace("PO1*1*24", "PO1*2*10")]), partner, Cache())
    post(client, x12_change("PO-CH15R-1", [], [BLUE_POC.format(30),
                                              "POC*1*PC*30**EA*12.00*PE*BP*BB-1001*UP*614141000012"]), partner, Cache())
    assert lines(odoo, "PO-CH15R-1") == [(1, "WB-100", 30.0), (2, "WB-100", 10.0)]
    assert prices(odoo, "PO-CH15R-1") == [(1, 12.0), (2, 12.5)]


@pytest.mark.parametrize("second", ["POC*1*QI*30**EA*12.50*PE*BP*BB-1001*UP*614141000012",
                                    "POC*1*PC*12**EA*12.00*PE*BP*BB-1001*UP*614141000012"],
                         ids=["the-same-poc-twice", "two-quantities"])
def test_alike_numbered_lines_changed_alike_or_apart_are_held(client: OdooClient, odoo: odoorpc.ODOO,
                                                              second: str) -> None:
    """Blue widgets twice as PO1*1 (24 and 10); POC*1 to 30 twice (both lines to 30: no one line is changed twice
    by the same POC), or to 30 and to 12 at another price: which is for which order line is not known."""
    partner = bigbox(order_changes="revise")
    post(client, x12_850("PO-CH15R-2", SHIP_TO, [BLUE, BLUE.replace("*24*", "*10*")]), partner, Cache())
    with pytest.raises(OdooRejected, match=r"names \[WB-100\] Blue Widget 2 times under line 1"):
        post(client, x12_change("PO-CH15R-2", [], [BLUE_POC.format(30), second]), partner, Cache())
    assert lines(odoo, "PO-CH15R-2") == [(1, "WB-100", 24.0), (2, "WB-100", 10.0)]
