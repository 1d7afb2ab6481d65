"""The line-count hold is decided on the finding's kind, not on its wording (tests/spine/test_check16_*).

b9b05be held a document when one of its findings held the text ": totals: line count ": a finding is worded
"order N: line L: ...", and the order number and line number are the partner's own text. A marketplace export
whose position column says "1: totals: line count 2" (a spreadsheet cell pasted into the wrong column) and whose
line amount is off by a cent too many had its order held for a line count it does not even state (CSV has none).
The checks now return findings with a kind (`canonical.Finding`), and the pipeline holds a "line_count" only.
"""

from __future__ import annotations

from pathlib import Path

import odoorpc

from gateway.odoo.sandbox import SandboxServer
from tests.helpers.gateway import GatewayProcess, cli
from tests.helpers.wait import wait_for
from tests.spine.test_check15_counts import EXAMPLES, _orders, _workspace, sandbox

__all__ = ["sandbox"]

EXPORT = (EXAMPLES / "samples" / "shopmarket" / "orders_20261128_0600.csv").read_bytes()


def test_a_finding_whose_line_number_reads_like_a_line_count_does_not_hold_its_order(
        tmp_path: Path, sandbox: tuple[SandboxServer, odoorpc.ODOO]) -> None:
    server, odoo = sandbox
    ws = _workspace(tmp_path, server.url, ("shopmarket",))
    ws.settings["inbox"] = [{"path": "inbox-shop", "processed": None, "min_age": 0.3, "partner": "shopmarket"}]
    ws.write_config()
    # order SM-2026-118734's first row: position "1: totals: line count 2", 2 x 12,50 said to be 25,10
    odd = EXPORT.replace(b"+49 221 555010;1;WB-100;0614141000012;Blue Widget;2;12,50;25,00;",
                         b"+49 221 555010;1: totals: line count 2;WB-100;0614141000012;Blue Widget;2;12,50;25,10;")
    assert odd != EXPORT
    with GatewayProcess(ws.config, env={"EDI_GATEWAY_ODOO_PASSWORD": "admin"}):
        ws.drop("orders.csv", odd, ws.root / "inbox-shop")
        [row] = wait_for(lambda: ws.messages(direction="in", state="done") or ws.messages(state="quarantined"),
                         message="the export processed")
        assert row["state"] == "done", row["last_error"]
        shown = cli("show", row["id"], config=ws.config).stdout
    said = "line 1: totals: line count 2: amount 25.10 is not quantity 2 x price 12.50 = 25.00"
    assert f"warning: order SM-2026-118734: {said}" in shown, shown
    [order] = _orders(odoo, "SM-2026-118734")
    assert f"EDI check: {said}" in str(order["note"]), order
