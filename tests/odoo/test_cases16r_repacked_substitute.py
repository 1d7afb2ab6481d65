"""A case line a person put another product on: BigBox orders 10 cases of the Blue Widget by the case's GTIN
(PO1*1*10*CA*300.00**UK*10614141000019); a salesperson replaces the widget by the Red Widget on that order line, 240
of them at the same 12.50 (16-18: the line out of the Blue Widget's case packaging; 19: counted in Units). That is
a substitute, which the 855 must name as it is (the Red Widget's UPC), as it did before fe7a476. Since fe7a476 the
line, in no packaging of its GTIN, was taken for the ordered case 'repacked': the case the partner's GTIN names
(the Blue Widget's) stood for the order line's packaging, so the Red Widgets went out as ACK*IA*10*CA under the
Blue Widget's case GTIN (the same for the 856's LIN and the 810's IT1: a substitution acknowledged, shipped and
billed as the item ordered). The pipeline, the scheduler and BigBox's profile on the sandbox over HTTP (17, 19)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import odoorpc

from gateway.config.loader import LoadedConfig
from gateway.odoo.client import OdooClient
from gateway.odoo.sandbox import SandboxServer
from tests.odoo.test_caseorders15_gtin import CASE_GTIN, acknowledged, confirmed, examples, ordered_in_cases
from tests.odoo.test_casesout15_ship_bill import line_of
from tests.odoo.test_crossdock import scheduler
from tests.odoo.test_extraction_incoming import product
from tests.odoo.test_outbound_changed_lines import segments, sent
from tests.odoo.test_outbound_odd_odoo import invoiced

__all__ = ["examples"]          # the module's fixture, shared

RED_UPC = "614141000029"


def substituted(odoo: odoorpc.ODOO, version: int) -> dict[str, Any]:
    """What a person writes on the case line to ship Red Widgets instead: 240 of them at the widget's 12.50."""
    red = {"product_id": product(odoo, "WR-200"), "product_uom_qty": 240.0, "price_unit": 12.5}
    if version <= 18:
        return {**red, "product_packaging_id": False}
    return {**red, "product_uom_id": odoo.execute_kw("uom.uom", "search", [[("name", "=", "Units")]])[0]}


async def test_a_case_line_a_person_put_another_product_on_is_acknowledged_as_that_product(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, client: OdooClient,
        odoo: odoorpc.ODOO) -> None:
    pipeline, first = await ordered_in_cases(tmp_path, examples, sandbox, odoo)
    odoo.execute_kw("sale.order.line", "write", [[first["id"]], substituted(odoo, sandbox.version)])
    sent = await acknowledged(pipeline, client, odoo, first)
    po1 = next(row for row in segments(sent, "PO1"))
    ack = next(row for row in segments(sent, "ACK"))
    assert RED_UPC in "*".join(po1) and CASE_GTIN not in po1, po1        # the Red Widget, not the Blue's case
    assert ack[:2] != ["ACK", "IA"], ack


async def test_a_case_line_a_person_put_another_product_on_is_shipped_and_billed_as_that_product(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, client: OdooClient,
        odoo: odoorpc.ODOO) -> None:
    """The 856 and the 810 of the Red Widgets: 240 EA under the Red Widget's UPC, billed at 12.50 as Odoo's invoice
    line (3,000.00), never 10 CA of the Blue Widget's case."""
    pipeline, first = await ordered_in_cases(tmp_path, examples, sandbox, odoo)
    odoo.execute_kw("sale.order.line", "write", [[first["id"]], substituted(odoo, sandbox.version)])
    so, _ = confirmed(odoo, first)
    invoiced(odoo, so)
    poll = scheduler(pipeline, client)
    assert await poll.run_once("bigbox", "856") == 1
    assert await poll.run_once("bigbox", "810") == 1
    lin = line_of(segments(sent(pipeline, "856"), "LIN"), "1")
    assert RED_UPC in lin and CASE_GTIN not in lin, lin
    sn1 = segments(sent(pipeline, "856"), "LIN", "SN1")
    assert sn1[sn1.index(lin) + 1][2:4] == ["240", "EA"], sn1
    it1 = line_of(segments(sent(pipeline, "810"), "IT1"), "1")
    assert it1[2:5] == ["240", "EA", "12.5"] and RED_UPC in it1 and CASE_GTIN not in it1, it1
