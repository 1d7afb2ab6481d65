"""Today's X12 areas together, end to end through the real daemon and the Odoo sandbox over HTTP (17, 19).

Northwind (base 005010 profiles, YAML-free) orders for its store 0042 by the store's number (N1*ST*...*92*0042, the
contact's Reference in Odoo), with a freight charge as a header SAC (posted on the partner's odoo.charge_products
product); the order is confirmed, delivered and invoiced in the sandbox. The 810 is read as a
VICS retailer's system reads it: BIG03 the PO's date, the store named by 92 as the PO named it, the freight back as
SAC*C*D240 off the item lines and footed in TDS, REF*PK the delivery's number (the 856's
BSN02) and DTM*011 the 856's shipped day. Nothing dated "delivered" (DTM*035): Odoo's date_done of an outgoing
delivery is the day the goods left, not the day the retailer received them.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import odoorpc
import pytest

from gateway.odoo.sandbox import SandboxServer
from tests.e2e.test_cross17_eancom_day import posted
from tests.e2e.test_hunt17_x12_retailer import charge_product, footed, seg, segs
from tests.helpers.gateway import GatewayProcess
from tests.odoo.test_cross15_cases_e2e import received, workspace
from tests.odoo.test_extraction import deliver, invoice

PO = "NW-CROSS-17"


def order_850() -> bytes:
    body = ["ST*850*0001", f"BEG*00*SA*{PO}**20261126", "CUR*BY*USD",
            "N1*BY*NORTHWIND STORES*UL*0860001000016", "N1*ST*NORTHWIND STORE 0042*92*0042",
            "PO1*1*10*EA*12.50*PE*UP*614141000012", "PO1*2*4*EA*8.75*PE*UP*614141000029",
            "SAC*C*D240***2500", "CTT*2*14"]
    segments = [
        "ISA*00*          *00*          *12*8005551234     *ZZ*ACMEDIST       *261126*0615*^*00501*000000917*0*P*:",
        "GS*PO*NORTHWIND*ACMEDIST*20261126*0615*917*X*005010", *body, f"SE*{len(body) + 1}*0001", "GE*1*917",
        "IEA*1*000000917"]
    return ("~\n".join(segments) + "~\n").encode()


pytestmark = pytest.mark.parametrize("sandbox", [17, 19], ids=["odoo17", "odoo19"], indirect=True)


def test_a_store_order_with_freight_is_billed_as_a_vics_retailer_checks_it(
        tmp_path: Path, sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    charge_product(odoo, "SVC-FREIGHT", "Freight")
    ws = workspace(tmp_path / "gw", sandbox)
    partner = ws.root / "partners" / "northwind.yaml"
    partner.write_text(partner.read_text().replace("stock_packaging: Case", "charge_products: {freight: SVC-FREIGHT}"))
    with GatewayProcess(ws.config) as gw:
        so = posted(ws, "850_cross17.edi", order_850(), "850", PO, odoo)
        [order] = odoo.execute_kw("sale.order", "read", [[so], ["partner_shipping_id", "amount_untaxed"]])
        assert order["partner_shipping_id"][1].endswith("Northwind Store 0042"), order      # by its Reference
        assert order["amount_untaxed"] == 125 + 35 + 25, order                     # the freight a line in Odoo
        odoo.execute_kw("sale.order", "action_confirm", [[so]])
        deliver(odoo, so)
        asn = received(ws, "856")
        move = invoice(odoo, so)
        odoo.execute_kw("account.move", "action_post", [[move]])
        bill = received(ws, "810")

        assert seg(bill, "BIG")[3:5] == ["20261126", PO], seg(bill, "BIG")              # BIG03: BEG05
        assert seg(bill, "N1", "ST")[3:5] == ["92", "0042"], segs(bill, "N1")             # as the PO named it
        assert [i[1:5] for i in segs(bill, "IT1")] == [["1", "10", "EA", "12.5"], ["2", "4", "EA", "8.75"]], bill
        assert seg(bill, "SAC", "C")[2] == "D240" and seg(bill, "SAC", "C")[5] == "2500", segs(bill, "SAC")
        assert seg(bill, "TDS") == ["TDS", "18500"] and footed(bill) == Decimal("185.00"), bill
        assert seg(bill, "REF", "PK")[2] == seg(asn, "BSN")[2], bill                     # the delivery billed
        assert seg(bill, "DTM", "011")[2] == seg(asn, "DTM", "011")[2], bill              # shipped: the 856's day
        assert [d[1] for d in segs(bill, "DTM")] == ["011"], segs(bill, "DTM")           # nothing "delivered"
        assert not ws.messages(state="quarantined")
        assert "Traceback" not in gw.output()
