"""GS1 numbers (GTIN, GLN, SSCC) and their mod-10 check digits, in X12 and EDIFACT segments.

A GTIN/UPC/EAN, GLN or SSCC ends in a check digit a scanner and a retailer's compliance check verify: a barcode
typed wrong in Odoo (one digit off) is refused by the retailer's 856/810 check and charged back, and a partner's
PO line with one names no product anyone has. Kept in the formats layer, below translation, so that a reader's
validation and the outbound checks share one computation."""

from __future__ import annotations

from functools import lru_cache

from gateway.formats.base import FIELDS, Issue, Severity, Syntax, Transaction

GTIN_LENGTHS = (8, 12, 13, 14)      # GTIN-8, UPC-A (GTIN-12), EAN-13 (GTIN-13), GTIN-14
GLN_LENGTH = 13
SSCC_LENGTH = 18

X12_ITEM_QUALIFIERS = {"UP": "UPC", "UK": "GTIN-14", "EN": "EAN-13", "EO": "EAN-8"}
"""X12 235 codes whose 234 is a GS1 trade item number: U.P.C. (UCC-12), GTIN-14 (1-2-5-5-1), EAN/UCC-13, EAN-8."""
EDIFACT_ITEM_TYPES = {"SRV": "GTIN", "EN": "EAN", "UP": "UPC"}
"""EDIFACT 7143 codes whose 7140 is a GS1 trade item number: EANCOM's SRV (GS1 GTIN), D96A's EN and UP."""
EDIFACT_ITEM_PLACES = {"LIN": (3,), "PIA": (2, 3, 4, 5, 6)}
"""Where an EDIFACT message names an item by C212 (7140 number : 7143 type)."""


def check_digit(digits: str) -> str:
    """GS1 mod-10 check digit of `digits` (weights 3,1,3,... from the right), for any GS1 key."""
    raw = digits.encode("ascii")          # summed as bytes in C: a PO of 2,000 lines checks 2,000 numbers
    threes, ones = raw[::-1][::2], raw[::-1][1::2]
    total = 3 * (sum(threes) - 48 * len(threes)) + sum(ones) - 48 * len(ones)
    return str(-total % 10)


@lru_cache(maxsize=65536)
def expected_digit(number: str, lengths: tuple[int, ...] = GTIN_LENGTHS) -> str | None:
    """The check digit `number` should end in when it ends in another, else None: only for all digits of one of
    `lengths` (a number of another length or with letters is some other identifier, not judged here; ASCII digits
    only: '١٢' and fullwidth digits are decimal to Python but no GS1 number, and crashed the sum). Cached: a
    partner orders the same catalogue's numbers file after file, and every PO1 line of every file is checked."""
    if len(number) not in lengths or not (number.isascii() and number.isdecimal()):
        return None
    wanted = check_digit(number[:-1])
    return wanted if wanted != number[-1] else None


def findings(tx: Transaction) -> list[Issue]:
    """A note (INFO) for each trade item number of `tx` whose check digit is wrong, naming its segment, element
    and the digit it should end in. INFO, not a warning of the acknowledgement's: a check digit is the partner's
    data, not X12/EDIFACT syntax, and its 997/CONTRL has no code for it; the note is in the message's findings for
    the person who sees its order held because no product has that number."""
    if tx.syntax is Syntax.X12:
        places = _x12_places(tx)
    elif tx.syntax is Syntax.EDIFACT:
        places = _edifact_places(tx)
    else:
        return []
    out = []
    for position, tag, element, component, kind, number in places:
        wanted = expected_digit(number)
        if wanted is not None:                   # always: the places are the wrong ones
            out.append(Issue(
                Severity.INFO, f"{kind} {number} ends in check digit {number[-1]}, but its GS1 check digit is "
                f"{wanted} ({number[:-1]}{wanted}): a digit of it was typed or sent wrong",
                "12" if tx.syntax is Syntax.EDIFACT else "",      # 0085 12, invalid value: for a reader's log
                level="element", interchange=tx.envelope.index if tx.envelope else None,
                group=tx.group.index if tx.group else None, transaction=tx.index, segment_tag=tag,
                segment_position=position, element_position=element, component_position=component, value=number))
    return out


Place = tuple[int, str, int, int | None, str, str]   # segment position, tag, element, component, kind, number
"""Where a number with a wrong check digit is. Only those are made into places: a right number (nearly all of an
850's 2,000 PO1 lines) costs a dict lookup and a cached check, no tuple and no segment property."""


@lru_cache(maxsize=1)
def _x12_pairs() -> dict[str, tuple[int, ...]]:
    """For each X12 segment with item numbers, the positions of its 235 qualifiers a 234 follows (PO1 06, 08, ...;
    LIN 02, ...): looked up once per segment, so that a file of 2,000 PO1 lines costs a dict lookup each."""
    from gateway.formats.x12_validate import dictionary
    out = {}
    for tag, spec in dictionary().segments.items():
        refs = [ref for ref, _ in spec.get("el", [])]
        pairs = tuple(pos for pos in range(1, len(refs)) if refs[pos - 1] == "235" and refs[pos] == "234")
        if pairs:
            out[tag] = pairs
    return out


def _x12_places(tx: Transaction) -> list[Place]:
    out: list[Place] = []
    pairs = _x12_pairs()
    for seg in tx.segments:
        fields = seg[FIELDS]                     # the tag and elements without the properties' calls (base.FIELDS)
        found = pairs.get(fields[0])
        if found is None:
            continue
        for pos in found:
            if pos + 1 >= len(fields):
                break
            if fields[pos] in X12_ITEM_QUALIFIERS and expected_digit(fields[pos + 1]) is not None:
                out.append((seg.position, fields[0], pos + 1, None, X12_ITEM_QUALIFIERS[fields[pos]], fields[pos + 1]))
    return out


def _edifact_places(tx: Transaction) -> list[Place]:
    out: list[Place] = []
    for seg in tx.segments:
        for pos in EDIFACT_ITEM_PLACES.get(seg.tag, ()):
            kind = EDIFACT_ITEM_TYPES.get(seg.component(pos, 2))
            if kind is not None and expected_digit(seg.component(pos, 1)) is not None:
                out.append((seg.position, seg.tag, pos, 1, kind, seg.component(pos, 1)))
    return out
