"""A vendor's 810 that states its due date (ITD06) makes a bill due on that date, even when the vendor has a supplier
payment term in Odoo: Odoo computes a bill's due date from its payment term (`_compute_invoice_date_due` over
`needed_terms`), which a create takes from the partner unless it gives one. Real X12, read and translated as the
pipeline does, posted to the sandbox over HTTP and checked with odoorpc."""

from __future__ import annotations

from typing import Any

import odoorpc

from gateway.odoo.client import OdooClient
from gateway.odoo.posting import Cache, post
from gateway.odoo.sandbox import SandboxServer
from gateway.odoo.sandbox.models import term_days
from gateway.translate.canonical import Invoice
from tests.odoo.conftest import read_x12
from tests.odoo.test_vendor_odd import purchase, widgetworks

WIDGET_WORKS = 12          # the demo seed's vendor


def sixty_days(sandbox: SandboxServer, odoo: odoorpc.ODOO) -> int:
    """Widget Works' agreed terms in Odoo: 60 days (its supplier payment term)."""
    term = odoo.execute_kw("account.payment.term", "create", [{"name": "60 Days", "line_ids": [
        (0, 0, {"value": "percent", "value_amount": 100.0, term_days(sandbox.version): 60})]}])
    odoo.execute_kw("res.partner", "write", [[WIDGET_WORKS], {"property_supplier_payment_term_id": term}])
    return int(term)


def x12_810(number: str, po: str, itd: str | None) -> Invoice:
    """Widget Works' 810 for `po` of 2026-11-20, with this ITD segment, read as the pipeline reads it."""
    body = ["ST*810*0001", f"BIG*20261120*{number}**{po}", "N1*RI*WIDGET WORKS INC*UL*0860001000030",
            *([itd] if itd else []), "IT1*1*100*EA*7.50**VN*WW-WB-100", "TDS*75000", "CTT*1"]
    doc = read_x12(body, gs="IN", sender="WIDGETWORKS", app="WIDGETWORKS")
    assert isinstance(doc, Invoice)
    return doc


def bill(odoo: odoorpc.ODOO, move: int) -> dict[str, Any]:
    row: dict[str, Any] = odoo.execute_kw("account.move", "read", [[move], [
        "invoice_date", "invoice_date_due", "invoice_payment_term_id", "narration", "state"]])[0]
    return row


def test_the_sandbox_recomputes_a_bills_due_date_from_the_vendors_term(sandbox: SandboxServer,
                                                                       odoo: odoorpc.ODOO) -> None:
    """What the gateway is up against, as Odoo does it: a bill created with a due date but no payment term gets
    the vendor's term, and the term's date wins; given without a term (False), the due date is kept."""
    term = sixty_days(sandbox, odoo)
    line = [(0, 0, {"product_id": 1, "quantity": 1.0, "price_unit": 7.5})]
    common = {"move_type": "in_invoice", "partner_id": WIDGET_WORKS, "invoice_date": "2026-11-20",
              "invoice_date_due": "2026-12-20", "invoice_line_ids": line}
    with_term = odoo.execute_kw("account.move", "create", [{**common, "ref": "A"}])
    without = odoo.execute_kw("account.move", "create", [{**common, "ref": "B", "invoice_payment_term_id": False}])
    assert (bill(odoo, with_term)["invoice_date_due"], bill(odoo, with_term)["invoice_payment_term_id"][0]) == (
        "2027-01-19", term)
    assert (bill(odoo, without)["invoice_date_due"], bill(odoo, without)["invoice_payment_term_id"]) == (
        "2026-12-20", False)


def test_an_810s_due_date_is_kept_over_the_vendors_payment_term(sandbox: SandboxServer, client: OdooClient,
                                                                odoo: odoorpc.ODOO) -> None:
    sixty_days(sandbox, odoo)
    _po, name = purchase(odoo)
    doc = x12_810("WW-INV-301", name, "ITD*05*3****20261220******NET 30")
    assert (doc.due_date, doc.terms) == ("2026-12-20", "NET 30")
    [link] = post(client, doc, widgetworks(), Cache())
    made = bill(odoo, link.record_id)
    assert (made["invoice_date"], made["invoice_date_due"], made["invoice_payment_term_id"]) == (
        "2026-11-20", "2026-12-20", False)
    assert "terms: NET 30" in (made["narration"] or "")           # what the vendor's terms say, for the accountant
    odoo.execute_kw("account.move", "action_post", [[link.record_id]])
    assert bill(odoo, link.record_id)["invoice_date_due"] == "2026-12-20"        # posting keeps it too


def test_an_810_without_a_due_date_leaves_the_vendors_payment_term(sandbox: SandboxServer, client: OdooClient,
                                                                   odoo: odoorpc.ODOO) -> None:
    term = sixty_days(sandbox, odoo)
    _po, name = purchase(odoo)
    [link] = post(client, x12_810("WW-INV-302", name, None), widgetworks(), Cache())
    made = bill(odoo, link.record_id)
    assert (made["invoice_date_due"], made["invoice_payment_term_id"][0]) == ("2027-01-19", term)
