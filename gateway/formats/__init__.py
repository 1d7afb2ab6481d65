"""Format detection by content and the one entry point that reads any supported file.

The reader is picked from the first bytes, never from the file name: ISA -> X12,
UNA/UNB -> EDIFACT, '<' -> XML, anything else readable as text -> CSV (only when the
partner profile says the partner sends CSV).
"""

from __future__ import annotations

from collections.abc import Callable

from gateway.config.models import CsvSettings, XmlSettings
from gateway.errors import FormatError, UnrecognisedFile
from gateway.formats.base import ParseResult, Syntax, Transaction, mistaken_kind

_BOM = b"\xef\xbb\xbf"
_WIDE_BOMS = ((b"\x00\x00\xfe\xff", "utf-32-be"), (b"\xff\xfe\x00\x00", "utf-32-le"),
              (b"\xfe\xff", "utf-16-be"), (b"\xff\xfe", "utf-16-le"))


def _head(data: bytes) -> bytes:
    """The first bytes as ASCII-compatible text: BOMs dropped, UTF-16/32 re-encoded, leading blanks skipped."""
    head = data[:4096]
    for bom, codec in _WIDE_BOMS:
        if head.startswith(bom):
            head = head[len(bom):len(bom) + 4096 - 4096 % 4].decode(codec, "ignore").encode("utf-8")
            break
    else:
        if head[:2] in (b"<\x00", b"\x00<"):               # UTF-16 without a BOM (XML prolog)
            head = head.decode("utf-16-le" if head[0] == 0x3C else "utf-16-be", "ignore").encode("utf-8")
    if head.startswith(_BOM):
        head = head[3:]
    return head.lstrip(b" \t\r\n\x00")


def _wide(data: bytes) -> tuple[str, bytes] | None:
    """("UTF-16"/"UTF-32", the first bytes as UTF-8) for text stored two or four bytes a character: by its byte
    order mark, or by every other byte of its first ones being NUL (UTF-16 without a mark)."""
    head = data[:256]
    for bom, codec in _WIDE_BOMS:
        if head.startswith(bom):
            return codec[:6].upper(), head[len(bom):len(bom) + 240].decode(codec, "ignore").encode("utf-8")
    if len(head) >= 8 and head[:8].count(0) == 4 and (head[1:8:2] == b"\0" * 4 or head[0:8:2] == b"\0" * 4):
        codec = "utf-16-le" if head[1] == 0 else "utf-16-be"
        return "UTF-16", head[:240].decode(codec, "ignore").encode("utf-8")
    return None


def detect(data: bytes) -> Syntax | None:
    """Which syntax `data` is in, from its first bytes; None when it is not X12, EDIFACT or XML.

    A tag must be followed by a separator, not a letter or digit, so a CSV whose first
    header happens to start with "ISA" or "UNB" is not taken for EDI.
    """
    head = _head(data)
    tag, after = head[:3], head[3:4]
    separator = bool(after) and not after.isalnum() and after not in b" \r\n"
    if tag == b"ISA" and separator:
        return Syntax.X12
    if tag == b"UNA" and len(head) >= 9 or tag == b"UNB" and separator:
        return Syntax.EDIFACT
    if head[:1] == b"<":
        return Syntax.XML
    return None


def parse(data: bytes, *, syntax: Syntax | None = None, csv: CsvSettings | None = None,
          xml: XmlSettings | None = None, each: Callable[[Transaction], None] | None = None) -> ParseResult:
    """Read `data` with the reader its content calls for.

    `csv` settings make a non-EDI, non-XML file readable as CSV (a partner who sends CSV).
    `each` is called with every transaction once it is read and checked, in file order: X12 and
    EDIFACT while the file is still being read (see `x12.parse`), XML and CSV once the whole file is.
    Whether a transaction is accepted is final only in the returned result.
    Raises FormatError when the bytes are none of the four syntaxes.
    """
    found = syntax or detect(data)
    if found is None and csv is not None:
        found = Syntax.CSV
    wide = _wide(data) if found in (Syntax.X12, Syntax.EDIFACT, None) else None
    if wide is not None:
        what = "X12" if found is Syntax.X12 else "EDIFACT" if found is Syntax.EDIFACT else \
            {b"ISA": "X12", b"UNA": "EDIFACT", b"UNB": "EDIFACT"}.get(_head(wide[1])[:3])
        if what is not None:
            raise FormatError(f"the file is {what} saved as {wide[0]} text (two or four bytes a character): {what} is "
                              "sent as ASCII or UTF-8, one byte a character; ask the partner to send it so (or save "
                              "it as ANSI or UTF-8)")
    if found in (Syntax.XML, None) and (kind := mistaken_kind(_head(data))) is not None:
        # no settings make it readable: the file is wrong
        raise FormatError(f"the file is {kind}, not an X12, EDIFACT, XML or CSV document (sent by mistake?): ask "
                          "the partner for the EDI file itself")
    if found is Syntax.X12:
        from gateway.formats import x12
        return x12.parse(data, each=each)
    if found is Syntax.EDIFACT:
        from gateway.formats import edifact
        return edifact.parse(data, each=each)
    if found is Syntax.XML:
        from gateway.formats import xml as xml_format
        result = xml_format.parse(data, settings=xml)
    elif found is Syntax.CSV:
        from gateway.formats import csv as csv_format
        result = csv_format.parse(data, settings=csv or CsvSettings())
    elif not data:
        raise FormatError("the file is empty (0 bytes): nothing to read; if the partner meant to send something, "
                          "ask for it again")
    elif not data.strip(b" \t\r\n\x00"):
        raise FormatError(f"the file holds only blank space ({len(data)} bytes): nothing to read")
    else:
        # "the partner sends no CSV" read as if a partner had been identified, which for a file in a shared inbox
        # none is: CSV has no envelope, so only a partner known by the folder or account (and its `csv:`) reads it
        raise UnrecognisedFile("not an X12, EDIFACT or XML document, nor CSV from a partner with `csv:` settings "
                          f"(file starts with {data[:16]!r})")
    if each is not None:
        for tx in result.transactions:
            each(tx)
    return result
