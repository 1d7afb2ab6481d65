"""The parsed-document model every format reader produces and the rest of the gateway consumes.

Readers (x12, edifact, csv, xml) turn bytes into a `ParseResult`: the interchanges
found, the business documents inside them (`Transaction`), and every validation
`Issue`, each located precisely. Translation reads `Transaction`s; acknowledgements
are built from the `ParseResult`; the pipeline never looks at raw bytes again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum
from operator import itemgetter
from typing import TYPE_CHECKING, Any


class Syntax(str, Enum):
    X12 = "x12"
    EDIFACT = "edifact"
    CSV = "csv"
    XML = "xml"


class Severity(str, Enum):
    ERROR = "error"      # the unit (transaction / interchange) is rejected
    WARNING = "warning"  # accepted with errors, still reported in the acknowledgement
    INFO = "info"        # noted (trailing bytes, padding), no effect on acceptance


MISTAKEN_FILES = ((b"%PDF-", "a PDF"), (b"PK\x03\x04", "a zip file (or an Excel .xlsx or Word .docx)"),
                  (b"\xd0\xcf\x11\xe0", "an Excel .xls (or other old Office) file"), (b"\x89PNG", "a PNG image"),
                  (b"\xff\xd8\xff", "a JPEG image"), (b"II*\x00", "a TIFF image (a fax?)"),
                  (b"MM\x00*", "a TIFF image (a fax?)"), (b"GIF8", "a GIF image"), (b"\x1f\x8b", "a gzip file"),
                  (b"<!doctype html", "an HTML page (a web portal's login or error page?)"),
                  (b"<html", "an HTML page (a web portal's login or error page?)"))
"""What a file sent by mistake instead of an order is, by its first bytes (HTML's in lower case, matched in any):
a printout, a spreadsheet, a scan, a web page."""


def mistaken_kind(head: bytes) -> str | None:
    """'a PDF', 'an HTML page ...' for a file of a kind no partner sends as EDI, else None. `head`: the file's first
    bytes, byte order mark and leading blanks left out. An XHTML page's XML declaration is looked past (a portal's
    error page as older Java web frameworks write it)."""
    if head.startswith(b"<?xml") and (end := head.find(b"?>", 0, 200)) > 0:
        head = head[end + 2:].lstrip(b" \t\r\n")
    lower = head[:24].lower()
    for magic, kind in MISTAKEN_FILES:
        if magic[:1] != b"<" and head.startswith(magic):
            return kind
        # a tag's name ends at a blank or '>': an XML document whose root is <htmlExport> is no web page
        if magic[:1] == b"<" and lower.startswith(magic) and lower[len(magic):len(magic) + 1] in b" \t\r\n>":
            return kind
    return None


@dataclass(frozen=True, slots=True)
class Delimiters:
    """Separators of an X12 or EDIFACT interchange, as found in (or written to) its header."""

    element: str
    component: str
    segment: str
    repetition: str | None = None
    release: str | None = None        # EDIFACT only
    decimal: str = "."                # EDIFACT UNA decimal mark
    suffix: str = ""                  # what follows each segment terminator (e.g. "\n", "\r\n")
    wrap: int = 0                     # X12 text hard-wrapped at this line width (0: not wrapped)
    wrap_eol: str = "\r\n"             # the line end of a wrapped file


FIELDS, POSITION, OFFSET, SEPARATORS, SUFFIX = range(5)
"""Indexes of a `Segment`'s slots. Readers' hot loops may store `seg[POSITION] = n` (a C-level store; the
property's setter is a Python call), only on segments made with an int offset (the EDIFACT reader's):
a lazily located one needs the setter, which pins it. Hot loops may read `seg[FIELDS]` and `seg[SEPARATORS]`
(their properties are plain itemgetters of those slots); OFFSET and SUFFIX only through their properties (an
offset may be a locator, the suffix slot may be absent). Everything else uses the named properties."""


def _offset(seg: list[Any]) -> int:
    """`Segment.offset`: stored, or found in the text the reader cut the segment from.

    The X12 reader's bulk path makes no int per segment (that was a tenth of reading a segment):
    it stores `((text, start, start_offset, separator, count, end), delta)`, one tuple shared by the
    segments of one transaction within one run of `count` segments of ASCII text, each followed by
    `separator` (terminator + suffix), from `start` to `end` in `text`. The segment is piece number
    position + delta of the run, found from whichever end is nearer. A reader that keeps segments
    keeps their chunk's text too (about the size of the file, next to ~15x in segments).
    """
    value = seg[OFFSET]
    if value.__class__ is int:
        return value
    (text, start, start_offset, separator, count, end), delta = value
    index = seg[POSITION] + delta
    if index <= count - index:
        at = start
        for _ in range(index):
            at = text.index(separator, at) + len(separator)
    else:
        at = end
        for _ in range(count - index):
            before = text.rfind(separator, start, at - len(separator))
            at = before + len(separator) if before >= 0 else start
    return start_offset + at - start  # type: ignore[no-any-return]


def _put_offset(seg: list[Any], value: int) -> None:
    seg[OFFSET] = value


def _put_position(seg: list[Any], value: int) -> None:
    """A lazily located segment is pinned to its offset first: that offset is found from the position."""
    if seg[OFFSET].__class__ is not int:
        seg[OFFSET] = _offset(seg)
    seg[POSITION] = value


def _tag(seg: list[Any]) -> str:
    return seg[FIELDS][0]  # type: ignore[no-any-return]


def _put_tag(seg: list[Any], value: str) -> None:
    seg[FIELDS][0] = value


def _component_sep(seg: list[Any]) -> str:
    return seg[SEPARATORS][0]  # type: ignore[no-any-return]


def _put_component_sep(seg: list[Any], value: str) -> None:
    seg[SEPARATORS] = (value, seg[SEPARATORS][1])


def _repetition_sep(seg: list[Any]) -> str | None:
    return seg[SEPARATORS][1]  # type: ignore[no-any-return]


def _put_repetition_sep(seg: list[Any], value: str | None) -> None:
    seg[SEPARATORS] = (seg[SEPARATORS][0], value)


def _suffix(seg: list[Any]) -> str | None:
    return seg[SUFFIX] if len(seg) > SUFFIX else None


def _put_suffix(seg: list[Any], value: str | None) -> None:
    if len(seg) > SUFFIX:
        seg[SUFFIX] = value
    elif value is not None:
        seg.append(value)


class Segment(list):  # type: ignore[type-arg]
    """One X12/EDIFACT segment: `fields` is the tag then the data elements, so that element n is
    `fields[n]` (BEG03 = fields[3], BGM01 = fields[1]), as X12 and EDIFACT number them.

    Elements are kept as raw strings (components and repetitions not split) so that
    reading stays fast; `component()` splits on demand. EDIFACT readers store values
    with release characters already removed; in a segment that holds a released (literal)
    separator, `component_sep` / `repetition_sep` are private noncharacters, so split with
    them (or use `component()` / `repeats()`), never with a literal ":".

    Why a list underneath: readers make one of these per segment, hundreds of thousands per
    file, and a list subclass can be built from a tuple entirely in C (`Segment.bulk`), where a
    dataclass runs a Python `__init__` per segment, about a third of what reading a segment costs.
    Why the tag inside `fields`: the readers split a segment's text on the element separator and keep
    that list as it comes, instead of taking the tag off its front (a copy of every element pointer).
    The slots are [fields, position, offset, (component_sep, repetition_sep)], and the suffix as a fifth
    only when a segment has one; use the named properties, never the indexes (but see FIELDS).
    Two segments are equal when all their fields are.
    """

    __slots__ = ()

    def __init__(self, tag: str, elements: list[str], position: int = 0, offset: int = 0,
                 component_sep: str = ">", repetition_sep: str | None = None, suffix: str | None = None) -> None:
        list.__init__(self, ([tag, *elements], position, offset, (component_sep, repetition_sep)))
        if suffix is not None:
            self.append(suffix)

    if TYPE_CHECKING:
        fields: list[str]
        tag: str
        position: int        # 1-based position within its transaction (ST / UNH = 1), 0 for envelope segments
        offset: int          # byte offset of the segment in the source file
        component_sep: str
        repetition_sep: str | None
        separators: tuple[str, str | None]
        suffix: str | None   # what followed this segment's terminator when it differs from Delimiters.suffix

        @staticmethod
        def bulk(slots: tuple[list[str], int, Any, tuple[str, str | None]]) -> Segment: ...  # offset or locator
    else:
        fields = property(itemgetter(FIELDS), doc="the segment id then its data elements as read: element n at n")
        tag = property(_tag, _put_tag, doc="segment id: 'BEG', 'UNH' (fields[0])")
        position = property(itemgetter(POSITION), _put_position,
                            doc="1-based position within its transaction (ST / UNH = 1), 0 for envelope segments")
        offset = property(_offset, _put_offset, doc="byte offset of the segment in the source file")
        component_sep = property(_component_sep, _put_component_sep,
                                 doc="component separator of this segment's interchange")
        repetition_sep = property(_repetition_sep, _put_repetition_sep,
                                  doc="repetition separator, None when the interchange has none")
        separators = property(itemgetter(SEPARATORS),
                              doc="(component_sep, repetition_sep): one tuple shared by the segments a reader "
                                  "cuts from one interchange, so `is` tells a segment that has its own")
        suffix = property(_suffix, _put_suffix,
                          doc="what followed this segment's terminator when it differs from Delimiters.suffix")

    def get(self, index: int, default: str = "") -> str:
        """Element by 1-based X12/EDIFACT position (BEG03 -> get(3)); missing elements read as default."""
        fields: list[str] = self[FIELDS]
        if 0 < index < len(fields):
            return fields[index]
        return default

    def component(self, index: int, comp: int, default: str = "") -> str:
        """Component `comp` (1-based) of element `index` (1-based)."""
        value = self.get(index)
        if not value:
            return default
        parts = value.split(self.component_sep)
        if 0 < comp <= len(parts):
            return parts[comp - 1]
        return default

    def repeats(self, index: int) -> list[str]:
        """Repetitions of element `index` (a one-item list when there is no repetition separator)."""
        value = self.get(index)
        if self.repetition_sep and self.repetition_sep in value:
            return value.split(self.repetition_sep)
        return [value] if value else []

    def __repr__(self) -> str:
        return (f"Segment(tag={self.tag!r}, elements={self[FIELDS][1:]!r}, position={self.position!r}, "
                f"offset={self.offset!r}, component_sep={self.component_sep!r}, "
                f"repetition_sep={self.repetition_sep!r}, suffix={self.suffix!r})")

    def _fields(self) -> tuple[Any, ...]:
        """The constructor's arguments: what equality compares and pickling stores."""
        fields = self[FIELDS]
        return (fields[0], fields[1:], self[POSITION], self.offset, *self[SEPARATORS], self.suffix)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Segment):
            return NotImplemented
        return self._fields() == other._fields()

    def __ne__(self, other: object) -> bool:
        if not isinstance(other, Segment):
            return NotImplemented
        return self._fields() != other._fields()

    __hash__ = None  # mutable, as a list

    def __reduce__(self) -> tuple[Any, ...]:
        return (Segment, self._fields())


class _BulkSegment(Segment):
    """What `Segment.bulk` makes: a Segment whose constructor is list's own (C) one, taking the
    slots as one tuple (fields, position, offset, (component_sep, repetition_sep)), e.g. from zip()
    over columns of element lists, positions, offsets and one separators pair."""

    __slots__ = ()
    __init__ = list.__init__


if not TYPE_CHECKING:
    Segment.bulk = _BulkSegment


UNDECODED_UTF8 = "utf-8, with bytes that are not"
"""`Envelope.encoding` of an X12 interchange in a file that is not valid UTF-8 (a Latin-1 "Köln"): its values
hold those bytes as lone surrogates (surrogateescape), which the writer turns back into the same bytes and
translation reads with `as_cp1252`."""

UNDECODED = re.compile("[\udc80-\udcff]+")
"""A run of bytes that are not UTF-8, as a reader decoding with surrogateescape keeps them."""


def as_cp1252(text: str) -> str:
    """`text` with its undecoded bytes read as Windows-1252, the legacy encoding they nearly always are
    ("K\\udcf6ln" -> "Köln"); JSON, the journal and Odoo take only real text."""
    if text.isascii() or not UNDECODED.search(text):
        return text
    return UNDECODED.sub(lambda m: m.group().encode("utf-8", "surrogateescape").decode("cp1252", "replace"), text)


@dataclass(slots=True)
class Envelope:
    """Interchange-level (ISA / UNB / XML header / CSV file) facts: who sent it, to whom, which number."""

    syntax: Syntax
    sender_qualifier: str = ""
    sender_id: str = ""
    receiver_qualifier: str = ""
    receiver_id: str = ""
    control_number: str = ""
    version: str = ""              # ISA12 "00401" / UNB syntax "UNOC:3"
    date: str = ""
    time: str = ""
    test: bool = False             # ISA15 == "T", UNB0035 == "1"
    ack_requested: bool = False    # ISA14 == "1", UNB0031 == "1"
    delimiters: Delimiters | None = None
    raw_header: list[str] = field(default_factory=list)   # ISA/UNB elements as read
    index: int = 0                 # 0-based position of the interchange in the file
    encoding: str = ""             # Python codec the text was decoded with ("latin-1" for UNOC)
    service_string: str = ""       # EDIFACT UNA advice as read, with what followed it ("" when absent)
    bom: bool = False              # the interchange was preceded by a UTF-8 byte order mark
    leading: str = ""              # whitespace found before the header (kept for byte-exact rewriting)
    service_segments: list[Segment] = field(default_factory=list)  # UNB/UNG/UNE/UNZ as read, in file order


@dataclass(slots=True)
class Group:
    """Functional group (GS/GE, UNG/UNE); X12 always has one, EDIFACT seldom."""

    functional_id: str = ""        # GS01 "PO"
    sender_id: str = ""            # GS02
    receiver_id: str = ""          # GS03
    control_number: str = ""       # GS06
    version: str = ""              # GS08 "004010VICS"
    date: str = ""
    time: str = ""
    index: int = 0
    raw_header: list[str] = field(default_factory=list)   # GS/UNG elements as read
    message_type: str = ""         # UNG 0038: the message type the group holds ("ORDERS")


@dataclass(slots=True)
class Transaction:
    """One business document: an X12 transaction set, an EDIFACT message, an XML document, a CSV group.

    `segments` holds ST..SE / UNH..UNT inclusive for X12/EDIFACT. For XML `tree` is the
    parsed root element (lxml); for CSV `rows` holds the grouped rows as dicts (by header)
    with their 1-based row numbers in `row_numbers`.
    """

    syntax: Syntax
    doc_type: str                  # "850", "ORDERS", "Order" (UBL), "OrderRequest" (cXML), "csv"
    version: str = ""              # "004010", "004010VICS", "D96A", "UBL-2.1", "cXML-1.2"
    control_number: str = ""       # ST02 / UNH01 / document id
    envelope: Envelope | None = None
    group: Group | None = None
    segments: list[Segment] = field(default_factory=list)
    tree: Any = None
    rows: list[dict[str, str]] = field(default_factory=list)
    row_numbers: list[int] = field(default_factory=list)
    index: int = 0                 # 0-based position within its group / file
    accepted: bool = True          # False when an ERROR-severity issue rejects it


@dataclass(slots=True)
class Issue:
    """A located validation finding, precise enough for an AK3/AK4 (IK3/IK4) or UCS/UCD and for a human."""

    severity: Severity
    message: str                              # a sentence a coordinator can act on
    code: str = ""                            # X12 (AK304/AK403/TA105/AK502) or EDIFACT (0085) error code
    level: str = "segment"                    # "interchange" | "group" | "transaction" | "segment" | "element"
    interchange: int | None = None            # 0-based index of the interchange in the file
    group: int | None = None
    transaction: int | None = None
    segment_tag: str = ""
    segment_position: int | None = None       # 1-based within the transaction
    element_position: int | None = None       # 1-based
    component_position: int | None = None
    repetition_position: int | None = None
    element_ref: str = ""                     # data element reference number ("324", "3055")
    value: str = ""
    loop_id: str = ""
    offset: int | None = None                 # byte offset in the file
    row: int | None = None                    # CSV row (1-based, as a spreadsheet shows it)
    column: str = ""                          # CSV column name / XML XPath

    def location(self) -> str:
        """Human-readable location: 'interchange 1, group 1, transaction 2, segment 7 PO1, element 4'."""
        parts: list[str] = []
        if self.interchange is not None:
            parts.append(f"interchange {self.interchange + 1}")
        if self.group is not None:
            parts.append(f"group {self.group + 1}")
        if self.transaction is not None:
            parts.append(f"transaction {self.transaction + 1}")
        if self.segment_position is not None or self.segment_tag:
            seg = "segment"
            if self.segment_position is not None:
                seg += f" {self.segment_position}"
            if self.segment_tag:
                seg += f" {self.segment_tag}"
            parts.append(seg)
        if self.element_position is not None:
            el = f"element {self.element_position}"
            if self.component_position is not None:
                el += f".{self.component_position}"
            parts.append(el)
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column}")
        if self.offset is not None and not parts:
            parts.append(f"byte {self.offset}")
        return ", ".join(parts) if parts else "file"

    def __str__(self) -> str:
        return f"{self.location()}: {self.message}"


@dataclass(slots=True)
class ParseResult:
    """Everything a reader learned from one file."""

    syntax: Syntax
    interchanges: list[Envelope] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    transactions: list[Transaction] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    segment_count: int = 0

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity is Severity.ERROR]

    @property
    def fatal(self) -> bool:
        """True when nothing in the file is usable (no transaction accepted)."""
        return not any(t.accepted for t in self.transactions)
