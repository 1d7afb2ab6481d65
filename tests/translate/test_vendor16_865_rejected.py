"""The 865 we write for a change line we reject states in ACK02 the quantity rejected, as the 855 does.

VICS has ACK02 the quantity its ACK01 status applies to: `ACK*IR*6*EA` rejects 6. The 865 profile had a
before_write hook of its own (prices only) and wrote the canonical 0 acknowledged, `ACK*IR*0*EA`, which a retailer
reading ACK02 so takes for nothing rejected. Rendered with `edi-gateway render` and read back with `edi-gateway
translate`, as a coordinator checks a document by hand."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.translate.conftest import GOLDEN
from tests.translate.test_cli import run


def round_trip(capsys: pytest.CaptureFixture[str], workspace: Path, tmp_path: Path, doc: dict[str, Any],
               partner: str, doc_type: str) -> tuple[list[str], dict[str, Any]]:
    """`doc` rendered for `partner` with `edi-gateway render` (its segments) and that file read back with
    `edi-gateway translate` (the canonical JSON)."""
    fixture = tmp_path / f"{doc_type}.json"
    fixture.write_text(json.dumps(doc))
    code, out, err = run(capsys, "render", str(fixture), "--partner", partner, "--type", doc_type,
                         "--config", str(workspace))
    assert code == 0, err
    sent = tmp_path / f"{doc_type}.x12"
    sent.write_text(out)
    code, read, err = run(capsys, "translate", str(sent), "--partner", partner, "--config", str(workspace), "--json")
    assert code == 0, err
    return [s.strip() for s in out.split("~")], json.loads(read)


def test_a_rejected_change_line_goes_out_ack_ir_with_the_quantity_rejected_and_reads_back_rejected(
        workspace: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = json.loads((GOLDEN / "bigbox" / "865_change_ack.json").read_text())
    line = doc["lines"][2]                  # POC*3*CA*6: the change asked for 6; we refuse it
    line.update(status="rejected", quantity="0", ordered_quantity="6")
    segments, back = round_trip(capsys, workspace, tmp_path, doc, "bigbox", "865")
    at = segments.index(next(s for s in segments if s.startswith("POC*3*")))
    assert segments[at].startswith("POC*3*CA*6**EA*")
    assert segments[at + 1] == "ACK*IR*6*EA"           # was ACK*IR*0*EA
    read = back["lines"][2]
    assert (read["status"], read["ordered_quantity"], read["quantity"]) == ("rejected", "6", "0")
