"""cXML and UBL orders in the sandbox (17, 19) over real HTTP: a line's own ship-to is never silently the header's
(one sale order per place with `odoo.store_orders: split`, else the place named in the order's note), and a
cXML `type="update"` replaces the whole quotation (lines dropped from it go), `type="delete"` cancels it.
Files are read and translated by the real XML reader and base profiles; odoorpc checks what Odoo holds."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.config.models import DocumentSettings, XmlSettings
from gateway.errors import OdooRejected
from gateway.formats import parse, x12
from gateway.journal.api import Direction, State
from gateway.odoo.client import OdooClient
from gateway.odoo.posting import Cache, post
from gateway.odoo.sandbox import SandboxServer
from gateway.odoo.scheduler import OdooScheduler
from gateway.translate import translate
from gateway.translate.canonical import PurchaseOrder
from tests.helpers.profiles import base_profiles
from tests.odoo.conftest import bigbox
from tests.odoo.test_order_acks import ACK
from tests.odoo.test_pipeline_posting import SAMPLE, examples, pipeline_for, run
from tests.odoo.test_posting_cancel import submit
from tests.odoo.test_store_orders import orders_of

__all__ = ["examples"]      # the module-scoped fixture, re-exported for the pipeline test below

pytestmark = pytest.mark.parametrize("sandbox", [17, 19], ids=["odoo17", "odoo19"], indirect=True)

REGISTRY = base_profiles()
DC = '<Address addressID="DC1"><Name xml:lang="en">BigBox DC 1</Name></Address>'
BERLIN = ('<Address addressID="STORE-0203"><Name xml:lang="en">BigBox Store Berlin</Name><PostalAddress>'
          '<Street>Alexanderplatz 1</Street><City>Berlin</City><PostalCode>10178</PostalCode>'
          '<Country isoCountryCode="DE">Germany</Country></PostalAddress></Address>')


def cxml(number: str, kind: str, payload: str, lines: list[tuple[str, str, int, str | None]]) -> PurchaseOrder:
    """An OrderRequest of `kind` (new, update, delete) with (line number, supplier part, quantity, ship-to)
    lines, read and translated as the daemon does."""
    return _read(cxml_text(number, kind, payload, lines).decode(), "cxml-orderrequest")


def cxml_text(number: str, kind: str, payload: str, lines: list[tuple[str, str, int, str | None]],
              header: str | None = DC) -> bytes:
    items = "".join(
        f'<ItemOut quantity="{qty}" lineNumber="{no}"><ItemID><SupplierPartID>{part}</SupplierPartID></ItemID>'
        f'<ItemDetail><UnitPrice><Money currency="USD">{PRICES[part]}</Money></UnitPrice>'
        f'<Description xml:lang="en">{part}</Description><UnitOfMeasure>EA</UnitOfMeasure></ItemDetail>'
        + (f"<ShipTo>{ship}</ShipTo>" if ship else "") + "</ItemOut>" for no, part, qty, ship in lines)
    text = f"""<?xml version="1.0" encoding="UTF-8"?>
<cXML payloadID="{payload}@bigbox.example" timestamp="2026-11-28T09:00:00-06:00"><Header>
<From><Credential domain="NetworkId"><Identity>bigbox</Identity></Credential></From>
<To><Credential domain="NetworkId"><Identity>us</Identity></Credential></To>
<Sender><Credential domain="NetworkId"><Identity>bigbox</Identity></Credential><UserAgent>t</UserAgent></Sender>
</Header><Request><OrderRequest><OrderRequestHeader orderID="{number}" orderDate="2026-11-28T09:00:00-06:00"
 type="{kind}">{f"<ShipTo>{header}</ShipTo>" if header else ""}</OrderRequestHeader>{items}</OrderRequest></Request></cXML>"""
    return text.encode()


PRICES = {"WB-100": "12.50", "GL-300": "42.00", "WR-200": "8.75"}


def ubl(number: str, lines: list[tuple[str, str, int, str | None]], days: dict[str, str] | None = None,
        discounts: dict[str, str] | None = None) -> PurchaseOrder:
    """A UBL 2.1 Order to BigBox DC 1 (by GLN) whose lines may name their own delivery GLN and name, their
    own requested day (`days`: line number -> StartDate) and a discount (line number -> percent)."""
    def allowance(no: str) -> str:
        percent = (discounts or {}).get(no)
        return ("<cac:AllowanceCharge><cbc:ChargeIndicator>false</cbc:ChargeIndicator>"
                f"<cbc:AllowanceChargeReason>Promotion</cbc:AllowanceChargeReason>"
                f"<cbc:MultiplierFactorNumeric>{percent}</cbc:MultiplierFactorNumeric></cac:AllowanceCharge>"
                if percent else "")

    def delivery(no: str, gln: str | None) -> str:
        place = (f'<cac:DeliveryLocation><cbc:ID schemeID="GLN">{gln}</cbc:ID></cac:DeliveryLocation>' if gln
                 else "")
        day = (days or {}).get(no)
        period = (f"<cac:RequestedDeliveryPeriod><cbc:StartDate>{day}</cbc:StartDate></cac:RequestedDeliveryPeriod>"
                  if day else "")
        party = (f"<cac:DeliveryParty><cac:PartyName><cbc:Name>BigBox Store {gln[-3:]}</cbc:Name></cac:PartyName>"
                 "</cac:DeliveryParty>" if gln else "")
        return f"<cac:Delivery>{place}{period}{party}</cac:Delivery>" if place or period else ""
    items = "".join(
        f'<cac:OrderLine><cac:LineItem><cbc:ID>{no}</cbc:ID><cbc:Quantity unitCode="C62">{qty}</cbc:Quantity>'
        + delivery(no, gln) + allowance(no)
        + f'<cac:Price><cbc:PriceAmount currencyID="USD">{PRICES[part]}</cbc:PriceAmount></cac:Price>'
        f"<cac:Item><cac:SellersItemIdentification><cbc:ID>{part}</cbc:ID></cac:SellersItemIdentification>"
        "</cac:Item></cac:LineItem></cac:OrderLine>" for no, part, qty, gln in lines)
    text = f"""<?xml version="1.0" encoding="UTF-8"?>
<Order xmlns="urn:oasis:names:specification:ubl:schema:xsd:Order-2"
 xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
 xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
<cbc:UBLVersionID>2.1</cbc:UBLVersionID><cbc:ID>{number}</cbc:ID><cbc:IssueDate>2026-11-28</cbc:IssueDate>
<cbc:DocumentCurrencyCode>USD</cbc:DocumentCurrencyCode>
<cac:BuyerCustomerParty><cac:Party><cbc:EndpointID schemeID="GLN">0860001000009</cbc:EndpointID>
<cac:PartyName><cbc:Name>BigBox Retail</cbc:Name></cac:PartyName></cac:Party></cac:BuyerCustomerParty>
<cac:SellerSupplierParty><cac:Party><cac:PartyName><cbc:Name>Us</cbc:Name></cac:PartyName></cac:Party>
</cac:SellerSupplierParty>
<cac:Delivery><cac:DeliveryLocation><cbc:ID schemeID="GLN">0860001000023</cbc:ID></cac:DeliveryLocation>
</cac:Delivery>{items}</Order>"""
    return _read(text, "ubl-2.1-order")


def _read(text: str, profile: str) -> PurchaseOrder:
    result = parse(text.encode())
    assert [str(e) for e in result.errors] == []
    [doc] = [d for tx in result.transactions for d in translate(tx, None, REGISTRY, profile=profile)]
    assert isinstance(doc, PurchaseOrder)
    return doc


def note_of(odoo: odoorpc.ODOO, ref: str) -> str:
    [row] = odoo.execute_kw("sale.order", "search_read", [[("client_order_ref", "=", ref)]], {"fields": ["note"]})
    return str(row["note"])


def roles(links: list[Any]) -> list[str]:
    return [link.role for link in links if link.model == "sale.order"]


def test_a_cxml_line_with_its_own_ship_to_gets_its_own_sale_order(client: OdooClient, odoo: odoorpc.ODOO) -> None:
    """Line 2 goes to the Berlin store, line 3 names the DC again (the header's place): two orders, once."""
    partner = bigbox(store_orders="split", create_ship_to=True)
    doc = cxml("CX-SPLIT", "new", "1", [("1", "WB-100", 24, None), ("2", "GL-300", 6, BERLIN),
                                         ("3", "WR-200", 4, DC)])
    assert roles(post(client, doc, partner, Cache())) == ["created", "created"]
    assert roles(post(client, doc, partner, Cache())) == ["found", "found"]
    assert sorted((ship, lines) for ship, _, lines in orders_of(odoo, "CX-SPLIT")) == [
        ("BigBox DC 1", [("WB-100", 24.0), ("WR-200", 4.0)]), ("BigBox Store Berlin", [("GL-300", 6.0)])]
    [store] = odoo.execute_kw("res.partner", "search_read", [[("name", "=", "BigBox Store Berlin")]],
                              {"fields": ["type", "city", "zip", "parent_id"]})
    assert (store["type"], store["city"], store["zip"], store["parent_id"][1]) == (
        "delivery", "Berlin", "10178", "BigBox Retail")
    update = cxml("CX-SPLIT", "update", "2", [("1", "WB-100", 30, None), ("2", "GL-300", 6, BERLIN)])
    with pytest.raises(OdooRejected, match=r"PO CX-SPLIT is in several sale orders .* change them in Odoo"):
        post(client, update, partner, Cache())


def test_a_ship_to_given_only_on_every_line_is_the_orders(client: OdooClient, odoo: odoorpc.ODOO) -> None:
    """A cXML order without a header ShipTo whose ItemOuts all name the Berlin store: one order, to the store,
    with no line named as going elsewhere; lines naming different places and no header are split as ever."""
    lines: list[tuple[str, str, int, str | None]] = [("1", "WB-100", 24, BERLIN), ("2", "GL-300", 6, BERLIN)]
    doc = _read(cxml_text("CX-LINES", "new", "30", lines, header=None).decode(), "cxml-orderrequest")
    post(client, doc, bigbox(create_ship_to=True), Cache())
    [(ship, _, got)] = orders_of(odoo, "CX-LINES")
    assert (ship, got) == ("BigBox Store Berlin", [("GL-300", 6.0), ("WB-100", 24.0)])
    assert "ships to" not in note_of(odoo, "CX-LINES")
    mixed = _read(cxml_text("CX-MIXED", "new", "31", [("1", "WB-100", 24, BERLIN), ("2", "GL-300", 6, DC)],
                            header=None).decode(), "cxml-orderrequest")
    post(client, mixed, bigbox(store_orders="split", create_ship_to=True), Cache())
    assert sorted((ship, got) for ship, _, got in orders_of(odoo, "CX-MIXED")) == [
        ("BigBox DC 1", [("GL-300", 6.0)]), ("BigBox Store Berlin", [("WB-100", 24.0)])]


def test_one_order_names_the_lines_other_ship_to_in_its_note(client: OdooClient, odoo: odoorpc.ODOO) -> None:
    """`store_orders: one` (the default): a UBL line delivered elsewhere stays on the DC's order, and the note
    says where it is to go; a line whose Delivery is the header's place is not named."""
    doc = ubl("UBL-ONE", [("1", "WB-100", 24, None), ("2", "GL-300", 6, "0860001000207"),
                          ("3", "WR-200", 4, "0860001000023")])
    post(client, doc, bigbox(), Cache())
    [(ship, _, lines)] = orders_of(odoo, "UBL-ONE")
    assert (ship, lines) == ("BigBox DC 1", [("GL-300", 6.0), ("WB-100", 24.0), ("WR-200", 4.0)])
    note = note_of(odoo, "UBL-ONE")
    assert "line 2 ships to BigBox Store 207, gln 0860001000207, not to the order&#x27;s ship-to" in note
    assert "line 3" not in note and "line 1" not in note


def test_a_ubl_line_delivered_elsewhere_is_split_by_its_gln(client: OdooClient, odoo: odoorpc.ODOO) -> None:
    partner = bigbox(store_orders="split", create_ship_to=True)
    doc = ubl("UBL-SPLIT", [("1", "WB-100", 24, None), ("2", "GL-300", 6, "0860001000207")])
    assert roles(post(client, doc, partner, Cache())) == ["created", "created"]
    got = sorted((ship, lines) for ship, _, lines in orders_of(odoo, "UBL-SPLIT"))
    assert got == [("BigBox DC 1", [("WB-100", 24.0)]), ("BigBox Store 207", [("GL-300", 6.0)])]


def test_the_order_is_wanted_on_its_earliest_line_day_and_other_days_are_noted(client: OdooClient,
                                                                              odoo: odoorpc.ODOO) -> None:
    """A UBL order whose requested period is given on its lines only: Odoo's one commitment date is the earliest
    (noon, the API user's day), and the line wanted later is named in the note."""
    doc = ubl("UBL-DAYS", [("1", "WB-100", 24, None), ("2", "GL-300", 6, None), ("3", "WR-200", 4, None)],
              days={"1": "2026-12-09", "2": "2026-12-07", "3": "2026-12-07"})
    post(client, doc, bigbox(), Cache())
    [row] = odoo.execute_kw("sale.order", "search_read", [[("client_order_ref", "=", "UBL-DAYS")]],
                            {"fields": ["commitment_date", "note"]})
    assert row["commitment_date"] == "2026-12-07 12:00:00"
    assert "line 1 requested for 2026-12-09, not the order&#x27;s 2026-12-07" in row["note"]
    assert "line 2 requested" not in row["note"] and "line 3 requested" not in row["note"]


def test_a_ubl_line_allowance_is_that_order_lines_discount(client: OdooClient, odoo: odoorpc.ODOO) -> None:
    """A LineItem AllowanceCharge (10 %) is the Odoo line's discount, the gross price kept; other lines have none."""
    post(client, ubl("UBL-DISC", [("1", "WB-100", 24, None), ("2", "GL-300", 6, None)], discounts={"2": "10"}),
         bigbox(), Cache())
    rows = odoo.execute_kw("sale.order.line", "search_read", [[("order_id.client_order_ref", "=", "UBL-DISC")]],
                           {"fields": ["product_id", "discount", "price_unit"], "order": "sequence"})
    assert [(r["product_id"][1].split("]")[0].strip("["), r["discount"], r["price_unit"]) for r in rows] == [
        ("WB-100", 0.0, 12.5), ("GL-300", 10.0, 42.0)]


def test_a_cxml_line_price_modification_is_taken_off_once(client: OdooClient, odoo: odoorpc.ODOO) -> None:
    """An ItemOut's UnitPrice/Modifications say how its price came about, per unit: UnitPrice/Money is already
    net of them. The Odoo line gets the gross price and the modification as its discount, so what the buyer pays
    is its net price (not that price less the discount again): 0.50 off each of 24 at 12.00 (no OriginalPrice: the
    gross is undone from the net) is 4 % off 12.50; 10 % off 42.00 (OriginalPrice) is 37.80."""
    text = cxml_text("CX-MODS", "new", "40", [("1", "WB-100", 24, None), ("2", "GL-300", 6, None),
                                              ("3", "WR-200", 4, None)]).decode()
    discount = '<ModificationDetail name="Discount"><Description xml:lang="en">Contract</Description></ModificationDetail>'
    text = text.replace('<Money currency="USD">12.50</Money></UnitPrice>',
                        '<Money currency="USD">12.00</Money><Modifications><Modification><AdditionalDeduction>'
                        '<DeductionAmount><Money currency="USD">0.50</Money></DeductionAmount></AdditionalDeduction>'
                        f"{discount}</Modification></Modifications></UnitPrice>")
    text = text.replace('<Money currency="USD">42.00</Money></UnitPrice>',
                        '<Money currency="USD">37.80</Money><Modifications><Modification><OriginalPrice>'
                        '<Money currency="USD">42.00</Money></OriginalPrice><AdditionalDeduction>'
                        f'<DeductionPercent percent="10"/></AdditionalDeduction>{discount}</Modification>'
                        "</Modifications></UnitPrice>")
    post(client, _read(text, "cxml-orderrequest"), bigbox(), Cache())
    rows = odoo.execute_kw("sale.order.line", "search_read", [[("order_id.client_order_ref", "=", "CX-MODS")]],
                           {"fields": ["product_id", "discount", "price_unit", "price_subtotal"], "order": "sequence"})
    assert [(r["product_id"][1].split("]")[0].strip("["), r["price_unit"], r["discount"], r["price_subtotal"])
            for r in rows] == [("WB-100", 12.5, 4.0, 288.0), ("GL-300", 42.0, 10.0, 226.8), ("WR-200", 8.75, 0.0, 35.0)]


def test_a_ubl_20_delivery_address_finds_the_delivery_contact_at_it(client: OdooClient, odoo: odoorpc.ODOO) -> None:
    """A UBL 2.0 order gives its place as a DeliveryAddress alone (no GLN, no name), now read as the ship-to: the
    delivery contact of the customer at that street and postal code is the order's (BigBox DC 1); an address Odoo
    does not have is held naming it, rather than the order going to the customer's own address."""
    def order(number: str, street: str, postal: str) -> PurchaseOrder:
        return _read(f"""<?xml version="1.0" encoding="UTF-8"?>
<Order xmlns="urn:oasis:names:specification:ubl:schema:xsd:Order-2"
 xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
 xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
<cbc:UBLVersionID>2.0</cbc:UBLVersionID><cbc:ID>{number}</cbc:ID><cbc:IssueDate>2026-11-28</cbc:IssueDate>
<cac:BuyerCustomerParty><cac:Party><cbc:EndpointID schemeID="GLN">0860001000009</cbc:EndpointID>
<cac:PartyName><cbc:Name>BigBox Retail</cbc:Name></cac:PartyName></cac:Party></cac:BuyerCustomerParty>
<cac:SellerSupplierParty><cac:Party><cac:PartyName><cbc:Name>Us</cbc:Name></cac:PartyName></cac:Party>
</cac:SellerSupplierParty>
<cac:Delivery><cac:DeliveryAddress><cbc:StreetName>{street}</cbc:StreetName><cbc:CityName>Bentonville</cbc:CityName>
<cbc:PostalZone>{postal}</cbc:PostalZone></cac:DeliveryAddress></cac:Delivery>
<cac:OrderLine><cac:LineItem><cbc:ID>1</cbc:ID><cbc:Quantity unitCode="C62">5</cbc:Quantity>
<cac:Price><cbc:PriceAmount currencyID="USD">12.50</cbc:PriceAmount></cac:Price><cac:Item><cac:SellersItemIdentification>
<cbc:ID>WB-100</cbc:ID></cac:SellersItemIdentification></cac:Item></cac:LineItem></cac:OrderLine></Order>""",
                     "ubl-2.1-order")

    post(client, order("UBL20-DC", "100 Distribution Dr", "72712"), bigbox(), Cache())
    [(ship, _, lines)] = orders_of(odoo, "UBL20-DC")
    assert (ship, lines) == ("BigBox DC 1", [("WB-100", 5.0)])
    with pytest.raises(OdooRejected, match=r"ship-to 1 Dock Rd, 72712, Bentonville is not a delivery address of "
                                           r"BigBox Retail in Odoo"):
        post(client, order("UBL20-NEW", "1 Dock Rd", "72712"), bigbox(), Cache())
    assert orders_of(odoo, "UBL20-NEW") == []
    # a partner whose new places are made (create_ship_to): the address becomes a delivery contact, found again
    for number in ("UBL20-NEW", "UBL20-AGAIN"):
        post(client, order(number, "1 Dock Rd", "72712"), bigbox(create_ship_to=True), Cache())
    made = odoo.execute_kw("res.partner", "search_read", [[("street", "=", "1 Dock Rd"), ("zip", "=", "72712")]],
                           {"fields": ["type", "parent_id", "city", "name"]})
    assert [(r["type"], r["parent_id"][1], r["city"]) for r in made] == [("delivery", "BigBox Retail", "Bentonville")]
    assert [ship for number in ("UBL20-NEW", "UBL20-AGAIN") for ship, _, _ in orders_of(odoo, number)] == \
        [made[0]["name"]] * 2


def test_a_cxml_update_replaces_the_whole_quotation_and_delete_cancels_it(client: OdooClient,
                                                                        odoo: odoorpc.ODOO) -> None:
    """cXML: an update is the order again, whole: GL-300 left out of it leaves the quotation, WB-100 takes the
    new quantity, WR-200 comes in; applied for a partner that holds changes (the default), found on a replay."""
    partner = bigbox()
    post(client, cxml("CX-UPD", "new", "10", [("1", "WB-100", 24, None), ("2", "GL-300", 6, None)]), partner,
         Cache())
    update = cxml("CX-UPD", "update", "11", [("1", "WB-100", 30, None), ("3", "WR-200", 10, None)])
    assert update.purpose == "replace"
    assert roles(post(client, update, partner, Cache())) == ["updated"]
    assert roles(post(client, update, partner, Cache())) == ["found"]
    [(_, state, lines)] = orders_of(odoo, "CX-UPD")
    assert (state, lines) == ("draft", [("WB-100", 30.0), ("WR-200", 10.0)])
    delete = cxml("CX-UPD", "delete", "12", [("1", "WB-100", 30, None), ("3", "WR-200", 10, None)])
    assert roles(post(client, delete, partner, Cache())) == ["updated"]
    assert [state for _, state, _ in orders_of(odoo, "CX-UPD")] == ["cancel"]


async def test_an_x12_line_shipped_to_a_store_gets_its_own_order_and_acknowledgment(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO) -> None:
    """The same through the daemon's pipeline with an X12 850 whose line 2 names its store (N1*ST in its PO1
    loop): the DC's order has lines 1 and 3, the store's line 2, and each 855 acknowledges its own lines."""
    pipeline, journal = pipeline_for(tmp_path, examples, sandbox)
    config = pipeline.config.partners["bigbox"]
    pipeline.config.partners["bigbox"] = config.model_copy(update={
        "documents": [*config.documents, ACK],
        "odoo": config.odoo.model_copy(update={"store_orders": "split", "create_ship_to": True})})
    text = SAMPLE.read_bytes().replace(b"PO4*12*1*EA~\nPO1*3*",
                                       b"PO4*12*1*EA~\nN1*ST*BIGBOX STORE 0107*UL*0860001000107~\nPO1*3*")
    message = await submit(pipeline, text.replace(b"SE*25*0001", b"SE*26*0001"), "850_line_ship_to.edi")
    done = run(pipeline, message.id, {State.DONE})
    assert done.state is State.DONE, done.last_error
    assert sorted((ship, lines) for ship, _, lines in orders_of(odoo, "4500001234")) == [
        ("BIGBOX STORE 0107", [("WR-200", 48.0)]), ("BigBox DC 1", [("GL-300", 6.0), ("WB-100", 24.0)])]
    odoo.execute_kw("sale.order", "action_confirm", [[so["id"] for so in odoo.execute_kw(
        "sale.order", "search_read", [[("client_order_ref", "=", "4500001234")]], {"fields": ["id"]})]])
    ctx = SimpleNamespace(config=pipeline.config, journal=journal, pipeline=pipeline, partners=pipeline.config.partners)
    assert await OdooScheduler(ctx, lambda: client).run_once("bigbox", "855") == 2
    acks = [x12.parse(pipeline.archive.read(m.sha256)) for m in journal.find(direction=Direction.OUT, limit=50)
            if m.doc_type == "855"]
    shares = sorted(tuple((seg.get(1), seg.get(2)) for seg in result.transactions[0].segments if seg.tag == "PO1")
                    for result in acks)
    assert shares == [(("1", "24"), ("3", "6")), (("2", "48"),)], shares


async def test_the_daemon_applies_a_cxml_update_as_the_whole_order(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    """Through the pipeline (intake, journal, translation, posting): BigBox's cXML order, then its update
    without line 2 and with a new line 3, leaves one quotation holding the update's lines; the same update
    sent again is the daemon's duplicate and changes nothing."""
    pipeline, _ = pipeline_for(tmp_path, examples, sandbox)
    config = pipeline.config.partners["bigbox"]
    pipeline.config.partners["bigbox"] = config.model_copy(update={
        "xml": XmlSettings(ids=["bigbox"]),
        "documents": [*config.documents, DocumentSettings(type="OrderRequest", direction="in",
                                                          profile="cxml-orderrequest")]})
    new = cxml_text("CX-PIPE", "new", "20", [("1", "WB-100", 24, None), ("2", "GL-300", 6, None)])
    update = cxml_text("CX-PIPE", "update", "21", [("1", "WB-100", 36, None), ("3", "WR-200", 12, None)])
    for name, data in (("order.xml", new), ("update.xml", update), ("update-again.xml", update)):
        message = await submit(pipeline, data, name)
        done = run(pipeline, message.id, {State.DONE, State.DUPLICATE})
        assert done.state is (State.DUPLICATE if name == "update-again.xml" else State.DONE), done.last_error
    [(_, state, lines)] = orders_of(odoo, "CX-PIPE")
    assert (state, lines) == ("draft", [("WB-100", 36.0), ("WR-200", 12.0)])
    assert note_of(odoo, "CX-PIPE").count("EDI replacement CX-PIPE") == 1


async def test_the_daemon_posts_a_cxml_line_discount_once_and_holds_a_price_that_disagrees(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    """Through the pipeline: BigBox's cXML order whose GL-300 is 10 % off 42.00 (UnitPrice 37.80) becomes a
    sale order line at 42.00 less 10 %; one whose UnitPrice is the gross again (42.00) is quarantined naming the
    line and both prices, and no sale order is made for it."""
    pipeline, _ = pipeline_for(tmp_path, examples, sandbox)
    config = pipeline.config.partners["bigbox"]
    pipeline.config.partners["bigbox"] = config.model_copy(update={
        "xml": XmlSettings(ids=["bigbox"]),
        "documents": [*config.documents, DocumentSettings(type="OrderRequest", direction="in",
                                                          profile="cxml-orderrequest")]})

    def discounted(number: str, payload: str, net: str) -> bytes:
        text = cxml_text(number, "new", payload, [("1", "GL-300", 6, None)]).decode()
        return text.replace('<Money currency="USD">42.00</Money></UnitPrice>',
                            f'<Money currency="USD">{net}</Money><Modifications><Modification><OriginalPrice>'
                            '<Money currency="USD">42.00</Money></OriginalPrice><AdditionalDeduction>'
                            '<DeductionPercent percent="10"/></AdditionalDeduction><ModificationDetail '
                            'name="Discount"/></Modification></Modifications></UnitPrice>').encode()

    message = await submit(pipeline, discounted("CX-DISC", "50", "37.80"), "order.xml")
    assert run(pipeline, message.id, {State.DONE}).state is State.DONE
    [row] = odoo.execute_kw("sale.order.line", "search_read", [[("order_id.client_order_ref", "=", "CX-DISC")]],
                            {"fields": ["price_unit", "discount", "price_subtotal"]})
    assert (row["price_unit"], row["discount"], row["price_subtotal"]) == (42.0, 10.0, 226.8)
    message = await submit(pipeline, discounted("CX-GROSS", "51", "42.00"), "gross.xml")
    held = run(pipeline, message.id, {State.QUARANTINED})
    assert held.state is State.QUARANTINED
    assert "line 1: UnitPrice 42.00 is not its OriginalPrice 42.00 after its modifications" in str(held.last_error)
    assert orders_of(odoo, "CX-GROSS") == []
