"""A canonical model that gains a serializer, a model-valued default or a float field keeps the models' JSON:
`canonical.plain_json` has no plain form of such a schema (every document then goes the models' way) rather
than write it differently. Before, a model_serializer was skipped, a default_factory returning a model (or a model
instance as default) was written with its Nones as null, and a float's overflow as Infinity where the models
write null: journaled JSON that posting, replays and status pages would have read differently."""

from __future__ import annotations

from typing import Any

import pydantic_core
import pytest
from pydantic import BaseModel, Field, model_serializer

from gateway.translate import canonical
from gateway.translate.canonical import Model, Source, Totals


class _Note(Model):
    text: str | None = None
    urgent: bool = False


class _Serialized(Model):
    amount: str

    @model_serializer
    def _out(self) -> dict[str, Any]:
        return {"AMOUNT": self.amount}


class _FactoryModel(Model):
    note: _Note = Field(default_factory=lambda: _Note(urgent=True))


class _InstanceDefault(Model):
    note: _Note = _Note()


class _Weight(Model):
    kilos: float


class _Plain(Model):                    # what plain_json does take: the canonical kinds and defaults
    source: Source = Field(default_factory=Source)
    totals: Totals = Field(default_factory=Totals)
    unit: str = "EA"
    notes: list[str] = Field(default_factory=list)


def _json_of(cls: type[BaseModel], data: dict[str, Any]) -> str | None:
    """The plain copy's JSON of `data`, or None when the copy refuses the schema (the models' way then)."""
    try:
        validator = pydantic_core.SchemaValidator(canonical._plain_schema(cls.__pydantic_core_schema__))
    except TypeError:
        return None
    return pydantic_core.to_json(validator.validate_python(data)).decode()


@pytest.mark.parametrize(("cls", "data"), [
    (_Serialized, {"amount": "1.50"}),
    (_FactoryModel, {}),
    (_InstanceDefault, {}),
    (_Weight, {"kilos": "1e400"}),
])
def test_a_schema_written_otherwise_is_left_to_the_models(cls: type[BaseModel], data: dict[str, Any]) -> None:
    assert _json_of(cls, data) is None      # (the copy's JSON differed from the models': see the module's doc)


def test_the_canonical_kinds_stay_plain() -> None:
    data: dict[str, Any] = {"source": {"syntax": "x12"}, "notes": ["a"]}
    assert _json_of(_Plain, data) == _Plain.model_validate(data).model_dump_json(exclude_none=True)
    assert canonical._PLAIN is not None

