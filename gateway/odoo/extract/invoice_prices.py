"""An invoice line's quantity and price as the partner checks them: net of its discount, its PO's allowances
stated, in the cases it ordered."""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from gateway.config.models import PartnerConfig
from gateway.odoo.extract.partner_lines import ids_in_cases, other_item
from gateway.odoo.invoice_taxes import dec as _dec
from gateway.odoo.invoice_taxes import money
from gateway.odoo.sale_orders import OF_THE_GROSS, line_allowances
from gateway.odoo.standing_orders import in_cases
from gateway.translate.canonical import AllowanceCharge, Line


def net_price(line: dict[str, Any], places: int = 2) -> Decimal:
    """An invoice line's unit price after its discount (%): what its quantity is charged at, so that quantity x
    price is the line's amount (Odoo's price_unit is the price before the discount). A price that includes a tax
    (10.00 with 21 % in it: an amount of 8.26) is the amount per unit instead, with the fewest decimals from four
    to six (as many as Odoo keeps of a price) whose quantity x price is the line's amount: 1000 x 8.2645 is
    8264.50 against Odoo's 8264.46, an 810 the retailer's footing check refuses; 8.26446 adds up. `places`: the
    currency's decimals, what the amount is rounded to (3 for KWD: 7 x 1.2345 is 8.642, not 8.64), to the cent at
    least: a footing check multiplies to the cent, so 10 at 12.34 is no 123 yen, 10 at 12.3 is."""
    price = _dec(line["price_unit"])
    discount = _dec(line.get("discount"))
    net = _dec(price * (100 - discount) / 100) if discount else price
    quantity, subtotal = _dec(line["quantity"]), _dec(line["price_subtotal"])
    places = max(places, 2)
    if not quantity or money(net * quantity, places) == subtotal:
        return net
    tried = [_dec((subtotal / quantity).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP))
             for digits in (4, 5, 6)]
    return next((each for each in tried if money(each * quantity, places) == subtotal), tried[0])


def allowances_as_ordered(row: dict[str, Any], sent: Line | None, partner: PartnerConfig,
                           digits: Callable[[], int]) -> list[AllowanceCharge]:
    """The PO line's own allowances an invoice line states (X12 line SAC, EDIFACT line ALC), each with what it took
    off, when Odoo's discount on the line is the one posting made of them (`line_allowances`): the retailer matches
    the line to its PO line by the price it ordered at and those allowances (PO104 12.50 with SAC*A*C310 2 %), where
    a net 12.25 is on no line of its PO. The amounts add up to the quantity at Odoo's price less the line's amount,
    the cents of rounding in the last. None when the discount is another's (a person's, a pricelist's), when a price
    includes its tax, or when the quantity at the price is no amount in cents (an 810's SAC05 is): the line then
    states its net price alone. The line's `unit_price` stays net (PRI+AAA); the 810 writes the gross
    (x12_fields.invoice_prices_out)."""
    discount = _dec(row.get("discount"))
    if sent is None or not discount or not any(ac.kind == "allowance" for ac in sent.allowances_charges):
        return []
    gross = _dec(row["quantity"]) * _dec(row["price_unit"])
    subtotal = _dec(row["price_subtotal"])
    if gross <= 0 or money(gross, 2) != gross or money(gross * (100 - discount) / 100, 2) != subtotal:
        return []
    ordered, others, _ = line_allowances(sent, 0, partner, "", digits())
    if others or ordered is None or ordered != discount:
        return []
    kept, out = Decimal(1), []
    for ac in sent.allowances_charges:       # as posting took them: percents in turn (of the gross, or of what the
        share = (ac.percent or Decimal(0)) / 100     # ones before left), the amounts off the line as they were
        if ac.amount is not None:
            off = abs(ac.amount)
        elif ac.percent_basis in OF_THE_GROSS:
            off, kept = money(gross * share, 2), kept - share
        else:
            off, kept = money(gross * kept * share, 2), kept * (1 - share)
        out.append(ac.model_copy(update={"amount": _dec(off)}))
    rest = gross - subtotal - sum((ac.amount or Decimal(0) for ac in out[:-1]), Decimal(0))
    return [*out[:-1], out[-1].model_copy(update={"amount": _dec(rest)})]


def billed_in_cases(lines: list[Line], sent_as: list[Line | None], partner: PartnerConfig,
                     by_case: list[bool], places: int = 2) -> list[Line]:
    """Invoice lines of a partner line (`sent_as`) ordered in cases Odoo counts in units, billed in those cases at a
    case's price (`in_cases`) when every invoice line of it is whole cases, else all in units: a line split in Odoo
    and billed as 1 CA and 4 EA is 5 of its 2 cases to a retailer adding up the line. A line ordered by its case's
    GTIN (`by_case`, 16-18) is named by that GTIN in cases, by the product's own in units. `places`: the invoice
    currency's decimals (`_case_price`)."""
    in_units = {id(sent) for line, sent in zip(lines, sent_as, strict=True)
                if sent is not None and in_cases(partner, sent, line.quantity) is None}
    out = []
    for line, sent, case in zip(lines, sent_as, by_case, strict=True):
        cases = in_cases(partner, sent, line.quantity) if id(sent) not in in_units and sent is not None and \
            (case or not other_item(line.item_ids, sent)) else None
        if cases and sent is not None and sent.pack_size:
            line = line.model_copy(update={"quantity": cases[0] if cases[0] is not None else line.quantity,
                                           "unit": sent.unit,
                                           "unit_price": _case_price(line, sent, cases[0], places),
                                           **({"item_ids": ids_in_cases(line.item_ids, sent)} if case else {})})
        out.append(line)
    return out


def _case_price(line: Line, sent: Line, cases: Decimal | None, places: int = 2) -> Decimal:
    """A case's price on an invoice line billed in the partner's cases: the one its order said (PO104 25.00 a case
    of 24) when that many cases at it are the line's amount, else Odoo's price of a unit times the pack. Odoo keeps
    25.00 / 24 as 1.041667, and 24 of those are 25.000008: a price the retailer's invoice-to-order match finds on
    no line of its PO (the 855 said 25.00), where 10 x 25.00 is the 250.00 Odoo billed all the same. Compared in
    the currency's `places`, to the cent at least (10 x 25.0015 KWD is Odoo's 250.015, not 250.02; 3 x 25.50 is
    no 77 yen) as `net_price`."""
    price = _dec((line.unit_price or Decimal(0)) * (sent.pack_size or 1))
    ordered = sent.unit_price
    if ordered is not None and ordered != price and cases is not None and line.amount is not None \
            and money(ordered * cases, max(places, 2)) == line.amount:
        return _dec(ordered)
    return price
