"""A company that rounds taxes globally, selling at prices with their tax in them: 7,777 at 4.49 with 21 % VAT
included is 34,918.73, of which Odoo takes out 28,858.45 untaxed and 6,060.28 tax. The extraction computed the tax
again as 21 % of the rounded 28,858.45 (6,060.2745, rounding to 6,060.27) and held the invoice: "taxes 'VAT 21%
incl.' come to 6060.2745 on the line's 28858.45, Odoo's tax on the line is 6060.28". Odoo takes an included tax
out of the amount that includes it (16-17: what is left of the rounded amount once the untaxed is taken out;
18-19: amount x 21 / 121, unrounded), and so does the extraction now: the 810 and the INVOIC go out and foot.
A line whose figures really do not add up is still held."""

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
from gateway.odoo.invoice_taxes import TaxMismatch, line_taxes
from gateway.odoo.sandbox import SandboxServer
from tests.odoo import test_outbound_odd_odoo as odd
from tests.odoo.test_edifact16_invoic_footing import DC, included
from tests.odoo.test_odoo16 import do_all
from tests.odoo.test_outbound15_check_digits import one_run
from tests.odoo.test_outbound_taxes_packs import examples

__all__ = ["examples"]                             # the fixture, used by name


def rounding_globally(odoo: odoorpc.ODOO) -> None:
    [company] = odoo.execute_kw("res.company", "search", [[]], {"limit": 1})
    odoo.execute_kw("res.company", "write", [[company], {"tax_calculation_rounding_method": "round_globally"}])


@pytest.mark.parametrize("sandbox", [17, 19], indirect=True, ids=["odoo17", "odoo19"])
async def test_a_price_including_its_tax_rounded_globally_goes_out_in_the_810_and_the_invoic(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, examples: LoadedConfig,
        tmp_path: Path) -> None:
    rounding_globally(odoo)
    vat = included(odoo, "VAT 21% incl.", 21.0)
    for partner, number, ship_to, ids in (("eurohandel", "EH-GLOBAL-INCL", DC, {"gtin": "00614141000012"}),
                                          ("bigbox", "PO-GLOBAL-INCL", odd.BIGBOX_DC, {"buyer": "BB-1001"})):
        order_id = odd.ordered(examples, client, partner, number, ship_to, [odd.line("1", ids, 10)])
        move = odd.invoiced(odoo, order_id, [{"quantity": 7777, "price_unit": 4.49, "tax_ids": [(6, 0, [vat])]}])
        assert odd.odoo_totals(odoo, move) == (Decimal("28858.45"), Decimal("6060.28"), Decimal("34918.73"))
    [invoic] = await one_run(examples, client, journal, tmp_path, "eurohandel", "INVOIC")
    assert invoic.state is not State.QUARANTINED, invoic.last_error
    written = Archive(tmp_path / "archive").read(invoic.sha256).decode("latin-1")
    assert "QTY+47:7777:PCE'\nMOA+203:28858.45'\nPRI+AAA:3.710743'" in written, written
    assert "MOA+124:6060.28'" in written and "MOA+77:34918.73'" in written, written
    [x12] = await one_run(examples, client, journal, tmp_path, "bigbox", "810")
    assert x12.state is not State.QUARANTINED, x12.last_error
    written = Archive(tmp_path / "archive").read(x12.sha256).decode()
    assert "IT1*1*7777*EA*3.710743*" in written and "TDS*3491873~" in written, written


def test_a_line_whose_included_tax_does_not_add_up_is_still_held() -> None:
    """Odoo's line says 6,060.30 of tax where 21 % out of 34,918.73 is 6,060.28: not Odoo's own figures, held."""
    taxes = {1: {"id": 1, "name": "VAT 21% incl.", "amount": 21.0, "amount_type": "percent", "price_include": True,
                 "children_tax_ids": []}}
    line = {"tax_ids": [1], "quantity": 7777.0, "price_unit": 4.49, "discount": 0.0, "price_total": 34918.75}
    with pytest.raises(TaxMismatch, match="Odoo's tax on the line is 6060.30"):
        line_taxes(taxes, line, Decimal("28858.45"), "line 1", globally=True)


@pytest.mark.parametrize("sandbox", [16, 17], indirect=True, ids=["odoo16", "odoo17"])
async def test_two_lines_with_their_tax_in_the_price_rounded_globally_on_16_17(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, examples: LoadedConfig,
        tmp_path: Path) -> None:
    """Two lines of 21.53 with 21 % in the price: 16-17's compute_all gives each line's included tax what is left
    of 21.53 once its untaxed 17.79 is out (3.74, its 'checkpoint'), even rounding globally, so Odoo's tax is 7.48
    (18-19 would say 7.47, 2 x 3.7366 rounded once). The extraction says 3.74 + 3.74 as Odoo does: sent, footing."""
    rounding_globally(odoo)
    vat = included(odoo, "VAT 21% incl.", 21.0)
    order_id = odd.ordered(examples, client, "eurohandel", "EH-GLOBAL-TWO", DC,
                           [odd.line("1", {"gtin": "00614141000012"}, 1), odd.line("2", {"gtin": "00614141000029"}, 1)])
    if sandbox.version == 16:                       # 16 validates what is done, the moves' quantity_done
        [pick] = odoo.execute_kw("sale.order", "read", [[order_id], ["picking_ids"]])[0]["picking_ids"]
        do_all(odoo, pick)
    move = odd.invoiced(odoo, order_id, [{"quantity": 1, "price_unit": 21.53, "tax_ids": [(6, 0, [vat])]}] * 2)
    assert odd.odoo_totals(odoo, move) == (Decimal("35.58"), Decimal("7.48"), Decimal("43.06"))
    [sent] = await one_run(examples, client, journal, tmp_path, "eurohandel", "INVOIC")
    assert sent.state is not State.QUARANTINED, sent.last_error
    written = Archive(tmp_path / "archive").read(sent.sha256).decode("latin-1")
    assert "MOA+176:7.48'" in written and "MOA+77:43.06'" in written, written
