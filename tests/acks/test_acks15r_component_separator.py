"""The component separator in data under a partner's accept_with_errors: false, through the running daemon.

Since 8f95bb6 a simple element holding the ISA16 character is AK4 6 (X12.6 keeps delimiters out of data), a warning,
so a partner that takes no set with errors gets its order rejected: 'ATTN: DOCK 4' where ISA16 is ':' (the rule X12
states, kept). A partner whose translator fills ISA16 with a space ('not used', it sends no composites) had every
name, address and note judged so: each set AK5 E, and under accept_with_errors: false every order rejected, where
the same files went through clean before. A space ISA16 is no longer judged in data."""

from __future__ import annotations

from pathlib import Path

from tests.helpers.gateway import GatewayProcess, Workspace
from tests.helpers.wait import wait_for
from tests.helpers.x12 import purchase_order
from tests.spine.test_daemon import ACME

STRICT = {**ACME, "x12": {**ACME["x12"], "accept_with_errors": False,  # type: ignore[dict-item]
                           "component_separator_in_text": "error"}}


def _ship_to(control: int, isa16: str, name: str) -> bytes:
    text = purchase_order(control).decode().replace("*0*P*>~", f"*0*P*{isa16}~", 1)
    text = text.replace("**20261129~\n", f"**20261129~\nN1*ST*{name}*92*0001~\n", 1)
    return text.replace(f"SE*5*{control:04d}", f"SE*6*{control:04d}").encode()


def test_a_space_isa16_is_not_judged_in_data_a_real_separator_still_is(tmp_path: Path) -> None:
    ws = Workspace.create(tmp_path, partners={"acme": STRICT})
    with GatewayProcess(ws.config):
        ws.drop("blank-isa16.x12", _ship_to(511, " ", "ATTN RECEIVING DOCK 4"))
        ws.drop("colon-isa16.x12", _ship_to(512, ":", "ATTN: DOCK 4"))
        wait_for(lambda: sum(m["state"] in ("done", "quarantined") for m in ws.messages(direction="in")) == 2,
                 message="both files handled")
        wait_for(lambda: len(ws.messages(direction="out")) == 2 and all(m["state"] == "done"
                                                                          for m in ws.messages(direction="out")),
                 message="the 997s written")
    acks, states = {}, {}
    for row in ws.messages(direction="in"):
        [ack] = ws.messages(parent_id=row["id"])
        acks[row["filename"]] = ws.archived(ack["sha256"]).read_text("latin-1").replace("\n", "")
        states[row["filename"]] = row["state"]
    # blank ISA16: the order is taken clean, as before 8f95bb6
    assert "AK2*850*0511~AK5*A~AK9*A*1*1*1~" in acks["blank-isa16.x12"], acks["blank-isa16.x12"]
    assert states["blank-isa16.x12"] == "done"
    # ':' is a real separator: N102 (element 93) is AK4 6, and this partner takes no set with errors
    assert "AK3*N1*3*N1*8~AK4*2*93*6*" in acks["colon-isa16.x12"], acks["colon-isa16.x12"]
    assert "AK5*R*5~AK9*R*1*1*0~" in acks["colon-isa16.x12"], acks["colon-isa16.x12"]
