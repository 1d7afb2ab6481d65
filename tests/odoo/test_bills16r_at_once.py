"""Two vendor bills of one purchase order posted by two workers at the same moment (the pipeline posts one document
of a number at a time; two invoices have numbers of their own: a vendor billing each shipment, both files fetched
at one poll). Since d70e906 a bill line for a PO line the vendor's 855 split (4 now, 6 backordered) fills the line
up to what Odoo leaves to bill, then its parts, as read before the bill is made: both bills read line 1 free, so
the 6 of the second went 4 on line 1 and 2 on the part, line 1 billed 8 of 4 and the part 2 of 6 (the three-way
match off on both lines for good). Through the sandbox over HTTP, each call answered late (16, 18, 19)."""

from __future__ import annotations

import odoorpc
import pytest

from gateway.odoo.client import OdooClient
from gateway.odoo.posting import Cache, post
from gateway.odoo.sandbox import SandboxServer
from tests.odoo.test_bills16_backordered_parts import acknowledged, line_ids, to_bill, x12_bill
from tests.odoo.test_posting import at_once
from tests.odoo.test_vendor_bill_checks import bill
from tests.odoo.test_vendor_odd import widgetworks
from tests.odoo.test_vendor_receipts import notice

pytestmark = pytest.mark.parametrize("sandbox", [16, 18, 19], ids=["odoo16", "odoo18", "odoo19"], indirect=True)


def test_two_bills_of_a_split_line_at_once_fill_the_line_then_its_part(sandbox: SandboxServer, client: OdooClient,
                                                                       odoo: odoorpc.ODOO) -> None:
    po, name = acknowledged(client, odoo, ["ACK*IA*4*EA*068*20261205", "ACK*IB*6*EA*068*20261220"])
    post(client, notice(f"ASN-{po}", name, 10), widgetworks(validate_receipts=True), Cache())
    blue, _reds, _part = line_ids(odoo, po)
    bills = [x12_bill(f"WW-INV-{po}-{qty}", name, [f"IT1*1*{qty}*EA*7.50**VN*WW-WB-100"], qty * 750)
             for qty in (4, 6)]
    cache = Cache()                              # the workers share the pipeline's
    at_once(sandbox, *(lambda doc=doc: post(client, doc, widgetworks(), cache) for doc in bills))
    made = [bill(odoo, f"WW-INV-{po}-{qty}")["lines"] for qty in (4, 6)]
    assert sum(q for lines in made for q, _, line in lines if line == blue) == 4.0, made     # before: 8
    assert to_bill(odoo, po)[0::2] == [(4.0, 4.0, 0.0), (6.0, 6.0, 0.0)]
