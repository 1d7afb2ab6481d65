"""`translate_json` (the pipeline's translate step, `canonical.plain_json` where it can) against the models' way,
over every sample and corpus file of every syntax read as each example partner (their profiles and hooks) and as
none, and over documents broken in each way the models refuse: the same JSON byte for byte, or the same error."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from gateway import formats
from gateway.errors import GatewayError
from gateway.translate import inbound, translate
from gateway.translate.canonical import from_dict, plain_json, to_json
from gateway.translate.inbound import translate_json
from tests.helpers.corpus import CORPUS
from tests.helpers.examples import EXAMPLES, loaded_examples

ACKS = ("997", "999", "TA1", "CONTRL")


def _outcome(call: Any) -> Any:
    try:
        return call()
    except GatewayError as exc:
        return (type(exc).__name__, str(exc))


def _models(data: dict[str, Any]) -> str | None:
    try:
        return to_json(from_dict(copy.deepcopy(data)), indent=None)
    except ValueError:                  # (pydantic's ValidationError)
        return None


@pytest.fixture(scope="module")
def documents() -> list[tuple[str, dict[str, Any]]]:
    """Every file's transactions, as each partner and as none: translate_json checked against translate; the
    dicts of those translated, for the broken documents below."""
    config = loaded_examples()
    files = [p for p in sorted((EXAMPLES / "samples").rglob("*")) + sorted(Path(CORPUS).rglob("*"))
             if p.is_file() and p.suffix in (".edi", ".csv", ".xml")]
    dicts: list[tuple[str, dict[str, Any]]] = []
    compared = 0
    for path in files:
        for partner in (None, *config.partners.values()):
            try:
                result = formats.parse(path.read_bytes(), csv=partner.csv if partner else None,
                                       xml=partner.xml if partner else None)
            except GatewayError:
                continue
            for tx in result.transactions:
                if tx.doc_type in ACKS:
                    continue
                models = _outcome(lambda tx=tx, partner=partner: [
                    to_json(d, indent=None) for d in translate(tx, partner, config.profiles)])
                assert _outcome(lambda tx=tx, partner=partner: translate_json(tx, partner, config.profiles)) == models, \
                    (path.name, partner and partner.id, tx.index)
                compared += 1
                if isinstance(models, list):
                    profile = inbound.profile_for(tx, partner, config.profiles)
                    dicts.append((f"{path.name} {partner and partner.id}", inbound._data(tx, partner, profile)))
    assert compared > 500 and len(dicts) > 400
    return dicts


def test_every_file_as_every_partner_gives_the_models_json_or_their_error(
        documents: list[tuple[str, dict[str, Any]]]) -> None:
    kinds = {data["doc_type"] for _, data in documents}
    assert {"PurchaseOrder", "Invoice", "ShipNotice", "InventoryAdvice", "PurchaseOrderAck"} <= kinds
    assert sum(plain_json(copy.deepcopy(data)) is not None for _, data in documents) > len(documents) * 0.8


BROKEN: list[tuple[str, Any]] = [
    ("a required field missing", lambda d: d.pop("number")),
    ("a field the model does not have", lambda d: d.update(colour="red")),
    ("an unknown document type", lambda d: d.update(doc_type="Quote")),
    ("no document type", lambda d: d.pop("doc_type")),
    ("a number given as a list", lambda d: d.update(number=["1"])),
    ("a number given as an int", lambda d: d.update(number=7)),
    ("a test flag that is no bool", lambda d: d["source"].update(test="maybe")),
    ("a None for the test flag", lambda d: d["source"].update(test=None)),
    ("a source field the model does not have", lambda d: d["source"].update(channel="as2")),
    ("a party with an unknown field", lambda d: d.setdefault("parties", []).append({"role": "x", "gln2": "1"})),
    ("a party without a role", lambda d: d.setdefault("parties", []).append({"name": "x"})),
    ("ids that are not text", lambda d: d.setdefault("parties", []).append({"role": "x", "ids": {"gln": 1}})),
    ("a reference without its value", lambda d: d.setdefault("references", []).append({"qualifier": "x"})),
    ("a date that is no text", lambda d: d.setdefault("dates", []).append({"qualifier": "x", "date": 20261130})),
    ("notes that are no list", lambda d: d.update(notes="n")),
]
LINE_BROKEN: list[tuple[str, Any]] = [
    ("a quantity that is no number", lambda ln: ln.update(quantity="lots")),
    ("a quantity NaN", lambda ln: ln.update(quantity="NaN")),
    ("a quantity infinite", lambda ln: ln.update(quantity=Decimal("Infinity"))),
    ("a quantity with a thousands mark", lambda ln: ln.update(quantity="1,000")),
    ("a price as a float", lambda ln: ln.update(unit_price=12.5)),
    ("a line field the model does not have", lambda ln: ln.update(colour="red")),
    ("a None for the unit", lambda ln: ln.update(unit=None)),
    ("an allocation that is no number", lambda ln: ln.update(allocations={"0001": "x"})),
    ("item ids that are not text", lambda ln: ln.update(item_ids={"upc": 12})),
    ("a line without a quantity", lambda ln: (ln.pop("quantity", None), ln.pop("quantities", None))),
    ("an allowance of no kind", lambda ln: ln.update(allowances_charges=[{"kind": "fee", "amount": "1"}])),
    ("a tax rate that is no number", lambda ln: ln.update(taxes=[{"rate": "high"}])),
]


def _lines(data: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield from data.get("lines") or ()
    for order in data.get("orders") or ():
        yield from order.get("items") or ()


def _one_of_each(documents: list[tuple[str, dict[str, Any]]], *, partners: bool) -> list[tuple[str, dict[str, Any]]]:
    """One document of each kind, purpose and syntax (and partner: its profile's hooks shape the dict)."""
    seen: dict[tuple[str, ...], tuple[str, dict[str, Any]]] = {}
    for name, data in documents:
        source = data["source"]
        key = (data["doc_type"], str(data.get("purpose")), source["syntax"], str(source.get("partner")) * partners)
        seen.setdefault(key, (name, data))
    return list(seen.values())


def test_documents_broken_in_each_way_fail_as_the_models_do(documents: list[tuple[str, dict[str, Any]]]) -> None:
    refused = 0
    for name, data in _one_of_each(documents, partners=True):
        edits = BROKEN + [(what, lambda d, e=edit: [e(ln) for ln in _lines(d)]) for what, edit in LINE_BROKEN]
        for what, edit in edits:
            broken = copy.deepcopy(data)
            edit(broken)
            models = _models(broken)
            text = plain_json(copy.deepcopy(broken))
            assert text is None or text == models, (name, what)
            refused += models is None
    assert refused > 1000


def _paths(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield (*path, key)
            yield from _paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value[:1]):
            yield (*path, index)
            yield from _paths(item, (*path, index))


VALUES = [None, "", "x", "NaN", "1E+2", "-0", "0.000", " 12 ", "0012", 12, 12.5, -1, True, 10**30, [], {},
          {"a": None}, Decimal("-0.00"), Decimal("1E-30"), "\u0661\u0662"]


def test_every_field_given_odd_values_is_the_models_json_or_left_to_them(
        documents: list[tuple[str, dict[str, Any]]]) -> None:
    """Each place of one document of each kind given each odd value (and left out): never a JSON the models would
    not write, never a document they refuse."""
    tried = plain = 0
    for name, data in _one_of_each(documents, partners=False):
        for path in list(_paths(data)):
            for value in [...] + VALUES:
                broken = copy.deepcopy(data)
                parent = broken
                for key in path[:-1]:
                    parent = parent[key]
                if value is ...:
                    parent.pop(path[-1])
                else:
                    parent[path[-1]] = value
                text = plain_json(copy.deepcopy(broken))
                tried += 1
                if text is not None:
                    plain += 1
                    assert text == _models(broken), (name, path, value)
    assert tried > 10000 and plain > 3000
