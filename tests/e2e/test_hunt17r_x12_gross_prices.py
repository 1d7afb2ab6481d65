"""An 810 line whose PO line had its own allowances states the price the PO gave and those allowances, as the PO
had them (IT104 12.50 and SAC*A*C310 in its IT1 loop), not the net price Odoo's discount leaves (12.25, or 10.6875
for 10 % + 5 %), which is on no line of the retailer's PO. Posting makes a PO line's allowances the sale line's
discount; the invoice states them again with what each took off, when Odoo's discount is still the one they made.
Through the real daemon and the Odoo sandbox over HTTP; the 810 foots (IT102 x IT104 less the SACs, plus TXI)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import odoorpc

from gateway.odoo.sandbox import SandboxServer
from tests.e2e.test_hunt17_edifact_retailer import ODOO as EDIFACT
from tests.e2e.test_hunt17_edifact_retailer import PO as EDIFACT_PO
from tests.e2e.test_hunt17_edifact_retailer import SAMPLES, customer, delivered
from tests.e2e.test_hunt17_edifact_retailer import segments as edifact_segments
from tests.e2e.test_hunt17_edifact_retailer import workspace as suedmarkt
from tests.e2e.test_hunt17_x12_retailer import documents, footed, inbound_done, seg, segs, workspace
from tests.helpers.gateway import GatewayProcess
from tests.helpers.wait import wait_for
from tests.odoo.test_extraction import deliver, invoice
from tests.odoo.test_posting_charges import sac

PO = "0458899002"
PROMO = sac("A", "C310", percent="10", description="PROMO")            # 10 % of the gross (SAC06 3)
EXTRA = sac("A", "C310", percent="5", description="EXTRA", basis="7")    # then 5 % of what is left: 14.5 %
ORDER = "~".join([
    "ISA*00*          *00*          *08*925485US00     *12*5015550123     *261130*2330*U*00401*000004802*0*P*>",
    "GS*PO*925485US00*5015550123*20261130*2330*4802*X*004010VICS", "ST*850*0001", f"BEG*00*SA*{PO}**20261128",
    "N1*ST*BIGBOX DC 1*UL*0860001000023", "PO1*001*24*EA*12.50*PE*VN*WB-100", PROMO, EXTRA,
    "PO1*002*6*EA*42.00*PE*VN*GL-300", "CTT*2*30", "SE*9*0001", "GE*1*4802", "IEA*1*000004802", ""])


def loop(bill: list[list[str]], number: str) -> list[list[str]]:
    """The segments of the IT1 loop of line `number`."""
    start = bill.index(seg(bill, "IT1", number))
    end = next((i for i, s in enumerate(bill[start + 1:], start + 1) if s[0] in ("IT1", "TDS")), len(bill))
    return bill[start:end]


@EDIFACT
def test_a_line_with_its_own_allowances_is_invoiced_at_the_pos_price_with_them(
        tmp_path: Path, sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    ws = workspace(tmp_path / "gw", sandbox)
    with GatewayProcess(ws.config) as gw:
        ws.drop("gross.edi", ORDER.encode())
        [inbound] = inbound_done(ws)
        assert inbound["state"] == "done", inbound["last_error"]
        [so] = odoo.execute_kw("sale.order", "search", [[("client_order_ref", "=", PO)]])
        lines = odoo.execute_kw("sale.order.line", "search_read", [[("order_id", "=", so)]],
                                {"fields": ["price_unit", "discount"], "order": "sequence, id"})
        assert [(r["price_unit"], r["discount"]) for r in lines] == [(12.5, 14.5), (42.0, 0.0)], lines
        odoo.execute_kw("sale.order", "action_confirm", [[so]])
        deliver(odoo, so)
        odoo.execute_kw("account.move", "action_post", [[invoice(odoo, so)]])
        [bill] = documents(ws, "810")
        first, second = loop(bill, "001"), loop(bill, "002")
        assert first[0][1:4] == ["001", "24", "EA"] and Decimal(first[0][4]) == Decimal("12.50"), first  # PO104
        assert [s[1:3] + s[5:8] + s[15:16] for s in segs(first, "SAC")] == [
            ["A", "C310", "3000", "3", "10", "PROMO"], ["A", "C310", "1350", "7", "5", "EXTRA"]], first
        assert second[0][1:4] == ["002", "6", "EA"] and Decimal(second[0][4]) == 42 and not segs(second, "SAC")
        assert seg(bill, "TDS") == ["TDS", "50850"] and footed(bill) == Decimal("508.50"), bill   # 256.50 + 252
        assert "Traceback" not in gw.output()


GROSS_ORDERS = (SAMPLES / "hunt17_suedmarkt_orders.edi").read_bytes() \
    .replace(b"MOA+203:600'\r\nPRI+AAA:12,5:::1:PCE'\r\n", b"").replace(b"PRI+AAB:13,16", b"PRI+AAB:12,5") \
    .replace(b"MOA+204:31,68", b"MOA+204:30").replace(b"MOA+86:810", b"MOA+86:780").replace(b"UNT+49", b"UNT+47")


@EDIFACT
def test_an_invoics_line_states_the_orders_line_allowance_before_its_amount(
        tmp_path: Path, sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    """The same through an EANCOM retailer: its ORDERS line 1 priced gross (PRI+AAB 12,50) less its ALC's 5 %, the
    sale line's 5 % discount; the INVOIC line, net (PRI+AAA 11.875, MOA+203 570), states the ALC again with its
    PCD and then its MOA (SG38: SG40 before SG41), and the invoice foots."""
    customer(odoo)
    ws = suedmarkt(tmp_path / "gw", sandbox)
    with GatewayProcess(ws.config) as gw:
        ws.drop("gross.edi", GROSS_ORDERS)
        [inbound] = wait_for(lambda: [m for m in ws.messages(direction="in", doc_type="ORDERS")
                                      if m["state"] in ("done", "quarantined")], timeout=60, message="the ORDERS")
        assert inbound["state"] == "done", inbound["last_error"]
        [so] = odoo.execute_kw("sale.order", "search", [[("client_order_ref", "=", EDIFACT_PO)]])
        odoo.execute_kw("sale.order", "action_confirm", [[so]])
        deliver(odoo, so)
        odoo.execute_kw("account.move", "action_post", [[invoice(odoo, so)]])
        bill = edifact_segments(delivered(ws, "INVOIC"))
        first = bill[bill.index(["LIN", "1", "", "0614141000012:SRV"]):bill.index(["LIN", "2", "", "0614141000029:SRV"])]
        assert ["MOA", "203:570"] in first and ["PRI", "AAA:11.875"] in first, first
        alc = first.index(["ALC", "A", "", "", "", "DI"])
        assert first[alc + 1:alc + 3] == [["PCD", "1:5"], ["MOA", "8:30"]], first
        assert ["MOA", "79:780"] in bill, bill
        assert "Traceback" not in gw.output()
