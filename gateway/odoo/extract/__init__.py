"""Odoo -> outbound canonical documents: shipments, invoices, order acknowledgments and stock, each exported once.

Each `extract_*` function finds the candidates for one partner (records of its company and delivery contacts changed
in the last `lookback_days`), builds their documents with bulk reads (a fixed number of calls per run, not per
record) and returns those whose record version it could claim (`versions`). One module per document, over shared
parts:

- `versions`: record versions, their outbox keys and content digests, claimed once;
- `common`, `context`: parties, days, item codes; the per-run reads every extraction shares;
- `partner_lines`: the partner's order lines and cases beside Odoo's sale order lines;
- `ship_notices` (856 / DESADV), `invoices` (810 / INVOIC / UBL, with `invoice_prices` and `billed_deliveries`),
  `order_acks` (855 / ORDRSP), `inventory` (846 / INVRPT).
"""
