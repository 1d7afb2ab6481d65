"""A vendor bill in cases (Widget Works' CS mapped to Odoo's Dozens) against a PO in Units costs as many Odoo calls
at 10 lines as at 1 in steady state: the units' factors the PO check compares them by are read once per set of
units (it was one uom.uom read per line). Real X12 read by the base profile, posted to the sandbox over HTTP."""

from __future__ import annotations

import odoorpc
import pytest

from gateway.odoo.client import OdooClient
from gateway.odoo.posting import Cache, post
from tests.odoo.conftest import read_x12
from tests.odoo.test_vendor_odd import purchase, widgetworks

pytestmark = pytest.mark.parametrize("sandbox", [17, 19], ids=["odoo17", "odoo19"], indirect=True)


def test_calls_do_not_grow_with_lines_in_cases(client: OdooClient, odoo: odoorpc.ODOO) -> None:
    partner, cache = widgetworks(units={"CS": "Dozens"}), Cache()

    def calls(number: str, lines: int) -> int:
        _po, name = purchase(odoo)
        doc = read_x12(["ST*810*0001", f"BIG*20261129*{number}**{name}", "N1*RI*WIDGET WORKS INC*UL*0860001000030",
                        *["IT1*1*1*CS*90.00**VN*WW-WB-100"] * lines, f"TDS*{9000 * lines}", f"CTT*{lines}"],
                       gs="IN", sender="WIDGETWORKS", app="WIDGETWORKS")
        before = client.calls
        post(client, doc, partner, cache)
        return client.calls - before

    calls("WW-INV-WARM", 1)                  # the run's one-time look-ups out of the way
    assert calls("WW-INV-TEN", 10) == calls("WW-INV-ONE", 1)


def test_a_bill_reads_its_digits_off_its_own_lines(client: OdooClient, odoo: odoorpc.ODOO,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """A purchasing-only database (no Sales app) has no sale.order.line: a bill reads the Product Price and
    Discount digits off its own lines (account.move.line), and the version's field names of a sale line only
    where the model exists (`Names.of`; the sandbox always has Sales, so that part is read, not tested here)."""
    partner, cache = widgetworks(units={"CS": "Dozens"}), Cache()
    models: list[str] = []
    real = client.call

    def spy(model: str, method: str, *args: object, **kwargs: object) -> object:
        if method == "fields_get" and "digits" in str(args):
            models.append(model)
        return real(model, method, *args, **kwargs)

    monkeypatch.setattr(client, "call", spy)
    _po, name = purchase(odoo)
    doc = read_x12(["ST*810*0001", f"BIG*20261129*WW-INV-SALES**{name}", "N1*RI*WIDGET WORKS INC*UL*0860001000030",
                    "IT1*1*1*CS*90.00**VN*WW-WB-100", "TDS*9000", "CTT*1"],
                   gs="IN", sender="WIDGETWORKS", app="WIDGETWORKS")
    post(client, doc, partner, cache)
    assert models and set(models) == {"account.move.line"}, models
