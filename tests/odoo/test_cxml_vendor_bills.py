"""A vendor's cXML invoices through the real pipeline (intake, journal, translation by the base profile, posting)
into the sandbox over HTTP: the bill line goes to the PO line the invoice line names (InvoiceDetailItemReference
lineNumber, the buyer's order line, not the invoice's own invoiceLineNumber), an invoice of several POs (one
InvoiceDetailOrder each) bills each line on its own PO, and a credit memo naming the invoice it corrects
(InvoiceIDInfo, or the DocumentReference Coupa fills with the invoice number) reverses that invoice's bill."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import odoorpc
from lxml import etree

from gateway.config.loader import LoadedConfig
from gateway.config.models import OurIds, PartnerConfig
from gateway.formats import parse
from gateway.journal.api import State
from gateway.journal.sqlite import SqliteJournal
from gateway.odoo.sandbox import SandboxServer
from gateway.translate import render, translate
from gateway.translate.canonical import Invoice
from gateway.transports.base import IntakeMeta
from tests.helpers.corpus import CORPUS, needs_corpus
from tests.helpers.profiles import base_profiles
from tests.odoo.test_cxml_vendor_invoice import cxml_invoice
from tests.odoo.test_pipeline_posting import examples, pipeline_for, run
from tests.odoo.test_vendor_bill_checks import bill, on_ordered_quantities, po_lines
from tests.odoo.test_vendor_odd import purchase

__all__ = ["examples"]

WIDGETWORKS = PartnerConfig.model_validate({
    "id": "widgetworks", "name": "Widget Works", "odoo": {"partner_ref": "WIDGETWORKS"},
    "xml": {"ids": ["widgetworks"]},
    "documents": [{"type": "InvoiceDetailRequest", "direction": "in", "profile": "cxml-invoicedetailrequest"}]})
PARTS = {"blue": "WW-WB-100", "red": "WW-WR-200"}


def item(number: int, order_line: int, part: str, quantity: int, price: str, basis: str = "",
         amount: str = "") -> str:
    """An InvoiceDetailItem: the invoice's line `number` billing line `order_line` of the buyer's order (`basis`:
    its PriceBasisQuantity element)."""
    amount = amount or f"{quantity * float(price):.2f}"
    return f"""<InvoiceDetailItem invoiceLineNumber="{number}" quantity="{quantity}"><UnitOfMeasure>EA</UnitOfMeasure>
<UnitPrice><Money currency="USD">{price}</Money></UnitPrice>{basis}
<InvoiceDetailItemReference lineNumber="{order_line}"><ItemID><SupplierPartID>{PARTS[part]}</SupplierPartID></ItemID>
</InvoiceDetailItemReference><SubtotalAmount><Money currency="USD">{amount}</Money></SubtotalAmount>
</InvoiceDetailItem>"""


def invoice(number: str, orders: list[tuple[str, list[str]]], total: str, purpose: str = "standard",
            header: str = "", operation: str = "new", comments: str = "") -> bytes:
    """Widget Works' InvoiceDetailRequest: one InvoiceDetailOrder per (PO, its items), `header` in its header
    before its PaymentTerm, `comments` after it."""
    body = "".join(f'<InvoiceDetailOrder><InvoiceDetailOrderInfo><OrderIDInfo orderID="{po}"/>'
                   f'</InvoiceDetailOrderInfo>{"".join(items)}</InvoiceDetailOrder>' for po, items in orders)
    return cxml_invoice(f"{number}-{operation}@widgetworks.example", f"""
<InvoiceDetailRequestHeader invoiceID="{number}" purpose="{purpose}" operation="{operation}" invoiceDate="2026-12-01">
<InvoiceDetailHeaderIndicator/><InvoiceDetailLineIndicator/>{header}<PaymentTerm payInNumberOfDays="30"/>{comments}
</InvoiceDetailRequestHeader>{body}
<InvoiceDetailSummary><SubtotalAmount><Money currency="USD">{total}</Money></SubtotalAmount>
<Tax><Money currency="USD">0.00</Money><Description xml:lang="en">none</Description></Tax>
<NetAmount><Money currency="USD">{total}</Money></NetAmount></InvoiceDetailSummary>""")


async def post_file(tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, *files: bytes) -> list[Any]:
    """Each file through one pipeline, in turn, to DONE (or wherever it stops)."""
    pipeline, _ = pipeline_for(tmp_path, examples, sandbox)
    pipeline.config.partners["widgetworks"] = WIDGETWORKS
    done = []
    for index, data in enumerate(files):
        message = await pipeline.submit(data, IntakeMeta(channel="as2", filename=f"invoice-{index}.xml",
                                                         partner="widgetworks"))
        done.append(run(pipeline, message.id, {State.DONE, State.QUARANTINED}, rounds=60))
    return done


async def test_a_cxml_invoice_line_goes_to_the_order_line_it_names(tmp_path: Path, examples: LoadedConfig,
                                                                   sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    """Blue widgets are on PO lines 1 (100 at 7.50), 3 (40 at 7.00) and 4 (30 at 7.25). The vendor bills order
    line 1 at 7.00 as its invoice line 1, and order line 4 at 7.50 as its invoice line 3: each bill line is the
    PO line its lineNumber names, its price off the PO noted. By price the first went to PO line 3; by its
    invoiceLineNumber the second did."""
    po, name = purchase(odoo, [(1, 100, 7.5), (2, 50, 5.25), (1, 40, 7.0), (1, 30, 7.25)])
    [message] = await post_file(tmp_path, examples, sandbox, invoice("WW-CX-LN", [(name, [
        item(1, 1, "blue", 100, "7.00"), item(3, 4, "blue", 30, "7.50")])], "925.00"))
    assert message.state is State.DONE, message.last_error
    first, _, _, fourth = po_lines(odoo, po)
    made = bill(odoo, "WW-CX-LN")
    assert made["lines"] == [(30.0, 7.5, fourth), (100.0, 7.0, first)]
    assert "invoice WW-CX-LN, line 1: billed at 7.00, the purchase order&#x27;s price is 7.50" in made["narration"]
    assert "invoice WW-CX-LN, line 3: billed at 7.50, the purchase order&#x27;s price is 7.25" in made["narration"]


async def test_a_line_without_its_order_line_is_billed_all_the_same(tmp_path: Path, examples: LoadedConfig,
                                                                    sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    """A sender leaving InvoiceDetailItemReference's lineNumber out (the DTD requires it; not every generator
    writes it) has its line billed on the PO line of its product, as before it was read, not the invoice held."""
    po, name = purchase(odoo, [(1, 100, 7.5)])
    data = invoice("WW-CX-NOLN", [(name, [item(1, 1, "blue", 100, "7.50")])], "750.00").replace(
        b' lineNumber="1"', b"")
    [message] = await post_file(tmp_path, examples, sandbox, data)
    assert message.state is State.DONE, message.last_error
    assert bill(odoo, "WW-CX-NOLN")["lines"] == [(100.0, 7.5, po_lines(odoo, po)[0])]


async def test_a_cxml_invoice_of_two_pos_bills_each_line_on_its_own(tmp_path: Path, examples: LoadedConfig,
                                                                    sandbox: SandboxServer,
                                                                    odoo: odoorpc.ODOO) -> None:
    """One invoice, two InvoiceDetailOrders: 100 blue widgets of the first PO, 40 blue and 50 red of the second.
    Billed against the first PO alone, the red widgets (not on it) held the invoice and the second PO's blue
    widgets were counted billed on the first's. Each line is its own PO's, the bill's origin names both."""
    on_ordered_quantities(odoo)
    po1, name1 = purchase(odoo, [(1, 100, 7.5)])
    po2, name2 = purchase(odoo, [(1, 40, 7.0), (2, 50, 5.25)])
    [message] = await post_file(tmp_path, examples, sandbox, invoice("WW-CX-2PO", [
        (name1, [item(1, 1, "blue", 100, "7.50")]),
        (name2, [item(2, 1, "blue", 40, "7.00"), item(3, 2, "red", 50, "5.25")])], "1292.50"))
    assert message.state is State.DONE, message.last_error
    [blue1] = po_lines(odoo, po1)
    blue2, red2 = po_lines(odoo, po2)
    made = bill(odoo, "WW-CX-2PO")
    assert made["lines"] == [(40.0, 7.0, blue2), (50.0, 5.25, red2), (100.0, 7.5, blue1)]
    assert "EDI" not in str(made["narration"] or "")
    [row] = odoo.execute_kw("account.move", "search_read", [[("ref", "=", "WW-CX-2PO")], ["invoice_origin"]])
    assert row["invoice_origin"] == f"{name1}, {name2}"


async def test_a_cxml_credit_memo_reverses_the_bill_of_the_invoice_it_names(tmp_path: Path, examples: LoadedConfig,
                                                                            sandbox: SandboxServer,
                                                                            odoo: odoorpc.ODOO) -> None:
    """A creditMemo naming its invoice by InvoiceIDInfo, and one naming it as Coupa's samples do (the header's
    DocumentReference payloadID holding the invoice number), are each Odoo's "Reversal of" that invoice's bill;
    the PO line's billed quantity goes down by what they credit."""
    po, name = purchase(odoo, [(1, 100, 7.5)])
    credits = [invoice(number, [(name, [item(1, 1, "blue", 10, "7.50")])], "75.00", purpose="creditMemo",
                       header=header) for number, header in (
        ("WW-CX-CM1", '<InvoiceIDInfo invoiceID="WW-CX-INV"/>'),
        ("WW-CX-CM2", '<DocumentReference payloadID="WW-CX-INV"/>'))]
    done = await post_file(tmp_path, examples, sandbox, invoice("WW-CX-INV", [(name, [
        item(1, 1, "blue", 100, "7.50")])], "750.00"), *credits)
    assert [m.state for m in done] == [State.DONE] * 3, [m.last_error for m in done]
    [original] = odoo.execute_kw("account.move", "search", [[("ref", "=", "WW-CX-INV")]])
    for number in ("WW-CX-CM1", "WW-CX-CM2"):
        [row] = odoo.execute_kw("account.move", "search_read", [[("ref", "=", number)], [
            "move_type", "reversed_entry_id", "amount_total", "narration"]])
        assert (row["move_type"], row["reversed_entry_id"] and row["reversed_entry_id"][0], row["amount_total"]) \
            == ("in_refund", original, 75.0), number
        assert "EDI" not in str(row["narration"] or "")
    [line] = po_lines(odoo, po)
    assert odoo.execute_kw("purchase.order.line", "read", [[line], ["qty_invoiced"]])[0]["qty_invoiced"] == 80.0


async def test_the_vendors_comments_are_on_the_bill(tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer,
                                                    odoo: odoorpc.ODOO) -> None:
    """The invoice header's Comments (the vendor explaining a price, say) are in the draft bill's notes beside
    what the gateway notes, for the clerk who checks it; they were not read."""
    _po, name = purchase(odoo, [(1, 100, 7.5)])
    [message] = await post_file(tmp_path, examples, sandbox, invoice(
        "WW-CX-NOTE", [(name, [item(1, 1, "blue", 100, "7.60")])], "760.00",
        comments='<Comments xml:lang="en">New price list from 2026-12-01, see our letter of 2026-10-15</Comments>'))
    assert message.state is State.DONE, message.last_error
    notes = bill(odoo, "WW-CX-NOTE")["narration"]
    assert "New price list from 2026-12-01, see our letter of 2026-10-15" in notes
    assert "billed at 7.60, the purchase order&#x27;s price is 7.50" in notes


async def test_a_cxml_invoice_cancellation_is_held_saying_so(tmp_path: Path, examples: LoadedConfig,
                                                             sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    """The vendor cancels its invoice (the same InvoiceDetailRequest with operation="delete", naming the original's
    payloadID). Read as an invoice it found the bill of that number and was done, the bill left as it was and
    nobody told; it is held saying the vendor cancels it and what to do, the bill untouched."""
    _po, name = purchase(odoo, [(1, 100, 7.5)])
    items = [(name, [item(1, 1, "blue", 100, "7.50")])]
    done = await post_file(tmp_path, examples, sandbox, invoice("WW-CX-DEL", items, "750.00"), invoice(
        "WW-CX-DEL", items, "750.00", operation="delete",
        header='<DocumentReference payloadID="WW-CX-DEL-new@widgetworks.example"/>'))
    assert [m.state for m in done] == [State.DONE, State.QUARANTINED], [m.last_error for m in done]
    assert 'invoice WW-CX-DEL: the vendor cancels it (operation="delete")' in str(done[1].last_error)
    assert [r["state"] for r in odoo.execute_kw("account.move", "search_read", [[("ref", "=", "WW-CX-DEL")],
                                                                                ["state"]])] == ["draft"]


async def test_a_cxml_invoice_for_information_only_makes_no_bill(tmp_path: Path, examples: LoadedConfig,
                                                                sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    """An invoice the vendor marks isInformationOnly="yes" (nothing to pay: the order was paid by card) became a
    payable draft bill; it is held saying so, and no bill is made."""
    _po, name = purchase(odoo, [(1, 100, 7.5)])
    data = invoice("WW-CX-INFO", [(name, [item(1, 1, "blue", 100, "7.50")])], "750.00").replace(
        b'invoiceID="WW-CX-INFO"', b'invoiceID="WW-CX-INFO" isInformationOnly="yes"')
    [message] = await post_file(tmp_path, examples, sandbox, data)
    assert message.state is State.QUARANTINED, message.last_error
    assert "invoice WW-CX-INFO: the vendor sends it for information only" in str(message.last_error)
    assert odoo.execute_kw("account.move", "search", [[("ref", "=", "WW-CX-INFO")]]) == []


async def test_a_cxml_invoice_by_order_without_items_is_held_naming_its_po(tmp_path: Path, examples: LoadedConfig,
                                                                         sandbox: SandboxServer,
                                                                         odoo: odoorpc.ODOO) -> None:
    """An invoice that bills a PO as a whole (InvoiceDetailHeaderOrder: an amount, no items) has no line to put on
    a PO line: it is held saying so and naming the PO, where it was refused as 'lines: list should have at least
    1 item'."""
    _po, name = purchase(odoo, [(1, 100, 7.5)])
    data = invoice("WW-CX-HDR", [], "750.00").replace(b"\n<InvoiceDetailSummary>", (
        f'<InvoiceDetailHeaderOrder><InvoiceDetailOrderInfo><OrderIDInfo orderID="{name}"/></InvoiceDetailOrderInfo>'
        '<InvoiceDetailOrderSummary invoiceLineNumber="1"><SubtotalAmount><Money currency="USD">750.00</Money>'
        '</SubtotalAmount></InvoiceDetailOrderSummary></InvoiceDetailHeaderOrder>\n<InvoiceDetailSummary>').encode())
    [message] = await post_file(tmp_path, examples, sandbox, data)
    assert message.state is State.QUARANTINED, message.last_error
    assert (f"invoice WW-CX-HDR: it bills its orders as a whole (InvoiceDetailHeaderOrder, no item lines), which "
            f"the gateway does not post: enter the bill in Odoo (purchase order {name})") in str(message.last_error)
    assert odoo.execute_kw("account.move", "search", [[("ref", "=", "WW-CX-HDR")]]) == []


async def test_a_price_per_price_basis_quantity_is_billed_per_unit(tmp_path: Path, examples: LoadedConfig,
                                                                   sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    """Widgets priced 50.00 per 100 (PriceBasisQuantity quantity 100), and 5.00 per box of 10 (quantity 1 box,
    conversionFactor 0.1): both are 0.50 a widget, as the PO says and the lines' subtotals count. The UnitPrice was
    billed as the price of one widget, 1000 at 50.00."""
    on_ordered_quantities(odoo)
    po, name = purchase(odoo, [(1, 1200, 0.5)])
    per_hundred = '<PriceBasisQuantity quantity="100" conversionFactor="1"><UnitOfMeasure>EA</UnitOfMeasure>' \
                  '</PriceBasisQuantity>'
    per_box = '<PriceBasisQuantity quantity="1" conversionFactor="0.1"><UnitOfMeasure>BX</UnitOfMeasure>' \
              '</PriceBasisQuantity>'
    [message] = await post_file(tmp_path, examples, sandbox, invoice("WW-CX-PB", [(name, [
        item(1, 1, "blue", 1000, "50.00", per_hundred, "500.00"),
        item(2, 1, "blue", 200, "5.00", per_box, "100.00")])], "600.00"))
    assert message.state is State.DONE, message.last_error
    [line] = po_lines(odoo, po)
    made = bill(odoo, "WW-CX-PB")
    assert made["lines"] == [(200.0, 0.5, line), (1000.0, 0.5, line)]
    assert (made["amount_total"], "EDI" in str(made["narration"] or "")) == (600.0, False)

async def test_a_line_whose_vendor_code_odoo_lacks_is_found_by_our_item_number(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    """The vendor bills blue widgets under a part number of its own Odoo does not have (no vendor code on the
    product), and gives ours too (ItemID/BuyerPartID WB-100, the product's Internal Reference): the bill line is
    that product's, on its PO line. Read without BuyerPartID, the invoice was held: no product for the line."""
    po, name = purchase(odoo, [(1, 100, 7.5)])
    line = item(1, 1, "blue", 100, "7.50").replace(
        "<SupplierPartID>WW-WB-100</SupplierPartID>", "<SupplierPartID>WW-NEW-9</SupplierPartID>"
        "<BuyerPartID>WB-100</BuyerPartID>")
    [message] = await post_file(tmp_path, examples, sandbox, invoice("WW-CX-BP", [(name, [line])], "750.00"))
    assert message.state is State.DONE, message.last_error
    assert bill(odoo, "WW-CX-BP")["lines"] == [(100.0, 7.5, po_lines(odoo, po)[0])]

def test_orders_order_lines_and_the_credited_invoice_are_written_and_read_back(tmp_path: Path) -> None:
    """Written, a credit memo of two POs has one InvoiceDetailOrder per PO, its lines in it, each line's
    invoiceLineNumber its own and its lineNumber the order's line it bills (a line_item reference, else its
    own number), and the invoice it corrects as InvoiceIDInfo where the DTD puts it (after the indicators, before
    PaymentTerm); read back it is the same document. The profile wrote every line under the first PO, and the
    invoice's line number as the order's."""
    doc = Invoice.model_validate({
        "number": "CM-9", "date": "2026-12-01", "currency": "USD", "invoice_type": "credit_note",
        "po_number": "PO-1", "terms": "30", "references": [{"qualifier": "invoice", "value": "INV-9"}],
        "lines": [{"line_no": "1", "item_ids": {"vendor": "WB-100"}, "quantity": "4", "unit_price": "7.50",
                   "amount": "30.00", "references": [{"qualifier": "line_item", "value": "3"}]},
                  {"line_no": "2", "item_ids": {"vendor": "WR-200"}, "quantity": "2", "unit_price": "5.25",
                   "amount": "10.50", "references": [{"qualifier": "purchase_order", "value": "PO-2"}]},
                  {"line_no": "3", "item_ids": {"vendor": "WB-100"}, "quantity": "1", "unit_price": "7.00",
                   "amount": "7.00", "references": [{"qualifier": "purchase_order", "value": "PO-2"},
                                                    {"qualifier": "line_item", "value": "1"}]}],
        "totals": {"lines_amount": "47.50", "tax_amount": "0.00", "total_amount": "47.50"}})
    data, back = _round_trip(doc, tmp_path)
    root = etree.fromstring(data)
    header = root.find("Request/InvoiceDetailRequest/InvoiceDetailRequestHeader")
    assert [child.tag for child in header] == ["InvoiceDetailHeaderIndicator", "InvoiceDetailLineIndicator",
                                               "InvoiceIDInfo", "PaymentTerm"]
    assert header.find("InvoiceIDInfo").get("invoiceID") == "INV-9"
    assert [(order.find("InvoiceDetailOrderInfo/OrderIDInfo").get("orderID"),
             [(i.get("invoiceLineNumber"), i.find("InvoiceDetailItemReference").get("lineNumber"))
              for i in order.findall("InvoiceDetailItem")])
            for order in root.findall("Request/InvoiceDetailRequest/InvoiceDetailOrder")] == [
        ("PO-1", [("1", "3")]), ("PO-2", [("2", "2"), ("3", "1")])]
    assert back.model_dump(exclude={"source"}) == doc.model_dump(exclude={"source"})


def _round_trip(doc: Invoice, tmp_path: Path) -> tuple[bytes, Invoice]:
    """The cXML the base profile writes for `doc` (rendered as the scheduler does, checked), and it read back."""
    partner = PartnerConfig.model_validate({"id": "buyer", "xml": {"ids": ["buyer"]}, "documents": [
        {"type": "InvoiceDetailRequest", "direction": d, "profile": "cxml-invoicedetailrequest"} for d in ("in", "out")]})
    registry = base_profiles()
    journal = SqliteJournal(tmp_path / "j.sqlite3")
    try:
        rendered = render(doc, partner, registry, journal, "InvoiceDetailRequest",
                          our_ids=OurIds.model_validate({"xml": "us"}), now=datetime(2026, 12, 1, 14, 30))
    finally:
        journal.close()
    result = parse(rendered.data)
    assert [str(e) for e in result.errors] == []
    [back] = translate(result.transactions[0], partner, registry, profile="cxml-invoicedetailrequest")
    assert isinstance(back, Invoice)
    return rendered.data, back


def test_an_invoice_with_two_lines_numbered_alike_gives_each_its_own_invoice_line_number(tmp_path: Path) -> None:
    """An Odoo invoice of two sale orders numbers its lines as each order did (1, 2 of the first, 1 of the second):
    the cXML had invoiceLineNumber 1 twice, which a buyer's system refuses. The second line 1 is invoice line 3,
    its lineNumber still the order's line 1; read back, that is its line_item reference."""
    doc = Invoice.model_validate({
        "number": "INV/2026/0042", "date": "2026-12-01", "currency": "USD", "po_number": "PO-1",
        "lines": [{"line_no": n, "item_ids": {"vendor": "WB-100"}, "quantity": "1", "unit_price": "7.50",
                   "amount": "7.50"} for n in ("1", "2", "1")],
        "totals": {"lines_amount": "22.50", "tax_amount": "0.00", "total_amount": "22.50"}})
    data, back = _round_trip(doc, tmp_path)
    items = etree.fromstring(data).findall("Request/InvoiceDetailRequest/InvoiceDetailOrder/InvoiceDetailItem")
    assert [(i.get("invoiceLineNumber"), i.find("InvoiceDetailItemReference").get("lineNumber")) for i in items] == [
        ("1", "1"), ("2", "2"), ("3", "1")]
    assert [(line.line_no, [(r.qualifier, r.value) for r in line.references]) for line in back.lines] == [
        ("1", []), ("2", []), ("3", [("line_item", "1")])]

@needs_corpus
def test_the_corpus_invoice_of_two_orders_reads_each_lines_order() -> None:
    """A third party's cXML invoice backed by two POs (named by their OrderRequests' payloadIDs), whose second
    order's item is its invoice line 2 and that order's line 1."""
    result = parse((CORPUS / "xml" / "cxml_InvoiceDetailRequest_officeluv_multi-po.xml").read_bytes())
    [doc] = translate(result.transactions[0], None, base_profiles(), profile="cxml-invoicedetailrequest")
    assert isinstance(doc, Invoice) and doc.po_number == "2252"
    assert [(line.line_no, [(r.qualifier, r.value) for r in line.references]) for line in doc.lines] == [
        ("1", []), ("2", [("purchase_order", "2253"), ("line_item", "1")])]


def test_an_empty_document_reference_names_no_invoice() -> None:
    """A credit memo whose header DocumentReference has an empty payloadID (an ERP filling the element it has no
    value for) names no invoice; it was refused whole ('references.0.value: field required')."""
    data = invoice("WW-CX-CM3", [("P00001", [item(1, 1, "blue", 1, "7.50")])], "7.50", purpose="creditMemo",
                   header='<DocumentReference payloadID=" "/>')
    [doc] = translate(parse(data).transactions[0], None, base_profiles(), profile="cxml-invoicedetailrequest")
    assert isinstance(doc, Invoice) and (doc.invoice_type, doc.references) == ("credit_note", [])
