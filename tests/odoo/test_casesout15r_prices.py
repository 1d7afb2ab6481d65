"""The price of a case line on the 810 when a case's price is no whole number of cents a unit: BigBox orders
PO1*1*10*CA*25.00**UK*<the Blue Widget's case of 24> (Product Price at 6 digits, as the posting asks for such a
price). 16-18 post 240 Units at 1.041667, 19 10 of the packaging unit at 25.00; Odoo bills 250.00 either way.

Billed in cases, the 810 says the PO's 25.00 a case, as the 855 did: 16-18 said 1.041667 x 24 = 25.000008, a price
the retailer's invoice-to-PO match finds on no line. Shipped and billed in part (9.5 cases: 228 units), the 810
says 228 EA at 1.041667 on every version: 19 divided the case's price by 24 to 28 digits, an IT104 longer than
X12's 17, and the invoice was held for a value no one could correct in Odoo.

Through the pipeline (the 850), the scheduler and BigBox's profiles on the sandbox over HTTP (17, 19)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.journal.api import State
from gateway.odoo.client import OdooClient
from gateway.odoo.sandbox import SandboxServer
from tests.odoo.test_caseorders15_gtin import CASE_GTIN, confirmed, examples, ordered_in_cases
from tests.odoo.test_crossdock import scheduler
from tests.odoo.test_extraction import deliver, invoice
from tests.odoo.test_order_acks import sent_855
from tests.odoo.test_outbound_changed_lines import segments, sent
from tests.odoo.test_outbound_odd_odoo import invoiced
from tests.odoo.test_price_digits_kept import product_price_digits

__all__ = ["examples"]          # the module's fixture, shared

pytestmark = pytest.mark.parametrize("sandbox", [17, 19], ids=["odoo17", "odoo19"], indirect=True)

AT_25 = f"PO1*1*10*CA*25.00**UK*{CASE_GTIN}~\nPID*F****BLUE WIDGET CASE OF 24~\n".encode()


async def at_25_a_case(tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer,
                       odoo: odoorpc.ODOO) -> tuple[Any, int, int]:
    """BigBox's 10 cases at 25.00 posted and confirmed: the pipeline, the sale order, the widget."""
    product_price_digits(odoo, 6)
    pipeline, first = await ordered_in_cases(tmp_path, examples, sandbox, odoo, AT_25)
    so, widget = confirmed(odoo, first)
    return pipeline, so, widget


def line_1(pipeline: Any) -> list[str]:
    return next(row for row in segments(sent(pipeline, "810"), "IT1") if row[1] == "1")


async def test_a_case_line_is_billed_at_the_case_price_its_po_said(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, client: OdooClient,
        odoo: odoorpc.ODOO) -> None:
    pipeline, so, _widget = await at_25_a_case(tmp_path, examples, sandbox, odoo)
    invoiced(odoo, so)
    poll = scheduler(pipeline, client)
    assert await poll.run_once("bigbox", "855") == 1
    assert await poll.run_once("bigbox", "810") == 1
    assert next(row for row in segments(sent_855(pipeline)[0], "PO1"))[2:5] == ["10", "CA", "25.00"]
    assert line_1(pipeline)[2:5] == ["10", "CA", "25"], line_1(pipeline)        # not 25.000008
    assert segments(sent(pipeline, "810"), "TDS") == [["TDS", "92200"]]         # 250.00 + 420.00 + 252.00


async def test_a_case_line_billed_in_part_goes_out_at_a_unit_price_x12_can_carry(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, client: OdooClient,
        odoo: odoorpc.ODOO) -> None:
    pipeline, so, widget = await at_25_a_case(tmp_path, examples, sandbox, odoo)
    deliver(odoo, so, partial={widget: 228.0 if sandbox.version <= 18 else 9.5})     # 19: in the case unit
    odoo.execute_kw("account.move", "action_post", [[invoice(odoo, so)]])           # 237.50
    assert await scheduler(pipeline, client).run_once("bigbox", "810") == 1
    [bill] = [m for m in pipeline.journal.find(limit=100) if m.doc_type == "810"]
    assert bill.state is not State.QUARANTINED, bill.last_error
    assert line_1(pipeline)[2:5] == ["228", "EA", "1.041667"], line_1(pipeline)
    assert segments(sent(pipeline, "810"), "TDS") == [["TDS", "90950"]]         # 237.50 + 420.00 + 252.00
