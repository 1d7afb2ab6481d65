"""What makes a CSV or XML document the same document again, since neither carries an interchange control
number to tell a repeat by (X12 ISA13, EDIFACT UNB 0020).

Each accepted document of a file gets a key (the partner's own number for it) and a digest of what it says:

- cXML: the payloadID, which the cXML spec makes unique per document and the same on a retry; the digest
  covers the Request (Message, Response) only, so a resend through another route, with another Header
  (credentials, shared secret) or timestamp, is still the same document.
- UBL: its ID and IssueDate, per document type (an Invoice and a CreditNote may share a number).
- CSV: the value of the partner's `group_by` column (the order number), with a digest of that document's rows
  as read (not their row numbers): the same order in another export, among new ones, is still the same.
- Anything else (generic XML, CSV without `group_by`): no number to go by, only the content itself.

The same key with the same digest is a duplicate; the same key with another digest is a corrected resend.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from gateway.formats import csv as csv_format
from gateway.formats.base import ParseResult, Syntax, Transaction

WITHOUT_CONTROL_NUMBERS = frozenset({Syntax.CSV, Syntax.XML})


@dataclass(slots=True, frozen=True)
class DocumentKey:
    index: int           # the transaction's position in the file's ParseResult.transactions
    kind: str            # "csv", "xml:Invoice", "xml:OrderRequest", ...
    key: str
    digest: str
    label: str           # how a person names it: "UBL Invoice INV-1 of 2026-11-28"
    number: str = ""     # the document's business number, as its canonical document carries it


def document_keys(result: ParseResult) -> list[DocumentKey]:
    """The keys of the file's accepted documents (a rejected one is not remembered: its resend is new)."""
    if result.syntax not in WITHOUT_CONTROL_NUMBERS:
        return []
    keyed = _csv_key if result.syntax is Syntax.CSV else _xml_key
    return [keyed(index, tx) for index, tx in enumerate(result.transactions) if tx.accepted]


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _csv_key(index: int, tx: Transaction) -> DocumentKey:
    digest = _sha(json.dumps(csv_format.content_rows(tx.rows), ensure_ascii=False, separators=(",", ":")).encode())
    rows = f"row {tx.row_numbers[0]}" if len(tx.row_numbers) == 1 else \
        f"rows {tx.row_numbers[0]}-{tx.row_numbers[-1]}" if tx.row_numbers else "no rows"
    if not tx.control_number:
        return DocumentKey(index, "csv", digest, digest, f"CSV document ({rows})")
    return DocumentKey(index, "csv", tx.control_number, digest, f"CSV document {tx.control_number} ({rows})",
                       tx.control_number)


def _xml_key(index: int, tx: Transaction) -> DocumentKey:
    env, root = tx.envelope, tx.tree
    version = env.version if env is not None else ""
    kind = f"xml:{tx.doc_type}"
    if version.startswith("cXML") and env is not None and env.control_number:
        body = next((b for b in map(root.find, ("Request", "Message", "Response")) if b is not None), root)
        return DocumentKey(index, kind, env.control_number, _digest(body),
                           f"cXML {tx.doc_type} {tx.control_number} (payloadID {env.control_number})",
                           tx.control_number)
    if version.startswith("UBL") and env is not None and env.control_number:
        dated = f" of {env.date}" if env.date else ""
        return DocumentKey(index, kind, f"{env.control_number}|{env.date}", _digest(root),
                           f"UBL {tx.doc_type} {env.control_number}{dated}", env.control_number)
    digest = _digest(root)
    return DocumentKey(index, kind, digest, digest, f"XML {tx.doc_type}")


def _digest(element: Any) -> str:
    """Digest of what the element says: its elements' names (with namespace), attributes and text, without
    the whitespace around them. The same document, however its file is indented, encoded, quoted or
    prefixed, and wherever comments are, has the same digest."""
    said = [[el.tag, sorted(el.attrib.items()), (el.text or "").strip(), (el.tail or "").strip()]
            for el in element.iter() if isinstance(el.tag, str)]
    return _sha(json.dumps(said, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
