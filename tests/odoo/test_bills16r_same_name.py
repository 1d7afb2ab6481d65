"""Which line a backordered part belongs to when two PO lines carry one name: the blue widgets ordered twice (10, and
8 for a later date), a vendor numbering its lines its own way (PO101 10 and 20). Its 855 answers line 20 (our line
2) with 3 now and 5 backordered, the part named '[WB-100] Blue Widget (backordered by the vendor, line 20)', a name
both lines would give it. Since 55e2861 such a part went to the first line of that name, line 1: a bill of 12 for
line 1 put 10 on line 1 and 2 on line 2's part, hiding the vendor's over-billing of line 1 on another line (line
2's part shown billed 2 of 5 that the vendor never billed for it). A part whose name two lines could have given
it, and whose number is neither's position, is now nobody's: the bill stays on its line, noted as any over-billing.
Through the sandbox over HTTP (16, 18, 19)."""

from __future__ import annotations

import odoorpc
import pytest

from gateway.odoo.client import OdooClient
from gateway.odoo.posting import Cache, post
from tests.odoo.conftest import read_x12
from tests.odoo.test_bills16_backordered_parts import line_ids, x12_bill
from tests.odoo.test_vendor_bill_checks import bill
from tests.odoo.test_vendor_odd import purchase, widgetworks

pytestmark = pytest.mark.parametrize("sandbox", [16, 18, 19], ids=["odoo16", "odoo18", "odoo19"], indirect=True)


def test_a_part_two_lines_could_own_is_not_billed_for_either(client: OdooClient, odoo: odoorpc.ODOO) -> None:
    po, name = purchase(odoo, [(1, 10, 7.5), (1, 8, 7.5), (2, 6, 5.25)])
    ack = read_x12(["ST*855*0001", f"BAK*00*AC*{name}*20261201****SO-{po}", "PO1*10*10*EA*7.50**VN*WW-WB-100",
                    "ACK*IA*10*EA*068*20261205", "PO1*20*8*EA*7.50**VN*WW-WB-100", "ACK*IA*3*EA*068*20261212",
                    "ACK*IB*5*EA*068*20261220", "CTT*2"], gs="PR", sender="WIDGETWORKS", app="WIDGETWORKS")
    post(client, ack, widgetworks(), Cache())
    first, _second, _reds, part = line_ids(odoo, po)
    assert odoo.execute_kw("purchase.order.line", "read", [[part], ["name", "product_qty"]])[0] == {
        "id": part, "name": "[WB-100] Blue Widget (backordered by the vendor, line 20)", "product_qty": 5.0}
    post(client, x12_bill(f"WW-INV-{po}", name, ["IT1*10*12*EA*7.50**VN*WW-WB-100"], 9000), widgetworks(), Cache())
    made = bill(odoo, f"WW-INV-{po}")
    assert made["lines"] == [(12.0, 7.5, first)], made["lines"]         # before: 10 on line 1, 2 on line 2's part
    assert f"purchase order {name} line 1 ([WB-100] Blue Widget): this bill 12, billed before 0, received 0 (ordered " \
        "10): more than was received" in made["narration"], made["narration"]
