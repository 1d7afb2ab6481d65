"""A bill in another unit than its PO line (the vendor invoices dozens, the PO counts units), against Odoo's bill
control on received quantities: what earlier bills took of the line is counted in the line's unit, as Odoo's
purchase.order.line `_compute_qty_invoiced` converts each bill line (16-19), so a second bill beyond what was
received is noted. Real X12 810s through the daemon's pipeline into the sandbox over HTTP, checked with odoorpc."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.journal.api import State
from gateway.odoo.client import OdooClient
from gateway.odoo.sandbox import SandboxServer
from gateway.transports.base import IntakeMeta
from tests.odoo.test_pipeline_posting import examples, pipeline_for, run
from tests.odoo.test_vendor15_received import receive
from tests.odoo.test_vendor_bill_checks import VENDOR, bill, x12_810
from tests.odoo.test_vendor_odd import purchase

__all__ = ["examples"]

pytestmark = pytest.mark.parametrize("sandbox", [16, 17, 18, 19], ids=["odoo16", "odoo17", "odoo18", "odoo19"],
                                     indirect=True)


async def test_a_second_bill_in_dozens_beyond_what_was_received_is_noted(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, client: OdooClient,
        odoo: odoorpc.ODOO) -> None:
    """120 blue widgets ordered in Units, 60 received (billed on received quantities, Odoo's default for goods).
    5 dozen billed (60 units: all that was received, no note), then 1 dozen more: 12 beyond the 60 received. Counted
    as 5 and 1 (the bills' own figures), the second bill said nothing and the clerk paid for goods not received."""
    po, name = purchase(odoo, [(1, 120, 7.5)])
    receive(client, name, 60)
    pipeline, _journal = pipeline_for(tmp_path, examples, sandbox)
    pipeline.config.partners["widgetworks"] = VENDOR

    async def send(control: int, number: str, dozens: int) -> Any:
        data = x12_810(control, number, name, [f"IT1*1*{dozens}*DZ*90.00**VN*WW-WB-100"], [f"TDS*{dozens * 9000}"])
        message = await pipeline.submit(data, IntakeMeta(channel="sftp", filename=f"810_{control}.edi",
                                                         partner="widgetworks"))
        done = run(pipeline, message.id, {State.DONE, State.QUARANTINED}, rounds=60)
        assert done.state is State.DONE, done.last_error
        return bill(odoo, number)

    first = await send(311, "WW-DZ-1", 5)
    assert "EDI" not in str(first["narration"] or "")
    [line] = odoo.execute_kw("purchase.order.line", "search_read", [[("order_id", "=", po)], ["qty_invoiced"]])
    assert line["qty_invoiced"] == 60.0
    second = await send(312, "WW-DZ-2", 1)
    assert second["lines"] == [(1.0, 90.0, line["id"])]
    assert (f"purchase order {name} line 1 ([WB-100] Blue Widget): this bill 12, billed before 60, received 60 "
            "(ordered 120): more than was received") in str(second["narration"])
