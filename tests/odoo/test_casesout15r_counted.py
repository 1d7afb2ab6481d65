"""The 856 of a case line ordered by its GTIN whose widgets the warehouse counted one by one: on Odoo 19 the order
line is 10 of the packaging unit 'Case of 24', and a move line the Barcode app or a person filled in Units (240
Units) went out as LIN UP <the widget's UPC> / SN1 240 EA, while the 810 of the same order said IT1 10 CA under the
case's GTIN and 16-18 ship the same 240 units as SN1 10 CA: an ASN whose line the retailer's receiving finds on no
PO line and that disagrees with the invoice. Whole cases counted in the unit the case holds are those cases on
every version; a count that is not whole cases stays in units (test_casesout15_ship_bill).

A line shipped in two cartons, 5 whole cases in one and 4.5 cases (108 units) in the other, went out on 19 as SN1 5
CA under the case's GTIN and SN1 108 EA under the unit's UPC for the same PO line: the retailer adding up its line
finds 113 of its 10 cases. Such a line goes out in units throughout, 120 EA and 108 EA, as 16-18 send it.

Through the pipeline (the 850), the scheduler and BigBox's profiles on the sandbox over HTTP (17, 19)."""

from __future__ import annotations

from pathlib import Path

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.odoo.client import OdooClient
from gateway.odoo.sandbox import SandboxServer
from tests.odoo.test_caseorders15_gtin import CASE_GTIN, confirmed, examples, ordered_in_cases
from tests.odoo.test_crossdock import pack_by_store, scheduler
from tests.odoo.test_extraction import deliver, invoice
from tests.odoo.test_outbound_changed_lines import segments, sent

__all__ = ["examples"]          # the module's fixture, shared

pytestmark = pytest.mark.parametrize("sandbox", [17, 19], ids=["odoo17", "odoo19"], indirect=True)

UNIT_UPC = "614141000012"           # one Blue Widget's


async def test_cases_counted_in_units_are_shipped_as_those_cases(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, client: OdooClient,
        odoo: odoorpc.ODOO) -> None:
    pipeline, first = await ordered_in_cases(tmp_path, examples, sandbox, odoo)
    so, widget = confirmed(odoo, first)
    [units] = odoo.execute_kw("uom.uom", "search", [[("name", "=", "Units")]])
    [pick] = odoo.execute_kw("sale.order", "read", [[so], ["picking_ids"]])[0]["picking_ids"]
    counted = odoo.execute_kw("stock.move.line", "search", [[("picking_id", "=", pick), ("product_id", "=", widget)]])
    odoo.execute_kw("stock.move.line", "write", [counted, {"product_uom_id": units}])    # 16-18: as they were
    deliver(odoo, so, partial={widget: 240.0})
    odoo.execute_kw("account.move", "action_post", [[invoice(odoo, so)]])
    poll = scheduler(pipeline, client)
    assert await poll.run_once("bigbox", "856") == 1
    assert await poll.run_once("bigbox", "810") == 1
    asn = segments(sent(pipeline, "856"), "LIN", "SN1")
    lin = next(row for row in asn if row[0] == "LIN" and row[1] == "1")
    assert CASE_GTIN in lin and UNIT_UPC not in "*".join(lin), lin
    assert asn[asn.index(lin) + 1][1:] == ["", "10", "CA", "", "10", "CA"], asn
    it1 = next(row for row in segments(sent(pipeline, "810"), "IT1") if row[1] == "1")
    assert it1[2:5] == ["10", "CA", "300"] and CASE_GTIN in it1, it1


async def test_a_line_shipped_in_whole_cases_and_a_part_goes_out_in_units_throughout(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, client: OdooClient,
        odoo: odoorpc.ODOO) -> None:
    pipeline, first = await ordered_in_cases(tmp_path, examples, sandbox, odoo)
    so, _ = confirmed(odoo, first)
    five, part = (5.0, 4.5) if sandbox.version >= 19 else (120.0, 108.0)       # 19: in the case unit
    pack_by_store(odoo, so, {"0010614141000000013": {"WB-100": five}, "0010614141000000020": {"WB-100": part}})
    assert await scheduler(pipeline, client).run_once("bigbox", "856") == 1
    asn = segments(sent(pipeline, "856"), "LIN", "SN1")
    line_1 = [(lin, sn1) for lin, sn1 in zip(asn[::2], asn[1::2], strict=True) if lin[1] == "1"]
    assert [sn1[2:4] for _, sn1 in line_1] == [["120", "EA"], ["108", "EA"]], line_1
    assert all(UNIT_UPC in lin and CASE_GTIN not in lin for lin, _ in line_1), line_1
