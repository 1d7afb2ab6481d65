"""The component separator inside an X12 simple element, through the running daemon.

`N1*ST*DC>1` in a file whose ISA16 is '>' holds a delimiter in data, which X12 forbids: a strict translator refuses
it. It was not checked, and the 997 accepted the set as clean. Now the 997 says so (AK4 6, invalid character;
AK5 E 5), and the order goes on, its text read as sent: the partner hears of it without losing the order."""

from __future__ import annotations

from pathlib import Path

from tests.helpers.gateway import GatewayProcess, Workspace
from tests.helpers.wait import wait_for
from tests.helpers.x12 import purchase_order
from tests.spine.test_daemon import ACME

# told in the 997 only for a partner that asks (x12.component_separator_in_text: error; the default warns in our findings)
TOLD = {**ACME, "x12": {**ACME["x12"], "component_separator_in_text": "error"}}  # type: ignore[dict-item]


def _with_ship_to(control: int, name: str) -> bytes:
    text = purchase_order(control).decode()
    text = text.replace("**20261129~\n", f"**20261129~\nN1*ST*{name}*92*0001~\n", 1)
    return text.replace(f"SE*5*{control:04d}", f"SE*6*{control:04d}").encode()


def test_a_component_separator_in_a_simple_element_is_told_in_the_997(tmp_path: Path) -> None:
    ws = Workspace.create(tmp_path, partners={"acme": TOLD})
    with GatewayProcess(ws.config):
        ws.drop("sign.x12", _with_ship_to(501, "DC>1"))
        ws.drop("plain.x12", _with_ship_to(502, "DC 1"))
        wait_for(lambda: sum(m["state"] == "done" for m in ws.messages(direction="in")) == 2,
                 message="both orders done")
        wait_for(lambda: len(ws.messages(direction="out")) == 2 and all(m["state"] == "done"
                                                                          for m in ws.messages(direction="out")),
                 message="the 997s written")
    acks = {}
    for row in ws.messages(direction="in"):
        [ack] = ws.messages(parent_id=row["id"])
        acks[row["filename"]] = ws.archived(ack["sha256"]).read_text("latin-1").replace("\n", "")
    # N1 is segment 3; its N102 (element 93) holds '>', copied less our own delimiters
    assert "AK2*850*0501~AK3*N1*3*N1*8~AK4*2*93*6*DC1~AK5*E*5~AK9*E*1*1*1~" in acks["sign.x12"], acks["sign.x12"]
    assert "AK2*850*0502~AK5*A~AK9*A*1*1*1~" in acks["plain.x12"], acks["plain.x12"]
