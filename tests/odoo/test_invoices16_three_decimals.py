"""An invoice in a currency of three decimals (KWD, BHD, OMR: Odoo's Rounding Factor 0.001) is read in that
currency's fils, not in cents: 7 at 1.23 KWD with 5 % VAT is 8.610 + 0.431 = 9.041 in Odoo. The extraction rounded
each tax to the cent (0.43) and held the invoice, 'its taxes add up to 0.43, Odoo's tax total is 0.431', so no
such invoice left. It reads the currency's rounding (res.currency, once per run and cached) and keeps its
decimals: the INVOIC goes out with Odoo's 0.431 and foots, through the daemon's scheduler, on 17 and 19."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.journal.api import State
from gateway.journal.archive import Archive
from gateway.odoo.client import OdooClient
from gateway.odoo.sandbox import SandboxServer
from tests.odoo import test_outbound_odd_odoo as odd
from tests.odoo.test_edifact16_invoic_footing import DC
from tests.odoo.test_outbound15_check_digits import one_run
from tests.odoo.test_outbound_taxes_packs import a_tax, examples

__all__ = ["examples"]                             # the fixture, used by name


def invoiced_in(odoo: odoorpc.ODOO, order_id: int, currency: int, line: dict[str, Any]) -> int:
    """The order delivered and invoiced, the draft invoice put in `currency` and its line given `line`, posted."""
    odd.pack_and_ship(odoo, order_id, [])
    wizard = odoo.execute_kw("sale.advance.payment.inv", "create", [{"advance_payment_method": "delivered"}],
                             {"context": {"active_model": "sale.order", "active_ids": [order_id]}})
    odoo.execute_kw("sale.advance.payment.inv", "create_invoices", [[wizard]])
    move = odoo.execute_kw("sale.order", "read", [[order_id], ["invoice_ids"]])[0]["invoice_ids"][-1]
    odoo.execute_kw("account.move", "write", [[move], {"currency_id": currency}])
    [line_id] = odoo.execute_kw("account.move.line", "search", [[("move_id", "=", move),
                                                                 ("display_type", "=", "product")]])
    odoo.execute_kw("account.move.line", "write", [[line_id], line])
    odoo.execute_kw("account.move", "action_post", [[move]])
    return int(move)


@pytest.mark.parametrize("sandbox", [17, 19], indirect=True, ids=["odoo17", "odoo19"])
async def test_an_invoice_in_kuwaiti_dinars_keeps_its_fils(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, examples: LoadedConfig,
        tmp_path: Path) -> None:
    kwd = odoo.execute_kw("res.currency", "create", [{"name": "KWD", "symbol": "KD", "rounding": 0.001}])
    vat = a_tax(odoo, "VAT 5%", 5.0)
    order_id = odd.ordered(examples, client, "eurohandel", "EH-KWD", DC, [odd.line("1", {"gtin": "00614141000012"}, 7)])
    move = invoiced_in(odoo, order_id, kwd, {"quantity": 7, "price_unit": 1.23, "tax_ids": [(6, 0, [vat])]})
    assert [str(t) for t in odd.odoo_totals(odoo, move)] == ["8.61", "0.431", "9.041"]
    [sent] = await one_run(examples, client, journal, tmp_path, "eurohandel", "INVOIC")
    assert sent.state is not State.QUARANTINED, sent.last_error
    written = Archive(tmp_path / "archive").read(sent.sha256).decode("latin-1")
    assert "CUX+2:KWD:4'" in written and "MOA+203:8.61'" in written, written
    assert "MOA+124:0.431'" in written and "MOA+176:0.431'" in written and "MOA+77:9.041'" in written, written
