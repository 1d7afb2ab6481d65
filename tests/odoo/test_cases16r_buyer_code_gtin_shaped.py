"""A retailer's own item number that merely reads as a GTIN (12 digits, a right check digit: 1 in 10 of them) is
still the retailer's item number on the 855, the 856 and the 810. BigBox's code for the Blue Widget, 400123456782,
is kept in Odoo on the product's template (product.customerinfo without a variant, as the OCA module's form makes
it for a product without variants); BigBox orders 24 EA by that number alone. b99e3bb counted such a number among
the line's trade item numbers (`lookup.line_gtins`), so the Blue Widget, whose UPC differs, read as a product a
person put on the line in its place: the 856 and the 810 named it by Odoo's numbers alone, without the item number
the retailer's PO/ASN/invoice match keys on, and the 855 answered the unchanged line as changed. The pipeline, the
scheduler and BigBox's profiles on the sandbox over HTTP (17, 19)."""

from __future__ import annotations

from pathlib import Path

import odoorpc

from gateway.config.loader import LoadedConfig
from gateway.odoo.client import OdooClient
from gateway.odoo.sandbox import SandboxServer
from tests.odoo.test_caseorders15_gtin import acknowledged, examples, ordered_in_cases
from tests.odoo.test_casesout15_ship_bill import line_of
from tests.odoo.test_crossdock import scheduler
from tests.odoo.test_outbound_changed_lines import segments, sent
from tests.odoo.test_outbound_odd_odoo import invoiced

__all__ = ["examples"]          # the module's fixture, shared

CODE = "400123456782"          # BigBox's own number, its last digit a right GS1 check digit by chance


async def test_a_buyers_code_that_reads_as_a_gtin_stays_its_item_number_on_the_855_856_and_810(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, client: OdooClient,
        odoo: odoorpc.ODOO) -> None:
    [info] = odoo.execute_kw("product.customerinfo", "search", [[("product_code", "=", "BB-1001")]])
    odoo.execute_kw("product.customerinfo", "write", [[info], {"product_code": CODE, "product_id": False}])
    line = f"PO1*1*24*EA*12.50**BP*{CODE}~\nPID*F****BLUE WIDGET~\n".encode()
    pipeline, first = await ordered_in_cases(tmp_path, examples, sandbox, odoo, line)
    assert first["product_id"][1].endswith("Blue Widget")
    ack = await acknowledged(pipeline, client, odoo, first)
    said = [s for s in ack.decode().replace("\n", "").split("~") if s.startswith(("PO1*1*", "ACK*"))]
    assert said[:2] == [f"PO1*1*24*EA*12.50**BP*{CODE}", "ACK*IA*24*EA"], said
    so = odoo.execute_kw("sale.order.line", "read", [[first["id"]], ["order_id"]])[0]["order_id"][0]
    invoiced(odoo, so)
    poll = scheduler(pipeline, client)
    assert await poll.run_once("bigbox", "856") == 1
    assert await poll.run_once("bigbox", "810") == 1
    lin = line_of(segments(sent(pipeline, "856"), "LIN"), "1")
    assert CODE in lin, lin
    it1 = line_of(segments(sent(pipeline, "810"), "IT1"), "1")
    assert CODE in it1, it1
