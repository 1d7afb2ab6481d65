"""A case line billed in a currency of three decimals states the case price its order said. EuroHandel orders 10
cases of the Blue Widget (24 a case) at 25.0015 KWD a case; Odoo keeps the unit price as 1.041729 (Product Price at
6 digits) and bills 240 of them 250.015 in fils. The INVOIC says the order's 25.0015 a case when that many cases at
it are the line's amount; 18ccfe7 read the amounts in fils but left that comparison in cents (250.015 -> 250.02,
against Odoo's 250.015), so the line went out at 1.041729 x 24 = 25.001496 a case, a price the retailer's
invoice-to-order match finds on no line of its order. Through the pipeline (the ORDERS), the scheduler and the
sandbox over HTTP (17)."""

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
from tests.odoo.test_caseorders15_gtin import CASE_GTIN, eurohandel_ordered, examples
from tests.odoo.test_outbound15_check_digits import one_run
from tests.odoo.test_price_digits_kept import product_price_digits

__all__ = ["examples"]                             # the fixture, used by name


async def cases_ordered(tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, odoo: odoorpc.ODOO,
                        count: str, price: str, digits: int) -> int:
    """EuroHandel's ORDERS of `count` cases of the Blue Widget (24 a case) at `price` a case, Product Price at
    `digits`, posted through the pipeline and confirmed: the sale order's id."""
    product_price_digits(odoo, digits)
    cases = f"LIN+1++{CASE_GTIN}:SRV'\nIMD+F++:::Blue Widget, Karton 24'\nQTY+21:{count}:CS'\n" \
        f"MOA+203:{Decimal(count) * Decimal(price)}'\nPRI+AAA:{price}'\n".encode()
    _pipeline, so = await eurohandel_ordered(tmp_path, examples, sandbox, odoo, cases)
    odoo.execute_kw("sale.order", "action_confirm", [[so]])
    return so


def billed_in(odoo: odoorpc.ODOO, so: int, currency: int) -> int:
    """Sale order `so` delivered and invoiced, its draft invoice put in `currency` (not posted): the invoice's id."""
    odd.pack_and_ship(odoo, so, [])
    wizard = odoo.execute_kw("sale.advance.payment.inv", "create", [{"advance_payment_method": "delivered"}],
                             {"context": {"active_model": "sale.order", "active_ids": [so]}})
    odoo.execute_kw("sale.advance.payment.inv", "create_invoices", [[wizard]])
    move = int(odoo.execute_kw("sale.order", "read", [[so], ["invoice_ids"]])[0]["invoice_ids"][-1])
    odoo.execute_kw("account.move", "write", [[move], {"currency_id": currency}])
    return move


@pytest.mark.parametrize("sandbox", [17], indirect=True, ids=["odoo17"])
async def test_a_case_line_in_kuwaiti_dinars_is_billed_at_the_case_price_its_order_said(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, examples: LoadedConfig,
        tmp_path: Path) -> None:
    kwd = odoo.execute_kw("res.currency", "create", [{"name": "KWD", "symbol": "KD", "rounding": 0.001}])
    so = await cases_ordered(tmp_path, examples, sandbox, odoo, "10", "25.0015", 6)
    [line] = odoo.execute_kw("sale.order.line", "search_read", [[("order_id", "=", so)], ["price_unit"]],
                             {"limit": 1, "order": "sequence, id"})
    assert line["price_unit"] == 1.041729
    odoo.execute_kw("account.move", "action_post", [[billed_in(odoo, so, kwd)]])
    [sent] = await one_run(examples, client, journal, tmp_path, "eurohandel", "INVOIC")
    assert sent.state is not State.QUARANTINED, sent.last_error
    written = Archive(tmp_path / "archive").read(sent.sha256).decode("latin-1")
    assert "QTY+47:10:CS'\nMOA+203:250.015'\nPRI+AAA:25.0015'" in written, written
