"""An invoice in yen (Odoo's Rounding Factor 1: no decimals) whose price has decimals goes out as it did before
18ccfe7. EuroHandel orders 3 cases of 24 at 25.50 JPY a case (76.50, Odoo 77 in yen) and 10 Gadgets, billed at
12.34 (123.40, Odoo 123). A price a partner's footing check multiplies by the quantity must come to the line's
amount to the cent: 18ccfe7 (and 9e0d4d4 for a case's price) checked it in the currency's own decimals, none for
yen, so 12.34 and the order's 25.50 were taken as they were (10 x 12.34 rounds to 123 yen, 3 x 25.50 to 77) and the
INVOIC was held: 'QTY+47 10 x PRI+AAA 12.34 is 123.40, but its MOA+203 says 123'. The price is found to the cent
again (12.3, and 25.6656 a case: 1.0694 x 24), the amounts and taxes staying in yen: it goes out and foots.
Through the pipeline (the ORDERS), the scheduler and the sandbox over HTTP (17)."""

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
from tests.odoo.test_caseorders15_gtin import examples
from tests.odoo.test_invoices16r_three_decimal_cases import billed_in, cases_ordered
from tests.odoo.test_outbound15_check_digits import one_run
from tests.odoo.test_outbound_taxes_packs import a_tax

__all__ = ["examples"]                             # the fixture, used by name


@pytest.mark.parametrize("sandbox", [17], indirect=True, ids=["odoo17"])
async def test_an_invoice_in_yen_at_prices_with_decimals_goes_out_and_foots(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, examples: LoadedConfig,
        tmp_path: Path) -> None:
    jpy = odoo.execute_kw("res.currency", "create", [{"name": "JPY", "symbol": "Y", "rounding": 1.0}])
    vat = a_tax(odoo, "VAT 10%", 10.0)
    so = await cases_ordered(tmp_path, examples, sandbox, odoo, "3", "25.50", 4)
    move = billed_in(odoo, so, jpy)
    lines = odoo.execute_kw("account.move.line", "search_read", [[("move_id", "=", move),
                                                                  ("display_type", "=", "product")],
                                                                 ["name", "quantity"]])
    for line in lines:
        odoo.execute_kw("account.move.line", "write", [[line["id"]], {"tax_ids": [(6, 0, [vat])], **(
            {"price_unit": 12.34} if "GL-300" in line["name"] else {})}])
    odoo.execute_kw("account.move", "action_post", [[move]])
    [sent] = await one_run(examples, client, journal, tmp_path, "eurohandel", "INVOIC")
    assert sent.state is not State.QUARANTINED, sent.last_error
    written = Archive(tmp_path / "archive").read(sent.sha256).decode("latin-1")
    assert "QTY+47:3:CS'\nMOA+203:77'\nPRI+AAA:25.6656'" in written, written
    assert "QTY+47:10:PCE'\nMOA+203:123'\nPRI+AAA:12.3'" in written, written
