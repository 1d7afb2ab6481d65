"""The status page's message page says the same next step as `edi-gateway show` and the .reason.txt: a file
wrong in itself is sent again by the partner; a file refused only by our settings is fixed and replayed.

Found reviewing ce009ca / da92914: show and the .reason.txt told the two apart, while the page said "after fixing
the cause: edi-gateway replay ID" for a PDF sent instead of an order, which no fix and no replay ever reads.
"""

from __future__ import annotations

import re
import urllib.request
from pathlib import Path

from tests.helpers.gateway import GatewayProcess, Workspace
from tests.helpers.net import free_port
from tests.helpers.wait import wait_for
from tests.spine.test_bad_input_mistaken_files import PDF
from tests.spine.test_bad_input_next_step import ACME, change_order


def page(port: int, message_id: str) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/messages/{message_id}", timeout=10) as answer:
        return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", answer.read().decode()))


def test_the_page_tells_a_file_to_send_again_from_one_to_fix_and_replay(tmp_path: Path) -> None:
    port = free_port()
    inboxes = [{"path": "inbox", "processed": "inbox/processed", "min_age": 0.2, "partner": "acme"}]
    ws = Workspace.create(tmp_path, {"inbox": inboxes, "ops": {"enabled": True, "host": "127.0.0.1", "port": port}},
                          partners={"acme": ACME})
    with GatewayProcess(ws.config):
        ws.drop("PO 4711.pdf", PDF)
        ws.drop("change.x12", change_order(301))
        wait_for(lambda: ws.count(direction="in", state="quarantined") == 2, message="both quarantined")
        rows = {m["filename"]: m["id"] for m in ws.messages(direction="in")}
        pdf, change = rows["PO 4711.pdf"], rows["change.x12"]
        said = page(port, pdf)
        assert ("What to do the file itself is wrong: a replay reads the same bytes and fails the same way; the "
                "partner must send it again, corrected (it is taken as a new message), then end this entry: "
                f"edi-gateway close {pdf} --reason TEXT") in said, said
        assert f"edi-gateway replay {pdf}" not in said
        said = page(port, change)
        assert ("What to do after fixing the cause (in Odoo, a partner or profile file): edi-gateway replay "
                f"{change} ; once handled otherwise: edi-gateway close {change} --reason TEXT") in said, said
        assert "sent again by the partner" not in said
