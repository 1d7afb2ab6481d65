"""A new partner whose qualifier was typed wrong, through the real daemon: the quarantine reason names the
partner file that has the sender's id, and the qualifier each side says."""

from __future__ import annotations

from pathlib import Path

from tests.helpers.gateway import GatewayProcess, Workspace, cli
from tests.helpers.wait import wait_for
from tests.helpers.x12 import purchase_order

ACME = {"name": "Acme Retail", "x12": {"ids": [{"qualifier": "01", "id": "ACMERETAIL"}], "gs_ids": ["ACMEGS"]},
        "documents": [{"type": "850", "direction": "in", "profile": "x12-004010-850"}]}


def test_a_sender_id_under_another_qualifier_is_named(tmp_path: Path) -> None:
    """The partner sends ISA05 ZZ; its file says 01 (DUNS, a guess). The reason was 'no partner matches ISA05/06
    ZZ/ACMERETAIL', which sends the coordinator looking for a missing partner file rather than at one letter."""
    ws = Workspace.create(tmp_path, partners={"acme": ACME})
    with GatewayProcess(ws.config):
        ws.drop("po.x12", purchase_order(1201))
        wait_for(lambda: ws.count(state="quarantined") == 1, message="quarantined")
    [message] = ws.messages(state="quarantined")
    assert message["last_error"].endswith("no partner matches ISA05/06 ZZ/ACMERETAIL, GS02 ACMERETAIL (received "
                                          "over folder, file po.x12); partner acme has that id with qualifier "
                                          "'01', the file says 'ZZ'"), message["last_error"]


def test_messages_of_a_misspelt_partner(tmp_path: Path) -> None:
    """`messages --partner acem` said 'no messages', as for a partner that has sent nothing yet."""
    ws = Workspace.create(tmp_path, partners={"acme": ACME})
    with GatewayProcess(ws.config):
        pass
    done = cli("messages", "--partner", "acem", config=ws.config)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "no messages; no partner file is named 'acem' (did you mean 'acme'?)\n"
    assert cli("messages", "--partner", "acme", config=ws.config).stdout == "no messages\n"
