"""A totals row under a spreadsheet's data, through the real daemon (a file dropped into its inbox) and the Odoo
sandbox over HTTP.

Someone who saves the marketplace's export from Excel after adding a 'Summe' row (or an AutoSum under the amounts)
had the whole file held: the row had no order number (so it might have been any order's line), or 'Summe' became
an order of its own that could not be translated. A row of that kind below the data is skipped, noted in the
message's findings; in the middle of the data it still holds the file, as any row without its order number does.
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

SUMME = ";;;;;;;;;;;;Summe;3;;37,50;;"          # the label under the descriptions, sums under quantity and amount
AUTOSUM = ";;;;;;;;;;;;;;;37,50;;"               # Excel's AutoSum under the amounts, no label
LABELLED_KEY = "Total:;;;;;;;;;;;;;;;37,50;;"    # the label where the order number goes


def _row(number: str, position: str = "1") -> str:
    return ROW.replace("SM-2026-9001", number).replace(";;1;WB-100;", f";;{position};WB-100;")


def test_totals_rows_below_the_data_are_skipped_and_noted_one_amid_the_data_holds_the_file(
        tmp_path: Path, sandbox: tuple[SandboxServer, odoorpc.ODOO]) -> None:  # noqa: F811
    server, odoo = sandbox
    ws = shop_daemon(tmp_path, server.url)
    with GatewayProcess(ws.config, env=ODOO_ENV):
        rows = [_row("SM-16-10"), _row("SM-16-11"), "", SUMME, AUTOSUM, LABELLED_KEY]
        ws.drop("orders_summe.csv", "\r\n".join([HEADER, *rows, ""]).encode(), ws.root / INBOX)
        [done] = wait_for(lambda: ws.messages(direction="in", state="done"), message="the orders posted")
        assert shop_orders(odoo) == ["SM-16-10", "SM-16-11"]
        shown = cli("show", done["id"], config=ws.config).stdout
        assert "row 5 below the data skipped as a totals row: Summe / 3 / 37,50" in shown, shown
        assert "row 6 below the data skipped as a totals row: 37,50" in shown, shown
        assert "row 7 below the data skipped as a totals row: Total: / 37,50" in shown, shown

        # the same rows amid the data: each may be a line of any order, so no order is taken
        rows = [_row("SM-16-12"), AUTOSUM, LABELLED_KEY, _row("SM-16-13")]
        ws.drop("orders_amid.csv", "\r\n".join([HEADER, *rows, ""]).encode(), ws.root / INBOX)
        [held] = wait_for(lambda: ws.messages(state="quarantined"), message="the file held")
        assert "row 3 has no value in column 'Bestellnummer'" in held["last_error"], held
        shown = cli("show", held["id"], config=ws.config).stdout
        assert "row 4 reads as a totals row (Total: / 37,50), but rows of data follow it" in shown, shown
        # a line that lost its order number is no totals row, below the data too: it holds the file
        lost = _row("").replace(";1;WB-100;", ";2;WB-100;")
        ws.drop("orders_lost.csv", "\r\n".join([HEADER, _row("SM-16-14"), lost, SUMME, ""]).encode(),
                ws.root / INBOX)
        wait_for(lambda: len(ws.messages(state="quarantined")) == 2, message="the file with a lost line held")
        [lost_held] = [m for m in ws.messages(state="quarantined") if m["id"] != held["id"]]
        assert "row 3 has no value in column 'Bestellnummer'" in lost_held["last_error"], lost_held
    assert shop_orders(odoo) == ["SM-16-10", "SM-16-11"]
