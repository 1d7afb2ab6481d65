"""A customer in the Canary Islands (Spain, postcode 35xxx/38xxx) is outside the EU VAT area: its tax is the IGIC,
VAT category L, and Ceuta's and Melilla's (51xxx/52xxx) the IPSI, M. Odoo's own UBL export (account_edi_ubl_cii's
`_get_tax_unece_codes`, 16-19) says so from the customer's country and zip before anything else; the gateway's
derivation saw two Spanish addresses and said E (exempt, 'Exempt from tax') for a 0 % line and S for the IGIC 7 %,
which a Spanish retailer's invoice check, or EN 16931's BR-IG rules (an IGIC breakdown is L, with no exemption
reason), refuses. Through the daemon's scheduler and the sandbox over HTTP."""

from __future__ import annotations

from pathlib import Path
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
from tests.odoo.test_taxcat17_invoices import (
    NS,
    UBL_BUYER,
    our_company_in,
    segments,
    sent_by_daemon,
    summaries,
    three_lines,
)

__all__ = ["examples"]                             # the fixture, used by name


def eurohandel_at(odoo: odoorpc.ODOO, zip_code: str) -> None:
    """EuroHandel's company in Spain at `zip_code`."""
    [spain] = odoo.execute_kw("res.country", "search", [[("code", "=", "ES")]]) or [
        odoo.execute_kw("res.country", "create", [{"name": "Spain", "code": "ES"}])]
    found = odoo.execute_kw("res.partner", "search", [[("ref", "=", "EUROHANDEL")]])
    odoo.execute_kw("res.partner", "write", [found, {"country_id": spain, "zip": zip_code}])


@pytest.mark.parametrize("sandbox", [17, 19], indirect=True, ids=["odoo17", "odoo19"])
async def test_a_canary_islands_customer_is_l_on_every_line_and_summary(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, examples: LoadedConfig,
        tmp_path: Path) -> None:
    """Our company in Spain, EuroHandel in Santa Cruz de Tenerife (38001): the IGIC 7 % line, the 0 % line and the
    line without a tax are all L, and the summaries L 7 % and L 0 %; the UBL breakdown has no exemption reason."""
    our_company_in(odoo, "ES", "ESB12345674")
    eurohandel_at(odoo, "38001")
    igic, zero = a_tax(odoo, "IGIC 7%", 7.0), a_tax(odoo, "IGIC 0%", 0.0)
    three_lines(examples, client, odoo, "EH-TAXCAT-R-IGIC", [[igic], [zero], []])
    written = await sent_by_daemon(examples, client, journal, tmp_path, "eurohandel", "INVOIC")
    assert segments(written.split("UNS+S'")[0], "TAX+") == [
        "TAX+7+VAT+++:::7+L", "TAX+7+VAT+++:::0+L", "TAX+7+VAT+++:::0+L"], written
    assert [s for s, _ in summaries(written)] == ["TAX+7+VAT+++:::7+L", "TAX+7+VAT+++:::0+L"], written
    [invoice] = extract_invoices(client, examples.partners["eurohandel"], journal, claim_marks=False)
    out = render(invoice, UBL_BUYER, examples.profiles, journal, "Invoice",
                 our_ids=OurIds.model_validate({"xml": "0614141000005"}))
    breakdown = [(c.findtext("cbc:ID", namespaces=NS), c.findtext("cbc:TaxExemptionReason", namespaces=NS))
                 for c in etree.fromstring(out.data).iterfind("cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory", NS)]
    assert breakdown == [("L", None), ("L", None)], out.data.decode()


@pytest.mark.parametrize(("zip_code", "category"), [("52001", "M"), ("28001", "E")], ids=["melilla", "madrid"])
@pytest.mark.parametrize("sandbox", [17], indirect=True, ids=["odoo17"])
async def test_a_melilla_customer_is_m_and_a_mainland_one_stays_e(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, examples: LoadedConfig,
        tmp_path: Path, zip_code: str, category: str) -> None:
    """Melilla (52001) is M; the same invoice for a customer in Madrid (28001) is E at 0 %, as before."""
    our_company_in(odoo, "ES", "ESB12345674")
    eurohandel_at(odoo, zip_code)
    zero = a_tax(odoo, "0% exempt", 0.0)
    three_lines(examples, client, odoo, f"EH-TAXCAT-R-{zip_code}", [[zero], [zero], [zero]])
    written = await sent_by_daemon(examples, client, journal, tmp_path, "eurohandel", "INVOIC")
    assert [s for s, _ in summaries(written)] == [f"TAX+7+VAT+++:::0+{category}"], written
