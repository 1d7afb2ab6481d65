"""A marketplace price column formatted as currency, through the real daemon (a file dropped into its inbox) and the
Odoo sandbox over HTTP.

Excel saves such a column with its sign ('12,50 €', 'EUR 12,50', '$12.50'): every such order was quarantined as
'not a number'. A sign that is the order's currency is now read (in the partner's decimal mark); one of another
currency still holds the order, naming row and column, since an amount is never converted.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import odoorpc

from gateway.odoo.sandbox import SandboxServer
from tests.formats.test_csv_encodings import HEADER, ROW
from tests.helpers.gateway import GatewayProcess, Workspace, cli
from tests.helpers.wait import wait_for
from tests.spine.test_check15_counts import EXAMPLES, _workspace, sandbox  # noqa: F401 - the fixture

ODOO_ENV = {"EDI_GATEWAY_ODOO_PASSWORD": "admin"}
INBOX = "inbox-shop"


def shop_daemon(root: Path, odoo_url: str) -> Workspace:
    """ShopMarket (the example partner: ';', decimal comma, grouped by Bestellnummer) posting to `odoo_url`, its
    files taken from the folder INBOX as they come over its SFTP account."""
    ws = _workspace(root, odoo_url, ("shopmarket",))
    ws.settings["inbox"] = [{"path": INBOX, "processed": None, "min_age": 0.3, "partner": "shopmarket"}]
    ws.write_config()
    return ws


def _order(number: str, price: str, total: str, currency: str = "EUR") -> str:
    return ROW.replace("SM-2026-9001", number).replace(";12,50;25,00;EUR;", f";{price};{total};{currency};")


def line_values(odoo: odoorpc.ODOO, number: str, name: str) -> list[Any]:
    """Field `name` of the lines of the sale order for customer order `number` ([] when there is none)."""
    orders = odoo.execute_kw("sale.order", "search_read", [[("client_order_ref", "=", number)]], {"fields": ["id"]})
    if not orders:
        return []
    lines = odoo.execute_kw("sale.order.line", "search_read", [[("order_id", "=", orders[0]["id"])]],
                            {"fields": [name]})
    return [line[name] for line in lines]


def shop_orders(odoo: odoorpc.ODOO) -> list[str]:
    """The customer order numbers of the sale orders these tests made (SM-16-...)."""
    found = odoo.execute_kw("sale.order", "search_read", [[("client_order_ref", "like", "SM-16-")]],
                            {"fields": ["client_order_ref"]})
    return sorted(order["client_order_ref"] for order in found)


def test_prices_with_the_orders_currency_sign_post_and_a_dollar_price_in_a_euro_order_is_held(
        tmp_path: Path, sandbox: tuple[SandboxServer, odoorpc.ODOO]) -> None:  # noqa: F811
    server, odoo = sandbox
    ws = shop_daemon(tmp_path, server.url)
    with GatewayProcess(ws.config, env=ODOO_ENV):
        rows = [_order("SM-16-1", "12,50 €", "25,00 €"), _order("SM-16-2", "EUR 1.012,50", "EUR 2.025,00"),
                _order("SM-16-3", "€12,50", "25,00")]
        ws.drop("orders_signs.csv", "\r\n".join([HEADER, *rows, ""]).encode(), ws.root / INBOX)
        wait_for(lambda: ws.count(direction="in", state="done") == 1, message="the euro prices posted")
        assert [line_values(odoo, n, "price_unit") for n in ("SM-16-1", "SM-16-2", "SM-16-3")] == \
            [[12.5], [1012.5], [12.5]]

        ws.drop("orders_dollars.csv", f"{HEADER}\r\n{_order('SM-16-4', '$12,50', '$25,00')}\r\n".encode(),
                ws.root / INBOX)
        [held] = wait_for(lambda: ws.messages(state="quarantined"), message="the dollar price held")
        assert "row 2 column Einzelpreis: a number in $ (which stands for USD or CAD" in held["last_error"], held
        assert "but the document's currency is EUR: amounts are not converted" in held["last_error"], held
        assert shop_orders(odoo) == ["SM-16-1", "SM-16-2", "SM-16-3"]
        shown = cli("show", held["id"], config=ws.config).stdout
        assert "row 2 column Einzelpreis" in shown, shown
