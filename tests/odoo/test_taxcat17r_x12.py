"""An X12 810 has no VAT category element: TXI06 (441) is the exemption from sales and use tax, which most
retailers' 810 guides leave out. The category work (35114b3, e67dca6) wrote TXI06 on every VAT/GST tax and gave
every Odoo line without a tax a TXI*VA*0*0***1, for every partner left at the default `odoo.tax_type` (VAT): a US
distributor's resale lines (no tax in Odoo, so nobody set `tax_type: sales`), whose 810 had no TXI at all, went
out with a TXI in every IT1 loop and in the summary, segments the retailer's guide never asked for. Now the 810
is as it was unless the partner's profile writes TXI06; a partner's profile that does gets the categories and the
untaxed lines' 0 % TXI, through the daemon's scheduler and the sandbox over HTTP."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.config.models import DocumentSettings, OurIds, PartnerConfig, XmlSettings
from gateway.odoo.client import OdooClient
from gateway.odoo.sandbox import SandboxServer
from gateway.translate import ProfileRegistry
from tests.odoo import test_outbound_odd_odoo as odd
from tests.odoo.test_outbound_taxes_packs import a_tax, examples
from tests.odoo.test_taxcat17_invoices import our_company_in, sent_by_daemon, with_settings

__all__ = ["examples"]                             # the fixture, used by name

EXAMPLES = Path(__file__).parents[2] / "gateway" / "examples" / "translations"
TXI06 = """extends: x12-004010-810
description: BigBox 810 with TXI06, as a GST retailer's guide asks
defaults:
  currency: USD
structure:
  lines:
    children:
      line_taxes:
        fields:
          category: {at: 6, codes: tax_exempt}
  taxes:
    fields:
      category: {at: 6, codes: tax_exempt}
"""


def txis(written: str) -> list[str]:
    return [s for s in written.replace("\n", "").split("~") if s.startswith("TXI*")]


def gst_retailer_invoiced(odoo: odoorpc.ODOO, client: OdooClient, examples: LoadedConfig, number: str) -> None:
    """BigBox's order of two lines invoiced by our Canadian company: the first with GST 5 %, the second with no tax."""
    our_company_in(odoo, "CA", "123456789RT0001")
    gst = a_tax(odoo, "GST 5%", 5.0)
    order_id = odd.ordered(examples, client, "bigbox", number, odd.BIGBOX_DC,
                           [odd.line("1", {"buyer": "BB-1001"}, 6), odd.line("2", {"buyer": "BB-1002"}, 4)])
    odd.invoiced(odoo, order_id, [{"tax_ids": [(6, 0, [gst])]}, {"tax_ids": [(6, 0, [])]}])


@pytest.mark.parametrize("sandbox", [17, 19], indirect=True, ids=["odoo17", "odoo19"])
async def test_an_810_for_a_partner_at_the_default_tax_type_is_as_before(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, examples: LoadedConfig,
        tmp_path: Path) -> None:
    """A partner at the default tax type whose profile is the base 810: the taxed line's TXI and the summary's
    have no TXI06, and the line without a tax has no TXI (it had none before the categories)."""
    gst_retailer_invoiced(odoo, client, examples, "PO-TAXCAT-R-VA")
    config, _ = with_settings(examples, "bigbox", tax_type="VAT")
    found = txis(await sent_by_daemon(config, client, journal, tmp_path, "bigbox", "810"))
    amount = found[0].split("*")[2]
    assert found == [f"TXI*VA*{amount}*5", f"TXI*VA*{amount}*5"], found


@pytest.mark.parametrize("sandbox", [17, 19], indirect=True, ids=["odoo17", "odoo19"])
async def test_a_partner_profile_writing_txi06_gets_the_categories_and_the_untaxed_lines(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, examples: LoadedConfig,
        tmp_path: Path) -> None:
    """A GST retailer whose guide has TXI06 and whose profile writes it: the taxed line is 2 (not exempt), the line
    without a tax 1 (tax exempt) at 0, on the lines and in the summary; the 810 foots and goes out."""
    folder = tmp_path / "translations"
    shutil.copytree(EXAMPLES, folder)
    (folder / "bigbox-810.yaml").write_text(TXI06)
    gst_retailer_invoiced(odoo, client, examples, "PO-TAXCAT-R-GST")
    config, _ = with_settings(replace(examples, profiles=ProfileRegistry.load(
        [folder], our_ids=examples.profiles.our_ids)), "bigbox", tax_type="GST")
    found = txis(await sent_by_daemon(config, client, journal, tmp_path, "bigbox", "810"))
    amount = found[0].split("*")[2]
    assert found == [f"TXI*GS*{amount}*5***2", "TXI*GS*0*0***1", f"TXI*GS*{amount}*5***2", "TXI*GS*0*0***1"], found


def on_ariba(config: LoadedConfig, partner: PartnerConfig) -> LoadedConfig:
    """`config` with `partner` (BigBox) getting its invoices as cXML InvoiceDetailRequests over Ariba."""
    ariba = partner.model_copy(update={"xml": XmlSettings(ids=["AN01000000001"]), "documents": [DocumentSettings(
        type="cxml-InvoiceDetailRequest", direction="out", profile="cxml-invoicedetailrequest",
        trigger="invoice_posted")]})
    ours = OurIds.model_validate({**config.gateway.our_ids.model_dump(exclude_none=True), "xml": "0614141000005"})
    return replace(config, partners={**config.partners, partner.id: ariba},
                   gateway=config.gateway.model_copy(update={"our_ids": ours}),
                   profiles=ProfileRegistry.load([EXAMPLES], our_ids=ours))


@pytest.mark.parametrize("sandbox", [17, 19], indirect=True, ids=["odoo17", "odoo19"])
async def test_a_cxml_invoice_of_untaxed_lines_says_no_tax(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, examples: LoadedConfig,
        tmp_path: Path) -> None:
    """A cXML InvoiceDetailRequest has no VAT category: an invoice whose lines have no tax in Odoo says 'no tax'
    with no TaxDetail, as before the categories (which gave it a vat 0 % TaxDetail of the lines' amount)."""
    order_id = odd.ordered(examples, client, "bigbox", "PO-TAXCAT-R-CXML", odd.BIGBOX_DC,
                           [odd.line("1", {"buyer": "BB-1001"}, 6), odd.line("2", {"buyer": "BB-1002"}, 4)])
    odd.invoiced(odoo, order_id, [{"tax_ids": [(6, 0, [])]}, {"tax_ids": [(6, 0, [])]}])
    config, partner = with_settings(examples, "bigbox", tax_type="VAT")
    written = await sent_by_daemon(on_ariba(config, partner), client, journal, tmp_path, "bigbox",
                                   "cxml-InvoiceDetailRequest")
    summary = written[written.index("<InvoiceDetailSummary"):]
    assert '<Description xml:lang="en">no tax</Description>' in summary and "TaxDetail" not in summary, summary
