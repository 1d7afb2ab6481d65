"""An 824 that gives one 810 several OTIs, through the real daemon: each counts.

Retailers write an OTI per error, or the set's own OTI (TA, TE) beside an item's (IR). Only the first OTI matching a
document was applied, the others skipped as 'applied before' (the guard against a re-run after a crash): an 824 whose
first OTI accepted the invoice with an error and whose next ones rejected it left the invoice `done`, the refusal
lost; two rejecting OTIs kept only the first one's error in the reason a person reads."""

from __future__ import annotations

from pathlib import Path

from gateway.formats.base import Syntax
from gateway.outbound.rendered import RenderedDocument
from tests.helpers.gateway import GatewayProcess
from tests.helpers.queued_outbound import queued
from tests.helpers.wait import wait_for

THEM, US = "925485US00", "5015550123"


def envelope(control: int, body: list[str], functional_id: str, sender: str, receiver: str) -> bytes:
    segs = [*body]
    return (f"ISA*00*          *00*          *ZZ*{sender:<15}*ZZ*{receiver:<15}*261201*0930*U*00401*{control:09d}*0*P*>~"
            f"GS*{functional_id}*{sender}*{receiver}*20261201*0930*{control}*X*004010~"
            + "".join(s + "~" for s in segs)
            + f"SE*{len(segs)}*0001~GE*1*{control}~IEA*1*{control:09d}~").encode("latin-1")


def test_every_oti_for_our_invoice_counts_a_later_refusal_and_each_error(tmp_path: Path) -> None:
    partner = {"name": "ValuWay", "x12": {"ids": [{"qualifier": "ZZ", "id": THEM}], "version": "004010",
                                          "ack": "none"},
               "our_ids": {"x12": {"qualifier": "ZZ", "id": US}},
               "outbound": {"channel": "folder", "path": str(tmp_path / "sent")},
               "documents": [{"type": "810", "direction": "out", "profile": "x12-004010-810"}]}
    ws, [bill] = queued(tmp_path / "gw", "valuway", partner, [
        RenderedDocument("810", Syntax.X12, "valuway_810_77.x12",
                         envelope(77, ["ST*810*0001", "BIG*20261201*INV-77**PO-1"], "IN", US, THEM),
                         control_number="000000077", group_number="77", transaction_numbers=["0001"],
                         number="INV-77")])
    with GatewayProcess(ws.config):
        wait_for(lambda: [m for m in ws.messages(id=bill) if m["state"] == "done"], message="the 810 delivered")
        # When the retailer's 824 accepts the set with an error, then rejects it twice, each OTI with its TED
        ws.drop("824.x12", envelope(9001, [
            "ST*824*0001", "BGN*00*AA0001*20261201",
            "OTI*TE*IV*INV-77", "TED*007*CARRIER SCAC NOT ON FILE",
            "OTI*TR*IV*INV-77", "TED*024*PRICE DOES NOT MATCH PO",
            "OTI*TR*IV*INV-77", "TED*025*QUANTITY EXCEEDS PO"], "AG", THEM, US))
        wait_for(lambda: [m for m in ws.messages(filename="824.x12") if m["state"] in ("done", "quarantined")],
                 message="the 824 read")
    [now] = ws.messages(id=bill)
    assert now["state"] == "rejected", [e["reason"] for e in ws.events(bill)]
    assert "error 024: PRICE DOES NOT MATCH PO" in str(now["last_error"]), now["last_error"]
    assert "error 025: QUANTITY EXCEEDS PO" in str(now["last_error"]), now["last_error"]
