"""A credit note reversed in its turn (Odoo's Reverse button on the credit note: a credit issued by mistake taken
back) is an invoice whose `reversed_entry_id` is the credit note and whose `ref` is 'Reversal of: RINV/2026/00001'.
8911b7a states the order of the move it reverses, here the credit note's own `ref`, 'Reversal of: INV/2026/00001,
damaged in transit': the INVOIC was held ('data element 1156 (RFF element 1.3) is 35 characters long, at most 6
allowed', the ':' splitting it) and the 810 too (BIG04 over 22), and a cXML or UBL invoice, which has no such limit,
would have sent that text as the retailer's order number. Such an invoice now takes its order from its sale order
lines (the reversal keeps them) and goes out under the retailer's PO, naming the credit note it takes back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.journal.api import State
from gateway.journal.archive import Archive
from gateway.odoo.client import OdooClient
from gateway.odoo.sandbox import SandboxServer
from tests.odoo import test_outbound_odd_odoo as odd
from tests.odoo.test_edifact16_invoic_footing import DC
from tests.odoo.test_invoices16_reversal import reversed_with_reason
from tests.odoo.test_outbound15_check_digits import one_run
from tests.odoo.test_outbound_taxes_packs import examples

__all__ = ["examples"]                             # the fixture, used by name


@pytest.mark.parametrize("sandbox", [17, 19], indirect=True, ids=["odoo17", "odoo19"])
async def test_a_reversed_credit_note_bills_the_order_again(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, examples: LoadedConfig,
        tmp_path: Path) -> None:
    names = {}
    for partner, number, ship_to, ids in (("eurohandel", "EH-REBILLED", DC, {"gtin": "00614141000012"}),
                                          ("bigbox", "PO-REBILLED", odd.BIGBOX_DC, {"buyer": "BB-1001"})):
        invoice = odd.invoiced(odoo, odd.ordered(examples, client, partner, number, ship_to, [odd.line("1", ids, 10)]))
        credit = reversed_with_reason(odoo, invoice, "damaged in transit")
        again = reversed_with_reason(odoo, credit, "")
        rows = odoo.execute_kw("account.move", "read", [[credit, again], ["name", "ref", "move_type"]])
        assert rows[1]["move_type"] == "out_invoice" and rows[1]["ref"] == f"Reversal of: {rows[0]['name']}", rows
        names[partner] = rows[0]["name"]
    sent = await one_run(examples, client, journal, tmp_path, "eurohandel", "INVOIC")
    assert len(sent) == 3 and all(m.state is not State.QUARANTINED for m in sent), [m.last_error for m in sent]
    written = [Archive(tmp_path / "archive").read(m.sha256).decode("latin-1") for m in sent]
    [rebilled] = [w for w in written if f"RFF+IV:{names['eurohandel']}'" in w]
    assert "BGM+380" in rebilled and "RFF+ON:EH-REBILLED'" in rebilled and "Reversal" not in rebilled, rebilled
    sent = await one_run(examples, client, journal, tmp_path, "bigbox", "810")
    assert len(sent) == 3 and all(m.state is not State.QUARANTINED for m in sent), [m.last_error for m in sent]
    written = [Archive(tmp_path / "archive").read(m.sha256).decode() for m in sent]
    [rebilled] = [w for w in written if f"REF*IV*{names['bigbox']}~" in w]
    assert "*PO-REBILLED*" in rebilled.split("BIG*")[1].split("~")[0] and "Reversal" not in rebilled, rebilled
