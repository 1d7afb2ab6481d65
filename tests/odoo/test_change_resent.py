"""A PO change sent again under new control numbers (a VAN's or the partner's resend of a day's files) through the
real pipeline, BigBox's profiles and the sandbox (17, 19): the last change applied is found, not applied again
(a person's edit since stays); an older one is held saying it was applied already."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.journal.api import State
from gateway.odoo.sandbox import SandboxServer
from tests.odoo.test_change_replaced_lines import change_860, sequenced
from tests.odoo.test_outbound_changed_lines import PADDED_850
from tests.odoo.test_pipeline_posting import examples, pipeline_for, run
from tests.odoo.test_posting_cancel import pipeline_orders, submit

__all__ = ["examples"]      # the module-scoped fixture, re-exported for the tests below

pytestmark = pytest.mark.parametrize("sandbox", [17, 19], ids=["odoo17", "odoo19"], indirect=True)


def renumbered(data: bytes, control: str) -> bytes:
    """The 860 under another interchange and group control number (BigBox's sample's are 000001210 / 1210)."""
    return data.replace(b"000001210", b"00000" + control.encode()).replace(b"*1210*", f"*{control}*".encode()) \
        .replace(b"GE*1*1210", f"GE*1*{control}".encode())


async def posted(pipeline: Any, data: bytes, name: str) -> Any:
    """The message of this file, worked to its end (done or quarantined)."""
    return run(pipeline, (await submit(pipeline, data, name)).id, {State.DONE, State.QUARANTINED})


async def applied(pipeline: Any, *files: tuple[bytes, str]) -> None:
    """Each (file, name) posted in turn, each done."""
    for data, name in files:
        message = await posted(pipeline, data, name)
        assert message.state is State.DONE, message.last_error


@pytest.mark.parametrize("numbers", [(b"1", b"2"), (b"", b"")], ids=["bch05", "no-bch05"])
async def test_change_1_resent_after_change_2_is_held_saying_there_is_nothing_to_apply(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, odoo: odoorpc.ODOO,
        numbers: tuple[bytes, bytes]) -> None:
    """Change 1 resent after change 2: with change numbers it was held as arriving late, telling a person to apply
    what it says that change 2 did not (it says nothing new); without them it was applied, setting line 001 back
    to 30 with an 865 saying accepted. Held, saying it was applied already, and the order keeps change 2's 36."""
    pipeline, journal = pipeline_for(tmp_path, examples, sandbox)
    first = change_860("POC*001*QI*30*30*EA*12.50*PE*BP*BB-1001*UP*614141000012*VN*WB-100").replace(
        b"BCH*04*SA*4500001234**1*", b"BCH*04*SA*4500001234**" + numbers[0] + b"*")
    second = renumbered(change_860("POC*001*QI*36*36*EA*12.50*PE*BP*BB-1001*UP*614141000012*VN*WB-100").replace(
        b"BCH*04*SA*4500001234**1*", b"BCH*04*SA*4500001234**" + numbers[1] + b"*"), "1211")
    await applied(pipeline, (PADDED_850, "850_padded.edi"), (first, "860_change1.edi"), (second, "860_change2.edi"))
    again = await posted(pipeline, renumbered(first, "1212"), "860_change1_again.edi")
    assert again.state is State.QUARANTINED
    assert ("sent again (interchange 000001212 set 0001): sale order S") in (again.last_error or "")
    assert ("had this very content applied already, and a later change of PO 4500001234 since; applied again it "
            "would undo that change. Nothing of it is left to apply: close this message") in (again.last_error or "")
    assert [m.doc_type for m in journal.children(again.id)] == ["997"]          # no 865 saying accepted
    [so] = pipeline_orders(odoo)
    assert sequenced(odoo, so["id"])[0] == (1, "[WB-100] Blue Widget", 36)


async def test_a_change_resent_after_a_person_edited_the_line_leaves_the_edit(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    """Change 1 set line 001 to 30, sales then agreed 32 with the buyer on the phone; the VAN resends change 1: the
    32 stays (it was put back to 30)."""
    pipeline, _ = pipeline_for(tmp_path, examples, sandbox)
    first = change_860("POC*001*QI*30*30*EA*12.50*PE*BP*BB-1001*UP*614141000012*VN*WB-100")
    await applied(pipeline, (PADDED_850, "850_padded.edi"), (first, "860_change1.edi"))
    [so] = pipeline_orders(odoo)
    [line] = odoo.execute_kw("sale.order.line", "search", [[("order_id", "=", so["id"]), ("sequence", "=", 1)]])
    odoo.execute_kw("sale.order.line", "write", [[line], {"product_uom_qty": 32}])
    again = await posted(pipeline, renumbered(first, "1212"), "860_change1_again.edi")
    assert again.state is State.DONE, again.last_error
    assert sequenced(odoo, so["id"])[0] == (1, "[WB-100] Blue Widget", 32)


async def test_a_change_numbered_below_the_last_says_what_to_do_when_the_numbers_are_no_count(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    """A partner writing the time of day in BCH05: the afternoon's change 1430 is applied, the next morning's 0915
    is held as older. The reason says what a person does then (apply all of it), not only what to do with a late
    change (apply what the newer did not)."""
    pipeline, _ = pipeline_for(tmp_path, examples, sandbox)
    afternoon = change_860("POC*001*QI*30*30*EA*12.50*PE*BP*BB-1001*UP*614141000012*VN*WB-100").replace(
        b"BCH*04*SA*4500001234**1*", b"BCH*04*SA*4500001234**1430*")
    morning = renumbered(change_860("POC*001*QI*36*36*EA*12.50*PE*BP*BB-1001*UP*614141000012*VN*WB-100").replace(
        b"BCH*04*SA*4500001234**1*", b"BCH*04*SA*4500001234**0915*"), "1211")
    await applied(pipeline, (PADDED_850, "850_padded.edi"), (afternoon, "860_1430.edi"))
    held = await posted(pipeline, morning, "860_0915.edi")
    assert held.state is State.QUARANTINED
    assert "change 0915 of PO 4500001234 arrived after change 1430 was applied" in (held.last_error or "")
    assert ("(The numbers are the partner's X12 BCH05: if they are no count that only grows, a time of day or one "
            "starting again at 1, this change is the newer one: apply all of it in Odoo, and ask the partner to "
            "number its changes in sequence)") in (held.last_error or "")
