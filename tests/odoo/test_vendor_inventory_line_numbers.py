"""A vendor's 846 that numbers two lines alike (LIN01 restarting per location, or a vendor numbering every line 1)
updates each line's own product's vendor line. Lines were matched to products by their label ('inventory advice
X, line 1'), so the second line's product was taken for both: the first product got both figures, the second
none. Real X12 read by the base profile, posted to the sandbox over HTTP."""

from __future__ import annotations

import odoorpc

from gateway.odoo.client import OdooClient
from gateway.odoo.posting import Cache, post
from tests.odoo.conftest import read_x12
from tests.odoo.test_vendor_inventory_units import available
from tests.odoo.test_vendor_odd import widgetworks


def test_two_lines_numbered_alike_are_each_their_own_product(client: OdooClient, odoo: odoorpc.ODOO) -> None:
    doc = read_x12(["ST*846*0001", "BIA*00*MM*WW-846-9*20261129", "LIN*1*VN*WW-WB-100", "QTY*33*7*EA",
                    "LIN*1*VN*WW-WR-200", "QTY*33*25*EA", "CTT*2"], gs="IB", sender="WIDGETWORKS",
                   app="WIDGETWORKS")
    post(client, doc, widgetworks(), Cache())
    assert (available(odoo, "WW-WB-100"), available(odoo, "WW-WR-200")) == ([7.0], [25.0])
