"""A mandatory segment missing at the end of an EDIFACT message without UNT, through the running daemon.

A CONTRL names a missing segment at the last segment before its place (ISO 9735-4). In a message whose UNT never
came (the next UNH did), the UNS missing after its last segment, QTY (segment 6), was reported at LIN, segment 5:
one segment early, so the partner looked for a fault between LIN and QTY. Now the UCS names QTY."""

from __future__ import annotations

from pathlib import Path

from gateway.formats import edifact
from tests.acks.test_contrl_daemon import EUROHANDEL, SETTINGS
from tests.helpers.gateway import GatewayProcess, Workspace
from tests.helpers.wait import wait_for

LINES = ["DTM+137:20261129:102", "NAD+BY+4012345000009::9", "LIN+1++0614141000012:EN", "QTY+21:12"]


def test_a_segment_missing_at_the_end_of_a_message_without_unt_is_named_after_its_last_segment(tmp_path: Path) -> None:
    ws = Workspace.create(tmp_path, SETTINGS, partners={"eurohandel": EUROHANDEL})
    outbox = ws.root / "outbox" / "eurohandel"
    second = ["BGM+220+PO-B+9", *LINES, "UNS+S"]
    segs = ["UNB+UNOC:3+4012345000009:14+0614141000005:14+261129:0915+931",
            "UNH+1+ORDERS:D:96A:UN", "BGM+220+PO-A+9", *LINES,             # no UNS, no UNT
            "UNH+2+ORDERS:D:96A:UN", *second, f"UNT+{len(second) + 2}+2", "UNZ+2+931"]
    with GatewayProcess(ws.config):
        ws.drop("no-unt.edi", "".join(s + "'\n" for s in segs).encode("latin-1"))
        [path] = wait_for(lambda: sorted(outbox.glob("*CONTRL*.edi")) if outbox.is_dir() else [],
                          message="the CONTRL")
    sent = edifact.parse(path.read_bytes())
    body = ["+".join(s.fields) for s in sent.transactions[0].segments[1:-1]]
    assert body == ["UCI+931+4012345000009:14+0614141000005:14+7",
                    "UCM+1+ORDERS:D:96A:UN+4+13+UNT", "UCS+6+13",        # UNS missing after QTY, segment 6
                    "UCM+2+ORDERS:D:96A:UN+7"], body
