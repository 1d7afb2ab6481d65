"""The 855, 856 and 810 of an order a partner changed with an 860 name every line by the partner's own number and
acknowledge the order as the partner's changes left it, through the real pipeline, scheduler and BigBox's profiles
on the sandbox (17, 19).

BigBox's PO (lines 001 Blue Widget, 002 Red Widget, 003 Gadget Large) is changed by an 860 before it is confirmed:
001 goes from 24 to 36, 002 is deleted, 004 adds 12 Cable Bundles (Odoo's line 4)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.journal.api import State
from gateway.odoo.client import OdooClient
from gateway.odoo.sandbox import SandboxServer
from tests.odoo.test_crossdock import sample_with, scheduler, ship_lines
from tests.odoo.test_order_acks import ACK
from tests.odoo.test_outbound_odd_odoo import invoiced
from tests.odoo.test_pipeline_posting import SAMPLE, examples, pipeline_for, run
from tests.odoo.test_posting_cancel import pipeline_orders, submit
from tests.odoo.test_posting_line_changes import CHANGE_860

__all__ = ["examples"]      # the module-scoped fixture, re-exported for the tests below

pytestmark = pytest.mark.parametrize("sandbox", [17, 19], ids=["odoo17", "odoo19"], indirect=True)

PADDED_850 = sample_with(["PO1*001*24*EA*12.50*PE*BP*BB-1001*UP*614141000012*VN*WB-100", "PID*F****BLUE WIDGET",
                          "PO1*002*48*EA*8.75*PE*BP*BB-1002*UP*614141000029*VN*WR-200", "PID*F****RED WIDGET",
                          "PO1*003*6*EA*42.00*PE*BP*BB-1003*UP*614141000036*VN*GL-300", "PID*F****GADGET LARGE",
                          "CTT*3*78"])


def padded_860() -> bytes:
    """BigBox's sample 860 for the padded PO: 001 24 -> 36, 002 deleted, 004 added."""
    head, _, rest = CHANGE_860.read_text().partition("POC*")
    tail = rest[rest.index("CTT*"):]
    body = ["POC*001*QI*36*36*EA*12.50*PE*BP*BB-1001*UP*614141000012*VN*WB-100",
            "POC*002*DI*0*0*EA***BP*BB-1002*UP*614141000029*VN*WR-200",
            "POC*004*AI*12*12*EA*30.00*PE*BP*BB-1004*UP*614141000043*VN*CB-400", "PID*F****CABLE BUNDLE"]
    text = head + "~\n".join(body) + "~\n" + tail.replace("SE*11*", "SE*10*").replace("CTT*4~", "CTT*3~")
    return text.encode()


def acknowledging(pipeline: Any) -> None:
    """BigBox's settings with the 855 on confirmation."""
    partner = pipeline.config.partners["bigbox"]
    pipeline.config.partners["bigbox"] = partner.model_copy(update={"documents": [*partner.documents, ACK]})


def segments(data: bytes, *tags: str) -> list[list[str]]:
    return [seg.split("*") for seg in data.decode().replace("\n", "").split("~") if seg.split("*")[0] in tags]


def sent(pipeline: Any, doc_type: str) -> bytes:
    [data] = [pipeline.archive.read(m.sha256) for m in pipeline.journal.find(limit=100) if m.doc_type == doc_type]
    return data


async def test_a_changed_po_goes_out_under_the_partners_line_numbers(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO) -> None:
    pipeline, _ = pipeline_for(tmp_path, examples, sandbox)
    acknowledging(pipeline)
    for data, name in ((PADDED_850, "850_padded.edi"), (padded_860(), "860_padded.edi")):
        message = run(pipeline, (await submit(pipeline, data, name)).id, {State.DONE, State.QUARANTINED})
        assert message.state is State.DONE, message.last_error
    [so] = pipeline_orders(odoo)
    rows = odoo.execute_kw("sale.order.line", "search_read", [[("order_id", "=", so["id"])]],
                           {"fields": ["sequence", "product_id", "product_uom_qty"], "order": "sequence"})
    assert [(r["sequence"], r["product_id"][1], r["product_uom_qty"]) for r in rows] == [
        (1, "[WB-100] Blue Widget", 36), (3, "[GL-300] Gadget Large", 6), (4, "[CB-400] Cable Bundle", 12)]
    odoo.execute_kw("sale.order", "action_confirm", [[so["id"]]])
    # Odoo no longer has BigBox's item number for the Blue Widget (the customer code was removed after the order
    # came in): the documents still name it by the BP the partner ordered it by
    codes = odoo.execute_kw("product.customerinfo", "search", [[("product_code", "=", "BB-1001")]])
    odoo.execute_kw("product.customerinfo", "unlink", [codes])
    poll = scheduler(pipeline, client)
    assert await poll.run_once("bigbox", "855") == 1
    # the order as the partner's change left it, each line accepted under its number: 001 as changed to 36 (it was
    # "changed" to 36), the deleted Red Widget not acknowledged (it was "rejected"), the added line 004 too (left out)
    ack = sent(pipeline, "855")
    assert [row[1:3] for row in segments(ack, "PO1", "ACK")] == [
        ["001", "36"], ["IA", "36"], ["003", "6"], ["IA", "6"], ["004", "12"], ["IA", "12"]]
    assert b"BAK*00*AD*" in ack
    invoiced(odoo, so["id"])
    assert await poll.run_once("bigbox", "856") == 1
    assert await poll.run_once("bigbox", "810") == 1
    # 856 LIN01 / 810 IT101: the partner's numbers, 004 and not Odoo's 4 for the line the change added; LIN03 and
    # IT107 its item numbers
    assert sorted((row[1], row[3]) for row in segments(sent(pipeline, "856"), "LIN")) == [
        ("001", "BB-1001"), ("003", "BB-1003"), ("004", "BB-1004")]
    assert [(row[1], row[2], row[7]) for row in segments(sent(pipeline, "810"), "IT1")] == [
        ("001", "36", "BB-1001"), ("003", "6", "BB-1003"), ("004", "12", "BB-1004")]


async def test_a_line_ordered_in_cases_odoo_counts_in_units_is_shipped_and_billed_in_cases(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO) -> None:
    """Line 1 ordered as 2 cases of 12 (PO1*1*2*CS*150.00, PO4*12; no Odoo unit is mapped to CS) is posted as 24
    Units at 12.50. Its 856 and 810 answer in the partner's cases, as its 855 does: SN1 2 CA (ordered 2 CA), IT1 2 CA
    at 150.00. They said 24 EA at 12.50, a unit and price the retailer's PO/ASN/invoice match does not find on the PO
    line. Line 2, shipped 40 of 48 units, stays in units."""
    pipeline, _ = pipeline_for(tmp_path, examples, sandbox)
    cases = SAMPLE.read_bytes().replace(b"PO1*1*24*EA*12.50*PE*", b"PO1*1*2*CS*150.00*PE*")
    message = run(pipeline, (await submit(pipeline, cases, "850_cases.edi")).id, {State.DONE, State.QUARANTINED})
    assert message.state is State.DONE, message.last_error
    [so] = pipeline_orders(odoo)
    odoo.execute_kw("sale.order", "action_confirm", [[so["id"]]])
    ship_lines(odoo, so["id"], {1: 24, 2: 40, 3: 6})
    wizard = odoo.execute_kw("sale.advance.payment.inv", "create", [{"advance_payment_method": "delivered"}],
                             {"context": {"active_model": "sale.order", "active_ids": [so["id"]]}})
    odoo.execute_kw("sale.advance.payment.inv", "create_invoices", [[wizard]])
    [move] = odoo.execute_kw("sale.order", "read", [[so["id"]], ["invoice_ids"]])[0]["invoice_ids"]
    odoo.execute_kw("account.move", "action_post", [[move]])
    poll = scheduler(pipeline, client)
    assert await poll.run_once("bigbox", "856") == 1
    assert await poll.run_once("bigbox", "810") == 1
    assert [row[1:7] for row in segments(sent(pipeline, "856"), "SN1")] == [
        ["", "2", "CA", "", "2", "CA"], ["", "40", "EA", "", "48", "EA"], ["", "6", "EA", "", "6", "EA"]]
    assert [row[1:5] for row in segments(sent(pipeline, "810"), "IT1")] == [
        ["1", "2", "CA", "150"], ["2", "40", "EA", "8.75"], ["3", "6", "EA", "42"]]


async def test_a_case_line_a_person_changed_is_acknowledged_in_cases(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO) -> None:
    """2 cases of 12 posted as 24 Units; sales makes it 36 units before confirming. The 855 says line 1 changed to 3
    CA at 150.00 (PO102 the 2 CA ordered), in the partner's unit; it said 36 EA at 12.50, a unit the partner did
    not order the line in."""
    pipeline, _ = pipeline_for(tmp_path, examples, sandbox)
    acknowledging(pipeline)
    cases = SAMPLE.read_bytes().replace(b"PO1*1*24*EA*12.50*PE*", b"PO1*1*2*CS*150.00*PE*")
    message = run(pipeline, (await submit(pipeline, cases, "850_cases.edi")).id, {State.DONE, State.QUARANTINED})
    assert message.state is State.DONE, message.last_error
    [so] = pipeline_orders(odoo)
    [first] = odoo.execute_kw("sale.order.line", "search", [[("order_id", "=", so["id"]), ("sequence", "=", 1)]])
    odoo.execute_kw("sale.order.line", "write", [[first], {"product_uom_qty": 36}])
    odoo.execute_kw("sale.order", "action_confirm", [[so["id"]]])
    assert await scheduler(pipeline, client).run_once("bigbox", "855") == 1
    ack = sent(pipeline, "855")
    assert segments(ack, "PO1")[0][1:5] == ["1", "2", "CA", "150"]
    assert segments(ack, "ACK")[0][1:4] == ["IC", "3", "CA"]
