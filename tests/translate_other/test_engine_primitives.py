"""Engine primitives the EDIFACT / UBL / cXML / CSV base profiles need (engine-requests.md A-K).

Each test feeds a small real file through the real reader, the base profile and the engine,
and where the primitive writes too, renders the canonical document back and reads it again.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from gateway.config.models import OurIds, PartnerConfig
from gateway.formats import parse
from gateway.journal.sqlite import SqliteJournal
from gateway.translate import ProfileRegistry, render, translate
from gateway.translate.canonical import Document
from tests.helpers.profiles import base_profiles
from tests.translate_other.conftest import RENDER_TIME

OUR = OurIds.model_validate({"edifact": {"qualifier": "14", "id": "0614141000005"}})


def edifact(body: str, una: str = "UNA:+.? '") -> bytes:
    """An interchange around `body` (segments one per line, without UNH/UNT)."""
    segs = [s for s in body.strip().splitlines() if s.strip()]
    return "\n".join([
        una,
        "UNB+UNOC:3+4098765000002:14+0614141000005:14+261130:0700+T0001'",
        "UNH+1+ORDERS:D:96A:UN:EAN008'",
        *segs,
        f"UNT+{len(segs) + 2}+1'",
        "UNZ+1+T0001'",
    ]).encode("latin-1")


def partner(**edifact_settings: object) -> PartnerConfig:
    return PartnerConfig.model_validate({
        "id": "tp", "edifact": {"ids": [{"qualifier": "14", "id": "4098765000002"}], **edifact_settings},
        "documents": [{"type": "ORDERS", "direction": "in", "profile": "edifact-d96a-orders"},
                      {"type": "ORDERS", "direction": "out", "profile": "edifact-d96a-orders"}]})


@pytest.fixture(scope="module")
def registry() -> ProfileRegistry:
    return base_profiles()


def read_one(data: bytes, registry: ProfileRegistry, tp: PartnerConfig | None = None) -> Any:
    """The one document of `data` (Any: each test knows which document type it reads)."""
    result = parse(data)
    assert [str(i) for i in result.errors] == []
    [doc] = translate(result.transactions[0], tp or partner(), registry)
    return doc


def render_bytes(doc: Document, registry: ProfileRegistry, tmp_path: Path, tp: PartnerConfig | None = None) -> bytes:
    journal = SqliteJournal(tmp_path / "j.sqlite3")
    try:
        return render(doc, tp or partner(), registry, journal, "ORDERS", our_ids=OUR, now=RENDER_TIME).data
    finally:
        journal.close()


ORDER_IDS = """
BGM+220+PO-1+9'
DTM+137:20261130:102'
NAD+BY+4098765000002::9++Nordkauf AG'
NAD+SU+SUP-77::91'
NAD+DP+123456789::16'
LIN+1++WB-100:SA'
PIA+5+NK-1:IN+BP-9:BP+9780306406157:IB'
QTY+21:3:PCE'
LIN+2++0614141000029:EN'
PIA+5+WR-200:SA'
PIA+1+UPC-X:UP'
QTY+21:1:PCE'
UNS+S'
"""


def test_composite_ids_read_by_their_qualifier(registry: ProfileRegistry) -> None:
    """A: LIN03 C212 value:type, every PIA02..06 C212, NAD02 C082 id::agency -> ids keyed by code list."""
    doc = read_one(edifact(ORDER_IDS), registry)
    assert [p.ids for p in doc.parties] == [{"gln": "4098765000002"}, {"seller": "SUP-77"}, {"duns": "123456789"}]
    assert [ln.item_ids for ln in doc.lines] == [
        {"vendor": "WB-100", "buyer_item": "NK-1", "buyer": "BP-9", "isbn": "9780306406157"},
        {"ean": "0614141000029", "vendor": "WR-200", "upc": "UPC-X"}]


def test_composite_ids_written_back_once_each(registry: ProfileRegistry, tmp_path: Path) -> None:
    """A outbound: NAD02 as id::agency, LIN03 only a GTIN kind, the other ids once each in PIA02..06."""
    doc = read_one(edifact(ORDER_IDS), registry)
    out = render_bytes(doc, registry, tmp_path).decode("latin-1")
    assert "NAD+BY+4098765000002::9++Nordkauf AG'" in out
    assert "NAD+SU+SUP-77::91'" in out and "NAD+DP+123456789::16'" in out
    assert "LIN+1'" in out and "PIA+5+WB-100:SA+NK-1:IN+BP-9:BP+9780306406157:IB'" in out
    assert "LIN+2++0614141000029:EN'" in out and "PIA+5+UPC-X:UP+WR-200:SA'" in out
    again = read_one(out.encode("latin-1"), registry)
    assert [ln.item_ids for ln in again.lines] == [ln.item_ids for ln in doc.lines]
    assert [p.ids for p in again.parties] == [p.ids for p in doc.parties]


DATES = """
BGM+220+PO-2+9'
DTM+137:20261130:102'
DTM+2:202612031000:203'
DTM+10:20261204083015:204'
DTM+64:261205:101'
DTM+63:20261206-20261210:718'
NAD+BY+4098765000002::9'
LIN+1++0614141000012:EN'
QTY+21:1:PCE'
UNS+S'
"""


def test_dtm_formats_and_times(registry: ProfileRegistry) -> None:
    """B: 2379 102/203/204/101/718 read by their code (a range gives its start), time from 203/204."""
    doc = read_one(edifact(DATES), registry)
    assert doc.date == "2026-11-30"
    assert [(d.qualifier, d.date, d.time) for d in doc.dates] == [
        ("requested_delivery", "2026-12-03", "10:00"), ("requested_ship", "2026-12-04", "08:30:15"),
        ("deliver_not_before", "2026-12-05", None), ("deliver_not_after", "2026-12-06", None)]


def test_dtm_written_203_with_a_time_else_102(registry: ProfileRegistry, tmp_path: Path) -> None:
    doc = read_one(edifact(DATES), registry)
    out = render_bytes(doc, registry, tmp_path).decode("latin-1")
    assert "DTM+137:20261130:102'" in out
    assert "DTM+2:202612031000:203'" in out and "DTM+10:202612040830:203'" in out
    assert "DTM+64:20261205:102'" in out and "DTM+63:20261206:102'" in out
    again = read_one(out.encode("latin-1"), registry)
    assert [(d.qualifier, d.date, d.time) for d in again.dates][:2] == [
        ("requested_delivery", "2026-12-03", "10:00"), ("requested_ship", "2026-12-04", "08:30")]


def test_dtm_bad_date_named(registry: ProfileRegistry) -> None:
    result = parse(edifact(DATES.replace("20261130:102", "20261331:102")))
    with pytest.raises(Exception, match=r"DTM.*20261331|20261331.*") as info:
        translate(result.transactions[0], partner(), registry)
    assert "edifact-d96a-orders.yaml" in str(info.value)


@pytest.mark.parametrize("day", ["20260230", "20250229", "20261131", "20260000"])
def test_a_date_that_is_no_day_of_the_calendar_is_named(registry: ProfileRegistry, day: str) -> None:
    """February 30th passed the month 01-12 / day 01-31 check, then crashed the Odoo posting."""
    result = parse(edifact(DATES.replace("20261130:102", f"{day}:102")))
    with pytest.raises(Exception, match=f"DTM element DTM01: date '{day}' is not a valid CCYYMMDD date "
                                        r"\(no such day\)"):
        translate(result.transactions[0], partner(), registry)
    leap = parse(edifact(DATES.replace("20261130:102", "20280229:102")))
    assert translate(leap.transactions[0], partner(), registry)[0].date == "2028-02-29"


COMMA_ORDER = """
BGM+220+PO-3+9'
DTM+137:20261130:102'
NAD+BY+4098765000002::9'
LIN+1++0614141000012:EN'
PIA+5+10.5:SA'
QTY+21:2,5:PCE'
PRI+AAA:12,50'
LIN+2++0614141000029:EN'
QTY+21:3:PCE'
PRI+AAA:1.25'
UNS+S'
"""


def test_decimal_comma_read_whatever_the_una_says(registry: ProfileRegistry) -> None:
    """E: a UNA with ',' (and, as ISO 9735 allows, a '.' in the same file) reads as Decimals."""
    doc = read_one(edifact(COMMA_ORDER, una="UNA:+,? '"), registry)
    assert [(ln.quantity, ln.unit_price) for ln in doc.lines] == [(Decimal("2.5"), Decimal("12.50")),
                                                                  (Decimal(3), Decimal("1.25"))]
    assert doc.lines[0].item_ids["vendor"] == "10.5"


def test_decimal_comma_written_for_a_comma_partner(registry: ProfileRegistry, tmp_path: Path) -> None:
    """E outbound: the partner's edifact.decimal ',' is in the UNA and in every number, not in codes."""
    doc = read_one(edifact(COMMA_ORDER, una="UNA:+,? '"), registry)
    comma = partner(decimal=",")
    out = render_bytes(doc, registry, tmp_path, comma).decode("latin-1")
    assert out.startswith("UNA:+,? '")
    assert "QTY+21:2,5:PCE'" in out and "PRI+AAA:12,50'" in out and "PRI+AAA:1,25'" in out
    assert "PIA+5+10.5:SA'" in out and "CNT+1:5,5'" in out
    point = render_bytes(doc, registry, tmp_path / "p", partner()).decode("latin-1")
    assert point.startswith("UNA:+.? '") and "PRI+AAA:12.50'" in point
    again = read_one(out.encode("latin-1"), registry)
    assert [(ln.quantity, ln.unit_price) for ln in again.lines] == [(ln.quantity, ln.unit_price) for ln in doc.lines]


def test_csv_decimal_comma_only_in_number_columns(tmp_path: Path) -> None:
    """F: ShopMarket (csv.decimal ',') gets Menge 2,5 while the item code "10.5" and the Lieferschein stay as they are."""
    from gateway.config.loader import load
    from gateway.translate.canonical import from_json
    from tests.translate_other.conftest import HERE, make_workspace

    config = load(make_workspace(tmp_path / "ws"))
    doc = from_json((HERE / "fixtures" / "shopmarket_shipnotice.json").read_bytes())
    data = doc.model_dump(mode="python")
    item = data["orders"][0]["items"][0]
    item["quantity"], item["item_ids"] = Decimal("2.5"), {"vendor": "10.5"}
    data["number"] = "1.25"
    changed = type(doc).model_validate(data)
    journal = SqliteJournal(tmp_path / "j.sqlite3")
    try:
        out = render(changed, config.partners["shopmarket"], config.profiles, journal, "csv-shipment",
                     now=RENDER_TIME).data.decode("utf-8")
    finally:
        journal.close()
    first = out.splitlines()[1].split(";")
    assert first[1:4] == ["1", "10.5", "2,5"] and first[-1] == "1.25"


def test_csv_writer_leaves_text_alone() -> None:
    """F: gateway.formats.csv.write formats number values with the mark, never rewrites text cells."""
    from gateway.config.models import CsvSettings
    from gateway.formats import csv as csv_format
    german = CsvSettings(delimiter=";", decimal=",")
    rows = [{"sku": "10.5", "qty": Decimal("2.50"), "weight": 1.5, "note": "-3.25"}]
    assert csv_format.write(rows, german) == b"sku;qty;weight;note\r\n10.5;2,50;1,5;-3.25\r\n"
    assert csv_format.write(rows, CsvSettings()) == b"sku,qty,weight,note\r\n10.5,2.50,1.5,-3.25\r\n"


DESADV = """
BGM+351+DN-9+9'
DTM+137:20261201:102'
RFF+ON:PO-77'
NAD+BY+4098765000002::9'
CPS+1'
CPS+2+1'
PAC+1++201'
PCI+33E'
GIN+BJ+006141410000010011'
CPS+3+2'
PAC+1++CT'
PCI+33E'
GIN+BJ+006141410000010028'
LIN+1++0614141000012:EN'
QTY+12:10:PCE'
CPS+4+2'
PAC+1++CT'
LIN+2++0614141000029:EN'
QTY+12:5:PCE'
CPS+5'
PAC+1++CT'
LIN+3++0614141000036:EN'
QTY+12:1:PCE'
CNT+2:3'
"""


def desadv_partner() -> PartnerConfig:
    return PartnerConfig.model_validate({
        "id": "tp", "edifact": {"ids": [{"qualifier": "14", "id": "4098765000002"}]},
        "documents": [{"type": "DESADV", "direction": "in", "profile": "edifact-d96a-desadv"},
                      {"type": "DESADV", "direction": "out", "profile": "edifact-d96a-desadv"}]})


def test_cps_nested_packs_both_ways(registry: ProfileRegistry, tmp_path: Path) -> None:
    """D: CPS02 names the parent package: packs nest on reading; writing numbers CPS 1.. with the parent's number."""
    data = edifact(DESADV).replace(b"ORDERS:D:96A:UN:EAN008", b"DESADV:D:96A:UN:EAN005")
    tp = desadv_partner()
    doc = read_one(data, registry, tp)

    def shape(packs: list[Any]) -> list[Any]:
        return [(p.sscc, [i.line_no for i in p.items], shape(p.packs)) for p in packs]
    expected: list[Any] = [(None, [], [("006141410000010011", [], [("006141410000010028", ["1"], []), (None, ["2"], [])])]),
                (None, ["3"], [])]
    assert shape(doc.orders[0].packs) == expected
    journal = SqliteJournal(tmp_path / "j.sqlite3")
    try:
        out = render(doc, tp, registry, journal, "DESADV", our_ids=OUR, now=RENDER_TIME).data.decode("latin-1")
    finally:
        journal.close()
    cps = [line for line in out.splitlines() if line.startswith("CPS")]
    assert cps == ["CPS+1'", "CPS+2+1'", "CPS+3+2'", "CPS+4+2'", "CPS+5'"]
    again = read_one(out.encode("latin-1"), registry, tp)
    assert shape(again.orders[0].packs) == expected


def test_cxml_envelope_doctype_payload_and_credentials(tmp_path: Path) -> None:
    """J: a cXML document goes out with the DOCTYPE line, payloadID/timestamp and From/To/Sender credentials;
    reading it back (the DTD is never fetched) gives the envelope and the same order."""
    from gateway.translate.canonical import from_dict
    registry = base_profiles()
    tp = PartnerConfig.model_validate({
        "id": "ariba-buyer", "xml": {"ids": ["AN01000000001"]},
        "documents": [{"type": "OrderRequest", "direction": "out", "profile": "cxml-orderrequest"},
                      {"type": "OrderRequest", "direction": "in", "profile": "cxml-orderrequest"}]})
    doc = from_dict({"doc_type": "PurchaseOrder", "number": "PO-5", "date": "2026-11-30", "currency": "EUR",
                     "lines": [{"line_no": "1", "item_ids": {"vendor": "WB-100"}, "quantity": "2", "unit": "EA",
                                "unit_price": "12.50"}]})
    our = OurIds.model_validate({"xml": "DUNS:123456789"})
    journal = SqliteJournal(tmp_path / "j.sqlite3")
    try:
        chicago = RENDER_TIME.replace(tzinfo=ZoneInfo("America/Chicago"))      # the timestamp states its offset
        first = render(doc, tp, registry, journal, "OrderRequest", our_ids=our, now=chicago)
        second = render(doc, tp, registry, journal, "OrderRequest", our_ids=our, now=chicago)
    finally:
        journal.close()
    text = first.data.decode("utf-8")
    assert '<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.050/cXML.dtd">' in text
    assert 'payloadID="20261201143000.1@123456789"' in text and 'timestamp="2026-12-01T14:30:00-06:00"' in text
    assert 'orderDate="2026-11-30T00:00:00+00:00"' in text         # a day of no known zone: its start in UTC
    assert first.control_number == "20261201143000.1@123456789" != second.control_number
    assert text.index("<Header>") < text.index("<Request")
    result = parse(first.data)
    assert [str(i) for i in result.errors] == []
    env = result.transactions[0].envelope
    assert env is not None
    assert (env.sender_qualifier, env.sender_id, env.receiver_qualifier, env.receiver_id) == (
        "DUNS", "123456789", "NetworkID", "AN01000000001")
    assert "sender:DUNS:123456789" in env.raw_header
    back = read_one(first.data, registry, tp)
    assert back.number == "PO-5" and back.lines[0].unit_price == Decimal("12.50")


def test_cxml_without_our_xml_id_is_a_config_error(tmp_path: Path) -> None:
    from gateway.errors import ConfigError
    from gateway.translate.canonical import from_dict
    tp = PartnerConfig.model_validate({
        "id": "ariba-buyer", "xml": {"ids": ["AN01000000001"]},
        "documents": [{"type": "OrderRequest", "direction": "out", "profile": "cxml-orderrequest"}]})
    doc = from_dict({"doc_type": "PurchaseOrder", "number": "PO-5",
                     "lines": [{"line_no": "1", "item_ids": {"vendor": "W"}, "quantity": "1"}]})
    journal = SqliteJournal(tmp_path / "j.sqlite3")
    try:
        with pytest.raises(ConfigError, match="our_ids.xml"):
            render(doc, tp, base_profiles(), journal, "OrderRequest", our_ids=OurIds(), now=RENDER_TIME)
    finally:
        journal.close()


CXML_ORDER = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.050/cXML.dtd">
<cXML payloadID="1.2@buyer" timestamp="2026-11-30T08:00:00+01:00">
 <Header><From><Credential domain="NetworkID"><Identity>AN01</Identity></Credential></From>
  <To><Credential domain="DUNS"><Identity>123456789</Identity></Credential></To>
  <Sender><Credential domain="NetworkID"><Identity>AN01</Identity></Credential><UserAgent>x</UserAgent></Sender></Header>
 <Request><OrderRequest>
  <OrderRequestHeader orderID="PO-9" orderDate="2026-11-30T08:00:00+01:00" type="new"/>
  <ItemOut quantity="2" lineNumber="1" requestedDeliveryDate="2026-12-07T09:30:00+01:00">
   <ItemID><SupplierPartID>WB-100</SupplierPartID></ItemID>
   <ItemDetail><UnitPrice><Money currency="CHF">12.50</Money></UnitPrice><Description>W</Description>
    <UnitOfMeasure>EA</UnitOfMeasure></ItemDetail></ItemOut>
  <ItemOut quantity="1" lineNumber="2">
   <ItemID><SupplierPartID>WR-200</SupplierPartID></ItemID>
   <ItemDetail><UnitPrice><Money currency="CHF">3</Money></UnitPrice><Description>R</Description>
    <UnitOfMeasure>EA</UnitOfMeasure></ItemDetail></ItemOut>
 </OrderRequest></Request></cXML>"""


def _xml_partner(profile: str, doc_type: str) -> PartnerConfig:
    return PartnerConfig.model_validate({
        "id": "xp", "xml": {"ids": ["AN01"]},
        "documents": [{"type": doc_type, "direction": "out", "profile": profile},
                      {"type": doc_type, "direction": "in", "profile": profile}]})


def test_cxml_conditional_node_and_money_currency(registry: ProfileRegistry, tmp_path: Path) -> None:
    """H: requestedDeliveryDate -> lines.dates only on the ItemOut that has it; I: the Money currency is the
    document currency when the header has no Total, and every Money is written with it."""
    tp = _xml_partner("cxml-orderrequest", "OrderRequest")
    doc = read_one(CXML_ORDER, registry, tp)
    assert doc.currency == "CHF"
    assert [[(d.qualifier, d.date, d.time) for d in ln.dates] for ln in doc.lines] == [
        [("requested_delivery", "2026-12-07", "09:30")], []]
    journal = SqliteJournal(tmp_path / "j.sqlite3")
    try:
        out = render(doc, tp, registry, journal, "OrderRequest",
                     our_ids=OurIds.model_validate({"xml": "DUNS:123456789"}), now=RENDER_TIME).data.decode()
    finally:
        journal.close()
    assert out.count('<Money currency="CHF">') == 3                 # the lines' and the Total's, which the DTD requires
    assert out.count('requestedDeliveryDate="2026-12-07"') == 1     # written on the ItemOut that had it


def test_ubl_amounts_carry_the_document_currency(registry: ProfileRegistry, tmp_path: Path) -> None:
    """I: UBL amounts are written with currencyID = the document currency and read back; without a
    DocumentCurrencyCode the first amount's currencyID is the document's currency."""
    from gateway.translate.canonical import from_dict
    tp = _xml_partner("ubl-2.1-invoice", "Invoice")
    doc = from_dict({"doc_type": "Invoice", "number": "INV-1", "date": "2026-12-01", "currency": "SEK",
                     "lines": [{"line_no": "1", "item_ids": {"vendor": "WB-100"}, "quantity": "2", "unit": "EA",
                                "unit_price": "12.50", "amount": "25.00"}],
                     "totals": {"total_amount": "25.00"}})
    journal = SqliteJournal(tmp_path / "j.sqlite3")
    try:
        out = render(doc, tp, registry, journal, "Invoice", now=RENDER_TIME).data.decode()
    finally:
        journal.close()
    assert 'currencyID="SEK">25.00</cbc:LineExtensionAmount>' in out
    assert 'currencyID="SEK">12.50</cbc:PriceAmount>' in out
    assert 'currencyID="SEK">25.00</cbc:TaxInclusiveAmount>' in out
    stripped = out.replace("<cbc:DocumentCurrencyCode>SEK</cbc:DocumentCurrencyCode>", "")
    assert "DocumentCurrencyCode" not in stripped
    back = read_one(stripped.encode(), registry, tp)
    assert back.currency == "SEK" and back.lines[0].amount == Decimal("25.00")


MERGED = """\
extends: edifact-d96a-orders
structure:
  allowances:
    children:
      amount: &moa
        seg: MOA
        when: {1.1: ["8", "23", "204", "131"]}
        fields: {amount: {at: 1.2, number: true}}
  lines:
    children:
      line_allowances:
        children:
          amount:
            <<: *moa
            when: {1.1: ["8", "204"]}
"""


def test_yaml_merge_keys_are_supported(tmp_path: Path) -> None:
    """K: `<<: *anchor` merges the anchored mapping; keys said next to it win; errors keep a line."""
    from gateway.translate.profile import ProfileErrors
    (tmp_path / "mk-orders.yaml").write_text(MERGED, encoding="utf-8")
    profile = ProfileRegistry.load([tmp_path]).get("mk-orders")
    line_alc = profile.data["structure"]["lines"]["children"]["line_allowances"]["children"]["amount"]
    assert line_alc["seg"] == "MOA" and line_alc["when"] == {1.1: ["8", "204"]}
    (tmp_path / "mk-orders.yaml").write_text(MERGED.replace("      amount: &moa\n", "      amount: &moa\n"
                                                            "        sequence: 3\n"), encoding="utf-8")
    with pytest.raises(ProfileErrors) as info:
        ProfileRegistry.load([tmp_path])
    assert "mk-orders.yaml:" in str(info.value) and "sequence" in str(info.value)


UBL_ORDER = b"""<?xml version="1.0" encoding="UTF-8"?>
<Order xmlns="urn:oasis:names:specification:ubl:schema:xsd:Order-2"
 xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
 xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
 <cbc:UBLVersionID>2.1</cbc:UBLVersionID><cbc:ID>PO-U1</cbc:ID><cbc:IssueDate>2026-11-30</cbc:IssueDate>
 <cac:BuyerCustomerParty><cac:Party>
  <cac:PartyIdentification><cbc:ID>CUST-0042</cbc:ID></cac:PartyIdentification>
  <cac:PartyIdentification><cbc:ID schemeID="GLN">4098765000002</cbc:ID></cac:PartyIdentification>
  <cac:PartyName><cbc:Name>Nordkauf</cbc:Name></cac:PartyName></cac:Party></cac:BuyerCustomerParty>
 <cac:OrderLine><cac:LineItem><cbc:ID>1</cbc:ID><cbc:Quantity unitCode="EA">2</cbc:Quantity>
  <cbc:LineExtensionAmount currencyID="NOK">20</cbc:LineExtensionAmount>
  <cac:Item><cbc:Name>W</cbc:Name><cac:SellersItemIdentification><cbc:ID>WB-100</cbc:ID></cac:SellersItemIdentification>
  </cac:Item></cac:LineItem></cac:OrderLine>
</Order>"""


def test_ubl_party_id_without_scheme_is_read_only(registry: ProfileRegistry, tmp_path: Path) -> None:
    """H: cbc:ID[not(@schemeID)] is read as ids.id next to the GLN, and never written back; I: no
    DocumentCurrencyCode, so the first amount's currencyID is the order's currency."""
    tp = _xml_partner("ubl-2.1-order", "Order")
    result = parse(UBL_ORDER)
    assert [str(i) for i in result.errors] == []
    [doc] = translate(result.transactions[0], tp, registry)
    buyer = doc.party("buyer")
    assert buyer is not None and buyer.ids == {"gln": "4098765000002", "id": "CUST-0042"}
    assert doc.currency == "NOK"
    journal = SqliteJournal(tmp_path / "j.sqlite3")
    try:
        out = render(doc, tp, registry, journal, "Order", now=RENDER_TIME).data.decode()
    finally:
        journal.close()
    assert "CUST-0042" not in out and "4098765000002" in out and 'currencyID="NOK"' in out


@pytest.mark.parametrize(("fmt", "raw", "expected"), [
    ("ISO", "2026/11/30", "is not written CCYY-MM-DD (like 2026-11-30)"),     # passed as 2026-11-30
    ("ISO", "30/11/2026", "is not written CCYY-MM-DD (like 2026-11-30)"),     # said "no such day"
    ("DD.MM.CCYY", "30/11/2026", "is not written DD.MM.CCYY (like 30.11.2026)"),
    ("MM/DD/CCYY", "11.30.2026", "is not written MM/DD/CCYY (like 11/30/2026)"),
])
def test_a_date_with_other_separators_says_which_format_was_expected(fmt: str, raw: str, expected: str) -> None:
    from gateway.translate.values import date_in
    with pytest.raises(ValueError, match=re.escape(f"date {raw!r} {expected}")):
        date_in(fmt)(raw)
    assert date_in(fmt)({"ISO": "2026-11-30", "DD.MM.CCYY": "30.11.2026", "MM/DD/CCYY": "11/30/2026"}[fmt]) \
        == "2026-11-30"
