"""A UBL DespatchAdvice (and Order) names a party's VAT number in a whole PartyTaxScheme, as the Invoice does.

395fa21 gave every party from Odoo its Tax ID (res.partner `vat`) as ids.vat, for the invoices; the ship notices'
parties are read by the same code, so a DespatchAdvice's DespatchSupplierParty (our company) and
DeliveryCustomerParty got cac:PartyTaxScheme with its CompanyID and without the cac:TaxScheme the UBL 2.1 schema
requires there (35114b3 added it to the Invoice profile only): a partner validating the schema refused every
despatch advice of a company with a Tax ID. Rendered through the shipped profiles, checked against the 2.1 content
models and read back.
"""

from __future__ import annotations

import json

import pytest
from lxml import etree

from gateway.config.loader import LoadedConfig
from gateway.formats import parse
from gateway.journal.sqlite import SqliteJournal
from gateway.translate import render, translate
from gateway.translate.canonical import from_json
from tests.e2e.test_hunt17_edifact_vat import WITH_TAX_SCHEME
from tests.helpers.content_models import problems
from tests.translate.conftest import GOLDEN, RENDER_TIME, config, workspace
from tests.translate.test_ubl_schema import OURS, UBL

__all__ = ["config", "workspace"]

VAT = {"ship_from": "DE129273398", "ship_to": "DE811234567", "vendor": "DE129273398", "buyer": "DE811234567"}


@pytest.mark.parametrize(("golden", "doc_type"), [("856_ship_notice.json", "DespatchAdvice"),
                                                  ("850_4500001234.json", "Order")])
def test_a_partys_vat_number_goes_out_in_a_whole_party_tax_scheme(
        golden: str, doc_type: str, journal: SqliteJournal, config: LoadedConfig) -> None:
    raw = json.loads((GOLDEN / "bigbox" / golden).read_text())
    raw = raw[0] if isinstance(raw, list) else raw
    for party in raw["parties"]:
        party["ids"] = {**party.get("ids", {}), "vat": VAT.get(party["role"], "DE999999999")}
    doc = from_json(json.dumps(raw).encode())
    data = render(doc, UBL, config.profiles, journal, doc_type, our_ids=OURS, now=RENDER_TIME).data
    assert problems(etree.fromstring(data), WITH_TAX_SCHEME) == [], data
    schemes = etree.fromstring(data).findall(".//{*}Party/{*}PartyTaxScheme")
    assert schemes and all(s.findtext("{*}TaxScheme/{*}ID") == "VAT" for s in schemes), data
    back = translate(parse(data).transactions[0], UBL, config.profiles)[0]
    assert {p.ids.get("vat") for p in back.parties} - {None} <= set(VAT.values()) | {"DE999999999"}
