"""A partner's cancellation (X12 BEG01 01, EDIFACT BGM 1225 1) cancels the sale order in the sandbox (17, 19),
idempotently; one that Odoo has already acted on (goods left, invoice posted) is quarantined with the reason.
Checked with odoorpc as an independent client."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.errors import OdooRejected, OdooUnavailable
from gateway.journal.api import State
from gateway.odoo.client import OdooClient
from gateway.odoo.posting import Cache, post
from gateway.odoo.sandbox import SandboxServer
from gateway.translate.canonical import Line, Source
from gateway.transports.base import IntakeMeta
from tests.odoo.conftest import bigbox, order
from tests.odoo.test_pipeline_posting import SAMPLE, examples, pipeline_for, run

__all__ = ["examples"]      # the module-scoped fixture, re-exported for the pipeline tests below


# the conftest's sandbox fixture, in two of its three modes (17 and 19 cover both protocols)
pytestmark = pytest.mark.parametrize("sandbox", [17, 19], ids=["odoo17", "odoo19"], indirect=True)


def sale_orders(odoo: odoorpc.ODOO, ref: str = "PO-1001") -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = odoo.execute_kw("sale.order", "search_read", [[("client_order_ref", "=", ref)]],
                                                 {"fields": ["state", "picking_ids", "name"]})
    return rows


def cancel(number: str = "PO-1001") -> Any:
    return order(number, purpose="cancel")


def reserved(odoo: odoorpc.ODOO) -> float:
    quants = odoo.execute_kw("stock.quant", "search_read", [[("reserved_quantity", ">", 0)]],
                             {"fields": ["reserved_quantity"]})
    return float(sum(q["reserved_quantity"] for q in quants))


def test_cancel_of_a_draft_order(client: OdooClient, odoo: odoorpc.ODOO) -> None:
    created = post(client, order(), bigbox(), Cache())
    links = post(client, cancel(), bigbox(), Cache())
    assert [(link.model, link.record_id, link.role) for link in links] == [
        ("sale.order", created[0].record_id, "updated")]
    [so] = sale_orders(odoo)
    assert so["state"] == "cancel"
    # a second delivery of the same cancellation is a success that changes nothing
    assert [(link.model, link.role) for link in post(client, cancel(), bigbox(), Cache())] == [("sale.order", "found")]
    assert [so["state"] for so in sale_orders(odoo)] == ["cancel"]


def test_cancel_of_a_confirmed_order_goes_through_the_wizard(sandbox: SandboxServer, client: OdooClient,
                                                            odoo: odoorpc.ODOO) -> None:
    """17 and 18 answer the Cancel button of a confirmed order with the sale.order.cancel wizard; 19 has no
    such wizard (OpenUpgrade sale 19.0.1.2 drops it) and cancels at once: the gateway goes either way."""
    post(client, order(), bigbox(confirm_orders=True), Cache())
    [so] = sale_orders(odoo)
    assert so["state"] == "sale" and reserved(odoo) > 0
    if sandbox.version < 19:
        # what the Cancel button gets for a confirmed order: the wizard, not a cancellation
        action = odoo.execute_kw("sale.order", "action_cancel", [[so["id"]]])
        assert action["res_model"] == "sale.order.cancel" and sale_orders(odoo)[0]["state"] == "sale"
    links = post(client, cancel(), bigbox(), Cache())
    assert [(link.model, link.record_id, link.role) for link in links] == [("sale.order", so["id"], "updated")]
    [so] = sale_orders(odoo)
    [pick] = odoo.execute_kw("stock.picking", "read", [so["picking_ids"], ["state", "move_ids"]])
    moves = odoo.execute_kw("stock.move", "read", [pick["move_ids"], ["state"]])
    assert so["state"] == "cancel" and pick["state"] == "cancel" and {m["state"] for m in moves} == {"cancel"}
    assert reserved(odoo) == 0.0               # the delivery's reservations were released


def test_retry_after_a_lost_cancel_answer_finds_the_cancelled_order(sandbox: SandboxServer, client: OdooClient,
                                                                   odoo: odoorpc.ODOO) -> None:
    post(client, order(), bigbox(confirm_orders=True), Cache())
    the_call = "sale.order.cancel.action_cancel" if sandbox.version < 19 else "sale.order.action_cancel"
    sandbox.faults.drop_after_create[the_call] = 1
    with pytest.raises(OdooUnavailable):
        post(client, cancel(), bigbox(), Cache())
    assert [so["state"] for so in sale_orders(odoo)] == ["cancel"]      # done before the answer was lost
    assert [(link.model, link.role) for link in post(client, cancel(), bigbox(), Cache())] == [("sale.order", "found")]
    assert len(sale_orders(odoo)) == 1


def test_cancel_of_an_unknown_order_is_rejected(client: OdooClient, odoo: odoorpc.ODOO) -> None:
    with pytest.raises(OdooRejected, match="no sale order for PO PO-4040 to cancel"):
        post(client, cancel("PO-4040"), bigbox(), Cache())
    assert sale_orders(odoo, "PO-4040") == []


def test_cancel_after_the_delivery_is_done_is_rejected(client: OdooClient, odoo: odoorpc.ODOO) -> None:
    post(client, order(), bigbox(confirm_orders=True), Cache())
    [so] = sale_orders(odoo)
    assert odoo.execute_kw("stock.picking", "button_validate", [so["picking_ids"]]) is True
    [pick] = odoo.execute_kw("stock.picking", "read", [so["picking_ids"], ["name"]])
    with pytest.raises(OdooRejected, match=f"PO PO-1001 cannot be cancelled: delivery {pick['name']} is done"):
        post(client, cancel(), bigbox(), Cache())
    assert [so["state"] for so in sale_orders(odoo)] == ["sale"]


def test_cancel_after_an_invoice_is_posted_is_rejected(client: OdooClient, odoo: odoorpc.ODOO) -> None:
    post(client, order(), bigbox(confirm_orders=True), Cache())
    [so] = sale_orders(odoo)
    [line] = odoo.execute_kw("sale.order.line", "search", [[("order_id", "=", so["id"])]], {"limit": 1})
    bill = odoo.execute_kw("account.move", "create", [{
        "move_type": "out_invoice", "partner_id": 4, "invoice_line_ids": [
            [0, 0, {"product_id": 1, "quantity": 1, "price_unit": 12.5, "sale_line_ids": [[6, 0, [line]]]}]]}])
    odoo.execute_kw("account.move", "action_post", [[bill]])
    [name] = [m["name"] for m in odoo.execute_kw("account.move", "read", [[bill], ["name"]])]
    with pytest.raises(OdooRejected, match=f"PO PO-1001 cannot be cancelled: invoice {name} is posted"):
        post(client, cancel(), bigbox(), Cache())
    assert [so["state"] for so in sale_orders(odoo)] == ["sale"]


# --------------------------------------------------------------------------- replace (BEG01 05, BGM 1225 5)

def replacement(message_id: str = "02REPLACEMENT") -> Any:
    lines = [Line(line_no="1", item_ids={"buyer": "BB-1002"}, quantity=Decimal(10), unit_price=Decimal("8.75"))]
    doc = order(lines=lines, purpose="replace")
    return doc.model_copy(update={"source": Source(standard_type="850", message_id=message_id)})


def line_rows(odoo: odoorpc.ODOO, so: int) -> list[tuple[str, float]]:
    rows = odoo.execute_kw("sale.order.line", "search_read", [[("order_id", "=", so)]],
                           {"fields": ["product_id", "product_uom_qty"]})
    return [(r["product_id"][1], r["product_uom_qty"]) for r in rows]


def test_replace_of_a_quotation_replaces_its_lines_once(sandbox: SandboxServer, client: OdooClient,
                                                        odoo: odoorpc.ODOO) -> None:
    [created] = post(client, order(), bigbox(), Cache())
    sandbox.faults.drop_after_create["sale.order.write"] = 1      # the replacement lands, its answer is lost
    with pytest.raises(OdooUnavailable):
        post(client, replacement(), bigbox(), Cache())
    assert line_rows(odoo, created.record_id) == [("[WR-200] Red Widget", 10.0)]
    assert [(link.record_id, link.role) for link in post(client, replacement(), bigbox(), Cache())] == [
        (created.record_id, "found")]
    [so] = odoo.execute_kw("sale.order", "read", [[created.record_id], ["note", "state"]])
    assert line_rows(odoo, created.record_id) == [("[WR-200] Red Widget", 10.0)] and so["state"] == "draft"
    assert so["note"].count("EDI replacement PO-1001 (message 02REPLACEMENT): 2 line(s) replaced by 1") == 1
    # the same replacement sent again under another message is found (its content is the order's already); a
    # later replacement of the same PO with other content is applied
    assert post(client, replacement("03AGAIN"), bigbox(), Cache())[0].role == "found"
    later = replacement("04LATER")
    later = later.model_copy(update={"lines": [later.lines[0].model_copy(update={"quantity": Decimal(12)})]})
    assert post(client, later, bigbox(), Cache())[0].role == "updated"
    assert line_rows(odoo, created.record_id) == [("[WR-200] Red Widget", 12.0)]
    assert len(sale_orders(odoo)) == 1


def test_replace_of_a_confirmed_order_is_rejected(client: OdooClient, odoo: odoorpc.ODOO) -> None:
    post(client, order(), bigbox(confirm_orders=True), Cache())
    [so] = sale_orders(odoo)
    with pytest.raises(OdooRejected, match=f"PO PO-1001 cannot be replaced: sale order {so['name']} is confirmed"):
        post(client, replacement(), bigbox(), Cache())
    assert len(line_rows(odoo, so["id"])) == 2


def test_replace_of_an_unknown_order_is_rejected(client: OdooClient) -> None:
    with pytest.raises(OdooRejected, match="no sale order for PO PO-1001 to replace"):
        post(client, replacement(), bigbox(), Cache())


# --------------------------------------------------------------------------- through the pipeline

def cancellation_850() -> bytes:
    """The BigBox sample as BEG01 01 (cancellation) of the same PO, in its own interchange."""
    data = SAMPLE.read_bytes()
    assert data.count(b"BEG*00*") == 1 and data.count(b"000001201") == 2 and data.count(b"GE*1*1201~") == 1
    return data.replace(b"BEG*00*", b"BEG*01*").replace(b"000001201", b"000001202").replace(
        b"*1201*X*", b"*1202*X*").replace(b"GE*1*1201~", b"GE*1*1202~")


def test_a_replacement_whose_answer_is_lost_is_priced_and_confirmed_by_its_retry(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO) -> None:
    """The replacement's write lands and its answer is lost before the 'order' price policy and the
    confirmation ran: the retry finds its note on the order and does both, as the first try would have."""
    partner = bigbox(confirm_orders=False)
    [created] = post(client, order(), partner, Cache())
    doc = replacement()
    doc = doc.model_copy(update={"lines": [doc.lines[0].model_copy(update={"unit_price": Decimal("9.10")})]})
    sandbox.faults.drop_after_create["sale.order.write"] = 1
    with pytest.raises(OdooUnavailable):
        post(client, doc, bigbox(confirm_orders=True), Cache())
    links = post(client, doc, bigbox(confirm_orders=True), Cache())
    assert [(link.record_id, link.role) for link in links] == [(created.record_id, "found")]
    [line] = odoo.execute_kw("sale.order.line", "search_read", [[("order_id", "=", created.record_id)]],
                             {"fields": ["price_unit"]})
    [so] = odoo.execute_kw("sale.order", "read", [[created.record_id], ["state"]])
    assert (line["price_unit"], so["state"]) == (9.1, "sale")


def pipeline_orders(odoo: odoorpc.ODOO) -> list[dict[str, Any]]:
    return sale_orders(odoo, "4500001234")


async def submit(pipeline: Any, data: bytes, name: str) -> Any:
    return await pipeline.submit(data, IntakeMeta(channel="as2", filename=name, partner="bigbox"))


async def test_pipeline_original_then_cancellation_leaves_one_cancelled_order(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    pipeline, journal = pipeline_for(tmp_path, examples, sandbox)
    first = await submit(pipeline, SAMPLE.read_bytes(), SAMPLE.name)
    assert run(pipeline, first.id, {State.DONE}).state is State.DONE
    second = await submit(pipeline, cancellation_850(), "850_4500001234_cancel.edi")
    assert run(pipeline, second.id, {State.DONE}).state is State.DONE
    [so] = pipeline_orders(odoo)
    assert so["state"] == "cancel"
    assert [(link.model, link.record_id, link.role) for link in journal.odoo_links(second.id)] == [
        ("sale.order", so["id"], "updated")]


async def test_pipeline_cancellation_after_a_done_delivery_is_quarantined(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    pipeline, _journal = pipeline_for(tmp_path, examples, sandbox)
    first = await submit(pipeline, SAMPLE.read_bytes(), SAMPLE.name)
    assert run(pipeline, first.id, {State.DONE}).state is State.DONE
    [so] = pipeline_orders(odoo)
    odoo.execute_kw("sale.order", "action_confirm", [[so["id"]]])
    [so] = pipeline_orders(odoo)
    odoo.execute_kw("stock.picking", "button_validate", [so["picking_ids"]], {"context": {"skip_backorder": True}})
    [pick] = odoo.execute_kw("stock.picking", "read", [so["picking_ids"], ["name", "state"]])
    assert pick["state"] == "done"
    second = await submit(pipeline, cancellation_850(), "850_4500001234_cancel.edi")
    result = run(pipeline, second.id, {State.QUARANTINED})
    assert result.state is State.QUARANTINED
    expected = f"PO 4500001234 cannot be cancelled: delivery {pick['name']} is done"
    assert expected in (result.last_error or "")
    assert expected in next((tmp_path / "quarantine" / "bigbox").glob("*.reason.txt")).read_text()
    assert [so["state"] for so in pipeline_orders(odoo)] == ["sale"]


EH_SAMPLE = SAMPLE.parents[1] / "eurohandel" / "ORDERS_4500012345.edi"


async def test_pipeline_edifact_bgm_1225_1_cancels_the_order(tmp_path: Path, examples: LoadedConfig,
                                                              sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    data = EH_SAMPLE.read_bytes()
    assert data.count(b"BGM+220+4500012345+9'") == 1 and data.count(b"EH000417") == 2
    cancellation = data.replace(b"BGM+220+4500012345+9'", b"BGM+220+4500012345+1'").replace(
        b"EH000417", b"EH000418")
    pipeline, journal = pipeline_for(tmp_path, examples, sandbox)
    for payload, name in ((data, EH_SAMPLE.name), (cancellation, "ORDERS_4500012345_cancel.edi")):
        message = await pipeline.submit(payload, IntakeMeta(channel="folder", filename=name))
        assert run(pipeline, message.id, {State.DONE}).state is State.DONE, message.id
    [so] = sale_orders(odoo, "4500012345")
    assert so["state"] == "cancel"
    assert [(link.record_id, link.role) for link in journal.odoo_links(message.id)] == [(so["id"], "updated")]


def revised_850(purpose: bytes, control: bytes) -> bytes:
    """The BigBox sample with BEG01 `purpose`, only its first two lines, in interchange and group `control`
    (4 digits) instead of 1201."""
    data = SAMPLE.read_bytes()
    assert data.count(b"PO1*") == 3
    head, _, tail = data.partition(b"PO1*")
    lines = [b"PO1*" + chunk for chunk in tail.split(b"PO1*")]
    last = lines[-1]
    trailer = last[last.index(b"CTT*"):]
    kept = b"".join(lines[:2])
    body = (head + kept + trailer).replace(b"BEG*00*", b"BEG*" + purpose + b"*").replace(b"CTT*3*", b"CTT*2*")
    segments = body.split(b"~")
    st = next(i for i, seg in enumerate(segments) if seg.strip().startswith(b"ST*"))
    se = next(i for i, seg in enumerate(segments) if seg.strip().startswith(b"SE*"))
    segments[se] = segments[se].replace(b"SE*25*", b"SE*" + str(se - st + 1).encode() + b"*")
    return b"~".join(segments).replace(b"000001201", b"00000" + control).replace(
        b"*1201*X*", b"*" + control + b"*X*").replace(b"GE*1*1201~", b"GE*1*" + control + b"~")


async def test_pipeline_x12_beg01_05_replaces_the_quotation_lines(tmp_path: Path, examples: LoadedConfig,
                                                                  sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    data = SAMPLE.read_bytes()
    # the replacement keeps only the first two lines of the original
    replacement = revised_850(b"05", b"1203")
    pipeline, journal = pipeline_for(tmp_path, examples, sandbox)
    first = await submit(pipeline, data, SAMPLE.name)
    assert run(pipeline, first.id, {State.DONE}).state is State.DONE
    [so] = pipeline_orders(odoo)
    assert len(line_rows(odoo, so["id"])) == 3
    second = await submit(pipeline, replacement, "850_4500001234_replace.edi")
    done = run(pipeline, second.id, {State.DONE})
    assert done.state is State.DONE, done.last_error
    [so] = pipeline_orders(odoo)
    assert len(line_rows(odoo, so["id"])) == 2 and so["state"] == "draft"
    [note] = [r["note"] for r in odoo.execute_kw("sale.order", "read", [[so["id"]], ["note"]])]
    assert "EDI replacement 4500001234 (interchange 0000012" in note and "3 line(s) replaced by 2" in note
    assert [(link.record_id, link.role) for link in journal.odoo_links(second.id)] == [(so["id"], "updated")]
