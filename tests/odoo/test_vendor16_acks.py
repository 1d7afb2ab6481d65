"""A vendor's 855 applied to our purchase order, as a purchaser would by hand, through the pipeline into the sandbox
over HTTP (checked with odoorpc): several ACKs per PO1 (VICS repeats the ACK up to 104 times a line), each part on
its own date. Before, an 855 from a vendor was quarantined ("the gateway does not post this document type"), and
read with several ACKs a line kept the last one's (`ACK*IA*4` then `ACK*IR*6` read as the whole line rejected)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.config.models import PartnerConfig
from gateway.formats import x12
from gateway.journal.api import Message, State
from gateway.odoo.client import OdooClient
from gateway.odoo.posting import Cache, post
from gateway.odoo.sandbox import SandboxServer
from gateway.translate import translate
from gateway.transports.base import IntakeMeta
from tests.odoo.test_pipeline_posting import examples, pipeline_for, run
from tests.odoo.test_vendor_odd import purchase

__all__ = ["examples"]

VENDOR = PartnerConfig.model_validate({
    "id": "widgetworks", "name": "Widget Works", "odoo": {"partner_ref": "WIDGETWORKS"},
    "x12": {"ids": [{"qualifier": "ZZ", "id": "WIDGETWORKS"}], "gs_ids": ["WIDGETWORKS"], "ack": "none"},
    "documents": [{"type": "855", "direction": "in", "profile": "x12-004010-855"}]})


def x12_855(control: int, po: str, lines: list[str]) -> bytes:
    """Widget Works' 855 for PO `po` (BAK08 its sales order SO-<control>), one PO1 loop per item of `lines`."""
    body = [f"BAK*00*AC*{po}*20261201****SO-{control}", *lines, f"CTT*{sum(s.startswith('PO1') for s in lines)}"]
    isa = f"ISA*00*          *00*          *ZZ*WIDGETWORKS    *ZZ*ACMEDIST       *261201*0900*U*00401*{control:09d}"
    segments = [f"{isa}*0*P*>", f"GS*PR*WIDGETWORKS*ACMEDIST*20261201*0900*{control}*X*004010",
                "ST*855*0001", *body, f"SE*{len(body) + 2}*0001", f"GE*1*{control}", f"IEA*1*{control:09d}"]
    return "".join(s + "~\n" for s in segments).encode()


def sender(tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer,
           po: str) -> Callable[[int, list[str]], Awaitable[Message]]:
    """Widget Works' 855s for PO `po` through a pipeline on the sandbox, each run until posted or quarantined."""
    pipeline, _journal = pipeline_for(tmp_path, examples, sandbox)
    pipeline.config.partners["widgetworks"] = VENDOR

    async def send(control: int, lines: list[str]) -> Message:
        message = await pipeline.submit(x12_855(control, po, lines),
                                        IntakeMeta(channel="sftp", filename=f"855_{control}.edi", partner="widgetworks"))
        done: Message = run(pipeline, message.id, {State.DONE, State.QUARANTINED}, rounds=60)
        return done
    return send


def po_lines(odoo: odoorpc.ODOO, po: int) -> list[tuple[Any, ...]]:
    """(product id or None, quantity, expected arrival's day, name) of the PO's lines as Odoo orders them."""
    ids = odoo.execute_kw("purchase.order.line", "search", [[("order_id", "=", po)]], {"order": "sequence, id"})
    rows = odoo.execute_kw("purchase.order.line", "read", [ids, ["product_id", "product_qty", "date_planned", "name"]])
    return [(r["product_id"] and r["product_id"][0], r["product_qty"], str(r["date_planned"] or "")[:10], r["name"])
            for r in rows]


def expected(odoo: odoorpc.ODOO, po: int) -> list[tuple[int, float, str]]:
    """(product, quantity, day) the PO's open receipt moves expect."""
    moves = odoo.execute_kw("stock.move", "search_read", [[("purchase_line_id.order_id", "=", po),
                                                           ("state", "not in", ["done", "cancel"])],
                                                          ["product_id", "product_uom_qty", "date"]], {"order": "id"})
    return [(m["product_id"][0], m["product_uom_qty"], str(m["date"])[:10]) for m in moves]


async def test_several_acks_a_line_each_part_expected_on_its_own_date(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, client: OdooClient,
        odoo: odoorpc.ODOO) -> None:
    """PO of 10 blue and 6 red widgets. Widget Works ships 4 blue on 12-05 and backorders 6 to 12-20; it ships 2
    red and rejects 4. The blue line expects 4 on 12-05 and a line of its own 6 on 12-20 (the receipt expects each
    part on its day), the red line 2; a note line says what the vendor answered. The same acknowledgment posted
    again (a retry) is found and changes nothing; a later one moving the backorder to 12-28 updates that line."""
    po, name = purchase(odoo, [(1, 10, 7.5), (2, 6, 5.25)])
    pipeline, _journal = pipeline_for(tmp_path, examples, sandbox)
    pipeline.config.partners["widgetworks"] = VENDOR

    async def send(control: int, lines: list[str]) -> Any:
        message = await pipeline.submit(x12_855(control, name, lines),
                                        IntakeMeta(channel="sftp", filename=f"855_{control}.edi", partner="widgetworks"))
        done = run(pipeline, message.id, {State.DONE, State.QUARANTINED}, rounds=60)
        assert done.state is State.DONE, done.last_error
        return done

    lines = ["PO1*1*10*EA*7.50**VN*WW-WB-100", "ACK*IA*4*EA*068*20261205", "ACK*IB*6*EA*068*20261220",
             "PO1*2*6*EA*5.25**VN*WW-WR-200", "ACK*IA*2*EA", "ACK*IR*4*EA"]
    await send(401, lines)
    rows = po_lines(odoo, po)
    assert [row[:3] for row in rows[:3]] == [(1, 4.0, "2026-12-05"), (2, 2.0, rows[1][2]), (1, 6.0, "2026-12-20")]
    assert rows[2][3].endswith("(backordered by the vendor, line 1)")
    assert rows[3][0] is False and rows[3][3] == (
        "EDI order acknowledgment SO-401 (000000401/0001): line 1: 4 accepted for 2026-12-05, 6 backordered to "
        "2026-12-20; line 2: 2 accepted, 4 rejected")
    moves = expected(odoo, po)              # the receipt: 4 blue and 2 red as confirmed, 6 blue on 12-20
    assert [(p, q) for p, q, _ in moves] == [(1, 4.0), (2, 2.0), (1, 6.0)] and moves[2][2] == "2026-12-20"

    [ack] = translate(x12.parse(x12_855(401, name, lines)).transactions[0], VENDOR, pipeline.config.profiles)
    ack.source.interchange_control, ack.source.transaction_control = "000000401", "0001"
    [link] = post(client, ack, VENDOR, Cache())                     # a retry after a lost answer: found
    assert link.role == "found" and po_lines(odoo, po) == rows

    await send(402, ["PO1*1*10*EA*7.50**VN*WW-WB-100", "ACK*IA*4*EA*068*20261205", "ACK*IB*6*EA*068*20261228"])
    again = po_lines(odoo, po)
    assert [row[:3] for row in again if row[0]] == [(1, 4.0, "2026-12-05"), (2, 2.0, rows[1][2]),
                                                    (1, 6.0, "2026-12-28")]        # the backorder line moved


@pytest.mark.parametrize("sandbox", [17], indirect=True)
async def test_a_line_rejected_whole_is_expected_no_more(tmp_path: Path, examples: LoadedConfig,
                                                         sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    """`ACK*IR*6`: the 6 red widgets are rejected (VICS's ACK02 the quantity rejected): the line orders 0 and the
    receipt no longer expects them; the blue line, accepted as ordered, is left as it was."""
    po, name = purchase(odoo, [(1, 10, 7.5), (2, 6, 5.25)])
    pipeline, _journal = pipeline_for(tmp_path, examples, sandbox)
    pipeline.config.partners["widgetworks"] = VENDOR
    before = po_lines(odoo, po)
    message = await pipeline.submit(x12_855(501, name, ["PO1*1*10*EA*7.50**VN*WW-WB-100", "ACK*IA*10*EA",
                                                        "PO1*2*6*EA*5.25**VN*WW-WR-200", "ACK*IR*6*EA"]),
                                    IntakeMeta(channel="sftp", filename="855_501.edi", partner="widgetworks"))
    done = run(pipeline, message.id, {State.DONE, State.QUARANTINED}, rounds=60)
    assert done.state is State.DONE, done.last_error
    after = po_lines(odoo, po)
    assert after[0] == before[0] and after[1][:2] == (2, 0.0)
    assert after[2][3] == "EDI order acknowledgment SO-501 (000000501/0001): line 2: rejected 6"
    assert [(p, q) for p, q, _ in expected(odoo, po)] == [(1, 10.0)]              # the red move cancelled


BLUE_8 = ["LIN+1+3+0614141000012:EN", "PIA+1+WW-WB-100:SA", "QTY+21:10:PCE", "QTY+113:8:PCE", "DTM+69:20261210:102"]


def ordrsp(po: str, blue: list[str] = BLUE_8) -> bytes:
    """Widget Works' D96A ORDRSP: the blue widgets' LIN group (8 of the 10, promised for 12-10: DTM+69 in the LIN
    group), and the red ones accepted as ordered."""
    body = ["BGM+231+OR-77+4", "DTM+137:20261201:102", f"RFF+ON:{po}", "NAD+SU+4000000000009::9", *blue,
            "LIN+2+5+0614141000029:EN", "PIA+1+WW-WR-200:SA", "QTY+21:6:PCE", "QTY+113:6:PCE", "UNS+S", "CNT+2:2"]
    segments = ["UNB+UNOC:3+4000000000009:14+0614141000005:14+261201:0900+77", "UNH+1+ORDRSP:D:96A:UN:EAN005",
                *body, f"UNT+{len(body) + 2}+1", "UNZ+1+77"]
    return ("UNA:+.? '" + "".join(s + "'" for s in segments)).encode()


async def ordrsp_posted(tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, data: bytes) -> None:
    """`data`, an ORDRSP from Widget Works, through the pipeline, posted."""
    pipeline, _journal = pipeline_for(tmp_path, examples, sandbox)
    pipeline.config.partners["widgetworks"] = PartnerConfig.model_validate({
        "id": "widgetworks", "odoo": {"partner_ref": "WIDGETWORKS"},
        "edifact": {"ids": [{"qualifier": "14", "id": "4000000000009"}]},
        "documents": [{"type": "ORDRSP", "direction": "in", "profile": "edifact-d96a-ordrsp"}]})
    message = await pipeline.submit(data, IntakeMeta(channel="folder", filename="ordrsp.edi"))
    done = run(pipeline, message.id, {State.DONE, State.QUARANTINED}, rounds=60)
    assert done.state is State.DONE, done.last_error


@pytest.mark.parametrize("sandbox", [17], indirect=True)
async def test_an_ordrsp_line_changed_and_promised_for_a_day(tmp_path: Path, examples: LoadedConfig,
                                                             sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    """LIN 1229 3 (changed), QTY+113 8 of the QTY+21 10 ordered, DTM+69 12-10: the blue line orders 8, expected on
    12-10; the red line, accepted as ordered, is left as it was."""
    po, name = purchase(odoo, [(1, 10, 7.5), (2, 6, 5.25)])
    before = po_lines(odoo, po)
    await ordrsp_posted(tmp_path, examples, sandbox, ordrsp(name))
    after = po_lines(odoo, po)
    assert after[0][:3] == (1, 8.0, "2026-12-10") and after[1] == before[1]
    assert after[2][3] == "EDI order acknowledgment OR-77 (77/1): line 1: changed 8 for 2026-12-10"
    assert [(p, q) for p, q, _ in expected(odoo, po)] == [(1, 8.0), (2, 6.0)]


@pytest.mark.parametrize("sandbox", [19], indirect=True)
async def test_lines_the_vendor_numbers_its_own_way_are_found_by_product(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    """The vendor's 855 lists the red widgets first as its line 1 and the blue as 2, by its item numbers (VN): line 1
    of the PO is the blue line, so each is found by its product (the vendor's code on Odoo's vendor pricelist), never
    the red quantity written on the blue line."""
    po, name = purchase(odoo, [(1, 10, 7.5), (2, 6, 5.25)])
    pipeline, _journal = pipeline_for(tmp_path, examples, sandbox)
    pipeline.config.partners["widgetworks"] = VENDOR
    message = await pipeline.submit(x12_855(601, name, ["PO1*1*6*EA*5.25**VN*WW-WR-200", "ACK*IC*5*EA",
                                                        "PO1*2*10*EA*7.50**VN*WW-WB-100", "ACK*IA*10*EA*068*20261211"]),
                                    IntakeMeta(channel="sftp", filename="855_601.edi", partner="widgetworks"))
    done = run(pipeline, message.id, {State.DONE, State.QUARANTINED}, rounds=60)
    assert done.state is State.DONE, done.last_error
    assert [row[:3] for row in po_lines(odoo, po)[:2]] == [(1, 10.0, "2026-12-11"), (2, 5.0, "")]


@pytest.mark.parametrize("sandbox", [17], indirect=True)
async def test_an_ack_for_a_locked_order_or_an_unknown_line_is_quarantined_with_nothing_written(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    """A changed line 3 the PO does not have (it has 2) quarantines the 855 naming it, line 1 not written either;
    so does an 855 for an order a person locked (state done)."""
    po, name = purchase(odoo, [(1, 10, 7.5), (2, 6, 5.25)])
    pipeline, _journal = pipeline_for(tmp_path, examples, sandbox)
    pipeline.config.partners["widgetworks"] = VENDOR
    before = po_lines(odoo, po)

    async def send(control: int, lines: list[str]) -> Any:
        message = await pipeline.submit(x12_855(control, name, lines),
                                        IntakeMeta(channel="sftp", filename=f"855_{control}.edi", partner="widgetworks"))
        return run(pipeline, message.id, {State.DONE, State.QUARANTINED}, rounds=60)

    unknown = await send(701, ["PO1*1*10*EA*7.50**VN*WW-WB-100", "ACK*IC*8*EA", "PO1*3*4*EA*5.25", "ACK*IC*3*EA"])
    assert unknown.state is State.QUARANTINED
    assert f"order acknowledgment SO-701 of purchase order {name}, line 3: the order has no line 3" in unknown.last_error
    odoo.execute_kw("purchase.order", "write", [[po], {"state": "done"}])
    locked = await send(702, ["PO1*1*10*EA*7.50**VN*WW-WB-100", "ACK*IC*8*EA"])
    assert locked.state is State.QUARANTINED
    assert f"purchase order {name} is locked in Odoo; nothing was changed" in locked.last_error
    assert po_lines(odoo, po) == before


@pytest.mark.parametrize("sandbox", [19], indirect=True)
async def test_an_ordrsp_backorder_quantity_is_a_part_of_its_own(tmp_path: Path, examples: LoadedConfig,
                                                                 sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    """QTY+113 4 to be delivered (promised for 12-10) and QTY+83 6 backordered of the 10 ordered: the blue line
    expects 4 on 12-10 and a line of its own the 6 backordered, as an 855's ACK*IA*4 + ACK*IB*6."""
    po, name = purchase(odoo, [(1, 10, 7.5), (2, 6, 5.25)])
    await ordrsp_posted(tmp_path, examples, sandbox, ordrsp(name, [
        "LIN+1+3+0614141000012:EN", "PIA+1+WW-WB-100:SA", "QTY+21:10:PCE", "QTY+113:4:PCE", "QTY+83:6:PCE",
        "DTM+69:20261210:102"]))
    rows = po_lines(odoo, po)
    assert [row[:2] for row in rows] == [(1, 4.0), (2, 6.0), (1, 6.0), (False, 0.0)] and rows[0][2] == "2026-12-10"
    assert rows[3][3] == "EDI order acknowledgment OR-77 (77/1): line 1: 4 changed, 6 backordered"
    assert [(p, q) for p, q, _ in expected(odoo, po)] == [(1, 4.0), (2, 6.0), (1, 6.0)]


@pytest.mark.parametrize("sandbox", [17], indirect=True)
async def test_an_ack_of_a_quantity_odoo_no_longer_orders_says_so(tmp_path: Path, examples: LoadedConfig,
                                                                  sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    """The buyer raised the blue line from 10 to 12 in Odoo after the PO went out; the vendor acknowledges the 10 it
    read (8 now, 2 rejected): the line expects 8, and the note says the vendor read 10 where Odoo's order had 12, so
    that purchasing sends the change again."""
    po, name = purchase(odoo, [(1, 10, 7.5), (2, 6, 5.25)])
    line = odoo.execute_kw("purchase.order.line", "search", [[("order_id", "=", po)]], {"order": "id"})[0]
    odoo.execute_kw("purchase.order.line", "write", [[line], {"product_qty": 12}])
    pipeline, _journal = pipeline_for(tmp_path, examples, sandbox)
    pipeline.config.partners["widgetworks"] = VENDOR
    message = await pipeline.submit(x12_855(801, name, ["PO1*1*10*EA*7.50**VN*WW-WB-100", "ACK*IA*8*EA",
                                                        "ACK*IR*2*EA"]),
                                    IntakeMeta(channel="sftp", filename="855_801.edi", partner="widgetworks"))
    done = run(pipeline, message.id, {State.DONE, State.QUARANTINED}, rounds=60)
    assert done.state is State.DONE, done.last_error
    rows = po_lines(odoo, po)
    assert rows[0][:2] == (1, 8.0) and rows[2][3] == (
        "EDI order acknowledgment SO-801 (000000801/0001): line 1: 8 accepted, 2 rejected (of 10 it read ordered; "
        "Odoo's order had 12)")
    assert [(p, q) for p, q, _ in expected(odoo, po)] == [(1, 8.0), (2, 6.0)]
