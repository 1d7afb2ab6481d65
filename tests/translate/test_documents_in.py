"""Reading one PO's documents out of a batch message's canonical blob builds only that PO's: the 855/856/810 of
each sale order read the partner's order back from the journal (`standing_orders`), and a scheduler run over the
deliveries of a 300-PO batch built all 300 documents for each of them."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from gateway.translate import canonical
from gateway.translate.canonical import Line, PurchaseOrder, blob_of, documents_in, to_json


def batch(numbers: list[str]) -> str:
    return blob_of([to_json(PurchaseOrder(number=n, date="2026-11-27", lines=[
        Line(line_no="1", item_ids={"buyer": "BB-1001"}, quantity=Decimal(1), unit="EA")]), indent=None)
        for n in numbers])


@pytest.mark.parametrize("number", ["PO-150", 'PO "7"', "PÖ-9"])
def test_only_the_documents_of_the_number_are_built(number: str, monkeypatch: pytest.MonkeyPatch) -> None:
    numbers = [f"PO-{i}" for i in range(300)] + [number, "PO-1500"]
    built: list[str] = []
    real = canonical.from_dict

    def counting(data: dict[str, object]) -> canonical.Document:
        built.append(str(data["number"]))
        return real(data)
    monkeypatch.setattr(canonical, "from_dict", counting)
    assert [d.number for d in documents_in(batch(numbers), number)] == [number] * (2 if number == "PO-150" else 1)
    assert built == [number] * (2 if number == "PO-150" else 1)      # PO-1500 holds the text PO-150: parsed, not built


def test_a_blob_of_the_old_layout_is_filtered_too() -> None:
    old = json.dumps([json.loads(line.rstrip(",")) for line in batch(["A", "B", "A"]).splitlines()[1:-1]])
    assert [d.number for d in documents_in(old, "A")] == ["A", "A"]
    assert [d.number for d in documents_in(old)] == ["A", "B", "A"]
