"""An EU invoice that charges no VAT must say why (VAT Directive art. 226 (11): 'Intra-Community supply', 'Export
outside the EU'); EN 16931 puts it in the VAT breakdown (BT-120), which a D96A/D01B INVOIC's SG50 has no place
for: TAX C533 5289 is an..6, no VATEX code. EANCOM's place is the header's FTX with 4451 TXD (tax declaration).
The INVOIC had the category (TAX ...+K) and not the words; now each summary's reason is one FTX+TXD, written
through the daemon's scheduler from the sandbox over HTTP, and read back by our inbound profile as a note, as any
FTX+TXD was before."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.config.models import UntaxedLines
from gateway.formats import parse
from gateway.odoo.client import OdooClient
from gateway.odoo.sandbox import SandboxServer
from gateway.translate import translate
from tests.odoo.test_outbound_taxes_packs import a_tax, examples
from tests.odoo.test_taxcat17_invoices import (
    our_company_in,
    segments,
    sent_by_daemon,
    three_lines,
    with_settings,
)

__all__ = ["examples"]                             # the fixture, used by name


@pytest.mark.parametrize("sandbox", [17, 19], indirect=True, ids=["odoo17", "odoo19"])
async def test_an_intra_eu_invoic_says_why_it_charges_no_vat(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, examples: LoadedConfig,
        tmp_path: Path) -> None:
    """Our company in the Netherlands, EuroHandel in Germany: the K summary's words are FTX+TXD in the header, once
    for the 0 % tax's and the untaxed line's K; the S summary has none. Read back, the words are a note."""
    our_company_in(odoo, "NL", "NL123456789B01")
    vat, eu = a_tax(odoo, "VAT 21%", 21.0), a_tax(odoo, "0% EU", 0.0)
    three_lines(examples, client, odoo, "EH-TAXCAT-R-TXD", [[vat], [eu], []])
    written = await sent_by_daemon(examples, client, journal, tmp_path, "eurohandel", "INVOIC")
    header = written.split("LIN+")[0]
    assert segments(header, "FTX+TXD") == ["FTX+TXD+++Intra-Community supply"], written
    [back] = [d for tx in parse(written.encode("latin-1")).transactions
              for d in translate(tx, examples.partners["eurohandel"], examples.profiles, profile="eurohandel-invoic")]
    assert "Intra-Community supply" in back.notes, back.notes  # type: ignore[attr-defined]


@pytest.mark.parametrize("sandbox", [17], indirect=True, ids=["odoo17"])
async def test_a_domestic_invoic_with_an_exempt_line_names_its_vatex_words(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, examples: LoadedConfig,
        tmp_path: Path) -> None:
    """The partner's `odoo.untaxed_lines` says E with its own words: they are the FTX+TXD (its ':' released)."""
    our_company_in(odoo, "DE", "DE129273398")
    vat = a_tax(odoo, "VAT 19%", 19.0)
    three_lines(examples, client, odoo, "EH-TAXCAT-R-TXD-E", [[vat], [vat], []])
    config, _ = with_settings(examples, "eurohandel", untaxed_lines=UntaxedLines(
        category="E", exemption_reason="VATEX-EU-132-1A", exemption_text="Exempt: art. 132 (1) (a)"))
    written = await sent_by_daemon(config, client, journal, tmp_path, "eurohandel", "INVOIC")
    assert segments(written.split("LIN+")[0], "FTX+TXD") == ["FTX+TXD+++Exempt?: art. 132 (1) (a)"], written
