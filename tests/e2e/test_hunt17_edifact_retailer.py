"""A European retailer on EANCOM 2002 (D01B EAN010) onboarded with YAML only, end to end through the real daemon
and the Odoo sandbox over HTTP, each document it gets back read as its EDI system would check it.

Südmarkt (an Edeka/Metro-like guide) sends, under UNA with a decimal comma and UNOC, CR/LF after each segment and
internal routing ids in its UNB, an ORDERS with DTM 137 in format 203, delivery dates 2/64/63, FTX, RFF+CT with its
date, RFF+PD, NAD+BY/SU/DP/IV/UD with GLNs, VAT numbers and a contact, CUX, TDT, TOD, and lines naming the GTIN
(SRV), our number (PIA+1 SA) and its own (PIA+5 IN), IMD free text and coded, QTY+21 and +59, PRI+AAA and +AAB with
their basis, a line ALC, then UNS, MOA+86 and CNT. It gets a CONTRL, an ORDRSP when the order is confirmed, a DESADV
when the delivery is done and an INVOIC when the invoice is posted.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import odoorpc
import pytest

from gateway.odoo.sandbox import SandboxServer
from tests.helpers.gateway import GatewayProcess, Workspace, cli
from tests.helpers.wait import wait_for
from tests.odoo.test_cross15_cases_e2e import odoo_settings
from tests.odoo.test_extraction import deliver, invoice

ODOO = pytest.mark.parametrize("sandbox", [17, 19], ids=["odoo17", "odoo19"], indirect=True)

SAMPLES = Path(__file__).parent / "samples"
PO = "4711-8812"
OUR_VAT = "DE129273398"
HQ, DC, BILL_TO, STORE = "4300001000006", "4300001000013", "4300001000020", "4300001000037"


PROFILES = {
    "suedmarkt-orders": "extends: edifact-d01b-orders\n",
    "suedmarkt-ordrsp": "extends: edifact-d01b-ordrsp\n",
    # its guide requires PAC's package type (C202), which Odoo's packages do not give: its cartons, by default
    "suedmarkt-desadv": ("extends: edifact-d01b-desadv\nsscc: {company_prefix: \"0614141\", extension: \"0\"}\n"
                         "structure: {packs: {children: {package: {fields: {packaging_code: {at: 3.1, codes: packaging,"
                         " default: CTN25}}}}}}\n"),
    # its guide names us NAD+SU, as its ORDERS does, where the base writes our company as the seller (SE)
    "suedmarkt-invoic": "extends: edifact-d01b-invoic\ncodes: {party_roles: {_out: {seller: SU}}}\n",
}


def workspace(root: Path, server: SandboxServer) -> Workspace:
    """Südmarkt on profiles that only extend the base D01B ones; files in through the inbox, out to a folder."""
    out = {"direction": "out"}
    partner = {"name": "Südmarkt Handels AG",
               "odoo": {"partner_ref": "SUEDMARKT", "gln": HQ, "currency": "EUR", "confirm_orders": False},
               "edifact": {"ids": [{"qualifier": "14", "id": HQ}], "syntax": "UNOC", "syntax_version": "3",
                           "version": "D01B", "contrl": True, "contrl_on_success": True},
               "inbound": [{"channel": "folder"}],
               "outbound": {"channel": "folder", "path": str(root / "sent")},
               "documents": [{"type": "ORDERS", "direction": "in", "profile": "suedmarkt-orders"},
                             {**out, "type": "ORDRSP", "profile": "suedmarkt-ordrsp", "trigger": "order_confirmed"},
                             {**out, "type": "DESADV", "profile": "suedmarkt-desadv", "trigger": "delivery_done"},
                             {**out, "type": "INVOIC", "profile": "suedmarkt-invoic", "trigger": "invoice_posted"}]}
    ws = Workspace.create(root, {"odoo": odoo_settings(server),
                                 "our_ids": {"edifact": {"qualifier": "14", "id": "0614141000005"}}},
                          partners={"suedmarkt": partner})
    for name, text in PROFILES.items():
        (root / "translations" / f"{name}.yaml").write_text(f"profile: {name}\n{text}")
    return ws


def customer(odoo: odoorpc.ODOO) -> int:
    """Südmarkt as its onboarding puts it in Odoo: the company with its GLN and EUR pricelist, the DC and the
    invoice address as its contacts, each with its GLN."""
    [de] = odoo.execute_kw("res.country", "search", [[("code", "=", "DE")]])
    [eur] = odoo.execute_kw("product.pricelist", "search", [[("name", "=", "EUR Pricelist")]])
    hq = odoo.execute_kw("res.partner", "create", [{
        "name": "Südmarkt Handels AG", "ref": "SUEDMARKT", "barcode": HQ, "is_company": True, "customer_rank": 1,
        "street": "Industriestraße 12", "city": "München", "zip": "80939", "country_id": de, "vat": "DE811234567",
        "property_product_pricelist": eur}])
    odoo.execute_kw("res.partner", "create", [{"name": "Zentrallager Süd", "parent_id": hq, "type": "delivery",
                                               "barcode": DC, "vat": "DE811234567", "street": "Lagerweg 3", "city": "Garching",
                                               "zip": "85748", "country_id": de}])
    odoo.execute_kw("res.partner", "create", [{"name": "Südmarkt Buchhaltung", "parent_id": hq, "type": "invoice",
                                               "barcode": BILL_TO, "vat": "DE811234567", "street": "Postfach 1234", "city": "München",
                                               "zip": "80001", "country_id": de}])
    [company] = odoo.execute_kw("res.company", "search", [[]])
    [ours] = odoo.execute_kw("res.company", "read", [[company], ["partner_id"]])
    odoo.execute_kw("res.partner", "write", [[ours["partner_id"][0]], {"vat": OUR_VAT}])
    return int(hq)


def delivered(ws: Workspace, doc_type: str) -> str:
    """The one document of `doc_type` the partner got, as text."""
    [message] = wait_for(lambda: [m for m in ws.messages(direction="out", doc_type=doc_type)
                                  if m["state"] not in ("queued", "retry_wait")],
                         timeout=60, message=f"the {doc_type}")
    assert message["state"] in ("sent", "done"), message["last_error"]
    return ws.archived(message["sha256"]).read_bytes().decode("latin-1")


def dropped(ws: Workspace, sample: str) -> list[list[str]]:
    """`sample` into the inbox, taken and posted; the CONTRL that answers it."""
    ws.drop(sample, (SAMPLES / sample).read_bytes())
    [inbound] = wait_for(lambda: [m for m in ws.messages(direction="in", doc_type="ORDERS")
                                  if m["state"] in ("done", "quarantined")], timeout=60, message="the ORDERS")
    assert inbound["state"] == "done", inbound["last_error"]
    return segments(delivered(ws, "CONTRL"))


def segments(text: str) -> list[list[str]]:
    """An EDIFACT file we wrote as its segments' elements (our UNA: `+` `:` `?` `'`; no `?'` or `?+` in these)."""
    return [seg.strip().split("+") for seg in text.split("'") if seg.strip()]


def counted(segs: list[list[str]]) -> None:
    """UNT counts its message's segments from UNH, UNZ the interchange's messages."""
    heads = [n for n, seg in enumerate(segs) if seg[0] == "UNH"]
    for head in heads:
        end = next(n for n, seg in enumerate(segs) if n > head and seg[0] == "UNT")
        assert segs[end][1] == str(end - head + 1) and segs[end][2] == segs[head][1], segs[end]
    assert segs[-1][0] == "UNZ" and segs[-1][1] == str(len(heads)), segs[-1]


def after(segs: list[list[str]], head: list[str]) -> list[str]:
    """The segment right after `head`."""
    return segs[segs.index(head) + 1]


@ODOO
def test_an_eancom_retailer_orders_and_is_answered_shipped_and_invoiced(
        tmp_path: Path, sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    """Line 1 is priced net (PRI+AAA 12,5) and gross (PRI+AAB 13,16 less its ALC's 5 %): it was read at the last
    PRI, the gross one, posted at 13.16 with a 5.02 % discount (599.97 for the retailer's 600,00), the order's note
    warning of an amount and a price the retailer never got wrong, and its INVOIC billed 12.499368 a piece. It is
    the net price now, and the parties' VAT numbers (Odoo's Tax ID) are under their NAD in the INVOIC, which names
    the delivery it bills (RFF+DQ, the DESADV's number) and its day (DTM+35): it had neither, and an EU invoice must
    state the date of supply, and EANCOM retailers match an invoice to its despatch advice by the number."""
    customer(odoo)
    ws = workspace(tmp_path / "gw", sandbox)
    with GatewayProcess(ws.config) as gw:
        contrl = dropped(ws, "hunt17_suedmarkt_orders.edi")
        assert ["UCI", "SM0000815", f"{HQ}:14:ZENTRALE", "0614141000005:14:LIEF73301", "7"] in contrl, contrl
        assert ["UCM", "ME000001", "ORDERS:D:01B:UN:EAN010", "7"] in contrl, contrl
        counted(contrl)

        [so] = odoo.execute_kw("sale.order", "search", [[("client_order_ref", "=", PO)]])
        [order] = odoo.execute_kw("sale.order", "read", [[so], ["note", "partner_shipping_id", "partner_invoice_id",
                                                                 "commitment_date", "amount_untaxed"]])
        lines = odoo.execute_kw("sale.order.line", "search_read", [[("order_id", "=", so)],
                                                                    ["price_unit", "discount", "price_subtotal"]])
        assert [(ln["price_unit"], ln["discount"], ln["price_subtotal"]) for ln in lines] == [
            (12.5, 0.0, 600.0), (8.75, 0.0, 210.0)], lines
        assert "EDI check" not in order["note"] and "price check" not in order["note"], order["note"]
        assert "in its price already" in order["note"], order["note"]           # the 5 % is in the net price
        assert f"ultimate customer: Markt 117 Augsburg (gln {STORE})" in order["note"], order["note"]    # NAD+UD
        assert order["partner_shipping_id"][1].endswith("Zentrallager Süd"), order
        assert order["partner_invoice_id"][1].endswith("Südmarkt Buchhaltung"), order
        assert order["commitment_date"].startswith("2026-12-07") and order["amount_untaxed"] == 810.0, order

        odoo.execute_kw("sale.order", "action_confirm", [[so]])
        answer = segments(delivered(ws, "ORDRSP"))
        assert ["BGM", "231", "S00001", "29"] in answer and ["RFF", f"ON:{PO}"] in answer, answer
        assert ["LIN", "1", "5", "0614141000012:SRV"] in answer and ["PRI", "AAA:12.5"] in answer, answer
        assert ["QTY", "21:48:PCE"] in answer and ["QTY", "113:48:PCE"] in answer, answer
        counted(answer)

        deliver(odoo, so, packages=["006141410000000012"])
        notice = segments(delivered(ws, "DESADV"))
        assert after(notice, ["RFF", f"ON:{PO}"]) == ["DTM", "171:20261130:102"], notice      # as its DTM+137
        assert ["GIN", "BJ", "006141410000000012"] in notice and ["QTY", "12:48:PCE"] in notice, notice
        assert after(notice, ["CPS", "1"]) == ["PAC", "1", "", "CT"], notice
        counted(notice)

        move = invoice(odoo, so)
        odoo.execute_kw("account.move", "action_post", [[move]])
        bill = segments(delivered(ws, "INVOIC"))
        assert bill[3][:2] == ["BGM", "380"] and ["RFF", f"ON:{PO}"] in bill, bill
        [bill_to] = [seg for seg in bill if seg[:2] == ["NAD", "IV"]]
        [ours] = [seg for seg in bill if seg[:2] == ["NAD", "SU"]]
        assert bill_to[2] == f"{BILL_TO}::9" and after(bill, bill_to) == ["RFF", "VA:DE811234567"], bill
        assert ours[2] == "0614141000005::9" and after(bill, ours) == ["RFF", f"VA:{OUR_VAT}"], bill
        assert ["MOA", "203:600"] in bill and ["PRI", "AAA:12.5"] in bill and ["MOA", "79:810"] in bill, bill
        [despatch] = [seg for seg in notice if seg[:2] == ["BGM", "351"]]           # the delivery it bills, and when:
        [shipped] = [seg for seg in notice if seg[0] == "DTM" and seg[1].startswith("11:")]   # DESADV's number, day
        assert ["RFF", f"DQ:{despatch[2]}"] in bill, bill
        assert ["DTM", "35:" + shipped[1][3:]] in bill, bill
        counted(bill)
        held: list[dict[str, Any]] = ws.messages(state="quarantined")
        assert not held, held
        assert "Traceback" not in gw.output()


@pytest.mark.parametrize("first", ["AAA", "AAB"])
def test_the_net_price_is_the_lines_whichever_pri_comes_first(tmp_path: Path, first: str) -> None:
    """PRI+AAB before PRI+AAA (some guides list the gross price first) reads the net price too; a gross price alone
    stays the line's price, with its qualifier, as before."""
    data = (SAMPLES / "hunt17_suedmarkt_orders.edi").read_bytes()
    net, gross = b"PRI+AAA:12,5:::1:PCE'\r\n", b"PRI+AAB:13,16:::1:PCE'\r\n"
    assert net + gross in data
    ws = Workspace.create(tmp_path / "gw")
    for name, body in {"both": data.replace(net + gross, net + gross if first == "AAA" else gross + net),
                       "gross": data.replace(net + gross, gross + b"DTM+194:20261201:102'\r\n")}.items():
        (tmp_path / name).write_bytes(body)
        done = cli("translate", str(tmp_path / name), "--json", config=ws.config)
        [line, _] = json.loads(done.stdout)["lines"]
        assert (line["unit_price"], line["price_basis"]) == (("12.5", "AAA") if name == "both" else ("13.16", "AAB"))


@ODOO
def test_two_orders_in_one_interchange_with_groups_left_out_each_post(
        tmp_path: Path, sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    """The same retailer's second interchange: LF only, two ORDERS, lowercase order numbers, a delivery window as
    one DTM+2 in format 718, FTX with released ' + :, no NAD+SU/IV, an item named only by our number (PIA+5 SA
    under a LIN without a GTIN), a QTY without its unit, lines without a price, DTM+137 in 203 and DTM+64/63."""
    customer(odoo)
    ws = workspace(tmp_path / "gw", sandbox)
    with GatewayProcess(ws.config) as gw:
        contrl = dropped(ws, "hunt17_suedmarkt_orders_two.edi")
        assert [seg for seg in contrl if seg[0] == "UCM"] == [["UCM", "1", "ORDERS:D:01B:UN:EAN010", "7"],
                                                             ["UCM", "2", "ORDERS:D:01B:UN:EAN010", "7"]], contrl
        orders = {o["client_order_ref"]: o for o in odoo.execute_kw(
            "sale.order", "search_read", [[("client_order_ref", "in", ["po-9001", "po-9002"])],
                                          ["client_order_ref", "note", "commitment_date", "order_line"]])}
        lines = {ref: [(ln["product_id"][1], ln["product_uom_qty"], ln["price_unit"]) for ln in odoo.execute_kw(
            "sale.order.line", "read", [o["order_line"], ["product_id", "product_uom_qty", "price_unit"]])]
                 for ref, o in orders.items()}
        assert lines == {"po-9001": [("[WB-100] Blue Widget", 12.0, 12.5), ("[WR-200] Red Widget", 6.0, 8.75)],
                         "po-9002": [("[GL-300] Gadget Large", 3.0, 42.0)]}, lines
        first, second = orders["po-9001"], orders["po-9002"]
        assert first["commitment_date"].startswith("2026-12-07"), first          # the window's first day
        assert "deliver no later than 2026-12-09" in first["note"], first["note"]      # and its last (718)
        assert "O&#x27;Brien+Söhne: Rampe 2" in first["note"], first["note"]
        assert "ultimate customer: Markt 117 (gln 4300001000037)" in first["note"], first["note"]
        assert second["commitment_date"].startswith("2026-12-05"), second
        assert "deliver no later than 2026-12-06" in second["note"], second["note"]
        assert not ws.messages(state="quarantined")
        assert "Traceback" not in gw.output()
