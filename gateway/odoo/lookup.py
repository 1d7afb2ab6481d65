"""Finding Odoo records for EDI identifiers, in bulk and cached.

Partners, products and units change rarely and are asked for on every document, so
each identifier is resolved once (one `search_read` per kind for all lines of a
document, only for identifiers not yet cached) and kept for `ttl` seconds. A cached id
that Odoo no longer accepts is handled by `Cache.invalidate()` and one fresh attempt
(see posting.py). The result: an order costs the same number of calls whatever its
line count.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from decimal import Decimal
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from gateway.config.models import PartnerConfig
from gateway.errors import OdooRejected
from gateway.formats.gs1 import expected_digit
from gateway.odoo.client import OdooClient
from gateway.odoo.invoice_taxes import dec
from gateway.translate.canonical import Document, Party

MISSING = object()
T = TypeVar("T")
log = logging.getLogger("gateway.odoo.lookup")

# canonical (UN/ECE Rec 20) unit code -> Odoo unit name (stock data of every database)
UNITS: dict[str, str] = {"EA": "Units", "C62": "Units", "NIU": "Units", "PCE": "Units", "H87": "Units",
                         "EACH": "Units", "DZN": "Dozens", "KGM": "kg", "LBR": "lb"}
# item identifier kinds, by what they match in Odoo
BARCODE_KINDS = ("gtin", "ean", "upc", "barcode")
OWN_CODE_KINDS = ("sku", "default_code", "our")
THEIR_GTIN_LENGTHS = (12, 13, 14)   # a customer's item number taken for a GTIN (`ProductFinder.their_gtin`): not 8


class Cache:
    """Per-kind lookups with a time to live; thread-safe, shared by the pipeline's workers."""

    def __init__(self, ttl: float = 300.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self.clock = clock
        self._data: dict[tuple[str, Any], tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def get(self, kind: str, key: Any) -> Any:
        with self._lock:
            hit = self._data.get((kind, key))
            if hit is None or hit[0] < self.clock():
                return MISSING
            return hit[1]

    def put(self, kind: str, key: Any, value: T) -> T:
        with self._lock:
            self._data[(kind, key)] = (self.clock() + self.ttl, value)
        return value

    def invalidate(self, kind: str | None = None, *, older_than: float | None = None) -> None:
        """Forget lookups (of one kind); with `older_than`, only those made more than that many seconds ago."""
        with self._lock:
            if kind is None and older_than is None:
                self._data.clear()
                return
            made_before = self.clock() - older_than + self.ttl if older_than is not None else float("inf")
            for key in [k for k, (expires, _) in self._data.items()
                        if (kind is None or k[0] == kind) and expires < made_before]:
                del self._data[key]


@dataclass(frozen=True)
class Names:
    """Field names that differ between Odoo versions, read from fields_get once per client.

    `move_qty` / `line_qty`: the done quantity of a stock move and of its move lines, `quantity` from 17 (with
    `picked`), `quantity_done` / `qty_done` in 16 (where the reserved quantity is another field)."""

    sale_uom: str
    sale_tax: str
    purchase_uom: str
    move_qty: str
    line_qty: str

    @staticmethod
    def of(client: OdooClient, cache: Cache) -> Names:
        found: Names = cache.get("names", id(client))
        if found is MISSING:
            sale = client.fields("sale.order.line") if client.has_model("sale.order.line") else {}  # purchasing only
            purchase = client.fields("purchase.order.line") if client.has_model("purchase.order.line") else {}
            found = cache.put("names", id(client), Names(
                sale_uom="product_uom_id" if "product_uom_id" in sale else "product_uom",
                sale_tax="tax_ids" if "tax_ids" in sale else "tax_id",
                purchase_uom="product_uom_id" if "product_uom_id" in purchase else "product_uom",
                move_qty="quantity" if "quantity" in client.fields("stock.move") else "quantity_done",
                line_qty="quantity" if "quantity" in client.fields("stock.move.line") else "qty_done"))
        return found


CASE_UNITS = ("CS", "CA", "CT", "PK", "BX")


def counts_cases(partner: PartnerConfig, unit: str, pack_size: Decimal | None) -> bool:
    """True when a line's quantity is in cases of `pack_size` product units that Odoo counts as units: the
    unit is a case and the partner maps no Odoo unit to it (`odoo.units`)."""
    return unit.upper() in CASE_UNITS and bool(pack_size) and unit not in partner.odoo.units


def discount_digits(client: OdooClient, cache: Cache, model: str = "sale.order.line") -> int:
    """Decimal places of an order (or, `model` account.move.line, a bill) line's Discount (%) as this database keeps
    them (its "Discount" decimal accuracy, 2 unless an admin changed it): a discount is rounded to that, as Odoo
    would round it on write. A bill reads its own lines: a purchasing-only database has no sale.order.line."""
    return _line_digits(client, cache, "discount", model)


def price_digits(client: OdooClient, cache: Cache, model: str = "sale.order.line") -> int:
    """Decimal places of an order (or, `model` account.move.line, a bill) line's Unit Price as this database keeps
    them (its "Product Price" decimal accuracy, 2 unless an admin changed it: 4 where small parts cost 0.0125):
    prices are compared to that, and one it cannot keep is not posted."""
    return _line_digits(client, cache, "price_unit", model)


def _line_digits(client: OdooClient, cache: Cache, field: str, model: str = "sale.order.line") -> int:
    """The decimal places of a float field of a line model (fields_get `digits`), 2 when it has none; cached."""
    found = cache.get(f"{model}.{field}_digits", id(client))
    if found is MISSING:
        meta = client.call(model, "fields_get", [field], ["digits"])
        digits = (meta.get(field) or {}).get("digits") if isinstance(meta, dict) else None
        found = cache.put(f"{model}.{field}_digits", id(client),
                          int(digits[1]) if isinstance(digits, (list, tuple)) and len(digits) == 2 else 2)
    return int(found)


def user_context(client: OdooClient, cache: Cache) -> dict[str, Any]:
    """The API user's context (uid, lang, tz), read once per cache period."""
    found = cache.get("user_context", id(client))
    if found is MISSING:
        ctx = client.call("res.users", "context_get")
        found = cache.put("user_context", id(client), ctx if isinstance(ctx, dict) else {})
    return dict(found)


def user_zone(client: OdooClient, cache: Cache) -> tzinfo:
    """The time zone of the API user's preferences, in which Odoo shows that user its times: the zone of
    the days and times exchanged with partners (Odoo stores UTC). UTC when unset or unknown here."""
    return _zone(str(user_context(client, cache).get("tz") or "UTC"), "Odoo user")


def gln_companies(client: OdooClient, partner: PartnerConfig, cache: Cache) -> list[int]:
    """The companies whose GLNs the gateway goes by: none when the partner's `odoo.gln_field` holds one value
    for every company; for a company-dependent field (res.partner `barcode`, the default: Odoo keeps a value
    per company, and a call sees its own company's only) every company the API user may work in, the gateway's
    own first, so a GLN typed while working in another company is still found and sent."""
    if not (client.fields("res.partner").get(partner.odoo.gln_field) or {}).get("company_dependent"):
        return []
    found: list[int] = cache.get("gln_companies", id(client))
    if found is MISSING:
        uid = user_context(client, cache).get("uid")
        users = client.read("res.users", [int(uid)], ["company_ids"]) if uid else []
        own = client.company            # the one every call is made in (connect: odoo.company_id or the default)
        others = sorted(set(users[0]["company_ids"] if users else []) - {own})
        found = cache.put("gln_companies", id(client), ([own] if own else []) + others)
    return list(found)


def in_company(companies: list[int], company: int) -> dict[str, Any]:
    """The context of a call that sees company-dependent values as `company` holds them (the others allowed too,
    so records shared with them stay visible)."""
    return {"allowed_company_ids": [company, *(c for c in companies if c != company)]}


def by_gln(client: OdooClient, partner: PartnerConfig, cache: Cache, domain: list[Any], fields: list[str],
           limit: int) -> list[dict[str, Any]]:
    """res.partner search_read by a domain on the GLN field: as the gateway's company holds GLNs, else as each
    other company does (see gln_companies); what that finds is read again as the gateway's company sees it, so a
    partner it may not use is not returned."""
    rows: list[dict[str, Any]] = client.search_read("res.partner", domain, fields, limit=limit)
    companies = gln_companies(client, partner, cache)
    for company in companies[1:]:
        if rows:
            break
        ids = client.search("res.partner", domain, limit=limit, context=in_company(companies, company))
        rows = client.search_read("res.partner", [("id", "in", ids)], fields, limit=limit) if ids else []
    return rows


def fill_glns(client: OdooClient, partner: PartnerConfig, cache: Cache, rows: list[dict[str, Any]]) -> None:
    """Partner rows read in the gateway's company get, where their company-dependent GLN field is empty there,
    the GLN another company holds (see gln_companies), for the documents the gateway sends."""
    field = partner.odoo.gln_field
    companies = gln_companies(client, partner, cache)
    missing = [r["id"] for r in rows if not r.get(field)]
    for company in companies[1:]:
        if not missing:
            break
        found = {r["id"]: r[field] for r in client.read("res.partner", missing, [field],
                                                         context=in_company(companies, company)) if r.get(field)}
        for row in rows:
            if row["id"] in found:
                row[field] = found[row["id"]]
        missing = [i for i in missing if i not in found]


def _zone(name: str, what: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        log.warning("%s time zone %r is unknown here; days are taken as UTC", what, name)
        return UTC


def day_zone(client: OdooClient, partner: PartnerConfig, cache: Cache, warehouse: int | None = None) -> tzinfo:
    """The zone of the days exchanged with `partner` about `warehouse`: with `odoo.day_zone: warehouse`, that of
    the warehouse's address (its Timezone), read once per cache period; else, or when it has none, the user's."""
    if partner.odoo.day_zone == "warehouse" and warehouse:
        zones: dict[int, str] = cache.get("warehouse_zones", id(client))
        if zones is MISSING:
            rows = client.search_read("stock.warehouse", [], ["partner_id"])
            tz = {r["id"]: r.get("tz") for r in client.read("res.partner", ids_of(w["partner_id"] for w in rows),
                                                               ["tz"])}
            zones = cache.put("warehouse_zones", id(client), {
                w["id"]: str(tz[m2o_id(w["partner_id"]) or 0]) for w in rows if tz.get(m2o_id(w["partner_id"]) or 0)})
        if zones.get(warehouse):
            return _zone(str(zones[warehouse]), f"warehouse {warehouse}")
    return user_zone(client, cache)


def utc_datetime(day: str, time: str | None, zone: tzinfo) -> str:
    """A partner's date (and time, else noon) in `zone` (`day_zone`) as Odoo stores datetimes: UTC, so Odoo shows
    the day and hour the partner wrote; a time that is none is noon. An invalid date raises ValueError."""
    try:
        local = datetime.fromisoformat(f"{day}T{time or '12:00'}")
    except ValueError:
        local = datetime.fromisoformat(f"{day}T12:00")
    return local.replace(tzinfo=zone).astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def m2o_id(value: Any) -> int | None:
    """A many2one read value ([id, name], id or False) as an id."""
    if isinstance(value, (list, tuple)):
        return int(value[0]) if value else None
    return int(value) if value else None


def ids_of(values: Iterable[Any]) -> list[int]:
    """Sorted distinct ids of many2one values (False / None left out)."""
    return sorted({i for i in (m2o_id(v) for v in values) if i})


def m2o_name(value: Any) -> str | None:
    return str(value[1]) if isinstance(value, (list, tuple)) and len(value) > 1 else None


# --------------------------------------------------------------------------- partners

PARTNER_FIELDS = ["name", "ref", "barcode", "parent_id", "is_company", "property_product_pricelist", "type",
                  "street", "city", "zip", "country_id", "property_payment_term_id"]


def partner_fields(partner: PartnerConfig) -> list[str]:
    fields = list(PARTNER_FIELDS)
    if partner.odoo.gln_field not in fields:
        fields.append(partner.odoo.gln_field)
    return fields


def commercial_partner(client: OdooClient, partner: PartnerConfig, doc: Document | None, cache: Cache,
                       roles: Iterable[str] = ("buyer", "bill_to")) -> dict[str, Any]:
    """The partner's company in Odoo: by its Odoo reference, its GLN, or the GLN the document gives."""
    cached: dict[str, Any] = cache.get("partner", partner.id)
    if cached is not MISSING:
        return cached
    cfg = partner.odoo
    tried: list[str] = []
    rows: list[dict[str, Any]] = []
    asked: list[list[Any]] = []             # the domains asked, for `_elsewhere`
    if cfg.partner_ref:
        asked.append([("ref", "=", cfg.partner_ref), ("parent_id", "=", False)])
        rows = client.search_read("res.partner", asked[-1], partner_fields(partner), limit=2)
        tried.append(f"reference {cfg.partner_ref!r}")
    glns = [cfg.gln] if cfg.gln else []
    if doc is not None:
        glns += [p.ids["gln"] for p in doc.parties if p.role in roles and p.ids.get("gln")]
    glns = list(dict.fromkeys(glns))     # the buyer's and bill-to's GLN is often the partner's own: said once
    if not rows and glns:
        asked.append([(cfg.gln_field, "in", glns), ("parent_id", "=", False)])
        rows = by_gln(client, partner, cache, asked[-1], partner_fields(partner), 2) or \
            _company_of_contacts(client, partner, cache, glns)
        tried.append(f"GLN {', '.join(glns)}")
    if not rows:
        raise OdooRejected(f"partner {partner.id}: no company in Odoo with "
                           f"{' or '.join(tried) or 'an identifier (set odoo.partner_ref or odoo.gln)'}"
                           f"{_elsewhere(client, cache, asked)}")
    if len(rows) > 1:
        raise OdooRejected(f"partner {partner.id}: several Odoo companies match {' or '.join(tried)}: "
                           f"{', '.join(r['name'] for r in rows)}")
    return cache.put("partner", partner.id, rows[0])


def _company_of_contacts(client: OdooClient, partner: PartnerConfig, cache: Cache,
                         glns: list[str]) -> list[dict[str, Any]]:
    """The companies whose contacts carry `glns`, when no company does: many keep the GLN a retailer buys or is
    invoiced under (X12 N1*BY / N1*BT, EDIFACT NAD+BY / NAD+IV) on its purchasing or invoice address, a contact
    under the company, rather than on the company itself."""
    contacts = by_gln(client, partner, cache, [(partner.odoo.gln_field, "in", glns), ("parent_id", "!=", False)],
                      ["commercial_partner_id"], 10)
    ids = ids_of(c.get("commercial_partner_id") for c in contacts)
    return client.search_read("res.partner", [("id", "in", ids)], partner_fields(partner), limit=2) if ids else []


def _elsewhere(client: OdooClient, cache: Cache, domains: list[list[Any]]) -> str:
    """Why a customer (or vendor) was not found when it is there but belongs to another company than the one the
    gateway works in (res.partner `company_id`, which Odoo's multi-company rule hides from a call made in that
    company): the sentence saying so, else "". Asked only for a partner not found, in the other companies the API
    user may work in."""
    try:
        uid = user_context(client, cache).get("uid")
        users = client.read("res.users", [int(uid)], ["company_ids"]) if uid and domains else []
        others = sorted(set(users[0]["company_ids"] if users else []) - {client.company})
        for domain in domains if others else []:
            rows = client.search_read("res.partner", domain, ["name", "company_id"], limit=1,
                                      context={"allowed_company_ids": others})
            if rows and rows[0].get("company_id"):
                ours = client.read("res.company", [client.company], ["name"]) if client.company else []
                return (f" in {ours[0]['name'] if ours else 'the company'}, the company the gateway works in; "
                        f"{rows[0]['name']} belongs to {m2o_name(rows[0]['company_id'])} (company id "
                        f"{m2o_id(rows[0]['company_id'])}): in Odoo, clear its Company to share it, or run a gateway "
                        "for that company (odoo.company_id)")
    except OdooRejected:        # the user's rights: the refusal stands as it was
        pass
    return ""


def party_label(party: Party) -> str:
    bits = [f"{k} {v}" for k, v in party.ids.items()]
    place = [*party.address.lines, party.address.postal_code or "", party.address.city or ""] if party.address else []
    return ", ".join(bits) or party.name or ", ".join(p for p in place if p) or "without identifiers"


def find_contact(client: OdooClient, partner: PartnerConfig, company: dict[str, Any], party: Party,
                 cache: Cache) -> dict[str, Any] | None:
    """A delivery contact under `company` by GLN, store number (ref), name (+ zip), or for a party that is an
    address alone (a UBL 2.0 DeliveryAddress) its street + zip."""
    gln_field = partner.odoo.gln_field
    street = party.address.lines[0] if party.address and party.address.lines else None
    key = (company["id"], tuple(sorted(party.ids.items())), party.name,
           party.address.postal_code if party.address else None, street)
    cached: dict[str, Any] | None = cache.get("contact", key)
    if cached is not MISSING:
        return cached
    scope = [("id", "child_of", company["id"])]
    placed = None if party.ids.get("gln") or party.ids.get("store") else party.ids.get("buyer")
    if placed:              # X12/EANCOM 92, the buyer's own number for the place (N1*ST*...*92*1234): its store
        rows = client.search_read("res.partner", scope + [("ref", "=", placed), ("id", "!=", company["id"])],
                                  partner_fields(partner), limit=1)   # number, the contact's ref; else by name
        if rows:
            return cache.put("contact", key, rows[0])
    if party.ids.get("gln"):
        domain = scope + [(gln_field, "=", party.ids["gln"])]
    elif party.ids.get("store"):
        domain = scope + [("ref", "=", party.ids["store"]), ("id", "!=", company["id"])]
    elif party.name:
        domain = scope + [("name", "=", party.name), ("id", "!=", company["id"])]
        if party.address and party.address.postal_code:
            domain.append(("zip", "=", party.address.postal_code))
    elif street and party.address and party.address.postal_code:
        domain = scope + [("street", "=", street), ("zip", "=", party.address.postal_code)]
    else:
        return None
    rows = by_gln(client, partner, cache, domain, partner_fields(partner), 1) if party.ids.get("gln") else \
        client.search_read("res.partner", domain, partner_fields(partner), limit=1)
    if not rows:
        return None
    return cache.put("contact", key, rows[0])


# --------------------------------------------------------------------------- products

def gtin_key(value: str) -> str:
    """One spelling per number: GTIN-14, EAN-13 and UPC-A differ only by leading zeros."""
    digits = value.strip()
    return digits.lstrip("0").zfill(14) if digits.isdecimal() and len(digits.lstrip("0")) <= 14 else digits


def _barcode_variants(key: str) -> list[str]:
    """The spellings Odoo may store for a gtin_key (barcode fields hold whatever was typed in)."""
    if not key.isdecimal():
        return [key]
    core = key.lstrip("0")
    return sorted({core.zfill(n) for n in (8, 12, 13, 14) if len(core) <= n})


def buyer_number(ids: dict[str, str]) -> str:
    """The buyer's item number of a line: `buyer` (X12 BP), else `buyer_item`, an X12 IN or an EDIFACT PIA's IN
    (EANCOM's "buyer's article number"), which the customer-side bases keep under its own key so that what we send
    back names it IN as the retailer did, once; '' for none."""
    return ids.get("buyer") or ids.get("buyer_item") or ""


def customer_gtin(ids: dict[str, str]) -> str | None:
    """The buyer's item number of a line (`buyer_number`: X12 BP/IN, EDIFACT PIA BP/IN) as a GTIN (its gtin_key)
    when it is one: 12, 13 or 14 ASCII digits whose GS1 check digit is right. Many retailers' "item number" is the GTIN-14 of the case
    they buy. None for any other number (1 in 10 of a retailer's own 12-14 digit numbers ends in a right check
    digit by chance: such a number finds something only if Odoo has that very barcode)."""
    value = buyer_number(ids).strip()
    if len(value) not in THEIR_GTIN_LENGTHS or not (value.isascii() and value.isdecimal()) or expected_digit(value):
        return None
    return gtin_key(value)


def spreadsheet_gtin(value: str) -> str | None:
    """An item number that may be a GTIN a spreadsheet took the leading zeros off (`12345678905`, the UPC
    `012345678905`; `614141000012`, the GTIN-14 `00614141000012`): 8 to 13 ASCII digits whose GS1 check digit is
    right (leading zeros do not change it); its gtin_key, else None. Only for a CSV's numbers (`ProductFinder`)."""
    text = value.strip()
    if not (8 <= len(text) < 14 and text.isascii() and text.isdecimal()) or expected_digit(text.zfill(14), (14,)):
        return None
    return gtin_key(text)


def line_gtins(ids: dict[str, str]) -> set[str]:
    """The GTINs (gtin_keys) a customer's line names its item by: its GTIN/UPC/EANs and its buyer's item number
    when that is one (`customer_gtin`)."""
    found = {gtin_key(v) for k, v in ids.items() if k in BARCODE_KINDS and v.strip().isdecimal()}
    return found | {g} if (g := customer_gtin(ids)) else found


# a packaging's product still sold: Odoo's product search leaves archived products out, a packaging's does not
ACTIVE_PRODUCT = ("product_id.active", "=", True)


@dataclass(frozen=True)
class Packaging:
    """The product packaging whose barcode a line named (a case GTIN): 16-18 a product.packaging (`id`, `size` its
    qty in the product's unit), 19 a packaging unit of the product (`unit` its uom.uom, sized by Odoo's factors)."""

    name: str
    barcode: str
    id: int | None = None
    size: Decimal | None = None
    unit: int | None = None


@dataclass
class ProductMatch:
    product_id: int
    uom_id: int | None
    name: str
    template_id: int | None
    via: str                                 # "barcode 00614141000012", "buyer item BB-1001", ...
    packaging: Packaging | None = None       # found by a packaging's barcode: the line is in that packaging
    sold: bool = True                        # product `sale_ok` (Can be Sold): Odoo's order form offers it


class ProductFinder:
    """Resolves line item ids to product.product records with at most three calls per document.

    `role` says whose codes the partner's `buyer` / `vendor` ids are: for a customer, the
    buyer's item number is in product.customerinfo and the vendor's (ours) is default_code;
    for a vendor it is the other way round (product.supplierinfo).
    """

    def __init__(self, client: OdooClient, cache: Cache, partner_id: int, role: str, spreadsheet: bool = False) -> None:
        self.spreadsheet = spreadsheet          # the ids come from a CSV file: see `_keys`
        self.client = client
        self.cache = cache
        self.partner_id = partner_id
        self.role = role
        self.partner_kind = "buyer" if role == "customer" else "vendor"
        # a vendor's documents: the buyer's number (BP, or IN: `buyer_item`, `buyer_number`) is our own code
        self.own_kinds = OWN_CODE_KINDS + (("vendor",) if role == "customer" else ("buyer", "buyer_item"))
        self._several: dict[tuple[str, str], str] = {}     # (kind, value) -> the products it names, when several

    def _keys(self, ids: dict[str, str]) -> list[tuple[str, str, bool]]:
        """(lookup kind, value, asked in the second round) in the order they are trusted: the line's GTINs, the
        customer's item number as its code for our product, then as a GTIN (`their_gtin`: a product's barcode,
        else a packaging's), our codes; from a CSV (`spreadsheet`), last, its numbers as GTINs a spreadsheet took
        the zeros off (`spreadsheet_gtin`), a barcode or our code with the zeros back."""
        keys: list[tuple[str, str, bool]] = []
        for kind in BARCODE_KINDS:
            if ids.get(kind):
                keys.append(("barcode", gtin_key(ids[kind]), False))
        if theirs := self.their_number(ids):
            keys.append(("partner_code", theirs, False))
            if (gtin := self.their_gtin(ids)) is not None:
                keys.append(("barcode", gtin, True))
        for kind in self.own_kinds:
            if ids.get(kind):
                keys.append(("default_code", ids[kind], False))
        if self.spreadsheet:        # a number Excel saved without its leading zeros, asked with the second round's
            for kind in (self.partner_kind, *self.own_kinds):
                if (gtin := spreadsheet_gtin(ids.get(kind) or "")) is not None:
                    keys.append(("barcode", gtin, True))
                    keys += [("default_code", code, True) for code in _barcode_variants(gtin)
                             if kind in self.own_kinds and code != ids[kind].strip()]
        return keys

    def their_number(self, ids: dict[str, str]) -> str:
        """The partner's own item number of a line: a customer's `buyer_number`, a vendor's `vendor` id."""
        return buyer_number(ids) if self.role == "customer" else ids.get(self.partner_kind) or ""

    def their_gtin(self, ids: dict[str, str]) -> str | None:
        """A customer's item number as a GTIN (`customer_gtin`), looked up by barcode only when it is no code the
        customer has for a product (`resolve`); never a vendor's."""
        return customer_gtin(ids) if self.role == "customer" else None

    def resolve(self, lines: list[tuple[str, dict[str, str]]]) -> dict[str, ProductMatch]:
        """{line label: match}; raises OdooRejected naming the first line nothing matches. The customer's item
        numbers that are GTINs (`their_gtin`) are asked for as barcodes in a second round, only for lines whose
        earlier identifiers found nothing: at most two more calls per order, whatever its line count."""
        asked: set[tuple[str, str]] = set()
        for second in (False, True):
            wanted: dict[str, set[str]] = {"barcode": set(), "partner_code": set(), "default_code": set()}
            for _, ids in lines:
                for kind, value, later in self._keys(ids):
                    if self._cached(kind, value) is not MISSING and not later:
                        break           # the most trusted identifier that is known: nothing to ask
                    if (kind, value) not in asked and later == second:
                        wanted[kind].add(value)
            if any(wanted.values()):
                self._fetch(wanted)
                asked |= {(kind, value) for kind, values in wanted.items() for value in values}
        out: dict[str, ProductMatch] = {}
        for label, ids in lines:
            match = None
            keys = self._keys(ids)
            for at, (kind, value, later) in enumerate(keys):
                hit = self._cached(kind, value)
                if hit not in (MISSING, None):
                    match = self._ours_instead(hit, keys[at + 1:]) if later else hit
                    break
            if match is None:
                shown = ", ".join(f"{k} {v}" for k, v in ids.items()) or "no item identifier"
                hint = ""
                if self.their_number(ids) and not self._codes_model():
                    hint = (f" (the {self.partner_kind}'s item numbers are looked up in product.customerinfo, "
                            "which this Odoo does not have: install the OCA module "
                            "product_supplierinfo_for_customer, or have the partner send a GTIN or our "
                            "item number)")
                hint += self._unsold_packaging(ids) + self._archived(ids)
                hint += "".join(f" ({self._several[kind, value]})" for kind, value, _ in keys
                                if (kind, value) in self._several)
                raise OdooRejected(f"{label}: no product in Odoo for {shown}{hint}")
            out[label] = match
        return out

    def _ours_instead(self, guessed: ProductMatch, rest: list[tuple[str, str, bool]]) -> ProductMatch:
        """A number taken for a GTIN though not sent as one (`their_gtin`, a spreadsheet's) against our code on the
        same line: when our code names another product, the number is the partner's own that happens to be a
        barcode (a retailer's item master keeping the UPC of the item this one replaced): ours, as it was posted
        before such numbers were looked up. The same product: the guess stands (it may name its case)."""
        ours = next((hit for kind, value, later in rest if kind == "default_code" and not later
                     and (hit := self._cached(kind, value)) not in (MISSING, None)), None)
        return ours if ours is not None and ours.product_id != guessed.product_id else guessed

    def _cached(self, kind: str, value: str) -> Any:
        scope = self.partner_id if kind == "partner_code" else None
        hit = self.cache.get(f"product:{kind}", (scope, value))
        return MISSING if isinstance(hit, ProductMatch) and hit.packaging and self.role != "customer" else hit

    def _put(self, kind: str, value: str, match: ProductMatch | None) -> None:
        if match is None:       # misses are not cached: a coordinator fixes Odoo, then replays
            return
        scope = self.partner_id if kind == "partner_code" else None
        self.cache.put(f"product:{kind}", (scope, value), match)

    def _fetch(self, wanted: dict[str, set[str]]) -> None:
        fields = ["display_name", "default_code", "barcode", "uom_id", "product_tmpl_id", "sale_ok"]
        if wanted["barcode"] or wanted["default_code"]:
            spellings = sorted({v for key in wanted["barcode"] for v in _barcode_variants(key)})
            domain: list[Any] = []
            if spellings and wanted["default_code"]:
                domain = ["|", ("barcode", "in", spellings), ("default_code", "in", sorted(wanted["default_code"]))]
            elif spellings:
                domain = [("barcode", "in", spellings)]
            else:
                domain = [("default_code", "in", sorted(wanted["default_code"]))]
            rows = self.client.search_read("product.product", domain, fields)
            for kind in ("barcode", "default_code"):
                for value in wanted[kind]:
                    hits = [r for r in rows if r.get(kind) and (gtin_key(r[kind]) if kind == "barcode"
                                                                else r[kind]) == value]
                    self._put(kind, value, self._match(hits[0], f"{kind} {value}") if len(hits) == 1 else None)
                    if len(hits) > 1:       # Odoo keeps default_code (and barcodes of other spellings) not unique
                        self._several[kind, value] = (
                            f"{len(hits)} products have the {'internal reference' if kind == 'default_code' else kind} "
                            f"{value}: {', '.join(sorted(str(r['display_name']) for r in hits))}; archive one or give "
                            "it another")
            cases = {v for v in wanted["barcode"] if self._cached("barcode", v) is MISSING}
            if cases and self.role == "customer":       # a customer orders by the case's GTIN as its feed gave it
                for value, case in self._packagings(cases).items():
                    self._put("barcode", value, case)
        model = self._codes_model() if wanted["partner_code"] else ""
        if model:
            infos = self.client.search_read(model, [("partner_id", "=", self.partner_id),
                                                    ("product_code", "in", sorted(wanted["partner_code"]))],
                                            ["product_code", "product_id", "product_tmpl_id"])
            templates = ids_of(i["product_tmpl_id"] for i in infos if not i.get("product_id"))
            variants: dict[int, dict[str, Any]] = {}
            ids = ids_of(i["product_id"] for i in infos)
            if ids or templates:
                dom: list[Any] = [("id", "in", ids)] if ids else []
                if templates:
                    dom = (["|"] + dom if dom else []) + [("product_tmpl_id", "in", templates)]
                for row in self.client.search_read("product.product", dom, fields):
                    variants[row["id"]] = row
            by_template: dict[int, list[dict[str, Any]]] = {}
            for row in variants.values():
                by_template.setdefault(m2o_id(row["product_tmpl_id"]) or 0, []).append(row)
            for value in wanted["partner_code"]:
                # in Odoo's order (sequence, ...), the first row whose product is still sold: archiving a product
                # leaves its codes, so a code moved to the product replacing it is there twice, the old row first
                match = None
                for info in (i for i in infos if i.get("product_code") == value):
                    pid = m2o_id(info.get("product_id"))
                    found = variants.get(pid) if pid else None
                    if found is None and not pid:
                        candidates = by_template.get(m2o_id(info.get("product_tmpl_id")) or 0, [])
                        found = candidates[0] if len(candidates) == 1 else None
                        if len(candidates) > 1:     # a template's code (no variant) with several variants sold
                            self._several["partner_code", value] = (
                                f"the {self.partner_kind}'s item number {value} is on the product "
                                f"{m2o_name(info.get('product_tmpl_id'))}, which has {len(candidates)} variants: "
                                f"{', '.join(sorted(str(c['display_name']) for c in candidates))}; give the code to "
                                "the variant it names")
                    if found is not None:
                        match = self._match(found, f"{self.partner_kind} item {value}")
                        break
                self._put("partner_code", value, match)

    def _packagings(self, keys: set[str]) -> dict[str, ProductMatch]:
        """gtin_key -> the product whose sales packaging has that barcode, in one call for all of them: 16-18
        product.packaging (`sales`, which a sale line's packaging must be), 19 product.uom (a packaging unit's
        barcode for one product). A barcode two packagings share finds none."""
        spellings = sorted({v for key in keys for v in _barcode_variants(key)})
        rows: list[dict[str, Any]] = []
        if self.client.has_model("product.packaging"):
            domain: list[Any] = [("barcode", "in", spellings), ("qty", ">", 0), ACTIVE_PRODUCT]
            if "sales" in self.client.fields("product.packaging"):
                domain.append(("sales", "=", True))
            rows = [{**r, "unit": r.get("product_uom_id"), "size": r["qty"]} for r in self.client.search_read(
                "product.packaging", domain, ["product_id", "name", "qty", "barcode", "product_uom_id"])]
        elif self.client.has_model("product.uom"):
            rows = [{**r, "name": m2o_name(r.get("uom_id")), "packaging_unit": m2o_id(r.get("uom_id"))}
                    for r in self.client.search_read("product.uom", [("barcode", "in", spellings), ACTIVE_PRODUCT],
                                                     ["product_id", "uom_id", "barcode"])]
        out: dict[str, ProductMatch] = {}
        for key in keys:
            hits = [r for r in rows if r.get("barcode") and gtin_key(str(r["barcode"])) == key]
            if len(hits) != 1 or not hits[0].get("product_id"):
                continue
            row = hits[0]
            packaging = Packaging(name=str(row.get("name") or ""), barcode=str(row["barcode"]),
                                  id=row["id"] if "size" in row else None,
                                  size=dec(row["size"]) if "size" in row else None,
                                  unit=row.get("packaging_unit"))
            out[key] = ProductMatch(m2o_id(row["product_id"]) or 0, m2o_id(row.get("unit")),
                                    m2o_name(row["product_id"]) or "", None,
                                    f"packaging {packaging.name!r} barcode {key}", packaging)
        return out

    def _archived(self, ids: dict[str, str]) -> str:
        """Why a line's GTIN or our code found nothing when they name an archived product (a discontinued item the
        partner still orders): the sentence saying so, else "". Asked only for a line that is refused."""
        keys = [(kind, value) for kind, value, _ in self._keys(ids) if kind in ("barcode", "default_code")]
        spellings = sorted({v for kind, key in keys if kind == "barcode" for v in _barcode_variants(key)})
        codes = sorted({key for kind, key in keys if kind == "default_code"})
        if not keys:
            return ""
        domain: list[Any] = [("active", "=", False)] + (["|"] if spellings and codes else []) + \
            ([("barcode", "in", spellings)] if spellings else []) + ([("default_code", "in", codes)] if codes else [])
        rows = self.client.search_read("product.product", domain, ["display_name"], limit=1)
        return (f" (it is the archived product {rows[0]['display_name']}: unarchive it in Odoo and replay, or tell "
                "the partner the item is no longer sold)") if rows else ""

    def _unsold_packaging(self, ids: dict[str, str]) -> str:
        """Why a customer's GTIN found nothing when it is a 16-18 packaging's that is not for sales (Sales
        unticked: a sale line cannot be in it); "" otherwise. Asked only for a line that is refused."""
        keys = {value for kind, value, _ in self._keys(ids) if kind == "barcode"}
        if self.role != "customer" or not keys or not self.client.has_model("product.packaging") or \
                "sales" not in self.client.fields("product.packaging"):
            return ""
        rows = self.client.search_read("product.packaging", [
            ("barcode", "in", sorted({v for key in keys for v in _barcode_variants(key)})), ("sales", "=", False)],
            ["product_id", "name"], limit=1)
        return (f" (it is the barcode of {m2o_name(rows[0]['product_id'])}'s packaging {rows[0]['name']!r}, which is "
                "not for sales: tick Sales on it in Odoo, then replay)") if rows else ""

    def _codes_model(self) -> str:
        """Where the partner's own item numbers are kept: product.supplierinfo (Odoo's) for a vendor;
        product.customerinfo for a customer, which only the OCA module product_supplierinfo_for_customer
        adds ("" without it: such numbers then find nothing, and the other identifiers are used)."""
        if self.role != "customer":
            return "product.supplierinfo"
        return "product.customerinfo" if self.client.has_model("product.customerinfo") else ""

    @staticmethod
    def _match(row: dict[str, Any], via: str) -> ProductMatch:
        return ProductMatch(row["id"], m2o_id(row.get("uom_id")), row.get("display_name") or "",
                            m2o_id(row.get("product_tmpl_id")), via, sold=row.get("sale_ok") is not False)


# --------------------------------------------------------------------------- units, currencies, misc

def unit_id(client: OdooClient, partner: PartnerConfig, cache: Cache, code: str, label: str) -> int:
    """The Odoo uom.uom for a canonical unit code, through the partner's map then the built-in one, by the unit's
    English name (what the client reads on both protocols, see client.Json2Client)."""
    table = cache.get("uom", "all")
    if table is MISSING:
        rows = client.search_read("uom.uom", [], ["name"])
        table = cache.put("uom", "all", {r["name"]: r["id"] for r in rows})
    name = partner.odoo.units.get(code) or UNITS.get(code.upper())
    if name is None and code.upper() in CASE_UNITS:     # a case of how many? Mapped, every case would be that many
        raise OdooRejected(f"{label}: unit {code!r} is a case and the line says neither how many a case holds (X12 "
                           "PO4, EDIFACT QTY+59) nor the case's GTIN (X12 UK, EDIFACT LIN SRV, or as the buyer's item number: its "
                           "packaging's barcode in Odoo); not "
                           "posted: ask the partner to send either, or give the packaging that barcode; map the unit in the "
                           f"partner's odoo.units only if every case it orders holds the same (for example {code}: "
                           "Dozens)")
    if name is None:
        raise OdooRejected(f"{label}: unit {code!r} has no Odoo unit; map it in the partner's odoo.units "
                           f"(for example {code}: Dozens)")
    if name not in table:
        raise OdooRejected(f"{label}: unit {code!r} maps to Odoo unit {name!r}, which does not exist in Odoo "
                           "(units are named as Odoo keeps them in English, en_US, whatever the language its users "
                           "see them in)")
    return int(table[name])


def unit_code(partner: PartnerConfig, uom_name: str | None) -> str:
    """Odoo unit name -> canonical code (the reverse of unit_id). A unit neither the partner's `odoo.units` nor
    the common ones name stays Odoo's name ("Boxes"): sent as EA, 5 boxes of 12 would have become 5 pieces.
    An X12 or EDIFACT file then fails its own check at that unit element and is held with the reason
    (a CSV or XML file says "Boxes"); logged once per partner and unit with the fix."""
    if not uom_name:
        return "EA"
    for code, name in list(partner.odoo.units.items()) + list(UNITS.items()):
        if name == uom_name:
            return code
    if (partner.id, uom_name) not in _UNMAPPED:
        _UNMAPPED.add((partner.id, uom_name))
        log.warning("Odoo unit %r has no code for partner %s: add it to the partner's odoo.units (for example "
                    "CA: %s), or its documents with that unit are held", uom_name, partner.id, uom_name)
    return uom_name


_UNMAPPED: set[tuple[str, str]] = set()


def currency_id(client: OdooClient, cache: Cache, code: str, label: str) -> int:
    found = cache.get("currency", code)
    if found is MISSING:
        rows = client.search("res.currency", [("name", "=", code)], limit=1)
        found = cache.put("currency", code, rows[0]) if rows else None
    if found is None:
        raise OdooRejected(f"{label}: currency {code} is not active in Odoo")
    return int(found)


def record_by(client: OdooClient, cache: Cache, model: str, domain: list[Any], fields: list[str],
              key: Any) -> dict[str, Any] | None:
    """One cached record (warehouse, tag, company ...) found by a domain."""
    found: dict[str, Any] | None = cache.get(model, key)
    if found is MISSING:
        rows = client.search_read(model, domain, fields, limit=1)
        found = cache.put(model, key, rows[0]) if rows else None
    return found
