"""A retailer that counts in cases, end to end through the real daemon and the sandbox Odoo over HTTP (17, 19).

Northwind, set up with `odoo.stock_packaging: Case` on the base X12 005010 profiles, gets its 846 in cases: the Blue
Widget's case of 24 under the case's GTIN. It orders 3 of those cases by that GTIN (an 850 into the inbox); the
gateway posts the order in the packaging, answers the 855 when the order is confirmed, the 856 when the delivery is
validated and the 810 when the invoice is posted. Every document states the case GTIN, the unit and the quantity
the partner ordered, passes the outbound checks (GS1 check digits, 810 TDS footing), and nothing is held. The same
day on EDIFACT under UNOA (EuroHandel: INVRPT, ORDERS, ORDRSP, DESADV, INVOIC); with a case GTIN whose check digit
is wrong (noted, never held); and cases ordered by the unit's UPC without their pack (held, asking for the pack).
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


def odoo_settings(server: SandboxServer) -> dict[str, Any]:
    return {"enabled": True, "url": server.url, "database": "demo", "username": "admin",
            "password": "3f1c0a9e5b7d42c8a6e0f9b1d2c3e4f5a6b7c8d9" if server.version >= 19 else "admin",
            "timeout": 5.0, "retry_max": 2, "poll_seconds": 1, "lookback_days": 2, "in_doubt_seconds": 1}


OURS = {"x12": {"qualifier": "ZZ", "id": "ACMEDIST"}, "gs": "ACMEDIST",
        "edifact": {"qualifier": "14", "id": "0614141000005"}}


def workspace(root: Path, server: SandboxServer) -> Workspace:
    """Northwind on the base 005010 profiles, its stock feed in cases, files in and out through folders."""
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
    return Workspace.create(root, {"odoo": odoo_settings(server), "our_ids": OURS}, partners={"northwind": partner})


def order_850(gtin: str, cases: int) -> bytes:
    body = ["ST*850*0001", "BEG*00*SA*NW-CASE-1**20261128", "CUR*BY*USD", "N1*BY*NORTHWIND STORES*UL*0860001000016",
            f"PO1*1*{cases}*CA*300.00*PE*UK*{gtin}", "PID*F****BLUE WIDGET CASE OF 24",
            f"CTT*1*{cases}"]
    segments = [
        "ISA*00*          *00*          *12*8005551234     *ZZ*ACMEDIST       *261128*0615*^*00501*000000701*0*P*:",
        "GS*PO*NORTHWIND*ACMEDIST*20261128*0615*701*X*005010", *body, f"SE*{len(body) + 1}*0001", "GE*1*701",
        "IEA*1*000000701"]
    return ("~\n".join(segments) + "~\n").encode()


def delivered(ws: Workspace, doc_type: str) -> str:
    """The one document of `doc_type` the partner got (its file in the outbound folder), as text."""
    [message] = wait_for(lambda: [m for m in ws.messages(direction="out", doc_type=doc_type)
                                  if m["state"] not in ("queued", "retry_wait")],
                         timeout=60, message=f"the {doc_type}")
    assert message["state"] in ("sent", "done"), message
    return ws.archived(message["sha256"]).read_bytes().decode("latin-1")


def received(ws: Workspace, doc_type: str) -> list[list[str]]:
    """The X12 segments of the one document of `doc_type` the partner got."""
    return [s.strip().split("*") for s in delivered(ws, doc_type).split("~") if s.strip()]


def first(segments: list[list[str]], tag: str) -> list[str]:
    return next(s for s in segments if s[0] == tag)


def test_a_retailer_in_cases_gets_its_feed_orders_by_the_case_gtin_and_is_answered_shipped_and_billed_in_cases(
        tmp_path: Path, sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    the_day(tmp_path, sandbox, odoo, CASE_GTIN)


def the_day(tmp_path: Path, sandbox: SandboxServer, odoo: odoorpc.ODOO, case_gtin: str) -> str:
    """The feed, the order by the case's GTIN, its 855, 856 and 810 as the test above says; the daemon's log."""
    packaging(odoo, sandbox.version, "WB-100", "Case of 24", 24, case_gtin)
    ws = workspace(tmp_path / "gw", sandbox)
    with GatewayProcess(ws.config) as gw:
        feed = received(ws, "846")
        lin = next(s for s in feed if s[0] == "LIN" and "WB-100" in s)
        gtin = lin[lin.index("UK") + 1]
        assert gtin == case_gtin, lin
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
        assert po1[1:4] == ["1", "3", "CA"] and case_gtin in po1 and UNIT_UPC not in po1, po1
        assert ack_[1:4] == ["IA", "3", "CA"], ack_
        deliver(odoo, so)
        asn = received(ws, "856")
        lin = first(asn, "LIN")
        assert case_gtin in lin and UNIT_UPC not in lin, lin
        assert first(asn, "SN1")[2:4] == ["3", "CA"], first(asn, "SN1")
        move = invoice(odoo, so)
        odoo.execute_kw("account.move", "action_post", [[move]])
        bill = received(ws, "810")
        it1 = first(bill, "IT1")
        assert it1[1:5] == ["1", "3", "CA", "300"] and case_gtin in it1 and UNIT_UPC not in it1, it1
        assert first(bill, "TDS") == ["TDS", "90000"] and first(bill, "CTT") == ["CTT", "1", "3"], bill   # footed
        held: list[dict[str, Any]] = ws.messages(state="quarantined")
        assert not held, held
        assert "Traceback" not in gw.output()
    return gw.output()


def test_a_case_gtin_with_a_wrong_check_digit_in_the_retailers_item_file_and_odoo_holds_nothing(
        tmp_path: Path, sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    """The case's barcode in Odoo is the retailer's number, check digit one off (its item file's, copied into the
    packaging): the 846 says it and logs it, sending the coordinator to the packaging's barcode (the product's own
    Barcode is right), the retailer orders by it, and the 855/856/810 echo the number its system matches, each with
    a warning, none held."""
    log = the_day(tmp_path, sandbox, odoo, "10614141000010")
    [feed] = [line for line in log.splitlines() if "the 846 for" in line and "10614141000010" in line]
    assert "correct the Barcode of the product's packaging" in feed, feed       # not the product's own Barcode
    assert len([line for line in log.splitlines() if "10614141000010" in line and "tell the partner" in line]) == 3


def edifact_workspace(root: Path, server: SandboxServer) -> Workspace:
    """EuroHandel on the base D96A profiles under UNOA, its INVRPT in cases, files in and out through folders."""
    out = {"direction": "out"}
    partner = {"name": "EuroHandel GmbH",
               "odoo": {"partner_ref": "EUROHANDEL", "gln": "4012345000009", "currency": "EUR",
                        "stock_packaging": "Case"},
               "edifact": {"ids": [{"qualifier": "14", "id": "4012345000009"}], "syntax": "UNOA", "version": "D96A"},
               "inbound": [{"channel": "folder"}],
               "outbound": {"channel": "folder", "path": str(root / "sent")},
               "documents": [{"type": "ORDERS", "direction": "in", "profile": "edifact-d96a-orders"},
                             {**out, "type": "ORDRSP", "profile": "edifact-d96a-ordrsp", "trigger": "order_confirmed"},
                             {**out, "type": "DESADV", "profile": "edifact-d96a-desadv", "trigger": "delivery_done"},
                             {**out, "type": "INVOIC", "profile": "edifact-d96a-invoic", "trigger": "invoice_posted"},
                             {**out, "type": "INVRPT", "profile": "edifact-d96a-invrpt", "trigger": "schedule",
                              "schedule": "0 0 1 1 *"}]}
    return Workspace.create(root, {"odoo": odoo_settings(server), "our_ids": OURS}, partners={"eurohandel": partner})


def orders(gtin: str, cases: int) -> bytes:
    body = ["UNH+1+ORDERS:D:96A:UN:EAN008", "BGM+220+eh-case-1+9", "DTM+137:20261127:102", "NAD+BY+4012345000009::9",
            "NAD+DP+4012345000016::9", "CUX+2:EUR:9", f"LIN+1++{gtin}:SRV", "IMD+F++:::Blue Widget, Karton 24",
            f"QTY+21:{cases}:CS", "PRI+AAA:300.00", "UNS+S", "CNT+2:1"]
    segments = ["UNB+UNOA:3+4012345000009:14+0614141000005:14+261127:0815+EH000501", *body, f"UNT+{len(body) + 1}+1",
                "UNZ+1+EH000501"]
    return ("UNA:+.? '\n" + "'\n".join(segments) + "'\n").encode()


def edifact_received(ws: Workspace, doc_type: str) -> list[list[str]]:
    """The EDIFACT segments of the one message of `doc_type` the partner got."""
    return [s.strip().split("+") for s in delivered(ws, doc_type).split("'") if s.strip()]


def item(segments: list[list[str]], gtin: str) -> list[list[str]]:
    """The segments of the line (LIN to the next LIN or UNS) that names `gtin`."""
    start = next(n for n, s in enumerate(segments) if s[0] == "LIN" and f"{gtin}:SRV" in s)
    end = next((n for n, s in enumerate(segments[start + 1:], start + 1) if s[0] in ("LIN", "UNS", "CNT")),
               len(segments))
    return segments[start:end]


def test_an_edifact_retailer_in_cases_orders_by_the_case_gtin_its_invrpt_gave_and_gets_it_back_in_cases(
        tmp_path: Path, sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    """EuroHandel under UNOA: its INVRPT says 20 CS of the case's GTIN; it orders 3 CS by that GTIN (its order
    number in lowercase); the ORDRSP, DESADV and INVOIC say LIN <case GTIN>:SRV and 3 CS, at 300 a case, under
    RFF+ON as it sent it, the names in capitals."""
    packaging(odoo, sandbox.version, "WB-100", "Case of 24", 24, CASE_GTIN)
    ws = edifact_workspace(tmp_path / "gw", sandbox)
    with GatewayProcess(ws.config) as gw:
        stock = item(edifact_received(ws, "INVRPT"), CASE_GTIN)
        assert ["QTY", "145:20:CS"] in stock, stock
        ws.drop("ORDERS_eh-case-1.edi", orders(CASE_GTIN, 3))
        [inbound] = wait_for(lambda: [m for m in ws.messages(direction="in", doc_type="ORDERS")
                                      if m["state"] in ("done", "quarantined")], timeout=60, message="the ORDERS")
        assert inbound["state"] == "done", inbound["last_error"]
        [so] = odoo.execute_kw("sale.order", "search", [[("client_order_ref", "=", "eh-case-1")]])
        odoo.execute_kw("sale.order", "action_confirm", [[so]])
        answer = edifact_received(ws, "ORDRSP")
        assert ["RFF", "ON:eh-case-1"] in answer and ["QTY", "21:3:CS"] in item(answer, CASE_GTIN), answer
        deliver(odoo, so)
        notice = edifact_received(ws, "DESADV")
        assert ["RFF", "ON:eh-case-1"] in notice and ["QTY", "12:3:CS"] in item(notice, CASE_GTIN), notice
        move = invoice(odoo, so)
        odoo.execute_kw("account.move", "action_post", [[move]])
        bill = edifact_received(ws, "INVOIC")
        line = item(bill, CASE_GTIN)
        assert ["QTY", "47:3:CS"] in line and ["PRI", "AAA:300"] in line and ["MOA", "79:900"] in bill, bill
        assert not [s for s in answer + notice + bill if "0614141000012" in "+".join(s)]   # no unit's GTIN
        held: list[dict[str, Any]] = ws.messages(state="quarantined")
        assert not held, held
        assert "Traceback" not in gw.output()


def test_cases_of_a_unit_gtin_without_their_pack_are_held_asking_for_the_pack_or_the_cases_gtin(
        tmp_path: Path, sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    """The case has no barcode in Odoo: the 846 counts 20 CA under the unit's UPC, and the retailer orders 3 CA by
    that UPC with no PO4. The order is held, as it must be (a case of how many?), but it said only 'map it in the
    partner's odoo.units (for example CS: Dozens)': a map that makes every case of every product a dozen. It now
    asks for the pack or the case's GTIN, or a barcode on the packaging, and keeps the map for the rare partner
    whose cases all hold the same."""
    packaging(odoo, sandbox.version, "WB-100", "Case of 24", 24)
    ws = workspace(tmp_path / "gw", sandbox)
    with GatewayProcess(ws.config):
        feed = received(ws, "846")
        lin = next(s for s in feed if s[0] == "LIN" and "WB-100" in s)
        assert lin[-4:] == ["UP", UNIT_UPC, "UK", f"00{UNIT_UPC}"] and ["QTY", "33", "20", "CA"] in feed, feed
        ws.drop("850_NW-CASE-1.edi", order_850(UNIT_UPC, 3).replace(b"*UK*", b"*UP*"))
        [inbound] = wait_for(lambda: [m for m in ws.messages(direction="in", doc_type="850")
                                      if m["state"] in ("done", "quarantined")], timeout=60, message="the 850")
    assert inbound["state"] == "quarantined"
    assert "line 1: unit 'CS' is a case and the line says neither how many a case holds (X12 PO4, EDIFACT QTY+59) " \
        "nor the case's GTIN" in inbound["last_error"], inbound["last_error"]
