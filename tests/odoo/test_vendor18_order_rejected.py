"""A vendor that will not fill a purchase order at all answers an 855 `BAK*00*RJ` (rejected, no detail) without
lines, or an ORDRSP `BGM+231+...+27` (not accepted) without LIN groups, through the pipeline into the sandbox over
HTTP. Before, the PO got a note 'the vendor rejects the order' and nothing else: every line still ordered its goods,
the receipt still expected them (and a customer's 846 still showed them arriving). Now each product line orders 0,
as a line the vendor rejects whole does, and the note says so; an order of which goods were received already is
held for a person, nothing written."""

from __future__ import annotations

from pathlib import Path

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.journal.api import State
from gateway.odoo.client import OdooClient
from gateway.odoo.sandbox import SandboxServer
from gateway.transports.base import IntakeMeta
from tests.odoo.test_pipeline_posting import examples, pipeline_for, run
from tests.odoo.test_vendor15_received import receive
from tests.odoo.test_vendor16_acks import VENDOR, expected, ordrsp_posted, po_lines, x12_855
from tests.odoo.test_vendor_odd import purchase

__all__ = ["examples"]


async def test_an_order_rejected_whole_is_expected_no_more(tmp_path: Path, examples: LoadedConfig,
                                                           sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    po, name = purchase(odoo, [(1, 10, 7.5), (2, 6, 5.25)])
    pipeline, _journal = pipeline_for(tmp_path, examples, sandbox)
    pipeline.config.partners["widgetworks"] = VENDOR
    message = await pipeline.submit(x12_855(1201, name, []).replace(b"BAK*00*AC*", b"BAK*00*RJ*"),
                                    IntakeMeta(channel="sftp", filename="855_1201.edi", partner="widgetworks"))
    done = run(pipeline, message.id, {State.DONE, State.QUARANTINED}, rounds=60)
    assert done.state is State.DONE, done.last_error
    rows = po_lines(odoo, po)
    assert [row[:2] for row in rows[:2]] == [(1, 0.0), (2, 0.0)]
    assert rows[2][3].endswith(": the vendor rejects the order: every line orders 0"), rows[2][3]
    assert expected(odoo, po) == []


async def test_an_order_rejected_after_goods_came_is_held(tmp_path: Path, examples: LoadedConfig,
                                                          sandbox: SandboxServer, client: OdooClient,
                                                          odoo: odoorpc.ODOO) -> None:
    """4 of the 10 blue widgets were received: the rejection is held naming the line, nothing written."""
    po, name = purchase(odoo, [(1, 10, 7.5), (2, 6, 5.25)])
    receive(client, name, 4)
    before = po_lines(odoo, po)
    pipeline, _journal = pipeline_for(tmp_path, examples, sandbox)
    pipeline.config.partners["widgetworks"] = VENDOR
    message = await pipeline.submit(x12_855(1202, name, []).replace(b"BAK*00*AC*", b"BAK*00*RJ*"),
                                    IntakeMeta(channel="sftp", filename="855_1202.edi", partner="widgetworks"))
    done = run(pipeline, message.id, {State.DONE, State.QUARANTINED}, rounds=60)
    assert done.state is State.QUARANTINED
    assert "the vendor rejects the order, of which [WB-100] Blue Widget was received already; nothing was " \
           "changed" in str(done.last_error)
    assert po_lines(odoo, po) == before


@pytest.mark.parametrize("sandbox", [17], indirect=True)
async def test_an_ordrsp_not_accepting_the_order_is_expected_no_more(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    """The same as an EANCOM ORDRSP: BGM 1225 27 (not accepted), no LIN groups."""
    po, name = purchase(odoo, [(1, 10, 7.5), (2, 6, 5.25)])
    body = ["BGM+231+OR-88+27", "DTM+137:20261201:102", f"RFF+ON:{name}", "NAD+SU+4000000000009::9", "UNS+S"]
    segments = ["UNB+UNOC:3+4000000000009:14+0614141000005:14+261201:0900+88", "UNH+1+ORDRSP:D:96A:UN:EAN005",
                *body, f"UNT+{len(body) + 2}+1", "UNZ+1+88"]
    await ordrsp_posted(tmp_path, examples, sandbox, ("UNA:+.? '" + "".join(s + "'" for s in segments)).encode())
    rows = po_lines(odoo, po)
    assert [row[:2] for row in rows[:2]] == [(1, 0.0), (2, 0.0)]
    assert rows[2][3] == "EDI order acknowledgment OR-88 (88/1): the vendor rejects the order: every line orders 0"
