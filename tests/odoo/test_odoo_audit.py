"""What the audit of the gateway's Odoo calls against Odoo's source found (docs/odoo-api-audit.md), each shown
against the sandbox over real HTTP in every version mode."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import odoorpc

from gateway.odoo.client import OdooClient
from gateway.odoo.extraction import extract_ship_notices
from gateway.odoo.posting import Cache, post
from gateway.odoo.sandbox import SandboxServer
from tests.odoo.conftest import bigbox, order


def dropship(odoo: odoorpc.ODOO, order_id: int) -> int:
    """What stock_dropshipping leaves once the vendor shipped a sale order straight to the customer: a done
    Vendors -> Customers transfer of the order's lines, of the Dropship operation type (its code `dropship` from
    Odoo 18, `incoming` to 17; no warehouse)."""
    version = int(odoo.version.split(".")[0])
    [vendors] = odoo.execute_kw("stock.location", "search", [[("usage", "=", "supplier")]], {"limit": 1})
    [customers] = odoo.execute_kw("stock.location", "search", [[("usage", "=", "customer")]], {"limit": 1})
    ptype = odoo.execute_kw("stock.picking.type", "create", [{
        "name": "Dropship", "code": "dropship" if version >= 18 else "incoming", "sequence_code": "DS",
        "default_location_src_id": vendors, "default_location_dest_id": customers}])
    [so] = odoo.execute_kw("sale.order", "read", [[order_id], ["name", "partner_shipping_id", "order_line"]])
    uom = "product_uom_id" if version >= 19 else "product_uom"
    lines = odoo.execute_kw("sale.order.line", "read", [so["order_line"], ["product_id", "product_uom_qty", uom]])
    picking = odoo.execute_kw("stock.picking", "create", [{
        "picking_type_id": ptype, "partner_id": so["partner_shipping_id"][0], "origin": so["name"],
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
