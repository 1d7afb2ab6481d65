"""A vendor's corrected 855 that accepts a line as ordered after an earlier one cut it, through the pipeline into
the sandbox over HTTP. Before, a line accepted as ordered (ACK*IA with PO102's quantity, undated) was never looked
at: Widget Works' first 855 changed the blue line to 8 (ACK*IC*8), its corrected one accepts all 10, and Odoo kept
expecting 8, the receipt then 2 over, with a note saying 'accepted as ordered'."""

from __future__ import annotations

from pathlib import Path

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.journal.api import State
from gateway.odoo.client import OdooClient
from gateway.odoo.posting import Cache, post
from gateway.odoo.sandbox import SandboxServer
from tests.odoo.test_pipeline_posting import examples
from tests.odoo.test_vendor16_acks import expected, po_lines, sender
from tests.odoo.test_vendor_odd import purchase, widgetworks
from tests.odoo.test_vendor_receipts import notice

__all__ = ["examples"]


@pytest.mark.parametrize("sandbox", [17], indirect=True)
async def test_a_corrected_ack_accepting_as_ordered_restores_the_line(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    """The blue line cut to 8, then accepted as ordered: it expects 10 again and the note says Odoo had 8. The red
    line, accepted as ordered each time under an item number Odoo does not know the vendor by, is left as it is
    (never refused); a line accepted as ordered that Odoo orders so, in parts, is not touched."""
    po, name = purchase(odoo, [(1, 10, 7.5), (2, 6, 5.25)])
    posted = sender(tmp_path, examples, sandbox, name)

    async def send(control: int, lines: list[str]) -> None:
        done = await posted(control, lines)
        assert done.state is State.DONE, done.last_error

    red = ["PO1*2*6*EA*5.25**VN*WW-NOT-IN-ODOO", "ACK*IA*6*EA"]
    await send(1001, ["PO1*1*10*EA*7.50**VN*WW-WB-100", "ACK*IC*8*EA", *red])
    assert [row[:2] for row in po_lines(odoo, po)] == [(1, 8.0), (2, 6.0), (False, 0.0)]
    await send(1002, ["PO1*1*10*EA*7.50**VN*WW-WB-100", "ACK*IA*10*EA", *red])
    rows = po_lines(odoo, po)
    assert [row[:2] for row in rows] == [(1, 10.0), (2, 6.0), (False, 0.0), (False, 0.0)]
    assert rows[3][3] == ("EDI order acknowledgment SO-1002 (000001002/0001): line 1: accepted 10 (of 10 it read "
                          "ordered; Odoo's order had 8)")
    assert [(p, q) for p, q, _ in expected(odoo, po)] == [(1, 10.0), (2, 6.0)]

    await send(1003, ["PO1*1*10*EA*7.50**VN*WW-WB-100", "ACK*IA*4*EA*068*20261205", "ACK*IB*6*EA*068*20261220"])
    await send(1004, ["PO1*1*10*EA*7.50**VN*WW-WB-100", "ACK*IA*10*EA", *red])
    rows = po_lines(odoo, po)
    assert [row[:2] for row in rows if row[0]] == [(1, 4.0), (2, 6.0), (1, 6.0)]     # 4 + 6 of 10: as it was
    assert rows[-1][3] == "EDI order acknowledgment SO-1004 (000001004/0001): accepted as ordered"


@pytest.mark.parametrize("sandbox", [19], indirect=True)
async def test_an_ack_sent_again_does_not_say_odoo_had_another_quantity(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    """Widget Works sends its 855 changing the blue line to 8 twice (a new interchange): the second finds the 8 it
    set and says what the vendor said, not '(of 10 it read ordered; Odoo's order had 8)', which sent purchasing
    looking for a change of the buyer's that was never made."""
    po, name = purchase(odoo, [(1, 10, 7.5), (2, 6, 5.25)])
    send = sender(tmp_path, examples, sandbox, name)
    for control in (1401, 1402):
        done = await send(control, ["PO1*1*10*EA*7.50**VN*WW-WB-100", "ACK*IC*8*EA"])
        assert done.state is State.DONE, done.last_error
    rows = po_lines(odoo, po)
    assert rows[0][:2] == (1, 8.0)
    assert [row[3] for row in rows[2:]] == ["EDI order acknowledgment SO-1401 (000001401/0001): line 1: changed 8",
                                            "EDI order acknowledgment SO-1402 (000001402/0001): line 1: changed 8"]


@pytest.mark.parametrize("sandbox", [17], indirect=True)
async def test_the_vendors_shipment_fills_its_backordered_part_and_a_late_ack_keeps_it(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, client: OdooClient,
        odoo: odoorpc.ODOO) -> None:
    """4 blue now and 6 backordered: the 6 got a line of their own. The vendor ships all 10 (its ASN's line 1,
    validated): all 10 were received on line 1 (10 of 4) and the backorder line's 6 stayed open, Odoo waiting for 6
    that never come; now line 1 takes its 4 and the backordered part its 6. A late 855 accepting all 10 on line 1
    would then order 0 on the line that received 6 (Odoo ordering 10 of 16 received): quarantined, nothing written."""
    po, name = purchase(odoo, [(1, 10, 7.5), (2, 6, 5.25)])
    send = sender(tmp_path, examples, sandbox, name)
    done = await send(1801, ["PO1*1*10*EA*7.50**VN*WW-WB-100", "ACK*IA*4*EA*068*20261205", "ACK*IB*6*EA*068*20261220"])
    assert done.state is State.DONE, done.last_error
    post(client, notice("ASN-1801", name, 10), widgetworks(validate_receipts=True), Cache())
    lines = odoo.execute_kw("purchase.order.line", "search_read", [[("order_id", "=", po), ("product_id", "=", 1)],
                                                                   ["product_qty", "qty_received"]], {"order": "id"})
    assert [(r["product_qty"], r["qty_received"]) for r in lines] == [(4.0, 4.0), (6.0, 6.0)]
    assert [(p, q) for p, q, _ in expected(odoo, po)] == [(2, 6.0)]               # no blue expected any more
    before = po_lines(odoo, po)
    late = await send(1802, ["PO1*1*10*EA*7.50**VN*WW-WB-100", "ACK*IA*10*EA*068*20261205"])
    assert late.state is State.QUARANTINED
    assert "line 1: 6 received already of its part the vendor backordered, more than the 0" in late.last_error
    assert po_lines(odoo, po) == before
