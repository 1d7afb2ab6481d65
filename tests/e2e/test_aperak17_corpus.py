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


def test_a_corpus_aperak_from_a_partner_listing_no_documents_is_read_not_quarantined(tmp_path: Path) -> None:
    partner = {"name": "Pydifact sample", "edifact": {"ids": [{"id": "RECEIVERID"}], "contrl": False}}
    ws = Workspace.create(tmp_path, {"our_ids": {"edifact": {"id": "SENDERID"}}}, partners={"pyd": partner})
    with GatewayProcess(ws.config):
        ws.drop("aperak.edi", FILES["APERAK_D96A_pydifact_rejected-v4.edi"].read_bytes())
        [message] = wait_for(lambda: [m for m in ws.messages(filename="aperak.edi")
                                      if m["state"] in ("done", "quarantined", "dead")], message="the APERAK read")
    assert message["state"] == "done", message["last_error"]
    reason = str(ws.events(str(message["id"]))[-1]["reason"])
    assert reason == "acknowledgement matches nothing we sent: APERAK APERAK003 (rejected) for ACW PO123456", reason
