"""An EDIFACT INVOIC line naming its PO line as EANCOM's RFF+ON:<PO>:<line> (C506 1156), not RFF+LI: the bill
line goes to that PO line. Blue widgets on PO lines 1 (100 at 7.50) and 3 (40 at 7.00); the invoice bills line 3's
40 first at 7.50 (a price the PO line does not have), so only the line number can send it there. A real D96A and
D01B INVOIC through the daemon's pipeline into the sandbox over HTTP, checked with odoorpc."""

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
from tests.odoo.test_vendor_bill_checks import VENDOR, bill, bill_control_on_ordered, po_lines
from tests.odoo.test_vendor_odd import purchase

__all__ = ["bill_control_on_ordered", "examples"]

pytestmark = pytest.mark.parametrize("sandbox", [16, 17, 18, 19], ids=["odoo16", "odoo17", "odoo18", "odoo19"],
                                     indirect=True)


def invoic(version: str, control: int, number: str, po: str) -> bytes:
    body = [f"BGM+380+{number}+9", "DTM+137:20261129:102", f"RFF+ON:{po}", "NAD+SU+4000000000009::9",
            "LIN+1", "PIA+5+WW-WB-100:SA", "QTY+47:40:PCE", "PRI+AAA:7.50", f"RFF+ON:{po}:3",
            "LIN+2", "PIA+5+WW-WB-100:SA", "QTY+47:100:PCE", "PRI+AAA:7.50", f"RFF+ON:{po}:1",
            "UNS+S", "MOA+77:1050"]
    agency = "EAN008" if version == "96A" else "EAN010"
    segments = [f"UNB+UNOC:3+4000000000009:14+0614141000005:14+261129:0900+{control}",
                f"UNH+1+INVOIC:D:{version}:UN:{agency}", *body, f"UNT+{len(body) + 2}+1", f"UNZ+1+{control}"]
    return ("UNA:+.? '" + "".join(s + "'" for s in segments)).encode()


@pytest.mark.parametrize("version", ["96A", "01B"])
async def test_rff_on_with_a_line_number_names_the_po_line(tmp_path: Path, examples: LoadedConfig,
                                                           sandbox: SandboxServer, odoo: odoorpc.ODOO,
                                                           version: str) -> None:
    po, name = purchase(odoo, [(1, 100, 7.5), (2, 50, 5.25), (1, 40, 7.0)])
    pipeline, _journal = pipeline_for(tmp_path, examples, sandbox)
    profile = "edifact-d96a-invoic" if version == "96A" else "edifact-d01b-invoic"
    pipeline.config.partners["widgetworks"] = PartnerConfig.model_validate({
        **VENDOR.model_dump(exclude_none=True),
        "documents": [{"type": "INVOIC", "direction": "in", "profile": profile}]})
    number = f"WW-ON-{version}"
    message = await pipeline.submit(invoic(version, 41, number, name),
                                    IntakeMeta(channel="sftp", filename=f"invoic_{version}.edi", partner="widgetworks"))
    done = run(pipeline, message.id, {State.DONE, State.QUARANTINED}, rounds=60)
    assert done.state is State.DONE, done.last_error
    first, _, third = po_lines(odoo, po)
    made = bill(odoo, number)
    assert made["lines"] == [(40.0, 7.5, third), (100.0, 7.5, first)]
    assert "billed at 7.50, the purchase order&#x27;s price is 7.00" in made["narration"]
