"""The demo's closing table: per partner, what came in, what reached Odoo, what went back out.

Figures are read from the journal (read-only), the same source as the status page and
`edi-gateway messages`, so what the demo prints is what an operator would find afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from gateway.ops.queries import JournalQueries

ASN_TYPES = {"856", "DESADV", "csv-shipment", "cxml-ShipNoticeRequest"}
INVOICE_TYPES = {"810", "INVOIC", "csv-invoice", "cxml-InvoiceDetailRequest"}
INVENTORY_TYPES = {"846", "INVRPT", "csv-inventory"}
COLUMNS = ("partner", "received", "posted to Odoo", "acknowledged", "ASNs", "invoices", "inventory", "quarantined")


@dataclass(slots=True)
class PartnerSummary:
    partner: str
    received: int = 0          # files taken in (duplicates excluded)
    posted: int = 0            # sale orders in Odoo created or found from them
    acknowledged: int = 0      # 997/999/TA1/CONTRL sent
    asns: int = 0
    invoices: int = 0
    inventory: int = 0
    quarantined: int = 0

    def cells(self) -> list[str]:
        return [self.partner, str(self.received), str(self.posted), str(self.acknowledged), str(self.asns),
                str(self.invoices), str(self.inventory), str(self.quarantined)]


def collect(journal_path: Path, partners: list[str]) -> list[PartnerSummary]:
    """One row per partner (every configured one, plus any unidentified traffic)."""
    queries = JournalQueries(journal_path)
    try:
        flows = {f.partner: f for f in queries.flow()} if journal_path.is_file() else {}
        records = queries.odoo_records() if journal_path.is_file() else {}
    finally:
        queries.close()
    rows = []
    for partner in sorted(set(partners) | set(flows)):
        f = flows.get(partner)
        s = PartnerSummary(partner=partner or "(unknown sender)")
        if f is not None:
            s.received = f.received
            s.acknowledged = f.acks_sent
            s.quarantined = f.quarantined
            s.asns = sum(n for t, n in f.outbound.items() if t in ASN_TYPES)
            s.invoices = sum(n for t, n in f.outbound.items() if t in INVOICE_TYPES)
            s.inventory = sum(n for t, n in f.outbound.items() if t in INVENTORY_TYPES)
        s.posted = records.get(partner, {}).get("sale.order", 0)
        rows.append(s)
    return rows


def table(rows: list[PartnerSummary]) -> str:
    """A plain-text table with a total line, aligned for a terminal or a log file."""
    cells = [list(COLUMNS)] + [r.cells() for r in rows]
    if rows:
        totals = ["total"] + [str(sum(int(r.cells()[i]) for r in rows)) for i in range(1, len(COLUMNS))]
        cells.append(totals)
    widths = [max(len(row[i]) for row in cells) for i in range(len(COLUMNS))]

    def line(row: list[str]) -> str:
        return "  ".join(c.ljust(widths[0]) if i == 0 else c.rjust(widths[i]) for i, c in enumerate(row))

    out = [line(cells[0]), "  ".join("-" * w for w in widths)]
    out += [line(r) for r in cells[1:-1]] if rows else []
    if rows:
        out.append("  ".join("-" * w for w in widths))
        out.append(line(cells[-1]))
    return "\n".join(out)


def quarantined(journal_path: Path) -> list[tuple[str, str]]:
    """(file name, reason) of every quarantined message."""
    if not journal_path.is_file():
        return []
    queries = JournalQueries(journal_path)
    try:
        return [(r.filename, r.last_error or r.reason or "") for r in queries.quarantined()]
    finally:
        queries.close()


LEGEND = ("received: files the partner sent (not its acknowledgements); posted to Odoo: sale orders created;\n"
          "acknowledged: 997/999/CONTRL we sent back; ASNs, invoices, inventory: documents delivered to the partner\n"
          "(what waits in the outbox for a partner that is down is not counted until it is delivered).")
