"""Every CSV file of ../shared/corpus reads without a crash, with the dialect its source describes."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.config.models import CsvSettings
from gateway.formats import csv as csv_format
from tests.helpers.corpus import corpus_files, needs_corpus

FILES = corpus_files("csv", "*.csv")

pytestmark = needs_corpus

# (settings, expected documents, expected data rows) per file, from SOURCES.md's descriptions.
DIALECTS = {
    "inventory_stedi_shopify.csv": (CsvSettings(group_by="Handle"), None, None),
    "invoice-header_bots_alto.csv": (CsvSettings(header=False, group_by="1"), None, None),
    "invoice-detail_bots_alto.csv": (CsvSettings(header=False, group_by="1"), None, None),
    "orders_bots_flat-quoted.csv": (CsvSettings(header=False, group_by="5"), None, None),
}


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_corpus_csv_reads(path: Path) -> None:
    settings, _, _ = DIALECTS.get(path.name, (CsvSettings(), None, None))
    data = path.read_bytes()
    result = csv_format.parse(data, settings)
    assert result.errors == [], [str(i) for i in result.errors]
    lines = [ln for ln in data.decode("utf-8", "replace").splitlines() if ln.strip()]
    rows = sum(len(t.rows) for t in result.transactions)
    assert rows == len(lines) - (1 if settings.header else 0)
    keys = [t.control_number for t in result.transactions]
    assert len(keys) == len(set(keys)) and all(keys)
    for tx in result.transactions:
        assert all(row[settings.group_by or "1"].strip() == tx.control_number for row in tx.rows)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_corpus_csv_garbled_dialect_never_crashes(path: Path) -> None:
    for settings in (CsvSettings(delimiter=";", group_by="nope"), CsvSettings(quotechar="", encoding="ascii"),
                     CsvSettings(delimiter="\t", header=False, group_by="9")):
        csv_format.parse(path.read_bytes(), settings)


EXPECTED_SYNTAX = {"x12": "x12", "edifact": "edifact", "xml": "xml", "csv": None}


def test_detect_names_every_corpus_file_by_content() -> None:
    from gateway.formats import detect
    wrong = []
    for folder, syntax in EXPECTED_SYNTAX.items():
        for path in corpus_files(folder):
            found = detect(path.read_bytes())
            if (found.value if found else None) != syntax:
                wrong.append((path.name, found))
    assert wrong == []
    assert detect(b"ISAAC,NEWTON\n1,2\n") is None and detect(b"UNBOXED;qty\n") is None
