"""How a vendor's invoice line is priced on the draft bill: an EANCOM line priced net (PRI+AAA, 'calculation
net': the price includes the line's allowances and charges, which may be stated for information only) keeps its
price, with no Discount (%) on top, while one priced gross (PRI+AAB) gets its ALC allowance as the discount; a
line's charge of 0.00 puts nothing on the bill; a UBL price for a quantity of units (Price/BaseQuantity) is the
price of one. Real files through the daemon's pipeline into the sandbox over HTTP, checked with odoorpc."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.config.models import PartnerConfig
from gateway.journal.api import State
from gateway.odoo.sandbox import SandboxServer
from gateway.transports.base import IntakeMeta
from tests.odoo.test_pipeline_posting import examples, pipeline_for, run
from tests.odoo.test_vendor_bill_checks import (
    UBL_VENDOR,
    bill,
    bill_control_on_ordered,
    bill_line_rows,
    po_lines,
    ubl,
    x12_810,
)
from tests.odoo.test_vendor_bill_checks import VENDOR as X12_VENDOR
from tests.odoo.test_vendor_odd import purchase

__all__ = ["bill_control_on_ordered", "examples"]

# 16 (its stock.move.line qty_done; a PO line discount only where the database has the field), 18 (17's names
# and models, with is_storable) and 19 (JSON-2, product_uom_id/tax_ids, stock.package): 17 is on 18's side of
# each version threshold these tests touch
pytestmark = pytest.mark.parametrize("sandbox", [16, 18, 19], ids=["odoo16", "odoo18", "odoo19"],
                                     indirect=True)

INVOIC_VENDOR = PartnerConfig.model_validate({
    "id": "widgetworks", "name": "Widget Works", "odoo": {"partner_ref": "WIDGETWORKS"},
    "edifact": {"ids": [{"qualifier": "14", "id": "4000000000009"}], "contrl": False},
    "documents": [{"type": "INVOIC", "direction": "in", "profile": "edifact-d96a-invoic"}]})


def invoic(number: str, control: int, po: str, lines: list[str], total: str) -> bytes:
    """Widget Works' D96A INVOIC `number` for `po` with these LIN groups, `total` in all (MOA+77)."""
    body = [f"BGM+380+{number}+9", "DTM+137:20261129:102", f"RFF+ON:{po}", "NAD+SU+4000000000009::9", *lines,
            "UNS+S", f"MOA+77:{total}"]
    segments = [f"UNB+UNOC:3+4000000000009:14+0614141000005:14+261129:0900+{control}",
                "UNH+1+INVOIC:D:96A:UN:EAN008", *body, f"UNT+{len(body) + 2}+1", f"UNZ+1+{control}"]
    return ("UNA:+.? '" + "".join(s + "'" for s in segments)).encode()


async def test_a_net_priced_invoic_line_gets_no_discount_on_top(tmp_path: Path, examples: LoadedConfig,
                                                                sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    """Blue widgets priced net 6.75 and gross 7.50 with their 10 % (the gross last), red ones gross 5.25 and net
    4.20 with their 20 % (the net last, no MOA+203), as EANCOM invoices state both: the bill is 100 x 7.50 less
    10 % and 50 x 4.20, the vendor's 885.00. The red line's 20 % was taken off its net price again (50 x 3.36),
    so the bill came out 42.00 short of the invoice, noted as totals that differ. A gross price sent as PRI+AAA
    beside its net MOA+203 (675.00 for 100 at 7.50 less 10 %) is told by that amount, and still discounted."""
    po, name = purchase(odoo)
    blue, red = po_lines(odoo, po)
    odoo.execute_kw("purchase.order.line", "write", [[blue], {"discount": 10.0}])      # as agreed with the vendor
    odoo.execute_kw("purchase.order.line", "write", [[red], {"discount": 20.0}])
    pipeline, _journal = pipeline_for(tmp_path, examples, sandbox)
    pipeline.config.partners["widgetworks"] = INVOIC_VENDOR
    data = invoic("WW-INV-NET", 31, name, ["LIN+1", "PIA+5+WW-WB-100:SA", "QTY+47:100:PCE", "PRI+AAA:6.75", "PRI+AAB:7.50",
                         "ALC+A++++DI", "PCD+1:10",
                         "LIN+2", "PIA+5+WW-WR-200:SA", "QTY+47:50:PCE", "PRI+AAB:5.25", "PRI+AAA:4.20",
                         "ALC+A++++DI", "PCD+1:20"], "885")
    message = await pipeline.submit(data, IntakeMeta(channel="sftp", filename="invoic.edi", partner="widgetworks"))
    done = run(pipeline, message.id, {State.DONE, State.QUARANTINED})
    assert done.state is State.DONE, done.last_error
    assert sorted((q, p, d) for _, q, p, d in bill_line_rows(odoo, "WW-INV-NET")) == [
        (50.0, 4.2, 0.0), (100.0, 7.5, 10.0)]
    made = bill(odoo, "WW-INV-NET")
    assert made["amount_total"] == 885.0
    assert "EDI" not in str(made["narration"] or "")        # the vendor's total, the PO's net prices
    data = invoic("WW-INV-NET2", 32, name, ["LIN+1", "PIA+5+WW-WB-100:SA", "QTY+47:100:PCE", "MOA+203:675",
                                            "PRI+AAA:7.50", "ALC+A++++DI", "PCD+1:10"], "675")
    message = await pipeline.submit(data, IntakeMeta(channel="sftp", filename="invoic2.edi", partner="widgetworks"))
    done = run(pipeline, message.id, {State.DONE, State.QUARANTINED})
    assert done.state is State.DONE, done.last_error
    assert [(q, p, d) for _, q, p, d in bill_line_rows(odoo, "WW-INV-NET2")] == [(100.0, 7.5, 10.0)]
    assert bill(odoo, "WW-INV-NET2")["amount_total"] == 675.0


async def test_a_line_charge_of_nothing_is_not_billed(tmp_path: Path, examples: LoadedConfig,
                                                      sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    """100 blue widgets at 7.50 with 'SAC*C*D240***0' in their IT1 loop, no charge product mapped: the draft
    bill is the one line, 750.00. The invoice was quarantined: 'charge freight: 0.00 has no Odoo product to go
    on the bill as a line'; mapped, a 0.00 freight line went on the bill."""
    po, name = purchase(odoo)
    pipeline, _journal = pipeline_for(tmp_path, examples, sandbox)
    pipeline.config.partners["widgetworks"] = X12_VENDOR
    data = x12_810(211, "WW-INV-ZERO", name, ["IT1*1*100*EA*7.50**VN*WW-WB-100", "SAC*C*D240***0"], ["TDS*75000"])
    message = await pipeline.submit(data, IntakeMeta(channel="sftp", filename="810_211.edi", partner="widgetworks"))
    done = run(pipeline, message.id, {State.DONE, State.QUARANTINED}, rounds=60)
    assert done.state is State.DONE, done.last_error
    made = bill(odoo, "WW-INV-ZERO")
    assert made["lines"] == [(100.0, 7.5, po_lines(odoo, po)[0])]
    assert made["amount_total"] == 750.0 and "EDI" not in str(made["narration"] or "")


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
