"""The parties' VAT numbers on the invoices we send. Odoo's Tax ID (res.partner `vat`) was never read, so an INVOIC
had no RFF+VA under any NAD and a UBL invoice no PartyTaxScheme: an EU invoice must state the supplier's VAT number
(and the buyer's for an intra-community supply), and retailers' invoice checks refuse it without. Now each party
gives its Tax ID (the e2e day in test_hunt17_edifact_retailer.py checks the INVOIC); a UBL party's PartyTaxScheme
then needs its TaxScheme, which the schema makes mandatory beside the CompanyID."""

from __future__ import annotations

from lxml import etree

from gateway.config.loader import LoadedConfig
from gateway.formats import parse
from gateway.journal.sqlite import SqliteJournal
from gateway.translate import render, translate
from tests.helpers.content_models import Models, problems
from tests.translate.conftest import RENDER_TIME, config, workspace
from tests.translate.test_ubl_schema import MODELS, OURS, UBL, _as_odoo_names_them

__all__ = ["config", "workspace"]

WITH_TAX_SCHEME: Models = {**MODELS, "PartyTaxScheme": (["RegistrationName?", "CompanyID?", "TaxScheme"], []),
                           "TaxScheme": (["ID?"], [])}


def test_a_ubl_invoice_names_each_partys_vat_number_in_a_whole_party_tax_scheme(
        journal: SqliteJournal, config: LoadedConfig) -> None:
    doc = _as_odoo_names_them()
    seller, bill_to, ship_to = doc.parties
    doc = doc.model_copy(update={"parties": [
        seller.model_copy(update={"ids": {**seller.ids, "vat": "DE129273398"}}),
        bill_to.model_copy(update={"ids": {**bill_to.ids, "vat": "DE811234567"}}), ship_to]})
    data = render(doc, UBL, config.profiles, journal, "Invoice", our_ids=OURS, now=RENDER_TIME).data
    assert problems(etree.fromstring(data), WITH_TAX_SCHEME) == []
    schemes = etree.fromstring(data).findall(".//{*}Party/{*}PartyTaxScheme")
    assert [(s.findtext("{*}CompanyID"), s.findtext("{*}TaxScheme/{*}ID")) for s in schemes] == [
        ("DE129273398", "VAT"), ("DE811234567", "VAT")], data
    back = translate(parse(data).transactions[0], UBL, config.profiles)[0]
    assert back.party("supplier").ids["vat"] == "DE129273398"                # type: ignore[union-attr]
    assert back.party("buyer").ids["vat"] == "DE811234567"                   # type: ignore[union-attr]
