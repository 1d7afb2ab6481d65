"""A tax's own Tax Category Code (account.tax ubl_cii_tax_category_code, 18-19) that is no exemption gets no
exemption words: Italy's split payment (B, 'Transferred (VAT)': the VAT is charged and paid by the public buyer)
went out as a UBL breakdown 'Exempt from tax', words the gateway gave every category without a VATEX code of its
own but S, Z, L and M (Odoo's export says none for it; 19's Singapore GST codes such as SR likewise). E keeps
them. Through the sandbox over HTTP: the extraction and the UBL invoice rendered from it."""

from __future__ import annotations

from typing import Any

import odoorpc
import pytest
from lxml import etree

from gateway.config.loader import LoadedConfig
from gateway.config.models import OurIds
from gateway.odoo.client import OdooClient
from gateway.odoo.extract.invoices import extract_invoices
from gateway.odoo.sandbox import SandboxServer
from gateway.translate import render
from tests.odoo.test_outbound_taxes_packs import a_tax, examples
from tests.odoo.test_taxcat17_invoices import NS, UBL_BUYER, three_lines

__all__ = ["examples"]                             # the fixture, used by name


@pytest.mark.parametrize("sandbox", [18, 19], indirect=True, ids=["odoo18", "odoo19"])
def test_a_split_payment_tax_has_no_exemption_words_and_an_exempt_one_has(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any,
        examples: LoadedConfig) -> None:
    split = a_tax(odoo, "22% split payment", 22.0, ubl_cii_tax_category_code="B")
    exempt = a_tax(odoo, "0% exempt", 0.0, ubl_cii_tax_category_code="E")
    three_lines(examples, client, odoo, "EH-TAXCAT-R-B", [[split], [split], [exempt]])
    [invoice] = extract_invoices(client, examples.partners["eurohandel"], journal, claim_marks=False)
    out = render(invoice, UBL_BUYER, examples.profiles, journal, "Invoice",
                 our_ids=OurIds.model_validate({"xml": "0614141000005"}))
    breakdown = [(c.findtext("cbc:ID", namespaces=NS), c.findtext("cbc:TaxExemptionReason", namespaces=NS))
                 for c in etree.fromstring(out.data).iterfind("cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory", NS)]
    assert breakdown == [("B", None), ("E", "Exempt from tax")], out.data.decode()
