"""An EDIFACT INVOIC's FTX+TXD (4451 tax declaration): why a VAT summary charges no tax, in words.

An EU invoice that charges no VAT must say why (VAT Directive art. 226 (11): 'Intra-Community supply', 'Export
outside the EU'); EN 16931 keeps it in the VAT breakdown (BT-120, BT-121), for which a D96A/D01B INVOIC's SG50 has
no place (TAX C533 5289 is an..6: no VATEX code). EANCOM's place is a header FTX+TXD, one per reason. Read, an
FTX+TXD is one of the invoice's notes, as every header FTX but the terms was before it had a node of its own
(`edifact_fields.invoice_order_lines`, the base's after_read hook, makes them so)."""

from __future__ import annotations

from typing import Any


def invoic_out(data: dict[str, Any]) -> dict[str, Any]:
    """INVOIC's before_write hook: the summaries' exemption words (else their VATEX code), each once."""
    said = [t.get("exemption_text") or t.get("exemption_reason") for t in data.get("taxes") or []]
    data["_tax_declarations"] = list(dict.fromkeys(s for s in said if s))
    return data
