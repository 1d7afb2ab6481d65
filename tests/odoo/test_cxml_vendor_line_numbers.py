"""A vendor's cXML invoice numbering each order's lines from 1 (InvoiceDetailOrder by InvoiceDetailOrder, as some
billing systems do, though cXML wants invoiceLineNumber unique in the invoice) through the real pipeline into the
sandbox over HTTP: each line is billed as its own product on its own PO line."""

from __future__ import annotations

from pathlib import Path

import odoorpc

from gateway.config.loader import LoadedConfig
from gateway.journal.api import State
from gateway.odoo.sandbox import SandboxServer
from tests.odoo.test_cxml_vendor_bills import invoice, item, post_file
from tests.odoo.test_pipeline_posting import examples
from tests.odoo.test_vendor_bill_checks import bill, po_lines
from tests.odoo.test_vendor_odd import purchase

__all__ = ["examples"]


async def test_two_lines_numbered_alike_are_each_billed_as_their_own_product(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    """Both POs order blue and red widgets; the invoice bills the first PO's blue widgets as its line 1 and the
    second PO's red widgets as its line 1 too. The lines were told apart by their label ('line 1'), so the red
    widgets' product was taken for both: 100 red widgets billed on the first PO's red line, the blue ones not at
    all, with nothing held."""
    po1, name1 = purchase(odoo, [(1, 100, 7.5), (2, 50, 5.25)])
    po2, name2 = purchase(odoo, [(1, 40, 7.5), (2, 30, 5.25)])
    [message] = await post_file(tmp_path, examples, sandbox, invoice("WW-CX-SAME", [
        (name1, [item(1, 1, "blue", 100, "7.50")]), (name2, [item(1, 2, "red", 30, "5.25")])], "907.50"))
    assert message.state is State.DONE, message.last_error
    blue1, _ = po_lines(odoo, po1)
    _, red2 = po_lines(odoo, po2)
    assert bill(odoo, "WW-CX-SAME")["lines"] == [(30.0, 5.25, red2), (100.0, 7.5, blue1)]
