"""The VAT category (UNCL 5305: S, Z, E, AE, K, G, O) and exemption reason of each tax on an Odoo invoice.

EN 16931 / Peppol BIS 3 UBL invoices and EANCOM INVOICs carry a category on every line and in every tax summary,
and a reason (a CEF VATEX code, or words) for each one that charges no tax; a retailer's invoice check refuses an
invoice without them. Odoo's own UBL/CII export (account_edi_ubl_cii) is the model an integrator compares with:

- a tax whose `ubl_cii_tax_category_code` is set (account.tax from 18; in 17 with account_edi_ubl_cii_tax_extension)
  is that category, with its `ubl_cii_tax_exemption_reason_code`; the fields are found by fields_get, not by version;
  where there is none, the partner's `odoo.tax_categories` may name a tax's category (a domestic reverse charge AE);
- otherwise a customer in the Canary Islands (Spain, postcode 35, 38) is L (IGIC) and in Ceuta or Melilla (51, 52)
  M (IPSI), whatever the tax, without a reason (EN 16931 BR-IG-10, BR-IP-10), as Odoo 16-19 derive it first;
- otherwise a tax with an amount is S (standard), and one of 0 % is derived from our company's and the customer's
  countries: the same country E (exempt); our company in the EEA with a VAT number, the customer in another EEA
  country K (VATEX-EU-IC, intra-community supply), outside it G (VATEX-EU-G, export); else E;
- a line with no tax at all is derived like a 0 % tax (as Odoo 17 derives an empty tax; 18-19's export says E
  whatever the countries), unless the partner's `odoo.untaxed_lines` says its category; only for a partner whose
  invoice profile writes a category (`writes_category`: EANCOM TAX 5305, UBL): an X12 810 or a cXML invoice has no
  place for one, and a 0 % tax line its guide never asked for (TXI*VA*0*0 on a US retailer's resale lines) is one
  more thing its translator may refuse; there only `odoo.untaxed_lines` adds it.

Only VAT and GST have these categories: a US sales tax (the partner's `odoo.tax_type: sales`) gets none, and a line
without tax for such a partner stays without one. Odoo's fiscal position is what put the 0 % tax on the line; the
category follows from it and the countries, as in Odoo."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from gateway.config.models import PartnerConfig
from gateway.odoo.client import OdooClient
from gateway.odoo.invoice_taxes import dec
from gateway.translate.canonical import Tax

CATEGORY_FIELDS = ("ubl_cii_tax_category_code", "ubl_cii_tax_exemption_reason_code", "ubl_cii_tax_exemption_reason")
"""account.tax fields of account_edi_ubl_cii (18-19; 17: account_edi_ubl_cii_tax_extension), read when they exist."""

VAT_TYPES = frozenset({"VAT", "GST"})
"""The canonical tax types UNCL 5305's categories are for."""

EEA = frozenset({"AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT", "LT",
                 "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK", "NO", "IS", "LI"})
"""The European Economic Area: the EU (Odoo's base.europe group) and Norway, Iceland, Liechtenstein, as Odoo adds."""

TERRITORIES = {"35": "L", "38": "L", "51": "M", "52": "M"}
"""Spanish postcodes (their first two digits) outside the EU VAT area: the Canary Islands' IGIC (L), Ceuta's and
Melilla's IPSI (M), as account_edi_ubl_cii's `_get_tax_unece_codes` tells them from the customer's zip."""

REASONS = {"K": "VATEX-EU-IC", "G": "VATEX-EU-G", "AE": "VATEX-EU-AE", "O": "VATEX-EU-O"}
"""The VATEX code a category without one of its own is sent with (E has none that fits every exemption)."""

WORDS = {"VATEX-EU-IC": "Intra-Community supply", "VATEX-EU-G": "Export outside the EU",
         "VATEX-EU-AE": "Reverse charge", "VATEX-EU-O": "Not subject to VAT", None: "Exempt from tax"}
"""The words (EN 16931 BT-120) sent with those codes, as the CEF VATEX list names them."""


@dataclass(frozen=True)
class Category:
    """A tax's category and, when it charges none, why: a VATEX code and/or words."""

    code: str
    reason: str | None = None
    text: str | None = None

    def applied(self, tax: Tax, summary: bool) -> Tax:
        """`tax` with this category; the reason only in a `summary` (EN 16931 puts it in the VAT breakdown, BG-23)."""
        more = {"exemption_reason": self.reason, "exemption_text": self.text} if summary else {}
        return tax.model_copy(update={"category": self.code, **more})


class Categories:
    """The categories of the taxes on one partner's invoices: our company's and the customer's countries, whether
    we have a VAT number, the partner's tax type and its `odoo.untaxed_lines`."""

    def __init__(self, ours: str | None, our_vat: Callable[[], bool], theirs: str | None, partner: PartnerConfig,
                 written: bool = True, territory: str | None = None) -> None:
        """`our_vat`: whether our company has a VAT number, asked only when a 0 % tax crosses a border; `written`:
        whether the partner's invoice profile writes a category (`writes_category`); `territory`: L or M for a
        customer in a Spanish territory outside the VAT area (TERRITORIES)."""
        self.ours, self.our_vat, self.theirs, self.written = ours, our_vat, theirs, written
        self.territory = territory
        self.type, self.untaxed_lines = partner.odoo.tax_type, partner.odoo.untaxed_lines
        self.named = partner.odoo.tax_categories

    def of(self, tax: dict[str, Any]) -> Category:
        """An Odoo tax's category: its own `ubl_cii_tax_category_code`, else the partner's `odoo.tax_categories`
        for its name, else derived (module docstring)."""
        own = tax.get("ubl_cii_tax_category_code") or self.named.get(tax.get("name") or "")
        if not own:
            return self._derived(dec(tax.get("amount")))
        if own in ("S", "Z", "L", "M"):                # charged, or zero rated: no reason (EN 16931 BR-S-10, BR-Z-10)
            return Category(str(own))
        reason = tax.get("ubl_cii_tax_exemption_reason_code") or REASONS.get(own)
        # the words of its reason; without one, E's only: a charged category (B, Italy's split payment; 19's SR) has none
        words = WORDS.get(reason) if reason or own == "E" else None
        return Category(str(own), reason, tax.get("ubl_cii_tax_exemption_reason") or words)

    def untaxed(self, line: dict[str, Any]) -> Category | None:
        """The category of an invoice line with no tax in Odoo: the partner's `odoo.untaxed_lines`, else as a 0 %
        tax's; None for a line with taxes, for a partner whose taxes are no VAT (a US retailer's sales tax), or
        whose invoices have no place for a category and who did not ask for one."""
        if line.get("tax_ids"):
            return None
        u = self.untaxed_lines
        if u is None:
            return self._derived(Decimal(0)) if self.type in VAT_TYPES and self.written else None
        if u.category == "Z":
            return Category("Z")
        reason = u.exemption_reason or REASONS.get(u.category)
        return Category(u.category, reason, u.exemption_text or WORDS.get(reason))

    def line_taxes(self, sent: list[Tax], odoo: list[dict[str, Any]], line: dict[str, Any],
                   subtotal: Decimal) -> list[Tax]:
        """A line's taxes (`sent`, from the Odoo taxes `odoo`) with their categories; a line without any, its
        category at 0 % (a TAX segment, a ClassifiedTaxCategory, which every EN 16931 line has)."""
        if (untaxed := self.untaxed(line)) is not None:
            return [untaxed.applied(self._zero(subtotal), summary=False)]
        return [self.of(o).applied(t, summary=False) if t.type in VAT_TYPES else t
                for t, o in zip(sent, odoo, strict=True)]

    def summary(self, sent: list[Tax], odoo: list[dict[str, Any]], untaxed: dict[Category, Decimal],
                shared: set[frozenset[int]] | None = None) -> list[Tax]:
        """The invoice's taxes (one per Odoo tax, `sent` from `odoo`) with their categories and reasons, and one
        per category of the lines without a tax (`untaxed`: their amounts), as one VAT breakdown per type, rate
        and category (EN 16931 BR-S-08, BR-E-01 ...; an EANCOM check adds each SG50's MOA+125 up from the lines
        with its TAX): two Odoo taxes of 21 % (goods, services) are one S summary, an untaxed line's E and a 0 %
        tax's E one E summary; a 0 % E and a 0 % Z stay two. A tax without a rate (fixed) or category stays
        its own, and so do two taxes on one line (`shared`: the pairs of Odoo tax ids some line carries both of):
        India's CGST 9 % and SGST 9 % are two taxes, each on the whole line, not one 9 % on twice its amount."""
        found = [(self.of(o).applied(t, summary=True) if t.type in VAT_TYPES else t, int(o["id"]))
                 for t, o in zip(sent, odoo, strict=True)]
        found += [(c.applied(self._zero(base), summary=True), 0) for c, base in untaxed.items()]
        merged: list[tuple[Tax, set[int]]] = []
        for tax, tax_id in found:
            same = [(m, ids) for m, ids in merged if tax.category and tax.rate is not None and _key(m) == _key(tax)
                    and not any(frozenset((tax_id, i)) in (shared or set()) for i in ids)]
            if same:
                into, ids = same[0]
                ids.add(tax_id)
                into.taxable_amount = (into.taxable_amount or Decimal(0)) + (tax.taxable_amount or Decimal(0))
                into.amount = (into.amount or Decimal(0)) + (tax.amount or Decimal(0))
                into.exemption_reason = into.exemption_reason or tax.exemption_reason
                into.exemption_text = into.exemption_text or tax.exemption_text
            else:
                merged.append((tax.model_copy(), {tax_id}))
        return [tax for tax, _ in merged]

    def _zero(self, base: Decimal) -> Tax:
        return Tax(type=self.type, rate=Decimal(0), amount=Decimal(0), taxable_amount=base)

    def _derived(self, amount: Decimal) -> Category:
        if self.territory:
            return Category(self.territory)
        if amount:
            return Category("S")
        if self.ours and self.ours == self.theirs:
            code = "E"
        elif self.ours in EEA and self.theirs and self.our_vat():
            code = "K" if self.theirs in EEA else "G"
        else:
            code = "E"
        reason = REASONS.get(code)
        return Category(code, reason, WORDS.get(reason))


def _key(tax: Tax) -> tuple[str, Decimal | None, str | None]:
    return tax.type, tax.rate, tax.category


def for_invoices(client: OdooClient, partner: PartnerConfig, company: dict[str, Any] | None,
                 customer: dict[str, Any] | None, written: bool = True) -> Categories:
    """The categories of `partner`'s invoices from our company's partner and the customer's (their `country_code`,
    as the extraction reads contacts); our VAT number is the company row's `vat`, else read once, when a 0 % tax
    crosses a border. `written`: whether its invoice profile writes a category (`writes_category`)."""
    vat: list[bool] = []

    def our_vat() -> bool:
        if not vat:
            rows = [company] if company and "vat" in company else \
                client.read("res.partner", [company["id"]], ["vat"]) if company else []
            vat.append(bool(rows and rows[0].get("vat")))
        return vat[0]

    theirs = (customer or {}).get("country_code")
    zip_code = str((customer or {}).get("zip") or "")
    return Categories((company or {}).get("country_code"), our_vat, theirs, partner, written,
                      TERRITORIES.get(zip_code[:2]) if theirs == "ES" else None)


def writes_category(structure: Mapping[str, Any] | None) -> bool:
    """Whether a profile's `structure:` (merged YAML) writes a tax's `category` (a `taxes` node's field that is not
    read_only): EANCOM's TAX 5305 and UBL's TaxCategory/ID do; the base 810 reads TXI06 only (a partner's profile
    writes it by giving the field without read_only), cXML has none."""
    for node in (structure or {}).values():
        if not isinstance(node, Mapping) or node.get("read_only"):
            continue
        field = (node.get("fields") or {}).get("category") if node.get("each") == "taxes" else None
        if field is not None and not (isinstance(field, Mapping) and field.get("read_only")):
            return True
        if writes_category(node.get("children")):
            return True
    return False


def tax_category_fields(client: OdooClient) -> tuple[str, ...]:
    """Those of CATEGORY_FIELDS this database's account.tax has (fields_get, cached by the client)."""
    found = client.fields("account.tax")
    return tuple(f for f in CATEGORY_FIELDS if f in found)
