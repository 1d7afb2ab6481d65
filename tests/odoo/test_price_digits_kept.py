"""A price per piece Odoo cannot keep at its Product Price digits: 12.50 per 1000 pieces (EDIFACT
`PRI+AAA:12.5:::1000:PCE`) is 0.0125 a piece, which a database at the default 2 digits keeps as 0.01: 48 pieces
became a line of 0.48 instead of 0.60, with only a note, and the invoice followed Odoo. Such an order (a vendor
bill too) is quarantined naming the line, the figures and the digits that keep the price; with them it posts at
the partner's price. EuroHandel's sample ORDERS through the pipeline, and a vendor bill, into the sandbox over HTTP."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.errors import OdooRejected
from gateway.journal.api import State
from gateway.odoo.client import OdooClient
from gateway.odoo.posting import Cache, post
from gateway.odoo.sandbox import SandboxServer
from gateway.translate.canonical import Invoice, Line
from gateway.transports.base import IntakeMeta
from tests.formats.test_edifact_nad_c058 import EURO_SAMPLE
from tests.odoo.conftest import bigbox, client, odoo, sandbox
from tests.odoo.test_case_prices import DC_1, goods
from tests.odoo.test_pipeline_posting import examples, pipeline_for, run
from tests.odoo.test_ship_to_second_name import x12_850
from tests.odoo.test_vendor_odd import purchase, widgetworks

__all__ = ["client", "examples", "odoo", "sandbox"]          # fixtures, used by name


def product_price_digits(odoo: odoorpc.ODOO, digits: int) -> None:
    """Settings > Technical > Database Structure > Decimal Accuracy: Product Price to `digits`."""
    [precision] = odoo.execute_kw("decimal.precision", "search", [[("name", "=", "Product Price")]])
    odoo.execute_kw("decimal.precision", "write", [[precision], {"digits": digits}])


def per_thousand(data: bytes) -> bytes:
    """EuroHandel's sample with its 48 Blue Widgets priced 12.50 per 1000 pieces (line amount 0.60)."""
    assert data.count(b"MOA+203:600.00'") == 1 and data.count(b"PRI+AAA:12.50'") == 1
    return data.replace(b"MOA+203:600.00'", b"MOA+203:0.60'").replace(b"PRI+AAA:12.50'", b"PRI+AAA:12.5:::1000:PCE'")


@pytest.mark.parametrize("sandbox", [19], ids=["odoo19"], indirect=True)
async def test_an_order_at_a_price_odoo_cannot_keep_is_held_until_its_digits_do(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    # Given EuroHandel's order of 48 pieces at 12.50 per 1000, to a database keeping Product Price to 2 digits
    pipeline, _ = pipeline_for(tmp_path, examples, sandbox)
    message = await pipeline.submit(per_thousand(EURO_SAMPLE.read_bytes()),
                                    IntakeMeta(channel="folder", filename="ORDERS_sample.edi"))
    held = run(pipeline, message.id, {State.DONE, State.QUARANTINED})
    # Then it is quarantined naming the line, both totals and the fix; no sale order is made
    assert held.state is State.QUARANTINED
    assert "line 1: 48 EA at 0.0125 each is 0.60; Odoo keeps a Unit Price to 2 decimals (0.01), which makes the " \
           "line 0.48, 0.12 less; not posted: give Product Price 4 digits in Odoo" in held.last_error, held.last_error
    assert "(developer mode: Settings > Technical > Database Structure > Decimal Accuracy)" in held.last_error
    assert odoo.execute_kw("sale.order", "search", [[("client_order_ref", "=", "4500012345")]]) == []
    # When the coordinator gives Product Price 4 digits and replays it
    product_price_digits(odoo, 4)
    pipeline.replay(message.id)
    done = run(pipeline, message.id, {State.DONE, State.QUARANTINED})
    # Then the line is at the partner's 0.0125 a piece: 0.60
    assert done.state is State.DONE, done.last_error
    [so] = odoo.execute_kw("sale.order", "search_read", [[("client_order_ref", "=", "4500012345")]],
                           {"fields": ["order_line"]})
    rows = odoo.execute_kw("sale.order.line", "read", [so["order_line"], ["product_uom_qty", "price_unit",
                                                                           "price_subtotal"]])
    assert (48.0, 0.0125, 0.6) in [(r["product_uom_qty"], r["price_unit"], r["price_subtotal"]) for r in rows]


@pytest.mark.parametrize("sandbox", [19], ids=["odoo19"], indirect=True)
async def test_a_price_that_rounds_within_a_cent_on_the_line_is_posted(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    # Given 2 pieces at 12.50 per 1000 (0.025): Odoo's 0.01 a piece makes the line 0.02, half a cent off
    data = EURO_SAMPLE.read_bytes().replace(b"QTY+21:48:PCE'", b"QTY+21:2:PCE'")
    pipeline, _ = pipeline_for(tmp_path, examples, sandbox)
    message = await pipeline.submit(per_thousand(data).replace(b"MOA+203:0.60'", b"MOA+203:0.025'"),
                                    IntakeMeta(channel="folder", filename="ORDERS_sample.edi"))
    # Then it is posted, as before, at what Odoo keeps
    done = run(pipeline, message.id, {State.DONE, State.QUARANTINED})
    assert done.state is State.DONE, done.last_error
    [so] = odoo.execute_kw("sale.order", "search_read", [[("client_order_ref", "=", "4500012345")]],
                           {"fields": ["order_line"]})
    rows = odoo.execute_kw("sale.order.line", "read", [so["order_line"], ["product_uom_qty", "price_unit"]])
    assert (2.0, 0.01) in [(r["product_uom_qty"], r["price_unit"]) for r in rows]


def test_a_vendor_bill_at_a_price_odoo_cannot_keep_is_held(client: OdooClient, odoo: odoorpc.ODOO) -> None:
    """10,000 screws billed at 0.0125 (125.00): at 2 digits Odoo's bill line would be 100.00."""
    _po, name = purchase(odoo)
    bill = Invoice(number="WW-DIG-1", date="2026-11-20", po_number=name, lines=[
        Line(line_no="1", item_ids={"vendor": "WW-WB-100"}, quantity=Decimal(10000), unit_price=Decimal("0.0125"))])
    with pytest.raises(OdooRejected, match=r"invoice WW-DIG-1, line 1: 10000 EA at 0\.0125 each is 125\.00; Odoo "
                                           r"keeps a Unit Price to 2 decimals \(0\.01\), which makes the line 100\.00, "
                                           r"25\.00 less; not posted: give Product Price 4 digits"):
        post(client, bill, widgetworks(units={}), Cache())
    assert odoo.execute_kw("account.move", "search", [[("ref", "=", "WW-DIG-1")]]) == []
    product_price_digits(odoo, 4)
    [link] = post(client, bill, widgetworks(units={}), Cache())
    [move] = odoo.execute_kw("account.move", "read", [[link.record_id], ["invoice_line_ids", "amount_untaxed"]])
    rows = odoo.execute_kw("account.move.line", "read", [move["invoice_line_ids"], ["quantity", "price_unit"]])
    assert [(r["quantity"], r["price_unit"]) for r in rows] == [(10000.0, 0.0125)]
    assert move["amount_untaxed"] == 125.0


def test_a_bill_line_of_an_amount_only_is_named_with_its_price_to_six_places(client: OdooClient,
                                                                           odoo: odoorpc.ODOO) -> None:
    """A line of 30 widgets for 100.00 and no price (EDIFACT MOA 203 alone): 3.33 each at 2 digits is 99.90. Held
    naming 3.333333 (not 28 threes) and the 3 digits that keep it to the cent."""
    _po, name = purchase(odoo)
    bill = Invoice(number="WW-AMT-1", date="2026-11-20", po_number=name, lines=[
        Line(line_no="1", item_ids={"vendor": "WW-WB-100"}, quantity=Decimal(30), amount=Decimal("100.00"))])
    with pytest.raises(OdooRejected, match=r"line 1: 30 EA at 3\.333333 each is 100\.00; Odoo keeps a Unit Price "
                                           r"to 2 decimals \(3\.33\), which makes the line 99\.90, 0\.10 less; not "
                                           r"posted: give Product Price 3 digits"):
        post(client, bill, widgetworks(units={}), Cache())


def test_an_x12_price_in_tenths_of_a_cent_is_held_at_two_digits(client: OdooClient, odoo: odoorpc.ODOO) -> None:
    """PO1*1*10000*EA*0.125*PE: 1,250.00 for the line; Odoo's 0.13 (half up) would make it 1,300.00."""
    doc = x12_850("PO-TENTH-1", DC_1, ["PO1*1*10000*EA*0.125*PE*BP*BB-1001"])
    with pytest.raises(OdooRejected, match=r"order PO-TENTH-1, line 1: 10000 EA at 0\.125 each is 1250\.00; Odoo keeps "
                                           r"a Unit Price to 2 decimals \(0\.13\), which makes the line 1300\.00, "
                                           r"50\.00 more; not posted: give Product Price 3 digits"):
        post(client, doc, bigbox(units={}, price_policy="order"), Cache())
    assert odoo.execute_kw("sale.order", "search", [[("client_order_ref", "=", "PO-TENTH-1")]]) == []


def test_odoo_rounds_a_half_cent_up_as_the_gateway_says(client: OdooClient, odoo: odoorpc.ODOO) -> None:
    """The widget listed at 0.125, ordered under the pricelist policy: Odoo's line is at 0.13 (float_round, HALF-UP),
    the figure the held message names (`as_kept`); the sandbox kept 0.12, Python's round of a binary half."""
    [widget] = odoo.execute_kw("product.product", "search", [[("default_code", "=", "WB-100")]])
    odoo.execute_kw("product.product", "write", [[widget], {"list_price": 0.125}])
    post(client, x12_850("PO-HALF-1", DC_1, ["PO1*1*100*EA*0.13*PE*BP*BB-1001"]),
         bigbox(units={}, price_policy="pricelist", price_tolerance=0), Cache())
    assert goods(odoo, "PO-HALF-1") == [(100.0, 0.13)]
