"""A vendor's 846 in cases states the case's size in PO4 (PO401 units per case, the pack 9348ca5 writes in our own
feeds in cases and reads back): WidgetWorks' QTY*33*10*CA under PO4*24 is 240 Blue Widgets available. 9348ca5 made
the 846 profile read PO4 into the line's pack_size, but posting the vendor's stock did not use it: a case code the
partner maps to no Odoo unit refused the feed, 'unit 'CA' is a case and the line says neither how many a case
holds (X12 PO4, ...)', naming the PO4 the line carries. Now the vendor line's available quantity counts PO401 units
a case, as an 850's PO4 does. The 846 read by the base profile and posted into the sandbox over HTTP (17, 19)."""

from __future__ import annotations

from pathlib import Path

import odoorpc

from gateway.config.loader import load
from gateway.formats import x12
from gateway.odoo.client import OdooClient
from gateway.odoo.posting import Cache, post
from gateway.translate import translate
from tests.odoo.test_posting import widgetworks
from tests.translate.conftest import make_workspace

ADVICE = """\
ISA*00*          *00*          *12*8005559876     *ZZ*ACMEDIST       *261202*1630*^*00401*000000001*0*P*:~
GS*IB*WIDGETWORKS*ACMEDIST*20261202*1630*1*X*004010~
ST*846*0001~
BIA*00*MM*INV-PO4*20261202~
LIN*1*VN*WW-WB-100~
PO4*24~
QTY*33*10*CA~
SE*6*0001~
GE*1*1~
IEA*1*000000001~
"""


def test_a_vendors_846_in_cases_with_po4_counts_the_cases_units(tmp_path: Path, client: OdooClient,
                                                                 odoo: odoorpc.ODOO) -> None:
    result = x12.parse(ADVICE.encode())
    assert result.errors == []
    [doc] = translate(result.transactions[0], None, load(make_workspace(tmp_path)).profiles)
    post(client, doc, widgetworks(units={}), Cache())
    [row] = odoo.execute_kw("product.supplierinfo", "search_read", [[("partner_id", "=", 12),
                                                                     ("product_code", "=", "WW-WB-100")],
                                                                    ["x_edi_available_qty"]])
    assert row["x_edi_available_qty"] == 240.0
