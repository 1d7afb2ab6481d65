"""A cXML OrderRequest written from an order whose allowances give both an amount and a percent (an X12 SAC
with SAC05 and SAC07): each Modification holds one figure, as the DTD requires, and the file still says both.
Rendered through the shipped profile and its hooks, checked against the DTD's content models, read back."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

from gateway.config.loader import LoadedConfig
from gateway.config.models import OurIds, PartnerConfig
from gateway.formats import parse
from gateway.journal.sqlite import SqliteJournal
from gateway.translate import ProfileRegistry, render, translate
from gateway.translate.canonical import AllowanceCharge, Document, from_json
from tests.helpers.content_models import Models, problems
from tests.helpers.profiles import base_profiles
from tests.translate.conftest import GOLDEN, RENDER_TIME

CXML = PartnerConfig.model_validate({"id": "cxml-seller", "xml": {"ids": ["4000000000009"]}, "documents": [
    {"type": "OrderRequest", "direction": d, "profile": "cxml-orderrequest"} for d in ("in", "out")]})
OURS = OurIds.model_validate({"xml": "0614141000005"})

# cXML 1.2.050 (cXML.dtd) content models of the order's elements these tests are about
MODELS: Models = {
    "OrderRequestHeader": (["Total", "ShipTo?", "BillTo", "Comments?"], ["orderID", "orderDate"]),
    "BillTo": (["Address"], []),
    "Address": (["Name", "PostalAddress?", "Email?"], []),
    "Total": (["Money", "Modifications?"], []),
    "UnitPrice": (["Money", "Modifications?"], []),
    "Modifications": (["Modification", "Modification*"], []),
    "Modification": (["OriginalPrice?", "AdditionalDeduction|AdditionalCost", "ModificationDetail"], []),
    "OriginalPrice": (["Money"], []),
    "AdditionalDeduction": (["DeductionAmount|DeductionPercent"], []),
    "AdditionalCost": (["Money|Percentage"], []),
    "DeductionAmount": (["Money"], []),
    "DeductionPercent": ([], ["percent"]),
    "ModificationDetail": (["Description?"], ["name"]),
    "Name": ([], ["{http://www.w3.org/XML/1998/namespace}lang"]),
    "Description": ([], ["{http://www.w3.org/XML/1998/namespace}lang"]),
    "Money": ([], ["currency"]),
}


def _order(header: list[AllowanceCharge], line: list[AllowanceCharge]) -> Document:
    """The BigBox golden 850 (24 x 12.50, 48 x 8.75, 6 x 42.00) with these allowances, and no total."""
    doc = from_json(json.dumps(json.loads((GOLDEN / "bigbox" / "850_4500001234.json").read_text())[0]).encode())
    lines = [doc.lines[0].model_copy(update={"allowances_charges": line}), *doc.lines[1:]]
    totals = doc.totals.model_copy(update={"total_amount": None})                  # type: ignore[attr-defined]
    return doc.model_copy(update={"allowances_charges": header, "lines": lines, "totals": totals})


def _written(doc: Document, journal: SqliteJournal, config: LoadedConfig) -> tuple[str, Document]:
    data = render(doc, CXML, config.profiles, journal, "OrderRequest", our_ids=OURS, now=RENDER_TIME).data
    assert problems(etree.fromstring(data).find("Request/OrderRequest"), MODELS) == []
    return " ".join(data.decode().split()), translate(parse(data).transactions[0], CXML, config.profiles)[0]


def test_an_amount_and_its_percent_are_written_as_the_percent_of_its_original_price(
        journal: SqliteJournal, config: LoadedConfig) -> None:
    """The line's 2 % (6.00 of 24 x 12.50) lost its percent: the hook kept only the amount. The order's own 2 %
    (19.32 of the 966.00 lines) was written with both DeductionAmount and DeductionPercent, which the DTD
    refuses, under a Total with an empty Money. Now each is the percent and its OriginalPrice (so the amount
    stands in the file too), the Total has its Money, and read back the percent of that base is the amount."""
    line = AllowanceCharge(kind="allowance", code="discount", amount=Decimal("6.00"), percent=Decimal(2))
    header = AllowanceCharge(kind="allowance", code="discount", amount=Decimal("19.32"), percent=Decimal(2))
    text, back = _written(_order([header], [line]), journal, config)
    assert ('<Money currency="USD">12.25</Money> <Modifications> <Modification> <OriginalPrice> '
            '<Money currency="USD">12.50</Money> </OriginalPrice> <AdditionalDeduction> <DeductionPercent '
            'percent="2"/>') in text
    assert '<Total> <Money currency="USD">946.68</Money>' in text                # 966.00 less 19.32
    [read_line] = back.lines[0].allowances_charges                                 # type: ignore[attr-defined]
    [read_header] = back.allowances_charges                                        # type: ignore[attr-defined]
    assert back.lines[0].unit_price == Decimal("12.50")                            # type: ignore[attr-defined]
    for read, sent in ((read_line, line), (read_header, header)):
        assert read.percent == sent.percent and read.base_amount is not None
        assert (read.base_amount * read.percent / 100).quantize(Decimal("0.01")) == sent.amount


def test_an_amount_that_is_not_its_percent_is_written_as_the_amount(journal: SqliteJournal,
                                                                     config: LoadedConfig) -> None:
    """A percent of some other base (an X12 SAC06 the order does not carry) cannot be stated beside the amount:
    the Modification holds the amount, what is paid, and holds one figure only."""
    header = AllowanceCharge(kind="allowance", code="discount", amount=Decimal("6.00"), percent=Decimal(2))
    text, back = _written(_order([header], []), journal, config)
    assert "DeductionPercent" not in text
    assert [(c.amount, c.percent) for c in back.allowances_charges] == [(Decimal("6.00"), None)]  # type: ignore[attr-defined]


def test_an_order_naming_only_its_buyer_is_billed_to_the_buyer(journal: SqliteJournal, config: LoadedConfig) -> None:
    """OrderRequestHeader requires a BillTo; an order (the BigBox 850) naming a buyer and no bill-to was written
    without one. The buyer stands in for it, and the file reads back with that bill-to."""
    doc = _order([], [])
    assert doc.party("bill_to") is None and doc.party("buyer") is not None
    text, back = _written(doc, journal, config)
    assert '<BillTo> <Address> <Name xml:lang="en">BIGBOX RETAIL STORES</Name>' in text
    assert back.party("bill_to").name == doc.party("buyer").name                    # type: ignore[union-attr]


# ItemDetail (cXML.dtd 1.2.050), as far as the profile writes it: Classification+ is required, with its domain
ITEM_MODELS: Models = {
    "ItemDetail": (["UnitPrice", "Description", "UnitOfMeasure", "Classification", "Classification*",
                    "ManufacturerPartID?"], []),
    "Classification": ([], ["domain"]),
}
VALIDATING = """\
extends: cxml-orderrequest
description: a buyer whose cXML validator wants each line classified
structure:
  lines:
    fields:
      item_ids.unspsc: {at: "ItemDetail/Classification[@domain='UNSPSC']", default: "44120000"}
"""


def test_an_item_is_classified_by_its_unspsc_code_or_the_partners_default(
        journal: SqliteJournal, tmp_path: Path) -> None:
    """ItemOut/ItemDetail had no Classification, which the DTD requires: a line with a UNSPSC code (item id
    `unspsc`, read from Classification[@domain='UNSPSC']) is classified by it; a partner whose lines come without
    one names its default in its profile. Read back, the code is the line's again."""
    (tmp_path / "validating-order.yaml").write_text(VALIDATING)
    profiles = ProfileRegistry.load([tmp_path])
    partner = PartnerConfig.model_validate({"id": "cxml-seller", "xml": {"ids": ["4000000000009"]}, "documents": [
        {"type": "OrderRequest", "direction": d, "profile": "validating-order"} for d in ("in", "out")]})
    doc = _order([], [])
    first = doc.lines[0].model_copy(update={"item_ids": {**doc.lines[0].item_ids, "unspsc": "44121600"}})
    doc = doc.model_copy(update={"lines": [first, *doc.lines[1:]]})
    data = render(doc, partner, profiles, journal, "OrderRequest", our_ids=OURS, now=RENDER_TIME).data
    root = etree.fromstring(data)
    assert problems(root.find("Request/OrderRequest"), ITEM_MODELS) == []
    assert [(c.get("domain"), c.text) for c in root.iter("Classification")] == [
        ("UNSPSC", "44121600"), ("UNSPSC", "44120000"), ("UNSPSC", "44120000")]
    back = translate(parse(data).transactions[0], partner, profiles)[0]
    assert back.lines[0].item_ids["unspsc"] == "44121600"                              # type: ignore[attr-defined]
    plain = render(doc, CXML, base_profiles(), journal, "OrderRequest", our_ids=OURS, now=RENDER_TIME).data
    assert [c.text for c in etree.fromstring(plain).iter("Classification")] == ["44121600"]   # no default: none


@pytest.mark.parametrize(("zone", "stamp"), [("America/Los_Angeles", "2026-11-27T00:00:00-08:00"),
                                             ("Europe/Berlin", "2026-11-27T00:00:00+01:00"),
                                             (None, "2026-11-27T00:00:00+00:00")])
def test_the_order_date_is_the_day_s_start_in_the_order_s_day_zone(
        zone: str | None, stamp: str, journal: SqliteJournal, config: LoadedConfig) -> None:
    """An outbound OrderRequest wrote its orderDate as the day's start in UTC whatever zone the order's days are
    told in (source.day_zone), where the invoice and ship notice use theirs: UTC midnight of 27 November is the
    26th, 16:00, to a buyer reading it in Pacific time. It is the day's start in that zone (winter time there),
    in UTC for an order naming none; read back as the day."""
    doc = _order([], [])
    doc = doc.model_copy(update={"source": doc.source.model_copy(update={"day_zone": zone})})
    data = render(doc, CXML, config.profiles, journal, "OrderRequest", our_ids=OURS, now=RENDER_TIME).data
    header = etree.fromstring(data).find("Request/OrderRequest/OrderRequestHeader")
    assert header is not None and header.get("orderDate") == stamp
    assert translate(parse(data).transactions[0], CXML, config.profiles)[0].date == "2026-11-27"
