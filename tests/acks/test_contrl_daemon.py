"""CONTRL through the running daemon: an EDIFACT order in, a CONTRL out in the partner's outbox."""

from __future__ import annotations

from pathlib import Path

from gateway.formats import edifact
from tests.helpers.gateway import GatewayProcess, Workspace
from tests.helpers.wait import wait_for

EUROHANDEL = {"name": "EuroHandel", "edifact": {"ids": [{"qualifier": "14", "id": "4012345000009"}],
                                                "contrl": True, "contrl_on_success": True}}
SETTINGS = {"our_ids": {"edifact": {"qualifier": "14", "id": "0614141000005"}}}


def order(ref: str, body: str, ack_request: bool = False) -> bytes:
    segs = [s for s in body.split("'") if s]
    ask = "++++1" if ack_request else ""      # UNB 0031
    return (f"UNA:+.? 'UNB+UNOC:3+4012345000009:14+0614141000005:14+261129:0915+{ref}{ask}'UNH+1+ORDERS:D:96A:UN'"
            + "".join(s + "'" for s in segs) + f"UNT+{len(segs) + 2}+1'UNZ+1+{ref}'").encode("latin-1")


def test_daemon_answers_edifact_with_contrl_and_does_not_answer_a_contrl(tmp_path: Path) -> None:
    ws = Workspace.create(tmp_path, SETTINGS, partners={"eurohandel": EUROHANDEL})
    outbox = ws.root / "outbox" / "eurohandel"

    def contrls() -> list[Path]:
        return sorted(outbox.glob("*CONTRL*.edi")) if outbox.is_dir() else []

    with GatewayProcess(ws.config):
        # Given an order whose QTY is not numeric
        ws.drop("po1.edi", order("501", "BGM+220+PO1+9'DTM+137:20261129:102'NAD+BY+4012345000009::9'"
                                        "LIN+1++00614141000012:EN'QTY+21:1x'UNS+S'"))
        # Then a CONTRL addressed back to the partner lands in its outbox, rejecting the message
        [path] = wait_for(contrls, message="a CONTRL in outbox/eurohandel")
        sent = edifact.parse(path.read_bytes())
        assert sent.issues == []
        env = sent.interchanges[0]
        assert (env.sender_id, env.receiver_id) == ("0614141000005", "4012345000009")
        body = ["+".join(s.fields) for s in sent.transactions[0].segments[1:-1]]
        assert body == ["UCI+501+4012345000009:14+0614141000005:14+7", "UCM+1+ORDERS:D:96A:UN+4", "UCS+6",
                        "UCD+37+2:2"]             # QTY's C186 (position 2: the tag is 1), component 2
        # When the partner sends us a CONTRL (for something we never sent)
        theirs = (b"UNA:+.? 'UNB+UNOC:3+4012345000009:14+0614141000005:14+261129:1000+502'"
                  b"UNH+1+CONTRL:D:3:UN'UCI+77+0614141000005:14+4012345000009:14+7'UNT+3+1'UNZ+1+502'")
        ws.drop("contrl.edi", theirs)
        wait_for(lambda: [m for m in ws.messages(filename="contrl.edi") if m["state"] == "done"],
                 message="their CONTRL read")
    # Then no CONTRL answers their CONTRL: still exactly one in the outbox
    assert len(contrls()) == 1


def test_partner_with_contrl_requested_gets_one_only_when_its_unb_asks(tmp_path: Path) -> None:
    partner = {**EUROHANDEL, "edifact": {**EUROHANDEL["edifact"], "contrl": "requested",  # type: ignore[dict-item]
                                         "contrl_on_success": False}}
    ws = Workspace.create(tmp_path, SETTINGS, partners={"eurohandel": partner})
    outbox = ws.root / "outbox" / "eurohandel"
    body = "BGM+220+PO1+9'DTM+137:20261129:102'NAD+BY+4012345000009::9'LIN+1++00614141000012:EN'QTY+21:1x'UNS+S'"
    with GatewayProcess(ws.config):
        # Given a faulty order whose UNB does not ask for acknowledgement: read and quarantined, no CONTRL
        ws.drop("quiet.edi", order("601", body))
        wait_for(lambda: [m for m in ws.messages(filename="quiet.edi") if m["state"] in ("quarantined", "done")],
                 message="the first order handled")
        # When the next order's UNB asks for one (0031 = 1)
        ws.drop("asks.edi", order("602", body, ack_request=True))
        [path] = wait_for(lambda: sorted(outbox.glob("*CONTRL*.edi")) if outbox.is_dir() else [],
                          message="a CONTRL in outbox/eurohandel")
    # Then exactly one CONTRL went out, answering interchange 602
    assert len(sorted(outbox.glob("*CONTRL*.edi"))) == 1
    uci = edifact.parse(path.read_bytes()).transactions[0].segments[1]
    assert (uci.tag, uci.get(1)) == ("UCI", "602")
