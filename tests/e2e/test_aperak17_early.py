"""An APERAK for an invoice whose delivery was never confirmed (the partner's folder failed us, while its system
took the file): the invoice is settled as the partner's application says, and not sent again."""

from __future__ import annotations

from pathlib import Path

from gateway.config.loader import load
from gateway.formats.base import Syntax
from gateway.journal.api import Direction, State
from gateway.journal.archive import Archive
from gateway.journal.sqlite import SqliteJournal
from gateway.outbound.rendered import RenderedDocument
from gateway.pipeline import Pipeline
from tests.helpers.gateway import GatewayProcess, Workspace
from tests.helpers.wait import wait_for

PARTNER, US = "4012345000009", "0614141000005"


def test_an_aperak_before_our_delivery_was_confirmed_rejects_the_invoice_without_sending_it_again(
        tmp_path: Path) -> None:
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the partner's folder should be: every delivery fails")
    partner = {"name": "EuroHandel", "edifact": {"ids": [{"qualifier": "14", "id": PARTNER}]},
               "outbound": {"channel": "folder", "path": str(blocked / "in")},
               "documents": [{"type": "ORDERS", "direction": "in", "profile": "edifact-d96a-orders"},
                             {"type": "INVOIC", "direction": "out", "profile": "edifact-d96a-invoic"}]}
    ws = Workspace.create(tmp_path / "gw", {"our_ids": {"edifact": {"qualifier": "14", "id": US}}},
                          partners={"eurohandel": partner})
    config = load(ws.config, environ={})
    journal = SqliteJournal(config.gateway.state_dir / "journal.sqlite3")
    try:
        bill = Pipeline(config, journal, Archive(config.gateway.archive_dir)).queue_outbound(
            config.partners["eurohandel"],
            RenderedDocument("INVOIC", Syntax.EDIFACT, "eurohandel_INVOIC_77.edi",
                             f"UNB+UNOC:3+{US}:14+{PARTNER}:14+261201:0900+77'UNH+5+INVOIC:D:96A:UN'BGM+380+INV-9+9'"
                             "UNT+3+5'UNZ+1+77'".encode(), control_number="77", transaction_numbers=["5"],
                             expects_ack="CONTRL", number="INV-9"), key="test:INV-9")
    finally:
        journal.close()
    with GatewayProcess(ws.config):
        wait_for(lambda: [m for m in ws.messages(id=bill.id) if m["attempts"] >= 1 and m["state"] != "queued"],
                 message="a failed delivery")
        # When the partner's application refuses it all the same (its system took the file)
        ws.drop("aperak.edi", (f"UNB+UNOC:3+{PARTNER}:14+{US}:14+261201:1000+AP9'UNH+1+APERAK:D:96A:UN:EAN001'"
                               "BGM+12E::9+AP0009+27'RFF+IV:INV-9'ERC+186::92'FTX+AAO+++Duplicate invoice'UNT+6+1'"
                               "UNZ+1+AP9'").encode())
        [rejected] = wait_for(lambda: [m for m in ws.messages(id=bill.id) if m["state"] == "rejected"], timeout=30,
                         message="the invoice rejected")
    reasons = [str(e["reason"]) for e in ws.events(bill.id)]
    assert any("not sent again" in r for r in reasons), reasons
    assert reasons[-1].startswith("rejected by eurohandel's application (APERAK AP0009 in"), reasons
    assert reasons[-1].endswith(": error 186: Duplicate invoice"), reasons
    assert not (blocked / "in").exists() and "Duplicate invoice" in str(rejected["last_error"]), rejected


def test_an_aperak_for_an_invoice_sent_before_this_release_is_matched_by_the_number_in_its_file(
        tmp_path: Path) -> None:
    """An invoice queued by an earlier release kept no document number in the journal: its file is read for it."""
    partner = {"name": "EuroHandel", "edifact": {"ids": [{"qualifier": "14", "id": PARTNER}]},
               "outbound": {"channel": "folder", "path": str(tmp_path / "sent")},
               "documents": [{"type": "INVOIC", "direction": "out", "profile": "edifact-d96a-invoic"}]}
    ws = Workspace.create(tmp_path / "gw", {"our_ids": {"edifact": {"qualifier": "14", "id": US}}},
                          partners={"eurohandel": partner})
    config = load(ws.config, environ={})
    journal = SqliteJournal(config.gateway.state_dir / "journal.sqlite3")
    try:
        old = []
        for n, number in enumerate(("INV-OLD-6", "INV-OLD-7", "INV-OLD-8")):
            data = (f"UNB+UNOC:3+{US}:14+{PARTNER}:14+261120:0900+{60 + n}'UNH+{n + 1}+INVOIC:D:96A:UN'"
                    f"BGM+380+{number}+9'UNT+3+{n + 1}'UNZ+1+{60 + n}'").encode()
            old.append(journal.record_intake(
                direction=Direction.OUT, partner="eurohandel", channel="folder", filename=f"inv{n}.edi",
                sha256=Archive(config.gateway.archive_dir).put(data), size=len(data), source_key=f"old:{number}",
                state=State.SENT, doc_type="INVOIC", syntax="edifact", control_number=str(60 + n),
                meta={"expects_ack": None, "transaction_numbers": [str(n + 1)]}).id)   # as 0.16 kept it: no number
    finally:
        journal.close()
    with GatewayProcess(ws.config):
        ws.drop("aperak.edi", (f"UNB+UNOC:3+{PARTNER}:14+{US}:14+261201:1000+AP8'UNH+1+APERAK:D:96A:UN:EAN001'"
                               "BGM+12E::9+AP0008+27'RFF+IV:INV-OLD-7'ERC+186::92'UNT+5+1'UNZ+1+AP8'").encode())
        wait_for(lambda: [m for m in ws.messages(filename="aperak.edi") if m["state"] in ("done", "quarantined")],
                 message="the APERAK read")
    states = [ws.messages(id=mid)[0]["state"] for mid in old]
    assert states[1] == "rejected" and "rejected" not in (states[0], states[2]), states
    assert "error 186" in str(ws.messages(id=old[1])[0]["last_error"])
