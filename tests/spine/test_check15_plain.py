"""`canonical.check_plain` (what the pipeline checks, on the plain dict `plain_json` validated) says the very
sentences the models' `check()` says (what `edi-gateway translate` prints): one check for both."""

from __future__ import annotations

from typing import Any

import pytest

from gateway.translate import canonical

LINES: list[dict[str, Any]] = [
    {"line_no": "1", "quantity": "-2", "unit_price": "1.50", "amount": "9.00", "item_ids": {"upc": "614141000012"}},
    {"line_no": "2", "quantity": "10", "allocations": {"0001": "4", "0002": "5"}, "allocation_kind": "store",
     "item_ids": {"buyer": "BB-2"}},
    {"quantity": "3", "unit_price": "2"},
]

DOCUMENTS: list[dict[str, Any]] = [
    {"doc_type": "PurchaseOrder", "number": "PO1", "lines": LINES,
     "totals": {"line_count": 4, "quantity_total": "12"}},
    {"doc_type": "Invoice", "number": "INV1", "lines": [{**line, "unit_price": line.get("unit_price", "1")}
                                                        for line in LINES],
     "allowances_charges": [{"kind": "charge", "amount": "5.00"}], "taxes": [{"amount": "1.10"}],
     "totals": {"line_count": 3, "total_amount": "99.99"}},
    {"doc_type": "ShipNotice", "number": "SN1", "orders": [{"po_number": "PO7"}]},
    {"doc_type": "PurchaseOrder", "number": "PO2", "lines": LINES[1:2], "totals": {"line_count": 1}},
]


@pytest.mark.parametrize("data", DOCUMENTS, ids=[d["number"] for d in DOCUMENTS])
def test_the_plain_check_says_what_the_models_check_says(data: dict[str, Any]) -> None:
    found: list[list[str]] = []
    assert canonical.plain_json(data, found) is not None          # the pipeline's way, not the models'
    expected = canonical.from_dict(data).check()
    assert expected, "a document with problems"
    assert found == [expected]
