"""827c658 made the summaries one per type, rate and category, so that two Odoo taxes of one rate on different
lines (21 % goods, 21 % services) are one VAT breakdown, as EN 16931 wants. It also merged two taxes of one rate
on the same line, which are two taxes each on the whole line: an Indian GST of 18 % is Odoo's group of CGST 9 %
and SGST 9 %, both GST for the partner. Their 810 went out with one TXI*GS of both amounts at 9 % (and an INVOIC
one SG50 of 9 % on twice the lines' amount) where it had the two taxes the invoice charges. Taxes that share a
line stay apart; through the daemon's scheduler and the sandbox over HTTP."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.odoo.client import OdooClient
from gateway.odoo.sandbox import SandboxServer
from tests.odoo import test_outbound_odd_odoo as odd
from tests.odoo.test_outbound_taxes_packs import a_tax, examples
from tests.odoo.test_taxcat17_invoices import sent_by_daemon, with_settings
from tests.odoo.test_taxcat17r_x12 import txis

__all__ = ["examples"]                             # the fixture, used by name


@pytest.mark.parametrize("sandbox", [17, 19], indirect=True, ids=["odoo17", "odoo19"])
async def test_cgst_and_sgst_of_one_rate_on_one_line_are_two_taxes(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, examples: LoadedConfig,
        tmp_path: Path) -> None:
    """GST 18 % (CGST 9 % + SGST 9 %) on both lines: each line and the summary have two TXI*GS of 9 %, each the
    line's (the invoice's) 9 %, and the 810 foots."""
    gst = a_tax(odoo, "GST 18%", 0.0, "group", children_tax_ids=[(6, 0, [
        a_tax(odoo, "CGST 9%", 9.0), a_tax(odoo, "SGST 9%", 9.0)])])
    order_id = odd.ordered(examples, client, "bigbox", "PO-TAXCAT-R-GST18", odd.BIGBOX_DC,
                           [odd.line("1", {"buyer": "BB-1001"}, 6), odd.line("2", {"buyer": "BB-1002"}, 4)])
    odd.invoiced(odoo, order_id, [{"tax_ids": [(6, 0, [gst])]}, {"tax_ids": [(6, 0, [gst])]}])
    config, _ = with_settings(examples, "bigbox", tax_type="GST")
    found = txis(await sent_by_daemon(config, client, journal, tmp_path, "bigbox", "810"))
    one, two = (found[0].split("*")[2], found[2].split("*")[2])
    total = Decimal(one) + Decimal(two)
    assert found == [f"TXI*GS*{one}*9", f"TXI*GS*{one}*9", f"TXI*GS*{two}*9", f"TXI*GS*{two}*9",
                     f"TXI*GS*{total}*9", f"TXI*GS*{total}*9"], found
