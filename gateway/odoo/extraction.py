"""Odoo -> outbound canonical documents: shipments, invoices and stock, each exported once.

Each `extract_*` function finds the candidates for one partner (records of its company
and delivery contacts changed in the last `lookback_days`), builds their documents with
bulk reads (a fixed number of calls per run, not per record) and returns those whose
record version it could claim with `journal.export_mark(partner, model, id, write_date,
kind)`. The scheduler passes `claim_marks=False` and marks after queuing instead, so a
crash between the two cannot lose a document (see scheduler.py).
A record changed later (new write_date) is a new version and is exported again: a
corrected invoice re-sent, say. The outbox key (`outbox_key`) is the same record version,
so a re-run after a crash never queues a document twice.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from gateway.config.models import PartnerConfig
from gateway.journal.api import Journal
from gateway.odoo import crossdock
from gateway.odoo.client import OdooClient
from gateway.odoo.extract.common import (
    Hold,
    done_order,
    hold_or_log,
    ids_and_name,
    local_day,
    log,
    order_date,
    ordered_gtins,
    party,
)
from gateway.odoo.extract.context import Context
from gateway.odoo.extract.partner_lines import (
    CaseUnits,
    PartnerLines,
    ids_in_cases,
    line_cases,
    named_as_sent,
    order_lines_of,
    other_item,
    products_in,
)
from gateway.odoo.extract.versions import KIND_INVOICE, KIND_SHIP, Exclude, candidates, claim, unchanged
from gateway.odoo.invoice_taxes import TaxMismatch, line_taxes, money, rate_of, read_taxes
from gateway.odoo.invoice_taxes import dec as _dec
from gateway.odoo.lookup import Cache, Names, Packaging, discount_digits, ids_of, m2o_id, m2o_name, unit_code
from gateway.odoo.receipts import tracking_numbers, unit_ratios, units_per
from gateway.odoo.sale_orders import OF_THE_GROSS, line_allowances, odoo_terms, order_payload_id
from gateway.odoo.standing_orders import Standing, for_order, in_cases, standing
from gateway.odoo.stock_kits import kits_shipped
from gateway.odoo.tax_categories import Category, for_invoices, tax_category_fields
from gateway.translate.canonical import (
    AllowanceCharge,
    DateValue,
    Invoice,
    Line,
    Pack,
    PurchaseOrder,
    Reference,
    ShipItem,
    ShipNotice,
    ShipOrder,
    Source,
    Tax,
    Totals,
)
from gateway.translate.charges import charged_as


def net_price(line: dict[str, Any], places: int = 2) -> Decimal:
    """An invoice line's unit price after its discount (%): what its quantity is charged at, so that quantity x
    price is the line's amount (Odoo's price_unit is the price before the discount). A price that includes a tax
    (10.00 with 21 % in it: an amount of 8.26) is the amount per unit instead, with the fewest decimals from four
    to six (as many as Odoo keeps of a price) whose quantity x price is the line's amount: 1000 x 8.2645 is
    8264.50 against Odoo's 8264.46, an 810 the retailer's footing check refuses; 8.26446 adds up. `places`: the
    currency's decimals, what the amount is rounded to (3 for KWD: 7 x 1.2345 is 8.642, not 8.64), to the cent at
    least: a footing check multiplies to the cent, so 10 at 12.34 is no 123 yen, 10 at 12.3 is."""
    price = _dec(line["price_unit"])
    discount = _dec(line.get("discount"))
    net = _dec(price * (100 - discount) / 100) if discount else price
    quantity, subtotal = _dec(line["quantity"]), _dec(line["price_subtotal"])
    places = max(places, 2)
    if not quantity or money(net * quantity, places) == subtotal:
        return net
    tried = [_dec((subtotal / quantity).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP))
             for digits in (4, 5, 6)]
    return next((each for each in tried if money(each * quantity, places) == subtotal), tried[0])


def _sscc_of(package: str) -> str | None:
    """A package's name as its SSCC-18 when it is one (18 digits, or 20 with the GS1 application identifier 00,
    as a scanned label reads), else None: Odoo names packages PACK0000001 unless the warehouse labels them with
    SSCCs, and such a name in MAN*GM / GIN+BJ is no SSCC the partner can scan (a profile with `sscc:` gives the
    package one of ours instead). A wrong check digit is left for rendering to refuse, naming the SSCC."""
    text = package.strip()
    if len(text) == 20 and text.startswith("00"):
        text = text[2:]
    return text if len(text) == 18 and text.isdecimal() else None


def extract_ship_notices(client: OdooClient, partner: PartnerConfig, journal: Journal,
                         cache: Cache | None = None, lookback_days: int = 30,
                         kind: str = KIND_SHIP, claim_marks: bool = True,
                         exclude: Exclude | None = None, record_ids: list[int] | None = None,
                         by_store: bool = False, stores_in_items: bool = False,
                         hold: Hold | None = None) -> list[ShipNotice]:
    """Done deliveries (and drop-shipments) to the partner (any of its contacts) -> ShipNotice, once per version.

    `by_store`: the partner's ship notice has an order level per store (X12 856: HL O each), so a DC order whose
    PO allocated its lines to stores is announced cross-dock, one order per store (`gateway.odoo.crossdock`); one
    with a labelled carton of several stores' goods is not returned but given to `hold` (without: logged).
    `stores_in_items` (with `by_store`): the notice holds one order (an EANCOM DESADV), which names each item's store
    instead: the stores' orders are given as one (`crossdock.one_order`)."""
    ctx = Context(client, partner, cache)
    # carrier, tracking and weight come with Odoo's Delivery app (stock_delivery; shipping_weight is in stock
    # from 18): a database without it ships without them, where asking for them would fail every extraction
    present = client.fields("stock.picking")
    shipping = [f for f in ("carrier_id", "carrier_tracking_ref", "weight", "shipping_weight") if f in present]
    # to the customer: a delivery, or stock_dropshipping's Vendors -> Customers transfer, whose operation type is
    # `incoming` to 17 and `dropship` from 18 (res_company._create_dropship_picking_type): the drop-shipped order's
    # only shipment, which the customer expects an 856 for as for any other. That transfer's partner is the vendor
    # (purchase_stock's _prepare_picking, stock_dropshipping's move_picking_partner_id): it is the customer's by its
    # sale order, and goes to the order's delivery address
    customer = ctx.customer["id"]
    rows = client.search_read("stock.picking", ["|", "&", ("picking_type_code", "=", "outgoing"),
                                                ("partner_id", "child_of", customer),
                                                "&", ("location_dest_id.usage", "=", "customer"),
                                                ("sale_id.partner_id", "child_of", customer),
                                                ("state", "=", "done"),
                                                candidates("write_date", lookback_days, record_ids)],
                              ["name", "partner_id", "origin", "sale_id", "date_done", *shipping, "write_date",
                               "picking_type_id", "picking_type_code"], order="id")
    rows = [r for r in rows if not exclude or not exclude("stock.picking", r["id"], str(r["write_date"]))]
    if not rows:
        return []
    warehouses = ctx.picking_warehouses(rows)
    orders = {o["id"]: o for o in client.read("sale.order", ids_of(r["sale_id"] for r in rows),
                                               ["name", "client_order_ref", "date_order", "partner_id",
                                                "partner_shipping_id", "note"])}
    # cross-dock: the PO of each DC order its 850 allocated to stores, and the order's earlier deliveries (what they
    # gave each store is not given again: a backorder fills the stores they left short)
    placed = {so_id: known for so_id, so in orders.items() if (known := standing(journal, so)) is not None}
    allocated = {so_id: s.order for so_id, s in placed.items() if any(line.allocations for line in s.order.lines)} \
        if by_store and partner.odoo.store_orders == "one" else {}
    earlier = client.search_read("stock.picking", [("sale_id", "in", sorted(allocated)), ("state", "=", "done"),
                                                   ("picking_type_code", "=", "outgoing"),
                                                   ("id", "not in", [r["id"] for r in rows])],
                                 ["name", "origin", "sale_id", "date_done"], order="id") if allocated else []
    picking_ids = [r["id"] for r in [*rows, *earlier]]
    names = Names.of(client, ctx.cache)             # the done quantities: quantity_done / qty_done in 16
    kit_part = [f for f in ("bom_line_id",) if f in client.fields("stock.move")]     # mrp: a kit's component
    moves = client.search_read("stock.move", [("picking_id", "in", picking_ids), ("state", "=", "done")],
                               ["picking_id", "product_id", "product_uom_qty", names.move_qty, "product_uom",
                                "sale_line_id", *kit_part])
    move_lines = client.search_read("stock.move.line", [("picking_id", "in", picking_ids)],
                                    ["move_id", "product_id", names.line_qty, "product_uom_id", "lot_id",
                                     "result_package_id"])
    for pick in rows:                            # a drop-shipment's partner is the vendor: the order says where to
        order = orders.get(m2o_id(pick["sale_id"]) or 0)
        if pick.get("picking_type_code") != "outgoing" and order and order.get("partner_shipping_id"):
            pick["partner_id"] = order["partner_shipping_id"]
    sale_lines = {s["id"]: s for s in client.read("sale.order.line", ids_of(m["sale_line_id"] for m in moves),
                                                   ["sequence", "product_uom_qty", "product_id", names.sale_uom])}
    kits = kits_shipped(client, moves, names.move_qty, ctx.cache) if kit_part else {}   # (delivery, line) -> kits
    order_rows = order_lines_of(client, placed, names.sale_uom)
    cases = line_cases(client, [r for found in order_rows.values() for r in found], names.sale_uom)
    sizes = CaseUnits(client, cases)
    items = ctx.item_ids(({m2o_id(m["product_id"]) or 0 for m in [*moves, *sale_lines.values()]} |
                          products_in(order_rows)) - {0})
    contacts = ctx.partners({m2o_id(r["partner_id"]) or 0 for r in rows} | {ctx.customer["id"]})
    company = ctx.company()
    by_picking: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for m in moves:
        by_picking[m2o_id(m["picking_id"]) or 0].append(m)
    lines_by_move: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for line in move_lines:
        lines_by_move[m2o_id(line["move_id"]) or 0].append(line)
    order_of = {p["id"]: m2o_id(p["sale_id"]) or 0 for p in [*rows, *earlier]}
    units = _OneUnit(client, [m for m in moves if order_of.get(m2o_id(m["picking_id"]) or 0) in allocated],
                     lines_by_move, sale_lines, order_of)

    def shipped_of(pick: dict[str, Any]) -> ShipOrder:
        """The order as this delivery shipped it: its packages with their items, and the items in none."""
        order = orders.get(m2o_id(pick["sale_id"]) or 0)
        packs: dict[str, Pack] = {}
        loose: list[ShipItem] = []
        kit_lines: set[int] = set()
        for move in by_picking[pick["id"]]:
            sale_line = sale_lines.get(m2o_id(move["sale_line_id"]) or 0)
            if move.get("bom_line_id") and sale_line:       # a kit's component: the line's kits, said once
                if sale_line["id"] not in kit_lines:
                    kit_lines.add(sale_line["id"])
                    _kit_item(kits.get((pick["id"], sale_line["id"])), sale_line, by_picking[pick["id"]],
                              lines_by_move, items, partner, names.sale_uom, packs, loose)
                continue
            ids, name = ids_and_name(items.get(m2o_id(move["product_id"]) or 0, {}))
            for line in lines_by_move[move["id"]] or [{names.line_qty: move[names.move_qty], "lot_id": False,
                                                           "result_package_id": False, "product_uom_id": move["product_uom"]}]:
                if not line.get(names.line_qty):
                    continue
                uom = line.get("product_uom_id") or move["product_uom"]
                each, ordered_each, unit = units.of(move, uom)
                case = cases.get(m2o_id(move["sale_line_id"]) or 0)      # 19: a packaging unit has no code:
                in_case = case is not None and case.unit is not None and m2o_id(uom) == case.unit and each == 1
                quantity = _dec(line[names.line_qty]) * each
                if case and case.unit and in_case and quantity % 1 and (size := sizes.of(case.unit)):
                    quantity, unit, in_case = _dec(quantity * size[0]), size[1], False     # 9.5 cases: 228 Units
                counted = case is None or case.unit is None or in_case     # 19: cases ordered, units counted
                item = ShipItem(line_no=str(sale_line["sequence"]) if sale_line else None, item_ids=ids,
                                description=name, quantity=quantity,
                                unit=case.name if case and in_case else unit_code(partner, unit),   # _as_ordered's
                                ordered_quantity=_dec(sale_line["product_uom_qty"]) * ordered_each
                                if sale_line and counted else None, lot=m2o_name(line.get("lot_id")))
                package = m2o_name(line.get("result_package_id"))
                if package:
                    packs.setdefault(package, Pack(sscc=_sscc_of(package))).items.append(item)
                else:
                    loose.append(item)
        numbers = tracking_numbers(pick.get("carrier_tracking_ref"))
        if len(packs) == 1 and not loose and len(numbers) == 1:      # the one carton's own label
            [pack] = packs.values()
            pack.tracking_number = numbers[0]
        return ShipOrder(po_number=(order or {}).get("client_order_ref") or (order or {}).get("name") or
                         pick.get("origin") or pick["name"],
                         po_date=order_date(placed.get(m2o_id(pick["sale_id"]) or 0),
                                             local_day((order or {}).get("date_order"), ctx.zone(warehouses.get(pick["id"])))),
                         references=[Reference(qualifier="vendor_order", value=order["name"])] if order else [],
                         packs=list(packs.values()), items=loose)

    docs = []
    for pick in rows:
        order = orders.get(m2o_id(pick["sale_id"]) or 0)
        zone = ctx.zone(warehouses.get(pick["id"]))
        ship_order = shipped_of(pick)
        shipped, mixed = [ship_order], None
        so_id = m2o_id(pick["sale_id"]) or 0
        ship_to = party("ship_to", contacts.get(m2o_id(pick["partner_id"]) or 0), ctx.gln_field)
        ordered = PartnerLines(for_order(placed.get(so_id), partner, ship_to), order_rows.get(so_id, []), items,
                                partner, cases, ctx.named_cases)
        po = allocated.get(so_id)
        if po is not None:
            before = [shipped_of(p) for p in sorted([*earlier, *rows], key=done_order)
                      if p["sale_id"] == pick["sale_id"] and done_order(p) < done_order(pick)]
            try:
                units.check(so_id, po)
                shipped = crossdock.by_store(ship_order, ordered.as_posted(po, partner), partner, before,
                                             ordered.posted(units.scale[so_id]),
                                             ordered.posted_of)
                shipped = [crossdock.one_order(shipped)] if stores_in_items else _packed_alike(shipped)
            except (crossdock.MixedCarton, UnitMismatch) as exc:
                mixed = str(exc)
        shipped = _as_ordered(shipped, ordered, partner, sizes) if ordered.by_row else shipped
        package_count = sum(len(o.packs) for o in shipped)     # a mixed carton split between stores is no more
        parties = [p for p in (ship_to,
                               party("buyer", contacts.get(ctx.customer["id"]), ctx.gln_field),
                               party("ship_from", company, ctx.gln_field)) if p is not None]
        done = local_day(pick.get("date_done"), zone)
        weight = pick.get("shipping_weight") or pick.get("weight")
        docs.append(ShipNotice(
            number=pick["name"], date=done, ship_date=done,
            carrier_name=m2o_name(pick.get("carrier_id")),
            tracking_number=next(iter(tracking_numbers(pick.get("carrier_tracking_ref"))), None),
            gross_weight=_dec(weight) if weight else None, weight_unit="KGM" if weight else None,
            package_count=package_count or None, parties=parties, orders=shipped,
            structure="SOPI" if package_count else "SOI",   # BSN05 0001 / 0004: no carton (after the split), no pack level
            references=[Reference(qualifier="customer_order", value=ship_order.po_number)],
            source=Source(partner=partner.id, odoo_record=f"stock.picking,{pick['id']}",
                          odoo_write_date=str(pick["write_date"]), day_zone=str(zone),
                          order_payload_id=order_payload_id((order or {}).get("note")),
                          ordered_gtins=ordered_gtins(placed.get(so_id)))))
        if mixed is not None:
            hold_or_log(hold, partner, docs.pop(), f"ship notice {pick['name']}: {mixed}")
        elif not docs[-1].all_items():      # only parts of kits, completing none: an 856/DESADV of no item
            hold_or_log(hold, partner, docs.pop(), f"ship notice {pick['name']}: it carries only parts of kits, which complete "
                  "no kit (Odoo counts none delivered), so it announces no item; the kits go out in the notice of the "
                  "delivery that completes them")
    docs = unchanged(client, "stock.picking", docs)
    docs = claim(journal, partner, docs, kind) if claim_marks else docs
    log.info("partner %s: %d shipment(s) to announce", partner.id, len(docs))
    return docs


class UnitMismatch(ValueError):
    """A line of a cross-dock order is shipped in a unit Odoo's factors do not convert to the order line's."""


class _OneUnit:
    """The units of a cross-dock order's deliveries, compared in one: an order line shipped (in this delivery or an
    earlier one) in more than one unit has every item given in the smallest of them, by Odoo's unit factors
    (`receipts.unit_ratios`). Odoo writes a move line in the product's own unit when a reservation is not a whole
    number of the order line's unit, or a person changes it: 20 Units of a line of 2 Dozens, which the store split
    must not count as 20 Dozens. No call to Odoo when each line has one unit."""

    def __init__(self, client: OdooClient, moves: list[dict[str, Any]], lines_by_move: dict[int, list[dict[str, Any]]],
                 sale_lines: dict[int, dict[str, Any]], order_of: dict[int, int]) -> None:
        """`moves`: the done moves of the cross-dock orders' deliveries; `order_of`: picking -> its sale order."""
        used: dict[int, dict[int, str]] = defaultdict(dict)     # sale line -> its units in use (id -> name)
        ordered: dict[int, int] = {}
        self.order: dict[int, int] = {}                         # sale line -> its sale order
        for move in moves:
            sale_line = m2o_id(move.get("sale_line_id"))
            if not sale_line or not move.get("product_uom"):
                continue
            ordered[sale_line] = m2o_id(move["product_uom"]) or 0
            self.order[sale_line] = order_of.get(m2o_id(move["picking_id"]) or 0, 0)
            for uom in [move["product_uom"], *(line.get("product_uom_id") for line in lines_by_move[move["id"]])]:
                if uom:
                    used[sale_line][m2o_id(uom) or 0] = m2o_name(uom) or ""
        mixed = {line: found for line, found in used.items() if len(found) > 1}
        ratios = unit_ratios(client, {u for found in mixed.values() for u in found}) if mixed else {}
        self.target: dict[int, tuple[int, str]] = {}            # sale line -> the unit its items are given in
        self.problems: dict[int, str] = {}                      # sale line -> why they cannot be
        self.ratios = ratios
        # sale order -> {its line (id): target units per unit of the order line}
        self.scale: dict[int, dict[int, Decimal]] = defaultdict(dict)
        for line, found in mixed.items():
            if len({ratios[u][0] for u in found}) > 1:
                self.problems[line] = " and ".join(sorted(found.values()))
                continue
            target = min(found, key=lambda u: ratios[u][1])
            self.target[line] = (target, found[target])
            if line in sale_lines:
                self.scale[self.order[line]][line] = self._factor(ordered[line], target)
        self.sequence = {line: str(sale_lines[line]["sequence"]) for line in used if line in sale_lines}

    def _factor(self, source: int, target: int) -> Decimal:
        return _dec(round(self.ratios[source][1] / self.ratios[target][1], 9))

    def of(self, move: dict[str, Any], uom: Any) -> tuple[Decimal, Decimal, str | None]:
        """(target units per unit of `uom`, per unit of the order line, the target unit's name) for a move line."""
        found = self.target.get(m2o_id(move.get("sale_line_id")) or 0)
        if found is None:
            return Decimal(1), Decimal(1), m2o_name(uom)
        target, name = found
        return self._factor(m2o_id(uom) or 0, target), self._factor(m2o_id(move["product_uom"]) or 0, target), name

    def check(self, order_id: int, po: PurchaseOrder) -> None:
        """Raises UnitMismatch for a line of this order shipped in units that do not compare."""
        wrong = [f"line {self.sequence.get(line, '?')} in {units}" for line, units in self.problems.items()
                 if self.order[line] == order_id]
        if wrong:
            raise UnitMismatch(f"PO {po.number} is allocated to stores, and {'; '.join(wrong)} cannot be compared "
                               "by Odoo's unit factors to split it between them: correct the delivery's units in "
                               "Odoo, or send this ship notice by hand")


def _packed_alike(orders: list[ShipOrder]) -> list[ShipOrder]:
    """A delivery split by store as pick and pack throughout, or not at all: where some store has a carton, each
    other store's goods are one carton of their own (the renderer labels them where the profile gives SSCCs), so no
    order of a BSN05 0001 notice lacks a pack level; where none has (an unlabelled carton of several stores' goods
    split, as loose goods), the notice has no pack level at all (0004)."""
    if not any(o.packs for o in orders):
        return orders
    return [o.model_copy(update={"packs": [Pack(items=o.items)], "items": []}) if o.items and not o.packs else o
            for o in orders]


def _as_ordered(orders: list[ShipOrder], ordered: PartnerLines, partner: PartnerConfig,
                sizes: CaseUnits | None = None) -> list[ShipOrder]:
    """A ship notice's orders whose items (loose and in their packs) name the partner's line numbers and item
    identifiers (`standing_orders.as_ordered`), in the cases it ordered when Odoo counts them in units (`in_cases`)
    and every item of that line in the notice is whole cases: a line shipped as 1 case to one store and 6 units to
    another, added up by the retailer, is 7 of its 2 cases. Such a line goes out in units throughout. A line ordered
    by its case's GTIN likewise, named by that GTIN in its cases (16-18 units in whole cases; 19 the packaging unit
    `shipped_of` left as Odoo's name) and by the product's own GTIN in units, which a unit's GTIN counts. On 19 a
    move line counted in the unit the case holds (240 Units: the warehouse scanned the widgets) in whole cases
    (`sizes`) is those cases too, as 16-18 send it and as Odoo invoices the line; and a line one of whose items is
    no whole cases (5 cases in one carton, 108 units in another) goes out in units throughout, as on 16-18."""
    def contents(p: Pack) -> list[ShipItem]:
        return [*p.items, *(i for inner in p.packs for i in contents(inner))]
    every = [i for o in orders for i in [*o.items, *(i for p in o.packs for i in contents(p))]]
    in_units = {id(line) for i in every if (line := ordered.of_item(i.line_no, i.item_ids)) is not None
                and in_cases(partner, line, i.quantity, i.ordered_quantity) is None}

    def whole(i: ShipItem, case: Packaging) -> Decimal | None:
        """19: the cases an item of a line in the packaging unit is, counted in it or in the unit it holds (None:
        not whole cases)."""
        if i.unit == case.name:
            return i.quantity
        size = sizes.of(case.unit) if sizes is not None and case.unit is not None else None
        return _dec(i.quantity / size[0]) if size is not None and i.unit == unit_code(partner, size[1]) \
            and not i.quantity % size[0] else None
    loose = {id(line) for i in every if (line := ordered.of_item(i.line_no, i.item_ids)) is not None and
             (case := ordered.case_of(line)) is not None and case.unit is not None and whole(i, case) is None}

    def item(i: ShipItem) -> ShipItem:
        as_sent = ordered.of_item(i.line_no, i.item_ids)
        case = ordered.case_of(as_sent)
        line_no, ids = named_as_sent(i.line_no, i.item_ids, as_sent)
        update: dict[str, Any] = {"line_no": line_no, "item_ids": ids}
        if as_sent is not None and case is not None and case.unit is not None:      # 19: the packaging unit
            in_cases19 = whole(i, case) if id(as_sent) not in loose else None
            if in_cases19 is not None:
                update.update(quantity=in_cases19, unit=as_sent.unit, item_ids=ids_in_cases(i.item_ids, as_sent))
                if i.unit != case.name:                 # counted in units: the cases ordered beside them
                    update["ordered_quantity"] = as_sent.quantity
            elif i.unit == case.name and sizes is not None and (size := sizes.of(case.unit)) is not None:
                update.update(quantity=_dec(i.quantity * size[0]), unit=unit_code(partner, size[1]),
                              ordered_quantity=None)    # the line's other items are no whole cases: units
            return i.model_copy(update=update)
        cases = in_cases(partner, as_sent, i.quantity, i.ordered_quantity) if id(as_sent) not in in_units and \
            as_sent is not None and (case is not None or not other_item(i.item_ids, as_sent)) else None
        if cases and as_sent:
            update.update(quantity=cases[0], ordered_quantity=cases[1], unit=as_sent.unit)
            if case is not None:
                update["item_ids"] = ids_in_cases(i.item_ids, as_sent)
        return i.model_copy(update=update)

    def pack(p: Pack) -> Pack:
        return p.model_copy(update={"items": [item(i) for i in p.items], "packs": [pack(q) for q in p.packs]})
    return [o.model_copy(update={"items": [item(i) for i in o.items], "packs": [pack(p) for p in o.packs]})
            for o in orders]


def extract_invoices(client: OdooClient, partner: PartnerConfig, journal: Journal,
                     cache: Cache | None = None, lookback_days: int = 30, kind: str = KIND_INVOICE,
                     claim_marks: bool = True, exclude: Exclude | None = None,
                     record_ids: list[int] | None = None, hold: Hold | None = None,
                     categories_written: bool = True) -> list[Invoice]:
    """Posted customer invoices and credit notes of the partner -> Invoice, once per version.

    Taxes are each line's taxes one by one (see invoice_taxes), adding up to Odoo's tax on the line; the
    document's taxes add those up by tax, and must come to Odoo's `amount_tax`. An invoice whose taxes cannot be
    told so is not returned but given to `hold` with the reason (without `hold`, logged): sent, the partner's
    tax lines would disagree with its total, or with the tax Odoo booked. `categories_written`: whether the
    partner's invoice profile writes a VAT category (tax_categories.writes_category), without which a line with no
    tax gets no 0 % tax of its category unless the partner's `odoo.untaxed_lines` asks for it."""
    ctx = Context(client, partner, cache)
    rows = client.search_read("account.move", [("move_type", "in", ["out_invoice", "out_refund"]),
                                               ("state", "=", "posted"),
                                               ("partner_id", "child_of", ctx.customer["id"]),
                                               candidates("write_date", lookback_days, record_ids)],
                              ["name", "move_type", "partner_id", "partner_shipping_id", "ref", "invoice_origin",
                               "invoice_date", "invoice_date_due", "currency_id", "amount_untaxed", "amount_tax",
                               "amount_total", "write_date", "company_id", "reversed_entry_id", "invoice_payment_term_id"],
                              order="id")
    rows = [r for r in rows if not exclude or not exclude("account.move", r["id"], str(r["write_date"]))]
    if not rows:
        return []
    credited = {m["id"]: m for m in client.read("account.move", ids_of(r["reversed_entry_id"] for r in rows),
                                                ["name", "ref", "reversed_entry_id"])}   # no reversal: no call
    decimals = ctx.currency_places(ids_of(r["currency_id"] for r in rows))
    globally = {c["id"] for c in client.read("res.company", ids_of(r["company_id"] for r in rows),
                                              ["tax_calculation_rounding_method"])
                if c.get("tax_calculation_rounding_method") == "round_globally"}
    lines = client.search_read("account.move.line", [("move_id", "in", [r["id"] for r in rows]),
                                                     ("display_type", "=", "product")],
                               ["move_id", "product_id", "name", "quantity", "price_unit", "discount",
                                "product_uom_id", "tax_ids", "price_subtotal", "price_total", "sale_line_ids"],
                               order="move_id, sequence, id")
    tax_ids = {t for line in lines for t in line["tax_ids"]}
    taxes = read_taxes(client, tax_ids, tax_category_fields(client) if tax_ids else ())

    groups = {c: t["name"] for t in taxes.values() if t.get("amount_type") == "group"
              for c in t.get("children_tax_ids") or []}

    def tax_type(tax: dict[str, Any]) -> str:
        """The canonical type of an Odoo tax for this partner: by its name, else by the name of the group it was
        sent for (`odoo.tax_types` may name the group the invoice line shows), else the partner's one type."""
        named = partner.odoo.tax_types
        return named.get(tax["name"]) or named.get(groups.get(tax["id"], "")) or partner.odoo.tax_type

    sale_lines = {s["id"]: s for s in client.read("sale.order.line", sorted(
        {s for line in lines for s in line["sale_line_ids"]}), ["sequence", "order_id"])}
    orders = {o["id"]: o for o in client.read("sale.order", ids_of(s["order_id"] for s in sale_lines.values()),
                                               ["name", "client_order_ref", "note", "partner_shipping_id", "date_order"])}
    deliveries = billed_deliveries(client, rows, lines, Names.of(client, ctx.cache).move_qty, ctx.cache)
    placed = {so_id: known for so_id, so in orders.items() if (known := standing(journal, so)) is not None}
    uom_field = Names.of(client, ctx.cache).sale_uom
    order_rows = order_lines_of(client, placed, uom_field)
    cases = line_cases(client, [r for found in order_rows.values() for r in found], uom_field)
    sizes = CaseUnits(client, cases)
    items = ctx.item_ids(({m2o_id(line["product_id"]) or 0 for line in lines} | products_in(order_rows)) - {0})
    contacts = ctx.partners(({m2o_id(r["partner_id"]) or 0 for r in rows} |      # no delivery address: no 0
                             {m2o_id(r["partner_shipping_id"]) or 0 for r in [*rows, *orders.values()]} |
                             {ctx.customer["id"]}) - {0})
    company = ctx.company()
    categories = for_invoices(client, partner, company, contacts.get(ctx.customer["id"]), categories_written)
    by_move: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for line in lines:
        by_move[m2o_id(line["move_id"]) or 0].append(line)
    docs = []
    for move in rows:
        doc_lines = []
        reverses = credited.get(m2o_id(move["reversed_entry_id"]) or 0)     # the invoice a credit note reverses
        po_number = _order_number(move, reverses)
        tax_totals: dict[int, Decimal] = defaultdict(Decimal)
        tax_bases: dict[int, Decimal] = defaultdict(Decimal)      # the lines' amounts each tax is on
        untaxed_bases: dict[Category, Decimal] = defaultdict(Decimal)     # lines without a tax, by category
        shared: set[frozenset[int]] = set()             # the taxes one line carries together: never one summary
        places = decimals.get(m2o_id(move["currency_id"]) or 0, 2)     # KWD's 3, not cents
        problems: list[str] = []
        payload_id = None                                          # the cXML order's, when it came so
        ship_to = party("ship_to", contacts.get(m2o_id(move["partner_shipping_id"]) or 0), ctx.gln_field)
        ordered: dict[int, PartnerLines] = {}                     # sale order -> the partner's lines
        sent_as: list[Line | None] = []                            # each line's partner line, when it ordered it
        by_case: list[bool] = []                                   # ... when that line named its case's GTIN
        charged: list[AllowanceCharge] = []                        # lines on odoo.charge_products: SAC / ALC
        for index, line in enumerate(by_move[move["id"]], 1):
            sale = sale_lines.get(line["sale_line_ids"][0]) if line["sale_line_ids"] else None
            if sale and not po_number:
                po_number = orders.get(m2o_id(sale["order_id"]) or 0, {}).get("client_order_ref") or None
            if sale and not payload_id:
                payload_id = order_payload_id(orders.get(m2o_id(sale["order_id"]) or 0, {}).get("note"))
            ids, name = ids_and_name(items.get(m2o_id(line["product_id"]) or 0, {}))
            subtotal = _dec(line["price_subtotal"])
            line_no = str(sale["sequence"]) if sale else str(index)       # IT101: the partner's own, as its PO1
            as_sent: Line | None = None                                   # the partner's line, when it ordered it
            case: Packaging | None = None
            unit: str | None = None                                       # a packaging unit has no code (19)
            billed = line                                                 # its quantity and price as sent
            if sale:
                so_id = m2o_id(sale["order_id"]) or 0
                if so_id not in ordered:         # a PO split by store: the share of the order's own place (the
                    place = m2o_id(orders.get(so_id, {}).get("partner_shipping_id")) or 0     # invoice of several
                    delivered = party("ship_to", contacts.get(place), ctx.gln_field)      # orders has the first's)
                    ordered[so_id] = PartnerLines(for_order(placed.get(so_id), partner, delivered or ship_to),
                                                   order_rows.get(so_id, []), items, partner, cases, ctx.named_cases)
                as_sent = ordered[so_id].of_row({**sale, "product_id": line["product_id"]})
                case = ordered[so_id].case_of(as_sent)
                number, ids = named_as_sent(line_no, ids, as_sent)
                line_no = number or line_no
                if as_sent is not None and case is not None and case.unit is not None and \
                        m2o_id(line.get("product_uom_id")) == case.unit:          # 19: billed in the case itself
                    size = sizes.of(case.unit) if _dec(line["quantity"]) % 1 else None
                    if size is not None:                  # 9.5 cases: 228 Units at the price of one, to six
                        unit, billed = unit_code(partner, size[1]), {      # places as 16-18 keep it (25.00 / 24
                            **line, "quantity": _dec(_dec(line["quantity"]) * size[0]),  # is no 28-digit IT104)
                            "price_unit": _dec((_dec(line["price_unit"]) / size[0]).quantize(
                                Decimal("0.000001"), rounding=ROUND_HALF_UP))}
                    else:
                        unit, ids = as_sent.unit, ids_in_cases(ids, as_sent)
            unit = unit or unit_code(partner, m2o_name(line.get("product_uom_id")))
            try:
                found = line_taxes(taxes, line, subtotal, f"line {line_no} ({line.get('name') or name})",
                                   m2o_id(move["company_id"]) in globally, client.version[0], places)
            except TaxMismatch as exc:
                problems.append(str(exc))
                found = []
            for tax, amount in found:
                tax_totals[tax["id"]] += amount
                tax_bases[tax["id"]] += subtotal
            shared |= {frozenset((a["id"], b["id"])) for a, _ in found for b, _ in found if a["id"] != b["id"]}
            if (untaxed := categories.untaxed(line)) is not None:
                untaxed_bases[untaxed] += subtotal
            own_taxes = categories.line_taxes([Tax(type=tax_type(tax), amount=money(amount, places),
                                                   taxable_amount=subtotal, rate=rate_of(tax)) for tax, amount in found],
                                              [tax for tax, _ in found], line, subtotal)
            code, is_charge = charged_as(ids.get("vendor"), partner.odoo.charge_products)
            if is_charge:          # the partner's own allowance/charge, posted as an order line: no item it ordered
                kind = "allowance" if subtotal < 0 else "charge"
                known = placed.get(m2o_id(sale["order_id"]) or 0) if sale else None
                charged.append(AllowanceCharge(kind=kind, code=code or _code_ordered(known, line.get("name"), kind),
                                               description=line.get("name") or name or None, amount=abs(subtotal),
                                               taxes=own_taxes))       # its VAT category (UBL, INVOIC ALC)
                continue
            sent_as.append(as_sent)
            by_case.append(case is not None and case.unit is None)
            doc_lines.append(Line(line_no=line_no, item_ids=ids, description=line.get("name") or name,
                                  quantity=_dec(billed["quantity"]), unit=unit,
                                  unit_price=net_price(billed, places), amount=subtotal,     # the basis its order said:
                                  price_basis=as_sent.price_basis if as_sent else None,        # IT105, 855 PO105
                                  allowances_charges=allowances_as_ordered(
                                      billed, as_sent, partner, lambda: discount_digits(client, ctx.cache)),
                                  taxes=own_taxes))
        if not doc_lines:
            continue
        first = next(iter(ordered), 0)             # BIG03, DTM+171: the date of the order billed, as the PO said
        po_date = order_date(placed.get(first), local_day(orders.get(first, {}).get("date_order"), ctx.zone()))
        term = m2o_id(move.get("invoice_payment_term_id"))      # ITD03/05/07: the terms the retailer checks
        agreed = odoo_terms(client, ctx.cache, term) if term else None
        doc_lines = billed_in_cases(doc_lines, sent_as, partner, by_case, places)
        tax_totals = {t: money(a, places) for t, a in tax_totals.items()}    # Odoo's tax lines: one per tax
        if not problems and sum(tax_totals.values(), Decimal(0)) != _dec(move["amount_tax"]):
            problems.append(f"its taxes add up to {sum(tax_totals.values(), Decimal(0))}, Odoo's tax total is "
                            f"{_dec(move['amount_tax'])}")
        parties = [p for p in (party("bill_to", contacts.get(m2o_id(move["partner_id"]) or 0), ctx.gln_field),
                               ship_to,
                               party("buyer", contacts.get(ctx.customer["id"]), ctx.gln_field),
                               party("seller", company, ctx.gln_field)) if p is not None]
        refs = [Reference(qualifier="customer_order", value=po_number)] if po_number else []
        if move.get("invoice_origin"):
            refs.append(Reference(qualifier="vendor_order", value=move["invoice_origin"]))
        if reverses:                                               # REF*IV / RFF+IV: the invoice it credits
            refs.append(Reference(qualifier="invoice", value=reverses["name"]))
        picks = deliveries.get(move["id"], [])
        refs += [Reference(qualifier="delivery_note", value=str(p["name"])) for p in picks]      # RFF+DQ, REF*PK
        delivery_day = local_day(picks[-1]["date_done"], ctx.zone()) if picks else None         # DTM+35
        docs.append(Invoice(
            number=move["name"], date=move.get("invoice_date") or None, currency=m2o_name(move.get("currency_id")),
            invoice_type="credit_note" if move["move_type"] == "out_refund" else "invoice", po_number=po_number,
            po_date=po_date, terms=agreed.name if agreed else None,
            dates=[DateValue(qualifier="delivered", date=delivery_day)] if delivery_day else [],
            ship_date=delivery_day,            # 810 DTM*011: the day it left (Odoo's date_done of the delivery)
            terms_net_days=agreed.net_days if agreed else None,
            terms_discount_percent=_dec(agreed.discount_percent) if agreed and agreed.discount_percent else None,
            terms_discount_days=agreed.discount_days if agreed and agreed.discount_percent else None,
            due_date=move.get("invoice_date_due") or None, lines=doc_lines, allowances_charges=charged,
            parties=parties, references=refs,
            taxes=categories.summary([Tax(type=tax_type(taxes[t]), amount=a, taxable_amount=tax_bases[t],
                                          rate=rate_of(taxes[t])) for t, a in tax_totals.items()],
                                     [taxes[t] for t in tax_totals], untaxed_bases, shared),
            totals=Totals(line_count=len(doc_lines), lines_amount=sum((line.amount or Decimal(0) for line in doc_lines),
                                                                      Decimal(0)),
                          tax_amount=_dec(move["amount_tax"]), total_amount=_dec(move["amount_total"])),
            source=Source(partner=partner.id, odoo_record=f"account.move,{move['id']}",
                          odoo_write_date=str(move["write_date"]), day_zone=str(ctx.zone()),
                          order_payload_id=payload_id, ordered_gtins=ordered_gtins(*map(placed.get, ordered)))))
        if problems:
            hold_or_log(hold, partner, docs.pop(), f"invoice {move['name']}: {'; '.join(problems)}: its tax lines would "
                  "disagree with Odoo's; send it by hand, or change the taxes in Odoo (a new version is read again)")
    docs = unchanged(client, "account.move", docs)
    docs = claim(journal, partner, docs, kind) if claim_marks else docs
    log.info("partner %s: %d invoice(s) to send", partner.id, len(docs))
    return docs


def billed_deliveries(client: OdooClient, rows: list[dict[str, Any]], own: list[dict[str, Any]], move_qty: str,
                       cache: Cache) -> dict[int, list[dict[str, Any]]]:
    """Each customer invoice's deliveries, in the order they were done: an invoice names them as its delivery notes
    (RFF+DQ, the DESADV's BGM number; REF*PK) and the last one's day as the delivery date (DTM+35), which an EU
    invoice must state and EANCOM retailers match the invoice to its despatch advices by. Only the deliveries its
    quantities bill (`_billed_by`): naming every delivery of the order, the second invoice of an order delivered
    and invoiced in two parts named the first delivery again, which such a retailer refuses as invoiced already.
    `own`: the run's invoice lines."""
    invoices = {r["id"] for r in rows if r["move_type"] == "out_invoice"}
    sale_lines = sorted({s for line in own if m2o_id(line["move_id"]) in invoices for s in line["sale_line_ids"]})
    if not sale_lines:
        return {}
    kit_part = [f for f in ("bom_line_id",) if f in client.fields("stock.move")]     # mrp: a kit's component
    moves = client.search_read("stock.move", [("sale_line_id", "in", sale_lines), ("state", "=", "done")],
                               ["sale_line_id", "picking_id", "product_id", move_qty, "product_uom", *kit_part])
    picks = {p["id"]: p for p in client.read("stock.picking", ids_of(m["picking_id"] for m in moves),
                                             ["name", "state", "date_done", "picking_type_code"])
             if p["state"] == "done" and p.get("picking_type_code") == "outgoing"}
    moves = [*[m for m in moves if not m.get("bom_line_id")],
             *_kit_moves(client, [m for m in moves if (m2o_id(m["picking_id"]) or 0) in picks], move_qty, cache)]
    lines = client.search_read("account.move.line", [("sale_line_ids", "in", sale_lines),
                                                     ("display_type", "=", "product")],
                               ["move_id", "product_id", "quantity", "product_uom_id", "sale_line_ids"])
    kinds = {m["id"]: m for m in client.read("account.move", ids_of(x["move_id"] for x in lines),
                                             ["move_type", "state"])}
    shipped: dict[int, list[dict[str, Any]]] = defaultdict(list)           # sale line -> its delivered moves
    for m in sorted((m for m in moves if (m2o_id(m["picking_id"]) or 0) in picks),
                    key=lambda m: (done_order(picks[m2o_id(m["picking_id"]) or 0]), m["id"])):
        shipped[m2o_id(m["sale_line_id"]) or 0].append(m)
    of_line: dict[int, list[dict[str, Any]]] = defaultdict(list)            # sale line -> its invoice lines
    of_invoice: dict[int, set[int]] = defaultdict(set)                      # invoice -> the sale lines it bills
    for x in lines:
        for s in x["sale_line_ids"]:
            of_line[s].append(x)
            of_invoice[m2o_id(x["move_id"]) or 0].add(s)
    out: dict[int, list[dict[str, Any]]] = {}
    for invoice in sorted(invoices):
        found: set[int] = set()
        for sale_line in of_invoice[invoice]:
            found |= _billed_by(client, invoice, shipped.get(sale_line, []), move_qty, of_line[sale_line], kinds, cache)
        out[invoice] = sorted((picks[p] for p in found if p in picks), key=done_order)
    return out


def _kit_moves(client: OdooClient, moves: list[dict[str, Any]], move_qty: str, cache: Cache) -> list[dict[str, Any]]:
    """A kit line's done deliveries as moves of the kit itself, each of the whole kits it completed (the ship notices'
    count, `stock_kits.kits_shipped`), so that `_billed_by` finds the deliveries an invoice of kits bills as it does
    for any item: a kit ships as its components, whose quantities are no kits. A delivery completing none (parts
    only, its ship notice held) is billed by the one that completes its kits."""
    kits = kits_shipped(client, moves, move_qty, cache)             # counted in the sale line's unit
    unit = Names.of(client, cache).sale_uom
    sold = {r["id"]: r for r in client.read("sale.order.line", sorted({line for _, line in kits}),
                                            ["product_id", unit])}
    return [{"id": pick, "sale_line_id": [line, ""], "picking_id": [pick, ""], "product_id": sold[line]["product_id"],
             move_qty: count, "product_uom": sold[line][unit]} for (pick, line), count in kits.items() if line in sold]


def _billed_by(client: OdooClient, invoice: int, done: list[dict[str, Any]], move_qty: str,
               billed: list[dict[str, Any]], kinds: dict[int, dict[str, Any]], cache: Cache) -> set[int]:
    """The deliveries of one sale line that `invoice` bills: of its delivered moves `done` (in the order they were
    done), those whose quantities fall after what the line's earlier posted invoices billed, less their credit notes
    as Odoo's qty_invoiced takes them off (`billed`: the line's invoice lines), and within what this one bills (a
    kit's as the kits each completed, `_kit_moves`). All of them when the moves are another product's."""
    if not done or any(m2o_id(m["product_id"]) != m2o_id(billed[0]["product_id"]) for m in done):
        return {m2o_id(m["picking_id"]) or 0 for m in done}
    unit = m2o_id(done[0]["product_uom"]) or 0

    def qty(line: dict[str, Any]) -> Decimal:            # in the moves' unit (Odoo makes them in the line's)
        billed_in = m2o_id(line["product_uom_id"]) or unit
        per = units_per(client, billed_in, unit, cache) if billed_in != unit else None
        return _dec(line["quantity"]) * (_dec(per) if per else 1)

    def move_of(line: dict[str, Any]) -> dict[str, Any]:
        return kinds.get(m2o_id(line["move_id"]) or 0, {})

    before = sum((qty(x) * (-1 if move_of(x).get("move_type") == "out_refund" else 1) for x in billed
                  if (m2o_id(x["move_id"]) or 0) < invoice and move_of(x).get("state") == "posted"), Decimal(0))
    end = before + sum((qty(x) for x in billed if m2o_id(x["move_id"]) == invoice), Decimal(0))
    found, start = set(), Decimal(0)
    for m in done:                               # the moves whose quantities fall in (before, end]
        stop = start + _dec(m[move_qty])
        if min(stop, end) > max(start, before):
            found.add(m2o_id(m["picking_id"]) or 0)
        start = stop
    return found


def _code_ordered(known: Standing | None, name: str | None, kind: str) -> str | None:
    """The code of the PO's own allowance/charge that a line on a product `odoo.charge_products` maps by its kind
    alone (`allowance: SVC-ALLOW`) stands for: the one the line is named after, else the PO's only one of that kind
    with a code (its own or a line's). Without it an X12 SAC has no SAC02 and the invoice is held. Posting names the
    line by the description, else the code's word ('fuel_surcharge': most SACs have no SAC15), and a PO line's own
    with ' (line 2)' after it (sale_orders._charge)."""
    order = known.order if known else None
    said = [*order.allowances_charges, *(ac for line in order.lines for ac in line.allowances_charges)] if order else []
    coded = [ac for ac in said if ac.kind == kind and ac.code]
    labels = [(ac, ac.description or ac.code) for ac in coded]
    named = [ac for ac, label in labels if name and (name == label or name.startswith(f"{label} (line "))]
    found = named or (coded if len(coded) == 1 else [])
    return found[0].code if found else None


def allowances_as_ordered(row: dict[str, Any], sent: Line | None, partner: PartnerConfig,
                           digits: Callable[[], int]) -> list[AllowanceCharge]:
    """The PO line's own allowances an invoice line states (X12 line SAC, EDIFACT line ALC), each with what it took
    off, when Odoo's discount on the line is the one posting made of them (`line_allowances`): the retailer matches
    the line to its PO line by the price it ordered at and those allowances (PO104 12.50 with SAC*A*C310 2 %), where
    a net 12.25 is on no line of its PO. The amounts add up to the quantity at Odoo's price less the line's amount,
    the cents of rounding in the last. None when the discount is another's (a person's, a pricelist's), when a price
    includes its tax, or when the quantity at the price is no amount in cents (an 810's SAC05 is): the line then
    states its net price alone. The line's `unit_price` stays net (PRI+AAA); the 810 writes the gross
    (x12_fields.invoice_prices_out)."""
    discount = _dec(row.get("discount"))
    if sent is None or not discount or not any(ac.kind == "allowance" for ac in sent.allowances_charges):
        return []
    gross = _dec(row["quantity"]) * _dec(row["price_unit"])
    subtotal = _dec(row["price_subtotal"])
    if gross <= 0 or money(gross, 2) != gross or money(gross * (100 - discount) / 100, 2) != subtotal:
        return []
    ordered, others, _ = line_allowances(sent, 0, partner, "", digits())
    if others or ordered is None or ordered != discount:
        return []
    kept, out = Decimal(1), []
    for ac in sent.allowances_charges:       # as posting took them: percents in turn (of the gross, or of what the
        share = (ac.percent or Decimal(0)) / 100     # ones before left), the amounts off the line as they were
        if ac.amount is not None:
            off = abs(ac.amount)
        elif ac.percent_basis in OF_THE_GROSS:
            off, kept = money(gross * share, 2), kept - share
        else:
            off, kept = money(gross * kept * share, 2), kept * (1 - share)
        out.append(ac.model_copy(update={"amount": _dec(off)}))
    rest = gross - subtotal - sum((ac.amount or Decimal(0) for ac in out[:-1]), Decimal(0))
    return [*out[:-1], out[-1].model_copy(update={"amount": _dec(rest)})]


def _order_number(move: dict[str, Any], reverses: dict[str, Any] | None) -> str | None:
    """The partner's order an invoice states (BIG04, RFF+ON): its Reference (`ref`, the sale order's Customer
    Reference); None to take it from its sale order lines. A credit note made with Odoo's Reverse button has the
    `ref` 'Reversal of: INV/2026/00001, <reason>' (in the customer's language from 18), no order number: it states
    the order of the invoice it credits (`reverses`), as the retailer matches the credit to its PO. A Reference a
    person wrote on it instead (without the invoice's number) is kept. A move that reverses a reversal (a credit
    note taken back) has its sale order lines' order: the `ref` of what it reverses is 'Reversal of: ...' too."""
    ref = move.get("ref") or None
    if reverses and (ref is None or str(reverses["name"]) in ref):
        return None if reverses.get("reversed_entry_id") else reverses.get("ref") or None
    return ref


def billed_in_cases(lines: list[Line], sent_as: list[Line | None], partner: PartnerConfig,
                     by_case: list[bool], places: int = 2) -> list[Line]:
    """Invoice lines of a partner line (`sent_as`) ordered in cases Odoo counts in units, billed in those cases at a
    case's price (`in_cases`) when every invoice line of it is whole cases, else all in units: a line split in Odoo
    and billed as 1 CA and 4 EA is 5 of its 2 cases to a retailer adding up the line. A line ordered by its case's
    GTIN (`by_case`, 16-18) is named by that GTIN in cases, by the product's own in units. `places`: the invoice
    currency's decimals (`_case_price`)."""
    in_units = {id(sent) for line, sent in zip(lines, sent_as, strict=True)
                if sent is not None and in_cases(partner, sent, line.quantity) is None}
    out = []
    for line, sent, case in zip(lines, sent_as, by_case, strict=True):
        cases = in_cases(partner, sent, line.quantity) if id(sent) not in in_units and sent is not None and \
            (case or not other_item(line.item_ids, sent)) else None
        if cases and sent is not None and sent.pack_size:
            line = line.model_copy(update={"quantity": cases[0] if cases[0] is not None else line.quantity,
                                           "unit": sent.unit,
                                           "unit_price": _case_price(line, sent, cases[0], places),
                                           **({"item_ids": ids_in_cases(line.item_ids, sent)} if case else {})})
        out.append(line)
    return out


def _case_price(line: Line, sent: Line, cases: Decimal | None, places: int = 2) -> Decimal:
    """A case's price on an invoice line billed in the partner's cases: the one its order said (PO104 25.00 a case
    of 24) when that many cases at it are the line's amount, else Odoo's price of a unit times the pack. Odoo keeps
    25.00 / 24 as 1.041667, and 24 of those are 25.000008: a price the retailer's invoice-to-order match finds on
    no line of its PO (the 855 said 25.00), where 10 x 25.00 is the 250.00 Odoo billed all the same. Compared in
    the currency's `places`, to the cent at least (10 x 25.0015 KWD is Odoo's 250.015, not 250.02; 3 x 25.50 is
    no 77 yen) as `net_price`."""
    price = _dec((line.unit_price or Decimal(0)) * (sent.pack_size or 1))
    ordered = sent.unit_price
    if ordered is not None and ordered != price and cases is not None and line.amount is not None \
            and money(ordered * cases, max(places, 2)) == line.amount:
        return _dec(ordered)
    return price


def _kit_item(kits: Decimal | None, sale_line: dict[str, Any], moves: list[dict[str, Any]],
              lines_by_move: dict[int, list[dict[str, Any]]], items: dict[int, dict[str, str]], partner: PartnerConfig,
              unit_field: str, packs: dict[str, Pack], loose: list[ShipItem]) -> None:
    """The item of a kit line a delivery shipped as its components (`stock_kits.kits_shipped`): the kit product, the
    whole kits the delivery completed, in the line's unit; in the package holding all its components, else loose.
    None or 0 kits (some components only): no item."""
    if not kits:
        return
    ids, name = ids_and_name(items.get(m2o_id(sale_line["product_id"]) or 0, {}))
    packages = {m2o_name(line.get("result_package_id")) for m in moves if m.get("sale_line_id") and
                m2o_id(m["sale_line_id"]) == sale_line["id"] for line in lines_by_move[m["id"]] or [{}]}
    item = ShipItem(line_no=str(sale_line["sequence"]), item_ids=ids, description=name, quantity=kits,
                    unit=unit_code(partner, m2o_name(sale_line.get(unit_field))),
                    ordered_quantity=_dec(sale_line["product_uom_qty"]))
    if len(packages) == 1 and (package := packages.pop()):
        packs.setdefault(package, Pack(sscc=_sscc_of(package))).items.append(item)
    else:
        loose.append(item)
