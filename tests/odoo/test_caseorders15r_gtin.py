"""Review of orders for cases by the case's GTIN (tests/odoo/test_caseorders15_gtin.py): what a partner's line
says beside the case's GTIN is held to it on every Odoo version. BigBox's 850 lines read and translated as the
pipeline does, posted to the sandbox Odoo over HTTP; odoorpc checks what Odoo holds."""

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
from gateway.translate.canonical import Line
from tests.odoo.conftest import bigbox
from tests.odoo.test_case_prices import DC_1
from tests.odoo.test_caseorders15_gtin import (
    BLUE,
    BLUE_CASES,
    CASE_GTIN,
    acknowledged,
    order_lines,
    ordered_in_cases,
)
from tests.odoo.test_pipeline_posting import SAMPLE, examples, run
from tests.odoo.test_posting_cancel import pipeline_orders, submit
from tests.odoo.test_posting_line_changes import change
from tests.odoo.test_resent_originals import renumbered
from tests.odoo.test_ship_to_second_name import x12_850
from tests.odoo.test_stock15_cases import packaging

__all__ = ["examples"]          # the module's fixture, shared


@pytest.mark.parametrize("sandbox", [17, 19], ids=["odoo17", "odoo19"], indirect=True)
def test_a_po4_pack_other_than_the_cases_is_held_on_19_as_on_17(client: OdooClient, odoo: odoorpc.ODOO,
                                                                 sandbox: SandboxServer) -> None:
    """10 CA of the case of 24's GTIN with PO4*12 (12 each per case): 120 or 240 widgets? 16-18 held it naming
    both; 19, where the case is a packaging unit, posted 10 cases of 24 without a word. The same line with PO4*24
    is the case, posted on both."""
    packaging(odoo, sandbox.version, "WB-100", "Case of 24", 24, CASE_GTIN)
    doc = x12_850("PO-CS-P12", DC_1, [f"PO1*1*10*CA*300.00**UK*{CASE_GTIN}", "PO4*12*1*EA"])
    with pytest.raises(OdooRejected, match=rf"line 1: packaging 'Case of 24' barcode {CASE_GTIN} is .*Blue Widget in "
                                           r"'Case of 24' of 24, but the line says 12 per CS; not posted"):
        post(client, doc, bigbox(units={}), Cache())
    assert odoo.execute_kw("sale.order", "search", [[("client_order_ref", "=", "PO-CS-P12")]]) == []
    post(client, x12_850("PO-CS-P24", DC_1, [f"PO1*1*10*CA*300.00**UK*{CASE_GTIN}", "PO4*24*1*EA"]),
         bigbox(units={}), Cache())
    [so] = odoo.execute_kw("sale.order", "search", [[("client_order_ref", "=", "PO-CS-P24")]])
    [line] = order_lines(odoo, so, sandbox.version)
    assert (line["product_uom_qty"], line["price_subtotal"]) == ((240.0 if sandbox.version <= 18 else 10.0), 3000.0)


@pytest.mark.parametrize("sandbox", [17, 19], ids=["odoo17", "odoo19"], indirect=True)
async def test_a_second_original_of_a_case_order_replaces_it_at_the_case_price(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    """BigBox revises its quotations: its 850 sent again as an original with 12 cases instead of 10 replaces the
    order's lines. The replacement is priced as the first posting was (16-18: 12.50 a unit of the case of 24; 19:
    300.00 a case): its price step compared the case price with Odoo's price per unit, and with the 'order' policy
    wrote 300.00 a unit, 86,400.00 for 3,600.00 of goods."""
    pipeline, _ = await ordered_in_cases(tmp_path, examples, sandbox, odoo, price_policy="order")
    data = SAMPLE.read_bytes().replace(b"\r\n", b"\n")
    twelve = BLUE_CASES.replace(b"PO1*1*10*CA*", b"PO1*1*12*CA*")
    edi = data.replace(BLUE, twelve).replace(b"SE*25*0001", b"SE*24*0001")
    message = await submit(pipeline, renumbered(edi, b"1202"), "850_4500001234_again.edi")
    done = run(pipeline, message.id, {State.DONE, State.QUARANTINED})
    assert done.state is State.DONE, done.last_error
    [so] = pipeline_orders(odoo)
    [line] = [r for r in order_lines(odoo, so["id"], sandbox.version) if r["product_id"][1].endswith("Blue Widget")]
    assert (line["product_uom_qty"], line["price_unit"], line["price_subtotal"]) == \
        ((288.0, 12.5, 3600.0) if sandbox.version <= 18 else (12.0, 300.0, 3600.0))


CABLE_CASE = "10614141000040"
CASE_860 = f"""ISA*00*          *00*          *ZZ*BIGBOXRETAIL   *ZZ*ACMEDIST       *261128*1015*U*00401*000001210*0*P*>~
GS*PC*BIGBOX*ACMEDIST*20261128*1015*1210*X*004010VICS~
ST*860*0001~
BCH*04*SA*4500001234**1*20261127****20261128~
POC*1*QI*12*12*CA*300.00**UK*{CASE_GTIN}~
POC*4*AI*5*5*CA*300.00**UK*{CABLE_CASE}~
CTT*2~
SE*6*0001~
GE*1*1210~
IEA*1*000001210~
""".encode()


@pytest.mark.parametrize("sandbox", [17, 19], ids=["odoo17", "odoo19"], indirect=True)
async def test_an_860_changes_and_adds_case_lines_by_their_gtin_in_the_case(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, client: OdooClient,
        odoo: odoorpc.ODOO) -> None:
    """BigBox's 860 makes its 10 cases of Blue Widgets 12 (POC*1*QI*12*12*CA*300.00**UK*<the case's GTIN>) and
    adds 5 cases of 10 Cable Bundles by their case's GTIN at 300.00 a case. The change was refused 'unit CA has no
    Odoo unit; map it ... (for example CA: Dozens)', a map that would then have refused every case of 24; the
    added line was posted in its case but priced by the 'order' policy at 300.00 a unit on 16-18 (15,000.00 for
    1,500.00 of goods). Now both are in their cases as the 850's lines: 16-18 the units of the case with its
    packaging and count, priced per unit; 19 the packaging unit at the case price."""
    packaging(odoo, sandbox.version, "CB-400", "Case of 10", 10, CABLE_CASE)
    pipeline, _ = await ordered_in_cases(tmp_path, examples, sandbox, odoo, price_policy="order")
    message = await submit(pipeline, CASE_860, "860_4500001234.edi")
    done = run(pipeline, message.id, {State.DONE, State.QUARANTINED})
    assert done.state is State.DONE, done.last_error
    [so] = pipeline_orders(odoo)
    lines = {r["product_id"][1].split("] ")[1]: r for r in order_lines(odoo, so["id"], sandbox.version)}
    blue, cable = lines["Blue Widget"], lines["Cable Bundle"]
    if sandbox.version <= 18:
        assert (blue["product_uom_qty"], blue["price_unit"], blue["product_packaging_id"][1],
                blue["product_packaging_qty"]) == (288.0, 12.5, "Case of 24", 12.0)
        assert (cable["product_uom_qty"], cable["price_unit"], cable["product_packaging_id"][1],
                cable["product_packaging_qty"]) == (50.0, 30.0, "Case of 10", 5.0)
    else:
        assert (blue["product_uom_qty"], blue["product_uom_id"][1], blue["price_unit"]) == (12.0, "Case of 24", 300.0)
        assert (cable["product_uom_qty"], cable["product_uom_id"][1], cable["price_unit"]) == \
            (5.0, "Case of 10", 300.0)
    assert (blue["price_subtotal"], cable["price_subtotal"]) == (3600.0, 1500.0)
    # the 855 once confirmed: the order as changed, each case line as it now stands, in its cases
    ack = await acknowledged(pipeline, client, odoo, blue)
    said = [seg for seg in ack.decode().replace("\n", "").split("~") if seg.startswith(("PO1*1*", "PO1*4*", "ACK*"))]
    assert said[:2] == [f"PO1*1*12*CA*300.00**UK*{CASE_GTIN}", "ACK*IA*12*CA"], said
    assert f"PO1*4*5*CA*300.00**UK*{CABLE_CASE}" in said and said[-1] == "ACK*IA*5*CA", said


@pytest.mark.parametrize("sandbox", [17, 19], ids=["odoo17", "odoo19"], indirect=True)
def test_units_of_a_case_gtin_the_line_names_by_our_code_too_post_as_before(client: OdooClient, odoo: odoorpc.ODOO,
                                                                            sandbox: SandboxServer) -> None:
    """PO1*1*240*EA*12.50**UK*<the case's GTIN>*VN*WB-100: a retailer whose item master keeps the case's GTIN but
    orders eaches, naming our code too. Before case GTINs found anything, the GTIN found nothing and our code the
    Blue Widget: 240 units posted. e473cb2 took the GTIN for the case and held the line ('the line orders 240 EA').
    It posts as before; 10 EA of the case's GTIN alone, or with our code of another product, is still held."""
    packaging(odoo, sandbox.version, "WB-100", "Case of 24", 24, CASE_GTIN)
    post(client, x12_850("PO-EA-VN", DC_1, [f"PO1*1*240*EA*12.50**UK*{CASE_GTIN}*VN*WB-100",
                                            f"PO1*2*24*EA*12.50**UK*{CASE_GTIN}*BP*BB-1001"]),
         bigbox(units={}), Cache())
    [so] = odoo.execute_kw("sale.order", "search", [[("client_order_ref", "=", "PO-EA-VN")]])
    unit = "product_uom" if sandbox.version <= 18 else "product_uom_id"
    assert [(r["product_id"][1], r["product_uom_qty"], r[unit][1]) for r in order_lines(odoo, so, sandbox.version)] \
        == [("[WB-100] Blue Widget", 240.0, "Units"), ("[WB-100] Blue Widget", 24.0, "Units")]
    with pytest.raises(OdooRejected, match=r"Blue Widget in 'Case of 24'.*, but the line orders 10 EA; not posted"):
        post(client, x12_850("PO-EA-RW", DC_1, [f"PO1*1*10*EA*12.50**UK*{CASE_GTIN}*VN*WR-200"]), bigbox(units={}),
             Cache())
    # a unit the partner maps to an Odoo unit (BigBox's CS: Dozens) with our code: 3 Dozens, as before
    post(client, x12_850("PO-DZ-VN", DC_1, [f"PO1*1*3*CS*150.00**UK*{CASE_GTIN}*VN*WB-100"]), bigbox(), Cache())
    [dozens] = odoo.execute_kw("sale.order", "search", [[("client_order_ref", "=", "PO-DZ-VN")]])
    assert [(r["product_uom_qty"], r[unit][1]) for r in order_lines(odoo, dozens, sandbox.version)] == [(3.0, "Dozens")]
    # and a change of that line (an 860's POC naming it alike) is applied as before, in its unit
    ids = {"gtin": CASE_GTIN, "vendor": "WB-100"}
    post(client, change(Line(line_no="1", item_ids=ids, quantity=Decimal(288), unit="EA", change="change"),
                        number="PO-EA-VN"), bigbox(units={}, order_changes="revise"), Cache())
    assert [r["product_uom_qty"] for r in order_lines(odoo, so, sandbox.version)] == [288.0, 24.0]


@pytest.mark.parametrize("sandbox", [17, 19], ids=["odoo17", "odoo19"], indirect=True)
def test_the_case_gtin_of_an_archived_product_finds_no_product(client: OdooClient, odoo: odoorpc.ODOO,
                                                               sandbox: SandboxServer) -> None:
    """A product no longer sold is archived in Odoo; its packagings (16-18) and packaging barcodes (19) stay. Its
    unit's GTIN found nothing (Odoo's product search leaves archived products out), but its case's GTIN found it,
    and the order was posted for a product Odoo no longer sells. Now neither finds it: held 'no product'."""
    packaging(odoo, sandbox.version, "WB-100", "Case of 24", 24, CASE_GTIN)
    [pid] = odoo.execute_kw("product.product", "search", [[("default_code", "=", "WB-100")]])
    odoo.execute_kw("product.product", "write", [[pid], {"active": False}])
    with pytest.raises(OdooRejected, match=rf"line 1: no product in Odoo for gtin {CASE_GTIN}"):
        post(client, x12_850("PO-CS-ARCH", DC_1, [f"PO1*1*10*CA*300.00**UK*{CASE_GTIN}"]), bigbox(units={}), Cache())
    assert odoo.execute_kw("sale.order", "search", [[("client_order_ref", "=", "PO-CS-ARCH")]]) == []


@pytest.mark.parametrize("sandbox", [17, 19], ids=["odoo17", "odoo19"], indirect=True)
def test_an_860_with_a_po4_pack_other_than_the_cases_is_held_on_19_as_on_17(client: OdooClient, odoo: odoorpc.ODOO,
                                                                            sandbox: SandboxServer) -> None:
    """The 860's change of the case line to 12 cases, 12 each per case (a pack the case of 24 is not): held naming
    both, as the 850's line would be, on 19 too; the order keeps its 10 cases."""
    packaging(odoo, sandbox.version, "WB-100", "Case of 24", 24, CASE_GTIN)
    partner = bigbox(units={}, order_changes="revise")
    [created] = post(client, x12_850("PO-CS-CH", DC_1, [f"PO1*1*10*CA*300.00**UK*{CASE_GTIN}"]), partner, Cache())
    twelve = Line(line_no="1", item_ids={"gtin": CASE_GTIN}, quantity=Decimal(12), unit="CS", pack_size=Decimal(12),
                  change="change")
    with pytest.raises(OdooRejected, match=r"Blue Widget in 'Case of 24' of 24, but the line says 12 per CS"):
        post(client, change(twelve, number="PO-CS-CH"), partner, Cache())
    assert [r["product_uom_qty"] for r in order_lines(odoo, created.record_id, sandbox.version)] == \
        [240.0 if sandbox.version <= 18 else 10.0]


@pytest.mark.parametrize("sandbox", [17, 19], ids=["odoo17", "odoo19"], indirect=True)
def test_case_lines_with_po4_packs_and_our_codes_cost_the_same_calls_whatever_their_count(
        client: OdooClient, odoo: odoorpc.ODOO, sandbox: SandboxServer) -> None:
    """The packs' check (19: the packaging units' sizes) and the lines in units found again by our codes take one
    lookup each per order: one line of each kind or three, the same calls (a guard)."""
    v = sandbox.version
    gtins = {"WB-100": (CASE_GTIN, "300.00"), "WR-200": ("10614141000026", "210.00"),
             "GL-300": ("10614141000033", "1008.00")}
    for code, (gtin, _) in gtins.items():
        packaging(odoo, v, code, "Case of 24", 24, gtin)
    cases = [[f"PO1*{n}*10*CA*{price}**UK*{gtin}", "PO4*24*1*EA"] for n, (gtin, price) in enumerate(gtins.values(), 1)]
    units = [[f"PO1*{n}*24*EA*1.00**UK*{gtin}*VN*{code}"] for n, (code, (gtin, _)) in enumerate(gtins.items(), 4)]

    def calls(number: str, count: int) -> int:
        before = client.calls
        lines = [seg for line in cases[:count] + units[:count] for seg in line]
        post(client, x12_850(number, DC_1, lines), bigbox(units={}), Cache())
        return client.calls - before
    calls("PO-CS-WARM", 1)
    assert calls("PO-CS-ONE", 1) == calls("PO-CS-THREE", 3)
