"""Orders for cases by the case's GTIN: a retailer that reads our stock feed in cases (`odoo.stock_packaging`: each
product in whole packagings, the packaging's barcode as its GTIN) orders the same way, PO1*1*10*CA*300.00**UK*<the
case's GTIN-14> with nothing else naming the product. The lookup found products by their own barcode, our code
and the customer's code only, so such a line was quarantined "no product in Odoo". Now the packaging's barcode
finds its product and the sale order line is in that packaging: 16-18 product_packaging_id and
product_packaging_qty with the units they hold (Odoo's sale line keeps the three consistent,
sale/models/sale_order_line.py _compute_product_packaging_qty / _compute_product_uom_qty), priced per unit; 19 the
packaging unit itself. The 855 echoes the line as ordered: 10 CA at the case's price, the case's GTIN.

BigBox's 850 through the pipeline into the sandbox Odoo over HTTP; the 855 through the scheduler and the profile.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.config.models import DocumentSettings
from gateway.errors import OdooRejected
from gateway.journal.api import State
from gateway.odoo.client import OdooClient
from gateway.odoo.posting import Cache, post
from gateway.odoo.sandbox import SandboxServer
from gateway.odoo.scheduler import OdooScheduler
from gateway.transports.base import IntakeMeta
from tests.odoo.conftest import bigbox
from tests.odoo.test_case_prices import DC_1
from tests.odoo.test_order_acks import ACK, sent_855
from tests.odoo.test_outbound_changed_lines import segments
from tests.odoo.test_pipeline_posting import SAMPLE, examples, pipeline_for, run
from tests.odoo.test_posting_cancel import pipeline_orders, submit
from tests.odoo.test_price_digits_kept import product_price_digits
from tests.odoo.test_ship_to_second_name import x12_850
from tests.odoo.test_stock15_cases import packaging

__all__ = ["examples"]          # the module's fixture, shared

BLUE = b"PO1*1*24*EA*12.50*PE*BP*BB-1001*UP*614141000012*VN*WB-100~\nPID*F****BLUE WIDGET~\nPO4*12*1*EA~\n"
CASE_GTIN = "10614141000019"
BLUE_CASES = f"PO1*1*10*CA*300.00**UK*{CASE_GTIN}~\nPID*F****BLUE WIDGET CASE OF 24~\n".encode()


def order_lines(odoo: odoorpc.ODOO, order: int, version: int) -> list[dict[str, Any]]:
    fields = ["product_id", "product_uom_qty", "product_uom_id" if version >= 19 else "product_uom", "price_unit",
              "price_subtotal", *(["product_packaging_id", "product_packaging_qty"] if version <= 18 else [])]
    return list(odoo.execute_kw("sale.order.line", "search_read", [[("order_id", "=", order)]],
                                {"fields": fields, "order": "sequence,id"}))


async def ordered_in_cases(tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, odoo: odoorpc.ODOO,
                           line: bytes = BLUE_CASES, **settings: Any) -> tuple[Any, dict[str, Any]]:
    """BigBox's sample 850 with its Blue Widget line replaced by `line` (`settings`: its odoo ones) through the
    pipeline, the Blue Widget's case of 24 having the GTIN 10614141000019 in Odoo: the pipeline (with the 855)
    and the order's first line."""
    packaging(odoo, sandbox.version, "WB-100", "Case of 24", 24, CASE_GTIN)
    pipeline, _journal = pipeline_for(tmp_path, examples, sandbox)
    partner = pipeline.config.partners["bigbox"]
    pipeline.config.partners["bigbox"] = partner.model_copy(update={
        "documents": [*partner.documents, ACK], "odoo": partner.odoo.model_copy(update=settings)})
    data = SAMPLE.read_bytes().replace(b"\r\n", b"\n")
    assert data.count(BLUE) == 1
    edi = data.replace(BLUE, line).replace(b"SE*25*0001", f"SE*{25 - 3 + line.count(b'~')}*0001".encode())
    message = await submit(pipeline, edi, SAMPLE.name)
    done = run(pipeline, message.id, {State.DONE, State.QUARANTINED})
    assert done.state is State.DONE, done.last_error
    [so] = pipeline_orders(odoo)
    return pipeline, order_lines(odoo, so["id"], sandbox.version)[0]


def confirmed(odoo: odoorpc.ODOO, line: dict[str, Any]) -> tuple[int, int]:
    """Confirm the sale order of `line`, as a person does in Odoo: that order's id and the line's product id."""
    [row] = odoo.execute_kw("sale.order.line", "read", [[line["id"]], ["order_id", "product_id"]])
    odoo.execute_kw("sale.order", "action_confirm", [[row["order_id"][0]]])
    return row["order_id"][0], row["product_id"][0]


async def acknowledged(pipeline: Any, client: OdooClient, odoo: odoorpc.ODOO, line: dict[str, Any]) -> bytes:
    """The 855 the scheduler sends once the order of `line` is confirmed."""
    confirmed(odoo, line)
    ctx = SimpleNamespace(config=pipeline.config, journal=pipeline.journal, pipeline=pipeline,
                          partners=pipeline.config.partners)
    assert await OdooScheduler(ctx, lambda: client).run_once("bigbox", "855") == 1
    [ack] = sent_855(pipeline)
    return ack


async def test_an_850_for_cases_by_the_case_gtin_is_posted_in_that_packaging_and_acknowledged_in_cases(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, client: OdooClient,
        odoo: odoorpc.ODOO) -> None:
    # Given the Blue Widget's case of 24, its GTIN 10614141000019 (a packaging for sales, as the feed sends it),
    # when BigBox orders 10 of those cases at 300.00 a case, naming them by that GTIN alone (no PO4)
    pipeline, first = await ordered_in_cases(tmp_path, examples, sandbox, odoo)
    # Then the order line is the Blue Widget in that case: 240 units at 12.50 (16-18) or 10 cases at 300.00 (19)
    assert first["product_id"][1].endswith("Blue Widget") and first["price_subtotal"] == 3000.0
    if sandbox.version <= 18:
        assert (first["product_uom_qty"], first["product_uom"][1], first["price_unit"]) == (240.0, "Units", 12.5)
        assert (first["product_packaging_id"][1], first["product_packaging_qty"]) == ("Case of 24", 10.0)
    else:
        assert (first["product_uom_qty"], first["product_uom_id"][1], first["price_unit"]) == \
            (10.0, "Case of 24", 300.0)
    # When it is confirmed, the 855 acknowledges the line as BigBox ordered it: 10 CA at 300.00, the case's GTIN
    ack = await acknowledged(pipeline, client, odoo, first)
    po1 = next(row for row in segments(ack, "PO1"))
    assert po1[:5] == ["PO1", "1", "10", "CA", "300.00"] and CASE_GTIN in po1, po1
    assert next(row[:4] for row in segments(ack, "ACK")) == ["ACK", "IA", "10", "CA"]


async def test_a_case_gtin_with_its_po4_pack_is_posted_and_acknowledged_as_without(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, client: OdooClient,
        odoo: odoorpc.ODOO) -> None:
    """The same 10 cases with PO4*24 (24 each per case, as many 850s carry): the same order line, priced per case on
    19 (the packaging unit), not divided by the pack: 12.50 a case there made the line 125.00 instead of 3,000.00
    (the price policy took the PO4 case for one counted in units). The 855 echoes 10 CA at 300.00."""
    pipeline, first = await ordered_in_cases(tmp_path, examples, sandbox, odoo, BLUE_CASES + b"PO4*24*1*EA~\n",
                                             price_policy="order")
    assert (first["product_uom_qty"], first["price_unit"], first["price_subtotal"]) == \
        ((240.0, 12.5, 3000.0) if sandbox.version <= 18 else (10.0, 300.0, 3000.0))
    ack = await acknowledged(pipeline, client, odoo, first)
    assert next(row[:5] for row in segments(ack, "PO1")) == ["PO1", "1", "10", "CA", "300.00"]
    assert next(row[:4] for row in segments(ack, "ACK")) == ["ACK", "IA", "10", "CA"]


async def test_a_case_line_a_person_changed_is_acknowledged_in_cases(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, client: OdooClient,
        odoo: odoorpc.ODOO, caplog: pytest.LogCaptureFixture) -> None:
    """The salesperson makes the 10 cases 12 (16-18: 288 units in the case; 19: 12 of the packaging unit): the 855
    says 12 CA of the 10 ordered, at 300.00 a case, the case's GTIN; 19 said 'Case of 24' and was held, and no
    warning asks to map the packaging unit, which is the partner's case already."""
    pipeline, first = await ordered_in_cases(tmp_path, examples, sandbox, odoo)
    changed = {"product_uom_qty": 288.0, "product_packaging_qty": 12.0} if sandbox.version <= 18 else \
        {"product_uom_qty": 12.0}
    odoo.execute_kw("sale.order.line", "write", [[first["id"]], changed])
    ack = await acknowledged(pipeline, client, odoo, first)
    po1 = next(row for row in segments(ack, "PO1"))
    assert po1[:5] == ["PO1", "1", "10", "CA", "300"] and CASE_GTIN in po1, po1      # Odoo's price, per case
    assert next(row[:4] for row in segments(ack, "ACK")) == ["ACK", "IC", "12", "CA"]
    assert "has no code for partner" not in caplog.text


def test_a_case_gtin_with_a_unit_of_each_is_held_naming_both(client: OdooClient, odoo: odoorpc.ODOO,
                                                             sandbox: SandboxServer) -> None:
    """10 EA of the case's GTIN: ten widgets or ten cases (240)? Neither is posted as a guess."""
    packaging(odoo, sandbox.version, "WB-100", "Case of 24", 24, CASE_GTIN)
    doc = x12_850("PO-CS-EA", DC_1, [f"PO1*1*10*EA*12.50*PE*UK*{CASE_GTIN}"])
    with pytest.raises(OdooRejected, match=rf"line 1: packaging 'Case of 24' barcode {CASE_GTIN} is .*Blue Widget "
                                           r"in 'Case of 24'.*, but the line orders 10 EA; not posted"):
        post(client, doc, bigbox(units={}), Cache())
    assert odoo.execute_kw("sale.order", "search", [[("client_order_ref", "=", "PO-CS-EA")]]) == []


def test_a_unit_the_partner_maps_to_as_much_as_the_packaging_is_that_case(client: OdooClient, odoo: odoorpc.ODOO,
                                                                          sandbox: SandboxServer) -> None:
    """BigBox maps CS to Dozens; its 3 CS of the Blue Widget's case of 12 (GTIN) are 3 Dozens, in that packaging
    (16-18; 19: Dozens, which holds as many as the packaging unit); a case of 24 under CS (Dozens) is held: 3 dozen
    or 3 cases of 24?"""
    v = sandbox.version
    packaging(odoo, v, "WB-100", "Case of 12", 12, CASE_GTIN)
    packaging(odoo, v, "WR-200", "Case of 24", 24, "10614141000026")
    post(client, x12_850("PO-CS-DZ", DC_1, [f"PO1*1*3*CS*150.00*PE*UK*{CASE_GTIN}"]), bigbox(), Cache())
    [so] = odoo.execute_kw("sale.order", "search", [[("client_order_ref", "=", "PO-CS-DZ")]])
    [line] = order_lines(odoo, so, v)
    if v <= 18:
        assert (line["product_uom_qty"], line["product_uom"][1], line["product_packaging_qty"]) == (3.0, "Dozens", 3.0)
    else:
        assert (line["product_uom_qty"], line["product_uom_id"][1]) == (3.0, "Dozens")
    with pytest.raises(OdooRejected, match=r"Red Widget in 'Case of 24'.*, but the line orders 3 CS \(Dozens\)"):
        post(client, x12_850("PO-CS-DZ2", DC_1, ["PO1*1*3*CS*150.00*PE*UK*10614141000026"]), bigbox(), Cache())


@pytest.mark.parametrize("sandbox", [16, 18], ids=["odoo16", "odoo18"], indirect=True)
def test_a_case_price_odoo_cannot_keep_per_unit_is_held_naming_the_digits(client: OdooClient, odoo: odoorpc.ODOO,
                                                                          sandbox: SandboxServer) -> None:
    """25.00 a case of 24 is 1.041666 a unit: 1.04 at 2 digits, 10 cases 249.60, not 250.00 (16-18, where the
    line is in units; 19 keeps the case as the line's unit, at its own price); at 4 digits 1.0417 keeps it."""
    packaging(odoo, sandbox.version, "WB-100", "Case of 24", 24, CASE_GTIN)
    doc = x12_850("PO-CS-DIG", DC_1, [f"PO1*1*10*CA*25.00*PE*UK*{CASE_GTIN}"])
    partner = bigbox(units={}, price_policy="order")
    with pytest.raises(OdooRejected, match=r"line 1 \(10 CS of 24\): 240 units at 1\.041667 each is 250\.00; Odoo "
                                           r"keeps a Unit Price to 2 decimals \(1\.04\), which makes the line 249\.60"):
        post(client, doc, partner, Cache())
    product_price_digits(odoo, 4)
    post(client, doc, partner, Cache())
    [so] = odoo.execute_kw("sale.order", "search", [[("client_order_ref", "=", "PO-CS-DIG")]])
    [line] = order_lines(odoo, so, sandbox.version)
    assert (line["product_uom_qty"], line["price_unit"]) == (240.0, 1.0417)


EUROHANDEL = Path(__file__).resolve().parents[2] / "gateway" / "examples" / "samples" / "eurohandel" / \
    "ORDERS_4500012345.edi"
BLUE_LIN = b"LIN+1++0614141000012:EN'\nPIA+5+WB-100:SA'\nIMD+F++:::Blue Widget'\nQTY+21:48:PCE'\nMOA+203:600.00'\n" \
    b"PRI+AAA:12.50'\n"


async def test_an_edifact_orders_for_cases_by_the_case_gtin_is_posted_in_that_packaging(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, client: OdooClient,
        odoo: odoorpc.ODOO) -> None:
    """EuroHandel's ORDERS names the case by its GTIN-14 alone, LIN+1++10614141000019:SRV with QTY+21:10:CS at
    PRI 300.00 a case: the Blue Widget, 240 units in the case of 24 (16-18) or 10 of the case unit (19)."""
    v = sandbox.version
    cases = f"LIN+1++{CASE_GTIN}:SRV'\nIMD+F++:::Blue Widget, Karton 24'\nQTY+21:10:CS'\nMOA+203:3000.00'\n" \
        "PRI+AAA:300.00'\n".encode()
    pipeline, so = await eurohandel_ordered(tmp_path, examples, sandbox, odoo, cases)
    first = order_lines(odoo, so, v)[0]
    assert first["product_id"][1].endswith("Blue Widget") and first["price_subtotal"] == 3000.0
    if v <= 18:
        assert (first["product_uom_qty"], first["product_packaging_qty"], first["price_unit"]) == (240.0, 10.0, 12.5)
    else:
        assert (first["product_uom_qty"], first["product_uom_id"][1], first["price_unit"]) == \
            (10.0, "Case of 24", 300.0)
    # the ORDRSP that acknowledges it once confirmed names the case by its GTIN, 10 CS at 300.00
    first_line = await ordrsp_first_line(pipeline, client, odoo, so)
    assert f"+{CASE_GTIN}:SRV'" in first_line and "QTY+21:10:CS'" in first_line and "PRI+AAA:300" in first_line, \
        first_line


async def eurohandel_ordered(tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, odoo: odoorpc.ODOO,
                             lin: bytes) -> tuple[Any, int]:
    """EuroHandel's sample ORDERS with its Blue Widget line replaced by `lin` (its segments, each ending in a
    newline) through the pipeline, the Blue Widget's case of 24 having the GTIN 10614141000019 in Odoo, an ORDRSP
    on confirmation: the pipeline and the sale order's id."""
    packaging(odoo, sandbox.version, "WB-100", "Case of 24", 24, CASE_GTIN)
    data = EUROHANDEL.read_bytes().replace(b"\r\n", b"\n")
    assert data.count(BLUE_LIN) == 1
    pipeline, _journal = pipeline_for(tmp_path, examples, sandbox)
    eurohandel = pipeline.config.partners["eurohandel"]
    answer = DocumentSettings(type="ORDRSP", direction="out", profile="edifact-d96a-ordrsp", trigger="order_confirmed")
    pipeline.config.partners["eurohandel"] = eurohandel.model_copy(update={
        "documents": [d for d in eurohandel.documents if d.type != "ORDRSP"] + [answer]})
    count = 34 - BLUE_LIN.count(b"'\n") + lin.count(b"'\n")
    unt = f"UNT+{count}+1'".encode()
    message = await pipeline.submit(data.replace(BLUE_LIN, lin).replace(b"UNT+34+1'", unt),
                                    IntakeMeta(channel="folder", filename=EUROHANDEL.name))
    done = run(pipeline, message.id, {State.DONE, State.QUARANTINED})
    assert done.state is State.DONE, done.last_error
    [so] = odoo.execute_kw("sale.order", "search", [[("client_order_ref", "=", "4500012345")]])
    return pipeline, so


async def ordrsp_first_line(pipeline: Any, client: OdooClient, odoo: odoorpc.ODOO, so: int) -> str:
    """Confirm sale order `so` and run EuroHandel's ORDRSP: the segments of its first line."""
    odoo.execute_kw("sale.order", "action_confirm", [[so]])
    ctx = SimpleNamespace(config=pipeline.config, journal=pipeline.journal, pipeline=pipeline,
                          partners=pipeline.config.partners)
    assert await OdooScheduler(ctx, lambda: client).run_once("eurohandel", "ORDRSP") == 1
    [ordrsp] = [pipeline.archive.read(m.sha256) for m in pipeline.journal.find(limit=50) if m.doc_type == "ORDRSP"]
    return ordrsp.decode("latin-1").split("LIN+1+")[1].split("LIN+2+")[0]


def test_an_order_of_cases_by_gtin_costs_the_same_calls_whatever_its_line_count(
        client: OdooClient, odoo: odoorpc.ODOO, sandbox: SandboxServer) -> None:
    """The packagings' barcodes are read in one call for all the order's lines: one case line or three, the same
    calls (each order with its own cache, as the pipeline's first order of the day)."""
    v = sandbox.version
    gtins = {"WB-100": (CASE_GTIN, "300.00"), "WR-200": ("10614141000026", "210.00"),
             "GL-300": ("10614141000033", "1008.00")}              # 24 at each one's list price
    for code, (gtin, _) in gtins.items():
        packaging(odoo, v, code, "Case of 24", 24, gtin)
    lines = [f"PO1*{n}*10*CA*{price}**UK*{gtin}" for n, (gtin, price) in enumerate(gtins.values(), 1)]

    def calls(number: str, count: int) -> int:
        before = client.calls
        post(client, x12_850(number, DC_1, lines[:count]), bigbox(units={}), Cache())
        return client.calls - before
    calls("PO-CS-WARM", 1)              # the client's fields_get, read once per client
    assert calls("PO-CS-ONE", 1) == calls("PO-CS-THREE", 3)
    [three] = odoo.execute_kw("sale.order", "search", [[("client_order_ref", "=", "PO-CS-THREE")]])
    assert [r["product_uom_qty"] for r in order_lines(odoo, three, v)] == ([240.0] * 3 if v <= 18 else [10.0] * 3)


@pytest.mark.parametrize("sandbox", [17], ids=["odoo17"], indirect=True)
def test_a_case_gtin_of_a_packaging_not_for_sales_says_so(client: OdooClient, odoo: odoorpc.ODOO,
                                                          sandbox: SandboxServer) -> None:
    """A packaging with Sales unticked cannot be a sale line's (16-18): the line is still refused, and the reason
    names the packaging instead of 'no product', which a coordinator searching products by barcode would not find."""
    packaging(odoo, sandbox.version, "WB-100", "Case of 24", 24, CASE_GTIN, sales=False)
    doc = x12_850("PO-CS-NS", DC_1, [f"PO1*1*10*CA*300.00**UK*{CASE_GTIN}"])
    with pytest.raises(OdooRejected, match=rf"no product in Odoo for gtin {CASE_GTIN} \(it is the barcode of "
                                           r"\[WB-100\] Blue Widget's packaging 'Case of 24', which is not for sales"):
        post(client, doc, bigbox(units={}), Cache())
