"""A case line a person repacks in Odoo: BigBox orders 10 cases of 24 by the case's GTIN (PO1*1*10*CA*300.00**UK*
10614141000019), posted on 16-18 as 240 units in the case packaging; a salesperson moves the line to the pallet
packaging of 240 (Odoo's suggestion for a quantity a bigger packaging divides), the same 240 widgets at the same
price. The 855 answers the retailer's line as ordered: PO1 10 CA at 300.00 under the case's GTIN, ACK*IA*10*CA.
It said PO1*1*2400*EA (the 10 ordered taken for 10 pallets) and ACK*IC*240*EA, a change the retailer never made
and a quantity it cannot match. On 19 a person who counts the line in Units instead of the packaging unit likewise
gets it answered in the cases ordered. The pipeline, the scheduler and BigBox's profile on the sandbox over HTTP
(16, 17, 19)."""

from __future__ import annotations

from pathlib import Path

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.odoo.client import OdooClient
from gateway.odoo.sandbox import SandboxServer
from tests.odoo.test_caseorders15_gtin import CASE_GTIN, acknowledged, examples, ordered_in_cases
from tests.odoo.test_casesout15_ship_bill import shipped_and_billed_in_cases
from tests.odoo.test_outbound_changed_lines import segments
from tests.odoo.test_stock15_cases import packaging

__all__ = ["examples"]          # the module's fixture, shared


@pytest.mark.parametrize("sandbox", [16, 17], ids=["odoo16", "odoo17"], indirect=True)
@pytest.mark.parametrize(("pallet", "ack"), [(240, ["ACK", "IA", "10", "CA"]), (288, ["ACK", "IC", "12", "CA"])],
                         ids=["same", "more"])
async def test_a_case_line_repacked_on_a_pallet_is_acknowledged_in_the_cases_ordered(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, client: OdooClient,
        odoo: odoorpc.ODOO, pallet: int, ack: list[str]) -> None:
    """On a pallet of 240, the 10 cases as ordered; on one of 288 with 288 widgets, 12 of the 10 cases ordered."""
    pipeline, first = await ordered_in_cases(tmp_path, examples, sandbox, odoo)
    packaging(odoo, sandbox.version, "WB-100", f"Pallet of {pallet}", pallet)
    [found] = odoo.execute_kw("product.packaging", "search", [[("name", "=", f"Pallet of {pallet}")]])
    odoo.execute_kw("sale.order.line", "write", [[first["id"]], {"product_packaging_id": found,
                                                                 "product_packaging_qty": 1.0,
                                                                 "product_uom_qty": float(pallet)}])
    sent = await acknowledged(pipeline, client, odoo, first)
    po1 = next(row for row in segments(sent, "PO1"))
    assert po1[:4] == ["PO1", "1", "10", "CA"] and float(po1[4]) == 300 and CASE_GTIN in po1, po1     # a case's price
    assert next(row[:4] for row in segments(sent, "ACK")) == ack



@pytest.mark.parametrize("sandbox", [19], ids=["odoo19"], indirect=True)
@pytest.mark.parametrize(("units", "ack"), [(240, ["ACK", "IA", "10", "CA"]), (264, ["ACK", "IC", "11", "CA"])],
                         ids=["same", "more"])
async def test_a_case_line_a_person_counts_in_units_is_acknowledged_in_the_cases_ordered(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, client: OdooClient,
        odoo: odoorpc.ODOO, units: int, ack: list[str]) -> None:
    """19: the line in the packaging unit 'Case of 24' made 240 (264) Units by a person: the 10 cases as ordered (11
    of the 10). It said PO1*1*10*EA*12.5, the 10 cases ordered stated as 10 eaches, with ACK*IC*240*EA."""
    pipeline, first = await ordered_in_cases(tmp_path, examples, sandbox, odoo)
    [each] = odoo.execute_kw("uom.uom", "search", [[("name", "=", "Units")]])
    odoo.execute_kw("sale.order.line", "write", [[first["id"]], {"product_uom_id": each,
                                                                 "product_uom_qty": float(units)}])
    sent = await acknowledged(pipeline, client, odoo, first)
    po1 = next(row for row in segments(sent, "PO1"))
    assert po1[:4] == ["PO1", "1", "10", "CA"] and float(po1[4]) == 300 and CASE_GTIN in po1, po1
    assert next(row[:4] for row in segments(sent, "ACK")) == ack


@pytest.mark.parametrize("sandbox", [17, 19], ids=["odoo17", "odoo19"], indirect=True)
async def test_a_repacked_case_line_is_shipped_and_billed_in_the_cases_ordered(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, client: OdooClient,
        odoo: odoorpc.ODOO) -> None:
    """The 856 and 810 of the line repacked (17: on a pallet of 240; 19: counted in 240 Units) say it as the 855
    does: 10 CA under the case's GTIN, at the case's price. They said 240 EA under the unit's UPC, which the
    retailer's PO/ASN/invoice match finds no line for."""
    pipeline, first = await ordered_in_cases(tmp_path, examples, sandbox, odoo)
    if sandbox.version <= 18:
        packaging(odoo, sandbox.version, "WB-100", "Pallet of 240", 240)
        [found] = odoo.execute_kw("product.packaging", "search", [[("name", "=", "Pallet of 240")]])
        changed = {"product_packaging_id": found, "product_packaging_qty": 1.0}
    else:
        changed = {"product_uom_id": odoo.execute_kw("uom.uom", "search", [[("name", "=", "Units")]])[0],
                   "product_uom_qty": 240.0}
    odoo.execute_kw("sale.order.line", "write", [[first["id"]], changed])
    await shipped_and_billed_in_cases(pipeline, client, odoo, first)
