"""Odd but real vendor documents posted into the sandbox (17, 18, 19): each is posted correctly, or refused
naming the line before anything is written; never a doubled record."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import odoorpc
import pytest

from gateway.config.models import PartnerConfig
from gateway.errors import OdooRejected
from gateway.odoo.client import OdooClient
from gateway.odoo.posting import Cache, post
from gateway.odoo.sandbox import SandboxServer
from gateway.translate.canonical import (
    AllowanceCharge,
    InventoryAdvice,
    InventoryLine,
    Invoice,
    Line,
    Pack,
    Quantity,
    ShipItem,
    ShipNotice,
    ShipOrder,
)


def widgetworks(**odoo: Any) -> PartnerConfig:
    return PartnerConfig(id="widgetworks", odoo={"partner_ref": "WIDGETWORKS", **odoo})


def purchase(odoo: odoorpc.ODOO, lines: list[tuple[int, float, float]] | None = None,
             confirm: bool = True) -> tuple[int, str]:
    lines = lines or [(1, 100, 7.5), (2, 50, 5.25)]
    po = odoo.execute_kw("purchase.order", "create", [{"partner_id": 12, "order_line": [
        (0, 0, {"product_id": p, "product_qty": q, "price_unit": u}) for p, q, u in lines]}])
    if confirm:
        odoo.execute_kw("purchase.order", "button_confirm", [[po]])
    return po, odoo.execute_kw("purchase.order", "read", [[po], ["name"]])[0]["name"]


def receipt(odoo: odoorpc.ODOO, po: int) -> dict[str, Any]:
    pick = odoo.execute_kw("stock.picking", "search_read", [[("purchase_id", "=", po)],
                                                            ["note", "state", "move_line_ids"]])[0]
    pick["lines"] = sorted((m["product_id"][0], m["quantity"]) for m in odoo.execute_kw(
        "stock.move.line", "read", [pick["move_line_ids"], ["product_id", "quantity"]]))
    return dict(pick)


def test_a_notice_for_two_pos_is_refused_whole_when_the_second_is_wrong(client: OdooClient,
                                                                         odoo: odoorpc.ODOO) -> None:
    """The second PO's line names a product not on its receipt: the first PO's receipt is left as it was
    (no ASN lines, no package, not validated), not half applied."""
    po1, name1 = purchase(odoo)
    _po2, name2 = purchase(odoo, [(2, 10, 5.25)])
    before = receipt(odoo, po1)
    asn = ShipNotice(number="ASN-2PO", orders=[
        ShipOrder(po_number=name1, packs=[Pack(sscc="006141410000009991", items=[
            ShipItem(item_ids={"vendor": "WW-WB-100"}, quantity=Decimal(100))])]),
        ShipOrder(po_number=name2, items=[ShipItem(line_no="1", item_ids={"vendor": "WW-WB-100"},
                                                   quantity=Decimal(10))])])
    with pytest.raises(OdooRejected, match=rf"purchase order {name2}, line 1: .* is not on receipt"):
        post(client, asn, widgetworks(validate_receipts=True), Cache())
    after = receipt(odoo, po1)
    assert (after["state"], after["note"], after["lines"]) == (before["state"], before["note"], before["lines"])
    assert "EDI ship notice" not in str(after["note"] or "")
    model = "stock.package" if odoo.version.startswith("19") else "stock.quant.package"
    assert odoo.execute_kw(model, "search", [[("name", "=", "006141410000009991")]]) == []


def test_a_po_in_two_order_loops_is_received_whole(client: OdooClient, odoo: odoorpc.ODOO) -> None:
    """Two order loops of one PO (two pallets loaded separately): both loops' items are on the receipt."""
    po, name = purchase(odoo)
    asn = ShipNotice(number="ASN-SPLIT", orders=[
        ShipOrder(po_number=name, items=[ShipItem(item_ids={"vendor": "WW-WB-100"}, quantity=Decimal(60))]),
        ShipOrder(po_number=name, items=[ShipItem(item_ids={"vendor": "WW-WB-100"}, quantity=Decimal(40)),
                                         ShipItem(item_ids={"vendor": "WW-WR-200"}, quantity=Decimal(50))])])
    links = post(client, asn, widgetworks(), Cache())
    assert len(links) == 1
    assert receipt(odoo, po)["lines"] == [(1, 40.0), (1, 60.0), (2, 50.0)]


def bill_lines(odoo: odoorpc.ODOO, move: int) -> list[tuple[str, float, float]]:
    ids = odoo.execute_kw("account.move", "read", [[move], ["invoice_line_ids"]])[0]["invoice_line_ids"]
    return sorted((r["name"], r["quantity"], r["price_unit"]) for r in odoo.execute_kw(
        "account.move.line", "read", [ids, ["name", "quantity", "price_unit"]]))


def test_an_invoice_with_freight_and_a_discount_bills_them(sandbox: SandboxServer, client: OdooClient,
                                                           odoo: odoorpc.ODOO) -> None:
    """The vendor's freight charge and discount are bill lines on the mapped service products, so the
    bill's total is the invoice's; unmapped, the invoice is refused naming the charge, nothing written."""
    kind = "detailed_type" if sandbox.version < 18 else "type"
    for code, name in (("SVC-FREIGHT", "Freight"), ("SVC-DISCOUNT", "Discount")):
        odoo.execute_kw("product.product", "create", [{"name": name, "default_code": code, kind: "service"}])
    _po, name = purchase(odoo)
    invoice = Invoice(number="WW-INV-FR", po_number=name, lines=[
        Line(item_ids={"vendor": "WW-WB-100"}, quantity=Decimal(100), unit_price=Decimal("7.50"))],
        allowances_charges=[AllowanceCharge(kind="charge", code="D240", description="Freight", amount=Decimal(45)),
                            AllowanceCharge(kind="allowance", code="C310", percent=Decimal(2))])
    with pytest.raises(OdooRejected, match=r"invoice WW-INV-FR, charge D240: charge D240 Freight of 45 has no "
                                           r"Odoo product .* odoo.charge_products"):
        post(client, invoice, widgetworks(), Cache())
    assert odoo.execute_kw("account.move", "search", [[("ref", "=", "WW-INV-FR")]]) == []
    partner = widgetworks(charge_products={"D240": "SVC-FREIGHT", "allowance": "SVC-DISCOUNT"})
    links = post(client, invoice, partner, Cache())
    assert [(n, q, p) for n, q, p in bill_lines(odoo, links[0].record_id) if q == 1.0] == [
        ("C310", 1.0, -15.0), ("Freight", 1.0, 45.0)]
    assert odoo.execute_kw("account.move", "read", [[links[0].record_id], ["amount_untaxed"]])[0][
        "amount_untaxed"] == 750 + 45 - 15
    assert post(client, invoice, partner, Cache())[0].role == "found"


def test_an_invoice_listing_one_po_line_twice_links_both_to_it(client: OdooClient, odoo: odoorpc.ODOO) -> None:
    """Two invoice lines for one PO line (two deliveries billed at once): both are on the bill, linked to
    that PO line; it was refused as 'not on purchase order'."""
    po, name = purchase(odoo)
    invoice = Invoice(number="WW-INV-2X", po_number=name, lines=[
        Line(line_no="1", item_ids={"vendor": "WW-WB-100"}, quantity=Decimal(60), unit_price=Decimal("7.50")),
        Line(line_no="2", item_ids={"vendor": "WW-WB-100"}, quantity=Decimal(40), unit_price=Decimal("7.50"))])
    links = post(client, invoice, widgetworks(), Cache())
    ids = odoo.execute_kw("account.move", "read", [[links[0].record_id], ["invoice_line_ids"]])[0]["invoice_line_ids"]
    po_line = odoo.execute_kw("purchase.order.line", "search", [[("order_id", "=", po), ("product_id", "=", 1)]])
    assert sorted((r["quantity"], r["purchase_line_id"][0]) for r in odoo.execute_kw(
        "account.move.line", "read", [ids, ["quantity", "purchase_line_id"]])) == [(40.0, po_line[0]),
                                                                                     (60.0, po_line[0])]


def test_an_846_with_a_product_at_two_locations_adds_them_up(client: OdooClient, odoo: odoorpc.ODOO) -> None:
    """A vendor's 846 per warehouse (one LIN per location): what it has of the product is the sum; the
    last location's quantity alone was written."""
    advice = InventoryAdvice(number="846-LOC", lines=[
        InventoryLine(line_no="1", location="EAST", item_ids={"vendor": "WW-WB-100"},
                      quantities=[Quantity(qualifier="available", value=Decimal(300))]),
        InventoryLine(line_no="2", location="WEST", item_ids={"vendor": "WW-WB-100"},
                      quantities=[Quantity(qualifier="available", value=Decimal(25))])])
    post(client, advice, widgetworks(), Cache())
    rows = odoo.execute_kw("product.supplierinfo", "search_read", [[("partner_id", "=", 12),
                                                                    ("product_code", "=", "WW-WB-100")],
                                                                   ["x_edi_available_qty"]])
    assert [r["x_edi_available_qty"] for r in rows] == [325.0]
    # a product we do not buy from this vendor: refused naming the line, nothing written
    odoo.execute_kw("product.product", "create", [{"name": "Other Vendor's Part", "default_code": "OV-1"}])
    with pytest.raises(OdooRejected, match=r"inventory advice 846-X, line 2: .* has no vendor line for Widget Works"):
        post(client, InventoryAdvice(number="846-X", lines=[advice.lines[0], InventoryLine(
            line_no="2", item_ids={"sku": "OV-1"}, quantities=[Quantity(qualifier="available", value=Decimal(3))])]),
            widgetworks(), Cache())
    assert odoo.execute_kw("product.supplierinfo", "read", [[rows[0]["id"]], ["x_edi_available_qty"]])[0][
        "x_edi_available_qty"] == 325.0


def test_vendor_figures_that_cannot_be_right_are_refused_before_anything_is_written(client: OdooClient,
                                                                                   odoo: odoorpc.ODOO) -> None:
    """Orders had these checks; a vendor's ship notice of -5 pieces rewrote the receipt with a negative quantity,
    and a price beyond 15 digits made a bill whose rounded figure the retry could not find again. A credit line
    on an invoice (a return) keeps its negative quantity."""
    po, name = purchase(odoo)
    before = receipt(odoo, po)
    asn = ShipNotice(number="ASN-NEG", orders=[ShipOrder(po_number=name, items=[
        ShipItem(line_no="1", item_ids={"vendor": "WW-WB-100"}, quantity=Decimal(-5))])])
    with pytest.raises(OdooRejected, match="ship notice ASN-NEG, line 1: quantity -5 is negative"):
        post(client, asn, widgetworks(), Cache())
    assert receipt(odoo, po)["lines"] == before["lines"]
    bills = odoo.execute_kw("account.move", "search_count", [[("move_type", "=", "in_invoice")]])
    huge = Invoice(number="INV-HUGE", po_number=name, lines=[
        Line(line_no="1", item_ids={"vendor": "WW-WB-100"}, quantity=Decimal(1), unit_price=Decimal("1e15"),
             amount=Decimal("1e15"))])
    with pytest.raises(OdooRejected, match=r"invoice INV-HUGE, line 1: unit price .* more digits than Odoo keeps"):
        post(client, huge, widgetworks(), Cache())
    assert odoo.execute_kw("account.move", "search_count", [[("move_type", "=", "in_invoice")]]) == bills
    credit = Invoice(number="INV-RET", po_number=name, lines=[
        Line(line_no="1", item_ids={"vendor": "WW-WB-100"}, quantity=Decimal(2), unit_price=Decimal("7.5"),
             amount=Decimal(15)),
        Line(line_no="2", item_ids={"vendor": "WW-WB-100"}, quantity=Decimal(-1), unit_price=Decimal("7.5"),
             amount=Decimal("-7.5"))])
    [link] = post(client, credit, widgetworks(), Cache())
    assert link.role == "created"


def lot_expiry(odoo: odoorpc.ODOO, name: str) -> Any:
    [lot] = odoo.execute_kw("stock.lot", "search_read", [[("name", "=", name)], ["expiration_date"]])
    return lot["expiration_date"]


def test_a_lots_expiry_date_reaches_the_lot_the_receipt_creates(client: OdooClient, odoo: odoorpc.ODOO) -> None:
    """Food and pharma distributors pick by expiry: the vendor's date was read and then dropped."""
    _, name = purchase(odoo)
    asn = ShipNotice(number="ASN-EXP", orders=[ShipOrder(po_number=name, items=[
        ShipItem(line_no="1", item_ids={"vendor": "WW-WB-100"}, quantity=Decimal(100), lot="L-2027-03",
                 expiry_date="2027-03-31")])])
    post(client, asn, widgetworks(), Cache())
    assert str(lot_expiry(odoo, "L-2027-03")).startswith("2027-03-31")


def test_without_the_expiration_dates_app_the_lot_is_made_all_the_same() -> None:
    from gateway.odoo.client import connect
    from tests.odoo.conftest import settings_for
    server = SandboxServer(version=18, seed_name="demo", without=("product_expiry",))
    server.start()
    try:
        client = connect(settings_for(server), retry_base=0.01)
        odoo = odoorpc.ODOO("127.0.0.1", port=server.port, timeout=10)
        odoo.login("demo", "admin", "admin")
        _, name = purchase(odoo)
        asn = ShipNotice(number="ASN-NOEXP", orders=[ShipOrder(po_number=name, items=[
            ShipItem(line_no="1", item_ids={"vendor": "WW-WB-100"}, quantity=Decimal(100), lot="L-NOEXP",
                     expiry_date="2027-03-31")])])
        post(client, asn, widgetworks(), Cache())
        assert lot_expiry(odoo, "L-NOEXP") is False
    finally:
        server.stop()
