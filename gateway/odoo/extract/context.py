"""The per-run reads every extraction shares (`Context`): the customer, our company, contacts, item codes, zones."""

from __future__ import annotations

from datetime import tzinfo
from typing import Any

from gateway.config.models import PartnerConfig
from gateway.errors import OdooRejected
from gateway.odoo.client import OdooClient
from gateway.odoo.extract.common import log
from gateway.odoo.extract.partner_lines import named_cases
from gateway.odoo.invoice_taxes import places_of
from gateway.odoo.lookup import (
    MISSING,
    Cache,
    Packaging,
    commercial_partner,
    day_zone,
    fill_glns,
    ids_of,
    m2o_id,
)
from gateway.translate.canonical import Line


class Context:
    """What every extraction needs once per run: the customer, our company, item codes."""

    def __init__(self, client: OdooClient, partner: PartnerConfig, cache: Cache | None) -> None:
        self.client = client
        self.partner = partner
        self.cache = cache if cache is not None else Cache()
        self.customer = commercial_partner(client, partner, None, self.cache)
        self.gln_field = partner.odoo.gln_field
        self.partner_fields = ["name", "ref", "parent_id", "street", "street2", "city", "state_id", "zip",
                               "country_id", "vat", self.gln_field]

    def partners(self, ids: set[int]) -> dict[int, dict[str, Any]]:
        rows = self.client.read("res.partner", sorted(ids), self.partner_fields) if ids else []
        fill_glns(self.client, self.partner, self.cache, rows)
        for row in rows:        # the retailer's GLN kept on a contact of its (lookup._company_of_contacts): the file's
            if row["id"] == self.customer["id"] and not row.get(self.gln_field) and self.partner.odoo.gln:
                row[self.gln_field] = self.partner.odoo.gln
        countries = ids_of(r.get("country_id") for r in rows)
        codes = {c["id"]: c["code"] for c in self.client.read("res.country", countries, ["code"])}
        states = self.state_codes(ids_of(r.get("state_id") for r in rows))
        for r in rows:
            r["country_code"] = codes.get(m2o_id(r.get("country_id")) or 0)
            r["state_code"] = states.get(m2o_id(r.get("state_id")) or 0)
        return {r["id"]: r for r in rows}

    def state_codes(self, ids: list[int]) -> dict[int, str | None]:
        """res.country.state id -> its code ('TN', 'ON'): what X12 N402 and EDIFACT NAD 3229 carry, where the
        state's name (the many2one's display name) is no code a retailer's check accepts. One read for the ids
        not cached yet."""
        key = id(self.client)
        found = {i: self.cache.get("state_code", (key, i)) for i in ids}
        wanted = sorted(i for i, code in found.items() if code is MISSING)
        for row in self.client.read("res.country.state", wanted, ["code"]) if wanted else []:
            found[row["id"]] = self.cache.put("state_code", (key, row["id"]), row.get("code") or None)
        return {i: code for i, code in found.items() if code is not MISSING}

    def company(self) -> dict[str, Any] | None:
        """Our company's partner (GLN, address), the ship-from / seller of every document; cached."""
        found: dict[str, Any] | None = self.cache.get("our_company", id(self.client))
        if found is MISSING:
            found = self.cache.put("our_company", id(self.client), self._company())
        return found

    def _company(self) -> dict[str, Any] | None:
        """The company the gateway works in (`OdooClient.company`: `odoo.company_id`, else the user's default one,
        which connect() reads), not the user's default company whatever the setting says."""
        company = self.client.company
        if not company:
            return None
        partner = m2o_id(self.client.read("res.company", [company], ["partner_id"])[0]["partner_id"])
        return self.partners({partner}).get(partner or 0) if partner else None

    def zone(self, warehouse: int | None = None) -> tzinfo:
        return day_zone(self.client, self.partner, self.cache, warehouse)

    def picking_warehouses(self, rows: list[dict[str, Any]]) -> dict[int, int | None]:
        """Picking id -> its warehouse (through its operation type), asked for only when days follow warehouses."""
        if self.partner.odoo.day_zone != "warehouse":
            return {}
        types = {t["id"]: m2o_id(t["warehouse_id"]) for t in self.client.read(
            "stock.picking.type", ids_of(r.get("picking_type_id") for r in rows), ["warehouse_id"])}
        return {r["id"]: types.get(m2o_id(r.get("picking_type_id")) or 0) for r in rows}

    def currency_places(self, ids: list[int]) -> dict[int, int]:
        """The decimal places of the currencies `ids` (from res.currency's rounding: KWD, BHD, OMR 3), which an
        invoice's amounts are rounded and compared in, not cents. One read of those not cached."""
        wanted = [c for c in ids if self.cache.get("currency_places", c) is MISSING]
        for row in self.client.read("res.currency", wanted, ["rounding"]):
            self.cache.put("currency_places", row["id"], places_of(row["rounding"]))
        return {c: int(p) for c in ids if (p := self.cache.get("currency_places", c)) is not MISSING}

    def named_cases(self, lines: list[tuple[Line, int]]) -> dict[int, Packaging]:
        """`named_cases` for the customer: the packaging each repacked partner line's case GTIN names."""
        return named_cases(self.client, self.cache, self.customer["id"], lines)

    def language(self) -> str | None:
        """The customer's language (res.partner `lang`), which Odoo prints its documents for the customer in and
        writes a sale or invoice line's description in; None for none or English. Cached."""
        found: str | None = self.cache.get("customer_lang", (id(self.client), self.customer["id"]))
        if found is MISSING:
            [row] = self.client.read("res.partner", [self.customer["id"]], ["lang"])
            found = self.cache.put("customer_lang", (id(self.client), self.customer["id"]),
                                   row.get("lang") if row.get("lang") not in (False, None, "en_US") else None)
        return found

    def item_ids(self, product_ids: set[int]) -> dict[int, dict[str, str]]:
        """Every identifier a partner may want for a product: GTIN/UPC, our code, the customer's code; and its name
        (`_name`) in the customer's language, as the invoice's lines and Odoo's printed documents for the customer
        name it, so that a partner's 855/856/846 and 810 speak one language. Units and taxes stay in English,
        where the gateway matches them."""
        if not product_ids:
            return {}
        fields = ["default_code", "barcode", "name", "product_tmpl_id"]
        lang = self.language()
        try:
            rows = self.client.read("product.product", sorted(product_ids), fields,
                                    context={"lang": lang} if lang else None)
        except OdooRejected as exc:      # a language Odoo no longer has active ("Invalid language code")
            log.warning("partner %s: product names read in English: Odoo refused the customer's language %s: %s",
                        self.partner.id, lang, exc)
            rows = self.client.read("product.product", sorted(product_ids), fields)
        # the customer's codes of a variant, or of its template (no variant: how the OCA form makes one for a product
        # without variants), which the lookup finds the product by too (`ProductFinder`); a variant's own before
        templates = {r["id"]: m2o_id(r.get("product_tmpl_id")) for r in rows}
        codes = self.client.search_read("product.customerinfo", [
            ("partner_id", "=", self.customer["id"]), "|", ("product_id", "in", sorted(product_ids)), "&",
            ("product_id", "=", False), ("product_tmpl_id", "in", sorted({t for t in templates.values() if t}))],
            ["product_id", "product_tmpl_id", "product_code"]) if self.client.has_model("product.customerinfo") else []
        of_template = {m2o_id(c["product_tmpl_id"]): c["product_code"] for c in codes
                       if c.get("product_code") and not c.get("product_id")}
        buyer = {pid: of_template[tmpl] for pid, tmpl in templates.items() if tmpl in of_template}
        buyer |= {m2o_id(c["product_id"]): c["product_code"] for c in codes
                  if c.get("product_code") and c.get("product_id")}
        out: dict[int, dict[str, str]] = {}
        for r in rows:
            ids: dict[str, str] = {}
            barcode = r.get("barcode") or ""
            if barcode.isdecimal():
                core = barcode.lstrip("0")
                ids["gtin"] = core.zfill(14)
                if len(core) <= 12:
                    ids["upc"] = core.zfill(12)
            elif barcode:
                ids["barcode"] = barcode
            if r.get("default_code"):
                ids["vendor"] = r["default_code"]
            if buyer.get(r["id"]):
                ids["buyer"] = buyer[r["id"]]
            ids["_name"] = r.get("name") or ""
            out[r["id"]] = ids
        return out
