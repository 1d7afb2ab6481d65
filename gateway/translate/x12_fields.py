"""Functions the X12 base profiles call where the X12 dictionary is narrower than the canonical value."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from gateway.translate.values import PRICE_PLACES, number_out, price_of_one


def n402(state: Any) -> str:
    """A state or province code as N402 takes it (ID 2/2: 'TN', 'ON', as the US and Canadian posts code them),
    else nothing. Odoo codes other countries' subdivisions by ISO 3166-2 ('AGU' Aguascalientes, 'NSW' New South
    Wales): written, such a code makes the document fail the partner's check and be held, for a value that is
    right in Odoo; X12 004010's N4 has no other place for it."""
    text = str(state or "").strip()
    return text if len(text) == 2 else ""


def n407(state: Any) -> str:
    """The subdivision code N402 cannot hold, for 005010's N407 (Country Subdivision Code, ID 1/3: ISO 3166-2's
    'AGU'); nothing for a 2-character code, which N402 carries (only one of the two may be given, E0207)."""
    text = str(state or "").strip()
    return text if text and len(text) != 2 and len(text) <= 3 else ""


PER_QUANTITY: dict[str, int] = {
    "HP": 100, "LC": 100, "QH": 100, "RC": 100, "TC": 100, "WC": 100, "HF": 100,
    "TP": 1000, "LM": 1000, "QS": 1000, "RM": 1000, "TM": 1000, "WM": 1000, "TF": 1000,
    "PD": 12, "LD": 12, "RD": 12, "TD": 12, "WD": 12}
"""X12 639 bases of unit price that price a quantity of units: per hundred (HP, and the catalog, quoted, retail,
contract and wholesale LC QH RC TC WC; HF per 100 feet), per thousand (TP, LM QS RM TM WM; TF) and per dozen (PD,
LD RD TD WD). Read as the price of one, PO1*1*500*EA*12.50*HP (62.50) would be a line of 6,250.00."""

BASIS_AT = {"PO1": 5, "IT1": 5, "POC": 7}
"""Where a line segment gives its basis of unit price: PO105 (850, 855), IT105 (810), POC07 (860, 865)."""


def price_per_unit(value: Decimal, seg: Any) -> Decimal:
    """PO104 / IT104 / POC06 as the price of one unit: divided by the quantity its basis (PO105 / IT105 / POC07)
    prices, `PER_QUANTITY` (12.50 HP is 0.125 a piece), to six decimals at most as Odoo keeps a price; any other
    basis (PE, CT, none) the price as given. The basis stays on the line, to answer in it (`prices_in_basis`)."""
    fields = seg.fields
    at = BASIS_AT.get(str(fields[0]), 0)
    per = PER_QUANTITY.get(fields[at].strip() if at and len(fields) > at else "")
    if per is None:
        return value
    return price_of_one(value, Decimal(per))


def in_basis(price: Decimal, per: int) -> Decimal:
    """The price of one as the price of `per` units again, with the fewest decimals (2 at least, as money is
    written) that read back to it: 1.041667 a piece, 12.50 per dozen, is written 12.50, not 12.500004."""
    exact = price * per
    for places in range(2, 7):
        written = exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
        if (written / per).quantize(PRICE_PLACES) == price.quantize(PRICE_PLACES):
            return written
    return exact


def prices_in_basis(data: dict[str, Any]) -> dict[str, Any]:
    """The base profiles' before_write hook: a line priced per 100, 1000 or a dozen (its `price_basis`, as the
    partner's order or invoice gave it) is written at the price of that many, as the partner stated it: the
    canonical `unit_price` is the price of one. Totals are counted before (from the price of one)."""
    for line in data.get("lines") or []:
        per = PER_QUANTITY.get(str(line.get("price_basis") or ""))
        price = line.get("unit_price")
        if per is not None and price is not None:
            line["unit_price"] = in_basis(Decimal(str(price)), per)
    return data


def invoice_prices_out(data: dict[str, Any]) -> dict[str, Any]:
    """The 810's before_write hook: a line stating its net amount and its own allowances and charges with their
    amounts (an invoice from Odoo echoing its PO line's SACs, an INVOIC line priced net, PRI+AAA) is written at the
    price they come off, IT104 = (amount + allowances - charges) / IT102, as the retailer adds up IT102 x IT104 less
    the IT1 loop's SACs; one whose price so is no exact one (six decimals) states its net price without them. Then
    `prices_in_basis`."""
    for line in data.get("lines") or []:
        said = line.get("allowances_charges") or []
        if line.get("amount") is None or not line.get("quantity") or not said or \
                any(ac.get("amount") is None for ac in said):
            continue
        total = Decimal(str(line["amount"])) + sum(
            (Decimal(str(ac["amount"])) * (1 if ac.get("kind") == "allowance" else -1) for ac in said), Decimal(0))
        gross = total / Decimal(str(line["quantity"]))
        if gross == gross.quantize(PRICE_PLACES):
            line["unit_price"] = gross
        else:
            line["allowances_charges"] = []
    return prices_in_basis(data)


def ack_quantities_out(data: dict[str, Any]) -> dict[str, Any]:
    """The 855's before_write hook: one ACK per part of a line acknowledged in parts (its `acks`: 4 accepted, 6
    backordered, each with its date), else one of its status; ACK02 of a rejected line is the quantity rejected, as
    VICS's ACK02 is the quantity its ACK01 status applies to (ACK*IR*6*EA: 6 rejected), not the 0 acknowledged
    that the canonical line holds; CTT02 the hash total of the quantities ordered (PO102), as VICS has it; then
    `prices_in_basis`. A profile with a before_write hook of its own calls this one."""
    for line in data.get("lines") or []:
        if line.get("status") == "rejected" and not line.get("quantity") and line.get("ordered_quantity"):
            line["quantity"] = line["ordered_quantity"]
        if line.get("acks"):
            line["_acks"] = [{"status": part.get("qualifier"), "quantity": part.get("value"),
                              "unit": part.get("unit") or line.get("unit"), "date": part.get("date"),
                              "date_qualifier": "delivery_scheduled"} for part in line["acks"]]
        elif line.get("status"):
            line["_acks"] = [{"status": line["status"], "quantity": line.get("quantity"), "unit": line.get("unit")}]
    ordered = [line["ordered_quantity"] for line in data.get("lines") or [] if line.get("ordered_quantity") is not None]
    if ordered:         # CTT02 of PO102, not the sum of the quantities acknowledged `fill_totals` puts there
        data.setdefault("totals", {})["quantity_total"] = hash_total(ordered)
    return prices_in_basis(data)


def hash_total(values: list[Any]) -> Decimal:
    """X12's hash total (data element 347, CTT02) of these values as written: their digits summed without regard to
    decimal points or signs (2.5 and 1 hash to 26, not 3.5; 1.50 written so is 150), the sum cut to its 10 right-most
    digits. As written: the text `number_out` gives the element, which keeps a value's trailing zeros."""
    digits = (number_out()(v).lstrip("-").replace(".", "") for v in values)
    return Decimal(sum(int(d) for d in digits) % 10**10)


def ack_quantities_in(data: dict[str, Any], tx: Any = None) -> dict[str, Any]:
    """The 855's after_read hook: the line's ACKs (the profile's `_acks`). One undated ACK gives the line's status
    and quantity, as ever. Several, or one with a date (ACK05), are also kept as the line's `acks`, each part's
    quantity the one its status applies to (ACK*IA*4 + ACK*IB*6 + ACK*IR*2: 4 accepted, 6 backordered, 2
    rejected), and the line acknowledges what is still to come: the parts not rejected (10), its status the parts'
    one status, else `changed`. A rejected line (ACK01 IR, R2) acknowledges none of its quantity, whatever ACK02
    says: the rejected quantity as VICS has it (ACK*IR*6: 6 rejected, never 6 accepted), 0 as some vendors write
    it. Without PO102 the rejected quantity is what was ordered."""
    for line in data.get("lines") or []:
        parts = [p for p in line.pop("_acks", None) or [] if p.get("status")]
        if len(parts) > 1 or parts and parts[0].get("date"):
            ack_parts(line, parts)
        elif parts:
            line["status"] = parts[0]["status"]
            if parts[0].get("quantity") is not None:
                line["quantity"] = parts[0]["quantity"]
        if line.get("status") == "rejected" and line.get("quantity") is not None:
            if line.get("ordered_quantity") is None and Decimal(str(line["quantity"])):
                line["ordered_quantity"] = line["quantity"]
            line["quantity"] = Decimal(0)
    return data


def ack_parts(line: dict[str, Any], parts: list[dict[str, Any]]) -> None:
    """A line's ACKs (each a status, quantity, unit, date) as its `acks` and the status and quantity they add up to
    (also the EDIFACT ORDRSP's QTY+113 and QTY+83 parts, `edifact_fields.ordrsp_parts`). A part without ACK02 is what the
    order's quantity (PO102) leaves after the others; two such, or one without PO102, cannot be told."""
    stated = [Decimal(str(p["quantity"])) for p in parts if p.get("quantity") is not None]
    ordered = line.get("ordered_quantity")
    if len(stated) < len(parts) and (len(stated) < len(parts) - 1 or ordered is None):
        raise ValueError(f"line {line.get('line_no')}: {len(parts) - len(stated)} of its ACKs give no quantity "
                         "(ACK02), which its other ACKs and PO102 cannot tell")
    rest = Decimal(str(ordered)) - sum(stated, Decimal(0)) if ordered is not None else Decimal(0)
    acks = [{"qualifier": p["status"], "unit": p.get("unit") or line.get("unit") or "EA",
             "value": Decimal(str(p["quantity"])) if p.get("quantity") is not None else max(rest, Decimal(0)),
             **({"date": p["date"]} if p.get("date") else {})} for p in parts]
    statuses = {a["qualifier"] for a in acks}
    line["acks"] = acks
    line["status"] = statuses.pop() if len(statuses) == 1 else "changed"
    coming = sum((a["value"] for a in acks if a["qualifier"] != "rejected"), Decimal(0))
    if line["status"] != "rejected":
        line["quantity"] = coming
    elif ordered is None:
        line["ordered_quantity"] = sum((a["value"] for a in acks), Decimal(0))
