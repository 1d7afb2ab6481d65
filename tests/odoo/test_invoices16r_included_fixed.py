"""A company that rounds taxes globally, its prices including a fixed fee and the VAT: 10 at 10.00 with a fee of 0.50
a unit and 21 % VAT both in the price is 100.00, of which Odoo takes out the fees (5.00) and then the VAT on what is
left (95.00 / 1.21: 78.51 untaxed, 16.49 VAT; 16-17 compute_all gives the last included tax what the rounded
amount leaves, 18-19 _get_tax_details takes fixed taxes out before the percentages). Such an invoice went out before
5ab92d6 (the VAT as 21 % of 78.51); since, the VAT was taken out of the whole 100.00 (16-17: 100.00 - 78.51 = 21.49
with the fees on top; 18-19: 100 x 21 / 121 = 17.36), and the invoice was held, 'taxes 'Fee 0.50 incl.', 'VAT 21%
incl.' come to 26.49 on the line's 78.51, Odoo's tax on the line is 21.49'. The fees are taken out first again:
the INVOIC and the 810 go out through the daemon's scheduler, each tax as Odoo's tax lines have it."""

from __future__ import annotations

from decimal import Decimal
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
from tests.odoo.test_invoices16_global_included import rounding_globally
from tests.odoo.test_outbound15_check_digits import one_run
from tests.odoo.test_outbound_taxes_packs import a_tax, examples

__all__ = ["examples"]                             # the fixture, used by name


def in_the_price(odoo: odoorpc.ODOO, name: str, amount: float, kind: str) -> int:
    """A sales tax included in the price, as each version says it (price_include_override from 18)."""
    inside = {"price_include_override": "tax_included"} if int(odoo.version.split(".")[0]) >= 18 else \
        {"price_include": True}
    return a_tax(odoo, name, amount, kind, **inside)


@pytest.mark.parametrize("sandbox", [17, 19], indirect=True, ids=["odoo17", "odoo19"])
async def test_a_fee_and_the_vat_in_the_price_rounded_globally_go_out_as_odoo_has_them(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, examples: LoadedConfig,
        tmp_path: Path) -> None:
    rounding_globally(odoo)
    taxes = [in_the_price(odoo, "Fee 0.50 incl.", 0.5, "fixed"), in_the_price(odoo, "VAT 21% incl.", 21.0, "percent")]
    for partner, number, ship_to, ids in (("eurohandel", "EH-FEE-INCL", DC, {"gtin": "00614141000012"}),
                                          ("bigbox", "PO-FEE-INCL", odd.BIGBOX_DC, {"buyer": "BB-1001"})):
        order_id = odd.ordered(examples, client, partner, number, ship_to, [odd.line("1", ids, 10)])
        move = odd.invoiced(odoo, order_id, [{"quantity": 10, "price_unit": 10.0, "tax_ids": [(6, 0, taxes)]}])
        assert odd.odoo_totals(odoo, move) == (Decimal("78.51"), Decimal("21.49"), Decimal(100))
    [invoic] = await one_run(examples, client, journal, tmp_path, "eurohandel", "INVOIC")
    assert invoic.state is not State.QUARANTINED, invoic.last_error
    written = Archive(tmp_path / "archive").read(invoic.sha256).decode("latin-1")
    assert "MOA+203:78.51'" in written and "MOA+176:21.49'" in written and "MOA+77:100'" in written, written
    assert "TAX+7+VAT+++:::21+S'\nMOA+124:16.49'" in written and "MOA+124:5.00'" in written, written
    [x12] = await one_run(examples, client, journal, tmp_path, "bigbox", "810")
    assert x12.state is not State.QUARANTINED, x12.last_error
    written = Archive(tmp_path / "archive").read(x12.sha256).decode()
    assert "TDS*10000~" in written and "TXI*ST*16.49*21~" in written and "TXI*ST*5.00~" in written, written
