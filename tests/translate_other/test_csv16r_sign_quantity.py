"""A currency sign in a marketplace file's quantity column, through the real daemon (a file dropped into its inbox)
and the Odoo sandbox over HTTP.

5b3d674 reads a number with the order's currency sign ('12,50 €') in any number column, the sign checked against
the currency only. In the quantity column such a cell is an amount where a count belongs (the export's columns
moved, the line's total under 'Menge'): '25,00 €' posted 25 units where the order was for 2, where before it was
refused as not a number. A sign in a column the profile reads into no amount holds the order naming row and
column; in the price and total columns it is read as before.
"""

from __future__ import annotations

from pathlib import Path

import odoorpc

from gateway.odoo.sandbox import SandboxServer
from tests.formats.test_csv_encodings import HEADER, ROW
from tests.helpers.gateway import GatewayProcess
from tests.helpers.wait import wait_for
from tests.spine.test_check15_counts import sandbox  # noqa: F401 - the fixture
from tests.translate_other.test_csv16_currency import INBOX, ODOO_ENV, line_values, shop_daemon, shop_orders


def _row(number: str, quantity: str, price: str, total: str) -> str:
    return ROW.replace("SM-2026-9001", number).replace(";Blue Widget;2;12,50;25,00;",
                                                       f";Blue Widget;{quantity};{price};{total};")


def test_a_currency_sign_in_the_quantity_column_holds_the_order_and_is_read_in_the_amounts(
        tmp_path: Path, sandbox: tuple[SandboxServer, odoorpc.ODOO]) -> None:  # noqa: F811
    server, odoo = sandbox
    ws = shop_daemon(tmp_path, server.url)
    with GatewayProcess(ws.config, env=ODOO_ENV):
        rows = [_row("SM-16-70", "2", "12,50 €", "25,00 €"), _row("SM-16-71", "25,00 €", "12,50", "2")]
        ws.drop("orders_moved.csv", "\r\n".join([HEADER, *rows, ""]).encode(), ws.root / INBOX)
        [held] = wait_for(lambda: ws.messages(state="quarantined"), message="the order with a signed quantity held")
        reason = held["last_error"]
        assert "row 3 column Menge: a number with the currency sign '€' where the profile reads no amount" in reason, \
            reason
        assert shop_orders(odoo) == ["SM-16-70"]
        assert line_values(odoo, "SM-16-70", "product_uom_qty") == [2.0]
        assert line_values(odoo, "SM-16-70", "price_unit") == [12.5]
