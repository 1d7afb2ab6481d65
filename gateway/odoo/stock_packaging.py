"""The stock feed in a retailer's cases (`odoo.stock_packaging`): which Odoo packaging of a product is the
partner's case, and the feed's figures and item ids in it.

Many retailers buy, count and replenish in cases: a feed that says 240 (units) where their system reads cases
offers twenty times the stock. Odoo 16-18 keep a product's packagings as product.packaging (`qty` in the
product's own unit, a `barcode`, sale's `sales` flag, ticked by default, stock's `package_type_id`; "the first in
the sequence is the default one"); 19 made them units of the product (product `uom_ids`, "packagings ... which
can be used for sales", each counted in the product's unit by its factors, a barcode per product and unit in
product.uom). Read for all the feed's products at once: the calls do not grow with the products.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from gateway.config.models import PartnerConfig
from gateway.odoo.client import OdooClient
from gateway.odoo.invoice_taxes import dec
from gateway.odoo.lookup import Cache, gtin_key, ids_of, m2o_id, m2o_name
from gateway.odoo.receipts import unit_ratios
from gateway.translate.canonical import Quantity

CASE = "CS"         # the canonical case: X12 CA, EDIFACT / CSV CS through the profiles' unit codes


@dataclass(frozen=True)
class Case:
    """One packaging of a product: how many of the product's Odoo unit it holds, its barcode ("" for none)."""

    size: Decimal
    barcode: str
    names: tuple[str, ...]          # its name (and package type's): what `stock_packaging` may name


def partner_cases(client: OdooClient, partner: PartnerConfig, product_ids: set[int],
                  items: dict[int, dict[str, str]], cache: Cache) -> dict[int, Case]:
    """Product id -> the packaging the partner's feed counts it in, for the products that have one: the one whose
    barcode is the partner's item code for the product (`items`' buyer: a retailer that lists the case's GTIN),
    else by `stock_packaging`: 'sales' the first for sales holding more than one (a single unit's packaging, kept
    for its barcode, is no case), a name the one so named. Packagings Odoo keeps not for
    sales (16-18 `sales` unticked) are never the partner's: it could not order them."""
    wanted = (partner.odoo.stock_packaging or "").strip()
    if not wanted or not product_ids:
        return {}
    if client.has_model("product.packaging"):
        found = _packagings(client, product_ids)
    elif "uom_ids" in client.fields("product.product"):
        found = _packaging_units(client, product_ids, cache)
    else:
        found = {}
    out: dict[int, Case] = {}
    for product, cases in found.items():
        code = items.get(product, {}).get("buyer", "")
        chosen = [c for c in cases if code and c.barcode and gtin_key(c.barcode) == gtin_key(code)] or \
            ([c for c in cases if c.size > 1][:1] if wanted.casefold() == "sales" else
             [c for c in cases if any(_named(n, wanted) for n in c.names)])
        if chosen:
            out[product] = chosen[0]
    return out


def _named(name: str, wanted: str) -> bool:
    """`name` is, or begins with, the word(s) `wanted`, in any case: 'Case' names "Case of 24" (19's packaging
    units are named per size) but not "Caselot"."""
    name, wanted = name.casefold().strip(), wanted.casefold()
    return name == wanted or name.startswith(wanted + " ")


def _packagings(client: OdooClient, product_ids: set[int]) -> dict[int, list[Case]]:
    """16-18: each product's packagings for sales, in Odoo's order (sequence); one call."""
    domain: list[Any] = [("product_id", "in", sorted(product_ids)), ("qty", ">", 0)]
    if "sales" in client.fields("product.packaging"):
        domain.append(("sales", "=", True))
    rows = client.search_read("product.packaging", domain, ["product_id", "name", "qty", "barcode",
                                                            "package_type_id"])
    out: dict[int, list[Case]] = {}
    for row in rows:
        names = tuple(n for n in (row.get("name"), m2o_name(row.get("package_type_id"))) if n)
        out.setdefault(m2o_id(row["product_id"]) or 0, []).append(
            Case(dec(row["qty"]), str(row.get("barcode") or ""), names))
    return out


def _packaging_units(client: OdooClient, product_ids: set[int], cache: Cache) -> dict[int, list[Case]]:
    """19: each product's packaging units, as many of its own unit as Odoo's factors make them (a unit that does
    not compare with it is none), with the barcode product.uom gives it for that product; four calls or so."""
    rows = client.read("product.product", sorted(product_ids), ["uom_id", "uom_ids"])
    units = {u for r in rows for u in ids_of(r.get("uom_ids") or [])}
    if not units:
        return {}
    ratios = unit_ratios(client, units | set(ids_of(r.get("uom_id") for r in rows)), cache)
    names = {u["id"]: str(u.get("name") or "") for u in client.read("uom.uom", sorted(units), ["name"])}
    barcodes = {(m2o_id(b["product_id"]), m2o_id(b["uom_id"])): str(b.get("barcode") or "")
                for b in client.search_read("product.uom", [("product_id", "in", sorted(product_ids))],
                                            ["product_id", "uom_id", "barcode"])} \
        if client.has_model("product.uom") else {}
    out: dict[int, list[Case]] = {}
    for row in rows:
        own = ratios.get(m2o_id(row.get("uom_id")) or 0)
        for unit in ids_of(row.get("uom_ids") or []):
            top, each = ratios.get(unit, (0, 0.0))
            if own and top == own[0] and each > 0 and own[1] > 0:
                out.setdefault(row["id"], []).append(Case(dec(round(each / own[1], 6)),
                                                          barcodes.get((row["id"], unit), ""), (names[unit],)))
    return out


def in_whole_cases(quantities: list[Quantity], case: Case) -> list[Quantity]:
    """A line's figures in whole cases, rounded down: a part case is not offered, nor counted on hand. Arrivals
    (dated, in date order) are counted as the whole cases they add up to by each day: 12 units on the 9th and 12
    on the 11th of a case of 24 are one case on the 11th; what never makes a case is left out."""
    out, arrived, counted = [], Decimal(0), Decimal(0)
    for q in quantities:
        if q.date is None:
            whole = max((q.value / case.size).to_integral_value(rounding=ROUND_FLOOR), Decimal(0))
        else:
            arrived += q.value
            whole = (arrived / case.size).to_integral_value(rounding=ROUND_FLOOR) - counted
            counted += whole
            if whole <= 0:
                continue
        out.append(q.model_copy(update={"value": whole, "unit": CASE}))
    return out


def case_ids(ids: dict[str, str], case: Case) -> dict[str, str]:
    """The line's item ids with the case's GTIN (its barcode, when a number) as the trade item's `gtin`: what
    X12 writes as UK and EDIFACT in LIN. The unit's UPC stays (X12 UP, the consumer unit); a profile that wants
    the unit's number takes that one."""
    code = case.barcode.strip()
    return {**ids, "gtin": gtin_key(code)} if code.isdecimal() and len(code.lstrip("0")) <= 14 else ids


def case_size(case: Case) -> Decimal | None:
    """How many of the product's units the case holds, as the feed states it beside the cases (X12 PO401, a whole
    number): a packaging whose quantity changes under the same barcode changes what a CA means, and a retailer that
    reads the pack sees it. None for a size that is no whole number of units (2.5 kg), which PO401 cannot hold."""
    return case.size.to_integral_value() if case.size > 0 and case.size == case.size.to_integral_value() else None
