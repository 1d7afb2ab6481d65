"""What a purchaser expects of each ACK01 status of a vendor's 855, through the pipeline into the sandbox over HTTP:
every kind of 'Item Rejected' (R1-R8) and a deleted item (ID) is delivered no more, as IR; a status the gateway
does not apply (IH on hold, IS a substitution) quarantines the acknowledgment with nothing written. Before, any
code outside IA/IB/IC/IP/IQ/IR/R2 was kept raw and applied as delivered: `ACK*R1*6` (not a contract item) left the
6 expected, `ACK*IA*4` + `ACK*ID*6` expected 10, and an item on hold was expected as if accepted."""

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


@pytest.mark.parametrize("sandbox", [17], indirect=True)
async def test_rejections_of_every_kind_and_statuses_not_applied(tmp_path: Path, examples: LoadedConfig,
                                                                 sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    po, name = purchase(odoo, [(1, 10, 7.5), (2, 6, 5.25)])
    send = sender(tmp_path, examples, sandbox, name)
    before = po_lines(odoo, po)

    held = await send(901, ["PO1*1*10*EA*7.50**VN*WW-WB-100", "ACK*IA*10*EA*068*20261205",
                            "PO1*2*6*EA*5.25**VN*WW-WR-200", "ACK*IH*6*EA"])
    assert held.state is State.QUARANTINED
    assert "line 2: its status IH is none the gateway applies" in held.last_error
    assert po_lines(odoo, po) == before                                           # line 1's date not written either

    done = await send(902, ["PO1*1*10*EA*7.50**VN*WW-WB-100", "ACK*IA*4*EA", "ACK*ID*6*EA",
                            "PO1*2*6*EA*5.25**VN*WW-WR-200", "ACK*R1*6*EA"])
    assert done.state is State.DONE, done.last_error
    rows = po_lines(odoo, po)
    assert [row[:2] for row in rows] == [(1, 4.0), (2, 0.0), (False, 0.0)]
    assert rows[2][3] == ("EDI order acknowledgment SO-902 (000000902/0001): line 1: 4 accepted, 6 rejected; "
                          "line 2: rejected 6")
    assert [(p, q) for p, q, _ in expected(odoo, po)] == [(1, 4.0)]


@pytest.mark.parametrize("sandbox", [19], indirect=True)
async def test_a_line_rejected_then_accepted_is_expected_again(tmp_path: Path, examples: LoadedConfig,
                                                               sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    """The red line rejected whole: its receipt move is cancelled, as Odoo's merge of the negative move cancels a
    move it empties (the sandbox kept it open at 0); the vendor's corrected 855 accepts the 6 after all: a new move
    expects them in the open receipt."""
    po, name = purchase(odoo, [(1, 10, 7.5), (2, 6, 5.25)])
    send = sender(tmp_path, examples, sandbox, name)
    for control, ack in ((1201, "ACK*IR*6*EA"), (1202, "ACK*IA*6*EA")):
        done = await send(control, ["PO1*2*6*EA*5.25**VN*WW-WR-200", ack])
        assert done.state is State.DONE, done.last_error
        if control == 1201:
            assert [(p, q) for p, q, _ in expected(odoo, po)] == [(1, 10.0)]
            cancelled = odoo.execute_kw("stock.move", "search_read", [[("purchase_line_id.order_id", "=", po),
                                                                        ("state", "=", "cancel")], ["product_id"]])
            assert [m["product_id"][0] for m in cancelled] == [2]
    assert po_lines(odoo, po)[1][:2] == (2, 6.0)
    assert [(p, q) for p, q, _ in expected(odoo, po)] == [(1, 10.0), (2, 6.0)]


@pytest.mark.parametrize("sandbox", [17], indirect=True)
async def test_a_price_changed_line_says_the_vendors_price(tmp_path: Path, examples: LoadedConfig,
                                                           sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    """ACK*IP (item accepted, price changed) at 7.95 for our 7.50: the note said 'changed 10', not what changed,
    and the vendor's bill came at 7.95 with nothing on the order saying so; now the note gives both prices (the
    PO's price is left to purchasing). The red line at its price is noted without one."""
    po, name = purchase(odoo, [(1, 10, 7.5), (2, 6, 5.25)])
    done = await sender(tmp_path, examples, sandbox, name)(1501, ["PO1*1*10*EA*7.95**VN*WW-WB-100", "ACK*IP*10*EA",
                                                                  "PO1*2*6*EA*5.25**VN*WW-WR-200", "ACK*IC*5*EA"])
    assert done.state is State.DONE, done.last_error
    rows = po_lines(odoo, po)
    assert [row[:2] for row in rows] == [(1, 10.0), (2, 5.0), (False, 0.0)]
    assert rows[2][3] == ("EDI order acknowledgment SO-1501 (000001501/0001): line 1: changed 10 at 7.95 (Odoo's "
                          "price 7.50); line 2: changed 5")


@pytest.mark.parametrize("sandbox", [19], indirect=True)
async def test_an_ack_for_an_order_locked_in_odoo_19_is_quarantined(tmp_path: Path, examples: LoadedConfig,
                                                                    sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    """Odoo 19 locks a confirmed purchase order by its `locked` flag, the state staying 'purchase' (16-18: state
    'done'): the 855 was applied to a locked order as to any other; now it is quarantined as on 16-18."""
    po, name = purchase(odoo, [(1, 10, 7.5), (2, 6, 5.25)])
    odoo.execute_kw("purchase.order", "write", [[po], {"locked": True}])
    before = po_lines(odoo, po)
    done = await sender(tmp_path, examples, sandbox, name)(1601, ["PO1*1*10*EA*7.50**VN*WW-WB-100", "ACK*IC*8*EA"])
    assert done.state is State.QUARANTINED
    assert f"purchase order {name} is locked in Odoo; nothing was changed" in done.last_error
    assert po_lines(odoo, po) == before


@pytest.mark.parametrize("sandbox", [19], indirect=True)
async def test_an_applied_ack_ticks_odoos_acknowledged_box(tmp_path: Path, examples: LoadedConfig,
                                                           sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    """Odoo 19's purchase order has its own 'Acknowledged' box (the vendor confirmed the order), which purchasing
    filters on: the vendor's 855 left it unticked, the order looking unanswered; now applying it ticks the box."""
    po, name = purchase(odoo, [(1, 10, 7.5), (2, 6, 5.25)])
    done = await sender(tmp_path, examples, sandbox, name)(1701, ["PO1*1*10*EA*7.50**VN*WW-WB-100", "ACK*IC*9*EA"])
    assert done.state is State.DONE, done.last_error
    [order] = odoo.execute_kw("purchase.order", "read", [[po], ["acknowledged"]])
    assert order["acknowledged"] is True and po_lines(odoo, po)[0][:2] == (1, 9.0)
