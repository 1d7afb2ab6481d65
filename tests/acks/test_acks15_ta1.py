"""TA1 through the running daemon: as ISA14 asks (`ta1: requested`, the default), also for envelope errors whatever
ISA14 says (`true`), or never (`false`).

A partner whose ISA14 asked for a TA1 got none unless its partner file said `ta1: true`: its translator waited for
an interchange acknowledgement that never came (and flagged us overdue)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.helpers.gateway import GatewayProcess, Workspace
from tests.helpers.wait import wait_for
from tests.helpers.x12 import purchase_order

DOCS = [{"type": "850", "direction": "in", "profile": "x12-004010-850"}]


def _partner(sender: str, **x12: Any) -> dict[str, Any]:
    return {"name": sender.title(), "x12": {"ids": [{"qualifier": "ZZ", "id": sender}], **x12}, "documents": DOCS}


PARTNERS = {"acme": _partner("ACMERETAIL"), "never": _partner("NEVERRETAIL", ta1=False),
            "always": _partner("ALWAYSRETAIL", ta1=True)}


def _interchange(control: int, sender: str, *, asks: bool, broken: bool = False) -> bytes:
    data = purchase_order(control, sender)
    if asks:
        data = data.replace(b"*0*P*>", b"*1*P*>", 1)
    if broken:                                   # IEA02 not ISA13: an envelope error (TA105 001)
        data = data.replace(f"IEA*1*{control:09d}".encode(), b"IEA*1*000000999")
    return data


def _answers(ws: Workspace, name: str) -> list[str]:
    """The answers to one file, as written: a TA1 first, then the 997."""
    [row] = ws.messages(direction="in", filename=name)
    return sorted((ws.archived(m["sha256"]).read_text("latin-1").replace("\n", "")
                   for m in ws.messages(parent_id=row["id"])), key=lambda text: "~TA1*" not in text)


def test_a_ta1_goes_back_as_isa14_asks_unless_the_partner_file_says_always_or_never(tmp_path: Path) -> None:
    ws = Workspace.create(tmp_path, partners=PARTNERS)
    files = {
        "asks.x12": _interchange(301, "ACMERETAIL", asks=True),
        "quiet.x12": _interchange(302, "ACMERETAIL", asks=False),
        "asks-broken.x12": _interchange(303, "ACMERETAIL", asks=True, broken=True),
        "quiet-broken.x12": _interchange(304, "ACMERETAIL", asks=False, broken=True),
        "never.x12": _interchange(305, "NEVERRETAIL", asks=True),
        "always.x12": _interchange(306, "ALWAYSRETAIL", asks=False),
        "always-broken.x12": _interchange(307, "ALWAYSRETAIL", asks=False, broken=True),
    }
    with GatewayProcess(ws.config):
        for name, data in files.items():
            ws.drop(name, data)
        wait_for(lambda: sum(m["state"] in ("done", "quarantined") for m in ws.messages(direction="in")) == len(files),
                 message="the files handled")
        wait_for(lambda: ws.messages(direction="out") and all(m["state"] == "done"
                                                               for m in ws.messages(direction="out")),
                 message="the answers written")
    # ISA14 = 1, default settings: a TA1 accepting the interchange, and the 997
    ta1, ack = _answers(ws, "asks.x12")
    assert "TA1*000000301*261129*0850*A*000~" in ta1 and "ST*997" not in ta1, ta1
    assert "AK9*A*1*1*1~" in ack and "TA1*" not in ack, ack
    # ISA14 = 0: the 997 only
    [ack] = _answers(ws, "quiet.x12")
    assert "AK9*A*1*1*1~" in ack and "TA1*" not in ack, ack
    # an envelope error answered by a TA1 R: no 997 for groups of an interchange not taken
    [ta1] = _answers(ws, "asks-broken.x12")
    assert "TA1*000000303*261129*0850*R*001~" in ta1 and "ST*997" not in ta1, ta1
    # without a TA1 the partner still hears of it: a 997 rejecting the set
    [ack] = _answers(ws, "quiet-broken.x12")
    assert "AK5*R" in ack and "AK9*R*1*1*0~" in ack and "TA1*" not in ack, ack
    # ta1: false: none even when asked; ta1: true: one for an envelope error even when not asked (and none for a
    # clean interchange that did not ask: an unasked TA1 A tells the partner nothing)
    [ack] = _answers(ws, "never.x12")
    assert "TA1*" not in ack and "AK9*A*1*1*1~" in ack, ack
    [ack] = _answers(ws, "always.x12")
    assert "TA1*" not in ack and "AK9*A*1*1*1~" in ack, ack
    [ta1] = _answers(ws, "always-broken.x12")
    assert "TA1*000000307*261129*0850*R*001~" in ta1 and "ST*997" not in ta1, ta1
