"""Hostile and damaged files through the real daemon's inbox folder: what is recorded, quarantined and
acknowledged, that the inbox keeps taking files, and that nothing is lost or doubled."""

from __future__ import annotations

import hashlib
import os
import socket
import sqlite3
import threading
from pathlib import Path

import pytest

from gateway.errors import JournalError
from gateway.journal import archive as archive_module
from gateway.journal.archive import Archive
from tests.helpers.edifact import orders
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


EURO = {"name": "EuroHandel", "edifact": {"ids": [{"qualifier": "14", "id": "4012345000009"}], "contrl": True},
        "documents": [{"type": "ORDERS", "direction": "in", "profile": "edifact-d96a-orders"}]}


def test_the_corrected_resend_of_a_rejected_interchange_is_not_a_duplicate(tmp_path: Path) -> None:
    # Given a running gateway with an X12 and an EDIFACT partner
    settings = {"our_ids": {**OUR_IDS["our_ids"], "edifact": {"qualifier": "14", "id": "0614141000005"}}}
    ws = Workspace.create(tmp_path, settings, partners={"acme": ACME, "eurohandel": EURO})
    x12, edi = purchase_order(201), orders(301)
    with GatewayProcess(ws.config):
        # When each partner's file arrives cut short (the transfer broke off) ...
        ws.drop("po-201.x12", x12[:len(x12) * 2 // 3])
        ws.drop("orders-301.edi", edi[:len(edi) * 2 // 3])
        wait_for(lambda: ws.count(direction="in", state="quarantined") == 2, message="both quarantined")
        # ... they are rejected with a TA1 and a CONTRL that say so
        wait_for(lambda: ws.count(direction="out") == 2, message="the negative acknowledgements")
        replies = {r["doc_type"]: ws.archived(r["sha256"]).read_bytes() for r in ws.messages(direction="out")}
        assert b"TA1*000000201*" in replies["TA1"] and b"*R*023~" in replies["TA1"]
        assert b"UCI+301+4012345000009:14+0614141000005:14+4" in replies["CONTRL"]
        # When the partners send the whole files again, under the same control numbers
        ws.drop("po-201-again.x12", x12)
        ws.drop("orders-301-again.edi", edi)
        # Then they are read and accepted, not recorded as duplicates of what was rejected
        wait_for(lambda: ws.count(direction="in", state="done") == 2, message="the resends done")
        rows = {r["filename"]: r for r in ws.messages(direction="in")}
        assert rows["po-201-again.x12"]["control_number"] == "000000201"
        assert rows["orders-301-again.edi"]["control_number"] == "301"
        wait_for(lambda: ws.count(direction="out") == 4, message="their acknowledgements")
        answers = [ws.archived(r["sha256"]).read_bytes() for r in ws.messages(direction="out")][2:]
        assert any(b"AK1*PO*201~" in a and b"AK9*A*1*1*1~" in a for a in answers)
        assert any(b"UCI+301+4012345000009:14+0614141000005:14+7'" in a for a in answers)
        # And a third copy of an accepted interchange is still a duplicate
        ws.drop("po-201-third.x12", x12)
        wait_for(lambda: ws.count(direction="in", state="duplicate") == 1, message="the repeat a duplicate")
    assert ws.messages(direction="in", state="duplicate")[0]["filename"] == "po-201-third.x12"


def test_an_edifact_interchange_its_contrl_rejects_is_not_processed(tmp_path: Path) -> None:
    # Given a running gateway with an EDIFACT partner that gets a CONTRL for every interchange
    settings = {"our_ids": {**OUR_IDS["our_ids"], "edifact": {"qualifier": "14", "id": "0614141000005"}}}
    ws = Workspace.create(tmp_path, settings, partners={"eurohandel": EURO})
    with GatewayProcess(ws.config):
        # When an interchange arrives without its UNZ trailer (the end of the transfer lost), alone and
        # behind a complete one in the same file
        ws.drop("cut.edi", orders(401).split(b"UNZ+")[0])
        ws.drop("two.edi", orders(402) + orders(403).split(b"UNZ+")[0])
        wait_for(lambda: ws.count(direction="in", state="quarantined") == 1
                 and ws.count(direction="in", state="done") == 1, message="one quarantined, one done")
        wait_for(lambda: ws.count(direction="out") == 3, message="a CONTRL per interchange")
    rows = {r["filename"]: r for r in ws.messages(direction="in")}
    # Then the interchange the CONTRL rejects (UCI action 4, 13 missing, UNZ) is not translated: alone, the
    # file is quarantined with a reason naming the segment ...
    assert rows["cut.edi"]["state"] == "quarantined"
    assert "segment UNZ: interchange has no UNZ trailer" in rows["cut.edi"]["last_error"]
    contrls = {r["parent_id"]: [] for r in ws.messages(direction="out")}
    for r in ws.messages(direction="out"):
        contrls[r["parent_id"]].append(ws.archived(r["sha256"]).read_bytes())
    [cut_contrl] = contrls[rows["cut.edi"]["id"]]
    assert b"UCI+401+4012345000009:14+0614141000005:14+4+13+UNZ'" in cut_contrl
    # ... and beside a complete one only that one's order is kept, as its CONTRLs say
    two = contrls[rows["two.edi"]["id"]]
    assert any(b"UCI+402+4012345000009:14+0614141000005:14+7'" in c for c in two)
    assert any(b"UCI+403+4012345000009:14+0614141000005:14+4+13+UNZ'" in c for c in two)
    db = sqlite3.connect(f"file:{ws.journal_path}?mode=ro", uri=True)
    try:
        [(blob,)] = db.execute("SELECT content FROM blobs WHERE message_id = ? AND name = 'canonical'",
                               (rows["two.edi"]["id"],)).fetchall()
    finally:
        db.close()
    assert "PO0000402" in blob and "PO0000403" not in blob


def test_a_file_replaced_while_it_is_taken_is_taken_again_not_lost(tmp_path: Path) -> None:
    # Given a running gateway, and a partner who renames a corrected file into place over one it sent just as
    # the gateway has read and recorded the first (tests/helpers/inbox_hooks.py does it at that moment)
    from tests.helpers.inbox_hooks import REPLACEMENT
    ws = Workspace.create(tmp_path, OUR_IDS, partners={"acme": ACME})
    with GatewayProcess(ws.config, preload=["tests.helpers.inbox_hooks"]) as gw:
        ws.drop("swap.x12", purchase_order(1))
        # Then both versions are recorded: the replacement was not moved away as if it had been read
        wait_for(lambda: ws.count(direction="in", state="done") == 2, message="both versions done")
        wait_for(lambda: not (ws.inbox / "swap.x12").exists(), message="the inbox emptied")
        assert "changed while it was taken" in gw.output()
    rows = ws.messages(direction="in")
    assert sorted(r["control_number"] for r in rows) == ["000000001", "000000002"]
    assert {ws.archived(r["sha256"]).read_bytes() for r in rows} == {purchase_order(1), REPLACEMENT}


def test_the_archive_refuses_a_fifo_and_a_file_written_while_read(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    archive = Archive(tmp_path / "archive")
    # a FIFO (swapped in for a file between the inbox's check and the read) is refused, not waited on
    fifo = tmp_path / "order.x12"
    os.mkfifo(fifo)
    outcome: list[BaseException] = []
    reader = threading.Thread(target=lambda: _put(archive, fifo, outcome), daemon=True)
    reader.start()
    reader.join(30)
    if reader.is_alive():                      # blocked on the FIFO: let it go, then fail
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        reader.join(30)
        pytest.fail("the archive waited for a writer on a FIFO")
    assert isinstance(outcome[0], JournalError) and "not a regular file" in str(outcome[0])
    # a file the sender is still writing while it is read is not stored half
    growing = tmp_path / "growing.x12"
    growing.write_bytes(purchase_order(3))
    real_sha256 = hashlib.sha256

    class Appending:
        def __init__(self) -> None:
            self.digest = real_sha256()

        def update(self, chunk: bytes) -> None:
            if not growing.with_suffix(".more").exists():
                growing.with_suffix(".more").touch()
                with open(growing, "ab") as out:
                    out.write(b"GS*PO*ACMERETAIL*ACMEDIST*20261129*0851*4*X*004010~\n")
            self.digest.update(chunk)

        def hexdigest(self) -> str:
            return self.digest.hexdigest()

    monkeypatch.setattr(archive_module, "CHUNK", 64)
    monkeypatch.setattr(archive_module.hashlib, "sha256", Appending)
    with pytest.raises(JournalError, match="written to while it was read"):
        archive.put(growing)
    monkeypatch.undo()
    assert not list((tmp_path / "archive" / "tmp").iterdir())          # no half copy left behind
    assert archive.put(growing) == hashlib.sha256(growing.read_bytes()).hexdigest()


def _put(archive: Archive, path: Path, outcome: list[BaseException]) -> None:
    try:
        archive.put(path)
    except BaseException as exc:  # noqa: BLE001 - handed to the test
        outcome.append(exc)


def test_a_notify_socket_nobody_reads_does_not_stop_the_daemon(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    # The daemon reports STATUS= every 10 s from its event loop. Seen with 10,000 inbox files: once the
    # receiver's queue was full (net.unix.max_dgram_qlen unread datagrams), the send blocked and the daemon
    # stopped taking and processing anything. A full queue now drops the line.
    from gateway import sdnotify
    path = str(tmp_path / "notify")
    manager = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    manager.bind(path)                                   # bound, never read
    monkeypatch.setenv("NOTIFY_SOCKET", path)
    results: list[bool] = []
    sender = threading.Thread(target=lambda: results.extend(sdnotify.notify(f"STATUS={i}") for i in range(2000)),
                              daemon=True)
    sender.start()
    sender.join(60)
    blocked = sender.is_alive()
    manager.close()                                      # lets a blocked send fail, so the thread ends
    assert not blocked, "notify waited for the manager to read"
    assert results[0] is True and results[-1] is False   # delivered while there was room, then dropped
