"""Which incoming receipt of a purchase order a vendor's ship notice goes to, and when none may take it.

A ship notice replaces the move lines of one open receipt, so the same notice repeated never adds goods.
What must not happen is a notice for goods already received landing on the backorder Odoo left open
after the receipt was validated: a replacement or change (X12 BSN01 `05`/`04`, EDIFACT BGM `5`/`4`) of a
validated notice, or the same shipment sent again under a new notice number (its SSCC or tracking number
already on a validated receipt). Those are held for a person, naming the validated receipt, and nothing is
written; so is a cancellation (BSN01 `01`, BGM `1`/`3`), which was applied as if it announced goods.
"""

from __future__ import annotations

import html
import re
from typing import Any, NamedTuple

from gateway.errors import OdooRejected
from gateway.odoo.client import OdooClient
from gateway.odoo.lookup import MISSING, Cache, m2o_id
from gateway.odoo.records import html_notes
from gateway.translate.canonical import Pack, ShipItem, ShipNotice, ShipOrder

MARKER = "EDI ship notice"
REVISIONS = {"replace": ("replacement", "replaces"), "change": ("change", "changes")}   # BSN01 05 / 04, BGM 5 / 4


PREFIXED = re.compile(r"([A-Za-z]+[-/]?)(\d+)")
"""An Odoo purchase order name of letters then digits (P00042, PO-0042): its sequence's prefix and number."""


def vendor_orders(client: OdooClient, number: str, vendor: dict[str, Any], fields: list[str],
                  by_digits: bool = True) -> list[dict[str, Any]]:
    """`vendor`'s purchase order a vendor's document names (855 BAK03, 856 PRF01, 810 BIG04, ...): the one of that
    name, else, for a number of digits alone (unless not `by_digits`), the one whose name is a prefix of letters and
    that number (P00042 for 00042 or 42): a vendor system that keeps PO numbers as digits drops Odoo's prefix. []
    when none is, or when several are (naming them all would be a guess). Rows with `fields` and the name."""
    mine = ("partner_id", "child_of", vendor["id"])
    rows = client.search_read("purchase.order", [("name", "=", number), mine], ["name", *fields], limit=1)
    text = number.strip()
    if rows or not by_digits or not text.isdigit() or not int(text):
        return rows
    found = client.search_read("purchase.order", [("name", "=ilike", f"%{int(text)}"), mine], ["name", *fields])
    same = [r for r in found if (m := PREFIXED.fullmatch(str(r["name"]))) and int(m[2]) == int(text)]
    return same if len(same) == 1 else []


def notice_marker(doc: ShipNotice) -> str:
    """The note paragraph a receipt gets from this notice; a replacement's differs from its original's, so
    a retry of the replacement is told from a replacement arriving after its original was validated."""
    revision = REVISIONS.get(doc.purpose)
    return f"{MARKER} {doc.number} ({revision[0]})" if revision else f"{MARKER} {doc.number}"


def noted(picking: dict[str, Any], paragraph: str) -> bool:
    """Whether the receipt's note has this paragraph whole (ASN A1 is not ASN A10)."""
    return html_notes([paragraph]) in (picking.get("note") or "")


def receipt_for(client: OdooClient, doc: ShipNotice, order: ShipOrder, pickings: list[dict[str, Any]],
                olabel: str) -> dict[str, Any]:
    """The open receipt this notice goes to, or its validated receipt when it was applied and validated
    already (a retry: nothing to redo). Raises OdooRejected, nothing written, when it would receive goods
    twice, or when it cancels a notice (the gateway takes no goods off a receipt)."""
    original = f"{MARKER} {doc.number}"
    any_version = [p for p in pickings if noted(p, original) or any(
        noted(p, f"{original} ({noun})") for noun, _ in REVISIONS.values())]
    if doc.purpose == "cancel":
        raise _cancelled(olabel, doc.number, any_version)
    revision = REVISIONS.get(doc.purpose)
    own = [p for p in pickings if noted(p, notice_marker(doc))] if revision else any_version
    finished = [p for p in own if p["state"] == "done"]
    if finished:
        return finished[0]
    done = [p for p in pickings if p["state"] == "done"]
    open_ = [p for p in pickings if p["state"] != "done"]
    if not own and revision:
        replaced = [p for p in done if noted(p, original)]
        if replaced:
            raise _held(olabel, replaced[0], f"{revision[1]} ship notice {doc.number}, whose receipt")
        by_notice = [p for p in open_ if noted(p, original)] or [p for p in open_ if carried(p, pickings)]
        if by_notice:                # it replaces the notice an open receipt has: that receipt takes it
            return by_notice[0]
        earlier = [p for p in done if MARKER in (p.get("note") or "")]
        if earlier:
            raise _held(olabel, earlier[0], f"is a {revision[0]}, and no open receipt has a ship notice to "
                                            f"replace; it most likely {revision[1]} the one whose receipt")
    if not own and done:
        _check_not_received(client, doc, order, done, olabel)
    candidates = [p for p in own if p["state"] != "done"] or open_
    if not candidates:
        raise OdooRejected(f"{olabel}: the purchase order has no open receipt in Odoo (is it confirmed, or "
                           f"already received?)")
    return candidates[0]


def notices_on(picking: dict[str, Any]) -> set[str]:
    """The numbers of the ship notices a receipt's note names, whichever version ('EDI ship notice A1 (replacement)')."""
    numbers = set()
    for paragraph in (picking.get("note") or "").split("<p>"):
        text = html.unescape(paragraph.split("</p>")[0])
        if text.startswith(f"{MARKER} "):
            number = text[len(MARKER) + 1:]
            for noun, _ in REVISIONS.values():
                number = number.removesuffix(f" ({noun})")
            numbers.add(number)
    return numbers


def carried(picking: dict[str, Any], pickings: list[dict[str, Any]]) -> set[str]:
    """The notices whose lines an open receipt carries: those its note names but a validated receipt of the PO's,
    as a backorder's note is its receipt's (stock's _create_backorder copies the picking, note and all)."""
    validated = {n for p in pickings if p["state"] == "done" for n in notices_on(p)}
    return notices_on(picking) - validated


def shared(doc: ShipNotice, picking: dict[str, Any], pickings: list[dict[str, Any]], olabel: str) -> bool | None:
    """Whether the open receipt carries other notices, whose move lines this one keeps (a PO shipped in two trucks,
    a notice each, before the dock validates): True; False when it carries none (the notice's lines replace the
    receipt's, as when a revision under a new number replaces the one notice the receipt has); None when this very
    notice is on it beside others already (a resend: nothing to write). A revision of a notice sharing its receipt
    is held: the lines of each are not told apart in Odoo."""
    numbers = carried(picking, pickings)
    others = sorted(numbers - {doc.number})
    if not others:
        return False
    revision = REVISIONS.get(doc.purpose)
    if doc.number in numbers and noted(picking, notice_marker(doc)):
        return None
    if revision and doc.number not in numbers and len(others) == 1:
        return False            # it replaces, under a number of its own, the one notice the receipt has
    if doc.number in numbers or revision:
        what = revision[0] if revision else "resend with another purpose"
        raise OdooRejected(f"{olabel}: the notice is a {what} of ship notice {doc.number}, and receipt "
                           f"{picking['name']} also carries ship notice {', '.join(others)}, whose lines Odoo does "
                           "not tell from this one's; nothing was written: correct the receipt in Odoo by hand, then "
                           "close this message")
    return True


def check_not_announced(client: OdooClient, doc: ShipNotice, order: ShipOrder, picking: dict[str, Any],
                        olabel: str) -> None:
    """A notice new to an open receipt that carries another's, whose packages (SSCC) or tracking number that receipt
    has already, is the same shipment resent under a new number (a vendor system regenerating its ASN), not a second
    truck: held, as adding its lines would announce the goods twice. One call, only for a receipt shared so."""
    again = sorted(t for t in notice_trackings(doc, order)
                   if _as_compared(t) in {_as_compared(n) for n in _trackings_on(picking)})
    if again:
        raise _announced(olabel, picking, f"tracking number {again[0]}")
    ssccs = sorted({p.sscc for p in _packs(order.packs) if p.sscc})
    lines = client.search_read("stock.move.line", [("picking_id", "=", picking["id"]),
                                                   ("result_package_id.name", "in", ssccs)],
                               ["result_package_id"], limit=1) if ssccs else []
    if lines:
        raise _announced(olabel, picking, f"package {lines[0]['result_package_id'][1]} (SSCC)")


def _announced(olabel: str, picking: dict[str, Any], what: str) -> OdooRejected:
    return OdooRejected(f"{olabel}: the notice has {what}, which open receipt {picking['name']} has already from ship "
                        f"notice {', '.join(sorted(notices_on(picking)))}: the same shipment under a new number, not "
                        "a second one; nothing was written, so nothing is announced twice: if it replaces that notice, "
                        "have the vendor send it as a replacement (BSN01 05), else correct the receipt in Odoo")


def _check_not_received(client: OdooClient, doc: ShipNotice, order: ShipOrder, done: list[dict[str, Any]],
                        olabel: str) -> None:
    """A notice new to this PO whose packages (SSCC), tracking number or serial numbers are on a validated
    receipt of it is the same shipment under a new number, or goods a person received without the notice:
    held. A call or two, only for POs with a validated receipt."""
    trackings = set(notice_trackings(doc, order))
    for picking in done:
        received = {_as_compared(n) for n in _trackings_on(picking)}
        again = sorted(t for t in trackings if _as_compared(t) in received)
        if again:
            raise _held(olabel, picking, f"has tracking number {again[0]}, already received: receipt")
    serials = sorted({s for item in [*order.items, *(i for p in _packs(order.packs) for i in p.items)]
                      for s in item.serials})
    if serials:                       # a person received them without a notice (no SSCC or tracking to go by)
        lots = client.search_read("stock.move.line", [("picking_id", "in", [p["id"] for p in done]),
                                                      ("lot_id.name", "in", serials)], ["picking_id", "lot_id"],
                                  limit=1)
        if lots:
            picking = next(p for p in done if p["id"] == lots[0]["picking_id"][0])
            raise _held(olabel, picking, f"has serial number {lots[0]['lot_id'][1]}, already received: receipt")
    ssccs = sorted({p.sscc for p in _packs(order.packs) if p.sscc})
    if not ssccs:
        return
    lines = client.search_read("stock.move.line", [("picking_id", "in", [p["id"] for p in done]),
                                                   ("result_package_id.name", "in", ssccs)],
                               ["picking_id", "result_package_id"], limit=1)
    if lines:
        picking = next(p for p in done if p["id"] == lines[0]["picking_id"][0])
        raise _held(olabel, picking, f"has package {lines[0]['result_package_id'][1]} (SSCC), already "
                                     f"received: receipt")


TRACKING_SEPARATORS = re.compile(r"[,;+\n]")
"""What Odoo's carrier connectors put between a delivery's package numbers in stock.picking carrier_tracking_ref:
',' (stock_delivery's send_to_shipper adds a later label's number so, FedEx and most connectors join them so)
and '+' (UPS); ';' and a line break as people type them. A space is no separator: a USPS number is often written
in groups of four."""


def tracking_numbers(ref: Any) -> list[str]:
    """The tracking numbers in an Odoo carrier_tracking_ref, the master's (the first package's) first; [] for none.
    Which number is which package's is not known beyond that: a connector numbers its own packages (UPS a bulk one
    for what no Odoo package holds), in the order the carrier answered."""
    return [n.strip() for n in TRACKING_SEPARATORS.split(str(ref or "")) if n.strip()]


def notice_trackings(doc: ShipNotice, order: ShipOrder) -> list[str]:
    """Every tracking number a notice gives an order, the shipment's first, then each carton's (X12 MAN*CP, EDIFACT
    GIN+BN, a CSV row's), once each: the receipt keeps them all joined with ',' as Odoo's carrier connectors join
    a delivery's, so a later notice for one of the cartons is known as received, not only the first carton's."""
    refs = [doc.tracking_number, *(p.tracking_number for p in _packs(order.packs))]
    return list(dict.fromkeys(n for ref in refs for n in tracking_numbers(ref)))


def _trackings_on(picking: dict[str, Any]) -> set[str]:
    """Each tracking number a receipt carries, one by one: a shipment of several parcels is received with all of
    theirs joined ('A,B'), so a later notice for parcel A alone, or one for A and B against a receipt of A, is the
    same shipment. Its carrier_tracking_ref, and the note's `tracking` paragraph where Odoo has no Delivery app."""
    paragraphs = [html.unescape(part.split("</p>")[0]) for part in (picking.get("note") or "").split("<p>")]
    refs = [picking.get("carrier_tracking_ref"), *(p[len("tracking "):] for p in paragraphs if p.startswith("tracking "))]
    return {number for ref in refs for number in tracking_numbers(ref)}


def _as_compared(number: str) -> str:
    """A tracking number as compared: without the spaces a label prints it with and a person types it so ('1Z 999 AA1
    01 2345 6784' is 1Z999AA10123456784), in capitals."""
    return "".join(number.split()).upper()


def not_on_receipt(client: OdooClient, po_id: int, pickings: list[dict[str, Any]], picking: dict[str, Any],
                   label: str, product: int, what: str) -> OdooRejected:
    """Why a notice's product is not on the open receipt it goes to, for the person it is held for: not on the
    purchase order at all, or its PO lines received in full already (the receipt validated; Odoo's backorder holds
    only what is still to come), so the notice ships more than was ordered or announces goods received without
    it. One call, made only when the notice is held."""
    lines = client.search_read("purchase.order.line", [("order_id", "=", po_id), ("product_id", "=", product)],
                               ["product_qty", "qty_received"])
    if not lines:
        return OdooRejected(f"{label}: {what} is not on receipt {picking['name']}, nor anywhere on the purchase "
                            f"order; nothing was written: ask the vendor which order it ships")
    ordered = sum(float(line.get("product_qty") or 0.0) for line in lines)
    got = sum(float(line.get("qty_received") or 0.0) for line in lines)
    done = [p["name"] for p in pickings if p["state"] == "done"]
    if got + 1e-9 < ordered or not done:
        return OdooRejected(f"{label}: {what} is not on receipt {picking['name']}")
    return OdooRejected(f"{label}: {what} was received in full already ({got:g} of {ordered:g} ordered, on "
                        f"{', '.join(done)}), so the open receipt {picking['name']} has none to come; nothing was "
                        f"written: an over-shipment, or goods received without this notice: check with the vendor "
                        f"and receive what came in Odoo")


def _packs(packs: list[Pack]) -> list[Pack]:
    """Every pack of a pack tree (tares and the packs in them)."""
    return [q for p in packs for q in [p, *_packs(p.packs)]]


def _cancelled(olabel: str, number: str, carrying: list[dict[str, Any]]) -> OdooRejected:
    """A cancelled notice is held: the goods it announced are on a receipt (open or validated) that a person
    corrects, or on none, when there is nothing to undo unless the notice itself comes after it."""
    if not carrying:
        return OdooRejected(f"{olabel}: the notice cancels ship notice {number}, which no receipt of the purchase "
                            f"order carries: nothing was written and there is nothing to undo (unless that notice "
                            f"comes after its cancellation: then take its quantities off the receipt)")
    receipt = carrying[0]
    state = "validated" if receipt["state"] == "done" else "open"
    return OdooRejected(f"{olabel}: the notice cancels ship notice {number}, which receipt {receipt['name']} "
                        f"({state}) carries; nothing was written: the gateway takes no goods off a receipt, so "
                        f"correct it in Odoo (its quantities, or a return if it was validated)")


def _held(olabel: str, picking: dict[str, Any], why: str) -> OdooRejected:
    notices = sorted({line.split("</p>")[0] for line in (picking.get("note") or "").split("<p>")
                      if line.startswith(MARKER)})
    by = f" (from {', '.join(notices)})" if notices else ""
    when = f" on {picking['date_done']}" if picking.get("date_done") else ""
    return OdooRejected(f"{olabel}: the notice {why} {picking['name']}{by} was validated{when}; nothing was "
                        f"written, so nothing is received twice: compare the notice with that receipt and correct "
                        f"it in Odoo if they differ (a return, or a receipt for what is missing)")


class Piece(NamedTuple):
    """A part of a notice item received on one move: `quantity` in `uom` (the finer of the notice's unit and
    the move's, so 6 dozen on lines open in units is 5 Units and 67 Units, never 0.42 dozen), and `units` the
    same part in the notice's unit (what its serial numbers count)."""

    move: dict[str, Any]
    quantity: float
    uom: int
    units: float


SPLIT = "backordered by the vendor, line"
"""In the name of a PO line holding a part of line N the vendor backordered (`vendor_acks`): '... (SPLIT N)'. A
notice's line N is received on line N, then on those parts."""


def split_name(name: str, line_no: str) -> str:
    """The name of a line holding a part of line `line_no` the vendor backorders: the line's own, then which."""
    return f"{name} ({SPLIT} {line_no})"


def backordered_part_of(name: Any) -> int | None:
    """The number of the PO line whose backordered part a PO line of this name holds ('... (SPLIT 1)': 1), else
    None: what ship notices and bills fill after the line they name."""
    number = str(name or "").rpartition(f"({SPLIT} ")[2].rstrip(")")
    return int(number) if f"({SPLIT} " in str(name or "") and number.isdigit() else None


def share_out(client: OdooClient, po_id: int, moves: list[dict[str, Any]],
              wanted: list[tuple[str | None, int, float, int]]) -> list[list[Piece]]:
    """The receipt moves each notice item (PO line number, product, quantity, unit) is received on, with how
    much on each. A product on one PO line: that line's move. On several: the PO line the notice names (its
    line number counts the PO's product lines as Odoo orders them), else their open quantities filled in line
    order, compared through the units' factors when the notice's unit is not the lines'; what is above all of
    them goes on the last, as any over-delivery does."""
    by_product: dict[int, list[dict[str, Any]]] = {}
    for move in moves:
        by_product.setdefault(m2o_id(move["product_id"]) or 0, []).append(move)
    shares: list[list[Piece] | None] = [
        [Piece(by_product[product][0], qty, uom, qty)] if len(by_product[product]) == 1 else None
        for _, product, qty, uom in wanted]
    if all(share is not None for share in shares):
        return [share for share in shares if share is not None]     # the usual case: no call
    lines = client.search_read("purchase.order.line", [("order_id", "=", po_id), ("display_type", "=", False)],
                               ["product_id", "name"], order="sequence, id")
    position = {line["id"]: index for index, line in enumerate(lines, 1)}
    part_of = {line["id"]: n for line in lines if (n := backordered_part_of(line.get("name"))) is not None}
    for group in by_product.values():
        group.sort(key=lambda m: (position.get(m2o_id(m.get("purchase_line_id")) or 0, len(position) + 1), m["id"]))
    units = {uom for index, (_, _, _, uom) in enumerate(wanted) if shares[index] is None}
    units |= {m2o_id(m.get("product_uom")) or 0 for m in moves}
    ratios = unit_ratios(client, units) if len(units) > 1 else {}
    left = {m["id"]: float(m.get("product_uom_qty") or 0.0) for m in moves}
    for index, (line_no, product, qty, uom) in enumerate(wanted):     # named lines first: they take their own
        named = line_number(line_no)
        target = next((m for m in by_product[product] if named is not None
                       and position.get(m2o_id(m.get("purchase_line_id")) or 0) == named), None)
        parts = [m for m in by_product[product] if named is not None and m is not target
                 and part_of.get(m2o_id(m.get("purchase_line_id")) or 0) == named]
        if shares[index] is None and target is not None and parts:      # the line, then what the vendor backordered
            shares[index] = _fill([target, *parts], left, qty, uom, ratios)
        elif shares[index] is None and target is not None:
            shares[index] = [Piece(target, qty, uom, qty)]
            left[target["id"]] -= _convert(ratios, qty, uom, m2o_id(target.get("product_uom")) or 0) or 0.0
    for index, (_, product, qty, uom) in enumerate(wanted):
        if shares[index] is None:
            shares[index] = _fill(by_product[product], left, qty, uom, ratios)
    return [share or [] for share in shares]


def line_number(line_no: str | None) -> int | None:
    """A document's reference to a PO line as its position among the PO's product lines (1, 2, ...), or None."""
    text = (line_no or "").strip()
    return int(text) if text.isdigit() else None


def unit_ratios(client: OdooClient, uoms: set[int], cache: Cache | None = None) -> dict[int, tuple[int, float]]:
    """Each unit as (the unit it is counted in, how many of that one it is): Odoo 19's relative_factor
    followed up its relative_uom_id chain to the unit at the top (Dozens: 12 Units), before 19 the category
    and 1 / factor (Dozens: factor 1/12). Units with another top or category do not compare. With a `cache`,
    read once per set of units (not once per line that converts)."""
    if cache is not None:
        key = (id(client), frozenset(uoms))
        found_before: Any = cache.get("unit_ratios", key)
        return found_before if found_before is not MISSING else cache.put("unit_ratios", key,
                                                                           unit_ratios(client, uoms))
    if "relative_factor" in client.fields("uom.uom"):
        found: dict[int, tuple[int | None, float]] = {}
        todo = {u for u in uoms if u}
        while todo:
            for rec in client.read("uom.uom", sorted(todo), ["relative_factor", "relative_uom_id"]):
                found[int(rec["id"])] = (m2o_id(rec.get("relative_uom_id")), float(rec.get("relative_factor") or 1.0))
            todo = {parent for parent, _ in found.values() if parent and parent not in found}
        ratios: dict[int, tuple[int, float]] = {}
        for uom in uoms:
            top, ratio, seen = uom, 1.0, set()
            while top not in seen and found.get(top, (None, 1.0))[0]:
                seen.add(top)
                parent, factor = found[top]
                top, ratio = int(parent or top), ratio * factor
            ratios[uom] = (top, ratio)
        return ratios
    return {int(rec["id"]): (m2o_id(rec.get("category_id")) or 0, 1.0 / float(rec.get("factor") or 1.0))
            for rec in client.read("uom.uom", sorted(u for u in uoms if u), ["factor", "category_id"])}


def in_own_unit(client: OdooClient, qty: float, uom: int, product_uom: int | None,
                cache: Cache | None = None) -> tuple[float, int]:
    """A quantity in the product's own unit: where a serial-tracked item's serial numbers are counted (a dozen
    with twelve serial numbers is 12 Units), and a vendor's stock figure is kept; as it was when the units do
    not compare (the caller holds it)."""
    if product_uom is None or uom == product_uom:
        return qty, uom
    units = _convert(unit_ratios(client, {uom, product_uom}, cache), qty, uom, product_uom)
    return (qty, uom) if units is None else (round(units, 6), product_uom)


def units_per(client: OdooClient, uom: int, other: int, cache: Cache | None = None) -> float | None:
    """How many of unit `other` one `uom` is (a Dozen: 12 Units), by Odoo's unit factors; None when they do not
    compare (another category)."""
    return _convert(unit_ratios(client, {uom, other}, cache), 1.0, uom, other)


def _convert(ratios: dict[int, tuple[int, float]], qty: float, source: int, target: int) -> float | None:
    """`qty` of unit `source` in unit `target`, or None when they do not compare."""
    if source == target:
        return qty
    a, b = ratios.get(source), ratios.get(target)
    if a is None or b is None or a[0] != b[0] or not b[1]:
        return None
    return qty * a[1] / b[1]


def _fill(group: list[dict[str, Any]], left: dict[int, float], qty: float, uom: int,
          ratios: dict[int, tuple[int, float]]) -> list[Piece]:
    """`qty` of `uom` spread over the open quantities of `group` in line order, the rest on the last move. A
    move in another unit is compared through the units' factors and takes its part in its own unit; a unit that
    does not compare with a move's (another category) goes whole to the first move still open."""
    units = [m2o_id(m.get("product_uom")) or 0 for m in group]
    if any(_convert(ratios, 1.0, uom, unit) is None for unit in units):
        move = next((m for m in group if left[m["id"]] > 1e-9), group[-1])
        left[move["id"]] = 0.0
        return [Piece(move, qty, uom, qty)]
    parts: list[Piece] = []
    rest = qty
    for move, unit in zip(group, units):
        take = min(rest, max(_convert(ratios, left[move["id"]], unit, uom) or 0.0, 0.0))
        if take > 1e-9:
            parts.append(_piece(ratios, move, take, uom, unit))
            left[move["id"]] -= _convert(ratios, take, uom, unit) or 0.0
            rest -= take
    if rest > 1e-9:
        if parts and parts[-1].move is group[-1]:
            rest += parts.pop().units
        parts.append(_piece(ratios, group[-1], rest, uom, units[-1]))
    return parts or [Piece(group[0], qty, uom, qty)]


def _piece(ratios: dict[int, tuple[int, float]], move: dict[str, Any], units: float, uom: int, unit: int) -> Piece:
    """`units` of `uom` on `move`, written in the finer of the two units: Odoo keeps a move line's quantity to
    its unit's decimals, so 5 units of a line bought in dozens are 5 Units, not 0.42 Dozens (5.04 units);
    converted, rounded off the float's noise (72 Units, not 71.99999999)."""
    if unit == uom or ratios[uom][1] <= ratios[unit][1]:
        return Piece(move, units, uom, units)
    return Piece(move, round(_convert(ratios, units, uom, unit) or 0.0, 6), unit, units)


def tracking_of(client: OdooClient, products: list[int]) -> dict[int, str]:
    """How Odoo tracks these products (none, lot, serial): one call, made only for the products of items with
    serial numbers, or of every item when the receipt is to be validated."""
    if not products:
        return {}
    return {int(r["id"]): str(r.get("tracking") or "none")
            for r in client.read("product.product", sorted(set(products)), ["tracking"])}


def check_tracking(label: str, item: ShipItem, product: str, tracking: str, validating: bool) -> None:
    """A receipt to validate must give a lot-tracked item its lot and a serial-tracked one its serial
    numbers: Odoo refuses to validate it without, after the notice's lines were written. Held before."""
    if validating and tracking == "serial" and not item.serials:
        raise OdooRejected(f"{label}: {product} is tracked by serial number in Odoo and the notice gives none "
                           f"(X12 REF*SE or an SN pair, EDIFACT GIN+BN or PIA ..:SN, UBL SerialID, cXML AssetInfo "
                           f"serialNumber), so Odoo would not validate the receipt; nothing was written: receive it "
                           f"in Odoo, scanning the serial numbers")
    if validating and tracking == "lot" and not item.lot:
        raise OdooRejected(f"{label}: {product} is tracked by lot in Odoo and the notice gives no lot (X12 REF*LT, "
                           f"EDIFACT PIA ..:NB, UBL LotNumberID, cXML Batch/SupplierBatchID), so Odoo would not "
                           f"validate the receipt; nothing was written: receive it in Odoo, entering the lot")


def check_serials(label: str, item: ShipItem, qty: float, uom: int, product_uom: int | None,
                  seen: set[str]) -> None:
    """A serial-tracked item is received one move line per serial number: the notice must give one per unit,
    each once (Odoo refuses a serial number twice); else it is held, nothing written."""
    if uom != product_uom:
        raise OdooRejected(f"{label}: {len(item.serials)} serial numbers for {item.quantity} {item.unit}: a serial "
                           f"number is one unit of the product, and {item.unit} is not counted in it in Odoo; ask "
                           f"the vendor for a corrected notice")
    if len(item.serials) != qty:
        shown = f"{item.quantity} {item.unit} ({qty:g} units)" if qty != item.quantity else f"{item.quantity}"
        raise OdooRejected(f"{label}: {len(item.serials)} serial numbers for a quantity of {shown}: the "
                           f"notice must give one per unit; ask the vendor for a corrected notice, or receive the "
                           f"goods in Odoo by hand")
    for serial in item.serials:
        if serial in seen:
            raise OdooRejected(f"{label}: serial number {serial} is in the notice twice; a serial number is one "
                               f"unit only: ask the vendor for a corrected notice")
        seen.add(serial)


def check_in_stock(client: OdooClient, serials: dict[str, tuple[int, str, str]], company: int | None) -> None:
    """A serial number is one unit: a notice giving one that is in stock already (in any internal or transit
    location of the receiving `company`, where Odoo's receipt form warns "already exists in location(s)") is held
    before anything is written, whether or not the gateway validates the receipt: Odoo refuses the validation
    when it is where the goods go (stock.quant's check_quantity), and elsewhere the unit is in two places. Only
    the receipt's company counts, as in Odoo's own warning (stock.quant `_check_serial_number`): a lot belongs to
    one company, so another company's unit of that number is another unit, and an API user without
    `allowed_company_ids` sees the stock of every company it may work in. `serials`: serial number -> (product id,
    product name, item label). One call, for notices with serial numbers."""
    if not serials:
        return
    domain: list[Any] = [("product_id", "in", sorted({product for product, _, _ in serials.values()})),
                         ("lot_id.name", "in", sorted(serials)), ("quantity", ">", 0),
                         ("location_id.usage", "in", ["internal", "transit"])]
    if company is not None:
        domain.append(("company_id", "=", company))
    quants = client.search_read("stock.quant", domain, ["product_id", "lot_id", "location_id"], order="id")
    found: dict[tuple[str, str], list[tuple[str, str]]] = {}     # (item label, product) -> [(serial, location)]
    for quant in quants:
        serial = str(quant["lot_id"][1]) if quant.get("lot_id") else ""
        product, name, label = serials.get(serial, (0, "", ""))
        if product == m2o_id(quant["product_id"]):
            found.setdefault((label, name), []).append((serial, str(quant["location_id"][1])))
    if not found:
        return
    (label, name), held = next(iter(found.items()))
    if len(held) == 1:
        what = f"serial number {held[0][0]} of {name} is in stock already at {held[0][1]}"
    else:
        what = f"serial numbers {', '.join(f'{n} ({at})' for n, at in held)} of {name} are in stock already"
    more = sum(len(v) for v in found.values()) - len(held)
    also = f" (and {more} serial number{'s' if more > 1 else ''} of other lines)" if more else ""
    raise OdooRejected(f"{label}: {what}{also}, and a serial number is one unit; nothing was written: ask the "
                       f"vendor which units these are, or receive the goods in Odoo by hand")


def per_serial(share: list[Piece], serials: list[str], uom: int) -> list[tuple[dict[str, Any], float, int, str]]:
    """The serial numbers dealt out over the moves an item is received on, in order: one unit (of the notice's
    unit, the product's own) each."""
    out: list[tuple[dict[str, Any], float, int, str]] = []
    rest = iter(serials)
    for piece in share:
        out += [(piece.move, 1.0, uom, serial) for _, serial in zip(range(round(piece.units)), rest)]
    return out
