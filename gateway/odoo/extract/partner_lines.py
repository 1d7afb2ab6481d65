"""The partner's own order lines beside Odoo's: which sale order line each is (`PartnerLines`), and the cases
(packagings, 19's packaging units) lines were ordered in, so that an outbound line names the line, item and cases the
partner ordered."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from typing import Any

from gateway.config.models import PartnerConfig
from gateway.errors import OdooRejected
from gateway.odoo.client import OdooClient
from gateway.odoo.extract.common import ids_and_name
from gateway.odoo.invoice_taxes import dec as _dec
from gateway.odoo.lookup import (
    BARCODE_KINDS,
    CASE_UNITS,
    Cache,
    Packaging,
    ProductFinder,
    customer_gtin,
    gtin_key,
    line_gtins,
    m2o_id,
    m2o_name,
)
from gateway.odoo.receipts import unit_ratios
from gateway.odoo.sale_orders import packed
from gateway.odoo.standing_orders import Standing, as_ordered, paired, same_item, theirs_over
from gateway.translate.canonical import Line, PurchaseOrder, ShipItem


def order_lines_of(client: OdooClient, orders: dict[int, Any], uom_field: str) -> dict[int, list[dict[str, Any]]]:
    """Sale order id -> its lines (sequence, product; unit and packaging for `line_cases`), to pair with the
    partner's lines (`standing_orders.paired`): one call for all the `orders` of a run."""
    found: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if orders:
        packs = ["product_packaging_id"] if "product_packaging_id" in client.fields("sale.order.line") else []
        for row in client.search_read("sale.order.line", [("order_id", "in", sorted(orders))],
                                      ["order_id", "sequence", "product_id", uom_field, *packs],
                                      order="order_id, sequence, id"):
            if row.get("product_id"):
                found[m2o_id(row["order_id"]) or 0].append(row)
    return found


def products_in(order_rows: dict[int, list[dict[str, Any]]]) -> set[int]:
    """The products of the sale order lines `order_lines_of` read, whose codes a run reads with its own."""
    return {m2o_id(row["product_id"]) or 0 for rows in order_rows.values() for row in rows}


class PartnerLines:
    """The partner's lines of one sale order by the order line each is (`standing_orders.paired`), which an
    outbound line takes its number, item identifiers and cases from. By order line, not by sequence: Odoo gives a
    line made without one (through the API, an import, a module) sequence 10, which a PO of ten lines has already
    given its line 10, and a person's line of another product would go out as that line's item, in its cases. A
    line no partner line is paired with, of the product of exactly one partner line, is that line split by a person
    (part of it on a line of its own, which Odoo's list numbers where it was dragged to). A partner line ordered by
    its case's GTIN is kept as posted (`sale_orders.packed`, its packaging from `cases`: `line_cases`), so that
    16-18's units count its cases as a PO4 pack's do, and its packaging is `case_of` it."""

    def __init__(self, found: Standing | None, rows: list[dict[str, Any]], items: dict[int, dict[str, str]],
                 partner: PartnerConfig | None = None, cases: dict[int, Packaging] | None = None,
                 named: Callable[[list[tuple[Line, int]]], dict[int, Packaging]] | None = None) -> None:
        self.items = items
        self.rows: dict[str, list[dict[str, Any]]] = defaultdict(list)       # sequence -> its order lines
        for row in rows:
            self.rows[str(row["sequence"])].append(row)
        self.paired = [] if found is None else paired(found.lines, rows, items)     # per partner line: its row
        self.cases: dict[int, Packaging] = {}                                # partner line (its id()) -> its case
        lines: list[tuple[int | None, Line]] = []
        pairs = list(zip(found.lines if found else [], self.paired, strict=True))
        repacked = [(line, m2o_id(at["product_id"]) or 0) for (_, line), at in pairs if at is not None and partner
                    is not None and named is not None and is_repacked(partner, line, (cases or {}).get(at["id"]))]
        again = named(repacked) if named and repacked else {}
        for (sequence, line), at in pairs:
            case = again.get(id(line)) or ((cases or {}).get(at["id"]) if at is not None and partner is not None else None)
            if case is not None and partner is not None and _by_case(partner, line, case):
                line = packed(partner, line, case)
                self.cases[id(line)] = case
            lines.append((sequence, line))
        self.by_row = {row["id"]: line for (_, line), row in zip(lines, self.paired, strict=True) if row is not None}
        of_product: dict[int, list[Line]] = defaultdict(list)
        for row in rows:
            if row["id"] in self.by_row:
                of_product[m2o_id(row["product_id"]) or 0].append(self.by_row[row["id"]])
        self.split = {product: lines[0] for product, lines in of_product.items() if len(lines) == 1}
        self.sequences = {      # partner line (its id()) -> the sequence posting gave it
            id(line): str(sequence) for sequence, line in lines if sequence is not None}

    def case_of(self, line: Line | None) -> Packaging | None:
        """The packaging a partner line ordered by its case's GTIN is in (None: another line)."""
        return self.cases.get(id(line)) if line is not None else None

    def as_posted(self, po: PurchaseOrder, partner: PartnerConfig) -> PurchaseOrder:
        """The partner's order with its lines ordered by their case's GTIN as posted (`sale_orders.packed`), for
        the cross-dock split: 16-18 count the SDQ's cases in the packaging's units, as a PO4 pack's."""
        by_number = {line.line_no: case for line in self.by_row.values() if (case := self.case_of(line)) is not None}
        return po.model_copy(update={"lines": [
            packed(partner, line, case) if (case := by_number.get(line.line_no)) is not None and
            _by_case(partner, line, case) else line for line in po.lines]})

    def posted_of(self, item: ShipItem) -> str | None:
        """The sequence posting gave the partner line a shipped item is (None: none), by which `crossdock.by_store`
        knows the PO's lines whatever sequence a person has given its order line since (lines reordered in
        Odoo's list)."""
        line = self.of_item(item.line_no, item.item_ids)
        return self.sequences.get(id(line)) if line is not None else None

    def posted(self, by_row: dict[int, Decimal]) -> dict[str, Decimal]:
        """Values of order lines (id -> value) by the sequence posting gave their partner lines (`posted_of`)."""
        rows = {r["id"]: r for rows in self.rows.values() for r in rows}
        return {self.sequences[id(line)]: value for row, value in by_row.items()
                if row in rows and (line := self.of_row(rows[row])) is not None and id(line) in self.sequences}

    def of_row(self, row: dict[str, Any]) -> Line | None:
        """The partner's line an order line (id, product) is: the one paired with it, else the one it was split
        from."""
        found = self.by_row.get(row["id"])
        return found if found is not None else self.split.get(m2o_id(row["product_id"]) or 0)

    def of_item(self, sequence: str | None, ids: dict[str, str]) -> Line | None:
        """The partner's line a shipped item is, known by its order line's sequence (what the cross-dock split keeps
        of it) and its product's identifiers: of the order lines of that sequence, the one of its product when
        several share it."""
        rows = self.rows.get(sequence or "", [])
        if len(rows) > 1:
            rows = [r for r in rows if ids_and_name(self.items.get(m2o_id(r["product_id"]) or 0, {}))[0] == ids]
        return next((line for r in rows if (line := self.of_row(r)) is not None), None)


def _by_case(partner: PartnerConfig, line: Line, case: Packaging) -> bool:
    """Whether a partner's line names the packaging its order line is in by that packaging's GTIN (as a GTIN, or as
    its own item number: `lookup.customer_gtin`), in a case code the partner maps to no Odoo unit (as
    `sale_orders.packed` posts it): the case, not a substitute of the product."""
    return bool(case.barcode) and line.unit.upper() in CASE_UNITS and line.unit not in partner.odoo.units and \
        (same_item({"gtin": case.barcode}, line) or customer_gtin(line.item_ids) == gtin_key(case.barcode))


def ids_in_cases(ids: dict[str, str], line: Line) -> dict[str, str]:
    """A line in the partner's cases named as it ordered them: its identifiers (the case's GTIN) and Odoo's other
    codes (`theirs_over`: its IN not also as BP), not the product's own GTIN/UPC, which is one unit's."""
    return theirs_over({k: v for k, v in ids.items() if k not in BARCODE_KINDS}, line.item_ids)


def named_as_sent(line_no: str | None, ids: dict[str, str], line: Line | None) -> tuple[str | None, dict[str, str]]:
    """`standing_orders.as_ordered` for an outbound line that is the partner's `line` (None: one it did not order);
    a product a person put on the line in its place (`other_item`) keeps its own identifiers."""
    if line is not None and other_item(ids, line):
        return line.line_no or line_no, ids
    return as_ordered(line_no, ids, {line_no or "": line} if line is not None else {})


def other_item(ids: dict[str, str], line: Line) -> bool:
    """Whether a product (Odoo's identifiers `ids`) is another trade item than the partner's `line` ordered: no
    identifier in common, and each has a GTIN (a UPC, an EAN, a GTIN-14: one number), which differ. A substitute
    a person put on the line in Odoo, which a ship notice, an invoice and an acknowledgment must name as it is,
    the cartons' labels and the retailer's item match going by it; its case size is not the ordered item's."""
    ours = {gtin_key(v) for k, v in ids.items() if k in BARCODE_KINDS and v.strip().isdecimal()}
    theirs = line_gtins(line.item_ids)          # a buyer's number that is a GTIN (the case's) names a trade item too
    return bool(ours and theirs) and not ours & theirs and not same_item(ids, line)


def named_cases(client: OdooClient, cache: Cache, customer: int, lines: list[tuple[Line, int]]) -> dict[int, Packaging]:
    """Partner line (its id()) -> the packaging its case's GTIN names, for lines a person repacked (`is_repacked`), each
    with its order line's product: 16-18 a product.packaging; 19 the packaging unit as a case of the Units it holds
    by Odoo's factors (no `unit`: the line, counted in Units by a person, is counted as 16-18 count a case). None for
    a line whose product is not the case's: a person put another product on it, a substitute that goes out as
    itself, not in the ordered item's case. One lookup and one read of the units for all of them."""
    try:
        matches = ProductFinder(client, cache, customer, "customer").resolve(
            [(str(i), line.item_ids) for i, (line, _) in enumerate(lines)]) if lines else {}
    except OdooRejected:                # a packaging since gone: the line is answered as its row stands
        return {}
    cases = {id(line): found.packaging for i, (line, product) in enumerate(lines)
             if (found := matches[str(i)]).packaging is not None and found.product_id == product}
    units = {p.unit for p in cases.values() if p.id is None and p.unit}
    ratios = unit_ratios(client, units, cache) if units else {}
    return {key: replace(p, size=_dec(round(ratios[p.unit][1], 6)), unit=None) if p.unit in ratios else p
            for key, p in cases.items() if p.id is not None or p.unit in ratios}


def is_repacked(partner: PartnerConfig, line: Line, case: Packaging | None) -> bool:
    """Whether a partner's line of cases by a GTIN, without a PO4 pack, is in Odoo in no packaging or another than one
    its GTIN names (16-18 `case` the order line's product_packaging_id; 19 a unit that is no packaging is None)."""
    return line.unit.upper() in CASE_UNITS and line.unit not in partner.odoo.units and not line.pack_size and \
        bool(line_gtins(line.item_ids)) and (case is None or not _by_case(partner, line, case))


def line_cases(client: OdooClient, rows: list[dict[str, Any]], uom_field: str) -> dict[int, Packaging]:
    """Sale order line id -> the packaging it is in, for lines a partner may have ordered by the case's GTIN: 16-18
    the line's product_packaging_id (its qty in the product's unit, its barcode), 19 its unit when a packaging unit
    of its product with a barcode (no size: the line counts cases; `name` the unit's). One call at most."""
    if not rows:
        return {}
    if client.has_model("product.packaging"):
        ids = {m2o_id(r.get("product_packaging_id")) or 0 for r in rows} - {0}
        found = {p["id"]: Packaging(name="", barcode=str(p.get("barcode") or ""), id=p["id"], size=_dec(p["qty"]))
                 for p in client.read("product.packaging", sorted(ids), ["qty", "barcode"])} if ids else {}
        return {r["id"]: found[pid] for r in rows if (pid := m2o_id(r.get("product_packaging_id"))) in found}
    if not client.has_model("product.uom"):
        return {}
    products = sorted({m2o_id(r["product_id"]) or 0 for r in rows} - {0})
    codes = {(m2o_id(b["product_id"]), m2o_id(b["uom_id"])): (str(b.get("barcode") or ""), m2o_name(b["uom_id"]))
             for b in client.search_read("product.uom", [("product_id", "in", products)],
                                         ["product_id", "uom_id", "barcode"])}
    return {r["id"]: Packaging(name=codes[key][1] or "", barcode=codes[key][0], unit=key[1]) for r in rows
            if (key := (m2o_id(r["product_id"]), m2o_id(r.get(uom_field)))) in codes}


class CaseUnits:
    """Odoo 19 packaging units -> (how many of the unit they are defined in one holds, that unit's name), for a
    quantity in one that is not whole cases: 9.5 of a case of 24 goes out as 228 Units, as 16-18 count such a line.
    All the `cases`' units read in one call, the first time one is asked for (none when every quantity is whole)."""

    def __init__(self, client: OdooClient, cases: dict[int, Packaging]) -> None:
        self.client, self.units = client, sorted({c.unit for c in cases.values() if c.unit})
        self.found: dict[int, tuple[Decimal, str]] | None = None

    def of(self, unit: int) -> tuple[Decimal, str] | None:
        if self.found is None:
            self.found = {r["id"]: (_dec(r.get("relative_factor") or 1), m2o_name(r.get("relative_uom_id")) or "")
                          for r in self.client.read("uom.uom", self.units, ["relative_factor", "relative_uom_id"])}
        found = self.found.get(unit)
        return found if found is not None and found[1] else None
