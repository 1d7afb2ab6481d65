"""Small helpers every posting handler shares: the journal link of a record, a line's label in messages,
and the HTML paragraphs of an Odoo note."""

from __future__ import annotations

import html

from gateway.journal.api import OdooLink
from gateway.translate.canonical import Document, Line, ShipItem


def record_link(doc: Document, model: str, record_id: int, role: str) -> OdooLink:
    return OdooLink(doc.source.message_id or "", model, int(record_id), role)


def label_of(line: Line | ShipItem, index: int, what: str) -> str:
    return f"{what}, line {line.line_no or index}"


def html_notes(paragraphs: list[str]) -> str:
    return "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs if p)
