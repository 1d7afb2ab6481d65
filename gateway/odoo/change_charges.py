"""A PO change's own allowances and charges (X12 860 header SAC, EDIFACT ORDCHG ALC) merged into the charge
lines of its sale order, as commands for the change's one write: the note that names the change goes in the
same write, so a retry or replay that finds it applies none of them twice.

The order's charge lines are its lines on a product `odoo.charge_products` maps (not a section or note line,
not one Odoo adds itself); a line's own charges (named "... (line N)") are left to their lines. A change's
charge is the line on its mapped product named as the gateway names the charge (its description, else code,
else kind; case aside); else, when the partner renamed it, the one line on that product the order's note says
the gateway put this code on. A known amount is written to that line (or a line is added), zero removes it;
an unmapped charge, or a percent whose amount cannot be known, goes into the note as an order's does. A percent
is of the order's goods lines as the change leaves them, computed as for an order (`order_charges`). The order's
charge lines the change does not restate are kept, and the note says so.

A changed line's own allowances and charges (X12 POC-loop SAC, EDIFACT ALC in the LIN group) are applied as the
850's line's are (`line_allowances`): its discount, and its own charge lines ("FREIGHT (line 2)") matched by
that name (`merged_line_allowances`).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from gateway.config.models import PartnerConfig
from gateway.errors import OdooRejected
from gateway.odoo.client import OdooClient
from gateway.odoo.lookup import Cache, Names, ProductFinder, ProductMatch, m2o_id
from gateway.odoo.sale_orders import (
    CENT,
    ODOO_MADE_LINES,
    Charge,
    allowances_in_price,
    charge_line,
    line_allowances,
    name_missing_charge_product,
    order_charges,
)
from gateway.translate.canonical import AllowanceCharge, Line, PurchaseOrder

ROW_FIELDS = ["sequence", "product_id", "product_uom_qty", "price_unit", "discount", "name", "display_type"]
LINE_OWN = re.compile(r" \(line [^()]*\)$")          # how `line_allowances` names a line's own charge line
PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.DOTALL)
IN_PRICE = " (in its price already: "              # how `line_allowances` notes allowances a net price has in it


def order_rows(client: OdooClient, order_id: int, names: Names) -> list[dict[str, Any]]:
    """The sale order's lines with what a merge reads of them (their unit too); `odoo_made` marks lines Odoo adds
    itself."""
    flags = [f for f in ODOO_MADE_LINES if f in client.fields("sale.order.line")]
    rows = client.search_read("sale.order.line", [("order_id", "=", order_id)], ROW_FIELDS + [names.sale_uom] + flags,
                              order="sequence,id")
    for row in rows:
        row["odoo_made"] = any(row.get(f) for f in flags)
    return rows


@dataclass(frozen=True)
class ChargeLines:
    """The charge lines of a sale order: `ids` every line on a mapped product (the order's and its lines'),
    `rows` those carrying the order's own charges, `own` those of a line's own ("FREIGHT (line 2)"); `products`
    the mapped products Odoo has, by reference."""

    finder: ProductFinder
    products: dict[str, ProductMatch]
    ids: frozenset[int]
    rows: list[dict[str, Any]]
    own: list[dict[str, Any]]

    @classmethod
    def of(cls, client: OdooClient, partner: PartnerConfig, customer: dict[str, Any], cache: Cache,
           rows: list[dict[str, Any]]) -> ChargeLines:
        finder = ProductFinder(client, cache, customer["id"], "customer")
        products = _mapped_products(finder, sorted(set(partner.odoo.charge_products.values())))
        ids = {p.product_id for p in products.values()}
        charged = [r for r in rows if m2o_id(r["product_id"]) in ids and not r["display_type"] and not r["odoo_made"]]
        return cls(finder, products, frozenset(r["id"] for r in charged),
                   [r for r in charged if not LINE_OWN.search(r["name"] or "")],
                   [r for r in charged if LINE_OWN.search(r["name"] or "")])

    def of_line(self, number: str) -> list[dict[str, Any]]:
        """The charge lines the gateway made for order line `number`'s own allowances/charges, named as
        `line_allowances` names them ("FREIGHT (line 2)")."""
        return [r for r in self.own if (r["name"] or "").endswith(f" (line {number})")]

    def goods(self, rows: list[dict[str, Any]]) -> dict[int, tuple[Line, Decimal | None]]:
        """The order's goods lines (what a percent of the order is of) as priced lines with their discounts."""
        return {r["id"]: (Line(quantity=Decimal(str(r["product_uom_qty"])), unit_price=Decimal(str(r["price_unit"]))),
                          Decimal(str(r["discount"])) if r.get("discount") else None)
                for r in rows if r["id"] not in self.ids and not r["display_type"] and not r["odoo_made"]}


def _mapped_products(finder: ProductFinder, codes: list[str]) -> dict[str, ProductMatch]:
    """The products `odoo.charge_products` names, by internal reference; those Odoo lacks are left out (an order
    carries no line on them; a charge that needs one is refused naming it)."""
    try:
        return finder.resolve([(code, {"default_code": code}) for code in codes])
    except OdooRejected:
        found: dict[str, ProductMatch] = {}
        for code in codes:
            try:
                found.update(finder.resolve([(code, {"default_code": code})]))
            except OdooRejected:
                continue
        return found


def merged_charges(doc: PurchaseOrder, partner: PartnerConfig, label: str, note: str, lines: ChargeLines,
                   goods: list[tuple[Line, Decimal | None]], names: Names,
                   sequence: int) -> tuple[list[list[Any]], list[str]]:
    """(x2many commands, note lines) applying the change's own allowances/charges to the order's charge lines;
    `goods` the order's goods lines as the change leaves them, `note` the order's note, `sequence` the last
    line's (new charge lines go after it)."""
    wanted = order_charges(doc.model_copy(update={"lines": [line for line, _ in goods]}), partner, label,
                           [discount for _, discount in goods])
    missing = [c for c in wanted if c.default_code and c.amount is not None and c.default_code not in lines.products]
    if missing:
        name_missing_charge_product(lines.finder, [], missing)
    rows = _pair(wanted, lines.rows, lines, note, label)
    commands, notes, acted, _ = _apply(wanted, rows, lines, names, sequence)
    kept = [r for r in lines.rows if r["id"] not in acted]
    if kept:
        notes.append("order allowances/charges the change does not restate, kept as they were: " + "; ".join(
            _kept(r, lines, note, doc, partner, label, goods) for r in kept))
    return commands, notes


def _kept(row: dict[str, Any], lines: ChargeLines, note: str, doc: PurchaseOrder, partner: PartnerConfig,
          label: str, goods: list[tuple[Line, Decimal | None]]) -> str:
    """A charge line the change does not restate, for the note: its name and amount; when the order's note says it
    is a percent and the change moved the lines it is of, that it was kept, not recomputed, and what the percent
    of the lines as changed comes to. Not recomputed because the note does not keep whether the partner gave the
    percent a base amount of its own (X12 SAC07, EDIFACT MOA with the PCD), and a change that does not restate
    an allowance leaves it as it stands, its amount included: a person settles it with the partner."""
    amount = Decimal(str(row["price_unit"])).quantize(CENT)
    ref = next((code for code, match in lines.products.items() if match.product_id == m2o_id(row["product_id"])), "")
    percent = _noted_percent(note, row["name"] or "", ref)
    if percent is None:
        return f"{row['name']} {amount}"
    ac = AllowanceCharge(kind="allowance" if amount < 0 else "charge", percent=percent)
    [now] = order_charges(doc.model_copy(update={"lines": [line for line, _ in goods], "allowances_charges": [ac]}),
                          partner, label, [discount for _, discount in goods])
    if now.amount is not None and abs(now.amount) == abs(amount):
        return f"{row['name']} {amount}"
    changed = (f"{percent}% of the lines as changed would be {-abs(now.amount) if amount < 0 else abs(now.amount)}"
               if now.amount is not None else "its amount of the lines as changed cannot be known")
    return f"{row['name']} {amount} ({percent}%, kept at its amount, not recomputed: the change does not restate it; {changed})"


def _noted_percent(note: str, name: str, ref: str) -> Decimal | None:
    """The percent the order's note last gave for the charge line `name` on product `ref` (the paragraphs
    `_charge` and `merged_charges` write: "allowance discount PROMO DISCOUNT: 2% (order line SVC-DISCOUNT, ...")."""
    said = re.compile(rf"(?:^|\s){re.escape(name)}: ([0-9]+(?:\.[0-9]+)?)% \(order line {re.escape(ref)}, ")
    found = [m.group(1) for text in map(html.unescape, PARAGRAPH.findall(note)) if (m := said.search(text))]
    return Decimal(found[-1]) if found and ref else None


def merged_line_allowances(line: Line, number: str, row: dict[str, Any], partner: PartnerConfig, label: str,
                           lines: ChargeLines, names: Names, digits: int, sequence: int,
                           note: str) -> tuple[Decimal | None, list[list[Any]], list[str], int]:
    """A changed line's own allowances/charges (X12 POC-loop SAC, EDIFACT ALC in the LIN group) applied as an
    order's line's are (`line_allowances`), to the line as the change leaves it (its order line's quantity and
    price where the change states none; none of them when they are in its price already, `allowances_in_price`,
    or the change gives no PRI and the order's note says the line's price was net of them, `_net_before`; the
    discount it had then gone): allowances a percent expresses give the order line's discount; charges,
    and allowances a discount cannot express, update, add or, at zero, remove the charge lines the gateway named
    for line `number` ("FREIGHT (line 2)"), or, one the partner renamed, the line the order's `note` says the
    gateway put its code on for that line; what has no product or amount is noted. Returns (the discount, None
    when none is expressed, so the line keeps its own; commands; note lines; the last sequence)."""
    priced = line.model_copy(update={
        "line_no": number,
        "quantity": line.quantity if line.quantity is not None else Decimal(str(row["product_uom_qty"])),
        "unit_price": line.unit_price if line.unit_price is not None else Decimal(str(row["price_unit"]))})
    kept_net = line.price_basis is None and line.amount is None and _net_before(note, number)
    if kept_net:                                      # no PRI: the order line's price, which has them in
        priced = priced.model_copy(update={"price_basis": "AAA"})
    discount, wanted, said = line_allowances(priced, 0, partner, label, digits)
    if kept_net and said:
        said[0] = said[0].replace(" is net, PRI+AAA;", " is the order's, which has them in;")
    net = bool(line.allowances_charges) and allowances_in_price(priced)
    if net and row.get("discount"):     # a discount the line had would take them off its net price again
        discount = Decimal(0)
    notes = said[:1] if discount is not None or net else []      # the discount's own line comes first
    was = Decimal(str(row.get("discount") or 0)).quantize(Decimal(1).scaleb(-digits))
    if notes and discount is not None and was != discount:
        notes[0] = notes[0][:-1] + f", was {was}%)"
    missing = [c for c in wanted if c.default_code and c.amount is not None and c.default_code not in lines.products]
    if missing:
        name_missing_charge_product(lines.finder, [], missing)
    own = lines.of_line(number)
    rows = _pair(wanted, own, lines, note, label, f"line {number}: ")
    commands, charge_notes, acted, sequence = _apply(wanted, rows, lines, names, sequence)
    kept = [r for r in own if r["id"] not in acted]
    if kept:
        charge_notes.append(f"line {number}: its charge lines the change does not restate, kept as they were: "
                            + "; ".join(f"{r['name']} {Decimal(str(r['price_unit'])).quantize(CENT)}" for r in kept))
    return discount, commands, notes + charge_notes, sequence


def _net_before(note: str, number: str) -> bool:
    """Whether the order's note last said of line `number`'s allowances that its price had them in (`line_allowances`
    "in its price already": PRI+AAA, or a MOA+203 of quantity x price), not that they made its discount: a change
    restating them without a price or amount of its own leaves that price, so they are in it still."""
    head = f"line {number}: "
    said = [t for t in map(html.unescape, PARAGRAPH.findall(note))
            if t.startswith(head) and (IN_PRICE in t or " (order line discount " in t)]
    return bool(said) and IN_PRICE in said[-1]


def kept_discount(note: str, number: str, row: dict[str, Any], line: Line) -> str | None:
    """For the note: a changed line that does not restate its allowances keeps its discount as a percent; when the
    order's note says that discount includes an amount off (the 850's "line 1: allowance discount PROMO: 30.00
    (order line discount 10.00%)") and the change moves the line's amount (`line`: its quantity and price as the
    change leaves them), the amount off no longer is what the partner said: say what it takes off now."""
    head, tail = f"line {number}: ", " (order line discount "
    said = [t for t in map(html.unescape, PARAGRAPH.findall(note)) if t.startswith(head) and tail in t]
    discount = Decimal(str(row.get("discount") or 0)).quantize(CENT)
    if not said or not discount or line.quantity is None or line.unit_price is None:
        return None
    items = said[-1][len(head):said[-1].rindex(tail)].split(", ")
    amounts = [item.rsplit(": ", 1)[1] for item in items if ": " in item and not item.endswith("%")]
    before = Decimal(str(row["product_uom_qty"])) * Decimal(str(row["price_unit"]))
    after = line.quantity * line.unit_price
    if not amounts or after == before:
        return None
    return (f"line {number}: its discount {discount}% includes an amount off ({', '.join(amounts)}) and is kept as a "
            f"percent, not recomputed: the change does not restate it; of the line as changed ({after.quantize(CENT)}) "
            f"it takes {(after * discount / 100).quantize(CENT)} off, of the line as it was "
            f"{(before * discount / 100).quantize(CENT)}")


def _apply(wanted: list[Charge], rows: dict[str, dict[str, Any]], lines: ChargeLines, names: Names,
           sequence: int) -> tuple[list[list[Any]], list[str], set[int], int]:
    """(commands, note lines, ids of the lines acted on, last sequence) writing each charge to its paired order
    line (`rows`, by charge label): a known amount updates it or adds a line after `sequence`, zero removes it;
    an unmapped charge or one whose amount cannot be known is only noted."""
    commands: list[list[Any]] = []
    notes: list[str] = []
    acted: set[int] = set()
    for charge in wanted:
        row = rows.get(charge.label)
        if charge.default_code is None or charge.amount is None:
            notes.append(charge.note)
            continue
        where = f"order line {charge.default_code}"
        if row is None and charge.amount == 0:
            notes.append(f"{charge.said} ({where}: none on the order, nothing to remove)")
            continue
        if row is None:
            sequence += 1
            commands.append([0, 0, charge_line(charge, lines.products[charge.default_code], sequence, names)])
            notes.append(f"{charge.said} ({where}, {charge.amount}, added)")
            continue
        acted.add(row["id"])
        before = Decimal(str(row["price_unit"])).quantize(CENT)
        if charge.amount == 0:
            commands.append([2, row["id"], 0])
            notes.append(f"{charge.said} ({where} removed, was {before})")
        elif before != charge.amount:
            commands.append([1, row["id"], {"price_unit": float(charge.amount)}])
            notes.append(f"{charge.said} ({where}, {before} -> {charge.amount})")
        else:
            notes.append(f"{charge.said} ({where}, {charge.amount}, as before)")
    return commands, notes, acted, sequence


def _pair(wanted: list[Charge], rows: list[dict[str, Any]], lines: ChargeLines, note: str, label: str,
          where: str = "") -> dict[str, dict[str, Any]]:
    """{charge label: its order line among `rows`}: first the line on its product named as the charge, then, for
    a charge the partner renamed, the one line left on its product when the note says the gateway put this code
    there (`where`: "line 2: " for a line's own; several: held for a person rather than a guess)."""
    paired: dict[str, dict[str, Any]] = {}
    taken: set[int] = set()

    def on_product(charge: Charge) -> list[dict[str, Any]]:
        match = lines.products.get(charge.default_code or "")
        return [r for r in rows if match is not None and m2o_id(r["product_id"]) == match.product_id
                and r["id"] not in taken]

    for charge in wanted:
        row = next((r for r in on_product(charge) if (r["name"] or "").casefold() == charge.name.casefold()), None)
        if row is not None:
            paired[charge.label] = row
            taken.add(row["id"])
    for charge in wanted:
        if charge.label in paired or charge.source is None or not _noted(note, charge.source, charge.default_code,
                                                                         where):
            continue
        candidates = on_product(charge)
        if len(candidates) > 1:
            raise OdooRejected(f"{charge.label}: sale order lines {', '.join(repr(r['name']) for r in candidates)} "
                               f"are all on {charge.default_code}, and none is named {charge.name!r}: which one "
                               "the change restates is not known; change the order in Odoo")
        if candidates:
            paired[charge.label] = candidates[0]
            taken.add(candidates[0]["id"])
    return paired


def _noted(note: str, ac: AllowanceCharge, default_code: str | None, where: str = "") -> bool:
    """Whether the order's note says the gateway put a line for this charge's code on `default_code` (the
    paragraphs `_charge` and `merged_charges` write: "charge freight FREIGHT: 50.00 (order line SVC-FREIGHT, ...",
    for a line's own "line 2: charge freight ...": `where`)."""
    if not ac.code or not default_code:
        return False
    head = f"{where}{ac.kind} {ac.code}"
    return any(text.startswith((head + " ", head + ":")) and f"(order line {default_code}, " in text
               for text in map(html.unescape, PARAGRAPH.findall(note)))
