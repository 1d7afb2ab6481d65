"""Confirmed sale orders -> PurchaseOrderAck (855 / ORDRSP), line by line against the partner's order."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from gateway.config.models import PartnerConfig
from gateway.errors import OdooRejected
from gateway.journal.api import Journal
from gateway.odoo.client import OdooClient
from gateway.odoo.extract.common import ids_and_name, local_day, log, ordered_gtins, party
from gateway.odoo.extract.context import Context
from gateway.odoo.extract.partner_lines import PartnerLines, is_repacked, line_cases, other_item
from gateway.odoo.extract.versions import KIND_ORDER_ACK, Exclude, candidates, claim, unchanged
from gateway.odoo.invoice_taxes import dec as _dec
from gateway.odoo.lookup import (
    CASE_UNITS,
    Cache,
    Names,
    Packaging,
    counts_cases,
    gtin_key,
    line_gtins,
    m2o_id,
    m2o_name,
    price_digits,
    unit_code,
    unit_id,
)
from gateway.odoo.receipts import unit_ratios
from gateway.odoo.sale_orders import as_kept, odoo_price, packed, price_per_odoo_unit
from gateway.odoo.standing_orders import Standing, for_order, in_cases, standing
from gateway.translate.canonical import DateValue, Line, PurchaseOrderAck, Reference, Source, Totals


def extract_order_acks(client: OdooClient, partner: PartnerConfig, journal: Journal, cache: Cache | None = None,
                       lookback_days: int = 30, kind: str = KIND_ORDER_ACK, claim_marks: bool = True,
                       exclude: Exclude | None = None,
                       record_ids: list[int] | None = None) -> list[PurchaseOrderAck]:
    """Confirmed sale orders of the partner -> PurchaseOrderAck (855 / ORDRSP), once per confirmation.

    Each line of the partner's own order (found through the journal: the inbound message linked to the sale
    order) is acknowledged against what the confirmed order holds: `accepted` as ordered, `changed` with
    Odoo's quantity and price when a person changed them, `rejected` (quantity 0) when its line is gone. An
    order typed in Odoo with the customer's PO number, or whose message was purged, is acknowledged as it
    stands; one without a customer reference has no PO to acknowledge. The version key is
    the confirmation time (`date_order`, which Odoo sets on confirming), so later edits, deliveries and
    invoices send nothing more, and an order cancelled and confirmed again is acknowledged again."""
    ctx = Context(client, partner, cache)
    rows = client.search_read("sale.order", [("state", "in", ["sale", "done"]),
                                             ("partner_id", "child_of", ctx.customer["id"]),
                                             ("client_order_ref", "!=", False),       # a PO to acknowledge
                                             candidates("date_order", lookback_days, record_ids)],
                              ["name", "client_order_ref", "date_order", "partner_shipping_id", "currency_id",
                               "commitment_date", "warehouse_id"], order="id")
    rows = [r for r in rows if not exclude or not exclude("sale.order", r["id"], str(r["date_order"]))]
    if not rows:
        return []
    names = Names.of(client, ctx.cache)
    digits = price_digits(client, ctx.cache)         # what Odoo keeps of a price, as the price policy compares
    packs = ["product_packaging_id"] if "product_packaging_id" in client.fields("sale.order.line") else []
    lines = client.search_read("sale.order.line", [("order_id", "in", [r["id"] for r in rows])],
                               ["order_id", "sequence", "product_id", "name", "product_uom_qty", "price_unit",
                                names.sale_uom, *packs], order="order_id, sequence, id")
    packagings = line_cases(client, lines, names.sale_uom)
    charges = set(partner.odoo.charge_products.values())
    items = ctx.item_ids({m2o_id(line["product_id"]) or 0 for line in lines} - {0})
    contacts = ctx.partners(({m2o_id(r["partner_shipping_id"]) or 0 for r in rows} | {ctx.customer["id"]}) - {0})
    company = ctx.company()
    by_order: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for line in lines:
        ids = items.get(m2o_id(line["product_id"]) or 0, {})
        if line["product_id"] and ids.get("vendor") not in charges:      # charge lines are not the partner's
            by_order[m2o_id(line["order_id"]) or 0].append(line)
    ordered_in = _ordered_in(client, partner, ctx.cache, names.sale_uom,      # the units read once per run
                             {m2o_id(line["product_id"]) or 0 for line in lines} - {0})
    docs = []
    for so in rows:
        ship_to = party("ship_to", contacts.get(m2o_id(so["partner_shipping_id"]) or 0), ctx.gln_field)
        ordered = for_order(standing(journal, so), partner, ship_to)
        acked = _ack_lines(partner, by_order[so["id"]], ordered, items, names.sale_uom, digits, ordered_in, packagings,
                           ctx.named_cases)
        statuses = {line.status for line in acked}
        ack_type = ("rejected" if statuses == {"rejected"} else
                    "accepted" if statuses <= {"accepted"} else "accepted_with_changes")
        parties = [p for p in (ship_to, party("buyer", contacts.get(ctx.customer["id"]), ctx.gln_field),
                               party("seller", company, ctx.gln_field)) if p is not None]
        po_number = so.get("client_order_ref") or so["name"]
        zone = ctx.zone(m2o_id(so.get("warehouse_id")))
        day = local_day(so["date_order"], zone)
        promised = local_day(so.get("commitment_date"), zone)
        docs.append(PurchaseOrderAck(
            number=so["name"], date=day, po_number=po_number,
            po_date=ordered.order.date if ordered else None, ack_type=ack_type,
            currency=m2o_name(so.get("currency_id")), parties=parties, lines=acked,
            references=[Reference(qualifier="vendor_order", value=so["name"])],
            dates=[DateValue(qualifier="delivery_promised", date=promised)] if promised else [],
            totals=Totals(line_count=len(acked)),
            source=Source(partner=partner.id, odoo_record=f"sale.order,{so['id']}",
                          odoo_write_date=str(so["date_order"]), ordered_gtins=ordered_gtins(ordered))))
    docs = unchanged(client, "sale.order", docs, "date_order")
    docs = claim(journal, partner, docs, kind) if claim_marks else docs
    log.info("partner %s: %d order acknowledgment(s) to send", partner.id, len(docs))
    return docs


def _ack_lines(partner: PartnerConfig, rows: list[dict[str, Any]], ordered: Standing | None,
               items: dict[int, dict[str, str]], uom_field: str, digits: int,
               ordered_in: Callable[[Line, Decimal, dict[str, Any]], Decimal],
               packagings: dict[int, Packaging] | None = None,
               ordered_cases: Callable[[list[tuple[Line, int]]], dict[int, Packaging]] | None = None) -> list[Line]:
    """Acknowledgment lines: the partner's lines as its order now stands (its changes merged) against the order's
    rows (`standing_orders.paired`: by the sequence posting gave the line and its product), or the rows as they
    stand when the partner's order is not known. A line the partner deleted by a change is not acknowledged; one
    it added is, under its own number. Prices are compared as the price policy compares them, to the database's
    Product Price `digits`. A changed line gives the quantity ordered in its own unit (`ordered_in`). A line ordered
    by its case's GTIN is compared as posted (`sale_orders.packed`: 16-18 the packaging's units, 19 the packaging
    unit, which has no code of the partner's; `packagings`: `line_cases`) and answered in its cases, the case's GTIN
    being no substitute's. On 16-18 one a person moved to another packaging (a pallet: Odoo suggests the biggest that
    divides the quantity) or out of any is compared in the case its GTIN names (`ordered_cases`), not taken for that
    many pallets: 240 widgets on a pallet are the 10 cases of 24 ordered."""
    def line_of(row: dict[str, Any], status: str, line_no: str, ids: dict[str, str] | None = None,
                unit: str | None = None) -> Line:
        found, name = ids_and_name(items.get(m2o_id(row["product_id"]) or 0, {}))
        return Line(line_no=line_no, item_ids={**found, **(ids or {})}, description=name or row.get("name"),
                    quantity=_dec(row["product_uom_qty"]),
                    unit=unit or unit_code(partner, m2o_name(row.get(uom_field))),
                    unit_price=_dec(row["price_unit"]), status=status)
    if ordered is None:
        return [line_of(row, "accepted", str(row["sequence"])) for row in rows]
    pairs = PartnerLines(ordered, rows, items)
    split: dict[int, Decimal] = defaultdict(Decimal)   # partner line -> what lines split from it hold besides
    unit_of = {id(line): row.get(uom_field) for (_, line), row in zip(ordered.lines, pairs.paired, strict=True) if row}
    for part in rows:
        twin = pairs.split.get(m2o_id(part["product_id"]) or 0) if part["id"] not in pairs.by_row else None
        if twin is not None and unit_of.get(id(twin)) == part.get(uom_field):
            split[id(twin)] += _dec(part["product_uom_qty"])
    repacked = [(line, m2o_id(row["product_id"]) or 0) for (_, line), row in zip(ordered.lines, pairs.paired,
                strict=True) if row is not None and is_repacked(partner, line, (packagings or {}).get(row["id"]))]
    named = ordered_cases(repacked) if ordered_cases is not None and repacked else {}
    out: list[Line] = []
    for index, ((_, line), row) in enumerate(zip(ordered.lines, pairs.paired, strict=True), 1):
        number = line.line_no or str(index)
        if row is None:                                 # a person deleted it: rejected
            out.append(line.model_copy(update={"line_no": number, "quantity": Decimal(0), "status": "rejected",
                                               "ordered_quantity": line.quantity}))
            continue
        whole = {**row, "product_uom_qty": _dec(row["product_uom_qty"]) + split[id(line)]} \
            if id(line) in split else row              # the line split by a person: all its parts
        case = named.get(id(line)) or (packagings or {}).get(row["id"])
        sent, line = line, packed(partner, line, case)
        quantity = line.quantity or Decimal(0)
        cased = counts_cases(partner, line.unit, line.pack_size)
        if cased:
            quantity *= line.pack_size or 1            # posted as pack_size units per case, priced per unit
        price = price_per_odoo_unit(partner, line)
        other = other_item(ids_and_name(items.get(m2o_id(row["product_id"]) or 0, {}))[0], line) and \
            not (case and gtin_key(case.barcode) in line_gtins(line.item_ids))   # a substitute
        same = (_dec(whole["product_uom_qty"]) == quantity and not other and
                ordered_in(line, quantity, whole) == quantity and     # not 24 Units made 24 Dozens
                (price is None or odoo_price(row, digits) == as_kept(price, digits)))
        if same:                                        # their line, as they sent it
            out.append(sent.model_copy(update={"line_no": number, "status": "accepted",
                                               "ordered_quantity": line.quantity}))
        else:
            in_case = not other and case is not None and case.unit is not None and line.unit.upper() in CASE_UNITS \
                and line.unit not in partner.odoo.units     # 19: the packaging unit the case's GTIN was posted in
            changed = line_of(whole, "changed", number, None if other else line.item_ids, line.unit if in_case else None)
            changed.ordered_quantity = ordered_in(line, quantity, whole)
            cases = in_cases(partner, line, changed.quantity, quantity) \
                if not other and changed.ordered_quantity == quantity else None
            if cases and line.pack_size:                # in the partner's cases, at a case's price
                changed = changed.model_copy(update={
                    "quantity": cases[0], "ordered_quantity": cases[1], "unit": line.unit, "pack_size": sent.pack_size,
                    "unit_price": _dec((changed.unit_price or Decimal(0)) * line.pack_size)})
            out.append(changed.model_copy(update={"price_basis": line.price_basis}))
    return out


def _ordered_in(client: OdooClient, partner: PartnerConfig, cache: Cache, uom_field: str,
                products: set[int]) -> Callable[[Line, Decimal, dict[str, Any]], Decimal]:
    """The partner's quantity of a line as posted (in its unit; in the product's own when Odoo counts its cases in
    units) in the unit its order line `row` now has, by Odoo's unit factors: a person who made the 48 Units ordered
    3 Dozens has an ordered quantity of 4 (Dozens) beside them, since PO102 and PO103 are one quantity. As posted
    when the units are the same or do not compare (a substitute of another kind). The units of `products` (those
    of the orders' lines) are read once, when a line counts cases."""
    own: dict[int, int] = {}

    def convert(line: Line, quantity: Decimal, row: dict[str, Any]) -> Decimal:
        target = m2o_id(row.get(uom_field)) or 0
        if counts_cases(partner, line.unit, line.pack_size):
            if not own:
                own.update({rec["id"]: m2o_id(rec.get("uom_id")) or 0
                            for rec in client.read("product.product", sorted(products), ["uom_id"])})
            source = own.get(m2o_id(row["product_id"]) or 0, 0)
        else:
            try:
                source = unit_id(client, partner, cache, line.unit, f"line {line.line_no}")
            except OdooRejected:            # a unit mapped when the order was posted, no longer
                return quantity
        if not target or not source or source == target:
            return quantity
        ratios = unit_ratios(client, {source, target}, cache)
        (top, each), (other_top, other_each) = ratios[source], ratios[target]
        return _dec(round(float(quantity) * each / other_each, 6)) if top == other_top and other_each else quantity
    return convert
