"""Cases ordered by the retailer's own item number when that number is the case's GTIN: many retailers send their
"item number" (X12 PO1 BP or IN, EDIFACT PIA BP) as the GTIN-14 of the case they buy, with nothing else naming the
product. Only GTINs (X12 UK/UP/EN, EDIFACT LIN SRV/EN) were looked up among packaging barcodes, so BigBox's
PO1*1*10*CA*300.00**BP*10614141000019 was quarantined "no product in Odoo for buyer 10614141000019". Now a buyer's
number that is a GTIN (12-14 digits, GS1 check digit right) and names no product by the customer's codes is looked
up as a barcode, a product's then a sales packaging's: the line is posted in that packaging and answered as ordered
(10 CA, the buyer's number) in the 855, the 856 and the 810. The customer's own code (product.customerinfo) still
comes first, and a number whose check digit is wrong is not looked up so.

BigBox's 850 and EuroHandel's ORDERS through the pipeline into the sandbox Odoo over HTTP (17, 19); the outbound
documents through the scheduler and the partners' profiles."""

from __future__ import annotations

from pathlib import Path

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.errors import OdooRejected
from gateway.journal.api import State
from gateway.odoo.client import OdooClient
from gateway.odoo.posting import Cache, post
from gateway.odoo.sandbox import SandboxServer
from tests.odoo.conftest import bigbox
from tests.odoo.test_case_prices import DC_1
from tests.odoo.test_caseorders15_gtin import (
    CASE_GTIN,
    acknowledged,
    eurohandel_ordered,
    examples,
    order_lines,
    ordered_in_cases,
    ordrsp_first_line,
)
from tests.odoo.test_caseorders15r_gtin import CABLE_CASE, CASE_860
from tests.odoo.test_casesout15_ship_bill import UNIT_UPC, shipped_and_billed_in_cases
from tests.odoo.test_extraction_incoming import product
from tests.odoo.test_outbound_changed_lines import segments
from tests.odoo.test_pipeline_posting import run
from tests.odoo.test_posting_cancel import pipeline_orders, submit
from tests.odoo.test_ship_to_second_name import x12_850
from tests.odoo.test_stock15_cases import packaging

__all__ = ["examples"]          # the module's fixture, shared


def by_their_number(qualifier: str, number: str = CASE_GTIN) -> bytes:
    return f"PO1*1*10*CA*300.00**{qualifier}*{number}~\nPID*F****BLUE WIDGET CASE OF 24~\n".encode()


@pytest.mark.parametrize("qualifier", ["BP", "IN"])
async def test_cases_ordered_by_the_buyers_item_number_that_is_the_case_gtin_are_posted_in_that_packaging(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, client: OdooClient,
        odoo: odoorpc.ODOO, qualifier: str) -> None:
    # Given the Blue Widget's case of 24 with the GTIN 10614141000019, when BigBox orders 10 cases at 300.00 naming
    # them by its own item number alone, which is that GTIN
    pipeline, first = await ordered_in_cases(tmp_path, examples, sandbox, odoo, by_their_number(qualifier))
    # Then the order line is the Blue Widget in that case, as when the GTIN is sent as a GTIN
    assert first["product_id"][1].endswith("Blue Widget") and first["price_subtotal"] == 3000.0
    if sandbox.version <= 18:
        assert (first["product_uom_qty"], first["product_packaging_id"][1], first["product_packaging_qty"]) == \
            (240.0, "Case of 24", 10.0)
    else:
        assert (first["product_uom_qty"], first["product_uom_id"][1]) == (10.0, "Case of 24")
    # and the 855 acknowledges the line as ordered: 10 CA at 300.00, under the buyer's own number
    ack = await acknowledged(pipeline, client, odoo, first)
    po1 = next(row for row in segments(ack, "PO1"))
    assert po1[:5] == ["PO1", "1", "10", "CA", "300.00"] and CASE_GTIN in po1 and UNIT_UPC not in po1, po1
    assert next(row[:4] for row in segments(ack, "ACK")) == ["ACK", "IA", "10", "CA"]


async def test_a_line_ordered_by_the_buyers_number_for_the_case_is_shipped_and_billed_in_those_cases(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, client: OdooClient,
        odoo: odoorpc.ODOO) -> None:
    """The 856 and 810 answer it as the 855 does: 10 CA under the buyer's number (which is the case's GTIN), never
    240 EA under the unit's UPC that a PO/ASN/invoice match finds no line for."""
    pipeline, first = await ordered_in_cases(tmp_path, examples, sandbox, odoo, by_their_number("BP"))
    await shipped_and_billed_in_cases(pipeline, client, odoo, first)


def test_the_customers_own_code_comes_before_a_packaging_barcode(client: OdooClient, odoo: odoorpc.ODOO,
                                                                 sandbox: SandboxServer) -> None:
    """BigBox's item number 10614141000019 is its code for the Red Widget (product.customerinfo) and the barcode
    of the Blue Widget's case: the Red Widget, as the customer's code says."""
    packaging(odoo, sandbox.version, "WB-100", "Case of 24", 24, CASE_GTIN)
    [info] = odoo.execute_kw("product.customerinfo", "search", [[("product_code", "=", "BB-1002")]])
    odoo.execute_kw("product.customerinfo", "write", [[info], {"product_code": CASE_GTIN}])
    post(client, x12_850("PO-BP-CODE", DC_1, [f"PO1*1*12*EA*8.75*PE*BP*{CASE_GTIN}"]), bigbox(units={}), Cache())
    [so] = odoo.execute_kw("sale.order", "search", [[("client_order_ref", "=", "PO-BP-CODE")]])
    [line] = order_lines(odoo, so, sandbox.version)
    assert line["product_id"][0] == product(odoo, "WR-200") and line["product_uom_qty"] == 12.0


def test_a_line_in_eaches_by_the_buyers_case_number_and_our_code_posts_in_eaches(
        client: OdooClient, odoo: odoorpc.ODOO, sandbox: SandboxServer) -> None:
    """BigBox's item number is the case's GTIN, but the line orders 24 EA and names our code too: posted as 24 units
    by our code, as before a buyer's number found packagings (the rule for a case GTIN in a unit that is no case),
    not held as a case ordered in eaches."""
    packaging(odoo, sandbox.version, "WB-100", "Case of 24", 24, CASE_GTIN)
    post(client, x12_850("PO-BP-EA", DC_1, [f"PO1*1*24*EA*12.50*PE*BP*{CASE_GTIN}*VN*WB-100"]), bigbox(units={}),
         Cache())
    [so] = odoo.execute_kw("sale.order", "search", [[("client_order_ref", "=", "PO-BP-EA")]])
    [line] = order_lines(odoo, so, sandbox.version)
    assert line["product_id"][0] == product(odoo, "WB-100") and line["product_uom_qty"] == 24.0
    assert sandbox.version >= 19 or not line["product_packaging_id"]


def test_a_buyers_number_with_a_wrong_check_digit_is_not_looked_up_among_packagings(
        client: OdooClient, odoo: odoorpc.ODOO, sandbox: SandboxServer) -> None:
    """A number ending in the wrong check digit is no GTIN but the retailer's own: even a packaging Odoo keeps
    under that very number (typed without a check) does not make it one."""
    wrong = CASE_GTIN[:-1] + "8"
    packaging(odoo, sandbox.version, "WB-100", "Case of 24", 24, wrong)
    with pytest.raises(OdooRejected, match=rf"line 1: no product in Odoo for buyer {wrong}"):
        post(client, x12_850("PO-BP-BAD", DC_1, [f"PO1*1*10*CA*300.00**BP*{wrong}"]), bigbox(units={}), Cache())


def test_an_order_of_cases_by_the_buyers_numbers_costs_the_same_calls_whatever_its_line_count(
        client: OdooClient, odoo: odoorpc.ODOO, sandbox: SandboxServer) -> None:
    """The buyer's numbers that are GTINs are asked for as barcodes together, after its codes: one case line or
    three, the same calls."""
    gtins = {"WB-100": (CASE_GTIN, "300.00"), "WR-200": ("10614141000026", "210.00"),
             "GL-300": ("10614141000033", "1008.00")}
    for code, (gtin, _) in gtins.items():
        packaging(odoo, sandbox.version, code, "Case of 24", 24, gtin)
    lines = [f"PO1*{n}*10*CA*{price}**BP*{gtin}" for n, (gtin, price) in enumerate(gtins.values(), 1)]

    def calls(number: str, count: int) -> int:
        before = client.calls
        post(client, x12_850(number, DC_1, lines[:count]), bigbox(units={}), Cache())
        return client.calls - before
    calls("PO-BP-WARM", 1)
    assert calls("PO-BP-ONE", 1) == calls("PO-BP-THREE", 3)
    [three] = odoo.execute_kw("sale.order", "search", [[("client_order_ref", "=", "PO-BP-THREE")]])
    assert [r["product_uom_qty"] for r in order_lines(odoo, three, sandbox.version)] == \
        ([240.0] * 3 if sandbox.version <= 18 else [10.0] * 3)


async def test_an_edifact_orders_for_cases_by_the_buyers_number_is_posted_and_answered_in_them(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, client: OdooClient,
        odoo: odoorpc.ODOO) -> None:
    """EuroHandel names the case by its own article number alone, PIA+5+10614141000019:BP (no LIN item number),
    QTY+21:10:CS at 300.00: the Blue Widget's case of 24, and the ORDRSP answers 10 CS under that number."""
    cases = f"LIN+1'\nPIA+5+{CASE_GTIN}:BP'\nIMD+F++:::Blue Widget, Karton 24'\nQTY+21:10:CS'\nMOA+203:3000.00'\n" \
        "PRI+AAA:300.00'\n".encode()
    pipeline, so = await eurohandel_ordered(tmp_path, examples, sandbox, odoo, cases)
    first = order_lines(odoo, so, sandbox.version)[0]
    assert first["product_id"][1].endswith("Blue Widget") and first["price_subtotal"] == 3000.0
    first_line = await ordrsp_first_line(pipeline, client, odoo, so)
    assert f"{CASE_GTIN}:BP" in first_line and "QTY+21:10:CS'" in first_line and "PRI+AAA:300" in first_line, \
        first_line


async def test_an_860_by_the_buyers_numbers_changes_and_adds_case_lines_in_the_case(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, client: OdooClient,
        odoo: odoorpc.ODOO) -> None:
    """BigBox's 860 names its lines as its 850 did, by its item numbers that are the cases' GTINs: the 10 cases of
    Blue Widgets made 12, 5 cases of 10 Cable Bundles added, both in their cases at the case's price."""
    packaging(odoo, sandbox.version, "CB-400", "Case of 10", 10, CABLE_CASE)
    pipeline, _ = await ordered_in_cases(tmp_path, examples, sandbox, odoo, by_their_number("BP"),
                                         price_policy="order")
    message = await submit(pipeline, CASE_860.replace(b"**UK*", b"**BP*"), "860_4500001234.edi")
    done = run(pipeline, message.id, {State.DONE, State.QUARANTINED})
    assert done.state is State.DONE, done.last_error
    [so] = pipeline_orders(odoo)
    lines = {r["product_id"][1].split("] ")[1]: r for r in order_lines(odoo, so["id"], sandbox.version)}
    assert (lines["Blue Widget"]["price_subtotal"], lines["Cable Bundle"]["price_subtotal"]) == (3600.0, 1500.0)
    ack = await acknowledged(pipeline, client, odoo, lines["Blue Widget"])
    said = [seg for seg in ack.decode().replace("\n", "").split("~") if seg.startswith(("PO1*1*", "PO1*4*", "ACK*"))]
    assert said[:2] == [f"PO1*1*12*CA*300.00**BP*{CASE_GTIN}", "ACK*IA*12*CA"], said
    assert f"PO1*4*5*CA*300.00**BP*{CABLE_CASE}" in said and said[-1] == "ACK*IA*5*CA", said


@pytest.mark.parametrize("sandbox", [17], ids=["odoo17"], indirect=True)
def test_a_buyers_number_of_a_packaging_not_for_sales_says_so(client: OdooClient, odoo: odoorpc.ODOO,
                                                              sandbox: SandboxServer) -> None:
    """The buyer's number is the barcode of a packaging with Sales unticked: still refused, naming the packaging."""
    packaging(odoo, sandbox.version, "WB-100", "Case of 24", 24, CASE_GTIN, sales=False)
    with pytest.raises(OdooRejected, match=rf"no product in Odoo for buyer {CASE_GTIN} \(it is the barcode of "
                                           r"\[WB-100\] Blue Widget's packaging 'Case of 24', which is not for sales"):
        post(client, x12_850("PO-BP-NS", DC_1, [f"PO1*1*10*CA*300.00**BP*{CASE_GTIN}"]), bigbox(units={}), Cache())
