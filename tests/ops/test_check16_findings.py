"""The status page's message view shows what the file's validation and the consistency checks found
(tests/ops/test_check16_*).

An 850 whose CTT02 hash said 80 for lines adding up to 78 was posted with a warning that only `edi-gateway show`
listed: the coordinator who opened the message from the status page saw "done" and no word of it. Through the
daemon and its ops server over HTTP; the order number is the partner's text, escaped as the page escapes the rest.
"""

from __future__ import annotations

import re
import shutil
import urllib.request
from pathlib import Path

from ruamel.yaml import YAML

from tests.helpers.gateway import GatewayProcess, Workspace
from tests.helpers.net import free_port
from tests.helpers.wait import wait_for

EXAMPLES = Path(__file__).resolve().parents[2] / "gateway" / "examples"
X12 = (EXAMPLES / "samples" / "bigbox" / "850_4500001234.edi").read_bytes()


def _get(port: int, path: str) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as answer:
        return str(answer.read().decode())


def test_the_message_page_lists_the_findings_escaped(tmp_path: Path) -> None:
    port = free_port()
    ws = Workspace.create(tmp_path, {"ops": {"enabled": True, "host": "127.0.0.1", "port": port}})
    example = YAML().load((EXAMPLES / "partners" / "bigbox.yaml").read_text())
    ws.write_partner("bigbox", {**{k: v for k, v in example.items() if k != "id"}, "inbound": [{"channel": "folder"}],
                                "outbound": {"channel": "folder", "path": "outbox/bigbox"}})
    for profile in (EXAMPLES / "translations").glob("bigbox-*.yaml"):
        shutil.copy(profile, ws.root / "translations")
    with GatewayProcess(ws.config):
        # CTT02 80 for lines adding up to 78; a PO number with markup in it
        ws.drop("850_hash.edi", X12.replace(b"CTT*3*78", b"CTT*3*80").replace(b"4500001234", b"45<i&1"))
        [row] = wait_for(lambda: ws.messages(direction="in", state="done"), message="the order done")
        html = _get(port, f"/messages/{row['id']}")
        clean = _get(port, "/")             # the overview is unchanged: findings are the message view's
    assert "warning: order 45&lt;i&amp;1: totals: quantity total 80 but the lines add up to 78" in html, html
    assert "<i&" not in html
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert "Findings (1)" in text, text
    assert "quantity total 80" not in clean
