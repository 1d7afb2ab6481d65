"""Property tests: generated and mutated interchanges never crash or hang the X12 reader.

"Never crash" means: `x12.parse` returns a ParseResult or raises FormatError (not X12 at
all), and whatever it returns can be written back and inspected. Examples are bounded so
the whole module runs in seconds.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gateway.errors import FormatError
from gateway.formats import x12
from gateway.formats.base import Delimiters, ParseResult, Severity
from gateway.formats.x12 import OutGroup, OutTransaction, write_interchange

SEPARATORS = "*|~^!:>@`}\\\x15\x1d\x1c"
TAGS = ["BEG", "PO1", "PID", "CTT", "N1", "N3", "N4", "REF", "DTM", "HL", "LIN", "SN1", "ZZZ", "IT1", "TDS", "AK1"]
VALUE = st.text(alphabet=st.characters(codec="utf-8", exclude_characters=SEPARATORS + "\r\n"), max_size=12)


@st.composite
def delimiters(draw: st.DrawFn) -> Delimiters:
    chosen = draw(st.lists(st.sampled_from(SEPARATORS), min_size=4, max_size=4, unique=True))
    suffix = draw(st.sampled_from(["", "\n", "\r\n", "  "]))
    if draw(st.booleans()):
        chosen[2], suffix = draw(st.sampled_from(["\n", "\r"])), ""
    return Delimiters(chosen[0], chosen[1], chosen[2], chosen[3], suffix=suffix)


@st.composite
def interchanges(draw: st.DrawFn) -> bytes:
    d = draw(delimiters())
    sets = []
    for n in range(draw(st.integers(1, 3))):       # X12.6: a functional group holds one or more sets
        body = [[draw(st.sampled_from(TAGS)), *draw(st.lists(VALUE, max_size=6))]
                for _ in range(draw(st.integers(0, 8)))]
        body = [[tag, *(v.replace(d.element, "").replace(d.component, "").replace(d.segment, "")
                        .replace(d.repetition or "", "") for v in values)] for tag, *values in body]
        sets.append(OutTransaction(draw(st.sampled_from(["850", "856", "810", "997", "999", "940"])),
                                   f"{n + 1:04d}", body))
    version = draw(st.sampled_from(["00401", "00501"]))
    data = write_interchange(d, ("ZZ", "SENDER"), ("ZZ", "RECEIVER"), draw(st.integers(1, 999_999_999)),
                             [OutGroup("PO", "S", "R", "1", "004010" if version == "00401" else "005010", sets)],
                             version=version)
    return data * draw(st.integers(1, 2))


def check(data: bytes) -> ParseResult | None:
    try:
        result = x12.parse(data)
    except FormatError:
        return None
    try:
        x12.write_parsed(result)
    except FormatError as exc:
        # a value holding a delimiter cannot be written back; the reader must have flagged it already
        assert result.errors, f"writer refused what the reader found clean: {exc}"
    for issue in result.issues:
        assert issue.message and str(issue)
    return result


FAST = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(interchanges())
def test_generated_interchanges_read_cleanly_and_round_trip(data: bytes) -> None:
    result = check(data)
    assert result is not None
    envelope = [i for i in result.issues if i.severity is Severity.ERROR and i.level in ("interchange", "group")]
    assert envelope == [], [str(i) for i in envelope]
    assert x12.write_parsed(result) == data


@FAST
@given(interchanges(), st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255),
                                          st.sampled_from(["replace", "insert", "delete"])), min_size=1, max_size=6))
def test_mutated_interchanges_never_crash(data: bytes, edits: list[tuple[int, int, str]]) -> None:
    buf = bytearray(data)
    for pos, byte, op in edits:
        at = pos % (len(buf) + 1)
        if op == "insert":
            buf[at:at] = bytes([byte])
        elif buf and at < len(buf):
            if op == "replace":
                buf[at] = byte
            else:
                del buf[at]
    check(bytes(buf))


@FAST
@given(interchanges(), st.integers(8, 400))
def test_every_segment_offset_points_at_its_tag_whatever_the_layout_and_chunk(data: bytes, chunk: int) -> None:
    """Offsets located lazily (the bulk path) or stored (one by one) name the byte where the segment's tag
    starts, for every generated separator, suffix and chunk size; read whole or streamed, the same."""
    result = check(data)
    assert result is not None
    segments = [s for t in result.transactions for s in t.segments]
    segments += [s for e in result.interchanges for s in e.service_segments]
    for seg in segments:
        assert data[seg.offset:seg.offset + len(seg.tag.encode())] == seg.tag.encode(), (seg, seg.offset)
    streamed = [(s.tag, s.position, s.offset) for t in x12.X12Reader(data, chunk_size=chunk) for s in t.segments]
    assert streamed == [(s.tag, s.position, s.offset) for t in result.transactions for s in t.segments]


@FAST
@given(st.binary(max_size=600))
def test_arbitrary_bytes_after_an_isa_prefix_never_crash(tail: bytes) -> None:
    check(b"ISA*00*          *00*          *ZZ*A              *ZZ*B              *260101*1200*U*00401*"
          b"000000001*0*P*>~" + tail)
    check(tail)


@FAST
@given(st.integers(2, 40), st.integers(16, 200))
def test_truncated_files_are_reported_not_fatal(cut: int, chunk: int) -> None:
    data = (b"ISA*00*          *00*          *ZZ*A              *ZZ*B              *260101*1200*U*00401*"
            b"000000001*0*P*>~GS*PO*A*B*20260101*1200*1*X*004010~ST*850*0001~BEG*00*SA*1**20260101~"
            b"PO1*1*1*EA*1**UP*1~CTT*1~SE*5*0001~GE*1*1~IEA*1*000000001~")
    result = check(data[:-cut])
    assert result is not None and result.errors
    streamed = list(x12.X12Reader(data[:-cut], chunk_size=chunk))
    assert [t.control_number for t in streamed] == [t.control_number for t in result.transactions]


@pytest.mark.timeout(60)
def test_pathological_inputs_finish_quickly() -> None:
    """Many broken headers, one huge segment, thousands of empty segments: linear, not quadratic."""
    check(b"ISA!" * 20_000)
    check(b"ISA*" + b"x" * 2_000_000)
    head = (b"ISA*00*          *00*          *ZZ*A              *ZZ*B              *260101*1200*U*00401*"
            b"000000001*0*P*>~")
    check(head + b"~" * 50_000 + b"IEA*0*000000001~")
    many = head.replace(b"000000001", b"000000002") + b"IEA*0*000000002~"
    result = check((head + b"IEA*0*000000001~") + many * 3_000)
    assert result is not None and len(result.interchanges) == 3_001


@pytest.mark.timeout(120)
def test_a_file_without_terminators_is_given_up_in_bounded_time_and_memory() -> None:
    from gateway.formats import x12_tokens
    head = (b"ISA*00*          *00*          *ZZ*A              *ZZ*B              *260101*1200*U*00401*"
            b"000000001*0*P*>~GS*PO*A*B*20260101*1200*1*X*004010~ST*850*0001~BEG*00*SA*1")
    result = check(head + b"*X" * (x12_tokens.MAX_SEGMENT // 2 + 100_000))
    assert result is not None
    assert any(i.code == "004" and "no segment terminator" in i.message for i in result.errors)
