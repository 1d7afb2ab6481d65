"""A vendor line's charge of 0.00 (X12 'SAC*C*D240***0' in the IT1 loop: freight prepaid, nothing charged, as
many 810s carry it) puts nothing on the bill, as one of the invoice's own does: the bill is made, its total the
vendor's. An 810 through the daemon's pipeline into the sandbox over HTTP, checked with odoorpc."""

from __future__ import annotations

from pathlib import Path

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.journal.api import State
from gateway.odoo.sandbox import SandboxServer
from gateway.transports.base import IntakeMeta
from tests.odoo.test_pipeline_posting import examples, pipeline_for, run
from tests.odoo.test_vendor_bill_checks import VENDOR, bill, po_lines, x12_810
from tests.odoo.test_vendor_odd import purchase

__all__ = ["examples"]

pytestmark = pytest.mark.parametrize("sandbox", [16, 17, 18, 19], ids=["odoo16", "odoo17", "odoo18", "odoo19"],
                                     indirect=True)


async def test_a_line_charge_of_nothing_is_not_billed(tmp_path: Path, examples: LoadedConfig,
                                                      sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    """100 blue widgets at 7.50 with 'SAC*C*D240***0' in their IT1 loop, no charge product mapped: the draft
    bill is the one line, 750.00. The invoice was quarantined: 'charge freight: 0.00 has no Odoo product to go
    on the bill as a line'; mapped, a 0.00 freight line went on the bill."""
    po, name = purchase(odoo)
    pipeline, _journal = pipeline_for(tmp_path, examples, sandbox)
    pipeline.config.partners["widgetworks"] = VENDOR
    data = x12_810(211, "WW-INV-ZERO", name, ["IT1*1*100*EA*7.50**VN*WW-WB-100", "SAC*C*D240***0"], ["TDS*75000"])
    message = await pipeline.submit(data, IntakeMeta(channel="sftp", filename="810_211.edi", partner="widgetworks"))
    done = run(pipeline, message.id, {State.DONE, State.QUARANTINED}, rounds=60)
    assert done.state is State.DONE, done.last_error
    made = bill(odoo, "WW-INV-ZERO")
    assert made["lines"] == [(100.0, 7.5, po_lines(odoo, po)[0])]
    assert made["amount_total"] == 750.0 and "EDI" not in str(made["narration"] or "")
