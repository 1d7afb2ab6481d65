"""An order shipped and invoiced in two parts: each INVOIC names the delivery it bills (RFF+DQ, the DESADV's number)
and that delivery's day (DTM+35), not every delivery of the order.

Odoo invoices delivered quantities: the first invoice bills the first delivery, the second the backorder. 99425e1
gave every invoice all the done deliveries of its order, so the second INVOIC named the first delivery as well; an
EANCOM retailer that matches each invoice to its despatch advices refuses it as billed already. Through the daemon and
the Odoo sandbox over HTTP (17, 19), with the retailer of tests/e2e/test_hunt17_edifact_retailer.py.
"""

from __future__ import annotations

from pathlib import Path

import odoorpc
import pytest

from gateway.odoo.sandbox import SandboxServer
from tests.e2e.test_hunt17_edifact_retailer import customer, dropped, segments, workspace
from tests.helpers.gateway import GatewayProcess, Workspace
from tests.helpers.wait import wait_for
from tests.odoo.test_extraction import deliver, invoice

ODOO = pytest.mark.parametrize("sandbox", [17, 19], ids=["odoo17", "odoo19"], indirect=True)


def sent(ws: Workspace, doc_type: str, count: int) -> list[list[list[str]]]:
    """The first `count` documents of `doc_type` the partner got, as segments, in the order they were made."""
    messages = wait_for(lambda: (found if len(found := [m for m in ws.messages(direction="out", doc_type=doc_type)
                                                         if m["state"] in ("sent", "done")]) >= count else None),
                        timeout=60, message=f"{count} {doc_type}")
    return [segments(ws.archived(m["sha256"]).read_bytes().decode("latin-1")) for m in messages[:count]]


def billed(invoic: list[list[str]]) -> tuple[list[str], list[str]]:
    """An INVOIC's delivery notes (RFF+DQ) and delivery dates (DTM+35)."""
    return ([seg[1][3:] for seg in invoic if seg[0] == "RFF" and seg[1].startswith("DQ:")],
            [seg[1][3:] for seg in invoic if seg[0] == "DTM" and seg[1].startswith("35:")])


@ODOO
def test_each_invoice_of_a_split_delivery_names_its_own_delivery(
        tmp_path: Path, sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    customer(odoo)
    ws = workspace(tmp_path / "gw", sandbox)
    with GatewayProcess(ws.config) as gw:
        dropped(ws, "hunt17_suedmarkt_orders.edi")
        [so] = odoo.execute_kw("sale.order", "search", [[("client_order_ref", "=", "4711-8812")]])
        odoo.execute_kw("sale.order", "action_confirm", [[so]])
        [blue] = odoo.execute_kw("product.product", "search", [[("default_code", "=", "WB-100")]])
        first = deliver(odoo, so, partial={blue: 20.0})          # 20 of the 48 Blue Widgets, all the Red ones
        odoo.execute_kw("account.move", "action_post", [[invoice(odoo, so)]])
        [backorder] = odoo.execute_kw("stock.picking", "search", [[("backorder_id", "=", first)]])
        odoo.execute_kw("stock.picking", "button_validate", [[backorder]])            # the other 28
        despatches = sent(ws, "DESADV", 2)
        odoo.execute_kw("account.move", "action_post", [[invoice(odoo, so)]])
        one, two = sent(ws, "INVOIC", 2)

        numbers = [next(seg[2] for seg in d if seg[:2] == ["BGM", "351"]) for d in despatches]
        days = [next(seg[1][3:] for seg in d if seg[0] == "DTM" and seg[1].startswith("11:")) for d in despatches]
        names = {p["id"]: p["name"] for p in odoo.execute_kw("stock.picking", "read", [[first, backorder], ["name"]])}
        assert numbers == [names[first], names[backorder]], (numbers, names)
        assert billed(one) == ([numbers[0]], [days[0]]), one
        assert billed(two) == ([numbers[1]], [days[1]]), two            # was both deliveries, the first one again
        assert ["QTY", "47:28:PCE"] in two, two
        assert not ws.messages(state="quarantined")
        assert "Traceback" not in gw.output()
