"""An 824 OTI TH (005010: transaction set on hold) through the real daemon: our 810 is neither accepted nor rejected.

OTI01 codes ending in H were read as acceptances (only R, and E/C/P, were told apart): an invoice the retailer's
application put on hold was marked `done`, 'accepted by ...'s application', and its 997 no longer awaited. It is now
an event on the 810, which keeps waiting for its 997 and for the partner's final answer."""

from __future__ import annotations

from pathlib import Path

from gateway.formats.base import Syntax
from gateway.outbound.rendered import RenderedDocument
from tests.e2e.test_aperak17r_x12_824_otis import THEM, US, envelope
from tests.helpers.gateway import GatewayProcess
from tests.helpers.queued_outbound import queued
from tests.helpers.wait import wait_for


def test_an_810_on_hold_keeps_waiting(tmp_path: Path) -> None:
    partner = {"name": "ValuWay", "x12": {"ids": [{"qualifier": "ZZ", "id": THEM}], "version": "005010",
                                          "ack": "997"},
               "our_ids": {"x12": {"qualifier": "ZZ", "id": US}},
               "outbound": {"channel": "folder", "path": str(tmp_path / "sent")},
               "documents": [{"type": "810", "direction": "out", "profile": "x12-004010-810"}]}
    ws, [bill] = queued(tmp_path / "gw", "valuway", partner, [
        RenderedDocument("810", Syntax.X12, "valuway_810_78.x12",
                         envelope(78, ["ST*810*0001", "BIG*20261201*INV-78**PO-1"], "IN", US, THEM),
                         control_number="000000078", group_number="78", transaction_numbers=["0001"],
                         expects_ack="997", number="INV-78")])
    with GatewayProcess(ws.config):
        wait_for(lambda: [m for m in ws.messages(id=bill) if m["state"] == "sent"], message="the 810 delivered")
        ws.drop("824.x12", envelope(9002, ["ST*824*0001", "BGN*00*AA0002*20261201", "OTI*TH*IV*INV-78",
                                           "TED*ZZZ*AWAITING RECEIPT MATCH"], "AG", THEM, US))
        wait_for(lambda: [m for m in ws.messages(filename="824.x12") if m["state"] in ("done", "quarantined")],
                 message="the 824 read")
    [now] = ws.messages(id=bill)
    reasons = [str(e["reason"]) for e in ws.events(bill)]
    assert now["state"] == "sent", reasons
    assert reasons[-1].startswith("on hold in valuway's application (824 AA0002 in"), reasons
    assert reasons[-1].endswith(": error ZZZ: AWAITING RECEIPT MATCH"), reasons
