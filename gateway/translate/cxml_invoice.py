"""The cXML InvoiceDetailRequest profile's hooks: its summary as the cXML 1.2 DTD requires it, its orders.

The DTD's InvoiceDetailSummary has one SubtotalAmount and one Tax (both required, each with its Money), at
most one ShippingAmount, SpecialHandlingAmount and InvoiceDetailDiscount (each a Money, which the discount
needs even when it also gives its percentageRate), and names every other Modification (ModificationDetail/
@name is required). A canonical invoice need not say it that way: an 810 may give a discount as a percent
only, two freight charges, an allowance with a description and no code, no tax at all. The cXML profile
names `before_write` as its hook; it fills in what the file needs from what the invoice says.

An invoice lists its lines per order (InvoiceDetailOrder), as a consolidated 810 names each line's PO: the
hooks turn the orders into the canonical lines and back (`orders_of`, `from_orders`). Read, an InvoiceDetailRequest
that is no bill to make is refused saying why (`not_to_bill`).
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from gateway.errors import TranslationError
from gateway.translate.canonical import Tax
from gateway.translate.cxml_dates import zoned_days
from gateway.translate.invoice_amounts import HUNDRED, cents, lines_amount
from gateway.translate.values import basis_quantity, price_of_one

NET_DAYS = re.compile(r"\bNET\s*(\d+)\b", re.IGNORECASE)
EARLY_PAY = re.compile(r"(?P<percent>\d+(?:\.\d+)?)\s*(?:%\s*|/\s*)(?P<days>\d+)\b")   # 2% 30, 2/10
# the summary's places for one allowance or charge each: ShippingAmount, SpecialHandlingAmount, InvoiceDetailDiscount
UNTYPED_TAX = Tax.model_fields["type"].default        # what a canonical tax is when nothing says otherwise
SINGLE_PLACES = (("charge", "freight"), ("charge", "special_handling"), ("allowance", "discount"))
ORDER_LINE = "line_item"                              # a line's reference to the order's line it bills
LINE_ORDERS = ("purchase_order", "customer_order")    # ... and to the order itself, on a consolidated invoice
HEADER = "Request/InvoiceDetailRequest/InvoiceDetailRequestHeader"
HEADER_ORDERS = "Request/InvoiceDetailRequest/InvoiceDetailHeaderOrder"      # an invoice by order, without items


def before_write(data: dict[str, Any]) -> dict[str, Any]:
    """SubtotalAmount from the lines, a zero Tax when there is none, the summary's allowances and charges
    each in a place the DTD allows, with the Money and name it requires, and the invoice date in its zone."""
    totals = data.setdefault("totals", {})
    if totals.get("lines_amount") is None:
        totals["lines_amount"] = lines_amount(data)
    if totals.get("tax_amount") is None:
        totals["tax_amount"] = cents(sum((Decimal(str(t.get("amount") or 0)) for t in data.get("taxes") or []),
                                          Decimal(0)))
    data["_payment_terms"] = stated_terms(data) or payment_terms(data.get("terms"))
    zoned_days(data, ("date",))
    data["_orders"] = orders_of(data)
    for tax in data.get("taxes") or []:           # TaxDetail/@category is required: the model's own default type
        tax["type"] = tax.get("type") or UNTYPED_TAX
    data["_tax_description"] = ", ".join(f"{t['type']} tax" for t in data.get("taxes") or [] if t.get("type")) \
        or ("tax" if Decimal(str(totals["tax_amount"])) else "no tax")
    base = Decimal(str(totals["lines_amount"]))
    charges = [_with_money(dict(ac), base, str(data.get("number") or "")) for ac in data.get("allowances_charges") or []]
    data["allowances_charges"] = _one_each(charges)
    return data


def stated_terms(data: dict[str, Any]) -> list[dict[str, str]]:
    """The PaymentTerms of an invoice that states its terms' figures (Odoo's payment term: its early-payment
    discount and days, its net days), the early-pay tier first; [] when it states none. Its name is no text to
    read tiers from: '30/60/90 Days' (instalments) is no 30 % discount within 60 days."""
    tiers = []
    if data.get("terms_discount_percent") and data.get("terms_discount_days") is not None:
        tiers.append({"days": str(data["terms_discount_days"]),
                      "percent": format(Decimal(str(data["terms_discount_percent"])).normalize(), "f")})
    if data.get("terms_net_days") is not None:
        tiers.append({"days": str(data["terms_net_days"])})
    return tiers


def payment_terms(terms: Any) -> list[dict[str, str]]:
    """The invoice's PaymentTerms, one per tier, each a whole number of days: terms given as text (an 810's
    ITD12 "2% 30 NET 45", or "2/10 NET 30") give their early-pay tier (the days and its DiscountPercent) and
    their net days; plain days give the one tier; text without days gives no PaymentTerm."""
    text = str(terms or "").strip()
    if text.isdigit():
        return [{"days": text}]
    tiers = []
    early = EARLY_PAY.search(text)
    if early:
        tiers.append({"days": early.group("days"), "percent": early.group("percent")})
    found = NET_DAYS.search(text)
    if found:
        tiers.append({"days": found.group(1)})
    return tiers


def orders_of(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The InvoiceDetailOrders to write: the invoice's own PO's first, then one per other PO its lines name (a
    consolidated invoice), each with its lines in their order. A line's InvoiceDetailItemReference@lineNumber is
    the order's line it bills: its line_item reference, else its line number (an invoice made from Odoo numbers
    its lines as the buyer's order did). Its invoiceLineNumber is its line number where that is the invoice's only
    one (`unique_numbers`)."""
    own = data.get("po_number")
    orders: dict[Any, list[dict[str, Any]]] = {}
    for line in data.get("lines") or []:
        refs = line.get("references") or []
        line["_order_line"] = next((r["value"] for r in refs if r.get("qualifier") == ORDER_LINE), line.get("line_no"))
        orders.setdefault(line_order(line) or own, []).append(line)
    unique_numbers(data.get("lines") or [])
    cxml_order = (data.get("source") or {}).get("order_payload_id")   # an OrderReference needs the order's payloadID
    out = []
    for number, lines in orders.items():
        order: dict[str, Any] = {"lines": lines}
        if number == own and cxml_order:
            order.update({"_order_reference": number, "_order_payload_id": cxml_order})
        else:
            order["_order_id_info"] = number
        out.append(order)
    return out


def unique_numbers(lines: list[dict[str, Any]]) -> None:
    """Each line an invoiceLineNumber of its own, which cXML requires: a line without a number, or with one an
    earlier line has (an Odoo invoice of two sale orders, each with its line 1), takes the next number no line
    has. Its lineNumber still names its order's line."""
    numbers = {str(line.get("line_no")) for line in lines if line.get("line_no")}
    last = max((int(n) for n in numbers if n.isdigit()), default=0)
    seen: set[str] = set()
    for line in lines:
        number = str(line.get("line_no") or "")
        if not number or number in seen:
            last += 1
            while str(last) in numbers:
                last += 1
            number = line["line_no"] = str(last)
        seen.add(number)


def line_order(line: dict[str, Any]) -> str | None:
    """The PO a line names as the one it bills (a consolidated invoice's), as posting reads it."""
    return next((str(r["value"]) for q in LINE_ORDERS for r in line.get("references") or []
                 if r.get("qualifier") == q and str(r.get("value") or "").strip()), None)


def from_orders(data: dict[str, Any]) -> dict[str, Any]:
    """The lines of every InvoiceDetailOrder, the first order's the invoice's PO: a line of another order names it
    (a `purchase_order` reference, as an 810's REF*PO in its IT1 loop), and its order line (lineNumber) is a
    `line_item` reference where it is not its invoiceLineNumber (a line without one bills the order's line of its
    number, as an 810's IT101). A service line (InvoiceDetailServiceItem) without a quantity bills one of its
    SubtotalAmount."""
    orders = data.pop("_orders", None) or []
    if orders and orders[0].get("po_number"):
        data["po_number"] = orders[0]["po_number"]
    lines = []
    for order in orders:
        number = order.get("po_number")
        for line in order.get("lines") or []:
            if line.get("quantity") is None and line.get("amount") is not None:     # a service billed as a lump sum
                line.update({"quantity": Decimal(1), "unit_price": line.get("unit_price") or line["amount"]})
            refs = [r for r in line.get("references") or []
                    if not (r.get("qualifier") == ORDER_LINE and r.get("value") == line.get("line_no"))]
            if number and number != data.get("po_number"):
                refs.insert(0, {"qualifier": LINE_ORDERS[0], "value": number})
            if refs:
                line["references"] = refs
            else:
                line.pop("references", None)
            lines.append(line)
    data["lines"] = lines
    return data


def price_per_unit(value: Decimal, item: Any) -> Decimal:
    """An InvoiceDetailItem's UnitPrice for one of its units: a price given per PriceBasisQuantity (50.00 per 100
    screws, the basis's quantity 100) is that price times the basis's conversionFactor (its unit per the line's)
    over that quantity, as the line's subtotal is counted; without one, or with 1 and 1, the price as given."""
    basis = item.find("PriceBasisQuantity")
    if basis is None:
        return value
    quantity, factor = (basis_quantity(basis.get(name) or "1", f"PriceBasisQuantity {name}")
                        for name in ("quantity", "conversionFactor"))
    return price_of_one(value * factor, quantity)


def not_to_bill(data: dict[str, Any], tx: Any) -> None:
    """An InvoiceDetailRequest that is no bill to make is refused, saying what to do. operation="delete" is the
    vendor cancelling the invoice of that invoiceID (cXML 1.2: the same invoice again, its DocumentReference the
    original's payloadID): read as an invoice, it found the bill of that number and changed nothing, as if done.
    isInformationOnly="yes" is an invoice sent for information, nothing to pay (an order paid by card): read as
    one, it made a payable bill. One by InvoiceDetailHeaderOrder bills orders without item lines, none to
    match to PO lines (it was refused as 'lines: list should have at least 1 item')."""
    header = tx.tree.find(HEADER) if tx is not None and getattr(tx, "tree", None) is not None else None
    if header is None:
        return
    if header.get("operation") == "delete":
        raise TranslationError(f"invoice {data.get('number')}: the vendor cancels it (operation=\"delete\"); the "
                               "gateway neither posts nor cancels a bill for it: cancel its bill in Odoo (a posted "
                               "one is reset to draft first, or credited), or take it up with the vendor")
    if tx.tree.find(HEADER_ORDERS) is not None:       # its orders by OrderIDInfo or OrderReference orderID
        orders = [str(o) for o in tx.tree.xpath(f"{HEADER_ORDERS}/InvoiceDetailOrderInfo/*/@orderID") if str(o)]
        named = f" (purchase order {', '.join(orders)})" if orders else ""
        raise TranslationError(f"invoice {data.get('number')}: it bills its orders as a whole (InvoiceDetailHeaderOrder, "
                               f"no item lines), which the gateway does not post: enter the bill in Odoo{named}, or "
                               "ask the vendor for an invoice by item")
    if header.get("isInformationOnly") == "yes":
        raise TranslationError(f"invoice {data.get('number')}: the vendor sends it for information only "
                               "(isInformationOnly=\"yes\": nothing to pay, an order paid by card say); no bill is "
                               "made: check it and `edi-gateway close` this message")


def after_read(data: dict[str, Any], tx: Any = None) -> dict[str, Any]:
    """The lines of every order (`from_orders`), and the PaymentTerms as the canonical terms text: the net days
    alone as before, with an early-pay tier in the words an 810's ITD12 uses ("2% 30 NET 45"). A cancellation
    or an invoice for information only is refused (`not_to_bill`)."""
    not_to_bill(data, tx)
    from_orders(data)
    tiers = data.pop("_payment_terms", None) or []
    net = next((t["days"] for t in tiers if t.get("days") and not t.get("percent")), None)
    early = [f"{t['percent']}% {t['days']}" for t in tiers if t.get("days") and t.get("percent")]
    if net:
        early.append(f"NET {net}" if early else net)
    if early:
        data["terms"] = " ".join(early)
    return data


def _with_money(charge: dict[str, Any], lines_total: Decimal, number: str) -> dict[str, Any]:
    """A percent-only allowance or charge with its amount: the percent of its base (the invoice's lines
    total unless it names its own), as the buyer computes it."""
    if charge.get("amount") is None:
        percent = charge.get("percent")
        if percent is None:
            raise TranslationError(f"invoice {number}: {_label(charge)} has no amount or percent; a cXML invoice "
                                   "states each allowance and charge as Money")
        base = charge.get("base_amount")
        charge["amount"] = cents((lines_total if base is None else Decimal(str(base))) * Decimal(str(percent))
                                  / HUNDRED)
    return charge


def _named(charge: dict[str, Any]) -> dict[str, Any]:
    """A Modification's name: its canonical word (written with the profile's code list), else its
    description; one with neither cannot be named and is refused. Its AdditionalDeduction / AdditionalCost
    holds one figure: the Money, which is what the buyer pays, when there is one."""
    if charge.get("percent") is not None:
        charge.pop("percent")
    if charge.get("code"):
        return charge
    if not charge.get("description"):
        raise TranslationError(f"{_label(charge)} has neither a code nor a description: a cXML invoice names each "
                               "of its allowances and charges (ModificationDetail/@name); give it a code")
    charge["code"] = charge["description"]
    return charge


def _one_each(charges: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Freight and special handling charges and the discount have one place each in the summary: several of
    one are written as their sum (the Money; no one percent says it), the others as Modifications, named."""
    out: list[dict[str, Any]] = []
    first: dict[tuple[Any, Any], dict[str, Any]] = {}
    for charge in charges:
        place = (charge.get("kind"), charge.get("code"))
        if place not in SINGLE_PLACES:
            out.append(_named(charge))
            continue
        kept = first.get(place)
        if kept is None:
            first[place] = charge
            out.append(charge)
            continue
        kept["amount"] = Decimal(str(kept["amount"])) + Decimal(str(charge["amount"]))
        kept.pop("percent", None)
        kept.pop("base_amount", None)
        if kept.get("description") != charge.get("description"):
            kept.pop("description", None)
    return out


def _label(charge: dict[str, Any]) -> str:
    return f"{charge.get('kind')} {charge.get('code') or '(no code)'} {charge.get('amount') or ''}".rstrip()
