"""Format detection by content and the one entry point that reads any supported file.

The reader is picked from the first bytes, never from the file name: ISA -> X12,
UNA/UNB -> EDIFACT, '<' -> XML, anything else readable as text -> CSV (only when the
partner profile says the partner sends CSV).
"""

from __future__ import annotations

from gateway.config.models import CsvSettings, XmlSettings
from gateway.errors import FormatError
from gateway.formats.base import ParseResult, Syntax

_BOM = b"\xef\xbb\xbf"


def detect(data: bytes) -> Syntax | None:
    """Which syntax `data` is in, from its first bytes; None when it is not X12, EDIFACT or XML."""
    head = data[:4096]
    if head.startswith(_BOM):
        head = head[3:]
    head = head.lstrip(b" \t\r\n\x00")
    if head[:3] == b"ISA":
        return Syntax.X12
    if head[:3] in (b"UNA", b"UNB"):
        return Syntax.EDIFACT
    if head[:1] == b"<":
        return Syntax.XML
    return None


def parse(data: bytes, *, syntax: Syntax | None = None, csv: CsvSettings | None = None,
          xml: XmlSettings | None = None) -> ParseResult:
    """Read `data` with the reader its content calls for.

    `csv` settings make a non-EDI, non-XML file readable as CSV (a partner who sends CSV).
    Raises FormatError when the bytes are none of the four syntaxes.
    """
    found = syntax or detect(data)
    if found is None and csv is not None:
        found = Syntax.CSV
    if found is Syntax.X12:
        from gateway.formats import x12
        return x12.parse(data)
    if found is Syntax.EDIFACT:
        from gateway.formats import edifact
        return edifact.parse(data)
    if found is Syntax.XML:
        from gateway.formats import xml as xml_format
        return xml_format.parse(data, settings=xml)
    if found is Syntax.CSV:
        from gateway.formats import csv as csv_format
        return csv_format.parse(data, settings=csv or CsvSettings())
    raise FormatError("not an X12, EDIFACT or XML document, and the partner sends no CSV "
                      f"(file starts with {data[:16]!r})")
