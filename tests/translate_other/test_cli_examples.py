"""The coordinator's view of the example partners: `translate` and `render` on the shipped workspace,
and `lint` finding nothing wrong with the non-X12 base profiles and the partners' overrides."""

from __future__ import annotations

import pytest

from gateway.cli import main
from gateway.translate import ProfileRegistry, lint_profiles
from tests.translate_other.conftest import EXAMPLES, HERE

CONFIG = str(EXAMPLES / "gateway.yaml")


def test_translate_identifies_eurohandel_from_the_unb_and_shows_lines(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["translate", str(EXAMPLES / "samples" / "eurohandel" / "ORDERS_4500012346-47.edi"),
                 "--config", CONFIG])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "partner eurohandel" in out and "4500012346" in out and "4500012347" in out
    assert "line    1: 2 DZN @ 150.00" in out            # KAR read as dozens


def test_translate_reads_csv_in_the_dialect_of_the_partner_that_sends_csv(
        capsys: pytest.CaptureFixture[str]) -> None:
    sample = str(EXAMPLES / "samples" / "shopmarket" / "orders_20261128_0600.csv")
    assert main(["translate", sample, "--config", CONFIG, "--partner", "shopmarket"]) == 0
    out = capsys.readouterr().out
    assert out.count("PurchaseOrder SM-2026-1187") == 3
    assert "ship_to    Müller; Peter" in out                 # a quoted ";" stays in the cell
    assert "line    2: 3 EA @ 8.75" in out                   # decimal comma read


def test_render_prints_the_desadv(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["render", str(HERE / "fixtures" / "eurohandel_shipnotice.json"), "--partner", "eurohandel",
                 "--type", "DESADV", "--config", CONFIG])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "UNH+1+DESADV:D:96A:UN:EAN005'" in out and "GIN+BJ+006141410000010011'" in out


def test_lint_finds_nothing_in_the_non_x12_profiles() -> None:
    registry = ProfileRegistry.load([EXAMPLES / "translations"])
    mine = ("edifact-", "ubl-", "cxml-", "csv-", "eurohandel-", "shopmarket-")
    problems = [str(p) for p in lint_profiles(registry)
                if any(f"/{prefix}" in str(p) for prefix in mine)]
    assert problems == []
