"""An original PO under control numbers used before (the partner's counter started again: the same ISA13 and ST02)
with other content, held as a repeated interchange and replayed with `edi-gateway replay` to be processed as new,
through the real pipeline, BigBox's profiles and the sandbox over HTTP (17, 19).

The sale order's note names the message that made it by its control numbers, and that alone was taken as "made by
this very message": the replay was 'found', the order kept its 24 where the PO now asks 30, and nobody was told.
It is now this message only when the content mark after those numbers is this PO's too; otherwise it is compared
like any PO sent again, and its differences are applied or held for a person. (A retry of the very message is
still found: tests/odoo/test_resent_originals.py, test_pipeline_posting.py.)"""

from __future__ import annotations

from pathlib import Path

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.journal.api import State
from gateway.odoo.sandbox import SandboxServer
from tests.odoo.conftest import odoo, sandbox
from tests.odoo.test_change_replaced_lines import sequenced
from tests.odoo.test_change_resent import applied, posted
from tests.odoo.test_outbound_changed_lines import PADDED_850
from tests.odoo.test_pipeline_posting import examples, pipeline_for, run
from tests.odoo.test_posting_cancel import pipeline_orders
from tests.spine.test_replay_as_new_changes import HELD

__all__ = ["examples", "odoo", "sandbox"]      # the fixtures, for the tests below

pytestmark = pytest.mark.parametrize("sandbox", [17, 19], ids=["odoo17", "odoo19"], indirect=True)

LINE_1 = b"PO1*001*24*EA*12.50*PE*BP*BB-1001*UP*614141000012*VN*WB-100"


async def test_a_po_with_other_content_under_reused_control_numbers_is_not_taken_for_the_first(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    from gateway.pipeline import replay
    pipeline, journal = pipeline_for(tmp_path, examples, sandbox)
    await applied(pipeline, (PADDED_850, "850_padded.edi"))
    [so] = pipeline_orders(odoo)
    assert sequenced(odoo, so["id"])[0][2] == 24
    other = PADDED_850.replace(LINE_1, LINE_1.replace(b"*24*", b"*30*")).replace(b"CTT*3*78", b"CTT*3*84")
    assert other != PADDED_850
    held = await posted(pipeline, other, "850_padded_again.edi")          # same ISA13, same ST02, other content
    assert held.state is State.QUARANTINED and HELD in (held.last_error or ""), held.last_error
    replay(journal, held.id)
    done = run(pipeline, held.id, {State.DONE, State.QUARANTINED})
    roles = [link.role for link in journal.odoo_links(held.id)]
    quantity = sequenced(odoo, so["id"])[0][2]
    # either applied (a quotation of a partner whose changes revise it) or held naming the difference: never
    # 'found' with the order left at 24 and nobody told
    assert not (done.state is State.DONE and roles == ["found"] and quantity == 24), (done.state, roles, quantity)
    if done.state is State.DONE:
        assert quantity == 30
    else:
        assert "24" in (done.last_error or "") and "30" in (done.last_error or ""), done.last_error

