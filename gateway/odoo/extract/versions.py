"""Which Odoo record versions go out, once each: their outbox keys, their content's digest, the claim.

A record changed later (new write_date) is a new version and is exported again: a corrected invoice re-sent, say.
The outbox key (`outbox_key`) is the same record version, so a re-run after a crash never queues a document twice.
Each `extract_*` takes the versions it could claim with `journal.export_mark(partner, model, id, write_date, kind)`
(`claim`); the scheduler passes `claim_marks=False` and marks after queuing instead, so a crash between the two
cannot lose a document (see scheduler.py).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from gateway.config.models import PartnerConfig
from gateway.journal.api import Journal
from gateway.odoo.client import OdooClient
from gateway.odoo.extract.common import log
from gateway.translate.canonical import Document, to_json

# (model, record id, write_date) -> True when that record version needs no document (already queued)
Exclude = Callable[[str, int, str], bool]


KIND_SHIP = "ship_notice"


KIND_INVOICE = "invoice"


KIND_INVENTORY = "inventory"


KIND_ORDER_ACK = "order_ack"


def record_key(model: str, record_id: int | str, write_date: str, doc_type: str) -> str:
    """The outbox's idempotency key of an Odoo record version rendered as one document type."""
    return f"odoo:{model},{record_id}@{write_date}:{doc_type}"


def outbox_key(doc: Document, doc_type: str) -> str:
    """`record_key` of an extracted document."""
    model, _, rid = (doc.source.odoo_record or ",").partition(",")
    return record_key(model, rid, str(doc.source.odoo_write_date), doc_type)


CONTENT_VERSION = 4
"""The version of what `content_digest` digests, kept beside each digest (meta `content_version`): a digest of
another version says nothing about a change, so the scheduler notes the current one as the record's baseline instead
of holding an invoice or replacing an ASN. Bump it whenever the canonical Invoice or ShipNotice changes (a field
added, renamed or filled otherwise): tests/odoo/test_upgrade17_content_version.py records a hash of their fields'
names and types beside it and fails until both are bumped; a field filled otherwise it cannot see (bump by hand).
1 (or none kept): every release before the BIG03/ITD/VAT/RFF+DQ fields; 2: before the invoice's terms kind (ITD01/02,
`terms_type`, `terms_basis`); 3: before its `instalments`."""


def content_digest(doc: Document) -> str:
    """What a document says, without the record version it was read at: two versions of an Odoo record whose
    documents have the same digest are the same document to the partner (Odoo writes a posted invoice again
    when it is sent or paid, a done transfer when it is printed: a new write_date, nothing new to tell). The day
    zone and the cXML order's payloadID are left out too: the days and the order number say them, and a digest
    from before they were kept stays the same (an invoice sent again is a duplicate to the buyer)."""
    same = doc.model_copy(update={"source": doc.source.model_copy(update={"odoo_write_date": None,
                                                                           "day_zone": None,
                                                                           "order_payload_id": None})})
    return hashlib.sha256(to_json(same, indent=None).encode()).hexdigest()


def unchanged(client: OdooClient, model: str, docs: list[Any], field: str = "write_date") -> list[Any]:
    """The documents whose record is still the version they were built from. A record written while its document
    was read (an invoice reset to draft and edited between the search and the lines) would go out with what the
    newer version says under the older version's key: it is left for the next run, which builds the new version.
    One call per run."""
    if not docs:
        return docs
    ids = [int((d.source.odoo_record or ",0").partition(",")[2]) for d in docs]
    now = {r["id"]: str(r[field]) for r in client.search_read(model, [("id", "in", ids)], [field])}
    kept = []
    for doc, rid in zip(docs, ids, strict=True):
        if now.get(rid) == doc.source.odoo_write_date:
            kept.append(doc)
        else:
            log.info("%s was changed in Odoo while its document was built: left for the next run",
                     doc.source.odoo_record)
    return kept


def _since(days: int) -> str:
    return (datetime.now(UTC) - timedelta(days=days)).strftime("%Y-%m-%d %H:%M:%S")


def candidates(field: str, lookback_days: int, record_ids: list[int] | None) -> tuple[str, str, Any]:
    """The search clause choosing the records to look at: changed (`field`) within the window, or the records
    `record_ids` whatever their age (the scheduler's held ones, tried again until they are sent or settled)."""
    return ("id", "in", record_ids) if record_ids is not None else (field, ">=", _since(lookback_days))


def claim(journal: Journal, partner: PartnerConfig, docs: list[Any], kind: str) -> list[Any]:
    """The documents whose Odoo record version was not exported before, now marked as exported.

    Marks are taken after the documents were built, so an Odoo outage in the middle of a run
    leaves every record unmarked for the next run.
    """
    out = []
    for doc in docs:
        model, _, rid = (doc.source.odoo_record or ",0").partition(",")
        if journal.export_mark(partner.id, model, int(rid), str(doc.source.odoo_write_date), kind):
            out.append(doc)
    return out
