"""What an accounts-payable clerk checks on a vendor's bill, on the draft bills the gateway makes: the bill line
goes to the PO line the invoice names (a PO with one product on two lines, at two prices), and a bill whose
total or tax as Odoo computes them differs from the vendor's, or whose lines are priced or billed beyond the PO,
says so in its notes. Real X12 and EDIFACT read by the base profiles, posted to the sandbox over HTTP (an 810
through the real pipeline), checked with odoorpc."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.config.models import PartnerConfig
from gateway.errors import OdooRejected
from gateway.formats import parse
from gateway.journal.api import State
from gateway.odoo.client import OdooClient
from gateway.odoo.posting import Cache, post
from gateway.odoo.sandbox import SandboxServer
from gateway.translate import translate
from gateway.translate.canonical import Document, Invoice, Line, Source
from gateway.transports.base import IntakeMeta
from tests.helpers.profiles import base_profiles
from tests.odoo.conftest import read_x12
from tests.odoo.test_cxml_vendor_invoice import cxml_invoice
from tests.odoo.test_pipeline_posting import examples, pipeline_for, run
from tests.odoo.test_vendor_odd import purchase, widgetworks

__all__ = ["examples"]

# 16 (its stock.move.line qty_done; a PO line discount only where the database has the field), 18 (17's names
# and models, with is_storable) and 19 (JSON-2, product_uom_id/tax_ids, stock.package): 17 is on 18's side of
# each version threshold these tests touch
pytestmark = pytest.mark.parametrize("sandbox", [16, 18, 19], ids=["odoo16", "odoo18", "odoo19"],
                                     indirect=True)

VENDOR = PartnerConfig.model_validate({
    "id": "widgetworks", "name": "Widget Works",
    "odoo": {"partner_ref": "WIDGETWORKS"},
    "x12": {"ids": [{"qualifier": "ZZ", "id": "WIDGETWORKS"}], "gs_ids": ["WIDGETWORKS"], "ack": "none"},
    "edifact": {"ids": [{"qualifier": "14", "id": "4000000000009"}]},
    "documents": [{"type": "810", "direction": "in", "profile": "x12-004010-810"},
                  {"type": "INVOIC", "direction": "in", "profile": "edifact-d96a-invoic"}]})


def on_ordered_quantities(odoo: odoorpc.ODOO) -> None:
    """Every product billed on ordered quantities (Odoo's bill control, as many buyers set it): for bills that come
    before their goods (no receipt is validated), so the notes say only what a test checks. Bills on received
    quantities (Odoo's default for goods): tests/odoo/test_vendor15_received.py."""
    products = odoo.execute_kw("product.template", "search", [[]])
    odoo.execute_kw("product.template", "write", [products, {"purchase_method": "purchase"}])


@pytest.fixture(autouse=True)
def bill_control_on_ordered(odoo: odoorpc.ODOO) -> None:
    """These bills come before their goods: `on_ordered_quantities`. Autouse: a module importing it gets it for
    every test, one without Odoo too (which then starts a sandbox per version); such a module calls
    `on_ordered_quantities` in the tests that need it instead."""
    on_ordered_quantities(odoo)


def x12_810(control: int, number: str, po: str, lines: list[str], summary: list[str]) -> bytes:
    """Widget Works' 810 interchange for `po`: these IT1 loops, then TDS and what follows it."""
    body = [f"BIG*20261129*{number}**{po}", "N1*RI*WIDGET WORKS INC*UL*0860001000030", *lines, *summary,
            f"CTT*{sum(s.startswith('IT1*') for s in lines)}"]
    isa = f"ISA*00*          *00*          *ZZ*WIDGETWORKS    *ZZ*ACMEDIST       *261129*0900*U*00401*{control:09d}"
    segments = [f"{isa}*0*P*>", f"GS*IN*WIDGETWORKS*ACMEDIST*20261129*0900*{control}*X*004010",
                "ST*810*0001", *body, f"SE*{len(body) + 2}*0001", f"GE*1*{control}", f"IEA*1*{control:09d}"]
    return "".join(s + "~\n" for s in segments).encode()


def bill(odoo: odoorpc.ODOO, ref: str) -> dict[str, Any]:
    [row] = odoo.execute_kw("account.move", "search_read", [[("ref", "=", ref)], [
        "state", "narration", "amount_total", "amount_tax", "invoice_line_ids"]])
    row["lines"] = sorted((r["quantity"], r["price_unit"], r["purchase_line_id"] and r["purchase_line_id"][0])
                          for r in odoo.execute_kw("account.move.line", "read", [row["invoice_line_ids"], [
                              "quantity", "price_unit", "purchase_line_id"]]))
    return dict(row)


def po_lines(odoo: odoorpc.ODOO, po: int) -> list[int]:
    return list(odoo.execute_kw("purchase.order.line", "search", [[("order_id", "=", po)]], {"order": "sequence, id"}))


async def test_an_810_whose_tax_odoo_does_not_charge_is_noted_on_its_bill(tmp_path: Path, examples: LoadedConfig,
                                                                         sandbox: SandboxServer,
                                                                         odoo: odoorpc.ODOO) -> None:
    """The vendor bills 100 blue widgets at 7.50 plus 8 % sales tax (TXI*ST*60), 810.00 in all (TDS); Odoo's
    product has no vendor tax, so the draft bill totals 750.00. The bill is made all the same, and its notes
    say both totals, so the clerk checks the taxes before posting it; the first answer of the create is lost
    (the retry finds the bill and notes it then). An 810 that adds up as Odoo does gets no such note."""
    _po, name = purchase(odoo)
    pipeline, journal = pipeline_for(tmp_path, examples, sandbox)
    pipeline.config.partners["widgetworks"] = VENDOR
    sandbox.faults.drop_after_create["account.move"] = 1

    async def send(control: int, number: str, summary: list[str]) -> Any:
        data = x12_810(control, number, name, ["IT1*1*100*EA*7.50**VN*WW-WB-100"], summary)
        message = await pipeline.submit(data, IntakeMeta(channel="sftp", filename=f"810_{control}.edi",
                                                         partner="widgetworks"))
        return run(pipeline, message.id, {State.DONE, State.QUARANTINED}, rounds=60)

    taxed = await send(201, "WW-INV-TAX", ["TDS*81000", "TXI*ST*60*8"])
    assert taxed.state is State.DONE, taxed.last_error
    made = bill(odoo, "WW-INV-TAX")
    assert (made["state"], made["amount_total"], made["amount_tax"]) == ("draft", 750.0, 0.0)
    assert "EDI totals differ: the vendor&#x27;s invoice WW-INV-TAX states total 810.00, tax 60.00; Odoo " \
           "computes total 750.00, tax 0.00" in made["narration"]
    assert made["narration"].count("EDI totals differ") == 1
    plain = await send(202, "WW-INV-PLAIN", ["TDS*75000"])
    assert plain.state is State.DONE, plain.last_error
    assert "EDI totals differ" not in str(bill(odoo, "WW-INV-PLAIN")["narration"] or "")
    assert len(journal.odoo_links(taxed.id)) == 1


def test_an_810_names_the_po_line_it_bills_by_it101(client: OdooClient, odoo: odoorpc.ODOO) -> None:
    """Blue widgets on PO lines 1 (100 at 7.50) and 3 (40 at 7.00, a later delivery at another price); the 810
    bills line 3 first, by its IT101. Each bill line is linked to the PO line it names, so Odoo's billed
    quantities are the PO's; the first bill line went to PO line 1, and its 100 to line 3."""
    po, name = purchase(odoo, [(1, 100, 7.5), (2, 50, 5.25), (1, 40, 7.0)])
    doc = read_x12(["ST*810*0001", f"BIG*20261129*WW-INV-IT1**{name}", "N1*RI*WIDGET WORKS INC*UL*0860001000030",
                    "IT1*3*40*EA*7.00**VN*WW-WB-100", "IT1*1*100*EA*7.50**VN*WW-WB-100", "TDS*103000", "CTT*2"],
                   gs="IN", sender="WIDGETWORKS", app="WIDGETWORKS")
    post(client, doc, widgetworks(), Cache())
    first, _, third = po_lines(odoo, po)
    made = bill(odoo, "WW-INV-IT1")
    assert made["lines"] == [(40.0, 7.0, third), (100.0, 7.5, first)]
    assert "EDI" not in str(made["narration"] or "")            # nothing differs from the PO
    invoiced = odoo.execute_kw("purchase.order.line", "read", [[first, third], ["qty_invoiced"]])
    assert [r["qty_invoiced"] for r in invoiced] == [100.0, 40.0]


def read_invoic(body: list[str]) -> Document:
    segments = ["UNB+UNOC:3+4000000000009:14+0614141000005:14+261129:0900+9", "UNH+1+INVOIC:D:96A:UN:EAN008",
                *body, f"UNT+{len(body) + 2}+1", "UNZ+1+9"]
    result = parse(("UNA:+.? '" + "".join(s + "'" for s in segments)).encode())
    assert [str(i) for i in result.errors] == []
    [doc] = [d for tx in result.transactions for d in translate(tx, VENDOR, base_profiles(),
                                                                profile="edifact-d96a-invoic")]
    return doc


def test_an_invoic_names_the_po_line_by_rff_li(client: OdooClient, odoo: odoorpc.ODOO) -> None:
    """The same in EDIFACT: each LIN numbers the invoice's own lines, its RFF+LI the PO line."""
    po, name = purchase(odoo, [(1, 100, 7.5), (2, 50, 5.25), (1, 40, 7.0)])
    doc = read_invoic(["BGM+380+WW-INV-LI+9", "DTM+137:20261129:102", f"RFF+ON:{name}",
                       "NAD+SU+4000000000009::9", "LIN+1", "PIA+5+WW-WB-100:SA", "QTY+47:40:PCE",
                       "PRI+AAA:7.00", "RFF+LI:3", "LIN+2", "PIA+5+WW-WB-100:SA", "QTY+47:100:PCE",
                       "PRI+AAA:7.50", "RFF+LI:1", "UNS+S", "MOA+77:1030"])
    post(client, doc, widgetworks(), Cache())
    first, _, third = po_lines(odoo, po)
    assert bill(odoo, "WW-INV-LI")["lines"] == [(40.0, 7.0, third), (100.0, 7.5, first)]


def test_a_line_numbered_by_the_invoice_alone_goes_to_the_po_line_at_its_price(client: OdooClient,
                                                                               odoo: odoorpc.ODOO) -> None:
    """A UBL or cXML invoice numbers its own lines (cbc:ID, invoiceLineNumber), which say nothing of the PO's:
    between two PO lines of the product, the one at the billed price takes it."""
    po, name = purchase(odoo, [(1, 100, 7.5), (2, 50, 5.25), (1, 40, 7.0)])
    doc = Invoice(number="WW-INV-UBL", po_number=name, source=Source(syntax="xml"), lines=[
        Line(line_no="1", item_ids={"vendor": "WW-WB-100"}, quantity=Decimal(40), unit_price=Decimal("7.00")),
        Line(line_no="3", item_ids={"vendor": "WW-WB-100"}, quantity=Decimal(100), unit_price=Decimal("7.50"))])
    post(client, doc, widgetworks(), Cache())
    first, _, third = po_lines(odoo, po)
    assert bill(odoo, "WW-INV-UBL")["lines"] == [(40.0, 7.0, third), (100.0, 7.5, first)]


def test_a_price_off_the_po_and_a_quantity_beyond_it_are_noted(client: OdooClient, odoo: odoorpc.ODOO) -> None:
    """Blue widgets billed at 7.60 against the PO's 7.50, and red ones billed 30 + 30 where 50 were ordered:
    the bill is made as the vendor invoiced it, its notes naming both, for the clerk to take up with the
    vendor before posting. A credit note is not compared (it takes back)."""
    _po, name = purchase(odoo)
    doc = read_x12(["ST*810*0001", f"BIG*20261129*WW-INV-OFF**{name}", "N1*RI*WIDGET WORKS INC*UL*0860001000030",
                    "IT1*1*100*EA*7.60**VN*WW-WB-100", "IT1*2*30*EA*5.25**VN*WW-WR-200",
                    "IT1*2*30*EA*5.25**VN*WW-WR-200", "TDS*107500", "CTT*3"],
                   gs="IN", sender="WIDGETWORKS", app="WIDGETWORKS")
    post(client, doc, widgetworks(), Cache())
    notes = bill(odoo, "WW-INV-OFF")["narration"]
    assert "EDI lines differ from the purchase order: invoice WW-INV-OFF, line 1: billed at 7.60, the " \
           "purchase order&#x27;s price is 7.50" in notes
    assert f"EDI lines differ from the purchase order: purchase order {name} line 2 ([WR-200] Red Widget): " \
           "billed 60, ordered 50" in notes
    assert "EDI totals differ" not in notes                      # 760 + 315 is what the vendor states


def credit_memo(number: str, po: str, refs: list[str]) -> Invoice:
    """Widget Works' 810 credit memo (BIG07 CR) for 10 blue widgets of `po` sent back, with these REF segments."""
    doc = read_x12(["ST*810*0001", f"BIG*20261203*{number}**{po}***CR", *refs,
                    "N1*RI*WIDGET WORKS INC*UL*0860001000030", "IT1*1*10*EA*7.50**VN*WW-WB-100", "TDS*7500",
                    "CTT*1"], gs="IN", sender="WIDGETWORKS", app="WIDGETWORKS")
    assert isinstance(doc, Invoice) and doc.invoice_type == "credit_note"
    return doc


def test_a_credit_memo_is_the_reversal_of_the_bill_it_names(client: OdooClient, odoo: odoorpc.ODOO) -> None:
    """An 810 credit memo naming the invoice it corrects (REF*IV, or REF*OI: original invoice) becomes a vendor
    credit note that is Odoo's "Reversal of" that invoice's bill, so the two are read (and reconciled) together,
    and the PO line's billed quantity goes down by what it credits. One naming an invoice Odoo has no bill for
    says so in its notes."""
    po, name = purchase(odoo)
    invoice = read_x12(["ST*810*0001", f"BIG*20261129*WW-INV-501**{name}", "N1*RI*WIDGET WORKS INC*UL*0860001000030",
                        "IT1*1*100*EA*7.50**VN*WW-WB-100", "TDS*75000", "CTT*1"],
                       gs="IN", sender="WIDGETWORKS", app="WIDGETWORKS")
    [billed] = post(client, invoice, widgetworks(), Cache())
    for number, ref in (("WW-CM-7", "REF*IV*WW-INV-501"), ("WW-CM-8", "REF*OI*WW-INV-501")):
        [credit] = post(client, credit_memo(number, name, [ref]), widgetworks(), Cache())
        [row] = odoo.execute_kw("account.move", "read", [[credit.record_id], [
            "move_type", "reversed_entry_id", "narration", "amount_total"]])
        assert (row["move_type"], row["reversed_entry_id"][0], row["amount_total"]) == (
            "in_refund", billed.record_id, 75.0)
        assert "EDI" not in str(row["narration"] or "")        # its total is the vendor's, nothing to say
    [first] = po_lines(odoo, po)[:1]
    assert odoo.execute_kw("purchase.order.line", "read", [[first], ["qty_invoiced"]])[0]["qty_invoiced"] == 80.0
    [lost] = post(client, credit_memo("WW-CM-9", name, ["REF*IV*WW-INV-404"]), widgetworks(), Cache())
    [row] = odoo.execute_kw("account.move", "read", [[lost.record_id], ["reversed_entry_id", "narration"]])
    assert row["reversed_entry_id"] is False
    assert "EDI: credits invoice WW-INV-404, which has no bill of Widget Works Inc. in Odoo" in row["narration"]


UBL_VENDOR = PartnerConfig.model_validate({
    "id": "widgetworks", "name": "Widget Works", "odoo": {"partner_ref": "WIDGETWORKS"},
    "xml": {"ids": ["4000000000009"]},
    "documents": [{"type": "Invoice", "direction": "in", "profile": "ubl-2.1-invoice"},
                  {"type": "CreditNote", "direction": "in", "profile": "ubl-2.1-creditnote"}]})


def ubl(kind: str, number: str, po: str, quantity: int, extra: str = "") -> bytes:
    """Widget Works' UBL 2.1 Invoice or CreditNote for `quantity` blue widgets of `po` at 7.50."""
    amount = f"{quantity * 7.5:.2f}"
    line, qty = ("InvoiceLine", "InvoicedQuantity") if kind == "Invoice" else ("CreditNoteLine", "CreditedQuantity")
    return (f'<?xml version="1.0" encoding="UTF-8"?><{kind} xmlns="urn:oasis:names:specification:ubl:schema:xsd:'
            f'{kind}-2" xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2" '
            'xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">'
            f"<cbc:UBLVersionID>2.1</cbc:UBLVersionID><cbc:ID>{number}</cbc:ID><cbc:IssueDate>2026-12-02"
            f"</cbc:IssueDate><cbc:{kind}TypeCode>{380 if kind == 'Invoice' else 381}</cbc:{kind}TypeCode>"
            f"<cbc:DocumentCurrencyCode>USD</cbc:DocumentCurrencyCode><cac:OrderReference><cbc:ID>{po}</cbc:ID>"
            f"</cac:OrderReference>{extra}<cac:AccountingSupplierParty><cac:Party><cbc:EndpointID schemeID=\"0088\">"
            "4000000000009</cbc:EndpointID></cac:Party></cac:AccountingSupplierParty>"
            f'<cac:LegalMonetaryTotal><cbc:LineExtensionAmount currencyID="USD">{amount}</cbc:LineExtensionAmount>'
            f'<cbc:TaxInclusiveAmount currencyID="USD">{amount}</cbc:TaxInclusiveAmount>'
            f'<cbc:PayableAmount currencyID="USD">{amount}</cbc:PayableAmount></cac:LegalMonetaryTotal>'
            f'<cac:{line}><cbc:ID>1</cbc:ID><cbc:{qty} unitCode="EA">{quantity}</cbc:{qty}>'
            f'<cbc:LineExtensionAmount currencyID="USD">{amount}</cbc:LineExtensionAmount><cac:Item><cbc:Name>Blue '
            "Widget</cbc:Name><cac:SellersItemIdentification><cbc:ID>WW-WB-100</cbc:ID></cac:SellersItemIdentification>"
            f'</cac:Item><cac:Price><cbc:PriceAmount currencyID="USD">7.50</cbc:PriceAmount></cac:Price></cac:{line}>'
            f"</{kind}>").encode()


async def test_a_ubl_credit_note_becomes_the_reversal_of_the_bill(tmp_path: Path, examples: LoadedConfig,
                                                                 sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    """Peppol vendors credit with a UBL CreditNote (its own document, CreditNoteLine / CreditedQuantity), naming
    the invoice in BillingReference: it was quarantined, 'no base profile translates xml CreditNote', and the
    clerk keyed the credit in by hand. Through the pipeline, the vendor's Invoice becomes a bill and its
    CreditNote a vendor credit note reversing it, on the PO line; so does an Invoice of type 381 naming it."""
    po, name = purchase(odoo)
    pipeline, _journal = pipeline_for(tmp_path, examples, sandbox)
    pipeline.config.partners["widgetworks"] = UBL_VENDOR

    async def send(data: bytes, filename: str) -> Any:
        message = await pipeline.submit(data, IntakeMeta(channel="sftp", filename=filename, partner="widgetworks"))
        return run(pipeline, message.id, {State.DONE, State.QUARANTINED})

    invoiced = await send(ubl("Invoice", "WW-UBL-1", name, 100), "invoice.xml")
    assert invoiced.state is State.DONE, invoiced.last_error
    reference = ("<cac:BillingReference><cac:InvoiceDocumentReference><cbc:ID>WW-UBL-1</cbc:ID>"
                 "</cac:InvoiceDocumentReference></cac:BillingReference>")
    credited = await send(ubl("CreditNote", "WW-UBL-CN-1", name, 4, reference), "credit.xml")
    assert credited.state is State.DONE, credited.last_error
    original = bill(odoo, "WW-UBL-1")
    [credit] = odoo.execute_kw("account.move", "search_read", [[("ref", "=", "WW-UBL-CN-1")], [
        "move_type", "reversed_entry_id", "amount_total", "narration", "state"]])
    assert (credit["move_type"], credit["reversed_entry_id"][0], credit["amount_total"], credit["state"]) == (
        "in_refund", original["id"], 30.0, "draft")
    assert "EDI" not in str(credit["narration"] or "")
    [first] = po_lines(odoo, po)[:1]
    assert odoo.execute_kw("purchase.order.line", "read", [[first], ["qty_invoiced"]])[0]["qty_invoiced"] == 96.0
    # UBL 2.0's way: an Invoice of type 381 with the same BillingReference
    as_invoice = ubl("Invoice", "WW-UBL-CN-2", name, 2, reference).replace(b">380<", b">381<")
    credited = await send(as_invoice, "credit-381.xml")
    assert credited.state is State.DONE, credited.last_error
    [credit] = odoo.execute_kw("account.move", "search_read", [[("ref", "=", "WW-UBL-CN-2")], [
        "move_type", "reversed_entry_id", "amount_total"]])
    assert (credit["move_type"], credit["reversed_entry_id"][0], credit["amount_total"]) == (
        "in_refund", original["id"], 15.0)


def bill_line_rows(odoo: odoorpc.ODOO, ref: str) -> list[tuple[str, float, float, float]]:
    made = bill(odoo, ref)
    return sorted((r["name"], r["quantity"], r["price_unit"], r["discount"]) for r in odoo.execute_kw(
        "account.move.line", "read", [made["invoice_line_ids"], ["name", "quantity", "price_unit", "discount"]]))


def test_an_810_lines_own_allowance_is_its_bill_lines_discount(sandbox: SandboxServer, client: OdooClient,
                                                              odoo: odoorpc.ODOO) -> None:
    """The vendor takes the agreed 10 % off the blue widgets (SAC in the IT1 loop) and charges 12.00 handling on
    the red ones: the blue bill line has Discount 10 % on its 7.50 and the handling is a bill line on the mapped
    product, so the bill totals the invoice's 675.00 + 262.50 + 12.00. The line's own allowances and charges were
    ignored: the bill came out at 1012.50, 63.00 over the invoice. Unmapped, the handling refuses the invoice by
    name, nothing written, as the invoice's own charges do."""
    kind = "detailed_type" if sandbox.version < 18 else "type"
    odoo.execute_kw("product.product", "create", [{"name": "Handling", "default_code": "SVC-HANDLING",
                                                   kind: "service"}])
    po, name = purchase(odoo)
    odoo.execute_kw("purchase.order.line", "write", [po_lines(odoo, po)[:1], {"discount": 10.0}])    # as agreed
    doc = read_x12(["ST*810*0001", f"BIG*20261129*WW-INV-SAC**{name}", "N1*RI*WIDGET WORKS INC*UL*0860001000030",
                    "IT1*1*100*EA*7.50**VN*WW-WB-100", "SAC*A*C310***7500*3*10", "IT1*2*50*EA*5.25**VN*WW-WR-200",
                    "SAC*C*H090***1200", "TDS*94950", "CTT*2"],
                   gs="IN", sender="WIDGETWORKS", app="WIDGETWORKS")
    with pytest.raises(OdooRejected, match=r"invoice WW-INV-SAC, line 2, charge special_handling: charge "
                                           r"special_handling: 12.00 has "
                                           r"no Odoo product .* odoo.charge_products"):
        post(client, doc, widgetworks(), Cache())
    assert odoo.execute_kw("account.move", "search", [[("ref", "=", "WW-INV-SAC")]]) == []
    post(client, doc, widgetworks(charge_products={"charge": "SVC-HANDLING"}), Cache())
    rows = sorted((q, p, d) for _, q, p, d in bill_line_rows(odoo, "WW-INV-SAC"))
    assert rows == [(1.0, 12.0, 0.0), (50.0, 5.25, 0.0), (100.0, 7.5, 10.0)]
    made = bill(odoo, "WW-INV-SAC")
    assert made["amount_total"] == 949.5
    assert "EDI" not in str(made["narration"] or "")          # the total is the vendor's, the prices the PO's


def test_an_invoic_lines_allowance_is_taken_once(client: OdooClient, odoo: odoorpc.ODOO) -> None:
    """EANCOM gives a line's allowance (ALC with its PCD) beside the price it applies to: a gross PRI+AAB (its
    MOA+203 the net) becomes the bill line's Discount; a net PRI+AAA, whose MOA+203 is quantity x price already,
    has it in its price and gets no discount on top."""
    po, name = purchase(odoo)
    odoo.execute_kw("purchase.order.line", "write", [po_lines(odoo, po)[:1], {"discount": 10.0}])
    doc = read_invoic(["BGM+380+WW-INV-ALC+9", "DTM+137:20261129:102", f"RFF+ON:{name}",
                       "NAD+SU+4000000000009::9",
                       "LIN+1", "PIA+5+WW-WB-100:SA", "QTY+47:100:PCE", "MOA+203:675", "PRI+AAB:7.50",
                       "ALC+A++++DI", "PCD+1:10",
                       "LIN+2", "PIA+5+WW-WR-200:SA", "QTY+47:50:PCE", "MOA+203:210", "PRI+AAA:4.20",
                       "ALC+A++++DI", "PCD+1:20",
                       "UNS+S", "MOA+77:885"])
    post(client, doc, widgetworks(), Cache())
    made = bill(odoo, "WW-INV-ALC")
    assert sorted((q, p, d) for _, q, p, d in bill_line_rows(odoo, "WW-INV-ALC")) == [
        (50.0, 4.2, 0.0), (100.0, 7.5, 10.0)]
    assert made["amount_total"] == 885.0 and "EDI totals differ" not in str(made["narration"] or "")


def test_a_credit_memo_sent_with_negative_lines_credits_them(client: OdooClient, odoo: odoorpc.ODOO) -> None:
    """Many vendors send an 810 credit memo (BIG07 CR) with its quantities and total negative (IT102 -10,
    TDS -75.00): the vendor credit note takes back 10 at 7.50, 75.00, as for positive ones; its lines' signs kept,
    it was a credit note of -75.00, which Odoo books as 75.00 more owed to the vendor. Sent as an invoice (no
    BIG07), it is that credit note too."""
    po, name = purchase(odoo)
    doc = read_x12(["ST*810*0001", f"BIG*20261203*WW-CM-NEG**{name}***CR",
                    "N1*RI*WIDGET WORKS INC*UL*0860001000030", "IT1*1*-10*EA*7.50**VN*WW-WB-100", "TDS*-7500",
                    "CTT*1"], gs="IN", sender="WIDGETWORKS", app="WIDGETWORKS")
    [credit] = post(client, doc, widgetworks(), Cache())
    [row] = odoo.execute_kw("account.move", "read", [[credit.record_id], ["move_type", "amount_total", "narration"]])
    assert (row["move_type"], row["amount_total"]) == ("in_refund", 75.0)
    assert "EDI" not in str(row["narration"] or "")
    assert bill(odoo, "WW-CM-NEG")["lines"] == [(10.0, 7.5, po_lines(odoo, po)[0])]
    # the same sent as an invoice (no BIG07): a bill of -75.00 could not be posted; it is the credit note it is
    doc = read_x12(["ST*810*0001", f"BIG*20261203*WW-INV-NEG**{name}", "N1*RI*WIDGET WORKS INC*UL*0860001000030",
                    "IT1*1*-10*EA*7.50**VN*WW-WB-100", "TDS*-7500", "CTT*1"],
                   gs="IN", sender="WIDGETWORKS", app="WIDGETWORKS")
    [credit] = post(client, doc, widgetworks(), Cache())
    [row] = odoo.execute_kw("account.move", "read", [[credit.record_id], ["move_type", "amount_total"]])
    assert (row["move_type"], row["amount_total"]) == ("in_refund", 75.0)
    assert post(client, doc, widgetworks(), Cache())[0].role == "found"


def test_a_consolidated_810_bills_each_line_on_the_po_it_names(client: OdooClient, odoo: odoorpc.ODOO) -> None:
    """One 810 for two POs (a vendor's weekly statement invoice): its BIG04 names the first, each IT1 loop its
    own in REF*PO. Each bill line is linked to the line of the PO it names, the bill's origin names both as
    Odoo's own bill of two POs does; the second PO's blue widgets were billed on the first PO's line. A line
    naming an order Odoo does not have (the drop-ship customer's) goes to the invoice's PO."""
    po1, name1 = purchase(odoo, [(1, 100, 7.5)])
    po2, name2 = purchase(odoo, [(1, 40, 7.0), (2, 50, 5.25)])
    doc = read_x12(["ST*810*0001", f"BIG*20261129*WW-INV-CONS**{name1}", "N1*RI*WIDGET WORKS INC*UL*0860001000030",
                    "IT1*1*60*EA*7.50**VN*WW-WB-100", f"REF*PO*{name1}", "IT1*1*40*EA*7.00**VN*WW-WB-100",
                    f"REF*PO*{name2}", "IT1*2*50*EA*5.25**VN*WW-WR-200", f"REF*PO*{name2}",
                    "IT1*1*40*EA*7.50**VN*WW-WB-100", "REF*PO*CUST-PO-77", "TDS*129250", "CTT*4"],
                   gs="IN", sender="WIDGETWORKS", app="WIDGETWORKS")
    [link] = post(client, doc, widgetworks(), Cache())
    [blue1] = po_lines(odoo, po1)
    blue2, red2 = po_lines(odoo, po2)
    made = bill(odoo, "WW-INV-CONS")
    assert made["lines"] == [(40.0, 7.0, blue2), (40.0, 7.5, blue1), (50.0, 5.25, red2), (60.0, 7.5, blue1)]
    [row] = odoo.execute_kw("account.move", "read", [[link.record_id], ["invoice_origin"]])
    assert row["invoice_origin"] == f"{name1}, {name2}"
    assert "EDI" not in str(made["narration"] or "")


def cxml_credit(po: str) -> bytes:
    """Widget Works' cXML line-level credit memo for 4 blue widgets of `po`: quantity and amounts negative, as
    cXML credit memos carry them."""
    return cxml_invoice("ww-cm-5@widgetworks.example", f"""
<InvoiceDetailRequestHeader invoiceID="WW-CX-CM-5" purpose="lineLevelCreditMemo" operation="new"
 invoiceDate="2026-12-03"/>
<InvoiceDetailOrder><InvoiceDetailOrderInfo><OrderReference orderID="{po}"><DocumentReference payloadID="x"/>
</OrderReference></InvoiceDetailOrderInfo>
<InvoiceDetailItem invoiceLineNumber="1" quantity="-4"><UnitOfMeasure>EA</UnitOfMeasure>
<UnitPrice><Money currency="USD">7.50</Money></UnitPrice>
<InvoiceDetailItemReference lineNumber="1"><ItemID><SupplierPartID>WW-WB-100</SupplierPartID></ItemID>
</InvoiceDetailItemReference><SubtotalAmount><Money currency="USD">-30.00</Money></SubtotalAmount>
</InvoiceDetailItem></InvoiceDetailOrder>
<InvoiceDetailSummary><SubtotalAmount><Money currency="USD">-30.00</Money></SubtotalAmount>
<Tax><Money currency="USD">0.00</Money><Description xml:lang="en">none</Description></Tax>
<NetAmount><Money currency="USD">-30.00</Money></NetAmount></InvoiceDetailSummary>
""")


def test_a_cxml_credit_memo_with_negative_amounts_credits_them(client: OdooClient, odoo: odoorpc.ODOO) -> None:
    """cXML credit memos carry negative quantities and amounts: the vendor credit note takes back 4 at 7.50 on
    the PO line, 30.00, its total the vendor's (compared without sign)."""
    po, name = purchase(odoo)
    result = parse(cxml_credit(name))
    assert [str(e) for e in result.errors] == []
    [doc] = translate(result.transactions[0], None, base_profiles(), profile="cxml-invoicedetailrequest")
    assert isinstance(doc, Invoice) and doc.invoice_type == "credit_note"
    [credit] = post(client, doc, widgetworks(), Cache())
    [row] = odoo.execute_kw("account.move", "read", [[credit.record_id], ["move_type", "amount_total", "narration"]])
    assert (row["move_type"], row["amount_total"]) == ("in_refund", 30.0)
    assert "EDI" not in str(row["narration"] or "")
    assert bill(odoo, "WW-CX-CM-5")["lines"] == [(4.0, 7.5, po_lines(odoo, po)[0])]


def test_an_invoice_for_a_po_not_confirmed_is_held(client: OdooClient, odoo: odoorpc.ODOO) -> None:
    """The vendor bills a PO that is still a request for quotation (or was cancelled): Odoo bills confirmed orders
    only, and the bill was linked to the RFQ's lines, counting them billed on an order nobody placed. Held naming
    the order's state, nothing written; once the buyer confirms it, the replay makes the bill."""
    po, name = purchase(odoo, confirm=False)
    doc = read_x12(["ST*810*0001", f"BIG*20261129*WW-INV-RFQ**{name}", "N1*RI*WIDGET WORKS INC*UL*0860001000030",
                    "IT1*1*100*EA*7.50**VN*WW-WB-100", "TDS*75000", "CTT*1"],
                   gs="IN", sender="WIDGETWORKS", app="WIDGETWORKS")
    with pytest.raises(OdooRejected, match=rf"invoice WW-INV-RFQ: purchase order {name} is 'draft' in Odoo, not "
                                           r"confirmed: nothing was written"):
        post(client, doc, widgetworks(), Cache())
    assert odoo.execute_kw("account.move", "search", [[("ref", "=", "WW-INV-RFQ")]]) == []
    odoo.execute_kw("purchase.order", "button_confirm", [[po]])
    [link] = post(client, doc, widgetworks(), Cache())
    assert link.role == "created" and bill(odoo, "WW-INV-RFQ")["lines"] == [(100.0, 7.5, po_lines(odoo, po)[0])]


def test_a_ubl_invoice_line_goes_to_the_po_line_its_order_line_reference_names(client: OdooClient,
                                                                               odoo: odoorpc.ODOO) -> None:
    """Blue widgets on PO lines 1 and 3 at one price (two deliveries): the UBL invoice numbers its own lines and
    names the PO's in OrderLineReference/LineID (3, then 1). Each bill line is linked to that PO line; it was
    not read, and both went by their order on the invoice."""
    po, name = purchase(odoo, [(1, 100, 7.5), (2, 50, 5.25), (1, 40, 7.5)])

    def line(number: int, po_line: int, quantity: int) -> str:
        return (f'<cac:InvoiceLine><cbc:ID>{number}</cbc:ID><cbc:InvoicedQuantity unitCode="EA">{quantity}'
                f'</cbc:InvoicedQuantity><cbc:LineExtensionAmount currencyID="USD">{quantity * 7.5:.2f}'
                f"</cbc:LineExtensionAmount><cac:OrderLineReference><cbc:LineID>{po_line}</cbc:LineID>"
                "</cac:OrderLineReference><cac:Item><cbc:Name>Blue Widget</cbc:Name><cac:SellersItemIdentification>"
                "<cbc:ID>WW-WB-100</cbc:ID></cac:SellersItemIdentification></cac:Item><cac:Price>"
                '<cbc:PriceAmount currencyID="USD">7.50</cbc:PriceAmount></cac:Price></cac:InvoiceLine>')
    data = ubl("Invoice", "WW-UBL-OLR", name, 1).decode()
    start, end = data.index("<cac:InvoiceLine>"), data.index("</cac:InvoiceLine>") + len("</cac:InvoiceLine>")
    data = data[:start] + line(1, 3, 40) + line(2, 1, 100) + data[end:]
    data = data.replace(">7.50</cbc:TaxInclusiveAmount>", ">1050.00</cbc:TaxInclusiveAmount>")
    result = parse(data.encode())
    assert [str(e) for e in result.errors] == []
    [doc] = translate(result.transactions[0], UBL_VENDOR, base_profiles(), profile="ubl-2.1-invoice")
    post(client, doc, widgetworks(), Cache())
    first, _, third = po_lines(odoo, po)
    made = bill(odoo, "WW-UBL-OLR")
    assert made["lines"] == [(40.0, 7.5, third), (100.0, 7.5, first)]
    assert "EDI" not in str(made["narration"] or "")
