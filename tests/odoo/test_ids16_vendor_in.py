"""A vendor's EANCOM ORDRSP naming our item by the buyer's article number alone (PIA+5+WB-100:IN: the code we order it
by, EANCOM's IN) finds the product by our internal reference, as the same number qualified BP does. The EDIFACT base
keeps IN as `buyer_item`, and for a vendor the lookup took only `buyer` as our own code (`ProductFinder.own_kinds`),
so Widget Works' answer was quarantined 'no product in Odoo for buyer_item WB-100' and the PO kept its 10. Through
the pipeline into the sandbox over HTTP (17)."""

from __future__ import annotations

from pathlib import Path

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.odoo.sandbox import SandboxServer
from tests.odoo.test_pipeline_posting import examples
from tests.odoo.test_vendor16_acks import ordrsp, ordrsp_posted, po_lines
from tests.odoo.test_vendor_odd import purchase

__all__ = ["examples"]


@pytest.mark.parametrize("sandbox", [17], indirect=True)
async def test_a_vendors_line_naming_our_code_as_in_changes_that_po_line(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    po, name = purchase(odoo, [(1, 10, 7.5), (2, 6, 5.25)])
    before = po_lines(odoo, po)
    blue = ["LIN+1+3", "PIA+5+WB-100:IN", "QTY+21:10:PCE", "QTY+113:8:PCE", "DTM+69:20261210:102"]
    await ordrsp_posted(tmp_path, examples, sandbox, ordrsp(name, blue))
    after = po_lines(odoo, po)
    assert after[0][:3] == (1, 8.0, "2026-12-10") and after[1] == before[1]
