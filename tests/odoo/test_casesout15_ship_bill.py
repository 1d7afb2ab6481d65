"""The 856 and 810 of a line ordered by its case's GTIN state it as ordered, as the 855 does: in cases, the case's
GTIN, a case's price. BigBox orders PO1*1*10*CA*300.00**UK*10614141000019 (the Blue Widget's case of 24), posted
16-18 as 240 Units in that packaging, 19 as 10 of the packaging unit. The 856 said LIN UP 614141000012 / SN1 240 EA
and the 810 IT1 240 EA at 12.50 with the unit's GTIN on 17 (a PO/ASN/invoice match finds no such line, and receiving
counts 240 cases); on 19 both were held for the unit 'Case of 24'. A shipment that is not whole cases goes out in
units with the unit's own GTIN, as a line ordered with a PO4 pack does (the whole line, so that it adds up).

Through the pipeline (the 850), the scheduler and BigBox's profiles on the sandbox over HTTP (17, 19)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.journal.api import State
from gateway.odoo.client import OdooClient
from gateway.odoo.sandbox import SandboxServer
from gateway.transports.base import IntakeMeta
from tests.odoo.test_caseorders15_gtin import (
    BLUE_CASES,
    BLUE_LIN,
    CASE_GTIN,
    EUROHANDEL,
    confirmed,
    examples,
    ordered_in_cases,
)
from tests.odoo.test_caseorders15r_gtin import CABLE_CASE, CASE_860
from tests.odoo.test_crossdock import scheduler
from tests.odoo.test_extraction import deliver, invoice
from tests.odoo.test_outbound_changed_lines import segments, sent
from tests.odoo.test_outbound_odd_odoo import invoiced
from tests.odoo.test_pipeline_posting import pipeline_for, run
from tests.odoo.test_posting_cancel import submit
from tests.odoo.test_stock15_cases import packaging

__all__ = ["examples"]          # the module's fixture, shared

pytestmark = pytest.mark.parametrize("sandbox", [17, 19], ids=["odoo17", "odoo19"], indirect=True)

UNIT_UPC = "614141000012"           # one Blue Widget's


def line_of(rows: list[list[str]], number: str) -> list[str]:
    return next(row for row in rows if row[1] == number)


async def test_a_line_ordered_by_its_case_gtin_is_shipped_and_billed_in_those_cases(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, client: OdooClient,
        odoo: odoorpc.ODOO) -> None:
    pipeline, first = await ordered_in_cases(tmp_path, examples, sandbox, odoo)
    await shipped_and_billed_in_cases(pipeline, client, odoo, first)


async def shipped_and_billed_in_cases(pipeline: Any, client: OdooClient, odoo: odoorpc.ODOO,
                                      first: dict[str, Any]) -> None:
    """The order of BigBox's case line `first` (10 cases of the Blue Widget's case of 24) confirmed, delivered and
    invoiced: its 856 and 810 state the line as ordered, 10 CA at 300 under the case's GTIN, not the unit's UPC."""
    so, _ = confirmed(odoo, first)
    invoiced(odoo, so)
    poll = scheduler(pipeline, client)
    assert await poll.run_once("bigbox", "856") == 1
    assert await poll.run_once("bigbox", "810") == 1
    asn = sent(pipeline, "856")
    lin = line_of(segments(asn, "LIN"), "1")
    assert CASE_GTIN in lin and UNIT_UPC not in "*".join(lin), lin       # the case, not a unit of it
    sn1 = segments(asn, "LIN", "SN1")
    assert sn1[sn1.index(lin) + 1][1:7] == ["", "10", "CA", "", "10", "CA"]
    it1 = line_of(segments(sent(pipeline, "810"), "IT1"), "1")
    assert it1[2:5] == ["10", "CA", "300"] and CASE_GTIN in it1 and UNIT_UPC not in "*".join(it1), it1


@pytest.mark.parametrize("qualifier", ["UK", "BP"])
async def test_a_shipment_of_a_case_line_that_is_not_whole_cases_goes_out_in_units_with_their_gtin(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, client: OdooClient,
        odoo: odoorpc.ODOO, qualifier: str) -> None:
    """The warehouse ships 228 of the 240 widgets (9.5 cases; on 19 a move line of 228 Units): SN1 228 EA of the
    240 ordered, named by the widget's own UPC under the partner's line 1, never '9.5 CA' nor the case's GTIN on
    units. 16-18 say the 240 ordered beside them (SN105), 19 nothing there: its order line counts 10 cases, which
    are not 10 EA. The 810 bills them alike, 228 EA at 12.50; on 19 Odoo invoices 9.5 of the case unit, which went
    out as IT1 9.5 CA at 300 while the 856 said 228 EA. The same when the case's GTIN is the buyer's item number
    (BP): it names the case, not a unit of it."""
    line = BLUE_CASES.replace(b"**UK*", f"**{qualifier}*".encode())
    pipeline, first = await ordered_in_cases(tmp_path, examples, sandbox, odoo, line)
    so, widget = confirmed(odoo, first)
    if sandbox.version >= 19:       # a person counts the widgets: the move line in Units
        [units] = odoo.execute_kw("uom.uom", "search", [[("name", "=", "Units")]])
        [pick] = odoo.execute_kw("sale.order", "read", [[so], ["picking_ids"]])[0]["picking_ids"]
        moves = odoo.execute_kw("stock.move.line", "search", [[("picking_id", "=", pick),
                                                               ("product_id", "=", widget)]])
        odoo.execute_kw("stock.move.line", "write", [moves, {"product_uom_id": units}])
    deliver(odoo, so, partial={widget: 228.0})
    odoo.execute_kw("account.move", "action_post", [[invoice(odoo, so)]])     # 19: 9.5 of the case unit
    poll = scheduler(pipeline, client)
    assert await poll.run_once("bigbox", "856") == 1
    assert await poll.run_once("bigbox", "810") == 1
    it1 = line_of(segments(sent(pipeline, "810"), "IT1"), "1")
    assert it1[2:5] == ["228", "EA", "12.5"] and UNIT_UPC in it1 and CASE_GTIN not in it1, it1
    asn = sent(pipeline, "856")
    lin = line_of(segments(asn, "LIN"), "1")
    assert UNIT_UPC in lin and CASE_GTIN not in lin, lin
    sn1 = segments(asn, "LIN", "SN1")
    ordered = ["240", "EA"] if sandbox.version <= 18 else []
    assert sn1[sn1.index(lin) + 1][1:] == ["", "228", "EA", *([""] if ordered else []), *ordered], sn1


async def eurohandel_in_cases(tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer,
                              odoo: odoorpc.ODOO) -> tuple[Any, int]:
    """EuroHandel's ORDERS naming the Blue Widget's case of 24 by its GTIN-14 alone (LIN+1++10614141000019:SRV,
    QTY+21:10:CS at PRI 300.00) through the pipeline: the pipeline and the sale order."""
    packaging(odoo, sandbox.version, "WB-100", "Case of 24", 24, CASE_GTIN)
    data = EUROHANDEL.read_bytes().replace(b"\r\n", b"\n")
    cases = f"LIN+1++{CASE_GTIN}:SRV'\nIMD+F++:::Blue Widget, Karton 24'\nQTY+21:10:CS'\nMOA+203:3000.00'\n" \
        "PRI+AAA:300.00'\n".encode()
    pipeline, _journal = pipeline_for(tmp_path, examples, sandbox)
    message = await pipeline.submit(data.replace(BLUE_LIN, cases).replace(b"UNT+34+1'", b"UNT+33+1'"),
                                    IntakeMeta(channel="folder", filename=EUROHANDEL.name))
    done = run(pipeline, message.id, {State.DONE, State.QUARANTINED})
    assert done.state is State.DONE, done.last_error
    [so] = odoo.execute_kw("sale.order", "search", [[("client_order_ref", "=", "4500012345")]])
    return pipeline, int(so)


async def despatched_and_invoiced(pipeline: Any, client: OdooClient, odoo: odoorpc.ODOO, so: int,
                                  cases: str) -> None:
    """The order confirmed, shipped and invoiced: its DESADV and INVOIC say line 1 in `cases` CS under the case's
    GTIN (QTY+12, QTY+47), at PRI+AAA:300."""
    odoo.execute_kw("sale.order", "action_confirm", [[so]])
    invoiced(odoo, so)
    poll = scheduler(pipeline, client)
    assert await poll.run_once("eurohandel", "DESADV") == 1
    assert await poll.run_once("eurohandel", "INVOIC") == 1
    for doc_type, qty in (("DESADV", f"QTY+12:{cases}:CS'"), ("INVOIC", f"QTY+47:{cases}:CS'")):
        text = sent(pipeline, doc_type).decode("latin-1").replace("\n", "")
        first = text.split("LIN+1+")[1].split("LIN+2+")[0]
        assert CASE_GTIN in first and "0614141000012" not in first and qty in first, (doc_type, first)
    assert "PRI+AAA:300" in sent(pipeline, "INVOIC").decode("latin-1").split("LIN+1+")[1].split("LIN+2+")[0]


async def test_an_edifact_line_ordered_by_its_case_gtin_is_despatched_and_invoiced_in_those_cases(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, client: OdooClient,
        odoo: odoorpc.ODOO) -> None:
    """EuroHandel's case line: its DESADV and INVOIC say the same, LIN with the case's GTIN, QTY+12:10:CS and
    QTY+47:10:CS at PRI+AAA:300, not 240 PCE of the unit's GTIN (held on 19 for 'Case of 24')."""
    pipeline, so = await eurohandel_in_cases(tmp_path, examples, sandbox, odoo)
    await despatched_and_invoiced(pipeline, client, odoo, so, "10")


CHANGE = (EUROHANDEL.parent / "later" / "ORDCHG_4500012345.edi").read_bytes() \
    .replace(b"\r\n", b"\n").replace(b"LIN+1+3+0614141000012:EN'\nQTY+21:60:PCE'",
                                     f"LIN+1+3+{CASE_GTIN}:SRV'\nQTY+21:12:CS'".encode())


async def test_an_ordchg_of_a_case_line_by_its_gtin_is_merged_in_cases_and_despatched_so(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, client: OdooClient,
        odoo: odoorpc.ODOO) -> None:
    """EuroHandel's ORDCHG makes the 10 cases 12 (LIN+1+3+<case GTIN>:SRV, QTY+21:12:CS): merged in the case (16-18
    288 units, 12 of the packaging; 19 12 of the packaging unit), 3,600.00, and despatched and invoiced as 12 CS."""
    assert f"{CASE_GTIN}:SRV".encode() in CHANGE
    pipeline, so = await eurohandel_in_cases(tmp_path, examples, sandbox, odoo)
    message = await pipeline.submit(CHANGE, IntakeMeta(channel="folder", filename="ORDCHG_4500012345.edi"))
    done = run(pipeline, message.id, {State.DONE, State.QUARANTINED})
    assert done.state is State.DONE, done.last_error
    fields = ["product_uom_qty", "price_subtotal", *(["product_packaging_qty"] if sandbox.version <= 18 else [])]
    [line] = odoo.execute_kw("sale.order.line", "search_read", [[("order_id", "=", so)]],
                             {"fields": fields, "order": "sequence, id", "limit": 1})
    assert (line["product_uom_qty"], line["price_subtotal"], line.get("product_packaging_qty", 12.0)) == \
        ((288.0 if sandbox.version <= 18 else 12.0), 3600.0, 12.0)
    await despatched_and_invoiced(pipeline, client, odoo, so, "12")


async def test_case_lines_an_860_changed_and_added_by_their_gtins_are_shipped_and_billed_in_their_cases(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, client: OdooClient,
        odoo: odoorpc.ODOO) -> None:
    """BigBox's 860 makes the 10 cases 12 and adds 5 cases of 10 Cable Bundles by their case's GTIN: the 856 and
    810 say each line as the change left it, 12 CA and 5 CA under their cases' GTINs, at 300 a case."""
    packaging(odoo, sandbox.version, "CB-400", "Case of 10", 10, CABLE_CASE)
    pipeline, first = await ordered_in_cases(tmp_path, examples, sandbox, odoo, price_policy="order")
    done = run(pipeline, (await submit(pipeline, CASE_860, "860_4500001234.edi")).id, {State.DONE, State.QUARANTINED})
    assert done.state is State.DONE, done.last_error
    so, _ = confirmed(odoo, first)
    invoiced(odoo, so)
    poll = scheduler(pipeline, client)
    assert await poll.run_once("bigbox", "856") == 1
    assert await poll.run_once("bigbox", "810") == 1
    asn = segments(sent(pipeline, "856"), "LIN", "SN1")
    shipped = {lin[1]: (lin[-1], sn1[2:4]) for lin, sn1 in zip(asn[::2], asn[1::2], strict=True)}
    assert (shipped["1"], shipped["4"]) == ((CASE_GTIN, ["12", "CA"]), (CABLE_CASE, ["5", "CA"])), shipped
    billed = {it1[1]: (it1[-1], it1[2:5]) for it1 in segments(sent(pipeline, "810"), "IT1")}
    assert (billed["1"], billed["4"]) == ((CASE_GTIN, ["12", "CA", "300"]), (CABLE_CASE, ["5", "CA", "300"])), billed


async def test_odoo19_cases_shipped_as_a_part_of_the_case_unit_go_out_in_units(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, client: OdooClient,
        odoo: odoorpc.ODOO) -> None:
    """19: the warehouse enters 9.5 on the move line in the case unit itself: SN1 228 EA, by the unit's UPC (no '9.5
    CA'); 16-18 count the line in units throughout (240 Units in the case: 228 EA as above)."""
    if sandbox.version <= 18:
        pytest.skip("16-18 count such a line in units")
    pipeline, first = await ordered_in_cases(tmp_path, examples, sandbox, odoo)
    so, widget = confirmed(odoo, first)
    deliver(odoo, so, partial={widget: 9.5})
    assert await scheduler(pipeline, client).run_once("bigbox", "856") == 1
    asn = sent(pipeline, "856")
    lin = line_of(segments(asn, "LIN"), "1")
    sn1 = segments(asn, "LIN", "SN1")
    assert UNIT_UPC in lin and sn1[sn1.index(lin) + 1][1:4] == ["", "228", "EA"], sn1
