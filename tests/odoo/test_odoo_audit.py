"""What the audit of the gateway's Odoo calls against Odoo's source found (docs/odoo-api-audit.md), each shown
against the sandbox over real HTTP in every version mode."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import odoorpc

from gateway.odoo.client import OdooClient, connect
from gateway.odoo.extract.order_acks import extract_order_acks
from gateway.odoo.extract.ship_notices import extract_ship_notices
from gateway.odoo.posting import Cache, post
from gateway.odoo.sandbox import SandboxServer
from gateway.translate.canonical import Line, Party, ShipItem, ShipNotice, ShipOrder, Source
from tests.odoo.conftest import bigbox, northwind, order, settings_for
from tests.odoo.test_multi_company import second_company
from tests.odoo.test_vendor_odd import widgetworks


def dropship_type(odoo: odoorpc.ODOO) -> int:
    """stock_dropshipping's operation type (res_company._create_dropship_picking_type): Vendors -> Customers, no
    warehouse, code `dropship` from Odoo 18 and `incoming` to 17."""
    version = int(odoo.version.split(".")[0])
    [vendors] = odoo.execute_kw("stock.location", "search", [[("usage", "=", "supplier")]], {"limit": 1})
    [customers] = odoo.execute_kw("stock.location", "search", [[("usage", "=", "customer")]], {"limit": 1})
    return int(odoo.execute_kw("stock.picking.type", "create", [{
        "name": "Dropship", "code": "dropship" if version >= 18 else "incoming", "sequence_code": "DS",
        "default_location_src_id": vendors, "default_location_dest_id": customers}]))


def dropship(odoo: odoorpc.ODOO, order_id: int) -> int:
    """What stock_dropshipping leaves once the vendor shipped a sale order straight to the customer: a done
    Vendors -> Customers transfer of the order's lines, of the Dropship operation type (its code `dropship` from
    Odoo 18, `incoming` to 17; no warehouse)."""
    version = int(odoo.version.split(".")[0])
    ptype = dropship_type(odoo)
    [so] = odoo.execute_kw("sale.order", "read", [[order_id], ["name", "partner_shipping_id", "order_line"]])
    uom = "product_uom_id" if version >= 19 else "product_uom"
    lines = odoo.execute_kw("sale.order.line", "read", [so["order_line"], ["product_id", "product_uom_qty", uom]])
    # the transfer's partner is the purchase order's vendor (purchase_stock's _prepare_picking; stock_dropshipping
    # passes the PO's partner as move_picking_partner_id), not the customer
    [vendor] = odoo.execute_kw("res.partner", "search", [[("name", "=", "Widget Works")]], {"limit": 1}) or \
        odoo.execute_kw("res.partner", "create", [[{"name": "Widget Works", "is_company": True}]])
    picking = odoo.execute_kw("stock.picking", "create", [{
        "picking_type_id": ptype, "partner_id": vendor, "origin": so["name"],
        "sale_id": order_id, "move_ids": [[0, 0, {"product_id": line["product_id"][0], "sale_line_id": line["id"],
                                                  "product_uom_qty": line["product_uom_qty"],
                                                  "product_uom": line[uom][0]}] for line in lines]}])
    odoo.execute_kw("stock.picking", "action_confirm", [[picking]])
    odoo.execute_kw("stock.picking", "button_validate", [[picking]])
    return int(picking)


def test_a_dropship_delivery_is_announced_like_a_delivery(sandbox: SandboxServer, client: OdooClient,
                                                           odoo: odoorpc.ODOO, journal: Any) -> None:
    """A distributor's drop-shipped order reaches the customer through no outgoing transfer: the vendor's
    Vendors -> Customers one is the shipment, and the customer expects its 856 as for any other. Found by the
    audit: the extraction searched `picking_type_code = outgoing` only, so it never saw one (17: `incoming`,
    18 on: `dropship`)."""
    [link] = post(client, order(), bigbox(confirm_orders=True), Cache())
    picking = dropship(odoo, link.record_id)
    [asn] = extract_ship_notices(client, bigbox(), journal)
    assert asn.source.odoo_record == f"stock.picking,{picking}"
    [shipped] = asn.orders
    assert shipped.po_number == "PO-1001"
    items = {item.line_no: item for item in asn.all_items()}
    assert items["1"].quantity == Decimal(24) and items["2"].quantity == Decimal(2) and items["2"].unit == "CS"
    assert asn.party("ship_to") is not None and asn.party("ship_to").ids == {"gln": "0860001000023"}  # type: ignore[union-attr]


def test_a_dropship_counts_as_delivered_on_the_sale_order(client: OdooClient, odoo: odoorpc.ODOO) -> None:
    """sale_stock counts a line's delivered quantity by where its done moves went (into a customer location,
    less what came back out of one), so a drop-shipment is delivered and the order can be invoiced on delivered
    quantities. The sandbox counted by operation type (`outgoing` plus, anything else minus), so a drop-shipped
    line showed -24 delivered."""
    [link] = post(client, order(), bigbox(confirm_orders=True), Cache())
    dropship(odoo, link.record_id)
    lines = odoo.execute_kw("sale.order.line", "search_read", [[("order_id", "=", link.record_id)],
                                                               ["product_uom_qty", "qty_delivered"]])
    assert [(r["qty_delivered"], r["product_uom_qty"]) for r in lines] == [(24.0, 24.0), (2.0, 2.0)]


def test_a_vendors_notice_for_a_dropship_purchase_order_is_applied_to_its_transfer(client: OdooClient,
                                                                                 odoo: odoorpc.ODOO) -> None:
    """The vendor's 856 for a drop-ship PO announces the Vendors -> Customers transfer, the PO's only one. To 17
    that transfer's code is `incoming` and the notice found it; from 18 it is `dropship`, and the search for the
    PO's `incoming` transfers found none, so the same notice was refused as naming a PO without a receipt."""
    ptype = dropship_type(odoo)
    po = odoo.execute_kw("purchase.order", "create", [{"partner_id": 12, "picking_type_id": ptype, "order_line": [
        (0, 0, {"product_id": 1, "product_qty": 100, "price_unit": 7.5})]}])
    odoo.execute_kw("purchase.order", "button_confirm", [[po]])
    [name] = [r["name"] for r in odoo.execute_kw("purchase.order", "read", [[po], ["name"]])]
    asn = ShipNotice(number="ASN-DS1", orders=[ShipOrder(po_number=name, items=[
        ShipItem(line_no="1", item_ids={"vendor": "WW-WB-100"}, quantity=Decimal(100))])])
    [link] = post(client, asn, widgetworks(validate_receipts=True), Cache())
    [pick] = odoo.execute_kw("stock.picking", "search_read", [[("purchase_id", "=", po)], ["state", "picking_type_id"]])
    assert link.record_id == pick["id"] and pick["picking_type_id"][0] == ptype and pick["state"] == "done"
    # purchase_stock counts it received (a move to a vendor location would be a return): the bill can match it
    [line] = odoo.execute_kw("purchase.order.line", "search_read", [[("order_id", "=", po)], ["qty_received"]])
    assert line["qty_received"] == 100.0


def test_a_quantity_change_keeps_the_partners_price(client: OdooClient, odoo: odoorpc.ODOO) -> None:
    """An 860 that changes only a line's quantity leaves its price as agreed (price policy `order`: 11.00, not
    Blue Widget's 12.50 list price). Odoo's sale.order.line `_compute_price_unit` prices a line again when its
    quantity or unit changes: to 17 over any price (only an invoiced line is spared), from 18 not over a price
    set by hand (`technical_price_unit`). So on 17 the merge's quantity write reset the partner's 11.00 to 12.50;
    the merge now writes the line's price with its new quantity."""
    partner = bigbox(order_changes="revise", price_policy="order")
    [created] = post(client, order(lines=[Line(line_no="1", item_ids={"buyer": "BB-1001"}, quantity=Decimal(24),
                                               unit_price=Decimal("11.00"))]), partner, Cache())
    change = order(lines=[Line(line_no="1", item_ids={"buyer": "BB-1001"}, quantity=Decimal(30), change="change")],
                   purpose="change").model_copy(update={"source": Source(standard_type="860", message_id="02QTY")})
    post(client, change, partner, Cache())
    [line] = odoo.execute_kw("sale.order.line", "search_read", [[("order_id", "=", created.record_id)],
                                                               ["product_uom_qty", "price_unit"]])
    assert (line["product_uom_qty"], line["price_unit"]) == (30.0, 11.0)


def test_the_sandbox_prices_a_line_again_as_its_odoo_version_does(sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    """The sandbox side of the above: a quantity written alone reprices the line from the pricelist in 17 mode
    even over a price set by hand, from 18 only a line whose price Odoo computed; a write that sets the price
    with the quantity keeps it."""
    [bigbox_id] = odoo.execute_kw("res.partner", "search", [[("ref", "=", "BIGBOX")]])
    so = odoo.execute_kw("sale.order", "create", [{"partner_id": bigbox_id, "order_line": [
        [0, 0, {"product_id": 1, "product_uom_qty": 24}], [0, 0, {"product_id": 1, "product_uom_qty": 24}]]}])
    first, second = odoo.execute_kw("sale.order.line", "search", [[("order_id", "=", so)]], {"order": "id"})
    odoo.execute_kw("sale.order.line", "write", [[first], {"price_unit": 11.0}])
    odoo.execute_kw("sale.order.line", "write", [[first, second], {"product_uom_qty": 30}])
    prices = [r["price_unit"] for r in odoo.execute_kw("sale.order.line", "read", [[first, second], ["price_unit"]])]
    assert prices == ([12.5, 12.5] if sandbox.version <= 17 else [11.0, 12.5])
    odoo.execute_kw("sale.order.line", "write", [[first], {"product_uom_qty": 31, "price_unit": 10.0}])
    assert odoo.execute_kw("sale.order.line", "read", [[first], ["price_unit"]])[0]["price_unit"] == 10.0


def test_a_gln_typed_in_another_company_is_found_and_sent(sandbox: SandboxServer, odoo: odoorpc.ODOO,
                                                           journal: Any) -> None:
    """res.partner `barcode` (the default GLN field) is company-dependent in Odoo: a value per company, and a call
    sees its own company's only. The demo's GLNs were typed in the first company; the gateway works in a second
    (`odoo.company_id`). Northwind, known by its GLN alone, and BigBox's DC, a ship-to known by GLN, are still
    found, and the order acknowledgement the gateway sends names both GLNs. Before, the first was 'no company in
    Odoo with GLN', the second 'not a delivery address' (and an ASN from that company had no GLNs)."""
    canada = second_company(odoo)
    there = connect(settings_for(sandbox, company_id=canada), retry_base=0.01)
    try:
        assert there.fields("res.partner")["barcode"]["company_dependent"] is True
        [made] = post(there, order("PO-GLN-1", lines=[Line(line_no="1", item_ids={"upc": "614141000012"},
                                                            quantity=Decimal(2))],
                                   ship_to=Party(role="ship_to", ids={"store": "0042"})), northwind(), Cache())
        assert made.role == "created"
        [link] = post(there, order("PO-GLN-2", lines=[Line(line_no="1", item_ids={"upc": "614141000012"},
                                                           quantity=Decimal(2))]), bigbox(confirm_orders=True),
                      Cache())
        [ack] = extract_order_acks(there, bigbox(), journal)
        assert ack.party("ship_to") is not None and ack.party("ship_to").ids.get("gln") == "0860001000023"  # type: ignore[union-attr]
        [row] = odoo.execute_kw("sale.order", "read", [[link.record_id], ["company_id"]],
                                {"context": {"allowed_company_ids": [canada]}})
        assert row["company_id"][0] == canada
    finally:
        there.close()
