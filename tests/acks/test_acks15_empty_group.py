"""An empty X12 functional group (GS..GE, no ST) through the running daemon.

X12 makes a functional group of one or more transaction sets, and answers every group it receives with its own AK1.
An empty group was not checked: it got no AK1 at all, and a file of nothing else was quarantined with no answer, so
the partner, whose translator sent an empty batch, never heard. Now the group is rejected in its 997 (AK9 R, 0 sets;
716 has no code of its own for it, so AK905 is left out when GE01 says 0)."""

from __future__ import annotations

from pathlib import Path

from tests.helpers.gateway import GatewayProcess, Workspace
from tests.helpers.wait import wait_for
from tests.helpers.x12 import purchase_order
from tests.spine.test_daemon import ACME

EMPTY = "GS*PO*ACMERETAIL*ACMEDIST*20261129*0850*{n}*X*004010~\nGE*0*{n}~\n"


def _with_empty_group(control: int) -> bytes:
    """An 850 in group `control`, then an empty group `control + 1`."""
    text = purchase_order(control).decode()
    text = text.replace(f"GE*1*{control}~\n", f"GE*1*{control}~\n" + EMPTY.format(n=control + 1))
    return text.replace("IEA*1*", "IEA*2*").encode()


def _only_empty_group(control: int) -> bytes:
    isa = purchase_order(control).decode().split("~\n")[0]
    return f"{isa}~\n{EMPTY.format(n=control)}IEA*1*{control:09d}~\n".encode()


def _answer(ws: Workspace, name: str) -> str:
    [row] = ws.messages(direction="in", filename=name)
    [ack] = ws.messages(parent_id=row["id"])
    return ws.archived(ack["sha256"]).read_text("latin-1").replace("\n", "")


def test_an_empty_group_is_rejected_in_its_own_997(tmp_path: Path) -> None:
    ws = Workspace.create(tmp_path, partners={"acme": ACME})
    with GatewayProcess(ws.config):
        ws.drop("beside.x12", _with_empty_group(401))
        ws.drop("alone.x12", _only_empty_group(403))
        wait_for(lambda: sum(m["state"] in ("done", "quarantined") for m in ws.messages(direction="in")) == 2,
                 message="both files handled")
        wait_for(lambda: len(ws.messages(direction="out")) == 2 and all(m["state"] == "done"
                                                                          for m in ws.messages(direction="out")),
                 message="the answers written")
    # the order beside it goes on, accepted; the empty group gets its own 997, rejecting it
    beside = _answer(ws, "beside.x12")
    assert "AK1*PO*401~AK2*850*0401~AK5*A~AK9*A*1*1*1~" in beside, beside
    assert "AK1*PO*402~AK9*R*0*0*0~" in beside, beside
    [row] = ws.messages(direction="in", filename="beside.x12")
    assert row["state"] == "done"
    # a file of nothing else is quarantined, and the partner is told
    [row] = ws.messages(direction="in", filename="alone.x12")
    assert row["state"] == "quarantined" and "functional group 403 holds no transaction set" in row["last_error"]
    alone = _answer(ws, "alone.x12")
    assert "AK1*PO*403~AK9*R*0*0*0~" in alone, alone
