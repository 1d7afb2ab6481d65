"""What a kit may be offered in the stock feed: the kits its components make that no delivery is owed.

Odoo (mrp, 16-19) gives a kit (a product with a phantom BoM: sold as one, picked as its components) each stock
figure from its components one figure at a time: free_qty is what the components' free quantities make, outgoing
what their outgoing quantities make (mrp/models/product.py `_compute_quantities_dict`). The feed offers at most on
hand less outgoing, for stock a delivery is owed but has not reserved (unreserved, or waiting for another); for a
kit that rule read Odoo's kit outgoing, the fewest kits the components' deliveries add up to: 0 as soon as one
component has none. A kit of a widget and a cable whose 300 cables are owed to another customer was offered 300
times. Here the rule is applied to each component, then the kits counted: the fewest whole kits any storable
component's own offer makes. BoM and components are read for all the feed's products at once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from gateway.odoo.client import OdooClient
from gateway.odoo.invoice_taxes import dec
from gateway.odoo.lookup import Cache, ids_of, m2o_id
from gateway.odoo.receipts import unit_ratios


@dataclass(frozen=True)
class Recipe:
    """A kit's storable components: component id -> how many of its own unit one kit takes, as an exact fraction:
    a BoM of 3 kits takes 5/3 of a component per kit, which no decimal holds (15 make 9 kits, not 8)."""

    parts: dict[int, Fraction]


def kit_recipes(client: OdooClient, product_ids: set[int], cache: Cache) -> dict[int, Recipe]:
    """Kit product id -> its recipe, for the products with a kit BoM (the variant's, else the template's, the first
    by sequence, as mrp's `_bom_find`); a component that is a kit itself is its own components, as mrp explodes
    it (up to `DEPTH` levels). Lines of a component Odoo does not track, or of no quantity, are not counted, as
    Odoo skips them, nor a line applied on other variants (`_for_variant`). About four calls a level whatever the
    number of products, two without kits, one more for lines applied on some variants; none without mrp."""
    leaves, parts, _ = _explode(client, product_ids, cache)
    out: dict[int, Recipe] = {}
    for kit, found in leaves.items():
        recipe: dict[int, Fraction] = {}
        for leaf in found.values():
            if _tracked(parts[leaf.part]):
                recipe[leaf.part] = recipe.get(leaf.part, Fraction(0)) + leaf.each
        if recipe:
            out[kit] = Recipe(recipe)
    return out


@dataclass(frozen=True)
class Leaf:
    """A BoM line of a kit that is no kit itself, as mrp's `explode` reaches it through the kits inside the kit:
    its component and how many of the component's own unit one kit takes (a kit of 2 boxes of 3 cables: 6)."""

    part: int
    each: Fraction


def _explode(client: OdooClient, product_ids: set[int], cache: Cache
             ) -> tuple[dict[int, dict[int, Leaf]], dict[int, dict[str, Any]], dict[int, int]]:
    """Kit product id -> its leaves by BoM line id (a line met twice adds up, each per kit in the BoM's unit), the
    components read (`uom_id`, `type`, whether tracked), and kit product id -> its BoM's unit: the one walk of the
    kits' BoMs that the stock feed and the ship notices count by."""
    if not product_ids or not client.has_model("mrp.bom"):
        return {}, {}, {}
    boms: dict[int, dict[str, Any]] = {}            # product -> its kit BoM
    lines: dict[int, list[dict[str, Any]]] = {}     # BoM id -> its lines
    parts: dict[int, dict[str, Any]] = {}           # component -> uom_id, type and whether it is tracked
    todo, seen = set(product_ids), set(product_ids)
    for _ in range(DEPTH):
        found = _kit_boms(client, todo)
        if not found:
            break
        boms.update(found)
        for line in client.search_read("mrp.bom.line", [("bom_id", "in", sorted({b["id"] for b in found.values()}))],
                                       ["bom_id", "product_id", "product_qty", "product_uom_id", VARIANTS]):
            lines.setdefault(m2o_id(line.get("bom_id")) or 0, []).append(line)
        todo = {m2o_id(x.get("product_id")) or 0 for b in found.values() for x in lines.get(b["id"], [])} - {0}
        fields = list(dict.fromkeys(["uom_id", "type", *_tracked_fields(client)]))
        parts.update({r["id"]: r for r in client.read("product.product", sorted(todo - set(parts)), fields)}
                     if todo - set(parts) else {})
        todo -= seen
        seen |= todo
    values = sorted({v for x in lines.values() for line in x for v in line.get(VARIANTS) or []})
    attribute_lines = {r["id"]: m2o_id(r.get("attribute_line_id")) for r in
                       client.read("product.template.attribute.value", values, ["attribute_line_id"])}
    ratios = unit_ratios(client, {u for x in [*(y for v in lines.values() for y in v), *parts.values()]
                                  for u in ids_of([x.get("product_uom_id"), x.get("uom_id")])}, cache)

    def walk(product: int, inside: frozenset[int], times: Fraction, out: dict[int, Leaf]) -> dict[int, Leaf]:
        bom = boms[product]
        for line in lines.get(bom["id"], []):
            part = parts.get(m2o_id(line.get("product_id")) or 0)
            if part is None or not line.get("product_qty") or not _for_variant(line, bom, attribute_lines):
                continue
            (top, own), (line_top, each) = (ratios.get(m2o_id(part.get("uom_id")) or 0, (0, 1.0)),
                                            ratios.get(m2o_id(line.get("product_uom_id")) or 0, (0, 1.0)))
            each = each / own if top == line_top and own else 1.0    # a dozen a kit: 12 of a component in Units
            qty = times * Fraction(dec(line["product_qty"]) * dec(round(each, 6))) / \
                (Fraction(dec(bom.get("product_qty"))) or Fraction(1))
            if part["id"] in boms and part["id"] not in inside:
                walk(part["id"], inside | {part["id"]}, qty, out)
            else:
                before = out.get(line["id"])
                out[line["id"]] = Leaf(part["id"], qty + (before.each if before else Fraction(0)))
        return out
    return ({p: walk(p, frozenset({p}), Fraction(1), {}) for p in product_ids if p in boms}, parts,
            {p: m2o_id(boms[p].get("product_uom_id")) or 0 for p in product_ids if p in boms})


DEPTH = 5       # kits inside kits followed this deep
VARIANTS = "bom_product_template_attribute_value_ids"       # a BoM line's "Apply on Variants"


def _for_variant(line: dict[str, Any], bom: dict[str, Any], attribute_lines: dict[int, int | None]) -> bool:
    """The line counts for the variant its BoM was found for: one BoM for a gift set's colors takes the red parts
    for the red set only (mrp.bom.line `_skip_bom_line`, 16-19: of each attribute line the line names, the variant
    has one of its values; a value of an attribute that makes no variants is on none, as Odoo skips it when stock
    explodes a kit). Counted for every variant, the blue set's missing cable held back the red sets."""
    wanted: dict[int | None, set[int]] = {}
    for value in line.get(VARIANTS) or []:
        wanted.setdefault(attribute_lines.get(value), set()).add(value)
    return all(values & bom["variant_values"] for values in wanted.values())


def _kit_boms(client: OdooClient, product_ids: set[int]) -> dict[int, dict[str, Any]]:
    """Product id -> its kit BoM, for those with one: the variant's, else the template's, the first by sequence
    (mrp `_bom_find(bom_type='phantom')`). Two calls."""
    rows = client.read("product.product", sorted(product_ids), ["product_tmpl_id", "product_template_attribute_value_ids"])
    templates = {r["id"]: m2o_id(r["product_tmpl_id"]) for r in rows}
    variant_values = {r["id"]: set(ids_of(r.get("product_template_attribute_value_ids") or [])) for r in rows}
    boms = client.search_read("mrp.bom", [("type", "=", "phantom"), "|", ("product_id", "in", sorted(product_ids)),
                                          "&", ("product_id", "=", False),
                                          ("product_tmpl_id", "in", sorted({t for t in templates.values() if t}))],
                              ["product_id", "product_tmpl_id", "product_qty", "product_uom_id", "sequence"])
    boms.sort(key=lambda b: (b.get("sequence") or 0, not b.get("product_id"), b["id"]))
    chosen: dict[int, dict[str, Any]] = {}
    for product, template in templates.items():
        bom = next((b for b in boms if m2o_id(b.get("product_id")) == product or
                    (not b.get("product_id") and m2o_id(b.get("product_tmpl_id")) == template)), None)
        if bom is not None:
            chosen[product] = {**bom, "variant_values": variant_values[product]}
    return chosen


def kits_offered(client: OdooClient, recipes: dict[int, Recipe], where: dict[str, Any],
                 arriving: dict[int, dict[str, Decimal]]) -> tuple[dict[int, Decimal], dict[int, dict[str, Decimal]]]:
    """Per kit product id, the whole kits a warehouse may offer (`where`: the context of its stock figures) (for each component the least of its free quantity
    and its on hand less what deliveries owe, so many kits' worth; the fewest over the components) and the kits
    its components' receipts (`arriving`: component -> day -> quantity, in its unit) add by each day, which Odoo
    never receives as kits. A component owed beyond its stock counts below 0, so its receipts first fill those
    deliveries (as Odoo reserves them) and only what is left completes kits. One call."""
    wanted = sorted({c for r in recipes.values() for c in r.parts})
    if not wanted:
        return {}, {}
    rows = {r["id"]: r for r in client.read("product.product", wanted, ["free_qty", "qty_available", "outgoing_qty"],
                                            context=where)}
    offers = {c: min(dec(r["free_qty"]), dec(r["qty_available"]) - dec(r["outgoing_qty"])) for c, r in rows.items()}
    now: dict[int, Decimal] = {}
    later: dict[int, dict[str, Decimal]] = {}
    for kit, recipe in recipes.items():
        parts = {c: each for c, each in recipe.parts.items() if c in offers and each > 0}
        if not parts:
            continue
        have = {c: offers[c] for c in parts}
        now[kit] = made = max(_kits(have, parts), Decimal(0))
        for day in sorted({d for c in parts for d in arriving.get(c, {})}):
            have = {c: q + arriving.get(c, {}).get(day, Decimal(0)) for c, q in have.items()}
            if (more := _kits(have, parts) - made) > 0:
                later.setdefault(kit, {})[day] = more
                made += more
    return now, later


def _kits(have: dict[int, Decimal], parts: dict[int, Fraction]) -> Decimal:
    """The whole kits `have` (component -> quantity) makes, counted exactly (see `Recipe`)."""
    return Decimal(math.floor(min(Fraction(have[c]) / each for c, each in parts.items())))


def _tracked_fields(client: OdooClient) -> list[str]:
    """The field saying a product's stock is tracked: 18+ `is_storable`, before `type` (`product`)."""
    return ["is_storable"] if "is_storable" in client.fields("product.product") else ["type"]


def _tracked(row: dict[str, Any]) -> bool:
    return bool(row.get("is_storable")) if "is_storable" in row else row.get("type") == "product"


def kits_shipped(client: OdooClient, moves: list[dict[str, Any]], done: str,
                 cache: Cache) -> dict[tuple[int, int], Decimal]:
    """(delivery, sale line) -> the whole kits that delivery completed, for the kit lines among `moves` (done moves
    read with `bom_line_id`, `done` their done-quantity field): Odoo ships a kit as its components, one move per BoM
    line keeping the sale line (mrp `action_explode`; a kit inside the kit is exploded in turn, its moves naming its
    own BoM lines), and counts the line delivered as the fewest kits any component's done moves to customers make,
    each line's quantity per kit taken through the kits it is inside (sale_mrp `_compute_qty_delivered`, stock.move
    `_compute_kit_quantities` over mrp.bom `explode`, 16-19). So a delivery completes the kits counted with it less
    those counted with the line's deliveries done before it (by date done, then id, as the ship notices are made:
    a transfer split off and shipped first has the later id); a delivery of some components alone completes none. A line whose moves name BoM lines its kit's BoM no longer
    has (the BoM was changed after the order) is counted by those lines alone, one level. Counted in the BoM's
    unit, given in the line's (`_in_unit`). Returns are not counted. About seven calls, none without kits."""
    lines = sorted({m2o_id(m.get("sale_line_id")) or 0 for m in moves if m.get("bom_line_id")} - {0})
    if not lines:
        return {}
    unit_field = "product_uom_id" if "product_uom_id" in client.fields("sale.order.line") else "product_uom"   # 19
    sold = {r["id"]: r for r in client.read("sale.order.line", lines, ["product_id", unit_field])}
    kit_of = {line: m2o_id(r.get("product_id")) or 0 for line, r in sold.items()}
    leaves, parts, bom_units = _explode(client, set(kit_of.values()) - {0}, cache)
    every = client.search_read("stock.move", [("sale_line_id", "in", lines), ("bom_line_id", "!=", False),
                                              ("state", "=", "done")],
                               ["picking_id", "sale_line_id", "bom_line_id", "product_id", "product_uom", done,
                                "location_dest_id"])
    customers = set(client.search("stock.location", [("usage", "=", "customer"),
                                                     ("id", "in", ids_of(m["location_dest_id"] for m in every))]))
    done_order = {r["id"]: (str(r.get("date_done") or ""), r["id"]) for r in client.read(      # as extraction's
        "stock.picking", ids_of([*(m["picking_id"] for m in every), *(m.get("picking_id") for m in moves)]),
        ["date_done"])}
    recipes = {line: _shipped_recipe(client, line, leaves.get(kit_of.get(line, 0), {}), every, parts)
               for line in lines}
    ratios = unit_ratios(client, set(ids_of([*(m["product_uom"] for m in every), *(p.get("uom_id") for p in
                                                                                   parts.values()),
                                             *bom_units.values(), *(r.get(unit_field) for r in sold.values())])), cache)

    def made(line: int, picking: int, with_it: bool) -> Decimal:
        """The kits of `line` the done moves of its deliveries done before `picking` (`with_it`: and of it) make."""
        recipe, upto = recipes[line], done_order.get(picking, ("", picking))
        have = {bom_line: Fraction(0) for bom_line in recipe}
        for m in every:
            bom_line, when = m2o_id(m["bom_line_id"]) or 0, done_order.get(m2o_id(m["picking_id"]) or 0, ("", 0))
            if m2o_id(m["sale_line_id"]) == line and bom_line in have and (when <= upto if with_it else when < upto) \
                    and m2o_id(m["location_dest_id"]) in customers:
                (top, size), (part_top, part_size) = (ratios.get(m2o_id(m["product_uom"]) or 0, (0, 1.0)),
                                                      ratios.get(m2o_id(parts[recipe[bom_line].part].get("uom_id"))
                                                                 or 0, (0, 1.0)))
                each = Fraction(dec(round(size / part_size, 6))) if top == part_top and part_size else Fraction(1)
                have[bom_line] += Fraction(dec(m[done])) * each
        return Decimal(math.floor(min(have[b] / leaf.each for b, leaf in recipe.items()))) if recipe else Decimal(0)

    out: dict[tuple[int, int], Decimal] = {}
    for move in moves:
        line, picking = m2o_id(move.get("sale_line_id")) or 0, m2o_id(move.get("picking_id")) or 0
        if move.get("bom_line_id") and line and (picking, line) not in out:
            out[(picking, line)] = _in_unit(made(line, picking, True) - made(line, picking, False), ratios,
                                            bom_units.get(kit_of[line], 0), m2o_id(sold[line].get(unit_field)) or 0)
    return out


def _in_unit(kits: Decimal, ratios: dict[int, tuple[int, float]], bom_unit: int, unit: int) -> Decimal:
    """Kits counted in the BoM's unit as the sale line's unit counts them (sale_mrp gives qty_delivered so): a line
    of 2 Dozens is 24 kits, of which 24 delivered are 2, not 24 Dozens."""
    (top, size), (line_top, line_size) = ratios.get(bom_unit, (0, 1.0)), ratios.get(unit, (0, 1.0))
    if not kits or not bom_unit or not unit or top != line_top or not line_size:
        return kits
    exact = Fraction(kits) * Fraction(dec(round(size, 6))) / Fraction(dec(round(line_size, 6)))
    return Decimal(exact.numerator) if exact.denominator == 1 else round(Decimal(exact.numerator) / exact.denominator, 6)


def _shipped_recipe(client: OdooClient, line: int, leaves: dict[int, Leaf], every: list[dict[str, Any]],
                    parts: dict[int, dict[str, Any]]) -> dict[int, Leaf]:
    """The BoM lines a kit sale line's deliveries are counted by (each with its component and quantity per kit):
    its kit's leaves, services left out as Odoo never delivers them; else, when its moves name other BoM lines,
    those lines, each kit taking the line's quantity over its BoM's (the kits inside not followed)."""
    named = {m2o_id(m["bom_line_id"]) or 0 for m in every if m2o_id(m["sale_line_id"]) == line}
    if named <= set(leaves):
        return {b: leaf for b, leaf in leaves.items() if parts[leaf.part].get("type") != "service" and leaf.each}
    rows = client.read("mrp.bom.line", sorted(named), ["bom_id", "product_id", "product_qty", "product_uom_id"])
    boms = {r["id"]: r for r in client.read("mrp.bom", ids_of(r["bom_id"] for r in rows), ["product_qty"])}
    parts.update({r["id"]: r for r in client.read("product.product", sorted(set(ids_of(r["product_id"] for r in rows))
                                                                        - set(parts)), ["uom_id"])})
    ratios = unit_ratios(client, set(ids_of([*(r["product_uom_id"] for r in rows), *(p.get("uom_id") for p in
                                                                                   parts.values())])))
    out: dict[int, Leaf] = {}
    for r in rows:
        part = m2o_id(r["product_id"]) or 0
        (top, own), (line_top, each) = (ratios.get(m2o_id(parts[part].get("uom_id")) or 0, (0, 1.0)),
                                        ratios.get(m2o_id(r["product_uom_id"]) or 0, (0, 1.0)))
        if r.get("product_qty"):
            out[r["id"]] = Leaf(part, Fraction(dec(r["product_qty"]) * dec(round(each / own if top == line_top and own
                                                                               else 1.0, 6))) /
                                (Fraction(dec(boms.get(m2o_id(r["bom_id"]) or 0, {}).get("product_qty"))) or Fraction(1)))
    return out
