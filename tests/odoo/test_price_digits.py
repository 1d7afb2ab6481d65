"""Prices to more than the cent: a database whose Product Price accuracy is 4 digits (Settings > Technical >
Decimal Accuracy, as distributors of small parts set it) keeps 0.0149 a unit apart from 0.0125. The price policy
compares the partner's price with Odoo's to those digits, not to the cent. Real X12 850s, posted to the sandbox
over HTTP and checked with odoorpc."""

from __future__ import annotations

from decimal import Decimal

import odoorpc
import pytest

from gateway.errors import OdooRejected
from gateway.odoo.client import OdooClient
from gateway.odoo.posting import Cache, post
from gateway.translate.canonical import Line
from tests.odoo.conftest import bigbox, order
from tests.odoo.test_case_prices import DC_1, goods
from tests.odoo.test_ship_to_second_name import x12_850


@pytest.fixture
def fine_prices(odoo: odoorpc.ODOO) -> int:
    """Product Price kept to 4 digits; the blue widget listed at 0.0125 a unit. Returns the widget's id."""
    [precision] = odoo.execute_kw("decimal.precision", "search", [[("name", "=", "Product Price")]])
    odoo.execute_kw("decimal.precision", "write", [[precision], {"digits": 4}])
    [widget] = odoo.execute_kw("product.product", "search", [[("default_code", "=", "WB-100")]])
    odoo.execute_kw("product.product", "write", [[widget], {"list_price": 0.0125}])
    return int(widget)


@pytest.mark.usefixtures("fine_prices")
def test_a_price_that_differs_below_the_cent_is_written_and_flagged(client: OdooClient, odoo: odoorpc.ODOO) -> None:
    """0.0149 against Odoo's 0.0125 (19 % more) is the partner's price: written (policy order) and flagged. Both to
    the cent (0.01) it was neither, and the order kept 0.0125."""
    partner = bigbox(units={}, price_policy="order", price_tolerance=0)
    post(client, x12_850("PO-FINE-1", DC_1, ["PO1*1*10000*EA*0.0149*PE*BP*BB-1001"]), partner, Cache())
    assert goods(odoo, "PO-FINE-1") == [(10000.0, 0.0149)]
    [so] = odoo.execute_kw("sale.order", "search_read", [[("client_order_ref", "=", "PO-FINE-1")]],
                           {"fields": ["note", "tag_ids"]})
    assert "order price 0.0149, Odoo price 0.0125" in (so["note"] or ""), so["note"]


@pytest.mark.usefixtures("fine_prices")
def test_the_same_price_to_those_digits_is_not_flagged(client: OdooClient, odoo: odoorpc.ODOO) -> None:
    partner = bigbox(units={}, price_policy="order", price_tolerance=0)
    post(client, x12_850("PO-FINE-2", DC_1, ["PO1*1*10000*EA*0.0125*PE*BP*BB-1001"]), partner, Cache())
    assert goods(odoo, "PO-FINE-2") == [(10000.0, 0.0125)]
    [so] = odoo.execute_kw("sale.order", "search_read", [[("client_order_ref", "=", "PO-FINE-2")]],
                           {"fields": ["note", "tag_ids"]})
    assert "EDI price check" not in (so["note"] or "") and so["tag_ids"] == [], so["note"]


@pytest.mark.usefixtures("fine_prices")
def test_a_resent_original_priced_otherwise_below_the_cent_is_other_content(client: OdooClient) -> None:
    """The order at 0.0149 is in Odoo; the same PO sent again as an original at 0.0125 (another message) is
    another price, held naming it, not the order found again: to the cent both were 0.01."""
    partner = bigbox(units={}, price_policy="order", price_tolerance=0)
    line = Line(line_no="1", item_ids={"buyer": "BB-1001"}, quantity=Decimal(10000), unit_price=Decimal("0.0149"))
    post(client, order("PO-FINE-3", lines=[line]), partner, Cache())
    lower = order("PO-FINE-3", lines=[line.model_copy(update={"unit_price": Decimal("0.0125")})])
    resent = lower.model_copy(update={"source": lower.source.model_copy(update={"message_id": "01FINE"})})
    with pytest.raises(OdooRejected, match=r"price: Odoo has 0.0149, the order says 0.0125"):
        post(client, resent, partner, Cache())
