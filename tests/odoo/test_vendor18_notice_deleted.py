"""A vendor deletes a ship notice it sent with BSN01 `03` (X12 353 'Delete', what many vendors' systems send to
withdraw an ASN; `01` is 'Cancellation'), through the pipeline into the sandbox over HTTP. Before, 03 was no code the
856 profile knew, so it was read as an original: the deleted notice was applied again and the message was done,
the receipt still expecting the goods it announced and no one told. Now it is held as a cancellation is, naming the
receipt that carries the notice, nothing written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import odoorpc

from gateway.config.loader import LoadedConfig
from gateway.journal.api import State
from gateway.odoo.sandbox import SandboxServer
from gateway.transports.base import IntakeMeta
from tests.odoo.test_pipeline_posting import examples, pipeline_for, run
from tests.odoo.test_vendor18_po_digits import VENDOR
from tests.odoo.test_vendor_odd import purchase
from tests.odoo.test_vendor_receipts_pipeline import asn

__all__ = ["examples"]


async def test_a_deleted_notice_is_held_naming_its_receipt(tmp_path: Path, examples: LoadedConfig,
                                                           sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    po, name = purchase(odoo, [(1, 120, 7.5)])
    pipeline, _journal = pipeline_for(tmp_path, examples, sandbox)
    pipeline.config.partners["widgetworks"] = VENDOR

    async def send(control: int, purpose: str) -> Any:
        message = await pipeline.submit(asn(control, purpose, "ASN-1101", name, [], items=[
            "HL*4*3*I", "LIN*1*VN*WW-WB-100", "SN1**100*EA"]),
            IntakeMeta(channel="sftp", filename=f"{control}.edi", partner="widgetworks"))
        return run(pipeline, message.id, {State.DONE, State.QUARANTINED}, rounds=60)

    first = await send(1101, "00")
    assert first.state is State.DONE
    [before] = odoo.execute_kw("stock.picking", "search_read", [[("purchase_id", "=", po)],
                                                               ["name", "move_line_ids", "note"]])
    deleted = await send(1102, "03")
    assert deleted.state is State.QUARANTINED
    assert f"the notice cancels ship notice ASN-1101, which receipt {before['name']} (open) carries; nothing was " \
           "written" in str(deleted.last_error)
    [after] = odoo.execute_kw("stock.picking", "search_read", [[("purchase_id", "=", po)],
                                                              ["name", "move_line_ids", "note"]])
    assert after == before
