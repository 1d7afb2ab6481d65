"""A CSV file held for its day/month order (the partner's Excel switched locale) whose totals row was skipped: the
status page's message view listed that finding, but `edi-gateway show` left findings out for any quarantined message
("a quarantined one's error names them", true of a file rejected at parse only), so the coordinator at the command
line read the date-order error alone and, replaying after the profile fix, never learnt that a row of the file was
taken for a totals row and skipped. show now lists what the error does not already say, as the page does. Through
the daemon (ShopMarket's inbox), its ops server over HTTP and the CLI."""

from __future__ import annotations

import re
import urllib.request
from pathlib import Path

import odoorpc

from gateway.odoo.sandbox import SandboxServer
from tests.formats.test_csv_encodings import HEADER
from tests.helpers.gateway import GatewayProcess, cli
from tests.helpers.net import free_port
from tests.helpers.wait import wait_for
from tests.spine.test_check15_counts import sandbox  # noqa: F401 - the fixture
from tests.translate_other.test_csv16_currency import INBOX, ODOO_ENV, shop_daemon
from tests.translate_other.test_csv16_dates import _row

SKIPPED = "row 4 below the data skipped as a totals row: Summe / 50,00"


def test_a_file_held_for_its_date_order_says_its_skipped_totals_row_on_the_page_and_in_show(
        tmp_path: Path, sandbox: tuple[SandboxServer, odoorpc.ODOO]) -> None:  # noqa: F811
    server, _odoo = sandbox
    ws = shop_daemon(tmp_path, server.url)
    port = free_port()
    ws.settings["ops"] = {"enabled": True, "host": "127.0.0.1", "port": port, "min_free_mb": 0}
    ws.write_config()
    profile = ws.root / "translations" / "shopmarket-order.yaml"
    profile.write_text(profile.read_text().replace("date: DD.MM.CCYY", "date: MM/DD/CCYY"))
    with GatewayProcess(ws.config, env=ODOO_ENV):
        rows = [_row("SM-16-42", "05/11/2026"), _row("SM-16-43", "30/11/2026"), ";;;;;;;;;;;;Summe;;;50,00;;"]
        ws.drop("orders_eu.csv", "\r\n".join([HEADER, *rows, ""]).encode(), ws.root / INBOX)
        [held] = wait_for(lambda: ws.messages(state="quarantined"), message="the day-first file held")
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/messages/{held['id']}", timeout=10) as answer:
            page = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", answer.read().decode()))
        shown = cli("show", held["id"], config=ws.config).stdout
    assert "reads only as DD/MM/CCYY" in held["last_error"] and SKIPPED not in held["last_error"], held["last_error"]
    assert "Findings (1)" in page and SKIPPED in page, page
    assert "findings  (what the file's validation noted" in shown and SKIPPED in shown, shown
    assert shown.count("reads only as DD/MM/CCYY") == 2, shown        # the error, and its event: not a finding
