"""`parse(data, each=...)` hands over each transaction as it is read, and the caller may let its segments go:
on every corpus file (and damaged variants) the result is the one of a whole-file parse, issue for issue,
acceptance for acceptance, segment count included; each transaction comes once, in file order, with its
segments still there."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from gateway.errors import FormatError
from gateway.formats import edifact, x12
from gateway.formats.base import ParseResult, Transaction
from tests.helpers.corpus import corpus_files, needs_corpus

X12_FILES = corpus_files("x12")
EDIFACT_FILES = corpus_files("edifact")


def _summary(result: ParseResult) -> tuple[Any, ...]:
    issues = Counter((i.severity, i.code, i.level, i.interchange, i.group, i.transaction, i.segment_tag,
                      i.segment_position, i.element_position, i.message) for i in result.issues)
    txs = [(t.doc_type, t.control_number, t.index, t.accepted) for t in result.transactions]
    return issues, txs, result.segment_count, len(result.interchanges), len(result.groups)


def _both(read: Any, data: bytes) -> None:
    try:
        whole = read(data)
    except FormatError:
        with pytest.raises(FormatError):
            read(data, each=lambda tx: None)
        return
    seen: list[tuple[str, int]] = []

    def each(tx: Transaction) -> None:
        seen.append((tx.control_number, len(tx.segments)))
        del tx.segments[1:]                         # what the pipeline does

    streamed = read(data, each=each)
    assert _summary(streamed) == _summary(whole)
    assert seen == [(t.control_number, len(w.segments)) for t, w in zip(streamed.transactions, whole.transactions,
                                                                        strict=True)]


def _variants(data: bytes) -> list[bytes]:
    """The file, and the file cut short and with its second half's trailers damaged."""
    half = len(data) // 2
    return [data, data[:half], data[:half] + data[half:].replace(b"SE", b"SX").replace(b"UNT", b"UNX")]


@needs_corpus
@pytest.mark.parametrize("path", X12_FILES, ids=[p.name for p in X12_FILES])
def test_x12_streamed_parse_equals_the_whole_file_parse(path: Path) -> None:
    for data in _variants(path.read_bytes()):
        _both(x12.parse, data)


@needs_corpus
@pytest.mark.parametrize("path", EDIFACT_FILES, ids=[p.name for p in EDIFACT_FILES])
def test_edifact_streamed_parse_equals_the_whole_file_parse(path: Path) -> None:
    for data in _variants(path.read_bytes()):
        _both(edifact.parse, data)
