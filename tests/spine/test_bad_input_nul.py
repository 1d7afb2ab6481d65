"""A NUL byte inside an element (a legacy export padding its fields C-style) is refused when the file is read, with
a negative acknowledgement naming the element, not accepted and then refused by Odoo.

Found sending the sample EuroHandel ORDERS with a NUL in its order number through the daemon and the Odoo sandbox:
the CONTRL said UCI/UCM 7 (acknowledged), then posting quarantined it with "lines[1].description holds a NUL
character ... (its validation warning names the segment and element)", a warning EDIFACT never gave. An X12 set
with one in an optional element (PID05) got 997 AK5 E, "accepted with errors", and met the same end: the partner
was told its order was taken while nothing reached Odoo (PostgreSQL refuses NUL in any text).
"""

from __future__ import annotations

from pathlib import Path

from tests.helpers.edifact import orders
from tests.helpers.gateway import GatewayProcess, Workspace
from tests.helpers.wait import wait_for
from tests.helpers.x12 import purchase_order

OUR_IDS = {"our_ids": {"x12": {"qualifier": "ZZ", "id": "ACMEDIST"}, "gs": "ACMEDIST",
                       "edifact": {"qualifier": "14", "id": "0614141000005"}}}
PARTNERS = {"acme": {"name": "Acme Retail", "x12": {"ids": [{"qualifier": "ZZ", "id": "ACMERETAIL"}]}},
            "euro": {"name": "EuroHandel", "edifact": {"ids": [{"qualifier": "14", "id": "4012345000009"}],
                                                       "contrl": True}}}


def _settled(ws: Workspace, count: int) -> bool:
    return ws.count(direction="in") == count and all(
        m["state"] in ("done", "quarantined") for m in ws.messages(direction="in"))


def _acks(ws: Workspace, message_id: str) -> list[bytes]:
    return [ws.archived(m["sha256"]).read_bytes().replace(b"\n", b"") for m in ws.messages(parent_id=message_id)]


def test_a_nul_in_an_element_is_rejected_at_its_segment_and_the_corrected_resend_goes_through(tmp_path: Path) -> None:
    ws = Workspace.create(tmp_path, OUR_IDS, partners=PARTNERS)
    order = orders(501)
    x12 = purchase_order(502).replace(b"CTT*", b"PID*F****BLUE\x00WIDGET~\nCTT*").replace(b"SE*5*", b"SE*6*")
    with GatewayProcess(ws.config):
        ws.drop("orders.edi", order.replace(b"BGM+220+PO0000501", b"BGM+220+PO0000\x00501"))
        ws.drop("po.x12", x12)
        wait_for(lambda: _settled(ws, 2), message="both read")
        rows = {m["filename"]: m for m in ws.messages(direction="in")}
        # the partner sends the file again without the NUL, under the same interchange number
        ws.drop("orders-again.edi", order)
        wait_for(lambda: _settled(ws, 3), message="the corrected resend read")
        wait_for(lambda: ws.count(direction="out", state="done") == 3, message="three acknowledgements sent")

    edifact = rows["orders.edi"]
    assert edifact["state"] == "quarantined", edifact["last_error"]
    assert ("segment 2 BGM, element 2: data element 1004 (BGM element 2) holds a NUL character (0x00): "
            "'PO0000\\x00501'") in edifact["last_error"]
    [contrl] = _acks(ws, edifact["id"])
    assert b"UCM+1+ORDERS:D:96A:UN:EAN008+4'UCS+2'UCD+21+3'" in contrl, contrl

    assert rows["po.x12"]["state"] == "quarantined"
    assert "segment 4 PID, element 5: PID05 (Description): 'BLUE\\x00WIDGET' contains control characters" \
        in rows["po.x12"]["last_error"]
    [ack] = _acks(ws, rows["po.x12"]["id"])
    assert b"AK3*PID*4*PID*8~AK4*5*352*6*BLUEWIDGET~" in ack and b"AK5*R*5~" in ack, ack

    again = ws.messages(filename="orders-again.edi")[0]
    assert again["state"] == "done", again["last_error"]
    [contrl] = _acks(ws, again["id"])
    assert b"UCI+501+4012345000009:14+0614141000005:14+7'" in contrl
