"""CSV reader and writer with a per-partner dialect.

Spreadsheet-born files differ in every detail, so nothing is guessed: the partner's
`CsvSettings` say the delimiter, quote character, encoding, whether there is a header row,
the decimal mark and which column groups rows into one document (the order number).

Each row is a dict holding its cells by header name (when there is a header) *and* by
1-based column position ("1", "2", ...), so a profile can map columns either way. Row
numbers are the ones a spreadsheet shows (the header is row 1). With a decimal comma,
cells that are plainly numbers in that dialect ("1.234,50", "1.000", "-3,5") are given with a
decimal point ("1234.50", "1000", "-3.5"), in every column or only in `number_columns`; with a
decimal point, thousands commas are dropped there ("1,234.50", "12,000"), except in a ';'-separated file
(`_ambiguous_commas`). A cell that only reads as a number with a decimal
*point* ("1.5", "1,234.50") is ambiguous there, so it is left as text and reported as a WARNING
rather than silently turned into the wrong amount.

A number column's cell with a currency sign ("12,50 \u20ac", "$1,234.50") is read as its number, the sign kept beside the
row for translation to check against the document's currency (`check_currencies`). A totals row below the data
('Summe', an AutoSum) is skipped with a note (`_totals_row`). The file's day/month order, when a date with '/'
tells it, is noted on every row (`DATE_ORDER_KEY`, `check_date_orders`).

The encoding is the one thing the file itself may say: a byte-order mark (Excel's 'CSV UTF-8' and
'Unicode text'), or bytes that are valid UTF-8 where the partner's encoding is another; see `_encoding`.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from functools import lru_cache
from itertools import compress

from gateway.config.models import CsvSettings
from gateway.errors import TranslationError
from gateway.formats.base import (
    UNDECODED,
    Envelope,
    Issue,
    ParseResult,
    Severity,
    Syntax,
    Transaction,
    as_cp1252,
)

# Decimal-comma dialect: thousands in German ("1.234,50", "1.000") or French form ("1 234,50", a space or
# the no-break spaces Excel writes), or a plain decimal comma ("12,50").
_COMMA_NUMBER = re.compile("^-?\\d{1,3}([. \u00a0\u202f])\\d{3}(?:\\1\\d{3})*(?:,\\d+)?$|^-?\\d+,\\d+$")
# In that dialect, numbers written with a decimal point ("1.5", "1,234.50"): ambiguous, kept as text.
_POINT_NUMBER = re.compile(r"^-?\d+\.\d+$|^-?\d{1,3}(?:,\d{3})+\.\d+$")
# Decimal-point dialect: thousands with commas ("1,234.50", "12,000", as Excel in the US writes a formatted
# cell), apostrophes (Swiss "1'234.50") or spaces.
_POINT_THOUSANDS = re.compile("^-?\\d{1,3}([,'\u2019 \u00a0\u202f])\\d{3}(?:\\1\\d{3})*(?:\\.\\d+)?$")
_THOUSANDS_MARKS = str.maketrans("", "", ",.'\u2019 \u00a0\u202f")
_PLAIN_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?$")

_DOLLARS = ("USD", "CAD", "AUD", "NZD", "SGD", "HKD", "MXN")
CURRENCY_SIGNS: dict[str, tuple[str, ...]] = {
    "$": _DOLLARS, "US$": ("USD",), "C$": ("CAD",), "CA$": ("CAD",), "A$": ("AUD",), "AU$": ("AUD",),
    "NZ$": ("NZD",), "HK$": ("HKD",), "S$": ("SGD",), "MX$": ("MXN",), "R$": ("BRL",), "\u20ac": ("EUR",),
    "\u00a3": ("GBP",), "\u00a5": ("JPY", "CNY"), "\uffe5": ("JPY", "CNY"), "\u20b9": ("INR",), "\u20a9": ("KRW",),
    "\u20ba": ("TRY",), "z\u0142": ("PLN",), "K\u010d": ("CZK",), "kr": ("SEK", "NOK", "DKK", "ISK"), "Ft": ("HUF",)}
"""The currencies a sign a spreadsheet shows may stand for: a bare '$' is every dollar's (and Mexico's peso's) own
sign where it is used, so it agrees with any of them; an ISO 4217 code (`ISO_CURRENCIES`) stands for itself."""
ISO_CURRENCIES = frozenset((
    "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT", "BGN", "BHD", "BIF",
    "BMD", "BND", "BOB", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD", "CDF", "CHF", "CLP", "CNY", "COP", "CRC",
    "CUP", "CVE", "CZK", "DJF", "DKK", "DOP", "DZD", "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GHS",
    "GIP", "GMD", "GNF", "GTQ", "GYD", "HKD", "HNL", "HTG", "HUF", "IDR", "ILS", "INR", "IQD", "IRR", "ISK", "JMD",
    "JOD", "JPY", "KES", "KGS", "KHR", "KMF", "KPW", "KRW", "KWD", "KYD", "KZT", "LAK", "LBP", "LKR", "LRD", "LSL",
    "LYD", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR", "MWK", "MXN", "MYR", "MZN", "NAD",
    "NGN", "NIO", "NOK", "NPR", "NZD", "OMR", "PAB", "PEN", "PGK", "PHP", "PKR", "PLN", "PYG", "QAR", "RON", "RSD",
    "RUB", "RWF", "SAR", "SBD", "SCR", "SDG", "SEK", "SGD", "SHP", "SLE", "SOS", "SRD", "SSP", "STN", "SVC", "SYP",
    "SZL", "THB", "TJS", "TMT", "TND", "TOP", "TRY", "TTD", "TWD", "TZS", "UAH", "UGX", "USD", "UYU", "UZS", "VES",
    "VND", "VUV", "WST", "XAF", "XCD", "XOF", "XPF", "YER", "ZAR", "ZMW"))
_SIGN = "|".join(re.escape(sign) for sign in sorted(CURRENCY_SIGNS, key=len, reverse=True)) + "|[A-Z]{3}"
# the sign before the number (a minus on either side of it) or after it, with or without a (no-break) space
_CURRENCY_CELL = re.compile(f"^(-?)\\s*({_SIGN})\\s*(-?\\d[\\d.,'\u2019\\s]*?)\\s*$"
                            f"|^(-?\\d[\\d.,'\u2019\\s]*?)\\s*({_SIGN})$")
_SLASH_DATE = re.compile(r"\s*(\d{1,2})/(\d{1,2})/\d{4}(?:\s|$)")
DATE_ORDER_KEY = "__date order__ "
"""Row key prefix: `DATE_ORDER_KEY + kind + ' ' + column` ('day', 'month', 'either') holds the file's first cell in
that column whose date with '/' reads only day first, only month first, or both ways ('7 30/11/2026': row 7); set
on every row of the file, so that each document knows its file's order (`check_date_orders`)."""
DECIMAL_KEY = "__decimal__ "
"""Row key prefix: `DECIMAL_KEY + column` holds a cell of a decimal-comma file that reads as a number only with a
decimal point ('1.5'), left as text by the reader; translation holds the document when its profile reads that column
as a number (`check_decimals`), since the number field would read the text as 1.5 where 1.500 may be meant."""
CURRENCY_KEY = "__currency__ "
"""Row key prefix: `CURRENCY_KEY + column` holds the currency sign that column's number carried (`_signed`),
checked against the document's currency when it is translated (`check_currencies`)."""


BINARY_PROBE = 8192             # bytes looked at for a NUL, the mark of a file that is not text
_EXPORT = "not CSV text; ask the partner for the CSV export"
_BINARY_KINDS = (
    (b"%PDF-", f"a PDF, {_EXPORT}"), (b"PK\x03\x04", f"a zip file (or an Excel .xlsx), {_EXPORT}"),
    (b"\xd0\xcf\x11\xe0", f"an Excel .xls file, {_EXPORT}"), (b"\x89PNG", f"a PNG image, {_EXPORT}"),
    (b"\xff\xd8\xff", f"a JPEG image, {_EXPORT}"), (b"\x1f\x8b", f"a gzip file, {_EXPORT}"))
"""Files sent by mistake where CSV is expected, by their first bytes: what to tell whoever reads the reason."""
_EXCEL_SEPARATOR_LINE = re.compile(r"sep=([^\r\n])(?:\r\n|\n|\r)", re.IGNORECASE)
"""A first line `sep=;` tells Excel the delimiter; tools that export 'for Excel' write it."""
_TEXT_BOMS = ((b"\xef\xbb\xbf", "utf-8-sig", "UTF-8"), (b"\xff\xfe", "utf-16", "UTF-16"),
              (b"\xfe\xff", "utf-16", "UTF-16"))
"""Byte-order marks: Excel's 'CSV UTF-8' starts with the first, its 'Unicode text' (UTF-16 LE) with the second."""


def parse(data: bytes, settings: CsvSettings | None = None) -> ParseResult:
    """Read `data` as CSV in the partner's dialect; never raises on bad input (problems become Issues)."""
    s = settings or CsvSettings()
    result = ParseResult(syntax=Syntax.CSV)
    encoding, why = _encoding(data, s.encoding)
    if b"\x00" in data[:BINARY_PROBE] and not encoding.startswith("utf-16"):
        # text in the partner's encoding never holds NUL: a PDF, an image or an archive sent by mistake
        what = next((text for magic, text in _BINARY_KINDS if data.startswith(magic)),
                    "a binary file, not CSV text (it holds NUL bytes); ask the partner for the CSV export")
        result.issues.append(Issue(Severity.ERROR, f"this is {what}", code="encoding", level="interchange",
                                   offset=data.index(b"\x00")))
        return result
    if why:
        result.issues.append(Issue(Severity.INFO, f"read as {why}, not as {s.encoding} (the partner's "
                                   "csv.encoding)", code="encoding", level="interchange"))
    try:
        text = data.decode(encoding, "surrogateescape")
    except LookupError:
        result.issues.append(Issue(Severity.ERROR, f"unknown encoding {s.encoding!r} in the partner's csv "
                                   "settings", code="encoding", level="interchange"))
        return result
    bad_bytes = UNDECODED.search(text) is not None
    if bad_bytes:
        offset = _first_bad_byte(data, encoding)
        hint = f" ({_CP1252_HINT})" if codecs.lookup(encoding).name.startswith("utf-8") else ""
        result.issues.append(Issue(Severity.ERROR, f"bytes at offset {offset} are not valid {s.encoding}; "
                                   f"the rows holding them are rejected{hint}", code="encoding",
                                   level="interchange", offset=offset))
    env = Envelope(syntax=Syntax.CSV, encoding=encoding, index=0)
    result.interchanges.append(env)
    said = _EXCEL_SEPARATOR_LINE.match(text)
    if said is not None:           # Excel's own line naming the delimiter: read by Excel, never shown as a row
        text = text[said.end():]
        if said.group(1) != s.delimiter:
            result.issues.append(Issue(Severity.INFO, f"read with {said.group(1)!r} as the file's first line "
                                       f"says (sep=), not {s.delimiter!r} (the partner's csv.delimiter)",
                                       code="delimiter", level="interchange"))
            s = s.model_copy(update={"delimiter": said.group(1)})
    reader = _reader(text, s)
    titles = _title_rows(text, s)
    if titles:
        result.issues.append(Issue(Severity.INFO, f"row{'s 1-' if len(titles) > 1 else ' '}{len(titles)} above the "
                                   f"header row skipped: {' / '.join(titles)}", code="header", level="interchange"))
    header: list[str] | None = None
    twice: dict[str, list[int]] = {}      # header names given to more than one column
    group_by: str | None = None           # the header's name of the group_by column
    widths: dict[int, list[bool]] = {}   # per row width: which cells may be numbers (`_numeric`)
    groups: dict[str, Transaction] = {}
    order: list[Transaction] = []
    orphans = False                # a data row without its group_by value, or one that cannot be read
    row_no = 0
    below: list[tuple[int, list[str], list[bool]]] = []     # rows that may be a totals row under the data
    key_at = _key_positions(None, None, s)                  # where the group_by value is (0-based)
    dates: dict[str, str] = {}                              # see DATE_ORDER_KEY

    def take(row_no: int, cells: list[str], numeric: list[bool]) -> None:
        """A data row into its document (the group_by value's), or an ERROR when it has none."""
        nonlocal orphans
        row, row_issues = _row(cells, header, numeric, row_no, s, bad_bytes, twice)
        result.issues.extend(row_issues)
        for pos, cell in enumerate(cells) if "/" in "".join(cells) else ():
            if "/" in cell and (said := _SLASH_DATE.match(cell)) is not None:
                first, second = int(said.group(1)), int(said.group(2))
                kind = "day" if first > 12 >= second else "month" if second > 12 >= first else "either"
                column = _column_name(header, pos + 1)
                dates.setdefault(f"{DATE_ORDER_KEY}{kind} {column}", f"{row_no} {cell.strip()}")
        key = row.get(group_by or s.group_by, "").strip() if s.group_by else ""
        if s.group_by and not key:
            result.issues.append(Issue(Severity.ERROR, f"row {row_no} has no value in column {s.group_by!r}, so it "
                                       "belongs to no document: no document of this file is taken, since any of "
                                       "them may be missing this line (fill it in and send the file again)",
                                       code="missing", level="segment", row=row_no, column=s.group_by))
            orphans = True
            return
        tx = groups.get(key)
        if tx is None:
            tx = Transaction(syntax=Syntax.CSV, doc_type="csv", control_number=key, envelope=env,
                             index=len(order))
            groups[key] = tx
            order.append(tx)
        tx.rows.append(row)
        tx.row_numbers.append(row_no)
        if any(i.severity is Severity.ERROR for i in row_issues):
            tx.accepted = False
        for issue in row_issues:
            issue.transaction = tx.index

    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            row_no += 1
            quote = s.quotechar or '"'
            result.issues.append(Issue(Severity.ERROR, f"row {row_no} cannot be read as CSV ({exc}): a cell that "
                                       f"starts with {quote} must end with it, and a {quote} inside it is written "
                                       f"twice ({quote}{quote}); no document of this file is taken, since the row "
                                       "may be a line of any of them (correct it and send the file again)",
                                       code="syntax", level="segment", row=row_no))
            orphans = True
            continue
        row_no += 1
        if row_no <= len(titles) or not any(c.strip() for c in cells):
            continue
        if s.header and header is None:
            header = [_readable(c.strip()) for c in cells]
            env.raw_header = header
            twice = _named_twice(header)
            group_by = _as_named(s.group_by, header) if s.group_by else None
            key_at = _key_positions(header, group_by, s)
            if s.group_by and group_by is None and not s.group_by.isdecimal():
                result.issues.append(Issue(Severity.ERROR, f"the header row has no column {s.group_by!r} to group "
                                           f"orders by ({_columns_said(header, s.delimiter)})", code="header",
                                           level="interchange", row=row_no, column=s.group_by))
            continue
        numeric = widths.get(len(cells))
        if numeric is None:
            numeric = widths[len(cells)] = _numeric(len(cells), header, s)
        if _totals_row(cells, numeric, key_at, s):
            below.append((row_no, cells, numeric))     # skipped if no data row follows it
            continue
        for held in below:                              # data follows: rows of the data, read as such
            if any(held[1][pos].strip() for pos in key_at if pos < len(held[1])):
                orphans = True                          # a label where the order number goes ('Total')
                result.issues.append(Issue(Severity.ERROR, f"row {held[0]} reads as a totals row "
                                           f"({_shown(held[1])}), but rows of data follow it: no document of this "
                                           "file is taken, since it may be a line of any of them (a totals row is "
                                           "skipped only below the data)", code="missing", level="segment",
                                           row=held[0], column=s.group_by or ""))
            else:
                take(*held)
        below.clear()
        take(row_no, cells, numeric)
    for number, cells, _ in below:
        result.issues.append(Issue(Severity.INFO, f"row {number} below the data skipped as a totals row: "
                                   f"{_shown(cells)}", code="totals", level="segment", row=number))
    if orphans:                    # an order posted without one of its lines is worse than a file held back
        for tx in order:
            tx.accepted = False
    if any(not key.startswith(f"{DATE_ORDER_KEY}either ") for key in dates):   # the file says its order
        for tx in order:
            for row in tx.rows:
                row.update(dates)
    result.transactions = order
    result.segment_count = sum(len(t.rows) for t in order)
    if not order and not result.errors:
        result.issues.append(Issue(Severity.ERROR, "the file holds no data rows", code="empty",
                                   level="interchange"))
    return result


_CP1252_HINT = "Windows-1252 text, as Excel's 'CSV' saves it in Western Europe? then set csv.encoding: cp1252"


def _encoding(data: bytes, configured: str) -> tuple[str, str]:
    """(codec to read `data` with, why it is not `configured`, or "").

    A byte-order mark says what the file is, whatever the partner's settings: a partner set up for
    Windows-1252 whose next export is Excel's 'CSV UTF-8' (or 'Unicode text') is read right. So is
    a file without a mark that is valid UTF-8 where the partner's encoding is another: read as
    Windows-1252, UTF-8's two bytes for 'ö' are 'Ã¶', so "Köln" would reach Odoo as "KÃ¶ln", and
    text in another one-byte encoding is practically never valid UTF-8 (an accented letter would
    have to be followed by one of the bytes UTF-8 continues with).
    """
    for bom, codec, name in _TEXT_BOMS:
        if data.startswith(bom):
            return codec, "" if _same_codec(codec, configured) else f"{name} (the file starts with its byte-order mark)"
    try:
        wanted = codecs.lookup(configured).name
    except LookupError:
        return configured, ""
    if wanted.startswith("utf-8"):
        return configured, ""
    wide = wanted.startswith(("utf-16", "utf-32"))
    if (b"\x00" in data[:BINARY_PROBE]) if wide else data.isascii():
        return configured, ""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return configured, ""
    return "utf-8", "UTF-8 (valid UTF-8" + (" with no NUL bytes, so not UTF-16)" if wide else
                                            ", which text in a one-byte encoding practically never is)")


def _same_codec(codec: str, configured: str) -> bool:
    """UTF-8 and UTF-8 with its mark are one encoding, as are UTF-16 and UTF-16 LE."""
    try:
        a, b = codecs.lookup(codec).name, codecs.lookup(configured).name
    except LookupError:
        return False
    return a.startswith("utf-") and b.startswith("utf-") and a.split("-")[1] == b.split("-")[1]


def _first_bad_byte(data: bytes, encoding: str) -> int:
    try:
        data.decode(encoding)
    except UnicodeDecodeError as exc:
        return exc.start
    return 0


def _row(cells: list[str], header: list[str] | None, numeric: list[bool], row_no: int, s: CsvSettings,
         bad_bytes: bool, twice: Mapping[str, list[int]]) -> tuple[dict[str, str], list[Issue]]:
    issues: list[Issue] = []
    signs: dict[int, str] = {}
    for pos in compress(range(len(cells)), numeric):
        cell = cells[pos]
        if not (cell[:1].isdigit() and cell[-1:].isdigit()) and (signed := _signed(cell, s)) is not None:
            cells = list(cells) if not signs else cells          # the reader's own list stays as read
            cells[pos], signs[pos] = signed
    values = [_decimal_in(c, s) if n else c for c, n in zip(cells, numeric)]
    points: list[Issue] = []
    if s.decimal == ",":
        issues.extend(points := _ambiguous_decimals(cells, header, row_no, numeric))
    elif s.delimiter == ";":
        issues.extend(_ambiguous_commas(cells, header, row_no, numeric))
    row = {str(i): v for i, v in enumerate(values, start=1)}
    if header is not None:
        for name, v in zip(header, values):
            if name:
                row[name] = v
        for name, positions in twice.items():
            given = [values[pos - 1] for pos in positions if pos <= len(values) and values[pos - 1].strip()]
            row[name] = given[0] if given else ""
            if len({v.strip() for v in given}) > 1:
                issues.append(Issue(Severity.ERROR, f"row {row_no}: the header names {len(positions)} columns "
                                    f"{name!r} ({', '.join(map(str, positions))}), and this row has "
                                    f"{' and '.join(repr(v) for v in given)} in them: which one is meant is not "
                                    "known (rename one in the export)", code="columns", level="element",
                                    row=row_no, column=name))
        if len(values) > len(header) and any(v.strip() for v in values[len(header):]):
            issues.append(Issue(Severity.ERROR, f"row {row_no} has {len(values)} cells but the header names "
                                f"{len(header)} columns", code="columns", level="segment", row=row_no,
                                column=str(len(header) + 1)))
        elif len(values) < len(header):
            missing = header[len(values)]
            issues.append(Issue(Severity.WARNING, f"row {row_no} has {len(values)} cells, the header {len(header)}: "
                                f"column {missing!r} and after are empty", code="columns", level="segment",
                                row=row_no, column=missing))
    for pos, sign in signs.items():
        row[CURRENCY_KEY + _column_name(header, pos + 1)] = sign
    for point in points:                        # the number field would read the text: see check_decimals
        row[DECIMAL_KEY + point.column] = point.value
    if bad_bytes:
        for pos, v in enumerate(values, start=1):
            if UNDECODED.search(v):
                name = header[pos - 1] if header is not None and pos <= len(header) else str(pos)
                shown = _readable(v)
                hint = f"; read as Windows-1252 it is {as_cp1252(v)!r}" if s.encoding.lower().replace(
                    "_", "-") in ("utf-8", "utf8") else ""
                issues.append(Issue(Severity.ERROR, f"row {row_no}, column {name!r}: {shown!r} holds bytes that are "
                                    f"not valid {s.encoding}{hint}", code="encoding", level="element", row=row_no,
                                    column=name, value=shown))
                row[str(pos)] = shown
                if header is not None and pos <= len(header) and header[pos - 1]:
                    row[header[pos - 1]] = shown
    return row, issues


def _reader(text: str, s: CsvSettings) -> Iterator[list[str]]:
    quoted = bool(s.quotechar) and s.quoting != "none"
    return csv.reader(io.StringIO(text, newline=""), delimiter=s.delimiter,
                      quotechar=s.quotechar if quoted else None,
                      quoting=csv.QUOTE_MINIMAL if quoted else csv.QUOTE_NONE, strict=True)


TITLE_ROWS = 10                 # rows looked at for the header under a report's title lines


def _title_rows(text: str, s: CsvSettings) -> list[str]:
    """The rows above the header of a report-style export ('Bestellungen November 2026', a blank row, then the
    header), as text: the header is the first row naming the `group_by` column, when the first row does not.
    Only with a header and a `group_by` column by name; nothing when no row of the first ten names it."""
    if not (s.header and s.group_by) or s.group_by.isdecimal():
        return []
    above: list[str] = []
    try:
        for index, cells in enumerate(_reader(text, s)):
            if index >= TITLE_ROWS:
                return []
            if _as_named(s.group_by, [c.strip() for c in cells]) is not None:
                return above
            above.append(" ".join(c.strip() for c in cells if c.strip()) or "(blank)")
    except csv.Error:
        return []
    return []


def _readable(text: str) -> str:
    """`text` with bytes its encoding could not read shown as U+FFFD: rows go into JSON, which takes only text."""
    return UNDECODED.sub(lambda m: "\ufffd" * len(m.group()), text)


_SEPARATOR_NAMES = {"\t": "tabs", ";": "semicolons", ",": "commas", "|": "vertical bars"}


def _columns_said(header: list[str], delimiter: str) -> str:
    """The header's columns for a reason; a header that is one column holding another separator (Excel's
    tab-separated 'Unicode text' for a partner set to ';') says so instead of listing it."""
    if len(header) == 1:
        for other, name in _SEPARATOR_NAMES.items():
            if other != delimiter and len(header[0].split(other)) > 2:
                said = _SEPARATOR_NAMES.get(delimiter, repr(delimiter))
                return f"it is one column: the file is separated by {name}, not by {said} as the partner's " \
                       "csv.delimiter says"
    return f"columns: {', '.join(header)}"


def _named_twice(header: list[str]) -> dict[str, list[int]]:
    """Header names given to more than one column, with their 1-based positions."""
    positions: dict[str, list[int]] = {}
    for pos, name in enumerate(header, start=1):
        if name:
            positions.setdefault(name, []).append(pos)
    return {name: found for name, found in positions.items() if len(found) > 1}


def _fold(name: str) -> str:
    return " ".join(name.split()).casefold()


def _as_named(wanted: str, header: list[str]) -> str | None:
    """The header's name for column `wanted`: itself, else the one name that differs from it only in case or
    spacing ('order number', 'ORDER  NUMBER' for 'Order Number'); None when there is none or more than one."""
    if wanted in header:
        return wanted
    same = {name for name in header if _fold(name) == _fold(wanted)}
    return same.pop() if len(same) == 1 else None


def by_profile_names(rows: list[dict[str, str]], header: list[str],
                     columns: Iterable[str]) -> list[dict[str, str]]:
    """`rows` with each of the profile's `columns` the header spells otherwise (case, spacing) under the
    profile's name too, so that a hand-made file's 'ORDER NUMBER' is read where the profile says 'Order Number'.

    Done when translating, not when reading: rows are kept as the partner sent them (and known again by them)."""
    alias = {want: sent for want in columns if not want.isdecimal() and want not in header
             and (sent := _as_named(want, header)) is not None}
    if not alias:
        return rows
    return [{**row, **{want: row.get(sent, "") for want, sent in alias.items()}} for row in rows]


def _numeric(width: int, header: list[str] | None, s: CsvSettings) -> list[bool]:
    """Per cell: may it be read as a number (`number_columns`, by header name or 1-based position)?"""
    if s.number_columns is None:
        return [True] * width
    wanted = {_fold(name) for name in s.number_columns}          # as the profile spells them: see by_profile_names
    return [str(pos) in wanted or (header is not None and pos <= len(header) and _fold(header[pos - 1]) in wanted)
            for pos in range(1, width + 1)]


def _decimal_in(value: str, s: CsvSettings) -> str:
    """A number in the partner's dialect with a decimal point and no thousands separator: "1.234,50", "1 234,50",
    "1.000", "12,50" with a decimal comma, "1,234.50", "1'234.50", "12,000" with a decimal point; anything else
    as is."""
    text = value.strip()
    if s.decimal == "," and _COMMA_NUMBER.match(text):
        whole, _, fraction = text.partition(",")
        return whole.translate(_THOUSANDS_MARKS) + (f".{fraction}" if fraction else "")
    if s.decimal == "." and not text.isdecimal() and _POINT_THOUSANDS.match(text) \
            and not (s.delimiter == ";" and "," in text):          # see _ambiguous_commas
        whole, _, fraction = text.partition(".")
        return whole.translate(_THOUSANDS_MARKS) + (f".{fraction}" if fraction else "")
    return value


TOTALS_LABELS = ("total", "totals", "grand total", "subtotal", "sum", "summe", "gesamt", "gesamtsumme", "endsumme",
                 "zwischensumme", "somme", "total g\u00e9n\u00e9ral", "totale", "totaal", "suma", "razem", "summa")
"""What a totals row under a spreadsheet's data says, casefolded (`csv.totals_labels` names others)."""


def _key_positions(header: list[str] | None, group_by: str | None, s: CsvSettings) -> list[int]:
    """0-based positions of the `group_by` column (every column the header gives its name)."""
    if group_by is not None and header is not None:
        return [pos for pos, name in enumerate(header) if name == group_by]
    return [int(s.group_by) - 1] if s.group_by and s.group_by.isdecimal() else []


def _is_label(text: str, s: CsvSettings) -> bool:
    """Whether a cell is a totals row's label: 'Total', 'Summe:', 'Grand Total EUR' ('Totalreflexion' is not)."""
    return _labels(tuple(s.totals_labels) if s.totals_labels is not None else TOTALS_LABELS).match(_fold(text)) \
        is not None


@lru_cache(maxsize=64)
def _labels(labels: tuple[str, ...]) -> re.Pattern[str]:
    """One pattern for a partner's labels (casefolded), asked of every data row's first cells."""
    return re.compile("(?:" + "|".join(re.escape(_fold(label)) for label in labels) + ")(?:[ :]|$)")


def _totals_row(cells: list[str], numeric: list[bool], key_at: list[int], s: CsvSettings) -> bool:
    """Whether a row reads as a totals row (Excel's 'Total' row, an AutoSum under the amounts): no order number, or a
    totals label where it goes, and its other cells empty, a label or in the columns read as numbers. Unlabelled,
    only where those are known (`number_columns`): a line without its order number has an item code. Skipped only
    below the data (`parse`)."""
    labelled = False
    for pos, cell in enumerate(cells):
        text = cell.strip()
        if not text:
            continue
        if _is_label(text, s):
            labelled = True
        elif pos in key_at or not numeric[pos]:
            return False
    return labelled or s.number_columns is not None


def _shown(cells: list[str]) -> str:
    return " / ".join(c.strip() for c in cells if c.strip())


def _signed(cell: str, s: CsvSettings) -> tuple[str, str] | None:
    """(the number, its currency sign) of a number cell a spreadsheet formatted as currency ("12,50 \u20ac",
    "$1,234.50", "EUR 12.50"), the number as written in the partner's dialect; None for any other cell, and for one
    whose number does not read in the dialect ("$12,50" with a decimal point): that is refused as it is."""
    found = _CURRENCY_CELL.match(cell.strip())
    if found is None:
        return None
    minus, sign, number = (found.group(1), found.group(2), found.group(3)) if found.group(2) else \
        ("", found.group(5), found.group(4))
    if sign not in CURRENCY_SIGNS and sign not in ISO_CURRENCIES or minus and number.startswith("-"):
        return None
    number = minus + number.strip()
    return (number, sign) if _PLAIN_NUMBER.match(_decimal_in(number, s)) else None


def check_currencies(rows: Sequence[dict[str, str]], row_numbers: Sequence[int], currency: str | None,
                     header: Sequence[str] = (), numbers: Callable[[], Iterable[tuple[str, str]]] = tuple) -> None:
    """Refuse, naming row and column, a number whose currency sign is not the document's `currency`: read without
    it, an amount in dollars would go to Odoo as one in euros. A sign with no currency to check it against (the
    document names none, nor its profile or partner) is refused too, and so is one in a column the profile reads
    into a number that is no amount (`numbers()`: (column, canonical path) of its number fields; a quantity
    '25,00 €' is an amount in the quantity column, as when the export's columns moved)."""
    wanted = (currency or "").strip().upper()
    counted: set[str] | None = None
    for row, number in zip(rows, row_numbers):
        notes: list[str] = []
        for key in reversed(row):               # the reader's notes come after the row's cells
            if not key.startswith("__"):
                break
            notes.append(key)
        for key in reversed(notes):
            if not key.startswith(CURRENCY_KEY):
                continue
            sign, column = row[key], key[len(CURRENCY_KEY):]
            where = f"row {number} column {column}"
            if counted is None:
                counted = {_fold(at) for at, path in numbers() if not _AMOUNT.search(path.rpartition(".")[2])}
            if _named_in(column, header, counted):
                raise TranslationError(f"a number with the currency sign {sign!r} where the profile reads no amount "
                                       f"(a quantity): an amount in this column, the export's columns moved? It is "
                                       "not read as a count: have the partner correct the file and send it again",
                                       location=where)
            meant = CURRENCY_SIGNS.get(sign, (sign,))
            if wanted in meant:
                continue
            if not wanted:
                raise TranslationError(f"a number with the currency sign {sign!r}, and the document names no "
                                       "currency to check it against: set the currency (a column, or the "
                                       "profile's defaults: currency), or ask for the column as plain numbers",
                                       location=where)
            stands = f" (which stands for {' or '.join(meant)})" if sign not in ISO_CURRENCIES else ""
            raise TranslationError(f"a number in {sign}{stands}, but the document's currency is {wanted}: amounts "
                                   f"are not converted; expected {wanted} here", location=where)


def check_decimals(rows: Sequence[dict[str, str]], row_numbers: Sequence[int], header: Sequence[str],
                   columns: Callable[[], Iterable[str]]) -> None:
    """Refuse, naming row, column and value, a document whose number column (`columns()`: the profile's number
    fields' columns, by name or 1-based position) holds a cell the reader left as text in a decimal-comma file
    ('1.5', `DECIMAL_KEY`): the number field reads text with a decimal point, so one and a half would be posted
    where 1.500 (fifteen hundred, the partner's own dialect) may be meant. A person decides, not a guess."""
    wanted: set[str] | None = None
    for row, number in zip(rows, row_numbers):
        for key in reversed(row):               # the reader's notes come after the row's cells
            if not key.startswith("__"):
                break
            if not key.startswith(DECIMAL_KEY):
                continue
            if wanted is None:
                wanted = {_fold(column) for column in columns()}
            column = key[len(DECIMAL_KEY):]
            if not _named_in(column, header, wanted):
                continue
            value = row[key]
            raise TranslationError(
                f"{value!r} is written with a decimal point, but this partner's decimal mark is ',' (csv.decimal), "
                f"where '.' marks thousands (1.500 is fifteen hundred): {value.replace('.', ',')} meant, or a "
                "mistyped number? It is not guessed, so this document is not taken: have the partner correct it and "
                "send the file again (or set csv.decimal: '.' if its export now writes a decimal point)",
                location=f"row {number} column {column}")


_AMOUNT = re.compile("price|amount|charge")
"""A canonical field holding money, by its name (unit_price, amount, total_amount, allowances_charges): a currency
sign belongs there, not in a quantity, pack size, weight or percent."""


def _named_in(column: str, header: Sequence[str], wanted: set[str]) -> bool:
    """Whether a note's `column` (the header's name, else a 1-based position) is among the profile's `wanted`
    columns (casefolded, `_fold`; by name or position)."""
    return _fold(column) in wanted or (column in header and str(header.index(column) + 1) in wanted)


def content_rows(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """`rows` as their document says them, without its file's day/month note (`DATE_ORDER_KEY`): an order sent again
    in another export is the same order whatever the other orders' dates."""
    if not rows or not any(key.startswith(DATE_ORDER_KEY) for key in rows[0]):
        return rows
    return [{k: v for k, v in row.items() if not k.startswith(DATE_ORDER_KEY)} for row in rows]


def check_date_orders(rows: Sequence[Mapping[str, str]], formats: Callable[[], Mapping[str, str]],
                      header: Sequence[str] = ()) -> None:
    """Refuse a document of a file any of whose dates reads only in the other day and month order than the
    profile's (`formats()`: {column: 'DD/MM/CCYY' or 'MM/DD/CCYY'}): a partner whose Excel switched locale. Its
    dates that read both ways (05/11/2026) would be read in the old order without a word, so no document of the
    file is taken, each naming the date that tells (in whichever document it is). A profile column given by its
    position ('2') is the `header`'s name there, as the reader names it in its note."""
    said = {(kind, _fold(column)): value for key, value in (rows[0] if rows else {}).items()
            if key.startswith(DATE_ORDER_KEY) for kind, _, column in [key[len(DATE_ORDER_KEY):].partition(" ")]}
    if not said:
        return
    for column, fmt in formats().items():          # as the profile spells them (see by_profile_names)
        other, other_fmt = ("day", "DD/MM/CCYY") if fmt == "MM/DD/CCYY" else ("month", "MM/DD/CCYY")
        at = int(column) if column.isdecimal() else 0
        name = _fold(header[at - 1] if 0 < at <= len(header) and header[at - 1] else column)
        found = said.get((other, name))
        if found is None:
            continue
        row_no, _, value = found.partition(" ")
        either = said.get(("either", name), "").split(" ", 1)
        such = f"The file's dates that read both ways, such as {either[1]} in row {either[0]}, cannot be told " \
            "apart, so no" if len(either) == 2 else "No"
        raise TranslationError(
            f"{value!r} reads only as {other_fmt}, but the profile reads column {column} as {fmt}: the partner's "
            f"export changed its day and month order? {such} document of this file is taken: set date: {other_fmt} "
            "in the partner's profile if the export stays so, then replay", location=f"row {row_no} column {column}")


def _column_name(header: Sequence[str] | None, pos: int) -> str:
    """The header's name of 1-based column `pos`, else the position itself (no header, or no name there)."""
    return header[pos - 1] if header is not None and pos <= len(header) and header[pos - 1] else str(pos)


def _ambiguous_decimals(cells: list[str], header: list[str] | None, row_no: int,
                        numeric: list[bool]) -> list[Issue]:
    """WARNINGs for cells of a decimal-comma row that only read as numbers with a decimal point.

    "1.5" could be one and a half (a sender ignoring its own dialect) or a typo for "1.500";
    guessing either way can order a thousand times too much, so a person decides.
    """
    issues: list[Issue] = []
    for pos, (cell, number) in enumerate(zip(cells, numeric), start=1):
        text = cell.strip()
        if number and "." in text and _POINT_NUMBER.match(text) and not _COMMA_NUMBER.match(text):
            name = _column_name(header, pos)
            issues.append(Issue(Severity.WARNING, f"{text} uses '.' but this partner's decimal mark is ',' "
                                f"(row {row_no}, column {name!r}): left as text, not read as a number (a document "
                                "that reads the column as a number is held)", code="decimal", level="element",
                                row=row_no, column=name, value=text))
    return issues


def _ambiguous_commas(cells: list[str], header: list[str] | None, row_no: int, numeric: list[bool]) -> list[Issue]:
    """WARNINGs for thousands commas in a decimal-point row of a ';'-separated file: left as text.

    Excel separates columns with ';' where ',' is the decimal mark, so there '1,000' is one (a partner whose
    csv.decimal was never set: an SAP quantity of 3 decimals), not a thousand; read as a thousand it would
    order a thousand times too much without a word. An export in a decimal-point locale separates with ','.
    """
    issues: list[Issue] = []
    for pos, (cell, number) in enumerate(zip(cells, numeric), start=1):
        text = cell.strip()
        if number and "," in text and _POINT_THOUSANDS.match(text):
            name = _column_name(header, pos)
            issues.append(Issue(Severity.WARNING, f"{text} uses ',' in a file separated by ';', as Excel writes where "
                                f"',' is the decimal mark (row {row_no}, column {name!r}): left as text, not read "
                                "as a thousands comma (csv.decimal: ',' if it is a decimal comma)", code="decimal",
                                level="element", row=row_no, column=name, value=text))
    return issues


def _cell(value: object, s: CsvSettings) -> str:
    """A cell as text: numbers (Decimal, float) with the partner's decimal mark, text exactly as given."""
    if value is None:
        return ""
    if isinstance(value, (Decimal, float)) and not isinstance(value, bool):
        text = format(value, "f") if isinstance(value, Decimal) else repr(value)
        return text.replace(".", s.decimal) if s.decimal != "." else text
    return str(value)


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""What a spreadsheet opening the file takes for the start of a formula (OWASP 'CSV injection')."""
_INERT = re.compile(r"^(?:[\w\s+\-.,/%]*|[\d\s+\-().,/%]*)$")
"""Text no formula can do harm with: without '=', '|', '!', '[', a quote or a backslash, and without a parenthesis
where there is a letter, it calls no function, DDE program, other sheet or file (at worst a spreadsheet shows #NAME?
or a number). A product code ('-A12', '+GL-300'), a phone number ('+49 30 1234567', '+1 (555) 123-4567'), an amount
('-1.234,50'), '-'."""


def _defused(cell: str) -> str:
    """A text cell a spreadsheet would run as a formula ('=HYPERLINK(...)', '@SUM(...)', '-2+3+cmd|...') with a
    leading apostrophe, which makes it text there. Inert text (`_INERT`) stays as it is: the apostrophe would be data
    to a partner's importer (a SKU '-A12' it matches on, a ship-to phone '+49 30 1234567' sent as "'+49 ...")."""
    return "'" + cell if cell.startswith(_FORMULA_START) and not _INERT.match(cell) else cell


def write(rows: Iterable[Mapping[str, object]], settings: CsvSettings | None = None,
          columns: Sequence[str] | None = None, numbers: Collection[str] = ()) -> bytes:
    """Outbound CSV in the partner's dialect: header row (if the partner wants one), its line ends (CRLF unless
    `line_end: lf`), its encoding.

    `columns` fixes the column order; by default it is the order keys first appear in. Text cells
    are written as given (an item code "10.5" stays "10.5"); only number values (Decimal, float) take
    the partner's decimal mark. The translation engine formats canonical numbers itself.
    Raises TranslationError, naming the row and column, for a cell the partner's file cannot carry: a
    character its encoding lacks, or with `quoting: none` the delimiter, a line break or a quote opening the cell
    (written with a backslash before it, as before, the partner read the backslash as data and the row split).
    A quote inside a cell (an inch mark: 'Monitor 27"') is written as it is. With `formula_escape: text` (the
    default) a text cell that would start a spreadsheet formula gets a leading apostrophe (`_defused`); the
    columns in `numbers` (the profile's number fields) and number values never do, so -5 stays -5.
    """
    s = settings or CsvSettings()
    escape = s.formula_escape == "text"
    materialised = [{k: _defused(v) if escape and isinstance(v, str) and k not in numbers else _cell(v, s)
                     for k, v in r.items()} for r in rows]
    names = list(columns) if columns is not None else []
    if columns is None:
        for r in materialised:
            names.extend(k for k in r if k not in names)
    table = [names] if s.header else []
    table.extend([r.get(n, "") for n in names] for r in materialised)
    _check_writable(table, names, s)
    end = "\n" if s.line_end == "lf" else "\r\n"
    buf = io.StringIO()
    if s.quoting == "all":
        writer = csv.writer(buf, delimiter=s.delimiter, quotechar=s.quotechar or '"', lineterminator=end,
                            quoting=csv.QUOTE_ALL)
    elif s.quoting == "none":
        writer = csv.writer(buf, delimiter=s.delimiter, lineterminator=end, quoting=csv.QUOTE_NONE,
                            quotechar=None)           # nothing to escape: `_check_writable` refused it
    else:
        writer = csv.writer(buf, delimiter=s.delimiter, quotechar=s.quotechar or '"', lineterminator=end,
                            quoting=csv.QUOTE_MINIMAL)
    writer.writerows(table)
    return buf.getvalue().encode(s.encoding)


def _check_writable(table: list[list[str]], names: list[str], s: CsvSettings) -> None:
    """Refuse, naming row and column, a cell the partner's file cannot carry as it is (see `write`)."""
    forbidden = (s.delimiter, "\r", "\n") if s.quoting == "none" else ()
    # a quote opens a quoted cell only where the cell starts (a reader that quotes at all reads '27"' as text)
    opening = (s.quotechar or '"') if s.quoting == "none" else ""
    first = 1 if s.header else 2             # the spreadsheet's row number of table[0]
    for index, cells in enumerate(table):
        for name, cell in zip(names, cells):
            where = f"row {index + first}, column {name!r}"
            bad = next((c for c in forbidden if c and c in cell), opening if opening and cell.startswith(opening)
                       else None)
            if bad is not None:
                raise TranslationError(f"{cell!r} holds {bad!r}, which a file without quoting (the partner's "
                                       "csv.quoting: none) cannot carry", location=where)
            try:
                cell.encode(s.encoding)
            except UnicodeEncodeError as exc:
                raise TranslationError(
                    f"{cell!r} holds {cell[exc.start]!r}, which {s.encoding} (the partner's csv.encoding) "
                    "cannot write: correct the text in Odoo, or set an encoding that has it (utf-8, or utf-8-sig "
                    "for Excel) if the partner reads it", location=where) from None
