"""A VICS retailer's 824 Application Advice through the real daemon, answering the 856 and 810 the scheduler sent from
the Odoo sandbox: OTI TR rejects our invoice (TED and NTE its reason), OTI TA with our GS06/ST02 accepts the ship
notice, and the 824 gets the 997 the partner's settings ask for, accepting it.

Before, the 824 was read generically, translated by no profile and quarantined, and the 810 stayed as its 997 left
it: a retailer's refused invoice looked on its way to payment.
"""

from __future__ import annotations

from pathlib import Path

import odoorpc
import pytest

from gateway.formats import x12
from gateway.odoo.sandbox import SandboxServer
from tests.e2e.test_hunt17_x12_retailer import PO, charge_product, documents, seg, taken, workspace
from tests.helpers.gateway import GatewayProcess, Workspace, cli
from tests.helpers.wait import wait_for
from tests.odoo.test_extraction import deliver, invoice


def advice(control: int, body: list[str]) -> bytes:
    """An 824 from ValuWay to us in interchange `control`, group `control`."""
    segs = ["ST*824*0001", *body]
    return (f"ISA*00*          *00*          *08*925485US00     *12*5015550123     *261201*0930*U*00401*"
            f"{control:09d}*0*P*>~GS*AG*925485US00*5015550123*20261201*0930*{control}*X*004010VICS~"
            + "".join(s + "~" for s in segs)
            + f"SE*{len(segs) + 1}*0001~GE*1*{control}~IEA*1*{control:09d}~").encode("latin-1")


def read(ws: Workspace, name: str) -> dict[str, object]:
    [message] = wait_for(lambda: [m for m in ws.messages(filename=name)
                                  if m["state"] in ("done", "quarantined", "dead")], timeout=60, message=name)
    return message


@pytest.mark.parametrize("sandbox", [17], ids=["odoo17"], indirect=True)
def test_a_retailers_824_rejects_our_810_by_its_number_and_accepts_our_856_by_its_envelope(
        tmp_path: Path, sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    charge_product(odoo)
    ws = workspace(tmp_path / "gw", sandbox)
    with GatewayProcess(ws.config) as gw:
        taken(ws, "hunt17_valuway_850.edi")
        [so] = odoo.execute_kw("sale.order", "search", [[("client_order_ref", "=", PO)]])
        odoo.execute_kw("sale.order", "action_confirm", [[so]])
        documents(ws, "855")
        deliver(odoo, so)
        [asn] = documents(ws, "856")
        odoo.execute_kw("account.move", "action_post", [[invoice(odoo, so)]])
        [bill] = documents(ws, "810")
        [sent_asn] = ws.messages(direction="out", doc_type="856")
        [sent_bill] = ws.messages(direction="out", doc_type="810")
        invoice_number = seg(bill, "BIG")[2]

        # Given the retailer's application accepts the ship notice with an error, naming our GS06 and ST02
        ws.drop("824_asn.x12", advice(9001, [
            "BGN*00*AA0001*20261201", f"OTI*TE*SI*{seg(asn, 'BSN')[2]}*****{seg(asn, 'GS')[6]}*{seg(asn, 'ST')[2]}*856",
            "TED*007*CARRIER SCAC NOT ON FILE*TD5*12"]))
        # and rejects the invoice by its number, with an error and a note
        ws.drop("824_bill.x12", advice(9002, [
            "BGN*00*AA0002*20261201", "N1*BY*VALUWAY*92*0458", f"OTI*TR*IV*{invoice_number}", f"REF*PO*{PO}",
            "TED*024*PRICE DOES NOT MATCH PO*IT1*7", "NTE*GEN*LINE 002 BILLED 3.50 PO SAYS 3.25"]))

        # Then both are read as acknowledgements
        assert read(ws, "824_asn.x12")["state"] == "done"
        assert read(ws, "824_bill.x12")["state"] == "done"
        # the 810 is rejected with the partner's reason, for a person
        [bill_now] = wait_for(lambda: [m for m in ws.messages(id=sent_bill["id"]) if m["state"] == "rejected"],
                              message="our 810 rejected")
        assert "rejected by valuway's application (824 AA0002 in" in str(bill_now["last_error"]), bill_now
        assert "error 024: PRICE DOES NOT MATCH PO (segment IT1 at 7); LINE 002 BILLED 3.50 PO SAYS 3.25" in \
            str(bill_now["last_error"]), bill_now
        assert str(sent_bill["id"]) in cli("status", config=ws.config).stdout
        # the 856's acceptance, with the partner's error, is an event on it; it stays done
        events = [str(e["reason"]) for e in ws.events(str(sent_asn["id"]))]
        assert any(r.startswith("accepted with errors by valuway's application (824 AA0001 in") and
                   r.endswith(": error 007: CARRIER SCAC NOT ON FILE (segment TD5 at 12)") for r in events), events
        assert ws.messages(id=sent_asn["id"])[0]["state"] == "done"
        # and each 824 got the 997 ValuWay's settings ask for, accepting it (AG group, AK5 A)
        answers = documents(ws, "997", 3)[1:]
        for ack in answers:
            assert seg(ack, "AK1")[1] == "AG" and seg(ack, "AK2")[1] == "824", ack
            assert seg(ack, "AK5") == ["AK5", "A"] and seg(ack, "AK9")[1] == "A", ack
        assert "Traceback" not in gw.output()


def test_the_824_is_checked_against_its_own_table() -> None:
    """An 824 is validated (it was read generically, 'no structure definition for 824'): a good one has no finding,
    an OTI without the number it answers (OTI03 is mandatory) is an error, a TED before any OTI a finding (out of
    sequence), each named in the 997."""
    oti = "OTI*TE*IV*INV-1***20261201*0930*12*0001*810"
    good = x12.parse(advice(9003, ["BGN*00*AA0003*20261201", "N1*BY*VALUWAY*92*0458", oti, "REF*PO*0458812345",
                                   "DTM*050*20261201",
                                   "TED*024*PRICE DOES NOT MATCH PO*IT1*7*4", "NTE*GEN*CHECK LINE 2"]))
    assert [str(i) for i in good.issues] == []
    no_number = x12.parse(advice(9004, ["BGN*00*AA0004*20261201", "OTI*TR*IV"]))
    assert any(i.segment_tag == "OTI" and i.element_position == 3 for i in no_number.errors), no_number.issues
    misplaced = x12.parse(advice(9005, ["BGN*00*AA0005*20261201", "TED*024*PRICE", "OTI*TR*IV*INV-1"]))
    assert any(i.segment_tag == "TED" and "out of sequence" in i.message for i in misplaced.issues), misplaced.issues
