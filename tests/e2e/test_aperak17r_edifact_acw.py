"""An APERAK whose RFF+ACW carries a reference of the partner's own, through the real daemon: the invoice it names by
RFF+IV is the one rejected, not whichever of our messages has that number as its UNH reference.

Our UNH references count up from 1 for each partner, and partners fill ACW ('reference number to previous message')
with what their system has: our UNH reference, our UNB reference, or a number of their own. ACW was matched first
against every document we sent the partner, so a refusal of invoice INV-9 quoting ACW 5 rejected our despatch advice
with UNH 5, and the invoice stayed done."""

from __future__ import annotations

from pathlib import Path

from gateway.formats.base import Syntax
from gateway.outbound.rendered import RenderedDocument
from tests.helpers.gateway import GatewayProcess
from tests.helpers.queued_outbound import queued
from tests.helpers.wait import wait_for

PARTNER, US = "4012345000009", "0614141000005"


def sent(doc_type: str, unb: int, unh: int, bgm: str, number: str) -> RenderedDocument:
    return RenderedDocument(doc_type, Syntax.EDIFACT, f"eurohandel_{doc_type}_{unb}.edi",
                            f"UNB+UNOC:3+{US}:14+{PARTNER}:14+261201:0900+{unb}'UNH+{unh}+{doc_type}:D:96A:UN'"
                            f"BGM+{bgm}+{number}+9'UNT+3+{unh}'UNZ+1+{unb}'".encode(), control_number=str(unb),
                            transaction_numbers=[str(unh)], number=number)


def test_a_refusal_quoting_its_own_acw_rejects_the_invoice_it_names(tmp_path: Path) -> None:
    partner = {"name": "EuroHandel", "edifact": {"ids": [{"qualifier": "14", "id": PARTNER}], "contrl": False},
               "outbound": {"channel": "folder", "path": str(tmp_path / "sent")},
               "documents": [{"type": "DESADV", "direction": "out", "profile": "edifact-d96a-desadv"},
                             {"type": "INVOIC", "direction": "out", "profile": "edifact-d96a-invoic"}]}
    ws, [notice, bill] = queued(tmp_path / "gw", "eurohandel", partner,
                                [sent("DESADV", 5, 5, "351", "WH-OUT-5"), sent("INVOIC", 6, 6, "380", "INV-9")],
                                {"our_ids": {"edifact": {"qualifier": "14", "id": US}}})
    with GatewayProcess(ws.config):
        wait_for(lambda: len([m for m in ws.messages(direction="out") if m["state"] == "done"]) == 2,
                 message="both delivered")
        ws.drop("aperak.edi", (f"UNA:+.? 'UNB+UNOC:3+{PARTNER}:14+{US}:14+261201:1000+AP9'"
                               "UNH+1+APERAK:D:96A:UN:EAN001'BGM+12E::9+AP0009+27'RFF+ACW:5'RFF+IV:INV-9'"
                               "ERC+186::92'FTX+AAO+++Duplicate invoice'UNT+7+1'UNZ+1+AP9'").encode())
        wait_for(lambda: [m for m in ws.messages(filename="aperak.edi") if m["state"] in ("done", "quarantined")],
                 message="the APERAK read")
    assert ws.messages(id=notice)[0]["state"] == "done", [e["reason"] for e in ws.events(notice)]
    [now] = ws.messages(id=bill)
    assert now["state"] == "rejected", [e["reason"] for e in ws.events(bill)]
    assert str(now["last_error"]).endswith(": error 186: Duplicate invoice"), now["last_error"]


def test_a_refusal_quoting_our_unh_and_the_invoice_number_without_its_slashes_rejects_it(tmp_path: Path) -> None:
    """Odoo's invoice numbers have slashes (INV/2026/00009); a retailer's system keeping letters and digits quotes
    INV202600009 beside our UNH reference: the UNH match stands."""
    partner = {"name": "EuroHandel", "edifact": {"ids": [{"qualifier": "14", "id": PARTNER}], "contrl": False},
               "outbound": {"channel": "folder", "path": str(tmp_path / "sent")},
               "documents": [{"type": "INVOIC", "direction": "out", "profile": "edifact-d96a-invoic"}]}
    ws, [bill] = queued(tmp_path / "gw", "eurohandel", partner, [sent("INVOIC", 6, 6, "380", "INV/2026/00009")],
                        {"our_ids": {"edifact": {"qualifier": "14", "id": US}}})
    with GatewayProcess(ws.config):
        wait_for(lambda: [m for m in ws.messages(id=bill) if m["state"] == "done"], message="the invoice delivered")
        ws.drop("aperak.edi", (f"UNA:+.? 'UNB+UNOC:3+{PARTNER}:14+{US}:14+261201:1000+AP8'"
                               "UNH+1+APERAK:D:96A:UN:EAN001'BGM+12E::9+AP0008+27'RFF+ACW:6'RFF+IV:INV202600009'"
                               "ERC+186::92'UNT+6+1'UNZ+1+AP8'").encode())
        wait_for(lambda: [m for m in ws.messages(filename="aperak.edi") if m["state"] in ("done", "quarantined")],
                 message="the APERAK read")
    assert ws.messages(id=bill)[0]["state"] == "rejected", [e["reason"] for e in ws.events(bill)]
