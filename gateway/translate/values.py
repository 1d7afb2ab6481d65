"""Value conversions a profile field can ask for, in both directions.

Each converter is a pair of plain functions (raw string -> canonical value, canonical
value -> raw string), picked once when a profile is compiled. Converters raise
`ValueError` with a sentence; the engine adds the profile line and the source location.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta, tzinfo
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple

from gateway.formats.gs1 import check_digit as gs1_check_digit

# EDIFACT 2379 format codes and the X12 / common spellings, as (length, slicer) recipes.
DATE_FORMATS: dict[str, str] = {
    "CCYYMMDD": "CCYYMMDD", "YYYYMMDD": "CCYYMMDD", "102": "CCYYMMDD",
    "YYMMDD": "YYMMDD", "101": "YYMMDD",
    "CCYYMMDDHHMM": "CCYYMMDDHHMM", "203": "CCYYMMDDHHMM",
    "CCYYMMDDHHMMSS": "CCYYMMDDHHMM", "204": "CCYYMMDDHHMM",
    "718": "718",                                       # CCYYMMDD-CCYYMMDD, a range: its start is the date
    "616": "CCYYWW",                                    # an ISO week (EANCOM delivery week): its Monday
    "CCYY-MM-DD": "CCYY-MM-DD", "ISO": "CCYY-MM-DD",
    "ISO8601": "ISO8601",                               # cXML: read the day of either; write a timestamp
    "DD.MM.CCYY": "DD.MM.CCYY", "MM/DD/CCYY": "MM/DD/CCYY", "DD/MM/CCYY": "DD/MM/CCYY",
    "excel": "excel",                                   # a spreadsheet's day number (46356 is 2026-11-30)
    "auto": "auto",
}
TIME_FORMATS = ("HHMM", "HHMMSS", "HH:MM", "HH:MM:SS", "auto")
# `date: auto`: the format by the length of the value (EDIFACT 2379 102, 101, 203, 204, 718 range)
_BY_LENGTH = {8: "CCYYMMDD", 6: "YYMMDD", 12: "CCYYMMDDHHMM", 14: "CCYYMMDDHHMM", 10: "CCYY-MM-DD",
              17: "718"}


def date_in(fmt: str) -> Callable[[str], str]:
    """Raw date -> ISO 'YYYY-MM-DD'."""
    kind = DATE_FORMATS[fmt]
    eight = kind in ("CCYYMMDD", "auto")

    def convert(raw: str) -> str:
        text = raw.strip()
        if eight and len(text) == 8 and text.isdecimal() and text.isascii():
            # the usual CCYYMMDD, checked as below (for two ASCII digits "01" <= m <= "12" is
            # 1 <= int(m) <= 12) without picking the format per call
            m, d = text[4:6], text[6:8]
            if "01" <= m <= "12" and "01" <= d <= "28" or _is_day(text[0:4], m, d):
                return f"{text[0:4]}-{m}-{d}"
            raise ValueError(f"date {raw!r} is not a valid CCYYMMDD date (no such day)")
        use = kind
        if use == "auto":
            use = _BY_LENGTH.get(len(text), "")
            if (use == "CCYY-MM-DD") != ("-" in text[4:5]):
                use = "718" if len(text) == 17 and text[8:9] == "-" else ""
        if use in ("CCYYMMDD", "CCYYMMDDHHMM", "718"):
            y, m, d = text[0:4], text[4:6], text[6:8]
        elif use == "YYMMDD":
            yy = int(text[0:2]) if text[0:2].isdecimal() else -1
            y, m, d = (("20" if yy < 50 else "19") + text[0:2]), text[2:4], text[4:6]
        elif use in ("CCYY-MM-DD", "ISO8601"):          # a timestamp's day is as its sender wrote it
            y, m, d = text[0:4], text[5:7], text[8:10]
            use = "CCYY-MM-DD"
        elif use == "CCYYWW":
            try:
                if not (len(text) == 6 and text.isdecimal()):
                    raise ValueError
                return date.fromisocalendar(int(text[0:4]), int(text[4:6]), 1).isoformat()
            except ValueError:
                raise ValueError(f"week {raw!r} is not an ISO week CCYYWW (2379 616)") from None
        elif use in _DAY_MONTH:
            return _day_month(raw, use)
        elif use == "excel":
            return _excel_day(raw)
        else:
            raise ValueError(f"date {raw!r} is not in a known format")
        marks = _SEPARATORS.get(use)
        if marks is not None and (text[marks[0]:marks[0] + 1], text[marks[1]:marks[1] + 1]) != marks[2:]:
            # read by position, 2026/11/30 would pass as 2026-11-30 and 30/11/2026 be "no such day"
            raise ValueError(f"date {raw!r} is not written {use} (like {_EXAMPLES[use]})")
        if not (len(y) == 4 and _is_day(y, m, d)):
            raise ValueError(f"date {raw!r} is not a valid {use} date (no such day)")
        return f"{y}-{m}-{d}"
    return convert


# where a format's separators stand, and which they are
_SEPARATORS: dict[str, tuple[int, int, str, str]] = {"CCYY-MM-DD": (4, 7, "-", "-")}
_EXAMPLES = {"CCYY-MM-DD": "2026-11-30", "DD.MM.CCYY": "30.11.2026", "MM/DD/CCYY": "11/30/2026",
             "DD/MM/CCYY": "30/11/2026"}
# spreadsheet dates: (separator, day first); day and month with or without their leading zero, as Excel
# writes them in the US (11/7/2026), the year in four digits, a time after the day ignored
_DAY_MONTH = {"DD.MM.CCYY": (".", True), "DD/MM/CCYY": ("/", True), "MM/DD/CCYY": ("/", False)}
_EXCEL_EPOCH = date(1899, 12, 30)         # day 0 of Excel's 1900 date system (day 60 is its 29 Feb 1900)


def _day_month(raw: str, use: str) -> str:
    sep, day_first = _DAY_MONTH[use]
    parts = (raw.split() or [""])[0].split(sep)
    if len(parts) != 3 or not all(p.isdecimal() and p.isascii() for p in parts) or len(parts[2]) != 4 \
            or not all(1 <= len(p) <= 2 for p in parts[:2]):
        raise ValueError(f"date {raw!r} is not written {use} (like {_EXAMPLES[use]}){_serial_hint(raw)}")
    d, m = (parts[0], parts[1]) if day_first else (parts[1], parts[0])
    y, m, d = parts[2], m.zfill(2), d.zfill(2)
    if not _is_day(y, m, d):
        swapped = next((f for f, (other, first) in _DAY_MONTH.items() if other == sep and first != day_first), "")
        hint = f": written {swapped}?" if swapped and int(m) > 12 and _is_day(y, d, m) else ""
        raise ValueError(f"date {raw!r} is not a valid {use} date (no such day){hint}")
    return f"{y}-{m}-{d}"


def slash_dates(fields: Iterable[Any]) -> dict[str, str]:
    """{CSV column: 'DD/MM/CCYY' or 'MM/DD/CCYY'} of the compiled `fields` that read their column as a date written
    with '/', found by reading 13/01/2026 and 01/13/2026 with each (whatever its profile, base or partner, says)."""
    out: dict[str, str] = {}
    for fld in fields:
        for fmt, probe in (("DD/MM/CCYY", "13/01/2026"), ("MM/DD/CCYY", "01/13/2026")):
            try:
                if fld.address and fld.read({fld.address: probe, "__row__": "0"}) == "2026-01-13":
                    out[fld.address] = fmt
            except Exception:  # noqa: BLE001, S112 - not a date field of that order: any refusal says so
                continue
    return out


def _excel_day(raw: str) -> str:
    text = raw.strip()
    whole = text.split(".")[0].split(",")[0]               # a time of day is the fraction
    if not (whole.isdecimal() and whole.isascii()) or not 61 <= int(whole) <= 2958465:
        raise ValueError(f"date {raw!r} is not a spreadsheet day number (like 46356 for 2026-11-30)")
    return (_EXCEL_EPOCH + timedelta(days=int(whole))).isoformat()


def _serial_hint(raw: str) -> str:
    """For a date that is a plain number of a recent day: what it is (a date cell formatted as a number)."""
    text = raw.strip()
    if text.isdecimal() and text.isascii() and 36526 <= int(text) <= 73050:      # 2000-01-01 .. 2099-12-31
        return (f"; {text} is a spreadsheet's day number for {_excel_day(text)}: the column is formatted as a "
                "number in the sheet (format it as a date, or read it with date: excel)")
    return ""


def _is_day(y: str, m: str, d: str) -> bool:
    """Whether year, month and day (digits) name a day of the calendar: 2026-02-30 does not."""
    if not (y.isdecimal() and m.isdecimal() and d.isdecimal()):
        return False
    try:
        date(int(y), int(m), int(d))
    except ValueError:
        return False
    return True


def date_out(fmt: str) -> Callable[[Any], str]:
    """ISO date -> the partner's format."""
    kind = DATE_FORMATS[fmt]

    def convert(value: Any) -> str:
        text = str(value)
        y, m, d = text[0:4], text[5:7], text[8:10]
        if kind in ("CCYYMMDD", "auto"):
            return f"{y}{m}{d}"
        if kind == "YYMMDD":
            return f"{y[2:]}{m}{d}"
        if kind == "CCYYMMDDHHMM":
            return f"{y}{m}{d}0000"
        if kind == "DD.MM.CCYY":
            return f"{d}.{m}.{y}"
        if kind == "MM/DD/CCYY":
            return f"{m}/{d}/{y}"
        if kind == "DD/MM/CCYY":
            return f"{d}/{m}/{y}"
        if kind == "excel":
            return str((date.fromisoformat(text[:10]) - _EXCEL_EPOCH).days)
        if kind == "ISO8601":
            return text if "T" in text else day_start(text)
        return text[:10]
    return convert


def day_start(day: str, zone: tzinfo = UTC) -> str:
    """An ISO 8601 timestamp with its offset for a canonical day, as cXML wants every date: the day's start in
    `zone`, the zone the day was told in (a bare day would be read in each buyer's own zone)."""
    return datetime.fromisoformat(day[:10]).replace(tzinfo=zone).isoformat(timespec="seconds")


def time_in(fmt: str) -> Callable[[str], str | None]:
    if fmt == "auto":
        return _time_auto

    def convert(raw: str) -> str:
        text = raw.strip().replace(":", "")
        if not text.isdecimal() or len(text) not in (4, 6, 8):
            raise ValueError(f"time {raw!r} is not {fmt}")
        out = f"{text[0:2]}:{text[2:4]}"
        return out + f":{text[4:6]}" if len(text) >= 6 else out
    return convert


def _time_auto(raw: str) -> str | None:
    """The time inside a DTM date/time value: 203 CCYYMMDDHHMM, 204 CCYYMMDDHHMMSS, a bare HHMM[SS];
    None for a value that is only a date (102, 101, a 718 range)."""
    text = raw.strip().replace(":", "")
    if len(text) in (12, 14) and text.isdecimal():
        text = text[8:]
    elif len(text) != 4 or not text.isdecimal():
        return None
    if int(text[0:2]) > 24 or int(text[2:4]) > 59:
        raise ValueError(f"time {raw!r} is not a time of day")
    return f"{text[0:2]}:{text[2:4]}" + (f":{text[4:6]}" if len(text) == 6 else "")


def time_out(fmt: str) -> Callable[[Any], str]:
    if fmt == "auto":
        return lambda value: ""         # read-only: the date field (format_at:) writes the time with the date

    def convert(value: Any) -> str:
        text = str(value)
        digits = text.replace(":", "")
        if fmt in ("HH:MM", "HH:MM:SS"):
            return text[:5] if fmt == "HH:MM" else (text + ":00")[:8]
        return digits[:4] if fmt == "HHMM" else (digits + "00")[:6]
    return convert


def date_time_out(value: Any, time: Any) -> tuple[str, str]:
    """EDIFACT DTM outbound: (C507 2380 value, 2379 format): 203 CCYYMMDDHHMM with a time, else 102."""
    text = str(value)
    digits = f"{text[0:4]}{text[5:7]}{text[8:10]}"
    if time:
        clock = str(time).replace(":", "")
        return digits + clock[:4].ljust(4, "0"), "203"
    return digits, "102"


def number_in(decimal_mark: str = ".", implied: int | None = None) -> Callable[[str], Decimal]:
    """Raw number -> Decimal; `implied` decimals for X12 N2-type elements (TDS01 '12345' -> 123.45)."""
    def convert(raw: str) -> Decimal:
        text = raw.strip()
        if decimal_mark == "either":      # EDIFACT (ISO 9735): '.' or ',' whatever the UNA says, no thousands
            if "," in text:
                text = text.replace(",", ".")
        elif decimal_mark != ".":
            text = text.replace(".", "").replace(decimal_mark, ".")
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise ValueError(f"{raw!r} is not a number{_currency_hint(text)}") from None
        if implied:
            if "." in text:
                raise ValueError(f"{raw!r} has a decimal point where {implied} implied decimals are expected")
            value = value.scaleb(-implied)
        return value
    return convert


# A currency sign or code before or after a number, as a spreadsheet saves a cell formatted as currency.
_CURRENCY_SIGNED = re.compile(r"^[-+]?(?:[$€£¥]|[A-Z]{3})\s*[-+]?[\d.,' \u00a0]+$|^[-+]?[\d.,' \u00a0]+\s*(?:[$€£¥]|[A-Z]{3})$")


def _currency_hint(text: str) -> str:
    """Why a number with a currency sign is refused: the sign is not checked against the document's currency,
    and '$' is five currencies."""
    if not _CURRENCY_SIGNED.match(text):
        return ""
    return (": it carries a currency sign (a spreadsheet column formatted as currency), which would not be checked "
            "against the document's currency; ask for the column as plain numbers")


def number_out(implied: int | None = None, decimal_mark: str = ".") -> Callable[[Any], str]:
    def convert(value: Any) -> str:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
        if implied:
            return str(int(number.scaleb(implied).quantize(Decimal(1))))
        text = format(number, "f")
        return text.replace(".", decimal_mark) if decimal_mark != "." else text
    return convert


def int_in(raw: str) -> int:
    try:
        return int(raw.strip())
    except ValueError:
        raise ValueError(f"{raw!r} is not a whole number") from None


def sscc_in(raw: str) -> str:
    """An SSCC-18 as sent (with or without the '00' application identifier), check digit verified."""
    text = raw.strip()
    if len(text) == 20 and text.startswith("00"):
        text = text[2:]
    if len(text) != 18 or not text.isdecimal():
        return text            # not an SSCC-18 (some senders put other package ids in MAN*GM): kept as sent
    if gs1_check_digit(text[:17]) != text[17]:
        raise ValueError(f"SSCC {raw!r} has check digit {text[17]}, expected {gs1_check_digit(text[:17])}")
    return text


def sscc_out(value: Any) -> str:
    """17 digits get their check digit; 18 digits must already carry the right one; other ids pass."""
    text = str(value).strip()
    if len(text) == 17 and text.isdecimal():
        return text + gs1_check_digit(text)
    return sscc_in(text)        # 18 digits: verified; anything else is not an SSCC-18 and goes as read


# A long number as a spreadsheet shows it (6.14141E+11, 6,14141E+11): its last digits are gone.
_SCIENTIFIC = re.compile(r"^[+-]?\d+(?:[.,]\d*)?[eE][+-]?\d+$")
BARCODE_PATHS = frozenset({"item_ids.gtin", "item_ids.ean", "item_ids.upc", "item_ids.barcode"})
"""Canonical item ids that hold a GTIN / EAN / UPC number: read through `barcode_in`."""


def barcode_in(raw: str) -> str:
    """A GTIN/EAN/UPC as sent; one a spreadsheet turned into scientific notation is refused, not guessed."""
    if _SCIENTIFIC.match(raw.strip()):
        raise ValueError(f"{raw.strip()!r} is a barcode number in scientific notation, as a spreadsheet shows a "
                         "long number: its last digits are lost; expected all its digits (8, 12, 13 or 14), "
                         "written as text (a spreadsheet column formatted as text)")
    return raw


def make_sscc(extension: str, company_prefix: str, serial: int) -> str:
    """A new SSCC-18: extension digit + GS1 company prefix + serial reference, padded to 17, + check digit."""
    body = extension + company_prefix
    width = 17 - len(body)
    if width < 1:
        raise ValueError(f"GS1 company prefix {company_prefix!r} is too long for an SSCC")
    serial_text = str(serial % (10 ** width)).zfill(width)
    return sscc_out(body + serial_text)


RANGE_LIMIT = 10000


class _Reading(NamedTuple):
    """One way to count a range out: `prefix`, the numbers start..stop zero-padded to `width` (0: not), `suffix`."""

    prefix: str
    start: int
    stop: int
    width: int
    suffix: str = ""

    def __str__(self) -> str:
        return " ".join(part for part in (self.prefix, f"{self.start} to {self.stop}", self.suffix) if part)


def identity_range(first: str, last: str) -> list[str]:
    """Every number of a range given by its first and last (EDIFACT C208: `SN-0007:SN-0010` is SN-0007 to SN-0010
    inclusive, as EANCOM's note on it says). Both ends are one prefix and a number, the last not below the first:
    of the same width (SN-A0001:SN-A0010, zero-padded), or of different widths when neither is zero-padded
    (ABC9:ABC12 is ABC9, ABC10, ABC11, ABC12). The number may be followed by the same ending on both, one that
    starts with a letter or sign (A100B:A103B is A100B, A101B, A102B, A103B: a plant or revision letter after
    the serial). Refused: a range that cannot be counted out so, one that reads two ways (ABC19:ABC110: ABC 19
    to 110, or ABC1 9 to 10), and one of more than RANGE_LIMIT numbers (a mistyped end must not make a million
    received lines)."""
    if last == first:
        return [first]
    readings = {(r.suffix, r.stop - r.start): r for r in _readings(first, last)}   # same count: same numbers
    if not readings:
        backwards = any(r.start > r.stop for r in _readings(first, last, backwards=True))
        why = "its last is below its first" if backwards else (
            "its first and last must be the same prefix followed by a number, both of one width or neither "
            "zero-padded, then, if any, the same ending not starting with a digit (SN-0007:SN-0010, ABC9:ABC12, "
            "A100B:A199B)")
        raise ValueError(f"range {first}:{last} cannot be counted out: {why}")
    if len(readings) > 1:
        ways = " or ".join(f"{r} ({r.stop - r.start + 1} numbers)"
                           for r in sorted(readings.values(), key=lambda r: (len(r.suffix), len(r.prefix))))
        raise ValueError(f"range {first}:{last} can be counted out two ways, {ways}: ask the vendor for one "
                         f"with zero-padded numbers of one width")
    [reading] = readings.values()
    count = reading.stop - reading.start + 1
    if count > RANGE_LIMIT:
        raise ValueError(f"range {first}:{last} has {count} numbers, more than {RANGE_LIMIT}: is its last mistyped?")
    return [f"{reading.prefix}{n:0{reading.width}d}{reading.suffix}" for n in range(reading.start, reading.stop + 1)]


def _digit(char: str) -> bool:
    return "0" <= char <= "9"


def _endings(first: str, last: str) -> list[str]:
    """"" and each ending both share that starts with a non-digit right after a digit in both (A100B:A199B:
    "B"; A100B7:A199B7: "B7"). An ending that starts with a digit would cut the number short (A100B:A190B is
    not A10 to A19 then 0B)."""
    found = [""]
    for size in range(1, min(len(first), len(last))):
        if first[-size] != last[-size]:
            break
        if not _digit(first[-size]) and _digit(first[-size - 1]) and _digit(last[-size - 1]):
            found.append(first[-size:])
    return found


def _readings(first: str, last: str, backwards: bool = False) -> list[_Reading]:
    """Each split of both ends into one prefix, a number that counts from the first to the last (`backwards`:
    or down to it) and one ending (`_endings`). Every reading begins with `first` and ends with `last`, so two
    with the same ending and count are the same numbers."""
    found = []
    for ending in _endings(first, last):
        one, other = first[:len(first) - len(ending)], last[:len(last) - len(ending)]
        for cut in range(min(len(one), len(other))):
            if cut and one[cut - 1] != other[cut - 1]:
                break                                  # the prefixes differ from here on
            head, tail = one[cut:], other[cut:]
            if not (head.isdecimal() and tail.isdecimal() and head.isascii() and tail.isascii()):
                continue
            start, stop = int(head), int(tail)
            if start > stop and not backwards:
                continue
            if len(head) == len(tail):
                found.append(_Reading(one[:cut], start, stop, len(head), ending))
            elif (head == "0" or head[0] != "0") and tail[0] != "0":
                found.append(_Reading(one[:cut], start, stop, 0, ending))
    return found


PRICE_PLACES = Decimal("0.000001")
"""A price of one unit is kept to six decimals at most, as Odoo keeps a price: 1/3 of a price is no price."""


def basis_quantity(text: str, what: str, read: Callable[[str], Decimal] = Decimal) -> Decimal:
    """The quantity a price is given for (EDIFACT PRI 5284, UBL BaseQuantity, cXML PriceBasisQuantity), as `read`
    reads a number of that syntax: a positive number, else a ValueError naming `what`, since dividing by it would
    make any price."""
    try:
        per = read(text.strip())
    except (InvalidOperation, ValueError):
        per = Decimal(0)
    if not per.is_finite() or per <= 0:
        raise ValueError(f"{what} {text!r} is not a quantity")
    return per


def price_of_one(price: Decimal, per: Decimal) -> Decimal:
    """A price given for `per` units as the price of one, to six decimals at most (`PRICE_PLACES`): every syntax's
    price basis (X12 HP/TP, EDIFACT 5284, UBL BaseQuantity, cXML PriceBasisQuantity) is read so."""
    one = price / per
    six = one.quantize(PRICE_PLACES)
    return one if one == six else six
