"""A vendor's serial number "already in stock" is looked for in the receiving company only: in a database of
several companies the same number may be another company's unit (Odoo's lots belong to one company), which is
no reason to hold the notice. Sandbox over HTTP, checked with odoorpc."""

from __future__ import annotations

import odoorpc
import pytest

from gateway.errors import OdooRejected
from gateway.odoo.client import OdooClient
from gateway.odoo.posting import Cache, post
from tests.odoo.test_multi_company import second_company
from tests.odoo.test_vendor_odd import purchase, widgetworks
from tests.odoo.test_vendor_receipts import serial_lines, serial_notice, track


def in_stock_there(odoo: odoorpc.ODOO, company: int, serial: str) -> None:
    """A unit of blue widgets with this serial number in the stock of `company` (its location "Shelf")."""
    where = odoo.execute_kw("stock.location", "create", [{"name": "Shelf", "usage": "internal",
                                                          "company_id": company}])
    lot = odoo.execute_kw("stock.lot", "create", [{"name": serial, "product_id": 1, "company_id": company}])
    odoo.execute_kw("stock.quant", "create", [{"product_id": 1, "location_id": where, "lot_id": lot,
                                               "quantity": 1.0, "company_id": company}])


def test_a_serial_in_another_companys_stock_does_not_hold_the_notice(client: OdooClient, odoo: odoorpc.ODOO) -> None:
    canada = second_company(odoo)            # the API user works in both; the gateway sets no odoo.company_id
    track(odoo)
    in_stock_there(odoo, canada, "SN-2")
    po, name = purchase(odoo, [(1, 2, 7.5)])
    post(client, serial_notice(name, 2, ["SN-1", "SN-2"]), widgetworks(validate_receipts=True), Cache())
    assert serial_lines(odoo, po) == [(1, 1.0, "SN-1"), (1, 1.0, "SN-2")]


def test_a_serial_in_the_receiving_companys_stock_is_still_held(client: OdooClient, odoo: odoorpc.ODOO) -> None:
    second_company(odoo)
    [home] = odoo.execute_kw("res.users", "read", [[odoo.env.uid], ["company_id"]])
    track(odoo)
    in_stock_there(odoo, home["company_id"][0], "SN-2")
    _po, name = purchase(odoo, [(1, 2, 7.5)])
    with pytest.raises(OdooRejected, match=r"serial number SN-2 of \[WB-100\] Blue Widget is in stock already at "
                                           r"Shelf"):
        post(client, serial_notice(name, 2, ["SN-1", "SN-2"]), widgetworks(), Cache())
