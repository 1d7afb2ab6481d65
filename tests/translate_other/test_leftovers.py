"""Functional leftovers of issue #4: the 846 SCH line item schedule, cXML requestedDeliveryDate
written outbound, EDIFACT item ids sent without a type code.

Given a canonical document, when it is rendered with a base profile, then the file says what
the standard wants and translating it back gives the document again; given a partner's file,
when it is translated, then the canonical document carries what the file said.
"""

from __future__ import annotations

import json
import os
from datetime import UTC
from pathlib import Path
from typing import Any

import pytest

from gateway.config.models import DocumentSettings, OurIds, PartnerConfig, X12Id, X12Settings
from gateway.formats import x12
from gateway.formats.x12_validate import validate_transaction
from gateway.journal.sqlite import SqliteJournal
from gateway.translate import ProfileRegistry, render, translate
from gateway.translate.canonical import Document, from_dict
from gateway.translate.inbound import to_plain
from tests.helpers.profiles import base_profiles
from tests.translate_other.conftest import RENDER_TIME

OUR = OurIds(x12=X12Id(qualifier="ZZ", id="ACMEDIST"), xml="0614141000005")


@pytest.fixture(scope="module")
def base() -> ProfileRegistry:
    return base_profiles()


def _json(doc: Document) -> dict[str, Any]:
    """The canonical JSON as the journal stores it (numbers as strings, no empty fields)."""
    data: dict[str, Any] = json.loads(doc.model_dump_json(exclude_none=True))
    return data


def _x12_partner(doc_type: str, profile: str, version: str) -> PartnerConfig:
    return PartnerConfig(id="p1", x12=X12Settings(ids=[X12Id(qualifier="ZZ", id="P1")], version=version),
                         documents=[DocumentSettings(type=doc_type, direction="out", profile=profile)])


def _x12(body: str, version: str = "004010") -> bytes:
    """An interchange around one transaction set's segments (ST..SE counted here)."""
    segs = [s for s in body.split("~") if s]
    st = f"ST*{segs[0][:3]}*0001" + (f"*{version}" if version >= "005010" else "")
    tx = [st, *segs[1:]]
    tx.append(f"SE*{len(tx) + 1}*0001")
    isa = (f"ISA*00*          *00*          *ZZ*P1             *ZZ*US             *261201*1200*"
           f"{'^' if version >= '005010' else 'U'}*{'00501' if version >= '005010' else '00401'}*000000007*0*P*>")
    return "~".join([isa, f"GS*IB*P1*US*20261201*1200*7*X*{version}", *tx, "GE*1*7", "IEA*1*000000007", ""]).encode()


# ---------------------------------------------------------------- 846: SCH line item schedule

def _inventory() -> Document:
    return from_dict({
        "doc_type": "InventoryAdvice", "number": "INV-20261201", "date": "2026-12-01",
        "lines": [
            {"line_no": "1", "item_ids": {"vendor": "WB-100", "upc": "614141000012"},
             "quantities": [{"qualifier": "available", "value": "452", "unit": "EA"},
                            {"qualifier": "on_hand", "value": "500", "unit": "EA"}]},
            {"line_no": "2", "item_ids": {"vendor": "SP-500"},
             "quantities": [{"qualifier": "available", "value": "0", "unit": "EA"},
                            {"qualifier": "on_order", "value": "120", "unit": "CS", "date": "2026-12-11"},
                            {"qualifier": "on_order", "value": "80", "unit": "EA", "date": "2026-12-18"}]},
        ]})


@pytest.mark.parametrize("version", ["004010", "005010"])
def test_846_dated_quantities_render_as_qty_with_sch_and_read_back(version: str, base: ProfileRegistry,
                                                                   journal: SqliteJournal) -> None:
    doc = _inventory()
    partner = _x12_partner("846", f"x12-{version}-846", version)
    rendered = render(doc, partner, base, journal, "846", our_ids=OUR, now=RENDER_TIME)
    text = rendered.data.decode()
    body = text[text.index("LIN*2"):text.index("CTT")]
    assert body.replace("\n", "").split("~")[:-1] == ["LIN*2*VN*SP-500", "QTY*33*0*EA",
                                    "QTY*63*120*CA", "SCH*120*CA***018*20261211",
                                    "QTY*63*80*EA", "SCH*80*EA***018*20261218"]
    assert "DTM*018" not in text                   # the date goes in SCH, not in a DTM
    result = x12.parse(rendered.data)
    assert not result.errors
    tx = result.transactions[0]
    assert validate_transaction(tx) == []          # SCH sits in the QTY loop of the 846 set
    back = translate(tx, partner, base, profile=f"x12-{version}-846")
    assert to_plain(back[0])["lines"] == to_plain(doc)["lines"]


def test_846_sch_and_partner_dtm_dates_are_read_into_the_quantity(base: ProfileRegistry) -> None:
    data = _x12("846~BIA*00*MM*INV-7*20261201~LIN*1*VN*A1~QTY*33*0*EA~SCH*25*EA***018*20261215"
                "~LIN*2*VN*A2~QTY*17*5*EA~DTM*018*20261220~QTY*63*40*EA~CTT*2")
    result = x12.parse(data)
    assert not result.errors
    tx = result.transactions[0]
    assert validate_transaction(tx) == []
    doc = translate(tx, None, base)[0]
    lines = _json(doc)["lines"]
    # none now, 25 from the 15th: the SCH adds to QTY02 (see test_inventory_schedule for a split)
    assert lines[0]["quantities"] == [{"qualifier": "available", "value": "0", "unit": "EA"},
                                      {"qualifier": "available", "value": "25", "unit": "EA", "date": "2026-12-15"}]
    assert lines[1]["quantities"] == [{"qualifier": "on_hand", "value": "5", "unit": "EA", "date": "2026-12-20"},
                                      {"qualifier": "on_order", "value": "40", "unit": "EA"}]


# ---------------------------------------------------------------- EDIFACT: item ids without a type code

EDI_ORDER = (b"UNA:+.? 'UNB+UNOC:3+4000000000009:14+0614141000005:14+261127:0815+EH1'"
             b"UNH+1+ORDERS:D:96A:UN'BGM+220+PO-77+9'DTM+137:20261127:102'"
             b"NAD+BY+4000000000009::9'NAD+SU+0614141000005::9'CUX+2:EUR:9'"
             b"LIN+1++4711.001'PIA+1+BX-7:IN'QTY+21:5:PCE'"
             b"LIN+2++0614141000029:EN'PIA+5+WR-200'QTY+21:3:PCE'"
             b"UNS+S'CNT+2:2'UNT+15+1'UNZ+1+EH1'")


def _edifact_partner(profile: str) -> PartnerConfig:
    return PartnerConfig.model_validate({
        "id": "eh", "edifact": {"ids": [{"qualifier": "14", "id": "4000000000009"}], "version": "D96A"},
        "documents": [{"type": "ORDERS", "direction": "out", "profile": profile},
                      {"type": "ORDERS", "direction": "in", "profile": profile}]})


def _read_edifact(data: bytes, reg: ProfileRegistry, partner: PartnerConfig, profile: str) -> Any:
    """The one document of `data` (Any: each test knows it is a PurchaseOrder)."""
    from gateway.formats import parse
    result = parse(data)
    assert [str(i) for i in result.errors] == []
    [doc] = translate(result.transactions[0], partner, reg, profile=profile)
    return doc


def _render_edifact(doc: Document, reg: ProfileRegistry, partner: PartnerConfig, journal: SqliteJournal) -> bytes:
    our = OurIds.model_validate({"edifact": {"qualifier": "14", "id": "0614141000005"}})
    return render(doc, partner, reg, journal, "ORDERS", our_ids=our, now=RENDER_TIME).data


def test_edifact_untyped_item_id_is_kept_as_id_by_the_base(base: ProfileRegistry, journal: SqliteJournal) -> None:
    """Whose number an id without a type code is, the standard does not say: the base keeps it as `id`
    (shown by `translate`, named in Odoo's "no product" error) next to the typed ids of the line,
    and writes it back without a type code."""
    partner = _edifact_partner("edifact-d96a-orders")
    doc = _read_edifact(EDI_ORDER, base, partner, "edifact-d96a-orders")
    assert [ln.item_ids for ln in doc.lines] == [{"id": "4711.001", "buyer_item": "BX-7"},
                                                  {"ean": "0614141000029", "id": "WR-200"}]
    out = _render_edifact(doc, base, partner, journal)
    assert b"PIA+5+BX-7:IN+4711.001'" in out and b"PIA+5+WR-200'" in out   # no type code invented
    back = _read_edifact(out, base, partner, "edifact-d96a-orders")
    assert [ln.item_ids for ln in back.lines] == [ln.item_ids for ln in doc.lines]


def test_edifact_untyped_item_id_is_the_partners_convention_in_yaml(tmp_path: Any, journal: SqliteJournal) -> None:
    """Given a partner whose untyped ids are its own article numbers, when its ORDERS is read,
    then they are `buyer` ids (what Odoo matches in product.customerinfo); rendered again they
    carry the type code of a buyer's number (BP) and read back the same."""
    (tmp_path / "eh-orders.yaml").write_text(
        "extends: edifact-d96a-orders\n"
        "codes:\n"
        "  item_types: {\"\": buyer}\n", encoding="utf-8")
    reg = ProfileRegistry.load([tmp_path])
    partner = _edifact_partner("eh-orders")
    doc = _read_edifact(EDI_ORDER, reg, partner, "eh-orders")
    assert [ln.item_ids for ln in doc.lines] == [{"buyer": "4711.001", "buyer_item": "BX-7"},
                                                  {"ean": "0614141000029", "buyer": "WR-200"}]
    out = _render_edifact(doc, reg, partner, journal)
    assert b"4711.001:BP" in out and b"WR-200:BP" in out
    back = _read_edifact(out, reg, partner, "eh-orders")
    assert [ln.item_ids for ln in back.lines] == [ln.item_ids for ln in doc.lines]
    (tmp_path / "eh-orders.yaml").write_text(          # ... or untyped, as it sends them
        "extends: edifact-d96a-orders\n"
        "codes:\n"
        "  item_types: {\"\": buyer, _out: {buyer: \"\"}}\n", encoding="utf-8")
    reg = ProfileRegistry.load([tmp_path])
    out = _render_edifact(doc, reg, partner, journal)
    assert b":BP" not in out and b"PIA+5+BX-7:IN+4711.001'" in out
    back = _read_edifact(out, reg, partner, "eh-orders")
    assert [ln.item_ids for ln in back.lines] == [ln.item_ids for ln in doc.lines]


def test_edifact_untyped_ids_differ_between_lin_and_pia_per_node(tmp_path: Any) -> None:
    """LIN03 without a type is the GTIN, a PIA id without one is our (the supplier's) number."""
    (tmp_path / "eh2-orders.yaml").write_text(
        "extends: edifact-d96a-orders\n"
        "codes:\n"
        "  lin_types: {\"\": ean, EN: ean, SRV: gtin, UP: upc}\n"
        "  item_types: {\"\": vendor}\n"
        "structure:\n"
        "  lines:\n"
        "    fields:\n"
        "      item_ids: {pairs: 3, components: [1, 2], max: 1, codes: lin_types, only: [ean, gtin, upc]}\n",
        encoding="utf-8")
    reg = ProfileRegistry.load([tmp_path])
    data = EDI_ORDER.replace(b"LIN+1++4711.001'", b"LIN+1++0614141000012'")
    doc = _read_edifact(data, reg, _edifact_partner("eh2-orders"), "eh2-orders")
    assert [ln.item_ids for ln in doc.lines] == [{"ean": "0614141000012", "buyer_item": "BX-7"},
                                                  {"ean": "0614141000029", "vendor": "WR-200"}]


# ---------------------------------------------------------------- cXML: requestedDeliveryDate both ways

UPDATE = os.environ.get("EDI_GOLDEN_UPDATE") == "1"
EXPECTED = Path(__file__).resolve().parent / "expected"


def _cxml_order() -> Document:
    return from_dict({
        "doc_type": "PurchaseOrder", "number": "PO-4711", "date": "2026-11-30", "currency": "USD",
        "parties": [{"role": "ship_to", "name": "Northwind Store 42", "ids": {"buyer": "ST-42"},
                     "address": {"lines": ["1 Main St"], "city": "Springfield", "postal_code": "12345",
                                 "country": "US"}}],
        "lines": [
            {"line_no": "1", "item_ids": {"vendor": "WB-100"}, "description": "Blue Widget", "quantity": "24",
             "unit": "EA", "unit_price": "12.50",
             "dates": [{"qualifier": "requested_delivery", "date": "2026-12-07"}]},
            {"line_no": "2", "item_ids": {"vendor": "WR-200"}, "description": "Red Widget", "quantity": "6",
             "unit": "EA", "unit_price": "3.00"},
        ],
        "totals": {"total_amount": "318.00"}})


def test_cxml_requested_delivery_date_is_written_and_read_back(base: ProfileRegistry, journal: SqliteJournal) -> None:
    """Given an order whose first line has a requested delivery date, when it is rendered as a cXML
    OrderRequest, then that ItemOut (only) carries requestedDeliveryDate, the bytes are the reviewed
    ones, and reading them back gives the order again."""
    partner = PartnerConfig.model_validate({
        "id": "ariba-buyer", "xml": {"ids": ["AN01000000001"]},
        "documents": [{"type": "OrderRequest", "direction": "out", "profile": "cxml-orderrequest"}]})
    doc = _cxml_order()
    rendered = render(doc, partner, base, journal, "OrderRequest",
                      our_ids=OurIds.model_validate({"xml": "DUNS:123456789"}), now=RENDER_TIME.replace(tzinfo=UTC))
    text = rendered.data.decode()
    items = text.split("<ItemOut ")[1:]
    assert 'requestedDeliveryDate="2026-12-07"' in items[0] and "requestedDeliveryDate" not in items[1]
    path = EXPECTED / "cxml_OrderRequest.xml"
    if UPDATE:
        path.write_bytes(rendered.data)
    assert rendered.data == path.read_bytes()
    from gateway.formats import parse
    result = parse(rendered.data)
    assert [str(i) for i in result.errors] == []
    [back] = translate(result.transactions[0], partner, base, profile="cxml-orderrequest")
    assert back.model_dump(exclude={"source"}) == doc.model_dump(exclude={"source"})
