"""The same interchange sent again in a new file (a partner's retry when our acknowledgement was late) is a duplicate,
processed once, and the partner is told so where its settings ask for interchange answers: CONTRL 0085 26, TA1 025.

Found sending each file twice through the daemon: an interchange repeated beside a new one got its CONTRL 26 or TA1
025, but a file holding only repeated interchanges, the usual resend, got nothing, so a partner whose EDI system
resends until it hears back heard nothing for the resend.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.helpers.edifact import orders
from tests.helpers.gateway import GatewayProcess, Workspace, cli
from tests.helpers.wait import wait_for
from tests.helpers.x12 import purchase_order

OUR_IDS = {"our_ids": {"x12": {"qualifier": "ZZ", "id": "ACMEDIST"}, "gs": "ACMEDIST",
                       "edifact": {"qualifier": "14", "id": "0614141000005"}}}
PARTNERS = {"acme": {"name": "Acme Retail", "x12": {"ids": [{"qualifier": "ZZ", "id": "ACMERETAIL"}], "ta1": True}},
            "plain": {"name": "Plain Retail", "x12": {"ids": [{"qualifier": "ZZ", "id": "PLAINRETAIL"}]}},
            "euro": {"name": "EuroHandel", "edifact": {"ids": [{"qualifier": "14", "id": "4012345000009"}],
                                                       "contrl": True}}}


def canonical(ws: Workspace, message_id: str) -> str:
    """The documents a message was translated into, one JSON per line, as the journal keeps them."""
    db = sqlite3.connect(f"file:{ws.journal_path}?mode=ro", uri=True)
    try:
        [(blob,)] = db.execute("SELECT content FROM blobs WHERE message_id = ? AND name = 'canonical'",
                               (message_id,)).fetchall()
    finally:
        db.close()
    return str(blob)


def _answers(ws: Workspace, message_id: str) -> list[str]:
    return [ws.archived(m["sha256"]).read_text("latin-1").replace("\n", "") for m in ws.messages(parent_id=message_id)]


def test_a_resent_interchange_is_a_duplicate_the_partner_hears_of(tmp_path: Path) -> None:
    ws = Workspace.create(tmp_path, OUR_IDS, partners=PARTNERS)
    files = {"orders.edi": orders(801), "po.x12": purchase_order(802), "plain.x12": purchase_order(803, "PLAINRETAIL")}
    with GatewayProcess(ws.config):
        for name, data in files.items():
            ws.drop(name, data)
        wait_for(lambda: ws.count(direction="in", state="done") == 3, message="the first copies done")
        for name, data in files.items():
            ws.drop(f"again-{name}", data)
        wait_for(lambda: ws.count(direction="in", state="duplicate") == 3, message="the copies are duplicates")
        wait_for(lambda: ws.messages(direction="out") and all(m["state"] == "done"
                                                               for m in ws.messages(direction="out")),
                 message="the answers written")
    rows = {m["filename"]: m for m in ws.messages(direction="in")}
    for name in files:
        assert rows[f"again-{name}"]["state"] == "duplicate"
    [contrl] = _answers(ws, rows["again-orders.edi"]["id"])
    assert "UCI+801+4012345000009:14+0614141000005:14+4+26+UNB" in contrl, contrl
    [ta1] = _answers(ws, rows["again-po.x12"]["id"])
    assert "TA1*000000802*261129*0850*R*025~" in ta1 and "ST*997" not in ta1, ta1
    # no TA1 asked for: nothing to say (a 997 is not sent for a duplicate); the first copies got theirs once
    assert _answers(ws, rows["again-plain.x12"]["id"]) == []
    assert [len(_answers(ws, rows[name]["id"])) for name in files] == [1, 1, 1]
    shown = cli("show", rows["again-orders.edi"]["id"], config=ws.config).stdout
    assert f"same as   {rows['orders.edi']['id']}" in shown and " CONTRL " in shown, shown


def test_new_orders_under_a_control_number_used_before_are_held_for_a_person_not_dropped(tmp_path: Path) -> None:
    """A partner whose EDI system started its control numbers again (a new translator, a restored server) sends new
    orders under numbers we have seen: they were recorded as duplicates, not in any list that needs attention, and
    never reached Odoo. One with other bytes than the first now waits in the quarantine; a replay processes it."""
    ws = Workspace.create(tmp_path, OUR_IDS, partners=PARTNERS)
    with GatewayProcess(ws.config):
        ws.drop("po-1.x12", purchase_order(901, "PLAINRETAIL"))
        ws.drop("orders-1.edi", orders(902))
        wait_for(lambda: ws.count(direction="in", state="done") == 2, message="the first orders done")
        ws.drop("po-2.x12", purchase_order(901, "PLAINRETAIL", po="PO-AFTER-RESET"))
        ws.drop("orders-2.edi", orders(902).replace(b"PO0000902", b"PO-AFTER-RESET"))
        wait_for(lambda: ws.count(direction="in", state="quarantined") == 2, message="the reused numbers held")
        rows = {m["filename"]: m for m in ws.messages(direction="in")}
        held = rows["po-2.x12"]
        assert held["last_error"] == (
            f"parse: interchange 000000901 from ZZ:PLAINRETAIL was received before as {rows['po-1.x12']['id']}, "
            "in a file with other bytes: the same interchange sent again in another form (then end this entry), or "
            "new documents under a control number used before (the partner's counter started again?): compare the "
            f"two (edi-gateway show), and `edi-gateway replay {held['id']}` processes this one as new")
        # not answered while held (queued with the quarantine, in one commit): see test_bad_input_resends.py
        assert _answers(ws, rows["orders-2.edi"]["id"]) == []
        assert cli("replay", held["id"], config=ws.config).returncode == 0
        wait_for(lambda: ws.messages(id=held["id"])[0]["state"] == "done", message="the replayed order done")
        wait_for(lambda: len(_answers(ws, held["id"])) == 1, message="its 997")
    assert "AK1*PO*901~" in _answers(ws, held["id"])[0] and "AK5*A~" in _answers(ws, held["id"])[0]
    assert '"number":"PO-AFTER-RESET"' in canonical(ws, held["id"])
