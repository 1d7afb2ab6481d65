"""An invoice as Odoo holds it (seller, bill-to, buyer; lines with price and quantity; a sales tax), extracted
from the sandbox over real HTTP and written as a UBL 2.1 Invoice and a cXML InvoiceDetailRequest: each file
meets the content models of its XSD / DTD (tests/translate) and reads back with Odoo's figures."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import odoorpc
import pytest
from lxml import etree

from gateway.config.loader import LoadedConfig
from gateway.config.models import OurIds, PartnerConfig
from gateway.formats import parse
from gateway.odoo.client import OdooClient
from gateway.odoo.extract.invoices import extract_invoices
from gateway.odoo.sandbox import SandboxServer
from gateway.translate import render, translate
from gateway.translate.canonical import Invoice, Party
from tests.helpers.content_models import problems
from tests.odoo import test_outbound_odd_odoo as odd
from tests.odoo.test_outbound_taxes_packs import a_tax, examples  # noqa: F401 - the examples fixture
from tests.translate import test_cxml_invoice_dtd as cxml
from tests.translate import test_ubl_schema as ubl

OURS = OurIds.model_validate({"xml": "0614141000005"})


def _partner(doc_type: str, profile: str) -> PartnerConfig:
    return PartnerConfig.model_validate({"id": "xml-buyer", "xml": {"ids": ["4000000000009"]}, "documents": [
        {"type": doc_type, "direction": d, "profile": profile} for d in ("in", "out")]})


@pytest.mark.parametrize("sandbox", [17], indirect=True, ids=["odoo17"])
def test_an_odoo_invoice_meets_the_ubl_and_cxml_schemas(sandbox: SandboxServer, client: OdooClient,
                                                        odoo: odoorpc.ODOO, journal: Any,
                                                        examples: LoadedConfig) -> None:  # noqa: F811
    """Odoo names the parties seller and bill_to: the UBL invoice had no AccountingSupplierParty and no line
    amounts, the cXML one no header indicators, no Tax Description and an OrderReference without its
    DocumentReference. Both now pass their content models and carry Odoo's totals."""
    sales = a_tax(odoo, "Sales 8%", 8.0)
    order_id = odd.ordered(examples, client, "eurohandel", "EH-XML", Party(role="ship_to", ids={"gln": "4012345000016"}),
                           [odd.line("1", {"gtin": "00614141000012"}, 10), odd.line("2", {"gtin": "00614141000029"}, 4)])
    move = odd.invoiced(odoo, order_id, [{"price_unit": 10.0, "tax_ids": [(6, 0, [sales])]},
                                         {"price_unit": 25.0, "tax_ids": [(6, 0, [sales])]}])
    _, tax_amount, total = odd.odoo_totals(odoo, move)
    [doc] = extract_invoices(client, examples.partners["eurohandel"], journal)
    assert doc.party("seller") is not None and doc.party("supplier") is None
    for (doc_type, profile, models, element) in (("Invoice", "ubl-2.1-invoice", ubl.MODELS, "."),
                                                 ("InvoiceDetailRequest", "cxml-invoicedetailrequest", cxml.MODELS,
                                                  "Request/InvoiceDetailRequest")):
        partner = _partner(doc_type, profile)
        data = render(doc, partner, examples.profiles, journal, doc_type, our_ids=OURS).data
        assert problems(etree.fromstring(data).find(element), models) == [], profile
        [back] = translate(parse(data).transactions[0], partner, examples.profiles)
        assert isinstance(back, Invoice)
        assert (back.totals.tax_amount, back.totals.total_amount) == (tax_amount, total), profile
        assert back.totals.lines_amount == Decimal(200), profile
