"""The VAT category (UNCL 5305) and exemption reason on the invoices we send, from Odoo over real HTTP through the
daemon's scheduler. EuroHandel's INVOIC went out as TAX+7+VAT+++:::21' with no category, and an Odoo line without a
tax with no TAX segment at all, which an EANCOM / EN 16931 invoice check refuses (the distributor then keys the
invoice in the retailer's portal). Now every line and every summary has its category, derived as Odoo's own UBL
export does (account_edi_ubl_cii: a tax with an amount is S, 0 % from the countries: intra-EU K, export G, the
same country E), or the tax's own `ubl_cii_tax_category_code` (18-19), or, for an untaxed line, the partner's
`odoo.untaxed_lines`; a 0 % E and a 0 % Z are two summaries, and the footing check takes them."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import odoorpc
import pytest
from lxml import etree

from gateway.config.loader import LoadedConfig
from gateway.config.models import OurIds, PartnerConfig, UntaxedLines
from gateway.formats import parse
from gateway.journal.api import State
from gateway.journal.archive import Archive
from gateway.odoo.client import OdooClient
from gateway.odoo.extract.invoices import extract_invoices
from gateway.odoo.sandbox import SandboxServer
from gateway.translate import render, translate
from gateway.translate.canonical import Party
from tests.odoo import test_outbound_odd_odoo as odd
from tests.odoo.test_outbound15_check_digits import one_run
from tests.odoo.test_outbound_taxes_packs import a_tax, examples

__all__ = ["examples"]                             # the fixture, used by name

DC = Party(role="ship_to", ids={"gln": "4012345000016"})
GTINS = ("00614141000012", "00614141000029", "00614141000036")


def our_company_in(odoo: odoorpc.ODOO, code: str, vat: str | None) -> None:
    """Our company's address in the country `code` (created when the database has none), with a VAT number."""
    found = odoo.execute_kw("res.country", "search", [[("code", "=", code)]])
    country = found[0] if found else odoo.execute_kw("res.country", "create", [{"name": code, "code": code}])
    [company] = odoo.execute_kw("res.company", "search", [[]], {"limit": 1})
    partner = odoo.execute_kw("res.company", "read", [[company], ["partner_id"]])[0]["partner_id"][0]
    odoo.execute_kw("res.partner", "write", [[partner], {"country_id": country, "vat": vat or False}])


def three_lines(examples: LoadedConfig, client: OdooClient, odoo: odoorpc.ODOO, number: str,
                taxes: list[list[int]]) -> int:
    """EuroHandel's order of three lines, delivered and invoiced with the i-th line's taxes `taxes[i]`."""
    order_id = odd.ordered(examples, client, "eurohandel", number, DC,
                           [odd.line(str(n), {"gtin": g}, 10) for n, g in enumerate(GTINS, 1)])
    return odd.invoiced(odoo, order_id, [{"tax_ids": [(6, 0, t)]} for t in taxes])


def with_settings(examples: LoadedConfig, partner_id: str, **odoo: Any) -> tuple[LoadedConfig, PartnerConfig]:
    """The example configuration with the partner's `odoo:` settings changed, and that partner."""
    partner = examples.partners[partner_id].model_copy(deep=True)
    partner.odoo = partner.odoo.model_copy(update=odoo)
    return replace(examples, partners={**examples.partners, partner_id: partner}), partner


async def sent_by_daemon(config: LoadedConfig, client: OdooClient, journal: Any, tmp_path: Path, partner_id: str,
                         doc_type: str) -> str:
    """What one run of the daemon's scheduler sent the partner (not held)."""
    [sent] = await one_run(config, client, journal, tmp_path, partner_id, doc_type)
    assert sent.state is not State.QUARANTINED, sent.last_error
    return Archive(tmp_path / "archive").read(sent.sha256).decode("latin-1")


def segments(written: str, tag: str) -> list[str]:
    return [s.strip() for s in written.split("'") if s.strip().startswith(tag)]


def summaries(written: str) -> list[tuple[str, str]]:
    """Each SG50 summary's TAX and its MOA+125 (after UNS)."""
    tail = [s.strip() for s in written.split("UNS+S'", 1)[1].split("'") if s.strip()]
    return [(s, tail[i + 2]) for i, s in enumerate(tail) if s.startswith("TAX+")]


@pytest.mark.parametrize("sandbox", [17, 19], indirect=True, ids=["odoo17", "odoo19"])
async def test_an_intra_eu_invoic_says_s_and_k_on_every_line_and_summary(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, examples: LoadedConfig,
        tmp_path: Path) -> None:
    """Our company in the Netherlands with a VAT number, EuroHandel in Germany: the 21 % line is S, the 0 % tax
    Odoo's fiscal position put on the second line is K (intra-community supply, VATEX-EU-IC), and the third
    line, which has no tax in Odoo, is K at 0 % too instead of having no TAX. The K lines are one summary."""
    our_company_in(odoo, "NL", "NL123456789B01")
    vat, eu = a_tax(odoo, "VAT 21%", 21.0), a_tax(odoo, "0% EU", 0.0)
    three_lines(examples, client, odoo, "EH-TAXCAT-K", [[vat], [eu], []])
    written = await sent_by_daemon(examples, client, journal, tmp_path, "eurohandel", "INVOIC")
    lines = written.split("UNS+S'")[0]
    assert segments(lines, "TAX+") == ["TAX+7+VAT+++:::21+S", "TAX+7+VAT+++:::0+K", "TAX+7+VAT+++:::0+K"], written
    assert summaries(written) == [("TAX+7+VAT+++:::21+S", "MOA+125:" + moa203(written, 0)),
                                  ("TAX+7+VAT+++:::0+K", "MOA+125:" + str(
                                      Decimal(moa203(written, 1)) + Decimal(moa203(written, 2))))], written
    partner = examples.partners["eurohandel"]                  # our own inbound profile reads the categories back
    [back] = [d for tx in parse(written.encode("latin-1")).transactions
              for d in translate(tx, partner, examples.profiles, profile="eurohandel-invoic")]
    assert [[(t.rate, t.category) for t in ln.taxes] for ln in back.lines] == [  # type: ignore[attr-defined]
        [(21, "S")], [(0, "K")], [(0, "K")]]
    assert [(t.rate, t.category) for t in back.taxes] == [(21, "S"), (0, "K")]  # type: ignore[attr-defined]


def moa203(written: str, index: int) -> str:
    return segments(written, "MOA+203:")[index].split(":")[1]


@pytest.mark.parametrize("sandbox", [18, 19], indirect=True, ids=["odoo18", "odoo19"])
async def test_a_taxs_own_category_and_the_partners_untaxed_category_are_two_summaries(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, examples: LoadedConfig,
        tmp_path: Path) -> None:
    """A 0 % tax whose Tax Category Code says E (exempt, VATEX-EU-132) and a line without a tax that EuroHandel's
    `odoo.untaxed_lines` says is zero rated (Z): a 0 % E and a 0 % Z summary, each on its own line's amount, and
    the EANCOM footing check passes them."""
    exempt = a_tax(odoo, "0% exempt", 0.0, ubl_cii_tax_category_code="E",
                   ubl_cii_tax_exemption_reason_code="VATEX-EU-132")
    vat = a_tax(odoo, "VAT 19%", 19.0)
    three_lines(examples, client, odoo, "EH-TAXCAT-EZ", [[vat], [exempt], []])
    config, _ = with_settings(examples, "eurohandel", untaxed_lines=UntaxedLines(category="Z"))
    written = await sent_by_daemon(config, client, journal, tmp_path, "eurohandel", "INVOIC")
    assert segments(written.split("UNS+S'")[0], "TAX+") == [
        "TAX+7+VAT+++:::19+S", "TAX+7+VAT+++:::0+E", "TAX+7+VAT+++:::0+Z"], written
    assert [s for s, _ in summaries(written)] == ["TAX+7+VAT+++:::19+S", "TAX+7+VAT+++:::0+E",
                                                  "TAX+7+VAT+++:::0+Z"], written
    assert [m for _, m in summaries(written)[1:]] == [f"MOA+125:{moa203(written, 1)}",
                                                      f"MOA+125:{moa203(written, 2)}"], written


UBL_BUYER = PartnerConfig.model_validate({"id": "ubl-buyer", "xml": {"ids": ["4000000000009"]}, "documents": [
    {"type": "Invoice", "direction": d, "profile": "ubl-2.1-invoice"} for d in ("in", "out")]})
NS = {"cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
      "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"}


@pytest.mark.parametrize("sandbox", [17, 19], indirect=True, ids=["odoo17", "odoo19"])
def test_a_ubl_invoice_gives_each_line_its_category_and_the_breakdown_its_reason(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any,
        examples: LoadedConfig) -> None:
    """An export: our company in Belgium with a VAT number, the customer in the United States. The UBL invoice's
    lines say S and G (ClassifiedTaxCategory), and the breakdown's G subtotal has VATEX-EU-G and its words, as
    Peppol BIS 3 wants (BR-G-10); read back, it is the invoice we wrote."""
    our_company_in(odoo, "BE", "BE0123456749")
    vat, export = a_tax(odoo, "VAT 21%", 21.0), a_tax(odoo, "0% export", 0.0)
    order_id = odd.ordered(examples, client, "bigbox", "PO-TAXCAT-G", odd.BIGBOX_DC,
                           [odd.line("1", {"buyer": "BB-1001"}, 6), odd.line("2", {"buyer": "BB-1002"}, 4)])
    odd.invoiced(odoo, order_id, [{"tax_ids": [(6, 0, [vat])]}, {"tax_ids": [(6, 0, [export])]}])
    _, bigbox = with_settings(examples, "bigbox", tax_type="VAT")
    [invoice] = extract_invoices(client, bigbox, journal, claim_marks=False)
    out = render(invoice, UBL_BUYER, examples.profiles, journal, "Invoice",
                 our_ids=OurIds.model_validate({"xml": "0614141000005"}))
    tree = etree.fromstring(out.data)
    assert [c.findtext("cbc:ID", namespaces=NS) for c in tree.iterfind(
        "cac:InvoiceLine/cac:Item/cac:ClassifiedTaxCategory", NS)] == ["S", "G"]
    breakdown = [(c.findtext("cbc:ID", namespaces=NS), c.findtext("cbc:TaxExemptionReasonCode", namespaces=NS),
                  c.findtext("cbc:TaxExemptionReason", namespaces=NS))
                 for c in tree.iterfind("cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory", NS)]
    assert breakdown == [("S", None, None), ("G", "VATEX-EU-G", "Export outside the EU")], out.data.decode()
    [back] = [d for tx in parse(out.data).transactions for d in translate(tx, UBL_BUYER, examples.profiles)]
    assert [t.model_dump(exclude_none=True) for t in back.taxes] == [  # type: ignore[attr-defined]
        t.model_dump(exclude_none=True) for t in invoice.taxes]


@pytest.mark.parametrize("sandbox", [17, 19], indirect=True, ids=["odoo17", "odoo19"])
async def test_two_odoo_taxes_of_one_rate_are_one_vat_breakdown(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, examples: LoadedConfig,
        tmp_path: Path) -> None:
    """A chart with a 21 % tax for goods and another for services (Belgian, Dutch charts have both): the INVOIC
    went out with two SG50 groups of 21 %, each with its own tax's part of the taxable amount (a UBL invoice two
    S 21 % TaxSubtotals), which a check adding each breakdown up from the lines of its category and rate refuses
    (EN 16931 BR-S-08: one breakdown per category and rate). Now they are one S 21 % summary."""
    goods, services = a_tax(odoo, "VAT 21% goods", 21.0), a_tax(odoo, "VAT 21% services", 21.0)
    three_lines(examples, client, odoo, "EH-TAXCAT-TWO21", [[goods], [services], [goods]])
    written = await sent_by_daemon(examples, client, journal, tmp_path, "eurohandel", "INVOIC")
    base = sum(Decimal(moa203(written, i)) for i in range(3))
    assert summaries(written) == [("TAX+7+VAT+++:::21+S", f"MOA+125:{base}")], written


@pytest.mark.parametrize("sandbox", [17], indirect=True, ids=["odoo17"])
async def test_a_partner_names_the_category_of_a_tax_odoo_16_17_cannot_say(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, examples: LoadedConfig,
        tmp_path: Path) -> None:
    """A domestic reverse charge (German UStG 13b): our company and EuroHandel both in Germany, a 0 % tax the
    buyer accounts for. 17's account.tax has no Tax Category Code (without account_edi_ubl_cii_tax_extension), and
    from the countries it is E (exempt), which it is not; EuroHandel's `odoo.tax_categories` names it AE."""
    our_company_in(odoo, "DE", "DE129273398")
    vat, reverse = a_tax(odoo, "VAT 19%", 19.0), a_tax(odoo, "0% reverse charge 13b", 0.0)
    three_lines(examples, client, odoo, "EH-TAXCAT-AE", [[vat], [reverse], [reverse]])
    config, _ = with_settings(examples, "eurohandel", tax_categories={"0% reverse charge 13b": "AE"})
    written = await sent_by_daemon(config, client, journal, tmp_path, "eurohandel", "INVOIC")
    assert segments(written.split("UNS+S'")[0], "TAX+") == [
        "TAX+7+VAT+++:::19+S", "TAX+7+VAT+++:::0+AE", "TAX+7+VAT+++:::0+AE"], written
    assert [s for s, _ in summaries(written)] == ["TAX+7+VAT+++:::19+S", "TAX+7+VAT+++:::0+AE"], written
