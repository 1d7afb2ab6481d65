"""The cXML InvoiceDetailRequest we write is one the buyer's DTD-validating parser takes, and it says what the
canonical invoice says: each test renders the BigBox golden invoice through the shipped profile and its hook,
checks the written file against the cXML 1.2 content models it uses, and reads the file back."""

from __future__ import annotations

from decimal import Decimal

import pytest
from lxml import etree

from gateway.config.loader import LoadedConfig
from gateway.config.models import OurIds, PartnerConfig
from gateway.errors import TranslationError
from gateway.formats import parse
from gateway.journal.sqlite import SqliteJournal
from gateway.translate import render, translate
from gateway.translate.canonical import AllowanceCharge, Document, Tax, from_json
from tests.helpers.content_models import problems
from tests.translate.conftest import GOLDEN, RENDER_TIME

CXML = PartnerConfig.model_validate({"id": "cxml-buyer", "xml": {"ids": ["4000000000009"]}, "documents": [
    {"type": "InvoiceDetailRequest", "direction": d, "profile": "cxml-invoicedetailrequest"} for d in ("in", "out")]})
OURS = OurIds.model_validate({"xml": "0614141000005"})
LINES_TOTAL = Decimal("972.00")          # 24 x 12.50 + 48 x 8.75 + 6 x 42.00, the golden invoice's lines

# cXML 1.2.050 (InvoiceDetail.dtd, Common.mod) content models of the elements this profile writes, read from the
# DTD: the children in their order, "?" optional, "*" repeatable; `|` alternatives; required attributes after "@".
MODELS: dict[str, tuple[list[str], list[str]]] = {
    "InvoiceDetailRequest": (["InvoiceDetailRequestHeader", "InvoiceDetailOrder", "InvoiceDetailOrder*",
                             "InvoiceDetailSummary"], []),
    "InvoiceDetailRequestHeader": (["InvoiceDetailHeaderIndicator", "InvoiceDetailLineIndicator", "PaymentTerm*",
                                    "Comments?", "Extrinsic*"],
                                   ["invoiceID", "purpose", "operation", "invoiceDate"]),
    "PaymentTerm": (["Discount?", "Extrinsic*"], ["payInNumberOfDays"]),
    "Discount": (["DiscountPercent|DiscountAmount"], []),
    "DiscountPercent": ([], ["percent"]),
    "InvoiceDetailOrder": (["InvoiceDetailOrderInfo", "InvoiceDetailItem", "InvoiceDetailItem*"], []),
    "InvoiceDetailOrderInfo": (["OrderIDInfo|OrderReference"], []),
    "OrderIDInfo": ([], ["orderID"]),
    "InvoiceDetailItem": (["UnitOfMeasure", "UnitPrice", "InvoiceDetailItemReference", "SubtotalAmount?", "Tax?"],
                          ["invoiceLineNumber", "quantity"]),
    "UnitPrice": (["Money"], []),
    "InvoiceDetailItemReference": (["ItemID?", "Description?"], ["lineNumber"]),
    "ItemID": (["SupplierPartID"], []),
    "Description": ([], ["{http://www.w3.org/XML/1998/namespace}lang"]),
    "InvoiceDetailSummary": (["SubtotalAmount", "Tax", "SpecialHandlingAmount?", "ShippingAmount?",
                              "InvoiceDetailDiscount?", "InvoiceHeaderModifications?", "NetAmount", "DueAmount?"],
                             []),
    "SubtotalAmount": (["Money"], []),
    "Tax": (["Money", "Description", "TaxDetail*"], []),
    "TaxDetail": (["TaxableAmount?", "TaxAmount", "Description?"], ["category"]),
    "TaxableAmount": (["Money"], []),
    "TaxAmount": (["Money"], []),
    "SpecialHandlingAmount": (["Money", "Description?"], []),
    "ShippingAmount": (["Money"], []),
    "InvoiceDetailDiscount": (["Money"], []),
    "InvoiceHeaderModifications": (["Modification", "Modification*"], []),
    "Modification": (["AdditionalDeduction|AdditionalCost", "ModificationDetail"], []),
    "AdditionalDeduction": (["DeductionAmount|DeductionPercent"], []),
    "AdditionalCost": (["Money|Percentage"], []),
    "DeductionAmount": (["Money"], []),
    "ModificationDetail": (["Description?"], ["name"]),
    "NetAmount": (["Money"], []),
    "Money": ([], ["currency"]),
}


def _invoice(**changes: object) -> Document:
    return from_json((GOLDEN / "bigbox" / "810_invoice.json").read_bytes()).model_copy(update=changes)


def _written(doc: Document, journal: SqliteJournal, config: LoadedConfig) -> tuple[bytes, Document]:
    """The file rendered (and checked, as the scheduler does), its DTD problems none, and the invoice read back."""
    data = render(doc, CXML, config.profiles, journal, "InvoiceDetailRequest", our_ids=OURS, now=RENDER_TIME).data
    request = etree.fromstring(data).find("Request/InvoiceDetailRequest")
    assert problems(request, MODELS) == []
    return data, translate(parse(data).transactions[0], CXML, config.profiles)[0]


def _summary(data: bytes) -> str:
    return " ".join(data.decode().split()).split("<InvoiceDetailSummary>")[1]


def test_the_golden_invoice_meets_the_invoice_dtd(journal: SqliteJournal, config: LoadedConfig) -> None:
    """The BigBox golden invoice (freight, no tax, no lines total) was written with an empty SubtotalAmount Money,
    no Tax, no header indicators, an OrderReference without its DocumentReference, item references without
    lineNumber, descriptions without xml:lang, PaymentTerm days "2% 30 NET 45", under cXML.dtd (which declares
    no InvoiceDetailRequest). Now each element has what InvoiceDetail.dtd requires, in its order."""
    data, back = _written(_invoice(), journal, config)
    assert b'<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.050/InvoiceDetail.dtd">' in data
    summary = _summary(data)
    assert f'<SubtotalAmount> <Money currency="USD">{LINES_TOTAL}</Money> </SubtotalAmount>' in summary
    assert '<Tax> <Money currency="USD">0.00</Money> <Description xml:lang="en">no tax</Description> </Tax>' in summary
    assert b'<OrderIDInfo orderID="4500001234"/>' in data and b'<PaymentTerm payInNumberOfDays="45"/>' in data
    assert back.totals.lines_amount == LINES_TOTAL and back.totals.tax_amount == 0   # type: ignore[attr-defined]
    assert back.po_number == "4500001234"                                             # type: ignore[attr-defined]


def test_taxes_are_named_in_the_tax_description(journal: SqliteJournal, config: LoadedConfig) -> None:
    """Tax needs its Description; with taxes it names them, and each TaxDetail keeps its figures."""
    taxes = [Tax(type="sales", rate=Decimal("9.5"), taxable_amount=LINES_TOTAL, amount=Decimal("92.34"))]
    data, back = _written(_invoice(taxes=taxes), journal, config)
    assert '<Money currency="USD">92.34</Money> <Description xml:lang="en">sales tax</Description>' in _summary(data)
    assert back.taxes == taxes                                                         # type: ignore[attr-defined]


def test_a_discount_given_as_a_percent_is_written_with_its_money(journal: SqliteJournal,
                                                                  config: LoadedConfig) -> None:
    """An 810's SAC*A*C310 with only SAC07 (2 %) was an InvoiceDetailDiscount with no Money; the DTD requires
    it. Its Money is the percent of the lines total (the buyer's computation), the percent stays beside it."""
    discount = AllowanceCharge(kind="allowance", code="discount", percent=Decimal(2))
    data, back = _written(_invoice(allowances_charges=[discount]), journal, config)
    assert '<InvoiceDetailDiscount percentageRate="2"> <Money currency="USD">19.44</Money>' in _summary(data)
    assert back.allowances_charges == [discount.model_copy(update={"amount": Decimal("19.44")})]  # type: ignore[attr-defined]


def test_two_freight_charges_are_one_shipping_amount(journal: SqliteJournal, config: LoadedConfig) -> None:
    """The summary has one ShippingAmount; a second freight charge made a second one, which the DTD refuses.
    They are written as their sum, what the buyer pays for freight, and the check accepts it."""
    freight = [AllowanceCharge(kind="charge", code="freight", amount=Decimal("35.00")),
               AllowanceCharge(kind="charge", code="freight", amount=Decimal("12.50"), description="Liftgate")]
    refund = AllowanceCharge(kind="allowance", code="freight", amount=Decimal("5.00"))   # no ShippingAmount: a
    data, back = _written(_invoice(allowances_charges=[*freight, refund]), journal, config)  # Modification
    assert _summary(data).count("<ShippingAmount>") == 1
    assert back.allowances_charges == [AllowanceCharge(kind="charge", code="freight",  # type: ignore[attr-defined]
                                                       amount=Decimal("47.50")), refund]


def test_an_allowance_with_a_description_and_no_code_is_named_by_it(journal: SqliteJournal,
                                                                       config: LoadedConfig) -> None:
    """ModificationDetail/@name is required; an allowance with a description and no code had none. It is named
    by its description; one with neither is refused, saying why, rather than written unnamed."""
    coop = AllowanceCharge(kind="allowance", description="Co-op advertising", amount=Decimal("4.00"))
    data, back = _written(_invoice(allowances_charges=[coop]), journal, config)
    assert ('<ModificationDetail name="Co-op advertising"> <Description xml:lang="en">Co-op advertising'
            '</Description>') in _summary(data)
    [read] = back.allowances_charges                                                  # type: ignore[attr-defined]
    assert (read.kind, read.amount, read.description) == ("allowance", Decimal("4.00"), "Co-op advertising")
    with pytest.raises(TranslationError, match="has neither a code nor a description"):
        _written(_invoice(allowances_charges=[coop.model_copy(update={"description": None})]), journal, config)


def test_a_modification_with_an_amount_and_a_percent_writes_one_figure(journal: SqliteJournal,
                                                                        config: LoadedConfig) -> None:
    """AdditionalDeduction holds DeductionAmount or DeductionPercent, not both: the Money, which is paid."""
    g830 = AllowanceCharge(kind="allowance", code="G830", amount=Decimal("9.72"), percent=Decimal(1))
    data, back = _written(_invoice(allowances_charges=[g830]), journal, config)
    assert "DeductionPercent" not in _summary(data)
    assert [(c.code, c.amount) for c in back.allowances_charges] == [("G830", Decimal("9.72"))]  # type: ignore[attr-defined]


def test_the_dtd_check_sees_what_it_is_for() -> None:
    """The content-model walk above finds a missing required child, a wrong order and a missing attribute."""
    bad = etree.fromstring('<InvoiceDetailSummary><Tax><Money currency="USD">0</Money></Tax><SubtotalAmount>'
                           '<Money>1</Money></SubtotalAmount><NetAmount><Money currency="USD"/></NetAmount>'
                           '</InvoiceDetailSummary>')
    found = problems(bad, MODELS)
    assert "Tax: no Description where its end is" in found and "Money: no @currency" in found
    assert "Money: empty" in found and any("out of place" in p for p in found)



def test_tax_details_name_cxml_categories(journal: SqliteJournal, config: LoadedConfig) -> None:
    """TaxDetail/@category was the canonical word ("VAT", "state_and_local"); a buyer's cXML validator knows
    its lowercase categories (sales, usage, vat, gst). A US state or local tax is a sales tax; a tax without a
    type is the canonical default, VAT; both read back as the canonical words."""
    taxes = [Tax(type="VAT", rate=Decimal(20), amount=Decimal("10.00")),
             Tax(type="state_and_local", amount=Decimal("2.00")), Tax(type="", amount=Decimal("1.00"))]
    data, back = _written(_invoice(taxes=taxes), journal, config)
    categories = etree.fromstring(data).xpath("//TaxDetail/@category")
    assert categories == ["vat", "sales", "vat"]
    assert [t.type for t in back.taxes] == ["VAT", "sales", "VAT"]                     # type: ignore[attr-defined]


EARLY_30 = ('<PaymentTerm payInNumberOfDays="30"> <Discount> <DiscountPercent percent="2"/> </Discount> '
            '</PaymentTerm> <PaymentTerm payInNumberOfDays="45"/>')
EARLY_10 = ('<PaymentTerm payInNumberOfDays="10"> <Discount> <DiscountPercent percent="1.5"/> </Discount> '
            '</PaymentTerm> <PaymentTerm payInNumberOfDays="30"/>')


@pytest.mark.parametrize(("terms", "written", "read"), [
    ("2% 30 NET 45", EARLY_30, "2% 30 NET 45"),
    ("1.5/10 NET 30", EARLY_10, "1.5% 10 NET 30"),
    ("NET 60", '<PaymentTerm payInNumberOfDays="60"/>', "60"),
])
def test_an_early_pay_discount_is_a_payment_term_with_its_discount(
        terms: str, written: str, read: str, journal: SqliteJournal, config: LoadedConfig) -> None:
    """An 810's "2% 30 NET 45" was written as its net days alone: the buyer never saw the 2 % it may take when
    paying within 30 days. Each tier is a PaymentTerm, the early one with its Discount; read back as the text."""
    data, back = _written(_invoice(terms=terms), journal, config)
    header = " ".join(data.decode().split()).split("<InvoiceDetailLineIndicator/>")[1]
    assert header.startswith(f" {written} </InvoiceDetailRequestHeader>")
    assert back.terms == read                                                          # type: ignore[attr-defined]


@pytest.mark.parametrize(("zone", "stamp"), [("Europe/Berlin", "2026-07-01T00:00:00+02:00"),
                                             ("America/Chicago", "2026-07-01T00:00:00-05:00"),
                                             (None, "2026-07-01T00:00:00+00:00")])
def test_the_invoice_date_is_a_timestamp_in_the_zone_of_its_day(
        zone: str | None, stamp: str, journal: SqliteJournal, config: LoadedConfig) -> None:
    """invoiceDate was a bare day ("2026-07-01"), which cXML does not allow and a buyer reads in its own zone.
    It is the day's start in the zone the invoice's days are told in (extracted: the partner's Odoo day zone,
    summer time there), in UTC when the invoice names none; read back as the day."""
    doc = _invoice(date="2026-07-01")
    doc = doc.model_copy(update={"source": doc.source.model_copy(update={"day_zone": zone})})
    data, back = _written(doc, journal, config)
    assert etree.fromstring(data).find("Request/InvoiceDetailRequest/InvoiceDetailRequestHeader").get(
        "invoiceDate") == stamp
    assert back.date == "2026-07-01"


def test_a_cxml_date_is_read_as_the_day_its_sender_wrote(journal: SqliteJournal, config: LoadedConfig) -> None:
    """Both forms are read: a bare day, and a timestamp with its offset, whose day is the sender's (23:30 in Los
    Angeles on 1 July is that day, though 2 July in UTC)."""
    data, _ = _written(_invoice(date="2026-07-01"), journal, config)
    for written, day in ((b'invoiceDate="2026-07-01T23:30:00-07:00"', "2026-07-01"),
                         (b'invoiceDate="2026-07-02"', "2026-07-02")):
        sent = data.replace(b'invoiceDate="2026-07-01T00:00:00+00:00"', written)
        assert written in sent
        assert translate(parse(sent).transactions[0], CXML, config.profiles)[0].date == day
