"""What the quarantine's .reason.txt tells a person to do depends on where the cause is.

Found by the operator walkthrough: a file rejected for its own content (a wrong SE01 count) was told "replay after
fixing the cause"; a replay reads the same archived bytes and fails the same way every time. Such a file is sent
again by the partner; a cause outside the file (Odoo, a partner or profile file) is fixed, then replayed.
"""

from __future__ import annotations

import re
from pathlib import Path

from tests.helpers.gateway import GatewayProcess, Workspace
from tests.helpers.wait import wait_for
from tests.helpers.x12 import purchase_order

ACME = {"name": "Acme Retail", "x12": {"ids": [{"qualifier": "ZZ", "id": "ACMERETAIL"}]},
        "documents": [{"type": "850", "direction": "in", "profile": "x12-004010-850"}]}


def _reason(ws: Workspace, name: str) -> tuple[str, str]:
    row = wait_for(lambda: [m for m in ws.messages(state="quarantined") if m["filename"] == name],
                   message=f"{name} quarantined")[0]
    [reason] = (ws.root / "quarantine").glob(f"*/{row['id']}_*.reason.txt")
    return str(row["id"]), reason.read_text(encoding="utf-8")


def test_a_file_wrong_in_itself_is_sent_again_and_an_outside_cause_is_replayed(tmp_path: Path) -> None:
    ws = Workspace.create(tmp_path, partners={"acme": ACME})
    wrong_count = re.sub(rb"SE\*\d+\*", b"SE*99*", purchase_order(101))
    stranger = purchase_order(102).replace(b"ACMERETAIL", b"NOBODYKNOW")
    with GatewayProcess(ws.config):
        ws.drop("wrong_count.x12", wrong_count)
        ws.drop("not_edi.x12", b"this is no interchange\n")
        ws.drop("stranger.x12", stranger)

        mid, text = _reason(ws, "wrong_count.x12")
        assert ("The file itself is wrong: a replay reads the same bytes and fails the same way.\n"
                "The partner must send it again, corrected (it is taken as a new message); then end this entry: "
                f"edi-gateway close {mid} --reason TEXT\n") in text, text
        assert "edi-gateway replay" not in text
        assert "SE01 says '99' segments" in text, text

        # a stranger's file, and one in no syntax at all (which may be a CSV partner's without its `csv:`
        # settings: those added, a replay reads it), are fixed outside the file
        for name in ("stranger.x12", "not_edi.x12"):
            mid, text = _reason(ws, name)
            assert text.endswith(f"After fixing the cause (in Odoo, a partner or profile file): edi-gateway replay "
                                 f"{mid}\nIf it was handled otherwise, end this entry: edi-gateway close {mid} --reason "
                                 "TEXT\n"), text
