"""PurchaseOrder (customer) -> sale.order: the order's header and lines in one create, found again on a retry.

Duplicate check on client_order_ref + commercial partner (+ the delivery contact for store orders); an order
found again that this message did not make is compared with what it says (`order_differences`), and one with
other content is not simply found (`OtherContent`);
ship-to by GLN / store number (created when `odoo.create_ship_to`); products by barcode, customer code or
internal reference; units through the code map; price policy with tolerance and a flag (tag + note) on
mismatch; allowances/charges as lines on the service products `odoo.charge_products` maps them to (else in
the note); a line's allowances as that order line's discount, its charges like the order's; store
allocations (SDQ) and lines with a ship-to of their own in the note, or one order per place with
`odoo.store_orders: split` (`gateway.odoo.destinations`); optional
confirmation. Changes, replacements and cancellations of an order are `gateway.odoo.order_changes`.
"""

from __future__ import annotations

import hashlib
import html
import logging
import re
import threading
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from gateway.config.models import PartnerConfig
from gateway.errors import OdooRejected, OrderNotInOdoo
from gateway.journal.api import OdooLink
from gateway.odoo.client import OdooClient
from gateway.odoo.destinations import destinations, order_ship_to, place_notes
from gateway.odoo.lookup import (
    BARCODE_KINDS,
    CASE_UNITS,
    MISSING,
    Cache,
    Names,
    Packaging,
    ProductFinder,
    ProductMatch,
    counts_cases,
    customer_gtin,
    day_zone,
    discount_digits,
    find_contact,
    gtin_key,
    m2o_id,
    m2o_name,
    party_label,
    price_digits,
    record_by,
    unit_id,
    utc_datetime,
)
from gateway.odoo.order_conditions import condition_notes, shipping_policy
from gateway.odoo.receipts import unit_ratios
from gateway.odoo.records import html_notes, label_of, line_labels, record_link
from gateway.translate.canonical import (
    Address,
    AllowanceCharge,
    DateValue,
    Document,
    Line,
    PurchaseOrder,
    Totals,
)
from gateway.translate.charges import charge_key

log = logging.getLogger("gateway.odoo.sale_orders")
# records shared by the orders of several workers (a consumer's delivery address, the price flag tag): two
# workers finding none at once would each create one, so the find-or-create of a new one runs one at a time
_CREATING = threading.Lock()

PRICE_FLAG_TAG = "EDI price mismatch"
REQUESTED_DATES = ("requested_delivery", "delivery_requested", "deliver_by", "requested_ship", "ship_not_before",
                   "deliver_not_before")
LATEST_DATES = {"ship_no_later": "ship no later than", "deliver_not_after": "deliver no later than",
                "cancel_after": "cancel after"}
"""The end of the window a PO gives (X12 DTM 038, 063, 001; EDIFACT DTM 63): Odoo keeps one delivery date, the
start (`REQUESTED_DATES`), so the end is said in the note, where the people shipping the order read it."""
FINAL_PARTIES = {"mark_for": "mark for", "ultimate_consignee": "ultimate consignee",
                 "ultimate_customer": "ultimate customer"}
"""The party a PO's goods go on to beyond its ship-to (X12 N1*Z7, EDIFACT NAD+UC/UD: the store behind the DC), which
no Odoo field holds: said in the note, so the warehouse marks the goods for it."""


def line_sequences(lines: list[Line]) -> list[int]:
    """The partner's line numbers as Odoo line sequences when they are distinct numbers, else 1..N."""
    numbers = [line.line_no for line in lines]
    if all(n and n.isascii() and n.isdecimal() and int(n) < 2 ** 31 for n in numbers) and \
            len({int(n or 0) for n in numbers}) == len(numbers):
        return [int(n or 0) for n in numbers]
    return list(range(1, len(lines) + 1))      # (Odoo's sequence is a PostgreSQL integer)


def quantity_and_unit(client: OdooClient, partner: PartnerConfig, cache: Cache, quantity: Decimal, unit: str,
                      pack_size: Decimal | None, product_uom: int | None, label: str) -> tuple[float, int]:
    """(quantity, uom id): a case without a mapped unit counts pack_size product units per case."""
    if counts_cases(partner, unit, pack_size) and product_uom:
        assert pack_size is not None
        return float(quantity * pack_size), product_uom
    return float(quantity), unit_id(client, partner, cache, unit, label)


def price_per_odoo_unit(partner: PartnerConfig, line: Line) -> Decimal | None:
    """The partner's unit price per unit of its order line: a case Odoo counts as `pack_size` product units
    (`counts_cases`, no Odoo unit mapped to it) costs its price / pack_size each, as the line's quantity is the
    cases x pack_size. Odoo keeps the price to its Product Price digits (2 by default), so a case price that
    pack_size does not divide to the cent is a cent or so off per case."""
    if line.unit_price is None or not counts_cases(partner, line.unit, line.pack_size):
        return line.unit_price
    assert line.pack_size is not None
    return line.unit_price / line.pack_size


def unkept_price(partner: PartnerConfig, line: Line, digits: int, label: str) -> str | None:
    """Why a line cannot go to Odoo at its price, or None. Odoo keeps a Unit Price to its Product Price digits
    (`lookup.price_digits`, 2 by default), so a price per piece divided from one per 100 or 1000 (EDIFACT PRI
    5284, UBL BaseQuantity, cXML PriceBasisQuantity, X12 639 HP/TP/PD) loses what is below them: 12.50 per 1000
    is 0.01 a piece, 48 pieces 0.48 instead of 0.60, and the invoice follows Odoo. When the line's total moves by more than a cent,
    the line is refused naming the digits that keep it. A case Odoo counts in units (`counts_cases`) keeps its
    price / pack size rounded, as documented: its case price is in the currency's cents already."""
    price = price_per_odoo_unit(partner, line)
    if price is None or line.quantity is None or counts_cases(partner, line.unit, line.pack_size):
        return None
    agreed = line.quantity * price
    off = line.quantity * as_kept(price, digits) - agreed
    if abs(off) <= CENT:
        return None
    enough = next((d for d in range(digits + 1, 7) if abs(line.quantity * as_kept(price, d) - agreed) <= CENT), None)
    fix = (f"give Product Price {enough} digits in Odoo (developer mode: Settings > Technical > Database Structure > "
           f"Decimal Accuracy) and replay the file" if enough is not None else
           "no Product Price digits up to 6 keep it: ask the partner for the price of one")
    shown = min(price, price.quantize(Decimal("0.000001")), key=lambda p: len(str(p)))   # 100.00 / 30: 3.333333
    return (f"{label}: {line.quantity:f} {line.unit} at {shown:f} each is {agreed:.2f}; Odoo keeps a Unit Price to "
            f"{digits} decimals ({as_kept(price, digits)}), which makes the line {agreed + off:.2f}, "
            f"{abs(off):.2f} {'less' if off < 0 else 'more'}; not posted: {fix}")


def packed(partner: PartnerConfig, line: Line, packaging: Packaging | None) -> Line:
    """The partner's line as Odoo holds it when its GTIN was a product packaging's (`packaging`; its unit a case
    code the partner maps to no Odoo unit): 16-18 in cases of the packaging's size (`pack_size`), so its quantity
    and price per unit follow as for a PO4 pack (`counts_cases`); 19 in the packaging unit itself, a PO4 pack then
    no reason to divide its case price. Other lines as they are."""
    if packaging is None or line.unit.upper() not in CASE_UNITS or line.unit in partner.odoo.units:
        return line
    if packaging.unit is not None:
        return line.model_copy(update={"pack_size": None}) if line.pack_size else line
    return line.model_copy(update={"pack_size": packaging.size}) if packaging.size and not line.pack_size else line


def as_posted(client: OdooClient, partner: PartnerConfig, customer: int, cache: Cache, lines: list[Line],
              label: str) -> list[Line]:
    """`lines` as `line_commands` posted them (`packed`), their packagings found again by their GTINs (the
    lookup's cache: no call for the order just made). Lines that cannot be in a packaging are not looked up."""
    maybe = [(lab, line) for lab, line in zip(line_labels(lines, label), lines, strict=True)
             if line.unit.upper() in CASE_UNITS and line.unit not in partner.odoo.units
             and (any(line.item_ids.get(k) for k in BARCODE_KINDS) or customer_gtin(line.item_ids))]
    if not maybe:
        return lines
    try:
        matches = ProductFinder(client, cache, customer, "customer").resolve([(lab, l.item_ids) for lab, l in maybe])
    except OdooRejected:                # a product since gone: the price check goes by the lines as they are
        return lines
    found = {id(line): matches[lab].packaging for lab, line in maybe}
    return [packed(partner, line, found.get(id(line))) for line in lines]


def packaging_values(client: OdooClient, partner: PartnerConfig, cache: Cache, names: Names, line: Line,
                     match: ProductMatch, label: str) -> dict[str, Any]:
    """The quantity, unit and packaging of a sale line whose GTIN is a packaging's barcode (`match.packaging`):
    16-18 the product's unit, cases x the packaging's qty, with product_packaging_id and product_packaging_qty
    (what sale's computes keep consistent: writing the packaging also stops Odoo suggesting the biggest one that
    divides the quantity, a pallet); 19 the cases in the packaging unit. The line's unit must be that case: a case
    code the partner maps to no Odoo unit, or the Odoo unit its `odoo.units` names when it is the packaging (19) or
    holds as many (Dozens for a packaging of 12). Any other unit (EA) contradicts the GTIN: refused, naming
    both; so does a PO4 pack other than the packaging's."""
    packaging = match.packaging
    assert packaging is not None
    quantity = stated_quantity(line, label)
    mapped = partner.odoo.units.get(line.unit)
    unit = unit_id(client, partner, cache, line.unit, label) if mapped or line.unit.upper() not in CASE_UNITS \
        else None
    size = f" of {packaging.size:g}" if packaging.size else ""
    if unit is not None and unit != packaging.unit and not (
            packaging.unit and _holds(client, cache, unit, packaging.unit) == 1 or
            packaging.size and match.uom_id and _holds(client, cache, unit, match.uom_id) == packaging.size):
        raise OdooRejected(f"{label}: {match.via} is {match.name} in {packaging.name!r}{size}, but the line orders "
                           f"{quantity:f} {line.unit}{f' ({mapped})' if mapped else ''}; not posted: ask the partner "
                           "whether it orders cases (the case's unit) or units (the unit's GTIN)")
    if line.pack_size and packaging.size and line.pack_size != packaging.size:
        raise OdooRejected(f"{label}: {match.via} is {match.name} in {packaging.name!r}{size}, but the line says "
                           f"{line.pack_size:g} per {line.unit}; not posted: ask the partner which pack it orders")
    if packaging.id is None:                     # 19: the packaging is the line's unit
        return {"product_uom_qty": float(quantity), names.sale_uom: unit or packaging.unit}
    values: dict[str, Any] = {"product_packaging_id": packaging.id, "product_packaging_qty": float(quantity)}
    if unit is not None:                         # the partner's unit, which holds as much as the packaging
        return {**values, "product_uom_qty": float(quantity), names.sale_uom: unit}
    assert packaging.size is not None
    return {**values, "product_uom_qty": float(quantity * packaging.size), names.sale_uom: match.uom_id}


def sized(client: OdooClient, cache: Cache, lines: list[tuple[str, Line]],
          matches: dict[str, ProductMatch]) -> dict[str, ProductMatch]:
    """`matches` whose Odoo 19 packaging units, on lines with a PO4 pack, carry how many of the unit at the top of
    their chain (the product's Units) they hold, by Odoo's factors, in one read for all of them: the pack is then
    compared with it as 16-18 compare it with the packaging's qty (a PO4*12 with a case of 24 was posted as 10
    cases of 24 on 19 alone, by an 850 or an 860)."""
    units = {m.packaging.unit for lab, line in lines if line.pack_size and (m := matches[lab]).packaging
             and m.packaging.id is None and m.packaging.unit}
    sizes = {u: Decimal(str(round(each, 6))).normalize()
             for u, (_, each) in unit_ratios(client, units, cache).items()} if units else {}
    return {lab: replace(m, packaging=replace(m.packaging, size=sizes[m.packaging.unit]))
            if m.packaging and m.packaging.unit in sizes else m for lab, m in matches.items()}


def by_their_codes(finder: ProductFinder, partner: PartnerConfig, lines: list[tuple[str, Line]],
                   matches: dict[str, ProductMatch]) -> dict[str, ProductMatch]:
    """`matches` where a line found by a case's GTIN, but ordered in a unit that is no case (240 EA) or that the
    partner maps to an Odoo unit (CS: Dozens), is found again by its other item numbers (the customer's, ours) when
    they name the same product: posted in its unit as before case GTINs found anything, so an order those numbers
    took through goes through the same. One lookup for all such lines; a line without other numbers, or one they
    do not find, stays the case's (`packaging_values` holds it naming both when its unit contradicts the case). The
    customer's item number that is the case's GTIN (`customer_gtin`) is none of those other numbers."""
    again = [(lab, others) for lab, line in lines
             if (found := matches.get(lab)) and found.packaging
             and (line.unit.upper() not in CASE_UNITS or line.unit in partner.odoo.units)
             and (others := {k: v for k, v in line.item_ids.items() if k not in BARCODE_KINDS and not (
                 k == "buyer" and customer_gtin(line.item_ids) == gtin_key(found.packaging.barcode))})]
    try:
        by_codes = finder.resolve(again) if again else {}
    except OdooRejected:
        return matches
    return {**matches, **{lab: m for lab, m in by_codes.items() if m.product_id == matches[lab].product_id}}


def _holds(client: OdooClient, cache: Cache, unit: int, product_uom: int) -> Decimal | None:
    """How many of `product_uom` one `unit` is, by Odoo's factors (None when they do not compare)."""
    ratios = unit_ratios(client, {unit, product_uom}, cache)
    (top, each), (own_top, own_each) = ratios[unit], ratios[product_uom]
    return Decimal(str(round(each / own_each, 6))).normalize() if top == own_top and own_each else None


def unkept_case_price(partner: PartnerConfig, line: Line, digits: int | None, label: str) -> str | None:
    """Why a case by its GTIN (`packed`) cannot go to Odoo at its price per unit (`unkept_price` on its units):
    25.00 a case of 24 is 1.04 a unit at 2 digits, 10 cases 249.60 instead of 250.00. None when the prices are
    not written (`digits` None) or the line is not counted in units."""
    if digits is None or line.quantity is None or line.unit_price is None or \
            not counts_cases(partner, line.unit, line.pack_size):
        return None
    assert line.pack_size is not None
    units = line.model_copy(update={"quantity": line.quantity * line.pack_size, "unit": "units", "pack_size": None,
                                    "unit_price": line.unit_price / line.pack_size})
    return unkept_price(partner, units, digits, f"{label} ({line.quantity:f} {line.unit} of {line.pack_size:g})")


def stated_quantity(line: Line, label: str) -> Decimal:
    """A line's quantity where one is needed (a change line may leave it out; the canonical model lets no other)."""
    if line.quantity is None:
        raise OdooRejected(f"{label}: no quantity")
    return line.quantity


AS_SENT = frozenset({"original", "confirmation", "duplicate", "copy", ""})
"""Purposes that mean the order as first sent: one that is in Odoo already is found, not changed (an X12 BEG01
07 / EDIFACT BGM 7 duplicate, 31 copy, 06 confirmation); one that is not is created."""
PURPOSES = AS_SENT | {"change", "replace", "cancel"}


def post_one(client: OdooClient, doc: PurchaseOrder, partner: PartnerConfig, customer: dict[str, Any],
             names: Names, cache: Cache, label: str, shipping: int | None = None) -> list[OdooLink]:
    """The sale order of a PO (of one store's part of it, `shipping` its delivery contact): found when it
    exists, else created with its lines in one call; then the price policy and the confirmation."""
    domain: list[Any] = [("client_order_ref", "=", doc.number), ("partner_id", "child_of", customer["id"]),
                         ("state", "!=", "cancel")]
    if shipping is not None:
        domain.append(("partner_shipping_id", "=", shipping))
    existing = client.search_read("sale.order", domain, ["name", "state", "note", "partner_shipping_id",
                                                         "commitment_date"], limit=1)
    links: list[OdooLink] = []
    if existing:
        order = existing[0]
        if doc.purpose not in AS_SENT:
            hint = (" (or set odoo.order_changes: revise for this partner's changes to be applied to quotations)"
                    if doc.purpose == "change" else "")
            raise OdooRejected(f"{label}: a {doc.purpose} of order {order['name']} is not applied automatically; "
                               f"change the order in Odoo{hint}")
        # this message's own earlier try (a lost response), or a resend of what made or last replaced the order
        # (however people edited it since), is simply found
        if not made_by(doc, order) and not says_as_before(doc, order):
            differences = order_differences(client, doc, partner, customer, names, cache, label, order)
            if differences:
                raise OtherContent(doc, partner, order, differences, label, several=shipping is not None)
        links.append(record_link(doc, "sale.order", order["id"], "found"))
    else:
        if doc.purpose == "change":               # cancel and replace are handled above
            raise OrderNotInOdoo(f"{label}: a {doc.purpose} for an order that is not in Odoo "
                                 f"(no sale order with customer reference {doc.number} for {customer['name']})",
                                 partner.odoo.order_wait_minutes)
        order_vals, contact_links = _order_values(client, doc, partner, customer, names, cache, label)
        if shipping is not None:            # what the duplicate check above looks for, whatever Odoo would default
            order_vals["partner_shipping_id"] = shipping
        links += contact_links
        order_id = client.create("sale.order", order_vals)
        order = {"id": order_id, "name": None, "state": "draft", "note": order_vals.get("note") or False}
        links.insert(0, record_link(doc, "sale.order", order_id, "created"))
        log.info("created sale.order %s for %s", order_id, label)
    if order["state"] in ("draft", "sent"):    # confirmed: the prices were settled before, and people own it now
        apply_price_policy(client, doc, partner, order, cache, label, customer["id"])
    if partner.odoo.confirm_orders and order["state"] in ("draft", "sent"):
        client.call("sale.order", "action_confirm", [order["id"]])
    return links


def message_key(doc: Document) -> str:
    """What names one inbound message for good: its interchange and set control numbers (a partner's next
    message about the same PO has new ones; a replay or a retry has the same), else the journal id it was given."""
    src = doc.source
    if src.interchange_control:
        return f"interchange {src.interchange_control} set {src.transaction_control or '-'}"
    return f"message {src.message_id or doc.date or '-'}"


def order_payload_id(note: str | None) -> str | None:
    """The payloadID of the cXML OrderRequest a sale order was made from, or of the last one that replaced or
    changed it: a cXML file's interchange is its payloadID, which `message_key` names in the note's markers. A cXML
    ship notice or invoice names the order by it (DocumentReference). None for an order that came otherwise."""
    text = html.unescape(note or "")
    if CXML_ORDER_MARK not in text:
        return None
    found = INTERCHANGE_MARK.findall(text)
    return found[-1] if found else None


CXML_ORDER_MARK = "EDI OrderRequest "                  # the first line of a note `_order_values` wrote from cXML
INTERCHANGE_MARK = re.compile(r"\(interchange (\S+) set [^()]*\)")


def named(doc: Document) -> bool:
    """Whether `message_key` names the message itself (not only the document's date)."""
    return bool(doc.source.interchange_control or doc.source.message_id)


def made_by(doc: Document, order: dict[str, Any]) -> bool:
    """Whether this very message wrote the sale order already (created it, or was applied to it): the order's
    note names it by its control numbers, followed by its content mark. Its own retry after a lost response, or a
    replay, is then found as it is, never compared. The same numbers followed by another content mark are another
    PO: the partner's counter started again, and the file, held for it, was replayed to be processed as new; taken
    for the first, its differences were neither applied nor held. A note from before content marks names the
    numbers alone and counts as made by it."""
    if not named(doc):
        return False
    note = order.get("note") or ""
    key = html.escape(f"({message_key(doc)})")
    at = note.find(key)
    if at < 0:
        return False
    after = MARK_AFTER_KEY.match(note, at + len(key))
    return after is None or after.group(0).strip() == content_mark(doc)


MARK_AFTER_KEY = re.compile(r"\s*\[content [0-9a-f]{16}\]")
"""The content mark a note writes right after a message's control numbers (`_order_values`)."""


def content_mark(doc: Document) -> str:
    """A digest of what the document says, its envelope aside (control numbers, message id, file name), written
    in the note of the sale order it makes or replaces: a partner's resend of that very content under a new
    control number is then found as it is, whatever people changed in Odoo since (a quantity a salesperson
    corrected is not put back, a confirmed order is not held for a difference its own people made). Fields the
    canonical model gained after marks were first written (`UNMARKED`) are left out, so an order made by an earlier
    release is still recognised when its PO is resent."""
    said = doc.model_dump_json(exclude={"source", *UNMARKED}, exclude_none=True).encode("utf-8")
    return f"[content {hashlib.sha256(said).hexdigest()[:16]}]"


UNMARKED = frozenset({"terms_net_days", "terms_discount_percent", "terms_discount_days", "incoterm", "incoterm_place",
                      "sales_requirements", "contacts", "terms_type", "terms_basis", "line_prices"})
"""PurchaseOrder fields read since November 2026 (ITD's figures, terms of delivery; from December the CSH, header
PER, ITD01/02 and CTP), each derived from a segment the order had before (its ITD text is in the mark) or not
compared on a resend (`order_differences`)."""


def says_as_before(doc: Document, order: dict[str, Any]) -> bool:
    """Whether the sale order was made or last replaced from a document saying exactly what `doc` says."""
    return content_mark(doc) in (order.get("note") or "")


class OtherContent(OdooRejected):
    """An order sent again as first sent (a new X12 ISA13 or EDIFACT UNB, a corrected CSV/XML export) whose
    sale order Odoo has with other content: held for a person, the reason naming each difference, unless
    `replaceable` (a quotation, a partner whose changes are revised), when it is applied as a replacement."""

    def __init__(self, doc: PurchaseOrder, partner: PartnerConfig, order: dict[str, Any], differences: list[str],
                 label: str, several: bool = False) -> None:
        self.order = order
        self.differences = differences
        quotation = order["state"] in ("draft", "sent")
        self.replaceable = quotation and not several and partner.odoo.order_changes == "revise"
        replay = f"`edi-gateway replay {doc.source.message_id}`" if doc.source.message_id else "a replay"
        if several:
            why = "it is one of the PO's sale orders (one per place it ships to), which are not replaced automatically"
        elif not quotation:
            why = f"sale order {order['name']} is confirmed (state {order['state']}), so it is not replaced automatically"
        else:
            why = (f"it is not applied automatically (odoo.order_changes: {partner.odoo.order_changes}; with revise, "
                   f"a resend with other content replaces a quotation, and {replay} applies this one)")
        listed = "; ".join(differences[:10]) + (f"; ... ({len(differences) - 10} more)" if len(differences) > 10 else "")
        super().__init__(f"{label}: sent again as an original ({message_key(doc)}) with other content than sale "
                         f"order {order['name']} has in Odoo: {listed}; {why}. Change the order in Odoo if the "
                         f"partner means it (then {replay} finds it as it is), or ask the partner")


def post_store_orders(client: OdooClient, doc: PurchaseOrder, partner: PartnerConfig, customer: dict[str, Any],
                      names: Names, cache: Cache, label: str) -> list[OdooLink]:
    """`odoo.store_orders: split`: a PO whose lines go to several places (stores its lines are allocated to, X12
    SDQ; a line's own ship-to) becomes one sale order per place, shipped to that place's delivery contact (a
    store's number is the contact's Reference, or its GLN), with the place's share of each line; the rest goes
    to the PO's own ship-to. The order's own allowances and charges go on the first of them. Each is found
    again by PO number and delivery contact, so a retry creates only what is missing."""
    links: list[OdooLink] = []
    charges = doc.allowances_charges
    others = [p for p in doc.parties if p.role != "ship_to"]
    for place, lines in destinations(doc, label):
        ship_to = order_ship_to(doc) if place is None else place
        part = doc.model_copy(update={"lines": lines, "parties": others + ([ship_to] if ship_to else []),
                                      "allowances_charges": charges, "totals": Totals()})
        charges = []
        shipping = customer["id"]            # no ship-to: Odoo delivers to the customer itself
        if ship_to is not None:
            shipping, created = ship_to_contact(client, partner, part, customer, ship_to, cache,
                                                f"{label} for {party_label(ship_to)}")
            if created:
                links.append(record_link(doc, "res.partner", shipping, "created"))
        where = f"{label} for {party_label(ship_to)}" if ship_to is not None else label
        links += post_one(client, part, partner, customer, names, cache, where, shipping)
    return links


def check_currency(client: OdooClient, partner: PartnerConfig, doc: Document, customer: dict[str, Any],
                   cache: Cache, label: str) -> None:
    """Refuse an order in another currency than the sale order would get: its pricelist's (the customer's
    Pricelist), else, a customer with none (18+ without the Pricelists setting), the company's, as Odoo computes
    sale.order `currency_id` (`pricelist_id.currency_id or company_id.currency_id`). Made anyway, a EUR order
    would be a USD quotation whose partner's prices (price_policy order) were written as dollars."""
    wanted = (doc.currency or partner.odoo.currency or "").strip().upper()     # ISO 4217 as Odoo names currencies
    if not wanted:
        return
    pricelist = m2o_id(customer.get("property_product_pricelist"))
    if pricelist:
        row = record_by(client, cache, "product.pricelist", [("id", "=", pricelist)], ["name", "currency_id"],
                        pricelist)
        have = m2o_name(row.get("currency_id")) if row else None
        where = f"{customer['name']}'s pricelist {row['name'] if row else ''} is in {have}"
    else:
        row = company_row(client, cache)
        have = m2o_name(row.get("currency_id")) if row else None
        where = (f"{customer['name']} has no pricelist in Odoo, so its sale order would be in the currency of "
                 f"{row['name'] if row else 'the company'}, {have}; give the customer a pricelist in {wanted}")
    if have and have != wanted:
        raise OdooRejected(f"{label}: currency mismatch: the order is in {wanted} but {where}")


def _order_values(client: OdooClient, doc: PurchaseOrder, partner: PartnerConfig, customer: dict[str, Any],
                  names: Names, cache: Cache, label: str) -> tuple[dict[str, Any], list[OdooLink]]:
    vals: dict[str, Any] = {"partner_id": customer["id"], "client_order_ref": doc.number,
                            "origin": f"EDI {doc.source.standard_type or doc.doc_type} {doc.number}"}
    header, links = header_values(client, doc, partner, customer, cache, label)
    vals.update(header)
    notes = [f"EDI {doc.source.standard_type or 'order'} {doc.number}" + (f" of {doc.date}" if doc.date else "")
             + (f" ({message_key(doc)})" if named(doc) else "")       # how a retry knows its own order
             + f" {content_mark(doc)}"]                                # and a resend, its content
    notes += header_notes(doc)
    notes += [note for note in (bill_to_contact(client, partner, doc, customer, cache)[1],
                                delivery_terms(client, doc, cache)[1]) if note]
    terms = terms_mismatch(client, doc, customer, cache)
    if terms is not None:
        notes.append(terms)
        vals["tag_ids"] = [[4, _flag_tag(client, cache, TERMS_FLAG_TAG), 0]]
        log.warning("%s: %s", label, terms)
    vals["order_line"], charge_notes = line_commands(client, doc, partner, customer, names, cache, label)
    notes += charge_notes
    notes += doc.notes
    # what the gateway's consistency checks warned of (a quantity hash, a line count a person released): said
    # where the people working the order read it, not only in the gateway's findings
    notes += [f"EDI check: {problem}" for problem in doc.check()]
    vals["note"] = html_notes(notes)
    return vals, links


def header_notes(doc: PurchaseOrder) -> list[str]:
    """What the order says that Odoo has no field for: references, terms, carrier, how each line's quantity
    is to be split between stores (SDQ), which lines go to a ship-to of their own or are wanted on another day,
    the ship-to's second name line (X12 N2: whose attention, which dock), which the people packing the order need
    to see."""
    notes = [f"{r.qualifier.replace('_', ' ')}: {r.value}" for r in doc.references]
    notes += [f"{label}: {value}" for label, value in (("terms", doc.terms), ("ship via", doc.ship_method)) if value]
    ship_to = order_ship_to(doc)
    if ship_to is not None and ship_to.name2:       # the contact Odoo has is not rewritten from a PO: said here
        notes.append(f"ship to {ship_to.name or party_label(ship_to)}: {ship_to.name2}")
    notes += [f"line {line.line_no or i} for {line.allocation_kind or 'location'} "
              + ", ".join(f"{where}: {qty}" for where, qty in line.allocations.items())
              for i, line in enumerate(doc.lines, 1) if line.allocations]
    notes += [f"{LATEST_DATES[d.qualifier]} {d.date}" + (f" {d.time}" if d.time else "")
              for d in doc.dates if d.qualifier in LATEST_DATES]
    notes += [f"{FINAL_PARTIES[p.role]}: " + " ".join([*([p.name] if p.name else []),
                                                        *([f"({party_label(p)})"] if p.ids else [])])
              for p in doc.parties if p.role in FINAL_PARTIES and (p.name or p.ids)]
    return notes + place_notes(doc) + _day_notes(doc) + condition_notes(doc)


def header_values(client: OdooClient, doc: PurchaseOrder, partner: PartnerConfig, customer: dict[str, Any],
                  cache: Cache, label: str) -> tuple[dict[str, Any], list[OdooLink]]:
    """The sale order fields a PO's header sets (ship-to contact, warehouse, requested date), for a new order
    and for a revision of one; plus the link of a ship-to contact created for it."""
    links: list[OdooLink] = []
    vals: dict[str, Any] = {}
    ship_to = order_ship_to(doc)
    if ship_to is not None:
        contact, created = ship_to_contact(client, partner, doc, customer, ship_to, cache, label)
        vals["partner_shipping_id"] = contact
        if created:
            links.append(record_link(doc, "res.partner", contact, "created"))
    invoice_to, _ = bill_to_contact(client, partner, doc, customer, cache)
    if invoice_to is not None:
        vals["partner_invoice_id"] = invoice_to
    vals.update(delivery_terms(client, doc, cache)[0])
    vals.update(shipping_policy(client, doc))
    warehouse = _warehouse(client, partner, cache, label)
    if warehouse is not None:
        vals["warehouse_id"] = warehouse
    commitment = _commitment(client, doc, partner, cache, warehouse, label)
    if commitment is not None:
        vals["commitment_date"] = commitment
    return vals, links


def bill_to_contact(client: OdooClient, partner: PartnerConfig, doc: PurchaseOrder, customer: dict[str, Any],
                    cache: Cache) -> tuple[int | None, str | None]:
    """(invoice address, note) for the order's bill-to party (X12 N1*BT, EDIFACT NAD+IV, UBL AccountingCustomerParty):
    the customer's contact it names (by GLN, store number or name, as a ship-to is found) becomes the sale order's
    Invoice Address, which its invoices and their 810 go to. One naming the customer itself (by its id, or by its
    name with an id no contact has), or none, leaves Odoo's
    own (the customer's invoice-type contact, else the customer); one Odoo does not have is never made: the order
    keeps Odoo's and its note says so, for accounts receivable to check."""
    party = doc.party("bill_to")
    itself = party is not None and (party.name or "").strip().casefold() == str(customer["name"]).casefold()
    if party is None or not party.ids and itself:
        return None, None                   # the customer itself, by name (a cXML BillTo, an N1*BT without id)
    key = ("bill_to", customer["id"], party.model_dump_json())
    known: tuple[int | None, str | None] = cache.get("contact", key)   # a miss too: asked once, not per use
    if known is not MISSING:
        return known
    found = find_contact(client, partner, customer, party, cache)
    if found is None and itself:        # its own code for itself (N1*BT*LAMPS PLUS*92*0253), which Odoo lacks
        return cache.put("contact", key, (None, None))
    if found is None:
        return cache.put("contact", key, (None, (
            f"bill to {party_label(party)}: not an address of {customer['name']} in Odoo, so the order is invoiced "
            "to the customer's invoice address in Odoo")))
    contact = int(found["id"])
    return cache.put("contact", key, (None if contact == customer["id"] else contact, None))


def delivery_terms(client: OdooClient, doc: PurchaseOrder, cache: Cache) -> tuple[dict[str, Any], str | None]:
    """(sale order values, note) for the order's terms of delivery (X12 FOB04 01 + FOB05, EDIFACT TOD): the Odoo
    Incoterm of that code (account.incoterms, sale.order `incoterm`, which its invoices take) and its place
    (`incoterm_location`). A code Odoo has no Incoterm for, or a place without that field, is said in the note
    rather than refusing the order: who pays the freight is for people to settle, not a reason to hold goods."""
    if not doc.incoterm:
        return {}, None
    code = doc.incoterm.strip().upper()
    said = f"terms of delivery {doc.incoterm.strip()}" + (f" {doc.incoterm_place}" if doc.incoterm_place else "")
    order_fields = client.fields("sale.order")
    if "incoterm" not in order_fields:
        return {}, f"{said} (this Odoo's sale orders have no Incoterm field)"
    table: dict[str, int] = cache.get("incoterms", id(client))
    if table is MISSING:
        table = cache.put("incoterms", id(client), {str(r["code"]).upper(): int(r["id"]) for r in client.search_read(
            "account.incoterms", [], ["code"]) if r.get("code")})
    if code not in table:
        return {}, f"{said}: Odoo has no Incoterm with that code, so the order has none"
    vals: dict[str, Any] = {"incoterm": table[code]}
    if doc.incoterm_place and "incoterm_location" in order_fields:
        vals["incoterm_location"] = doc.incoterm_place
    elif doc.incoterm_place:
        return vals, f"{said} (the place is not kept by this Odoo's sale orders)"
    return vals, None


def _warehouse(client: OdooClient, partner: PartnerConfig, cache: Cache, label: str) -> int | None:
    """The id of the partner's `odoo.warehouse`, if it names one."""
    if not partner.odoo.warehouse:
        return None
    wh = record_by(client, cache, "stock.warehouse", ["|", ("code", "=", partner.odoo.warehouse),
                                                      ("name", "=", partner.odoo.warehouse)],
                   ["name"], partner.odoo.warehouse)
    if wh is None:
        raise OdooRejected(f"{label}: warehouse {partner.odoo.warehouse!r} (odoo.warehouse) is not in Odoo")
    return int(wh["id"])


def _commitment(client: OdooClient, doc: PurchaseOrder, partner: PartnerConfig, cache: Cache,
                warehouse: int | None, label: str) -> str | None:
    """The order's requested day as the sale order's commitment_date (UTC, as Odoo stores it), if it has one."""
    requested = order_requested(doc)
    if requested is None:
        return None
    try:
        return utc_datetime(requested.date, requested.time, day_zone(client, partner, cache, warehouse))
    except ValueError:
        raise OdooRejected(f"{label}: the {requested.qualifier.replace('_', ' ')} date "
                           f"{requested.date!r} is not a calendar date (YYYY-MM-DD)") from None


def requested_date(dates: list[DateValue]) -> DateValue | None:
    return next((d for q in REQUESTED_DATES for d in dates if d.qualifier == q), None)


def order_requested(doc: PurchaseOrder) -> DateValue | None:
    """The day the order is wanted: its own requested date, else the earliest its lines ask for (a UBL order
    may give the period only on its lines), so the order's commitment date is never left empty by that."""
    found = requested_date(doc.dates)
    if found is None:
        days = [day for line in doc.lines if (day := requested_date(line.dates)) is not None]
        found = min(days, key=lambda d: (d.date, d.time or ""), default=None)
    return found


def _day_notes(doc: PurchaseOrder) -> list[str]:
    """The lines wanted on another day than the order (Odoo keeps one commitment date per order)."""
    order_day = order_requested(doc)
    notes = []
    for index, line in enumerate(doc.lines, 1):
        day = requested_date(line.dates)
        if day is not None and order_day is not None and day.date != order_day.date:
            notes.append(f"line {line.line_no or index} requested for {day.date}, not the order's {order_day.date}")
    return notes


def line_commands(client: OdooClient, doc: PurchaseOrder, partner: PartnerConfig, customer: dict[str, Any],
                  names: Names, cache: Cache, label: str, compared: bool = False) -> tuple[list[list[Any]], list[str]]:
    """One x2many create command per order line and per mapped allowance/charge, products and units resolved
    in bulk (one lookup for both); also the note lines for the allowances/charges. Under the 'order' policy a
    price Odoo cannot keep (`unkept_price`) refuses them all, for a new order, a revision or added lines alike; so
    does an item Odoo does not sell, unless the commands are only `compared` with a sale order Odoo has (a resend's
    `order_differences`: its lines were written when the item was still sold)."""
    if partner.odoo.price_policy == "order":          # the partner's prices are written: Odoo must keep them
        kept = price_digits(client, cache)
        unkept = [why for i, line in enumerate(doc.lines, 1)
                  if (why := unkept_price(partner, line, kept, label_of(line, i, label)))]
        if unkept:
            raise OdooRejected("; ".join(unkept))
    finder = ProductFinder(client, cache, customer["id"], "customer", spreadsheet=doc.source.syntax == "csv")
    labels = line_labels(doc.lines, label)
    discounts: list[Decimal | None] = []
    digits = discount_digits(client, cache)
    line_charges: list[Charge] = []
    line_notes: list[str] = []
    for index, line in enumerate(doc.lines, 1):
        discount, charges_of_line, notes_of_line = line_allowances(line, index, partner, label, digits)
        discounts.append(discount)
        line_charges += charges_of_line
        line_notes += notes_of_line
    charges = order_charges(doc, partner, label, discounts)      # a percent of the order is of the discounted lines
    notes = [c.note for c in charges] + line_notes
    charges += line_charges
    wanted = [(lab, line.item_ids) for lab, line in zip(labels, doc.lines)]
    wanted += [(c.label, {"default_code": c.default_code}) for c in charges if c.default_code and c.amount is not None]
    try:
        matches = by_their_codes(finder, partner, list(zip(labels, doc.lines)), finder.resolve(wanted))
        matches = sized(client, cache, list(zip(labels, doc.lines)), matches)
    except OdooRejected:
        name_missing_charge_product(finder, wanted[:len(doc.lines)], charges)
        raise
    # Odoo's ORM takes any product on a sale line; its order form offers only those for sale (as the 846 does)
    unsold = [f"{lab}: {matches[lab].name} is not for sale in Odoo (Can be Sold, Sales in 19, is unticked on the product, "
              "so Odoo's order form would not offer it): tick it and replay, or tell the partner the item is no longer sold"
              for lab in labels if not matches[lab].sold and not compared]
    if unsold:
        raise OdooRejected("; ".join(unsold))
    commands: list[list[Any]] = []
    sequences = line_sequences(doc.lines)
    written = price_digits(client, cache) if partner.odoo.price_policy == "order" else None
    for seq, lab, line, discount in zip(sequences, labels, doc.lines, discounts):
        match = matches[lab]
        values: dict[str, Any] = {"product_id": match.product_id, "sequence": seq}
        if match.packaging is not None:          # a case by its GTIN
            values.update(packaging_values(client, partner, cache, names, line, match, lab))
            why = unkept_case_price(partner, packed(partner, line, match.packaging), written, lab)
            if why:
                raise OdooRejected(why)
        else:
            qty, uom = quantity_and_unit(client, partner, cache, stated_quantity(line, lab), line.unit,
                                         line.pack_size, match.uom_id, lab)
            values.update({"product_uom_qty": qty, names.sale_uom: uom})
        if discount is not None:     # price_unit stays the gross price, so the price check never sees a discount
            values["discount"] = float(discount)
        commands.append([0, 0, values])
    # after every order line's sequence, so the price check (which pairs lines by sequence) never sees them
    seq = max(sequences, default=0)
    for charge in charges:
        if charge.label in matches and charge.amount is not None:
            seq += 1
            commands.append([0, 0, charge_line(charge, matches[charge.label], seq, names)])
    return commands, notes


def charge_line(charge: Charge, match: ProductMatch, sequence: int, names: Names) -> dict[str, Any]:
    """The sale order line of an allowance/charge whose amount is known: quantity 1 of its product at its
    signed amount, named by its description (else code, else kind)."""
    assert charge.amount is not None
    item: dict[str, Any] = {"product_id": match.product_id, "product_uom_qty": 1.0,
                            "price_unit": float(charge.amount), "name": charge.name, "sequence": sequence}
    if match.uom_id:
        item[names.sale_uom] = match.uom_id
    return item


@dataclass(frozen=True)
class Charge:
    """One allowance/charge of an order: the product it maps to (by which key), its signed amount when known
    (an order line then), what the partner said ("charge freight FREIGHT: 50.00") and its note line; `source`
    the allowance/charge it is (a change pairs a renamed one with its line by kind and code)."""

    label: str
    name: str
    key: str | None
    default_code: str | None
    amount: Decimal | None
    said: str
    note: str
    source: AllowanceCharge | None = None


def order_charges(doc: PurchaseOrder, partner: PartnerConfig, label: str,
             discounts: list[Decimal | None]) -> list[Charge]:
    """The order's allowances/charges with the product `odoo.charge_products` maps each to (by code, else kind)."""
    mapping = partner.odoo.charge_products
    return [_charge(ac, index, doc.lines, mapping, partner, label, discounts=discounts) for index, ac in
            enumerate(doc.allowances_charges, 1)]


def _charge(ac: AllowanceCharge, index: int, lines: list[Line], mapping: dict[str, str], partner: PartnerConfig,
            label: str, where: str = "", name_suffix: str = "", unmapped_why: str = "",
            discounts: list[Decimal | None] | None = None) -> Charge:
    """One allowance/charge as an order line on its mapped product (by code, else kind) when its amount is
    known, else a note line. `lines` are what a percent without a base amount is a percent of; `where` prefixes
    the note (a line's own ones name the line)."""
    text = " ".join(p for p in (ac.kind, ac.code, ac.description) if p)
    shown = f"{ac.amount}" if ac.amount is not None else f"{ac.percent}%"
    key = charge_key(ac.code, ac.kind, mapping)
    default_code = mapping[key] if key else None
    amount, why = _charge_amount(lines, partner, ac.amount, ac.percent, ac.base_amount, discounts)
    said = f"{where}{text}: {shown}"
    if default_code is None:
        note = f"{said} (not applied to the Odoo order{': ' + unmapped_why if unmapped_why else ''})"
    elif amount is None:
        note = f"{said} (not applied to the Odoo order: {why})"
    else:
        amount = -abs(amount) if ac.kind == "allowance" else abs(amount)
        note = f"{said} (order line {default_code}, {amount})"
    return Charge(f"{label}, {ac.kind} {ac.code or index}", (ac.description or ac.code or ac.kind) + name_suffix,
                  key, default_code, amount, said, note, ac)


OF_THE_GROSS = frozenset({"item_list_cost", "discount_gross", "base_price_per_unit", "base_price_amount"})
"""Percent bases (x12-common's `percent_basis` words) that are of the line's list or gross price, not of what the
allowances before them left (item_net_cost, discount_net, base_price_amount_less_discount, or none given)."""


def allowances_in_price(line: Line) -> bool:
    """Whether a line's own allowances and charges are in its price already, so applying them would take them off
    twice. Its stated amount (EDIFACT MOA+203) decides first, as the figure the partner's total adds up: in when
    it is quantity x price (exports that write every price PRI+AAA send a gross one beside its net amount).
    Without an amount, a price qualified EDIFACT 5125 AAA ('calculation net': allowances and charges stated for
    information only) has them in; AAB (gross) and any other are what they apply to. X12's price basis (639) has
    two characters, never AAA. One rule for sale orders, their changes and vendor bills."""
    if line.amount is not None and line.quantity is not None and line.unit_price is not None:
        return abs(line.quantity * line.unit_price - line.amount) <= Decimal("0.01")
    return line.price_basis == "AAA"


def _said(ac: AllowanceCharge) -> str:
    """An allowance/charge as the notes name it: "allowance DI: 10%", "charge FC Fracht: 5.00"."""
    return " ".join(p for p in (ac.kind, ac.code, ac.description) if p) + ": " + (
        f"{ac.percent}%" if ac.amount is None else f"{ac.amount}")


def line_allowances(line: Line, index: int, partner: PartnerConfig, label: str,
                     digits: int) -> tuple[Decimal | None, list[Charge], list[str]]:
    """(discount %, charges, note lines) for one order line's allowances/charges, the way an integrator posts
    them: allowances become the sale order line's `discount` (a percent field on the gross price_unit);
    charges, and allowances a percent cannot express, go the way the order's own ones go (`_charge`). None of
    them when they are in the line's price already (`allowances_in_price`): only a note says so.

    Percents compound, as successive trade discounts do ("10 + 5" is 14.5 %): each takes p/100 of what the ones
    before it left. One whose basis is the list or gross price (X12 SAC06 1, 3, 5, 6: `OF_THE_GROSS`) takes p/100
    of the gross instead ("10 + 5" of the list cost is 15 %). An amount (SAC05 / MOA: for the whole line) comes off the gross line total
    quantity x unit price, known only when the line is priced on the order (price_policy order). The net is
    gross x Π(1 - p/100) - Σ amounts; the discount is 1 - net/gross, rounded to `digits` places (the
    database's Discount accuracy, `lookup.discount_digits`)."""
    where = f"line {line.line_no or index}: "
    if line.allowances_charges and allowances_in_price(line):
        why = (f"its amount {line.amount} is quantity x price" if line.amount is not None
               else f"its price {line.unit_price} is net, PRI+AAA")
        said = ", ".join(map(_said, line.allowances_charges))
        return None, [], [f"{where}{said} (in its price already: {why}; not applied again)"]
    line_label = label_of(line, index, label)
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
        elif not Decimal(0) <= ac.percent <= 100:
            others.append((ac, f"a percent of {ac.percent} is no discount"))
        elif ac.percent_basis in OF_THE_GROSS:
            if kept < ac.percent / 100:
                others.append((ac, "more than the line's amount"))
                continue
            kept -= ac.percent / 100
            applied.append(ac)
        else:
            kept *= 1 - ac.percent / 100
            applied.append(ac)
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
        notes.append(f"{where}{', '.join(map(_said, applied))} (order line discount {discount}%)")
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


def name_missing_charge_product(finder: ProductFinder, lines: list[tuple[str, dict[str, str]]],
                                 charges: list[Charge]) -> None:
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


def ship_to_contact(client: OdooClient, partner: PartnerConfig, doc: Document, customer: dict[str, Any], party: Any,
             cache: Cache, label: str) -> tuple[int, bool]:
    """The delivery contact of a ship-to: found (never written: a PO does not edit the customer's addresses), else
    made when `create_ship_to`. A made contact is named by the party's name, as it is found again by it; its second
    name line (X12 N2: an attention line, a department) goes first in `street2`, which Odoo prints in the address
    block of the delivery slip and carriers take as the label's second address line, rather than into the name,
    which Odoo shows as "Customer, name" and which would then no longer be the name the contact is found by."""
    found = find_contact(client, partner, customer, party, cache)
    if found is not None:
        return int(found["id"]), False
    if not partner.odoo.create_ship_to:
        raise OdooRejected(f"{label}: ship-to {party_label(party)} is not a delivery address of {customer['name']} "
                           f"in Odoo (add it there, or set odoo.create_ship_to for this partner)")
    address = party.address
    by_address = bool(address and address.lines and address.postal_code)     # found again by street + zip
    if not (party.ids.get("gln") or party.ids.get("store") or party.name or by_address):
        # a contact made without any of these could never be found again: every repeat would make another
        raise OdooRejected(f"{label}: ship-to {party_label(party)} has no GLN, store number, name or street and "
                           f"postal code to find its delivery address of {customer['name']} by; add it in Odoo (or "
                           "have the partner send one of them)")
    vals: dict[str, Any] = {"parent_id": customer["id"], "type": "delivery",
                            "name": party.name or f"{customer['name']} {party_label(party)}"}
    if party.ids.get("store"):
        vals["ref"] = party.ids["store"]
    if party.ids.get("gln"):
        vals[partner.odoo.gln_field] = party.ids["gln"]
    if address is not None:
        vals.update({"street": address.lines[0] if address.lines else False,
                     "city": address.city or False, "zip": address.postal_code or False})
        vals.update(_region(client, cache, address))
    street2 = [line for line in (party.name2, *(address.lines[1:] if address is not None else ())) if line]
    if street2:
        vals["street2"] = ", ".join(street2)
    if party.contact is not None:
        vals.update({k: v for k, v in (("email", party.contact.email), ("phone", party.contact.phone)) if v})
    with _CREATING:            # looked for again: another worker may have made it (misses are not cached)
        found = find_contact(client, partner, customer, party, cache)
        if found is not None:
            return int(found["id"]), False
        contact = client.create("res.partner", vals)
        cache.invalidate("contact")
    log.info("created delivery contact res.partner %s for %s", contact, label)
    return contact, True


ALPHA_3 = {"USA": "US", "CAN": "CA", "MEX": "MX"}
"""North American countries as many X12 partners write N404 (ISO 3166 alpha-3, N4*BUTLER*IN*46721*USA); Odoo's
res.country `code` is alpha-2."""


def _region(client: OdooClient, cache: Cache, address: Address) -> dict[str, int]:
    """`country_id` and `state_id` of a delivery contact made from a ship-to: Odoo applies fiscal positions by them
    (a US state's sales tax, an EU country's VAT), so a contact made without its state was taxed as the company's
    default. A state without a country (X12 N4 without N404, a domestic address) is looked up in the company's
    country; a code that country has no state for is left out."""
    vals: dict[str, int] = {}
    country = None
    if address.country:
        code = ALPHA_3.get(address.country.strip().upper(), address.country.strip().upper())
        country = record_by(client, cache, "res.country", [("code", "=", code)], ["name"], code)
        if country is not None:
            vals["country_id"] = int(country["id"])
    if address.state:
        where = country["id"] if country is not None else None if address.country else \
            m2o_id((company_row(client, cache) or {}).get("country_id"))
        state = record_by(client, cache, "res.country.state", [("code", "=", address.state.upper()),
                                                               ("country_id", "=", where)],
                          ["name", "country_id"], (where, address.state.upper())) if where else None
        if state is not None:
            vals.update({"state_id": int(state["id"]), "country_id": int(where or 0)})
    return vals


def company_row(client: OdooClient, cache: Cache) -> dict[str, Any] | None:
    """The company the gateway works in (`client.company`): its name, currency and country, read once per cache
    period."""
    if not client.company:
        return None
    return record_by(client, cache, "res.company", [("id", "=", client.company)], ["name", "currency_id", "country_id"],
                     client.company)


def _flag_tag(client: OdooClient, cache: Cache, name: str) -> int:
    """The id of the crm.tag `name` that flagged orders get (a price or terms mismatch), made the first time."""
    with _CREATING:
        tag = record_by(client, cache, "crm.tag", [("name", "=", name)], ["name"], name)
        if tag is None:
            tag = cache.put("crm.tag", name, {"id": client.create("crm.tag", {"name": name})})
        return int(tag["id"])


@dataclass(frozen=True)
class Terms:
    """What a payment term comes to: its net days (its last instalment's), its early payment discount (percent
    and days, 0 without), and its name; whether its days count from a month's end (16's `end_month`, 17+'s
    `delay_type` other than days_after) and in how many parts it is due (its lines)."""

    name: str
    net_days: int
    discount_percent: Decimal
    discount_days: int
    end_of_month: bool = False
    instalments: int = 1


def odoo_terms(client: OdooClient, cache: Cache, term: int) -> Terms:
    """A payment term as `Terms`, read once per cache period. The days after the invoice date are `nb_days` from
    17, `days` in 16 (plus, on a 16 end-of-month line, its `days_after`: 16's 'Net 45 EOM' is days 0, end of month,
    45 days after); the early discount is the term's (`early_discount`, `discount_percentage`, `discount_days`)
    from 17, a line's in 16. 16's `months` is not counted."""
    found: Terms = cache.get("payment_terms", term)
    if found is not MISSING:
        return found
    head = client.fields("account.payment.term")
    line_fields = client.fields("account.payment.term.line")
    days = "nb_days" if "nb_days" in line_fields else "days"
    discounted = "early_discount" in head
    [row] = client.read("account.payment.term", [term], ["name", *(
        ["early_discount", "discount_percentage", "discount_days"] if discounted else [])])
    month_end = next((f for f in ("delay_type", "end_month") if f in line_fields), None)
    # 16 counts an end_month line's days after the month's end in days_after (its days come before the month end)
    after = "days_after" if month_end == "end_month" and "days_after" in line_fields else None
    lines = client.search_read("account.payment.term.line", [("payment_id", "=", term)], [days, *(
        ["discount_percentage", "discount_days"] if not discounted and "discount_percentage" in line_fields else []),
        *([month_end] if month_end else []), *([after] if after else [])])
    with_discount = ([row] if discounted and row.get("early_discount") else
                     [] if discounted else [line for line in lines if line.get("discount_percentage")])
    offer = with_discount[0] if with_discount else {}
    return cache.put("payment_terms", term, Terms(
        str(row["name"]), max((int(line.get(days) or 0) + int(line.get(after) or 0 if after and line.get("end_month")
                                                              else 0) for line in lines), default=0),
        Decimal(str(offer.get("discount_percentage") or 0)), int(offer.get("discount_days") or 0),
        any(line.get(month_end) not in (None, False, "days_after") for line in lines) if month_end else False,
        max(len(lines), 1)))


TERMS_FLAG_TAG = "EDI terms mismatch"


def terms_mismatch(client: OdooClient, doc: PurchaseOrder, customer: dict[str, Any], cache: Cache) -> str | None:
    """The note for an order whose stated payment terms (X12 ITD: net days, early discount and its days) are not
    the customer's payment terms in Odoo, which the sale order takes (sale.order `_compute_payment_term_id`) and its
    invoices follow: the order keeps Odoo's, flagged, for someone to settle with the customer before the invoice
    goes out due on other terms than the retailer will pay it (a deduction, a chargeback). Only what the order
    states is compared (a discount given with its due date, ITD04, rather than its days is compared by its percent);
    None when it agrees or states nothing."""
    stated = [v is not None for v in (doc.terms_net_days, doc.terms_discount_percent)]
    if not any(stated):
        return None
    term = m2o_id(customer.get("property_payment_term_id"))
    have = odoo_terms(client, cache, term) if term else None
    said = doc.terms or ""
    within = f" within {doc.terms_discount_days} days" if doc.terms_discount_days is not None else ""
    figures = ", ".join(([f"{doc.terms_discount_percent.normalize():f}%{within}"]
                         if doc.terms_discount_percent else []) +
                        ([f"net {doc.terms_net_days} days"] if doc.terms_net_days is not None else []))
    order_says = f"the order says {said} ({figures})" if said else f"the order says {figures}"
    if have is None:
        return (f"EDI payment terms: {order_says}; {customer['name']} has no payment terms in Odoo, so its "
                "invoices are due on their date")
    same_net = doc.terms_net_days is None or doc.terms_net_days == have.net_days
    same_discount = doc.terms_discount_percent is None or (
        doc.terms_discount_percent == have.discount_percent
        and (not doc.terms_discount_percent or doc.terms_discount_days is None
             or doc.terms_discount_days == have.discount_days))
    month_end = doc.terms_type in MONTH_END_TERMS
    same_kind = (not month_end or have.end_of_month) and (
        have.instalments > 1) == (doc.terms_type == INSTALMENTS)
    if same_net and same_discount and same_kind:
        return None
    offer = f"{have.discount_percent.normalize():f}% within {have.discount_days} days, " if have.discount_percent else ""
    kind = (" from the end of the month" if have.end_of_month else "") + (
        f" (the last of {have.instalments} instalments)" if have.instalments > 1 else "")
    stated_kind = " (end of month)" * month_end + " (in instalments)" * (doc.terms_type == INSTALMENTS)
    return (f"EDI payment terms: {order_says}{stated_kind}; {customer['name']}'s payment terms in Odoo, {have.name}, "
            f"are {offer}net {have.net_days} days{kind}; the order keeps Odoo's")


MONTH_END_TERMS = frozenset({"end_of_month", "10_days_after_end_of_month", "proximo"})
"""PO terms types (X12 ITD01 02, 12, 09) whose days count from a month's end: Odoo's term must too, or the invoice
is due on another day than the retailer pays it."""
INSTALMENTS = "deferred_or_instalment"
"""The PO terms type (X12 ITD01 04) of terms due in parts: Odoo's term must have several lines, and one in several
parts is not what a PO stating a single net days (ITD01 01, 05, 08) will pay."""


QUANTITY_EPSILON = Decimal("0.005")     # Odoo keeps quantities to its unit precision (2 places by default)
ODOO_MADE_LINES = ("is_delivery", "is_downpayment")
"""Order line flags of lines Odoo adds itself (a delivery method's shipping line, a down payment), which no
partner's order lists; read where the database has them (`delivery` is an add-on)."""


def order_differences(client: OdooClient, doc: PurchaseOrder, partner: PartnerConfig, customer: dict[str, Any],
                      names: Names, cache: Cache, label: str, order: dict[str, Any]) -> list[str]:
    """What a PO says that its sale order in Odoo does not, each naming what Odoo has and what the order says:
    the ship-to and requested day when the PO gives them, and its lines (and mapped allowance/charge lines)
    as `line_commands` would write them now, paired with the order lines by product (`order_line_for`):
    another product, quantity, unit or discount, and the price where the gateway sets it (a price sent
    under the 'order' policy, compared as `price_check` does; a charge's amount). What Odoo fills in where
    the PO says nothing (pricelist prices, the customer's own address, a section or note line, its shipping or
    down payment line) is no difference."""
    said: list[str] = []
    ship_to = order_ship_to(doc)
    shipping = order.get("partner_shipping_id")
    if ship_to is not None:
        contact = find_contact(client, partner, customer, ship_to, cache)
        if contact is None or int(contact["id"]) != m2o_id(shipping):
            said.append(f"ship-to: Odoo has {m2o_name(shipping) or 'none'}, the order says {party_label(ship_to)}")
    commitment = _commitment(client, doc, partner, cache, _warehouse(client, partner, cache, label), label)
    if commitment is not None and commitment != (order.get("commitment_date") or None):
        day = order_requested(doc)
        said.append(f"requested date: Odoo has {order.get('commitment_date') or 'none'} (UTC), the order says "
                    f"{day.date if day else ''}{' ' + day.time if day and day.time else ''}")
    commands, _ = line_commands(client, doc, partner, customer, names, cache, label, compared=True)
    posted = as_posted(client, partner, customer["id"], cache, doc.lines, label)
    odoo_made = [f for f in ODOO_MADE_LINES if f in client.fields("sale.order.line")]
    rows = [row for row in client.search_read(
        "sale.order.line", [("order_id", "=", order["id"]), ("display_type", "=", False)],
        ["sequence", "product_id", "product_uom_qty", names.sale_uom, "price_unit", "discount", *odoo_made],
        order="sequence,id") if not any(row.get(f) for f in odoo_made)]
    taken: set[int] = set()
    digits = price_digits(client, cache)                  # what Odoo keeps of a price (Product Price)
    for index, (_, _, values) in enumerate(commands):
        line = posted[index] if index < len(posted) else None
        sent = f"{line.quantity} {line.unit}" if line is not None else f"{Decimal(str(values['price_unit'])):.2f}"
        shown = f"line {line.line_no or index + 1}" if line is not None else str(values["name"])
        row = order_line_for(rows, values["product_id"], str(values["sequence"]), taken)
        if row is None:
            item = ", ".join(f"{k} {v}" for k, v in line.item_ids.items()) if line is not None else "charge"
            said.append(f"{shown} ({item}): the order says {sent}, Odoo has no such line")
            continue
        taken.add(row["id"])
        what: list[str] = []
        if abs(Decimal(str(row["product_uom_qty"])) - Decimal(str(values["product_uom_qty"]))) > QUANTITY_EPSILON \
                or names.sale_uom in values and m2o_id(row.get(names.sale_uom)) != values[names.sale_uom]:
            what.append(f"Odoo has {_quantity_of(row, names)}, the order says {sent}")
        if "discount" in values and abs(Decimal(str(row.get("discount") or 0)) - Decimal(str(values["discount"]))) \
                > Decimal("0.000001"):
            what.append(f"discount: Odoo has {row.get('discount') or 0}%, the order says {values['discount']}%")
        per_unit = price_per_odoo_unit(partner, line) if line is not None else None
        wanted = as_kept(Decimal(str(values["price_unit"])), digits) if "price_unit" in values else \
            as_kept(per_unit, digits) if per_unit is not None and partner.odoo.price_policy == "order" else None
        if wanted is not None and not price_within(partner, wanted, odoo_price(row, digits)):
            what.append(f"price: Odoo has {odoo_price(row, digits)}, the order says {wanted}")
        if what:
            said.append(f"{shown} ({m2o_name(row['product_id'])}): " + ", ".join(what))
    said += [f"{m2o_name(row['product_id'])}: Odoo has {_quantity_of(row, names)}, the order does not list it"
             for row in rows if row["id"] not in taken]
    return said


def _quantity_of(row: dict[str, Any], names: Names) -> str:
    """An order line's quantity and unit as a person reads them: "24 Units"."""
    return f"{row['product_uom_qty']:g} {m2o_name(row.get(names.sale_uom)) or ''}".strip()


def order_line_for(rows: list[dict[str, Any]], product: int, line_no: str | None,
                   taken: set[int]) -> dict[str, Any] | None:
    """The order line a partner's line is about: the one of its product, or among several of that product the one
    the partner's line number (its sequence) names."""
    same = [r for r in rows if m2o_id(r["product_id"]) == product and r["id"] not in taken]
    if len(same) > 1 and line_no and line_no.isdecimal():
        return next((r for r in same if r["sequence"] == int(line_no)), same[0])
    return same[0] if same else None


CENT = Decimal("0.01")


def odoo_price(row: dict[str, Any], digits: int) -> Decimal:
    """An order line's unit price to the database's Product Price digits (`lookup.price_digits`), as the price
    policy compares it."""
    return Decimal(str(row["price_unit"])).quantize(Decimal(1).scaleb(-digits))


def as_kept(price: Decimal, digits: int) -> Decimal:
    """A price of the partner's as Odoo keeps it: to its Product Price digits, rounded half up as Odoo rounds. A
    case price per unit (160.00 / 12: 13.33 to the cent) is compared, and named, as Odoo's order line can hold it,
    and a price below the cent stays one where Odoo keeps four digits (0.0149 is not 0.0125)."""
    return price.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


def price_within(partner: PartnerConfig, price: Decimal, odoo: Decimal) -> bool:
    """Whether the partner's price is Odoo's within the partner's `odoo.price_tolerance`."""
    return abs(price - odoo) <= Decimal(str(partner.odoo.price_tolerance))


def apply_price_policy(client: OdooClient, doc: PurchaseOrder, partner: PartnerConfig, order: dict[str, Any],
                       cache: Cache, label: str, customer: int) -> None:
    """Compare the order's prices with Odoo's; write them ('order' policy) and flag mismatches, in one write. Lines
    ordered by a case's GTIN are compared as posted (`as_posted`, the `customer`'s codes): a replacement that left
    it out had 16-18 write the case price as the price of one unit."""
    rows = client.search_read("sale.order.line", [("order_id", "=", order["id"])],
                              ["sequence", "price_unit", "product_id"])
    by_seq = {row["sequence"]: row for row in rows}
    lines = as_posted(client, partner, customer, cache, doc.lines, label)
    price_check(client, partner, order, [(by_seq[seq], f"line {line.line_no or index}", line) for seq, index, line
                                         in zip(line_sequences(doc.lines), range(1, len(doc.lines) + 1), lines)
                                         if seq in by_seq], cache, label)


def price_check(client: OdooClient, partner: PartnerConfig, order: dict[str, Any],
                pairs: list[tuple[dict[str, Any], str, Line]], cache: Cache, label: str) -> None:
    """The price policy over (sale order line row, name, partner's line): the 'order' policy writes the partner's
    price (per unit of the order line: `price_per_odoo_unit`), either policy flags a difference beyond the
    tolerance (tag + note). Repeating it changes nothing."""
    updates: list[list[Any]] = []
    flags: list[str] = []
    digits = price_digits(client, cache)
    for row, shown, line in pairs:
        price = odoo_price(row, digits)
        name = f"{shown} ({m2o_name(row['product_id']) or ''})"
        wanted = price_per_odoo_unit(partner, line)
        if wanted is None:
            if partner.odoo.price_policy == "order":
                flags.append(f"{name}: no price in the order; Odoo's price {price} kept")
            continue
        if price_within(partner, as_kept(wanted, digits), price):
            continue
        each = f" per {line.unit} of {line.pack_size:g} ({as_kept(wanted, digits)} each)" if wanted != line.unit_price \
            else ""
        flags.append(f"{name}: order price {line.unit_price}{each}, Odoo price {price}")
        if partner.odoo.price_policy == "order":
            updates.append([1, row["id"], {"price_unit": float(wanted)}])
    if not updates and not flags:
        return
    vals: dict[str, Any] = {}
    if updates:
        vals["order_line"] = updates
    if flags:
        note = order.get("note") or ""
        text = html_notes(["EDI price check (" + partner.odoo.price_policy + " price kept): " + "; ".join(flags)])
        if text not in note:
            vals["note"] = note + text
        vals["tag_ids"] = [[4, _flag_tag(client, cache, PRICE_FLAG_TAG), 0]]
        log.warning("%s: price mismatch on %d line(s): %s%s", label, len(flags), "; ".join(flags[:3]),
                    " ..." if len(flags) > 3 else "")
    client.write("sale.order", [order["id"]], vals)
