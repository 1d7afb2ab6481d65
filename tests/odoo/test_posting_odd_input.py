"""Documents a fuzzer of the posting path found to crash it or to post twice: each is now refused with a
sentence before anything is written, or found again on a repeat, never an internal error."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import odoorpc
import pytest

from gateway.errors import OdooRejected
from gateway.odoo.client import OdooClient
from gateway.odoo.posting import Cache, post
from gateway.translate.canonical import DateValue, Invoice, Line, Party
from tests.odoo.conftest import bigbox, order
from tests.odoo.test_posting import widgetworks


def count(odoo: odoorpc.ODOO, model: str) -> int:
    return int(odoo.execute_kw(model, "search_count", [[]]))


def counts(odoo: odoorpc.ODOO) -> dict[str, int]:
    return {m: count(odoo, m) for m in ("sale.order", "res.partner", "account.move")}


LINE = [Line(line_no="1", item_ids={"upc": "614141000012"}, quantity=Decimal(2))]


@pytest.mark.parametrize("day", ["2026-02-30", "2026-13-45", "27.11.2026", "abc"])
def test_a_requested_date_that_is_no_day_is_refused_by_name(client: OdooClient, odoo: odoorpc.ODOO, day: str) -> None:
    before = counts(odoo)
    doc = order("PO-ODD-1", lines=LINE, dates=[DateValue(qualifier="requested_delivery", date=day)])
    with pytest.raises(OdooRejected, match=f"order PO-ODD-1: the requested delivery date '{day}' is not a "
                                           r"calendar date \(YYYY-MM-DD\)"):
        post(client, doc, bigbox(), Cache())
    assert counts(odoo) == before


def test_documents_without_a_number_are_not_posted(client: OdooClient, odoo: odoorpc.ODOO) -> None:
    before = counts(odoo)
    with pytest.raises(OdooRejected, match="an order without a number"):
        post(client, order("  ", lines=LINE), bigbox(), Cache())
    bill = Invoice(number="", po_number=None, lines=[Line(line_no="1", item_ids={"vendor": "WW-WB-100"},
                                                          quantity=Decimal(1), unit_price=Decimal(1))])
    with pytest.raises(OdooRejected, match="an invoice without a number"):
        post(client, bill, widgetworks(), Cache())
    assert counts(odoo) == before


@pytest.mark.parametrize("purpose", ["duplicate", "copy", "confirmation"])
def test_a_resent_order_is_found_again_not_refused(client: OdooClient, odoo: odoorpc.ODOO, purpose: str) -> None:
    [first] = post(client, order("PO-ODD-2", lines=LINE, purpose=purpose), bigbox(), Cache())
    [again] = post(client, order("PO-ODD-2", lines=LINE, purpose=purpose), bigbox(), Cache())
    assert (first.role, again.role, again.record_id) == ("created", "found", first.record_id)


def test_an_unknown_purpose_is_refused_before_anything_is_written(client: OdooClient, odoo: odoorpc.ODOO) -> None:
    before = counts(odoo)
    with pytest.raises(OdooRejected, match=r"purpose '99' is not one the gateway applies .*map the partner's code"):
        post(client, order("PO-ODD-3", lines=LINE, purpose="99"), bigbox(), Cache())
    assert counts(odoo) == before


@pytest.mark.parametrize("case", ["blank store", "duns only"])
def test_store_orders_never_make_contacts_they_cannot_find_again(client: OdooClient, odoo: odoorpc.ODOO,
                                                                 case: str) -> None:
    partner = bigbox(store_orders="split", create_ship_to=True)
    kw: dict[str, Any] = {}
    if case == "blank store":
        lines = [Line(line_no="1", item_ids={"upc": "614141000012"}, quantity=Decimal(4),
                      allocations={"0042": Decimal(2), " ": Decimal(2)}, allocation_kind="store")]
        match = "line 1: an allocation of 2 names no store or location"
    else:
        lines = [Line(line_no="1", item_ids={"upc": "614141000012"}, quantity=Decimal(4),
                      allocations={"0042": Decimal(2)}, allocation_kind="store"),
                 Line(line_no="2", item_ids={"upc": "614141000029"}, quantity=Decimal(1))]
        kw["ship_to"] = Party(role="ship_to", ids={"duns": "123456789"})
        match = "ship-to duns 123456789 has no GLN, store number, name or street and postal code to find its delivery"
    before = counts(odoo)
    for _ in range(2):
        with pytest.raises(OdooRejected, match=match):
            post(client, order("PO-ODD-4", lines=lines, **kw), partner, Cache())
    after = counts(odoo)
    assert after["res.partner"] - before["res.partner"] <= 1          # the store's contact, once
    assert after["sale.order"] - before["sale.order"] <= 1


def test_figures_too_large_to_compute_are_refused_by_name(client: OdooClient, odoo: odoorpc.ODOO) -> None:
    """Odoo keeps quantities and prices as floats, exact to 15 digits: beyond, the order is refused before it is
    made (once it was made, and the retry then failed on reading its price back); amounts beyond 28 digits
    (an order allowance of 2 % of such a line) are refused by name, not as an internal error."""
    before = counts(odoo)
    for quantity, price in ((Decimal("1e13"), Decimal("1e15")), (Decimal(1), Decimal("1e27"))):
        lines = [Line(line_no="1", item_ids={"upc": "614141000012"}, quantity=quantity, unit_price=price)]
        with pytest.raises(OdooRejected, match="order PO-ODD-5, line 1: unit price .* has more digits than Odoo "
                                               r"keeps exactly \(15\)"):
            post(client, order("PO-ODD-5", lines=lines), bigbox(price_policy="order"), Cache())
    assert counts(odoo) == before
    lines = [Line(line_no="1", item_ids={"upc": "614141000012"}, quantity=Decimal(99999999999999),
                  unit_price=Decimal(99999999999999))]
    doc = order("PO-ODD-8", lines=lines, allowances_charges=[{"kind": "allowance", "percent": Decimal(2)}])
    with pytest.raises(OdooRejected, match="PurchaseOrder PO-ODD-8: a quantity, price or amount is too large"):
        post(client, doc, bigbox(price_policy="order"), Cache())
    problems = Invoice(number="INV-BIG", lines=[Line(line_no="1", item_ids={"upc": "1"}, quantity=Decimal("1e12"),
                                                     unit_price=Decimal("1e15"), amount=Decimal(1))]).check()
    assert problems == ["line 1: quantity 1E+12 x price 1E+15 is too large to check"]


def test_a_negative_quantity_is_refused_before_anything_is_written(client: OdooClient, odoo: odoorpc.ODOO) -> None:
    before = counts(odoo)
    lines = [*LINE, Line(line_no="2", item_ids={"upc": "614141000029"}, quantity=Decimal(-3))]
    with pytest.raises(OdooRejected, match="order PO-ODD-6, line 2: quantity -3 is negative"):
        post(client, order("PO-ODD-6", lines=lines), bigbox(), Cache())
    assert counts(odoo) == before


def test_line_numbers_beyond_an_integer_column_are_not_sent_as_sequences(client: OdooClient,
                                                                         odoo: odoorpc.ODOO) -> None:
    """Odoo keeps a line's sequence in a PostgreSQL integer: a partner's line 99999999999999999999 would be
    refused there with a raw "integer out of range" (the sandbox would take it); such numbers give 1..N."""
    lines = [Line(line_no="99999999999999999999", item_ids={"upc": "614141000012"}, quantity=Decimal(1)),
             Line(line_no="2147483648", item_ids={"upc": "614141000029"}, quantity=Decimal(1))]
    [link] = post(client, order("PO-ODD-7", lines=lines), bigbox(), Cache())
    rows = odoo.execute_kw("sale.order.line", "search_read", [[("order_id", "=", link.record_id)], ["sequence"]])
    assert sorted(r["sequence"] for r in rows) == [1, 2]


def test_text_holding_a_nul_character_is_refused_by_field_before_anything_is_written(
        client: OdooClient, odoo: odoorpc.ODOO) -> None:
    """PostgreSQL refuses a NUL character in any query (the sandbox answers as Odoo does): a partner's name
    or description holding one is refused naming the field, before the contact or the order is made."""
    before = counts(odoo)
    ship_to = Party(role="ship_to", name="AC\x00ME DC 9", ids={"gln": "0860001999999"})
    with pytest.raises(OdooRejected, match=r"PurchaseOrder PO-ODD-9: parties\[1\]\.name holds a NUL character "
                                           r"\(0x00\), which Odoo's database cannot store"):
        post(client, order("PO-ODD-9", ship_to=ship_to), bigbox(create_ship_to=True), Cache())
    lines = [Line(line_no="1", item_ids={"upc": "614141000012"}, quantity=Decimal(2), description="BLUE\x00")]
    with pytest.raises(OdooRejected, match=r"lines\[1\]\.description holds a NUL character"):
        post(client, order("PO-ODD-10", lines=lines), bigbox(), Cache())
    assert counts(odoo) == before


def test_the_sandbox_refuses_a_nul_character_as_postgresql_does(client: OdooClient) -> None:
    with pytest.raises(OdooRejected, match=r"A string literal cannot contain NUL \(0x00\) characters") as caught:
        client.call("res.partner", "search", [("name", "=", "A\x00B")])
    assert caught.value.odoo_error == "builtins.ValueError"
