"""A case Odoo counts in product units (X12 PO1 unit CS with PO4 pack 12, no Odoo unit mapped to CS): the order
line holds 12 units per case, so the partner's price per case is 1/12 of it per unit, and a change's quantity in
cases is 12 units each, for the line's price and for the percents of the order taken of it; a vendor bill's the
same. Real X12 850/860, read and translated as the pipeline does (a bill: the canonical invoice a profile mapping
a pack size would give), posted to the sandbox over HTTP and checked with odoorpc."""

from __future__ import annotations

from decimal import Decimal

import odoorpc
import pytest

from gateway.odoo.client import OdooClient
from gateway.odoo.posting import Cache, post
from gateway.translate.canonical import Invoice, Line
from tests.odoo.conftest import bigbox
from tests.odoo.test_change_charges import charge_rows, x12_change
from tests.odoo.test_posting_charges import CHARGES, DISCOUNT, services
from tests.odoo.test_ship_to_second_name import x12_850
from tests.odoo.test_vendor_odd import purchase, widgetworks

__all__ = ["services"]      # the fixture, used by name

PARTNER = bigbox(units={}, price_policy="order", charge_products=CHARGES, order_changes="revise")
DC_1 = ["N1*ST*BIGBOX DC 1*UL*0860001000023"]
CASES = ["PO1*1*2*CS*150.00*PE*BP*BB-1001", "PO4*12"]          # 2 cases of 12 blue widgets at 150.00 a case


def goods(odoo: odoorpc.ODOO, ref: str) -> list[tuple[float, float]]:
    """(quantity, unit price) of the order's goods lines."""
    [so] = odoo.execute_kw("sale.order", "search_read", [[("client_order_ref", "=", ref)]],
                           {"fields": ["order_line", "tag_ids"]})
    rows = odoo.execute_kw("sale.order.line", "read", [so["order_line"], ["product_id", "product_uom_qty",
                                                                           "price_unit"]])
    return [(r["product_uom_qty"], r["price_unit"]) for r in rows if "SVC-" not in r["product_id"][1]]


@pytest.mark.usefixtures("services")
def test_a_case_price_is_written_per_unit_of_the_order_line(client: OdooClient, odoo: odoorpc.ODOO) -> None:
    """It was written as the unit price: 24 units at 150.00, an order of 3,600.00 for 300.00 of goods."""
    post(client, x12_850("PO-CASE-1", DC_1, CASES, [DISCOUNT]), PARTNER, Cache())
    assert goods(odoo, "PO-CASE-1") == [(24.0, 12.5)]
    assert charge_rows(odoo, "PO-CASE-1") == [("SVC-DISCOUNT", "PROMO DISCOUNT", 1.0, -6.0)]     # 2 % of 300.00
    [so] = odoo.execute_kw("sale.order", "search_read", [[("client_order_ref", "=", "PO-CASE-1")]],
                           {"fields": ["tag_ids", "amount_untaxed"]})
    assert so["tag_ids"] == [] and so["amount_untaxed"] == 294.0          # the partner's price is Odoo's: no flag


@pytest.mark.usefixtures("services")
def test_a_changes_cases_are_units_of_the_order_line_for_its_percents(client: OdooClient,
                                                                      odoo: odoorpc.ODOO) -> None:
    """The 860 makes it 4 cases (48 units) and restates the 2 %: of 600.00, not of 4 units at 12.50 (-1.00)."""
    post(client, x12_850("PO-CASE-2", DC_1, CASES, [DISCOUNT]), PARTNER, Cache())
    post(client, x12_change("PO-CASE-2", [DISCOUNT], ["POC*1*QI*4**CS***BP*BB-1001", "PO4*12"]), PARTNER, Cache())
    assert goods(odoo, "PO-CASE-2") == [(48.0, 12.5)]
    assert charge_rows(odoo, "PO-CASE-2") == [("SVC-DISCOUNT", "PROMO DISCOUNT", 1.0, -12.0)]


@pytest.mark.usefixtures("services")
def test_a_case_price_other_than_odoos_is_flagged_per_case_and_written_per_unit(client: OdooClient,
                                                                                 odoo: odoorpc.ODOO) -> None:
    post(client, x12_850("PO-CASE-3", DC_1, ["PO1*1*2*CS*160.00*PE*BP*BB-1001", "PO4*12"]), PARTNER, Cache())
    [(quantity, price)] = goods(odoo, "PO-CASE-3")
    assert quantity == 24.0 and round(price, 2) == 13.33
    [so] = odoo.execute_kw("sale.order", "search_read", [[("client_order_ref", "=", "PO-CASE-3")]],
                           {"fields": ["note"]})
    assert "order price 160.00 per CS of 12 (13.33 each), Odoo price 12.50" in so["note"]


def test_a_vendor_bill_in_cases_is_billed_per_unit(client: OdooClient, odoo: odoorpc.ODOO) -> None:
    """2 cases of 12 blue widgets at 90.00 a case, and 1 case of 10 red widgets for 52.50 (an amount, no price):
    24 units at 7.50 and 10 at 5.25, a bill of 232.50; they were billed at 90.00 and 52.50 a unit (2,685.00)."""
    _po, name = purchase(odoo)
    bill = Invoice(number="WW-CS-1", date="2026-11-20", po_number=name, lines=[
        Line(line_no="1", item_ids={"vendor": "WW-WB-100"}, quantity=Decimal(2), unit="CS", pack_size=Decimal(12),
             unit_price=Decimal("90.00")),
        Line(line_no="2", item_ids={"vendor": "WW-WR-200"}, quantity=Decimal(1), unit="CS", pack_size=Decimal(10),
             amount=Decimal("52.50"))])
    [link] = post(client, bill, widgetworks(units={}), Cache())
    [move] = odoo.execute_kw("account.move", "read", [[link.record_id], ["invoice_line_ids", "amount_untaxed"]])
    rows = odoo.execute_kw("account.move.line", "read", [move["invoice_line_ids"], ["quantity", "price_unit"]])
    assert sorted((r["quantity"], r["price_unit"]) for r in rows) == [(10.0, 5.25), (24.0, 7.5)]
    assert move["amount_untaxed"] == 232.5


@pytest.mark.usefixtures("services")
def test_a_change_to_another_unit_keeps_the_agreed_price_per_that_unit(client: OdooClient,
                                                                      odoo: odoorpc.ODOO) -> None:
    """24 blue widgets (EA) at 12.50; the 860 makes line 1 3 cases, which BigBox's units map to Odoo's Dozens and
    states no price: 3 Dozens at 150.00 (the agreed 12.50 a unit), not at 12.50 a dozen (37.50 for 36 widgets)."""
    partner = bigbox(price_policy="order", charge_products=CHARGES, order_changes="revise")
    post(client, x12_850("PO-UNIT-1", DC_1), partner, Cache())
    post(client, x12_change("PO-UNIT-1", [], ["POC*1*QI*3**CS***BP*BB-1001"]), partner, Cache())
    assert goods(odoo, "PO-UNIT-1") == [(3.0, 150.0)]


@pytest.mark.usefixtures("services")
def test_a_case_price_is_compared_to_the_cent_odoo_keeps(client: OdooClient, odoo: odoorpc.ODOO) -> None:
    """160.00 a case of 12 is 13.33 a unit to Odoo's cent; Odoo's price is 13.33 already (the widget's list price).
    With no price tolerance that is the partner's price: no flag. It was flagged 'order price 160.00 per CS of 12
    (13.33 each), Odoo price 13.33', 13.333... against 13.33."""
    [widget] = odoo.execute_kw("product.product", "search", [[("default_code", "=", "WB-100")]])
    odoo.execute_kw("product.product", "write", [[widget], {"list_price": 13.33}])
    exact = bigbox(units={}, price_policy="order", price_tolerance=0)
    post(client, x12_850("PO-CASE-6", DC_1, ["PO1*1*2*CS*160.00*PE*BP*BB-1001", "PO4*12"]), exact, Cache())
    [so] = odoo.execute_kw("sale.order", "search_read", [[("client_order_ref", "=", "PO-CASE-6")]],
                           {"fields": ["note", "tag_ids", "order_line"]})
    assert "EDI price check" not in (so["note"] or ""), so["note"]
    assert so["tag_ids"] == []
    assert goods(odoo, "PO-CASE-6") == [(24.0, 13.33)]
