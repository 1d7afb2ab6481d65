"""A vendor bill says what the gateway's consistency checks warned of, as a sale order does (tests/odoo/test_check16_*).

An 810 whose CTT02 said 90 units for lines adding up to 100, or an INVOIC line whose MOA+203 was 760.00 for 100 at
7.50, was made a draft bill with a warning in the gateway's findings only: the accounts-payable clerk who posts the
bill in Odoo never saw it. The bill's notes (account.move `narration`, its Terms and Conditions, where the gateway's
other bill notes go on 16-19) now carry an `EDI check:` line for each, as the sale order's note does. A credit line
(a negative quantity) is what a bill takes as it is: no note. Through the pipeline and the sandbox over HTTP
(17 and 19).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.journal.api import Message, State
from gateway.odoo.sandbox import SandboxServer
from gateway.transports.base import IntakeMeta
from tests.odoo.test_pipeline_posting import examples, pipeline_for, run
from tests.odoo.test_vendor_bill_checks import VENDOR, bill, on_ordered_quantities, x12_810
from tests.odoo.test_vendor_odd import purchase

__all__ = ["examples"]


def invoic(number: str, po: str, line_amount: str) -> bytes:
    """Widget Works' INVOIC for `po`: 100 blue widgets at 7.50, the line's MOA+203 `line_amount`."""
    body = [f"BGM+380+{number}+9", "DTM+137:20261129:102", f"RFF+ON:{po}", "NAD+SU+4000000000009::9", "LIN+1",
            "PIA+5+WW-WB-100:SA", "QTY+47:100:PCE", f"MOA+203:{line_amount}", "PRI+AAA:7.50", "UNS+S",
            f"MOA+77:{line_amount}"]
    segments = ["UNB+UNOC:3+4000000000009:14+0614141000005:14+261129:0900+9", "UNH+1+INVOIC:D:96A:UN:EAN008",
                *body, f"UNT+{len(body) + 2}+1", "UNZ+1+9"]
    return ("UNA:+.? '" + "".join(s + "'" for s in segments)).encode()


async def test_a_vendor_bill_notes_the_consistency_checks(tmp_path: Path, examples: LoadedConfig,
                                                          sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    on_ordered_quantities(odoo)
    _po, name = purchase(odoo)
    pipeline, _journal = pipeline_for(tmp_path, examples, sandbox)
    pipeline.config.partners["widgetworks"] = VENDOR

    async def send(data: bytes, filename: str) -> Any:
        message = await pipeline.submit(data, IntakeMeta(channel="sftp", filename=filename, partner="widgetworks"))
        return run(pipeline, message.id, {State.DONE, State.QUARANTINED}, rounds=60)

    # CTT02: 90 units, the IT1 lines add up to 100
    hashed = x12_810(301, "WW-INV-HASH", name, ["IT1*1*100*EA*7.50**VN*WW-WB-100"], ["TDS*75000"])
    done = await send(hashed.replace(b"CTT*1~", b"CTT*1*90~"), "810_hash.edi")
    assert done.state is State.DONE, done.last_error
    assert "EDI check: totals: quantity total 90 but the lines add up to 100" in bill(odoo, "WW-INV-HASH")["narration"]

    # the line's amount 760.00 is not 100 x 7.50
    done = await send(invoic("WW-INV-MOA", name, "760"), "INVOIC_moa.edi")
    assert done.state is State.DONE, done.last_error
    assert "EDI check: line 1: amount 760 is not quantity 100 x price 7.50 = 750.00" in \
        bill(odoo, "WW-INV-MOA")["narration"]

    # an 810 that adds up, and a credit memo's negative line: no EDI check note
    done = await send(x12_810(302, "WW-INV-OK", name, ["IT1*2*10*EA*5.25**VN*WW-WR-200"], ["TDS*5250"]), "810_ok.edi")
    assert done.state is State.DONE, done.last_error
    assert "EDI check" not in str(bill(odoo, "WW-INV-OK")["narration"] or "")
    credit = x12_810(303, "WW-CM-NEG", name, ["IT1*1*-10*EA*7.50**VN*WW-WB-100"], ["TDS*-7500"])
    done = await send(credit.replace(f"**{name}~".encode(), f"**{name}***CR~".encode()), "810_credit.edi")
    assert done.state is State.DONE, done.last_error
    [row] = odoo.execute_kw("account.move", "search_read", [[("ref", "=", "WW-CM-NEG")], ["move_type", "narration"]])
    assert row["move_type"] == "in_refund" and "EDI check" not in str(row["narration"] or "")



async def posted_810(tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, odoo: odoorpc.ODOO,
                     number: str, lines: list[str], summary: list[str]) -> Message:
    """Widget Works' 810 `number` of these IT1 loops and summary, on a confirmed PO, through the pipeline: done,
    its allowances and charges billed on a service product."""
    on_ordered_quantities(odoo)
    kind = "detailed_type" if sandbox.version < 18 else "type"
    odoo.execute_kw("product.product", "create", [{"name": "EDI charge", "default_code": "SVC-EDI", kind: "service"}])
    _po, name = purchase(odoo)
    pipeline, _journal = pipeline_for(tmp_path, examples, sandbox)
    pipeline.config.partners["widgetworks"] = VENDOR.model_copy(update={"odoo": VENDOR.odoo.model_copy(update={
        "charge_products": {"allowance": "SVC-EDI", "charge": "SVC-EDI"}})})
    data = x12_810(311, number, name, lines, summary)
    message = await pipeline.submit(data, IntakeMeta(channel="sftp", filename="810.edi", partner="widgetworks"))
    done = run(pipeline, message.id, {State.DONE, State.QUARANTINED}, rounds=60)
    assert done.state is State.DONE, done.last_error
    return done


@pytest.mark.parametrize(("number", "lines", "summary", "total"), [
    ("WW-INV-SAC", ["IT1*1*100*EA*7.50**VN*WW-WB-100", "SAC*A*C310***7500", "IT1*2*50*EA*5.25**VN*WW-WR-200"],
     ["TDS*93750"], 937.5),
    ("WW-INV-PCT", ["IT1*1*100*EA*7.50**VN*WW-WB-100", "IT1*2*50*EA*5.25**VN*WW-WR-200"],
     ["TDS*99225", "SAC*A*C310****3*2"], 992.25),
    ("WW-INV-ARIBA", ["IT1*1*100*EA*7.50**VN*WW-WB-100", "SAC*C*G830***300", "IT1*2*50*EA*5.25**VN*WW-WR-200",
                      "SAC*C*G830***300"], ["TDS*101850", "SAC*C*G830***600"], None)],
    ids=["line_allowance", "invoice_percent", "restated"])
async def test_an_allowance_is_in_the_checked_total(tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer,
                                                    odoo: odoorpc.ODOO, number: str, lines: list[str],
                                                    summary: list[str], total: float | None) -> None:
    """The vendor takes 75.00 off the blue widgets' line (SAC in the IT1 loop), or 2 % off the invoice (a summary
    SAC with a percent and no amount), and states the total with it: 750.00 - 75.00 + 262.50 = 937.50, and
    1012.50 - 20.25 = 992.25. The check added up the lines without a line's own allowances, and took a percent
    without an amount for 0, and warned 'totals: total 937.50 but lines 1012.50 + allowances/charges 0 + tax 0 =
    1012.50' of invoices that add up (and so do the bills Odoo makes of them). Some vendors restate their lines'
    charges in the invoice's (Ariba's 810: shipping 3.00 on each line, 6.00 in the summary, a total of 1018.50):
    that adds up too (and its bill takes the shipping once: tests/odoo/test_check16r_line_charges.py)."""
    done = await posted_810(tmp_path, examples, sandbox, odoo, number, lines, summary)
    assert not [i for i in (done.meta.get("parse") or {}).get("issues") or [] if "totals" in i], done.meta
    made = bill(odoo, number)
    assert total is None or made["amount_total"] == total
    assert "EDI check" not in str(made["narration"] or "")      # (a price off the PO's is noted)
