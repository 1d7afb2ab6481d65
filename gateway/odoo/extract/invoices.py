"""Posted customer invoices and credit notes -> Invoice (810 / INVOIC / UBL): lines, VAT, charges, references."""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from gateway.config.models import PartnerConfig
from gateway.journal.api import Journal
from gateway.odoo.client import OdooClient
from gateway.odoo.extract.billed_deliveries import billed_deliveries
from gateway.odoo.extract.common import (
    Hold,
    hold_or_log,
    ids_and_name,
    local_day,
    log,
    order_date,
    ordered_gtins,
    party,
)
from gateway.odoo.extract.context import Context
from gateway.odoo.extract.invoice_prices import allowances_as_ordered, billed_in_cases, net_price
from gateway.odoo.extract.partner_lines import (
    CaseUnits,
    PartnerLines,
    ids_in_cases,
    line_cases,
    named_as_sent,
    order_lines_of,
    products_in,
)
from gateway.odoo.extract.versions import KIND_INVOICE, Exclude, candidates, claim, unchanged
from gateway.odoo.invoice_taxes import TaxMismatch, line_taxes, money, rate_of, read_taxes
from gateway.odoo.invoice_taxes import dec as _dec
from gateway.odoo.lookup import Cache, Names, Packaging, discount_digits, ids_of, m2o_id, m2o_name, unit_code
from gateway.odoo.sale_orders import INSTALMENTS, Terms, odoo_terms, order_payload_id
from gateway.odoo.standing_orders import Standing, for_order, standing
from gateway.odoo.tax_categories import Category, for_invoices, tax_category_fields
from gateway.translate.canonical import (
    AllowanceCharge,
    DateValue,
    Instalment,
    Invoice,
    Line,
    Reference,
    Source,
    Tax,
    Totals,
)
from gateway.translate.charges import charged_as


def extract_invoices(client: OdooClient, partner: PartnerConfig, journal: Journal,
                     cache: Cache | None = None, lookback_days: int = 30, kind: str = KIND_INVOICE,
                     claim_marks: bool = True, exclude: Exclude | None = None,
                     record_ids: list[int] | None = None, hold: Hold | None = None,
                     categories_written: bool = True) -> list[Invoice]:
    """Posted customer invoices and credit notes of the partner -> Invoice, once per version.

    Taxes are each line's taxes one by one (see invoice_taxes), adding up to Odoo's tax on the line; the
    document's taxes add those up by tax, and must come to Odoo's `amount_tax`. An invoice whose taxes cannot be
    told so is not returned but given to `hold` with the reason (without `hold`, logged): sent, the partner's
    tax lines would disagree with its total, or with the tax Odoo booked. `categories_written`: whether the
    partner's invoice profile writes a VAT category (tax_categories.writes_category), without which a line with no
    tax gets no 0 % tax of its category unless the partner's `odoo.untaxed_lines` asks for it."""
    ctx = Context(client, partner, cache)
    rows = client.search_read("account.move", [("move_type", "in", ["out_invoice", "out_refund"]),
                                               ("state", "=", "posted"),
                                               ("partner_id", "child_of", ctx.customer["id"]),
                                               candidates("write_date", lookback_days, record_ids)],
                              ["name", "move_type", "partner_id", "partner_shipping_id", "ref", "invoice_origin",
                               "invoice_date", "invoice_date_due", "currency_id", "amount_untaxed", "amount_tax",
                               "amount_total", "write_date", "company_id", "reversed_entry_id", "invoice_payment_term_id"],
                              order="id")
    rows = [r for r in rows if not exclude or not exclude("account.move", r["id"], str(r["write_date"]))]
    if not rows:
        return []
    credited = {m["id"]: m for m in client.read("account.move", ids_of(r["reversed_entry_id"] for r in rows),
                                                ["name", "ref", "reversed_entry_id"])}   # no reversal: no call
    decimals = ctx.currency_places(ids_of(r["currency_id"] for r in rows))
    globally = {c["id"] for c in client.read("res.company", ids_of(r["company_id"] for r in rows),
                                              ["tax_calculation_rounding_method"])
                if c.get("tax_calculation_rounding_method") == "round_globally"}
    lines = client.search_read("account.move.line", [("move_id", "in", [r["id"] for r in rows]),
                                                     ("display_type", "=", "product")],
                               ["move_id", "product_id", "name", "quantity", "price_unit", "discount",
                                "product_uom_id", "tax_ids", "price_subtotal", "price_total", "sale_line_ids"],
                               order="move_id, sequence, id")
    parts = _due_parts(client, rows)
    tax_ids = {t for line in lines for t in line["tax_ids"]}
    taxes = read_taxes(client, tax_ids, tax_category_fields(client) if tax_ids else ())

    groups = {c: t["name"] for t in taxes.values() if t.get("amount_type") == "group"
              for c in t.get("children_tax_ids") or []}

    def tax_type(tax: dict[str, Any]) -> str:
        """The canonical type of an Odoo tax for this partner: by its name, else by the name of the group it was
        sent for (`odoo.tax_types` may name the group the invoice line shows), else the partner's one type."""
        named = partner.odoo.tax_types
        return named.get(tax["name"]) or named.get(groups.get(tax["id"], "")) or partner.odoo.tax_type

    sale_lines = {s["id"]: s for s in client.read("sale.order.line", sorted(
        {s for line in lines for s in line["sale_line_ids"]}), ["sequence", "order_id"])}
    orders = {o["id"]: o for o in client.read("sale.order", ids_of(s["order_id"] for s in sale_lines.values()),
                                               ["name", "client_order_ref", "note", "partner_shipping_id", "date_order"])}
    deliveries = billed_deliveries(client, rows, lines, Names.of(client, ctx.cache).move_qty, ctx.cache)
    placed = {so_id: known for so_id, so in orders.items() if (known := standing(journal, so)) is not None}
    uom_field = Names.of(client, ctx.cache).sale_uom
    order_rows = order_lines_of(client, placed, uom_field)
    cases = line_cases(client, [r for found in order_rows.values() for r in found], uom_field)
    sizes = CaseUnits(client, cases)
    items = ctx.item_ids(({m2o_id(line["product_id"]) or 0 for line in lines} | products_in(order_rows)) - {0})
    contacts = ctx.partners(({m2o_id(r["partner_id"]) or 0 for r in rows} |      # no delivery address: no 0
                             {m2o_id(r["partner_shipping_id"]) or 0 for r in [*rows, *orders.values()]} |
                             {ctx.customer["id"]}) - {0})
    company = ctx.company()
    categories = for_invoices(client, partner, company, contacts.get(ctx.customer["id"]), categories_written)
    by_move: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for line in lines:
        by_move[m2o_id(line["move_id"]) or 0].append(line)
    docs = []
    for move in rows:
        doc_lines = []
        reverses = credited.get(m2o_id(move["reversed_entry_id"]) or 0)     # the invoice a credit note reverses
        po_number = _order_number(move, reverses)
        tax_totals: dict[int, Decimal] = defaultdict(Decimal)
        tax_bases: dict[int, Decimal] = defaultdict(Decimal)      # the lines' amounts each tax is on
        untaxed_bases: dict[Category, Decimal] = defaultdict(Decimal)     # lines without a tax, by category
        shared: set[frozenset[int]] = set()             # the taxes one line carries together: never one summary
        places = decimals.get(m2o_id(move["currency_id"]) or 0, 2)     # KWD's 3, not cents
        problems: list[str] = []
        payload_id = None                                          # the cXML order's, when it came so
        ship_to = party("ship_to", contacts.get(m2o_id(move["partner_shipping_id"]) or 0), ctx.gln_field)
        ordered: dict[int, PartnerLines] = {}                     # sale order -> the partner's lines
        sent_as: list[Line | None] = []                            # each line's partner line, when it ordered it
        by_case: list[bool] = []                                   # ... when that line named its case's GTIN
        charged: list[AllowanceCharge] = []                        # lines on odoo.charge_products: SAC / ALC
        for index, line in enumerate(by_move[move["id"]], 1):
            sale = sale_lines.get(line["sale_line_ids"][0]) if line["sale_line_ids"] else None
            if sale and not po_number:
                po_number = orders.get(m2o_id(sale["order_id"]) or 0, {}).get("client_order_ref") or None
            if sale and not payload_id:
                payload_id = order_payload_id(orders.get(m2o_id(sale["order_id"]) or 0, {}).get("note"))
            ids, name = ids_and_name(items.get(m2o_id(line["product_id"]) or 0, {}))
            subtotal = _dec(line["price_subtotal"])
            line_no = str(sale["sequence"]) if sale else str(index)       # IT101: the partner's own, as its PO1
            as_sent: Line | None = None                                   # the partner's line, when it ordered it
            case: Packaging | None = None
            unit: str | None = None                                       # a packaging unit has no code (19)
            billed = line                                                 # its quantity and price as sent
            if sale:
                so_id = m2o_id(sale["order_id"]) or 0
                if so_id not in ordered:         # a PO split by store: the share of the order's own place (the
                    place = m2o_id(orders.get(so_id, {}).get("partner_shipping_id")) or 0     # invoice of several
                    delivered = party("ship_to", contacts.get(place), ctx.gln_field)      # orders has the first's)
                    ordered[so_id] = PartnerLines(for_order(placed.get(so_id), partner, delivered or ship_to),
                                                   order_rows.get(so_id, []), items, partner, cases, ctx.named_cases)
                as_sent = ordered[so_id].of_row({**sale, "product_id": line["product_id"]})
                case = ordered[so_id].case_of(as_sent)
                number, ids = named_as_sent(line_no, ids, as_sent)
                line_no = number or line_no
                if as_sent is not None and case is not None and case.unit is not None and \
                        m2o_id(line.get("product_uom_id")) == case.unit:          # 19: billed in the case itself
                    size = sizes.of(case.unit) if _dec(line["quantity"]) % 1 else None
                    if size is not None:                  # 9.5 cases: 228 Units at the price of one, to six
                        unit, billed = unit_code(partner, size[1]), {      # places as 16-18 keep it (25.00 / 24
                            **line, "quantity": _dec(_dec(line["quantity"]) * size[0]),  # is no 28-digit IT104)
                            "price_unit": _dec((_dec(line["price_unit"]) / size[0]).quantize(
                                Decimal("0.000001"), rounding=ROUND_HALF_UP))}
                    else:
                        unit, ids = as_sent.unit, ids_in_cases(ids, as_sent)
            unit = unit or unit_code(partner, m2o_name(line.get("product_uom_id")))
            try:
                found = line_taxes(taxes, line, subtotal, f"line {line_no} ({line.get('name') or name})",
                                   m2o_id(move["company_id"]) in globally, client.version[0], places)
            except TaxMismatch as exc:
                problems.append(str(exc))
                found = []
            for tax, amount in found:
                tax_totals[tax["id"]] += amount
                tax_bases[tax["id"]] += subtotal
            shared |= {frozenset((a["id"], b["id"])) for a, _ in found for b, _ in found if a["id"] != b["id"]}
            if (untaxed := categories.untaxed(line)) is not None:
                untaxed_bases[untaxed] += subtotal
            own_taxes = categories.line_taxes([Tax(type=tax_type(tax), amount=money(amount, places),
                                                   taxable_amount=subtotal, rate=rate_of(tax)) for tax, amount in found],
                                              [tax for tax, _ in found], line, subtotal)
            code, is_charge = charged_as(ids.get("vendor"), partner.odoo.charge_products)
            if is_charge:          # the partner's own allowance/charge, posted as an order line: no item it ordered
                kind = "allowance" if subtotal < 0 else "charge"
                known = placed.get(m2o_id(sale["order_id"]) or 0) if sale else None
                charged.append(AllowanceCharge(kind=kind, code=code or _code_ordered(known, line.get("name"), kind),
                                               description=line.get("name") or name or None, amount=abs(subtotal),
                                               taxes=own_taxes))       # its VAT category (UBL, INVOIC ALC)
                continue
            sent_as.append(as_sent)
            by_case.append(case is not None and case.unit is None)
            doc_lines.append(Line(line_no=line_no, item_ids=ids, description=line.get("name") or name,
                                  quantity=_dec(billed["quantity"]), unit=unit,
                                  unit_price=net_price(billed, places), amount=subtotal,     # the basis its order said:
                                  price_basis=as_sent.price_basis if as_sent else None,        # IT105, 855 PO105
                                  allowances_charges=allowances_as_ordered(
                                      billed, as_sent, partner, lambda: discount_digits(client, ctx.cache)),
                                  taxes=own_taxes))
        if not doc_lines:
            continue
        first = next(iter(ordered), 0)             # BIG03, DTM+171: the date of the order billed, as the PO said
        po_date = order_date(placed.get(first), local_day(orders.get(first, {}).get("date_order"), ctx.zone()))
        term = m2o_id(move.get("invoice_payment_term_id"))      # ITD03/05/07: the terms the retailer checks
        agreed = odoo_terms(client, ctx.cache, term) if term else None
        instalments = _instalments(parts.get(move["id"], []), _dec(move["amount_total"]), places) if agreed else None
        terms_type, terms_basis = _terms_kind(placed.get(first), agreed, bool(instalments))
        doc_lines = billed_in_cases(doc_lines, sent_as, partner, by_case, places)
        tax_totals = {t: money(a, places) for t, a in tax_totals.items()}    # Odoo's tax lines: one per tax
        if not problems and sum(tax_totals.values(), Decimal(0)) != _dec(move["amount_tax"]):
            problems.append(f"its taxes add up to {sum(tax_totals.values(), Decimal(0))}, Odoo's tax total is "
                            f"{_dec(move['amount_tax'])}")
        parties = [p for p in (party("bill_to", contacts.get(m2o_id(move["partner_id"]) or 0), ctx.gln_field),
                               ship_to,
                               party("buyer", contacts.get(ctx.customer["id"]), ctx.gln_field),
                               party("seller", company, ctx.gln_field)) if p is not None]
        refs = [Reference(qualifier="customer_order", value=po_number)] if po_number else []
        if move.get("invoice_origin"):
            refs.append(Reference(qualifier="vendor_order", value=move["invoice_origin"]))
        if reverses:                                               # REF*IV / RFF+IV: the invoice it credits
            refs.append(Reference(qualifier="invoice", value=reverses["name"]))
        picks = deliveries.get(move["id"], [])
        refs += [Reference(qualifier="delivery_note", value=str(p["name"])) for p in picks]      # RFF+DQ, REF*PK
        delivery_day = local_day(picks[-1]["date_done"], ctx.zone()) if picks else None         # DTM+35
        docs.append(Invoice(
            number=move["name"], date=move.get("invoice_date") or None, currency=m2o_name(move.get("currency_id")),
            invoice_type="credit_note" if move["move_type"] == "out_refund" else "invoice", po_number=po_number,
            po_date=po_date, terms=agreed.name if agreed else None, terms_type=terms_type, terms_basis=terms_basis,
            instalments=instalments,
            dates=[DateValue(qualifier="delivered", date=delivery_day)] if delivery_day else [],
            ship_date=delivery_day,            # 810 DTM*011: the day it left (Odoo's date_done of the delivery)
            terms_net_days=agreed.net_days if agreed else None,
            terms_discount_percent=_dec(agreed.discount_percent) if agreed and agreed.discount_percent else None,
            terms_discount_days=agreed.discount_days if agreed and agreed.discount_percent else None,
            due_date=move.get("invoice_date_due") or None, lines=doc_lines, allowances_charges=charged,
            parties=parties, references=refs,
            taxes=categories.summary([Tax(type=tax_type(taxes[t]), amount=a, taxable_amount=tax_bases[t],
                                          rate=rate_of(taxes[t])) for t, a in tax_totals.items()],
                                     [taxes[t] for t in tax_totals], untaxed_bases, shared),
            totals=Totals(line_count=len(doc_lines), lines_amount=sum((line.amount or Decimal(0) for line in doc_lines),
                                                                      Decimal(0)),
                          tax_amount=_dec(move["amount_tax"]), total_amount=_dec(move["amount_total"])),
            source=Source(partner=partner.id, odoo_record=f"account.move,{move['id']}",
                          odoo_write_date=str(move["write_date"]), day_zone=str(ctx.zone()),
                          order_payload_id=payload_id, ordered_gtins=ordered_gtins(*map(placed.get, ordered)))))
        if problems:
            hold_or_log(hold, partner, docs.pop(), f"invoice {move['name']}: {'; '.join(problems)}: its tax lines would "
                  "disagree with Odoo's; send it by hand, or change the taxes in Odoo (a new version is read again)")
    docs = unchanged(client, "account.move", docs)
    docs = claim(journal, partner, docs, kind) if claim_marks else docs
    log.info("partner %s: %d invoice(s) to send", partner.id, len(docs))
    return docs


def _code_ordered(known: Standing | None, name: str | None, kind: str) -> str | None:
    """The code of the PO's own allowance/charge that a line on a product `odoo.charge_products` maps by its kind
    alone (`allowance: SVC-ALLOW`) stands for: the one the line is named after, else the PO's only one of that kind
    with a code (its own or a line's). Without it an X12 SAC has no SAC02 and the invoice is held. Posting names the
    line by the description, else the code's word ('fuel_surcharge': most SACs have no SAC15), and a PO line's own
    with ' (line 2)' after it (sale_orders._charge)."""
    order = known.order if known else None
    said = [*order.allowances_charges, *(ac for line in order.lines for ac in line.allowances_charges)] if order else []
    coded = [ac for ac in said if ac.kind == kind and ac.code]
    labels = [(ac, ac.description or ac.code) for ac in coded]
    named = [ac for ac, label in labels if name and (name == label or name.startswith(f"{label} (line "))]
    found = named or (coded if len(coded) == 1 else [])
    return found[0].code if found else None


def _due_parts(client: OdooClient, rows: list[dict[str, Any]]) -> dict[int, list[dict[str, Any]]]:
    """Each invoice's receivable lines (`display_type` payment_term, 16-19), by due date: the parts its payment
    term makes it due in, with the dates and amounts Odoo dunned for (month-end rules applied). One call."""
    found = client.search_read("account.move.line", [("move_id", "in", [r["id"] for r in rows]),
                                                     ("display_type", "=", "payment_term")],
                               ["move_id", "date_maturity", "amount_currency"], order="date_maturity, id")
    by_move: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for line in found:
        by_move[m2o_id(line["move_id"]) or 0].append(line)
    return by_move


def _instalments(lines: list[dict[str, Any]], total: Decimal, places: int) -> list[Instalment] | None:
    """The parts an invoice is due in (X12 ITD*04 each: its due date, amount and percent of the total, to two
    places); None for an invoice due at once."""
    if len(lines) < 2 or not total:
        return None
    amounts = [money(abs(_dec(line["amount_currency"])), places) for line in lines]
    return [Instalment(due_date=str(line["date_maturity"]), amount=amount,
                       percent=_dec((amount * 100 / abs(total)).quantize(Decimal("0.01"))))
            for line, amount in zip(lines, amounts, strict=True)]


def _terms_kind(known: Standing | None, agreed: Terms | None, in_parts: bool) -> tuple[str | None, str | None]:
    """The kind of terms an invoice states (X12 ITD01, ITD02): deferred or instalment (04) for an invoice Odoo made
    due in parts (each part then stated); else the PO's own when it stated them, since the retailer matches the
    invoice's terms to its PO's and takes an 810 saying basic (01) to an end-of-month (02) PO as a mismatch, a
    deduction; else end of month when Odoo's term counts from a month's end, else none (basic, from the invoice
    date). An invoice without terms (a credit note from Odoo's Reverse) states no kind. A PO's 04 on an invoice due
    at once is not stated: X12 wants the parts with it (ITD10/ITD11), so it says basic with its due date."""
    if agreed is None:
        return None, None
    order = known.order if known else None
    if in_parts:
        return INSTALMENTS, order.terms_basis if order else None
    stated = order.terms_type if order and order.terms_type != INSTALMENTS else None
    return stated or ("end_of_month" if agreed.end_of_month else None), order.terms_basis if order else None


def _order_number(move: dict[str, Any], reverses: dict[str, Any] | None) -> str | None:
    """The partner's order an invoice states (BIG04, RFF+ON): its Reference (`ref`, the sale order's Customer
    Reference); None to take it from its sale order lines. A credit note made with Odoo's Reverse button has the
    `ref` 'Reversal of: INV/2026/00001, <reason>' (in the customer's language from 18), no order number: it states
    the order of the invoice it credits (`reverses`), as the retailer matches the credit to its PO. A Reference a
    person wrote on it instead (without the invoice's number) is kept. A move that reverses a reversal (a credit
    note taken back) has its sale order lines' order: the `ref` of what it reverses is 'Reversal of: ...' too."""
    ref = move.get("ref") or None
    if reverses and (ref is None or str(reverses["name"]) in ref):
        return None if reverses.get("reversed_entry_id") else reverses.get("ref") or None
    return ref
