"""The component separator in free text, per partner (`x12.component_separator_in_text`), through the daemon.

Since 8f95bb6 a simple element holding the ISA16 character was AK4 6 in the 997, the set AK5 E: a partner whose
ISA16 is ':' and who writes 'ATTN: DOCK 4' or '10:30' in names and addresses (most translators split only
composites) had every such clean order come back 'accepted with errors', and rejected under
accept_with_errors: false. Now that is `error`, for partners who want it; the default `warn` notes it in our own
findings with the 997 clean; `ignore` says nothing. A ':' inside a real composite (REF04) is no finding at all."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.acks.test_acks16_isa_qualifiers import answers
from tests.helpers.gateway import GatewayProcess, Workspace
from tests.helpers.x12 import purchase_order


def _partner(sender: str, setting: str | None) -> dict[str, Any]:
    x12: dict[str, Any] = {"ids": [{"qualifier": "ZZ", "id": sender}]}
    if setting is not None:
        x12["component_separator_in_text"] = setting
    return {"name": sender, "x12": x12, "documents": [{"type": "850", "direction": "in", "profile": "x12-004010-850"}]}


def _colon_order(control: int, sender: str) -> bytes:
    text = purchase_order(control, sender=sender).decode().replace("*0*P*>~", "*0*P*:~", 1)
    text = text.replace("**20261129~\n", "**20261129~\nREF*DP*100**DP:200~\nN1*ST*ATTN: DOCK 4*92*0001~\n"
                        "N3*RECEIVING 10:30-14:00~\n", 1)
    return text.replace(f"SE*5*{control:04d}", f"SE*8*{control:04d}").encode()


def test_the_separator_in_free_text_is_judged_as_the_partner_says(tmp_path: Path) -> None:
    partners = {"plain": _partner("PLAINRETAIL", None), "strict": _partner("STRICTRETAIL", "error"),
                "quiet": _partner("QUIETRETAIL", "ignore")}
    ws = Workspace.create(tmp_path, partners=partners)
    with GatewayProcess(ws.config):
        ws.drop("plain.x12", _colon_order(601, "PLAINRETAIL"))
        ws.drop("strict.x12", _colon_order(602, "STRICTRETAIL"))
        ws.drop("quiet.x12", _colon_order(603, "QUIETRETAIL"))
        acks = {name: ack for name, [ack] in answers(ws, 3, 3).items()}
    findings = {row["filename"]: " | ".join(json.loads(row["meta"] or "{}").get("parse", {}).get("issues", []))
                for row in ws.messages(direction="in")}
    assert all(row["state"] == "done" for row in ws.messages(direction="in")), ws.messages(direction="in")
    # default (warn): the 997 accepts the set clean; our findings name both elements
    assert "AK2*850*0601~AK5*A~AK9*A*1*1*1~" in acks["plain.x12"], acks["plain.x12"]
    assert "N102 holds the component separator ':'" in findings["plain.x12"], findings["plain.x12"]
    assert "N301 holds the component separator ':'" in findings["plain.x12"], findings["plain.x12"]
    assert "not told in the acknowledgement" in findings["plain.x12"], findings["plain.x12"]
    # error: told as before, N102 (93) and N301 (166), quoted as sent (our 997's ISA16 is '>'); the REF04 composite's ':' is not a finding
    assert "AK3*N1*4*N1*8~AK4*2*93*6*ATTN: DOCK 4~AK3*N3*5*N1*8~AK4*1*166*6*RECEIVING 10:30-14:00~AK5*E*5~" \
        in acks["strict.x12"], acks["strict.x12"]
    assert "REF" not in acks["strict.x12"].split("AK2")[1], acks["strict.x12"]
    # ignore: nothing anywhere
    assert "AK2*850*0603~AK5*A~AK9*A*1*1*1~" in acks["quiet.x12"], acks["quiet.x12"]
    assert "component separator" not in findings["quiet.x12"], findings["quiet.x12"]
