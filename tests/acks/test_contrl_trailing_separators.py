"""Trailing separators (ISO 9735 0085 code 45) through the running daemon: an order whose segments end in empty
data elements or components after the last one defined (`DTM+137:20261129:102+'`, `QTY+21:12:PCE:'`, what an
export writing a fixed number of elements does) was rejected whole (CONTRL UCM 4, UCD 16 "too many
constituents") and never translated. Nothing is in them: the order is accepted and the CONTRL says so; a
surplus element that holds a value is still refused."""

from __future__ import annotations

from pathlib import Path

from gateway.formats import edifact
from tests.acks.test_contrl_daemon import EUROHANDEL, SETTINGS
from tests.helpers.gateway import GatewayProcess, Workspace
from tests.helpers.wait import wait_for


def interchange(ref: str, body: list[str]) -> bytes:
    segs = [f"UNB+UNOC:3+4012345000009:14+0614141000005:14+261129:0915+{ref}", "UNH+1+ORDERS:D:96A:UN:EAN008",
            *body, f"UNT+{len(body) + 2}+1", f"UNZ+1+{ref}"]
    return ("UNA:+.? '\n" + "".join(s + "'\n" for s in segs)).encode("latin-1")


def test_empty_trailing_constituents_are_accepted_a_surplus_value_is_not(tmp_path: Path) -> None:
    ws = Workspace.create(tmp_path, SETTINGS, partners={"eurohandel": EUROHANDEL})
    outbox = ws.root / "outbox" / "eurohandel"

    def contrl_for(ref: str) -> list[list[str]]:
        found = sorted(outbox.glob("*CONTRL*.edi")) if outbox.is_dir() else []
        bodies = [edifact.parse(p.read_bytes()).transactions[0].segments[1:-1] for p in found]
        return [["+".join(s.fields) for s in b] for b in bodies if b[0].get(1) == ref]

    with GatewayProcess(ws.config):
        # Given an order whose DTM, QTY and UNS end in separators with nothing after them
        ws.drop("trailing.edi", interchange("911", [
            "BGM+220+PO-TRAIL+9", "DTM+137:20261129:102+", "NAD+BY+4012345000009::9+++++", "LIN+1++0614141000012:EN",
            "QTY+21:12:PCE:", "UNS+S+"]))
        # and one whose UNS has a second element with a value in it
        ws.drop("surplus.edi", interchange("912", [
            "BGM+220+PO-SURPLUS+9", "DTM+137:20261129:102", "NAD+BY+4012345000009::9", "LIN+1++0614141000012:EN",
            "QTY+21:12:PCE", "UNS+S+X"]))
        [accepted] = wait_for(lambda: contrl_for("911"), message="the CONTRL for 911")
        [rejected] = wait_for(lambda: contrl_for("912"), message="the CONTRL for 912")
        [first] = wait_for(lambda: [m for m in ws.messages(filename="trailing.edi")
                                    if m["state"] not in ("received", "parsed")], message="911 read")
    # Then the first is acknowledged and goes on; the second is rejected at UNS's element 2 (position 3)
    assert accepted == ["UCI+911+4012345000009:14+0614141000005:14+7", "UCM+1+ORDERS:D:96A:UN:EAN008+7"]
    assert first["state"] != "quarantined"
    assert rejected == ["UCI+912+4012345000009:14+0614141000005:14+7", "UCM+1+ORDERS:D:96A:UN:EAN008+4", "UCS+7",
                        "UCD+16+3"]
