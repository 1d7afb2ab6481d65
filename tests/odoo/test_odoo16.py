"""Odoo 16 in the sandbox over loopback HTTP: the gateway's flows where 16 differs from 17.

16 keeps what is done apart from what is reserved (stock.move `quantity_done`, stock.move.line `qty_done` and
`reserved_uom_qty`; 17 merged them into `quantity` + `picked`), a transfer validated with nothing done asks for
the immediate transfer wizard, and a locked sale order is in state `done`. The gateway picks the field names
from fields_get (`lookup.Names`); a warehouse person and a buyer are played with odoorpc, an independent client.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.errors import OdooUnavailable
from gateway.journal.api import State
from gateway.odoo.client import OdooClient, connect
from gateway.odoo.extract.invoices import extract_invoices
from gateway.odoo.extract.order_acks import extract_order_acks
from gateway.odoo.extract.ship_notices import extract_ship_notices
from gateway.odoo.posting import Cache, post
from gateway.odoo.sandbox import SandboxServer
from gateway.translate.canonical import Invoice, Line, ShipItem, ShipNotice, ShipOrder
from gateway.transports.base import IntakeMeta
from tests.odoo.conftest import bigbox, order, settings_for
from tests.odoo.test_extraction import invoice
from tests.odoo.test_pipeline_posting import examples, pipeline_for, run
from tests.odoo.test_vendor_odd import purchase, widgetworks
from tests.odoo.test_vendor_receipts import track
from tests.odoo.test_vendor_receipts_pipeline import VENDOR, asn

__all__ = ["examples"]      # the module-scoped fixture, re-exported for the pipeline test below

pytestmark = pytest.mark.parametrize("sandbox", [16], ids=["odoo16"], indirect=True)


def lines_of(odoo: odoorpc.ODOO, picking: int) -> list[dict[str, Any]]:
    return list(odoo.execute_kw("stock.move.line", "search_read", [[("picking_id", "=", picking)],
                                ["product_id", "qty_done", "reserved_uom_qty"]], {"order": "id"}))


def picking_of(odoo: odoorpc.ODOO, order_id: int) -> int:
    [pick] = odoo.execute_kw("sale.order", "read", [[order_id], ["picking_ids"]])[0]["picking_ids"]
    return int(pick)


def do_all(odoo: odoorpc.ODOO, picking: int) -> None:
    """The warehouse did each move's demand (16: the move's `quantity_done`, onto its one line)."""
    for move in odoo.execute_kw("stock.move", "search_read", [[("picking_id", "=", picking)], ["product_uom_qty"]]):
        odoo.execute_kw("stock.move", "write", [[move["id"]], {"quantity_done": move["product_uom_qty"]}])


def test_the_16_sandbox_keeps_done_and_reserved_apart(odoo: odoorpc.ODOO, client: OdooClient) -> None:
    """What 16 has and 17 renamed; a delivery validated with nothing done asks for the immediate transfer,
    whose Apply does the reserved quantities."""
    move_fields = odoo.execute_kw("stock.move", "fields_get", [[], ["type"]])
    line_fields = odoo.execute_kw("stock.move.line", "fields_get", [[], ["type"]])
    assert {"quantity_done", "reserved_availability"} <= set(move_fields) and "quantity" not in move_fields
    assert {"qty_done", "reserved_uom_qty"} <= set(line_fields) and not {"quantity", "picked"} & set(line_fields)
    states = odoo.execute_kw("sale.order", "fields_get", [["state"], ["selection"]])["state"]["selection"]
    assert ["done", "Locked"] in states
    assert client.version == (16, 0) and client.protocol == "jsonrpc"

    [link] = post(client, order(), bigbox(confirm_orders=True), Cache())
    pick = picking_of(odoo, link.record_id)
    assert [(line["qty_done"], line["reserved_uom_qty"]) for line in lines_of(odoo, pick)] == [(0.0, 24.0),
                                                                                               (0.0, 2.0)]
    first = lines_of(odoo, pick)[0]
    extra = odoo.execute_kw("stock.move.line", "create", [{"move_id": odoo.execute_kw(
        "stock.move.line", "read", [[first["id"]], ["move_id"]])[0]["move_id"][0], "qty_done": 1}])
    with pytest.raises(odoorpc.error.RPCError, match="work directly with the move lines"):
        odoo.execute_kw("stock.move", "write", [[odoo.execute_kw("stock.move.line", "read", [[extra], ["move_id"]])[0][
            "move_id"][0]], {"quantity_done": 24}])
    odoo.execute_kw("stock.move.line", "unlink", [[extra]])
    wizard = odoo.execute_kw("stock.picking", "button_validate", [[pick]])
    assert wizard["res_model"] == "stock.immediate.transfer"
    apply = odoo.execute_kw("stock.immediate.transfer", "create", [{"pick_ids": [(6, 0, [pick])]}],
                            {"context": wizard["context"]})
    assert odoo.execute_kw("stock.immediate.transfer", "process", [[apply]], {"context": wizard["context"]}) is True
    moves = odoo.execute_kw("stock.move", "search_read", [[("picking_id", "=", pick)],
                            ["state", "quantity_done", "reserved_availability"]], {"order": "id"})
    assert [(m["state"], m["quantity_done"], m["reserved_availability"]) for m in moves] == [("done", 24.0, 0.0),
                                                                                            ("done", 2.0, 0.0)]


def test_a_delivery_done_in_16_is_announced_with_what_was_done(client: OdooClient, odoo: odoorpc.ODOO,
                                                               journal: Any) -> None:
    """The warehouse does 20 of 24 blue widgets and both cases and validates without a backorder question:
    the 856 says 20 and 2 (the done quantities, `qty_done`), the backorder's 4 come in a second one."""
    [link] = post(client, order(), bigbox(confirm_orders=True), Cache())
    pick = picking_of(odoo, link.record_id)
    for line in lines_of(odoo, pick):
        done = 20.0 if line["product_id"][0] == 1 else line["reserved_uom_qty"]
        odoo.execute_kw("stock.move.line", "write", [[line["id"]], {"qty_done": done}])
    assert odoo.execute_kw("stock.picking", "button_validate", [[pick]], {"context": {"skip_backorder": True}})
    [first] = extract_ship_notices(client, bigbox(), journal)
    assert sorted((i.line_no, i.quantity, i.unit) for i in first.all_items()) == [("1", Decimal(20), "EA"),
                                                                                  ("2", Decimal(2), "CS")]
    [back] = odoo.execute_kw("stock.picking", "search", [[("backorder_id", "=", pick)]])
    do_all(odoo, back)
    assert odoo.execute_kw("stock.picking", "button_validate", [[back]]) is True
    [second] = extract_ship_notices(client, bigbox(), journal)
    assert [(i.quantity, i.ordered_quantity) for i in second.all_items()] == [(Decimal(4), 24)]
    assert odoo.execute_kw("sale.order.line", "search_read", [[("order_id", "=", link.record_id)],
                           ["qty_delivered"]], {"order": "sequence"})[0]["qty_delivered"] == 24.0


def test_a_vendor_ship_notice_in_16_is_received_as_done_quantities(client: OdooClient, odoo: odoorpc.ODOO) -> None:
    """Vendor ASN-1 ships 60 of 100: received and validated, the backorder keeps 40 reserved. ASN-2's 40 is
    written as done on the backorder without validating; the receiving clerk's Validate then needs no wizard."""
    po, name = purchase(odoo)

    def asn(number: str, qty: int) -> ShipNotice:
        return ShipNotice(number=number, orders=[ShipOrder(po_number=name, items=[
            ShipItem(line_no="1", item_ids={"vendor": "WW-WB-100"}, quantity=Decimal(qty))])])

    post(client, asn("ASN-1", 60), widgetworks(validate_receipts=True), Cache())
    done, back = odoo.execute_kw("stock.picking", "search_read", [[("purchase_id", "=", po)], ["state"]],
                                 {"order": "id"})
    assert (done["state"], back["state"]) == ("done", "assigned")
    assert [(line["product_id"][0], line["qty_done"]) for line in lines_of(odoo, done["id"])] == [(1, 60.0)]
    assert sorted((line["product_id"][0], line["reserved_uom_qty"]) for line in lines_of(odoo, back["id"])) == [
        (1, 40.0), (2, 50.0)]
    post(client, asn("ASN-2", 40), widgetworks(), Cache())
    assert [(line["product_id"][0], line["qty_done"]) for line in lines_of(odoo, back["id"])] == [(1, 40.0)]
    assert odoo.execute_kw("stock.picking", "button_validate", [[back["id"]]],
                           {"context": {"skip_backorder": True, "picking_ids_not_to_backorder": [back["id"]]}})
    received = odoo.execute_kw("purchase.order.line", "search_read", [[("order_id", "=", po)], ["qty_received"]],
                               {"order": "id"})
    assert [r["qty_received"] for r in received] == [100.0, 0.0]
    bill = Invoice(number="WW-INV-16", po_number=name, lines=[
        Line(line_no="1", item_ids={"vendor": "WW-WB-100"}, quantity=Decimal(100), unit_price=Decimal("7.50"))])
    [link] = post(client, bill, widgetworks(), Cache())
    assert odoo.execute_kw("account.move", "read", [[link.record_id], ["move_type", "amount_untaxed"]])[0] | {
        "id": 0} == {"id": 0, "move_type": "in_invoice", "amount_untaxed": 750.0}


async def test_a_vendor_856_through_the_pipeline_is_received_serial_by_serial(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    """Widget Works' X12 856 with a REF*SE per unit, read by the base profile, posted by the pipeline: each serial
    number is a done move line (`qty_done` 1, its lot made from `lot_name`) and the receipt is validated."""
    track(odoo)
    po, name = purchase(odoo, [(1, 3, 7.5), (2, 50, 5.25)])
    pipeline, _journal = pipeline_for(tmp_path, examples, sandbox)
    pipeline.config.partners["widgetworks"] = VENDOR
    message = await pipeline.submit(asn(101, "00", "ASN-000101", name, ["SN-A", "SN-B", "SN-C"]),
                                    IntakeMeta(channel="sftp", filename="856_101.edi", partner="widgetworks"))
    assert (done := run(pipeline, message.id, {State.DONE, State.QUARANTINED})).state is State.DONE, done.last_error
    receipt, back = odoo.execute_kw("stock.picking", "search_read", [[("purchase_id", "=", po)], ["state"]],
                                    {"order": "id"})
    lots = odoo.execute_kw("stock.move.line", "search_read", [[("picking_id", "=", receipt["id"])],
                           ["qty_done", "reserved_uom_qty", "lot_id"]])
    assert sorted((r["qty_done"], r["reserved_uom_qty"], r["lot_id"][1]) for r in lots) == [
        (1.0, 0.0, "SN-A"), (1.0, 0.0, "SN-B"), (1.0, 0.0, "SN-C")]
    assert (receipt["state"], back["state"]) == ("done", "assigned")
    assert [r["qty_received"] for r in odoo.execute_kw("purchase.order.line", "search_read", [
        [("order_id", "=", po)], ["qty_received"]], {"order": "id"})] == [3.0, 0.0]


def test_a_locked_order_in_16_is_acknowledged_and_invoiced(client: OdooClient, odoo: odoorpc.ODOO,
                                                           journal: Any) -> None:
    """16 locks a confirmed order by moving it to state `done` (17: the `locked` flag): its 855 still goes out,
    and its delivery and invoice are announced (856, 810)."""
    [link] = post(client, order(), bigbox(confirm_orders=True), Cache())
    assert odoo.execute_kw("sale.order", "action_done", [[link.record_id]]) is True
    [ack] = extract_order_acks(client, bigbox(), journal)
    assert ack.po_number == "PO-1001" and [line.quantity for line in ack.lines] == [Decimal(24), Decimal(2)]
    pick = picking_of(odoo, link.record_id)
    do_all(odoo, pick)
    assert odoo.execute_kw("stock.picking", "button_validate", [[pick]]) is True
    assert [i.quantity for i in extract_ship_notices(client, bigbox(), journal)[0].all_items()] == [24, 2]
    assert odoo.execute_kw("sale.order", "read", [[link.record_id], ["state", "invoice_status"]])[0] | {"id": 0} == {
        "id": 0, "state": "done", "invoice_status": "to invoice"}
    odoo.execute_kw("account.move", "action_post", [[invoice(odoo, link.record_id)]])
    [bill] = extract_invoices(client, bigbox(), journal)
    assert bill.po_number == "PO-1001" and bill.totals.total_amount == Decimal(1308)


def test_a_cancellation_in_16_cancels_at_once_or_through_the_wizard(client: OdooClient,
                                                                    odoo: odoorpc.ODOO) -> None:
    """16 asks for the cancel wizard only when the order has a draft invoice (or a done delivery, which the gateway
    refuses before): a confirmed order is cancelled at once, its reservations released; one with a draft invoice
    through the wizard, the invoice cancelled with it."""
    [plain] = post(client, order("PO-C1"), bigbox(confirm_orders=True), Cache())
    [billed] = post(client, order("PO-C2"), bigbox(confirm_orders=True), Cache())
    # a down payment invoiced before delivery, still a draft
    [line] = odoo.execute_kw("sale.order.line", "search_read", [[("order_id", "=", billed.record_id)],
                             ["product_id", "order_id"]], {"limit": 1})
    customer = odoo.execute_kw("sale.order", "read", [[billed.record_id], ["partner_id"]])[0]["partner_id"][0]
    draft = odoo.execute_kw("account.move", "create", [{"move_type": "out_invoice", "partner_id": customer,
                                                        "invoice_line_ids": [(0, 0, {
                                                            "product_id": line["product_id"][0], "quantity": 1,
                                                            "sale_line_ids": [(6, 0, [line["id"]])]})]}])
    asked = odoo.execute_kw("sale.order", "action_cancel", [[billed.record_id]], {"context": {}})
    assert asked["res_model"] == "sale.order.cancel"
    [clicked] = post(client, order("PO-C3"), bigbox(confirm_orders=True), Cache())     # Cancel, in Odoo's screen
    assert odoo.execute_kw("sale.order", "action_cancel", [[clicked.record_id]]) is True
    for number, link in (("PO-C1", plain), ("PO-C2", billed)):
        assert [x.role for x in post(client, order(number, purpose="cancel"), bigbox(), Cache())] == ["updated"]
        so = odoo.execute_kw("sale.order", "read", [[link.record_id], ["state", "picking_ids"]])[0]
        picks = odoo.execute_kw("stock.picking", "read", [so["picking_ids"], ["state"]])
        assert (so["state"], [p["state"] for p in picks]) == ("cancel", ["cancel"])
    assert odoo.execute_kw("account.move", "read", [[draft], ["state"]])[0]["state"] == "cancel"
    assert sum(q["reserved_quantity"] for q in odoo.execute_kw("stock.quant", "search_read", [[], ["reserved_quantity"]])) == 0


def test_odoo_15_is_refused_at_login_naming_its_version(sandbox: SandboxServer) -> None:
    """15 still has `move_lines` and `stock.production.lot`: refused at login with its version, so documents
    wait for the upgrade rather than failing one by one on a missing field."""
    said = sandbox.service.version()
    sandbox.service.version = lambda: {**said, "server_version": "15.0",        # type: ignore[method-assign]
                                       "server_version_info": [15, 0, 0, "final", 0, ""]}
    with pytest.raises(OdooUnavailable, match=r"Odoo 15\.0 at http://127\.0\.0\.1:\d+ is not supported: the "
                                              r"gateway works with Odoo 16 to 19; documents wait"):
        connect(settings_for(sandbox), retry_base=0.01)
    sandbox.service.version = lambda: said                                      # type: ignore[method-assign]
    assert connect(settings_for(sandbox), retry_base=0.01).version == (16, 0)
