"""The third-party APERAKs of ../shared/corpus read as application acknowledgements: `edi-gateway translate` says
what each one says (it answered "no base profile translates edifact APERAK" and failed), and one through the daemon
from a partner whose file lists no documents is read and said to match nothing we sent (it was quarantined)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.corpus import corpus_files, needs_corpus
from tests.helpers.gateway import GatewayProcess, Workspace, cli
from tests.helpers.wait import wait_for

EXPECTED = {
    "APERAK_D96A_bots_dutchic.edi": "APERAK 14: accepted, for ON T0000000015",
    # ERC codes and no BGM function accepting it (9 = original): taken as a refusal, for a person to read
    "APERAK_D96A_pydifact_1.edi": "APERAK APERAK001: rejected, for ACW PO123456: error 1: Message accepted without "
                                  "errors",
    "APERAK_D96A_pydifact_rejected-v4.edi": "APERAK APERAK003: rejected, for ACW PO123456: error 12: Order rejected: "
                                            "invalid product code",
    # BGM 1225 27 (not accepted) beside 4343 AP: the refusal wins
    "APERAK_D97A_effektor_iway.edi": "APERAK PRPAID1: rejected, for no reference: error 36: Maximum Usage Count "
                                     "exceeded for UNT",
}
pytestmark = needs_corpus
FILES = {path.name: path for path in corpus_files("edifact", "APERAK_*")}


def test_every_corpus_aperak_is_listed_here() -> None:
    assert not FILES or sorted(FILES) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_translate_says_what_each_corpus_aperak_says(name: str) -> None:
    done = cli("translate", str(FILES[name]))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == EXPECTED[name], done.stdout
    assert "no base profile" not in done.stderr, done.stderr


def settled(ws: Workspace, name: str) -> dict[str, object]:
    [message] = wait_for(lambda: [m for m in ws.messages(filename=name) if m["state"] in ("done", "quarantined", "dead")],
                         message=name)
    return message


def test_corpus_aperaks_from_a_partner_listing_no_documents_are_read_and_an_unmatched_refusal_held(
        tmp_path: Path) -> None:
    """An acceptance that matches nothing is done, saying so; a refusal that matches nothing is quarantined for a
    person (both were quarantined as 'no base profile translates edifact APERAK')."""
    partners = {"pyd": {"name": "Pydifact sample", "edifact": {"ids": [{"id": "RECEIVERID"}], "contrl": False}},
                "bots": {"name": "Bots sample", "edifact": {"ids": [{"qualifier": "14", "id": "PARTNER2"}]},
                         "our_ids": {"edifact": {"qualifier": "14", "id": "PARTNER1"}}}}
    ws = Workspace.create(tmp_path, {"our_ids": {"edifact": {"id": "SENDERID"}}}, partners=partners)
    with GatewayProcess(ws.config):
        ws.drop("refused.edi", FILES["APERAK_D96A_pydifact_rejected-v4.edi"].read_bytes())
        ws.drop("accepted.edi", FILES["APERAK_D96A_bots_dutchic.edi"].read_bytes())
        read = {name: settled(ws, name) for name in ("refused.edi", "accepted.edi")}
    assert read["accepted.edi"]["state"] == "done", read["accepted.edi"]["last_error"]
    assert str(ws.events(str(read["accepted.edi"]["id"]))[-1]["reason"]) == \
        "acknowledgement matches nothing we sent: APERAK 14 (accepted) for ON T0000000015"
    assert read["refused.edi"]["state"] == "quarantined"
    assert "refused a document this gateway cannot find among what it sent: APERAK APERAK003 (rejected) for ACW " \
        "PO123456" in str(read["refused.edi"]["last_error"]), read["refused.edi"]["last_error"]


def test_an_aperaks_own_text_is_its_reason_when_it_gives_no_error_code(tmp_path: Path) -> None:
    """BGM 1225 27 (not accepted) with the why in the message's FTX and no ERC: the text is kept (it was dropped)."""
    path = tmp_path / "aperak.edi"
    path.write_bytes(b"UNA:+.? 'UNB+UNOC:3+5412345000013:14+4012345500004:14+261201:1200+77'UNH+1+APERAK:D:96A:UN:"
                     b"EAN001'BGM+12E::9+10016+27'FTX+AAO+++Invoice refused?: VAT rate 19 % on a 7 % item'"
                     b"RFF+IV:2745'UNT+5+1'UNZ+1+77'")
    done = cli("translate", str(path))
    assert done.stdout.strip() == "APERAK 10016: rejected, for IV 2745: Invoice refused: VAT rate 19 % on a 7 % item"
