"""Canonical business documents: one model per document, independent of X12, EDIFACT, CSV or XML.

Every inbound file is translated into these, and every outbound file is rendered from
them. They are the contract between translation (`gateway.translate`) and Odoo
(`gateway.odoo`). Conventions:

- Money and quantities are `Decimal` (serialised as strings in JSON, never floats).
- Dates are ISO strings "YYYY-MM-DD" (times "HH:MM[:SS]") so that a partner's odd date
  survives a round trip; the translation profile converts formats.
- Units are UN/ECE Recommendation 20 codes where one exists ("EA", "CS", "KGM", "LBR");
  profiles map each partner's codes to and from them.
- Party and item identifiers are kept *all*, keyed by kind (`gln`, `duns`, `store`,
  `buyer`, `vendor`, `gtin`, `upc`, `ean`, `sku`, ...), because which one finds the
  Odoo record differs per partner.
- `check()` returns consistency problems (totals that do not add up, a line without a
  quantity) as located sentences; hard schema errors raise on construction.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from itertools import repeat
from operator import contains
from typing import Annotated, Any, Literal, Self

import pydantic_core
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, model_validator


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Address(Model):
    lines: list[str] = Field(default_factory=list)
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    country: str | None = None


class Contact(Model):
    name: str | None = None
    phone: str | None = None
    email: str | None = None


class Party(Model):
    """A party with every identifier the partner sent: {"gln": ..., "store": ..., "buyer": ...}."""

    role: str                                   # buyer, seller, ship_to, bill_to, ship_from, remit_to, supplier, carrier, ...
    name: str | None = None
    name2: str | None = None                    # X12 N2: a second name line (an attention line, a department)
    ids: dict[str, str] = Field(default_factory=dict)
    address: Address | None = None
    contact: Contact | None = None


class Reference(Model):
    qualifier: str                              # canonical name ("customer_order", "bill_of_lading", "vendor_order", "department") or raw code
    value: str
    description: str | None = None


class DateValue(Model):
    qualifier: str                              # "requested_delivery", "requested_ship", "shipped", "delivery_estimated", "order", ...
    date: str                                   # YYYY-MM-DD
    time: str | None = None


class AllowanceCharge(Model):
    kind: Literal["allowance", "charge"]
    code: str | None = None                     # SAC02 / ALC04 code
    description: str | None = None
    amount: Decimal | None = None
    percent: Decimal | None = None
    percent_basis: str | None = None            # what the percent is of: item_list_cost, item_net_cost ... (SAC06)
    base_amount: Decimal | None = None
    # the charge's own VAT (an Odoo line on a charge product: freight at 21 %): UBL AllowanceCharge/TaxCategory,
    # INVOIC ALC's TAX; EN 16931 BR-32/BR-37 want a document-level allowance or charge's category
    taxes: list[Tax] = Field(default_factory=list)


class Tax(Model):
    type: str = "VAT"                           # VAT, GST, sales, ...
    category: str | None = None                 # S, Z, E ... (UNCL 5305)
    rate: Decimal | None = None                 # percent
    amount: Decimal | None = None
    taxable_amount: Decimal | None = None
    exemption_reason: str | None = None         # why no tax is charged: a CEF VATEX code (VATEX-EU-IC) ...
    exemption_text: str | None = None           # ... and/or its words (EN 16931 BT-121, BT-120)


class Quantity(Model):
    qualifier: str = "ordered"                  # ordered, shipped, invoiced, on_hand, available, on_order, ...
    value: Decimal
    unit: str = "EA"
    date: str | None = None                     # the date it applies to (846 SCH / INVRPT DTM: available from)


class Line(Model):
    """An order / invoice / ack line. `item_ids` keeps every identifier the partner sent."""

    line_no: str | None = None
    item_ids: dict[str, str] = Field(default_factory=dict)     # buyer, vendor, gtin, upc, ean, sku, ...
    description: str | None = None
    quantity: Decimal | None = None             # required on every line but a change line that keeps its quantity
    unit: str = "EA"
    unit_price: Decimal | None = None
    price_basis: str | None = None              # X12 PO105 / EDIFACT PRI qualifier
    change: str | None = None                   # order change lines (X12 860 POC02): add, delete, change, unchanged
    allocations: dict[str, Decimal] = Field(default_factory=dict)   # SDQ: location id -> its share of the quantity
    allocation_kind: str | None = None          # what those ids are (SDQ02 through id_qualifiers): store, gln ...
    amount: Decimal | None = None               # extended amount when sent
    pack_size: Decimal | None = None            # units per pack (PO4 / PAC)
    inner_pack: Decimal | None = None
    status: str | None = None                   # ack lines: accepted, changed, rejected, backordered
    ordered_quantity: Decimal | None = None     # ack lines: what the order asked (PO102, QTY+21); `quantity` the acknowledged
    acks: list[Quantity] | None = None          # ack lines in parts (several ACKs, or one dated): qualifier the part's
                                                # status, value the quantity it applies to, date its date (ACK05)
    dates: list[DateValue] = Field(default_factory=list)
    references: list[Reference] = Field(default_factory=list)
    allowances_charges: list[AllowanceCharge] = Field(default_factory=list)
    taxes: list[Tax] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    parties: list[Party] = Field(default_factory=list)         # line-level ship-to (SDQ / LOC)


class Totals(Model):
    line_count: int | None = None               # CTT01 / CNT
    quantity_total: Decimal | None = None       # CTT02
    lines_amount: Decimal | None = None         # sum of line amounts
    allowances_charges: Decimal | None = None   # net of allowances (-) and charges (+)
    tax_amount: Decimal | None = None
    total_amount: Decimal | None = None         # TDS01 / MOA 77 / 86


class Source(Model):
    """Where a canonical document came from (inbound) or is going (outbound)."""

    syntax: str | None = None                   # x12, edifact, csv, xml
    standard_type: str | None = None            # "850", "ORDERS", "Order"
    version: str | None = None                  # "004010VICS", "D96A"
    partner: str | None = None
    sender: str | None = None
    receiver: str | None = None
    interchange_control: str | None = None
    group_control: str | None = None
    transaction_control: str | None = None
    test: bool = False
    message_id: str | None = None               # journal message id
    odoo_record: str | None = None              # "stock.picking,42" for extracted documents
    odoo_write_date: str | None = None          # write_date of that record version (export mark, outbox key)
    day_zone: str | None = None                 # the zone its days are told in (extracted: the partner's Odoo day zone)
    order_payload_id: str | None = None         # extracted: the payloadID of the cXML order its sale order came from
    ordered_gtins: list[str] | None = None      # extracted: the GTINs/UPCs the partner's order named its lines by


class Document(Model):
    doc_type: str
    number: str                                 # the business number: PO, shipment id, invoice number
    date: str | None = None
    currency: str | None = None
    parties: list[Party] = Field(default_factory=list)
    references: list[Reference] = Field(default_factory=list)
    dates: list[DateValue] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    source: Source = Field(default_factory=Source)

    def party(self, role: str) -> Party | None:
        return next((p for p in self.parties if p.role == role), None)

    def reference(self, qualifier: str) -> str | None:
        return next((r.value for r in self.references if r.qualifier == qualifier), None)

    def check(self) -> list[Finding]:
        """Consistency problems, each a sentence naming the line or total concerned (a `Finding`, with its kind)."""
        return []


LINE_CHANGES = ("add", "delete", "change", "unchanged")
"""What a change line (X12 860 POC02, through the profile's `line_changes` codes) does to its order line."""
KEEPS_QUANTITY = frozenset({"delete", "change", "unchanged"})
"""Change-line kinds that may leave the quantity out: the order line keeps (or loses) the one it has."""


def _states_quantity(quantity: object, change: object) -> bool:
    """Whether a line is complete as to quantity: it states one, or it is a change line that keeps the order line's
    own (an X12 860 price or date change, a deleted line)."""
    return quantity is not None or change in KEEPS_QUANTITY


def _require_quantities(lines: list[Line]) -> None:
    """Every line `_states_quantity`. Checked per document, not per line, because it is cheaper."""
    for idx, line in enumerate(lines, 1):
        if not _states_quantity(line.quantity, line.change):
            raise ValueError(f"line {line.line_no or idx}: no quantity" +
                             (f" (a change line of kind {line.change!r} must state one)" if line.change else ""))


LINE_COUNT = "totals: line count"
"""How the problem of a stated line count (X12 CTT01, EDIFACT CNT+2) that is not the lines' number begins."""

FindingKind = Literal["line_count", "quantity_total", "total", "negative", "item_id", "allocations", "amount",
                      "ships_nothing"]


class Finding(str):
    """A consistency problem: its sentence, as `translate` prints it and notes say it, and its kind, which is what
    a caller decides on (the pipeline holds a "line_count", a bill leaves out "negative": a credit line), so that
    no decision rests on the wording, nor on a document number or line number that happens to hold it."""

    __slots__ = ("kind",)           # (no instance dict: a third of the cost of making one)
    kind: FindingKind

    def __new__(cls, text: str, kind: FindingKind) -> Self:
        found = str.__new__(cls, text)
        found.kind = kind
        return found

    def named(self, prefix: str) -> Finding:
        """The same finding, its sentence prefixed ("order 4500001234: ...")."""
        return Finding(f"{prefix}: {self}", self.kind)

Fields = dict[str, Any]
"""A document part's fields: a plain dict `plain_json` validated, or a model's own `__dict__` (no copy), so that
one check serves the models' `check()` and the pipeline's plain dicts alike; a field left out is absent."""


def _fields(models: list[Any]) -> list[Fields]:
    return [m.__dict__ for m in models]


_CENT = Decimal("0.01")


def _line_problems(lines: list[Fields], totals: Fields | None) -> list[Finding]:
    problems: list[Finding] = []
    for idx, line in enumerate(lines, 1):
        quantity = line.get("quantity")
        if quantity is None:
            continue
        found: list[Finding] = []
        if quantity < 0:
            found.append(Finding(f"quantity {quantity} is negative", "negative"))
        if not line.get("item_ids"):
            found.append(Finding("no item identifier (buyer, vendor, GTIN/UPC or SKU)", "item_id"))
        allocations = line.get("allocations")
        if allocations and sum(allocations.values(), Decimal(0)) != quantity:
            found.append(Finding(f"its allocations add up to {sum(allocations.values(), Decimal(0))}, not its "
                                 f"quantity {quantity}", "allocations"))
        amount, price = line.get("amount"), line.get("unit_price")
        if amount is not None and price is not None:
            try:
                expected = (quantity * price).quantize(_CENT)
            except ArithmeticError:
                found.append(Finding(f"quantity {quantity} x price {price} is too large to check", "amount"))
            else:
                if abs(expected - amount) > _CENT:
                    found.append(Finding(f"amount {amount} is not quantity {quantity} x price {price} = {expected}",
                                         "amount"))
        if found:                   # (named only then: most lines have nothing to say)
            problems += [problem.named(f"line {line.get('line_no') or idx}") for problem in found]
    totals = totals or {}
    line_count = totals.get("line_count")
    if line_count is not None and line_count != len(lines):
        problems.append(Finding(f"{LINE_COUNT} {line_count} but the document has {len(lines)} lines", "line_count"))
    quantity_total = totals.get("quantity_total")
    if quantity_total is not None and lines:
        qty = sum((line.get("quantity") or Decimal(0) for line in lines), Decimal(0))
        if qty != quantity_total:
            problems.append(Finding(f"totals: quantity total {quantity_total} but the lines add up to {qty}",
                                    "quantity_total"))
    return problems


def _invoice_problems(lines: list[Fields], allowances_charges: list[Fields], taxes: list[Fields],
                      totals: Fields | None) -> list[Finding]:
    """The lines' problems, and the total against lines, allowances/charges and tax."""
    problems = _line_problems(lines, totals)
    totals = totals or {}
    total = totals.get("total_amount")
    if total is None or not all(line.get("unit_price") is not None for line in lines):
        return problems
    lines_amount = sum(((line["amount"] if line.get("amount") is not None else
                         (line.get("quantity") or 0) * (line.get("unit_price") or 0)) for line in lines), Decimal(0))
    # a line's own allowances and charges (X12 SAC in the IT1 loop, EDIFACT ALC in the LIN group) are in the total
    # too, unless its stated amount or its net price (EDIFACT PRI+AAA) has them in already, or the invoice's own
    # restate them (Ariba's 810: line shipping 3.00 + 3.00, the summary's 6.00). Restated only when the invoice's own
    # give each of the lines' codes the same amount: a total wrong by just the lines' own is not taken either way
    own = [ac if isinstance(ac, dict) else ac.__dict__ for line in lines
           if line.get("amount") is None and line.get("price_basis") != "AAA" for ac in line.get("allowances_charges") or ()]
    said = [*allowances_charges, *own]
    if any(ac.get("amount") is None and ac.get("percent") is not None for ac in said):
        return problems         # a percent only: of what base (a line's compound, the invoice's) is posting's to say
    theirs, lines_own = _by_code(allowances_charges), _by_code(own)
    restated = restates(allowances_charges, own)
    charges = sum(theirs.values(), Decimal(0)) + (Decimal(0) if restated else sum(lines_own.values(), Decimal(0)))
    tax = totals["tax_amount"] if totals.get("tax_amount") is not None else sum(
        (t.get("amount") or Decimal(0) for t in taxes), Decimal(0))
    try:
        expected = (lines_amount + charges + tax).quantize(_CENT)
    except ArithmeticError:
        return [*problems, Finding(f"totals: lines {lines_amount} + allowances/charges {charges} + tax {tax} "
                                   "is too large to check", "total")]
    if abs(expected - total) > Decimal("0.02"):
        how = "restated in the invoice's" if restated else "counted"
        problems.append(Finding(f"totals: total {total} but lines {lines_amount} "
                                f"+ allowances/charges {charges} + tax {tax} = {expected}"
                                + (f" (the lines' own {sum(lines_own.values(), Decimal(0))} {how})" if own else ""),
                                "total"))
    return problems


def restates(invoice_own: list[Fields], lines_own: list[Fields]) -> bool:
    """Whether an invoice's own allowances/charges restate its lines' own (Ariba's 810: shipping 3.00 on each line,
    6.00 in the summary): the same amount, to the cent, for each kind and code the lines give. Then the lines' are
    in the invoice's already: the total check counts them once, and so does the bill."""
    if any(ac.get("amount") is None for ac in lines_own):
        return False            # a percent only: what it comes to is posting's to say
    theirs, ours = _by_code(invoice_own), _by_code(lines_own)
    return bool(ours) and all(abs(theirs.get(code, Decimal(0)) - amount) <= _CENT for code, amount in ours.items())


def _by_code(allowances_charges: list[Fields]) -> dict[tuple[object, object], Decimal]:
    """Signed amounts (a charge plus, an allowance minus) by kind and code: what restating compares."""
    out: dict[tuple[object, object], Decimal] = {}
    for ac in allowances_charges:
        key = (ac.get("kind"), ac.get("code"))
        out[key] = out.get(key, Decimal(0)) + (ac.get("amount") or 0) * (1 if ac.get("kind") == "charge" else -1)
    return out


def _ship_problems(orders: list[Fields]) -> list[Finding]:
    return [Finding(f"order {order.get('po_number')}: ships nothing (no packs, no items)", "ships_nothing")
            for order in orders if not order.get("items") and not order.get("packs")]


def check_plain(data: Fields) -> list[Finding]:
    """`check()` of the document whose plain dict `plain_json` validated (its numbers Decimals, as the models'):
    the same sentences, without building the models again."""
    kind = data.get("doc_type")
    if kind == "PurchaseOrder":
        return _line_problems(data.get("lines") or [], data.get("totals"))
    if kind == "Invoice":
        return _invoice_problems(data.get("lines") or [], data.get("allowances_charges") or [],
                                 data.get("taxes") or [], data.get("totals"))
    if kind == "ShipNotice":
        return _ship_problems(data.get("orders") or [])
    return []


LINELESS = frozenset({"cancel", "change"})
"""Purposes an order may carry without lines: a cancellation (X12 BEG01/BCH01 01, EDIFACT BGM 1225 1/3), and a
change of the header alone (an 860 BCH01 04 / ORDCHG BGM 4 without POC or LIN: a new requested date, ship-to,
reference or charge). A replacement (05 / 5) is the whole order again, so it still needs its lines."""


def _lines_complete(lines: list[Any], purpose: object) -> bool:
    """Whether an order has the lines its purpose needs (see LINELESS)."""
    return bool(lines) or purpose in LINELESS


class OrderContact(Contact):
    """A person the order names at its header (X12 850 PER outside the N1 loop), with what they are for."""

    function: str | None = None                 # buyer, order_contact, information_contact ... (X12 PER01 366)


class LinePrice(Model):
    """A price an order line states for information (X12 CTP in the PO1 loop): the retailer's shelf price for the
    labels, a unit cost restated; never the price the line is sold at (PO104)."""

    line_no: str | None = None                  # the line's PO101 (None: the line had none; `line_index` then)
    line_index: int                             # the line's place in the order, from 1
    kind: str                                   # retail, unit_cost, ... (X12 CTP02 236 through `price_identifiers`)
    price: Decimal | None = None                # CTP03 (None: a multiplier alone)
    class_of_trade: str | None = None           # CTP01: whose price it is (RS retail, WS wholesale ...)
    multiplier: Decimal | None = None           # CTP07: a factor to the line's price (.57: 43 % off a list price)
    multiplier_kind: str | None = None          # CTP06 648 as sent (DIS discount multiplier ...)


class PurchaseOrder(Document):
    doc_type: Literal["PurchaseOrder"] = "PurchaseOrder"
    purpose: str = "original"                   # original, replace, cancel, change
    change_sequence: str | None = None          # a change's own number (X12 860 BCH05)
    order_type: str | None = None               # SA stand-alone, DS drop ship, ...
    sales_requirements: list[str] | None = None     # X12 CSH01 (up to 5): ship_complete, no_backorder, do_not_preship ...
    contacts: list[OrderContact] | None = None  # the header's people (X12 PER): the buyer ... (None: none named)
    terms: str | None = None
    terms_type: str | None = None               # X12 ITD01 through `terms_types`: basic, end_of_month, instalment ...
    terms_basis: str | None = None              # X12 ITD02 through `terms_bases`: what the days count from
    terms_net_days: int | None = None           # X12 ITD07: days after the basis date the invoice is due
    terms_discount_percent: Decimal | None = None   # ITD03, for payment within ITD05 days
    terms_discount_days: int | None = None
    ship_method: str | None = None
    incoterm: str | None = None                 # terms of delivery: an Incoterms code (X12 FOB05 under FOB04 01, EDIFACT TOD)
    incoterm_place: str | None = None           # the place they name (X12 FOB07)
    lines: list[Line] = Field(default_factory=list)      # none only in a cancellation or a header-only change
    line_prices: list[LinePrice] | None = None  # the lines' prices for information (X12 CTP; None: none stated)
    allowances_charges: list[AllowanceCharge] = Field(default_factory=list)
    taxes: list[Tax] = Field(default_factory=list)
    totals: Totals = Field(default_factory=Totals)

    @model_validator(mode="after")
    def _quantities(self) -> PurchaseOrder:
        if not _lines_complete(self.lines, self.purpose):
            raise ValueError(f"order {self.number} has no lines (only a cancellation or a change may have none)")
        _require_quantities(self.lines)
        return self

    def check(self) -> list[Finding]:
        return _line_problems(_fields(self.lines), self.totals.__dict__)


class PurchaseOrderAck(Document):
    doc_type: Literal["PurchaseOrderAck"] = "PurchaseOrderAck"
    po_number: str
    po_date: str | None = None                  # BAK04 / DTM+171: the date of the order acknowledged
    ack_type: str = "accepted"                  # accepted, accepted_with_changes, rejected
    change_sequence: str | None = None          # answering a PO change (X12 865 BCA05): the change's number
    lines: list[Line] = Field(default_factory=list)
    totals: Totals = Field(default_factory=Totals)

    @model_validator(mode="after")
    def _quantities(self) -> PurchaseOrderAck:
        for line in self.lines:     # one quantity stated (an ACK without ACK02, a LIN with QTY+21 alone) says the other
            if line.quantity is None and line.ordered_quantity is not None:
                line.quantity = Decimal(0) if line.status == "rejected" else line.ordered_quantity
            elif line.ordered_quantity is None and line.status in (None, "accepted"):
                line.ordered_quantity = line.quantity       # accepted as ordered
        _require_quantities(self.lines)
        return self


class ShipItem(Model):
    line_no: str | None = None                  # the order line it ships
    item_ids: dict[str, str] = Field(default_factory=dict)
    description: str | None = None
    quantity: Decimal
    unit: str = "EA"
    ordered_quantity: Decimal | None = None
    lot: str | None = None
    expiry_date: str | None = None
    serials: list[str] = Field(default_factory=list)
    allocations: dict[str, Decimal] = Field(default_factory=dict)   # a cross-dock DESADV's LOC+7/QTY+11: store -> quantity
    allocation_kind: str | None = None          # what those ids are, as a Line's: gln, buyer (store number) ...


class Pack(Model):
    """A package (carton / pallet) with its SSCC-18 and the items in it; packs may nest (tare > pack)."""

    sscc: str | None = None
    level: Literal["tare", "pack"] = "pack"
    packaging_code: str | None = None           # CTN25, PLT94 ...
    weight: Decimal | None = None
    weight_unit: str | None = None
    tracking_number: str | None = None
    items: list[ShipItem] = Field(default_factory=list)
    packs: list[Pack] = Field(default_factory=list)


class ShipOrder(Model):
    po_number: str
    po_date: str | None = None
    references: list[Reference] = Field(default_factory=list)
    parties: list[Party] = Field(default_factory=list)
    packs: list[Pack] = Field(default_factory=list)
    items: list[ShipItem] = Field(default_factory=list)        # shipment/order/item structure (no packs)


class ShipNotice(Document):
    doc_type: Literal["ShipNotice"] = "ShipNotice"
    purpose: str = "original"
    structure: str = "SOPI"                     # BSN05 hierarchy: SOPI, SOTPI, SOI
    ship_date: str | None = None
    delivery_date: str | None = None
    carrier_scac: str | None = None
    carrier_name: str | None = None
    transport_mode: str | None = None           # TD504: M motor, U parcel, ...
    tracking_number: str | None = None
    bill_of_lading: str | None = None
    gross_weight: Decimal | None = None
    weight_unit: str | None = None
    package_count: int | None = None
    orders: list[ShipOrder] = Field(min_length=1)

    def all_items(self) -> list[ShipItem]:
        items: list[ShipItem] = []

        def walk(packs: list[Pack]) -> None:
            for pack in packs:
                items.extend(pack.items)
                walk(pack.packs)
        for order in self.orders:
            items.extend(order.items)
            walk(order.packs)
        return items

    def check(self) -> list[Finding]:
        return _ship_problems(_fields(self.orders))


class Instalment(Model):
    """A part of an invoice due on its own day (Odoo's receivable line of a payment term in several parts)."""

    due_date: str
    amount: Decimal                             # X12 ITD10 (deferred amount due)
    percent: Decimal | None = None              # X12 ITD11: of the invoice's total


class Invoice(Document):
    doc_type: Literal["Invoice"] = "Invoice"
    invoice_type: str = "invoice"               # invoice, credit_note, debit_note
    po_number: str | None = None
    po_date: str | None = None                  # BIG03: the date of the order it bills
    terms: str | None = None
    terms_type: str | None = None               # X12 ITD01 through `terms_types`: the PO's, else end_of_month for an
                                                # Odoo term counted from a month's end (None: basic)
    terms_basis: str | None = None              # X12 ITD02 through `terms_bases`: the PO's (None: invoice_date)
    instalments: list[Instalment] | None = None     # due in parts (X12 ITD*04 each; None: in one)
    terms_net_days: int | None = None           # X12 ITD07 (Odoo's payment term): days after the invoice date
    terms_discount_percent: Decimal | None = None   # ITD03, for payment within ITD05 days
    terms_discount_days: int | None = None
    due_date: str | None = None
    ship_date: str | None = None
    lines: list[Line] = Field(min_length=1)
    allowances_charges: list[AllowanceCharge] = Field(default_factory=list)
    taxes: list[Tax] = Field(default_factory=list)
    totals: Totals = Field(default_factory=Totals)

    @model_validator(mode="after")
    def _quantities(self) -> Invoice:
        _require_quantities(self.lines)
        return self

    def check(self) -> list[Finding]:
        return _invoice_problems(_fields(self.lines), _fields(self.allowances_charges), _fields(self.taxes),
                                 self.totals.__dict__)


class InventoryLine(Model):
    line_no: str | None = None
    item_ids: dict[str, str] = Field(default_factory=dict)
    description: str | None = None
    quantities: list[Quantity] = Field(min_length=1)
    location: str | None = None                 # warehouse / store code
    unit_price: Decimal | None = None
    dates: list[DateValue] = Field(default_factory=list)
    pack_size: Decimal | None = None            # a feed in cases: the product's units per case (846 PO401)


class InventoryAdvice(Document):
    doc_type: Literal["InventoryAdvice"] = "InventoryAdvice"
    lines: list[InventoryLine] = Field(min_length=1)


class AckedTransaction(Model):
    control_number: str
    doc_type: str | None = None
    status: Literal["accepted", "accepted_with_errors", "rejected"]
    errors: list[str] = Field(default_factory=list)


class FunctionalAck(Document):
    """A 997 / 999 / TA1 / CONTRL we received (or built), reduced to what the journal matches on."""

    doc_type: Literal["FunctionalAck"] = "FunctionalAck"
    ack_standard: str = "997"                   # 997, 999, TA1, CONTRL
    interchange_control: str | None = None      # TA101 / UCI0020 of the acknowledged interchange
    group_control: str | None = None            # AK102
    functional_id: str | None = None            # AK101
    status: Literal["accepted", "accepted_with_errors", "partially_accepted", "rejected"]
    transactions: list[AckedTransaction] = Field(default_factory=list)


AnyDocument = Annotated[PurchaseOrder | PurchaseOrderAck | ShipNotice | Invoice | InventoryAdvice | FunctionalAck,
                        Field(discriminator="doc_type")]
_ADAPTER: TypeAdapter[AnyDocument] = TypeAdapter(AnyDocument)

DOC_TYPES = ("PurchaseOrder", "PurchaseOrderAck", "ShipNotice", "Invoice", "InventoryAdvice", "FunctionalAck")


def from_json(text: str | bytes) -> Document:
    """Parse a canonical document from JSON, dispatching on `doc_type`."""
    return _ADAPTER.validate_json(text)


# The adapter's own validator, called without TypeAdapter.validate_python's Python wrapper (which
# only checks by_alias/by_name arguments we never pass): same validator, same errors, ~0.3 us less
# per document on the inbound hot path.
_VALIDATE_PYTHON = _ADAPTER.validator.validate_python


def from_dict(data: dict[str, object]) -> Document:
    return _VALIDATE_PYTHON(data)  # type: ignore[no-any-return]


# Inbound translation journals each document as JSON and builds nothing else from it (posting reads the JSON back),
# yet validating into model instances and serialising them was 35 % of the X12 850 -> JSON path. `plain_json` runs
# the same field validators on a copy of the models' core schema in which each model is a typed dict: the same
# checks, output as plain dicts in field order, which pydantic-core writes as the same JSON. A field that defaults
# to None is left out instead of filled, so nothing is None there (what exclude_none drops), and a None the data
# gives for it fails the copy. The models' own validators (`model_validator`) have no place in the copy: the
# documents whose checks `_PLAIN_CHECKS` knows are checked on the plain dict (and one failing goes the models'
# way, to raise the models' error). A model validator added without its check there, or a schema part with no plain
# form (another pydantic), sends every document the models' way: slower, never wrong (and test_plain_json fails).

_PLAIN_KINDS = frozenset({"str", "int", "bool", "decimal", "literal", "list", "dict", "nullable", "default", "model",
                          "tagged-union", "definitions", "definition-ref"})
"""Core schema kinds whose value pydantic-core's inferring `to_json` writes as the models' serializer does. Others
differ or may (a float's inf: null from a model, Infinity inferred; dates, enums and bytes follow serializer config):
a model that gains one has no plain form, and every document goes the models' way."""
_PLAIN_DEFAULTS = (str, bool, int, Decimal, type(None))
"""Defaults a plain dict may hold as they are (a model instance would be written with its Nones)."""


def _plain_field(field: dict[str, Any]) -> dict[str, Any]:
    if set(field) - {"type", "schema", "metadata"}:
        raise TypeError(f"no plain form of a field with {sorted(set(field) - {'type', 'schema', 'metadata'})}")
    schema = _plain_schema(field["schema"])
    required = schema["type"] != "default"
    factory = schema.get("default_factory", list)
    if not required and (not isinstance(schema.get("default"), _PLAIN_DEFAULTS) or not (
            factory in (list, dict) or isinstance(factory, type) and issubclass(factory, BaseModel))):
        raise TypeError(f"no plain form of the default {schema.get('default', factory)!r}")
    if not required and schema.get("default", ...) is None and "default_factory" not in schema:
        schema = schema["schema"]                       # None by default: left out, never filled
    elif not required and schema["schema"]["type"] == "nullable":
        schema = {**schema, "schema": schema["schema"]["schema"]}
    if schema["type"] == "nullable":
        schema = schema["schema"]                       # a None given fails here: the models' way decides
    factory = schema.get("default_factory") if not required else None
    if isinstance(factory, type) and issubclass(factory, BaseModel):    # Totals(): its plain dict, Nones left out
        schema = {**schema, "default_factory": lambda: factory().model_dump(exclude_none=True)}
    return {"type": "typed-dict-field", "schema": schema, "required": required}


def _plain_schema(schema: Any) -> Any:
    """`schema` (a core schema, or part of one) with each model a typed dict and its model validators left out."""
    if isinstance(schema, list):
        return [_plain_schema(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    kind = schema.get("type")
    if isinstance(kind, str) and ("serialization" in schema or kind not in _PLAIN_KINDS and not (
            kind == "function-after" and schema["schema"].get("type") == "model")):
        raise TypeError(f"no plain form of a {kind} schema" + (" with a serializer" * ("serialization" in schema)))
    if kind == "function-after":                # a model validator: _PLAIN_CHECKS checks what it does
        _VALIDATED.add(schema["schema"]["cls"])
        return {**_plain_schema(schema["schema"]), "ref": schema["ref"]}
    if kind == "model":
        fields = schema["schema"]
        if fields["type"] != "model-fields" or fields.get("computed_fields") or schema.get("post_init"):
            raise TypeError(f"{schema['cls'].__name__}: no plain form of this model")
        plain = {"type": "typed-dict", "fields": {name: _plain_field(f) for name, f in fields["fields"].items()},
                 "extra_behavior": schema["config"].get("extra_fields_behavior", "ignore"), "config": schema["config"]}
        return {**plain, "ref": schema["ref"]} if "ref" in schema else plain
    return {key: _plain_schema(value) for key, value in schema.items()}


def _plain_lines_ok(data: dict[str, Any]) -> bool:
    lines = data["lines"]
    # a plain dict keeps no None, so lines that all hold a quantity (the usual case) are told by C calls alone
    return all(map(contains, lines, repeat("quantity"))) or all(
        _states_quantity(line.get("quantity"), line.get("change")) for line in lines)


_PLAIN_CHECKS: dict[str, Any] = {
    "PurchaseOrder": lambda data: _lines_complete(data["lines"], data["purpose"]) and _plain_lines_ok(data),
    "Invoice": _plain_lines_ok,
    "PurchaseOrderAck": lambda data: False,         # its validator fills in quantities: only its model does that
}
"""What the model validators of these documents check, on the plain dict (False: the models' way)."""
_NONE_SOURCE = frozenset(name for name, field in Source.model_fields.items() if field.default is None)
"""Source fields a None may be given for and left out: it is what they default to."""
_VALIDATED: set[type[BaseModel]] = set()


def _plain_validator() -> pydantic_core.SchemaValidator | None:
    """The typed-dict copy's validator, or None when the models' schema has no plain form it can vouch for."""
    try:
        validator = pydantic_core.SchemaValidator(_plain_schema(_ADAPTER.core_schema))
    except (TypeError, KeyError, pydantic_core.SchemaError):
        return None
    return validator if {cls.__name__ for cls in _VALIDATED} <= _PLAIN_CHECKS.keys() else None


_PLAIN = _plain_validator()


def plain_json(data: dict[str, object], problems: list[list[Finding]] | None = None) -> str | None:
    """`to_json(from_dict(data), indent=None)` without the model instances, or None where only the models can
    tell (data they refuse, a None given, a PurchaseOrderAck): then validate the models' way, for their error.
    `problems`, when given, gets the document's `check_plain` (as the models' `check()`) once it validated."""
    if _PLAIN is None:
        return None
    source = data.get("source")
    if isinstance(source, dict) and None in source.values():     # (inbound.read gives None for what a file lacks)
        data = {**data, "source": {k: v for k, v in source.items() if v is not None or k not in _NONE_SOURCE}}
    try:
        plain = _PLAIN.validate_python(data)
    except ValidationError:
        return None
    check = _PLAIN_CHECKS.get(plain["doc_type"])
    if check is not None and not check(plain):
        return None
    if problems is not None:
        problems.append(check_plain(plain))
    return pydantic_core.to_json(plain).decode()


def blob_of(documents: list[str]) -> str:
    """A message's canonical documents (each `to_json(doc, indent=None)`) as the journal keeps them: a JSON
    list with one document per line, so that `documents_in` can read them back one at a time."""
    return "[\n" + ",\n".join(documents) + "\n]" if documents else "[]"


def documents_in(blob: str, number: str | None = None) -> Iterator[Document]:
    """The documents of a `blob_of` text, one at a time (a batch file's thousands are never all built); a blob
    written before documents went one per line is read whole. `number`: only the documents of that number (one PO
    of a batch of thousands: a document whose line does not hold the number's text is not even parsed)."""
    plain = number is not None and number.isascii() and number.isprintable() and not {'"', "\\"} & set(number)
    if not blob.startswith("[\n"):
        for data in json.loads(blob):
            if number is None or data.get("number") == number:
                yield from_dict(data)
        return
    start, last = 2, len(blob) - 2             # between "[\n" and "\n]"; JSON text has no raw line break
    while start < last:
        end = blob.find("\n", start)
        if not plain or blob.find(number or "", start, end) >= 0:     # JSON writes such a number as it is
            data = json.loads(blob[start:end - 1 if blob[end - 1] == "," else end])
            if number is None or data.get("number") == number:
                yield from_dict(data)
        start = end + 1


def to_json(doc: Document, indent: int | None = 2) -> str:
    # What doc.model_dump_json(indent=indent, exclude_none=True) does, minus its Python wrapper
    # (sixteen keyword defaults passed through): same serializer, same bytes, ~1 us less per document.
    return doc.__pydantic_serializer__.to_json(doc, indent=indent, exclude_none=True).decode()
