"""Small helpers every posting handler shares: the journal link of a record, a line's label in messages,
and the HTML paragraphs of an Odoo note."""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Sequence

from gateway.journal.api import OdooLink
from gateway.translate.canonical import Document, InventoryLine, Line, ShipItem


def record_link(doc: Document, model: str, record_id: int, role: str) -> OdooLink:
    return OdooLink(doc.source.message_id or "", model, int(record_id), role)


def label_of(line: Line | ShipItem | InventoryLine, index: int, what: str) -> str:
    return f"{what}, line {line.line_no or index}"


def line_labels(lines: Sequence[Line | ShipItem | InventoryLine], what: str) -> list[str]:
    """Each line's label (`label_of`), one of its own: a handler matches lines to products by label, so a number
    the document gives twice (a consolidated invoice numbering each order's lines from 1) is told apart by the
    line's position; under one label, one line's product was taken for both."""
    labels = [label_of(line, i, what) for i, line in enumerate(lines, 1)]
    repeated = {lab for lab, count in Counter(labels).items() if count > 1}
    return [f"{lab} (position {i})" if lab in repeated else lab for i, lab in enumerate(labels, 1)]


def html_notes(paragraphs: list[str]) -> str:
    return "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs if p)
