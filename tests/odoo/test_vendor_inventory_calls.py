"""A vendor's 846 in cases (its CS mapped to Odoo's Dozens, the products counted in Units) costs as many Odoo calls
at 10 lines as at 1 in steady state: the units' factors are read once per set of units, not once per line (it
was one uom.uom read per line, so a 2,000-item feed made 2,000 extra calls). Real X12 read by the base profile,
posted to the sandbox over HTTP."""

from __future__ import annotations

from gateway.odoo.client import OdooClient
from gateway.odoo.posting import Cache, post
from tests.odoo.conftest import read_x12
from tests.odoo.test_vendor_odd import widgetworks


def test_calls_do_not_grow_with_lines_in_cases(client: OdooClient) -> None:
    partner, cache = widgetworks(units={"CS": "Dozens"}), Cache()

    def calls(lines: int) -> int:
        segments = ["ST*846*0001", f"BIA*00*MM*WW-846-{lines}*20261129"]
        for n in range(1, lines + 1):
            segments += [f"LIN*{n}*VN*WW-WB-100", "QTY*33*10*CA"]
        doc = read_x12([*segments, f"CTT*{lines}"], gs="IB", sender="WIDGETWORKS", app="WIDGETWORKS")
        post(client, doc, partner, cache)            # the run's one-time look-ups out of the way
        before = client.calls
        post(client, doc, partner, cache)
        return client.calls - before

    assert calls(10) == calls(1)
