"""A real Odoo may lack add-ons the demo database has: the OCA module that keeps customers' item numbers
(product.customerinfo) and Odoo's Delivery app (carrier, tracking and weight on transfers). Orders, receipts
and ship notices still go through; only what those add-ons hold is missing, and a line that nothing else
identifies says which module would."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import odoorpc
import pytest

from gateway.errors import OdooRejected
from gateway.odoo.client import OdooClient
from gateway.odoo.extract.ship_notices import extract_ship_notices
from gateway.odoo.posting import Cache, post
from gateway.odoo.sandbox import SandboxServer
from gateway.translate.canonical import Line, Pack, ShipItem, ShipNotice, ShipOrder
from tests.odoo.conftest import API_KEY_19, bigbox, order
from tests.odoo.test_extraction import deliver
from tests.odoo.test_posting import purchase, widgetworks


@pytest.fixture(params=[(17, "product_supplierinfo_for_customer"), (19, "product_supplierinfo_for_customer"),
                        (17, "stock_delivery"), (18, "stock_delivery"), (19, "stock_delivery")],
                ids=["odoo17-no-customerinfo", "odoo19-no-customerinfo", "odoo17-no-delivery", "odoo18-no-delivery",
                     "odoo19-no-delivery"])
def sandbox(request: pytest.FixtureRequest) -> Iterator[SandboxServer]:
    version, addon = request.param
    server = SandboxServer(version=version, seed_name="demo", api_keys=[API_KEY_19] if version >= 19 else [],
                           without=(addon,))
    server.start()
    yield server
    server.stop()
# (conftest's `client` and `odoo` fixtures connect to this module's `sandbox`)


def _missing(sandbox: SandboxServer, addon: str) -> bool:
    model = {"product_supplierinfo_for_customer": "product.customerinfo", "stock_delivery": "delivery.carrier"}[addon]
    return model not in sandbox.db.models


def test_an_order_finds_its_products_by_the_other_identifiers(sandbox: SandboxServer, client: OdooClient,
                                                             odoo: odoorpc.ODOO) -> None:
    lines = [Line(line_no="1", item_ids={"buyer": "BB-1001", "upc": "614141000012"}, quantity=Decimal(24)),
             Line(line_no="2", item_ids={"buyer": "BB-1002", "vendor": "WR-200"}, quantity=Decimal(6))]
    [link] = post(client, order("PO-NOADDON-1", lines=lines), bigbox(), Cache())
    rows = odoo.execute_kw("sale.order.line", "search_read", [[("order_id", "=", link.record_id)],
                                                              ["product_id"]])
    assert [r["product_id"][1] for r in rows] == ["[WB-100] Blue Widget", "[WR-200] Red Widget"]


def test_a_line_only_the_buyers_number_names_says_which_module_would_find_it(sandbox: SandboxServer,
                                                                            client: OdooClient) -> None:
    lines = [Line(line_no="1", item_ids={"buyer": "BB-1001"}, quantity=Decimal(24))]
    if not _missing(sandbox, "product_supplierinfo_for_customer"):
        [link] = post(client, order("PO-NOADDON-2", lines=lines), bigbox(), Cache())   # found by its code
        assert link.model == "sale.order"
        return
    with pytest.raises(OdooRejected) as raised:
        post(client, order("PO-NOADDON-2", lines=lines), bigbox(), Cache())
    assert "line 1: no product in Odoo for buyer BB-1001" in str(raised.value)
    assert "product.customerinfo, which this Odoo does not have: install the OCA module " \
           "product_supplierinfo_for_customer" in str(raised.value)


def test_ship_notices_go_out_without_the_delivery_app(sandbox: SandboxServer, client: OdooClient,
                                                      odoo: odoorpc.ODOO, journal: Any) -> None:
    lines = [Line(line_no="1", item_ids={"upc": "614141000012"}, quantity=Decimal(10))]
    [link] = post(client, order("PO-NOADDON-3", lines=lines), bigbox(confirm_orders=True), Cache())
    if _missing(sandbox, "stock_delivery"):
        [pick] = odoo.execute_kw("sale.order", "read", [[link.record_id], ["picking_ids"]])[0]["picking_ids"]
        odoo.execute_kw("stock.picking", "button_validate", [[pick]], {"context": {"skip_backorder": True}})
    else:
        deliver(odoo, link.record_id)
    [asn] = extract_ship_notices(client, bigbox(), journal)
    assert [o.po_number for o in asn.orders] == ["PO-NOADDON-3"]
    assert [i.quantity for i in asn.all_items()] == [Decimal(10)]
    if _missing(sandbox, "stock_delivery"):
        assert asn.carrier_name is None and asn.tracking_number is None
    else:
        assert asn.carrier_name == "UPS Ground"


def test_a_vendors_ship_notice_keeps_its_tracking_number_in_the_note(sandbox: SandboxServer, client: OdooClient,
                                                                     odoo: odoorpc.ODOO) -> None:
    _po, po_name = purchase(sandbox, odoo)
    asn = ShipNotice(number="ASN-NOADDON", tracking_number="1Z-NOADDON", orders=[ShipOrder(po_number=po_name, packs=[
        Pack(sscc="006141410000001015", items=[ShipItem(item_ids={"vendor": "WW-WB-100"}, quantity=Decimal(60))])])])
    [link] = post(client, asn, widgetworks(), Cache())
    post(client, asn, widgetworks(), Cache())                       # repeating adds nothing to the note
    fields = ["note", "move_line_ids"] + ([] if _missing(sandbox, "stock_delivery") else ["carrier_tracking_ref"])
    pick = odoo.execute_kw("stock.picking", "read", [[link.record_id], fields])[0]
    if _missing(sandbox, "stock_delivery"):
        assert pick["note"].count("tracking 1Z-NOADDON") == 1
    else:
        assert pick["carrier_tracking_ref"] == "1Z-NOADDON" and "tracking 1Z-NOADDON" not in pick["note"]
    [line] = odoo.execute_kw("stock.move.line", "read", [pick["move_line_ids"], ["result_package_id"]])
    assert line["result_package_id"][1] == "006141410000001015"
