"""A vendor's 855 in another unit than the purchase order line, through the pipeline into the sandbox over HTTP.
The acknowledged quantities were written as they came, whatever the unit: Widget Works answering our 24 Units in
dozens (PO1*1*2*DZ, 1 dozen now and 1 backordered) had the line cut to 1 Unit and a line of 1 Unit added, 22 widgets
no longer expected; a unit Odoo has none for (PL, a pallet) was written as so many Units."""

from __future__ import annotations

from pathlib import Path

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.journal.api import State
from gateway.odoo.sandbox import SandboxServer
from tests.odoo.test_pipeline_posting import examples
from tests.odoo.test_vendor16_acks import expected, po_lines, sender
from tests.odoo.test_vendor_odd import purchase

__all__ = ["examples"]


@pytest.mark.parametrize("sandbox", [17, 19], indirect=True)
async def test_an_ack_in_dozens_is_written_in_the_lines_unit(tmp_path: Path, examples: LoadedConfig,
                                                             sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    po, name = purchase(odoo, [(1, 24, 7.5), (2, 6, 5.25)])
    send = sender(tmp_path, examples, sandbox, name)
    before = po_lines(odoo, po)

    pallets = await send(1301, ["PO1*1*24*EA*7.50**VN*WW-WB-100", "ACK*IA*24*EA",
                                "PO1*2*1*PL*31.50**VN*WW-WR-200", "ACK*IC*1*PL"])
    assert pallets.state is State.QUARANTINED and "unit 'PF' has no Odoo unit" in pallets.last_error
    assert po_lines(odoo, po) == before
    as_ordered = await send(1303, ["PO1*2*1*PL*31.50**VN*WW-WR-200", "ACK*IA*1*PL"])  # nothing asked: not refused
    assert as_ordered.state is State.DONE and po_lines(odoo, po)[:2] == before

    dozens = await send(1302, ["PO1*1*2*DZ*90.00**VN*WW-WB-100", "ACK*IA*1*DZ*068*20261205",
                               "ACK*IB*1*DZ*068*20261220"])
    assert dozens.state is State.DONE, dozens.last_error
    rows = po_lines(odoo, po)
    assert [row[:3] for row in rows if row[0]] == [(1, 12.0, "2026-12-05"), (2, 6.0, rows[1][2]),
                                                   (1, 12.0, "2026-12-20")]
    assert rows[-1][3] == "EDI order acknowledgment SO-1302 (000001302/0001): line 1: 1 accepted for 2026-12-05, " \
        "1 backordered to 2026-12-20"
    assert [(p, q) for p, q, _ in expected(odoo, po)] == [(1, 12.0), (2, 6.0), (1, 12.0)]
