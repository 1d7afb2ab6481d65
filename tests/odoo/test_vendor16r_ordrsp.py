"""A vendor's ORDRSP line status (LIN 1229) through the pipeline into the sandbox over HTTP: 4 (no action) is the
line as ordered, left as it is; 1 (added) is a line the vendor adds, quarantined for purchasing. Before, 4 was kept
raw and 1 read as a change: a line the vendor added of a product on the order (LIN 3, the blue widgets) overwrote
the PO's blue line with its quantity."""

from __future__ import annotations

from pathlib import Path

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.config.models import PartnerConfig
from gateway.journal.api import State
from gateway.odoo.sandbox import SandboxServer
from gateway.transports.base import IntakeMeta
from tests.odoo.test_pipeline_posting import examples, pipeline_for, run
from tests.odoo.test_vendor16_acks import BLUE_8, ordrsp, po_lines
from tests.odoo.test_vendor_odd import purchase

__all__ = ["examples"]

WIDGETWORKS = PartnerConfig.model_validate({
    "id": "widgetworks", "odoo": {"partner_ref": "WIDGETWORKS"},
    "edifact": {"ids": [{"qualifier": "14", "id": "4000000000009"}]},
    "documents": [{"type": "ORDRSP", "direction": "in", "profile": "edifact-d96a-ordrsp"}]})


@pytest.mark.parametrize("sandbox", [17], indirect=True)
async def test_no_action_is_as_ordered_and_an_added_line_is_left_to_purchasing(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    po, name = purchase(odoo, [(1, 10, 7.5), (2, 6, 5.25)])
    pipeline, _journal = pipeline_for(tmp_path, examples, sandbox)
    pipeline.config.partners["widgetworks"] = WIDGETWORKS
    before = po_lines(odoo, po)

    async def send(blue: list[str], control: bytes) -> tuple[State, str]:
        data = ordrsp(name, blue).replace(b"LIN+2+5+", b"LIN+2+4+")          # the red line: no action
        data = data.replace(b"0900+77'", b"0900+" + control + b"'").replace(b"UNZ+1+77", b"UNZ+1+" + control)
        message = await pipeline.submit(data, IntakeMeta(channel="folder", filename="ordrsp.edi"))
        done = run(pipeline, message.id, {State.DONE, State.QUARANTINED}, rounds=60)
        return done.state, str(done.last_error)

    added = await send([*BLUE_8, "LIN+3+1+0614141000012:EN", "PIA+1+WW-WB-100:SA", "QTY+21:4:PCE", "QTY+113:4:PCE"], b"78")
    assert added[0] is State.QUARANTINED and "line 3: its status added is none the gateway applies" in added[1]
    assert po_lines(odoo, po) == before
    state, error = await send(BLUE_8, b"79")
    assert state is State.DONE, error
    rows = po_lines(odoo, po)
    assert rows[0][:3] == (1, 8.0, "2026-12-10") and rows[1] == before[1]
