"""An EANCOM 2002 (D01B) APERAK that names our invoice in its SG1 DOC segment, through the real daemon.

From D01B the APERAK says which document it acknowledges in DOC (its name code, UNCL 1001, and its number) beside or
instead of SG2's RFF. Only RFF was read, so an APERAK refusing our invoice by `DOC+380+<number>` matched nothing:
the invoice stayed done and the APERAK waited in quarantine for a person to find the invoice by hand."""

from __future__ import annotations

from pathlib import Path

from gateway.formats.base import Syntax
from gateway.outbound.rendered import RenderedDocument
from tests.helpers.gateway import GatewayProcess
from tests.helpers.queued_outbound import queued
from tests.helpers.wait import wait_for

PARTNER, US = "4012345000009", "0614141000005"


def test_an_aperak_naming_our_invoice_in_doc_rejects_it(tmp_path: Path) -> None:
    partner = {"name": "EuroHandel", "edifact": {"ids": [{"qualifier": "14", "id": PARTNER}], "contrl": False},
               "outbound": {"channel": "folder", "path": str(tmp_path / "sent")},
               "documents": [{"type": "ORDERS", "direction": "in", "profile": "edifact-d96a-orders"},
                             {"type": "INVOIC", "direction": "out", "profile": "edifact-d96a-invoic"}]}
    ws, [bill] = queued(tmp_path / "gw", "eurohandel", partner, [
        RenderedDocument("INVOIC", Syntax.EDIFACT, "eurohandel_INVOIC_77.edi",
                         f"UNB+UNOC:3+{US}:14+{PARTNER}:14+261201:0900+77'UNH+5+INVOIC:D:96A:UN'BGM+380+INV-9+9'"
                         "UNT+3+5'UNZ+1+77'".encode(), control_number="77", transaction_numbers=["5"],
                         number="INV-9")], {"our_ids": {"edifact": {"qualifier": "14", "id": US}}})
    with GatewayProcess(ws.config):
        wait_for(lambda: [m for m in ws.messages(id=bill) if m["state"] == "done"], message="the invoice delivered")
        # When the retailer's application refuses it, naming it as EANCOM 2002 does: DOC, no RFF
        ws.drop("aperak.edi", (f"UNA:+.? 'UNB+UNOC:3+{PARTNER}:14+{US}:14+261201:1000+AP9'"
                               "UNH+1+APERAK:D:01B:UN:EAN003'BGM+305+AP0009+27'DTM+137:20261201:102'DOC+380+INV-9'"
                               f"DTM+137:20261201:102'NAD+BY+{PARTNER}::9'ERC+186::92'FTX+AAO+++Duplicate invoice'"
                               "UNT+9+1'UNZ+1+AP9'").encode())
        [read] = wait_for(lambda: [m for m in ws.messages(filename="aperak.edi")
                                   if m["state"] in ("done", "quarantined")], message="the APERAK read")
    assert read["state"] == "done", read["last_error"]
    [now] = ws.messages(id=bill)
    assert now["state"] == "rejected", [e["reason"] for e in ws.events(bill)]
    assert str(now["last_error"]).endswith(": error 186: Duplicate invoice"), now["last_error"]
