"""Inbound: a parsed transaction -> canonical documents, with the partner's profile or the base one."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ValidationError

from gateway.config.models import PartnerConfig
from gateway.errors import ConfigError, TranslationError
from gateway.formats import csv as csv_format
from gateway.formats import xml as xml_format
from gateway.formats.base import UNDECODED_UTF8, Syntax, Transaction, as_cp1252
from gateway.translate import canonical, engine, values
from gateway.translate.canonical import Document
from gateway.translate.case_packs import cases_in_units
from gateway.translate.profile import Profile, ProfileRegistry
from gateway.translate.x12_order_prices import line_prices_in


def profile_for(tx: Transaction, partner: PartnerConfig | None, profiles: ProfileRegistry) -> Profile:
    """The profile that reads `tx`: the partner's inbound document profile, else the base profile."""
    syntax = tx.syntax._value_               # (.value: a Python-level property call per document)
    if partner is not None:
        docs = [d for d in partner.documents if d.direction == "in"]
        chosen = next((d for d in docs if d.type == tx.doc_type), None)
        if chosen is None:
            fitting = []
            for d in docs:
                if d.profile in profiles:
                    p = profiles.get(d.profile)
                    if p.syntax == syntax and (p.message == tx.doc_type or syntax == "csv"
                                               or syntax == "xml" and not _standard_xml(tx)):
                        fitting.append(d)
            chosen = fitting[0] if len(fitting) == 1 else None
        if chosen is not None:
            if chosen.profile not in profiles:
                raise ConfigError(f"partner {partner.id}: document {chosen.type} names profile "
                                  f"{chosen.profile!r}, which is not in translations/ nor a base profile")
            return profiles.get(chosen.profile)
    version = tx.version or (tx.group.version if tx.group else "")
    base = profiles.base_for(syntax, tx.doc_type, version)
    if base is None:
        who = f"partner {partner.id} has no inbound profile for it and " if partner else ""
        raise TranslationError(f"{who}no base profile translates {syntax} {tx.doc_type} {version}".strip(),
                               location=_tx_location(tx))
    return base


def _standard_xml(tx: Transaction) -> bool:
    """A UBL or cXML document, whose type the standard names (an OrderChange, an InvoiceDetailRequest): read only by
    a profile for that type, never by a partner's only XML profile (its Order profile read a UBL OrderChange as a
    new original order under the change's own number). An in-house schema's root name is no such type."""
    return tx.version.startswith(("UBL", "cXML"))


def _tx_location(tx: Transaction) -> str:
    where = f"transaction {tx.index + 1}"
    if tx.control_number:
        where += f" ({tx.doc_type} {tx.control_number})"
    return where


def read(profile: Profile, tx: Transaction) -> dict[str, Any]:
    """The canonical dict of `tx` (not yet validated)."""
    assert profile.root is not None
    if tx.syntax in (Syntax.X12, Syntax.EDIFACT):
        data = engine.read_segments(profile.root, tx.segments, profile.syntax)
    elif tx.syntax is Syntax.CSV:
        columns = {f.address for node in profile.root.walk() for f in node.fields_in if f.address}
        rows = csv_format.by_profile_names(tx.rows, tx.envelope.raw_header if tx.envelope else [], columns)
        data = engine.read_rows(profile.root, rows, tx.row_numbers)
    else:
        mismatch = xml_format.namespace_mismatch(tx.tree, profile.namespaces)
        if mismatch:
            raise TranslationError(mismatch, location=_tx_location(tx), profile=str(profile.path))
        data = engine.read_xml(profile.root, tx.tree)
    _split_schedules(data)
    _net_prices(data)
    line_prices_in(data)                    # X12 CTP: before the profile's hook, as `_net_prices`
    cases_in_units(data)                    # X12 856 PO4: before the profile's hook, as `_net_prices`
    for key, value in profile.defaults.items():
        data.setdefault(str(key), value)
    data["doc_type"] = profile.document
    env, group = tx.envelope, tx.group
    data["source"] = {
        "syntax": tx.syntax._value_, "standard_type": tx.doc_type,
        "version": tx.version or (group.version if group else "") or None,
        "sender": (env.sender_id.strip() or None) if env else None,
        "receiver": (env.receiver_id.strip() or None) if env else None,
        "interchange_control": (env.control_number or None) if env else None,
        "group_control": (group.control_number or None) if group else None,
        "transaction_control": tx.control_number or None,
        "test": bool(env.test) if env else False,
    }
    if env is not None and env.encoding == UNDECODED_UTF8:
        data = _readable(data)
    hook = profile.hooks.get("after_read")
    if hook is not None:
        try:
            data = hook(data, tx) or data
        except TranslationError as exc:           # the hook refused the document, saying why: no failure of it
            raise TranslationError(exc.message, exc.location or _tx_location(tx),
                                   profile=f"{profile.where('hooks')[0]}:{profile.where('hooks')[1]}") from None
        except Exception as exc:  # noqa: BLE001 - a profile hook failed: name it, never a traceback
            raise TranslationError(f"after_read hook failed: {type(exc).__name__}: {exc}",
                                   location=_tx_location(tx),
                                   profile=f"{profile.where('hooks')[0]}:{profile.where('hooks')[1]}") from None
    return data


def _readable(value: Any) -> Any:
    """`value` with the bytes an X12 file held that are not UTF-8 read as Windows-1252 (`as_cp1252`) in
    every string; the file itself is archived and acknowledged as sent."""
    if isinstance(value, str):
        return as_cp1252(value)
    if isinstance(value, dict):
        return {k: _readable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_readable(v) for v in value]
    return value


INBOUND_LISTS: dict[tuple[type[BaseModel], str], type[BaseModel]] = {(canonical.Quantity, "schedule"): canonical.Quantity}
"""Lists a read-only profile node may fill that the canonical model does not have, by (model, name): the
model of their items. `read` turns them into canonical data (a quantity's `schedule`: `_split_schedules`)."""


PRICES = "_prices"
"""A line's every price, read by a read-only node (the EDIFACT ORDERS/ORDCHG profiles' PRI groups)."""


def _net_prices(data: dict[str, Any]) -> None:
    """A line's price from its `_prices`: the net one (EDIFACT 5125 AAA) wherever it stands, else the last, as every
    line was read before. An EANCOM order gives the net and the gross price (AAB, with the line's ALC) together, in
    either order; the last one read was the price, so the gross one, posted with the ALC's percent as the discount,
    made a line a few cents off its MOA+203 and the order's note warned of a price mismatch the partner never made.
    Without an AAA nothing says which price has the allowances in (INV, CAL, AAB), so such a line reads as it did
    before 762f6a3 (which took the first: a PRI+INV then PRI+AAB line went from AAB to INV). Here, before the
    profile's hook, not in the base profile's hook: a partner hook that does not call that one would have left the
    list to the canonical model, which refused every order ('lines.0._prices: extra inputs are not permitted')."""
    for line in data.get("lines") or ():
        prices = line.pop(PRICES, None) if isinstance(line, dict) else None
        chosen = [p for p in prices or () if isinstance(p, dict) and p.get("unit_price") is not None]
        if chosen:
            price = next((p for p in chosen if str(p.get("price_basis") or "").strip() == "AAA"), chosen[-1])
            line["unit_price"], line["price_basis"] = price["unit_price"], price.get("price_basis")


def _split_schedules(data: dict[str, Any]) -> None:
    """A line's quantity read with a `schedule` list (X12 846 SCH lines) becomes one quantity per schedule
    line, each with its own value, unit and date, and keeps what the schedule does not account for:

    * 300 on order, SCH 100 due 12-11 and 200 due 12-18: the two dated quantities (a split);
    * 12 on order, SCH 5 due 12-09: 7 without a date and the 5 dated;
    * 0 available, SCH 25 from 12-15 (more than the total: the schedule adds to it): the 0 as sent, without
      a date, and the 25 dated.
    """
    for line in data.get("lines") or ():
        quantities = line.get("quantities") if isinstance(line, dict) else None
        if not isinstance(quantities, list) or not any(isinstance(q, dict) and "schedule" in q for q in quantities):
            continue
        split: list[Any] = []
        for qty in quantities:
            schedule = qty.pop("schedule", None) if isinstance(qty, dict) else None
            if not schedule:
                split.append(qty)
                continue
            parts = [{**qty, **{k: v for k, v in entry.items() if v is not None}} for entry in schedule]
            try:
                total = Decimal(str(qty["value"]))
                rest = total - sum((Decimal(str(p["value"])) for p in parts), Decimal(0))
            except (KeyError, ArithmeticError, ValueError):
                split.append(qty)          # no total, or a value that is not a number: validation names it
                continue
            if rest > 0:
                split.append({**qty, "value": rest})
            elif rest < 0:
                split.append(qty)
            split += parts
        line["quantities"] = split


def validate(data: dict[str, Any], profile: Profile, location: str | Transaction) -> Document:
    """Canonical model validation; errors name the canonical field, the profile and the transaction
    (`location`, or the transaction it is worded from only when there is an error)."""
    try:
        return canonical.from_dict(data)
    except ValidationError as exc:
        if isinstance(location, Transaction):
            location = _tx_location(location)
        problems = []
        for err in exc.errors()[:5]:
            loc = [str(p) for p in err["loc"] if str(p) != profile.document]
            path = ".".join(loc)
            problems.append(f"{path or 'document'}: {err['msg'].lower()}")
        where = profile.where("document")
        raise TranslationError("; ".join(problems) + _hint(problems), location=location,
                               profile=f"{where[0]}:{where[1]}") from None


def _hint(problems: list[str]) -> str:
    if any("field required" in p for p in problems):
        return " (the profile maps no value there for this document)"
    return ""


def translate(tx: Transaction, partner: PartnerConfig | None, profiles: ProfileRegistry, *,
              profile: str | None = None) -> list[Document]:
    """Canonical documents of one transaction (one today; a list so a CSV file may yield several).

    `profile` forces a profile by name (reading back what we rendered, `translate --profile`).
    """
    chosen = profiles.get(profile) if profile else profile_for(tx, partner, profiles)
    return _translate(tx, partner, chosen)


def translate_json(tx: Transaction, partner: PartnerConfig | None, profiles: ProfileRegistry,
                   problems: list[canonical.Finding] | None = None) -> list[str]:
    """`[to_json(d, indent=None) for d in translate(tx, partner, profiles)]`: the same text, or the same error, as
    the pipeline journals it, without the model instances that only serialising would read (`canonical.plain_json`).
    `problems`, when given, gets the documents' `check()` findings, each naming its document ("order 123: ...")
    and keeping its kind, checked on the same plain dict.
    """
    profile = profile_for(tx, partner, profiles)
    data = _data(tx, partner, profile)
    found: list[list[canonical.Finding]] | None = None if problems is None else []
    text = canonical.plain_json(data, found)
    if text is None:
        doc = validate(data, profile, tx)
        if found is not None:
            found.append(doc.check())
        text = canonical.to_json(doc, indent=None)
    if problems is not None and found:
        name = f"{_KINDS.get(str(data.get('doc_type')), 'document')} {data.get('number')}"
        problems += [problem.named(name) for problem in found[0]]
    return [text]


_KINDS = {"PurchaseOrder": "order", "Invoice": "invoice", "ShipNotice": "shipment", "PurchaseOrderAck": "order ack"}
"""How a document's consistency problem names it (with its number), as posting's errors do ("order 4500001234")."""


def _data(tx: Transaction, partner: PartnerConfig | None, profile: Profile) -> dict[str, Any]:
    root = profile.root if tx.syntax is Syntax.CSV else None
    header = tx.envelope.raw_header if root is not None and tx.envelope else []
    if root is not None:                                                    # the file's day/month order first
        csv_format.check_date_orders(tx.rows, lambda: values.slash_dates(f for n in root.walk() for f in n.fields_in),
                                     header)
        csv_format.check_decimals(tx.rows, tx.row_numbers, header,
                                  lambda: [f.address for n in root.walk() for f in n.fields_in if f.numeric])
    data = read(profile, tx)
    if partner is not None:
        data["source"]["partner"] = partner.id
    if root is not None:                                                    # a currency sign: the document's, in amounts
        csv_format.check_currencies(tx.rows, tx.row_numbers,
                                    data.get("currency") or (partner.odoo.currency if partner else None), header,
                                    lambda: [(f.address, f.path) for n in root.walk() for f in n.fields_in if f.numeric])
    return data


def _translate(tx: Transaction, partner: PartnerConfig | None, profile: Profile) -> list[Document]:
    return [validate(_data(tx, partner, profile), profile, tx)]


def to_plain(doc: Document) -> dict[str, Any]:
    """The canonical dict a profile writes from (Decimals kept, None dropped)."""
    return doc.model_dump(mode="python", exclude_none=True)


def fill_totals(data: dict[str, Any]) -> None:
    """Totals an outbound document needs and extraction may leave out: line count, quantity, amount."""
    lines = data.get("lines")
    if not isinstance(lines, list) or data.get("doc_type") not in ("PurchaseOrder", "Invoice", "PurchaseOrderAck"):
        return
    totals = data.setdefault("totals", {})
    totals.setdefault("line_count", len(lines))
    totals.setdefault("quantity_total", sum((Decimal(str(ln.get("quantity", 0))) for ln in lines), Decimal(0)))
    if data.get("doc_type") == "Invoice" and "total_amount" not in totals:
        amount = Decimal(0)
        for ln in lines:
            if ln.get("amount") is not None:
                amount += Decimal(str(ln["amount"]))
            elif ln.get("unit_price") is not None:
                amount += Decimal(str(ln["quantity"])) * Decimal(str(ln["unit_price"]))
        for ac in data.get("allowances_charges", []):
            sign = 1 if ac.get("kind") == "charge" else -1
            amount += sign * Decimal(str(ac.get("amount") or 0))
        amount += sum((Decimal(str(t.get("amount") or 0)) for t in data.get("taxes", [])), Decimal(0))
        totals["total_amount"] = amount.quantize(Decimal("0.01"))
