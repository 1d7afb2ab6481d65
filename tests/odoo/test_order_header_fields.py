"""What a real partner's order header carries, as an Odoo integrator expects it on the sale order: the currency the
partner orders in, its bill-to and its terms of delivery. Each through the real pipeline and the sandbox over HTTP."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.formats import parse, x12
from gateway.journal.api import State
from gateway.odoo.client import OdooClient
from gateway.odoo.posting import Cache, post
from gateway.odoo.sale_orders import content_mark
from gateway.odoo.sandbox import SandboxServer
from gateway.translate import translate
from gateway.translate.canonical import PurchaseOrder
from gateway.transports.base import IntakeMeta
from tests.helpers.profiles import base_profiles
from tests.odoo.conftest import API_KEY_19, bigbox, read_x12
from tests.odoo.test_pipeline_posting import SAMPLE, examples, pipeline_for, run
from tests.odoo.test_xml_orders import cxml_text

__all__ = ["examples"]          # the module fixture, shared

# Odoo 16 keeps a term's early discount on its lines, 17+ on the term itself (18 as 17); 19 speaks JSON-2
ALL_VERSIONS = pytest.mark.parametrize("sandbox", [16, 17, 19], ids=["odoo16", "odoo17", "odoo19"],
                                       indirect=True)


def odoo_of(sandbox: SandboxServer) -> odoorpc.ODOO:
    odoo = odoorpc.ODOO("127.0.0.1", port=sandbox.port)
    odoo.login("demo", "admin", API_KEY_19 if sandbox.version >= 19 else "admin")
    return odoo


def sample(*, after: str, add: str = "", replace: tuple[str, str] | None = None) -> bytes:
    """BigBox's sample 850 with `add` (segments, each ending in ~) after the segment starting `after`, SE counted."""
    text = SAMPLE.read_text()
    if replace is not None:
        text = text.replace(*replace)
    lines = text.splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.startswith(after))
    added = [segment + "~\n" for segment in add.split("~") if segment.strip()]
    lines[at + 1:at + 1] = added
    text = "".join(lines)
    return text.replace("SE*25*0001", f"SE*{25 + len(added)}*0001").encode("ascii")


async def post_file(tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, data: bytes,
                    until: set[State]) -> Any:
    pipeline, journal = pipeline_for(tmp_path, examples, sandbox)
    message = await pipeline.submit(data, IntakeMeta(channel="as2", filename="850.edi", partner="bigbox"))
    return run(pipeline, message.id, until), journal


def sale_order(sandbox: SandboxServer, fields: list[str]) -> dict[str, Any]:
    rows: list[dict[str, Any]] = odoo_of(sandbox).execute_kw(
        "sale.order", "search_read", [[("client_order_ref", "=", "4500001234")], fields])
    assert len(rows) == 1
    return rows[0]


@ALL_VERSIONS
async def test_an_order_in_another_currency_than_a_customer_without_pricelist_is_held(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer) -> None:
    """BigBox has no pricelist of its own: Odoo makes its orders in the company's currency (USD). An 850 in euros
    (CUR*BY*EUR) was posted as a USD quotation; it is held naming both currencies, and nothing is made."""
    result, _ = await post_file(tmp_path, examples, sandbox, sample(after="BEG*", add="CUR*BY*EUR~"),
                                {State.QUARANTINED, State.DONE})
    assert result.state is State.QUARANTINED
    assert "currency mismatch: the order is in EUR but BigBox Retail has no pricelist in Odoo" in result.last_error
    assert "Acme Distribution, USD" in result.last_error
    assert odoo_of(sandbox).execute_kw("sale.order", "search", [[("client_order_ref", "=", "4500001234")]]) == []


@pytest.mark.parametrize("cur", ["CUR*BY*USD~", "CUR*BY*usd~", "CUR*SE*USD~"], ids=["USD", "lower-case", "seller"])
async def test_an_order_in_the_company_currency_is_posted(tmp_path: Path, examples: LoadedConfig,
                                                         sandbox: SandboxServer, cur: str) -> None:
    """The company's currency however the partner writes it (a translator writing 'usd' was held as a currency
    mismatch 'in usd but ... USD', now that every customer's orders are checked)."""
    result, _ = await post_file(tmp_path, examples, sandbox, sample(after="BEG*", add=cur),
                                {State.QUARANTINED, State.DONE})
    assert result.state is State.DONE, result.last_error
    assert sale_order(sandbox, ["currency_id"])["currency_id"][1] == "USD"


@ALL_VERSIONS
async def test_the_bill_to_party_is_the_orders_invoice_address(tmp_path: Path, examples: LoadedConfig,
                                                               sandbox: SandboxServer) -> None:
    """N1*BT naming BigBox's accounts payable office by GLN: the sale order's Invoice Address is that contact (its
    invoices and their 810 go there), not Odoo's default, the customer's invoice-type contact."""
    odoo = odoo_of(sandbox)
    bigbox = odoo.execute_kw("res.partner", "search", [[("ref", "=", "BIGBOX")]])[0]
    odoo.execute_kw("res.partner", "create", [{"name": "BigBox Head Office", "parent_id": bigbox, "type": "invoice"}])
    payables = odoo.execute_kw("res.partner", "create", [{
        "name": "BigBox Accounts Payable", "parent_id": bigbox, "type": "invoice", "barcode": "0860001000047"}])
    data = sample(after="N1*BY*", add="N1*BT*BIGBOX ACCOUNTS PAYABLE*UL*0860001000047~")
    result, _ = await post_file(tmp_path, examples, sandbox, data, {State.QUARANTINED, State.DONE})
    assert result.state is State.DONE, result.last_error
    order = sale_order(sandbox, ["partner_invoice_id", "partner_shipping_id", "note"])
    assert order["partner_invoice_id"][0] == payables
    assert order["partner_shipping_id"][1].endswith("BigBox DC 1")
    assert "bill to" not in order["note"]


async def test_a_bill_to_odoo_does_not_have_leaves_odoos_invoice_address_and_says_so(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer) -> None:
    data = sample(after="N1*BY*", add="N1*BT*BIGBOX ACCOUNTS PAYABLE*UL*0860001000099~")
    result, _ = await post_file(tmp_path, examples, sandbox, data, {State.QUARANTINED, State.DONE})
    assert result.state is State.DONE, result.last_error
    order = sale_order(sandbox, ["partner_invoice_id", "partner_id", "note"])
    assert order["partner_invoice_id"][0] == order["partner_id"][0]
    assert ("<p>bill to gln 0860001000099: not an address of BigBox Retail in Odoo, so the order is invoiced to the "
            "customer&#x27;s invoice address in Odoo</p>") in order["note"]


async def test_a_bill_to_naming_the_customer_itself_keeps_odoos_invoice_address(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer) -> None:
    odoo = odoo_of(sandbox)
    bigbox = odoo.execute_kw("res.partner", "search", [[("ref", "=", "BIGBOX")]])[0]
    office = odoo.execute_kw("res.partner", "create", [{"name": "BigBox Head Office", "parent_id": bigbox,
                                                        "type": "invoice"}])
    data = sample(after="N1*BY*", add="N1*BT*BIGBOX RETAIL STORES*UL*0860001000009~")
    result, _ = await post_file(tmp_path, examples, sandbox, data, {State.QUARANTINED, State.DONE})
    assert result.state is State.DONE, result.last_error
    order = sale_order(sandbox, ["partner_invoice_id", "note"])
    assert order["partner_invoice_id"][0] == office
    assert "bill to" not in order["note"]


@ALL_VERSIONS
async def test_the_incoterm_of_an_850_reaches_the_sale_order(tmp_path: Path, examples: LoadedConfig,
                                                            sandbox: SandboxServer) -> None:
    """FOB*CC*OR**01*FCA*ZZ*LITTLE ROCK AR: the buyer's carrier collects at our dock, Incoterm FCA Little Rock. The
    sale order gets Odoo's FCA Incoterm and its place, which its invoices and their 810 carry."""
    data = sample(after="PER*", add="FOB*CC*OR**01*FCA*ZZ*LITTLE ROCK AR~")
    result, _ = await post_file(tmp_path, examples, sandbox, data, {State.QUARANTINED, State.DONE})
    assert result.state is State.DONE, result.last_error
    order = sale_order(sandbox, ["incoterm", "incoterm_location", "note"])
    assert order["incoterm"][1].endswith("FREE CARRIER") and order["incoterm_location"] == "LITTLE ROCK AR"
    assert "terms of delivery" not in order["note"]


async def test_a_delivery_term_odoo_has_no_incoterm_for_is_noted(tmp_path: Path, examples: LoadedConfig,
                                                                 sandbox: SandboxServer) -> None:
    data = sample(after="PER*", add="FOB*PP*DE**01*DAT~")          # Incoterms 2010's DAT, gone from 2020
    result, _ = await post_file(tmp_path, examples, sandbox, data, {State.QUARANTINED, State.DONE})
    assert result.state is State.DONE, result.last_error
    order = sale_order(sandbox, ["incoterm", "note"])
    assert order["incoterm"] is False
    assert "<p>terms of delivery DAT: Odoo has no Incoterm with that code, so the order has none</p>" in order["note"]


async def test_an_850_without_incoterms_leaves_the_field_to_odoo(tmp_path: Path, examples: LoadedConfig,
                                                                 sandbox: SandboxServer) -> None:
    """FOB01 alone (PP: freight prepaid, no FOB04 01) names no Incoterm: nothing is guessed from it."""
    data = sample(after="PER*", add="FOB*PP~")
    result, _ = await post_file(tmp_path, examples, sandbox, data, {State.QUARANTINED, State.DONE})
    assert result.state is State.DONE, result.last_error
    assert sale_order(sandbox, ["incoterm"])["incoterm"] is False


async def eurohandel_order_with(tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, segments: str) -> Any:
    """EuroHandel's sample ORDERS with `segments` (each ending in its ') after its CUX, posted: the message."""
    text = (SAMPLE.parent.parent / "eurohandel" / "ORDERS_4500012345.edi").read_bytes().decode("latin-1")
    end = text.index("'", text.index("CUX+")) + 1
    text = text[:end] + segments + text[end:]
    count = text[text.index("UNT+") + 4:].split("+")[0]
    text = text.replace(f"UNT+{count}+", f"UNT+{int(count) + segments.count(chr(39))}+", 1)
    pipeline, _ = pipeline_for(tmp_path, examples, sandbox)
    message = await pipeline.submit(text.encode("latin-1"), IntakeMeta(channel="folder", filename="orders.edi",
                                                                       partner="eurohandel"))
    return run(pipeline, message.id, {State.QUARANTINED, State.DONE})


async def test_the_incoterm_of_an_edifact_orders_reaches_the_sale_order(tmp_path: Path, examples: LoadedConfig,
                                                                       sandbox: SandboxServer) -> None:
    """EuroHandel's ORDERS with TOD+6++CIP::9 (delivery condition, Incoterm CIP) after its CUX."""
    result = await eurohandel_order_with(tmp_path, examples, sandbox, "TOD+6++CIP::9'")
    assert result.state is State.DONE, result.last_error
    [order] = odoo_of(sandbox).execute_kw("sale.order", "search_read", [
        [("client_order_ref", "=", "4500012345")], ["incoterm"]])
    assert order["incoterm"][1].endswith("CARRIAGE AND INSURANCE PAID TO")


UBL_ORDER = """<?xml version="1.0" encoding="UTF-8"?>
<Order xmlns="urn:oasis:names:specification:ubl:schema:xsd:Order-2"
 xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
 xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
<cbc:UBLVersionID>2.1</cbc:UBLVersionID><cbc:ID>UBL-TERMS</cbc:ID><cbc:IssueDate>2026-11-28</cbc:IssueDate>
<cbc:DocumentCurrencyCode>USD</cbc:DocumentCurrencyCode>
<cac:BuyerCustomerParty><cac:Party><cbc:EndpointID schemeID="GLN">0860001000009</cbc:EndpointID>
<cac:PartyName><cbc:Name>BigBox Retail</cbc:Name></cac:PartyName></cac:Party></cac:BuyerCustomerParty>
<cac:SellerSupplierParty><cac:Party><cac:PartyName><cbc:Name>Us</cbc:Name></cac:PartyName></cac:Party>
</cac:SellerSupplierParty>
<cac:Delivery><cac:DeliveryLocation><cbc:ID schemeID="GLN">0860001000023</cbc:ID></cac:DeliveryLocation>
</cac:Delivery>
<cac:DeliveryTerms><cbc:ID>DAP</cbc:ID><cac:DeliveryLocation><cbc:Description>Bentonville AR</cbc:Description>
</cac:DeliveryLocation></cac:DeliveryTerms>
<cac:OrderLine><cac:LineItem><cbc:ID>1</cbc:ID><cbc:Quantity unitCode="C62">24</cbc:Quantity>
<cac:Price><cbc:PriceAmount currencyID="USD">12.50</cbc:PriceAmount></cac:Price>
<cac:Item><cac:SellersItemIdentification><cbc:ID>WB-100</cbc:ID></cac:SellersItemIdentification></cac:Item>
</cac:LineItem></cac:OrderLine></Order>"""


def test_the_incoterm_of_a_ubl_order_reaches_the_sale_order(client: OdooClient) -> None:
    """Peppol's DeliveryTerms/ID (DAP) and the place its DeliveryLocation describes."""
    [tx] = parse(UBL_ORDER.encode()).transactions
    [doc] = translate(tx, None, base_profiles(), profile="ubl-2.1-order")
    assert isinstance(doc, PurchaseOrder)
    post(client, doc, bigbox(), Cache())
    [order] = client.search_read("sale.order", [("client_order_ref", "=", "UBL-TERMS")],
                                 ["incoterm", "incoterm_location"])
    assert order["incoterm"][1].endswith("DELIVERED AT PLACE") and order["incoterm_location"] == "Bentonville AR"


def oregon_exempt(odoo: odoorpc.ODOO) -> tuple[int, int]:
    """An Oregon state (US) and a fiscal position applied automatically to addresses there that maps the 15 % sales
    tax to none (Oregon has no sales tax); Blue Widget is taxed 15 %. Returns (fiscal position, tax)."""
    [us] = odoo.execute_kw("res.country", "search", [[("code", "=", "US")]])
    oregon = odoo.execute_kw("res.country.state", "create", [{"name": "Oregon", "code": "OR", "country_id": us}])
    [tax] = odoo.execute_kw("account.tax", "search", [[("name", "=", "Tax 15%")]])
    [widget] = odoo.execute_kw("product.product", "search", [[("default_code", "=", "WB-100")]])
    odoo.execute_kw("product.product", "write", [[widget], {"taxes_id": [[6, 0, [tax]]]}])
    position = odoo.execute_kw("account.fiscal.position", "create", [{
        "name": "Oregon (no sales tax)", "auto_apply": True, "country_id": us, "state_ids": [[6, 0, [oregon]]],
        "tax_ids": [[0, 0, {"tax_src_id": tax, "tax_dest_id": False}]]}])
    return position, tax


@ALL_VERSIONS
@pytest.mark.parametrize("n4", ["N4*PORTLAND*OR*97209", "N4*PORTLAND*OR*97209*US", "N4*PORTLAND*OR*97209*USA"],
                         ids=["no-country", "alpha-2", "alpha-3"])
def test_a_ship_to_made_in_another_state_gets_its_fiscal_position_and_taxes(client: OdooClient,
                                                                          odoo: odoorpc.ODOO, n4: str) -> None:
    """A new BigBox store in Portland, OR (N4 without a country, as US retailers send it) is made as a delivery
    contact with its state, so Odoo applies Oregon's fiscal position and the widget line carries no sales tax.
    It was made without state or country: the order had no fiscal position and charged the 15 %. N404 USA (how
    many partners write it, alpha-3) found no country, so the store was made without state or country too."""
    position, _ = oregon_exempt(odoo)
    doc = read_x12(["ST*850*0001", "BEG*00*SA*PO-OR-1**20261127", "N1*ST*BIGBOX STORE 0311*92*0311",
                    "N3*1200 NW COUCH ST", n4, "PO1*1*24*EA*12.50**BP*BB-1001"])
    post(client, doc, bigbox(create_ship_to=True), Cache())
    [order] = client.search_read("sale.order", [("client_order_ref", "=", "PO-OR-1")],
                                 ["fiscal_position_id", "partner_shipping_id", "order_line"])
    [store] = client.read("res.partner", [order["partner_shipping_id"][0]], ["state_id", "country_id", "name"])
    assert (store["name"], store["state_id"][1], store["country_id"][1]) == ("BIGBOX STORE 0311", "Oregon",
                                                                            "United States")
    assert order["fiscal_position_id"][0] == position
    taxes = "tax_ids" if "tax_ids" in client.fields("sale.order.line") else "tax_id"
    assert [line[taxes] for line in client.read("sale.order.line", order["order_line"], [taxes])] == [[]]


def test_a_replacement_moving_the_order_to_another_state_retaxes_its_lines(client: OdooClient,
                                                                            odoo: odoorpc.ODOO) -> None:
    position, tax = oregon_exempt(odoo)
    [bigbox_id] = odoo.execute_kw("res.partner", "search", [[("ref", "=", "BIGBOX")]])
    [oregon] = odoo.execute_kw("res.country.state", "search", [[("code", "=", "OR")]])
    [us] = odoo.execute_kw("res.country", "search", [[("code", "=", "US")]])
    odoo.execute_kw("res.partner", "create", [{"name": "BIGBOX STORE 0311", "parent_id": bigbox_id, "type": "delivery",
                                               "ref": "0311", "state_id": oregon, "country_id": us}])
    body = ["N1*ST*BIGBOX DC 1*UL*0860001000023", "PO1*1*24*EA*12.50**BP*BB-1001"]
    post(client, read_x12(["ST*850*0001", "BEG*00*SA*PO-OR-2**20261127", *body]), bigbox(), Cache())
    post(client, read_x12(["ST*850*0001", "BEG*05*SA*PO-OR-2**20261127", "N1*ST*BIGBOX STORE 0311*92*0311",
                           "PO1*1*24*EA*12.50**BP*BB-1001"]), bigbox(), Cache())
    [order] = client.search_read("sale.order", [("client_order_ref", "=", "PO-OR-2")],
                                 ["fiscal_position_id", "order_line"])
    assert order["fiscal_position_id"][0] == position
    taxes = "tax_ids" if "tax_ids" in client.fields("sale.order.line") else "tax_id"
    assert [line[taxes] for line in client.read("sale.order.line", order["order_line"], [taxes])] == [[]], tax


@ALL_VERSIONS
async def test_an_850_whose_terms_match_the_customers_is_not_flagged(tmp_path: Path, examples: LoadedConfig,
                                                                    sandbox: SandboxServer) -> None:
    """BigBox's sample (ITD 2% 30 NET 45) against its Odoo terms "2% 30, Net 45": the order takes them, no flag."""
    result, _ = await post_file(tmp_path, examples, sandbox, SAMPLE.read_bytes(), {State.QUARANTINED, State.DONE})
    assert result.state is State.DONE, result.last_error
    order = sale_order(sandbox, ["payment_term_id", "tag_ids", "note"])
    assert order["payment_term_id"][1] == "2% 30, Net 45"
    assert "EDI payment terms" not in order["note"] and order["tag_ids"] == []


@ALL_VERSIONS
async def test_an_850_on_other_terms_than_the_customers_is_flagged(tmp_path: Path, examples: LoadedConfig,
                                                                  sandbox: SandboxServer) -> None:
    """The buyer's 850 says net 60 where BigBox's terms in Odoo are 2 % within 30 days, net 45: the sale order keeps
    Odoo's terms (its invoices follow them) and is tagged, its note naming both, before an invoice goes out due
    two weeks before the retailer means to pay it."""
    data = sample(after="BEG*", replace=("ITD*01*3*2**30**45*****2% 30 NET 45", "ITD*01*3*****60*****NET 60"))
    result, _ = await post_file(tmp_path, examples, sandbox, data, {State.QUARANTINED, State.DONE})
    assert result.state is State.DONE, result.last_error
    order = sale_order(sandbox, ["payment_term_id", "tag_ids", "note"])
    assert order["payment_term_id"][1] == "2% 30, Net 45"
    tags = odoo_of(sandbox).execute_kw("crm.tag", "read", [order["tag_ids"], ["name"]])
    assert [t["name"] for t in tags] == ["EDI terms mismatch"]
    assert ("<p>EDI payment terms: the order says NET 60 (net 60 days); BigBox Retail&#x27;s payment terms in Odoo, "
            "2% 30, Net 45, are 2% within 30 days, net 45 days; the order keeps Odoo&#x27;s</p>") in order["note"]


@ALL_VERSIONS
async def test_an_850_with_terms_for_a_customer_without_any_is_flagged(tmp_path: Path, examples: LoadedConfig,
                                                                      sandbox: SandboxServer) -> None:
    odoo = odoo_of(sandbox)
    bigbox_id = odoo.execute_kw("res.partner", "search", [[("ref", "=", "BIGBOX")]])
    odoo.execute_kw("res.partner", "write", [bigbox_id, {"property_payment_term_id": False}])
    result, _ = await post_file(tmp_path, examples, sandbox, SAMPLE.read_bytes(), {State.QUARANTINED, State.DONE})
    assert result.state is State.DONE, result.last_error
    order = sale_order(sandbox, ["payment_term_id", "note"])
    assert order["payment_term_id"] is False
    assert ("EDI payment terms: the order says 2% 30 NET 45 (2% within 30 days, net 45 days); BigBox Retail has no "
            "payment terms in Odoo, so its invoices are due on their date") in order["note"]


async def test_the_end_of_an_850s_ship_window_is_in_the_note(tmp_path: Path, examples: LoadedConfig,
                                                            sandbox: SandboxServer) -> None:
    """DTM*038 (ship no later) and DTM*001 (cancel after), a US retailer's ship window: Odoo keeps one delivery date
    (DTM*002 here), so the window's end is said in the note for the people shipping it; it was lost."""
    data = sample(after="DTM*002*", add="DTM*038*20261210~DTM*001*20261215~")
    result, _ = await post_file(tmp_path, examples, sandbox, data, {State.QUARANTINED, State.DONE})
    assert result.state is State.DONE, result.last_error
    order = sale_order(sandbox, ["note", "commitment_date"])
    assert order["commitment_date"] == "2026-12-08 12:00:00"
    assert "<p>ship no later than 2026-12-10</p><p>cancel after 2026-12-15</p>" in order["note"]


async def test_an_orders_delivery_window_gives_the_commitment_date_and_its_end_the_note(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer) -> None:
    """EuroHandel's ORDERS asking for delivery between 5 and 6 December (DTM+64, DTM+63) instead of on a day
    (DTM+2): the order had no delivery date at all; it is the window's first day, its last in the note."""
    text = (SAMPLE.parent.parent / "eurohandel" / "ORDERS_4500012345.edi").read_bytes().decode("latin-1")
    text = text.replace("DTM+2:202612031000:203'", "DTM+64:20261205:102'DTM+63:20261206:102'")
    count = text[text.index("UNT+") + 4:].split("+")[0]
    text = text.replace(f"UNT+{count}+", f"UNT+{int(count) + 1}+", 1)
    pipeline, _ = pipeline_for(tmp_path, examples, sandbox)
    message = await pipeline.submit(text.encode("latin-1"), IntakeMeta(channel="folder", filename="orders.edi",
                                                                       partner="eurohandel"))
    result = run(pipeline, message.id, {State.QUARANTINED, State.DONE})
    assert result.state is State.DONE, result.last_error
    [order] = odoo_of(sandbox).execute_kw("sale.order", "search_read", [
        [("client_order_ref", "=", "4500012345")], ["commitment_date", "note"]])
    assert order["commitment_date"] == "2026-12-05 12:00:00"
    assert "<p>deliver no later than 2026-12-06</p>" in order["note"]


def test_an_order_made_by_the_previous_release_is_still_known_by_its_content_mark() -> None:
    """The note of BigBox's sample order, made by the release before the ITD figures and terms of delivery were read,
    holds [content 691c7446377b1c81] (909832e). A resend of that 850 under a new ISA13 is found by that mark whatever
    people changed on the order since; had the new fields counted, it would have been compared instead, and with
    odoo.order_changes: revise, replaced, undoing their changes."""
    [tx] = x12.parse(SAMPLE.read_bytes()).transactions
    [doc] = translate(tx, None, base_profiles())
    assert isinstance(doc, PurchaseOrder) and doc.terms_net_days == 45
    assert content_mark(doc) == "[content 691c7446377b1c81]"


async def test_a_bill_to_naming_the_customer_by_its_name_is_no_news(tmp_path: Path, examples: LoadedConfig,
                                                                   sandbox: SandboxServer) -> None:
    """N1*BT*BigBox Retail with no id: the customer itself, as Odoo names it; no note says it is unknown."""
    data = sample(after="N1*BY*", add="N1*BT*BIGBOX RETAIL~")
    result, _ = await post_file(tmp_path, examples, sandbox, data, {State.QUARANTINED, State.DONE})
    assert result.state is State.DONE, result.last_error
    order = sale_order(sandbox, ["partner_invoice_id", "partner_id", "note"])
    assert order["partner_invoice_id"][0] == order["partner_id"][0] and "bill to" not in order["note"]


async def test_an_orders_on_other_payment_terms_than_the_customers_is_flagged(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer) -> None:
    """EuroHandel's ORDERS says 3 % within 10 days, net 60 (PAT+22 with PCD+12, PAT+1, days after the invoice date)
    where its terms in Odoo are 30 days net."""
    odoo = odoo_of(sandbox)
    days = "nb_days" if sandbox.version >= 17 else "days"
    term = odoo.execute_kw("account.payment.term", "create", [{
        "name": "30 Days", "line_ids": [[0, 0, {"value": "percent", "value_amount": 100.0, days: 30}]]}])
    customer = odoo.execute_kw("res.partner", "search", [[("ref", "=", "EUROHANDEL")]])
    odoo.execute_kw("res.partner", "write", [customer, {"property_payment_term_id": term}])
    result = await eurohandel_order_with(tmp_path, examples, sandbox, "PAT+1++5:3:D:60'PAT+22++5:3:D:10'PCD+12:3'")
    assert result.state is State.DONE, result.last_error
    [order] = odoo.execute_kw("sale.order", "search_read", [
        [("client_order_ref", "=", "4500012345")], ["payment_term_id", "note"]])
    assert order["payment_term_id"][0] == term
    assert ("EDI payment terms: the order says 3% within 10 days, net 60 days; EuroHandel GmbH&#x27;s payment terms "
            "in Odoo, 30 Days, are net 30 days; the order keeps Odoo&#x27;s") in order["note"]


def test_a_cxml_order_on_other_payment_terms_than_the_customers_is_flagged(client: OdooClient,
                                                                           odoo: odoorpc.ODOO) -> None:
    """A cXML OrderRequest's PaymentTerm tiers (net 60, and 2 % within 10 days) against BigBox's 2% 30, Net 45."""
    text = cxml_text("CX-TERMS", "new", "terms-1", [("1", "WB-100", 24, None)]).decode().replace(
        "</OrderRequestHeader>", '<PaymentTerm payInNumberOfDays="10"><Discount><DiscountPercent percent="2"/>'
        '</Discount></PaymentTerm><PaymentTerm payInNumberOfDays="60"/></OrderRequestHeader>')
    [tx] = parse(text.encode()).transactions
    [doc] = translate(tx, None, base_profiles(), profile="cxml-orderrequest")
    assert isinstance(doc, PurchaseOrder)
    post(client, doc, bigbox(), Cache())
    [order] = client.search_read("sale.order", [("client_order_ref", "=", "CX-TERMS")], ["note", "payment_term_id"])
    assert order["payment_term_id"][1] == "2% 30, Net 45"
    assert ("EDI payment terms: the order says 2% within 10 days, net 60 days; BigBox Retail&#x27;s payment terms in "
            "Odoo, 2% 30, Net 45, are 2% within 30 days, net 45 days") in order["note"]


async def test_the_orders_salesperson_is_the_customers(tmp_path: Path, examples: LoadedConfig,
                                                       sandbox: SandboxServer) -> None:
    """The gateway sets no salesperson: Odoo gives the order the customer's (its Salesperson), as it would a
    quotation typed in; without one, the API user. So EDI orders land with the account's manager."""
    odoo = odoo_of(sandbox)
    seller = odoo.execute_kw("res.users", "create", [{
        "login": "sam", "partner_id": odoo.execute_kw("res.partner", "create", [{"name": "Sam Seller"}])}])
    bigbox_id = odoo.execute_kw("res.partner", "search", [[("ref", "=", "BIGBOX")]])
    odoo.execute_kw("res.partner", "write", [bigbox_id, {"user_id": seller}])
    result, _ = await post_file(tmp_path, examples, sandbox, SAMPLE.read_bytes(), {State.QUARANTINED, State.DONE})
    assert result.state is State.DONE, result.last_error
    assert sale_order(sandbox, ["user_id"])["user_id"][0] == seller


@ALL_VERSIONS
def test_an_860_moving_the_order_to_another_state_retaxes_its_kept_lines(client: OdooClient,
                                                                         odoo: odoorpc.ODOO) -> None:
    """An 860 of the header alone that sends the order to the Oregon store: Odoo gives the quotation Oregon's fiscal
    position but leaves its widget line taxed 15 % as for the DC; the gateway updates the taxes as the form's
    button would, so the line the change kept carries none."""
    position, _ = oregon_exempt(odoo)
    [bigbox_id] = odoo.execute_kw("res.partner", "search", [[("ref", "=", "BIGBOX")]])
    [oregon] = odoo.execute_kw("res.country.state", "search", [[("code", "=", "OR")]])
    [us] = odoo.execute_kw("res.country", "search", [[("code", "=", "US")]])
    odoo.execute_kw("res.partner", "create", [{"name": "BIGBOX STORE 0311", "parent_id": bigbox_id, "type": "delivery",
                                               "ref": "0311", "state_id": oregon, "country_id": us}])
    post(client, read_x12(["ST*850*0001", "BEG*00*SA*PO-OR-3**20261127", "N1*ST*BIGBOX DC 1*UL*0860001000023",
                           "PO1*1*24*EA*12.50**BP*BB-1001"]), bigbox(), Cache())
    post(client, read_x12(["ST*860*0001", "BCH*04*SA*PO-OR-3**1*20261128", "N1*ST*BIGBOX STORE 0311*92*0311"]),
         bigbox(order_changes="revise"), Cache())
    [order] = client.search_read("sale.order", [("client_order_ref", "=", "PO-OR-3")],
                                 ["fiscal_position_id", "order_line", "partner_shipping_id"])
    assert order["partner_shipping_id"][1].endswith("BIGBOX STORE 0311")
    assert order["fiscal_position_id"][0] == position
    taxes = "tax_ids" if "tax_ids" in client.fields("sale.order.line") else "tax_id"
    assert [line[taxes] for line in client.read("sale.order.line", order["order_line"], [taxes])] == [[]]


@ALL_VERSIONS
async def test_an_850_giving_its_discount_by_due_date_is_compared_by_its_percent(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer) -> None:
    """ITD*01*3*2*<date>**...*45: the 2 % early discount given by its due date (ITD04) instead of its days (ITD05),
    as some retailers' translators write it, against BigBox's "2% 30, Net 45". Its days were read as 0, so every
    such order was tagged 'EDI terms mismatch' ("2% within 0 days") though the terms are Odoo's: the percent and the
    net days agree, and a due date is not compared (it moves with each order)."""
    data = sample(after="BEG*", replace=("ITD*01*3*2**30**45*****2% 30 NET 45",
                                         "ITD*01*3*2*20261230***45*****2% 30 NET 45"))
    result, _ = await post_file(tmp_path, examples, sandbox, data, {State.QUARANTINED, State.DONE})
    assert result.state is State.DONE, result.last_error
    order = sale_order(sandbox, ["tag_ids", "note"])
    assert "EDI payment terms" not in order["note"] and order["tag_ids"] == []


@ALL_VERSIONS
async def test_an_850_giving_another_discount_by_due_date_is_flagged_without_made_up_days(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer) -> None:
    """A 3 % discount by due date against Odoo's 2 %: flagged, and the note says what the order says (3 %), not
    '3% within 0 days'."""
    data = sample(after="BEG*", replace=("ITD*01*3*2**30**45*****2% 30 NET 45", "ITD*01*3*3*20261230***45"))
    result, _ = await post_file(tmp_path, examples, sandbox, data, {State.QUARANTINED, State.DONE})
    assert result.state is State.DONE, result.last_error
    order = sale_order(sandbox, ["tag_ids", "note"])
    assert len(order["tag_ids"]) == 1
    assert ("EDI payment terms: the order says 01 (3%, net 45 days); BigBox Retail&#x27;s payment terms in Odoo, "
            "2% 30, Net 45, are 2% within 30 days, net 45 days; the order keeps Odoo&#x27;s") in order["note"]


@pytest.mark.parametrize("bill_to", ["N1*BT*BIGBOX RETAIL*92*0253~", "N1*BT*BigBox Retail*UL*0860001000085~"],
                         ids=["buyer-code", "gln"])
async def test_a_bill_to_naming_the_customer_with_a_code_odoo_lacks_is_no_news(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, bill_to: str) -> None:
    """The retailer naming itself as the bill-to with its own code for its payables office (the corpus's
    N1*BT*LAMPS PLUS*92*0253), or a GLN nobody typed into Odoo: the customer, invoiced at Odoo's invoice address, as
    the same N1*BT without a code is. Every such order's note said its bill-to was not an address of the customer."""
    data = sample(after="N1*BY*", add=bill_to)
    result, _ = await post_file(tmp_path, examples, sandbox, data, {State.QUARANTINED, State.DONE})
    assert result.state is State.DONE, result.last_error
    order = sale_order(sandbox, ["partner_invoice_id", "partner_id", "note"])
    assert order["partner_invoice_id"][0] == order["partner_id"][0] and "bill to" not in order["note"]
