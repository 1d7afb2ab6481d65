"""The same posting and extraction against a real Odoo, when one is configured; skipped otherwise.

    EDI_GATEWAY_TEST_ODOO_URL=https://odoo.example.com EDI_GATEWAY_TEST_ODOO_DATABASE=test \\
    EDI_GATEWAY_TEST_ODOO_USERNAME=admin EDI_GATEWAY_TEST_ODOO_PASSWORD=<password or API key> \\
        .venv/bin/python -m pytest tests/odoo/test_real_odoo.py

Needs sale_stock and account installed. The test creates its own customer, delivery contact and
product with unique references (EDI-TEST-<time>), so it never touches existing records; it
leaves them behind, archived.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from gateway.config.models import OdooSettings, PartnerConfig
from gateway.odoo.client import OdooClient, connect
from gateway.odoo.extract.invoices import extract_invoices
from gateway.odoo.extract.ship_notices import extract_ship_notices
from gateway.odoo.lookup import Names
from gateway.odoo.posting import Cache, post
from gateway.translate.canonical import Line, Party, PurchaseOrder, Source

URL = os.environ.get("EDI_GATEWAY_TEST_ODOO_URL")
pytestmark = pytest.mark.skipif(not URL, reason="EDI_GATEWAY_TEST_ODOO_URL is not set: no real Odoo to test against")


@pytest.fixture(scope="module")
def real() -> OdooClient:
    settings = OdooSettings(url=URL or "", database=os.environ.get("EDI_GATEWAY_TEST_ODOO_DATABASE", "odoo"),
                            username=os.environ.get("EDI_GATEWAY_TEST_ODOO_USERNAME", "admin"),
                            password=os.environ.get("EDI_GATEWAY_TEST_ODOO_PASSWORD"), timeout=60)
    return connect(settings)


@pytest.fixture(scope="module")
def world(real: OdooClient) -> Iterator[dict[str, Any]]:
    tag = f"EDI-TEST-{int(time.time())}"
    gln = f"09{int(time.time()) % 10**11:011d}"
    customer = real.create("res.partner", {"name": f"{tag} Customer", "ref": tag, "is_company": True})
    contact = real.create("res.partner", {"name": f"{tag} DC", "parent_id": customer, "type": "delivery",
                                          "barcode": gln})
    kind = {"detailed_type": "consu"} if real.version[0] <= 17 else {"type": "consu"}
    product = real.create("product.product", {"name": f"{tag} Widget", "default_code": tag, "barcode": tag,
                                              "list_price": 10.0, **kind})
    yield {"tag": tag, "gln": gln, "customer": customer, "contact": contact, "product": product}
    real.write("res.partner", [contact, customer], {"active": False})
    real.write("product.product", [product], {"active": False})


def test_post_deliver_invoice_extract(real: OdooClient, world: dict[str, Any], tmp_path: Path) -> None:
    from gateway.journal.sqlite import open_journal
    partner = PartnerConfig(id="realtest", odoo={"partner_ref": world["tag"], "confirm_orders": True})
    doc = PurchaseOrder(number=f"{world['tag']}-PO", parties=[Party(role="ship_to", ids={"gln": world["gln"]})],
                        lines=[Line(line_no="1", item_ids={"sku": world["tag"]}, quantity=Decimal(3),
                                    unit_price=Decimal("10.00"))], source=Source(message_id="REAL"))
    [link] = post(real, doc, partner, Cache())
    assert link.role == "created"
    assert post(real, doc, partner, Cache())[0].role == "found"
    order = real.read("sale.order", [link.record_id], ["state", "picking_ids", "partner_shipping_id"])[0]
    assert order["state"] == "sale" and order["partner_shipping_id"][0] == world["contact"]
    done = Names.of(real, Cache()).move_qty          # quantity_done on 16
    for picking in order["picking_ids"]:
        moves = real.search_read("stock.move", [("picking_id", "=", picking)], ["product_uom_qty"])
        for move in moves:
            real.write("stock.move", [move["id"]], {done: move["product_uom_qty"]})
        real.call("stock.picking", "button_validate", [picking], context={"skip_backorder": True})
    wizard = real.create("sale.advance.payment.inv", {"advance_payment_method": "delivered"},
                         context={"active_model": "sale.order", "active_ids": [link.record_id]})
    real.call("sale.advance.payment.inv", "create_invoices", [wizard])
    invoices = real.read("sale.order", [link.record_id], ["invoice_ids"])[0]["invoice_ids"]
    real.call("account.move", "action_post", invoices)
    journal = open_journal(tmp_path / "state")
    try:
        [asn] = extract_ship_notices(real, partner, journal)
        assert asn.orders[0].po_number == doc.number
        assert [i.quantity for i in asn.all_items()] == [3]
        [inv] = extract_invoices(real, partner, journal)
        assert inv.po_number == doc.number and inv.lines[0].quantity == 3
        assert extract_ship_notices(real, partner, journal) == []
    finally:
        journal.close()
