"""PO line allowances as the sale order line's discount, line charges (and allowances a discount cannot express)
as charge lines or note lines, over real HTTP against the sandbox in 17 and 19 mode, read back with odoorpc."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import odoorpc
import pytest

from gateway.odoo.client import OdooClient
from gateway.odoo.posting import Cache, post
from gateway.translate.canonical import PurchaseOrder
from tests.odoo.conftest import bigbox
from tests.odoo.test_extraction import deliver, invoice
from tests.odoo.test_posting_charges import sac, sandbox, services  # noqa: F401  (fixtures)
from tests.odoo.test_posting_charges import x12_order as header_and_line_order

CHARGES = {"freight": "SVC-FREIGHT", "C320": "SVC-DISCOUNT"}
PROMO = sac("A", "C310", percent="10", description="PROMO")           # 10 % off the line
EXTRA = sac("A", "C310", percent="5", description="EXTRA", basis="7")   # then 5 % of what is left: 14.5 % in all
TEN_OFF = sac("A", "A260", amount="1000", description="TEN OFF")      # $10.00 off the line (2 implied decimals)
FREIGHT = sac("C", "D240", amount="2000", description="FREIGHT")     # $20.00, mapped to SVC-FREIGHT
HANDLING = sac("C", "H090", amount="500", description="HANDLING")    # $5.00, not mapped


@pytest.fixture
def freight(services: dict[str, int]) -> int:  # noqa: F811  (the fixture imported above)
    """The service products an integrator creates for freight and order discounts; returns freight's id."""
    return services["SVC-FREIGHT"]


def x12_order(po: str, line1: list[str], line2: list[str], header: tuple[str, ...] = ()) -> PurchaseOrder:
    """A BigBox 850 read and translated as the pipeline does, these SAC segments inside each PO1 loop."""
    return header_and_line_order(po, header, line1, line2)


def read_order(odoo: odoorpc.ODOO, ref: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    [so] = odoo.execute_kw("sale.order", "search_read", [[("client_order_ref", "=", ref)]],
                           {"fields": ["note", "tag_ids", "order_line", "amount_untaxed"]})
    lines = odoo.execute_kw("sale.order.line", "read", [so["order_line"]],
                            {"fields": ["name", "product_id", "product_uom_qty", "price_unit", "discount",
                                        "price_subtotal", "sequence"]})
    return so, sorted(lines, key=lambda r: r["sequence"])


def test_sac_in_the_po1_loop_is_read_into_the_line() -> None:
    doc = x12_order("PO-LA-0", [PROMO, EXTRA, HANDLING], [TEN_OFF])
    assert doc.allowances_charges == []
    assert [[(ac.kind, ac.code, ac.amount, ac.percent) for ac in line.allowances_charges] for line in doc.lines] == [
        [("allowance", "discount", None, Decimal(10)), ("allowance", "discount", None, Decimal(5)),
         ("charge", "special_handling", Decimal("5.00"), None)],
        [("allowance", "advertising_allowance", Decimal("10.00"), None)]]


def test_line_allowances_become_the_lines_discount(client: OdooClient, odoo: odoorpc.ODOO, freight: int) -> None:
    doc = x12_order("PO-LA-1", [PROMO, EXTRA, FREIGHT], [TEN_OFF, HANDLING])
    partner = bigbox(charge_products=CHARGES)
    [link] = post(client, doc, partner, Cache())
    assert link.role == "created"
    so, lines = read_order(odoo, "PO-LA-1")
    assert [(r["price_unit"], r["discount"]) for r in lines[:2]] == [
        (12.5, 14.5),                      # 1 - 0.90 x 0.95, compounded
        (8.75, 11.43)]                     # 10.00 / (10 x 8.75) = 11.428...%, Odoo's 2-digit precision
    for row in lines:                      # Odoo's subtotal: price_unit x qty x (1 - discount/100)
        assert row["price_subtotal"] == pytest.approx(
            round(row["price_unit"] * row["product_uom_qty"] * (1 - row["discount"] / 100), 2))
    assert [r["price_subtotal"] for r in lines[:2]] == pytest.approx([256.50, 77.50])
    assert [(r["product_id"][0], r["name"], r["product_uom_qty"], r["price_unit"], r["discount"])
            for r in lines[2:]] == [(freight, "FREIGHT (line 1)", 1.0, 20.0, 0.0)]
    assert so["amount_untaxed"] == pytest.approx(256.50 + 77.50 + 20.0)
    note = so["note"]
    assert "line 1: allowance discount PROMO: 10%, allowance discount EXTRA: 5% (order line discount 14.50%)" in note
    assert "line 2: allowance advertising_allowance TEN OFF: 10.00 (order line discount 11.43%)" in note
    assert "line 1: charge freight FREIGHT: 20.00 (order line SVC-FREIGHT, 20.00)" in note
    assert "line 2: charge special_handling HANDLING: 5.00 (not applied to the Odoo order)" in note
    assert so["tag_ids"] == [] and "EDI price check" not in note      # the gross price is what is compared

    again = post(client, doc, partner, Cache())
    assert [(x.model, x.role, x.record_id) for x in again] == [("sale.order", "found", so["id"])]
    assert read_order(odoo, "PO-LA-1") == (so, lines)                 # nothing created, nothing changed
    assert odoo.execute_kw("sale.order", "search_count", [[("client_order_ref", "=", "PO-LA-1")]]) == 1


def test_line_allowances_cost_no_call(client: OdooClient, freight: int) -> None:
    cache = Cache()
    partner = bigbox(charge_products=CHARGES)
    post(client, x12_order("LA-WARM", [FREIGHT], []), partner, cache)
    counts = {}
    for po, line1, line2 in (("LA-PLAIN", [], []), ("LA-MIXED", [PROMO, FREIGHT, HANDLING], [TEN_OFF])):
        before = client.calls
        post(client, x12_order(po, line1, line2), partner, cache)
        counts[po] = client.calls - before
    assert counts == {"LA-PLAIN": 3, "LA-MIXED": 3}     # duplicate check, create (all in it), price check


def test_pricelist_policy_keeps_an_amount_off_visible(client: OdooClient, odoo: odoorpc.ODOO, freight: int) -> None:
    post(client, x12_order("PO-LA-2", [PROMO], [TEN_OFF]), bigbox(price_policy="pricelist"), Cache())
    so, lines = read_order(odoo, "PO-LA-2")
    assert len(lines) == 2
    assert [r["discount"] for r in lines] == [10.0, 0.0]               # a percent needs no price
    for row in lines:
        assert row["price_subtotal"] == pytest.approx(
            round(row["price_unit"] * row["product_uom_qty"] * (1 - row["discount"] / 100), 2))
    assert ("line 2: allowance advertising_allowance TEN OFF: 10.00 (not applied to the Odoo order: an amount off a line priced "
            "by the Odoo pricelist (price_policy pricelist))") in so["note"]
    assert "line 1: allowance discount PROMO: 10% (order line discount 10.00%)" in so["note"]


def test_an_unexpressible_allowance_with_a_mapped_code_is_a_charge_line(client: OdooClient, odoo: odoorpc.ODOO,
                                                                        freight: int) -> None:
    too_much = sac("A", "D240", amount="9000", description="BIG REBATE")      # $90 off a $87.50 line
    post(client, x12_order("PO-LA-3", [], [too_much]), bigbox(charge_products=CHARGES), Cache())
    so, lines = read_order(odoo, "PO-LA-3")
    assert [r["discount"] for r in lines[:2]] == [0.0, 0.0]
    assert [(r["product_id"][0], r["name"], r["price_unit"]) for r in lines[2:]] == [
        (freight, "BIG REBATE (line 2)", -90.0)]
    assert "line 2: allowance freight BIG REBATE: 90.00 (order line SVC-FREIGHT, -90.00)" in so["note"]
    assert so["amount_untaxed"] == pytest.approx(300.0 + 87.5 - 90.0)


def test_the_invoice_of_a_confirmed_order_carries_the_discount(client: OdooClient, odoo: odoorpc.ODOO,
                                                              freight: int) -> None:
    [link] = post(client, x12_order("PO-LA-4", [PROMO, EXTRA], [TEN_OFF]),
                  bigbox(charge_products=CHARGES, confirm_orders=True), Cache())
    so, _ = read_order(odoo, "PO-LA-4")
    deliver(odoo, link.record_id)
    move = odoo.execute_kw("account.move", "read", [[invoice(odoo, link.record_id)],
                                                    ["invoice_line_ids", "amount_untaxed"]])[0]
    rows = odoo.execute_kw("account.move.line", "read", [move["invoice_line_ids"], ["price_unit", "discount"]])
    assert sorted((r["price_unit"], r["discount"]) for r in rows) == [(8.75, 11.43), (12.5, 14.5)]
    assert move["amount_untaxed"] == pytest.approx(so["amount_untaxed"]) == pytest.approx(256.50 + 77.50)


def test_a_replacement_rewrites_the_discounts_once(client: OdooClient, odoo: odoorpc.ODOO, freight: int) -> None:
    partner = bigbox(charge_products=CHARGES)
    post(client, x12_order("PO-LA-5", [PROMO], []), partner, Cache())
    replacement = x12_order("PO-LA-5", [], [TEN_OFF, FREIGHT])
    replacement = replacement.model_copy(update={"purpose": "replace",
                                                 "source": replacement.source.model_copy(update={"message_id": "R1"})})
    assert post(client, replacement, partner, Cache())[0].role == "updated"
    so, lines = read_order(odoo, "PO-LA-5")
    assert [(r["price_unit"], r["discount"]) for r in lines] == [(12.5, 0.0), (8.75, 11.43), (20.0, 0.0)]
    assert lines[2]["name"] == "FREIGHT (line 2)"
    assert "line 2: allowance advertising_allowance TEN OFF: 10.00 (order line discount 11.43%)" in so["note"]
    assert post(client, replacement, partner, Cache())[0].role == "found"
    assert read_order(odoo, "PO-LA-5") == (so, lines)


def test_an_order_percent_is_of_the_discounted_lines(client: OdooClient, odoo: odoorpc.ODOO, freight: int) -> None:
    header = sac("A", "C320", percent="2", description="ORDER DISCOUNT")
    post(client, x12_order("PO-LA-6", [PROMO, EXTRA], [TEN_OFF], (header,)), bigbox(charge_products=CHARGES),
         Cache())
    so, lines = read_order(odoo, "PO-LA-6")
    assert [(r["name"], r["price_unit"]) for r in lines[2:]] == [("ORDER DISCOUNT", -6.68)]   # 2 % of 334.00
    assert so["amount_untaxed"] == pytest.approx(256.50 + 77.50 - 6.68)
    assert "allowance C320 ORDER DISCOUNT: 2% (order line SVC-DISCOUNT, -6.68)" in so["note"]


def test_the_discount_follows_the_databases_discount_accuracy(client: OdooClient, odoo: odoorpc.ODOO,
                                                              freight: int) -> None:
    """An admin set Settings > Technical > Decimal Accuracy "Discount" to 4 digits: $10.00 off 10 x 8.75 is
    written as 11.4286 % (11.43 at the default 2), and the line's subtotal is still the partner's 77.50."""
    [accuracy] = odoo.execute_kw("decimal.precision", "search", [[("name", "=", "Discount")]])
    odoo.execute_kw("decimal.precision", "write", [[accuracy], {"digits": 4}])
    assert odoo.execute_kw("sale.order.line", "fields_get", [["discount"]], {"attributes": ["digits"]}) == {
        "discount": {"digits": [16, 4]}}
    post(client, x12_order("PO-LA-4", [], [TEN_OFF]), bigbox(charge_products=CHARGES), Cache())
    _, lines = read_order(odoo, "PO-LA-4")
    assert lines[1]["discount"] == 11.4286
    assert lines[1]["price_subtotal"] == pytest.approx(77.50)
    assert "(order line discount 11.4286%)" in read_order(odoo, "PO-LA-4")[0]["note"]


@pytest.mark.parametrize(("basis", "discount", "note"), [
    ("1", 15.0, "15.00"),                 # item list cost: 10 % + 5 % of the list price
    ("3", 15.0, "15.00"),                 # discount/gross
    ("2", 14.5, "14.50"),                 # item net cost: 5 % of what the 10 % left
    ("7", 14.5, "14.50"),                 # base price amount less previous discount
])
def test_a_percent_of_the_gross_adds_up_and_one_of_the_net_compounds(
        client: OdooClient, odoo: odoorpc.ODOO, freight: int, basis: str, discount: float, note: str) -> None:
    """SAC06 says what a percent is of. Every percent compounded, so '10 % and 5 %, both of the list cost' gave
    14.5 % off instead of 15 %: the partner's invoice check then finds the order 0.5 % dearer."""
    more = sac("A", "C310", percent="5", description="MORE", basis=basis)
    post(client, x12_order(f"PO-LA-B{basis}", [PROMO, more], []), bigbox(charge_products=CHARGES), Cache())
    so, lines = read_order(odoo, f"PO-LA-B{basis}")
    assert lines[0]["discount"] == discount
    assert f"allowance discount PROMO: 10%, allowance discount MORE: 5% (order line discount {note}%)" in so["note"]


def test_percents_of_the_gross_beyond_the_whole_line_are_not_taken(client: OdooClient, odoo: odoorpc.ODOO,
                                                                   freight: int) -> None:
    big = [sac("A", "C310", percent="60", description=f"HALF {n}", basis="1") for n in (1, 2)]
    post(client, x12_order("PO-LA-B9", big, []), bigbox(charge_products=CHARGES), Cache())
    so, lines = read_order(odoo, "PO-LA-B9")
    assert lines[0]["discount"] == 60.0
    assert "HALF 2: 60% (not applied to the Odoo order: more than the line&#x27;s amount)" in so["note"]
