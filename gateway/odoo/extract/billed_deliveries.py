"""The deliveries each invoice bills (RFF+DQ, REF*PK; the delivery day DTM+35), by quantity, kits included."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from gateway.odoo.client import OdooClient
from gateway.odoo.extract.common import done_order
from gateway.odoo.invoice_taxes import dec as _dec
from gateway.odoo.lookup import Cache, Names, ids_of, m2o_id
from gateway.odoo.receipts import units_per
from gateway.odoo.stock_kits import kits_shipped


def billed_deliveries(client: OdooClient, rows: list[dict[str, Any]], own: list[dict[str, Any]], move_qty: str,
                       cache: Cache) -> dict[int, list[dict[str, Any]]]:
    """Each customer invoice's deliveries, in the order they were done: an invoice names them as its delivery notes
    (RFF+DQ, the DESADV's BGM number; REF*PK) and the last one's day as the delivery date (DTM+35), which an EU
    invoice must state and EANCOM retailers match the invoice to its despatch advices by. Only the deliveries its
    quantities bill (`_billed_by`): naming every delivery of the order, the second invoice of an order delivered
    and invoiced in two parts named the first delivery again, which such a retailer refuses as invoiced already.
    `own`: the run's invoice lines."""
    invoices = {r["id"] for r in rows if r["move_type"] == "out_invoice"}
    sale_lines = sorted({s for line in own if m2o_id(line["move_id"]) in invoices for s in line["sale_line_ids"]})
    if not sale_lines:
        return {}
    kit_part = [f for f in ("bom_line_id",) if f in client.fields("stock.move")]     # mrp: a kit's component
    moves = client.search_read("stock.move", [("sale_line_id", "in", sale_lines), ("state", "=", "done")],
                               ["sale_line_id", "picking_id", "product_id", move_qty, "product_uom", *kit_part])
    picks = {p["id"]: p for p in client.read("stock.picking", ids_of(m["picking_id"] for m in moves),
                                             ["name", "state", "date_done", "picking_type_code"])
             if p["state"] == "done" and p.get("picking_type_code") == "outgoing"}
    moves = [*[m for m in moves if not m.get("bom_line_id")],
             *_kit_moves(client, [m for m in moves if (m2o_id(m["picking_id"]) or 0) in picks], move_qty, cache)]
    lines = client.search_read("account.move.line", [("sale_line_ids", "in", sale_lines),
                                                     ("display_type", "=", "product")],
                               ["move_id", "product_id", "quantity", "product_uom_id", "sale_line_ids"])
    kinds = {m["id"]: m for m in client.read("account.move", ids_of(x["move_id"] for x in lines),
                                             ["move_type", "state"])}
    shipped: dict[int, list[dict[str, Any]]] = defaultdict(list)           # sale line -> its delivered moves
    for m in sorted((m for m in moves if (m2o_id(m["picking_id"]) or 0) in picks),
                    key=lambda m: (done_order(picks[m2o_id(m["picking_id"]) or 0]), m["id"])):
        shipped[m2o_id(m["sale_line_id"]) or 0].append(m)
    of_line: dict[int, list[dict[str, Any]]] = defaultdict(list)            # sale line -> its invoice lines
    of_invoice: dict[int, set[int]] = defaultdict(set)                      # invoice -> the sale lines it bills
    for x in lines:
        for s in x["sale_line_ids"]:
            of_line[s].append(x)
            of_invoice[m2o_id(x["move_id"]) or 0].add(s)
    out: dict[int, list[dict[str, Any]]] = {}
    for invoice in sorted(invoices):
        found: set[int] = set()
        for sale_line in of_invoice[invoice]:
            found |= _billed_by(client, invoice, shipped.get(sale_line, []), move_qty, of_line[sale_line], kinds, cache)
        out[invoice] = sorted((picks[p] for p in found if p in picks), key=done_order)
    return out


def _kit_moves(client: OdooClient, moves: list[dict[str, Any]], move_qty: str, cache: Cache) -> list[dict[str, Any]]:
    """A kit line's done deliveries as moves of the kit itself, each of the whole kits it completed (the ship notices'
    count, `stock_kits.kits_shipped`), so that `_billed_by` finds the deliveries an invoice of kits bills as it does
    for any item: a kit ships as its components, whose quantities are no kits. A delivery completing none (parts
    only, its ship notice held) is billed by the one that completes its kits."""
    kits = kits_shipped(client, moves, move_qty, cache)             # counted in the sale line's unit
    unit = Names.of(client, cache).sale_uom
    sold = {r["id"]: r for r in client.read("sale.order.line", sorted({line for _, line in kits}),
                                            ["product_id", unit])}
    return [{"id": pick, "sale_line_id": [line, ""], "picking_id": [pick, ""], "product_id": sold[line]["product_id"],
             move_qty: count, "product_uom": sold[line][unit]} for (pick, line), count in kits.items() if line in sold]


def _billed_by(client: OdooClient, invoice: int, done: list[dict[str, Any]], move_qty: str,
               billed: list[dict[str, Any]], kinds: dict[int, dict[str, Any]], cache: Cache) -> set[int]:
    """The deliveries of one sale line that `invoice` bills: of its delivered moves `done` (in the order they were
    done), those whose quantities fall after what the line's earlier posted invoices billed, less their credit notes
    as Odoo's qty_invoiced takes them off (`billed`: the line's invoice lines), and within what this one bills (a
    kit's as the kits each completed, `_kit_moves`). All of them when the moves are another product's."""
    if not done or any(m2o_id(m["product_id"]) != m2o_id(billed[0]["product_id"]) for m in done):
        return {m2o_id(m["picking_id"]) or 0 for m in done}
    unit = m2o_id(done[0]["product_uom"]) or 0

    def qty(line: dict[str, Any]) -> Decimal:            # in the moves' unit (Odoo makes them in the line's)
        billed_in = m2o_id(line["product_uom_id"]) or unit
        per = units_per(client, billed_in, unit, cache) if billed_in != unit else None
        return _dec(line["quantity"]) * (_dec(per) if per else 1)

    def move_of(line: dict[str, Any]) -> dict[str, Any]:
        return kinds.get(m2o_id(line["move_id"]) or 0, {})

    before = sum((qty(x) * (-1 if move_of(x).get("move_type") == "out_refund" else 1) for x in billed
                  if (m2o_id(x["move_id"]) or 0) < invoice and move_of(x).get("state") == "posted"), Decimal(0))
    end = before + sum((qty(x) for x in billed if m2o_id(x["move_id"]) == invoice), Decimal(0))
    found, start = set(), Decimal(0)
    for m in done:                               # the moves whose quantities fall in (before, end]
        stop = start + _dec(m[move_qty])
        if min(stop, end) > max(start, before):
            found.add(m2o_id(m["picking_id"]) or 0)
        start = stop
    return found
