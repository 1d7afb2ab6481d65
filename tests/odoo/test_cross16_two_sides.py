"""A distributor on both sides of a day, end to end through the real daemon, its shared inbox and the sandbox Odoo over
HTTP (17, 19): what today's areas each test alone, together.

Buying: purchasing's PO to Widget Works (10 Blue Widgets at 7.50, 6 Red at 5.25; made in Odoo: the gateway sends no
POs). The vendor answers with an X12 855 of several ACKs a line (4 blue on 12-05 and 6 backordered to 12-20; 2 red,
4 rejected): the PO orders 4 blue, 2 red and a line of its own for the 6 backordered on their day, noted. Its 856
ships the 4 and the 2 (the receipt validated), and its 810 for them, whose CTT02 says 7 for lines of 6, is a draft
bill of 4 x 7.50 + 2 x 5.25 on the PO's lines with an `EDI check:` line saying so, which the status page's view of
the 810 lists among its findings.

Selling: EuroHandel (the D96A example partner and its profiles, with `recipient_internal: [EDI-IN]`) sends its
sample ORDERS; the order is confirmed, delivered and invoiced in Odoo. Its CONTRL, DESADV and INVOIC carry
4012345000009:14:EDI-IN as the UNB recipient; the DESADV states the order once (RFF+ON + DTM+171, the order's own
date); the INVOIC's lines foot (QTY+47 x PRI = MOA+203, their sum MOA+79) and nothing is held.
"""

from __future__ import annotations

import re
import shutil
import urllib.request
from decimal import Decimal
from pathlib import Path
from typing import Any

import odoorpc
import pytest
from ruamel.yaml import YAML

from gateway.odoo.sandbox import SandboxServer
from tests.helpers.gateway import GatewayProcess, Workspace
from tests.helpers.net import free_port
from tests.helpers.wait import wait_for
from tests.odoo.test_cross15_cases_e2e import OURS, delivered, odoo_settings
from tests.odoo.test_extraction import deliver, invoice
from tests.odoo.test_vendor16_acks import expected, po_lines, x12_855
from tests.odoo.test_vendor_bill_checks import x12_810
from tests.odoo.test_vendor_odd import purchase
from tests.odoo.test_vendor_receipts_pipeline import asn

pytestmark = pytest.mark.parametrize("sandbox", [17, 19], ids=["odoo17", "odoo19"], indirect=True)

EXAMPLES = Path(__file__).resolve().parents[2] / "gateway" / "examples"
EH_ORDER = EXAMPLES / "samples" / "eurohandel" / "ORDERS_4500012345.edi"


def workspace(root: Path, server: SandboxServer) -> Workspace:
    """Widget Works (vendor, X12 004010 base profiles) and EuroHandel (the example partner file and profiles, routed
    to its EDI desk), files in through the shared inbox and out to folders."""
    vendor = {"name": "Widget Works", "odoo": {"partner_ref": "WIDGETWORKS", "validate_receipts": True},
              "x12": {"ids": [{"qualifier": "ZZ", "id": "WIDGETWORKS"}], "gs_ids": ["WIDGETWORKS"], "ack": "none"},
              "inbound": [{"channel": "folder"}],
              "outbound": {"channel": "folder", "path": str(root / "sent" / "widgetworks")},
              "documents": [{"type": t, "direction": "in", "profile": f"x12-004010-{t}"} for t in ("855", "856", "810")]}
    retailer = YAML(typ="safe").load((EXAMPLES / "partners" / "eurohandel.yaml").read_text())
    retailer["edifact"]["recipient_internal"] = ["EDI-IN"]
    retailer["outbound"] = {"channel": "folder", "path": str(root / "sent" / "eurohandel")}
    retailer.pop("id")
    ops = {"enabled": True, "host": "127.0.0.1", "port": free_port(), "min_free_mb": 0}
    ws = Workspace.create(root, {"odoo": odoo_settings(server), "our_ids": OURS, "ops": ops},
                          partners={"widgetworks": vendor, "eurohandel": retailer})
    for profile in (EXAMPLES / "translations").glob("eurohandel-*.yaml"):
        shutil.copy(profile, root / "translations")
    return ws


def settled(ws: Workspace, doc_type: str, count: int) -> list[dict[str, Any]]:
    """The `count` inbound messages of `doc_type`, once each is done or quarantined."""
    found: list[dict[str, Any]] = wait_for(
        lambda: [m for m in ws.messages(direction="in", doc_type=doc_type) if m["state"] in ("done", "quarantined")]
        if len([m for m in ws.messages(direction="in", doc_type=doc_type)
                if m["state"] in ("done", "quarantined")]) >= count else None, timeout=60, message=doc_type)
    assert [m["state"] for m in found] == ["done"] * count, [m["last_error"] for m in found]
    return found


def edifact(text: str) -> list[str]:
    return [s.strip() for s in text.split("'") if s.strip()]


def test_a_vendors_855_856_810_and_a_retailers_order_desadv_invoic_in_one_day(
        tmp_path: Path, sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    po, name = purchase(odoo, [(1, 10, 7.5), (2, 6, 5.25)])
    ws = workspace(tmp_path / "gw", sandbox)
    with GatewayProcess(ws.config) as gw:
        # the vendor's 855: several ACKs a line
        ws.drop("855_WW.edi", x12_855(801, name, [
            "PO1*1*10*EA*7.50**VN*WW-WB-100", "ACK*IA*4*EA*068*20261205", "ACK*IB*6*EA*068*20261220",
            "PO1*2*6*EA*5.25**VN*WW-WR-200", "ACK*IA*2*EA", "ACK*IR*4*EA"]))
        settled(ws, "855", 1)
        rows = po_lines(odoo, po)
        assert [row[:3] for row in rows[:3]] == [(1, 4.0, "2026-12-05"), (2, 2.0, rows[1][2]), (1, 6.0, "2026-12-20")]
        assert rows[2][3].endswith("(backordered by the vendor, line 1)"), rows
        assert rows[3][3] == ("EDI order acknowledgment SO-801 (000000801/0001): line 1: 4 accepted for 2026-12-05, "
                              "6 backordered to 2026-12-20; line 2: 2 accepted, 4 rejected"), rows
        assert [(p, q) for p, q, _ in expected(odoo, po)] == [(1, 4.0), (2, 2.0), (1, 6.0)]

        # its 856: the 4 blue and the 2 red arrive, the receipt validated
        ws.drop("856_WW.edi", asn(802, "00", "ASN-WW-1", name, [], items=[
            "HL*4*3*I", "LIN*1*VN*WW-WB-100", "SN1**4*EA", "HL*5*3*I", "LIN*2*VN*WW-WR-200", "SN1**2*EA"]))
        settled(ws, "856", 1)
        lines = odoo.execute_kw("purchase.order.line", "search_read", [[("order_id", "=", po),
                                                                        ("product_id", "!=", False)]],
                                {"fields": ["product_id", "product_qty", "qty_received"], "order": "sequence,id"})
        assert [(r["product_id"][0], r["product_qty"], r["qty_received"]) for r in lines] == [
            (1, 4.0, 4.0), (2, 2.0, 2.0), (1, 6.0, 0.0)], lines
        assert [(p, q) for p, q, _ in expected(odoo, po)] == [(1, 6.0)]          # the backorder still expected

        # its 810, CTT02 7 for lines of 6: a draft bill on the PO's lines, its EDI check noted
        bill_810 = x12_810(803, "WW-INV-801", name, ["IT1*1*4*EA*7.50**VN*WW-WB-100",
                                                     "IT1*2*2*EA*5.25**VN*WW-WR-200"], ["TDS*4050"])
        ws.drop("810_WW.edi", bill_810.replace(b"CTT*2~", b"CTT*2*7~"))
        [message] = settled(ws, "810", 1)
        page = f"http://127.0.0.1:{ws.settings['ops']['port']}/messages/{message['id']}"
        with urllib.request.urlopen(page, timeout=10) as answer:       # the status page's view of the 810
            text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", answer.read().decode()))
        assert "Findings (1)" in text and "quantity total 7 but the lines add up to 6" in text, text
        [bill] = odoo.execute_kw("account.move", "search_read", [[("ref", "=", "WW-INV-801")]], {
            "fields": ["move_type", "state", "amount_untaxed", "narration", "invoice_line_ids"]})
        assert (bill["move_type"], bill["state"], bill["amount_untaxed"]) == ("in_invoice", "draft", 40.5), bill
        assert "EDI check: totals: quantity total 7 but the lines add up to 6" in bill["narration"], bill
        billed = odoo.execute_kw("account.move.line", "read", [bill["invoice_line_ids"], [
            "quantity", "price_unit", "purchase_line_id"]])
        assert sorted((r["quantity"], r["price_unit"], r["purchase_line_id"][0]) for r in billed
                      if r["purchase_line_id"]) == sorted((r["qty_received"], u, r["id"])
                                                          for r, u in zip(lines[:2], (7.5, 5.25), strict=True))

        # the retailer's order, answered, shipped and invoiced
        ws.drop(EH_ORDER.name, EH_ORDER.read_bytes())
        settled(ws, "ORDERS", 1)
        [so] = odoo.execute_kw("sale.order", "search", [[("client_order_ref", "=", "4500012345")]])
        odoo.execute_kw("sale.order", "action_confirm", [[so]])
        deliver(odoo, so)
        odoo.execute_kw("account.move", "action_post", [[invoice(odoo, so)]])
        contrl, notice, bill_out = (edifact(delivered(ws, t)) for t in ("CONTRL", "DESADV", "INVOIC"))
        for message in (contrl, notice, bill_out):
            unb = next(s for s in message if s.startswith("UNB+"))
            assert unb.split("+")[3] == "4012345000009:14:EDI-IN" and unb.split("+")[2] == "0614141000005:14", unb
        header = notice[notice.index(next(s for s in notice if s.startswith("RFF+"))):]
        assert [s for s in notice if s.startswith("RFF+ON")] == ["RFF+ON:4500012345"], notice
        assert header[:2] == ["RFF+ON:4500012345", "DTM+171:20261127:102"], header[:3]
        assert footed(bill_out) == Decimal("1440.00"), bill_out       # 600 + 420 + 420, EuroHandel's own figures
        assert [s for s in bill_out if s.startswith("RFF+ON")] == ["RFF+ON:4500012345"], bill_out
        held = [(m["doc_type"], m["last_error"]) for m in ws.messages(state="quarantined")]
        assert not held, held
        assert "Traceback" not in gw.output()


def footed(segments: list[str]) -> Decimal:
    """The INVOIC's MOA+79 after checking each line group (LIN to the next LIN or UNS) as a retailer's system foots
    it: QTY+47 x PRI+AAA (per its basis) is the line's MOA+203, and those add up to MOA+79."""
    groups: list[dict[str, list[str]]] = []
    total = Decimal(-1)
    for seg in segments:
        tag, _, rest = seg.partition("+")
        if tag == "LIN":
            groups.append({})
        elif tag == "UNS":
            groups.append({"": []})
        elif groups and tag in ("QTY", "PRI", "MOA"):
            parts = rest.split(":")
            groups[-1].setdefault(f"{tag}{parts[0]}", parts)
        if seg.startswith("MOA+79:"):
            total = Decimal(seg.split(":")[1])
    lines = Decimal(0)
    for group in groups[:-1]:
        price = group["PRIAAA"]
        per = Decimal(price[4]) if len(price) > 4 and price[4] else Decimal(1)
        amount = Decimal(group["MOA203"][1])
        assert (Decimal(group["QTY47"][1]) * Decimal(price[1]) / per).quantize(Decimal("0.01")) == amount, group
        lines += amount
    assert lines == total, (lines, total)
    return total
