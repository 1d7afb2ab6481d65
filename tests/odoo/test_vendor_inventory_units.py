"""A vendor's 846 states its stock in cases (QTY*33*10*CA), which the partner maps to Odoo's Dozens (its CS):
the vendor line's availability is kept in the product's own unit, the one Odoo counts its stock in, 120 (so
figures in cases and in units add up). It was written as 10. Real X12 read by the base profile, posted to the
sandbox over HTTP."""

from __future__ import annotations

import odoorpc
import pytest

from gateway.errors import OdooRejected
from gateway.odoo.client import OdooClient
from gateway.odoo.posting import Cache, post
from tests.odoo.conftest import read_x12
from tests.odoo.test_vendor_odd import widgetworks

# 16 (its stock.move.line qty_done; a PO line discount only where the database has the field), 18 (17's names
# and models, with is_storable) and 19 (JSON-2, product_uom_id/tax_ids, stock.package): 17 is on 18's side of
# each version threshold these tests touch
pytestmark = pytest.mark.parametrize("sandbox", [16, 18, 19], ids=["odoo16", "odoo18", "odoo19"],
                                     indirect=True)


def available(odoo: odoorpc.ODOO, code: str) -> list[float]:
    rows = odoo.execute_kw("product.supplierinfo", "search_read", [[("partner_id", "=", 12),
                                                                    ("product_code", "=", code)],
                                                                   ["x_edi_available_qty"]])
    return [r["x_edi_available_qty"] for r in rows]


def test_an_846_in_cases_is_kept_in_the_products_unit(client: OdooClient, odoo: odoorpc.ODOO) -> None:
    doc = read_x12(["ST*846*0001", "BIA*00*MM*WW-846-7*20261129", "LIN*1*VN*WW-WB-100", "QTY*33*10*CA",
                    "LIN*2*VN*WW-WR-200", "QTY*33*25*EA", "CTT*2"], gs="IB", sender="WIDGETWORKS",
                   app="WIDGETWORKS")
    post(client, doc, widgetworks(units={"CS": "Dozens"}), Cache())
    assert (available(odoo, "WW-WB-100"), available(odoo, "WW-WR-200")) == ([120.0], [25.0])
    kilos = read_x12(["ST*846*0001", "BIA*00*MM*WW-846-8*20261129", "LIN*1*VN*WW-WB-100", "QTY*33*5*KG",
                      "CTT*1"], gs="IB", sender="WIDGETWORKS", app="WIDGETWORKS")
    with pytest.raises(OdooRejected, match=r"inventory advice WW-846-8, line 1: the quantity's unit is not counted "
                                           r"in .*Blue Widget's unit in Odoo"):
        post(client, kilos, widgetworks(), Cache())
    assert available(odoo, "WW-WB-100") == [120.0]
