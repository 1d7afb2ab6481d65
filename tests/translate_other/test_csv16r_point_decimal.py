"""A decimal point in a decimal-comma marketplace file, through the real daemon (a file dropped into its inbox) and
the Odoo sandbox over HTTP.

ShopMarket writes ',' as its decimal mark. A '1.5' in its quantity column is one and a half, or 1.500 (fifteen
hundred) with the wrong mark: the reader left it as text with a warning ('left as text, not read as a number'), but
the profile's number field then read that text as 1.5, and the order posted a quantity of 1.5. A number column
holding such a cell now holds the document, naming the file, row, column, value and the partner's decimal mark;
the file's other orders post (1.500, the partner's own thousands, as fifteen hundred).
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


def _row(number: str, quantity: str = "2", price: str = "12,50") -> str:
    return ROW.replace("SM-2026-9001", number).replace(";Blue Widget;2;12,50;", f";Blue Widget;{quantity};{price};")


def test_a_decimal_point_in_a_number_column_holds_its_order_not_posted_as_a_guess(
        tmp_path: Path, sandbox: tuple[SandboxServer, odoorpc.ODOO]) -> None:  # noqa: F811
    server, odoo = sandbox
    ws = shop_daemon(tmp_path, server.url)
    with GatewayProcess(ws.config, env=ODOO_ENV):
        rows = [_row("SM-16-60"), _row("SM-16-61", quantity="1.5"), _row("SM-16-62", price="12.50"),
                _row("SM-16-63", quantity="1.500")]             # 1.500: thousands in the partner's own dialect
        ws.drop("orders_points.csv", "\r\n".join([HEADER, *rows, ""]).encode(), ws.root / INBOX)
        [held] = wait_for(lambda: ws.messages(state="quarantined"), message="the file held for its two orders")
        assert shop_orders(odoo) == ["SM-16-60", "SM-16-63"]            # the file's other orders posted
        assert line_values(odoo, "SM-16-63", "product_uom_qty") == [1500.0]
        reason = held["last_error"]
        assert "2 transaction sets could not be translated (2 documents posted" in reason, reason
        assert "row 3 column Menge: '1.5' is written with a decimal point, but this partner's decimal mark is ','" \
            in reason, reason
        assert "row 4 column Einzelpreis: '12.50' is written with a decimal point" in reason, reason
        [reason_file] = (ws.root / "quarantine" / "shopmarket").glob("*.reason.txt")
        text = reason_file.read_text()
        assert "orders_points.csv" in text and "row 3 column Menge: '1.5'" in text, text
    assert shop_orders(odoo) == ["SM-16-60", "SM-16-63"]
