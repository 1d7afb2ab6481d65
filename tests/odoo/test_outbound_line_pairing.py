"""Outbound 856/810 lines are paired with the partner's lines by the order line they ship or bill, not by its
sequence alone, through the real pipeline, scheduler and BigBox's profiles on the sandbox (17, 19).

Odoo gives a sale order line made without a sequence (through the API, an import, a module) its default, 10; an
order posted from a PO of ten or more lines already has a line 10, the partner's line 10. Two order lines then share
sequence 10, and only one of them is the partner's line."""

from __future__ import annotations

from pathlib import Path

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.journal.api import State
from gateway.odoo.client import OdooClient
from gateway.odoo.sandbox import SandboxServer
from tests.odoo.test_crossdock import (
    sample_with,
    scheduler,
    sent_rows,
    ship_lines,
    shipped_asn,
    split_po,
    store_items,
)
from tests.odoo.test_extraction import deliver, invoice
from tests.odoo.test_outbound_changed_lines import acknowledging, segments, sent
from tests.odoo.test_outbound_odd_odoo import invoiced
from tests.odoo.test_pipeline_posting import SAMPLE, examples, pipeline_for, run
from tests.odoo.test_posting_cancel import pipeline_orders, submit

__all__ = ["examples"]      # the module-scoped fixture, re-exported for the tests below

pytestmark = pytest.mark.parametrize("sandbox", [17, 19], ids=["odoo17", "odoo19"], indirect=True)

BLUE = "PO1*{n}*1*EA*12.50*PE*BP*BB-1001*UP*614141000012*VN*WB-100"
GADGET = "PO1*{n}*1*EA*42.00*PE*BP*BB-1003*UP*614141000036*VN*GL-300"
# line 10: 2 cases of 12 Red Widgets (no Odoo unit is mapped to CS: posted as 24 Units at 8.75)
TEN_LINES = sample_with([*(BLUE.format(n=n) if n % 2 else GADGET.format(n=n) for n in range(1, 10)),
                         "PO1*10*2*CS*105.00*PE*BP*BB-1002*UP*614141000029*VN*WR-200", "PO4*12*1*EA", "CTT*10*11"])


async def test_a_line_a_person_added_with_the_sequence_of_a_partner_line_keeps_its_own_item_and_unit(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO) -> None:
    """Sales adds 24 Cable Bundles to the ten-line PO's order through the API: Odoo numbers the line 10, as the
    partner's line 10 (2 cases of Red Widgets). The 856 and 810 named the Cable Bundles by line 10's item numbers
    (BP BB-1002, the Red Widget's UPC) and in its cases (2 CA, at 360.00 a case): the retailer's receiving and
    invoice match see a second shipment of its Red Widgets. They keep their own item numbers and units."""
    pipeline, _ = pipeline_for(tmp_path, examples, sandbox)
    message = run(pipeline, (await submit(pipeline, TEN_LINES, "850_ten.edi")).id, {State.DONE, State.QUARANTINED})
    assert message.state is State.DONE, message.last_error
    [so] = pipeline_orders(odoo)
    [cable] = odoo.execute_kw("product.product", "search", [[("default_code", "=", "CB-400")]])
    odoo.execute_kw("sale.order.line", "create", [{"order_id": so["id"], "product_id": cable, "product_uom_qty": 24}])
    rows = odoo.execute_kw("sale.order.line", "search_read", [[("order_id", "=", so["id"])]],
                           {"fields": ["sequence", "product_id"], "order": "sequence, id"})
    assert [(r["sequence"], r["product_id"][1]) for r in rows[-2:]] == [
        (10, "[WR-200] Red Widget"), (10, "[CB-400] Cable Bundle")]
    odoo.execute_kw("sale.order", "action_confirm", [[so["id"]]])
    invoiced(odoo, so["id"])
    poll = scheduler(pipeline, client)
    assert await poll.run_once("bigbox", "856") == 1
    assert await poll.run_once("bigbox", "810") == 1
    # LIN: line number, then the qualified ids (BP, UP, VN ...); SN1: shipped quantity and unit
    shipped = {(lin[3], lin[1]): sn1[2:4] for lin, sn1 in zip(segments(sent(pipeline, "856"), "LIN"),
                                                              segments(sent(pipeline, "856"), "SN1"), strict=True)}
    assert shipped[("BB-1002", "10")] == ["2", "CA"]                # the partner's line 10, in its cases
    assert shipped[("BB-1004", "10")] == ["24", "EA"]               # the Cable Bundles as Odoo has them
    billed = {(it1[7], it1[1]): it1[2:5] for it1 in segments(sent(pipeline, "810"), "IT1")}
    assert billed[("BB-1002", "10")] == ["2", "CA", "105"]
    assert billed[("BB-1004", "10")] == ["24", "EA", "30"]


async def test_a_case_line_whose_shipment_is_not_all_whole_cases_goes_out_in_units_throughout(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO) -> None:
    """2 cases of 12 Blue Widgets (no Odoo unit mapped to CS: 24 Units), one case for store 0107 and one for 0203;
    the warehouse ships 18. Store 0107 gets 12, a whole case, and 0203 6. The ASN said 1 CA for 0107 and 6 EA for
    0203: one PO line in two units, which a retailer adding up the line reads as 7 of 2 cases shipped. Every item of
    a line goes out in cases only when each of them is whole cases, else all in units."""
    [widget] = odoo.execute_kw("product.product", "search", [[("default_code", "=", "WB-100")]])
    edi = sample_with(["PO1*1*2*CS*150.00*PE*BP*BB-1001*UP*614141000012*VN*WB-100", "PID*F****BLUE WIDGET",
                       "PO4*12*1*EA", "SDQ*CS*92*0107*1*0203*1", "CTT*1*2"])
    rows = sent_rows(*await shipped_asn(tmp_path, examples, sandbox, client, odoo,
                                        lambda so: deliver(odoo, so, partial={widget: 18.0}), edi=edi))
    assert [row[2:4] for row in rows if row[0] == "SN1"] == [["12", "EA"], ["6", "EA"]]


async def test_an_invoice_of_two_store_orders_of_a_split_po_names_each_orders_lines(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO) -> None:
    """PO lines A (Blue Widgets for stores 0107 and 0203), B and C (for the DC), `store_orders: split`: three sale
    orders. Billing invoices the DC's order and store 0107's together, one invoice for the PO (Odoo's consolidated
    invoicing groups orders by customer and currency, and the invoice keeps the first order's delivery address,
    the DC). Store 0107's widgets were paired with the DC's share of the PO: IT1 'B', the Red Widget's BB-1002.
    Each order's lines are paired with that order's share: 'A', BB-1001."""
    pipeline, journal = await split_po(tmp_path, examples, sandbox)
    orders = odoo.execute_kw("sale.order", "search_read", [[("client_order_ref", "=", "4500001234")]],
                             {"fields": ["order_line", "partner_shipping_id"], "order": "id"})
    [dc] = [so["id"] for so in orders if len(so["order_line"]) == 2]
    store = next(so for so in orders if len(so["order_line"]) == 1)
    odoo.execute_kw("sale.order", "action_confirm", [[dc, store["id"]]])
    deliver(odoo, dc)
    deliver(odoo, store["id"])
    move = invoice(odoo, dc)                     # the DC's invoice, consolidated with the store's order's line
    [row] = odoo.execute_kw("sale.order.line", "read", [store["order_line"], ["product_id", "product_uom_qty",
                                                                              "price_unit"]])
    odoo.execute_kw("account.move", "write", [[move], {"invoice_line_ids": [[0, 0, {
        "product_id": row["product_id"][0], "quantity": row["product_uom_qty"], "price_unit": row["price_unit"],
        "sale_line_ids": [[6, 0, [row["id"]]]]}]]}])
    odoo.execute_kw("account.move", "action_post", [[move]])
    assert await scheduler(pipeline, client).run_once("bigbox", "810") == 1
    [sent_810] = [m for m in journal.find(limit=50) if m.doc_type == "810"]
    billed = [(it1[1], it1[7]) for it1 in segments(pipeline.archive.read(sent_810.sha256), "IT1")]
    assert billed == [("B", "BB-1002"), ("C", "BB-1003"), ("A", "BB-1001")]


async def test_a_line_a_person_split_goes_out_as_the_partners_line(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO) -> None:
    """Sales splits BigBox's line 2 (48 Red Widgets) in two: 24 stay on it, 24 go on a new line dragged under it,
    which Odoo's list numbers 3, the Gadget line becoming 4. The new line went out in the 856 and 810 as line 3,
    the partner's Gadget line, with the Red Widget's numbers (and the Gadgets as line 3 too), and the 855 said line
    2 changed to 24. It is line 2, the partner's only line of its product, and the 855 accepts line 2's 48."""
    pipeline, _ = pipeline_for(tmp_path, examples, sandbox)
    acknowledging(pipeline)
    message = run(pipeline, (await submit(pipeline, SAMPLE.read_bytes(), "850.edi")).id, {State.DONE})
    assert message.state is State.DONE, message.last_error
    [so] = pipeline_orders(odoo)
    rows = {r["sequence"]: r for r in odoo.execute_kw("sale.order.line", "search_read", [[("order_id", "=", so["id"])]],
                                                      {"fields": ["sequence", "product_id", "price_unit"]})}
    odoo.execute_kw("sale.order.line", "write", [[rows[2]["id"]], {"product_uom_qty": 24}])
    odoo.execute_kw("sale.order.line", "write", [[rows[3]["id"]], {"sequence": 4}])
    odoo.execute_kw("sale.order.line", "create", [{"order_id": so["id"], "product_id": rows[2]["product_id"][0],
                                                   "product_uom_qty": 24, "price_unit": rows[2]["price_unit"],
                                                   "sequence": 3}])
    odoo.execute_kw("sale.order", "action_confirm", [[so["id"]]])
    poll = scheduler(pipeline, client)
    assert await poll.run_once("bigbox", "855") == 1
    assert [row[1:3] for row in segments(sent(pipeline, "855"), "PO1", "ACK")] == [
        ["1", "24"], ["IA", "24"], ["2", "48"], ["IA", "48"], ["3", "6"], ["IA", "6"]]
    invoiced(odoo, so["id"])
    assert await poll.run_once("bigbox", "856") == 1
    assert await poll.run_once("bigbox", "810") == 1
    assert sorted((lin[1], lin[3]) for lin in segments(sent(pipeline, "856"), "LIN")) == [
        ("1", "BB-1001"), ("2", "BB-1002"), ("2", "BB-1002"), ("3", "BB-1003")]
    assert sorted((it1[1], it1[2], it1[7]) for it1 in segments(sent(pipeline, "810"), "IT1")) == [
        ("1", "24", "BB-1001"), ("2", "24", "BB-1002"), ("2", "24", "BB-1002"), ("3", "6", "BB-1003")]


async def test_a_split_case_line_shipped_short_is_shipped_and_billed_in_units_throughout(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO) -> None:
    """Line 1, 2 cases of 12 (24 Units), split by sales into 12 and 12; the warehouse ships 12 and 4, which are
    invoiced. The 810 billed line 1 as 1 CA at 150.00 and 4 EA at 12.50: one PO line in two units, 5 of its 2
    cases to a retailer adding up the line. Both parts go out in units, in the 856 and the 810."""
    pipeline, _ = pipeline_for(tmp_path, examples, sandbox)
    cases = SAMPLE.read_bytes().replace(b"PO1*1*24*EA*12.50*PE*", b"PO1*1*2*CS*150.00*PE*")
    message = run(pipeline, (await submit(pipeline, cases, "850_cases.edi")).id, {State.DONE, State.QUARANTINED})
    assert message.state is State.DONE, message.last_error
    [so] = pipeline_orders(odoo)
    [first] = odoo.execute_kw("sale.order.line", "search_read", [[("order_id", "=", so["id"]), ("sequence", "=", 1)]],
                              {"fields": ["product_id", "price_unit"]})
    odoo.execute_kw("sale.order.line", "write", [[first["id"]], {"product_uom_qty": 12}])
    odoo.execute_kw("sale.order.line", "create", [{"order_id": so["id"], "product_id": first["product_id"][0],
                                                   "product_uom_qty": 12, "price_unit": first["price_unit"],
                                                   "sequence": 5}])
    odoo.execute_kw("sale.order", "action_confirm", [[so["id"]]])
    ship_lines(odoo, so["id"], {1: 12, 5: 4, 2: 48, 3: 6})
    odoo.execute_kw("account.move", "action_post", [[invoice(odoo, so["id"])]])
    poll = scheduler(pipeline, client)
    assert await poll.run_once("bigbox", "856") == 1
    assert await poll.run_once("bigbox", "810") == 1
    lines = [(lin[1], sn1[2], sn1[3]) for lin, sn1 in zip(segments(sent(pipeline, "856"), "LIN"),
                                                           segments(sent(pipeline, "856"), "SN1"), strict=True)]
    assert sorted(line for line in lines if line[0] == "1") == [("1", "12", "EA"), ("1", "4", "EA")]
    billed = sorted(tuple(it1[1:5]) for it1 in segments(sent(pipeline, "810"), "IT1") if it1[1] == "1")
    assert billed == [("1", "12", "EA", "12.5"), ("1", "4", "EA", "12.5")]


async def test_a_cross_dock_order_whose_lines_a_person_reordered_is_split_by_the_partners_lines(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO) -> None:
    """BigBox's DC order with every line allocated to stores 0107, 0203 and 0311; sales drags the lines into
    another order in Odoo (Red Widgets 1, Gadgets 2, Blue Widgets 3). The store split took each item for the PO line
    of its new sequence: the Blue Widgets were split by the Gadgets' allocations (2 a store, 18 to the DC), the Red
    Widgets by the Blue Widgets'. Each item is split by its own line's allocations."""
    def reordered_and_shipped(so: int) -> None:
        rows = {r["sequence"]: r["id"] for r in odoo.execute_kw(
            "sale.order.line", "search_read", [[("order_id", "=", so)]], {"fields": ["sequence"]})}
        for old, new in ((1, 3), (2, 1), (3, 2)):
            odoo.execute_kw("sale.order.line", "write", [[rows[old]], {"sequence": new}])
        deliver(odoo, so)

    rows = sent_rows(*await shipped_asn(tmp_path, examples, sandbox, client, odoo, reordered_and_shipped))
    assert sorted(store_items(rows), key=str) == sorted([
        ("0107", "1", "12", "EA"), ("0107", "2", "16", "EA"), ("0107", "3", "2", "EA"),
        ("0203", "1", "6", "EA"), ("0203", "2", "16", "EA"), ("0203", "3", "2", "EA"),
        ("0311", "1", "6", "EA"), ("0311", "2", "16", "EA"), ("0311", "3", "2", "EA")], key=str)


async def test_a_product_a_person_put_on_a_line_is_named_as_it_is(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO) -> None:
    """Sales puts Cable Bundles on BigBox's line 2 in place of the Red Widgets (out of stock). The 855 accepted
    line 2 as ordered, and the 856 and 810 named the Cable Bundles by the Red Widget's numbers (BP BB-1002, its
    UPC): the DC's scan of the cartons and the invoice match find another item than the ASN says. Line 2 is
    acknowledged as changed and shipped and billed under its number with the Cable Bundle's own numbers."""
    pipeline, _ = pipeline_for(tmp_path, examples, sandbox)
    acknowledging(pipeline)
    message = run(pipeline, (await submit(pipeline, SAMPLE.read_bytes(), "850.edi")).id, {State.DONE})
    assert message.state is State.DONE, message.last_error
    [so] = pipeline_orders(odoo)
    [second] = odoo.execute_kw("sale.order.line", "search", [[("order_id", "=", so["id"]), ("sequence", "=", 2)]])
    [cable] = odoo.execute_kw("product.product", "search", [[("default_code", "=", "CB-400")]])
    odoo.execute_kw("sale.order.line", "write", [[second], {"product_id": cable, "product_uom_qty": 48,
                                                            "price_unit": 8.75}])
    odoo.execute_kw("sale.order", "action_confirm", [[so["id"]]])
    poll = scheduler(pipeline, client)
    assert await poll.run_once("bigbox", "855") == 1
    ack = segments(sent(pipeline, "855"), "PO1", "ACK")
    assert [(row[1], row[7]) for row in ack if row[0] == "PO1"] == [("1", "BB-1001"), ("2", "BB-1004"),
                                                                     ("3", "BB-1003")]
    assert [row[1] for row in ack if row[0] == "ACK"] == ["IA", "IC", "IA"]
    invoiced(odoo, so["id"])
    assert await poll.run_once("bigbox", "856") == 1
    assert await poll.run_once("bigbox", "810") == 1
    assert sorted((lin[1], lin[3]) for lin in segments(sent(pipeline, "856"), "LIN")) == [
        ("1", "BB-1001"), ("2", "BB-1004"), ("3", "BB-1003")]
    assert sorted((it1[1], it1[7]) for it1 in segments(sent(pipeline, "810"), "IT1")) == [
        ("1", "BB-1001"), ("2", "BB-1004"), ("3", "BB-1003")]


async def test_ean_only_lines_a_person_reordered_keep_their_numbers(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO) -> None:
    """A PO naming its items by their EAN-13 alone (PO1 EN, as EANCOM partners and some X12 ones do): Odoo keeps
    the products' barcodes as 14-digit GTINs or 12-digit UPCs, the same numbers. After sales reorders the lines
    (Red 1, Gadget 2, Blue 3), each shipped item goes out under the partner's line it is: the pairing compared
    only identifiers of the same kind, found none, and fell back to the sequence, so the Red Widgets went out as
    line 1 under the Blue Widget's EAN."""
    body = ["PO1*1*12*EA*12.50*PE*EN*0614141000012", "PO1*2*24*EA*8.75*PE*EN*0614141000029",
            "PO1*3*6*EA*42.00*PE*EN*0614141000036", "CTT*3*42"]
    pipeline, _ = pipeline_for(tmp_path, examples, sandbox)
    message = run(pipeline, (await submit(pipeline, sample_with(body), "850_ean.edi")).id,
                  {State.DONE, State.QUARANTINED})
    assert message.state is State.DONE, message.last_error
    [so] = pipeline_orders(odoo)
    rows = {r["sequence"]: r["id"] for r in odoo.execute_kw(
        "sale.order.line", "search_read", [[("order_id", "=", so["id"])]], {"fields": ["sequence"]})}
    for old, new in ((1, 3), (2, 1), (3, 2)):
        odoo.execute_kw("sale.order.line", "write", [[rows[old]], {"sequence": new}])
    odoo.execute_kw("sale.order", "action_confirm", [[so["id"]]])
    deliver(odoo, so["id"])
    poll = scheduler(pipeline, client)
    assert await poll.run_once("bigbox", "856") == 1
    lins = segments(sent(pipeline, "856"), "LIN")
    named = {(lin[1], lin[lin.index("EN") + 1]) for lin in lins if "EN" in lin}
    assert named == {("1", "0614141000012"), ("2", "0614141000029"), ("3", "0614141000036")}, lins
