"""A credit note made with Odoo's Reverse button has no payment terms (account.move.reversal
_prepare_default_reversal gives the reversal invoice_payment_term_id None, 16-19), so its 810 credit memo (BIG07
CR) states none: since the 810 states Odoo's terms (656ea6a), a sandbox that copied the invoice's terms onto its
reversal made every credit memo offer the customer's 2 % early-payment discount (ITD*01*3*2**30...), which a
retailer takes off the credit. The sandbox now gives a reversal no terms, as Odoo does; the invoice keeps its ITD.
Through the daemon's Odoo scheduler over HTTP."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.journal.archive import Archive
from gateway.odoo.client import OdooClient
from gateway.odoo.sandbox import SandboxServer
from tests.odoo import test_outbound_odd_odoo as odd
from tests.odoo.conftest import client, journal
from tests.odoo.test_invoices16_reversal import reversed_with_reason
from tests.odoo.test_outbound15_check_digits import one_run
from tests.odoo.test_outbound_taxes_packs import examples

__all__ = ["client", "examples", "journal"]


@pytest.mark.parametrize("sandbox", [17, 19], indirect=True, ids=["odoo17", "odoo19"])
async def test_a_credit_memo_from_the_reverse_button_offers_no_early_payment_discount(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, examples: LoadedConfig,
        tmp_path: Path) -> None:
    order_id = odd.ordered(examples, client, "bigbox", "PO-CR-TERMS", odd.BIGBOX_DC,
                           [odd.line("1", {"buyer": "BB-1001"}, 6)])
    reversed_with_reason(odoo, odd.invoiced(odoo, order_id), "damaged")
    sent = await one_run(examples, client, journal, tmp_path, "bigbox", "810")
    bills = {}
    for message in sent:
        text = Archive(tmp_path / "archive").read(message.sha256).decode("latin-1")
        segments = [s.strip().split("*") for s in text.split("~") if s.strip()]
        [big] = [s for s in segments if s[0] == "BIG"]
        bills[big[7] if len(big) > 7 else ""] = segments
    assert set(bills) == {"DI", "CR"}, bills.keys()
    [terms] = [s for s in bills["DI"] if s[0] == "ITD"]
    assert terms[3] == "2" and terms[7] == "45", terms                     # the invoice: 2 % 30, net 45
    assert not [s for s in bills["CR"] if s[0] == "ITD" and any(s[3:6] + s[7:8] + s[12:13])], bills["CR"]
