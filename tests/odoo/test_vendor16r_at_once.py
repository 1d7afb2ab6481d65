"""Two acknowledgments of one purchase order posted by two workers at the same moment (the pipeline posts one
document of a number at a time, and two 855s or ORDRSPs for one PO have numbers of their own: a vendor's corrected
response, or its ORDRSP per change). Each read the order's lines, found no line for line 1's backordered part and
added one, so Odoo expected the 6 backordered twice (16 of the 10 ordered) and the receipt with it."""

from __future__ import annotations

import odoorpc

from gateway.formats import x12
from gateway.odoo.client import OdooClient
from gateway.odoo.posting import Cache, post
from gateway.odoo.sandbox import SandboxServer
from gateway.translate import translate
from tests.helpers.examples import loaded_examples
from tests.odoo.test_posting import at_once
from tests.odoo.test_vendor16_acks import VENDOR, expected, po_lines, x12_855
from tests.odoo.test_vendor_odd import purchase


def test_two_acks_of_one_order_at_once_add_its_backorder_line_once(sandbox: SandboxServer, client: OdooClient,
                                                                   odoo: odoorpc.ODOO) -> None:
    po, name = purchase(odoo, [(1, 10, 7.5), (2, 6, 5.25)])
    profiles = loaded_examples().profiles
    acks = [translate(x12.parse(x12_855(control, name, ["PO1*1*10*EA*7.50**VN*WW-WB-100", "ACK*IA*4*EA*068*20261205",
                                                        f"ACK*IB*6*EA*068*202612{day}"])).transactions[0],
                      VENDOR, profiles)[0] for control, day in ((1101, 20), (1102, 22))]
    cache = Cache()                              # the workers share the pipeline's
    at_once(sandbox, *(lambda ack=ack: post(client, ack, VENDOR, cache) for ack in acks))
    rows = po_lines(odoo, po)
    assert [row[:2] for row in rows if row[0]] == [(1, 4.0), (2, 6.0), (1, 6.0)]
    assert sum(q for p, q, _ in expected(odoo, po) if p == 1) == 10.0
