"""Inbound canonical documents -> Odoo records, each posting idempotent.

`post(client, doc, partner, cache)` is the only entry point (the pipeline's TRANSLATED ->
POSTED step). Every handler searches for the record it would create before creating it,
and creates a record with its lines in one call (one transaction in Odoo), so a retry
after a lost response finds the first record instead of doubling it:

- PurchaseOrder (customer) -> sale.order: duplicate check on client_order_ref + commercial
  partner; ship-to by GLN / store number (created when `odoo.create_ship_to`); products by
  barcode, customer code or internal reference; units through the code map; price policy
  with tolerance and a flag (tag + note) on mismatch; allowances/charges as lines on the service
  products `odoo.charge_products` maps them to (else in the note); a line's allowances as that order
  line's discount, its charges like the order's; optional confirmation. A cancellation
  cancels that order (action_cancel, through the 17+ wizard) unless goods left or an invoice
  was posted; a replacement (and a change, with `odoo.order_changes: revise`) rewrites a quotation's
  header and lines. All are no-ops when repeated.
- Invoice (vendor) -> draft vendor bill, duplicate check on vendor + ref, linked to the PO.
- ShipNotice (vendor / 3PL) -> the PO's open receipt: quantities, lots, SSCC packages,
  tracking; validated only with `odoo.validate_receipts`.
- InventoryAdvice (vendor) -> the vendor's availability on its product.supplierinfo lines.

What Odoo cannot take (unknown product, ship-to or unit, currency mismatch) raises
OdooRejected naming the line and the identifier; the pipeline quarantines the message.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from gateway.config.models import PartnerConfig
from gateway.errors import OdooRejected, OrderNotInOdoo
from gateway.journal.api import OdooLink
from gateway.odoo.client import OdooClient
from gateway.odoo.lookup import (
    Cache,
    Names,
    ProductFinder,
    commercial_partner,
    counts_cases,
    currency_id,
    day_zone,
    discount_digits,
    find_contact,
    m2o_id,
    m2o_name,
    party_label,
    record_by,
    unit_id,
)
from gateway.translate.canonical import (
    LINE_CHANGES,
    AllowanceCharge,
    Document,
    InventoryAdvice,
    Invoice,
    Line,
    Pack,
    Party,
    PurchaseOrder,
    ShipItem,
    ShipNotice,
    Totals,
)

log = logging.getLogger("gateway.odoo.posting")

__all__ = ["Cache", "post"]

PRICE_FLAG_TAG = "EDI price mismatch"
STALE_ERRORS = ("odoo.exceptions.MissingError", "odoo.exceptions.ValidationError")
REQUESTED_DATES = ("requested_delivery", "delivery_requested", "deliver_by", "requested_ship", "ship_not_before")


def post(client: OdooClient, doc: Document, partner: PartnerConfig, cache: Cache | None = None) -> list[OdooLink]:
    """Post one canonical document; returns the Odoo records created, found or updated."""
    cache = cache if cache is not None else Cache()
    handler = HANDLERS.get(doc.doc_type)
    if handler is None:
        raise OdooRejected(f"{doc.doc_type} {doc.number}: the gateway does not post this document type to Odoo")
    try:
        return handler(client, doc, partner, cache)
    except OdooRejected as exc:
        if exc.odoo_error not in STALE_ERRORS:
            raise
        # a cached id Odoo no longer accepts (archived product, deleted contact): look up afresh, once
        log.info("odoo rejected %s %s (%s); retrying with fresh lookups", doc.doc_type, doc.number, exc)
        cache.invalidate()
        return handler(client, doc, partner, cache)


def _link(doc: Document, model: str, record_id: int, role: str) -> OdooLink:
    return OdooLink(doc.source.message_id or "", model, int(record_id), role)


def _label(line: Line | ShipItem, index: int, what: str) -> str:
    return f"{what}, line {line.line_no or index}"


def _sequences(lines: list[Line]) -> list[int]:
    """The partner's line numbers as Odoo line sequences when they are distinct numbers, else 1..N."""
    numbers = [line.line_no for line in lines]
    if all(n and n.isdigit() for n in numbers) and len({int(n or 0) for n in numbers}) == len(numbers):
        return [int(n or 0) for n in numbers]
    return list(range(1, len(lines) + 1))


def _quantity_and_unit(client: OdooClient, partner: PartnerConfig, cache: Cache, quantity: Decimal, unit: str,
                       pack_size: Decimal | None, product_uom: int | None, label: str) -> tuple[float, int]:
    """(quantity, uom id): a case without a mapped unit counts pack_size product units per case."""
    if counts_cases(partner, unit, pack_size) and product_uom:
        assert pack_size is not None
        return float(quantity * pack_size), product_uom
    return float(quantity), unit_id(client, partner, cache, unit, label)


def _stated(line: Line, label: str) -> Decimal:
    """A line's quantity where one is needed (a change line may leave it out; the canonical model lets no other)."""
    if line.quantity is None:
        raise OdooRejected(f"{label}: no quantity")
    return line.quantity


def _html(paragraphs: list[str]) -> str:
    return "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs if p)


# --------------------------------------------------------------------------- PurchaseOrder -> sale.order

def post_order(client: OdooClient, doc: Document, partner: PartnerConfig, cache: Cache) -> list[OdooLink]:
    assert isinstance(doc, PurchaseOrder)
    names = Names.of(client, cache)
    label = f"order {doc.number}"
    customer = commercial_partner(client, partner, doc, cache)
    if doc.purpose == "cancel":
        return _cancel_order(client, doc, customer, label, partner.odoo.order_wait_minutes)
    if doc.purpose == "replace":
        return _revise_order(client, doc, partner, customer, names, cache, label, "replacement")
    if doc.purpose == "change" and partner.odoo.order_changes == "revise":
        if any(line.change for line in doc.lines):
            return _merge_changes(client, doc, partner, customer, names, cache, label)
        return _revise_order(client, doc, partner, customer, names, cache, label, "change")
    _check_currency(client, partner, doc, customer, cache, label)
    if partner.odoo.store_orders == "split" and doc.purpose in ("original", "") and \
            any(line.allocations for line in doc.lines):
        return _post_store_orders(client, doc, partner, customer, names, cache, label)
    return _post_one(client, doc, partner, customer, names, cache, label)


def _post_one(client: OdooClient, doc: PurchaseOrder, partner: PartnerConfig, customer: dict[str, Any],
              names: Names, cache: Cache, label: str, shipping: int | None = None) -> list[OdooLink]:
    """The sale order of a PO (of one store's part of it, `shipping` its delivery contact): found when it
    exists, else created with its lines in one call; then the price policy and the confirmation."""
    domain: list[Any] = [("client_order_ref", "=", doc.number), ("partner_id", "child_of", customer["id"]),
                         ("state", "!=", "cancel")]
    if shipping is not None:
        domain.append(("partner_shipping_id", "=", shipping))
    existing = client.search_read("sale.order", domain, ["name", "state", "note"], limit=1)
    links: list[OdooLink] = []
    if existing:
        order = existing[0]
        if doc.purpose not in ("original", "confirmation", ""):
            hint = (" (or set odoo.order_changes: revise when this partner's changes carry the whole order)"
                    if doc.purpose == "change" else "")
            raise OdooRejected(f"{label}: a {doc.purpose} of order {order['name']} is not applied automatically; "
                               f"change the order in Odoo{hint}")
        links.append(_link(doc, "sale.order", order["id"], "found"))
    else:
        if doc.purpose == "change":               # cancel and replace are handled above
            raise OrderNotInOdoo(f"{label}: a {doc.purpose} for an order that is not in Odoo "
                                 f"(no sale order with customer reference {doc.number} for {customer['name']})",
                                 partner.odoo.order_wait_minutes)
        order_vals, contact_links = _order_values(client, doc, partner, customer, names, cache, label)
        links += contact_links
        order_id = client.create("sale.order", order_vals)
        order = {"id": order_id, "name": None, "state": "draft", "note": order_vals.get("note") or False}
        links.insert(0, _link(doc, "sale.order", order_id, "created"))
        log.info("created sale.order %s for %s", order_id, label)
    if order["state"] in ("draft", "sent"):    # confirmed: the prices were settled before, and people own it now
        _apply_price_policy(client, doc, partner, order, cache, label)
    if partner.odoo.confirm_orders and order["state"] in ("draft", "sent"):
        client.call("sale.order", "action_confirm", [order["id"]])
    return links


def _post_store_orders(client: OdooClient, doc: PurchaseOrder, partner: PartnerConfig, customer: dict[str, Any],
                       names: Names, cache: Cache, label: str) -> list[OdooLink]:
    """`odoo.store_orders: split`: a PO whose lines are allocated to stores (X12 SDQ) becomes one sale order per
    store, shipped to that store's delivery contact (its number is the contact's Reference, or its GLN), with
    the store's share of each line; lines allocated to no store go to the PO's own ship-to. The order's own
    allowances and charges go on the first of them. Each is found again by PO number and delivery contact,
    so a retry creates only what is missing."""
    parts: dict[str | None, list[Line]] = {}
    for line in doc.lines:
        if not line.allocations:
            parts.setdefault(None, []).append(line)
            continue
        for location, quantity in line.allocations.items():
            if quantity:
                parts.setdefault(location, []).append(line.model_copy(update={
                    "quantity": quantity, "allocations": {}, "amount": None}))
    links: list[OdooLink] = []
    kinds = {line.allocation_kind for line in doc.lines if line.allocations}
    charges = doc.allowances_charges
    for store in sorted(parts, key=lambda loc: (loc is not None, loc or "")):
        if store is None:
            ship_to = doc.party("ship_to")
        else:
            ship_to = Party(role="ship_to", name=None, ids={"gln" if kinds == {"gln"} else "store": store})
        others = [p for p in doc.parties if p.role != "ship_to"]
        part = doc.model_copy(update={"lines": parts[store], "parties": others + ([ship_to] if ship_to else []),
                                      "allowances_charges": charges, "totals": Totals()})
        charges = []
        shipping = None
        if ship_to is not None:
            shipping, created = _ship_to(client, partner, part, customer, ship_to, cache,
                                         f"{label} for {party_label(ship_to)}")
            if created:
                links.append(_link(doc, "res.partner", shipping, "created"))
        where = f"{label} for {party_label(ship_to)}" if ship_to is not None else label
        links += _post_one(client, part, partner, customer, names, cache, where, shipping)
    return links


def _cancel_order(client: OdooClient, doc: PurchaseOrder, customer: dict[str, Any], label: str,
                  wait: float) -> list[OdooLink]:
    """A cancellation: the order is cancelled through Odoo's action_cancel unless goods left or an invoice
    was posted. Already cancelled is success, so a retry after a lost answer finds its own work."""
    rows = client.search_read("sale.order", [("client_order_ref", "=", doc.number),
                                             ("partner_id", "child_of", customer["id"])],
                              ["name", "state", "picking_ids", "invoice_ids"], order="id")
    if not rows:
        raise OrderNotInOdoo(f"{label}: no sale order for PO {doc.number} to cancel "
                             f"(no sale order with customer reference {doc.number} for {customer['name']})", wait)
    live = [r for r in rows if r["state"] != "cancel"]
    if not live:
        return [_link(doc, "sale.order", rows[-1]["id"], "found")]
    # every sale order of the PO (one per store when it was split): none is cancelled if one cannot be
    blockers = [f"delivery {p['name']} is done" for p in client.search_read(
        "stock.picking", [("id", "in", [i for o in live for i in o["picking_ids"]]), ("state", "=", "done")],
        ["name"], order="id") if any(o["picking_ids"] for o in live)]
    blockers += [f"invoice {m['name']} is posted" for m in client.search_read(
        "account.move", [("id", "in", [i for o in live for i in o["invoice_ids"]]), ("state", "=", "posted")],
        ["name"], order="id") if any(o["invoice_ids"] for o in live)]
    if blockers:
        raise OdooRejected(f"PO {doc.number} cannot be cancelled: {', '.join(blockers)} "
                           f"(sale order {', '.join(o['name'] for o in live)}); handle it in Odoo")
    links = []
    for order in live:
        result = client.call("sale.order", "action_cancel", [order["id"]])
        if isinstance(result, dict) and result.get("res_model") == "sale.order.cancel":
            # 17+: an order past draft asks for the cancel wizard, as the Cancel button does; a client creates
            # it for this order and confirms it without the customer mail (the partner sent the cancellation)
            wizard = client.create("sale.order.cancel", {"order_id": order["id"]},
                                   context=dict(result.get("context") or {}))
            result = client.call("sale.order.cancel", "action_cancel", [wizard])
        if isinstance(result, dict):
            raise OdooRejected(f"{label}: Odoo asks for {result.get('res_model')} to cancel sale order "
                               f"{order['name']}; cancel it in Odoo")
        log.info("cancelled sale.order %s (%s) for %s", order["id"], order["name"], label)
        links.append(_link(doc, "sale.order", order["id"], "updated"))
    return links


def _revise_order(client: OdooClient, doc: PurchaseOrder, partner: PartnerConfig, customer: dict[str, Any],
                  names: Names, cache: Cache, label: str, kind: str) -> list[OdooLink]:
    """A replacement, or a change that carries the whole order: a quotation (draft/sent) gets the new lines
    (old ones deleted), the new header (ship-to, requested date, warehouse) and a note naming the message,
    all in one write; the note makes a retry find its own work. A confirmed order belongs to people now."""
    _check_currency(client, partner, doc, customer, cache, label)
    verb = "replace" if kind == "replacement" else "change"
    order, marker = _order_to_revise(client, doc, customer, label, verb, kind, partner.odoo.order_wait_minutes)
    if marker in (order.get("note") or ""):
        return [_link(doc, "sale.order", order["id"], "found")]
    if order["state"] not in ("draft", "sent"):
        raise OdooRejected(f"PO {doc.number} cannot be {verb}d: sale order {order['name']} is confirmed "
                           f"(state {order['state']}); change it in Odoo")
    kept = [line for line in doc.lines if line.change != "delete"]      # an 860 replacement may list deleted lines
    missing = [_label(line, i, label) for i, line in enumerate(kept, 1) if line.quantity is None]
    if missing or not kept:
        raise OdooRejected(f"{label}: a {kind} must give every line with its quantity "
                           f"({', '.join(missing) if missing else 'no line is left'}); change the order in Odoo")
    doc = doc.model_copy(update={"lines": kept})
    vals, links = _header_values(client, doc, partner, customer, cache, label)
    commands: list[list[Any]] = [[2, line, 0] for line in order["order_line"]]
    new_lines, charge_notes = _line_commands(client, doc, partner, customer, names, cache, label)
    vals["order_line"] = commands + new_lines
    vals["note"] = (order.get("note") or "") + _html([html.unescape(marker) + f": {len(order['order_line'])} "
                                                      f"line(s) replaced by {len(doc.lines)}",
                                                      *_header_notes(doc), *charge_notes, *doc.notes])
    client.write("sale.order", [order["id"]], vals)
    log.info("%s: rewrote sale.order %s (%s) for %s", kind, order["id"], order["name"], label)
    order["note"] = vals["note"]
    _apply_price_policy(client, doc, partner, order, cache, label)
    if partner.odoo.confirm_orders:
        client.call("sale.order", "action_confirm", [order["id"]])
    return [_link(doc, "sale.order", order["id"], "updated"), *links]


def _order_to_revise(client: OdooClient, doc: PurchaseOrder, customer: dict[str, Any], label: str, verb: str,
                     kind: str, wait: float) -> tuple[dict[str, Any], str]:
    """The open sale order a replacement or change is for, and the note marker that names this message (its
    presence in the note means the message was applied already)."""
    rows = client.search_read("sale.order", [("client_order_ref", "=", doc.number),
                                             ("partner_id", "child_of", customer["id"]),
                                             ("state", "!=", "cancel")], ["name", "state", "note", "order_line"],
                              limit=2)
    if len(rows) > 1:
        raise OdooRejected(f"{label}: PO {doc.number} is in several sale orders ({rows[0]['name']}, "
                           f"{rows[1]['name']}, ...: one per store?); a {kind} is not applied to them "
                           "automatically; change them in Odoo")
    if not rows:
        raise OrderNotInOdoo(f"{label}: no sale order for PO {doc.number} to {verb} "
                             f"(no open sale order with customer reference {doc.number} for {customer['name']})",
                             wait)
    marker = html.escape(f"EDI {kind} {doc.number} ({_message_key(doc)})")
    return rows[0], marker


def _message_key(doc: Document) -> str:
    """What names one inbound message for good: its interchange and set control numbers (a partner's next
    change of the same PO has new ones; a replay or a retry has the same), else the journal id it was given."""
    src = doc.source
    if src.interchange_control:
        return f"interchange {src.interchange_control} set {src.transaction_control or '-'}"
    return f"message {src.message_id or doc.date or '-'}"


def _merge_changes(client: OdooClient, doc: PurchaseOrder, partner: PartnerConfig, customer: dict[str, Any],
                   names: Names, cache: Cache, label: str) -> list[OdooLink]:
    """A change that lists only what changes (X12 860 POC lines, each with its change kind), merged into the
    quotation in one write: `add` lines are created, `delete` lines removed, `change` lines get the quantity
    (and, under the 'order' price policy, the price) they state; `unchanged` lines are left alone. The order
    line is found by product, the partner's line number (the sequence) telling apart two lines of one product.
    Header fields the change carries (ship-to, requested date) are rewritten in the same write, with a note
    naming the message, which makes a retry find its own work. A confirmed order belongs to people now."""
    _check_currency(client, partner, doc, customer, cache, label)
    order, marker = _order_to_revise(client, doc, customer, label, "change", "change",
                                     partner.odoo.order_wait_minutes)
    if marker in (order.get("note") or ""):
        if order["state"] in ("draft", "sent"):         # a retry: the price step may not have run
            _merged_prices(client, doc, partner, customer, order, cache, label)
        return [_link(doc, "sale.order", order["id"], "found")]
    if order["state"] not in ("draft", "sent"):
        raise OdooRejected(f"PO {doc.number} cannot be changed: sale order {order['name']} is confirmed "
                           f"(state {order['state']}); change it in Odoo")
    unknown = sorted({line.change for line in doc.lines if line.change and line.change not in LINE_CHANGES})
    if unknown:
        raise OdooRejected(f"{label}: change kind(s) {', '.join(map(repr, unknown))} are not applied automatically "
                           f"(known: {', '.join(LINE_CHANGES)}); map the partner's codes in its profile "
                           "(codes: line_changes) or change the order in Odoo")
    existing = client.search_read("sale.order.line", [("order_id", "=", order["id"])],
                                  ["sequence", "product_id", "product_uom_qty", "price_unit"], order="sequence,id")
    labels = [_label(line, i, label) for i, line in enumerate(doc.lines, 1)]
    touched = [(lab, line) for lab, line in zip(labels, doc.lines) if line.change in ("delete", "change")]
    adds = [(lab, line) for lab, line in zip(labels, doc.lines) if line.change == "add"]
    matches = ProductFinder(client, cache, customer["id"], "customer").resolve(
        [(lab, line.item_ids) for lab, line in touched + adds])
    commands: list[list[Any]] = []
    summary: list[str] = []
    taken: set[int] = set()
    for lab, line in touched:
        row = _order_line_for(existing, matches[lab].product_id, line.line_no, taken)
        if row is None and line.change == "delete":
            summary.append(f"{lab}: {matches[lab].name} is not on the order (already removed)")
            continue
        if row is None:
            raise OdooRejected(f"{lab}: {matches[lab].name} is not on sale order {order['name']}, so the change "
                               "cannot be applied; change the order in Odoo")
        taken.add(row["id"])
        if line.change == "delete":
            commands.append([2, row["id"], 0])
            summary.append(f"{lab}: {matches[lab].name} removed")
            continue
        values: dict[str, Any] = {}
        if line.quantity is not None:
            qty, uom = _quantity_and_unit(client, partner, cache, line.quantity, line.unit, line.pack_size,
                                          matches[lab].uom_id, lab)
            values.update({"product_uom_qty": qty, names.sale_uom: uom})
        if values:
            commands.append([1, row["id"], values])
        summary.append(f"{lab}: {matches[lab].name} " + (f"quantity {row['product_uom_qty']:g} -> {line.quantity}"
                                                          if line.quantity is not None else "kept its quantity"))
    commands += _added_lines(client, doc, partner, customer, names, cache, label, adds, matches, existing, summary)
    vals, links = _header_values(client, doc, partner, customer, cache, label)
    if not doc.party("ship_to"):
        vals.pop("partner_shipping_id", None)
    if commands:            # an empty list would read as "set no lines" to Odoo's x2many write
        vals["order_line"] = commands
    vals["note"] = (order.get("note") or "") + _html([html.unescape(marker) + ": " + "; ".join(summary or
                                                                                          ["nothing to change"]),
                                                      *_header_notes(doc), *doc.notes])
    client.write("sale.order", [order["id"]], vals)
    log.info("change: merged %d line change(s) into sale.order %s (%s) for %s", len(commands), order["id"],
             order["name"], label)
    order["note"] = vals["note"]
    _merged_prices(client, doc, partner, customer, order, cache, label)
    if partner.odoo.confirm_orders:
        client.call("sale.order", "action_confirm", [order["id"]])
    return [_link(doc, "sale.order", order["id"], "updated"), *links]


def _added_lines(client: OdooClient, doc: PurchaseOrder, partner: PartnerConfig, customer: dict[str, Any],
                 names: Names, cache: Cache, label: str, adds: list[tuple[str, Line]], matches: dict[str, Any],
                 existing: list[dict[str, Any]], summary: list[str]) -> list[list[Any]]:
    """Create commands for a change's `add` lines, numbered with the partner's line numbers where those are
    free, else after the order's last line. A line already on the order under its number with its product
    (the partner sent the addition again in a later change) is not added twice."""
    new: list[tuple[str, Line]] = []
    for lab, line in adds:
        number = int(line.line_no) if line.line_no and line.line_no.isdigit() else None
        if any(r["sequence"] == number and m2o_id(r["product_id"]) == matches[lab].product_id for r in existing):
            summary.append(f"{lab}: {matches[lab].name} is on the order already (added before)")
        else:
            new.append((lab, line))
    if not new:
        return []
    wanted = _sequences([line for _, line in new])
    first = max((row["sequence"] for row in existing), default=0) + 1
    if {row["sequence"] for row in existing} & set(wanted):
        wanted = list(range(first, first + len(new)))
    lines = [line.model_copy(update={"line_no": str(seq)}) for (_, line), seq in zip(new, wanted)]
    commands, _ = _line_commands(client, doc.model_copy(update={"lines": lines, "allowances_charges": []}),
                                 partner, customer, names, cache, label)
    summary += [f"{lab}: {matches[lab].name} added" for lab, _ in new]
    return commands


def _merged_prices(client: OdooClient, doc: PurchaseOrder, partner: PartnerConfig, customer: dict[str, Any],
                   order: dict[str, Any], cache: Cache, label: str) -> None:
    """The price policy for a merged change's added lines and changed lines that state a price, each paired with
    its order line by product as the merge found it; run again by a retry, which then changes nothing."""
    lines = [(_label(line, i, label), line) for i, line in enumerate(doc.lines, 1)
             if line.change == "add" or line.change == "change" and line.unit_price is not None]
    if not lines:
        return
    matches = ProductFinder(client, cache, customer["id"], "customer").resolve([(lab, l.item_ids) for lab, l in lines])
    rows = client.search_read("sale.order.line", [("order_id", "=", order["id"])],
                              ["sequence", "price_unit", "product_id"], order="sequence,id")
    taken: set[int] = set()
    pairs: list[tuple[dict[str, Any], str, Line]] = []
    for lab, line in lines:
        row = _order_line_for(rows, matches[lab].product_id, line.line_no, taken)
        if row is not None:
            taken.add(row["id"])
            pairs.append((row, lab.split(", ", 1)[-1], line))
    _price_check(client, partner, order, pairs, cache, label)


def _order_line_for(rows: list[dict[str, Any]], product: int, line_no: str | None,
                    taken: set[int]) -> dict[str, Any] | None:
    """The order line a change line is about: the one of its product, or among several of that product the one
    the partner's line number (its sequence) names."""
    same = [r for r in rows if m2o_id(r["product_id"]) == product and r["id"] not in taken]
    if len(same) > 1 and line_no and line_no.isdigit():
        return next((r for r in same if r["sequence"] == int(line_no)), same[0])
    return same[0] if same else None


def _check_currency(client: OdooClient, partner: PartnerConfig, doc: Document, customer: dict[str, Any],
                    cache: Cache, label: str) -> None:
    wanted = doc.currency or partner.odoo.currency
    pricelist = m2o_id(customer.get("property_product_pricelist"))
    if not wanted or not pricelist:
        return
    row = record_by(client, cache, "product.pricelist", [("id", "=", pricelist)], ["name", "currency_id"], pricelist)
    have = m2o_name(row.get("currency_id")) if row else None
    if have and have != wanted:
        raise OdooRejected(f"{label}: currency mismatch: the order is in {wanted} but {customer['name']}'s "
                           f"pricelist {row['name'] if row else ''} is in {have}")


def _order_values(client: OdooClient, doc: PurchaseOrder, partner: PartnerConfig, customer: dict[str, Any],
                  names: Names, cache: Cache, label: str) -> tuple[dict[str, Any], list[OdooLink]]:
    vals: dict[str, Any] = {"partner_id": customer["id"], "client_order_ref": doc.number,
                            "origin": f"EDI {doc.source.standard_type or doc.doc_type} {doc.number}"}
    header, links = _header_values(client, doc, partner, customer, cache, label)
    vals.update(header)
    notes = [f"EDI {doc.source.standard_type or 'order'} {doc.number}" + (f" of {doc.date}" if doc.date else "")]
    notes += _header_notes(doc)
    vals["order_line"], charge_notes = _line_commands(client, doc, partner, customer, names, cache, label)
    notes += charge_notes
    notes += doc.notes
    vals["note"] = _html(notes)
    return vals, links


def _header_notes(doc: PurchaseOrder) -> list[str]:
    """What the order says that Odoo has no field for: references, terms, carrier, and how each line's quantity
    is to be split between stores (SDQ), which the people packing the order need to see."""
    notes = [f"{r.qualifier.replace('_', ' ')}: {r.value}" for r in doc.references]
    notes += [f"{label}: {value}" for label, value in (("terms", doc.terms), ("ship via", doc.ship_method)) if value]
    notes += [f"line {line.line_no or i} for {line.allocation_kind or 'location'} "
              + ", ".join(f"{where}: {qty}" for where, qty in line.allocations.items())
              for i, line in enumerate(doc.lines, 1) if line.allocations]
    return notes


def _header_values(client: OdooClient, doc: PurchaseOrder, partner: PartnerConfig, customer: dict[str, Any],
                   cache: Cache, label: str) -> tuple[dict[str, Any], list[OdooLink]]:
    """The sale order fields a PO's header sets (ship-to contact, warehouse, requested date), for a new order
    and for a revision of one; plus the link of a ship-to contact created for it."""
    links: list[OdooLink] = []
    vals: dict[str, Any] = {}
    ship_to = doc.party("ship_to")
    if ship_to is not None:
        contact, created = _ship_to(client, partner, doc, customer, ship_to, cache, label)
        vals["partner_shipping_id"] = contact
        if created:
            links.append(_link(doc, "res.partner", contact, "created"))
    if partner.odoo.warehouse:
        wh = record_by(client, cache, "stock.warehouse", ["|", ("code", "=", partner.odoo.warehouse),
                                                          ("name", "=", partner.odoo.warehouse)],
                       ["name"], partner.odoo.warehouse)
        if wh is None:
            raise OdooRejected(f"{label}: warehouse {partner.odoo.warehouse!r} (odoo.warehouse) is not in Odoo")
        vals["warehouse_id"] = wh["id"]
    requested = next((d for q in REQUESTED_DATES for d in doc.dates if d.qualifier == q), None)
    if requested is not None:
        vals["commitment_date"] = _utc(requested.date, requested.time,
                                       day_zone(client, partner, cache, vals.get("warehouse_id")))
    return vals, links


def _utc(day: str, time: str | None, zone: tzinfo) -> str:
    """A partner's date (and time, else noon) as Odoo stores datetimes: UTC. The partner's clock is taken to be
    the Odoo user's, so Odoo shows the day and hour the partner wrote."""
    try:
        local = datetime.fromisoformat(f"{day}T{time or '12:00'}")
    except ValueError:
        local = datetime.fromisoformat(f"{day}T12:00")
    return local.replace(tzinfo=zone).astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def _line_commands(client: OdooClient, doc: PurchaseOrder, partner: PartnerConfig, customer: dict[str, Any],
                   names: Names, cache: Cache, label: str) -> tuple[list[list[Any]], list[str]]:
    """One x2many create command per order line and per mapped allowance/charge, products and units resolved
    in bulk (one lookup for both); also the note lines for the allowances/charges."""
    finder = ProductFinder(client, cache, customer["id"], "customer")
    labels = [_label(line, i, label) for i, line in enumerate(doc.lines, 1)]
    discounts: list[Decimal | None] = []
    digits = discount_digits(client, cache)
    line_charges: list[_Charge] = []
    line_notes: list[str] = []
    for index, line in enumerate(doc.lines, 1):
        discount, charges_of_line, notes_of_line = _line_allowances(line, index, partner, label, digits)
        discounts.append(discount)
        line_charges += charges_of_line
        line_notes += notes_of_line
    charges = _charges(doc, partner, label, discounts)      # a percent of the order is of the discounted lines
    notes = [c.note for c in charges] + line_notes
    charges += line_charges
    wanted = [(lab, line.item_ids) for lab, line in zip(labels, doc.lines)]
    wanted += [(c.label, {"default_code": c.default_code}) for c in charges if c.default_code and c.amount is not None]
    try:
        matches = finder.resolve(wanted)
    except OdooRejected:
        _name_missing_charge_product(finder, wanted[:len(doc.lines)], charges)
        raise
    commands: list[list[Any]] = []
    sequences = _sequences(doc.lines)
    for seq, lab, line, discount in zip(sequences, labels, doc.lines, discounts):
        match = matches[lab]
        qty, uom = _quantity_and_unit(client, partner, cache, _stated(line, lab), line.unit, line.pack_size,
                                      match.uom_id, lab)
        values: dict[str, Any] = {"product_id": match.product_id, "product_uom_qty": qty, names.sale_uom: uom,
                                  "sequence": seq}
        if discount is not None:     # price_unit stays the gross price, so the price check never sees a discount
            values["discount"] = float(discount)
        commands.append([0, 0, values])
    # after every order line's sequence, so the price check (which pairs lines by sequence) never sees them
    seq = max(sequences, default=0)
    for charge in charges:
        if charge.label in matches and charge.amount is not None:
            seq += 1
            match = matches[charge.label]
            item: dict[str, Any] = {"product_id": match.product_id, "product_uom_qty": 1.0,
                                    "price_unit": float(charge.amount), "name": charge.name, "sequence": seq}
            if match.uom_id:
                item[names.sale_uom] = match.uom_id
            commands.append([0, 0, item])
    return commands, notes


@dataclass(frozen=True)
class _Charge:
    """One allowance/charge of an order: the product it maps to (by which key), its signed amount when known
    (an order line then), and its note line."""

    label: str
    name: str
    key: str | None
    default_code: str | None
    amount: Decimal | None
    note: str


def _charges(doc: PurchaseOrder, partner: PartnerConfig, label: str,
             discounts: list[Decimal | None]) -> list[_Charge]:
    """The order's allowances/charges with the product `odoo.charge_products` maps each to (by code, else kind)."""
    mapping = partner.odoo.charge_products
    return [_charge(ac, index, doc.lines, mapping, partner, label, discounts=discounts) for index, ac in
            enumerate(doc.allowances_charges, 1)]


def _charge(ac: AllowanceCharge, index: int, lines: list[Line], mapping: dict[str, str], partner: PartnerConfig,
            label: str, where: str = "", name_suffix: str = "", unmapped_why: str = "",
            discounts: list[Decimal | None] | None = None) -> _Charge:
    """One allowance/charge as an order line on its mapped product (by code, else kind) when its amount is
    known, else a note line. `lines` are what a percent without a base amount is a percent of; `where` prefixes
    the note (a line's own ones name the line)."""
    text = " ".join(p for p in (ac.kind, ac.code, ac.description) if p)
    shown = f"{ac.amount}" if ac.amount is not None else f"{ac.percent}%"
    key = ac.code if ac.code in mapping else ac.kind if ac.kind in mapping else None
    default_code = mapping[key] if key else None
    amount, why = _charge_amount(lines, partner, ac.amount, ac.percent, ac.base_amount, discounts)
    if default_code is None:
        note = f"{where}{text}: {shown} (not applied to the Odoo order{': ' + unmapped_why if unmapped_why else ''})"
    elif amount is None:
        note = f"{where}{text}: {shown} (not applied to the Odoo order: {why})"
    else:
        amount = -abs(amount) if ac.kind == "allowance" else abs(amount)
        note = f"{where}{text}: {shown} (order line {default_code}, {amount})"
    return _Charge(f"{label}, {ac.kind} {ac.code or index}", (ac.description or ac.code or ac.kind) + name_suffix,
                   key, default_code, amount, note)


def _line_allowances(line: Line, index: int, partner: PartnerConfig, label: str,
                     digits: int) -> tuple[Decimal | None, list[_Charge], list[str]]:
    """(discount %, charges, note lines) for one order line's allowances/charges, the way an integrator posts
    them: allowances become the sale order line's `discount` (a percent field on the gross price_unit);
    charges, and allowances a percent cannot express, go the way the order's own ones go (`_charge`).

    Percents compound, as successive trade discounts do ("10 + 5" is 14.5 %): the line keeps
    Π(1 - p/100) of its gross. An amount (SAC05 / MOA: for the whole line) comes off the gross line total
    quantity x unit price, known only when the line is priced on the order (price_policy order). The net is
    gross x Π(1 - p/100) - Σ amounts; the discount is 1 - net/gross, rounded to `digits` places (the
    database's Discount accuracy, `lookup.discount_digits`)."""
    where = f"line {line.line_no or index}: "
    line_label = _label(line, index, label)
    gross = (line.quantity or Decimal(0)) * line.unit_price if line.unit_price is not None else Decimal(0)
    priced = partner.odoo.price_policy == "order" and gross > 0
    kept = Decimal(1)                         # the share of the gross the percents leave
    off = Decimal(0)                          # the amounts off
    applied: list[AllowanceCharge] = []
    others: list[tuple[AllowanceCharge, str]] = []      # (allowance/charge, why it is not in the discount)
    amounts: list[AllowanceCharge] = []
    for ac in line.allowances_charges:
        if ac.kind != "allowance":
            others.append((ac, ""))
        elif ac.amount is not None:
            amounts.append(ac)
        elif ac.percent is None:
            others.append((ac, "no amount or percent"))
        elif Decimal(0) <= ac.percent <= 100:
            kept *= 1 - ac.percent / 100
            applied.append(ac)
        else:
            others.append((ac, f"a percent of {ac.percent} is no discount"))
    for ac in amounts:                        # after the percents, so no amount takes the line below zero
        amount = abs(ac.amount or Decimal(0))
        if priced and off + amount <= gross * kept:
            off += amount
            applied.append(ac)
        elif not priced:
            others.append((ac, "an amount off a line priced by the Odoo pricelist (price_policy pricelist)"
                           if partner.odoo.price_policy != "order" else "an amount off a line without a price"))
        else:
            others.append((ac, "more than the line's amount"))
    notes: list[str] = []
    discount: Decimal | None = None
    if applied:
        net_share = kept - (off / gross if off else Decimal(0))
        discount = ((1 - net_share) * 100).quantize(Decimal(1).scaleb(-digits), ROUND_HALF_UP)
        texts = [" ".join(p for p in (ac.kind, ac.code, ac.description) if p) + ": " +
                 (f"{ac.percent}%" if ac.amount is None else f"{ac.amount}") for ac in applied]
        notes.append(f"{where}{', '.join(texts)} (order line discount {discount}%)")
    mapping = partner.odoo.charge_products
    charges = [_charge(ac, i, [line], mapping, partner, line_label, where, f" (line {line.line_no or index})", why)
               for i, (ac, why) in enumerate(others, 1)]
    return discount, charges, notes + [c.note for c in charges]


def _subtotal(line: Line, discount: Decimal | None) -> Decimal:
    """A line's amount on the order: after its discount, rounded to the cent as Odoo's price_subtotal then is."""
    gross = (line.quantity or Decimal(0)) * (line.unit_price or Decimal(0))
    return (gross * (1 - discount / 100)).quantize(Decimal("0.01"), ROUND_HALF_UP) if discount else gross


def _charge_amount(lines: list[Line], partner: PartnerConfig, amount: Decimal | None, percent: Decimal | None,
                   base: Decimal | None, discounts: list[Decimal | None] | None = None) -> tuple[Decimal | None, str]:
    """(amount, why not): the amount sent, else the percent of the base amount sent, else of the lines'
    subtotal as priced on the order (after their `discounts`, as Odoo's subtotals are), which is the order's
    total only under the 'order' price policy."""
    if amount is not None:
        return amount, ""
    if percent is None:
        return None, "no amount or percent"
    if base is None:
        if partner.odoo.price_policy != "order":
            return None, ("a percent without a base amount, and the line prices come from the Odoo pricelist "
                          "(price_policy pricelist)")
        if any(line.unit_price is None for line in lines):
            return None, "a percent without a base amount, and a line without a price"
        base = sum((_subtotal(line, d) for line, d in zip(lines, discounts or [None] * len(lines))), Decimal(0))
    return (base * percent / 100).quantize(Decimal("0.01")), ""


def _name_missing_charge_product(finder: ProductFinder, lines: list[tuple[str, dict[str, str]]],
                                 charges: list[_Charge]) -> None:
    """After a failed bulk lookup: an order line's own error first, else the charge product that is missing."""
    finder.resolve(lines)
    for charge in charges:
        if charge.default_code is None or charge.amount is None:
            continue
        try:
            finder.resolve([(charge.label, {"default_code": charge.default_code})])
        except OdooRejected:
            raise OdooRejected(f"{charge.label}: no product with internal reference {charge.default_code!r} in "
                               f"Odoo (partner setting odoo.charge_products maps {charge.key!r} to it); "
                               f"create the service product or change the partner setting") from None


def _ship_to(client: OdooClient, partner: PartnerConfig, doc: Document, customer: dict[str, Any], party: Any,
             cache: Cache, label: str) -> tuple[int, bool]:
    found = find_contact(client, partner, customer, party, cache)
    if found is not None:
        return int(found["id"]), False
    if not partner.odoo.create_ship_to:
        raise OdooRejected(f"{label}: ship-to {party_label(party)} is not a delivery address of {customer['name']} "
                           f"in Odoo (add it there, or set odoo.create_ship_to for this partner)")
    address = party.address
    vals: dict[str, Any] = {"parent_id": customer["id"], "type": "delivery",
                            "name": party.name or f"{customer['name']} {party_label(party)}"}
    if party.ids.get("store"):
        vals["ref"] = party.ids["store"]
    if party.ids.get("gln"):
        vals[partner.odoo.gln_field] = party.ids["gln"]
    if address is not None:
        vals.update({"street": address.lines[0] if address.lines else False,
                     "street2": ", ".join(address.lines[1:]) or False,
                     "city": address.city or False, "zip": address.postal_code or False})
        if address.country:
            country = record_by(client, cache, "res.country", [("code", "=", address.country.upper())], ["name"],
                                address.country.upper())
            if country is not None:
                vals["country_id"] = country["id"]
    if party.contact is not None:
        vals.update({k: v for k, v in (("email", party.contact.email), ("phone", party.contact.phone)) if v})
    contact = client.create("res.partner", vals)
    log.info("created delivery contact res.partner %s for %s", contact, label)
    cache.invalidate("contact")
    return contact, True


def _apply_price_policy(client: OdooClient, doc: PurchaseOrder, partner: PartnerConfig, order: dict[str, Any],
                        cache: Cache, label: str) -> None:
    """Compare the order's prices with Odoo's; write them ('order' policy) and flag mismatches, in one write."""
    rows = client.search_read("sale.order.line", [("order_id", "=", order["id"])],
                              ["sequence", "price_unit", "product_id"])
    by_seq = {row["sequence"]: row for row in rows}
    _price_check(client, partner, order, [(by_seq[seq], f"line {line.line_no or index}", line) for seq, index, line
                                          in zip(_sequences(doc.lines), range(1, len(doc.lines) + 1), doc.lines)
                                          if seq in by_seq], cache, label)


def _price_check(client: OdooClient, partner: PartnerConfig, order: dict[str, Any],
                 pairs: list[tuple[dict[str, Any], str, Line]], cache: Cache, label: str) -> None:
    """The price policy over (sale order line row, name, partner's line): the 'order' policy writes the partner's
    price, either policy flags a difference beyond the tolerance (tag + note). Repeating it changes nothing."""
    tolerance = Decimal(str(partner.odoo.price_tolerance))
    updates: list[list[Any]] = []
    flags: list[str] = []
    for row, shown, line in pairs:
        odoo_price = Decimal(str(row["price_unit"])).quantize(Decimal("0.01"))
        name = f"{shown} ({m2o_name(row['product_id']) or ''})"
        if line.unit_price is None:
            if partner.odoo.price_policy == "order":
                flags.append(f"{name}: no price in the order; Odoo's price {odoo_price} kept")
            continue
        if abs(line.unit_price - odoo_price) <= tolerance:
            continue
        flags.append(f"{name}: order price {line.unit_price}, Odoo price {odoo_price}")
        if partner.odoo.price_policy == "order":
            updates.append([1, row["id"], {"price_unit": float(line.unit_price)}])
    if not updates and not flags:
        return
    vals: dict[str, Any] = {}
    if updates:
        vals["order_line"] = updates
    if flags:
        note = order.get("note") or ""
        text = _html(["EDI price check (" + partner.odoo.price_policy + " price kept): " + "; ".join(flags)])
        if text not in note:
            vals["note"] = note + text
        tag = record_by(client, cache, "crm.tag", [("name", "=", PRICE_FLAG_TAG)], ["name"], PRICE_FLAG_TAG)
        tag_id = tag["id"] if tag else cache.put("crm.tag", PRICE_FLAG_TAG, {
            "id": client.create("crm.tag", {"name": PRICE_FLAG_TAG})})["id"]
        vals["tag_ids"] = [[4, tag_id, 0]]
        log.warning("%s: price mismatch on %d line(s): %s%s", label, len(flags), "; ".join(flags[:3]),
                    " ..." if len(flags) > 3 else "")
    client.write("sale.order", [order["id"]], vals)


# --------------------------------------------------------------------------- Invoice (vendor) -> vendor bill

VENDOR_ROLES = ("seller", "supplier", "vendor", "remit_to", "ship_from")


def post_vendor_bill(client: OdooClient, doc: Document, partner: PartnerConfig, cache: Cache) -> list[OdooLink]:
    assert isinstance(doc, Invoice)
    names = Names.of(client, cache)
    label = f"invoice {doc.number}"
    vendor = commercial_partner(client, partner, doc, cache, roles=VENDOR_ROLES)
    move_type = "in_refund" if doc.invoice_type == "credit_note" else "in_invoice"
    existing = client.search("account.move", [("move_type", "=", move_type), ("partner_id", "child_of", vendor["id"]),
                                              ("ref", "=", doc.number), ("state", "!=", "cancel")], limit=1)
    if existing:
        return [_link(doc, "account.move", existing[0], "found")]
    po: dict[str, Any] | None = None
    po_lines: list[dict[str, Any]] = []
    if doc.po_number:
        rows = client.search_read("purchase.order", [("name", "=", doc.po_number),
                                                     ("partner_id", "child_of", vendor["id"])],
                                  ["name", "currency_id"], limit=1)
        if not rows:
            raise OdooRejected(f"{label}: purchase order {doc.po_number} of {vendor['name']} is not in Odoo")
        po = rows[0]
        po_lines = client.search_read("purchase.order.line", [("order_id", "=", po["id"])],
                                      ["product_id", "sequence", names.purchase_uom])
    vals: dict[str, Any] = {"move_type": move_type, "partner_id": vendor["id"], "ref": doc.number}
    if doc.date:
        vals["invoice_date"] = doc.date
    if doc.due_date:
        vals["invoice_date_due"] = doc.due_date
    if po is not None:
        vals["invoice_origin"] = po["name"]
    if doc.currency:
        vals["currency_id"] = currency_id(client, cache, doc.currency, label)
        if po is not None and m2o_name(po.get("currency_id")) not in (None, doc.currency):
            raise OdooRejected(f"{label}: currency mismatch: the invoice is in {doc.currency}, purchase order "
                               f"{po['name']} in {m2o_name(po['currency_id'])}")
    finder = ProductFinder(client, cache, vendor["id"], "vendor")
    labels = [_label(line, i, label) for i, line in enumerate(doc.lines, 1)]
    matches = finder.resolve([(lab, line.item_ids) for lab, line in zip(labels, doc.lines)])
    unused = list(po_lines)
    commands = []
    for lab, line in zip(labels, doc.lines):
        match = matches[lab]
        qty, uom = _quantity_and_unit(client, partner, cache, _stated(line, lab), line.unit, line.pack_size,
                                      match.uom_id, lab)
        price = line.unit_price if line.unit_price is not None else (
            line.amount / line.quantity if line.amount is not None and line.quantity else None)
        item: dict[str, Any] = {"product_id": match.product_id, "quantity": qty, "product_uom_id": uom}
        if price is not None:
            item["price_unit"] = float(price)
        if line.description:
            item["name"] = line.description
        po_line = next((p for p in unused if m2o_id(p["product_id"]) == match.product_id), None)
        if po_line is not None:
            unused.remove(po_line)
            item["purchase_line_id"] = po_line["id"]
        elif po is not None:
            raise OdooRejected(f"{lab}: {match.name} is not on purchase order {po['name']}")
        commands.append([0, 0, item])
    vals["invoice_line_ids"] = commands
    if doc.notes:
        vals["narration"] = _html(doc.notes)
    bill = client.create("account.move", vals)
    log.info("created vendor bill account.move %s for %s", bill, label)
    return [_link(doc, "account.move", bill, "created")]


# --------------------------------------------------------------------------- ShipNotice (vendor) -> receipt

def _walk(packs: list[Pack], outer: str | None = None) -> list[tuple[str | None, ShipItem, str | None]]:
    """(sscc of the innermost pack, item, tracking) for every item in a pack tree."""
    out: list[tuple[str | None, ShipItem, str | None]] = []
    for pack in packs:
        sscc = pack.sscc or outer
        out += [(sscc, item, pack.tracking_number) for item in pack.items]
        out += _walk(pack.packs, sscc)
    return out


def post_receipt(client: OdooClient, doc: Document, partner: PartnerConfig, cache: Cache) -> list[OdooLink]:
    assert isinstance(doc, ShipNotice)
    label = f"ship notice {doc.number}"
    vendor = commercial_partner(client, partner, doc, cache, roles=VENDOR_ROLES)
    links: list[OdooLink] = []
    finder = ProductFinder(client, cache, vendor["id"], "vendor")
    for order in doc.orders:
        olabel = f"{label}, purchase order {order.po_number}"
        pos = client.search("purchase.order", [("name", "=", order.po_number),
                                               ("partner_id", "child_of", vendor["id"])], limit=1)
        if not pos:
            raise OdooRejected(f"{olabel}: no such purchase order of {vendor['name']} in Odoo")
        pickings = client.search_read("stock.picking", [("purchase_id", "=", pos[0]),
                                                        ("picking_type_code", "=", "incoming"),
                                                        ("state", "!=", "cancel")],
                                      ["name", "state", "location_id", "location_dest_id", "note"], order="id")
        marker = f"EDI ship notice {doc.number}"
        applied = [p for p in pickings if marker in (p.get("note") or "")]
        done = [p for p in applied if p["state"] == "done"]
        if done:                         # this notice was applied and the receipt validated: nothing to redo
            links.append(_link(doc, "stock.picking", done[0]["id"], "found"))
            continue
        open_ = applied or [p for p in pickings if p["state"] != "done"]
        if not open_:
            raise OdooRejected(f"{olabel}: the purchase order has no open receipt in Odoo (is it confirmed, or "
                               f"already received?)")
        picking = open_[0]
        entries = [(None, item, None) for item in order.items] + _walk(order.packs)
        labels = [_label(item, i, olabel) for i, (_, item, _) in enumerate(entries, 1)]
        matches = finder.resolve([(lab, item.item_ids) for lab, (_, item, _) in zip(labels, entries)])
        moves = client.search_read("stock.move", [("picking_id", "=", picking["id"])],
                                   ["product_id", "product_uom", "move_line_ids"])
        packages = _packages(client, [s for s, _, _ in entries if s])
        commands: list[list[Any]] = [[2, line, 0] for m in moves for line in m["move_line_ids"]]
        for lab, (sscc, item, _) in zip(labels, entries):
            match = matches[lab]
            move = next((m for m in moves if m2o_id(m["product_id"]) == match.product_id), None)
            if move is None:
                raise OdooRejected(f"{lab}: {match.name} ({match.via}) is not on receipt {picking['name']}")
            qty, uom = _quantity_and_unit(client, partner, cache, item.quantity, item.unit, None,
                                          match.uom_id, lab)
            vals: dict[str, Any] = {"move_id": move["id"], "product_id": match.product_id, "quantity": qty,
                                    "product_uom_id": uom, "location_id": m2o_id(picking["location_id"]),
                                    "location_dest_id": m2o_id(picking["location_dest_id"])}
            if item.lot:
                vals["lot_name"] = item.lot
            if sscc:
                vals["result_package_id"] = packages[sscc]
            commands.append([0, 0, vals])
        tracking = doc.tracking_number or next((t for _, _, t in entries if t), None)
        pick_vals: dict[str, Any] = {"move_line_ids": commands}
        if marker not in (picking.get("note") or ""):
            pick_vals["note"] = (picking.get("note") or "") + _html([marker])
        if tracking:
            pick_vals["carrier_tracking_ref"] = tracking
        client.write("stock.picking", [picking["id"]], pick_vals)
        if partner.odoo.validate_receipts:
            result = client.call("stock.picking", "button_validate", [picking["id"]],
                                 context={"skip_backorder": True})
            if isinstance(result, dict):
                raise OdooRejected(f"{olabel}: Odoo asks for {result.get('res_model')} to validate receipt "
                                   f"{picking['name']}; validate it in Odoo")
        links.append(_link(doc, "stock.picking", picking["id"], "updated"))
    return links


def _packages(client: OdooClient, ssccs: list[str]) -> dict[str, int]:
    """stock.quant.package per SSCC (its name), created when missing; safe to repeat."""
    wanted = sorted(set(ssccs))
    if not wanted:
        return {}
    found = {r["name"]: r["id"] for r in client.search_read("stock.quant.package", [("name", "in", wanted)], ["name"])}
    missing = [s for s in wanted if s not in found]
    for sscc, pid in zip(missing, client.create_many("stock.quant.package", [{"name": s} for s in missing])):
        found[sscc] = pid
    return found


# --------------------------------------------------------------------------- InventoryAdvice (vendor)

AVAILABLE_QUALIFIERS = ("available", "on_hand", "in_stock")


def post_vendor_inventory(client: OdooClient, doc: Document, partner: PartnerConfig,
                          cache: Cache) -> list[OdooLink]:
    assert isinstance(doc, InventoryAdvice)
    label = f"inventory advice {doc.number}"
    field = partner.odoo.availability_field
    if field not in client.fields("product.supplierinfo"):
        raise OdooRejected(f"{label}: product.supplierinfo has no field {field!r}; add it in Odoo (Studio) or set "
                           f"odoo.availability_field")
    vendor = commercial_partner(client, partner, doc, cache, roles=VENDOR_ROLES)
    finder = ProductFinder(client, cache, vendor["id"], "vendor")
    labels = [f"{label}, line {line.line_no or i}" for i, line in enumerate(doc.lines, 1)]
    matches = finder.resolve([(lab, line.item_ids) for lab, line in zip(labels, doc.lines)])
    products = sorted({m.product_id for m in matches.values()})
    templates = sorted({m.template_id for m in matches.values() if m.template_id})
    infos = client.search_read("product.supplierinfo", [("partner_id", "=", vendor["id"]), "|",
                                                        ("product_id", "in", products), "&",
                                                        ("product_id", "=", False),
                                                        ("product_tmpl_id", "in", templates)],
                               ["product_id", "product_tmpl_id", field])
    groups: dict[float, list[int]] = {}
    for lab, line in zip(labels, doc.lines):
        match = matches[lab]
        rows = [i for i in infos if m2o_id(i["product_id"]) == match.product_id] or \
            [i for i in infos if not i["product_id"] and m2o_id(i["product_tmpl_id"]) == match.template_id]
        if not rows:
            raise OdooRejected(f"{lab}: {match.name} has no vendor line for {vendor['name']} in Odoo")
        qty = next((q for k in AVAILABLE_QUALIFIERS for q in line.quantities if q.qualifier == k), line.quantities[0])
        value, _ = _quantity_and_unit(client, partner, cache, qty.value, qty.unit, None, match.uom_id, lab)
        for row in rows:
            if row.get(field) != value:
                groups.setdefault(value, []).append(row["id"])
    for value, ids in groups.items():
        client.write("product.supplierinfo", ids, {field: value})
    return [_link(doc, "product.supplierinfo", i["id"], "updated") for i in infos]


HANDLERS: dict[str, Callable[[OdooClient, Document, PartnerConfig, Cache], list[OdooLink]]] = {
    "PurchaseOrder": post_order,
    "Invoice": post_vendor_bill,
    "ShipNotice": post_receipt,
    "InventoryAdvice": post_vendor_inventory,
}
