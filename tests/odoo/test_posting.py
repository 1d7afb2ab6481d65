"""Posting canonical documents into the sandbox (17, 18, 19), checked with odoorpc as an independent client."""

from __future__ import annotations

import threading
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import odoorpc
import pytest

from gateway.config.models import PartnerConfig
from gateway.errors import OdooRejected, OdooUnavailable
from gateway.odoo.client import OdooClient
from gateway.odoo.posting import Cache, post
from gateway.odoo.sandbox import SandboxServer
from gateway.translate.canonical import (
    Address,
    AllowanceCharge,
    DateValue,
    InventoryAdvice,
    InventoryLine,
    Invoice,
    Line,
    Pack,
    Party,
    Quantity,
    ShipItem,
    ShipNotice,
    ShipOrder,
    Source,
)
from tests.odoo.conftest import bigbox, northwind, order


def orders(odoo: odoorpc.ODOO, ref: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = odoo.execute_kw(
        "sale.order", "search_read", [[("client_order_ref", "=", ref)]],
        {"fields": ["partner_id", "partner_shipping_id", "state", "note", "tag_ids", "order_line",
                    "commitment_date", "picking_ids"]})
    return rows


def uom_field(sandbox: SandboxServer) -> str:
    return "product_uom_id" if sandbox.version >= 19 else "product_uom"


def test_order_becomes_a_sale_order(sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO) -> None:
    doc = order(dates=[DateValue(qualifier="requested_delivery", date="2026-12-05")], notes=["Dock 4 only"],
                terms="Net 30", allowances_charges=[AllowanceCharge(kind="allowance", code="C310",
                                                                     description="Discount", amount=Decimal(25))])
    links = post(client, doc, bigbox(), Cache())
    assert [(link.model, link.role, link.message_id) for link in links] == [("sale.order", "created", "01TESTMESSAGE")]
    [so] = orders(odoo, "PO-1001")
    assert so["id"] == links[0].record_id
    assert so["partner_id"][0] == 4 and so["partner_shipping_id"] == [8, "BigBox Retail, BigBox DC 1"]
    assert so["state"] == "draft" and so["commitment_date"] == "2026-12-05 12:00:00"
    assert "Dock 4 only" in so["note"] and "terms: Net 30" in so["note"]
    assert "allowance C310 Discount: 25 (not applied to the Odoo order)" in so["note"]
    lines = odoo.execute_kw("sale.order.line", "read", [so["order_line"]],
                            {"fields": ["product_id", "product_uom_qty", uom_field(sandbox), "price_unit", "sequence"]})
    assert [(line["product_id"][1], line["product_uom_qty"], line[uom_field(sandbox)][1], line["price_unit"],
             line["sequence"]) for line in lines] == [
        ("[WB-100] Blue Widget", 24.0, "Units", 12.5, 1), ("[GL-300] Gadget Large", 2.0, "Dozens", 504.0, 2)]
    assert so["tag_ids"] == []      # prices agree with Odoo's: no flag


def test_retry_after_a_lost_response_finds_the_first_order(sandbox: SandboxServer, client: OdooClient,
                                                           odoo: odoorpc.ODOO) -> None:
    sandbox.faults.drop_after_create["sale.order"] = 1
    with pytest.raises(OdooUnavailable):
        post(client, order(), bigbox(confirm_orders=True), Cache())
    assert len(orders(odoo, "PO-1001")) == 1          # committed before the connection dropped
    links = post(client, order(), bigbox(confirm_orders=True), Cache())
    assert [(link.model, link.role) for link in links] == [("sale.order", "found")]
    [so] = orders(odoo, "PO-1001")
    assert so["state"] == "sale" and len(so["order_line"]) == 2 and len(so["picking_ids"]) == 1
    assert post(client, order(), bigbox(confirm_orders=True), Cache())[0].role == "found"
    assert len(orders(odoo, "PO-1001")) == 1


def test_ship_to_by_store_number_customer_by_gln(client: OdooClient, odoo: odoorpc.ODOO) -> None:
    doc = order("NW-77", lines=[Line(line_no="1", item_ids={"buyer": "NW-A2", "vendor": "WR-200"},
                                     quantity=Decimal(5), unit_price=Decimal("8.75"))],
                ship_to=Party(role="ship_to", ids={"store": "0107"}))
    post(client, doc, northwind(), Cache())
    [so] = orders(odoo, "NW-77")
    assert so["partner_id"][1] == "Northwind Traders" and so["partner_shipping_id"][1].endswith("Store 0107")


@pytest.mark.parametrize("ids,expected", [
    ({"gtin": "00614141000036"}, "GL-300"), ({"upc": "614141000043"}, "CB-400"), ({"ean": "0614141000050"}, "SP-500"),
    ({"vendor": "WR-200"}, "WR-200"), ({"sku": "WB-100"}, "WB-100"), ({"buyer": "BB-1004", "upc": "999"}, "CB-400"),
])
def test_product_identifiers(client: OdooClient, odoo: odoorpc.ODOO, ids: dict[str, str], expected: str) -> None:
    post(client, order("P-ID", lines=[Line(line_no="1", item_ids=ids, quantity=Decimal(1))]), bigbox(), Cache())
    [so] = orders(odoo, "P-ID")
    [line] = odoo.execute_kw("sale.order.line", "read", [so["order_line"], ["product_id"]])
    assert line["product_id"][1].startswith(f"[{expected}]")


def test_unknown_product_names_the_line_and_identifier(client: OdooClient, odoo: odoorpc.ODOO) -> None:
    lines = [Line(line_no="1", item_ids={"buyer": "BB-1001"}, quantity=Decimal(1)),
             Line(line_no="2", item_ids={"buyer": "BB-9999", "upc": "012345678905"}, quantity=Decimal(1))]
    with pytest.raises(OdooRejected) as info:
        post(client, order("P-X", lines=lines), bigbox(), Cache())
    assert "order P-X, line 2" in str(info.value) and "buyer BB-9999" in str(info.value)
    assert orders(odoo, "P-X") == []


def test_unknown_unit_and_unknown_ship_to_are_rejected(client: OdooClient) -> None:
    with pytest.raises(OdooRejected, match="line 1: unit 'XYZ' has no Odoo unit"):
        post(client, order("P-U", lines=[Line(line_no="1", item_ids={"buyer": "BB-1001"}, quantity=Decimal(1),
                                             unit="XYZ")]), bigbox(), Cache())
    with pytest.raises(OdooRejected, match="ship-to gln 0860001999999 is not a delivery address of BigBox Retail"):
        post(client, order("P-S", ship_to=Party(role="ship_to", ids={"gln": "0860001999999"})), bigbox(), Cache())


def test_ship_to_created_once_when_the_profile_allows(client: OdooClient, odoo: odoorpc.ODOO) -> None:
    partner = PartnerConfig(id="shopmarket", odoo={"partner_ref": "SHOPMARKET", "create_ship_to": True})
    consumer = Party(role="ship_to", name="Erika Mustermann",
                     address=Address(lines=["Hauptstr. 5"], city="Berlin", postal_code="10115", country="DE"))
    links = post(client, order("SM-1", ship_to=consumer, lines=[Line(line_no="1", item_ids={"sku": "WB-100"},
                                                                       quantity=Decimal(1))]), partner, Cache())
    created = [link for link in links if link.model == "res.partner"]
    assert [link.role for link in created] == ["created"]
    contact = odoo.execute_kw("res.partner", "read", [[created[0].record_id], ["parent_id", "type", "city",
                                                                                "country_id", "zip"]])[0]
    assert contact["parent_id"][1] == "ShopMarket Online" and contact["type"] == "delivery"
    assert contact["country_id"][1] == "Germany" and contact["zip"] == "10115"
    again = post(client, order("SM-2", ship_to=consumer, lines=[Line(line_no="1", item_ids={"sku": "WB-100"},
                                                                       quantity=Decimal(1))]), partner, Cache())
    assert [link.model for link in again] == ["sale.order"]
    assert orders(odoo, "SM-2")[0]["partner_shipping_id"][0] == created[0].record_id


def test_currency_mismatch_is_rejected(client: OdooClient) -> None:
    eurohandel = PartnerConfig(id="eurohandel", odoo={"partner_ref": "EUROHANDEL"})
    doc = order("EH-1", currency="USD", ship_to=Party(role="ship_to", ids={"gln": "4012345000016"}),
                lines=[Line(line_no="1", item_ids={"ean": "0614141000012"}, quantity=Decimal(1))])
    with pytest.raises(OdooRejected, match="currency mismatch: the order is in USD .* is in EUR"):
        post(client, doc, eurohandel, Cache())
    assert post(client, doc.model_copy(update={"currency": "EUR"}), eurohandel, Cache())[0].role == "created"


@pytest.mark.parametrize("policy,kept", [("order", 11.0), ("pricelist", 12.5)])
def test_price_policy_and_flag(sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, policy: str,
                               kept: float) -> None:
    doc = order("PR-1", lines=[Line(line_no="1", item_ids={"buyer": "BB-1001"}, quantity=Decimal(3),
                                    unit_price=Decimal("11.00"))])
    post(client, doc, bigbox(price_policy=policy), Cache())
    [so] = orders(odoo, "PR-1")
    [line] = odoo.execute_kw("sale.order.line", "read", [so["order_line"], ["price_unit"]])
    assert line["price_unit"] == kept
    tags = odoo.execute_kw("crm.tag", "read", [so["tag_ids"], ["name"]])
    assert [t["name"] for t in tags] == ["EDI price mismatch"]
    assert "order price 11.00, Odoo price 12.50" in so["note"]
    post(client, doc, bigbox(price_policy=policy), Cache())      # a retry does not flag twice
    assert orders(odoo, "PR-1")[0]["note"].count("EDI price check") == 1


def test_confirmation_creates_the_delivery(client: OdooClient, odoo: odoorpc.ODOO) -> None:
    post(client, order(), bigbox(confirm_orders=True), Cache())
    [so] = orders(odoo, "PO-1001")
    assert so["state"] == "sale"
    [pick] = odoo.execute_kw("stock.picking", "read", [so["picking_ids"], ["picking_type_code", "partner_id"]])
    assert pick["picking_type_code"] == "outgoing" and pick["partner_id"][0] == 8


def lines_of(n: int) -> list[Line]:
    codes = ["BB-1001", "BB-1002", "BB-1003", "BB-1004", "BB-1005"]
    return [Line(line_no=str(i + 1), item_ids={"buyer": codes[i % 5]}, quantity=Decimal(1 + i % 3))
            for i in range(n)]


def test_calls_per_order_do_not_grow_with_lines(client: OdooClient) -> None:
    cache = Cache()
    post(client, order("WARM", lines=lines_of(5)), bigbox(), cache)
    counts = {}
    for n in (1, 10, 60):
        before = client.calls
        post(client, order(f"N{n}", lines=lines_of(n)), bigbox(), cache)
        counts[n] = client.calls - before
    # duplicate check, create, price check, and the write flagging lines sent without a price
    assert counts[1] == counts[10] == counts[60] == 4, counts


def test_stale_cached_contact_is_looked_up_again(client: OdooClient, odoo: odoorpc.ODOO) -> None:
    cache = Cache()
    post(client, order("C-1"), bigbox(), cache)
    odoo.execute_kw("res.partner", "unlink", [[8]])          # the DC contact is replaced in Odoo
    new_dc = odoo.execute_kw("res.partner", "create", [{"name": "BigBox DC 1", "parent_id": 4, "type": "delivery",
                                                        "barcode": "0860001000023"}])
    post(client, order("C-2"), bigbox(), cache)
    assert orders(odoo, "C-2")[0]["partner_shipping_id"][0] == new_dc


# ---------------------------------------------------------------------------- vendor documents

def widgetworks(**odoo: Any) -> PartnerConfig:
    return PartnerConfig(id="widgetworks", odoo={"partner_ref": "WIDGETWORKS", **odoo})


def purchase(sandbox: SandboxServer, odoo: odoorpc.ODOO) -> tuple[int, str]:
    po = odoo.execute_kw("purchase.order", "create", [{"partner_id": 12, "order_line": [
        (0, 0, {"product_id": 1, "product_qty": 100, "price_unit": 7.5}),
        (0, 0, {"product_id": 2, "product_qty": 50, "price_unit": 5.25})]}])
    odoo.execute_kw("purchase.order", "button_confirm", [[po]])
    return po, odoo.execute_kw("purchase.order", "read", [[po], ["name"]])[0]["name"]


def test_vendor_invoice_becomes_a_draft_bill_linked_to_the_po(sandbox: SandboxServer, client: OdooClient,
                                                              odoo: odoorpc.ODOO) -> None:
    _po, po_name = purchase(sandbox, odoo)
    bill = Invoice(number="WW-INV-88", date="2026-11-20", due_date="2026-12-20", currency="USD", po_number=po_name,
                   lines=[Line(line_no="1", item_ids={"vendor": "WW-WB-100"}, quantity=Decimal(100),
                               unit_price=Decimal("7.50")),
                          Line(line_no="2", item_ids={"buyer": "WR-200"}, quantity=Decimal(50),
                               unit_price=Decimal("5.25"))], source=Source(message_id="M2"))
    links = post(client, bill, widgetworks(), Cache())
    assert [(link.model, link.role) for link in links] == [("account.move", "created")]
    move = odoo.execute_kw("account.move", "read", [[links[0].record_id], [
        "move_type", "state", "ref", "invoice_origin", "partner_id", "invoice_date", "amount_untaxed",
        "invoice_line_ids"]])[0]
    assert (move["move_type"], move["state"], move["ref"], move["invoice_origin"], move["invoice_date"]) == (
        "in_invoice", "draft", "WW-INV-88", po_name, "2026-11-20")
    assert move["amount_untaxed"] == 100 * 7.5 + 50 * 5.25
    lines = odoo.execute_kw("account.move.line", "read", [move["invoice_line_ids"], ["purchase_line_id"]])
    assert all(line["purchase_line_id"] for line in lines)
    assert post(client, bill, widgetworks(), Cache())[0].role == "found"
    with pytest.raises(OdooRejected, match="purchase order P99999 of Widget Works Inc. is not in Odoo"):
        post(client, bill.model_copy(update={"number": "WW-INV-89", "po_number": "P99999"}), widgetworks(), Cache())


def test_vendor_ship_notice_updates_and_validates_the_receipt(sandbox: SandboxServer, client: OdooClient,
                                                              odoo: odoorpc.ODOO) -> None:
    _po, po_name = purchase(sandbox, odoo)
    asn = ShipNotice(number="ASN-5", tracking_number="1Z-VENDOR", orders=[ShipOrder(po_number=po_name, packs=[
        Pack(sscc="006141410000001015", items=[ShipItem(item_ids={"vendor": "WW-WB-100"}, quantity=Decimal(60),
                                                        lot="L-1")]),
        Pack(sscc="006141410000001022", items=[ShipItem(item_ids={"vendor": "WW-WB-100"}, quantity=Decimal(40),
                                                        lot="L-2"),
                                               ShipItem(item_ids={"gtin": "00614141000029"}, quantity=Decimal(30))])])])
    links = post(client, asn, widgetworks(), Cache())
    post(client, asn, widgetworks(), Cache())                       # repeating replaces, never adds
    pick = odoo.execute_kw("stock.picking", "read", [[links[0].record_id], ["state", "carrier_tracking_ref",
                                                                            "move_line_ids"]])[0]
    assert pick["state"] == "assigned" and pick["carrier_tracking_ref"] == "1Z-VENDOR"
    lines = odoo.execute_kw("stock.move.line", "read", [pick["move_line_ids"], ["quantity", "lot_id",
                                                                                "result_package_id"]])
    assert sorted((line["quantity"], line["lot_id"] and line["lot_id"][1], line["result_package_id"][1])
                  for line in lines) == [(30.0, False, "006141410000001022"), (40.0, "L-2", "006141410000001022"),
                                         (60.0, "L-1", "006141410000001015")]
    post(client, asn, widgetworks(validate_receipts=True), Cache())
    assert odoo.execute_kw("stock.picking", "read", [[links[0].record_id], ["state"]])[0]["state"] == "done"
    stock = odoo.execute_kw("product.product", "read", [[1, 2], ["qty_available"]])
    assert [p["qty_available"] for p in stock] == [600.0, 330.0]
    backorder = odoo.execute_kw("stock.picking", "search_read", [[("backorder_id", "=", links[0].record_id)],
                                                                 ["move_ids"]])
    assert len(backorder) == 1                              # the 20 Red Widgets not shipped yet
    assert post(client, asn, widgetworks(validate_receipts=True), Cache())[0].role in ("updated", "found")


def test_vendor_inventory_sets_availability_on_vendor_lines(client: OdooClient, odoo: odoorpc.ODOO) -> None:
    advice = InventoryAdvice(number="846-1", lines=[
        InventoryLine(item_ids={"vendor": "WW-WB-100"}, quantities=[Quantity(qualifier="available", value=Decimal(900))]),
        InventoryLine(item_ids={"vendor": "WW-GL-300"}, quantities=[Quantity(qualifier="on_hand", value=Decimal(4))]),
        # a schedule read from an 846 (QTY 33 with SCH lines): what is there today, not what comes later
        InventoryLine(item_ids={"vendor": "WW-WR-200"}, quantities=[
            Quantity(qualifier="on_order", value=Decimal(50)),
            Quantity(qualifier="available", value=Decimal(30)),
            Quantity(qualifier="available", value=Decimal(12), date="2020-12-11"),
            Quantity(qualifier="available", value=Decimal(7), date="2099-12-11")])])
    links = post(client, advice, widgetworks(), Cache())
    assert {link.model for link in links} == {"product.supplierinfo"}
    rows = odoo.execute_kw("product.supplierinfo", "search_read", [[("partner_id", "=", 12)],
                                                                   ["product_code", "x_edi_available_qty"]])
    found = {r["product_code"]: r["x_edi_available_qty"] for r in rows}
    assert found["WW-WB-100"] == 900.0 and found["WW-GL-300"] == 4.0 and found["WW-WR-200"] == 42.0
    with pytest.raises(OdooRejected, match="has no field 'x_missing'"):
        post(client, advice, widgetworks(availability_field="x_missing"), Cache())


def test_store_allocations_are_in_the_order_note(client: OdooClient, odoo: odoorpc.ODOO) -> None:
    """A line split between stores (X12 SDQ) goes to the order's ship-to, with the split in the note for the
    people packing it."""
    lines = [Line(line_no="1", item_ids={"buyer": "BB-1001"}, quantity=Decimal(36), unit_price=Decimal("12.50"),
                  allocation_kind="store", allocations={"0107": Decimal(12), "0203": Decimal(24)}),
             Line(line_no="2", item_ids={"buyer": "BB-1003"}, quantity=Decimal(6), unit_price=Decimal("42.00"))]
    [created] = post(client, order("PO-SDQ", lines=lines), bigbox(), Cache())
    [so] = odoo.execute_kw("sale.order", "read", [[created.record_id], ["note"]])
    assert "line 1 for store 0107: 12, 0203: 24" in so["note"] and "line 2 for" not in so["note"]


def at_once(sandbox: SandboxServer, *posts: Callable[[], object]) -> None:
    """Run the posts in threads started together, each Odoo call answered late: all look before any creates."""
    start = threading.Barrier(len(posts))
    sandbox.faults.delay = 0.2

    def run(post_one: Callable[[], object]) -> None:
        start.wait()
        post_one()
    threads = [threading.Thread(target=run, args=(p,)) for p in posts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    sandbox.faults.delay = 0.0


def test_a_new_ship_to_two_workers_post_at_once_is_created_once(sandbox: SandboxServer, client: OdooClient,
                                                                  odoo: odoorpc.ODOO) -> None:
    """Two orders of one consumer (ShopMarket's export) posted by two workers at the same moment: each looked
    for the delivery address, found none and created it, so Odoo had the consumer twice. Found by the chaos
    test (tests/spine/test_chaos.py); the find-or-create of a new contact is one at a time."""
    partner = PartnerConfig(id="shopmarket", odoo={"partner_ref": "SHOPMARKET", "create_ship_to": True})
    consumer = Party(role="ship_to", name="Erika Mustermann",
                     address=Address(lines=["Hauptstr. 5"], city="Berlin", postal_code="10115", country="DE"))
    cache = Cache()                              # the workers share the pipeline's
    at_once(sandbox, *(lambda n=n: post(client, order(n, ship_to=consumer, lines=[Line(
        line_no="1", item_ids={"sku": "WB-100"}, quantity=Decimal(1))]), partner, cache) for n in ("SM-1", "SM-2")))
    contacts = odoo.execute_kw("res.partner", "search", [[("name", "=", "Erika Mustermann")]])
    assert len(contacts) == 1 and len(orders(odoo, "SM-1") + orders(odoo, "SM-2")) == 2
    assert orders(odoo, "SM-1")[0]["partner_shipping_id"][0] == orders(odoo, "SM-2")[0]["partner_shipping_id"][0]


def test_the_price_flag_tag_two_workers_need_at_once_is_created_once(sandbox: SandboxServer, client: OdooClient,
                                                                      odoo: odoorpc.ODOO) -> None:
    """The first two orders with a price mismatch, posted at the same moment, made the tag twice."""
    cache = Cache()
    at_once(sandbox, *(lambda n=n: post(client, order(n, lines=[Line(
        line_no="1", item_ids={"buyer": "BB-1001"}, quantity=Decimal(3), unit_price=Decimal("11.00"))]),
        bigbox(price_policy="order"), cache) for n in ("PR-1", "PR-2")))
    tags = odoo.execute_kw("crm.tag", "search", [[("name", "=", "EDI price mismatch")]])
    assert len(tags) == 1
    assert orders(odoo, "PR-1")[0]["tag_ids"] == orders(odoo, "PR-2")[0]["tag_ids"] == tags
