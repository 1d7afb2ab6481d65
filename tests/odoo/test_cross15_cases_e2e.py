"""A retailer that counts in cases, end to end through the real daemon and the sandbox Odoo over HTTP (17, 19).

Northwind, set up with `odoo.stock_packaging: Case` on the base X12 005010 profiles, gets its 846 in cases: the Blue
Widget's case of 24 under the case's GTIN. It orders 3 of those cases by that GTIN (an 850 into the inbox); the
gateway posts the order in the packaging, answers the 855 when the order is confirmed, the 856 when the delivery is
validated and the 810 when the invoice is posted. Every document states the case GTIN, the unit and the quantity
the partner ordered, passes the outbound checks (GS1 check digits, 810 TDS footing), and nothing is held.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import odoorpc
import pytest

from gateway.odoo.sandbox import SandboxServer
from tests.helpers.gateway import GatewayProcess, Workspace
from tests.helpers.wait import wait_for
from tests.odoo.test_extraction import deliver, invoice
from tests.odoo.test_stock15_cases import packaging

pytestmark = pytest.mark.parametrize("sandbox", [17, 19], ids=["odoo17", "odoo19"], indirect=True)

CASE_GTIN = "10614141000019"            # the Blue Widget's case of 24
UNIT_UPC = "614141000012"


def workspace(root: Path, server: SandboxServer) -> Workspace:
    """Northwind on the base 005010 profiles, its stock feed in cases, files in and out through folders."""
    odoo = {"enabled": True, "url": server.url, "database": "demo", "username": "admin",
            "password": "3f1c0a9e5b7d42c8a6e0f9b1d2c3e4f5a6b7c8d9" if server.version >= 19 else "admin",
            "timeout": 5.0, "retry_max": 2, "poll_seconds": 1, "lookback_days": 2, "in_doubt_seconds": 1}
    ours = {"x12": {"qualifier": "ZZ", "id": "ACMEDIST"}, "gs": "ACMEDIST"}
    out = {"direction": "out"}
    partner = {"name": "Northwind Stores",
               "odoo": {"partner_ref": "NORTHWIND", "gln": "0860001000016", "currency": "USD",
                        "stock_packaging": "Case"},
               "x12": {"ids": [{"qualifier": "12", "id": "8005551234"}], "gs_ids": ["NORTHWIND"],
                       "version": "005010", "ack": "999"},
               "inbound": [{"channel": "folder"}],
               "outbound": {"channel": "folder", "path": str(root / "sent")},
               "documents": [{"type": "850", "direction": "in", "profile": "x12-005010-850"},
                             {**out, "type": "855", "profile": "x12-005010-855", "trigger": "order_confirmed"},
                             {**out, "type": "856", "profile": "x12-005010-856", "trigger": "delivery_done"},
                             {**out, "type": "810", "profile": "x12-005010-810", "trigger": "invoice_posted"},
                             {**out, "type": "846", "profile": "x12-005010-846", "trigger": "schedule",
                              "schedule": "0 0 1 1 *"}]}          # once a year: the slot missed runs at start
    return Workspace.create(root, {"odoo": odoo, "our_ids": ours}, partners={"northwind": partner})


def order_850(gtin: str, cases: int) -> bytes:
    body = ["ST*850*0001", "BEG*00*SA*NW-CASE-1**20261128", "CUR*BY*USD", "N1*BY*NORTHWIND STORES*UL*0860001000016",
            f"PO1*1*{cases}*CA*300.00*PE*UK*{gtin}", "PID*F****BLUE WIDGET CASE OF 24",
            f"CTT*1*{cases}"]
    segments = [
        "ISA*00*          *00*          *12*8005551234     *ZZ*ACMEDIST       *261128*0615*^*00501*000000701*0*P*:",
        "GS*PO*NORTHWIND*ACMEDIST*20261128*0615*701*X*005010", *body, f"SE*{len(body) + 1}*0001", "GE*1*701",
        "IEA*1*000000701"]
    return ("~\n".join(segments) + "~\n").encode()


def received(ws: Workspace, doc_type: str) -> list[list[str]]:
    """The segments of the one document of `doc_type` the partner got (its file in the outbound folder)."""
    [message] = wait_for(lambda: [m for m in ws.messages(direction="out", doc_type=doc_type)
                                  if m["state"] not in ("queued", "retry_wait")],
                         timeout=60, message=f"the {doc_type}")
    assert message["state"] in ("sent", "done"), message
    data = ws.archived(message["sha256"]).read_bytes().decode()
    return [s.strip().split("*") for s in data.split("~") if s.strip()]


def first(segments: list[list[str]], tag: str) -> list[str]:
    return next(s for s in segments if s[0] == tag)


def test_a_retailer_in_cases_gets_its_feed_orders_by_the_case_gtin_and_is_answered_shipped_and_billed_in_cases(
        tmp_path: Path, sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    packaging(odoo, sandbox.version, "WB-100", "Case of 24", 24, CASE_GTIN)
    ws = workspace(tmp_path / "gw", sandbox)
    with GatewayProcess(ws.config) as gw:
        feed = received(ws, "846")
        lin = next(s for s in feed if s[0] == "LIN" and "WB-100" in s)
        gtin = lin[lin.index("UK") + 1]
        assert gtin == CASE_GTIN, lin
        at = feed.index(lin)
        assert ["QTY", "33", "20", "CA"] in feed[at:at + 4], feed[at:at + 4]     # 500 on hand: 20 whole cases
        ws.drop("850_NW-CASE-1.edi", order_850(gtin, 3))
        [inbound] = wait_for(lambda: [m for m in ws.messages(direction="in", doc_type="850")
                                      if m["state"] in ("done", "quarantined")], timeout=60, message="the 850")
        assert inbound["state"] == "done", inbound["last_error"]
        [so] = odoo.execute_kw("sale.order", "search", [[("client_order_ref", "=", "NW-CASE-1")]])
        odoo.execute_kw("sale.order", "action_confirm", [[so]])
        ack = received(ws, "855")
        po1, ack_ = first(ack, "PO1"), first(ack, "ACK")
        assert po1[1:4] == ["1", "3", "CA"] and CASE_GTIN in po1 and UNIT_UPC not in po1, po1
        assert ack_[1:4] == ["IA", "3", "CA"], ack_
        deliver(odoo, so)
        asn = received(ws, "856")
        lin = first(asn, "LIN")
        assert CASE_GTIN in lin and UNIT_UPC not in lin, lin
        assert first(asn, "SN1")[2:4] == ["3", "CA"], first(asn, "SN1")
        move = invoice(odoo, so)
        odoo.execute_kw("account.move", "action_post", [[move]])
        bill = received(ws, "810")
        it1 = first(bill, "IT1")
        assert it1[1:5] == ["1", "3", "CA", "300"] and CASE_GTIN in it1 and UNIT_UPC not in it1, it1
        assert first(bill, "TDS") == ["TDS", "90000"] and first(bill, "CTT") == ["CTT", "1", "3"], bill   # footed
        held: list[dict[str, Any]] = ws.messages(state="quarantined")
        assert not held, held
        assert "Traceback" not in gw.output()
