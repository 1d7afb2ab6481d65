"""A credit note made with Odoo's Reverse button (Customer Invoice > Credit Note: the account.move.reversal wizard,
refund_moves from 17) has the `ref` 'Reversal of: INV/2026/00001, <reason>' and `reversed_entry_id` the invoice.
The extraction took that `ref` for the retailer's order number: the INVOIC wrote RFF+ON:Reversal of? INV/... (held:
1156 too long) and the 810 BIG04 'Reversal of: INV/...', a credit the retailer could match to no PO. It now states
the order of the invoice it credits (its Reference, the sale order's Customer Reference), and that invoice's number
(RFF+IV, REF*IV), through the daemon's scheduler on the sandbox's wizard as Odoo's API drives it."""

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
from tests.odoo.test_odoo16 import do_all
from tests.odoo.test_outbound15_check_digits import one_run
from tests.odoo.test_outbound_taxes_packs import examples

__all__ = ["examples"]                             # the fixture, used by name


def reversed_with_reason(odoo: odoorpc.ODOO, invoice: int, reason: str) -> int:
    """The invoice's credit note made and posted as the Reverse button does: the wizard on the invoice, its
    refund_moves (reverse_moves on 16), the draft credit note it opens posted."""
    [journal] = odoo.execute_kw("account.move", "read", [[invoice], ["journal_id"]])[0]["journal_id"][:1]
    wizard = odoo.execute_kw("account.move.reversal", "create", [{
        "move_ids": [(6, 0, [invoice])], "reason": reason, "journal_id": journal}])
    button = "reverse_moves" if int(odoo.version.split(".")[0]) <= 16 else "refund_moves"
    credit = int(odoo.execute_kw("account.move.reversal", button, [[wizard]])["res_id"])
    odoo.execute_kw("account.move", "action_post", [[credit]])
    return credit


@pytest.mark.parametrize("sandbox", [16, 17, 18, 19], indirect=True, ids=["odoo16", "odoo17", "odoo18", "odoo19"])
async def test_a_reversed_invoice_credits_its_order_and_names_the_invoice(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, examples: LoadedConfig,
        tmp_path: Path) -> None:
    credits = {}
    for partner, number, ship_to, ids in (("eurohandel", "EH-CREDITED", DC, {"gtin": "00614141000012"}),
                                          ("bigbox", "PO-CREDITED", odd.BIGBOX_DC, {"buyer": "BB-1001"})):
        order_id = odd.ordered(examples, client, partner, number, ship_to, [odd.line("1", ids, 10)])
        if sandbox.version == 16:                   # 16 validates what is done, the moves' quantity_done
            do_all(odoo, odoo.execute_kw("sale.order", "read", [[order_id], ["picking_ids"]])[0]["picking_ids"][0])
        invoice = odd.invoiced(odoo, order_id)
        credit = reversed_with_reason(odoo, invoice, "damaged in transit")
        [row] = odoo.execute_kw("account.move", "read", [[invoice], ["name"]])
        credits[partner] = row["name"]
        [back] = odoo.execute_kw("account.move", "read", [[credit], ["ref", "reversed_entry_id", "move_type"]])
        assert back["ref"] == f"Reversal of: {row['name']}, damaged in transit" and back["move_type"] == "out_refund"
    sent = await one_run(examples, client, journal, tmp_path, "eurohandel", "INVOIC")
    assert len(sent) == 2 and all(m.state is not State.QUARANTINED for m in sent), [m.last_error for m in sent]
    written = [Archive(tmp_path / "archive").read(m.sha256).decode("latin-1") for m in sent]
    [credit_note] = [w for w in written if "BGM+381" in w]
    assert "RFF+ON:EH-CREDITED'" in credit_note and f"RFF+IV:{credits['eurohandel']}'" in credit_note, credit_note
    assert "Reversal" not in credit_note, credit_note
    sent = await one_run(examples, client, journal, tmp_path, "bigbox", "810")
    assert len(sent) == 2 and all(m.state is not State.QUARANTINED for m in sent), [m.last_error for m in sent]
    written = [Archive(tmp_path / "archive").read(m.sha256).decode() for m in sent]
    [credit_memo] = [w for w in written if "*CR~" in w]
    assert "*PO-CREDITED*" in credit_memo.split("BIG*")[1].split("~")[0], credit_memo
    assert f"REF*IV*{credits['bigbox']}~" in credit_memo and "Reversal" not in credit_memo, credit_memo
