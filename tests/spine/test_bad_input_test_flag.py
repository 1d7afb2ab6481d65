"""A test interchange from a partner in production (its system still pointed at us while it tests a new map) is its
partner's, rejected in the answer the standard has for it (CONTRL 0085 25 "test indicator not supported", TA1 020),
kept under that partner, and none of it goes on.

Found through the daemon: it was quarantined under quarantine/unknown/ with no partner on the message (so
`edi-gateway messages --partner eurohandel` did not list it), and the partner got no answer at all.
"""

from __future__ import annotations

import signal
from pathlib import Path

from tests.helpers.edifact import orders
from tests.helpers.gateway import GatewayProcess, Workspace, cli
from tests.helpers.wait import wait_for
from tests.helpers.x12 import purchase_order
from tests.spine.test_bad_input_duplicates import canonical

OUR_IDS = {"our_ids": {"x12": {"qualifier": "ZZ", "id": "ACMEDIST"}, "gs": "ACMEDIST",
                       "edifact": {"qualifier": "14", "id": "0614141000005"}}}
PARTNERS = {"acme": {"name": "Acme Retail", "x12": {"ids": [{"qualifier": "ZZ", "id": "ACMERETAIL"}], "ta1": True}},
            "euro": {"name": "EuroHandel", "edifact": {"ids": [{"qualifier": "14", "id": "4012345000009"}],
                                                       "contrl": True}}}


def test_a_test_interchange_for_a_partner_in_production_is_its_partners_and_rejected(tmp_path: Path) -> None:
    ws = Workspace.create(tmp_path, OUR_IDS, partners=PARTNERS)
    unb = orders(1001).replace(b"+1001'", b"+1001++++++1'")          # UNB 0035 = 1: a test interchange
    isa = purchase_order(1002).replace(b"*0*P*>", b"*0*T*>")         # ISA15 = T
    with GatewayProcess(ws.config):
        ws.drop("test-orders.edi", unb)
        ws.drop("test-po.x12", isa)
        wait_for(lambda: ws.count(direction="in", state="quarantined") == 2, message="both quarantined")
        wait_for(lambda: ws.count(direction="out", state="done") == 2, message="both answered")
    rows = {m["filename"]: m for m in ws.messages(direction="in")}
    euro, acme = rows["test-orders.edi"], rows["test-po.x12"]
    assert (euro["partner"], acme["partner"]) == ("euro", "acme")
    assert euro["last_error"] == ("parse: rejected: interchange 1, segment UNB, element 11: interchange 1001 is a test "
                                  "interchange (UNB 0035) but partner euro is in production (edifact.test: false)")
    assert "interchange 000001002 is a test interchange (ISA15) but partner acme is in production" in acme["last_error"]
    [contrl] = ws.messages(parent_id=euro["id"])
    assert b"UCI+1001+4012345000009:14+0614141000005:14+4+25+UNB+12'" in ws.archived(contrl["sha256"]).read_bytes()
    [ta1] = ws.messages(parent_id=acme["id"])
    assert b"TA1*000001002*261129*0850*R*020~" in ws.archived(ta1["sha256"]).read_bytes()
    assert list((ws.root / "quarantine" / "euro").glob(f"{euro['id']}_*"))
    assert euro["id"] in cli("messages", "--partner", "euro", config=ws.config).stdout


def test_a_test_interchange_beside_a_production_one_is_left_out_of_the_translation(tmp_path: Path) -> None:
    ws = Workspace.create(tmp_path, OUR_IDS, partners=PARTNERS)
    both = orders(1101) + orders(1102).replace(b"+1102'", b"+1102++++++1'")
    with GatewayProcess(ws.config):
        ws.drop("both.edi", both)
        wait_for(lambda: ws.count(direction="in", state="done") == 1, message="the file done")
    [row] = ws.messages(direction="in")
    blob = canonical(ws, row["id"])
    assert "PO0001101" in blob and "PO0001102" not in blob
    answers = b"".join(ws.archived(m["sha256"]).read_bytes() for m in ws.messages(parent_id=row["id"]))
    assert b"UCI+1102+4012345000009:14+0614141000005:14+4+25+UNB+12'" in answers
    assert b"UCI+1101+4012345000009:14+0614141000005:14+7'" in answers


def test_a_production_interchange_before_the_partner_file_says_live_is_fixed_there_and_replayed(tmp_path: Path) -> None:
    """Go-live: the retailer switched ISA15 to P before our partner file left testing. Its real order was rejected
    (TA1 020) and quarantined as 'the file itself is wrong: the partner must send it again', though the file was
    right and the fix was `x12.test: false` in the partner file. Now that fix and a replay take it, and the
    partner is told it is accepted (else it resends it)."""
    testing = {"acme": {**PARTNERS["acme"], "x12": {**PARTNERS["acme"]["x12"], "test": True}}}
    ws = Workspace.create(tmp_path, OUR_IDS, partners=testing)
    with GatewayProcess(ws.config) as gw:
        ws.drop("po.x12", purchase_order(1201))
        [row] = wait_for(lambda: ws.messages(direction="in", state="quarantined"), message="quarantined")
        mid = row["id"]
        assert "is a production interchange (ISA15) but partner acme is set up for testing" in row["last_error"]
        [reason] = (ws.root / "quarantine" / "acme").glob(f"{mid}_*.reason.txt")
        assert f"After fixing the cause (in Odoo, a partner or profile file): edi-gateway replay {mid}" \
            in reason.read_text(), reason.read_text()
        [ta1] = wait_for(lambda: [m for m in ws.messages(parent_id=mid) if m["state"] == "done"], message="TA1")
        assert b"TA1*000001201*261129*0850*R*020~" in ws.archived(ta1["sha256"]).read_bytes()

        ws.write_partner("acme", PARTNERS["acme"])
        said = len(gw.output())
        gw.signal(signal.SIGHUP)
        wait_for(lambda: "reloaded: 1 partner" in gw.output()[said:], message="reloaded")
        assert cli("replay", mid, config=ws.config).returncode == 0
        wait_for(lambda: ws.messages(id=mid)[0]["state"] == "done", message="the replayed order done")
        answers = wait_for(lambda: len([m for m in ws.messages(parent_id=mid) if m["state"] == "done"]) == 2 and
                           ws.messages(parent_id=mid), message="the second answer out")
    again = ws.archived(answers[1]["sha256"]).read_bytes()
    assert b"AK1*PO*1201~" in again and b"AK5*A~" in again, again
    assert "PO0001201" in canonical(ws, mid)
