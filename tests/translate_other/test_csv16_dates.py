"""A partner whose Excel switched locale, through the real daemon (a file dropped into its inbox) and the Odoo
sandbox over HTTP.

ShopMarket's profile reads its order dates as MM/DD/CCYY (a US export); one day the export writes them day first.
Its 30/11/2026 was refused, but the same file's 05/11/2026 was read as 11 May and that order posted, a wrong date
without a word. Now a file with any date that reads only in the other order holds every document of it, each
naming the date that tells and saying that the file's other dates read both ways.
"""

from __future__ import annotations

from pathlib import Path

import odoorpc

from gateway.odoo.sandbox import SandboxServer
from tests.formats.test_csv_encodings import HEADER, ROW
from tests.helpers.gateway import GatewayProcess, cli
from tests.helpers.wait import wait_for
from tests.spine.test_check15_counts import sandbox  # noqa: F401 - the fixture
from tests.translate_other.test_csv16_currency import INBOX, ODOO_ENV, shop_daemon, shop_orders


def _row(number: str, day: str) -> str:
    return ROW.replace("SM-2026-9001;27.11.2026;", f"{number};{day};")


def test_a_file_with_one_date_only_day_first_holds_all_its_orders_under_a_month_first_profile(
        tmp_path: Path, sandbox: tuple[SandboxServer, odoorpc.ODOO]) -> None:  # noqa: F811
    server, odoo = sandbox
    ws = shop_daemon(tmp_path, server.url)
    profile = ws.root / "translations" / "shopmarket-order.yaml"
    profile.write_text(profile.read_text().replace("date: DD.MM.CCYY", "date: MM/DD/CCYY"))
    with GatewayProcess(ws.config, env=ODOO_ENV):
        # month first as the profile says (11/30 tells): posted
        rows = [_row("SM-16-40", "11/05/2026"), _row("SM-16-41", "11/30/2026")]
        ws.drop("orders_us.csv", "\r\n".join([HEADER, *rows, ""]).encode(), ws.root / INBOX)
        wait_for(lambda: ws.count(direction="in", state="done") == 1, message="the month-first file posted")
        assert shop_orders(odoo) == ["SM-16-40", "SM-16-41"]

        # day first: 30/11/2026 tells, 05/11/2026 and 03/12/2026 would have been 11 May and 12 March
        rows = [_row("SM-16-42", "05/11/2026"), _row("SM-16-43", "30/11/2026"), _row("SM-16-44", "03/12/2026")]
        ws.drop("orders_eu.csv", "\r\n".join([HEADER.upper(), *rows, ""]).encode(), ws.root / INBOX)  # retyped
        [held] = wait_for(lambda: ws.messages(state="quarantined"), message="the day-first file held")
        reason = held["last_error"]
        assert "row 3 column Bestelldatum: '30/11/2026' reads only as DD/MM/CCYY, but the profile reads column " \
               "Bestelldatum as MM/DD/CCYY" in reason, reason       # the profile's name for the header's BESTELLDATUM
        assert "dates that read both ways, such as 05/11/2026 in row 2, cannot be told apart" in reason, reason
        assert "parsed -> quarantined" in cli("show", held["id"], config=ws.config).stdout   # none posted
    assert shop_orders(odoo) == ["SM-16-40", "SM-16-41"]


def test_an_order_sent_again_in_another_export_is_known_whatever_the_other_orders_dates(
        tmp_path: Path, sandbox: tuple[SandboxServer, odoorpc.ODOO]) -> None:  # noqa: F811
    """The file's day/month note is on each of its rows: an order repeated in an export without 11/30/2026 was no
    longer the one received before (its content digest took the note), and was held as sent again changed."""
    server, odoo = sandbox
    ws = shop_daemon(tmp_path, server.url)
    profile = ws.root / "translations" / "shopmarket-order.yaml"
    profile.write_text(profile.read_text().replace("date: DD.MM.CCYY", "date: MM/DD/CCYY"))
    with GatewayProcess(ws.config, env=ODOO_ENV):
        first = [_row("SM-16-50", "11/05/2026"), _row("SM-16-51", "11/30/2026")]
        ws.drop("orders_1.csv", "\r\n".join([HEADER, *first, ""]).encode(), ws.root / INBOX)
        wait_for(lambda: ws.count(direction="in", state="done") == 1, message="the first export posted")
        ws.drop("orders_2.csv", "\r\n".join([HEADER, first[0], _row("SM-16-52", "11/06/2026"), ""]).encode(),
                ws.root / INBOX)
        wait_for(lambda: ws.count(direction="in", state="done") == 2, message="the second export posted")
        [second] = [m for m in ws.messages(direction="in") if m["filename"] == "orders_2.csv"]
        assert "CSV document SM-16-50 (row 2) was received before" in cli("show", second["id"], config=ws.config).stdout
    assert shop_orders(odoo) == ["SM-16-50", "SM-16-51", "SM-16-52"]
