"""A vendor's order acknowledgment (855 / ORDRSP in) applied to our purchase order in Odoo, as a purchaser applies
one by hand: each line then expects what the vendor will deliver (a rejected part no more), on the date the vendor
gives (Expected Arrival: an ACK's ACK05, an ORDRSP line's DTM+69), and a part the vendor backorders to a date of its own is a line of its own on that date,
so that the receipt and the stock forecast expect each part when it comes.

The statuses mean what they mean on a single ACK: accepted (IA) and changed (IC) parts are delivered, their
quantities together, at the date they give, or one part per date when they give several (a line the vendor ships in
two deliveries); each backordered part (IB) is delivered at its own date;
a rejected part (IR) is not delivered, nor is any of an order the vendor rejects whole without lines (BAK02 RJ,
BGM 1225 27); any other status (on hold, a substitution, a line the vendor adds) is left
to purchasing, the acknowledgment refused. A line the acknowledgment says nothing of is left as it is; so is one it
accepts as ordered without a date when Odoo's line (with its backordered parts) orders that (a vendor's corrected
acknowledgment puts back what an earlier one cut). Quantities are written in the PO line's unit. A backordered part goes on a new line after the order's last (the order's line numbers,
by which ship notices and invoices name lines, stay those of the lines sent), named after its line; a later
acknowledgment of the same line updates those lines rather than adding more.

The whole acknowledgment is one write of the order's lines (one transaction in Odoo) with a note line that names
it and says what changed: a retry finds that note and writes nothing again. Acknowledgments are applied one at a
time (two of one order read at once would both add its backordered part)."""

from __future__ import annotations

import logging
import threading
from decimal import Decimal
from typing import Any, NamedTuple

from gateway.config.models import PartnerConfig
from gateway.errors import OdooRejected
from gateway.journal.api import OdooLink
from gateway.odoo.client import OdooClient
from gateway.odoo.lookup import Cache, Names, ProductFinder, day_zone, m2o_id, unit_id, utc_datetime
from gateway.odoo.receipts import SPLIT, line_number, split_name, units_per, vendor_orders
from gateway.odoo.records import record_link
from gateway.translate.canonical import Line, PurchaseOrderAck

log = logging.getLogger("gateway.odoo.vendor_acks")

MARKER = "EDI order acknowledgment"
APPLICABLE = ("draft", "sent", "to approve", "purchase")     # an RFQ or a confirmed order; not locked or cancelled
STATES = {"done": "locked", "cancel": "cancelled"}
KNOWN = ("accepted", "changed", "backordered", "rejected")
"""The statuses applied; any other code a vendor sends (X12 ACK01 IH/IW on hold, IS a substitution, IE price
pending; EDIFACT 1229 4 no action) is left to purchasing, never read as delivered."""
PROMISED = ("delivery_promised", "delivery_scheduled", "delivery_estimated", "arrival_estimated")
"""A line's own date that says when the vendor delivers it (an ORDRSP's DTM+69 in its LIN group)."""


class Part(NamedTuple):
    """What the vendor will deliver of a line at one date (None: the date the line has)."""

    quantity: Decimal
    date: str | None


def deliveries(line: Line) -> list[Part] | None:
    """The parts a line is delivered in, the accepted and changed ones first (together); [] when all of it is
    rejected; None when the acknowledgment asks nothing of the line (no status, or accepted as ordered, undated)."""
    if line.status is None:
        return None
    acks = line.acks or []
    promised = next((d.date for d in line.dates if d.qualifier in PROMISED), None)
    if not acks:
        if line.status == "accepted" and line.quantity == line.ordered_quantity and promised is None:
            return None
        quantity = line.quantity if line.quantity is not None else Decimal(0)
        return [Part(quantity, promised)] if quantity and line.status != "rejected" else []
    now = [a for a in acks if a.qualifier not in ("backordered", "rejected")]
    days = list(dict.fromkeys(a.date for a in now if a.date))
    if len(days) > 1:       # one delivery per date (ACK*IA*4 on 12-05, ACK*IA*6 on 12-20): each expected on its own
        parts = [Part(sum((a.value for a in now if a.date == day or (not a.date and day == days[0])), Decimal(0)),
                      day) for day in days]
    else:
        parts = [Part(sum((a.value for a in now), Decimal(0)), days[0] if days else promised)] if now else []
    parts += [Part(a.value, a.date) for a in acks if a.qualifier == "backordered"]
    return [p for p in parts if p.quantity > 0]


def said(line: Line, label: str) -> str:
    """What the vendor said of the line, for the order's note: 'line 1: 4 accepted for 2026-12-05, 6 backordered
    to 2026-12-20'."""
    acks = line.acks or []
    if not acks:
        quantity = line.quantity if line.status != "rejected" else line.ordered_quantity
        promised = next((f" for {d.date}" for d in line.dates if d.qualifier in PROMISED), "")
        return f"{label}: {line.status}" + (f" {quantity}" if quantity is not None else "") \
            + (promised if line.status != "rejected" else "")
    words = {"backordered": "to", "rejected": ""}
    return f"{label}: " + ", ".join(f"{a.value:f} {a.qualifier}" + (f" {words.get(a.qualifier, 'for')} {a.date}"
                                                                  if a.date else "") for a in acks)


def po_line(goods: list[dict[str, Any]], position: int | None, product: int | None,
            taken: set[int]) -> dict[str, Any] | None:
    """The PO line an acknowledged line answers: the one at its number among the order's product lines (as ship
    notices and invoices count them) when it is of the product the vendor names, else the first line of that
    product not answered yet and not a backordered part; None when there is none."""
    if position is not None and 0 < position <= len(goods):
        row = goods[position - 1]
        if product is None or m2o_id(row.get("product_id")) == product:
            return row
    if product is None:
        return None
    return next((r for r in goods if m2o_id(r.get("product_id")) == product and r["id"] not in taken
                 and f"({SPLIT} " not in str(r.get("name") or "")), None)


def _products(finder: ProductFinder, lines: list[Line]) -> dict[str, int | None]:
    """{line label: product} of the acknowledged lines the vendor names by item number (one call). A line that
    accepts what it read ordered may name an item Odoo does not know the vendor by: None then, never refused."""
    named = [(f"line {line.line_no or i}", line.item_ids) for i, line in enumerate(lines, 1)
             if line.item_ids and line.status is not None]
    loose = {f"line {line.line_no or i}" for i, line in enumerate(lines, 1) if deliveries(line) is None}
    try:
        return {lab: m.product_id for lab, m in finder.resolve(named).items()}
    except OdooRejected:
        strict = [(lab, ids) for lab, ids in named if lab not in loose]
        found: dict[str, int | None] = {lab: m.product_id for lab, m in finder.resolve(strict).items()}
    for lab, ids in named:
        if lab in loose:
            try:
                found[lab] = finder.resolve([(lab, ids)])[lab].product_id        # asked already: from the cache
            except OdooRejected:
                found[lab] = None
    return found


def _per_unit(client: OdooClient, partner: PartnerConfig, cache: Cache, unit: str | None, uom: Any,
              where: str) -> float:
    """How many of the PO line's unit (`uom`) one of the vendor's `unit` is: 1 in the same unit; a vendor answering
    10 Units in Dozens (PO1*1*1*DZ) is written 12 Units, never 1. Refused when they do not compare (another
    category; a unit Odoo has none for, such as a case of unknown size)."""
    row_uom = m2o_id(uom)
    if not unit or row_uom is None:
        return 1.0
    try:
        theirs = unit_id(client, partner, cache, unit, where)
    except OdooRejected as exc:
        raise OdooRejected(f"{exc}; nothing was changed: apply it by hand, or map the unit and replay") from exc
    per = 1.0 if theirs == row_uom else units_per(client, theirs, row_uom, cache)
    if per is None:
        raise OdooRejected(f"{where}: unit {unit} does not compare with the order line's unit in Odoo; nothing was "
                           "changed: apply it by hand")
    return per


def _price_said(line: Line, row: dict[str, Any], per: float) -> str:
    """' at 7.95 (Odoo's price 7.50)' when the vendor's price (PO104, an IP's new one) is not the PO line's net one:
    not written, as the price is purchasing's to agree, but said, before the vendor's bill comes at it."""
    if line.unit_price is None or not per:
        return ""
    odoo = float(row.get("price_unit") or 0) * (1 - float(row.get("discount") or 0) / 100) * per
    return "" if abs(float(line.unit_price) - odoo) < 0.005 else f" at {line.unit_price} (Odoo's price {odoo:.2f})"


def _splits(goods: list[dict[str, Any]], row: dict[str, Any], line_no: str) -> list[dict[str, Any]]:
    """The lines holding the parts of `row` (line `line_no`) the vendor backordered."""
    return [r for r in goods if r.get("name") == split_name(str(row.get("name") or ""), line_no)
            and m2o_id(r.get("product_id")) == m2o_id(row.get("product_id"))]


def _orders(goods: list[dict[str, Any]], row: dict[str, Any], line_no: str) -> float:
    """What Odoo orders of line `line_no`: its row and its backordered parts."""
    return sum(float(r.get("product_qty") or 0) for r in (row, *_splits(goods, row, line_no)))


def apply_vendor_ack(client: OdooClient, doc: PurchaseOrderAck, partner: PartnerConfig, cache: Cache,
                     vendor: dict[str, Any]) -> list[OdooLink]:
    """Apply `doc` to its purchase order of `vendor`; everything is checked before the one write. One at a time:
    two acknowledgments of one order (numbers of their own, so the pipeline may post them at once) would each
    read the lines before the other's write and each add a line for the same backordered part."""
    with _APPLYING:
        return _apply(client, doc, partner, cache, vendor)


_APPLYING = threading.Lock()


def _apply(client: OdooClient, doc: PurchaseOrderAck, partner: PartnerConfig, cache: Cache,
           vendor: dict[str, Any]) -> list[OdooLink]:
    label = f"order acknowledgment {doc.number} of purchase order {doc.po_number}"
    orders = vendor_orders(client, doc.po_number, vendor,
                           ["state", *(["locked"] if "locked" in client.fields("purchase.order") else [])])
    if not orders:
        raise OdooRejected(f"{label}: no such purchase order of {vendor['name']} in Odoo")
    order = orders[0]
    ids = "/".join(x for x in (doc.source.interchange_control, doc.source.transaction_control) if x)
    marker = f"{MARKER} {doc.number} ({ids or doc.source.message_id or doc.date})"
    names = Names.of(client, cache)
    tax = "tax_ids" if "tax_ids" in client.fields("purchase.order.line") else "taxes_id"
    rows = client.search_read("purchase.order.line", [("order_id", "=", order["id"])],
                              ["sequence", "display_type", "name", "product_id", "product_qty", "qty_received",
                               "qty_invoiced", "price_unit", "discount", names.purchase_uom, tax], order="sequence, id")
    if any(r.get("display_type") == "line_note" and str(r.get("name") or "").startswith(marker) for r in rows):
        return [record_link(doc, "purchase.order", order["id"], "found")]       # applied: a retry
    if order.get("state") not in APPLICABLE or order.get("locked"):     # 19 locks a confirmed order by a flag
        state = "locked" if order.get("locked") else STATES.get(str(order.get("state")), order.get("state"))
        raise OdooRejected(f"{label}: purchase order {order['name']} is {state} in Odoo; nothing was changed: tell "
                           "purchasing what the vendor acknowledges, then close this message")
    goods = [r for r in rows if not r.get("display_type")]
    products = _products(ProductFinder(client, cache, vendor["id"], "vendor"), doc.lines)
    taken: set[int] = set()
    zone = day_zone(client, partner, cache)
    commands: list[list[Any]] = []
    notes: list[str] = []
    sequence = max((int(r.get("sequence") or 0) for r in rows), default=10)
    for index, line in enumerate(doc.lines, 1):
        line_no = line.line_no or str(index)
        parts = deliveries(line)
        if line.status is None:
            continue
        where = f"{label}, line {line_no}"
        unknown = [s for s in (line.status, *(a.qualifier for a in line.acks or [])) if s not in KNOWN]
        if unknown:
            raise OdooRejected(f"{where}: its status {unknown[0]} is none the gateway applies (accepted, changed, "
                               "backordered, rejected); nothing was changed: tell purchasing what the vendor "
                               "answers, then close this message")
        if any(a.unit != line.unit for a in line.acks or []):
            raise OdooRejected(f"{where}: its ACKs are in another unit than its line ({line.unit}); nothing was "
                               "changed: apply it by hand")
        if parts is None and products.get(f"line {line_no}", 0) is None:
            continue                # accepted as ordered, an item Odoo does not know the vendor by: left as it is
        row = po_line(goods, line_number(line_no), products.get(f"line {line_no}"), taken)
        if row is None and parts is None:
            continue
        if row is None:
            raise OdooRejected(f"{where}: the order has no line {line_no} of its product (it has {len(goods)} "
                               "product lines); nothing was changed")
        taken.add(row["id"])
        try:
            per = _per_unit(client, partner, cache, line.unit, row.get(names.purchase_uom), where)
        except OdooRejected:
            if parts is None:
                continue            # accepted as ordered in a unit Odoo cannot compare: left as it is
            raise
        if parts is None:           # accepted as ordered: Odoo's line must order it (a former ack may have cut it)
            if abs(_orders(goods, row, line_no) - float(line.ordered_quantity or line.quantity or 0) * per) < 1e-9:
                continue
            parts = [Part(line.ordered_quantity or line.quantity or Decimal(0), None)]
        if float(row.get("qty_received") or 0) > float(parts[0].quantity if parts else 0) * per + 1e-9:
            raise OdooRejected(f"{where}: {row.get('qty_received')} received already, more than the "
                               f"{parts[0].quantity if parts else 0} the vendor now delivers first; nothing was "
                               "changed")
        splits = _splits(goods, row, line_no)
        targets: list[dict[str, Any] | None] = [row, *splits]
        first = len(commands)
        for at, part in enumerate(parts or [Part(Decimal(0), None)]):
            vals: dict[str, Any] = {"product_qty": round(float(part.quantity) * per, 6)}
            if part.date:
                vals["date_planned"] = utc_datetime(part.date, None, zone)
            target = targets[at] if at < len(targets) else None
            if target is not None:
                commands.append([1, target["id"], vals])
                continue
            sequence += 1
            commands.append([0, 0, {**vals, "sequence": sequence, "product_id": m2o_id(row.get("product_id")),
                                    "name": split_name(str(row.get("name") or ""), line_no),
                                    "price_unit": row.get("price_unit"), "discount": row.get("discount") or 0.0,
                                    names.purchase_uom: m2o_id(row.get(names.purchase_uom)),
                                    tax: [[6, 0, list(row.get(tax) or [])]]}])
        commands += [[1, r["id"], {"product_qty": 0.0}] for r in splits[max(len(parts), 1) - 1:]]
        received = {r["id"]: float(r.get("qty_received") or 0) for r in splits}
        for command in commands[first:]:    # a backordered part received already is not ordered below it either
            if command[0] == 1 and received.get(command[1], 0.0) > command[2]["product_qty"] + 1e-9:
                raise OdooRejected(f"{where}: {received[command[1]]:g} received already of its part the vendor "
                                   f"backordered, more than the {command[2]['product_qty']:g} it would now order; "
                                   "nothing was changed")
        ordered = _orders(goods, row, line_no)
        coming = float(sum((p.quantity for p in parts), Decimal(0))) * per
        differs = line.ordered_quantity is not None and abs(float(line.ordered_quantity) * per - ordered) > 1e-9 \
            and abs(coming - ordered) > 1e-9        # not an acknowledgment applied already (the vendor's resend)
        billed = sum(float(r.get("qty_invoiced") or 0) for r in targets if r is not None)
        notes.append(said(line, f"line {line_no}") + (f" (of {line.ordered_quantity:f} it read ordered; Odoo's "
                                                      f"order had {ordered:g})" if differs else "")
                     + _price_said(line, row, per)
                     + (f" ({billed:g} billed already: {billed - coming:g} to be credited by the vendor)"
                        if billed > coming + 1e-9 else ""))
    if doc.ack_type == "rejected" and not doc.lines:    # BAK02 RJ, BGM 1225 27: none of it, as a line rejected whole
        came = [r for r in goods if float(r.get("qty_received") or 0) > 1e-9]
        if came:
            raise OdooRejected(f"{label}: the vendor rejects the order, of which {came[0].get('name')} was "
                               "received already; nothing was changed: tell purchasing, then close this message")
        commands += [[1, r["id"], {"product_qty": 0.0}] for r in goods if float(r.get("product_qty") or 0)]
        notes.append("the vendor rejects the order: every line orders 0")
    commands.append([0, 0, {"display_type": "line_note", "sequence": sequence + 1, "product_qty": 0.0,
                            "name": marker + (": " + "; ".join(notes) if notes else ": accepted as ordered")}])
    # Odoo's own 'Acknowledged' box (the vendor confirmed receipt of the order; 19's purchase.order), where it has one
    acknowledged = {"acknowledged": True} if "acknowledged" in client.fields("purchase.order") \
        and not (doc.ack_type == "rejected" and not doc.lines) else {}
    client.write("purchase.order", [order["id"]], {"order_line": commands, **acknowledged})
    log.info("%s applied to %s: %s", label, order["name"], "; ".join(notes) or "accepted as ordered")
    return [record_link(doc, "purchase.order", order["id"], "updated")]
