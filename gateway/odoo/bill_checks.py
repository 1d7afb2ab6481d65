"""What an accounts-payable clerk compares on a vendor's bill before posting it, for the gateway's draft bills.

Odoo recomputes a bill's taxes and total from its own line taxes, so a bill made from a vendor's invoice can
total other than the invoice says (a tax the vendor charges and Odoo's product has not, another rate, a line the
vendor left out of its total). The gateway does not force Odoo's figures to the vendor's: the difference is noted
on the draft bill (its Terms and Conditions, `narration`), with the PO lines billed at another price than ordered
or beyond what Odoo's bill control lets be billed (received quantities, or ordered ones), so the clerk sees what
to check before posting.

Which PO line a bill line is for: the PO the line names (a consolidated invoice), else the invoice's; on it, the
line the invoice names (EDIFACT RFF+LI, cXML lineNumber, X12 IT101 counting the PO's product lines as Odoo orders
them, the rule ship notices follow), else the line of its product at its price, else the first of its product not
billed yet on this bill. A credit note names the invoice it corrects, whose bill it reverses. A PO line the vendor's
acknowledgment split into parts (`vendor_acks`: 4 now, 6 backordered on a line of their own) is billed as its
receipts are filled: the line, then its parts (`bill_pieces`), so that every part is billed, not left 'to bill'.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from gateway.odoo.client import OdooClient
from gateway.odoo.credit_memos import CXML_INVOICE
from gateway.odoo.lookup import Cache, m2o_id, m2o_name, price_digits
from gateway.odoo.receipts import backordered_part_of, line_number, split_name, units_per
from gateway.translate.canonical import Invoice, Line

TOTALS_NOTE = "EDI totals differ"
LINES_NOTE = "EDI lines differ from the purchase order"
CREDITED = ("invoice", "OI")     # X12 REF*IV / EDIFACT RFF+IV (canonical), X12 REF*OI / RFF+OI (original invoice)
LINE_ORDER = ("purchase_order", "customer_order")     # X12 REF*PO, EDIFACT RFF+ON: the buyer's order, our PO
CENT = Decimal("0.01")
# a cXML invoice line's order line is its lineNumber, read as a line_item reference where it is not its own number
NUMBERED_AS_ORDER = (CXML_INVOICE,)


def po_line_for(doc: Invoice, line: Line, product: int, price: Decimal | None, uom: int, purchase_uom: str,
                po_lines: list[dict[str, Any]], unused: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The PO line (of `po_lines`, the PO's product lines in Odoo's order) a bill line of `product` at net `price`
    per `uom` is for; the caller takes it out of `unused` (a second invoice line for one PO line, another
    delivery, gets it again)."""
    same = [p for p in po_lines if m2o_id(p["product_id"]) == product]
    if len(same) <= 1:
        return same[0] if same else None
    named = line_number(next((r.value for r in line.references if r.qualifier == "line_item"), None)
                        or (line.line_no if doc.source.syntax == "x12" or doc.source.standard_type in NUMBERED_AS_ORDER
                            else None))
    if named is not None and 0 < named <= len(po_lines) and m2o_id(po_lines[named - 1]["product_id"]) == product:
        return po_lines[named - 1]
    open_ = [p for p in same if p in unused]
    priced = [p for p in open_ if price is not None and m2o_id(p.get(purchase_uom)) == uom
              and abs(po_net_price(p) - price) < Decimal("0.000001")]
    return (priced or open_ or same)[0]


def backordered_parts(po_line: dict[str, Any], po_lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The PO lines holding the parts of `po_line` its vendor backordered (`vendor_acks`: lines of its product named
    after it and the acknowledgment's line number), in line order; [] for a line that is such a part itself. The
    number is the line's position when the vendor echoed the order's numbers; a vendor numbering its own way (10,
    20, ...) names a part after its number, which is then no position of that line: the part is the line's whose
    name it carries, nobody's when two lines of the product carry that name (a bill is not spread onto the other
    line's part)."""
    if backordered_part_of(po_line.get("name")) is not None:
        return []
    product = m2o_id(po_line.get("product_id"))
    originals = [p for p in po_lines if m2o_id(p.get("product_id")) == product
                 and backordered_part_of(p.get("name")) is None]

    def owner(part: dict[str, Any]) -> dict[str, Any] | None:
        number = backordered_part_of(part.get("name")) or 0
        named = [p for p in originals if part.get("name") == split_name(str(p.get("name") or ""), str(number))]
        at = po_lines[number - 1] if 0 < number <= len(po_lines) else None
        return at if at in named else (named[0] if len(named) == 1 else None)    # two of one name: neither's

    return [p for p in po_lines if m2o_id(p.get("product_id")) == product
            and backordered_part_of(p.get("name")) is not None and owner(p) is po_line]


def bill_pieces(client: OdooClient, cache: Cache, label: str, po_line: dict[str, Any], po_lines: list[dict[str, Any]],
                qty: float, uom: int, purchase_uom: str, taken: dict[int, float],
                credit: bool = False) -> tuple[list[tuple[dict[str, Any], float]], str | None]:
    """The PO lines an invoice's bill line of `qty` in `uom` goes on, with how much on each, and the note saying so
    when it is spread: a line the vendor's 855 split into parts (4 now, 6 backordered) billed whole on its own
    line would leave the parts to bill forever (`spread`); a credit note's line takes back from them likewise. A
    quantity in another unit than the line's that does not divide into the parts to the hundredth (Odoo's quantity
    digits; 1 Dozen over 4 + 8 Units) stays on the line, noted. `taken`: what this bill took of each PO line before
    (its unit), updated."""
    po_uom = m2o_id(po_line.get(purchase_uom)) or uom
    factor = 1.0 if po_uom == uom else units_per(client, uom, po_uom, cache)
    parts = backordered_parts(po_line, po_lines)
    if factor is None or not parts:
        taken[po_line["id"]] = taken.get(po_line["id"], 0.0) + qty * (factor or 0.0)
        return [(po_line, qty)], None
    mark = dict(taken)
    pieces = spread(po_line, parts, qty, factor, taken, credit)
    if len(pieces) == 1 and pieces[0][0] is po_line:
        return pieces, None
    # in the line's own unit the pieces are Odoo's and the vendor's figures (4.05 + 6.075 kg, to the thousandth)
    if factor != 1.0 and any(abs(q - round(q, 2)) > 1e-6 for _, q in pieces):
        taken.clear()
        taken.update(mark)
        taken[po_line["id"]] = taken.get(po_line["id"], 0.0) + qty * factor
        return [(po_line, qty)], (f"EDI bill line not spread: {label}: {_position(po_line)} has parts the vendor "
                                  f"backordered, and {qty:g} of the bill line's unit does not divide into them: move "
                                  "the quantities onto those lines by hand")
    return pieces, spread_note(label, qty, po_line, pieces, credit)


def spread(po_line: dict[str, Any], parts: list[dict[str, Any]], qty: float, factor: float,
           taken: dict[int, float], credit: bool = False) -> list[tuple[dict[str, Any], float]]:
    """A bill line of `qty` (`factor` of the PO line's unit each) for a PO line with backordered `parts`, as Odoo's
    bill control would take it: the line, then its parts, each up to what it leaves to bill (received, or ordered,
    less billed: `qty_to_invoice`), then up to what each orders; what is above all of them goes on the last part still
    ordering some (else the line), as any over-billing (`_beyond` notes it). A credit note's line takes back first
    what a line is billed beyond what it orders (a backordered part the vendor cancelled after billing it), the
    parts before the line, then beyond Odoo's bill control (`qty_to_invoice` below 0: goods short or sent back), the
    line before its parts, then what each is billed, the parts first; the rest from the line. (PO line, quantity in
    the bill line's unit) of each taking some, in line order; `taken`: what this bill's lines took of each PO line
    before, its unit."""
    shares = {p["id"]: 0.0 for p in (po_line, *parts)}
    rest = qty * factor

    def ordered_room(p: dict[str, Any]) -> float:
        return float(p.get("product_qty") or 0.0) - float(p.get("qty_invoiced") or 0.0)

    def billable_room(p: dict[str, Any]) -> float:
        return ordered_room(p) if p.get("qty_to_invoice") is None else float(p["qty_to_invoice"])

    def beyond_ordered(p: dict[str, Any]) -> float:
        return -ordered_room(p)

    def over_billed(p: dict[str, Any]) -> float:
        return -billable_room(p)

    def billed(p: dict[str, Any]) -> float:
        return float(p.get("qty_invoiced") or 0.0)

    ordering = [p for p in parts if float(p.get("product_qty") or 0.0) > 0]     # not a part cancelled since
    group, latest = [po_line, *parts], [*reversed(parts), po_line]
    # a credit: billed beyond what a line orders (a part cancelled), then beyond what it received, the line first
    # (goods short or sent back; a part billed ahead of its shipment still comes), then what each is billed
    rooms, last = (((beyond_ordered, latest), (over_billed, group), (billed, latest)), po_line) if credit else \
        (((billable_room, group), (ordered_room, group)), ordering[-1] if ordering else po_line)
    for room, order in rooms:
        for p in order:
            take = min(rest, max(room(p) - taken.get(p["id"], 0.0) - shares[p["id"]], 0.0))
            shares[p["id"]] += take
            rest -= take
    shares[last["id"]] += max(rest, 0.0)
    for p in group:
        taken[p["id"]] = taken.get(p["id"], 0.0) + shares[p["id"]]
    pieces = [(p, round(shares[p["id"]] / factor, 6)) for p in (po_line, *parts) if shares[p["id"]] > 1e-9]
    return pieces or [(po_line, qty)]


def spread_note(label: str, qty: float, po_line: dict[str, Any], pieces: list[tuple[dict[str, Any], float]],
                credit: bool = False) -> str:
    """What a clerk reads of a bill line spread over a PO line and its backordered parts."""
    return (f"EDI bill line spread: {label} {'credits' if credit else 'bills'} {qty:g} of {_position(po_line)}, "
            "which the vendor's acknowledgment "
            "split into parts: " + ", ".join(f"{q:g} on line {p.get('_position') or p['id']}" for p, q in pieces))


def po_net_price(po_line: dict[str, Any]) -> Decimal:
    """What a PO line's unit costs: its price less its discount (a field of purchase.order.line where read)."""
    return Decimal(str(po_line.get("price_unit") or 0)) * (1 - Decimal(str(po_line.get("discount") or 0)) / 100)


def line_notes(client: OdooClient, cache: Cache, billed: list[tuple[str, dict[str, Any], float, int, Decimal | None]],
               purchase_uom: str) -> list[str]:
    """What differs from the PO on an invoice's lines: a price other than the PO line's (after their discounts, to
    the database's Product Price digits) and a quantity that, with what was billed of the PO line before, is
    beyond what was ordered. `billed`: (line label, PO line, quantity, unit, net price per that unit) of each
    invoice line."""
    digits = Decimal(1).scaleb(-price_digits(client, cache, "account.move.line"))
    notes: list[str] = []
    totals: dict[int, float] = {}
    for lab, po_line, qty, uom, price in billed:
        po_uom = m2o_id(po_line.get(purchase_uom)) or uom
        factor = 1.0 if po_uom == uom else units_per(client, uom, po_uom, cache)
        if factor is None:          # units Odoo cannot compare: nothing to say about them
            continue
        totals[po_line["id"]] = totals.get(po_line["id"], 0.0) + qty * factor
        ordered = po_net_price(po_line).quantize(digits)
        if price is not None and (price / Decimal(str(factor))).quantize(digits) != ordered:
            notes.append(f"{lab}: billed at {(price / Decimal(str(factor))).quantize(digits)}, the purchase order's "
                         f"price is {ordered}")
    for po_line in {p["id"]: p for _, p, _, _, _ in billed}.values():
        if po_line["id"] in totals:
            note = _beyond(po_line, totals[po_line["id"]])
            if note is not None:
                notes.append(note)
    return [f"{LINES_NOTE}: {note}" for note in dict.fromkeys(notes)]     # a line spread over parts: noted once


def _beyond(po_line: dict[str, Any], this: float) -> str | None:
    """The note for a PO line this bill takes beyond what Odoo's bill control lets be billed, else None: on a product
    billed on received quantities (purchase.order.line `qty_to_invoice` is `qty_received - qty_invoiced`) what was
    received, else what was ordered (`product_qty - qty_invoiced`). `qty_to_invoice` says which, with no call for
    the product's `purchase_method` (a line where received and ordered agree is compared with both alike)."""
    before = float(po_line.get("qty_invoiced") or 0.0)
    ordered = float(po_line.get("product_qty") or 0.0)
    known = po_line.get("qty_received") is not None and po_line.get("qty_to_invoice") is not None
    received = float(po_line.get("qty_received") or 0.0)
    total = before + this
    on_received = known and abs(before + float(po_line.get("qty_to_invoice") or 0.0) - received) < 1e-6 and \
        abs(received - ordered) > 1e-6
    if on_received and total > received + 1e-6:
        return (f"{_position(po_line)}: this bill {this:g}, billed before {before:g}, received {received:g} "
                f"(ordered {ordered:g}): more than was received, for a product billed on received quantities "
                "(its bill control): check the receipt before posting")
    if not on_received and total > ordered + 1e-6:
        earlier = f" (with {before:g} billed before)" if before else ""
        return f"{_position(po_line)}: billed {total:g}{earlier}, ordered {ordered:g}"
    return None


def _position(po_line: dict[str, Any]) -> str:
    """A PO line as a clerk finds it: its PO (a consolidated bill names several), its number among the PO's product
    lines, its product."""
    order = f" {po_line['_order']}" if po_line.get("_order") else ""
    product = m2o_name(po_line.get("product_id"))
    return f"purchase order{order} line {po_line.get('_position') or po_line['id']}" + (f" ({product})" if product
                                                                                          else "")


def stated_totals(doc: Invoice) -> tuple[Decimal | None, Decimal | None]:
    """(total, tax) as the vendor states them: X12 TDS01 and TXI, EDIFACT MOA+77/86 and MOA+176, UBL
    TaxInclusiveAmount and TaxTotal, cXML NetAmount and Tax; the tax from the summary's taxes when no total tax
    is given (as `Invoice.check` adds them up), None when neither is."""
    tax = doc.totals.tax_amount
    if tax is None and any(t.amount is not None for t in doc.taxes):
        tax = sum((t.amount or Decimal(0) for t in doc.taxes), Decimal(0))
    return doc.totals.total_amount, tax


def totals_note(doc: Invoice, bill: dict[str, Any]) -> str | None:
    """The note for a bill whose total or tax (as Odoo computed them: `amount_total`, `amount_tax`) differs by more
    than a cent from the vendor's, else None. A credit note's figures are compared without their sign (Odoo shows a
    vendor credit note's total positive; vendors send it either way)."""
    total, tax = stated_totals(doc)
    credit = bill.get("move_type") == "in_refund"
    figures = []
    for what, stated, odoo in (("total", total, bill.get("amount_total")), ("tax", tax, bill.get("amount_tax"))):
        if stated is None or odoo is None:
            continue
        ours = Decimal(str(odoo)).quantize(CENT)
        theirs = stated.quantize(CENT)
        if credit:
            ours, theirs = abs(ours), abs(theirs)
        if abs(ours - theirs) > CENT:
            figures.append((what, theirs, ours))
    if not figures:
        return None
    stated_text = ", ".join(f"{what} {theirs}" for what, theirs, _ in figures)
    odoo_text = ", ".join(f"{what} {ours}" for what, _, ours in figures)
    return (f"{TOTALS_NOTE}: the vendor's invoice {doc.number} states {stated_text} {doc.currency or ''}".rstrip()
            + f"; Odoo computes {odoo_text} from the bill's lines and their taxes: check the lines' taxes (and "
              "prices) before posting")


def credited_invoice(doc: Invoice) -> str | None:
    """The number of the invoice a credit note corrects, as its references give it (X12 REF*IV or REF*OI, EDIFACT
    RFF+IV or RFF+OI), None when it names none (a credit for a return, a rebate)."""
    if doc.invoice_type != "credit_note":
        return None
    return next((r.value.strip() for q in CREDITED for r in doc.references
                 if r.qualifier == q and r.value.strip() and r.value.strip() != doc.number), None)



def line_po_number(line: Line) -> str | None:
    """The PO an invoice line says it bills, where a consolidated invoice names one per line."""
    return next((r.value.strip() for q in LINE_ORDER for r in line.references if r.qualifier == q and r.value.strip()),
                None)
