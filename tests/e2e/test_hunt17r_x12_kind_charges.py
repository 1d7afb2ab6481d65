"""Charges mapped by their kind alone (`odoo.charge_products: {charge: SVC-FREIGHT}`) go back in the 810 under the
codes the PO gave them when the PO has more than one (425a006 found the code by the line's description, else the
PO's only charge). An 850 with freight (SAC*C*D240) and a fuel surcharge (SAC*C*D270), neither with a SAC15
description, as most 850s send them: posting names their Odoo lines by their codes' words ('freight',
'fuel_surcharge'), which no description matched, and with two charges of the kind the 810 was held 'at least one
of SAC02, SAC03 is required' instead of going out. Through the real daemon and the Odoo sandbox over HTTP."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import odoorpc
import pytest

from gateway.odoo.sandbox import SandboxServer
from tests.e2e.test_hunt17_x12_retailer import (
    charge_product,
    documents,
    footed,
    inbound_done,
    seg,
    segs,
    workspace,
)
from tests.helpers.gateway import GatewayProcess
from tests.odoo.test_extraction import deliver, invoice

pytestmark = pytest.mark.parametrize("sandbox", [17, 19], ids=["odoo17", "odoo19"], indirect=True)

PO = "0458899001"
ORDER = "~".join([
    "ISA*00*          *00*          *08*925485US00     *12*5015550123     *261130*2330*U*00401*000004801*0*P*>",
    "GS*PO*925485US00*5015550123*20261130*2330*4801*X*004010VICS", "ST*850*0001", f"BEG*00*SA*{PO}**20261128",
    "N1*ST*BIGBOX DC 1*UL*0860001000023", "PO1*001*6*EA*42.00*PE*VN*GL-300*UP*614141000036",
    "SAC*C*D240***1500", "SAC*C*D270***500", "CTT*1*6", "SE*8*0001", "GE*1*4801", "IEA*1*000004801", ""])


def test_two_charges_of_one_kind_keep_each_its_code(tmp_path: Path, sandbox: SandboxServer,
                                                    odoo: odoorpc.ODOO) -> None:
    charge_product(odoo, "SVC-FREIGHT", "Freight")
    ws = workspace(tmp_path / "gw", sandbox, charge_products={"charge": "SVC-FREIGHT"})
    with GatewayProcess(ws.config) as gw:
        ws.drop("two_charges.edi", ORDER.encode())
        [inbound] = inbound_done(ws)
        assert inbound["state"] == "done", inbound["last_error"]
        [so] = odoo.execute_kw("sale.order", "search", [[("client_order_ref", "=", PO)]])
        odoo.execute_kw("sale.order", "action_confirm", [[so]])
        deliver(odoo, so)
        odoo.execute_kw("account.move", "action_post", [[invoice(odoo, so)]])
        [bill] = documents(ws, "810")
        assert [s[1:3] + s[5:6] for s in segs(bill, "SAC")] == [["C", "D240", "1500"], ["C", "D270", "500"]], bill
        assert seg(bill, "TDS") == ["TDS", "27200"] and footed(bill) == Decimal("272.00"), bill
        assert "Traceback" not in gw.output()
