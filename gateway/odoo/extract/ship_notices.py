"""Done deliveries (and drop-shipments) -> ShipNotice (856 / DESADV), cross-dock split by store where the PO
allocated its lines."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
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
from gateway.odoo.extract.versions import KIND_SHIP, Exclude, candidates, claim, unchanged
from gateway.odoo.invoice_taxes import dec as _dec
from gateway.odoo.lookup import Cache, Names, Packaging, ids_of, m2o_id, m2o_name, unit_code
from gateway.odoo.receipts import tracking_numbers, unit_ratios
from gateway.odoo.sale_orders import order_payload_id
from gateway.odoo.standing_orders import for_order, in_cases, standing
from gateway.odoo.stock_kits import kits_shipped
from gateway.translate.canonical import (
    Pack,
    PurchaseOrder,
    Reference,
    ShipItem,
    ShipNotice,
    ShipOrder,
    Source,
)


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
