"""A repeated interchange held for a person (the partner's control numbers started again: the same ISA13, other
sets) and replayed with `edi-gateway replay`, processed as new, through the real pipeline, BigBox's profiles and
the sandbox over HTTP (17, 19).

A new PO change under the control numbers of one applied before was taken for a retry of that one: its note marker
names the message by its control numbers only, so the replay was 'found', nothing applied, and the 865 said
accepted. And the same change resent in another form (another ST02) and replayed is still found, not applied
again: the quantity a person set since stays."""

from __future__ import annotations

from pathlib import Path

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.journal.api import Message, State
from gateway.odoo.sandbox import SandboxServer
from gateway.pipeline import Pipeline, replay
from tests.odoo.conftest import odoo, sandbox
from tests.odoo.test_change_replaced_lines import change_860, sequenced
from tests.odoo.test_change_resent import applied, posted
from tests.odoo.test_outbound_changed_lines import PADDED_850
from tests.odoo.test_pipeline_posting import examples, pipeline_for, run
from tests.odoo.test_posting_cancel import pipeline_orders

__all__ = ["examples", "odoo", "sandbox"]      # the fixtures, for the tests below

pytestmark = pytest.mark.parametrize("sandbox", [17, 19], ids=["odoo17", "odoo19"], indirect=True)

BLUE = "POC*001*QI*{qty}*{qty}*EA*12.50*PE*BP*BB-1001*UP*614141000012*VN*WB-100"
HELD = "the partner's counter started again?"


def replayed(pipeline: Pipeline, held: Message) -> Message:
    """The held repeated interchange `held`, replayed (as `edi-gateway replay` does) and worked to its end: done."""
    assert held.state is State.QUARANTINED and HELD in (held.last_error or ""), held.last_error
    replay(pipeline.journal, held.id)
    done: Message = run(pipeline, held.id, {State.DONE, State.QUARANTINED})
    assert done.state is State.DONE, done.last_error
    return done


def numbered(data: bytes, purpose: str, bch05: str) -> bytes:
    """The 860 as a change (BCH01 04, lines merged) or a replacement (05, the order rewritten), numbered BCH05."""
    return data.replace(b"BCH*04*SA*4500001234**1*", f"BCH*{purpose}*SA*4500001234**{bch05}*".encode())


@pytest.mark.parametrize(("purpose", "numbers"), [("04", ("1", "2")), ("04", ("", "")), ("05", ("1", "2"))],
                         ids=["change-bch05", "change-no-bch05", "replacement"])
async def test_a_new_change_under_reused_control_numbers_is_applied_when_replayed(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, odoo: odoorpc.ODOO,
        purpose: str, numbers: tuple[str, str]) -> None:
    pipeline, journal = pipeline_for(tmp_path, examples, sandbox)
    first = numbered(change_860(BLUE.format(qty=30)), purpose, numbers[0])
    await applied(pipeline, (PADDED_850, "850_padded.edi"), (first, "860_change1.edi"))
    second = numbered(change_860(BLUE.format(qty=36)), purpose, numbers[1])   # ISA13 000001210 again, ST02 0001
    held = replayed(pipeline, await posted(pipeline, second, "860_change2.edi"))
    assert [link.role for link in journal.odoo_links(held.id)] == ["updated"]
    [so] = pipeline_orders(odoo)
    assert sequenced(odoo, so["id"])[0] == (1, "[WB-100] Blue Widget", 36)
    assert "865" in [m.doc_type for m in journal.children(held.id)]


async def test_the_same_change_in_another_form_replayed_is_found_not_applied_again(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    """Change 1 set line 001 to 30, sales agreed 32 since; the partner sends change 1 again under its ISA13 with
    another ST02 (held: other sets), and a person replays it: found, the 32 stays."""
    pipeline, journal = pipeline_for(tmp_path, examples, sandbox)
    first = change_860(BLUE.format(qty=30))
    await applied(pipeline, (PADDED_850, "850_padded.edi"), (first, "860_change1.edi"))
    [so] = pipeline_orders(odoo)
    [line] = odoo.execute_kw("sale.order.line", "search", [[("order_id", "=", so["id"]), ("sequence", "=", 1)]])
    odoo.execute_kw("sale.order.line", "write", [[line], {"product_uom_qty": 32}])
    other_form = first.replace(b"ST*860*0001", b"ST*860*0002").replace(b"*0001~", b"*0002~")
    assert other_form != first
    held = replayed(pipeline, await posted(pipeline, other_form, "860_change1_again.edi"))
    assert [link.role for link in journal.odoo_links(held.id)] == ["found"]
    assert sequenced(odoo, so["id"])[0] == (1, "[WB-100] Blue Widget", 32)
