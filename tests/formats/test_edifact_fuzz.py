"""Property tests: any value survives write -> read; no input, however broken, makes a reader raise."""

from __future__ import annotations

import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gateway.config.models import CsvSettings
from gateway.errors import FormatError
from gateway.formats import csv as csv_format
from gateway.formats import edifact
from gateway.formats import xml as xml_format
from gateway.formats.base import Delimiters
from tests.helpers.corpus import corpus_files

SEEDS = [p.read_bytes() for p in corpus_files("edifact", "*.edi")[:12]]   # plus a built-in one: runs without the corpus
SEEDS.append(b"UNA:+.? 'UNB+UNOC:3+S+R+261129:0900+1'UNH+1+ORDERS:D:96A:UN'BGM+220+1'UNT+3+1'UNZ+1+1'")

# Latin-1 text including every service character the writer must release.
value = st.text(alphabet=st.sampled_from("AZaz09 .,-/()'+:?*!|\u00e9\u00fc"), max_size=12)
composite = st.lists(value, min_size=1, max_size=4)
segment = st.tuples(st.sampled_from(["FTX", "NAD", "RFF", "IMD"]), st.lists(composite, min_size=1, max_size=5))
DELIMS = [None, Delimiters("|", ":", "'", None, "!"), Delimiters("+", ":", "'", "*", "?")]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(segment, min_size=1, max_size=6), st.sampled_from(DELIMS))
def test_every_value_survives_write_then_read(body: list[tuple[str, list[list[str]]]],
                                              delims: Delimiters | None) -> None:
    w = edifact.Writer(sender=edifact.Party("S", "14"), recipient=edifact.Party("R", "14"), control_number="9",
                       date="261129", time="0900", delimiters=delims, syntax_version="4" if delims and
                       delims.repetition else "3")
    w.message("1", "ZZZZZZ:D:96A:UN", [(tag, elements) for tag, elements in body])
    result = edifact.parse(w.to_bytes())
    assert result.issues == [], [str(i) for i in result.issues]
    segs = result.transactions[0].segments[1:-1]
    for (tag, elements), seg in zip(body, segs, strict=True):
        assert seg.tag == tag
        expected = [[c for c in comps] for comps in elements]
        while expected and not any(expected[-1]):
            expected.pop()
        for pos, comps in enumerate(expected, start=1):
            trimmed = list(comps)
            while trimmed and not trimmed[-1]:
                trimmed.pop()
            got = [seg.component(pos, n) for n in range(1, len(trimmed) + 1)]
            assert got == trimmed


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(SEEDS), st.lists(st.tuples(st.integers(0, 10_000), st.binary(max_size=4)), max_size=6),
       st.integers(0, 10_000))
def test_mutated_interchanges_never_raise(seed: bytes, edits: list[tuple[int, bytes]], cut: int) -> None:
    data = bytearray(seed)
    for at, blob in edits:
        at %= len(data) + 1
        data[at:at + len(blob)] = blob
    data = data[: max(1, cut % (len(data) + 1))]
    result = edifact.parse(bytes(data))
    list(edifact.iter_segments(io.BytesIO(bytes(data)), 64))
    for issue in result.issues:
        assert issue.location() and issue.message
    try:
        edifact.write_result(result)
    except FormatError as exc:            # a value the declared character set cannot carry: said clearly
        assert "cannot be written" in str(exc)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_random_bytes_never_raise_in_any_reader(data: bytes) -> None:
    edifact.parse(b"UNB+" + data)
    edifact.parse(b"UNA:+.? '" + data)
    csv_format.parse(data, CsvSettings(group_by="1", header=False))
    csv_format.parse(data, CsvSettings(delimiter=";", encoding="ascii"))
    xml_format.parse(b"<a>" + data)
    xml_format.parse(data)


def test_hostile_runs_of_released_terminators_stay_one_segment() -> None:
    value = "?'" * 200_000
    data = f"UNB+UNOA:3+S+R+261129:0900+1'UNH+1+X:D:96A:UN'FTX+AAI+++{value}'UNT+3+1'UNZ+1+1'".encode()
    r = edifact.parse(data, validate=False)
    assert r.issues == []
    assert r.transactions[0].segments[1].get(4) == "'" * 200_000
