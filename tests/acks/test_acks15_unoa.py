"""The UNOA character repertoire through the running daemon: a lowercase letter in an interchange declared UNOA.

ISO 9735 level A has capitals, digits, space and a few signs only; a lowercase letter or an '@' under UNOA is
0085 code 21 "invalid character(s)". It was not checked at all. Many partners declare UNOA and send lowercase
names and e-mail addresses, and the text reads the same, so it is a note the coordinator sees (`show`), not a
rejection: the CONTRL still acknowledges the order and it goes on."""

from __future__ import annotations

from pathlib import Path

from gateway.formats import edifact
from tests.acks.test_contrl_daemon import EUROHANDEL, SETTINGS
from tests.helpers.gateway import GatewayProcess, Workspace, cli
from tests.helpers.wait import wait_for

BODY = ["BGM+220+PO-UNOA+9", "DTM+137:20261129:102", "NAD+BY+4012345000009::9++Mueller gmbh",
        "LIN+1++0614141000012:EN", "QTY+21:12", "UNS+S"]


def interchange(ref: str, syntax: str, body: list[str]) -> bytes:
    segs = [f"UNB+{syntax}:3+4012345000009:14+0614141000005:14+261129:0915+{ref}", "UNH+1+ORDERS:D:96A:UN",
            *body, f"UNT+{len(body) + 2}+1", f"UNZ+1+{ref}"]
    return "".join(s + "'\n" for s in segs).encode("ascii")


def test_lowercase_under_unoa_is_noted_and_the_order_is_acknowledged(tmp_path: Path) -> None:
    ws = Workspace.create(tmp_path, SETTINGS, partners={"eurohandel": EUROHANDEL})
    outbox = ws.root / "outbox" / "eurohandel"
    with GatewayProcess(ws.config):
        ws.drop("unoa.edi", interchange("921", "UNOA", BODY))
        ws.drop("unoc.edi", interchange("922", "UNOC", [s.replace("PO-UNOA", "PO-UNOC") for s in BODY]))
        wait_for(lambda: len(sorted(outbox.glob("*CONTRL*.edi")) if outbox.is_dir() else []) == 2,
                 message="two CONTRLs")
        # both settled, not one: the CONTRLs go out at parse, and each order is translated after, on its own
        wait_for(lambda: sum(m["state"] in ("done", "quarantined") for m in ws.messages(direction="in")) == 2,
                 message="both read")
    rows = ws.messages(direction="in")
    contrls = {}
    for path in sorted(outbox.glob("*CONTRL*.edi")):
        segs = edifact.parse(path.read_bytes()).transactions[0].segments[1:-1]
        contrls[segs[0].get(1)] = ["+".join(s.fields) for s in segs]
    # the CONTRL acknowledges the UNOA order as it does the UNOC one: code 21 is not a rejection here
    assert contrls["921"] == ["UCI+921+4012345000009:14+0614141000005:14+7", "UCM+1+ORDERS:D:96A:UN+7"]
    assert contrls["922"] == ["UCI+922+4012345000009:14+0614141000005:14+7", "UCM+1+ORDERS:D:96A:UN+7"]
    by_name = {r["filename"]: r for r in rows}
    assert all(r["state"] != "quarantined" for r in rows), rows
    # and the coordinator sees why the partner's UNOA is not quite UNOA; lowercase is fine under UNOC
    unoa = cli("show", by_name["unoa.edi"]["id"], config=ws.config).stdout
    assert "NAD element 4 holds 'u', which the UNOA character set" in unoa, unoa
    unoc = cli("show", by_name["unoc.edi"]["id"], config=ws.config).stdout
    assert "UNOA character set" not in unoc, unoc
