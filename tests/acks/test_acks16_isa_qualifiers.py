"""ISA05 / ISA07 interchange id qualifiers are checked against X12's code list (I05), through the running daemon.

They were not checked: an interchange whose ISA05 said 'XX' (a translator's placeholder, a typo for 'ZZ') was taken
as clean, its TA1 saying 000. 72add7c made it an envelope error (TA1 R, the orders refused), which lost the orders
of a partner whose files flowed the day before; it is a warning now: TA1 E with TA105 005 (007 for ISA07) where a
TA1 is sent, the sets read and posted; without a TA1 the 997 accepts them and our findings name the qualifier.
A listed code of 004010 or a later version (01, 14, ZZ, ...) goes through as before, with no finding."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.helpers.gateway import GatewayProcess, Workspace
from tests.helpers.wait import wait_for
from tests.helpers.x12 import purchase_order


def _partner(sender: str, ta1: bool | str) -> dict[str, Any]:
    return {"name": sender, "x12": {"ids": [{"qualifier": "ZZ", "id": sender}, {"qualifier": "XX", "id": sender}],
                                    "ta1": ta1},
            "documents": [{"type": "850", "direction": "in", "profile": "x12-004010-850"}]}


def _order(control: int, sender: str, isa05: str = "ZZ", isa07: str = "ZZ") -> bytes:
    data = purchase_order(control, sender=sender).decode()
    data = data.replace(f"*ZZ*{sender:<15}*ZZ*ACMEDIST", f"*{isa05}*{sender:<15}*{isa07}*ACMEDIST", 1)
    return data.encode()


def answers(ws: Workspace, files: int, acks: int) -> dict[str, list[str]]:
    """Each inbound file's acknowledgements as written (sorted), once `files` are handled and `acks` written;
    call within the running daemon."""
    wait_for(lambda: len(ws.messages(direction="in")) == files and all(
        m["state"] not in ("received", "parsed", "translated") for m in ws.messages(direction="in")),
        message=f"the {files} files handled")
    wait_for(lambda: len(ws.messages(direction="out")) == acks and all(m["state"] == "done"
                                                                        for m in ws.messages(direction="out")),
             message=f"the {acks} answers written")
    found: dict[str, list[str]] = {}
    for row in ws.messages(direction="in"):
        found[row["filename"]] = sorted(ws.archived(ack["sha256"]).read_text("latin-1").replace("\n", "")
                                        for ack in ws.messages(parent_id=row["id"]))
    return found


def test_an_unknown_interchange_id_qualifier_is_told_and_its_orders_go_on(tmp_path: Path) -> None:
    ws = Workspace.create(tmp_path, partners={"told": _partner("TOLDRETAIL", True),
                                              "quiet": _partner("QUIETRETAIL", "requested")})
    with GatewayProcess(ws.config):
        ws.drop("sender-xx.x12", _order(701, "TOLDRETAIL", isa05="XX"))
        ws.drop("receiver-z1.x12", _order(702, "TOLDRETAIL", isa07="Z1"))
        ws.drop("duns.x12", _order(703, "TOLDRETAIL", isa07="01"))
        ws.drop("no-ta1.x12", _order(704, "QUIETRETAIL", isa05="XX"))
        found = answers(ws, 4, 6)
    # a TA1 partner: TA104 E with 005 (sender) / 007 (receiver), and the 997 accepting the set
    [ta1, ack] = found["sender-xx.x12"]
    assert "TA1*000000701*" in ta1 and "*E*005~" in ta1, ta1
    assert "AK2*850*0701~AK5*A~AK9*A*1*1*1~" in ack, ack
    [ta1, ack] = found["receiver-z1.x12"]
    assert "TA1*000000702*" in ta1 and "*E*007~" in ta1, ta1
    assert "AK2*850*0702~AK5*A~AK9*A*1*1*1~" in ack, ack
    # a listed code (01, DUNS) is clean: no TA1 (none asked for, nothing to report), the 997 accepts
    [ack] = found["duns.x12"]
    assert "TA1" not in ack and "AK2*850*0703~AK5*A~AK9*A*1*1*1~" in ack, ack
    # no TA1 asked for: the 997 accepts the set, our findings name the qualifier
    [ack] = found["no-ta1.x12"]
    assert "AK2*850*0704~AK5*A~AK9*A*1*1*1~" in ack, ack
    rows = {m["filename"]: m for m in ws.messages(direction="in")}
    assert {name: row["state"] for name, row in rows.items()} == dict.fromkeys(rows, "done")
    findings = json.loads(rows["no-ta1.x12"]["meta"] or "{}").get("parse", {}).get("issues", [])
    assert any("ISA05 (sender id qualifier) 'XX' is not on X12's list" in f for f in findings), findings
    clean = json.loads(rows["duns.x12"]["meta"] or "{}").get("parse", {}).get("issues", [])
    assert not any("qualifier" in f for f in clean), clean
