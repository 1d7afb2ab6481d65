"""Functions the EDIFACT base profiles call for what one element cannot say alone.

NAD C058 (name and address, five unstructured 3124 lines of 35) as a party's address lines: the base profiles
read a party's name from C080 and its street from C059, and fall back to C058 when those are empty (`first:`).
C058's first line is the name when C080 has none; when C080 has one, senders differ: some repeat the name on
C058's first line (`+ACME SUPPLY:RIVERSIDE 4+ACME SUPPLY INC`), others give the address only
(`+P.O.Box 2021:80803:Munich+Koenig`), so the first line is kept as an address line unless it is the name again.

PRI C509's unit price basis (5284): a price given for 100 or 1000 units (screws, labels) as the price of one; its
qualifier (5125) written back as the order gave it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from gateway.formats.edifact import number
from gateway.translate.fields import SPAN_WIDTH, join_lines
from gateway.translate.values import basis_quantity, price_of_one
from gateway.translate.x12_fields import ack_parts


def c058_address(value: Any, seg: Any) -> list[str] | None:
    """The address lines of NAD C058 (element 3): its lines after the name, cut lines joined as `join: lines`
    joins C059's. `value` is C058's first line, already read; `seg` the NAD."""
    fields = seg.fields
    lines = fields[3].split(seg.component_sep)[:5] if len(fields) > 3 else []
    name = " ".join(fields[4].split(seg.component_sep)[:5]).upper().split() if len(fields) > 4 else []
    if not name or (lines and lines[0].upper().split() == name):
        lines = lines[1:]                      # the first line is the party's name
    return join_lines(lines, SPAN_WIDTH) or None


def price_per_unit(value: Decimal, seg: Any) -> Decimal:
    """PRI C509 5118 divided by its 5284, the quantity the price is for (`PRI+AAA:125:::100:PCE` is 1.25 a
    piece); without a basis, or with 1, the price as given. A basis that is no positive number is refused."""
    fields = seg.fields
    parts = fields[1].split(seg.component_sep) if len(fields) > 1 else []
    basis = parts[4].strip() if len(parts) > 4 else ""
    if not basis:
        return value
    return price_of_one(value, basis_quantity(basis, "PRI unit price basis (5284)", number))


PRICE_QUALIFIERS = frozenset({"AAA", "AAB", "INV", "CAL"})
"""The PRI 5125 qualifiers the base profiles read (`when:`): AAA calculation net, AAB calculation gross, INV invoice
price, CAL catalogue price."""


def price_qualifier(basis: Any) -> str:
    """A line's price basis as PRI 5125, to answer a price the way the order stated it (an ORDRSP saying net what
    the partner sent gross tells it another price); nothing for another syntax's (X12 PO105 'PE'), so the node's
    own qualifier is written."""
    text = str(basis or "").strip()
    return text if text in PRICE_QUALIFIERS else ""


def invoice_order_lines(data: dict[str, Any], tx: Any = None) -> dict[str, Any]:
    """INVOIC's after_read hook: a line's RFF+ON:<PO>:<line> (C506 1156, the order's line number, as EANCOM has it)
    names the PO line it bills, as RFF+LI:<line> does (the bill's PO line check reads both alike; RFF+LI wins where
    a line gives both). The profile reads RFF+ON apart (`_order_references`), as no canonical reference keeps a
    line number: each becomes the line's order reference again, so a profile with hooks of its own calls this one.
    The header's FTX+TXD (`_tax_declarations`, see tax_declarations.py) become notes here too, so such a profile's
    hook, written before they had a node of their own, still reads an invoice that carries them."""
    declared = data.pop("_tax_declarations", None) or []
    if declared:
        data["notes"] = [*declared, *(data.get("notes") or [])]
    for line in data.get("lines") or []:
        refs = line.setdefault("references", [])
        numbers = []
        for ref in line.pop("_order_references", None) or []:
            refs.append({"qualifier": ref["qualifier"], "value": ref["value"]})
            numbers += [str(ref["line"]).strip()] if str(ref.get("line") or "").strip() else []
        if numbers and not any(r.get("qualifier") == "line_item" for r in refs):
            refs.append({"qualifier": "line_item", "value": numbers[0]})
    return data


def ordrsp_parts(data: dict[str, Any], tx: Any = None) -> dict[str, Any]:
    """The ORDRSP's after_read hook: a line with a backorder quantity (QTY+83, the profile's `_backorders`) beside
    its quantity to be delivered (QTY+113) is acknowledged in parts, as an 855's several ACKs: 4 to be delivered
    under the line's status (LIN 1229) and 6 backordered, the line acknowledging the 10 still to come. A partner
    ORDRSP profile with an after_read hook of its own calls this one."""
    for line in data.get("lines") or []:
        backorders = line.pop("_backorders", None) or []
        if not backorders:
            continue
        unit = line.get("unit") or "EA"
        now = [{"status": line.get("status") or "accepted", "quantity": line["quantity"], "unit": unit}] \
            if line.get("quantity") else []
        ack_parts(line, now + [{"status": "backordered", "quantity": b["quantity"], "unit": b.get("unit") or unit}
                               for b in backorders])
    return data
