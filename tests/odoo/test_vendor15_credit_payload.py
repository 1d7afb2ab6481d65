"""A cXML credit memo naming the invoice it corrects only by that invoice's payloadID (the header's
DocumentReference, as Ariba sends it): bills keep no payloadID, but the gateway's journal knows which message
brought it and which bill that message made, so the credit note is Odoo's "Reversal of" that bill, as one naming
the invoice number is. Real cXML files through the daemon's pipeline into the sandbox over HTTP, checked with
odoorpc."""

from __future__ import annotations

from pathlib import Path

import odoorpc

from gateway.config.loader import LoadedConfig
from gateway.journal.api import State
from gateway.odoo.sandbox import SandboxServer
from tests.odoo.test_cxml_vendor_bills import invoice, item, post_file
from tests.odoo.test_pipeline_posting import examples
from tests.odoo.test_vendor_bill_checks import po_lines
from tests.odoo.test_vendor_odd import purchase

__all__ = ["examples"]


def credit(odoo: odoorpc.ODOO, number: str) -> dict[str, object]:
    [row] = odoo.execute_kw("account.move", "search_read", [[("ref", "=", number)], [
        "move_type", "reversed_entry_id", "amount_total", "narration"]])
    return dict(row)


async def test_a_credit_memo_naming_its_invoice_by_payload_id_reverses_its_bill(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    """The invoice WW-CX-PL came as payloadID WW-CX-PL-new@widgetworks.example; the memo's DocumentReference names
    that payloadID and no InvoiceIDInfo. Its credit note reverses the invoice's bill and lowers the PO line's billed
    quantity; it was made without 'Reversal of', its note naming the payloadID as an invoice Odoo lacks. A memo
    naming a payloadID the gateway never received still says so."""
    po, name = purchase(odoo, [(1, 100, 7.5)])
    memo = invoice("WW-CX-PLCM", [(name, [item(1, 1, "blue", 10, "7.50")])], "75.00", purpose="creditMemo",
                   header='<DocumentReference payloadID="WW-CX-PL-new@widgetworks.example"/>')
    stray = invoice("WW-CX-PLCM2", [(name, [item(1, 1, "blue", 5, "7.50")])], "37.50", purpose="creditMemo",
                    header='<DocumentReference payloadID="never-sent@widgetworks.example"/>')
    done = await post_file(tmp_path, examples, sandbox, invoice("WW-CX-PL", [(name, [
        item(1, 1, "blue", 100, "7.50")])], "750.00"), memo, stray)
    assert [m.state for m in done] == [State.DONE] * 3, [m.last_error for m in done]
    [original] = odoo.execute_kw("account.move", "search", [[("ref", "=", "WW-CX-PL")]])
    made = credit(odoo, "WW-CX-PLCM")
    assert (made["move_type"], made["reversed_entry_id"], made["amount_total"]) == (
        "in_refund", [original, made["reversed_entry_id"] and made["reversed_entry_id"][1]], 75.0)
    assert "EDI" not in str(made["narration"] or "")
    lost = credit(odoo, "WW-CX-PLCM2")
    assert lost["reversed_entry_id"] is False
    assert "EDI: credits invoice never-sent@widgetworks.example, which has no bill" in str(lost["narration"])
    [line] = po_lines(odoo, po)
    assert odoo.execute_kw("purchase.order.line", "read", [[line], ["qty_invoiced"]])[0]["qty_invoiced"] == 85.0
