"""A vendor's 855 that ships one PO line in two deliveries, each accepted on its own date (VICS: an ACK per
scheduled delivery, `ACK*IA*4*EA*068*20261205` + `ACK*IA*6*EA*068*20261220`), through the pipeline into the sandbox
over HTTP. Before, the accepted parts were added up on the first date: the receipt expected all 10 on 12-05, the
6 due on 12-20 shown late from 12-06 and planned into stock two weeks early."""

from __future__ import annotations

from pathlib import Path

import odoorpc

from gateway.config.loader import LoadedConfig
from gateway.journal.api import State
from gateway.odoo.sandbox import SandboxServer
from tests.odoo.test_pipeline_posting import examples
from tests.odoo.test_vendor16_acks import expected, po_lines, sender
from tests.odoo.test_vendor_odd import purchase

__all__ = ["examples"]


async def test_a_line_accepted_in_two_deliveries_is_expected_on_each_date(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    """10 blue widgets accepted as 4 on 12-05 and 6 on 12-20: line 1 orders 4 on 12-05, a part of its own 6 on
    12-20 (the receipt expects each on its day); the red line, accepted undated, is left as it is. A later 855
    moving the second delivery to 12-28 updates that part, adding none."""
    po, name = purchase(odoo, [(1, 10, 7.5), (2, 6, 5.25)])
    before = po_lines(odoo, po)
    send = sender(tmp_path, examples, sandbox, name)
    done = await send(801, ["PO1*1*10*EA*7.50**VN*WW-WB-100", "ACK*IA*4*EA*068*20261205",
                            "ACK*IA*6*EA*068*20261220", "PO1*2*6*EA*5.25**VN*WW-WR-200", "ACK*IA*6*EA"])
    assert done.state is State.DONE, done.last_error
    rows = po_lines(odoo, po)
    assert [row[:3] for row in rows[:3]] == [(1, 4.0, "2026-12-05"), before[1][:3], (1, 6.0, "2026-12-20")]
    assert rows[2][3].endswith("(backordered by the vendor, line 1)")
    assert rows[3][3].endswith(": line 1: 4 accepted for 2026-12-05, 6 accepted for 2026-12-20"), rows[3][3]
    moves = expected(odoo, po)
    assert [(p, q) for p, q, _ in moves] == [(1, 4.0), (2, 6.0), (1, 6.0)] and moves[2][2] == "2026-12-20"

    done = await send(802, ["PO1*1*10*EA*7.50**VN*WW-WB-100", "ACK*IA*4*EA*068*20261205",
                            "ACK*IA*6*EA*068*20261228"])
    assert done.state is State.DONE, done.last_error
    assert [row[:3] for row in po_lines(odoo, po) if row[0]] == [(1, 4.0, "2026-12-05"), before[1][:3],
                                                                 (1, 6.0, "2026-12-28")]
