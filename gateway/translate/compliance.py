"""What a retailer's compliance check refuses in a document we send, checked before it leaves.

A retailer's EDI team runs more than its translator's syntax check on an 856 or 810: barcodes and GLNs must carry
a right GS1 check digit (the scanner at the dock reads the label, the item file is keyed on the GTIN), and an
invoice must foot (TDS01 as the retailer adds the lines, charges and taxes up). A document that fails is charged
back or refused days later; checked here, it is held with the reason instead (the scheduler's quarantine)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from gateway.formats.base import ParseResult, Segment, Syntax
from gateway.formats.edifact import number as edifact_number
from gateway.formats.gs1 import GLN_LENGTH, expected_digit
from gateway.translate.values import PRICE_PLACES
from gateway.translate.x12_fields import PER_QUANTITY

ITEM_NUMBERS = {"upc": "UPC", "ean": "EAN", "gtin": "GTIN"}
"""Canonical item ids that are GS1 trade item numbers (the Barcode of Odoo's product, or as the partner ordered);
a number given both as a UPC and as its GTIN-14 is named as the UPC, as it was typed."""
OUR_ROLES = frozenset({"ship_from", "seller", "supplier", "remit_to"})
"""Parties that are us: their GLN is our company's, typed in Odoo by us. A partner's own GLNs (ship-to, buyer,
bill-to) are left as they are: the gateway found the contact by the GLN the partner sends, so one that fails the
check is the partner's own number, which it matches on; holding every document to it would fix nothing."""
CENT = Decimal("0.01")


def wrong_check_digits(data: dict[str, Any], written: bytes,
                       sent: Iterable[str] = ()) -> tuple[list[str], list[str]]:
    """Each GTIN/UPC/EAN of an item and GLN of ours in `data` (a canonical document as plain data) that `written`
    (the rendered file) carries and whose GS1 check digit is wrong, as a sentence naming the product or party,
    the number and the digit it should end in: those to hold the document for, and those to note only. A number
    the profile does not write is no matter to the partner. A number the partner's own order named the line by
    (`sent`, Source.ordered_gtins) is noted: echoed as sent, it is what the partner's system matches the line by
    (its item file has it so), and nothing corrected in Odoo would change it, so holding would stop every 855, 856
    and 810 of its orders for that product until the partner changed its item file. An inventory feed's numbers are
    noted too: held, the whole catalogue's stock would stop for one product's Barcode (the retailer selling on
    stale figures), while a number with a wrong check digit can match no other item of the retailer's."""
    text = written.decode("utf-8", "replace")
    theirs = {number.lstrip("0") for number in sent}
    held: dict[str, str] = {}
    noted: dict[str, str] = {}
    for number, said, advice in _gs1_numbers(data):
        key = number.lstrip("0")                 # a UPC and the GTIN-14 of it are one number, named once
        if key in held or key in noted or not re.search(rf"(?<!\d){number}(?!\d)", text):
            continue
        if key in theirs:
            noted[key] = f"{said}: sent as the partner ordered it, which its system matches; tell the partner"
        elif data.get("doc_type") == "InventoryAdvice":
            noted[key] = f"{said}: {advice}"
        else:
            held[key] = f"{said}: {advice}"
    return list(held.values()), list(noted.values())


def _gs1_numbers(value: Any) -> Iterator[tuple[str, str, str]]:
    """(number, what is wrong, what to correct) for every GS1 number of `value` whose check digit is wrong."""
    if isinstance(value, list):
        for item in value:
            yield from _gs1_numbers(item)
        return
    if not isinstance(value, dict):
        return
    ids = value.get("item_ids")
    if isinstance(ids, dict):
        for key, kind in ITEM_NUMBERS.items():
            number = str(ids.get(key) or "")
            wanted = expected_digit(number)
            if wanted is not None:
                product = value.get("description") or next((str(v) for k, v in ids.items() if k not in ITEM_NUMBERS
                                                            and v), "")
                line = f" (line {value['line_no']})" if value.get("line_no") else ""
                yield number, (f"product {product!r}{line} has {kind} {number}, whose GS1 check digit should be "
                               f"{wanted} ({number[:-1]}{wanted})"), _correct(ids, key, number)
    gln = str((value.get("ids") or {}).get("gln") or "") if value.get("role") in OUR_ROLES else ""
    wanted = expected_digit(gln, (GLN_LENGTH,))
    if wanted is not None:
        yield gln, (f"the {value['role'].replace('_', '-')} party {value.get('name') or ''!r} has GLN {gln}, whose "
                    f"GS1 check digit should be {wanted} ({gln[:-1]}{wanted})"), "correct the company's GLN in Odoo"
    for key, item in value.items():
        if key not in ("item_ids", "ids") and isinstance(item, (dict, list)):
            yield from _gs1_numbers(item)


def _correct(ids: dict[str, Any], key: str, number: str) -> str:
    """Where in Odoo `number` (the line's `key` id) is typed: a line's `gtin` beside a UPC or EAN that is another
    number is its case's (a feed in cases, `odoo.stock_packaging`: the packaging's barcode, the unit's UPC kept),
    which the product's Barcode field does not hold."""
    units = {str(ids.get(k) or "").lstrip("0") for k in ("upc", "ean")} - {""}
    if key == "gtin" and units and number.lstrip("0") not in units:
        return "correct the Barcode of the product's packaging (the case the line counts in) in Odoo"
    return "correct the product's Barcode in Odoo"


def invoice_not_footing(read_back: ParseResult) -> str | None:
    """Why a written invoice does not foot, else None: an X12 810 (`_810_not_footing`) or an EDIFACT INVOIC
    (`_invoic_not_footing`), added up as the retailer's invoice check adds it. Odoo rounds each line's subtotal
    where the document states a unit price: a line's quantity times its written price can miss Odoo's subtotal (a
    discounted price cut to the digits written), and the retailer then pays its own sum or refuses the invoice."""
    for tx in read_back.transactions:
        check = _810_not_footing if tx.doc_type == "810" else _invoic_not_footing if tx.doc_type == "INVOIC" else None
        if check is None or read_back.syntax is not (Syntax.X12 if tx.doc_type == "810" else Syntax.EDIFACT):
            continue
        try:
            reason = check(tx.segments)
        except (InvalidOperation, ValueError):
            return None                          # an unreadable number is the syntax check's to name
        if reason is not None:
            return reason
    return None


def _adds_up(stated: Decimal, amounts: list[Decimal]) -> Decimal | None:
    """None when `stated` is what a partner gets adding `amounts` up in the currency's units (`_unit`), the sum
    rounded once or each amount rounded first (translators do either); else the sum of the rounded amounts, the
    figure to name."""
    unit = _unit(stated)
    rounded = sum((a.quantize(unit, ROUND_HALF_UP) for a in amounts), Decimal(0))
    return None if stated in (sum(amounts, Decimal(0)).quantize(unit, ROUND_HALF_UP), rounded) else rounded


def _unit(stated: Decimal) -> Decimal:
    """What an amount is rounded to: the cent, or the stated figure's own last place when it writes more (a
    currency of three decimals, KWD 3.704: Odoo rounds it to the fils, and so does the partner; in cents no
    figure of it would add up)."""
    exponent = stated.as_tuple().exponent
    return Decimal(1).scaleb(exponent) if isinstance(exponent, int) and exponent < -2 else CENT


def _810_not_footing(segments: list[Segment]) -> str | None:
    """Its TDS01 must be each IT1's IT102 x IT104 (per the IT105 basis: 12.50 HP is per hundred), plus SAC charges
    less allowances (SAC05), plus TXI taxes (TXI02), in cents."""
    stated, lines, amounts = _footing(segments)
    wanted = None if stated is None else _adds_up(stated, amounts)
    if stated is None or wanted is None:
        return None
    return (f"TDS01 says {stated} (Odoo's total), but the 810's lines ({lines}), charges less allowances (SAC) "
            f"and taxes (TXI) add up to {wanted}, as the partner adds them; the difference of "
            f"{stated - wanted} is usually a line's price cut to the digits the 810 writes: check the invoice "
            "lines' prices and discounts in Odoo")


def _footing(segments: list[Segment]) -> tuple[Decimal | None, Decimal, list[Decimal]]:
    """TDS01, the IT1 extended amounts' sum, and every amount the partner adds up to TDS01. A TXI in the summary
    (after TDS) is the invoice's tax; a TXI in an IT1 loop is that line's share of it, counted only when the
    summary has none. A SAC counts where it stands (a line's is on that line only)."""
    stated: Decimal | None = None
    amounts: list[Decimal] = []
    line_taxes: list[Decimal] = []
    summary_taxes: list[Decimal] = []
    lines = Decimal(0)
    for seg in segments:
        if seg.tag == "IT1" and seg.get(2) and seg.get(4):
            amount = Decimal(seg.get(2)) * Decimal(seg.get(4)) / PER_QUANTITY.get(seg.get(5), 1)
            lines += amount
            amounts.append(amount)
        elif seg.tag == "SAC" and seg.get(5) and seg.get(1) in ("A", "C"):
            amounts.append(Decimal(seg.get(5)).scaleb(-2) * (1 if seg.get(1) == "C" else -1))
        elif seg.tag == "TXI" and seg.get(2):
            (line_taxes if stated is None else summary_taxes).append(Decimal(seg.get(2)))
        elif seg.tag == "TDS" and seg.get(1):
            stated = Decimal(seg.get(1)).scaleb(-2)
    amounts += summary_taxes or line_taxes
    return stated, lines.quantize(CENT, ROUND_HALF_UP), amounts


INVOIC_TOTALS = ("77", "86", "39")
"""SG48 MOA qualifiers of an INVOIC's total with its tax: invoice amount (EANCOM's), message total, invoice total."""
GROSS_PRICES = frozenset({"AAB", "CAL"})
"""PRI 5125 prices before the line's allowances and charges (calculation gross, catalogue): MOA 203 is the quantity
at that price less the line's ALCs. AAA (calculation net, what the base profiles write) has them in it already."""
ALC_AMOUNTS = frozenset({"8", "204", "23"})
"""MOA qualifiers of an ALC group's amount: allowance or charge amount, allowance amount, charge amount."""
SHOWN_LINES = 3
"""Lines named in a reason at most; more are counted, a person fixing the price of one sees the others."""

TaxKey = tuple[str, str, str]
"""A TAX segment's type, rate and category (5153, 5278, 5305): SG50's groups and the lines' are matched by it."""


@dataclass
class _Charge:
    sign: int                                    # +1 a charge, -1 an allowance
    amount: Decimal | None = None
    percent: Decimal | None = None
    tax: TaxKey | None = None                    # the ALC group's own TAX


@dataclass
class _InvoicLine:
    number: str
    quantity: Decimal | None = None              # QTY+47, invoiced
    amount: Decimal | None = None                # MOA+203
    price: tuple[str, Decimal, Decimal] | None = None    # PRI 5125, 5118 and its 5284 basis
    charges: list[_Charge] = field(default_factory=list)
    taxes: list[TaxKey] = field(default_factory=list)     # one per TAX: two taxes of one rate on a line are two
    tax_amounts: list[Decimal] = field(default_factory=list)

    def priced(self) -> Decimal | None:
        """QTY x PRI (per its basis), less the line's allowances plus its charges when the price is gross."""
        if self.quantity is None or self.price is None:
            return None
        qualifier, price, basis = self.price
        gross = self.quantity * price / basis
        if qualifier not in GROSS_PRICES:
            return gross
        return gross + sum((c.sign * (c.amount if c.amount is not None else gross * (c.percent or 0) / 100)
                            for c in self.charges), Decimal(0))


@dataclass
class _Invoic:
    lines: list[_InvoicLine] = field(default_factory=list)
    charges: list[_Charge] = field(default_factory=list)           # SG15, the invoice's own
    totals: dict[str, Decimal] = field(default_factory=dict)       # SG48 MOA by qualifier
    taxes: dict[TaxKey, list[Decimal | None]] = field(default_factory=dict)    # SG50: [MOA 124, MOA 125]
    groups: dict[TaxKey, int] = field(default_factory=dict)        # SG50 groups of each: two taxes of one rate


def _tax_key(seg: Segment) -> TaxKey:
    rate = seg.component(5, 4)
    return seg.component(2, 1), f"{edifact_number(rate).normalize():f}" if rate else "", seg.get(6)     # 10.00: 10


def _invoic(segments: list[Segment]) -> _Invoic:
    """The figures of an INVOIC a retailer adds up: its lines (SG25), its allowances and charges (SG15), its
    totals (SG48) and taxes (SG50). A summary ALC (SG51) repeats SG15's, and a header TAX (SG6) the summary's:
    neither is counted again."""
    inv = _Invoic()
    part, group = "header", ""
    line: _InvoicLine | None = None
    charge: _Charge | None = None
    tax: list[Decimal | None] | None = None
    for seg in segments:
        tag = seg.tag
        if tag == "LIN":
            line, part, group = _InvoicLine(seg.get(1)), "line", ""
            inv.lines.append(line)
        elif tag == "UNS":
            part, group = "summary", ""
        elif tag == "ALC":
            charge, group = _Charge(-1 if seg.get(1) == "A" else 1), "alc"
            if part == "header":
                inv.charges.append(charge)
            elif line is not None and part == "line":
                line.charges.append(charge)
            else:
                group = "other"
        elif tag == "TAX":
            key = _tax_key(seg)
            if group in ("alc", "alc tax") and charge is not None:
                charge.tax, group = key, "alc tax"
            elif part == "line" and line is not None:
                line.taxes.append(key)
                group = "line tax"
            elif part == "summary":
                tax, group = inv.taxes.setdefault(key, [None, None]), "tax"
                inv.groups[key] = inv.groups.get(key, 0) + 1
            else:
                group = "other"
        elif tag == "MOA":
            qualifier, value = seg.component(1, 1), seg.component(1, 2)
            if not value:
                continue
            if group == "alc" and charge is not None and qualifier in ALC_AMOUNTS and charge.amount is None:
                charge.amount = edifact_number(value)
            elif part == "line" and line is not None and group == "line tax" and qualifier == "124":
                line.tax_amounts.append(edifact_number(value))
            elif part == "line" and line is not None and qualifier == "203" and line.amount is None:
                line.amount = edifact_number(value)
            elif part == "summary" and group == "" and qualifier not in inv.totals:
                inv.totals[qualifier] = edifact_number(value)
            elif group == "tax" and tax is not None and qualifier in ("124", "125"):
                at = 0 if qualifier == "124" else 1
                tax[at] = (tax[at] or Decimal(0)) + edifact_number(value)
        elif tag == "PCD" and group == "alc" and charge is not None and seg.component(1, 2):
            charge.percent = edifact_number(seg.component(1, 2))
        elif tag == "QTY" and line is not None and part == "line" and seg.component(1, 1) == "47":
            line.quantity = edifact_number(seg.component(1, 2))
        elif tag == "PRI" and line is not None and part == "line" and seg.component(1, 2) and (
                line.price is None or seg.component(1, 1) == "AAA"):
            basis = seg.component(1, 5)
            line.price = (seg.component(1, 1), edifact_number(seg.component(1, 2)), edifact_number(basis) if basis else Decimal(1))
    return inv


def _invoic_not_footing(segments: list[Segment]) -> str | None:
    """An INVOIC as an EANCOM invoice check adds it up: each line's QTY+47 x PRI (per its 5284 basis; a gross
    price less the line's ALCs) is its MOA+203; the lines are MOA+79; each SG50 tax's MOA+125 is the lines it is on
    (their TAX) plus the invoice's allowances and charges; the taxes' MOA+124 are MOA+176; and MOA+77 is MOA+79
    plus charges less allowances plus the tax. Each figure that does not is named with what it should be."""
    inv = _invoic(segments)
    found = _lines_not_footing(inv.lines)
    lines = [ln.amount if ln.amount is not None else ln.priced() for ln in inv.lines]
    lines_total = sum((a for a in lines if a is not None), Decimal(0))
    stated = inv.totals.get("79")
    if stated is not None and (wanted := _adds_up(stated, [lines_total])) is not None:
        found.append(f"MOA+79 says {stated} (Odoo's untaxed amount), but the lines' MOA+203 add up to {wanted}")
    base = stated if stated is not None else lines_total
    charges = [c.sign * (c.amount if c.amount is not None else base * (c.percent or 0) / 100) for c in inv.charges]
    found += _taxable_not_footing(inv, charges)
    taxes = [t[0] for t in inv.taxes.values() if t[0] is not None]
    tax = inv.totals.get("176")
    if tax is not None and taxes and (wanted := _adds_up(tax, taxes)) is not None:
        found.append(f"MOA+176 says {tax} (Odoo's tax total), but the TAX groups' MOA+124 add up to {wanted}")
    tax_amounts = [tax] if tax is not None else taxes or [a for ln in inv.lines for a in ln.tax_amounts]
    for qualifier in INVOIC_TOTALS:
        total = inv.totals.get(qualifier)
        if total is not None and (wanted := _adds_up(total, [base, *charges, *tax_amounts])) is not None:
            found.append(f"MOA+{qualifier} says {total} (Odoo's total), but MOA+79 {base}, the allowances and "
                         f"charges ({sum(charges, Decimal(0))}) and the tax ({sum(tax_amounts, Decimal(0))}) add up "
                         f"to {wanted}")
    if not found:
        return None
    return (f"the INVOIC does not add up as the partner adds it: {'; '.join(found)}; check the invoice lines' "
            "quantities, prices and discounts in Odoo (a total that is not its lines', a line the INVOIC leaves out, "
            "such as a cash rounding line), or the profile if it writes a figure elsewhere")


def _lines_not_footing(lines: list[_InvoicLine]) -> list[str]:
    """Each line whose MOA+203 is not its QTY x PRI, as a sentence naming both and the price that would make it."""
    wrong = []
    for line in lines:
        gross = line.priced()
        if line.amount is None or gross is None or line.price is None or line.quantity is None:
            continue
        wanted = _adds_up(line.amount, [gross])
        if wanted is None:
            continue
        qualifier, price, basis = line.price
        per = f" per {basis.normalize()}" if basis != 1 else ""
        hint = _price_hint(line.amount, line.quantity, basis) if qualifier not in GROSS_PRICES else ""
        wrong.append(f"LIN {line.number}: QTY+47 {line.quantity} x PRI+{qualifier} {price}{per} is {wanted}, but its "
                     f"MOA+203 (Odoo's subtotal of the line) says {line.amount}{hint}")
    more = [f"and {len(wrong) - SHOWN_LINES} more lines"] if len(wrong) > SHOWN_LINES else []
    return wrong[:SHOWN_LINES] + more


def _price_hint(amount: Decimal, quantity: Decimal, basis: Decimal) -> str:
    """The price (per `basis`) whose `quantity` makes `amount`, to six decimals as Odoo keeps a price, or that none
    does: then the line is to be split or its quantity or amount changed in Odoo, not its price."""
    if not quantity:
        return ""
    price = (amount * basis / quantity).quantize(PRICE_PLACES, ROUND_HALF_UP)
    if (price * quantity / basis).quantize(_unit(amount), ROUND_HALF_UP) != amount:
        return ("; no price of six decimals, as Odoo keeps one, makes it: give the line its net price, without the "
                "tax or discount in it (Odoo takes those off the line's amount, not the unit's), or split it")
    shown = f"{price:f}".rstrip("0")
    return f"; a price of {shown if len(shown.partition('.')[2]) > 2 else price.quantize(CENT)} would make it"


def _taxable_not_footing(inv: _Invoic, charges: list[Decimal]) -> list[str]:
    """Each SG50 tax whose MOA+125 is not the MOA+203 of the lines carrying that tax plus the allowances and
    charges on it: an ALC's own TAX says which; one without goes with the only tax there is, and with several
    taxes the base is left unchecked (which tax an untaxed freight charge bears is not written)."""
    taxed_lines = any(ln.taxes for ln in inv.lines)
    untaxed = [a for a, c in zip(charges, inv.charges, strict=True) if c.tax is None]
    if untaxed and len(inv.taxes) > 1:
        return []
    found = []
    for key, (_, taxable) in inv.taxes.items():
        if taxable is None or (not taxed_lines and len(inv.taxes) > 1):
            continue
        amounts = [(ln.amount if ln.amount is not None else ln.priced() or Decimal(0)) * (ln.taxes.count(key) or 1)
                   for ln in inv.lines if key in ln.taxes or not taxed_lines]
        amounts += [a for a, c in zip(charges, inv.charges, strict=True) if c.tax == key] + untaxed * inv.groups[key]
        wanted = _adds_up(taxable, amounts)
        if wanted is not None:
            kind, rate, category = key
            named = " ".join(p for p in (kind, f"{rate} %" if rate else "", category) if p)
            found.append(f"TAX {named}: MOA+125 says {taxable} (the amount Odoo taxed), but the lines with that tax "
                         f"and the allowances and charges on it add up to {wanted}")
    return found
