"""Which incoming receipt of a purchase order a vendor's ship notice goes to, and when none may take it.

A ship notice replaces the move lines of one open receipt, so the same notice repeated never adds goods.
What must not happen is a notice for goods already received landing on the backorder Odoo left open
after the receipt was validated: a replacement (X12 BSN01 `05`, EDIFACT BGM `5`) of a validated notice,
or the same shipment sent again under a new notice number (its SSCC or tracking number already on a
validated receipt). Those are held for a person, naming the validated receipt, and nothing is written.
"""

from __future__ import annotations

from typing import Any

from gateway.errors import OdooRejected
from gateway.odoo.client import OdooClient
from gateway.odoo.records import html_notes
from gateway.translate.canonical import Pack, ShipNotice, ShipOrder

MARKER = "EDI ship notice"


def notice_marker(doc: ShipNotice) -> str:
    """The note paragraph a receipt gets from this notice; a replacement's differs from its original's, so
    a retry of the replacement is told from a replacement arriving after its original was validated."""
    return f"{MARKER} {doc.number} (replacement)" if doc.purpose == "replace" else f"{MARKER} {doc.number}"


def noted(picking: dict[str, Any], paragraph: str) -> bool:
    """Whether the receipt's note has this paragraph whole (ASN A1 is not ASN A10)."""
    return html_notes([paragraph]) in (picking.get("note") or "")


def receipt_for(client: OdooClient, doc: ShipNotice, order: ShipOrder, pickings: list[dict[str, Any]],
                olabel: str) -> dict[str, Any]:
    """The open receipt this notice goes to, or its validated receipt when it was applied and validated
    already (a retry: nothing to redo). Raises OdooRejected, nothing written, when it would receive goods
    twice."""
    original = f"{MARKER} {doc.number}"
    own = [p for p in pickings if noted(p, notice_marker(doc)) or doc.purpose != "replace" and
           noted(p, f"{original} (replacement)")]
    finished = [p for p in own if p["state"] == "done"]
    if finished:
        return finished[0]
    done = [p for p in pickings if p["state"] == "done"]
    open_ = [p for p in pickings if p["state"] != "done"]
    if not own and doc.purpose == "replace":
        replaced = [p for p in done if noted(p, original)]
        if replaced:
            raise _held(olabel, replaced[0], f"replaces ship notice {doc.number}, whose receipt")
        by_notice = [p for p in open_ if noted(p, original)] or [p for p in open_ if MARKER in (p.get("note") or "")]
        if by_notice:                # it replaces the notice an open receipt has: that receipt takes it
            return by_notice[0]
        earlier = [p for p in done if MARKER in (p.get("note") or "")]
        if earlier:
            raise _held(olabel, earlier[0], "is a replacement, and no open receipt has a ship notice to replace; "
                                            "it most likely replaces the one whose receipt")
    if not own and done:
        _check_not_received(client, doc, order, done, olabel)
    candidates = [p for p in own if p["state"] != "done"] or open_
    if not candidates:
        raise OdooRejected(f"{olabel}: the purchase order has no open receipt in Odoo (is it confirmed, or "
                           f"already received?)")
    return candidates[0]


def _check_not_received(client: OdooClient, doc: ShipNotice, order: ShipOrder, done: list[dict[str, Any]],
                        olabel: str) -> None:
    """A notice new to this PO whose packages (SSCC) or tracking number are on a validated receipt of it is
    the same shipment under a new number: held. One call, only for POs with a validated receipt."""
    trackings = {t for t in [doc.tracking_number, *(p.tracking_number for p in _packs(order.packs))] if t}
    for picking in done:
        tracked = {picking.get("carrier_tracking_ref") or ""} | {
            t for t in trackings if noted(picking, f"tracking {t}")}
        again = sorted(trackings & tracked)
        if again:
            raise _held(olabel, picking, f"has tracking number {again[0]}, already received: receipt")
    ssccs = sorted({p.sscc for p in _packs(order.packs) if p.sscc})
    if not ssccs:
        return
    lines = client.search_read("stock.move.line", [("picking_id", "in", [p["id"] for p in done]),
                                                   ("result_package_id.name", "in", ssccs)],
                               ["picking_id", "result_package_id"], limit=1)
    if lines:
        picking = next(p for p in done if p["id"] == lines[0]["picking_id"][0])
        raise _held(olabel, picking, f"has package {lines[0]['result_package_id'][1]} (SSCC), already "
                                     f"received: receipt")


def _packs(packs: list[Pack]) -> list[Pack]:
    """Every pack of a pack tree (tares and the packs in them)."""
    return [q for p in packs for q in [p, *_packs(p.packs)]]


def _held(olabel: str, picking: dict[str, Any], why: str) -> OdooRejected:
    notices = sorted({line.split("</p>")[0] for line in (picking.get("note") or "").split("<p>")
                      if line.startswith(MARKER)})
    by = f" (from {', '.join(notices)})" if notices else ""
    when = f" on {picking['date_done']}" if picking.get("date_done") else ""
    return OdooRejected(f"{olabel}: the notice {why} {picking['name']}{by} was validated{when}; nothing was "
                        f"written, so nothing is received twice: compare the notice with that receipt and correct "
                        f"it in Odoo if they differ (a return, or a receipt for what is missing)")
