"""What every extraction's documents are made of: parties, local days, item codes, the orders' dates and GTINs,
and the hold of a document that cannot go out as Odoo has it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, tzinfo
from typing import Any

from gateway.config.models import PartnerConfig
from gateway.odoo.lookup import BARCODE_KINDS, m2o_id, m2o_name
from gateway.odoo.standing_orders import Standing
from gateway.translate.canonical import Address, Document, Party

log = logging.getLogger("gateway.odoo.extraction")    # every part of extraction logs under the name it always had


# (document, reason): a document that cannot go out as Odoo has it, kept for a person (Pipeline.hold_outbound)
Hold = Callable[[Document, str], None]


def order_date(known: Standing | None, odoo_day: str | None) -> str | None:
    """The date of the partner's order (DESADV DTM+171, 856 PRF04): as its order said, when the journal has it;
    Odoo's date_order is the day the order was confirmed (Odoo sets it so), not the day the partner ordered."""
    return known.order.date if known is not None and known.order.date else odoo_day


def ordered_gtins(*found: Standing | None) -> list[str] | None:
    """The GTINs/UPCs/EANs the partner's orders named their lines by, as it sent them (Source.ordered_gtins): a
    document answering them echoes each as sent, and render notes a wrong check digit there instead of holding it."""
    numbers = {value for each in found if each is not None for _, line in each.lines
               for kind, value in line.item_ids.items() if kind in BARCODE_KINDS and value.strip().isdecimal()}
    return sorted(numbers) or None


def local_day(value: Any, zone: tzinfo) -> str | None:
    """The calendar day (YYYY-MM-DD) in `zone` of an Odoo datetime ("YYYY-MM-DD HH:MM[:SS]", stored in UTC);
    a date, or a value that is not a datetime, is its own first ten characters; empty is None."""
    text = str(value or "")
    if len(text) > 10:
        try:
            moment = datetime.fromisoformat(text).replace(tzinfo=UTC)
        except ValueError:
            return text[:10]
        return moment.astimezone(zone).date().isoformat()
    return text or None


def party(role: str, row: dict[str, Any] | None, gln_field: str) -> Party | None:
    """A contact read by `Context.partners` as a document's party: its GLN, its reference (a store's number on a
    ship-to contact), its VAT number and address with the state's and country's codes; None for no contact."""
    if not row:
        return None
    ids = {}
    if row.get(gln_field):
        ids["gln"] = str(row[gln_field])
    if row.get("ref"):
        ids["store" if role == "ship_to" and row.get("parent_id") else "partner_ref"] = str(row["ref"])
    if row.get("vat"):                 # its Tax ID: an EU invoice states the supplier's and buyer's (NAD RFF+VA)
        ids["vat"] = str(row["vat"])
    address = Address(lines=[x for x in (row.get("street"), row.get("street2")) if x], city=row.get("city") or None,
                      state=(m2o_id(row.get("state_id")) and row.get("state_code")) or None,
                      postal_code=row.get("zip") or None,
                      country=(m2o_name(row.get("country_id")) and row.get("country_code")) or None)
    return Party(role=role, name=row.get("name") or None, ids=ids, address=address)


def ids_and_name(ids: dict[str, str]) -> tuple[dict[str, str], str]:
    """A product's identifiers (`Context.item_ids`) without the name kept beside them (`_name`), and that name."""
    clean = {k: v for k, v in ids.items() if not k.startswith("_")}
    return clean, ids.get("_name", "")


def hold_or_log(hold: Hold | None, partner: PartnerConfig, doc: Document, reason: str) -> None:
    """A document that cannot go out as Odoo has it: to `hold` (the scheduler's quarantine), else logged."""
    if hold is not None:
        hold(doc, reason)
    else:
        log.error("partner %s: %s", partner.id, reason)


def done_order(pick: dict[str, Any]) -> tuple[str, int]:
    """Deliveries in the order they were done (then made)."""
    return str(pick.get("date_done") or ""), pick["id"]
