"""A cXML invoice states Odoo's payment term by its figures, not by a guess at its name. Since the invoice carries
Odoo's term (656ea6a) the cXML hook read its PaymentTerm tiers out of the term's name as out of an 810's ITD12
text, and a name such as '30/60/90 Days' (three instalments) read as a 30 % discount for payment within 60 days:
Ariba would have taken 30 % off. The PaymentTerms now come from the term's net days and early-payment discount
(none here: net 90, the last instalment), the name only when the invoice has no such figures (one read from a
partner's 810). Through the daemon's Odoo scheduler over HTTP (17, 19)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import odoorpc
import pytest
from lxml import etree

from gateway.config.loader import LoadedConfig
from gateway.odoo.client import OdooClient
from gateway.odoo.sandbox import SandboxServer
from tests.odoo import test_outbound_odd_odoo as odd
from tests.odoo.conftest import client, journal
from tests.odoo.test_outbound_taxes_packs import examples
from tests.odoo.test_taxcat17_invoices import sent_by_daemon
from tests.odoo.test_taxcat17r_x12 import on_ariba

__all__ = ["client", "examples", "journal"]


@pytest.mark.parametrize("sandbox", [17, 19], indirect=True, ids=["odoo17", "odoo19"])
async def test_a_cxml_invoice_states_an_instalment_terms_net_days_and_no_discount(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, examples: LoadedConfig,
        tmp_path: Path) -> None:
    term = odoo.execute_kw("account.payment.term", "create", [{"name": "30/60/90 Days", "line_ids": [
        [0, 0, {"value": "percent", "value_amount": share, "nb_days": days}]
        for share, days in ((33.33, 30), (33.33, 60), (33.34, 90))]}])
    [bigbox] = odoo.execute_kw("res.partner", "search", [[("ref", "=", "BIGBOX")]])
    odoo.execute_kw("res.partner", "write", [[bigbox], {"property_payment_term_id": term}])
    order_id = odd.ordered(examples, client, "bigbox", "PO-CXML-TERMS", odd.BIGBOX_DC,
                           [odd.line("1", {"buyer": "BB-1001"}, 6)])
    odd.invoiced(odoo, order_id)
    written = await sent_by_daemon(on_ariba(examples, examples.partners["bigbox"]), client, journal, tmp_path,
                                   "bigbox", "cxml-InvoiceDetailRequest")
    tree = etree.fromstring(written.encode("latin-1"))
    terms = [(t.get("payInNumberOfDays"), t.find("Discount/DiscountPercent")) for t in tree.iter("PaymentTerm")]
    assert [(days, None if found is None else found.get("percent")) for days, found in terms] == [("90", None)], \
        written
