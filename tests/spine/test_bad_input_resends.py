"""A partner's resend of an interchange is a duplicate even when its bytes differ from the first copy's: its
translator stamps a new envelope date and time on every retry (ISA09/ISA10, GS04/GS05, UNB's 0017/0019), and an
FTP transfer in ASCII mode turns '~\\n' into '~\\r\\n'. Only new sets under a control number used before (a
partner's counter started again) wait for a person, and those are answered once the person decided.

Found reviewing fc4ac2f: every interchange repeated with other bytes was quarantined, so each retry of a partner
whose system stamps its envelopes anew sat in the attention list, its sets compared by hand; and the held file was
answered CONTRL 26 / TA1 025 (rejected) at once, so after `edi-gateway replay` posted its orders the partner had
only ever been told they were rejected as a duplicate (the replay's CONTRL was not sent: one answer a file).
"""

from __future__ import annotations

from pathlib import Path

from tests.helpers.edifact import orders
from tests.helpers.gateway import GatewayProcess, Workspace, cli
from tests.helpers.wait import wait_for
from tests.helpers.x12 import purchase_order
from tests.spine.test_bad_input_duplicates import OUR_IDS, PARTNERS, _answers


def test_a_retry_with_a_new_envelope_date_and_other_line_ends_is_a_duplicate(tmp_path: Path) -> None:
    ws = Workspace.create(tmp_path, OUR_IDS, partners=PARTNERS)
    first_po, first_orders = purchase_order(701), orders(702)
    retry_po = first_po.replace(b"*261129*0850*", b"*261130*1412*").replace(b"*20261129*0850*", b"*20261130*1412*") \
        .replace(b"~\n", b"~\r\n")
    retry_orders = first_orders.replace(b"+261129:0850+", b"+261130:1412+")
    assert retry_po != first_po and retry_orders != first_orders
    with GatewayProcess(ws.config):
        ws.drop("po.x12", first_po)
        ws.drop("orders.edi", first_orders)
        wait_for(lambda: ws.count(direction="in", state="done") == 2, message="the first copies done")
        ws.drop("po-retry.x12", retry_po)
        ws.drop("orders-retry.edi", retry_orders)
        wait_for(lambda: ws.count(direction="in", state="duplicate") == 2,
                 message="the retries are duplicates, not quarantined: "
                         f"{[m['last_error'] for m in ws.messages(state='quarantined')]}")
        rows = {m["filename"]: m for m in ws.messages(direction="in")}
        [ta1] = wait_for(lambda: _answers(ws, rows["po-retry.x12"]["id"]), message="the TA1")
        [contrl] = wait_for(lambda: _answers(ws, rows["orders-retry.edi"]["id"]), message="the CONTRL")
    assert "TA1*000000701*261130*1412*R*025~" in ta1, ta1
    assert "UCI+702+4012345000009:14+0614141000005:14+4+26+UNB" in contrl, contrl
    assert rows["po-retry.x12"]["last_error"] is None and ws.count(state="quarantined") == 0


def test_new_orders_under_a_used_number_are_answered_once_as_the_replay_takes_them(tmp_path: Path) -> None:
    ws = Workspace.create(tmp_path, OUR_IDS, partners=PARTNERS)
    with GatewayProcess(ws.config):
        ws.drop("orders-1.edi", orders(902))
        wait_for(lambda: ws.count(direction="in", state="done") == 1, message="the first orders done")
        ws.drop("orders-2.edi", orders(902).replace(b"PO0000902", b"PO-AFTER-RESET"))
        [held] = wait_for(lambda: ws.messages(direction="in", state="quarantined"), message="the reused number held")
        assert "the partner's counter started again?" in held["last_error"]
        assert cli("replay", held["id"], config=ws.config).returncode == 0
        wait_for(lambda: ws.messages(id=held["id"])[0]["state"] == "done", message="the replayed orders done")
        [contrl] = wait_for(lambda: _answers(ws, held["id"]), message="its CONTRL")
        wait_for(lambda: all(m["state"] == "done" for m in ws.messages(direction="out")), message="answers written")
    assert _answers(ws, held["id"]) == [contrl]
    assert "UCI+902+4012345000009:14+0614141000005:14+7" in contrl and "+26+" not in contrl, contrl
