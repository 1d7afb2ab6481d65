"""855 CTT02, X12's hash total of PO102 (data element 347), is of the quantities as the file writes them: a PO102
written 1.50 hashes as 150, a negative one without its sign. It hashed the value without its trailing zeros (15)
while PO102 went out as 1.50, so a retailer checking CTT02 against the file's own PO102s (2 + 3 + 150 = 155) found
20 and refused the acknowledgment. Through edi-gateway render and translate."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.translate.conftest import GOLDEN
from tests.translate.test_vendor16_865_rejected import round_trip


def test_ctt02_hashes_po102_as_written(workspace: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = json.loads((GOLDEN / "northwind" / "855_ack.json").read_text())
    doc["lines"][1]["ordered_quantity"] = "-3"
    doc["lines"][2]["ordered_quantity"] = "1.50"
    segments, _back = round_trip(capsys, workspace, tmp_path, doc, "northwind", "855")
    po102 = [s.split("*")[2] for s in segments if s.startswith("PO1*")]
    assert po102 == ["2", "-3", "1.50"]
    assert "CTT*3*155" in segments                          # 2 + 3 + 150, as a receiver sums the file's PO102s
