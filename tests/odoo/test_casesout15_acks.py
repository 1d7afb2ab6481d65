"""The 855's ACK02 of a rejected line is the quantity rejected, as VICS has ACK02 the quantity its ACK01 status
applies to: a line a person deleted before confirming went out as ACK*IR*0, which a retailer reading ACK02 so
takes for nothing rejected. Read back (a vendor's 855 through the base profile), ACK*IR*6 is 6 rejected and none
acknowledged, never 6 accepted; ACK*IR*0, as some vendors write it (the corpus's book distributor), rejects all too.

A case line ordered by its GTIN and deleted in Odoo says the 10 cases rejected, in cases, under the case's GTIN
(the pipeline, the scheduler and BigBox's profile on the sandbox, 17 and 19)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.formats import x12
from gateway.odoo.client import OdooClient
from gateway.odoo.sandbox import SandboxServer
from gateway.translate.inbound import translate
from tests.odoo.test_caseorders15_gtin import CASE_GTIN, examples, ordered_in_cases
from tests.odoo.test_crossdock import scheduler
from tests.odoo.test_order_acks import sent_855
from tests.odoo.test_outbound_changed_lines import segments

__all__ = ["examples"]          # the module's fixture, shared


@pytest.mark.parametrize("sandbox", [17, 19], ids=["odoo17", "odoo19"], indirect=True)
async def test_a_deleted_case_line_is_acknowledged_as_its_cases_rejected(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, client: OdooClient,
        odoo: odoorpc.ODOO) -> None:
    pipeline, first = await ordered_in_cases(tmp_path, examples, sandbox, odoo)
    [row] = odoo.execute_kw("sale.order.line", "read", [[first["id"]], ["order_id"]])
    odoo.execute_kw("sale.order.line", "unlink", [[first["id"]]])
    odoo.execute_kw("sale.order", "action_confirm", [[row["order_id"][0]]])
    assert await scheduler(pipeline, client).run_once("bigbox", "855") == 1
    [data] = sent_855(pipeline)
    po1, ack = segments(data, "PO1", "ACK")[:2]
    assert po1[:5] == ["PO1", "1", "10", "CA", "300.00"] and CASE_GTIN in po1, po1
    assert ack[:4] == ["ACK", "IR", "10", "CA"], ack
    [read] = translate(x12.parse(data).transactions[0], pipeline.config.partners["bigbox"], pipeline.config.profiles)
    line = read.lines[0]  # type: ignore[attr-defined]
    assert (line.status, line.ordered_quantity, line.quantity) == ("rejected", 10, 0)


VENDOR_855 = ("ISA*00*          *00*          *ZZ*ACMEDIST       *12*8005551234     *261202*1630*^*00401*000000001*0*P*:~"
              "GS*PR*ACMEDIST*NORTHWIND*20261202*1630*1*X*004010~ST*855*0001~"
              "BAK*00*AC*NW-77001*20261128~"
              "PO1*1*6*EA*8.75*PE*IN*NW-A2~ACK*IR*6*EA~"
              "PO1*2*3*EA*8.75*PE*IN*NW-A3~ACK*IR*0*EA~"
              "PO1*3*4*EA*8.75*PE*IN*NW-A4~ACK*IA*4*EA~"
              "CTT*3~SE*10*0001~GE*1*1~IEA*1*000000001~")


def test_a_vendors_rejected_line_read_back_acknowledges_none_of_it(examples: LoadedConfig) -> None:
    """ACK*IR*6 of the 6 ordered: rejected, 6 ordered, 0 acknowledged (it read as 6 acknowledged under a status
    'rejected'); ACK*IR*0 of 3 ordered: the same, all 3 rejected; IA as before."""
    result = x12.parse(VENDOR_855.encode())
    assert [str(i) for i in result.errors] == []
    [ack] = translate(result.transactions[0], None, examples.profiles, profile="x12-004010-855")
    assert [(line.status, line.ordered_quantity, line.quantity) for line in ack.lines] == [  # type: ignore[attr-defined]
        ("rejected", Decimal(6), 0), ("rejected", Decimal(3), 0), ("accepted", Decimal(4), Decimal(4))]
