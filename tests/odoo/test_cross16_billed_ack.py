"""A vendor's 855 that comes after its bill: Widget Works billed all 10 blue and 6 red widgets of the PO (its 810, a
draft bill on ordered quantities, as a buyer paying before delivery has it), then acknowledges 8 blue and rejects the
red. The 855 is applied (8 and 0 are what will come: the receipt must not wait for more), but its note said only
'line 1: changed 8; line 2: rejected 6', and nothing in Odoo told purchasing or accounts payable that 2 + 6 widgets
were billed that will never come (Odoo's line shows 'to bill' -2 only in the list's hidden column). The note now
says what was billed already and what the vendor is to credit. Through the pipeline into the sandbox (17, 19)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.config.models import PartnerConfig
from gateway.journal.api import State
from gateway.odoo.sandbox import SandboxServer
from gateway.transports.base import IntakeMeta
from tests.odoo.test_pipeline_posting import examples, pipeline_for, run
from tests.odoo.test_vendor16_acks import po_lines, x12_855
from tests.odoo.test_vendor_bill_checks import on_ordered_quantities, x12_810
from tests.odoo.test_vendor_odd import purchase

__all__ = ["examples"]

pytestmark = pytest.mark.parametrize("sandbox", [17, 19], ids=["odoo17", "odoo19"], indirect=True)

VENDOR = PartnerConfig.model_validate({
    "id": "widgetworks", "name": "Widget Works", "odoo": {"partner_ref": "WIDGETWORKS"},
    "x12": {"ids": [{"qualifier": "ZZ", "id": "WIDGETWORKS"}], "gs_ids": ["WIDGETWORKS"], "ack": "none"},
    "documents": [{"type": "855", "direction": "in", "profile": "x12-004010-855"},
                  {"type": "810", "direction": "in", "profile": "x12-004010-810"}]})


def daemon(tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer) -> Callable[[bytes, str], Awaitable[None]]:
    """Widget Works' files through one pipeline on the sandbox, each run until posted (asserted)."""
    pipeline, _journal = pipeline_for(tmp_path, examples, sandbox)
    pipeline.config.partners["widgetworks"] = VENDOR

    async def send(data: bytes, filename: str) -> None:
        message = await pipeline.submit(data, IntakeMeta(channel="sftp", filename=filename, partner="widgetworks"))
        done = run(pipeline, message.id, {State.DONE, State.QUARANTINED}, rounds=60)
        assert done.state is State.DONE, done.last_error
    return send


async def test_an_acknowledgment_cutting_lines_billed_already_says_what_is_to_be_credited(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    on_ordered_quantities(odoo)
    po, name = purchase(odoo, [(1, 10, 7.5), (2, 6, 5.25)])
    send = daemon(tmp_path, examples, sandbox)
    await send(x12_810(901, "WW-INV-901", name, ["IT1*1*10*EA*7.50**VN*WW-WB-100", "IT1*2*6*EA*5.25**VN*WW-WR-200"],
                       ["TDS*10650"]), "810_901.edi")
    await send(x12_855(902, name, ["PO1*1*10*EA*7.50**VN*WW-WB-100", "ACK*IC*8*EA",
                                   "PO1*2*6*EA*5.25**VN*WW-WR-200", "ACK*IR*6*EA"]), "855_902.edi")
    rows = po_lines(odoo, po)
    assert [row[:2] for row in rows[:2]] == [(1, 8.0), (2, 0.0)]
    assert rows[2][3] == ("EDI order acknowledgment SO-902 (000000902/0001): line 1: changed 8 (10 billed already: 2 "
                          "to be credited by the vendor); line 2: rejected 6 (6 billed already: 6 to be credited by "
                          "the vendor)"), rows[2][3]
    # an acknowledgment within what was billed says nothing of it
    await send(x12_855(903, name, ["PO1*1*8*EA*7.50**VN*WW-WB-100", "ACK*IC*10*EA"]), "855_903.edi")
    note = po_lines(odoo, po)[3][3]
    assert note.startswith("EDI order acknowledgment SO-903 (000000903/0001): line 1: changed 10") and \
        "billed" not in note, note
