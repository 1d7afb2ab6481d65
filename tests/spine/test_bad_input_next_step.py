"""A file refused only because the partner is not set up for its type is fixed in the partner file, then replayed.

Found sending a partner's first 860 before its partner file listed the type: the reason said "to take it, add it to
the partner's documents", and the .reason.txt under it "The file itself is wrong: a replay reads the same bytes and
fails the same way. The partner must send it again", which sends the coordinator to the partner for a file that is
right. `edi-gateway show` did not say what to do at all, nor where the quarantined copy is.
"""

from __future__ import annotations

import signal
from pathlib import Path

from tests.helpers.gateway import GatewayProcess, Workspace, cli
from tests.helpers.wait import wait_for
from tests.helpers.x12 import purchase_order

ACME = {"name": "Acme Retail", "x12": {"ids": [{"qualifier": "ZZ", "id": "ACMERETAIL"}]},
        "documents": [{"type": "850", "direction": "in", "profile": "x12-004010-850"}]}
CHANGES = {"type": "860", "direction": "in", "profile": "x12-004010-860"}


def change_order(control: int) -> bytes:
    """Acme's 860: the quantity of line 1 of PO0000101 changed to 5."""
    isa = f"ISA*00*          *00*          *ZZ*ACMERETAIL     *ZZ*ACMEDIST       *261129*0950*U*00401*{control:09d}*0*P*>"
    segments = [isa, f"GS*PC*ACMERETAIL*ACMEDIST*20261129*0950*{control}*X*004010",
                "ST*860*0001", "BCH*04*SA*PO0000101**1*20261129", "POC*1*QI*5*3*EA*12.5*PE*UP*614141000011",
                "CTT*1", "SE*5*0001", f"GE*1*{control}", f"IEA*1*{control:09d}"]
    return ("~\n".join(segments) + "~\n").encode("ascii")


def test_a_type_not_set_up_is_replayed_after_the_partner_file_lists_it_and_acknowledged_once(tmp_path: Path) -> None:
    ws = Workspace.create(tmp_path, partners={"acme": ACME})
    with GatewayProcess(ws.config) as gw:
        ws.drop("change.x12", change_order(201))
        [row] = wait_for(lambda: ws.messages(state="quarantined"), message="the 860 quarantined")
        mid = row["id"]
        [reason] = (ws.root / "quarantine" / "acme").glob(f"{mid}_*.reason.txt")
        text = reason.read_text()
        assert "partner acme is not set up to send 860 (its documents: 850)" in text, text
        assert "The file itself is wrong" not in text, text
        assert text.endswith(f"After fixing the cause (in Odoo, a partner or profile file): edi-gateway replay {mid}\n"
                             f"If it was handled otherwise, end this entry: edi-gateway close {mid} --reason TEXT\n")

        shown = cli("show", mid, config=ws.config).stdout
        assert f"reason    {reason}\n" in shown, shown
        assert (f"next      After fixing the cause (in Odoo, a partner or profile file): edi-gateway replay {mid}\n"
                f"          If it was handled otherwise, end this entry: edi-gateway close {mid} --reason TEXT\n") \
            in shown, shown

        # the partner was told: its set is not supported (AK5 R, AK502 1)
        [ack] = wait_for(lambda: [m for m in ws.messages(parent_id=mid) if m["state"] == "done"], message="997 out")
        assert b"AK5*R*1~" in ws.archived(ack["sha256"]).read_bytes()

        # the coordinator adds the type to the partner file, reloads and replays: processed once, and the partner,
        # told AK5 R, is told the set is accepted now (else it sends it again, and the change is applied twice)
        ws.write_partner("acme", {**ACME, "documents": [*ACME["documents"], CHANGES]})
        said = len(gw.output())
        gw.signal(signal.SIGHUP)
        wait_for(lambda: "reloaded: 1 partner" in gw.output()[said:], message="reloaded")
        assert cli("replay", mid, config=ws.config).returncode == 0
        wait_for(lambda: ws.messages(id=mid)[0]["state"] == "done", message="the replayed 860 done")
        acks = wait_for(lambda: [m for m in ws.messages(parent_id=mid) if m["state"] == "done"][1:] and
                        ws.messages(parent_id=mid), message="the second 997 out")
        assert [m["doc_type"] for m in acks] == ["997", "997"]
        accepted = ws.archived(acks[1]["sha256"]).read_bytes()
        assert b"AK5*A~" in accepted and b"AK9*A*1*1*1~" in accepted, accepted
        assert "next " not in cli("show", mid, config=ws.config).stdout


def test_a_file_wrong_in_itself_says_so_in_show_too(tmp_path: Path) -> None:
    ws = Workspace.create(tmp_path, partners={"acme": ACME})
    with GatewayProcess(ws.config):
        ws.drop("cut.x12", purchase_order(202)[:-40])
        [row] = wait_for(lambda: ws.messages(state="quarantined"), message="the cut file quarantined")
    shown = cli("show", row["id"], config=ws.config).stdout
    assert ("next      The file itself is wrong: a replay reads the same bytes and fails the same way.\n"
            "          The partner must send it again, corrected (it is taken as a new message); then end this "
            f"entry: edi-gateway close {row['id']} --reason TEXT\n") in shown, shown
    [copy] = (ws.root / "quarantine" / "acme").glob(f"{row['id']}_cut.x12")
    assert copy.read_bytes() == purchase_order(202)[:-40]
    assert f"copy      {copy}\n" in shown
