"""Hostile and damaged files through the real daemon's inbox folder: what is recorded, quarantined and
acknowledged, that the inbox keeps taking files, and that nothing is lost or doubled."""

from __future__ import annotations

import os
from pathlib import Path

from tests.helpers.gateway import GatewayProcess, Workspace
from tests.helpers.wait import wait_for
from tests.helpers.x12 import purchase_order

ACME = {"name": "Acme Retail", "x12": {"ids": [{"qualifier": "ZZ", "id": "ACMERETAIL"}], "ta1": True},
        "documents": [{"type": "850", "direction": "in", "profile": "x12-004010-850"}]}
OUR_IDS = {"our_ids": {"x12": {"qualifier": "ZZ", "id": "ACMEDIST"}, "gs": "ACMEDIST"}}


def test_a_file_name_that_is_not_utf8_is_taken_and_the_inbox_goes_on(tmp_path: Path) -> None:
    # Given a running gateway
    ws = Workspace.create(tmp_path, OUR_IDS, partners={"acme": ACME})
    ws.inbox.mkdir()
    with GatewayProcess(ws.config) as gw:
        # When a file whose name holds bytes that are not UTF-8 (a Latin-1 'é', an 0xff) is dropped
        raw_name = os.fsencode(ws.inbox) + b"/commande-\xe9t\xff.x12"
        with open(raw_name + b".part", "wb") as out:
            out.write(purchase_order(1))
        os.rename(raw_name + b".part", raw_name)
        wait_for(lambda: ws.count(direction="in") == 1, message="the oddly named file taken", timeout=20)
        # and then an ordinary one
        ws.drop("after.x12", purchase_order(2))
        # Then both are taken and processed: the inbox did not stop at the first
        wait_for(lambda: ws.count(direction="in", state="done") == 2, message="both files done", timeout=20)
        assert "Traceback" not in gw.output()
    rows = {r["filename"]: r for r in ws.messages(direction="in")}
    assert set(rows) == {"commande-\\xe9t\\xff.x12", "after.x12"}        # the name readable, its bytes shown
    assert sorted(os.listdir(os.fsencode(ws.processed))) == [b"after.x12", b"commande-\xe9t\xff.x12"]
    assert not [p for p in ws.inbox.iterdir() if p.is_file()]
