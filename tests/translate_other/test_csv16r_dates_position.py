"""A partner whose Excel switched locale, its profile reading the order date by position: through the real daemon
(a file dropped into its inbox) and the Odoo sandbox over HTTP.

79d0dae holds a file with a date that reads only in the other day/month order than the profile's. The reader names
the column in its note as the header spells it ('Bestelldatum'), and the check looked it up as the profile names
it: a profile that reads the column by its position (`at: "2"`, as for an export whose header is translated now and
then) never matched, so the file's 05/11/2026 posted as 11 May again beside a refused 30/11/2026.
"""

from __future__ import annotations

from pathlib import Path

import odoorpc

from gateway.odoo.sandbox import SandboxServer
from tests.formats.test_csv_encodings import HEADER
from tests.helpers.gateway import GatewayProcess
from tests.helpers.wait import wait_for
from tests.spine.test_check15_counts import sandbox  # noqa: F401 - the fixture
from tests.translate_other.test_csv16_currency import INBOX, ODOO_ENV, shop_daemon, shop_orders
from tests.translate_other.test_csv16_dates import _row


def test_a_date_column_read_by_position_holds_a_day_first_file_under_a_month_first_profile(
        tmp_path: Path, sandbox: tuple[SandboxServer, odoorpc.ODOO]) -> None:  # noqa: F811
    server, odoo = sandbox
    ws = shop_daemon(tmp_path, server.url)
    profile = ws.root / "translations" / "shopmarket-order.yaml"
    text = profile.read_text()
    assert "date: {at: Bestelldatum, date: DD.MM.CCYY}" in text
    profile.write_text(text.replace("date: {at: Bestelldatum, date: DD.MM.CCYY}", 'date: {at: "2", date: MM/DD/CCYY}'))
    with GatewayProcess(ws.config, env=ODOO_ENV):
        rows = [_row("SM-16-80", "05/11/2026"), _row("SM-16-81", "30/11/2026")]
        ws.drop("orders_eu.csv", "\r\n".join([HEADER, *rows, ""]).encode(), ws.root / INBOX)
        [held] = wait_for(lambda: ws.messages(state="quarantined"), message="the day-first file held")
        reason = held["last_error"]
        assert "row 3 column 2: '30/11/2026' reads only as DD/MM/CCYY, but the profile reads column 2 as " \
               "MM/DD/CCYY" in reason, reason
        assert "such as 05/11/2026 in row 2, cannot be told apart" in reason, reason
    assert shop_orders(odoo) == []
