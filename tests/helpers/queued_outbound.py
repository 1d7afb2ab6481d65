"""A workspace whose journal already holds documents we sent a partner, queued as the scheduler queues them
(`Pipeline.queue_outbound`) before the daemon starts: what a partner's APERAK or 824 can then answer, with no Odoo."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gateway.config.loader import load
from gateway.journal.archive import Archive
from gateway.journal.sqlite import SqliteJournal
from gateway.outbound.rendered import RenderedDocument
from gateway.pipeline import Pipeline
from tests.helpers.gateway import Workspace


def queued(root: Path, partner_id: str, partner: dict[str, Any], documents: list[RenderedDocument],
           settings: dict[str, Any] | None = None) -> tuple[Workspace, list[str]]:
    """The workspace at `root` with `partner` and each of `documents` queued for it (keyed by its number): the
    workspace and the queued messages' ids, in order."""
    ws = Workspace.create(root, settings or {}, partners={partner_id: partner})
    config = load(ws.config, environ={})
    journal = SqliteJournal(config.gateway.state_dir / "journal.sqlite3")
    try:
        pipeline = Pipeline(config, journal, Archive(config.gateway.archive_dir))
        ids = [pipeline.queue_outbound(config.partners[partner_id], doc, key=f"test:{doc.number}").id
               for doc in documents]
    finally:
        journal.close()
    return ws, ids
