"""A syntax 4 CONTRL names the occurrence of a repeated composite whose component is at fault, through the daemon.

S011 holds the element's position (0098), the component's (0104) and the occurrence (0136). For a repeated
composite, `QTY+21:12*21:1x` (repetition separator '*'), the CONTRL said UCD+37+2:2: the component, not which of
the two quantities, so the partner had to guess. Now it says UCD+37+2:2:2."""

from __future__ import annotations

from pathlib import Path

from gateway.formats import edifact
from tests.acks.test_contrl_daemon import EUROHANDEL, SETTINGS
from tests.helpers.gateway import GatewayProcess, Workspace
from tests.helpers.wait import wait_for

BODY = ["BGM+220+PO-OCC+9", "DTM+137:20261129:102", "NAD+BY+4012345000009::9", "LIN+1++0614141000012:EN",
        "QTY+21:12*21:1x", "UNS+S"]


def test_a_syntax_4_contrl_names_the_occurrence_of_a_repeated_composite(tmp_path: Path) -> None:
    partner = {**EUROHANDEL, "edifact": {**EUROHANDEL["edifact"], "syntax_version": "4"}}  # type: ignore[dict-item]
    ws = Workspace.create(tmp_path, SETTINGS, partners={"eurohandel": partner})
    outbox = ws.root / "outbox" / "eurohandel"
    segs = ["UNB+UNOC:4+4012345000009:14+0614141000005:14+20261129:0915+941", "UNH+1+ORDERS:D:96A:UN", *BODY,
            f"UNT+{len(BODY) + 2}+1", "UNZ+1+941"]
    with GatewayProcess(ws.config):
        ws.drop("occurrence.edi", ("UNA:+.?*'" + "".join(s + "'" for s in segs)).encode("latin-1"))
        [path] = wait_for(lambda: sorted(outbox.glob("*CONTRL*.edi")) if outbox.is_dir() else [],
                          message="the CONTRL")
    sent = edifact.parse(path.read_bytes())
    assert sent.issues == [], [str(i) for i in sent.issues]
    body = ["+".join(s.fields) for s in sent.transactions[0].segments[1:-1]]
    # QTY is segment 6; its C186 is position 2, quantity component 2, in the second occurrence
    assert body[-3:] == ["UCM+1+ORDERS:D:96A:UN+4", "UCS+6", "UCD+37+2:2:2"], body
