"""Which order line an 860's POC line is about, through the real pipeline, BigBox's profiles and the sandbox (17,
19): two changes of one line in one message, a line number that names none of the order's lines of its item, and
a change that arrives after a later change of its PO.

One 860 that changes a line twice (POC*001*QI, the quantity, then POC*001*PC, the price: two POC lines for what one
CA line could say) has both applied to the line. The second was looked for among the lines the first had not
changed, found none, and the whole change was quarantined ("[WB-100] Blue Widget is not on sale order ..."), the
partner left without its 865."""

from __future__ import annotations

from pathlib import Path

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.journal.api import State
from gateway.odoo.sandbox import SandboxServer
from tests.odoo.test_change_replaced_lines import change_860, sequenced
from tests.odoo.test_crossdock import sample_with
from tests.odoo.test_outbound_changed_lines import PADDED_850, segments
from tests.odoo.test_pipeline_posting import examples, pipeline_for, run
from tests.odoo.test_posting_cancel import pipeline_orders, submit

__all__ = ["examples"]      # the module-scoped fixture, re-exported for the tests below

pytestmark = pytest.mark.parametrize("sandbox", [17, 19], ids=["odoo17", "odoo19"], indirect=True)


async def test_an_860_changing_the_quantity_then_the_price_of_line_001_applies_both(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    pipeline, journal = pipeline_for(tmp_path, examples, sandbox)
    twice = change_860("POC*001*QI*36*36*EA*12.50*PE*BP*BB-1001*UP*614141000012*VN*WB-100",
                       "POC*001*PC*36*36*EA*11.00*PE*BP*BB-1001*UP*614141000012*VN*WB-100")
    for data, name in ((PADDED_850, "850_padded.edi"), (twice, "860_twice.edi")):
        message = run(pipeline, (await submit(pipeline, data, name)).id, {State.DONE, State.QUARANTINED})
        assert message.state is State.DONE, message.last_error
    [so] = pipeline_orders(odoo)
    assert sequenced(odoo, so["id"]) == [(1, "[WB-100] Blue Widget", 36), (2, "[WR-200] Red Widget", 48),
                                         (3, "[GL-300] Gadget Large", 6)]
    [row] = odoo.execute_kw("sale.order", "read", [[so["id"]], ["note"]])
    # BigBox is on the pricelist policy: the price the second POC states is flagged, against the line
    assert "line 001: [WB-100] Blue Widget quantity 24 -&gt; 36" in row["note"]
    assert "order price 11.00, Odoo price 12.50" in row["note"]
    [answer] = [m for m in journal.children(message.id) if m.doc_type == "865"]
    assert [s[1:4] for s in segments(pipeline.archive.read(answer.sha256), "POC")] == [
        ["001", "CA", "36"], ["001", "CA", "36"]]


async def test_an_860_arriving_after_a_later_change_of_its_po_is_held(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    """BigBox's change 2 (BCH05: line 001 to 36) is applied before its change 1 (line 001 to 30, line 003 to 8): a
    VAN or one poll of two files delivered them so. Change 1 is held naming both; it set line 001 back to 30 with an
    865 saying accepted, and the partner's 36 was lost. Change 2 sent again (a VAN's resend) is applied again."""
    pipeline, journal = pipeline_for(tmp_path, examples, sandbox)
    second = change_860("POC*001*QI*36*36*EA*12.50*PE*BP*BB-1001*UP*614141000012*VN*WB-100").replace(
        b"BCH*04*SA*4500001234**1*", b"BCH*04*SA*4500001234**2*")
    first = change_860("POC*001*QI*30*30*EA*12.50*PE*BP*BB-1001*UP*614141000012*VN*WB-100",
                       "POC*003*QI*8*8*EA*42.00*PE*BP*BB-1003*UP*614141000036*VN*GL-300")
    first = first.replace(b"000001210", b"000001211").replace(b"*1210*", b"*1211*").replace(b"GE*1*1210", b"GE*1*1211")
    for data, name in ((PADDED_850, "850_padded.edi"), (second, "860_change2.edi")):
        message = run(pipeline, (await submit(pipeline, data, name)).id, {State.DONE, State.QUARANTINED})
        assert message.state is State.DONE, message.last_error
    late = run(pipeline, (await submit(pipeline, first, "860_change1.edi")).id, {State.DONE, State.QUARANTINED})
    assert late.state is State.QUARANTINED
    assert "change 1 of PO 4500001234 arrived after change 2 was applied to sale order" in (late.last_error or "")
    [so] = pipeline_orders(odoo)
    assert sequenced(odoo, so["id"]) == [(1, "[WB-100] Blue Widget", 36), (2, "[WR-200] Red Widget", 48),
                                         (3, "[GL-300] Gadget Large", 6)]
    assert [m.doc_type for m in journal.children(late.id)] == ["997"]
    again = second.replace(b"000001210", b"000001212").replace(b"*1210*", b"*1212*").replace(b"GE*1*1210", b"GE*1*1212")
    resent = run(pipeline, (await submit(pipeline, again, "860_change2_again.edi")).id, {State.DONE, State.QUARANTINED})
    assert resent.state is State.DONE, resent.last_error


async def test_an_860_naming_none_of_two_lines_of_its_item_is_held(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    """The PO has Blue Widgets on lines 001 and 003; an 860 changes (then deletes) its line 005 of Blue Widgets, which
    the order does not have (an addition that never reached Odoo). Line 001 was taken: set to 30, or removed, with an
    865 saying line 005 was. Now the change is held naming the lines; one naming line 003 is applied to it."""
    pipeline, journal = pipeline_for(tmp_path, examples, sandbox)
    two_blue = sample_with(["PO1*001*24*EA*12.50*PE*BP*BB-1001*UP*614141000012*VN*WB-100",
                            "PO1*002*48*EA*8.75*PE*BP*BB-1002*UP*614141000029*VN*WR-200",
                            "PO1*003*12*EA*12.50*PE*BP*BB-1001*UP*614141000012*VN*WB-100", "CTT*3*84"])
    message = run(pipeline, (await submit(pipeline, two_blue, "850_two_blue.edi")).id, {State.DONE, State.QUARANTINED})
    assert message.state is State.DONE, message.last_error
    for control, poc in ((1211, "POC*005*QI*30*30*EA*12.50*PE*BP*BB-1001*UP*614141000012*VN*WB-100"),
                         (1212, "POC*005*DI*0*0*EA***BP*BB-1001*UP*614141000012*VN*WB-100")):
        data = change_860(poc).replace(b"000001210", f"{control:09d}".encode()).replace(
            b"*1210*", f"*{control}*".encode()).replace(b"GE*1*1210", f"GE*1*{control}".encode())
        held = run(pipeline, (await submit(pipeline, data, f"860_{control}.edi")).id, {State.DONE, State.QUARANTINED})
        assert held.state is State.QUARANTINED
        assert "line 005: [WB-100] Blue Widget is on lines 1, 3 of sale order" in (held.last_error or "")
        assert "none numbered 005" in (held.last_error or "")
    [so] = pipeline_orders(odoo)
    assert sequenced(odoo, so["id"]) == [(1, "[WB-100] Blue Widget", 24), (2, "[WR-200] Red Widget", 48),
                                         (3, "[WB-100] Blue Widget", 12)]
    third = change_860("POC*003*QI*20*20*EA*12.50*PE*BP*BB-1001*UP*614141000012*VN*WB-100").replace(
        b"000001210", b"000001213").replace(b"*1210*", b"*1213*").replace(b"GE*1*1210", b"GE*1*1213")
    done = run(pipeline, (await submit(pipeline, third, "860_1213.edi")).id, {State.DONE, State.QUARANTINED})
    assert done.state is State.DONE, done.last_error
    assert [q for _, _, q in sequenced(odoo, so["id"])] == [24, 48, 20]
    assert [m.doc_type for m in journal.children(held.id)] == ["997"]


async def test_an_860_changing_then_deleting_line_002_deletes_it(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    """POC*002*QI (48 -> 60) then POC*002*DI in one 860: the line goes, as the 865 says. The delete was looked for
    among the lines the change had not taken, and the Red Widget stayed on the order at 60 ("already removed")."""
    pipeline, _ = pipeline_for(tmp_path, examples, sandbox)
    data = change_860("POC*002*QI*60*60*EA*8.75*PE*BP*BB-1002*UP*614141000029*VN*WR-200",
                      "POC*002*DI*0*0*EA***BP*BB-1002*UP*614141000029*VN*WR-200")
    for body, name in ((PADDED_850, "850_padded.edi"), (data, "860_change_delete.edi")):
        message = run(pipeline, (await submit(pipeline, body, name)).id, {State.DONE, State.QUARANTINED})
        assert message.state is State.DONE, message.last_error
    [so] = pipeline_orders(odoo)
    assert sequenced(odoo, so["id"]) == [(1, "[WB-100] Blue Widget", 24), (3, "[GL-300] Gadget Large", 6)]
    [row] = odoo.execute_kw("sale.order", "read", [[so["id"]], ["note"]])
    assert "line 002: [WR-200] Red Widget removed" in row["note"]
