"""A big-box retailer on X12 004010 VICS onboarded with YAML only, end to end through the real daemon and the Odoo
sandbox over HTTP, its documents checked element by element as its implementation guide asks.

ValuWay (a Walmart-like guide: ISA 08 / 925485US00, our id 12 / 5015550123) sends an 850 with three N1 loops besides
the ship-to, PER contacts, FOB, ITD, six DTMs, TD5, N9/MSG, PO1 lines naming UP, IN, VN and BO (the buyer's colour)
in any order, CTP, PID*F, PO4, SAC at header and line, SDQ store allocations, CTT and AMT. It gets a 997, an 855
when the order is confirmed, a cross-dock pick-and-pack 856 when the delivery is done and an 810 when the invoice is
posted; each is read back here as the retailer's EDI system would check it.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import odoorpc
import pytest

from gateway.odoo.sandbox import SandboxServer
from tests.helpers.gateway import GatewayProcess, Workspace
from tests.helpers.wait import wait_for
from tests.odoo.test_cross15_cases_e2e import odoo_settings
from tests.odoo.test_extraction import deliver, invoice

pytestmark = pytest.mark.parametrize("sandbox", [17, 19], ids=["odoo17", "odoo19"], indirect=True)

SAMPLES = Path(__file__).parent / "samples"
PO = "0458812345"


PROFILES = {
    # its CSH*N (no back order) is a line in the order's note for the warehouse, which the base does not read
    "valuway-850": """extends: x12-004010-850
description: ValuWay 850 (004010 VICS)
codes:
  sales_requirements: {N: "no back order (CSH N): ship what is in stock, the rest is cancelled"}
structure:
  sales_requirement:
    seg: CSH
    read_only: true
    each: notes
    value: {at: 1, codes: sales_requirements}
""",
    "valuway-855": "extends: x12-004010-855\ndescription: ValuWay 855 (004010 VICS)\n",
    # its guide: TD503 the carrier's SCAC (Odoo has carrier names only: a code list from them), each store's order
    # level marked N1*BY*...*92*store, as Walmart's cross-dock 856 has it
    "valuway-856": """extends: x12-004010-856
description: ValuWay 856, pick and pack, cross-dock
sscc: {extension: "0", company_prefix: "0614141"}
codes:
  scac: {UPSN: UPS Ground, FDEG: FedEx Ground}
  party_roles: {_out: {mark_for: BY}}
structure:
  shipment:
    children:
      carrier:
        fields:
          _id_qualifier: {at: 2, default: "2", if: carrier_name}
          carrier_scac: {at: 3, from: carrier_name, codes: scac}
""",
    "valuway-810": "extends: x12-004010-810\ndescription: ValuWay 810 (004010 VICS)\n",
}


def workspace(root: Path, server: SandboxServer, profiles: dict[str, str] | None = None,
              **odoo: Any) -> Workspace:
    """ValuWay on profiles that only extend the base ones; files in through the inbox, out to a folder."""
    out = {"direction": "out"}
    partner = {"name": "ValuWay Stores",
               "odoo": {"partner_ref": "BIGBOX", "currency": "USD", "tax_type": "sales",
                        "charge_products": {"discount": "SVC-ALLOW", "freight": "SVC-FREIGHT"}, **odoo},
               "x12": {"ids": [{"qualifier": "08", "id": "925485US00"}], "gs_ids": ["925485US00"],
                       "version": "004010VICS", "ack": "997"},
               "our_ids": {"x12": {"qualifier": "12", "id": "5015550123"}},
               "inbound": [{"channel": "folder"}],
               "outbound": {"channel": "folder", "path": str(root / "sent")},
               "documents": [{"type": "850", "direction": "in", "profile": "valuway-850"},
                             {**out, "type": "855", "profile": "valuway-855", "trigger": "order_confirmed"},
                             {**out, "type": "856", "profile": "valuway-856", "trigger": "delivery_done"},
                             {**out, "type": "810", "profile": "valuway-810", "trigger": "invoice_posted"}]}
    ours = {"x12": {"qualifier": "ZZ", "id": "ACMEDIST"}, "gs": "ACMEDIST"}
    ws = Workspace.create(root, {"odoo": odoo_settings(server), "our_ids": ours}, partners={"valuway": partner})
    for name, text in {**PROFILES, **(profiles or {})}.items():
        (root / "translations" / f"{name}.yaml").write_text(text)
    return ws


def charge_product(odoo: odoorpc.ODOO, code: str = "SVC-ALLOW", name: str = "Retailer allowance") -> None:
    """A service product the partner's allowances or charges post on (`odoo.charge_products`)."""
    kind = {"type": "service"} if int(odoo.version.split(".")[0]) >= 17 else {"detailed_type": "service"}
    odoo.execute_kw("product.product", "create", [{"name": name, "default_code": code, **kind,
                                                   "list_price": 0.0, "invoice_policy": "order"}])


def _finished(ws: Workspace, direction: str, doc_type: str, states: tuple[str, ...],
              count: int) -> list[dict[str, Any]]:
    """The messages of `doc_type` in `states`, once there are `count` of them (else [] to wait on)."""
    found = [m for m in ws.messages(direction=direction, doc_type=doc_type) if m["state"] in states]
    return found if len(found) >= count else []


def documents(ws: Workspace, doc_type: str, count: int = 1) -> list[list[list[str]]]:
    """The X12 segments of each document of `doc_type` the partner got, once `count` of them are out."""
    messages = wait_for(lambda: _finished(ws, "out", doc_type, ("sent", "done", "quarantined", "dead"), count),
                        timeout=60, message=f"the {doc_type}")
    out = []
    for message in messages:
        assert message["state"] in ("sent", "done"), message
        text = ws.archived(message["sha256"]).read_bytes().decode("latin-1")
        out.append([s.strip().split("*") for s in text.split("~") if s.strip()])
    return out


def inbound_done(ws: Workspace, doc_type: str = "850", count: int = 1) -> list[dict[str, Any]]:
    return wait_for(lambda: _finished(ws, "in", doc_type, ("done", "quarantined", "dead"), count),
                    timeout=60, message=f"the {doc_type}")


def taken(ws: Workspace, sample: str) -> list[list[str]]:
    """Drops a sample file into the inbox; once its 850s are posted, the 997 that answered it."""
    ws.drop(sample, (SAMPLES / sample).read_bytes())
    [inbound] = inbound_done(ws)
    assert inbound["state"] == "done", inbound["last_error"]
    [ack] = documents(ws, "997")
    return ack


def seg(segments: list[list[str]], tag: str, *head: str) -> list[str]:
    return next(s for s in segments if s[0] == tag and s[1:1 + len(head)] == list(head))


def segs(segments: list[list[str]], tag: str) -> list[list[str]]:
    return [s for s in segments if s[0] == tag]


def envelope(doc: list[list[str]], doc_type: str) -> tuple[int, int]:
    """Checks the ISA/GS/ST envelope the retailer's translator checks first; returns (ISA13, GS06)."""
    isa, gs, st = doc[0], doc[1], doc[2]
    assert isa[5:9] == ["12", "5015550123     ", "08", "925485US00     "], isa     # our id for it, its id
    assert gs[2:4] == ["5015550123", "925485US00"] and gs[8] == "004010VICS", gs
    assert st[1] == doc_type and doc[-3] == ["SE", str(len(doc) - 4), st[2]], (st, doc[-3])
    assert doc[-2] == ["GE", "1", gs[6]] and doc[-1] == ["IEA", "1", isa[13]], doc[-2:]
    return int(isa[13]), int(gs[6])


def sscc_ok(sscc: str) -> bool:
    digits = [int(d) for d in sscc]
    total = sum(d * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits[:-1])))
    return len(sscc) == 18 and (10 - total % 10) % 10 == digits[-1]


def check_hierarchy(asn: list[list[str]]) -> dict[str, list[list[str]]]:
    """HL01 counts up from 1, HL02 is the level above (O under S, P under O, I under P), HL04 says whether a level
    has children, CTT01 counts the HLs; returns the HL segments by level code."""
    hls = segs(asn, "HL")
    level_of = {hl[1]: hl[3] for hl in hls}
    above = {"S": None, "O": "S", "P": "O", "I": "P"}
    for number, hl in enumerate(hls, 1):
        assert hl[1] == str(number), hl
        parent = hl[2] or None
        assert (level_of[parent] if parent else None) == above[hl[3]], hl
        children = any(h[2] == hl[1] for h in hls)
        assert hl[4] == ("1" if children else "0"), hl
    assert seg(asn, "CTT")[1] == str(len(hls))
    by_level: dict[str, list[list[str]]] = {}
    for hl in hls:
        by_level.setdefault(hl[3], []).append(hl)
    return by_level


def footed(bill: list[list[str]]) -> Decimal:
    """TDS01 as the retailer adds it: IT102 x IT104, plus charges less allowances (SAC05), plus TXI02."""
    lines = sum((Decimal(s[2]) * Decimal(s[4]) for s in segs(bill, "IT1")), Decimal(0))
    sacs = sum((Decimal(s[5]) / 100 * (-1 if s[1] == "A" else 1) for s in segs(bill, "SAC")), Decimal(0))
    taxes = sum((Decimal(s[2]) for s in segs(bill, "TXI")), Decimal(0))
    return lines + sacs + taxes


def test_a_vics_retailer_is_acknowledged_answered_shipped_and_invoiced_as_its_guide_asks(
        tmp_path: Path, sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    """The whole day of one 850 and everything sent back, each document read as the retailer's system reads it."""
    charge_product(odoo)
    ws = workspace(tmp_path / "gw", sandbox)
    with GatewayProcess(ws.config) as gw:
        ack = taken(ws, "hunt17_valuway_850.edi")
        controls = [envelope(ack, "997")]
        assert seg(ack, "AK1") == ["AK1", "PO", "4711"] and seg(ack, "AK2") == ["AK2", "850", "0001"]
        assert seg(ack, "AK5") == ["AK5", "A"] and seg(ack, "AK9") == ["AK9", "A", "1", "1", "1"], ack
        [so] = odoo.execute_kw("sale.order", "search", [[("client_order_ref", "=", PO)]])
        [order] = odoo.execute_kw("sale.order", "read", [[so], ["amount_untaxed", "note"]])
        assert order["amount_untaxed"] == 916.0, order          # 972 of goods, less 50 and a 2 % line promo
        assert "no back order (CSH N)" in order["note"], order["note"]     # the warehouse must not backorder it
        odoo.execute_kw("sale.order", "action_confirm", [[so]])

        [po_ack] = documents(ws, "855")
        controls.append(envelope(po_ack, "855"))
        assert seg(po_ack, "BAK")[1:4] == ["00", "AD", PO], seg(po_ack, "BAK")
        po1s = segs(po_ack, "PO1")
        assert [p[1:4] for p in po1s] == [["001", "24", "EA"], ["002", "4", "CA"], ["003", "6", "EA"]], po1s
        assert "BB-1001" in po1s[0] and "BLUE" in po1s[0] and "BB-1002" in po1s[1], po1s     # IN and BO echoed
        assert [a[1:4] for a in segs(po_ack, "ACK")] == [["IA", "24", "EA"], ["IA", "4", "CA"], ["IA", "6", "EA"]]
        assert seg(po_ack, "CTT")[1:3] == ["3", "34"]

        deliver(odoo, so)
        [asn] = documents(ws, "856")
        controls.append(envelope(asn, "856"))
        levels = check_hierarchy(asn)
        assert len(levels["S"]) == 1 and len(levels["O"]) == 2 and len(levels["P"]) == 2, levels   # 2 stores
        assert seg(asn, "BSN")[5] == "0001" and seg(asn, "TD1")[1:3] == ["CTN25", "2"], asn
        assert all(p[1] == PO for p in segs(asn, "PRF")), segs(asn, "PRF")                  # PRF01 = BEG03
        ssccs = [m[2] for m in segs(asn, "MAN")]
        assert len(ssccs) == 2 and all(sscc_ok(s) and s.startswith("00614141") for s in ssccs), ssccs
        stores = [n for hl in levels["O"] for n in segs(asn[asn.index(hl):], "N1")[:1]]
        assert [n[1:2] + n[3:5] for n in stores] == [["BY", "92", "1234"], ["BY", "92", "5678"]], stores
        assert seg(asn, "TD5")[1:4] == ["B", "2", "UPSN"], seg(asn, "TD5")
        shipped = sum(Decimal(s[2]) for s in segs(asn, "SN1") if s[3] == "EA")
        assert shipped == 2 * (12 + 3), segs(asn, "SN1")

        move = invoice(odoo, so)
        odoo.execute_kw("account.move", "action_post", [[move]])
        [bill] = documents(ws, "810")
        controls.append(envelope(bill, "810"))
        it1s = segs(bill, "IT1")
        assert [i[1] for i in it1s] == ["001", "002", "003"], it1s          # the allowance is no item it ordered
        summary = bill[bill.index(seg(bill, "TDS")):]                 # the PO's own SAC, and its line's in IT1 001
        assert seg(summary, "SAC", "A")[2] == "C310" and seg(summary, "SAC", "A")[5] == "5000", segs(bill, "SAC")
        assert [s[2] + s[5] for s in segs(bill[:bill.index(seg(bill, "IT1", "002"))], "SAC")] == ["C310600"], bill
        assert seg(bill, "TDS") == ["TDS", "91600"] and footed(bill) == Decimal("916.00"), bill
        assert seg(bill, "CTT")[1:3] == ["3", "34"], seg(bill, "CTT")
        assert seg(bill, "BIG")[3:5] == ["20261127", PO], seg(bill, "BIG")     # BIG03: the PO's date (BEG05)
        assert seg(bill, "DTM", "011")[2] == seg(asn, "DTM", "011")[2], bill     # shipped: the day the 856 says
        itd = seg(bill, "ITD")        # the terms the PO stated (ITD*01*3*2**30**45) and Odoo's customer has
        assert itd[1:4] == ["01", "3", "2"] and itd[5] == "30" and itd[7] == "45", itd
        assert seg(po_ack, "BAK")[4] == "20261127" and all(p[4] == "20261127" for p in segs(asn, "PRF"))

        assert [c[0] for c in controls] == sorted({c[0] for c in controls}), controls   # each a new ISA13
        assert not ws.messages(state="quarantined")
        assert "Traceback" not in gw.output()


def test_two_pos_in_one_group_with_crlf_lower_case_and_trailing_empty_elements_each_go_their_own_way(
        tmp_path: Path, sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    """One interchange, CR/LF after each segment, two 850s in its group: one for store 5678 by its store number
    (N1*ST*...*92*5678), lines by UK and IN with trailing empty elements, one of them 2 CA with a bare PO4*12; one
    for the DC under a PO number in lower case with a freight charge and an N9/MSG note. The 997 accepts both sets
    in one AK1 group; each PO is its own order, 856 and 810, under its own control numbers, the PO number echoed
    as sent."""
    charge_product(odoo)
    charge_product(odoo, "SVC-FREIGHT", "Freight")
    [bigbox] = odoo.execute_kw("res.partner", "search", [[("ref", "=", "BIGBOX")]])
    odoo.execute_kw("res.partner", "create", [{"name": "ValuWay Store 5678", "parent_id": bigbox, "type": "delivery",
                                               "ref": "5678", "street": "5678 Main St", "city": "Springdale"}])
    # freight mapped by its kind alone: the 810 gives it the code the PO gave it (SAC*C*D240), not a SAC without one
    ws = workspace(tmp_path / "gw", sandbox, charge_products={"discount": "SVC-ALLOW", "charge": "SVC-FREIGHT"})
    with GatewayProcess(ws.config) as gw:
        ack = taken(ws, "hunt17_valuway_850_two.edi")
        envelope(ack, "997")
        assert segs(ack, "AK2") == [["AK2", "850", "0001"], ["AK2", "850", "0002"]], ack
        assert segs(ack, "AK5") == [["AK5", "A"], ["AK5", "A"]] and seg(ack, "AK9") == ["AK9", "A", "2", "2", "2"]
        orders = {}
        for po in ("0458812346", "po-lc-77"):
            [so] = odoo.execute_kw("sale.order", "search", [[("client_order_ref", "=", po)]])
            orders[po] = so
            odoo.execute_kw("sale.order", "action_confirm", [[so]])
        [store] = odoo.execute_kw("sale.order", "read", [[orders["0458812346"]], ["partner_shipping_id"]])
        assert store["partner_shipping_id"][1].endswith("ValuWay Store 5678"), store
        acks = documents(ws, "855", 2)
        for so in orders.values():
            deliver(odoo, so)
        asns = documents(ws, "856", 2)
        for so in orders.values():
            odoo.execute_kw("account.move", "action_post", [[invoice(odoo, so)]])
        bills = documents(ws, "810", 2)
        by_po = {seg(b, "BIG")[4]: b for b in bills}
        assert set(by_po) == set(orders), by_po.keys()
        dc = by_po["po-lc-77"]
        assert [i[1:4] for i in segs(dc, "IT1")] == [["001", "6", "EA"]] and seg(dc, "SAC", "C")[2] == "D240", dc
        assert seg(dc, "TDS") == ["TDS", "26700"] and footed(dc) == Decimal("267.00"), dc     # 252 + 15 freight
        lines = segs(by_po["0458812346"], "IT1")
        assert [i[1:5] for i in lines] == [["1", "12", "EA", "12.5"], ["2", "2", "CA", "105"]], lines
        assert {seg(a, "PRF")[1] for a in asns} == set(orders) and {seg(a, "BAK")[3] for a in acks} == set(orders)
        assert seg(by_po["0458812346"], "N1", "ST")[3:5] == ["92", "5678"], segs(by_po["0458812346"], "N1")
        numbers = [envelope(d, d[2][1]) for d in [ack, *acks, *asns, *bills]]
        assert len({n for n, _ in numbers}) == len(numbers) and len({g for _, g in numbers}) == len(numbers), numbers
        assert not ws.messages(state="quarantined")
        assert "Traceback" not in gw.output()
