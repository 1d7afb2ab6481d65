"""What a retailer's compliance check refuses in a document we send, checked before it leaves.

A retailer's EDI team runs more than its translator's syntax check on an 856 or 810: barcodes and GLNs must carry
a right GS1 check digit (the scanner at the dock reads the label, the item file is keyed on the GTIN), and an
invoice must foot (TDS01 as the retailer adds the lines, charges and taxes up). A document that fails is charged
back or refused days later; checked here, it is held with the reason instead (the scheduler's quarantine)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from gateway.formats.base import ParseResult, Segment, Syntax
from gateway.formats.gs1 import GLN_LENGTH, expected_digit
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
    """Why a written X12 810 does not foot, else None: its TDS01 must be what the retailer adds up, each IT1's
    IT102 x IT104 (per the IT105 basis: 12.50 HP is per hundred), plus SAC charges less allowances (SAC05), plus
    TXI taxes (TXI02), in cents. Odoo's total is rounded line by line where the 810 states a unit price: a line's
    quantity times its written price can miss Odoo's subtotal (a discounted price cut to the digits written), and
    the retailer then pays its own sum or refuses the invoice."""
    for tx in read_back.transactions:
        if read_back.syntax is not Syntax.X12 or tx.doc_type != "810":
            continue
        try:
            stated, lines, exact, rounded = _footing(tx.segments)
        except (InvalidOperation, ValueError):
            return None                          # an unreadable number is the syntax check's to name
        if stated is None or stated in (exact.quantize(CENT, ROUND_HALF_UP), rounded):
            continue
        return (f"TDS01 says {stated} (Odoo's total), but the 810's lines ({lines}), charges less allowances (SAC) "
                f"and taxes (TXI) add up to {rounded}, as the partner adds them; the difference of "
                f"{stated - rounded} is usually a line's price cut to the digits the 810 writes: check the invoice "
                "lines' prices and discounts in Odoo")
    return None


def _footing(segments: list[Segment]) -> tuple[Decimal | None, Decimal, Decimal, Decimal]:
    """TDS01, the IT1 extended amounts' sum, and the whole sum exact and with each amount rounded to cents. A TXI
    in the summary (after TDS) is the invoice's tax; a TXI in an IT1 loop is that line's share of it, counted only
    when the summary has none. A SAC counts where it stands (a line's is on that line only)."""
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
    exact = sum(amounts, Decimal(0))
    rounded = sum((a.quantize(CENT, ROUND_HALF_UP) for a in amounts), Decimal(0))
    return stated, lines.quantize(CENT, ROUND_HALF_UP), exact, rounded
