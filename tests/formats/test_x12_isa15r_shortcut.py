"""The usual ISA header passed by one match (`x12._ISA_VALID`) reads exactly as the field-by-field checks read it:
every ISA of the corpus and the samples, and odd ones (short, space-padded, repetition separator '^' or 'U', CRLF,
wrapped at 80 columns, other separators, faulty values) give the same findings, envelope and transactions with the
shortcut as without it (a header it does not take is checked field by field)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from gateway.formats import x12
from tests.helpers.corpus import CORPUS
from tests.helpers.examples import EXAMPLES

ISA = ["00", "          ", "00", "          ", "ZZ", "SENDER         ", "ZZ", "RECEIVER       ", "261130", "1845",
       "U", "00401", "000000042", "0", "P", ">"]
BODY = ("GS*PO*SENDER*RECEIVER*20261130*1845*42*X*004010~ST*850*0001~BEG*00*SA*PO-7**20261130~"
        "PO1*1*10*EA*2.50**UP*012345678905~SE*4*0001~GE*1*42~IEA*1*000000042~")


def _file(fields: list[str], element: str = "*", terminator: str = "~", suffix: str = "", wrap: int = 0) -> bytes:
    text = "ISA" + element + element.join(fields) + terminator + BODY.replace("*", element).replace(
        "~", terminator)
    text = text.replace(terminator, terminator + suffix)
    if wrap:
        text = "\r\n".join(text[i:i + wrap] for i in range(0, len(text), wrap))
    return text.encode()


def _read(data: bytes) -> Any:
    try:
        result = x12.parse(data)
    except Exception as exc:  # noqa: BLE001 - compared as it is
        return (type(exc).__name__, str(exc))
    return ([(i.severity, i.message, i.code, i.element_position, i.value) for i in result.issues],
            [(e.raw_header, e.delimiters, e.test, e.ack_requested) for e in result.interchanges],
            [[list(seg.fields) for seg in tx.segments] for tx in result.transactions])


def _both(data: bytes, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, Any]:
    with_it = _read(data)
    with monkeypatch.context() as patch:
        patch.setattr(x12, "_ISA_VALID", re.compile(r"(?!)"))      # the field-by-field checks only
        without = _read(data)
    return with_it, without


def _edited(changes: dict[int, str]) -> list[str]:
    return [changes.get(i, value) for i, value in enumerate(ISA)]


ODD: list[tuple[str, bytes]] = [
    ("usual", _file(ISA)),
    ("repetition separator ^, 00501", _file(_edited({10: "^", 11: "00501"}))),
    ("repetition separator U, 00403", _file(_edited({11: "00403"}))),
    ("space-padded qualifiers", _file(_edited({4: "  ", 6: "  "}))),
    ("blank ISA16", _file(_edited({15: " "}))),
    ("CRLF after each segment", _file(ISA, suffix="\r\n")),
    ("LF after each segment", _file(ISA, suffix="\n")),
    ("wrapped at 80 columns", _file(ISA, wrap=80)),
    ("element separator |", _file(ISA, element="|")),
    ("element separator GS (0x1D), terminator LF", _file(ISA, element="\x1d", terminator="\n")),
    ("terminator ' with CRLF", _file(ISA, terminator="'", suffix="\r\n")),
    ("short ISA (no ISA16)", _file(ISA[:15])),
    ("unpadded ISA (each field trimmed, as some translators write it)", _file([f.strip() or f for f in ISA])),
    ("short sender id", _file(_edited({5: "SENDER"}))),
    ("long receiver id", _file(_edited({7: "RECEIVER        X"}))),
    ("test usage indicator, TA1 asked", _file(_edited({13: "1", 14: "T"}))),
    ("usage indicator lowercase", _file(_edited({14: "t"}))),
    ("month 13", _file(_edited({8: "261330"}))),
    ("time 2400", _file(_edited({9: "2400"}))),
    ("Arabic-Indic digits in the date", _file(_edited({8: "26\u0661\u0661\u0663\u0660"}))),
    ("fullwidth control number", _file(_edited({12: "\uff10" * 8 + "\uff14"}))),
    ("version 00100", _file(_edited({11: "00100"}))),
    ("control number with a space", _file(_edited({12: "00000004 "}))),
    ("sender holding the terminator", _file(_edited({5: "SEND~R         "}))),
    ("authorization 07", _file(_edited({0: "07"}))),
]


@pytest.mark.parametrize(("what", "data"), ODD, ids=[what for what, _ in ODD])
def test_odd_headers_read_as_field_by_field(what: str, data: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    with_it, without = _both(data, monkeypatch)
    assert with_it == without, what


def test_the_shortcut_takes_the_usual_header_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """(What the other tests compare is worth comparing: the usual header is read without findings, a faulty one
    with them, through the fallback.)"""
    assert _read(_file(ISA))[0] == []
    assert any("ISA09" in message for _, message, *_ in _read(_file(_edited({8: "261330"})))[0])


def test_every_isa_of_the_corpus_and_samples_reads_as_field_by_field(monkeypatch: pytest.MonkeyPatch) -> None:
    files = [p for p in sorted(Path(CORPUS).rglob("*")) + sorted((EXAMPLES / "samples").rglob("*.edi"))
             if p.is_file()]
    compared = 0
    for path in files:
        data = path.read_bytes()
        if b"ISA" not in data[:512]:
            continue
        with_it, without = _both(data, monkeypatch)
        assert with_it == without, path.name
        compared += 1
    assert compared > 60
