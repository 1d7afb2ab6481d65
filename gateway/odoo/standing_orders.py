"""The partner's order behind a sale order as the partner's own messages leave it, for the documents sent back.

An 855, 856 or 810 names each line by the partner's own line number (`001`, as its PO1 said), not by Odoo's
sequence (`1`), and acknowledges the lines the partner's order now holds. Those are the newest whole order (the
original, a replacement, a change carrying the whole order) with the later changes that list only what changes
(X12 860, EDIFACT ORDCHG) merged in: a line they add, a quantity or price they change, a line they delete. The
messages are the ones the journal links to the sale order; an original sent again and found (a VAN's resend) is
not read. Each partner line is then paired with the order line posting made of it (`paired`): by the sequence
posting gave it and its product, else by its product, else by the sequence alone (a person put another product
on the line), so a line a change added after the order's last line (its number was taken) is still named by its
number.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from gateway.config.models import PartnerConfig
from gateway.journal.api import Journal
from gateway.odoo.destinations import destinations, same_place
from gateway.odoo.lookup import BARCODE_KINDS, buyer_number, counts_cases, gtin_key, m2o_id
from gateway.odoo.sale_orders import line_sequences
from gateway.translate.canonical import Line, Party, PurchaseOrder, documents_in


@dataclass(frozen=True, slots=True)
class Standing:
    """The newest whole order (`order`: its header, its lines with their allocations) and the partner's lines as
    they now stand, each with the Odoo sequence posting gave it (None when the number was no number: a change's
    added line went after the order's last)."""

    order: PurchaseOrder
    lines: list[tuple[int | None, Line]]


def partner_orders(journal: Journal, so: dict[str, Any]) -> Iterator[PurchaseOrder]:
    """The partner's documents of a sale order's PO (`client_order_ref`), oldest first: whole orders and changes,
    each message read as it is asked for. A message linked to the order only as found, of the same type as the
    first (the original sent again), is not read: it brings nothing new and a big batch costs time to parse."""
    number = so.get("client_order_ref")
    if not number:
        return
    linked = journal.linked_messages("sale.order", so["id"])
    first_type = journal.get(linked[0]).doc_type if linked else None
    for index, message_id in enumerate(linked):
        if index and journal.get(message_id).doc_type == first_type and all(
                link.role == "found" for link in journal.odoo_links(message_id)
                if link.model == "sale.order" and link.record_id == so["id"]):
            continue
        for doc in documents_in(journal.get_blob(message_id, "canonical") or "[]", number):
            if isinstance(doc, PurchaseOrder) and doc.purpose != "cancel":
                yield doc


def is_whole(doc: PurchaseOrder) -> bool:
    """An order posted whole (lines numbered afresh): an original, a replacement, a change that lists no change
    kind on any line (`order_changes.revise_order`)."""
    return doc.purpose in ("original", "", "replace") or \
        doc.purpose == "change" and bool(doc.lines) and not any(line.change for line in doc.lines)


def standing(journal: Journal, so: dict[str, Any]) -> Standing | None:
    """The partner's order behind a sale order as it now stands (None: no partner order is known: typed in Odoo,
    or its message purged)."""
    found: Standing | None = None
    for doc in partner_orders(journal, so):
        if is_whole(doc):
            kept = doc.model_copy(update={"lines": [line for line in doc.lines if line.change != "delete"]})
            found = Standing(kept, list(zip(line_sequences(kept.lines), kept.lines, strict=True)))
        elif found is not None:
            found = Standing(found.order, merged(found.lines, doc.lines))
    return found


def for_order(found: Standing | None, partner: PartnerConfig, ship_to: Party | None) -> Standing | None:
    """What of the partner's order one sale order holds. A PO split by place (`odoo.store_orders: split`) numbered
    each sale order's lines apart: those of the order delivered to `ship_to` (`store_share`); no change is merged
    into such orders (a person handles them)."""
    if found is None or partner.odoo.store_orders != "split":
        return found
    share = store_share(found.order, ship_to)
    return Standing(share, list(zip(line_sequences(share.lines), share.lines, strict=True)))


def merged(lines: list[tuple[int | None, Line]], changes: list[Line]) -> list[tuple[int | None, Line]]:
    """Standing lines with a change's lines merged as `order_changes.merge_changes` merges them: `delete` removes
    the line of that number, `change` gives it the quantity, unit and price it states, then `add` appends a line
    (not twice: a line of that number and item stands already, the partner's addition sent again). Deletes and
    changes name the lines as they stood before the message, so a delete and an add of one number (the partner
    replacing the line's item, or re-adding it) remove the old line and keep the new one, in its place (the 855
    lists it where the 856/810, in Odoo's sequence, do), in whatever order the message lists them."""
    out = list(lines)
    gone: set[int] = set()              # where deleted lines stood: a line added under the number takes its place

    def live() -> list[int]:
        return [i for i in range(len(out)) if i not in gone]
    for change in changes:
        found = _line_of([out[i] for i in live()], change) if change.change in ("delete", "change") else None
        if found is None:
            continue
        at = live()[found]
        if change.change == "delete":
            gone.add(at)
        else:
            out[at] = (out[at][0], restated(out[at][1], change))
    for change in changes:
        if change.change != "add" or any(out[i][1].line_no == change.line_no and same_item(out[i][1].item_ids, change)
                                         for i in live()):
            continue
        number = change.line_no
        added = (int(number) if number and number.isascii() and number.isdecimal() and int(number) < 2 ** 31 else None,
                 change.model_copy(update={"change": None}))
        place = next((i for i in sorted(gone) if number and out[i][1].line_no == number), None)
        if place is None:
            out.append(added)
        else:
            out[place] = added
            gone.discard(place)
    return [out[i] for i in live()]


def restated(line: Line, change: Line) -> Line:
    """A line as a `change` line leaves it: the quantity (with its unit and pack) and the price it states."""
    update: dict[str, Any] = {}
    if change.quantity is not None:
        update.update(quantity=change.quantity, unit=change.unit, pack_size=change.pack_size or line.pack_size)
    if change.unit_price is not None:
        update.update(unit_price=change.unit_price, price_basis=change.price_basis or line.price_basis)
    return line.model_copy(update=update)


def _line_of(lines: list[tuple[int | None, Line]], change: Line) -> int | None:
    """Where the line a change names stands: by its number, else the first of its item."""
    at = next((i for i, (_, line) in enumerate(lines) if change.line_no and line.line_no == change.line_no), None)
    return at if at is not None else next((i for i, (_, line) in enumerate(lines)
                                           if same_item(line.item_ids, change)), None)


def same_item(ids: dict[str, str], line: Line) -> bool:
    """True when identifiers (an Odoo product's: GTIN/UPC, our code, theirs) share one with a partner's line; the
    trade item numbers whatever their kind and length (an EANCOM or X12 EN `ean` 13 digits, Odoo's `gtin` 14 or
    `upc` 12: one number, `lookup.gtin_key`). Odoo's customer code (`buyer`) is the line's buyer's number whether
    the line names it BP or IN (`buyer_number`)."""
    if any(ids.get(k) and ids.get(k) == v for k, v in line.item_ids.items()):
        return True
    if ids.get("buyer") and ids["buyer"] == buyer_number(line.item_ids):
        return True
    ours = {gtin_key(v) for k, v in ids.items() if k in BARCODE_KINDS and v.strip().isdecimal()}
    return bool(ours) and any(gtin_key(v) in ours for k, v in line.item_ids.items()
                              if k in BARCODE_KINDS and v.strip().isdecimal())


def paired(lines: list[tuple[int | None, Line]], rows: list[dict[str, Any]],
           items: dict[int, dict[str, str]]) -> list[dict[str, Any] | None]:
    """The order line (`rows`: sale.order.line with sequence and product_id) each partner line is, or None (a
    person deleted it). First the row of the sequence posting gave the line and of its item; then, for a line not
    found so, a row of its item, one that no partner line's sequence names first (a change's line numbered after
    the last: its number was taken); then the row of its sequence whatever its product. `items`: product id -> its identifiers."""
    free = list(rows)
    out: list[dict[str, Any] | None] = [None] * len(lines)
    numbered = {sequence for sequence, _ in lines}

    def take(index: int, row: dict[str, Any] | None) -> None:
        if row is not None:
            free.remove(row)
            out[index] = row

    def item_of(row: dict[str, Any]) -> dict[str, str]:
        return items.get(m2o_id(row.get("product_id")) or 0, {})
    for index, (sequence, line) in enumerate(lines):
        take(index, next((r for r in free if r["sequence"] == sequence and same_item(item_of(r), line)), None))
    for index, (_, line) in enumerate(lines):
        if out[index] is None:       # one no partner line's sequence names first (False sorts before True)
            take(index, min((r for r in free if same_item(item_of(r), line)), key=lambda r: r["sequence"] in numbered,
                            default=None))
    for index, (sequence, _) in enumerate(lines):
        if out[index] is None:
            take(index, next((r for r in free if r["sequence"] == sequence), None))
    return out


def by_sequence(found: Standing | None, rows: list[dict[str, Any]],
                items: dict[int, dict[str, str]]) -> dict[str, Line]:
    """Odoo sequence -> the partner's line it is (`paired`), for the rows of one sale order: what a ship notice or
    invoice line names the line by, the partner's own number (`1` -> `001`; a change's line added after the last,
    `5` -> `004`) and item identifiers."""
    if found is None:
        return {}
    return {str(row["sequence"]): line for (_, line), row in zip(found.lines, paired(found.lines, rows, items))
            if row is not None}


def as_ordered(line_no: str | None, ids: dict[str, str], lines: dict[str, Line]) -> tuple[str | None, dict[str, str]]:
    """An outbound line's number and item identifiers as the partner ordered it (`by_sequence`): its own number,
    and the identifiers it sent over Odoo's (a buyer's item number Odoo has no customer code for, a UPC as it
    wrote it), which its system matches the line by; as Odoo has them for a line it did not order."""
    line = lines.get(line_no or "")
    if line is None:
        return line_no, ids
    return line.line_no or line_no, theirs_over(ids, line.item_ids)


def theirs_over(ids: dict[str, str], theirs: dict[str, str]) -> dict[str, str]:
    """Odoo's identifiers of a product (`ids`) with the partner's line's (`theirs`) over them. Odoo's customer code
    (`buyer`) is left out when the line names the buyer's number as its `buyer_item` (X12 IN, an EANCOM PIA's IN)
    and not as `buyer`: the partner gets its number back once, under its own type, not also as BP; nor Odoo's other
    code for it as a BP the line contradicts."""
    if "buyer" not in theirs and theirs.get("buyer_item"):
        ids = {k: v for k, v in ids.items() if k != "buyer"}
    return {**ids, **theirs}


def in_cases(partner: PartnerConfig, line: Line | None, *quantities: Decimal | None) -> list[Decimal | None] | None:
    """Odoo's quantities of a line the partner ordered in cases Odoo counts in units (`lookup.counts_cases`: 2 CS of
    12 posted as 24 Units) as that many cases, for the documents that answer the order in its unit: None when the
    line is not so, or a quantity is no whole number of cases (a short shipment of 18 goes out as 18 units)."""
    if line is None or not counts_cases(partner, line.unit, line.pack_size) or not line.pack_size:
        return None
    if any(q is not None and q % line.pack_size for q in quantities):
        return None
    return [None if q is None else q / line.pack_size for q in quantities]


def store_share(po: PurchaseOrder, ship_to: Party | None) -> PurchaseOrder:
    """What of a PO split by place (`odoo.store_orders: split`) one sale order holds: the lines, with their
    quantities, that `gateway.odoo.destinations` sends to the order's delivery contact (`ship_to`), or, for the
    order to the PO's own ship-to, those it sends there."""
    places = destinations(po, f"order {po.number}")
    mine = next((lines for place, lines in places
                 if place is not None and ship_to is not None and same_place(place, ship_to)), None)
    if mine is None:
        mine = next((lines for place, lines in places if place is None), [])
    return po.model_copy(update={"lines": mine})
