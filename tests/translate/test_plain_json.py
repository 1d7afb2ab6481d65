"""The pipeline's JSON of an inbound document without the canonical model's instances (`translate_json`,
`canonical.plain_json`) is the models' own JSON, byte for byte, and a document they refuse fails the same way."""

from __future__ import annotations

import copy
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from gateway.errors import GatewayError
from gateway.formats import edifact, x12
from gateway.translate import ProfileRegistry, inbound, translate
from gateway.translate.canonical import from_dict, plain_json, to_json
from gateway.translate.inbound import translate_json

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "corpus"
SAMPLES = ROOT / "gateway" / "examples" / "samples"


@pytest.fixture(scope="module")
def profiles() -> ProfileRegistry:
    return ProfileRegistry.load([])


def _files() -> list[Path]:
    found = sorted(SAMPLES.glob("*/*.edi"))
    if CORPUS.is_dir():
        found += sorted((CORPUS / "x12").glob("*.edi")) + sorted((CORPUS / "edifact").glob("*"))
    return [path for path in found if path.is_file()]


def _outcome(call: Any) -> Any:
    try:
        return call()
    except GatewayError as exc:
        return (type(exc).__name__, str(exc))


def test_every_sample_and_corpus_file_gives_the_models_json_or_their_error(profiles: ProfileRegistry) -> None:
    translated = plain = 0
    for path in _files():
        data = path.read_bytes()
        reader = x12 if data.lstrip(b"\xef\xbb\xbf \r\n").startswith(b"ISA") else edifact
        try:
            result = reader.parse(data)
        except GatewayError:
            continue
        for tx in result.transactions:
            if tx.doc_type in ("997", "999", "TA1", "CONTRL"):
                continue
            models = _outcome(lambda tx=tx: [to_json(d, indent=None) for d in translate(tx, None, profiles)])
            assert _outcome(lambda tx=tx: translate_json(tx, None, profiles)) == models, (path.name, tx.index)
            if isinstance(models, list):
                translated += 1
                profile = inbound.profile_for(tx, None, profiles)
                plain += plain_json(inbound.read(profile, tx)) is not None
    assert translated > 40
    assert plain > translated * 0.8       # the point of it: most documents need no model instances


@pytest.fixture(scope="module")
def order(profiles: ProfileRegistry) -> dict[str, Any]:
    tx = x12.parse((SAMPLES / "bigbox" / "850_4500001234.edi").read_bytes()).transactions[0]
    return inbound.read(inbound.profile_for(tx, None, profiles), tx)


def _same(data: dict[str, Any]) -> str | None:
    """plain_json(data), checked against the models: the same text, or None where the models refuse it."""
    text = plain_json(copy.deepcopy(data))
    try:
        expected = to_json(from_dict(copy.deepcopy(data)), indent=None)
    except ValueError:
        assert text is None
        return None
    assert text is None or text == expected
    return text


def _edit(order: dict[str, Any], change: Any) -> dict[str, Any]:
    data = copy.deepcopy(order)
    change(data)
    return data


def test_a_plain_order_is_the_models_json(order: dict[str, Any]) -> None:
    assert _same(order) is not None


@pytest.mark.parametrize(("what", "change", "plain"), [
    ("a None given for a field that defaults to None", lambda d: d["parties"][0].update(name2=None), False),
    ("a None given in a line", lambda d: d["lines"][0].update(price_basis=None, description=None), False),
    ("a line without a quantity", lambda d: d["lines"][0].pop("quantity"), False),
    ("a deleted change line without one", lambda d: (d["lines"][0].pop("quantity"),
                                                    d["lines"][0].update(change="delete")), True),
    ("an added change line without one", lambda d: (d["lines"][0].pop("quantity"),
                                                   d["lines"][0].update(change="add")), False),
    ("an original order without lines", lambda d: d.update(lines=[]), False),
    ("a cancellation without lines", lambda d: d.update(lines=[], purpose="cancel"), True),
    ("a field the model does not have", lambda d: d["lines"][0].update(colour="red"), False),
    ("a quantity that is no number", lambda d: d["lines"][0].update(quantity="lots"), False),
    ("a quantity as text", lambda d: d["lines"][0].update(quantity="12.50"), True),
    ("a party without its role", lambda d: d["parties"][0].pop("role"), False),
    ("a None for a field with another default", lambda d: d["lines"][0].update(unit=None), False),
    ("a None for the whole address", lambda d: d["parties"][0].update(address=None), False),
    ("a source without a group (EDIFACT)", lambda d: d["source"].update(group_control=None), True),
    ("a None for the test flag", lambda d: d["source"].update(test=None), False),
    ("an allocation", lambda d: d["lines"][0].update(allocations={"0001": Decimal(1)}), True),
    ("non-ASCII text", lambda d: d["lines"][0].update(description="Kölner Würfel \u2013 5\u00a0cm"), True),
])
def test_edited_orders(order: dict[str, Any], what: str, change: Any, plain: bool) -> None:
    data = _edit(order, change)
    assert (_same(data) is not None) is plain, what


def test_an_acknowledgement_is_left_to_its_model() -> None:
    """Its model validator fills in one quantity from the other: only the model does that."""
    data = {"doc_type": "PurchaseOrderAck", "number": "A1", "po_number": "PO1",
            "lines": [{"line_no": "1", "item_ids": {"buyer": "X"}, "ordered_quantity": Decimal(4)}]}
    assert plain_json(data) is None
    assert '"quantity":"4"' in to_json(from_dict(data), indent=None)


def test_invoices_and_ship_notices(order: dict[str, Any]) -> None:
    line = {"line_no": "1", "item_ids": {"buyer": "X"}, "quantity": Decimal(2), "unit_price": Decimal("1.5")}
    invoice = {"doc_type": "Invoice", "number": "I1", "lines": [line]}
    assert _same(invoice) is not None
    assert _same({**invoice, "lines": [{**line, "quantity": None}]}) is None
    assert _same({**invoice, "lines": []}) is None
    notice = {"doc_type": "ShipNotice", "number": "S1", "orders": [
        {"po_number": "PO1", "packs": [{"sscc": "1", "packs": [{"items": [{"quantity": Decimal(1)}]}]}]}]}
    assert _same(notice) is not None
    assert _same({**notice, "orders": []}) is None


def test_a_validator_with_no_plain_form_is_never_skipped() -> None:
    """A field validator has no plain form: building the copy refuses it (and the module then takes the models'
    way for every document) rather than leave the check out."""
    from pydantic import BaseModel, field_validator

    from gateway.translate import canonical

    class Checked(BaseModel):
        code: str

        @field_validator("code")
        @classmethod
        def _upper(cls, value: str) -> str:
            return value.upper()

    with pytest.raises(TypeError):
        canonical._plain_schema(Checked.__pydantic_core_schema__)
