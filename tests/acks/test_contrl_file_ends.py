"""How an EDIFACT file ends, through the running daemon: the CONTRL the partner gets and whether the order goes on.

A complete interchange whose UNZ lacks its final terminator (an export or a text editor drops it, often with a
line end after) was rejected whole (CONTRL UCI 4, 13) though its UNZ count and reference say nothing is missing;
it is read, with a warning. A file cut in a message is still rejected, and the UCI now says the UNZ is missing
(it named no segment: the first finding was "last segment QTY has no terminator", a segment the UCI cannot name).
A second interchange after such a UNZ, on the next line, is read too.
"""

from __future__ import annotations

from pathlib import Path

from gateway.formats import edifact
from tests.acks.test_contrl_daemon import EUROHANDEL, SETTINGS
from tests.helpers.gateway import GatewayProcess, Workspace
from tests.helpers.wait import wait_for

BODY = ["BGM+220+PO-END+9", "DTM+137:20261129:102", "NAD+BY+4012345000009::9", "LIN+1++0614141000012:EN",
        "QTY+21:12", "UNS+S"]


def interchange(ref: str) -> bytes:
    """A D96A ORDERS interchange `ref`, one segment a line (CRLF), ending with "UNZ+1+<ref>'\\r\\n"."""
    segs = ["UNA:+.? '", f"UNB+UNOC:3+4012345000009:14+0614141000005:14+261129:0915+{ref}",
            "UNH+1+ORDERS:D:96A:UN:EAN008", *BODY, f"UNT+{len(BODY) + 2}+1", f"UNZ+1+{ref}"]
    return ("UNA:+.? '\r\n" + "".join(s + "'\r\n" for s in segs[1:])).encode("latin-1")


def body_of(path: Path) -> list[str]:
    sent = edifact.parse(path.read_bytes())
    assert sent.issues == []
    return ["+".join(s.fields) for s in sent.transactions[0].segments[1:-1]]


def test_a_missing_final_terminator_is_read_and_a_cut_file_rejected_naming_the_unz(tmp_path: Path) -> None:
    ws = Workspace.create(tmp_path, SETTINGS, partners={"eurohandel": EUROHANDEL})
    outbox = ws.root / "outbox" / "eurohandel"

    def contrl_for(ref: str) -> list[Path]:
        found = sorted(outbox.glob("*CONTRL*.edi")) if outbox.is_dir() else []
        return [p for p in found if f"UCI+{ref}+".encode() in p.read_bytes()]

    with GatewayProcess(ws.config):
        # Given an order whose file ends "UNZ+1+901" and a line end, without the terminator
        whole = interchange("901")
        assert whole.endswith(b"UNZ+1+901'\r\n")
        ws.drop("no_final_apostrophe.edi", whole[:-3] + b"\r\n")
        # and an order cut short in its QTY
        cut = interchange("902")
        ws.drop("cut.edi", cut[:cut.index(b"QTY+21:12") + 6])
        # and a file of two interchanges, the first of which lacks its final terminator
        ws.drop("two.edi", interchange("903")[:-3] + b"\r\n" + interchange("904").removeprefix(b"UNA:+.? '\r\n"))
        [accepted] = wait_for(lambda: contrl_for("901"), message="the CONTRL for 901")
        [rejected] = wait_for(lambda: contrl_for("902"), message="the CONTRL for 902")
        [third] = wait_for(lambda: contrl_for("903"), message="the CONTRL for 903")
        [fourth] = wait_for(lambda: contrl_for("904"), message="the CONTRL for 904")
        [first] = wait_for(lambda: [m for m in ws.messages(filename="no_final_apostrophe.edi")
                                    if m["state"] not in ("received", "parsed")], message="901 read")
        [second] = wait_for(lambda: [m for m in ws.messages(filename="cut.edi")
                                     if m["state"] not in ("received", "parsed")], message="902 read")
    # Then the first is acknowledged and translated, the second rejected for its missing UNZ
    assert body_of(accepted) == ["UCI+901+4012345000009:14+0614141000005:14+7", "UCM+1+ORDERS:D:96A:UN:EAN008+7"]
    assert first["state"] != "quarantined"
    assert body_of(rejected) == ["UCI+902+4012345000009:14+0614141000005:14+4+13+UNZ"]
    assert second["state"] == "quarantined"
    # and both interchanges of the third file are read and acknowledged: the second was left out unread (the
    # first's UNZ reference ran on into its UNB), and the first was rejected for the reference that made
    assert body_of(third) == ["UCI+903+4012345000009:14+0614141000005:14+7", "UCM+1+ORDERS:D:96A:UN:EAN008+7"]
    assert body_of(fourth) == ["UCI+904+4012345000009:14+0614141000005:14+7", "UCM+1+ORDERS:D:96A:UN:EAN008+7"]
