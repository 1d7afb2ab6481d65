"""A partner's change, replacement or cancellation of a purchase order, applied to its sale order(s).

An order sent again as an original with other content than its sale order has (`post_original`) is
applied as a replacement to a quotation with `odoo.order_changes: revise`, else held naming the differences.
A cancellation cancels every live sale order of the PO (Odoo's own Cancel, through the 17+ wizard)
unless goods left or an invoice was posted. With `odoo.order_changes: revise`, a replacement or a change
that carries the whole order rewrites a quotation's header and lines in one write, and a change that lists
only what changes (X12 860, EDIFACT ORDCHG) is merged line by line, its own allowances and charges into the
order's charge lines (`gateway.odoo.change_charges`). Each applied message is noted on the
order under its interchange and set numbers, so a retry or replay finds its own work. A confirmed order,
or a PO in several sale orders, is left to a person (OdooRejected naming why); a change or cancellation
ahead of its order raises OrderNotInOdoo, which waits for it.
"""

from __future__ import annotations

import html
import logging
import re
from decimal import Decimal
from typing import Any

from gateway.config.models import PartnerConfig
from gateway.errors import OdooRejected, OrderNotInOdoo
from gateway.journal.api import OdooLink
from gateway.odoo.change_charges import (
    ChargeLines,
    kept_discount,
    merged_charges,
    merged_line_allowances,
    order_rows,
)
from gateway.odoo.client import OdooClient
from gateway.odoo.destinations import order_ship_to
from gateway.odoo.lookup import Cache, Names, ProductFinder, ProductMatch, discount_digits, m2o_id
from gateway.odoo.order_conditions import conditions_noted
from gateway.odoo.receipts import units_per
from gateway.odoo.records import html_notes, label_of, record_link
from gateway.odoo.sale_orders import (
    CENT,
    OtherContent,
    apply_price_policy,
    by_their_codes,
    check_currency,
    content_mark,
    header_notes,
    header_values,
    line_commands,
    line_sequences,
    message_key,
    order_line_for,
    order_requested,
    packaging_values,
    packed,
    post_one,
    price_check,
    price_per_odoo_unit,
    quantity_and_unit,
    says_as_before,
    sized,
)
from gateway.odoo.standing_orders import restated, same_item
from gateway.translate.canonical import (
    LINE_CHANGES,
    Line,
    PurchaseOrder,
    PurchaseOrderAck,
    Reference,
    Source,
    Totals,
)

log = logging.getLogger("gateway.odoo.order_changes")


def cancel_order(client: OdooClient, doc: PurchaseOrder, customer: dict[str, Any], label: str,
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
        return [record_link(doc, "sale.order", rows[-1]["id"], "found")]
    # every sale order of the PO (one per store when it was split): none is cancelled if one cannot be
    pickings = [i for o in live for i in o["picking_ids"]]
    invoices = [i for o in live for i in o["invoice_ids"]]
    blockers = [f"delivery {p['name']} is done" for p in client.search_read(
        "stock.picking", [("id", "in", pickings), ("state", "=", "done")], ["name"], order="id")] if pickings else []
    blockers += [f"invoice {m['name']} is posted" for m in client.search_read(
        "account.move", [("id", "in", invoices), ("state", "=", "posted")], ["name"], order="id")] if invoices else []
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
        links.append(record_link(doc, "sale.order", order["id"], "updated"))
    return links


def post_original(client: OdooClient, doc: PurchaseOrder, partner: PartnerConfig, customer: dict[str, Any],
                  names: Names, cache: Cache, label: str) -> list[OdooLink]:
    """An order as first sent: created, or found when Odoo has it as the order says. One Odoo has with other
    content (the partner's second original of the PO, a corrected export) replaces a quotation as a
    replacement would, when the partner's changes are revised; else it is held (OtherContent names why)."""
    try:
        return post_one(client, doc, partner, customer, names, cache, label)
    except OtherContent as exc:
        if not exc.replaceable:
            raise
        log.warning("%s: sent again as an original with other content than sale order %s; applied as a "
                    "replacement: %s", label, exc.order["name"], "; ".join(exc.differences))
        return revise_order(client, doc, partner, customer, names, cache, label, "replacement",
                            "sent again as an original with other content: " + "; ".join(exc.differences))


def revise_order(client: OdooClient, doc: PurchaseOrder, partner: PartnerConfig, customer: dict[str, Any],
                 names: Names, cache: Cache, label: str, kind: str, why: str = "") -> list[OdooLink]:
    """A replacement, or a change that carries the whole order: a quotation (draft/sent) gets the new lines
    (old ones deleted), the new header (ship-to, requested date, warehouse) and a note naming the message
    (and `why`, when it was no replacement by its purpose), all in one write; the note makes a retry find its
    own work. A confirmed order belongs to people now."""
    check_currency(client, partner, doc, customer, cache, label)
    verb = "replace" if kind == "replacement" else "change"
    order, marker = _order_to_revise(client, doc, customer, label, verb, kind, partner.odoo.order_wait_minutes)
    whole = doc.model_copy(update={"lines": _kept(doc)})         # as its note's content mark has it
    if _applied_already(whole, order, marker):
        if order["state"] in ("draft", "sent"):         # a retry: the price step and confirmation may not have run
            apply_price_policy(client, whole, partner, order, cache, label, customer["id"])
            if partner.odoo.confirm_orders:
                client.call("sale.order", "action_confirm", [order["id"]])
        return [record_link(doc, "sale.order", order["id"], "found")]
    if says_as_before(whole, order) and conditions_noted(whole, order):
        return _resent(whole, order, label)
    if order["state"] not in ("draft", "sent"):
        raise OdooRejected(f"PO {doc.number} cannot be {verb}d: sale order {order['name']} is confirmed "
                           f"(state {order['state']}); change it in Odoo")
    _not_behind(doc, order, label)
    kept = _kept(doc)
    missing = [label_of(line, i, label) for i, line in enumerate(kept, 1) if line.quantity is None]
    if missing or not kept:
        raise OdooRejected(f"{label}: a {kind} must give every line with its quantity "
                           f"({', '.join(missing) if missing else 'no line is left'}); change the order in Odoo")
    doc = doc.model_copy(update={"lines": kept})
    vals, links = header_values(client, doc, partner, customer, cache, label)
    commands: list[list[Any]] = [[2, line, 0] for line in order["order_line"]]
    new_lines, charge_notes = line_commands(client, doc, partner, customer, names, cache, label)
    vals["order_line"] = commands + new_lines
    vals["note"] = (order.get("note") or "") + html_notes([html.unescape(marker) + f": {len(order['order_line'])} "
                                                      f"line(s) replaced by {len(doc.lines)}"
                                                      + (f" ({why})" if why else "") + f" {content_mark(doc)}",
                                                      *header_notes(doc), *charge_notes, *doc.notes,
                                                      _numbered(doc)])
    client.write("sale.order", [order["id"]], vals)
    log.info("%s: rewrote sale.order %s (%s) for %s", kind, order["id"], order["name"], label)
    _retax_if_moved(client, order, vals)
    order["note"] = vals["note"]
    apply_price_policy(client, doc, partner, order, cache, label, customer["id"])
    if partner.odoo.confirm_orders:
        client.call("sale.order", "action_confirm", [order["id"]])
    return [record_link(doc, "sale.order", order["id"], "updated"), *links]


def _kept(doc: PurchaseOrder) -> list[Line]:
    """A revision's lines but those it deletes (an 860 replacement may list deleted lines)."""
    return [line for line in doc.lines if line.change != "delete"]


CONTENT_MARK = re.compile(r"\[content [0-9a-f]{16}\]")


def _applied_already(doc: PurchaseOrder, order: dict[str, Any], marker: str) -> bool:
    """Whether this very message was applied to the order (a retry after a lost answer): the note names its control
    numbers, and its content after them. The same numbers with other content are another change: the partner's
    counter started again, and the file, held for it, was replayed to be processed as new; found, it was never
    applied, and its 865 said accepted. A marker written before changes' notes had content marks counts as applied."""
    note = order.get("note") or ""
    at = note.find(marker)
    if at < 0:
        return False
    marks = CONTENT_MARK.findall(note[at:])
    return not marks or content_mark(doc) in marks


def _resent(doc: PurchaseOrder, order: dict[str, Any], label: str) -> list[OdooLink]:
    """A change or replacement whose very content was applied to the order already, sent again under new control
    numbers (a VAN's or the partner's resend of a day's files). The last applied is found as it is: applied again it
    would put back what people set since. One applied before another change was is held, saying there is nothing
    to apply: applied again it would undo the later change (with or without change numbers, X12 BCH05)."""
    mine = content_mark(doc)
    marks = CONTENT_MARK.findall(html.unescape(order.get("note") or ""))
    if marks and marks[-1] != mine:
        raise OdooRejected(f"{label}: sent again ({message_key(doc)}): sale order {order['name']} had this very "
                           f"content applied already, and a later change of PO {doc.number} since; applied again it "
                           "would undo that change. Nothing of it is left to apply: close this message")
    log.info("%s: sale order %s has this content already (%s); found, not applied again", label, order["name"], mine)
    return [record_link(doc, "sale.order", order["id"], "found")]


def _numbered(doc: PurchaseOrder) -> str:
    """The note line that records an applied change's own number (X12 BCH05), which `_not_behind` reads: '' when
    it has none."""
    return f"change number {doc.change_sequence} of PO {doc.number}" if _number(doc.change_sequence) else ""


def _number(value: str | None) -> int | None:
    return int(value) if value and value.isascii() and value.isdecimal() else None


def _not_behind(doc: PurchaseOrder, order: dict[str, Any], label: str) -> None:
    """Refuses a change whose number (X12 BCH05) is below one already applied to the order: a VAN or two files of
    one poll delivered change 2 before change 1. Applied in arrival order, change 1 set the quantities change 2 had
    replaced, and both 865s said accepted; change 1's other lines still need applying, which a person does. A
    change without a number, or of the same number (a partner that always sends 1), is applied."""
    mine = _number(doc.change_sequence)
    if mine is None:
        return
    said = re.findall(r"change number (\d+) of PO " + re.escape(doc.number) + r"(?=<|$)",
                      html.unescape(order.get("note") or ""))
    newest = max(said, key=int, default="0")         # as the partner wrote them (0915, not 915)
    if int(newest) > mine:
        mine_said, newer = doc.change_sequence, newest
        raise OdooRejected(f"{label}: change {mine_said} of PO {doc.number} arrived after change {newer} was applied to "
                           f"sale order {order['name']}; applied now it would undo what change {newer} set. Apply in "
                           f"Odoo what change {mine_said} says that change {newer} did not, then close this message. "
                           f"(The numbers are the partner's X12 BCH05: if they are no count that only grows, a time "
                           f"of day or one starting again at 1, this change is the newer one: apply all of it in "
                           f"Odoo, and ask the partner to number its changes in sequence)")


def _order_to_revise(client: OdooClient, doc: PurchaseOrder, customer: dict[str, Any], label: str, verb: str,
                     kind: str, wait: float) -> tuple[dict[str, Any], str]:
    """The open sale order a replacement or change is for, and the note marker that names this message (its
    presence in the note means the message was applied already)."""
    rows = client.search_read("sale.order", [("client_order_ref", "=", doc.number),
                                             ("partner_id", "child_of", customer["id"]),
                                             ("state", "!=", "cancel")],
                              ["name", "state", "note", "order_line", "partner_shipping_id", "commitment_date",
                               "fiscal_position_id"],
                              limit=2)
    if len(rows) > 1:
        raise OdooRejected(f"{label}: PO {doc.number} is in several sale orders ({rows[0]['name']}, "
                           f"{rows[1]['name']}, ...: one per store?); a {kind} is not applied to them "
                           "automatically; change them in Odoo")
    if not rows:
        raise OrderNotInOdoo(f"{label}: no sale order for PO {doc.number} to {verb} "
                             f"(no open sale order with customer reference {doc.number} for {customer['name']})",
                             wait)
    marker = html.escape(f"EDI {kind} {doc.number} ({message_key(doc)})")
    return rows[0], marker


def merge_changes(client: OdooClient, doc: PurchaseOrder, partner: PartnerConfig, customer: dict[str, Any],
                  names: Names, cache: Cache, label: str) -> list[OdooLink]:
    """A change that lists only what changes (X12 860 POC lines, each with its change kind), merged into the
    quotation in one write: `add` lines are created, `delete` lines removed, `change` lines get the quantity
    (and, under the 'order' price policy, the price) they state; `unchanged` lines are left alone. The order
    line is found by product, the partner's line number (the sequence) telling apart two lines of one product.
    A deleted line's own charge lines ("FREIGHT (line 2)") go with it; a changed line's own allowances and charges
    are applied as an order line's are (`merged_line_allowances`); an unchanged line's are named in the note.
    Header fields the change carries (ship-to, requested date) and its own allowances and charges (`merged_charges`)
    are written in the same write, with a note naming the message, which makes a retry find its own work. A change
    may list no line at all (the header alone). A confirmed order belongs to people now."""
    check_currency(client, partner, doc, customer, cache, label)
    merged, sources = merged_changes(doc.lines)
    source_of = {id(line): lines for line, lines in zip(merged, sources)}     # what each merged line was made of
    doc = doc.model_copy(update={"lines": merged})
    order, marker = _order_to_revise(client, doc, customer, label, "change", "change",
                                     partner.odoo.order_wait_minutes)
    if _applied_already(doc, order, marker):
        if order["state"] in ("draft", "sent"):         # a retry: the price step and confirmation may not have run
            _merged_prices(client, doc, partner, customer, order, cache, label)
            if partner.odoo.confirm_orders:
                client.call("sale.order", "action_confirm", [order["id"]])
        return [record_link(doc, "sale.order", order["id"], "found")]
    if says_as_before(doc, order) and conditions_noted(doc, order):
        return _resent(doc, order, label)
    if order["state"] not in ("draft", "sent"):
        raise OdooRejected(f"PO {doc.number} cannot be changed: sale order {order['name']} is confirmed "
                           f"(state {order['state']}); change it in Odoo")
    _not_behind(doc, order, label)
    unknown = sorted({line.change for line in doc.lines if line.change and line.change not in LINE_CHANGES})
    if unknown:
        raise OdooRejected(f"{label}: change kind(s) {', '.join(map(repr, unknown))} are not applied automatically "
                           f"(known: {', '.join(LINE_CHANGES)}); map the partner's codes in its profile "
                           "(codes: line_changes) or change the order in Odoo")
    existing = order_rows(client, order["id"], names)
    charge_lines = ChargeLines.of(client, partner, customer, cache, existing)
    goods = charge_lines.goods(existing)                # as the change leaves them: what a percent is of
    labels = change_labels(doc.lines, label)
    touched = [(lab, line) for lab, line in zip(labels, doc.lines) if line.change in ("delete", "change")]
    adds = [(lab, line) for lab, line in zip(labels, doc.lines) if line.change == "add"]
    finder = ProductFinder(client, cache, customer["id"], "customer")
    matches = by_their_codes(finder, partner, touched + adds,
                             finder.resolve([(lab, line.item_ids) for lab, line in touched + adds]))
    matches = sized(client, cache, touched + adds, matches)
    commands: list[list[Any]] = []
    summary: list[str] = []
    taken: set[int] = set()
    removed: set[int] = set()                                               # order lines this change deletes
    restated: list[tuple[Line, dict[str, Any], dict[str, Any]]] = []       # changed lines with allowances/charges
    discount_notes: list[str] = []                                          # and those without, keeping amounts off
    for lab, line in touched:
        _alike(source_of[id(line)], existing, matches[lab], order, lab)
        row = _line_changed(existing, matches[lab], line, taken, order, lab)
        if row is None and line.change == "delete":
            summary.append(f"{lab}: {matches[lab].name} is not on the order (already removed)")
            continue
        if row is None:
            raise OdooRejected(f"{lab}: {matches[lab].name} is not on sale order {order['name']}, so the change "
                               "cannot be applied; change the order in Odoo")
        taken.add(row["id"])
        if line.change == "delete":         # with its own charge lines, which would otherwise be invoiced
            goods.pop(row["id"], None)
            removed.add(row["id"])
            own = charge_lines.of_line(line.line_no or str(row["sequence"]))
            commands += [[2, r["id"], 0] for r in [row, *own]]
            summary.append(f"{lab}: {matches[lab].name} removed" + "".join(
                f", with its charge line {r['name']} {Decimal(str(r['price_unit'])).quantize(CENT)}" for r in own))
            continue
        values: dict[str, Any] = {}
        if line.quantity is not None:
            if matches[lab].packaging is not None:      # a case by its GTIN, in its packaging as posting put it
                values.update(packaging_values(client, partner, cache, names, line, matches[lab], lab))
                uom = values[names.sale_uom]
            else:
                qty, uom = quantity_and_unit(client, partner, cache, line.quantity, line.unit, line.pack_size,
                                             matches[lab].uom_id, lab)
                values.update({"product_uom_qty": qty, names.sale_uom: uom})
            if line.unit_price is None and partner.odoo.price_policy == "order":
                # the price stays as agreed: Odoo 16-17 price a line again from the pricelist when its quantity
                # or unit changes, over a price written before (18 on keep one set by hand), unless the same
                # write sets it (sale.order.line _compute_price_unit)
                values["price_unit"] = kept_price(client, row, uom, names)
        if values or line.allowances_charges:       # the discount its allowances give: below, with their lines
            commands.append([1, row["id"], values])
        changed = as_changed(partner, packed(partner, line, matches[lab].packaging), row, values)
        if line.allowances_charges:
            restated.append((changed, row, values))
        if row["id"] in goods:
            goods[row["id"]] = (Line(quantity=changed.quantity, unit_price=changed.unit_price), goods[row["id"]][1])
            kept = None if line.allowances_charges else kept_discount(
                order.get("note") or "", line.line_no or str(row["sequence"]), row, goods[row["id"]][0])
            discount_notes += [kept] if kept else []
        summary.append(f"{lab}: {matches[lab].name} " + (f"quantity {row['product_uom_qty']:g} -> {line.quantity}"
                                                         if line.quantity is not None else "kept its quantity"))
    # added after the deletes: a line deleted and added under the same number (the partner replacing its item) is
    # added under that number, and one re-adding the deleted product is not taken for that product already there
    added, priced, added_notes = _added_lines(client, doc, partner, customer, names, cache, label, adds, matches,
                                              [r for r in existing if r["id"] not in removed],
                                              order.get("note") or "", summary)
    last = max([row["sequence"] for row in existing] + [c[2]["sequence"] for c in added], default=0)
    line_notes = [f"{lab}: marked unchanged, so its {len(line.allowances_charges)} allowance(s)/charge(s) are not "
                  "applied (the partner must send the line as changed)" for lab, line in zip(labels, doc.lines)
                  if line.change == "unchanged" and line.allowances_charges] + discount_notes + added_notes
    digits = discount_digits(client, cache) if restated else 2
    for line, row, values in restated:
        discount, more, notes, last = merged_line_allowances(line, line.line_no or str(row["sequence"]), row,
                                                             partner, label, charge_lines, names, digits, last,
                                                             order.get("note") or "")
        if discount is not None:
            values["discount"] = float(discount)
            if row["id"] in goods:
                goods[row["id"]] = (goods[row["id"]][0], discount)
        commands += more
        line_notes += notes
    charges, charge_notes = merged_charges(doc, partner, label, order.get("note") or "", charge_lines,
                                           [*goods.values(), *priced], names, last)
    commands += added + charges
    vals, links = header_values(client, doc, partner, customer, cache, label)      # ship-to only when it has one
    commands = [c for c in commands if c[0] != 1 or c[2]]      # a changed line that changed nothing
    if commands:            # an empty list would read as "set no lines" to Odoo's x2many write
        vals["order_line"] = commands
    header = _header_changes(doc, order, vals)
    said = summary or ["no line changes" if charge_notes or header or not doc.lines else "nothing to change"]
    said += header                                      # the charges: below
    vals["note"] = (order.get("note") or "") + html_notes([html.unescape(marker) + ": " + "; ".join(said),
                                                      *header_notes(doc), *line_notes, *charge_notes,
                                                      *doc.notes, _numbered(doc), content_mark(doc)])
    client.write("sale.order", [order["id"]], vals)
    log.info("change: merged %d line change(s) into sale.order %s (%s) for %s", len(commands), order["id"],
             order["name"], label)
    _retax_if_moved(client, order, vals)
    order["note"] = vals["note"]
    _merged_prices(client, doc, partner, customer, order, cache, label)
    if partner.odoo.confirm_orders:
        client.call("sale.order", "action_confirm", [order["id"]])
    return [record_link(doc, "sale.order", order["id"], "updated"), *links]


def _line_changed(rows: list[dict[str, Any]], match: ProductMatch, line: Line, taken: set[int], order: dict[str, Any],
                  label: str) -> dict[str, Any] | None:
    """The order line a change or delete names (`order_line_for`: its product, the number telling apart several).
    Several lines of the product, none of them numbered as the partner's line, leave the line unknown: the first
    was changed (the partner's line 005, a second Blue Widget a person entered, moved line 001's quantity), and the
    answer said the line was changed. One line of the product is taken whatever its number, as sequences may
    differ from the partner's numbers (a line moved in Odoo, an added line put after the last)."""
    same = [r for r in rows if m2o_id(r["product_id"]) == match.product_id and r["id"] not in taken]
    number = line.line_no.lstrip("0") if line.line_no and line.line_no.isascii() and line.line_no.isdecimal() else None
    if len(same) > 1 and number is not None and all(str(r["sequence"]) != (number or "0") for r in same):
        raise OdooRejected(f"{label}: {match.name} is on lines {', '.join(str(r['sequence']) for r in same)} of sale "
                           f"order {order['name']}, none numbered {line.line_no}, so which one the "
                           f"{line.change} is for is not known; change the order in Odoo")
    return order_line_for(rows, match.product_id, line.line_no, taken)


def one_change_per_line(lines: list[Line]) -> list[Line]:
    """A change's lines with two changes of one line (the same number and item: POC*1*QI then POC*1*PC, the
    quantity and the price changed by two POC lines) made one, the later's quantity, price and allowances over
    the earlier's, and a change followed by a delete of the line made the delete (as `standing_orders.merged`
    reads them). The second was looked for among the lines the first had taken: a second change found none and the
    whole change was held ("not on sale order"); a delete found none and the line stayed ("already removed") while
    the answer said it was deleted."""
    return merged_changes(lines)[0]


def merged_changes(lines: list[Line]) -> tuple[list[Line], list[list[Line]]]:
    """`one_change_per_line`'s lines, each with the change lines it was made of (one, or those it merged)."""
    out: list[Line] = []
    sources: list[list[Line]] = []
    for line in lines:
        at = next((i for i, before in enumerate(out) if before.change == "change" and line.change in ("change", "delete")
                   and line.line_no and before.line_no == line.line_no and same_item(before.item_ids, line)), None)
        if at is None:
            out.append(line)
            sources.append([line])
            continue
        sources[at].append(line)
        if line.change == "delete":
            out[at] = line
        else:
            out[at] = restated(out[at], line).model_copy(
                update={"allowances_charges": line.allowances_charges or out[at].allowances_charges})
    return out, sources


def _alike(sources: list[Line], rows: list[dict[str, Any]], match: ProductMatch, order: dict[str, Any],
           label: str) -> None:
    """Hold a change that names one item under one line number with two quantities while the order has the item on
    several lines: a partner numbering its lines alike (two PO1*1 of one item, each with its own ship date, say)
    changes both, and which change is for which order line cannot be told. Merged as one line's two changes, the
    later quantity went on the first order line and the other stayed as it was, while the answer said both were
    changed. A quantity and a price of one line (POC*1*QI, POC*1*PC) stay one change, also when each restates the
    line's quantity (POC03, which many retailers' guides require on every POC): one quantity, said differently. The
    same quantity at the same price twice is no line's two changes but two lines changed alike: held too."""
    same = [r for r in rows if m2o_id(r["product_id"]) == match.product_id]
    said = [line for line in sources if line.quantity is not None or line.change == "delete"]
    if len(said) < 2 or len(same) < 2:
        return
    quantities = {(line.quantity, line.unit, line.pack_size) for line in said}
    statements = {(line.quantity, line.unit, line.pack_size, line.unit_price, line.price_basis) for line in said}
    if all(line.change != "delete" for line in said) and len(quantities) == 1 and len(statements) == len(said):
        return
    changes = ", ".join("delete" if line.change == "delete" else f"quantity {line.quantity}" for line in said)
    lines = ", ".join(f"{r['sequence']} ({r['product_uom_qty']:g})" for r in same)
    raise OdooRejected(f"{label}: the change names {match.name} {len(said)} times under line {sources[0].line_no} "
                       f"({changes}), and sale order {order['name']} has it on lines {lines}: which change is for "
                       "which line is not known, so nothing was changed; change the order in Odoo (or ask the "
                       "partner to number its lines apart), then close this message")


def change_labels(lines: list[Line], label: str) -> list[str]:
    """Each change line's label ("order 4500001234, line 2"), which names it in the note and keys its product:
    unique, so a line numbered as another (a delete and an add of one number: the partner replacing the line's
    item) says its change kind ("line 2 (delete)", "line 2 (add)"), and its place in the message when that is
    shared too. Keyed by the number alone, the delete was looked up as the added item: the replaced line stayed on
    the order (or another line of the added item was removed) while the answer said it was deleted."""
    labels = [label_of(line, i, label) for i, line in enumerate(lines, 1)]
    kinds = [f"{lab} ({line.change or 'unchanged'})" for lab, line in zip(labels, lines)]
    return [lab if labels.count(lab) == 1 else kind if kinds.count(kind) == 1 else f"{kind[:-1]}, #{i})"
            for i, (lab, kind) in enumerate(zip(labels, kinds), 1)]


def as_changed(partner: PartnerConfig, line: Line, row: dict[str, Any], values: dict[str, Any]) -> Line:
    """A changed line as its order line will be, in the order line's unit: what a percent of the order, the line's
    own percents and amounts off and the note's figures are of. The quantity written to Odoo (a case Odoo counts
    as pack_size units is that many), else the order line's; the partner's price per that unit, else the order
    line's. The partner's quantity at Odoo's price per unit made 2 cases of 12 worth 2 units."""
    quantity = values["product_uom_qty"] if "product_uom_qty" in values else row["product_uom_qty"]
    price = price_per_odoo_unit(partner, line)
    return line.model_copy(update={"quantity": Decimal(str(quantity)), "unit_price": price if price is not None
                                   else Decimal(str(values.get("price_unit", row["price_unit"])))})


def kept_price(client: OdooClient, row: dict[str, Any], uom: int, names: Names) -> float:
    """An order line's agreed price in the unit a change moves it to, by Odoo's unit factors: 12.50 a Unit is
    150.00 a Dozen (it was written as 12.50 a Dozen); as it was when the units do not compare."""
    was = m2o_id(row.get(names.sale_uom))
    per = units_per(client, uom, was) if was and was != uom else None
    return round(float(row["price_unit"]) * per, 6) if per else float(row["price_unit"])


def _retax_if_moved(client: OdooClient, order: dict[str, Any], vals: dict[str, Any]) -> None:
    """Odoo recomputes a quotation's fiscal position when its delivery address changes, but not its lines' taxes
    (its form asks a person to press "Update taxes"): a change that moved the order to another fiscal position (a
    store in a tax-exempt state, another country) presses it, `action_update_taxes` (16-19), so the lines are not
    left taxed as for the old ship-to."""
    if "partner_shipping_id" not in vals or vals["partner_shipping_id"] == m2o_id(order.get("partner_shipping_id")):
        return
    [now] = client.read("sale.order", [order["id"]], ["fiscal_position_id"])
    if m2o_id(now.get("fiscal_position_id")) != m2o_id(order.get("fiscal_position_id")):
        client.call("sale.order", "action_update_taxes", [order["id"]])
        log.info("sale.order %s (%s): taxes updated for its new ship-to's fiscal position", order["id"],
                 order["name"])


def _header_changes(doc: PurchaseOrder, order: dict[str, Any], vals: dict[str, Any]) -> list[str]:
    """What a merged change moves on the order's header (its requested day, its ship-to), in the note's words, so
    a change of the header alone says what it did rather than 'nothing to change'."""
    said = []
    requested = order_requested(doc)
    if requested is not None and vals.get("commitment_date") != (order.get("commitment_date") or None):
        said.append(f"requested date {requested.date}")
    ship_to = order_ship_to(doc)
    if ship_to is not None and vals.get("partner_shipping_id") != m2o_id(order.get("partner_shipping_id")):
        said.append("ship-to " + (ship_to.name or ", ".join(f"{k} {v}" for k, v in ship_to.ids.items())))
    return said


def _added_lines(client: OdooClient, doc: PurchaseOrder, partner: PartnerConfig, customer: dict[str, Any],
                 names: Names, cache: Cache, label: str, adds: list[tuple[str, Line]], matches: dict[str, Any],
                 existing: list[dict[str, Any]], note: str, summary: list[str],
                 ) -> tuple[list[list[Any]], list[tuple[Line, Decimal | None]], list[str]]:
    """Create commands for a change's `add` lines, numbered with the partner's line numbers where those are
    free, else after the order's last line; the added lines with their discounts (what a percent of the
    order is of); the note lines of their own allowances/charges. Their own charge lines are named by the
    partner's line numbers ("FREIGHT (line 4)") whatever sequence the lines get, as a later change names the line.
    A line already on the order with its product under its number, or under another sequence when the order's
    `note` says a change added it (the partner sent the addition again in a later change), is not added twice."""
    new: list[tuple[str, Line]] = []
    noted = html.unescape(note)
    for lab, line in adds:
        number = int(line.line_no) if line.line_no and line.line_no.isdecimal() else None
        mine = [r for r in existing if m2o_id(r["product_id"]) == matches[lab].product_id]
        # under its number, or under another sequence (its number was taken) when a change's note says it was added
        if any(r["sequence"] == number for r in mine) or mine and _added_last(noted, lab, matches[lab].name):
            summary.append(f"{lab}: {matches[lab].name} is on the order already (added before)")
        else:
            new.append((lab, line))
    if not new:
        return [], [], []
    lines = [line for _, line in new]
    wanted = line_sequences(lines)
    first = max((row["sequence"] for row in existing), default=0) + 1
    if {row["sequence"] for row in existing} & set(wanted):
        wanted = list(range(first, first + len(new)))
    commands, notes = line_commands(client, doc.model_copy(update={"lines": lines, "allowances_charges": []}),
                                    partner, customer, names, cache, label)
    sequence = max(wanted)
    for index, command in enumerate(commands):      # the goods lines, then their own charge lines after them
        command[2]["sequence"] = wanted[index] if index < len(wanted) else (sequence := sequence + 1)
    summary += [f"{lab}: {matches[lab].name} added" for lab, _ in new]
    priced = [(line, Decimal(str(c[2]["discount"])) if "discount" in c[2] else None) for line, c in zip(lines, commands)]
    return commands, priced, notes


def _added_last(noted: str, label: str, name: str) -> bool:
    """Whether the order's note says a change added line `label` of product `name`, and no later change removed
    it: a line added, deleted and added again by three changes was skipped as "added before" while a line of the
    same product elsewhere on the order remained, and the partner's line was lost."""
    said = [(m.start(), m.group(1)) for m in re.finditer(re.escape(f"{label}: {name} ") + r"(added|removed)(?=[;<\s(]|$)",
                                                        noted)]
    return bool(said) and max(said)[1] == "added"


def _merged_prices(client: OdooClient, doc: PurchaseOrder, partner: PartnerConfig, customer: dict[str, Any],
                   order: dict[str, Any], cache: Cache, label: str) -> None:
    """The price policy for a merged change's added lines and changed lines that state a price, each paired with
    its order line by product as the merge found it; run again by a retry, which then changes nothing."""
    lines = [(lab, i, line) for i, (lab, line) in enumerate(zip(change_labels(doc.lines, label), doc.lines), 1)
             if line.change == "add" or line.change == "change" and line.unit_price is not None]
    if not lines:
        return
    matches = ProductFinder(client, cache, customer["id"], "customer").resolve(
        [(lab, line.item_ids) for lab, _, line in lines])
    rows = client.search_read("sale.order.line", [("order_id", "=", order["id"])],
                              ["sequence", "price_unit", "product_id"], order="sequence,id")
    taken: set[int] = set()
    pairs: list[tuple[dict[str, Any], str, Line]] = []
    for lab, i, line in lines:
        row = order_line_for(rows, matches[lab].product_id, line.line_no, taken)
        if row is not None:
            taken.add(row["id"])
            pairs.append((row, f"line {line.line_no or i}", packed(partner, line, matches[lab].packaging)))
    price_check(client, partner, order, pairs, cache, label)


def change_acknowledgment(client: OdooClient, doc: PurchaseOrder, links: list[OdooLink]) -> PurchaseOrderAck:
    """What answers a change, replacement or cancellation once it is applied to the Odoo order(s)
    (X12 865, `trigger: change_applied`): every line taken as the partner sent it, since one that
    cannot be is refused before anything is written; the sale order's name as our order number.
    The lines of a replacement (an 860 BCH01 05, a restated ORDERS) carry no change of their own:
    each is answered as changed, since the 865 says for every line what happened to it (POC02)."""
    ids = sorted({link.record_id for link in links if link.model == "sale.order"})
    names = [row["name"] for row in client.read("sale.order", ids, ["name"])] if ids else []
    lines = [line.model_copy(update={"status": "accepted", "change": line.change or "change",
                                     **({"quantity": Decimal(0)} if line.change == "delete"
                                        and line.quantity is None else {})})
             for line in doc.lines]
    parties = [p for p in (doc.party("buyer"), doc.party("seller")) if p is not None]
    return PurchaseOrderAck(
        number=names[0] if len(names) == 1 else doc.number, po_number=doc.number, po_date=doc.date,
        change_sequence=doc.change_sequence, ack_type="accepted", currency=doc.currency, parties=parties,
        lines=lines, references=[Reference(qualifier="vendor_order", value=n) for n in names],
        totals=Totals(line_count=len(lines)),
        source=Source(partner=doc.source.partner, odoo_record=f"sale.order,{ids[0]}" if len(ids) == 1 else None))
