"""A partner's interchange of TA1s only is not answered with a TA1, through the running daemon.

Since 4bd2c32 a TA1 follows ISA14 by default (`ta1: requested`). A partner whose translator says ISA14 = 1 on every
envelope, its TA1s' too, then got a TA1 for each TA1 it sent us: an acknowledgement acknowledged, which X12 avoids
(a TA1 loop) and translators' 'requested' modes do not send. Its orders still get their TA1; `ta1: true` still
answers such an interchange when its envelope is faulty."""

from __future__ import annotations

from pathlib import Path

from tests.acks.test_acks15_ta1 import PARTNERS, _answers, _interchange
from tests.helpers.gateway import GatewayProcess, Workspace
from tests.helpers.wait import wait_for


def _ta1_only(control: int, sender: str, *, trailer: int | None = None) -> bytes:
    """An interchange asking for a TA1 (ISA14 = 1) that carries one TA1, accepting an interchange of ours."""
    isa = _interchange(control, sender, asks=True).decode().split("~\n")[0]
    return f"{isa}~\nTA1*000000042*261128*1200*A*000~\nIEA*0*{trailer or control:09d}~\n".encode()


def test_an_interchange_of_ta1s_only_gets_no_ta1_its_orders_do(tmp_path: Path) -> None:
    ws = Workspace.create(tmp_path, partners=PARTNERS)
    files = {"ta1.x12": _ta1_only(311, "ACMERETAIL"),
             "order.x12": _interchange(312, "ACMERETAIL", asks=True),
             "always-ta1-broken.x12": _ta1_only(313, "ALWAYSRETAIL", trailer=999)}
    with GatewayProcess(ws.config):
        for name, data in files.items():
            ws.drop(name, data)
        wait_for(lambda: sum(m["state"] in ("done", "quarantined") for m in ws.messages(direction="in")) == len(files),
                 message="the files handled")
        wait_for(lambda: len(ws.messages(direction="out")) >= 3 and all(m["state"] == "done"
                                                                          for m in ws.messages(direction="out")),
                 message="the answers written")
    [row] = ws.messages(direction="in", filename="ta1.x12")
    assert row["state"] == "done" and ws.messages(parent_id=row["id"]) == [], ws.messages(parent_id=row["id"])
    ta1, ack = _answers(ws, "order.x12")
    assert "TA1*000000312*261129*0850*A*000~" in ta1 and "AK9*A*1*1*1~" in ack, (ta1, ack)
    # ta1: true answers a faulty envelope all the same (IEA02 not ISA13: TA105 001)
    [ta1] = _answers(ws, "always-ta1-broken.x12")
    assert "TA1*000000313*261129*0850*R*001~" in ta1, ta1
