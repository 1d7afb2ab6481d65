"""A partner taking no set with errors (`accept_with_errors: false`) and the default `component_separator_in_text`
(warn), through the daemon: its order with 'ATTN: DOCK 4' and '10:30' in N1/N3 where ISA16 is ':' is posted, its
997 accepting it clean. Before fb4e790 such an order was AK4 6, AK5 E and so rejected (AK5 R 5), not translated:
the separator finding is judged (a note of ours under warn) before the set is held back for its errors. The same
partner set to `error` has it rejected as before; a real error (a bad date) is still rejected under warn. A 999
partner's 005010 order is IK5 A under warn, IK4 6 with IK5 E under error."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.acks.test_acks16_isa_qualifiers import answers
from tests.acks.test_acks16_separator_in_text import _colon_order
from tests.helpers.gateway import GatewayProcess, Workspace


def _strict(sender: str, setting: str | None) -> dict[str, Any]:
    x12: dict[str, Any] = {"ids": [{"qualifier": "ZZ", "id": sender}], "accept_with_errors": False}
    if setting is not None:
        x12["component_separator_in_text"] = setting
    return {"name": sender, "x12": x12, "documents": [{"type": "850", "direction": "in", "profile": "x12-004010-850"}]}


def test_a_partner_taking_no_errors_has_its_colon_orders_posted_under_warn(tmp_path: Path) -> None:
    ws = Workspace.create(tmp_path, partners={"plain": _strict("PLAINSTRICT", None),
                                              "told": _strict("TOLDSTRICT", "error")})
    with GatewayProcess(ws.config):
        ws.drop("plain.x12", _colon_order(611, "PLAINSTRICT"))
        ws.drop("told.x12", _colon_order(612, "TOLDSTRICT"))
        ws.drop("bad-date.x12", _colon_order(613, "PLAINSTRICT").replace(b"**20261129~", b"**20261399~", 1))
        found = answers(ws, 3, 3)
    acks = {name: ack for name, [ack] in found.items()}
    states = {m["filename"]: m["state"] for m in ws.messages(direction="in")}
    assert "AK2*850*0611~AK5*A~AK9*A*1*1*1~" in acks["plain.x12"], acks["plain.x12"]
    assert states["plain.x12"] == "done", states
    assert "AK4*2*93*6*ATTN: DOCK 4~" in acks["told.x12"] and "AK5*R*5~" in acks["told.x12"], acks["told.x12"]
    assert "AK5*R" in acks["bad-date.x12"] and "AK9*R*1*1*0~" in acks["bad-date.x12"], acks["bad-date.x12"]


def _in_5010(data: bytes) -> bytes:
    return data.replace(b"*U*00401*", b"*^*00501*", 1).replace(b"*X*004010", b"*X*005010", 1)


def test_a_999_partner_hears_of_it_only_when_set_to_error(tmp_path: Path) -> None:
    plain, told = _strict("PLAIN999", None), _strict("TOLD999", "error")
    for partner in (plain, told):
        partner["x12"].update({"ack": "999", "accept_with_errors": True, "version": "005010"})
        partner["documents"] = [{"type": "850", "direction": "in", "profile": "x12-005010-850"}]
    ws = Workspace.create(tmp_path, partners={"plain": plain, "told": told})
    with GatewayProcess(ws.config):
        ws.drop("plain.x12", _in_5010(_colon_order(621, "PLAIN999")))
        ws.drop("told.x12", _in_5010(_colon_order(622, "TOLD999")))
        acks = {name: ack for name, [ack] in answers(ws, 2, 2).items()}
    assert "ST*999*" in acks["plain.x12"] and "IK4" not in acks["plain.x12"], acks["plain.x12"]
    assert "AK2*850*0621~IK5*A~AK9*A*1*1*1~" in acks["plain.x12"], acks["plain.x12"]
    assert "IK4*2*93*6*ATTN: DOCK 4~" in acks["told.x12"] and "IK5*E*5~" in acks["told.x12"], acks["told.x12"]
