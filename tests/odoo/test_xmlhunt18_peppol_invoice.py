"""The UBL invoice we send a Peppol BIS Billing 3.0 buyer, checked against the rules a Peppol access point applies
that can be reasoned about without a schematron engine: the specification and process identifiers where the
schema puts them (PEPPOL-EN16931-R001/R004, set by the partner's profile over the base), the seller's and buyer's
legal names (EN 16931 BR-06/BR-07: PartyLegalEntity/RegistrationName) and electronic addresses (PEPPOL-EN16931-
R010/R020: EndpointID, first in the Party, from the partner's profile), an item name on every line (BR-25), no
empty element (PEPPOL-EN16931-R008), and the totals (BR-CO-10, BR-CO-14, BR-CO-15, two decimals). An invoice made
in the sandbox from a real order, rendered by the daemon's scheduler."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from pathlib import Path
from typing import Any

import odoorpc
import pytest
from lxml import etree

from gateway.config.loader import LoadedConfig
from gateway.config.models import OurIds
from gateway.journal.api import State
from gateway.journal.archive import Archive
from gateway.odoo.client import OdooClient
from gateway.odoo.sandbox import SandboxServer
from gateway.translate import ProfileRegistry
from tests.odoo import test_outbound_odd_odoo as odd
from tests.odoo.test_edifact16_invoic_footing import DC
from tests.odoo.test_odoo16 import do_all
from tests.odoo.test_outbound15_check_digits import one_run
from tests.odoo.test_outbound_taxes_packs import examples

__all__ = ["examples"]                             # the fixture, used by name

UBL = "urn:oasis:names:specification:ubl:schema:xsd:"
NS = {"cbc": f"{UBL}CommonBasicComponents-2", "cac": f"{UBL}CommonAggregateComponents-2"}
CUSTOMIZATION = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
PROCESS = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
# what docs/profiles.md tells a Peppol partner's integrator to write
PEPPOL_PROFILE = f"""profile: eurohandel-peppol-invoice
extends: ubl-2.1-invoice
structure:
  header:
    fields:
      _customization: {{at: cbc:CustomizationID, default: "{CUSTOMIZATION}"}}
      _profile_id: {{at: cbc:ProfileID, default: "{PROCESS}"}}
  supplier:
    fields:
      _endpoint: {{at: "cac:Party/cbc:EndpointID[@schemeID='0088']", from: ids.gln}}
  buyer:
    fields:
      _endpoint: {{at: "cac:Party/cbc:EndpointID[@schemeID='0088']", from: ids.gln}}
"""


def _as_peppol_partner(examples: LoadedConfig, tmp: Path) -> LoadedConfig:
    """The examples with EuroHandel taking its invoices as Peppol BIS 3 UBL, through its own profile."""
    (tmp / "translations").mkdir()
    (tmp / "translations" / "eurohandel-peppol-invoice.yaml").write_text(PEPPOL_PROFILE, encoding="utf-8")
    partner = examples.partners["eurohandel"]
    partner = partner.model_validate({**partner.model_dump(exclude_none=True), "xml": {"ids": ["4012345000009"]},
                                      "documents": [{"type": "Invoice", "direction": "out",
                                                     "profile": "eurohandel-peppol-invoice",
                                                     "trigger": "invoice_posted"}]})
    gateway = examples.gateway.model_copy(update={"our_ids": OurIds.model_validate(
        {**(examples.gateway.our_ids or OurIds()).model_dump(exclude_none=True), "xml": "0614141000005"})})
    return dataclasses.replace(examples, partners={**examples.partners, "eurohandel": partner}, gateway=gateway,
                               profiles=ProfileRegistry.load([tmp / "translations"]))


def amount(el: Any, path: str) -> Decimal:
    return Decimal(el.findtext(path, namespaces=NS))


@pytest.mark.parametrize("sandbox", [17, 19], indirect=True, ids=["odoo17", "odoo19"])
async def test_the_invoice_a_peppol_buyer_gets_passes_the_rules_we_can_check(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, examples: LoadedConfig,
        tmp_path: Path) -> None:
    """Before: no legal name for either party (PartyName only: BR-06/BR-07, fatal), no item name (the text went to Item/Description only: BR-25, fatal), an empty <cac:Delivery/> for a
    ship-to Odoo knows by its GLN alone on another path (R008, fatal), and a partner profile giving
    CustomizationID/ProfileID wrote them after InvoiceTypeCode, where the UBL schema refuses them."""
    config = _as_peppol_partner(examples, tmp_path)
    order_id = odd.ordered(config, client, "eurohandel", "EH-PEPPOL-1", DC,
                           [odd.line("1", {"gtin": "00614141000012"}, 10), odd.line("2", {"gtin": "00614141000029"}, 3)])
    if sandbox.version == 16:
        do_all(odoo, odoo.execute_kw("sale.order", "read", [[order_id], ["picking_ids"]])[0]["picking_ids"][0])
    odd.invoiced(odoo, order_id)
    [sent] = await one_run(config, client, journal, tmp_path, "eurohandel", "Invoice")
    assert sent.state is not State.QUARANTINED, sent.last_error
    invoice = etree.fromstring(Archive(tmp_path / "archive").read(sent.sha256))
    text = etree.tostring(invoice).decode()
    heads = [etree.QName(el).localname for el in invoice][:4]
    assert heads == ["UBLVersionID", "CustomizationID", "ProfileID", "ID"], text
    assert invoice.findtext("cbc:CustomizationID", namespaces=NS) == CUSTOMIZATION
    assert invoice.findtext("cbc:ProfileID", namespaces=NS) == PROCESS
    for party, gln in (("cac:AccountingSupplierParty", "0614141000005"), ("cac:AccountingCustomerParty", None)):
        assert invoice.findtext(f"{party}/cac:Party/cac:PartyLegalEntity/cbc:RegistrationName", namespaces=NS), text
        first = invoice.find(f"{party}/cac:Party", NS)[0]                        # R010/R020: the electronic address
        assert (etree.QName(first).localname, first.get("schemeID")) == ("EndpointID", "0088"), text
        assert first.text == (gln or first.text) and len(first.text or "") == 13
    lines = invoice.findall("cac:InvoiceLine", NS)
    assert len(lines) == 2
    assert all((line.findtext("cac:Item/cbc:Name", namespaces=NS) or "").strip() for line in lines), text
    empty = [etree.QName(el).localname for el in invoice.iter()
             if len(el) == 0 and not el.attrib and not (el.text or "").strip()]
    assert empty == [], text
    total = invoice.find("cac:LegalMonetaryTotal", NS)
    assert sum(amount(line, "cbc:LineExtensionAmount") for line in lines) == amount(total, "cbc:LineExtensionAmount")
    tax = invoice.find("cac:TaxTotal", NS)
    assert sum(amount(sub, "cbc:TaxAmount") for sub in tax.findall("cac:TaxSubtotal", NS)) == amount(tax,
                                                                                                     "cbc:TaxAmount")
    assert amount(total, "cbc:TaxExclusiveAmount") + amount(tax, "cbc:TaxAmount") == \
        amount(total, "cbc:TaxInclusiveAmount")                                          # BR-CO-15
    figures = [el.text for el in invoice.iter() if el.get("currencyID")]
    assert all(len((t or "").partition(".")[2]) <= 2 for t in figures), figures           # BR-DEC
