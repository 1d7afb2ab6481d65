"""Odd but real Odoo data on the outbound path: extracted from the sandbox, rendered with the example partners'
profiles, validated as the partner will and read back to the same figures."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.formats import parse
from gateway.odoo.client import OdooClient
from gateway.odoo.extract.invoices import extract_invoices
from gateway.odoo.extract.ship_notices import extract_ship_notices
from gateway.odoo.posting import Cache, post
from gateway.odoo.sandbox import SandboxServer
from gateway.odoo.sandbox.models import package_model
from gateway.translate import render, translate
from gateway.translate.canonical import Document, Invoice, Line, Party, PurchaseOrder, ShipNotice, Source
from tests.helpers.examples import loaded_examples

EXAMPLES = Path(__file__).resolve().parents[2] / "gateway" / "examples"
BIGBOX_DC = Party(role="ship_to", name="BigBox DC 1", ids={"gln": "0860001000023"})


@pytest.fixture(scope="module")
def examples() -> LoadedConfig:
    return loaded_examples()


def ordered(examples: LoadedConfig, client: OdooClient, partner_id: str, number: str, ship_to: Party,
            lines: list[Line]) -> int:
    """The partner's order posted and confirmed in Odoo; returns the sale order id."""
    partner = examples.partners[partner_id].model_copy(deep=True)
    partner.odoo = partner.odoo.model_copy(update={"confirm_orders": True, "price_policy": "odoo"})
    doc = PurchaseOrder(number=number, parties=[ship_to], lines=lines,
                        source=Source(standard_type="850", message_id="01ODDODOO"))
    return post(client, doc, partner, Cache())[0].record_id


def line(number: str, ids: dict[str, str], quantity: int, unit: str = "EA") -> Line:
    return Line(line_no=number, item_ids=ids, quantity=Decimal(quantity), unit=unit)


def pack_and_ship(odoo: odoorpc.ODOO, order_id: int, packages: list[str | None], weight: float = 0.0) -> int:
    """The warehouse puts the n-th move line into the n-th package (None: not packed) and validates."""
    [pick] = odoo.execute_kw("sale.order", "read", [[order_id], ["picking_ids"]])[0]["picking_ids"]
    lines = odoo.execute_kw("stock.move.line", "search", [[("picking_id", "=", pick)]])
    model = package_model(int(odoo.version.split(".")[0]))
    for line_id, name in zip(lines, packages, strict=False):
        if name:
            found = odoo.execute_kw(model, "search", [[("name", "=", name)]])
            package = found[0] if found else odoo.execute_kw(model, "create", [{"name": name}])
            odoo.execute_kw("stock.move.line", "write", [[line_id], {"result_package_id": package}])
    if weight:
        odoo.execute_kw("stock.picking", "write", [[pick], {"weight": weight}])
    odoo.execute_kw("stock.picking", "button_validate", [[pick]], {"context": {"skip_backorder": True}})
    return int(pick)


def rendered_and_read_back(examples: LoadedConfig, journal: Any, partner_id: str, doc: Document,
                           doc_type: str) -> tuple[bytes, Document]:
    """`doc` rendered for the partner (validated: render refuses what breaks the standard) and read back."""
    partner = examples.partners[partner_id]
    out = render(doc, partner, examples.profiles, journal, doc_type, our_ids=examples.gateway.our_ids)
    result = parse(out.data)
    assert [str(i) for i in result.errors] == []
    profile = next(d.profile for d in partner.documents if d.type == doc_type)
    [back] = [d for tx in result.transactions for d in translate(tx, partner, examples.profiles, profile=profile)]
    return out.data, back


@pytest.mark.parametrize("sandbox", [18], indirect=True, ids=["odoo18"])
def test_cartons_without_a_weight_render_a_valid_td1(sandbox: SandboxServer, client: OdooClient,
                                                     odoo: odoorpc.ODOO, journal: Any,
                                                     examples: LoadedConfig) -> None:
    """Products without a weight (Odoo's default) leave the picking's weight 0: the 856's TD1 then says the
    carton count without TD106 'G', which X12 allows only together with TD107 (C0607); with a weight it has both."""
    order_id = ordered(examples, client, "bigbox", "PO-TD1", BIGBOX_DC,
                       [line("1", {"buyer": "BB-1001"}, 24), line("2", {"buyer": "BB-1002"}, 6)])
    pack_and_ship(odoo, order_id, ["006141410000123452", "006141410000123469"])
    [asn] = extract_ship_notices(client, examples.partners["bigbox"], journal)
    assert asn.gross_weight is None and asn.package_count == 2
    data, back = rendered_and_read_back(examples, journal, "bigbox", asn, "856")
    assert "TD1*CTN25*2~" in data.decode()
    assert back.package_count == 2 and back.gross_weight is None
    weighed = asn.model_copy(update={"gross_weight": Decimal("12.5"), "weight_unit": "KGM"})
    data, back = rendered_and_read_back(examples, journal, "bigbox", weighed, "856")
    assert "TD1*CTN25*2****G*12.5*KG~" in data.decode() and back.gross_weight == Decimal("12.5")


def invoiced(odoo: odoorpc.ODOO, order_id: int, changes: list[dict[str, Any]] | None = None) -> int:
    """The order delivered and invoiced; `changes[i]` written on the invoice's i-th product line before posting
    (a discount, other taxes), as accounting does on the draft."""
    pack_and_ship(odoo, order_id, [])
    wizard = odoo.execute_kw("sale.advance.payment.inv", "create", [{"advance_payment_method": "delivered"}],
                             {"context": {"active_model": "sale.order", "active_ids": [order_id]}})
    odoo.execute_kw("sale.advance.payment.inv", "create_invoices", [[wizard]])
    move = odoo.execute_kw("sale.order", "read", [[order_id], ["invoice_ids"]])[0]["invoice_ids"][-1]
    lines = odoo.execute_kw("account.move.line", "search", [[("move_id", "=", move), ("display_type", "=", "product")]],
                            {"order": "sequence, id"})
    for line_id, vals in zip(lines, changes or [], strict=False):
        odoo.execute_kw("account.move.line", "write", [[line_id], vals])
    odoo.execute_kw("account.move", "action_post", [[move]])
    return int(move)


def tax(odoo: odoorpc.ODOO, name: str, amount: float, amount_type: str = "percent") -> int:
    found = odoo.execute_kw("account.tax", "search", [[("name", "=", name)]])
    return int(found[0]) if found else int(odoo.execute_kw("account.tax", "create", [{
        "name": name, "amount": amount, "amount_type": amount_type, "type_tax_use": "sale"}]))


def odoo_totals(odoo: odoorpc.ODOO, move: int) -> tuple[Decimal, Decimal, Decimal]:
    [row] = odoo.execute_kw("account.move", "read", [[move], ["amount_untaxed", "amount_tax", "amount_total"]])
    return tuple(Decimal(str(row[f])) for f in ("amount_untaxed", "amount_tax", "amount_total"))  # type: ignore[return-value]


@pytest.mark.parametrize("sandbox", [18], indirect=True, ids=["odoo18"])
@pytest.mark.parametrize("partner_id", ["bigbox", "northwind"])
def test_an_810_with_taxes_on_its_lines_keeps_the_it1_loop_order(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, examples: LoadedConfig,
        partner_id: str) -> None:
    """A taxed invoice line carries TXI in its IT1 loop, which comes before PID there (004010 and 005010 810): written
    after PID it broke the 810 ('mandatory segment TDS is missing'), so every taxed invoice was held."""
    ship_to, codes = (BIGBOX_DC, ("BB-1001", "BB-1002")) if partner_id == "bigbox" else (
        Party(role="ship_to", ids={"store": "0042"}), ("NW-A1", "NW-A2"))
    order_id = ordered(examples, client, partner_id, f"{partner_id}-TAX", ship_to,
                       [line("1", {"buyer": codes[0]}, 24), line("2", {"buyer": codes[1]}, 10)])
    sales = tax(odoo, "Tax 15%", 15.0)
    move = invoiced(odoo, order_id, [{"tax_ids": [(6, 0, [sales])]}, {"tax_ids": [(6, 0, [sales])]}])
    [doc] = extract_invoices(client, examples.partners[partner_id], journal)
    data, back = rendered_and_read_back(examples, journal, partner_id, doc, "810")
    segments = data.decode().replace("\n", "").split("~")
    at = next(i for i, s in enumerate(segments) if s.startswith("IT1*1*"))
    assert [s.split("*")[0] for s in segments[at:at + 3]] == ["IT1", "TXI", "PID"]
    assert isinstance(back, Invoice) and back.check() == []
    assert [[t.amount for t in ln.taxes] for ln in back.lines] == [[t.amount for t in ln.taxes] for ln in doc.lines]
    assert back.totals.total_amount == odoo_totals(odoo, move)[2]


@pytest.mark.parametrize("sandbox", [17], indirect=True, ids=["odoo17"])
def test_invoice_taxes_are_rounded_half_up_and_add_up_to_odoos_tax(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, examples: LoadedConfig) -> None:
    """Odoo rounds each line's tax half up (87.50 x 15 % = 13.125 -> 13.13) and its tax total adds those: the
    INVOIC's TAX/MOA 124 amounts were rounded half to even (13.12) and added up to a cent less than MOA 176.
    A fixed tax (an amount per unit, say a recycling fee) was left out of the tax amounts altogether."""
    order_id = ordered(examples, client, "eurohandel", "EH-TAX", Party(role="ship_to", ids={"gln": "4012345000016"}),
                       [line("1", {"gtin": "00614141000029"}, 10), line("2", {"gtin": "00614141000012"}, 3)])
    vat, fee = tax(odoo, "Tax 15%", 15.0), tax(odoo, "Recycling fee", 0.25, "fixed")
    move = invoiced(odoo, order_id, [{"tax_ids": [(6, 0, [vat])]}, {"tax_ids": [(6, 0, [vat, fee])]}])
    untaxed, tax_amount, total = odoo_totals(odoo, move)
    assert tax_amount == Decimal("19.51")                         # 13.13 + 5.63 (37.50 x 15 %) + 0.75
    [doc] = extract_invoices(client, examples.partners["eurohandel"], journal)
    assert [[t.amount for t in ln.taxes] for ln in doc.lines] == [[Decimal("13.13")],
                                                                   [Decimal("5.63"), Decimal("0.75")]]
    assert sum(t.amount or 0 for t in doc.taxes) == tax_amount == doc.totals.tax_amount
    assert doc.check() == []
    _, back = rendered_and_read_back(examples, journal, "eurohandel", doc, "INVOIC")
    assert isinstance(back, Invoice) and back.check() == []
    assert sum(t.amount or 0 for t in back.taxes) == back.totals.tax_amount == tax_amount
    assert (back.totals.lines_amount, back.totals.total_amount) == (untaxed, total)


@pytest.mark.parametrize("sandbox", [19], indirect=True, ids=["odoo19"])
@pytest.mark.parametrize(("partner_id", "doc_type"), [("bigbox", "810"), ("eurohandel", "INVOIC")])
def test_a_discounted_invoice_line_is_priced_net(sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO,
                                                 journal: Any, examples: LoadedConfig, partner_id: str,
                                                 doc_type: str) -> None:
    """Odoo keeps a discounted line's price before the discount (price_unit 12.50, discount 10 %, subtotal 270):
    sent as the unit price, the partner's quantity x price (300) disagreed with the line amount and the total."""
    ship_to, ids = (BIGBOX_DC, {"buyer": "BB-1001"}) if partner_id == "bigbox" else (
        Party(role="ship_to", ids={"gln": "4012345000016"}), {"gtin": "00614141000012"})
    order_id = ordered(examples, client, partner_id, f"{partner_id}-DISC", ship_to, [line("1", ids, 24)])
    move = invoiced(odoo, order_id, [{"discount": 10.0}])
    untaxed, _, total = odoo_totals(odoo, move)
    [doc] = extract_invoices(client, examples.partners[partner_id], journal)
    [first] = doc.lines
    assert (first.quantity, first.unit_price, first.amount) == (Decimal(24), Decimal("11.25"), Decimal(270))
    assert doc.check() == []
    _, back = rendered_and_read_back(examples, journal, partner_id, doc, doc_type)
    assert isinstance(back, Invoice) and back.check() == []
    assert back.lines[0].unit_price == Decimal("11.25") and back.totals.total_amount == total == untaxed


@pytest.mark.parametrize("sandbox", [17], indirect=True, ids=["odoo17"])
def test_a_desadv_carries_every_line_and_the_packages_ssccs(sandbox: SandboxServer, client: OdooClient,
                                                             odoo: odoorpc.ODOO, journal: Any,
                                                             examples: LoadedConfig) -> None:
    """A delivery with one line in a package and one not packed (Odoo lets the warehouse pack some moves only):
    the DESADV wrote only the packed line (LIN sits in CPS groups, which were the packages), and the package's
    SSCC was left out with its PAC group, which had nothing of its own but the default count (Odoo packages have
    no EDIFACT packaging code). Now the package is PAC + PCI + GIN+BJ, the loose line a CPS group of its own."""
    order_id = ordered(examples, client, "eurohandel", "EH-LOOSE", Party(role="ship_to", ids={"gln": "4012345000016"}),
                       [line("1", {"gtin": "00614141000012"}, 10), line("2", {"gtin": "00614141000029"}, 5)])
    pack_and_ship(odoo, order_id, ["006141410000123452", None])
    [asn] = extract_ship_notices(client, examples.partners["eurohandel"], journal)
    assert [len(o.packs) for o in asn.orders] == [1] and [len(o.items) for o in asn.orders] == [1]
    data, back = rendered_and_read_back(examples, journal, "eurohandel", asn, "DESADV")
    text = data.decode("latin-1").replace("\n", "")
    assert "CPS+1'PAC+1'PCI+33E'GIN+BJ+006141410000123452'LIN+1++00614141000012:SRV'" in text
    assert "CPS+2'LIN+2++00614141000029:SRV'" in text and "CNT+2:2'" in text
    assert isinstance(back, ShipNotice)
    assert sorted((i.line_no, i.quantity) for i in back.all_items()) == [("1", 10), ("2", 5)]
    assert [p.sscc for p in back.orders[0].packs] == ["006141410000123452", None]


@pytest.mark.parametrize("sandbox", [19], indirect=True, ids=["odoo19"])
def test_a_csv_shipment_confirmation_lists_packed_lines_too(sandbox: SandboxServer, client: OdooClient,
                                                            odoo: odoorpc.ODOO, journal: Any,
                                                            examples: LoadedConfig) -> None:
    """The CSV confirmation has one row per item of an order and no place for packages: the lines the warehouse
    had put in a package were left out of it, so a fully packed delivery confirmed nothing."""
    shopper = Party(role="ship_to", name="Hans Meier", address={"lines": ["Hauptstr. 1"], "city": "Berlin",
                                                                 "postal_code": "10115", "country": "DE"})
    order_id = ordered(examples, client, "shopmarket", "SM-PACKED", shopper,
                       [line("1", {"vendor": "WB-100"}, 3), line("2", {"vendor": "WR-200"}, 2)])
    pack_and_ship(odoo, order_id, ["PACK0000001", "PACK0000002"])
    [asn] = extract_ship_notices(client, examples.partners["shopmarket"], journal)
    out = render(asn, examples.partners["shopmarket"], examples.profiles, journal, "csv-shipment").data.decode()
    rows = sorted(row.split(";")[:4] for row in out.splitlines()[1:])
    assert rows == [["SM-PACKED", "1", "WB-100", "3"], ["SM-PACKED", "2", "WR-200", "2"]]


@pytest.mark.parametrize("sandbox", [18], indirect=True, ids=["odoo18"])
def test_northwinds_item_numbers_are_qualified_in_inside_packages_too(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, examples: LoadedConfig) -> None:
    """Northwind's item numbers go as LIN*..*IN; its profile said so for items directly under the order only, so a
    delivery Odoo had packed sent them as BP, which Northwind reads as another kind of number (buyer_part)."""
    order_id = ordered(examples, client, "northwind", "NW-PACKED", Party(role="ship_to", ids={"store": "0042"}),
                       [line("1", {"buyer": "NW-A1"}, 10), line("2", {"buyer": "NW-A2"}, 4)])
    pack_and_ship(odoo, order_id, ["006141410000123452", None])
    [asn] = extract_ship_notices(client, examples.partners["northwind"], journal)
    data, back = rendered_and_read_back(examples, journal, "northwind", asn, "856")
    lins = [s for s in data.decode().replace("\n", "").split("~") if s.startswith("LIN*")]
    assert [s.split("*")[2:4] for s in lins] == [["IN", "NW-A1"], ["IN", "NW-A2"]]
    assert isinstance(back, ShipNotice)
    assert sorted(i.item_ids["buyer"] for i in back.all_items()) == ["NW-A1", "NW-A2"]


@pytest.mark.parametrize("sandbox", [17], indirect=True, ids=["odoo17"])
def test_a_package_named_by_odoos_sequence_is_no_sscc(sandbox: SandboxServer, client: OdooClient,
                                                     odoo: odoorpc.ODOO, journal: Any,
                                                     examples: LoadedConfig) -> None:
    """Odoo names a package PACK0000001 unless the warehouse labels it with an SSCC: that name went out as the
    SSCC (MAN*GM*PACK0000001), which no scanner matches. BigBox's profile gives such a package one of our SSCCs;
    a package named with an SSCC (as labelled, or scanned with its AI 00) keeps it."""
    order_id = ordered(examples, client, "bigbox", "PO-PACKNAME", BIGBOX_DC,
                       [line("1", {"buyer": "BB-1001"}, 24), line("2", {"buyer": "BB-1002"}, 6)])
    pack_and_ship(odoo, order_id, ["PACK0000001", "00006141410000123452"])
    [asn] = extract_ship_notices(client, examples.partners["bigbox"], journal)
    assert [p.sscc for p in asn.orders[0].packs] == [None, "006141410000123452"]
    data, back = rendered_and_read_back(examples, journal, "bigbox", asn, "856")
    ssccs = [s.split("*")[2] for s in data.decode().replace("\n", "").split("~") if s.startswith("MAN*GM*")]
    assert ssccs[1] == "006141410000123452" and ssccs[0].startswith("00614141") and len(ssccs[0]) == 18
    assert isinstance(back, ShipNotice) and [p.sscc for p in back.orders[0].packs] == ssccs


@pytest.mark.parametrize("sandbox", [18], indirect=True, ids=["odoo18"])
def test_a_credit_note_without_a_delivery_address_is_extracted(sandbox: SandboxServer, client: OdooClient,
                                                                odoo: odoorpc.ODOO, journal: Any,
                                                                examples: LoadedConfig) -> None:
    """A credit note typed in Accounting whose Delivery Address was cleared: the contacts to read included id 0
    (`a | b - {0}` takes 0 out of b only), Odoo answered MissingError, and no invoice of the partner went out."""
    customer = odoo.execute_kw("res.partner", "search", [[("ref", "=", "EUROHANDEL")]])[0]
    product = odoo.execute_kw("product.product", "search", [[("default_code", "=", "WB-100")]])[0]
    move = odoo.execute_kw("account.move", "create", [{
        "move_type": "out_refund", "partner_id": customer, "partner_shipping_id": False, "ref": "RMA-7",
        "invoice_line_ids": [(0, 0, {"product_id": product, "quantity": 2, "price_unit": 12.5})]}])
    odoo.execute_kw("account.move", "action_post", [[move]])
    [doc] = extract_invoices(client, examples.partners["eurohandel"], journal)
    assert doc.invoice_type == "credit_note" and doc.party("ship_to") is None and doc.po_number == "RMA-7"
    _, back = rendered_and_read_back(examples, journal, "eurohandel", doc, "INVOIC")
    assert isinstance(back, Invoice) and back.invoice_type == "credit_note"
    assert back.totals.total_amount == Decimal(25) and back.check() == []


@pytest.mark.parametrize("sandbox", [18], indirect=True, ids=["odoo18"])
@pytest.mark.parametrize(("partner_id", "doc_type", "expected"), [
    ("bigbox", "856", "TD5*B***M*UPS Ground~"), ("northwind", "856", "TD5*B***M*UPS Ground~"),
    ("eurohandel", "DESADV", "TDT+20++30++:::UPS Ground'")])
def test_a_delivery_with_a_carrier_goes_out(sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO,
                                            journal: Any, examples: LoadedConfig, partner_id: str, doc_type: str,
                                            expected: str) -> None:
    """Odoo's Delivery app gives a picking its carrier by name (delivery.carrier has no SCAC): the 856 wrote
    TD502 '2' (SCAC follows) with no TD503, which X12 forbids, so the ASN of every delivery with a carrier was
    held. The name goes in TD505 (routing) alone; the DESADV's TDT carries it in C040's 3128."""
    ship_to = {"bigbox": BIGBOX_DC, "northwind": Party(role="ship_to", ids={"store": "0042"}),
               "eurohandel": Party(role="ship_to", ids={"gln": "4012345000016"})}[partner_id]
    ids = {"bigbox": {"buyer": "BB-1001"}, "northwind": {"buyer": "NW-A1"},
           "eurohandel": {"gtin": "00614141000012"}}[partner_id]
    order_id = ordered(examples, client, partner_id, f"PO-CARRIER-{partner_id}", ship_to, [line("1", ids, 6)])
    [ups] = odoo.execute_kw("delivery.carrier", "search", [[("name", "=", "UPS Ground")]])
    [pick] = odoo.execute_kw("sale.order", "read", [[order_id], ["picking_ids"]])[0]["picking_ids"]
    odoo.execute_kw("stock.picking", "write", [[pick], {"carrier_id": ups}])
    pack_and_ship(odoo, order_id, ["006141410000123476"])
    [asn] = extract_ship_notices(client, examples.partners[partner_id], journal)
    assert asn.carrier_name == "UPS Ground" and asn.carrier_scac is None
    data, back = rendered_and_read_back(examples, journal, partner_id, asn.model_copy(update={"transport_mode": "M"}),
                                        doc_type)
    text = data.decode("latin-1")                      # EuroHandel's UNOC
    assert expected in text, text
    assert back.carrier_name == "UPS Ground"
