"""A UBL invoice line priced for a quantity of units (Price/BaseQuantity, Peppol BT-149: 75.00 for 10 widgets)
is billed at the price of one, 7.50, as an EDIFACT PRI with its unit price basis is. A UBL Invoice through the
daemon's pipeline into the sandbox over HTTP, checked with odoorpc."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.journal.api import State
from gateway.odoo.sandbox import SandboxServer
from gateway.transports.base import IntakeMeta
from tests.odoo.test_pipeline_posting import examples, pipeline_for, run
from tests.odoo.test_vendor_bill_checks import UBL_VENDOR, bill, po_lines, ubl
from tests.odoo.test_vendor_odd import purchase

__all__ = ["examples"]

pytestmark = pytest.mark.parametrize("sandbox", [16, 17, 18, 19], ids=["odoo16", "odoo17", "odoo18", "odoo19"],
                                     indirect=True)


async def test_a_ubl_price_for_ten_is_billed_per_unit(tmp_path: Path, examples: LoadedConfig,
                                                      sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    """100 blue widgets at 75.00 per 10 (LineExtensionAmount 750.00): the bill line is 100 at 7.50, the vendor's
    750.00, nothing to note. The base quantity was not read: 100 at 75.00, a bill of 7500.00 noted as differing
    from the invoice and the PO. A base quantity of 0 holds the invoice naming it, nothing written."""
    po, name = purchase(odoo)
    pipeline, _journal = pipeline_for(tmp_path, examples, sandbox)
    pipeline.config.partners["widgetworks"] = UBL_VENDOR

    def per(number: str, base: str) -> bytes:
        return ubl("Invoice", number, name, 100).replace(
            b'<cbc:PriceAmount currencyID="USD">7.50</cbc:PriceAmount>',
            f'<cbc:PriceAmount currencyID="USD">75.00</cbc:PriceAmount><cbc:BaseQuantity unitCode="EA">{base}'
            "</cbc:BaseQuantity>".encode())

    async def send(data: bytes, filename: str) -> Any:
        message = await pipeline.submit(data, IntakeMeta(channel="sftp", filename=filename, partner="widgetworks"))
        return run(pipeline, message.id, {State.DONE, State.QUARANTINED})

    done = await send(per("WW-UBL-BQ", "10"), "invoice-bq.xml")
    assert done.state is State.DONE, done.last_error
    made = bill(odoo, "WW-UBL-BQ")
    assert made["lines"] == [(100.0, 7.5, po_lines(odoo, po)[0])]
    assert made["amount_total"] == 750.0 and "EDI" not in str(made["narration"] or "")
    held = await send(per("WW-UBL-BQ0", "0"), "invoice-bq0.xml")
    assert held.state is State.QUARANTINED           
    assert "Price/BaseQuantity '0' is not a quantity" in (held.last_error or "")
    assert odoo.execute_kw("account.move", "search", [[("ref", "=", "WW-UBL-BQ0")]]) == []
