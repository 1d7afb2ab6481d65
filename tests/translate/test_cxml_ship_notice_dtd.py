"""The cXML ShipNoticeRequest we write names the DTD that declares it and orders each item's children as that
DTD does: the BigBox golden ship notice rendered through the shipped profile, checked, and read back."""

from __future__ import annotations

import json

from lxml import etree

from gateway.config.loader import LoadedConfig
from gateway.config.models import OurIds, PartnerConfig
from gateway.formats import parse
from gateway.journal.sqlite import SqliteJournal
from gateway.translate import render, translate
from gateway.translate.canonical import from_json
from tests.helpers.content_models import Models, problems
from tests.translate.conftest import GOLDEN, RENDER_TIME

CXML = PartnerConfig.model_validate({"id": "cxml-buyer", "xml": {"ids": ["4000000000009"]}, "documents": [
    {"type": "ShipNoticeRequest", "direction": d, "profile": "cxml-shipnoticerequest"} for d in ("in", "out")]})

# cXML 1.2.050 Fulfill.dtd: the item and its portion, as far as the profile writes them
MODELS: Models = {
    "ShipNoticeItem": (["ItemID?", "ShipNoticeItemDetail?", "UnitOfMeasure"], ["quantity"]),
    "ShipNoticeItemDetail": (["UnitPrice?", "Description*", "UnitOfMeasure?", "PriceBasisQuantity?", "Classification*",
                              "ManufacturerPartID?", "ManufacturerName?", "Dimension*", "ItemDetailIndustry?",
                              "Extrinsic*"], []),
    "Description": ([], ["{http://www.w3.org/XML/1998/namespace}lang"]),
    "ItemID": (["SupplierPartID"], []),
    "ShipControl": (["CarrierIdentifier", "CarrierIdentifier*", "ShipmentIdentifier", "ShipmentIdentifier*"], []),
}


def test_a_ship_notice_is_declared_by_fulfill_dtd_and_its_items_are_in_order(
        journal: SqliteJournal, config: LoadedConfig) -> None:
    """Written before under cXML.dtd (which has no ShipNoticeRequest), each ShipNoticeItem with its
    UnitOfMeasure before its ItemID and a Description the DTD only allows inside a ShipNoticeItemDetail,
    and a ShipControl without the ShipmentIdentifier it requires (the 856 has a bill of lading, no tracking
    number: the bill of lading is written there)."""
    raw = json.loads((GOLDEN / "bigbox" / "856_ship_notice.json").read_text())
    doc = from_json(json.dumps(raw[0] if isinstance(raw, list) else raw).encode())
    data = render(doc, CXML, config.profiles, journal, "ShipNoticeRequest",
                  our_ids=OurIds.model_validate({"xml": "0614141000005"}), now=RENDER_TIME).data
    assert b'<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.050/Fulfill.dtd">' in data
    assert b"<ShipmentIdentifier>BOL-0042-7781</ShipmentIdentifier>" in data
    assert problems(etree.fromstring(data), MODELS) == []
    back = translate(parse(data).transactions[0], CXML, config.profiles)[0]
    items = [(i.item_ids.get("vendor"), str(i.quantity)) for o in back.orders for i in o.items]  # type: ignore[attr-defined]
    assert sorted(items) == [("GL-300", "6"), ("WB-100", "24"), ("WR-200", "48")]


def test_each_item_s_description_is_written_in_its_ship_notice_item_detail(
        journal: SqliteJournal, config: LoadedConfig) -> None:
    """A ship notice item's description was not written (it was thought to need a UnitPrice, which an ASN has
    not): it goes in the item's ShipNoticeItemDetail (UnitPrice?, Description*, UnitOfMeasure?, ...), with its
    language and the item's unit, and is read back. An item without one gets no detail; a sender's detail with a
    price, or an older sender's bare Description, is read too."""
    raw = json.loads((GOLDEN / "bigbox" / "856_ship_notice.json").read_text())
    doc = from_json(json.dumps(raw[0] if isinstance(raw, list) else raw).encode())
    data = render(doc, CXML, config.profiles, journal, "ShipNoticeRequest",
                  our_ids=OurIds.model_validate({"xml": "0614141000005"}), now=RENDER_TIME).data
    assert problems(etree.fromstring(data), MODELS) == []
    [item, *_] = etree.fromstring(data).iter("ShipNoticeItem")
    assert [(c.tag, c.text) for c in item.find("ShipNoticeItemDetail")] == [
        ("Description", "BLUE WIDGET"), ("UnitOfMeasure", "EA")]
    back = translate(parse(data).transactions[0], CXML, config.profiles)[0]
    assert sorted(i.description for o in back.orders for i in o.items) == [   # type: ignore[attr-defined]
        "BLUE WIDGET", "GADGET LARGE", "RED WIDGET"]
    plain = doc.model_copy(update={"orders": [o.model_copy(update={"packs": [p.model_copy(update={"items": [
        i.model_copy(update={"description": None}) for i in p.items]}) for p in o.packs]}) for o in doc.orders]})
    bare = render(plain, CXML, config.profiles, journal, "ShipNoticeRequest",
                  our_ids=OurIds.model_validate({"xml": "0614141000005"}), now=RENDER_TIME).data
    assert b"ShipNoticeItemDetail" not in bare and problems(etree.fromstring(bare), MODELS) == []
    priced = data.replace(b'<ShipNoticeItemDetail>', b'<ShipNoticeItemDetail><UnitPrice><Money currency="USD">1'
                          b'</Money></UnitPrice>', 1)
    older = bare.replace(b"<UnitOfMeasure>EA</UnitOfMeasure>", b'<Description xml:lang="en">BLUE WIDGET'
                         b"</Description><UnitOfMeasure>EA</UnitOfMeasure>", 1)
    for sent in (priced, older):
        read = translate(parse(sent).transactions[0], CXML, config.profiles)[0]
        assert read.orders[0].items[0].description == "BLUE WIDGET"                        # type: ignore[attr-defined]


def test_a_carrier_without_tracking_number_or_bill_of_lading_is_identified_by_the_ship_notice_number(
        journal: SqliteJournal, config: LoadedConfig) -> None:
    """A carrier with neither a tracking number nor a bill of lading (its own truck) got a ShipControl without the
    ShipmentIdentifier Fulfill.dtd requires; the ship notice's number is written there, and the carrier kept."""
    raw = json.loads((GOLDEN / "bigbox" / "856_ship_notice.json").read_text())
    doc = from_json(json.dumps(raw[0] if isinstance(raw, list) else raw).encode())
    doc = doc.model_copy(update={"bill_of_lading": None, "tracking_number": None})
    data = render(doc, CXML, config.profiles, journal, "ShipNoticeRequest",
                  our_ids=OurIds.model_validate({"xml": "0614141000005"}), now=RENDER_TIME).data
    assert problems(etree.fromstring(data), MODELS) == []
    control = etree.fromstring(data).find("Request/ShipNoticeRequest/ShipControl")
    assert control is not None and control.findtext("ShipmentIdentifier") == doc.number
    assert control.findtext("CarrierIdentifier") == doc.carrier_scac                     # type: ignore[attr-defined]


def test_the_order_reference_names_the_cxml_order_by_its_payload_id(
        journal: SqliteJournal, config: LoadedConfig) -> None:
    """Fulfill.dtd's OrderReference holds a DocumentReference naming the OrderRequest's payloadID: a ship notice
    whose order came by cXML (source.order_payload_id, from its sale order) writes it; read back, the order is
    the same PO."""
    raw = json.loads((GOLDEN / "bigbox" / "856_ship_notice.json").read_text())
    doc = from_json(json.dumps(raw[0] if isinstance(raw, list) else raw).encode())
    doc = doc.model_copy(update={"source": doc.source.model_copy(update={"order_payload_id": "1701@buyer.example"})})
    data = render(doc, CXML, config.profiles, journal, "ShipNoticeRequest",
                  our_ids=OurIds.model_validate({"xml": "0614141000005"}), now=RENDER_TIME).data
    portion = etree.fromstring(data).find("Request/ShipNoticeRequest/ShipNoticePortion")
    models: Models = {"OrderReference": (["DocumentReference"], []), "DocumentReference": ([], ["payloadID"])}
    assert portion is not None and problems(portion, models) == []
    assert portion.find("OrderReference/DocumentReference").get("payloadID") == "1701@buyer.example"  # type: ignore[union-attr]
    back = translate(parse(data).transactions[0], CXML, config.profiles)[0]
    assert back.orders[0].po_number == doc.orders[0].po_number                         # type: ignore[attr-defined]
