"""A vendor's 856 numbering each carton's items from 1 (LIN01 per pack, as some shipping systems do), through
the real pipeline into the sandbox over HTTP: each item is received as its own product."""

from __future__ import annotations

from pathlib import Path

import odoorpc

from gateway.config.loader import LoadedConfig
from gateway.journal.api import State
from gateway.odoo.sandbox import SandboxServer
from gateway.transports.base import IntakeMeta
from tests.odoo.test_pipeline_posting import examples, pipeline_for, run
from tests.odoo.test_vendor_odd import purchase
from tests.odoo.test_vendor_receipts import received
from tests.odoo.test_vendor_receipts_pipeline import VENDOR, asn

__all__ = ["examples"]


async def test_two_cartons_items_numbered_alike_are_each_received_as_their_own(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    """10 blue widgets in the first carton and 20 red ones in the second, each carton's item its LIN*1: items were
    matched to products by their label ('line 1'), so both were taken for red widgets: 30 red received on the red
    line, none on the blue one, the receipt validated and nothing held."""
    po, name = purchase(odoo, [(1, 100, 7.5), (2, 50, 5.25)])
    pipeline, _ = pipeline_for(tmp_path, examples, sandbox)
    pipeline.config.partners["widgetworks"] = VENDOR
    items = ["HL*4*3*I", "LIN*1*VN*WW-WB-100", "SN1**10*EA", "HL*5*2*P", "MAN*GM*006141410000001026",
             "HL*6*5*I", "LIN*1*VN*WW-WR-200", "SN1**20*EA"]
    message = await pipeline.submit(asn(201, "00", "ASN-000201", name, [], items),
                                    IntakeMeta(channel="sftp", filename="856_201.edi", partner="widgetworks"))
    done = run(pipeline, message.id, {State.DONE, State.QUARANTINED})
    assert done.state is State.DONE, done.last_error
    assert received(odoo, po) == [10.0, 20.0]
