"""Free stock per product per warehouse -> InventoryAdvice (846 / INVRPT), and the items a feed stopped reporting."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, tzinfo
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from gateway.config.models import PartnerConfig
from gateway.errors import GatewayError, OdooRejected
from gateway.journal.api import Journal
from gateway.odoo.client import OdooClient
from gateway.odoo.extract.common import ids_and_name, local_day, log, party
from gateway.odoo.extract.context import Context
from gateway.odoo.extract.versions import KIND_INVENTORY, claim
from gateway.odoo.invoice_taxes import dec as _dec
from gateway.odoo.lookup import (
    BARCODE_KINDS,
    CASE_UNITS,
    UNITS,
    Cache,
    gtin_key,
    ids_of,
    m2o_id,
    m2o_name,
    unit_code,
)
from gateway.odoo.stock_kits import kit_recipes, kits_offered
from gateway.odoo.stock_packaging import CASE, Case, case_ids, case_size, in_whole_cases, partner_cases
from gateway.translate.canonical import InventoryAdvice, InventoryLine, Quantity, Source


def extract_inventory(client: OdooClient, partner: PartnerConfig, journal: Journal, cache: Cache | None = None,
                      slot: str | None = None, kind: str = KIND_INVENTORY,
                      claim_marks: bool = True, coded_units: bool = True) -> list[InventoryAdvice]:
    """Free stock per product per warehouse -> one InventoryAdvice per warehouse, once per schedule `slot`.

    Each line says available (free_qty, less what open deliveries owe beyond their reservations: on hand
    minus outgoing_qty when that is lower; a kit, what its components so counted make: `stock_kits`) and on
    hand (qty_available), then the stock still to
    arrive: one dated `on_order` quantity per expected date (see `_incoming`), which the 846
    profiles write as QTY*63 + SCH. The products are the ones the partner has customer codes
    for, or every storable product sold. `slot` (the schedule's fire time) makes a re-run of
    the same schedule a no-op. What the partner may order is never overstated (`_offered`): a
    quantity below zero (Odoo lets a delivery take more than it counts) is sent as 0; a product
    archived or no longer sold, which an order could not be posted for, as 0 with nothing to
    arrive; a service, a product with no identifier the partner could match and, when the feed
    takes only unit codes (`coded_units`: X12, EDIFACT), one in an Odoo unit the partner has no
    code for are left out, said in the log: one such product would otherwise make the whole feed
    fail its check and be held, leaving every item's old figure. A CSV or XML feed writes that
    unit under Odoo's name (`unit_code`), as it did before.
    """
    ctx = Context(client, partner, cache)
    slot = slot or datetime.now(UTC).strftime("%Y-%m-%d %H:%M")
    wh_domain: list[Any] = ["|", ("code", "=", partner.odoo.warehouse), ("name", "=", partner.odoo.warehouse)] \
        if partner.odoo.warehouse else []
    warehouses = client.search_read("stock.warehouse", wh_domain, ["name", "code", "view_location_id", "lot_stock_id"])
    if not warehouses and partner.odoo.warehouse:      # a typo or an archived warehouse: said, not a silent no-feed
        raise OdooRejected(f"inventory feed: warehouse {partner.odoo.warehouse!r} (odoo.warehouse) is not in Odoo "
                           "(no active warehouse of the company has that code or name); no feed is sent until it is")
    if not warehouses:
        return []
    product_ids: set[int] = set()
    if client.has_model("product.customerinfo"):
        infos = client.search_read("product.customerinfo", [("partner_id", "=", ctx.customer["id"])],
                                   ["product_id", "product_tmpl_id"])
        product_ids = {m2o_id(i["product_id"]) or 0 for i in infos} - {0}
        templates = ids_of(i["product_tmpl_id"] for i in infos if not i["product_id"])
        if templates:
            product_ids |= set(client.search("product.product", [("product_tmpl_id", "in", templates)]))
    if not product_ids:
        storable = [("is_storable", "=", True)] if "is_storable" in client.fields("product.product") \
            else [("type", "=", "product")]
        product_ids = set(client.search("product.product", [("sale_ok", "=", True)] + storable))
    items = ctx.item_ids(product_ids)
    offered, items = _named_once(_offered(client, partner, product_ids, items), items)
    cases = _cased(client, partner, offered, items, ctx.cache)
    product_ids = set(offered)
    kits = kit_recipes(client, product_ids, ctx.cache)
    docs = []
    stamp = slot.replace("-", "").replace(" ", "").replace(":", "")
    for wh in warehouses:
        shelves = _shelves(wh)
        stock = client.read("product.product", sorted(product_ids),
                            ["free_qty", "qty_available", "outgoing_qty", "uom_id"], context=shelves)
        arriving = _incoming(client, wh, product_ids | {c for r in kits.values() for c in r.parts},
                             ctx.zone(wh["id"]))
        made, coming = kits_offered(client, kits, shelves, arriving)   # a kit: what its components make
        arriving.update(coming)
        lines: list[InventoryLine] = []
        uncoded: list[str] = []
        for row in stock:
            ids, name = ids_and_name(items.get(row["id"], {}))
            uom = m2o_name(row.get("uom_id"))
            if coded_units and uom and uom not in partner.odoo.units.values() and uom not in UNITS.values() \
                    and row["id"] not in cases:
                uncoded.append(f"{ids.get('vendor') or name} ({uom})")   # the whole feed would fail its check
                continue
            unit = unit_code(partner, uom)
            sold = offered[row["id"]]
            free = min(_dec(row["free_qty"]), _dec(row["qty_available"]) - _dec(row.get("outgoing_qty")),
                       made.get(row["id"], Decimal("Infinity")))
            free = _held_back(free, partner)
            if unit in COUNTED_UNITS or uom in ("Units", "Dozens"):     # 2.5 cases left are 2 it can order
                free = free.to_integral_value(rounding=ROUND_FLOOR)
            quantities = [Quantity(qualifier="available", value=_stock_figure(free, sold), unit=unit),
                          Quantity(qualifier="on_hand", value=_stock_figure(row["qty_available"], sold), unit=unit)]
            quantities += [Quantity(qualifier="on_order", value=_dec(qty), unit=unit, date=day)
                           for day, qty in sorted(arriving.get(row["id"], {}).items()) if sold]
            case = cases.get(row["id"])
            if case is not None:                                        # in the partner's cases, of their size
                quantities, ids = in_whole_cases(quantities, case), case_ids(ids, case)
            lines.append(InventoryLine(line_no=str(len(lines) + 1), item_ids=ids, description=name,
                                       location=wh["code"], quantities=quantities,
                                       pack_size=case_size(case) if case is not None else None))
        if uncoded:
            log.warning("partner %s: inventory feed of %s leaves out %s: Odoo units with no code for the partner; add "
                        "them to its odoo.units (for example BX: Boxes)", partner.id, wh["code"], ", ".join(uncoded))
        if lines:
            docs.append(InventoryAdvice(
                number=f"{wh['code']}-{stamp}", date=local_day(slot, ctx.zone(wh["id"])),
                parties=[p for p in (party("buyer", ctx.partners({ctx.customer["id"]}).get(ctx.customer["id"]),
                                            ctx.gln_field),
                                     party("seller", ctx.company(), ctx.gln_field)) if p is not None],
                lines=lines,
                source=Source(partner=partner.id, odoo_record=f"stock.warehouse,{wh['id']}", odoo_write_date=slot)))
    return claim(journal, partner, docs, kind) if claim_marks else docs


def _shelves(warehouse: dict[str, Any]) -> dict[str, Any]:
    """The context of a warehouse's stock figures: its Stock location (`lot_stock_id`) and those under it, where its
    deliveries reserve from. Odoo's `warehouse` (16-17) / `warehouse_id` (18+) counts every location under the
    warehouse's view, goods a delivery cannot take among them: a WH/Damaged or WH/Returns beside WH/Stock, WH/Input
    and WH/Quality Control. `location` is read by 16-19 (`_get_domain_locations`), alone: no warehouse key needed."""
    stock = m2o_id(warehouse.get("lot_stock_id"))
    return {"location": stock} if stock else {"warehouse": warehouse["id"], "warehouse_id": warehouse["id"]}


def writable(doc: InventoryAdvice, trial: Callable[[InventoryAdvice], object]) -> InventoryAdvice | None:
    """A feed the partner's profile refused (`trial`: render it, control numbers previewed) without the items it
    cannot write (an item code holding one of the partner's delimiters, a value too long), each logged with its
    reason, the rest numbered again; None when no item alone is at fault (the header is) or every one is. Held
    whole, the feed left the retailer every item's old figure. Halved until each bad item is found alone."""
    def bad(lines: list[InventoryLine]) -> list[tuple[InventoryLine, str]]:
        try:
            trial(doc.model_copy(update={"lines": lines}))
            return []
        except GatewayError as exc:
            if exc.transient:
                raise
            if len(lines) == 1:
                return [(lines[0], str(exc))]
            return bad(lines[:len(lines) // 2]) + bad(lines[len(lines) // 2:])
    found = bad(doc.lines)
    if not found or len(found) == len(doc.lines):
        return None
    for line, reason in found:
        log.warning("partner %s: inventory feed %s leaves out %s, which its profile cannot write: %s",
                    doc.source.partner, doc.number, line.item_ids.get("vendor") or line.description, reason)
    out = {id(line) for line, _ in found}
    kept = [line for line in doc.lines if id(line) not in out]
    return doc.model_copy(update={"lines": [line.model_copy(update={"line_no": str(n)})
                                            for n, line in enumerate(kept, 1)]})


def _named_once(offered: dict[int, bool], items: dict[int, dict[str, str]]
                ) -> tuple[dict[int, bool], dict[int, dict[str, str]]]:
    """The feed's products with each identifier on one line: a product no longer offered (archived, not sold) keeps
    only the identifiers no offered product carries, and is left out when none is left. Archiving a product leaves
    its customer codes (and, from 16, a barcode may be given again to an active product), so a code moved to the
    product replacing it came twice, at 0 and with the new stock, and a retailer keeping the last line it reads of
    an item stopped selling it."""
    sold = {key for pid, ok in offered.items() if ok for key in _compared(ids_and_name(items.get(pid, {}))[0])}
    kept: dict[int, bool] = {}
    named = dict(items)
    for pid, ok in offered.items():
        if not ok:
            ids = {k: v for k, v in items.get(pid, {}).items() if k.startswith("_") or not _compared({k: v}) & sold}
            if not ids_and_name(ids)[0]:
                continue
            named[pid] = ids
        kept[pid] = ok
    return kept, named


DROPPED_DAYS = 7      # how long an item a feed stopped reporting is still sent as 0


# codes of units counted in whole ones (pieces, dozens, cases), whose available quantity is rounded down, as is that
# of Odoo's Units and Dozens whatever code a partner gives them; kg, lb keep decimals
COUNTED_UNITS = frozenset({code for code, name in UNITS.items() if name in ("Units", "Dozens")} | set(CASE_UNITS))


def with_dropped(doc: InventoryAdvice, before: list[dict[str, Any]],
                 days: int = DROPPED_DAYS) -> tuple[InventoryAdvice, list[dict[str, Any]]]:
    """A warehouse's feed with a line of 0 for each item an earlier feed of it reported that this one no longer
    does (`before`, as this function returned it then), and what to keep for the next feed. A retailer keeps the
    last figure of a line that stops coming and sells on it: a product archived or made untracked in Odoo, a
    customer code removed, a barcode changed. The line carries only the identifiers no line of this feed reports
    (the old UPC of a product whose barcode changed, not its code that still comes with its stock), and is sent
    in every feed for `days` after the item was last reported, so a feed lost or refused does not keep the old
    figure for good. Slots are the documents' write dates ("YYYY-MM-DD HH:MM")."""
    slot = str(doc.source.odoo_write_date)
    zeros, kept = _zeros(doc.lines, before, slot, doc.lines[0].location, days)
    if zeros:
        log.info("partner %s: %s reports 0 for %d item(s) no longer in the feed: %s", doc.source.partner, doc.number,
                 len(zeros), "; ".join(" ".join(f"{k} {v}" for k, v in z.item_ids.items()) for z in zeros))
    keep = [{"ids": line.item_ids, "name": line.description or "", "unit": line.quantities[0].unit, "last": slot}
            for line in doc.lines]
    return doc.model_copy(update={"lines": [*doc.lines, *zeros]}), keep + kept


def gone_warehouses(client: OdooClient, partner: PartnerConfig, docs: list[InventoryAdvice],
                    before: dict[int, list[dict[str, Any]]], slot: str,
                    days: int = DROPPED_DAYS) -> list[tuple[InventoryAdvice, list[dict[str, Any]]]]:
    """A feed of 0 for each item of each warehouse an earlier feed reported (`before`: warehouse id -> what
    `with_dropped` kept) that this run has no feed of (`docs`): taken out by `odoo.warehouse`, archived, or with
    nothing left to report. A retailer keeps each location's last figures until a feed names it again, and would
    go on selling them. Sent for `days` after the items were last reported, as a dropped item is; each with what
    to keep for the next run. One search (archived warehouses included, for their code) when there are any."""
    fed = {d.source.odoo_record for d in docs}
    gone = {wid: items for wid, items in before.items() if items and f"stock.warehouse,{wid}" not in fed}
    if not gone:
        return []
    codes = {w["id"]: w["code"] for w in client.search_read("stock.warehouse", [("id", "in", sorted(gone))],
                                                            ["code"], context={"active_test": False})}
    out = []
    for wid, items in sorted(gone.items()):
        zeros, kept = _zeros([], items, slot, codes.get(wid), days)
        if not zeros:
            continue
        if not codes.get(wid):      # deleted from Odoo: an 846 without N1*WH is read as all the vendor's stock
            log.warning("partner %s: warehouse %s is no longer in Odoo; no feed of 0 is sent for its %d item(s), as "
                        "its location is unknown: have the partner clear them", partner.id, wid, len(zeros))
            continue
        log.info("partner %s: warehouse %s is no longer in its stock feed; 0 sent for its %d item(s)", partner.id,
                 codes[wid], len(zeros))
        out.append((InventoryAdvice(
            number=f"{codes[wid]}-{slot.replace('-', '').replace(' ', '').replace(':', '')}",
            date=docs[0].date if docs else slot[:10], parties=docs[0].parties if docs else [], lines=zeros,
            source=Source(partner=partner.id, odoo_record=f"stock.warehouse,{wid}", odoo_write_date=slot)), kept))
    return out


def _zeros(lines: list[InventoryLine], before: list[dict[str, Any]], slot: str, location: str | None,
           days: int) -> tuple[list[InventoryLine], list[dict[str, Any]]]:
    """Lines of 0 at `location` for the items of `before` not among `lines` and last reported at most `days`
    before `slot`, under the identifiers no line of `lines` reports; and those items, to keep."""
    reported = {key for line in lines for key in _compared(line.item_ids)}
    keep: list[dict[str, Any]] = []
    zeros: list[InventoryLine] = []
    for item in before:
        ids = {k: v for k, v in dict(item.get("ids") or {}).items() if not _compared({k: v}) & reported}
        if not ids or _age(str(item.get("last") or slot), slot) > timedelta(days=days):
            continue
        keep.append({**item, "ids": ids})
        unit = str(item.get("unit") or "EA")
        zeros.append(InventoryLine(line_no=str(len(lines) + len(zeros) + 1), item_ids=ids,
                                   description=item.get("name") or None, location=location,
                                   quantities=[Quantity(qualifier="available", value=Decimal(0), unit=unit),
                                               Quantity(qualifier="on_hand", value=Decimal(0), unit=unit)]))
    return zeros, keep


def _compared(ids: dict[str, str]) -> set[tuple[str, str]]:
    """Identifiers as two feeds' items are compared: a trade item number once, whatever its kind and length."""
    return {("gtin", gtin_key(v)) if k in BARCODE_KINDS and v.strip().isdecimal() else (k, v) for k, v in ids.items()}


def _age(first: str, last: str) -> timedelta:
    """The time from one slot to another; none when either is unreadable (a kept item is not dropped for it)."""
    try:
        return datetime.strptime(last, "%Y-%m-%d %H:%M") - datetime.strptime(first, "%Y-%m-%d %H:%M")
    except ValueError:
        return timedelta(0)


def _offered(client: OdooClient, partner: PartnerConfig, product_ids: set[int],
             items: dict[int, dict[str, str]]) -> dict[int, bool]:
    """The products the feed reports -> whether the partner may order them now. Archived or not sold (`active`,
    `sale_ok`): False, sent as 0, since the gateway finds no active product to post an order line for and the
    retailer would otherwise go on selling the stock left. Left out: a service or combo (type `service`,
    `combo`), which is no stock, and a product without GTIN, our code or the customer's, whose line the retailer
    could not match to an item (an X12 LIN needs one). Goods whose stock Odoo does not track (16-17 `consu`, 18+
    `is_storable` unset) are reported as Odoo counts them: nothing, or for a kit (mrp's phantom BoM, often
    such a product) what its components make. Read by id, so an archived product is read too; one call."""
    if not product_ids:
        return {}
    rows = client.read("product.product", sorted(product_ids), ["active", "sale_ok", "type"])
    out: dict[int, bool] = {}
    services, unnamed = [], []
    for row in rows:
        ids, name = ids_and_name(items.get(row["id"], {}))
        if row.get("type") in ("service", "combo"):
            services.append(ids.get("vendor") or name or str(row["id"]))
        elif not ids:
            unnamed.append(name or str(row["id"]))
        else:
            out[row["id"]] = bool(row.get("active")) and bool(row.get("sale_ok"))
    if services:
        log.info("partner %s: inventory feed leaves out services, which have no stock: %s", partner.id,
                 ", ".join(sorted(services)))
    if unnamed:
        log.warning("partner %s: inventory feed leaves out products with no barcode, internal reference or customer "
                    "code, which the partner could not match: %s; give them one in Odoo", partner.id,
                    ", ".join(sorted(unnamed)))
    return out


def _cased(client: OdooClient, partner: PartnerConfig, offered: dict[int, bool], items: dict[int, dict[str, str]],
           cache: Cache) -> dict[int, Case]:
    """With `odoo.stock_packaging`, the partner's case of each product (`partner_cases`); a product with none is
    taken out of `offered` and logged: in an Odoo unit among cases a retailer's system reads as cases, 240 units
    would be 240 cases. One counted in a unit the partner calls a case (its odoo.units: CA: Dozens) stays, in it."""
    if not partner.odoo.stock_packaging:
        return {}
    if CASE in partner.odoo.units:          # the feed's case and the orders' would be two things
        log.warning("partner %s: its stock feed counts in each product's packaging (%s), which its odoo.units "
                    "maps to the Odoo unit %r: its orders in %s are posted in that unit, not in those cases",
                    partner.id, CASE, partner.odoo.units[CASE], CASE)
    cases = partner_cases(client, partner, set(offered), items, cache)
    rest = sorted(set(offered) - set(cases))
    own = {r["id"]: m2o_name(r.get("uom_id")) for r in client.read("product.product", rest, ["uom_id"])} if rest else {}
    loose = [p for p in rest if unit_code(partner, own.get(p)) not in CASE_UNITS]
    for product in loose:
        del offered[product]
    if loose:
        log.warning("partner %s: inventory feed leaves out products with no packaging %r (odoo.stock_packaging) to "
                    "count them in cases: %s; give them one in Odoo", partner.id, partner.odoo.stock_packaging,
                    ", ".join(ids_and_name(items.get(p, {}))[0].get("vendor") or ids_and_name(items.get(p, {}))[1] or str(p)
                              for p in loose))
    return cases


def _held_back(free: Decimal, partner: PartnerConfig) -> Decimal:
    """What the feed offers of a product's `free` quantity once the partner's `odoo.stock_buffer` is held back
    (a quantity, or a percentage rounded down to the decimals Odoo gave) and `odoo.stock_cap` applied: a retailer
    or marketplace sells on the figure until the next feed, while Odoo takes other orders for the same stock."""
    buffer, cap = partner.odoo.stock_buffer, partner.odoo.stock_cap
    if buffer and buffer.endswith("%"):
        places = Decimal(1).scaleb(min(int(free.as_tuple().exponent), 0))
        free = (free * (100 - _dec(buffer[:-1])) / 100).quantize(places, rounding=ROUND_FLOOR)
    elif buffer:
        free -= _dec(buffer)
    return min(free, _dec(cap)) if cap is not None else free


def _stock_figure(value: Any, sold: bool) -> Decimal:
    """A stock quantity as the partner is told it: never below 0 (a quant Odoo let go negative), 0 when the product
    may not be ordered (`_offered`)."""
    return max(_dec(value), Decimal(0)) if sold else Decimal(0)


def _incoming(client: OdooClient, warehouse: dict[str, Any], product_ids: set[int],
              zone: tzinfo = UTC) -> dict[int, dict[str, Decimal]]:
    """Stock still to arrive in a warehouse: product id -> {expected date YYYY-MM-DD: quantity}.

    The open moves of receipts (operation type code 'incoming', not draft, done or cancelled)
    into any location of the warehouse (child of its view location: Stock, or Input with two-
    or three-step reception), in one search_read per warehouse. `product_qty` is the demand in
    the product's own unit, the unit of the on-hand figures. The expected day is the later of
    the move's `date` (scheduled: what the warehouse plans, moved when the receipt is
    rescheduled, what Odoo's forecast counts) and its `date_deadline` (where purchase_stock
    puts a vendor's new promise when the buyer changes the line's planned date; the `date`
    stays): stock is not there before both. `picking_type_id.code` is a path every version
    from 16 to 19 searches. Days are calendar days in `zone` (Odoo stores UTC).
    """
    view = m2o_id(warehouse.get("view_location_id"))
    if not view or not product_ids:
        return {}
    moves = client.search_read("stock.move", [("picking_type_id.code", "=", "incoming"),
                                              ("state", "not in", ["draft", "done", "cancel"]),
                                              ("location_dest_id", "child_of", view),
                                              ("product_id", "in", sorted(product_ids))],
                               ["product_id", "product_qty", "date", "date_deadline"], order="id")
    out: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for move in moves:
        product = m2o_id(move["product_id"])
        day = max(local_day(move.get(f), zone) or "" for f in ("date", "date_deadline"))
        if product and day and move.get("product_qty"):
            out[product][day] += _dec(move["product_qty"])   # Decimal: 0.1 + 0.2 stays 0.3
    return out
