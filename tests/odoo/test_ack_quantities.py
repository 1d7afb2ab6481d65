"""The quantity ordered beside the quantity acknowledged, in the sandbox (17, 19): a partner's order through the real
pipeline, a person changes and confirms the quotation in Odoo (odoorpc), the scheduler queues the acknowledgment.

An 855 wrote the quantity acknowledged in PO102 as well as in ACK02: a line cut from 48 to 40 went out `PO1*2*40*...`,
a rejected one `PO1*3*0*...`, and a retailer comparing PO102 with its PO (VICS, Walmart, Target) charges the mismatch
back. PO102 is the quantity the PO ordered, ACK02 the one acknowledged; an ORDRSP likewise gives QTY+21 (ordered)
and QTY+113 (to be delivered)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.config.models import DocumentSettings
from gateway.formats import edifact, x12
from gateway.journal.api import State
from gateway.odoo.client import OdooClient
from gateway.odoo.sandbox import SandboxServer
from gateway.translate import translate
from gateway.transports.base import IntakeMeta
from tests.odoo.test_crossdock import scheduler
from tests.odoo.test_order_acks import bigbox_with_855, sent_855
from tests.odoo.test_outbound_changed_lines import acknowledging, segments, sent
from tests.odoo.test_pipeline_posting import SAMPLE, examples, pipeline_for, run
from tests.odoo.test_posting_cancel import EH_SAMPLE, pipeline_orders, sale_orders, submit

__all__ = ["examples"]      # the module-scoped fixture, re-exported for the tests below

pytestmark = pytest.mark.parametrize("sandbox", [17, 19], ids=["odoo17", "odoo19"], indirect=True)


def order_lines(odoo: odoorpc.ODOO, so: int) -> list[int]:
    return odoo.execute_kw("sale.order.line", "search", [[("order_id", "=", so)]], {"order": "sequence,id"})


async def test_a_changed_line_keeps_its_ordered_quantity_in_po102_and_a_rejected_one_too(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO) -> None:
    """BigBox ordered 24, 48 and 6; a person makes line 2 40 and deletes line 3 before confirming."""
    pipeline, acks = await bigbox_with_855(tmp_path, examples, sandbox, client)
    [so] = pipeline_orders(odoo)
    _, second, third = order_lines(odoo, so["id"])
    odoo.execute_kw("sale.order.line", "write", [[second], {"product_uom_qty": 40}])
    odoo.execute_kw("sale.order.line", "unlink", [[third]])
    odoo.execute_kw("sale.order", "action_confirm", [[so["id"]]])
    assert await acks.run_once("bigbox", "855") == 1
    [data] = sent_855(pipeline)
    assert [row[:4] for row in segments(data, "PO1", "ACK")] == [
        ["PO1", "1", "24", "EA"], ["ACK", "IA", "24", "EA"],
        ["PO1", "2", "48", "EA"], ["ACK", "IC", "40", "EA"],       # ordered 48, acknowledged 40
        ["PO1", "3", "6", "EA"], ["ACK", "IR", "6", "EA"]]         # ordered 6, all 6 rejected
    [ack] = translate(x12.parse(data).transactions[0], pipeline.config.partners["bigbox"], pipeline.config.profiles)
    assert [(line.status, line.ordered_quantity, line.quantity) for line in ack.lines] == [  # type: ignore[attr-defined]
        ("accepted", 24, 24), ("changed", 48, 40), ("rejected", 6, 0)]


async def test_cases_ordered_are_acknowledged_in_cases_while_whole_and_both_in_units_otherwise(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO) -> None:
    """Line 1 ordered as 2 cases of 12 (PO4*12; Odoo counts 24 units) and line 2 as 4 cases of 12 (48 units). A person
    makes line 1 12 units (one case) and line 2 30 units (no whole number of cases): line 1 goes back as 2 CS ordered,
    1 acknowledged; line 2 in units on both sides, 48 ordered and 30 acknowledged, never 4 beside 30."""
    pipeline, _ = pipeline_for(tmp_path, examples, sandbox)
    acknowledging(pipeline)
    cases = SAMPLE.read_bytes().replace(b"PO1*1*24*EA*12.50*PE*", b"PO1*1*2*CS*150.00*PE*") \
        .replace(b"PO1*2*48*EA*8.75*PE*", b"PO1*2*4*CS*105.00*PE*")
    message = await submit(pipeline, cases, "850_cases.edi")
    assert run(pipeline, message.id, {State.DONE}).state is State.DONE
    [so] = pipeline_orders(odoo)
    first, second, _ = order_lines(odoo, so["id"])
    quantities = odoo.execute_kw("sale.order.line", "read", [[first, second], ["product_uom_qty"]])
    assert [row["product_uom_qty"] for row in quantities] == [24.0, 48.0]
    odoo.execute_kw("sale.order.line", "write", [[first], {"product_uom_qty": 12}])
    odoo.execute_kw("sale.order.line", "write", [[second], {"product_uom_qty": 30}])
    odoo.execute_kw("sale.order", "action_confirm", [[so["id"]]])
    assert await scheduler(pipeline, client).run_once("bigbox", "855") == 1
    data = sent(pipeline, "855")
    assert [row[:4] for row in segments(data, "PO1", "ACK")][:4] == [
        ["PO1", "1", "2", "CA"], ["ACK", "IC", "1", "CA"],
        ["PO1", "2", "48", "EA"], ["ACK", "IC", "30", "EA"]]


ORDRSP_ON_CONFIRM = DocumentSettings(type="ORDRSP", direction="out", profile="eurohandel-ordrsp",
                                     trigger="order_confirmed")


async def test_an_ordrsp_gives_the_ordered_quantity_and_the_one_to_be_delivered(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO) -> None:
    """EuroHandel ordered 48 Blue Widgets, 4 cartons of Red Widgets and 10 Gadgets Large, and gets an ORDRSP when its
    order is confirmed; a person makes line 1 40 and deletes line 3. Each line says QTY+21 as ordered, QTY+113 what
    will be delivered: LIN 1 changed (3) 48 and 40, LIN 3 not accepted (7) 10 and 0; the cartons in EuroHandel's KAR,
    as it ordered them (its ORDRSP profile said DZN, what a carton is for us)."""
    pipeline, _ = pipeline_for(tmp_path, examples, sandbox)
    partner = pipeline.config.partners["eurohandel"]
    documents = [d for d in partner.documents if d.type != "ORDRSP"] + [ORDRSP_ON_CONFIRM]
    pipeline.config.partners["eurohandel"] = partner.model_copy(update={"documents": documents})
    message = await pipeline.submit(EH_SAMPLE.read_bytes(), IntakeMeta(channel="folder", filename=EH_SAMPLE.name))
    done = run(pipeline, message.id, {State.DONE, State.QUARANTINED})
    assert done.state is State.DONE, done.last_error
    [so] = sale_orders(odoo, "4500012345")
    first, _, third = order_lines(odoo, so["id"])
    odoo.execute_kw("sale.order.line", "write", [[first], {"product_uom_qty": 40}])
    odoo.execute_kw("sale.order.line", "unlink", [[third]])
    odoo.execute_kw("sale.order", "action_confirm", [[so["id"]]])
    assert await scheduler(pipeline, client).run_once("eurohandel", "ORDRSP") == 1
    data = sent(pipeline, "ORDRSP")
    text = data.decode("latin-1")
    lines = [s.strip() for s in text.split("'") if s.strip().startswith(("LIN", "QTY"))]
    assert lines == ["LIN+1+3+0614141000012:EN", "QTY+21:48:PCE", "QTY+113:40:PCE",
                     "LIN+2+5+0614141000029:EN", "QTY+21:4:KAR", "QTY+113:4:KAR",
                     "LIN+3+7+0614141000036:EN", "QTY+21:10:PCE", "QTY+113:0:PCE"], text
    result = edifact.parse(data)
    [ack] = translate(result.transactions[0], pipeline.config.partners["eurohandel"], pipeline.config.profiles)
    assert [(line.ordered_quantity, line.quantity) for line in ack.lines] == [  # type: ignore[attr-defined]
        (48, 40), (4, 4), (10, 0)]


VENDOR_855 = ("ISA*00*          *00*          *ZZ*ACMEDIST       *12*8005551234     *261202*1630*^*00501*000000001*0*P*:~"
              "GS*PR*ACMEDIST*NORTHWIND*20261202*1630*1*X*005010~ST*855*0001*005010~"
              "BAK*00*AC*NW-77001*20261128****S00004*20261129~"
              "PO1*1*2*CA*150.00*PE*IN*NW-A1~ACK*IA~"
              "PO1*2*10*EA*8.75*PE*IN*NW-A2~ACK*IC*8*EA~"
              "PO1*3*1*CA*360.00*PE*IN*NW-A4~ACK*IR~"
              "CTT*3~SE*10*0001~GE*1*1~IEA*1*000000001~")


def test_an_855_read_gives_both_quantities_and_an_ack_without_one_takes_the_ordered(
        examples: LoadedConfig, sandbox: SandboxServer) -> None:
    """A vendor's 855 (read with the base profile): ACK*IA without a quantity accepts the 2 ordered, ACK*IR without
    one rejects all of the 1 ordered, ACK*IC*8 acknowledges 8 of the 10 ordered."""
    result = x12.parse(VENDOR_855.encode())
    assert [str(i) for i in result.errors] == []
    [ack] = translate(result.transactions[0], None, examples.profiles, profile="x12-005010-855")
    assert [(line.status, line.ordered_quantity, line.quantity) for line in ack.lines] == [  # type: ignore[attr-defined]
        ("accepted", Decimal(2), Decimal(2)), ("changed", Decimal(10), Decimal(8)), ("rejected", Decimal(1), 0)]


async def test_a_line_a_person_moved_to_another_unit_gives_the_ordered_quantity_in_that_unit(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO) -> None:
    """BigBox ordered 24 Blue and 48 Red Widgets (EA); a person makes the Red Widgets 3 Dozens, and the Blue ones 24
    Dozens (the number kept, the unit changed). PO102/PO103 are one quantity with its unit, so the 48 ordered go out as
    the 4 dozens they are beside the 3 acknowledged, not as '48 DZ'; the 24 Dozens are a change, not 24 as ordered."""
    pipeline, acks = await bigbox_with_855(tmp_path, examples, sandbox, client)
    [so] = pipeline_orders(odoo)
    first, second, _ = order_lines(odoo, so["id"])
    unit = "product_uom_id" if "product_uom_id" in odoo.env["sale.order.line"].fields_get() else "product_uom"
    [dozens] = odoo.execute_kw("uom.uom", "search", [[("name", "=", "Dozens")]])
    odoo.execute_kw("sale.order.line", "write", [[second], {unit: dozens, "product_uom_qty": 3}])
    odoo.execute_kw("sale.order.line", "write", [[first], {unit: dozens, "product_uom_qty": 24}])
    odoo.execute_kw("sale.order", "action_confirm", [[so["id"]]])
    assert await acks.run_once("bigbox", "855") == 1
    [data] = sent_855(pipeline)
    assert [row[:4] for row in segments(data, "PO1", "ACK")][:4] == [
        ["PO1", "1", "2", "DZ"], ["ACK", "IC", "24", "DZ"],
        ["PO1", "2", "4", "DZ"], ["ACK", "IC", "3", "DZ"]]


VENDOR_ORDRSP = ("UNA:+.? 'UNB+UNOC:3+4012345000009:14+0614141000005:14+261127:0815+V1'"
                 "UNH+1+ORDRSP:D:96A:UN:EAN005'BGM+231+R-77+4'DTM+137:20261127:102'RFF+ON:PO-77'"
                 "LIN+1+5+0614141000012:EN'QTY+21:48:PCE'"
                 "LIN+2+7+0614141000029:EN'QTY+21:4:PCE'"
                 "LIN+3+3+0614141000036:EN'QTY+21:10:PCE'QTY+113:6:PCE'"
                 "UNS+S'CNT+2:3'UNT+14+1'UNZ+1+V1'")


@pytest.mark.parametrize("version", ["d96a", "d01b"])
def test_an_ordrsp_read_gives_both_quantities_and_a_line_with_qty_21_alone_takes_the_ordered(
        examples: LoadedConfig, sandbox: SandboxServer, version: str) -> None:
    """A supplier's ORDRSP: LIN 1 accepted with QTY+21 alone (48 to be delivered), LIN 2 not accepted with QTY+21
    alone (none of the 4), LIN 3 changed: 10 ordered, QTY+113 6 to be delivered."""
    text = VENDOR_ORDRSP if version == "d96a" else VENDOR_ORDRSP.replace("D:96A:UN:EAN005", "D:01B:UN:EAN010")
    result = edifact.parse(text.encode())
    assert [str(i) for i in result.errors] == []
    [ack] = translate(result.transactions[0], None, examples.profiles, profile=f"edifact-{version}-ordrsp")
    assert [(line.status, line.ordered_quantity, line.quantity) for line in ack.lines] == [  # type: ignore[attr-defined]
        ("accepted", 48, 48), ("rejected", 4, 0), ("changed", 10, 6)]


async def test_a_case_line_a_person_moved_to_dozens_is_a_change_in_dozens(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO) -> None:
    """2 cases of 12 posted as 24 Units at 12.50; a person makes the line 24 Dozens at 12.50 (the number and price
    kept, the unit changed): a change, 2 dozens ordered beside the 24 acknowledged, not 2 cases accepted as sent."""
    pipeline, _ = pipeline_for(tmp_path, examples, sandbox)
    acknowledging(pipeline)
    cases = SAMPLE.read_bytes().replace(b"PO1*1*24*EA*12.50*PE*", b"PO1*1*2*CS*150.00*PE*")
    message = await submit(pipeline, cases, "850_cases.edi")
    assert run(pipeline, message.id, {State.DONE}).state is State.DONE
    [so] = pipeline_orders(odoo)
    first, _, _ = order_lines(odoo, so["id"])
    unit = "product_uom_id" if "product_uom_id" in odoo.env["sale.order.line"].fields_get() else "product_uom"
    [dozens] = odoo.execute_kw("uom.uom", "search", [[("name", "=", "Dozens")]])
    odoo.execute_kw("sale.order.line", "write", [[first], {unit: dozens, "product_uom_qty": 24}])
    odoo.execute_kw("sale.order.line", "write", [[first], {"price_unit": 12.5}])     # Odoo made it a dozen's
    odoo.execute_kw("sale.order", "action_confirm", [[so["id"]]])
    assert await scheduler(pipeline, client).run_once("bigbox", "855") == 1
    assert [row[:4] for row in segments(sent(pipeline, "855"), "PO1", "ACK")][:2] == [
        ["PO1", "1", "2", "DZ"], ["ACK", "IC", "24", "DZ"]]
