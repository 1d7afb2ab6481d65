"""Inbound canonical documents -> Odoo records, each posting idempotent.

`post(client, doc, partner, cache)` is the only entry point (the pipeline's TRANSLATED ->
POSTED step). Every handler searches for the record it would create before creating it,
and creates a record with its lines in one call (one transaction in Odoo), so a retry
after a lost response finds the first record instead of doubling it:

- PurchaseOrder (customer) -> sale.order (`gateway.odoo.sale_orders`); its cancellation, replacement or
  change -> that sale order (`gateway.odoo.order_changes`).
- Invoice (vendor) -> draft vendor bill, duplicate check on vendor + ref, linked to the PO.
- ShipNotice (vendor / 3PL) -> the PO's open receipt: quantities on the PO lines they name, lots, serial
  numbers, SSCC packages, tracking; validated only with `odoo.validate_receipts`. Which receipt, and when
  none may take it (goods already received): `gateway.odoo.receipts`.
- InventoryAdvice (vendor) -> the vendor's availability on its product.supplierinfo lines.
- PurchaseOrderAck (vendor) -> its purchase order's lines (`gateway.odoo.vendor_acks`).

What Odoo cannot take (unknown product, ship-to or unit, currency mismatch) raises
OdooRejected naming the line and the identifier; the pipeline quarantines the message.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from gateway.config.models import PartnerConfig
from gateway.errors import OdooRejected
from gateway.journal.api import OdooLink
from gateway.odoo.bill_checks import (
    TOTALS_NOTE,
    bill_pieces,
    credited_invoice,
    line_notes,
    line_po_number,
    po_line_for,
    stated_totals,
    totals_note,
)
from gateway.odoo.client import OdooClient, RequiredFieldMissing
from gateway.odoo.credit_memos import credited_bill
from gateway.odoo.destinations import destinations
from gateway.odoo.lookup import (
    Cache,
    Names,
    ProductFinder,
    commercial_partner,
    currency_id,
    day_zone,
    discount_digits,
    m2o_id,
    m2o_name,
    price_digits,
    utc_datetime,
)
from gateway.odoo.order_changes import cancel_order, merge_changes, post_original, revise_order
from gateway.odoo.receipts import (
    check_in_stock,
    check_not_announced,
    check_serials,
    check_tracking,
    in_own_unit,
    not_on_receipt,
    noted,
    notice_marker,
    notice_trackings,
    per_serial,
    receipt_for,
    share_out,
    shared,
    tracking_numbers,
    tracking_of,
    units_per,
    vendor_orders,
)
from gateway.odoo.records import html_notes, line_labels, record_link
from gateway.odoo.sale_orders import (
    AS_SENT,
    PURPOSES,
    allowances_in_price,
    check_currency,
    line_allowances,
    post_store_orders,
    price_per_odoo_unit,
    quantity_and_unit,
    stated_quantity,
    unkept_price,
)
from gateway.odoo.vendor_acks import apply_vendor_ack
from gateway.translate.canonical import (
    Document,
    InventoryAdvice,
    Invoice,
    Line,
    Pack,
    PurchaseOrder,
    PurchaseOrderAck,
    ShipItem,
    ShipNotice,
    ShipOrder,
    restates,
)
from gateway.translate.charges import charge_key

log = logging.getLogger("gateway.odoo.posting")

__all__ = ["Cache", "post"]

ODOO_EXACT = Decimal("1e15")   # Odoo keeps quantities and prices as floats: integers beyond 15 digits are not exact
STALE_ERRORS = ("odoo.exceptions.MissingError", "odoo.exceptions.ValidationError")


def post(client: OdooClient, doc: Document, partner: PartnerConfig, cache: Cache | None = None) -> list[OdooLink]:
    """Post one canonical document; returns the Odoo records created, found or updated."""
    cache = cache if cache is not None else Cache()
    handler = HANDLERS.get(doc.doc_type)
    if handler is None:
        raise OdooRejected(f"{doc.doc_type} {doc.number}: the gateway does not post this document type to Odoo")
    nul = nul_field(doc.model_dump(mode="python", exclude_none=True))
    if nul is not None:
        raise OdooRejected(f"{doc.doc_type} {doc.number}: {nul} holds a NUL character (0x00), which Odoo's "
                           "database cannot store; the partner's file has it (its validation warning names the "
                           "segment and element): ask for the file again without it")
    try:
        try:
            return handler(client, doc, partner, cache)
        except OdooRejected as exc:
            if exc.odoo_error not in STALE_ERRORS or isinstance(exc, RequiredFieldMissing):
                raise
            # a cached id Odoo no longer accepts (archived product, deleted contact): look up afresh, once
            log.info("odoo rejected %s %s (%s); retrying with fresh lookups", doc.doc_type, doc.number, exc)
            cache.invalidate()
            return handler(client, doc, partner, cache)
    except RequiredFieldMissing as exc:     # Odoo's text names no document: a batch's reader needs which
        raise OdooRejected(f"{doc.doc_type} {doc.number}: {exc}") from None
    except ArithmeticError as exc:      # decimal.InvalidOperation: beyond 28 significant digits
        raise OdooRejected(f"{doc.doc_type} {doc.number}: a quantity, price or amount is too large to compute "
                           f"with ({type(exc).__name__}); check the partner's figures") from None


def nul_field(value: Any, path: str = "") -> str | None:
    """The dotted path of the first text in `value` holding a NUL character, which PostgreSQL refuses in
    any query (found before anything is written, so no half-posted document)."""
    if isinstance(value, str):
        return (path or "document") if "\x00" in value else None
    if isinstance(value, dict):
        items: Any = value.items()
    elif isinstance(value, list):
        items = ((f"[{i}]", v) for i, v in enumerate(value, 1))
    else:
        return None
    for key, item in items:
        key = str(key)
        found = nul_field(item, path + key if key.startswith("[") else f"{path}.{key}" if path else key)
        if found is not None:
            return found
    return None


# --------------------------------------------------------------------------- PurchaseOrder -> sale.order

def post_order(client: OdooClient, doc: Document, partner: PartnerConfig, cache: Cache) -> list[OdooLink]:
    assert isinstance(doc, PurchaseOrder)
    names = Names.of(client, cache)
    label = f"order {doc.number}"
    if not doc.number.strip():
        raise OdooRejected("an order without a number (PO number): Odoo could not find it again, so a repeat "
                           "would make a second sale order; it is not posted")
    if doc.purpose not in PURPOSES:
        raise OdooRejected(f"{label}: purpose {doc.purpose!r} is not one the gateway applies "
                           f"({', '.join(sorted(p for p in PURPOSES if p))}); map the partner's code in the "
                           "profile's `purpose` codes")
    if doc.purpose in AS_SENT and any(line.change for line in doc.lines):
        # an 860 / ORDCHG lists only what changes: taken as a whole order it would delete every line it leaves out
        raise OdooRejected(f"{label}: its lines say what changes (X12 860 POC02, EDIFACT ORDCHG LIN action), but "
                           f"its purpose is {doc.purpose!r}, not a change, so it is not applied as the whole order "
                           "(the lines it does not list would be removed); map the partner's code to change in the "
                           "profile's `purpose` codes (an 860 sending BCH01 00: codes: {purpose: {\"00\": change}})")
    check_figures(label, [(line.line_no or str(index), line.quantity, line.unit_price)
                          for index, line in enumerate(doc.lines, 1)])
    customer = commercial_partner(client, partner, doc, cache)
    if doc.purpose == "cancel":
        return cancel_order(client, doc, customer, label, partner.odoo.order_wait_minutes)
    if doc.purpose == "replace":
        return revise_order(client, doc, partner, customer, names, cache, label, "replacement")
    if doc.purpose == "change" and partner.odoo.order_changes == "revise":
        if not doc.lines or any(line.change for line in doc.lines):     # lists what changes (maybe the header only)
            return merge_changes(client, doc, partner, customer, names, cache, label)
        return revise_order(client, doc, partner, customer, names, cache, label, "change")
    check_currency(client, partner, doc, customer, cache, label)
    if partner.odoo.store_orders == "split" and doc.purpose in ("original", "") and \
            any(place is not None for place, _ in destinations(doc, label)):
        return post_store_orders(client, doc, partner, customer, names, cache, label)
    return post_original(client, doc, partner, customer, names, cache, label)


def check_figures(label: str, lines: list[tuple[str, Decimal | None, Decimal | None]], *,
                  negative_ok: bool = False) -> None:
    """Refuse, before anything is written, a quantity below zero (unless `negative_ok`: an invoice's credit
    line) and a quantity or price Odoo cannot keep exactly (a float: 15 digits), naming the line; the
    retry of a record Odoo made with a rounded figure would not find it again. `lines`: (line number,
    quantity, unit price)."""
    for number, quantity, price in lines:
        where = f"{label}, line {number}"
        if quantity is not None and quantity < 0 and not negative_ok:
            raise OdooRejected(f"{where}: quantity {quantity} is negative")
        for what, value in (("quantity", quantity), ("unit price", price)):
            if value is not None and abs(value) >= ODOO_EXACT:
                raise OdooRejected(f"{where}: {what} {value} has more digits than Odoo keeps exactly (15)")


# --------------------------------------------------------------------------- Invoice (vendor) -> vendor bill

VENDOR_ROLES = ("seller", "supplier", "vendor", "remit_to", "ship_from")
BILLABLE = ("purchase", "done")     # purchase.order states a bill may be made for: confirmed, locked


def post_vendor_bill(client: OdooClient, doc: Document, partner: PartnerConfig, cache: Cache) -> list[OdooLink]:
    """Make the draft bill of a vendor's invoice or credit note. One at a time: a bill line for a PO line the
    vendor split fills it and its parts by what Odoo leaves to bill (`bill_pieces`), read before the bill is
    made, so two bills of one PO posted at once (two invoices, two workers) would both fill line 1."""
    with _BILLING:
        return _post_vendor_bill(client, doc, partner, cache)


_BILLING = threading.Lock()


def _post_vendor_bill(client: OdooClient, doc: Document, partner: PartnerConfig, cache: Cache) -> list[OdooLink]:
    assert isinstance(doc, Invoice)
    names = Names.of(client, cache)
    label = f"invoice {doc.number}"
    if not doc.number.strip():
        raise OdooRejected("an invoice without a number: Odoo could not find its bill again, so a repeat would "
                           "make a second one; it is not posted")
    check_figures(label, [(line.line_no or str(index), line.quantity, line.unit_price)
                          for index, line in enumerate(doc.lines, 1)], negative_ok=True)
    # what the gateway's consistency checks warned of (a line amount that is not quantity x price, a quantity total
    # that does not add up, a line count a person released), said on the bill as on a sale order; a negative line
    # is a credit line a bill takes as it is. On the invoice as sent: its credit lines are made positive below
    checked = [f"EDI check: {problem}" for problem in doc.check() if problem.kind != "negative"]
    doc = _credited_as_positive(doc)
    vendor = commercial_partner(client, partner, doc, cache, roles=VENDOR_ROLES)
    move_type = "in_refund" if doc.invoice_type == "credit_note" else "in_invoice"
    existing = client.search("account.move", [("move_type", "=", move_type), ("partner_id", "child_of", vendor["id"]),
                                              ("ref", "=", doc.number), ("state", "!=", "cancel")], limit=1)
    if existing:        # a retry after the bill was made: its totals note too, if that write was lost
        _note_totals(client, doc, existing[0], label)
        return [record_link(doc, "account.move", existing[0], "found")]
    orders = _bill_orders(client, doc, vendor, names, label)
    vals: dict[str, Any] = {"move_type": move_type, "partner_id": vendor["id"], "ref": doc.number}
    for field_name, day, what in (("invoice_date", doc.date, "date"), ("invoice_date_due", doc.due_date, "due date")):
        if day:
            try:
                vals[field_name] = date.fromisoformat(day).isoformat()
            except ValueError:
                raise OdooRejected(f"{label}: its {what} {day!r} is not a calendar date (YYYY-MM-DD)") from None
    if "invoice_date_due" in vals:
        # the date the vendor bills us for: Odoo would otherwise take the vendor's supplier payment term and
        # compute the due date from it over the one written (account.move `_compute_invoice_payment_term_id`,
        # `_compute_invoice_date_due` over `needed_terms`, 16-19); a bill without terms keeps the date it is given
        vals["invoice_payment_term_id"] = False
    if orders:                      # as Odoo's own bill of several POs names them
        vals["invoice_origin"] = ", ".join(po["name"] for po, _ in orders.values())
    if doc.currency:
        vals["currency_id"] = currency_id(client, cache, doc.currency, label)
        for po, _ in orders.values():
            if m2o_name(po.get("currency_id")) not in (None, doc.currency):
                raise OdooRejected(f"{label}: currency mismatch: the invoice is in {doc.currency}, purchase order "
                                   f"{po['name']} in {m2o_name(po['currency_id'])}")
    finder = ProductFinder(client, cache, vendor["id"], "vendor")
    labels = line_labels(doc.lines, label)
    charges = _bill_charges(_unrestated(doc), partner, label)
    digits = discount_digits(client, cache, "account.move.line")
    discounts: list[Decimal | None] = []
    for index, line in enumerate(doc.lines, 1):
        discount, line_charges = _line_allowances(line, index, partner, label, digits)
        discounts.append(discount)
        charges += line_charges
    matches = finder.resolve([(lab, line.item_ids) for lab, line in zip(labels, doc.lines)])
    charge_products = _charge_products(finder, charges)
    unused = {number: list(lines) for number, (_, lines) in orders.items()}
    commands = []
    billed: list[tuple[str, dict[str, Any], float, int, Decimal | None]] = []
    taken: dict[int, float] = {}        # of each PO line by this bill's lines so far, in its unit
    spreads: list[str] = []
    for lab, line, discount in zip(labels, doc.lines, discounts):
        match = matches[lab]
        qty, uom = quantity_and_unit(client, partner, cache, stated_quantity(line, lab), line.unit, line.pack_size,
                                     match.uom_id, lab)
        priced = line if line.unit_price is not None else line.model_copy(update={
            "unit_price": line.amount / line.quantity if line.amount is not None and line.quantity else None})
        unkept = unkept_price(partner, priced, price_digits(client, cache, "account.move.line"), lab)
        if unkept is not None:
            raise OdooRejected(unkept)
        price = price_per_odoo_unit(partner, priced)
        item: dict[str, Any] = {"product_id": match.product_id, "quantity": qty, "product_uom_id": uom}
        if price is not None:
            item["price_unit"] = float(price)
        if discount is not None:        # the gross price stays the line's price, as on sale order lines
            item["discount"] = float(discount)
            price = None if price is None else price * (1 - discount / 100)     # what it costs, for the PO check
        if line.description:
            item["name"] = line.description
        number = line_po_number(line) or ""
        number = number if number in orders else doc.po_number or ""
        order, po_lines = orders.get(number, (None, []))
        po_line = po_line_for(doc, line, match.product_id, price, uom, names.purchase_uom, po_lines,
                              unused.get(number, []))
        if po_line is None and order is not None:
            raise OdooRejected(f"{lab}: {match.name} is not on purchase order {order['name']}")
        pieces, spread_said = ([(po_line, qty)], None) if po_line is None else \
            bill_pieces(client, cache, lab, po_line, po_lines, qty, uom, names.purchase_uom, taken,
                        credit=move_type == "in_refund")
        spreads += [spread_said] if spread_said else []
        for piece, piece_qty in pieces:     # one bill line per PO line: a line the vendor split is billed on each part
            if piece is not None:
                if piece in unused[number]:
                    unused[number].remove(piece)
                billed.append((lab, piece, piece_qty, uom, price))
            commands.append([0, 0, {**item, "quantity": piece_qty} | (
                {"purchase_line_id": piece["id"]} if piece is not None else {})])
    for (charge_label, name, _, amount), product in zip(charges, charge_products):
        commands.append([0, 0, {"product_id": product, "quantity": 1.0, "price_unit": float(amount),
                                "name": name}])
        log.info("%s: bill line %s %s", charge_label, name, amount)
    vals["invoice_line_ids"] = commands
    differ = spreads + (line_notes(client, cache, billed, names.purchase_uom) if move_type == "in_invoice" else [])
    credited = credited_invoice(doc)
    if credited is not None:        # Odoo's "Reversal of": the credit note is read beside the bill it corrects
        known = credited_bill(doc)  # the bill made of a cXML invoice the memo names by payloadID, else by number
        which = ["|", ("id", "=", known), ("ref", "=", credited)] if known else [("ref", "=", credited)]
        original = client.search("account.move", [("move_type", "=", "in_invoice"), *which,
                                                  ("partner_id", "child_of", vendor["id"]), ("state", "!=", "cancel")],
                                 limit=1)
        if original:
            vals["reversed_entry_id"] = original[0]
        else:
            differ.append(f"EDI: credits invoice {credited}, which has no bill of {vendor['name']} in Odoo")
    if differ:
        log.warning("%s: %s", label, "; ".join(differ))
    notes = ([f"terms: {doc.terms}"] if doc.terms else []) + doc.notes + differ + checked  # terms as written
    if notes:
        vals["narration"] = html_notes(notes)
    bill = client.create("account.move", vals)
    log.info("created vendor bill account.move %s for %s", bill, label)
    _note_totals(client, doc, bill, label)
    return [record_link(doc, "account.move", bill, "created")]


def _bill_orders(client: OdooClient, doc: Invoice, vendor: dict[str, Any], names: Names,
                 label: str) -> dict[str, tuple[dict[str, Any], list[dict[str, Any]]]]:
    """The purchase orders the invoice bills, by number: the invoice's own (X12 BIG04, EDIFACT RFF+ON, ...) and
    those its lines name (a consolidated invoice: X12 REF*PO in the IT1 loop, EDIFACT RFF+ON in the LIN group),
    each with its product lines in Odoo's order (`_position` their number among them). The invoice's own PO not in
    Odoo (of this vendor) refuses it by name; so does a line's, unless the invoice names its own PO (a line's
    reference may be another order's, a drop-ship customer's: that line goes to the invoice's PO)."""
    numbers = list(dict.fromkeys(n for n in [doc.po_number, *(line_po_number(line) for line in doc.lines)] if n))
    orders: dict[str, tuple[dict[str, Any], list[dict[str, Any]]]] = {}
    # the bill control figures (`bill_checks.line_notes`): received, and what Odoo's bill control leaves to bill
    extra = [f for f in ("discount", "qty_received", "qty_to_invoice") if f in client.fields("purchase.order.line")]
    # a line's digits name our PO by its digits only from a vendor that names ours so (or names none of its own): a
    # drop-ship customer's PO number (4711) on a line of an invoice of P00012 is no P04711 of the vendor's
    by_digits = not doc.po_number
    for number in numbers:
        rows = vendor_orders(client, number, vendor, ["currency_id", "state"], by_digits or number == doc.po_number)
        by_digits = by_digits or bool(rows and number == doc.po_number and rows[0]["name"] != number)
        if not rows and number != doc.po_number and doc.po_number:
            continue
        if not rows:
            raise OdooRejected(f"{label}: purchase order {number} of {vendor['name']} is not in Odoo")
        if rows[0].get("state") not in BILLABLE:
            # Odoo bills confirmed orders only (its Create Bill button); a bill linked to an RFQ's or a cancelled
            # order's lines would count as billed on an order nobody placed
            raise OdooRejected(f"{label}: purchase order {number} is {rows[0].get('state')!r} in Odoo, not confirmed: "
                               "nothing was written; confirm it (or enter the bill by hand if it was cancelled), "
                               "then replay")
        lines = client.search_read("purchase.order.line", [("order_id", "=", rows[0]["id"]),
                                                           ("display_type", "=", False)],
                                   ["product_id", "name", names.purchase_uom, "price_unit", "product_qty",
                                    "qty_invoiced", *extra], order="sequence, id")
        for position, row in enumerate(lines, 1):
            row["_position"], row["_order"] = position, rows[0]["name"]
        orders[number] = (rows[0], lines)
    return orders


def _note_totals(client: OdooClient, doc: Invoice, bill: int, label: str) -> None:
    """Note on the draft bill where its total or tax, as Odoo computed them from its lines' taxes, differs from what
    the vendor states (`bill_checks.totals_note`); once (a retry finds the note), and only on a draft."""
    if stated_totals(doc) == (None, None):
        return
    [row] = client.read("account.move", [bill], ["move_type", "state", "amount_total", "amount_tax", "narration"])
    note = totals_note(doc, row)
    if note is None or row.get("state") != "draft" or TOTALS_NOTE in (row.get("narration") or ""):
        return
    log.warning("%s: %s", label, note)
    client.write("account.move", [bill], {"narration": (row.get("narration") or "") + html_notes([note])})


def _bill_charges(doc: Invoice, partner: PartnerConfig, label: str) -> list[tuple[str, str, str, Decimal]]:
    """(label, line name, internal reference, signed amount) of each of the invoice's allowances/charges
    (freight, handling, a discount), as a bill line on the service product `odoo.charge_products` maps its
    code (else its kind) to. One the bill cannot carry is refused: a bill without it would not match the
    vendor's total."""
    mapping = partner.odoo.charge_products
    subtotal = None if any(line.unit_price is None and line.amount is None for line in doc.lines) else sum(
        (line.amount if line.amount is not None else (line.quantity or Decimal(0)) * (line.unit_price or 0)
         for line in doc.lines), Decimal(0))
    out = []
    for index, ac in enumerate(doc.allowances_charges, 1):
        lab = f"{label}, {ac.kind} {ac.code or index}"
        text = " ".join(p for p in (ac.kind, ac.code, ac.description) if p)
        base = ac.base_amount if ac.base_amount is not None else subtotal
        amount = ac.amount if ac.amount is not None else (base * ac.percent / 100).quantize(Decimal("0.01")) \
            if ac.percent is not None and base is not None else None
        if amount is None:
            raise OdooRejected(f"{lab}: {text} has no amount the bill can take (no amount, and no percent of a "
                               "known base); enter the bill in Odoo")
        if not amount:
            continue
        key = charge_key(ac.code, ac.kind, mapping)
        if key is None:
            raise OdooRejected(f"{lab}: {text} of {amount} has no Odoo product to go on the bill as a line; map "
                               f"its code (or '{ac.kind}') to a service product in the partner's "
                               "odoo.charge_products, then replay")
        amount = -abs(amount) if ac.kind == "allowance" else abs(amount)
        out.append((lab, ac.description or ac.code or ac.kind, mapping[key], amount))
    return out


def _unrestated(doc: Invoice) -> Invoice:
    """The invoice without those of its own allowances/charges that restate its lines' (`canonical.restates`:
    Ariba's 810, shipping 3.00 on each line and 6.00 in the summary): the lines' are billed on them (a discount, a
    charge line), and a bill taking both charged the shipping twice."""
    own = [ac.__dict__ for line in doc.lines if line.unit_price is not None and line.quantity is not None
           and not allowances_in_price(line) for ac in line.allowances_charges]
    if not restates([ac.__dict__ for ac in doc.allowances_charges], own):
        return doc
    codes = {(ac["kind"], ac.get("code")) for ac in own}
    return doc.model_copy(update={"allowances_charges": [ac for ac in doc.allowances_charges
                                                         if (ac.kind, ac.code) not in codes]})


def _credited_as_positive(doc: Invoice) -> Invoice:
    """A credit note whose every line is negative (an 810 credit memo with IT102 -10, as many vendors send it) is
    what it credits, positive: a vendor credit note already takes the amounts back, so its lines' signs would
    turn it into money we owe. So is an invoice whose every line is negative (a credit sent without BIG07 CR or
    BGM 381): a credit note, since Odoo refuses to post a bill whose total is below zero ("create a credit note
    instead"). Lines of both signs (a credit with a charge, a return on an invoice) are kept as sent."""
    def value(line: Line) -> Decimal:
        if line.amount is not None:
            return line.amount
        return (line.quantity or Decimal(0)) * (line.unit_price if line.unit_price is not None else Decimal(1))
    if doc.invoice_type not in ("credit_note", "invoice") or not all(value(line) < 0 for line in doc.lines):
        return doc
    return doc.model_copy(update={"invoice_type": "credit_note", "lines": [line.model_copy(update={
        field: abs(getattr(line, field)) for field in ("quantity", "unit_price", "amount")
        if getattr(line, field) is not None}) for line in doc.lines]})


def _line_allowances(line: Line, index: int, partner: PartnerConfig, label: str,
                     digits: int) -> tuple[Decimal | None, list[tuple[str, str, str, Decimal]]]:
    """A vendor line's own allowances and charges (X12 SAC in the IT1 loop, EDIFACT ALC in the LIN group) as an
    order line's are (`sale_orders.line_allowances`: allowances the bill line's Discount (%), the rest bill lines
    on the products `odoo.charge_products` maps them to, an unmapped one refusing the invoice as the invoice's own
    do); none when they are in its price already (`sale_orders.allowances_in_price`: its MOA 203, else PRI+AAA).
    A bill is priced as invoiced, whatever the partner's price policy for orders."""
    if not line.allowances_charges or line.unit_price is None or line.quantity is None:
        return None, []
    as_invoiced = partner.model_copy(update={"odoo": partner.odoo.model_copy(update={"price_policy": "order"})})
    discount, charges, _ = line_allowances(line, index, as_invoiced, label, digits)
    out = []
    for charge in charges:
        said = charge.said.split(": ", 1)[-1]           # without the "line N: " the label has
        if charge.amount is not None and not charge.amount:
            continue                # 'SAC*C*D240***0': nothing to bill, as for the invoice's own (`_bill_charges`)
        if charge.amount is None:
            raise OdooRejected(f"{charge.label}: {said} has no amount the bill can take; enter the bill in Odoo")
        if charge.default_code is None:
            kind = charge.source.kind if charge.source else "charge"
            raise OdooRejected(f"{charge.label}: {said} has no Odoo product to go on the bill as a line; map its "
                               f"code (or '{kind}') to a service product in the partner's odoo.charge_products, "
                               "then replay")
        out.append((charge.label, charge.name, charge.default_code, charge.amount))
    return discount, out


def _charge_products(finder: ProductFinder, charges: list[tuple[str, str, str, Decimal]]) -> list[int]:
    """The product of each bill charge, by internal reference."""
    products = []
    for lab, _, code, _ in charges:
        try:
            products.append(finder.resolve([(lab, {"default_code": code})])[lab].product_id)
        except OdooRejected:
            raise OdooRejected(f"{lab}: no product with internal reference {code!r} in Odoo (partner setting "
                               "odoo.charge_products maps it); create the service product or change the "
                               "partner setting") from None
    return products


# --------------------------------------------------------------------------- ShipNotice (vendor) -> receipt

def _walk(packs: list[Pack], outer: str | None = None) -> list[tuple[str | None, ShipItem]]:
    """(sscc of the innermost pack, item) for every item in a pack tree."""
    out: list[tuple[str | None, ShipItem]] = []
    for pack in packs:
        sscc = pack.sscc or outer
        out += [(sscc, item) for item in pack.items]
        out += _walk(pack.packs, sscc)
    return out


def post_receipt(client: OdooClient, doc: Document, partner: PartnerConfig, cache: Cache) -> list[OdooLink]:
    assert isinstance(doc, ShipNotice)
    label = f"ship notice {doc.number}"
    check_figures(label, [(item.line_no or str(index), item.quantity, None)
                          for index, item in enumerate(doc.all_items(), 1)])
    vendor = commercial_partner(client, partner, doc, cache, roles=VENDOR_ROLES)
    finder = ProductFinder(client, cache, vendor["id"], "vendor")
    # every order of the notice is checked before any receipt is written: a notice covering two POs whose
    # second names an unknown PO or a product not on its receipt must not leave the first one half applied
    plans: list[tuple[str, dict[str, Any], str, list[list[Any]], str | None] | OdooLink] = []
    for order in _by_po(doc.orders):
        plans.append(_plan_receipt(client, doc, partner, cache, vendor, finder, order, label))
    arrival = _expected_arrival(doc, label)
    packages = _packages(client, [c[2]["result_package_id"] for p in plans if not isinstance(p, OdooLink)
                                  for c in p[3] if c[0] == 0 and "result_package_id" in c[2]])
    links: list[OdooLink] = []
    for plan in plans:
        if isinstance(plan, OdooLink):
            links.append(plan)
            continue
        olabel, picking, marker, commands, tracking = plan
        for command in commands:
            if command[0] == 0 and "result_package_id" in command[2]:
                command[2]["result_package_id"] = packages[command[2]["result_package_id"]]
        pick_vals: dict[str, Any] = {"move_line_ids": commands}
        if not noted(picking, marker):
            pick_vals["note"] = (picking.get("note") or "") + html_notes([marker])
        if arrival is not None:     # the vendor's expected delivery: where purchasing and the dock plan it
            zone = day_zone(client, partner, cache, _warehouse_of(client, partner, picking))
            pick_vals["scheduled_date"] = utc_datetime(arrival, None, zone)
        if tracking and "carrier_tracking_ref" in client.fields("stock.picking"):
            pick_vals["carrier_tracking_ref"] = tracking
        elif tracking and f"tracking {tracking}" not in (picking.get("note") or ""):
            # a database without Delivery (stock_delivery) has no tracking field: the note keeps it
            pick_vals["note"] = pick_vals.get("note", picking.get("note") or "") + html_notes([f"tracking {tracking}"])
        client.write("stock.picking", [picking["id"]], pick_vals)
        if partner.odoo.validate_receipts:
            result = client.call("stock.picking", "button_validate", [picking["id"]],
                                 context={"skip_backorder": True})
            if isinstance(result, dict):
                raise OdooRejected(f"{olabel}: Odoo asks for {result.get('res_model')} to validate receipt "
                                   f"{picking['name']}; validate it in Odoo")
        links.append(record_link(doc, "stock.picking", picking["id"], "updated"))
    return links


def _expected_arrival(doc: ShipNotice, label: str) -> str | None:
    """The day the notice says the goods arrive (X12 DTM 017/067, EDIFACT DTM+17/2/132, UBL Delivery, cXML
    deliveryDate), checked before any receipt is written."""
    if not doc.delivery_date:
        return None
    try:
        return date.fromisoformat(doc.delivery_date).isoformat()
    except ValueError:
        raise OdooRejected(f"{label}: its delivery date {doc.delivery_date!r} is not a calendar date "
                           "(YYYY-MM-DD)") from None


def _warehouse_of(client: OdooClient, partner: PartnerConfig, picking: dict[str, Any]) -> int | None:
    """The receipt's warehouse, read only where the partner's days are the warehouse's (`odoo.day_zone`)."""
    kind_id = m2o_id(picking.get("picking_type_id"))
    if partner.odoo.day_zone != "warehouse" or kind_id is None:
        return None
    [kind] = client.read("stock.picking.type", [kind_id], ["warehouse_id"])
    return m2o_id(kind.get("warehouse_id"))


def _by_po(orders: list[ShipOrder]) -> list[ShipOrder]:
    """The notice's orders, one per PO number: a PO in two order loops is received as one (its receipt's move
    lines are replaced by the notice's, so a second loop must not replace the first's)."""
    merged: dict[str, ShipOrder] = {}
    for order in orders:
        first = merged.get(order.po_number)
        merged[order.po_number] = order if first is None else first.model_copy(update={
            "items": first.items + order.items, "packs": first.packs + order.packs})
    return list(merged.values())


def _plan_receipt(client: OdooClient, doc: ShipNotice, partner: PartnerConfig, cache: Cache,
                  vendor: dict[str, Any], finder: ProductFinder, order: ShipOrder, label: str,
                  ) -> tuple[str, dict[str, Any], str, list[list[Any]], str | None] | OdooLink:
    """One order of a ship notice: the link of its receipt when the notice is applied and validated already,
    else (label, receipt, marker, move line commands with the SSCC in `result_package_id`, tracking):
    everything checked, nothing written."""
    olabel = f"{label}, purchase order {order.po_number}"
    pos = [r["id"] for r in vendor_orders(client, order.po_number, vendor, [])]
    if not pos:
        raise OdooRejected(f"{olabel}: no such purchase order of {vendor['name']} in Odoo")
    fields = ["name", "state", "location_id", "location_dest_id", "note", "date_done", "company_id", "picking_type_id"]
    if "carrier_tracking_ref" in client.fields("stock.picking"):
        fields.append("carrier_tracking_ref")
    # a drop-ship PO's one transfer (Vendors -> Customers) is what its vendor's notice announces: `incoming` to
    # 17, of stock_dropshipping's own code `dropship` from 18 (an unknown selection value matches nothing before)
    pickings = client.search_read("stock.picking", [("purchase_id", "=", pos[0]),
                                                    ("picking_type_code", "in", ["incoming", "dropship"]),
                                                    ("state", "!=", "cancel")], fields, order="id")
    picking = receipt_for(client, doc, order, pickings, olabel)
    keep = shared(doc, picking, pickings, olabel)
    if picking["state"] == "done" or keep is None:     # applied (and validated, or beside other notices): a resend
        return record_link(doc, "stock.picking", picking["id"], "found")
    if keep:
        check_not_announced(client, doc, order, picking, olabel)
    marker = notice_marker(doc)
    entries = [(None, item) for item in order.items] + _walk(order.packs)
    labels = line_labels([item for _, item in entries], olabel)
    matches = finder.resolve([(lab, item.item_ids) for lab, (_, item) in zip(labels, entries)])
    moves = client.search_read("stock.move", [("picking_id", "=", picking["id"])],
                               ["product_id", "product_uom", "product_uom_qty", "purchase_line_id", "move_line_ids"])
    planned = []
    for lab, (sscc, item) in zip(labels, entries):
        match = matches[lab]
        if not any(m2o_id(m["product_id"]) == match.product_id for m in moves):
            raise not_on_receipt(client, pos[0], pickings, picking, lab, match.product_id,
                                 f"{match.name} ({match.via})")
        qty, uom = quantity_and_unit(client, partner, cache, item.quantity, item.unit, None, match.uom_id, lab)
        planned.append((sscc, item, match, qty, uom))
    validating = partner.odoo.validate_receipts
    tracked = tracking_of(client, [match.product_id for _, item, match, _, _ in planned if item.serials or validating])
    serial = {product for product, how in tracked.items() if how == "serial"}
    planned = [(sscc, item, match, *in_own_unit(client, qty, uom, match.uom_id, cache))
               if match.product_id in serial and item.serials else (sscc, item, match, qty, uom)
               for sscc, item, match, qty, uom in planned]
    names = Names.of(client, cache)     # the received quantity is the lines' done one: qty_done in 16
    shares = share_out(client, pos[0], _left_open(client, moves, picking, names.line_qty, cache) if keep else moves,
                       [(item.line_no, match.product_id, qty, uom) for _, item, match, qty, uom in planned])
    seen: set[str] = set()
    for lab, (_, item, match, qty, uom) in zip(labels, planned):
        check_tracking(lab, item, match.name, tracked.get(match.product_id, "none"), validating)
        if match.product_id in serial and item.serials:
            check_serials(lab, item, qty, uom, match.uom_id, seen)
    check_in_stock(client, {number: (match.product_id, match.name, lab)
                            for lab, (_, item, match, _, _) in zip(labels, planned)
                            if match.product_id in serial for number in item.serials},
                   m2o_id(picking.get("company_id")))
    commands: list[list[Any]] = [] if keep else [[2, line, 0] for m in moves for line in m["move_line_ids"]]
    for (sscc, item, match, _, uom), share in zip(planned, shares):
        pieces = per_serial(share, item.serials, uom) if match.product_id in serial and item.serials else [
            (piece.move, piece.quantity, piece.uom, item.lot) for piece in share]
        for move, qty, unit, lot in pieces:
            vals: dict[str, Any] = {"move_id": move["id"], "product_id": match.product_id, names.line_qty: qty,
                                    "product_uom_id": unit, "location_id": m2o_id(picking["location_id"]),
                                    "location_dest_id": m2o_id(picking["location_dest_id"])}
            if lot:
                vals["lot_name"] = lot
                if item.expiry_date and "expiration_date" in client.fields("stock.move.line"):
                    # product_expiry gives it to the lot the line creates; noon UTC is that day in every zone a
                    # warehouse is in (midnight would show the day before west of Greenwich)
                    vals["expiration_date"] = f"{item.expiry_date} 12:00:00"
            if sscc:
                vals["result_package_id"] = sscc        # its package id once every order is checked
            commands.append([0, 0, vals])
    # a receipt shared with other trucks' notices keeps their tracking numbers beside this one's, as Odoo joins them
    kept = tracking_numbers(picking.get("carrier_tracking_ref")) if keep else []
    return olabel, picking, marker, commands, ",".join(dict.fromkeys([*kept, *notice_trackings(doc, order)])) or None


def _left_open(client: OdooClient, moves: list[dict[str, Any]], picking: dict[str, Any],
               line_qty: str, cache: Cache) -> list[dict[str, Any]]:
    """The receipt's moves with what other notices' lines (kept) announce taken off their demand, in the move's unit,
    so this notice fills what they leave (a product on several PO lines: line 1 then its parts). A kept line in
    another unit is converted: a notice in units on a line bought in dozens is written in Units on its move."""
    kept = client.search_read("stock.move.line", [("picking_id", "=", picking["id"])],
                              ["move_id", line_qty, "product_uom_id"])
    out = []
    for move in moves:
        unit = m2o_id(move.get("product_uom")) or 0
        taken = sum(_in_unit(client, r, line_qty, unit, cache) for r in kept if m2o_id(r.get("move_id")) == move["id"])
        out.append({**move, "product_uom_qty": max(float(move.get("product_uom_qty") or 0) - taken, 0.0)})
    return out


def _in_unit(client: OdooClient, row: dict[str, Any], line_qty: str, unit: int, cache: Cache) -> float:
    """A kept move line's quantity in its move's `unit` (0 in a unit that does not compare, as before)."""
    own, qty = m2o_id(row.get("product_uom_id")) or 0, float(row.get(line_qty) or 0)
    return qty if own == unit else qty * (units_per(client, own, unit, cache) or 0.0)


def _packages(client: OdooClient, ssccs: list[str]) -> dict[str, int]:
    """A package per SSCC (its name), created when missing; safe to repeat. The model is the one the move
    lines' destination package points to: `stock.quant.package` up to 18, `stock.package` from 19."""
    wanted = sorted(set(ssccs))
    if not wanted:
        return {}
    model = client.fields("stock.move.line")["result_package_id"]["relation"]
    found = {r["name"]: r["id"] for r in client.search_read(model, [("name", "in", wanted)], ["name"])}
    missing = [s for s in wanted if s not in found]
    for sscc, pid in zip(missing, client.create_many(model, [{"name": s} for s in missing])):
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
    labels = line_labels(doc.lines, label)
    matches = finder.resolve([(lab, line.item_ids) for lab, line in zip(labels, doc.lines)])
    products = sorted({m.product_id for m in matches.values()})
    templates = sorted({m.template_id for m in matches.values() if m.template_id})
    infos = client.search_read("product.supplierinfo", [("partner_id", "=", vendor["id"]), "|",
                                                        ("product_id", "in", products), "&",
                                                        ("product_id", "=", False),
                                                        ("product_tmpl_id", "in", templates)],
                               ["product_id", "product_tmpl_id", field])
    totals: dict[int, float] = {}           # per vendor line: one product on several lines (per location) adds up
    rows_of: dict[int, dict[str, Any]] = {}
    today = datetime.now(day_zone(client, partner, cache)).date().isoformat()
    for lab, line in zip(labels, doc.lines):
        match = matches[lab]
        rows = [i for i in infos if m2o_id(i["product_id"]) == match.product_id] or \
            [i for i in infos if not i["product_id"] and m2o_id(i["product_tmpl_id"]) == match.template_id]
        if not rows:
            raise OdooRejected(f"{lab}: {match.name} has no vendor line for {vendor['name']} in Odoo")
        # what the vendor has today of the first available kind the line states: a schedule (846 SCH) makes
        # several quantities of one kind, and those dated after today are not there yet
        kind = next((k for k in AVAILABLE_QUALIFIERS if any(q.qualifier == k for q in line.quantities)),
                    line.quantities[0].qualifier)
        value = sum(_in_product_unit(client, cache, match.uom_id, lab, match.name,
                                     *quantity_and_unit(client, partner, cache, q.value, q.unit, line.pack_size,
                                                        match.uom_id, lab))     # PO401 units a case
                    for q in line.quantities if q.qualifier == kind and (q.date is None or q.date <= today))
        for row in rows:
            totals[row["id"]] = totals.get(row["id"], 0.0) + value
            rows_of[row["id"]] = row
    groups: dict[float, list[int]] = {}
    for rid, value in totals.items():
        if rows_of[rid].get(field) != value:
            groups.setdefault(value, []).append(rid)
    for value, ids in groups.items():
        client.write("product.supplierinfo", ids, {field: value})
    return [record_link(doc, "product.supplierinfo", i["id"], "updated") for i in infos]


def _in_product_unit(client: OdooClient, cache: Cache, product_uom: int | None, label: str, name: str, qty: float,
                     uom: int) -> float:
    """A vendor's stock figure in the product's own unit, as the vendor line's quantity is kept: 10 cases mapped to
    Odoo's Dozens are 120 Units (they were written as 10). A unit Odoo cannot compare with the product's refuses
    the line by name."""
    units, unit = in_own_unit(client, qty, uom, product_uom, cache)
    if product_uom is not None and unit != product_uom:
        raise OdooRejected(f"{label}: the quantity's unit is not counted in {name}'s unit in Odoo (another unit "
                           "category); map the partner's unit code in odoo.units to one that is")
    return units


def post_vendor_ack(client: OdooClient, doc: Document, partner: PartnerConfig, cache: Cache) -> list[OdooLink]:
    """A vendor's 855 / ORDRSP -> its purchase order (`gateway.odoo.vendor_acks`)."""
    assert isinstance(doc, PurchaseOrderAck)
    check_figures(f"order acknowledgment {doc.number}", [(line.line_no or str(index), line.quantity, None)
                                                         for index, line in enumerate(doc.lines, 1)])
    return apply_vendor_ack(client, doc, partner, cache,
                            commercial_partner(client, partner, doc, cache, roles=VENDOR_ROLES))


HANDLERS: dict[str, Callable[[OdooClient, Document, PartnerConfig, Cache], list[OdooLink]]] = {
    "PurchaseOrder": post_order,
    "PurchaseOrderAck": post_vendor_ack,
    "Invoice": post_vendor_bill,
    "ShipNotice": post_receipt,
    "InventoryAdvice": post_vendor_inventory,
}
