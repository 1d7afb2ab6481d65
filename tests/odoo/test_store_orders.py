"""`odoo.store_orders: split`: a PO allocated to stores (X12 SDQ) becomes one sale order per store in the
sandbox (17, 19), each shipped to that store, found again on a retry, cancelled together, held for a person
on a change, and acknowledged (855) store by store. Checked with odoorpc as an independent client."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.errors import OdooRejected, OdooUnavailable
from gateway.formats import x12
from gateway.journal.api import Direction, State
from gateway.odoo.client import OdooClient
from gateway.odoo.posting import Cache, post
from gateway.odoo.sandbox import SandboxServer
from gateway.odoo.scheduler import OdooScheduler
from gateway.translate.canonical import Line, PurchaseOrder
from tests.odoo.conftest import bigbox, order
from tests.odoo.test_order_acks import ACK
from tests.odoo.test_pipeline_posting import SAMPLE, examples, pipeline_for, run
from tests.odoo.test_posting_cancel import submit

__all__ = ["examples"]      # the module-scoped fixture, re-exported for the pipeline test below

pytestmark = pytest.mark.parametrize("sandbox", [17, 19], ids=["odoo17", "odoo19"], indirect=True)


def allocated(number: str = "PO-SDQ") -> PurchaseOrder:
    """36 Blue Widgets (12 for store 0107, 24 for 0203), 6 Gadgets for 0107 only, 4 Red Widgets to the DC."""
    lines = [Line(line_no="1", item_ids={"buyer": "BB-1001"}, quantity=Decimal(36), unit_price=Decimal("12.50"),
                  allocation_kind="buyer", allocations={"0107": Decimal(12), "0203": Decimal(24)}),
             Line(line_no="2", item_ids={"buyer": "BB-1003"}, quantity=Decimal(6), unit_price=Decimal("42.00"),
                  allocation_kind="buyer", allocations={"0107": Decimal(6)}),
             Line(line_no="3", item_ids={"buyer": "BB-1002"}, quantity=Decimal(4), unit_price=Decimal("8.75"))]
    return order(number, lines=lines)


def orders_of(odoo: odoorpc.ODOO, ref: str) -> list[tuple[str, str, list[tuple[str, float]]]]:
    """(ship-to reference or name, state, [(product code, quantity)]) of the PO's sale orders."""
    out = []
    for so in odoo.execute_kw("sale.order", "search_read", [[("client_order_ref", "=", ref)]],
                              {"fields": ["partner_shipping_id", "state", "order_line"], "order": "id"}):
        [ship] = odoo.execute_kw("res.partner", "read", [[so["partner_shipping_id"][0]], ["ref", "name"]])
        lines = odoo.execute_kw("sale.order.line", "read", [so["order_line"], ["product_id", "product_uom_qty"]])
        out.append((ship["ref"] or ship["name"], so["state"],
                    sorted((r["product_id"][1].split("]")[0].strip("["), r["product_uom_qty"]) for r in lines)))
    return out


def test_a_po_allocated_to_stores_becomes_one_order_per_store_once(sandbox: SandboxServer, client: OdooClient,
                                                                  odoo: odoorpc.ODOO) -> None:
    partner = bigbox(store_orders="split", create_ship_to=True)
    sandbox.faults.drop_after_create["sale.order"] = 1         # the DC's order lands, its answer is lost
    with pytest.raises(OdooUnavailable):
        post(client, allocated(), partner, Cache())
    links = post(client, allocated(), partner, Cache())         # the retry finds it and makes the stores' ones
    assert [link.role for link in links if link.model == "sale.order"] == ["found", "created", "created"]
    got = orders_of(odoo, "PO-SDQ")
    assert sorted((ship, lines) for ship, _, lines in got) == [
        ("0107", [("GL-300", 6.0), ("WB-100", 12.0)]), ("0203", [("WB-100", 24.0)]),
        ("BigBox DC 1", [("WR-200", 4.0)])]
    assert len(got) == 3


def test_one_order_by_default_with_the_split_in_its_note(client: OdooClient, odoo: odoorpc.ODOO) -> None:
    post(client, allocated(), bigbox(), Cache())
    [(_, _, lines)] = orders_of(odoo, "PO-SDQ")
    assert lines == [("GL-300", 6.0), ("WB-100", 36.0), ("WR-200", 4.0)]


def test_split_orders_are_cancelled_together_and_a_change_is_held(client: OdooClient, odoo: odoorpc.ODOO) -> None:
    partner = bigbox(store_orders="split", create_ship_to=True, order_changes="revise")
    post(client, allocated(), partner, Cache())
    change = allocated().model_copy(update={"purpose": "change"})
    with pytest.raises(OdooRejected, match=r"PO PO-SDQ is in several sale orders .* change them in Odoo"):
        post(client, change, partner, Cache())
    links = post(client, allocated().model_copy(update={"purpose": "cancel"}), partner, Cache())
    assert [link.role for link in links] == ["updated"] * 3
    assert {state for _, state, _ in orders_of(odoo, "PO-SDQ")} == {"cancel"}


async def test_each_store_order_is_acknowledged_with_its_share(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO) -> None:
    pipeline, journal = pipeline_for(tmp_path, examples, sandbox)
    bigbox_config = pipeline.config.partners["bigbox"]
    pipeline.config.partners["bigbox"] = bigbox_config.model_copy(update={
        "documents": [*bigbox_config.documents, ACK],
        "odoo": bigbox_config.odoo.model_copy(update={"store_orders": "split", "create_ship_to": True})})
    text = SAMPLE.read_bytes().replace(b"PO4*12*1*EA~\nPO1*2*", b"PO4*12*1*EA~\nSDQ*EA*92*0107*12*0203*12~\nPO1*2*")
    text = text.replace(b"SE*25*0001", b"SE*26*0001")
    message = await submit(pipeline, text, "850_sdq.edi")
    done = run(pipeline, message.id, {State.DONE})
    assert done.state is State.DONE, done.last_error
    stores = [so for so in odoo.execute_kw("sale.order", "search_read", [[("client_order_ref", "=", "4500001234")]],
                                           {"fields": ["partner_shipping_id"], "order": "id"})]
    assert len(stores) == 3                                     # the DC (lines 2 and 3), stores 0107 and 0203
    odoo.execute_kw("sale.order", "action_confirm", [[s["id"] for s in stores]])
    ctx = SimpleNamespace(config=pipeline.config, journal=journal, pipeline=pipeline,
                          partners=pipeline.config.partners)
    assert await OdooScheduler(ctx, lambda: client).run_once("bigbox", "855") == 3
    acks = [x12.parse(pipeline.archive.read(m.sha256)) for m in journal.find(direction=Direction.OUT, limit=50)
            if m.doc_type == "855"]
    shares = sorted(tuple((seg.get(1), seg.get(2)) for seg in result.transactions[0].segments if seg.tag == "PO1")
                    for result in acks)
    assert shares == [(("1", "12"),), (("1", "12"),), (("2", "48"), ("3", "6"))], shares
    assert all(b"ACK*IR" not in pipeline.archive.read(m.sha256) for m in journal.find(direction=Direction.OUT,
                                                                                     limit=50) if m.doc_type == "855")


def test_without_a_ship_to_the_unallocated_lines_go_to_the_customer_once(client: OdooClient,
                                                                         odoo: odoorpc.ODOO) -> None:
    """The lines allocated to no store, in a PO without a ship-to, are the customer's own order: found again
    on a second delivery by that, not taken for one of the store orders."""
    partner = bigbox(store_orders="split", create_ship_to=True)
    doc = allocated("PO-NOSHIP").model_copy(update={"parties": []})
    first = post(client, doc, partner, Cache())
    again = post(client, doc, partner, Cache())
    assert sorted(link.role for link in first if link.model == "sale.order") == ["created"] * 3
    assert [link.role for link in again if link.model == "sale.order"] == ["found"] * 3
    assert sorted(lines for _, _, lines in orders_of(odoo, "PO-NOSHIP")) == [
        [("GL-300", 6.0), ("WB-100", 12.0)], [("WB-100", 24.0)], [("WR-200", 4.0)]]


def test_what_no_store_is_given_goes_to_the_pos_own_ship_to(client: OdooClient, odoo: odoorpc.ODOO) -> None:
    """A line of 36 with 12 for store 0107: the other 24 go to the PO's ship-to (they were dropped), and
    allocations adding up to more than the line are refused before anything is written."""
    partner = bigbox(store_orders="split", create_ship_to=True)
    lines = [Line(line_no="1", item_ids={"buyer": "BB-1001"}, quantity=Decimal(36), allocation_kind="buyer",
                  allocations={"0107": Decimal(12)})]
    post(client, order("PO-PART", lines=lines), partner, Cache())
    assert sorted((ship, lines) for ship, _, lines in orders_of(odoo, "PO-PART")) == [
        ("0107", [("WB-100", 12.0)]), ("BigBox DC 1", [("WB-100", 24.0)])]
    over = [lines[0].model_copy(update={"allocations": {"0107": Decimal(30), "0203": Decimal(12)}})]
    with pytest.raises(OdooRejected, match="line 1: its store allocations add up to 42, more than its quantity 36"):
        post(client, order("PO-OVER", lines=over), partner, Cache())
    assert orders_of(odoo, "PO-OVER") == []
