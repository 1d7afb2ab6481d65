"""A retailer's APERAK (EANCOM application error and acknowledgement) through the real daemon, answering the DESADV
and INVOIC the scheduler sent from the Odoo sandbox: its application's word reaches the messages we sent.

Before, an APERAK from a partner that lists its inbound documents was refused in our CONTRL (UCM 4, 17: no
agreement) and what we sent stayed `done`: an invoice the retailer's application refused looked paid-to-be.
"""

from __future__ import annotations

import urllib.request
from pathlib import Path

import odoorpc
import pytest

from gateway.odoo.sandbox import SandboxServer
from tests.e2e.test_hunt17_edifact_retailer import HQ, customer, delivered, dropped, segments, workspace
from tests.helpers.gateway import GatewayProcess, Workspace, cli
from tests.helpers.net import free_port
from tests.helpers.wait import wait_for
from tests.odoo.test_extraction import deliver, invoice

US = "0614141000005"


def aperak(ref: str, body: list[str], version: str = "D:01B:UN:EAN003") -> bytes:
    """An APERAK from Südmarkt's HQ to us in interchange `ref`, as its EDI system writes one."""
    segs = [f"UNH+1+APERAK:{version}", *body]
    return ("UNA:+.? '" + f"UNB+UNOC:3+{HQ}:14+{US}:14+261201:0930+{ref}'"
            + "".join(s + "'" for s in segs) + f"UNT+{len(segs) + 1}+1'UNZ+1+{ref}'").encode("latin-1")


def finished(ws: Workspace, name: str) -> dict[str, object]:
    [message] = wait_for(lambda: [m for m in ws.messages(filename=name) if m["state"] not in ("received", "parsed")],
                         timeout=60, message=f"{name} read")
    return message


def contrls_for(ws: Workspace, parents: set[str]) -> list[dict[str, object]]:
    """Our CONTRLs answering the inbound messages `parents`, once out."""
    return [m for m in ws.messages(direction="out", doc_type="CONTRL")
            if m["parent_id"] in parents and m["state"] in ("sent", "done")]


def last_reason(ws: Workspace, message_id: str) -> str:
    return str(ws.events(message_id)[-1]["reason"])


@pytest.mark.parametrize("sandbox", [17], ids=["odoo17"], indirect=True)
def test_a_retailers_aperak_rejects_our_invoice_accepts_our_despatch_advice_and_names_what_matches_nothing(
        tmp_path: Path, sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    customer(odoo)
    ws = workspace(tmp_path / "gw", sandbox)
    port = free_port()
    ws.settings["ops"] = {**ws.settings["ops"], "enabled": True, "host": "127.0.0.1", "port": port}
    ws.write_config()
    with GatewayProcess(ws.config) as gw:
        dropped(ws, "hunt17_suedmarkt_orders.edi")
        [so] = odoo.execute_kw("sale.order", "search", [[("client_order_ref", "=", "4711-8812")]])
        odoo.execute_kw("sale.order", "action_confirm", [[so]])
        delivered(ws, "ORDRSP")
        deliver(odoo, so, packages=["006141410000000012"])
        notice = segments(delivered(ws, "DESADV"))
        odoo.execute_kw("account.move", "action_post", [[invoice(odoo, so)]])
        bill = segments(delivered(ws, "INVOIC"))
        [despatch_number] = [seg[2] for seg in notice if seg[:2] == ["BGM", "351"]]
        [invoice_number] = [seg[2] for seg in bill if seg[:2] == ["BGM", "380"]]
        [invoice_unh] = [seg[1] for seg in bill if seg[0] == "UNH"]
        [sent_notice] = ws.messages(direction="out", doc_type="DESADV")
        [sent_bill] = ws.messages(direction="out", doc_type="INVOIC")

        # Given the retailer's application accepts the despatch advice (EANCOM 2002: BGM 1225 6, confirmation)
        ws.drop("aperak_desadv.edi", aperak("AP1", ["BGM+305+AP0001+6", "DTM+137:20261201:102",
                                                     f"RFF+DQ:{despatch_number}", f"NAD+BY+{HQ}::9",
                                                     f"NAD+SU+{US}::9"]))
        # and refuses the invoice, quoting our message reference and its number, with two errors (EANCOM 2000 form)
        ws.drop("aperak_invoic.edi", aperak("AP2", [
            "BGM+12E::9+AP0002+27", "DTM+137:20261201:102", f"RFF+ACW:{invoice_unh}", f"RFF+IV:{invoice_number}",
            f"NAD+BY+{HQ}::9", f"NAD+SU+{US}::9", "ERC+186::92", "FTX+AAO+++Invoice number received before",
            "ERC+BP::92", "FTX+AAO+++Unknown GLN 4300001000099"], version="D:96A:UN:EAN001"))
        # and one answers an invoice we never sent
        ws.drop("aperak_other.edi", aperak("AP3", ["BGM+305+AP0003+27", "RFF+IV:NOT-OURS-1", "ERC+12"]))

        # Then each APERAK is read as an acknowledgement, not refused as undeclared nor translated
        taken = {name: finished(ws, name) for name in ("aperak_desadv.edi", "aperak_invoic.edi", "aperak_other.edi")}
        assert [m["state"] for m in taken.values()] == ["done", "done", "quarantined"], taken
        # the invoice is rejected, with the partner's codes and texts, and is among what needs a person
        bill_now = wait_for(lambda: [m for m in ws.messages(id=sent_bill["id"]) if m["state"] == "rejected"],
                            message="our INVOIC rejected")[0]
        assert "rejected by suedmarkt's application (APERAK AP0002 in" in str(bill_now["last_error"]), bill_now
        assert "error 186: Invoice number received before; error BP: Unknown GLN 4300001000099" in \
            str(bill_now["last_error"]), bill_now
        status = cli("status", config=ws.config)
        assert str(sent_bill["id"]) in status.stdout, status.stdout
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as answer:
            page = answer.read().decode()
        rejected = page[page.index('id="rejected"'):]
        rejected = rejected[:rejected.index("</section>")]
        assert str(sent_bill["id"]) in rejected and "Unknown GLN 4300001000099" in rejected, rejected
        # the despatch advice has the acceptance as an event, still done
        [notice_now] = ws.messages(id=sent_notice["id"])
        assert notice_now["state"] == "done", notice_now
        assert last_reason(ws, str(sent_notice["id"])).startswith(
            f"accepted by suedmarkt's application (APERAK AP0001 in {taken['aperak_desadv.edi']['id']})")
        # the refusal of a document we cannot find is put before a person, never only logged
        assert last_reason(ws, str(taken["aperak_other.edi"]["id"])) == (
            "the partner's application refused a document this gateway cannot find among what it sent: APERAK "
            "AP0003 (rejected) for IV NOT-OURS-1; find it (sent before this release, by hand or by another system?) "
            "and settle it with the partner")
        # and the CONTRLs answering the APERAKs (the partner asks for one on success) accept them
        parents = {str(t["id"]) for t in taken.values()}
        sent = wait_for(lambda: len(contrls_for(ws, parents)) == 3 and contrls_for(ws, parents),
                        message="three CONTRLs for the APERAKs")
        answers = [segments(ws.archived(m["sha256"]).read_bytes().decode("latin-1")) for m in sent]
        for answer in answers:
            [uci] = [seg for seg in answer if seg[0] == "UCI"]
            assert uci[-1] == "7", answer
            assert not [seg for seg in answer if seg[0] == "UCM" and seg[-1] == "4"], answer
        assert "Traceback" not in gw.output()
