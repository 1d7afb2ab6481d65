"""Every EDIFACT, XML and CSV purchase order, ship notice and invoice of the shared corpus.

Given a third-party file, when `edi-gateway translate FILE` runs with no gateway.yaml (base
profiles only), then it exits 0 and shows the document's lines, or, for the fixtures listed in
FAILING, exits 1 with an error naming the base profile file:line and the segment, element, XPath
or field at fault. CSV has no envelope to recognise, so CSV files are read the way a partner
without a header row would send them and translated with the generic `csv-order` base profile.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.config.models import CsvSettings, PartnerConfig
from gateway.errors import TranslationError
from gateway.formats import csv as csv_format
from gateway.translate import ProfileRegistry, translate
from gateway.translate.canonical import PurchaseOrder
from tests.helpers.corpus import check_translate_cli
from tests.helpers.profiles import base_profiles
from tests.translate_other.conftest import CORPUS

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"shared corpus not found at {CORPUS}")

EDIFACT = sorted(p for p in (CORPUS / "edifact").glob("*.edi")
                 if p.name.split("_")[0] in ("ORDERS", "DESADV", "INVOIC") or "INVOIC" in p.name)
XML = sorted(p for p in (CORPUS / "xml").glob("*.xml")
             if any(k in p.name for k in ("_Order_", "_Invoice_", "_DespatchAdvice_", "cxml_OrderRequest",
                                          "cxml_InvoiceDetailRequest", "cxml_ShipNoticeRequest",
                                          "partner-xml_asn", "partner-xml_desadv")))
FILES = EDIFACT + XML

# file -> what the located error must say, and why the fixture is not a usable document
FAILING = {
    "ORDERS_D97A_vscedi_release-bang.edi": "has no lines",                 # an escaping test: BGM + FTX, no LIN
    "DESADV_D07A_vscedi_gmi.edi": "orders.0.po_number: field required",     # order number only per line (RFF+ON)
    "INVOIC_D01B_edinet_ean011.edi": "number: field required",              # no BGM at all
    "INVOIC_D93A_staedi_una-comma.edi": "segment 5 DTM element DTM01: date '19999715'",   # month 97
    "INVOIC_D96A_bots_2msg-mixed-eol.edi": "segment 5 DTM element DTM01: date is required",  # DTM+XXX::102
    "INVOIC_D97B_edireader_tiny.edi": "lines: field required",              # 4-segment reader test, no LIN
    "mixed_IFTMIN-INVOIC_D96A_edinet.edi": "no base profile translates edifact IFTMIN",  # + INVOICs of one DTM
    "ubl-2.0_Order_phubl_cenbii-minimal.xml": "XPath ./cbc:ID (line 2): number is required",  # <cbc:ID/>
    "partner-xml_asn856_bots_partner2.xml": "no base profile translates xml",  # in-house schemas: a partner
    "partner-xml_desadv_bots_full.xml": "no base profile translates xml",      # profile maps them
}


def test_corpus_has_the_documents_we_translate() -> None:
    assert len(EDIFACT) >= 30 and len(XML) >= 14
    assert set(FAILING) <= {p.name for p in FILES}


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_corpus_file_translates_with_base_profiles(path: Path, capsys: pytest.CaptureFixture[str],
                                                   tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)                 # no gateway.yaml here: base profiles only
    check_translate_cli(path, FAILING, capsys, located=(".yaml:", "no base profile"),
                        shown=("line ", "item ", "order "))     # its lines (or orders) are shown


NO_NUMBER = "row 1 column order_number (number; the file has no such column): number is required"
CSV_FILES = {
    # the generic order profile expects named columns; these files have none, so row 1 lacks the order number
    "orders_bots_flat-quoted.csv": NO_NUMBER,
    "invoice-header_bots_alto.csv": NO_NUMBER,   # invoices split into header
    "invoice-detail_bots_alto.csv": NO_NUMBER,   # and detail files
}


@pytest.mark.parametrize("name", sorted(CSV_FILES))
def test_corpus_csv_fails_located_with_the_generic_order_profile(name: str) -> None:
    registry = base_profiles()
    result = csv_format.parse((CORPUS / "csv" / name).read_bytes(), CsvSettings(header=False, group_by="1"))
    assert result.transactions
    with pytest.raises(TranslationError) as info:
        translate(result.transactions[0], None, registry)
    assert CSV_FILES[name] in str(info.value)
    assert "csv-order.yaml:" in str(info.value)


def test_corpus_csv_orders_translate_with_a_positional_override(tmp_path: Path) -> None:
    """Onboarding by YAML only: the headerless bots order export, columns mapped by position."""
    (tmp_path / "bots-orders.yaml").write_text(
        "extends: csv-order\n"
        "structure:\n"
        "  header:\n"
        "    fields:\n"
        "      number: {at: '5', required: true}\n"
        "      date: {at: '6', date: CCYYMMDD}\n"
        "      currency: null\n"
        "      ship_method: null\n"
        "  ship_to: null\n"
        "  lines:\n"
        "    fields:\n"
        "      line_no: '26'\n"
        "      item_ids.vendor: null\n"
        "      item_ids.gtin: '27'\n"
        "      item_ids.ean: null\n"
        "      item_ids.buyer_item: null\n"
        "      description: null\n"
        "      quantity: {at: '30', number: true, required: true}\n"
        "      unit: null\n"
        "      unit_price: null\n"
        "      amount: null\n", encoding="utf-8")
    registry = ProfileRegistry.load([tmp_path])
    partner = PartnerConfig.model_validate({
        "id": "bots", "csv": {"header": False, "group_by": "5"},
        "documents": [{"type": "csv", "direction": "in", "profile": "bots-orders"}]})
    result = csv_format.parse((CORPUS / "csv" / "orders_bots_flat-quoted.csv").read_bytes(), partner.csv)
    docs = [d for tx in result.transactions for d in translate(tx, partner, registry)]
    assert all(isinstance(d, PurchaseOrder) for d in docs)
    orders = [d for d in docs if isinstance(d, PurchaseOrder)]
    assert [(d.number, len(d.lines)) for d in orders] == [
        ("BGMREF", 4), ("1-4500094289", 2), ("1-4500094290", 1), ("1-4500094291", 1)]
    assert orders[0].date == "2005-08-19" and orders[-1].lines[0].quantity == 9
    assert orders[0].lines[1].item_ids == {"gtin": "8712345005009"}
