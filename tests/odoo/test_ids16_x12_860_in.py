"""BigBox's sample 850 and 860 with every item number qualified IN instead of BP (the buyer's item number): the 860
is merged line by line into the quotation (line 1 24 -> 36, line 2 deleted, line 3 repriced, line 4 added), and the
865 that answers it names each line's number once, as IN, where the 860 base's pick (BP, else IN) kept it as `buyer`
too and the 865 wrote `BP*BB-1001*...*IN*BB-1001`. Through the pipeline into the sandbox over HTTP (17, 19)."""

from __future__ import annotations

from pathlib import Path

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.journal.api import State
from gateway.odoo.sandbox import SandboxServer
from tests.odoo.test_pipeline_posting import SAMPLE, examples, pipeline_for, run
from tests.odoo.test_posting_cancel import pipeline_orders, submit
from tests.odoo.test_posting_line_changes import CHANGE_860, rows

__all__ = ["examples"]

pytestmark = pytest.mark.parametrize("sandbox", [17, 19], ids=["odoo17", "odoo19"], indirect=True)


async def test_an_860_naming_items_by_in_is_merged_and_answered_once_as_in(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    pipeline, journal = pipeline_for(tmp_path, examples, sandbox)
    first = await submit(pipeline, SAMPLE.read_bytes().replace(b"*BP*BB-", b"*IN*BB-"), SAMPLE.name)
    assert run(pipeline, first.id, {State.DONE}).state is State.DONE
    second = await submit(pipeline, CHANGE_860.read_bytes().replace(b"*BP*BB-", b"*IN*BB-"), CHANGE_860.name)
    done = run(pipeline, second.id, {State.DONE, State.QUARANTINED})
    assert done.state is State.DONE, done.last_error
    [so] = pipeline_orders(odoo)
    assert [r[:2] for r in rows(odoo, so["id"])] == [("[WB-100] Blue Widget", 36.0), ("[GL-300] Gadget Large", 6.0),
                                                    ("[CB-400] Cable Bundle", 12.0)]
    [answer] = [m for m in journal.children(second.id) if m.doc_type == "865"]
    poc = [s.strip().split("*") for s in pipeline.archive.read(answer.sha256).decode().split("~")
           if s.strip().startswith("POC*")]
    assert len(poc) == 4, poc
    for row in poc:
        pairs = list(zip(row[8::2], row[9::2]))
        assert [p for p in pairs if p[1].startswith("BB-")] == [("IN", f"BB-100{row[1]}")], row
