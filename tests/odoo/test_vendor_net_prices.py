"""An EANCOM invoice line priced net (PRI+AAA, 'calculation net': the price includes the line's allowances and
charges, which may be stated for information only) keeps its price on the draft bill, with no Discount (%) on
top; a line priced gross (PRI+AAB) gets its ALC allowance as the bill line's discount. A real INVOIC through the
daemon's pipeline into the sandbox over HTTP, checked with odoorpc."""

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
from tests.odoo.test_vendor_bill_checks import bill, bill_line_rows, po_lines
from tests.odoo.test_vendor_odd import purchase

__all__ = ["examples"]

pytestmark = pytest.mark.parametrize("sandbox", [16, 17, 18, 19], ids=["odoo16", "odoo17", "odoo18", "odoo19"],
                                     indirect=True)

VENDOR = PartnerConfig.model_validate({
    "id": "widgetworks", "name": "Widget Works", "odoo": {"partner_ref": "WIDGETWORKS"},
    "edifact": {"ids": [{"qualifier": "14", "id": "4000000000009"}], "contrl": False},
    "documents": [{"type": "INVOIC", "direction": "in", "profile": "edifact-d96a-invoic"}]})


def invoic(po: str, lines: list[str]) -> bytes:
    """Widget Works' D96A INVOIC for `po` with these LIN groups, 885.00 in all (MOA+77)."""
    body = ["BGM+380+WW-INV-NET+9", "DTM+137:20261129:102", f"RFF+ON:{po}", "NAD+SU+4000000000009::9", *lines,
            "UNS+S", "MOA+77:885"]
    segments = ["UNB+UNOC:3+4000000000009:14+0614141000005:14+261129:0900+31", "UNH+1+INVOIC:D:96A:UN:EAN008",
                *body, f"UNT+{len(body) + 2}+1", "UNZ+1+31"]
    return ("UNA:+.? '" + "".join(s + "'" for s in segments)).encode()


async def test_a_net_priced_invoic_line_gets_no_discount_on_top(tmp_path: Path, examples: LoadedConfig,
                                                                sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    """Blue widgets priced net 6.75 and gross 7.50 with their 10 % (the gross last), red ones gross 5.25 and net
    4.20 with their 20 % (the net last, no MOA+203), as EANCOM invoices state both: the bill is 100 x 7.50 less
    10 % and 50 x 4.20, the vendor's 885.00. The red line's 20 % was taken off its net price again (50 x 3.36),
    so the bill came out 42.00 short of the invoice, noted as totals that differ."""
    po, name = purchase(odoo)
    blue, red = po_lines(odoo, po)
    odoo.execute_kw("purchase.order.line", "write", [[blue], {"discount": 10.0}])      # as agreed with the vendor
    odoo.execute_kw("purchase.order.line", "write", [[red], {"discount": 20.0}])
    pipeline, _journal = pipeline_for(tmp_path, examples, sandbox)
    pipeline.config.partners["widgetworks"] = VENDOR
    data = invoic(name, ["LIN+1", "PIA+5+WW-WB-100:SA", "QTY+47:100:PCE", "PRI+AAA:6.75", "PRI+AAB:7.50",
                         "ALC+A++++DI", "PCD+1:10",
                         "LIN+2", "PIA+5+WW-WR-200:SA", "QTY+47:50:PCE", "PRI+AAB:5.25", "PRI+AAA:4.20",
                         "ALC+A++++DI", "PCD+1:20"])
    message = await pipeline.submit(data, IntakeMeta(channel="sftp", filename="invoic.edi", partner="widgetworks"))
    done = run(pipeline, message.id, {State.DONE, State.QUARANTINED})
    assert done.state is State.DONE, done.last_error
    assert sorted((q, p, d) for _, q, p, d in bill_line_rows(odoo, "WW-INV-NET")) == [
        (50.0, 4.2, 0.0), (100.0, 7.5, 10.0)]
    made = bill(odoo, "WW-INV-NET")
    assert made["amount_total"] == 885.0
    assert "EDI" not in str(made["narration"] or "")        # the vendor's total, the PO's net prices
