"""An invoice total wrong by just its lines' own allowances/charges is warned of (tests/odoo/test_check16r_*).

f7ead28 let an invoice's total add up "with the lines' own allowances/charges or without them", for Ariba's 810
that restates its lines' shipping in the summary's SAC. That also took an invoice whose total is wrong by exactly
its lines' own: a vendor whose TDS forgot its line discount (75.00 off the blue widgets, TDS the gross 1012.50),
or an Ariba-style invoice that counted its shipping twice (3.00 + 3.00 on the lines, 6.00 in the summary, TDS with
12.00). Neither bill said 'EDI check:' any more, nor `show`. The lines' own are now left out only when the
invoice's own restate them, code by code; the restated invoice and one with both kinds of charges still add up.
And the restated invoice's bill took its shipping twice (3.00 + 3.00 on the lines and the summary's 6.00: 1024.50
for the vendor's 1018.50, with an 'EDI totals differ' note): the invoice's restating charges are left off the bill.
Through the pipeline and the sandbox over HTTP (17 and 19).
"""

from __future__ import annotations

from pathlib import Path

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.odoo.bill_checks import TOTALS_NOTE
from gateway.odoo.sandbox import SandboxServer
from tests.odoo.test_check16_bill_notes import posted_810
from tests.odoo.test_pipeline_posting import examples
from tests.odoo.test_vendor_bill_checks import bill

__all__ = ["examples"]

BLUE, RED = "IT1*1*100*EA*7.50**VN*WW-WB-100", "IT1*2*50*EA*5.25**VN*WW-WR-200"     # 750.00 + 262.50


@pytest.mark.parametrize(("number", "lines", "summary", "warned", "billed"), [
    ("WW-INV-GROSS", [BLUE, "SAC*A*C310***7500", RED], ["TDS*101250"],
     ("totals: total 1012.50 but lines 1012.50 + allowances/charges -75.00 + tax 0 = 937.50 "
      "(the lines' own -75.00 counted)"), 937.5),
    ("WW-INV-TWICE", [BLUE, "SAC*C*G830***300", RED, "SAC*C*G830***300"], ["TDS*102450", "SAC*C*G830***600"],
     ("totals: total 1024.50 but lines 1012.50 + allowances/charges 6.00 + tax 0 = 1018.50 "
      "(the lines' own 6.00 restated in the invoice's)"), 1018.5),
    ("WW-INV-BOTH", [BLUE, "SAC*C*G830***300", RED, "SAC*C*G830***300"], ["TDS*102850", "SAC*C*D240***1000"],
     None, 1028.5),
    ("WW-INV-RESTATED", [BLUE, "SAC*C*G830***300", RED, "SAC*C*G830***300"], ["TDS*101850", "SAC*C*G830***600"],
     None, 1018.5)],
    ids=["line_discount_left_out", "shipping_counted_twice", "line_and_invoice_charges", "restated"])
async def test_a_total_off_by_the_lines_own_charges_is_noted(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, odoo: odoorpc.ODOO, number: str,
        lines: list[str], summary: list[str], warned: str | None, billed: float) -> None:
    done = await posted_810(tmp_path, examples, sandbox, odoo, number, lines, summary)
    found = [i for i in (done.meta.get("parse") or {}).get("issues") or [] if "totals: total" in i]
    made = bill(odoo, number)
    narration = str(made["narration"] or "")
    # the restated shipping billed once, on the lines: 1018.50 as the vendor states it, no totals note
    assert made["amount_total"] == billed, made
    assert (TOTALS_NOTE in narration) is (warned is not None), narration
    if warned is None:
        assert found == [] and "EDI check" not in narration, (found, narration)
    else:
        assert found == [f"warning: invoice {number}: {warned}"], found
        assert f"EDI check: {warned}".replace("'", "&#x27;") in narration, narration
