"""A rendered outbound document: bytes ready for the outbox, with the numbers its acknowledgement will quote."""

from __future__ import annotations

from dataclasses import dataclass, field

from gateway.formats.base import Syntax


@dataclass(slots=True)
class RenderedDocument:
    doc_type: str                         # "997", "999", "TA1", "CONTRL", "856", "810", "846", "DESADV", ...
    syntax: Syntax
    filename: str                         # suggested file name: "<partner>_<type>_<control>.<ext>"
    data: bytes
    control_number: str = ""              # ISA13 / UNB0020 of what we send
    group_number: str | None = None       # GS06 / UNG0048
    transaction_numbers: list[str] = field(default_factory=list)   # ST02 / UNH0062
    expects_ack: str | None = None        # "997" | "999" | "CONTRL" | None: what the partner should send back
    source_record: str | None = None      # "stock.picking,42" for extracted documents
    number: str = ""                      # the document's own number (ASN, invoice, ...): `{number}` in file names
