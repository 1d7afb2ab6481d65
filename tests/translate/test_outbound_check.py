"""What leaves the gateway passes the partner's validation: free text is cut to fit its element, anything
else that breaks the standard is refused with its location (the scheduler then holds the document)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from gateway.config.loader import LoadedConfig, load
from gateway.config.models import OurIds, PartnerConfig
from gateway.errors import TranslationError
from gateway.formats import parse
from gateway.formats.base import Severity
from gateway.journal.sqlite import SqliteJournal
from gateway.translate import ProfileRegistry, render, translate
from gateway.translate.canonical import AllowanceCharge, Document, Tax, from_json
from tests.helpers.examples import example_workspace
from tests.translate.conftest import GOLDEN, RENDER_TIME

LONG_NAME = "Industrial stainless steel widget assembly with mounting brackets, 10 pack, blue anodised finish"


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory) -> LoadedConfig:
    """The example partners writing X12 004010 (BigBox), 005010 (Northwind) and EDIFACT D96A (EuroHandel)."""
    return load(example_workspace(Path(tmp_path_factory.mktemp("ws_check")), ("bigbox", "northwind", "eurohandel")))


def _invoice(**changes: object) -> Document:
    doc = from_json((GOLDEN / "bigbox" / "810_invoice.json").read_bytes())
    lines = [doc.lines[0].model_copy(update={"description": LONG_NAME}), *doc.lines[1:]]
    doc = doc.model_copy(update={"lines": lines, **changes})
    return doc.model_copy(update={"totals": doc.totals.model_copy(update={"total_amount": _footed(doc)})})


def _footed(doc: Document) -> Decimal:
    """The invoice's total as its lines, charges less allowances and taxes add up: an 810 from Odoo whose TDS01
    is another figure is held (the partner's compliance check refuses it)."""
    lines = sum((line.quantity * (line.unit_price or 0) for line in doc.lines), Decimal(0))
    charges = sum(((c.amount or 0) * (1 if c.kind == "charge" else -1) for c in doc.allowances_charges), Decimal(0))
    return lines + charges + sum((t.amount or 0 for t in doc.taxes), Decimal(0))


@pytest.mark.parametrize(("partner_id", "doc_type", "limit"), [("bigbox", "810", 80), ("northwind", "810", 80),
                                                              ("eurohandel", "INVOIC", 70)])
def test_a_product_name_longer_than_its_element_is_cut_to_fit(partner_id: str, doc_type: str, limit: int,
                                                               config: LoadedConfig, journal: SqliteJournal) -> None:
    """Odoo product names run long; PID05 allows 80 characters, an EDIFACT IMD two 7008 of 35 (the name goes on in
    the second): the description is cut there (a partner's translator rejects the whole invoice otherwise), and
    the invoice goes out."""
    assert len(LONG_NAME) > 80
    rendered = render(_invoice(allowances_charges=[]), config.partners[partner_id], config.profiles, journal, doc_type,
                      our_ids=config.gateway.our_ids, now=RENDER_TIME)
    result = parse(rendered.data)
    assert [i for i in result.issues if i.severity is Severity.ERROR] == []
    back = translate(result.transactions[0], config.partners[partner_id], config.profiles)[0]
    assert back.lines[0].description == LONG_NAME[:limit].rstrip()


def test_an_identifier_too_long_for_its_element_is_refused_with_its_location(
        config: LoadedConfig, journal: SqliteJournal) -> None:
    """An invoice number is what the partner matches its payment on: it is never shortened. One longer
    than BIG02 allows makes render refuse the document, naming the element and what was expected, so the
    scheduler holds it instead of sending what the partner's 997 would reject."""
    doc = _invoice(number="INV/2026/BIGBOX/000000012345")
    partner = config.partners["bigbox"]
    with pytest.raises(TranslationError) as err:
        render(doc, partner, config.profiles, journal, "810", our_ids=config.gateway.our_ids, now=RENDER_TIME)
    message = str(err.value)
    assert "the 810 written for Invoice INV/2026/BIGBOX/000000012345 would not pass the partner's validation" in message
    assert "segment 2 BIG, element 2" in message and "correct the value in Odoo" in message
    assert err.value.profile is not None and "bigbox-810.yaml:" in err.value.profile
    preview = render(doc, partner, config.profiles, journal, "810", our_ids=config.gateway.our_ids,
                     now=RENDER_TIME, check=False)            # what `edi-gateway render` shows
    assert b"BIG*" in preview.data and b"INV/2026/BIGBOX/000000012345" in preview.data


def test_an_x12_acknowledgment_renders_as_a_valid_ordrsp(config: LoadedConfig, journal: SqliteJournal) -> None:
    """The canonical acknowledgment of an X12 partner's order, written as an ORDRSP: its scheduled delivery
    date (855 DTM 067) goes out as DTM 69 (promised for), not as the canonical word, and DTM 137, mandatory,
    is written even though the document has no date of its own. Both broke the check before."""
    doc = from_json((GOLDEN / "northwind" / "855_ack.json").read_bytes()).model_copy(update={"date": None})
    assert any(d.qualifier == "delivery_scheduled" for d in doc.dates)
    rendered = render(doc, config.partners["eurohandel"], config.profiles, journal, "ORDRSP",
                      our_ids=config.gateway.our_ids, now=RENDER_TIME)
    text = rendered.data.decode()
    assert "DTM+137:20261202:102'" in text and "DTM+69:" in text and "delivery_scheduled" not in text


@pytest.mark.parametrize(("tax_type", "x12_code", "edifact_code", "read_back"), [
    ("sales", "ST", "STT", "sales"), ("local", "LT", "LOC", "local"), ("county", "CT", "LOC", "local"),
    ("VAT", "VA", "VAT", "VAT"), ("GST", "GS", "GST", "GST")])
def test_tax_types_are_the_same_words_in_x12_and_edifact(tax_type: str, x12_code: str, edifact_code: str,
                                                         read_back: str, config: LoadedConfig,
                                                         journal: SqliteJournal) -> None:
    """A tax type is a canonical word both syntaxes write with their own code: an invoice read from X12
    (TXI*ST, a state sales tax) goes out as an EDIFACT INVOIC (TAX+7+STT) and passes its check."""
    taxes = [Tax(type=tax_type, rate=Decimal("9.5"), amount=Decimal("53.55"))]
    doc = _invoice(allowances_charges=[], taxes=taxes)
    x12_file = render(doc, config.partners["bigbox"], config.profiles, journal, "810",
                      our_ids=config.gateway.our_ids, now=RENDER_TIME).data.decode()
    assert f"TXI*{x12_code}*53.55*9.5" in x12_file
    from_x12 = translate(parse(x12_file.encode()).transactions[0], config.partners["bigbox"], config.profiles)[0]
    assert [t.type for t in from_x12.taxes] == [tax_type]                  # type: ignore[attr-defined]
    edifact_file = render(from_x12, config.partners["eurohandel"], config.profiles, journal, "INVOIC",
                          our_ids=config.gateway.our_ids, now=RENDER_TIME).data.decode()
    assert f"TAX+7+{edifact_code}+" in edifact_file
    back = translate(parse(edifact_file.encode()).transactions[0], config.partners["eurohandel"], config.profiles)[0]
    assert [t.type for t in back.taxes] == [read_back]                     # type: ignore[attr-defined]


@pytest.mark.parametrize(("kind", "code", "x12_code", "edifact_code", "ubl_code"), [
    ("charge", "freight", "D240", "FC", "FC"), ("allowance", "discount", "C310", "DI", "95"),
    ("charge", "insurance", "D980", "IN", "IN"), ("charge", "special_handling", "H090", "SH", "SH")])
def test_allowance_codes_are_the_same_words_in_x12_edifact_and_ubl(
        kind: str, code: str, x12_code: str, edifact_code: str, ubl_code: str, config: LoadedConfig,
        journal: SqliteJournal) -> None:
    """An invoice read from X12 with a freight charge (SAC*C*D240) carried D240 into the INVOIC's ALC 7161,
    and the outbound check refused it: the code is now a canonical word each syntax writes with its own code
    (UBL: UNCL 5189 for an allowance's reason, 7161 for a charge's)."""
    charge = AllowanceCharge(kind=kind, code=code, amount=Decimal("35.00"), description="AS AGREED")  # type: ignore[arg-type]
    doc = _invoice(allowances_charges=[charge])
    x12_file = render(doc, config.partners["bigbox"], config.profiles, journal, "810",
                      our_ids=config.gateway.our_ids, now=RENDER_TIME).data.decode()
    assert f"SAC*{kind[0].upper()}*{x12_code}***3500" in x12_file
    from_x12 = translate(parse(x12_file.encode()).transactions[0], config.partners["bigbox"], config.profiles)[0]
    assert from_x12.allowances_charges == [charge]                         # type: ignore[attr-defined]
    edifact_file = render(from_x12, config.partners["eurohandel"], config.profiles, journal, "INVOIC",
                          our_ids=config.gateway.our_ids, now=RENDER_TIME).data.decode()
    assert f"ALC+{kind[0].upper()}++++{edifact_code}" in edifact_file
    back = translate(parse(edifact_file.encode()).transactions[0], config.partners["eurohandel"], config.profiles)[0]
    assert back.allowances_charges == [charge]                             # type: ignore[attr-defined]
    ubl = PartnerConfig.model_validate({"id": "ubl-buyer", "xml": {"ids": ["4000000000009"]}, "documents": [
        {"type": "Invoice", "direction": d, "profile": "ubl-2.1-invoice"} for d in ("in", "out")]})
    ubl_file = render(back, ubl, config.profiles, journal, "Invoice", our_ids=config.gateway.our_ids,
                      now=RENDER_TIME).data.decode()
    assert f"<cbc:AllowanceChargeReasonCode>{ubl_code}</cbc:AllowanceChargeReasonCode>" in ubl_file
    from_ubl = translate(parse(ubl_file.encode()).transactions[0], ubl, config.profiles)[0]
    assert from_ubl.allowances_charges == [charge]                         # type: ignore[attr-defined]


def test_an_x12_freight_charge_is_a_cxml_invoices_shipping_amount(config: LoadedConfig,
                                                                  journal: SqliteJournal) -> None:
    """cXML has no codes, only places: ShippingAmount was read as the word `shipping`, so freight read from an
    810 (SAC*C*D240) had no place in an InvoiceDetailRequest; both are `freight` now."""
    sac = [AllowanceCharge(kind="charge", code="freight", amount=Decimal("35.00")),
           AllowanceCharge(kind="charge", code="special_handling", amount=Decimal("5.00"))]
    x12_file = render(_invoice(allowances_charges=sac), config.partners["bigbox"], config.profiles, journal, "810",
                      our_ids=config.gateway.our_ids, now=RENDER_TIME).data
    from_x12 = translate(parse(x12_file).transactions[0], config.partners["bigbox"], config.profiles)[0]
    cxml = PartnerConfig.model_validate({"id": "cxml-buyer", "xml": {"ids": ["4000000000009"]}, "documents": [
        {"type": "InvoiceDetailRequest", "direction": d, "profile": "cxml-invoicedetailrequest"} for d in ("in", "out")]})
    cxml_file = render(from_x12, cxml, config.profiles, journal, "InvoiceDetailRequest",
                       our_ids=OurIds.model_validate({"xml": "0614141000005"}), now=RENDER_TIME).data
    text = " ".join(cxml_file.decode().split())
    assert '<ShippingAmount> <Money currency="USD">35.00</Money> </ShippingAmount>' in text
    assert '<SpecialHandlingAmount> <Money currency="USD">5.00</Money> </SpecialHandlingAmount>' in text
    back = translate(parse(cxml_file).transactions[0], cxml, config.profiles)[0]
    assert back.allowances_charges == sac[::-1]     # type: ignore[attr-defined]  # the summary: in its DTD order


def test_an_allowance_code_only_one_syntax_has(config: LoadedConfig, journal: SqliteJournal) -> None:
    """A code outside the shared words stays as the partner sent it (G830 shipping and handling goes back out
    as G830), and a word the other syntax has no code for (fuel_surcharge, X12 D270) is still refused there,
    naming the ALC element, rather than sent as a code the partner cannot read."""
    sac = [AllowanceCharge(kind="charge", code="G830", amount=Decimal("5.00")),
           AllowanceCharge(kind="charge", code="fuel_surcharge", amount=Decimal("7.00"))]
    x12_file = render(_invoice(allowances_charges=sac), config.partners["bigbox"], config.profiles, journal, "810",
                      our_ids=config.gateway.our_ids, now=RENDER_TIME).data.decode()
    assert "SAC*C*G830***500~" in x12_file and "SAC*C*D270***700~" in x12_file
    from_x12 = translate(parse(x12_file.encode()).transactions[0], config.partners["bigbox"], config.profiles)[0]
    assert from_x12.allowances_charges == sac                               # type: ignore[attr-defined]
    with pytest.raises(TranslationError) as err:
        render(from_x12.model_copy(update={"allowances_charges": sac[1:]}), config.partners["eurohandel"],
               config.profiles, journal, "INVOIC", our_ids=config.gateway.our_ids, now=RENDER_TIME)
    assert "would not pass the partner's validation" in str(err.value)
    assert "ALC, element 5.1: data element 7161 (ALC element 5.1) is 14 characters long" in str(err.value)
    assert "'fuel_surcharge'" in str(err.value)


def test_no_free_text_element_allows_fewer_characters_than_the_shortcut_assumes() -> None:
    """Values up to SHORTEST_FREE_TEXT characters are not looked up: that holds only while every free-text
    element of the X12 dictionary and of each EDIFACT directory allows at least that many."""
    from gateway.formats import edifact_defs
    from gateway.formats.x12_validate import dictionary
    from gateway.translate.outbound import FREE_TEXT, SHORTEST_FREE_TEXT
    limits = [int(dictionary().elements[ref][2]) for ref in FREE_TEXT["x12"]]
    for version in ("D96A", "D01B"):
        directory = edifact_defs.directory(version)
        assert directory is not None
        limits += [directory.elements[ref].max for ref in FREE_TEXT["edifact"]]
    assert min(limits) == SHORTEST_FREE_TEXT


def test_a_cxml_invoice_writes_its_other_charges_and_discount_in_the_summary(
        config: LoadedConfig, journal: SqliteJournal, tmp_path: Path) -> None:
    """A cXML invoice with an insurance charge and a discount was held: the summary was written with places for
    freight (ShippingAmount) and special handling only. The discount is its InvoiceDetailDiscount, every other one
    a Modification of InvoiceHeaderModifications named by ModificationDetail/@name, in the DTD's order before
    NetAmount; read back, the invoice has them all. A partner profile that leaves the modifications out (a buyer
    who takes none) still holds the invoice, naming the charge it has no place for; the 810 carries them all."""
    charges = [AllowanceCharge(kind="charge", code="freight", amount=Decimal("35.00")),
               AllowanceCharge(kind="charge", code="insurance", amount=Decimal("12.00")),
               AllowanceCharge(kind="allowance", code="discount", amount=Decimal("20.00"), percent=Decimal(2)),
               AllowanceCharge(kind="allowance", code="G830", description="Co-op", amount=Decimal("4.00"))]
    doc = _invoice(allowances_charges=charges)
    documents = [{"type": "InvoiceDetailRequest", "direction": d, "profile": "cxml-invoicedetailrequest"}
                 for d in ("in", "out")]
    cxml = PartnerConfig.model_validate({"id": "cxml-buyer", "xml": {"ids": ["4000000000009"]}, "documents": documents})
    ours = OurIds.model_validate({"xml": "0614141000005"})
    written = render(doc, cxml, config.profiles, journal, "InvoiceDetailRequest", our_ids=ours, now=RENDER_TIME).data
    summary = " ".join(written.decode().split()).split("<InvoiceDetailSummary>")[1]
    assert [tag.split(">")[0].split(" ")[0] for tag in summary.split("<")[1:] if not tag.startswith("/")] == [
        "SubtotalAmount", "Money", "Tax", "Money", "Description", "ShippingAmount", "Money", "InvoiceDetailDiscount", "Money",
        "InvoiceHeaderModifications", "Modification", "AdditionalCost", "Money", "ModificationDetail",
        "Modification", "AdditionalDeduction", "DeductionAmount", "Money", "ModificationDetail", "Description",
        "NetAmount", "Money"]
    assert '<InvoiceDetailDiscount percentageRate="2"> <Money currency="USD">20.00</Money>' in summary
    assert '<ModificationDetail name="Insurance"/>' in summary and '<ModificationDetail name="G830">' in summary
    assert '<NetAmount> <Money currency="USD">' in summary
    back = translate(parse(written).transactions[0], cxml, config.profiles)[0]
    assert sorted(map(repr, back.allowances_charges)) == sorted(map(repr, charges))  # type: ignore[attr-defined]
    (tmp_path / "cxml-invoice-no-modifications.yaml").write_text(
        "extends: cxml-invoicedetailrequest\nstructure:\n  modifications: null\n", encoding="utf-8")
    profiles = ProfileRegistry.load([tmp_path])
    strict = cxml.model_copy(update={"documents": [
        d.model_copy(update={"profile": "cxml-invoice-no-modifications"}) for d in cxml.documents]})
    with pytest.raises(TranslationError, match=r"the InvoiceDetailRequest written for invoice \S+ has no place for "
                                               r"charge insurance 12.00, allowance G830 4.00 \(profile "
                                               r"cxml-invoice-no-modifications writes no such ones\)"):
        render(doc, strict, profiles, journal, "InvoiceDetailRequest", our_ids=ours, now=RENDER_TIME)
    x12_file = render(doc, config.partners["bigbox"], config.profiles, journal, "810",
                      our_ids=config.gateway.our_ids, now=RENDER_TIME).data.decode()
    assert "SAC*C*D240***3500" in x12_file and "SAC*C*D980***1200" in x12_file and "SAC*A*C310***2000" in x12_file


def test_a_percent_allowance_writes_its_basis_and_a_line_without_stores_no_sdq(
        config: LoadedConfig, journal: SqliteJournal, tmp_path: Path) -> None:
    """X12 pairs SAC06 with SAC07 (P0607: the percent says what it is a percent of) and SDQ needs a store and
    its quantity. The base profiles wrote a percent without SAC06, and an 'SDQ*EA' for every order line without
    store allocations; a partner's validator rejects both, and so does the outbound check, which would hold
    the invoice or order. SAC06 is the partner's own basis when the document has one (3, discount/gross, written
    back as it came), else 1 (item list cost: the gross, which our percents come off)."""
    from tests.translate.helpers import interchange, render_x12_base
    discount = AllowanceCharge(kind="allowance", code="discount", percent=Decimal(2), amount=Decimal("10.00"))
    x12_file = render(_invoice(allowances_charges=[discount]), config.partners["bigbox"], config.profiles,
                      journal, "810", our_ids=config.gateway.our_ids, now=RENDER_TIME).data.decode()
    assert "SAC*A*C310***1000*1*2~" in x12_file
    order = translate(parse(interchange(["BEG*00*SA*PO-9**20261127", "SAC*A*C310****3*2", "N1*ST*DC 1*92*01",
                                         "PO1*1*36*EA*12.50*PE*BP*BB-1001", "SAC*C*D240****3*5", "CTT*1"]))
                      .transactions[0], None, config.profiles)[0]
    data = render_x12_base(order, "850", tmp_path, config.profiles)
    assert b"SAC*A*C310****3*2~" in data and b"SAC*C*D240****3*5~" in data and b"SDQ" not in data


def test_an_x12_invoice_with_charges_is_read_back_once(config: LoadedConfig, journal: SqliteJournal,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """The standard check and the charge check look at the same written file: it is read back once, not once
    for each (the charge check parsed the 810 again after the validation had)."""
    import gateway.formats
    reads: list[object] = []
    real = gateway.formats.parse

    def counting(data: bytes, **options: object) -> object:
        reads.append(options.get("syntax"))
        return real(data, **options)             # type: ignore[arg-type]
    monkeypatch.setattr(gateway.formats, "parse", counting)
    charges = [AllowanceCharge(kind="charge", code="freight", amount=Decimal("35.00")),
               AllowanceCharge(kind="allowance", code="discount", amount=Decimal("20.00"))]
    x12_file = render(_invoice(allowances_charges=charges), config.partners["bigbox"], config.profiles, journal,
                      "810", our_ids=config.gateway.our_ids, now=RENDER_TIME).data.decode()
    assert "SAC*C*D240***3500" in x12_file and "SAC*A*C310***2000" in x12_file
    assert len(reads) == 1


EUROHANDEL_INVOICE = Path(__file__).resolve().parents[1] / "translate_other" / "fixtures" / "eurohandel_invoice.json"


def test_an_edifact_invoice_with_notes_goes_out_with_ftx_subject_code_and_reads_back(
        config: LoadedConfig, journal: SqliteJournal) -> None:
    """FTX 4451 (text subject) is mandatory: the base EDIFACT profiles wrote `FTX++++text`, which the partner's
    translator (and our own outbound check) refuses, so any INVOIC, ORDRSP or ORDERS with a note was held. A note
    goes out as general information (AAI); reading takes a note of any subject, as before."""
    doc = from_json(EUROHANDEL_INVOICE.read_bytes())
    doc = doc.model_copy(update={"notes": ["Deliver to gate 4 before noon"]})
    partner = config.partners["eurohandel"]
    rendered = render(doc, partner, config.profiles, journal, "INVOIC", our_ids=config.gateway.our_ids, now=RENDER_TIME)
    assert b"FTX+AAI+++Deliver to gate 4 before noon'" in rendered.data
    result = parse(rendered.data)
    assert [i for i in result.issues if i.severity is Severity.ERROR] == []
    back = translate(result.transactions[0], partner, config.profiles)[0]
    assert back.notes == ["Deliver to gate 4 before noon"]
    other_subject = parse(rendered.data.replace(b"FTX+AAI+", b"FTX+ZZZ+"))          # mutually defined
    assert translate(other_subject.transactions[0], partner, config.profiles)[0].notes == back.notes
