"""The Segment type's contract: named fields over a list, one meaning whichever way it was built."""

from __future__ import annotations

import copy
import io
import pickle

from gateway.formats import x12
from gateway.formats.base import OFFSET, POSITION, Segment


def test_fields_defaults_and_element_access() -> None:
    seg = Segment("PO1", ["1", "3", "EA", "12.50", "", "UP", "614141000012"], 4)
    assert (seg.tag, seg.position, seg.offset, seg.component_sep, seg.repetition_sep, seg.suffix) == \
        ("PO1", 4, 0, ">", None, None)
    assert seg.get(3) == "EA" and seg.get(5) == "" and seg.get(99, "-") == "-" and seg.get(0, "-") == "-"
    with_comp = Segment("SLN", ["1", "", "I", "2", "CA>12"], component_sep=">")
    assert with_comp.component(5, 2) == "12" and with_comp.component(5, 3, "x") == "x"
    rep = Segment("N9", ["ZZ", "A^B"], repetition_sep="^")
    assert rep.repeats(2) == ["A", "B"] and rep.repeats(9) == []


def test_fields_are_settable_and_equality_covers_every_field() -> None:
    seg = Segment("SE", ["3", "0001"], 3, 120)
    seg.position = 7
    seg.suffix = "\r\n"
    assert seg.position == 7 and seg.suffix == "\r\n"
    seg[POSITION] = 9                       # the readers' hot-loop store
    assert seg.position == 9
    assert seg == Segment("SE", ["3", "0001"], 9, 120, suffix="\r\n")
    assert seg != Segment("SE", ["3", "0001"], 9, 121, suffix="\r\n")
    assert "tag='SE'" in repr(seg) and "suffix='\\r\\n'" in repr(seg)


def test_bulk_segments_are_segments_with_the_same_fields() -> None:
    made = Segment.bulk((["BEG", "00", "SA", "PO1"], 2, 40, (":", "^")))
    assert isinstance(made, Segment)
    assert made == Segment("BEG", ["00", "SA", "PO1"], 2, 40, ":", "^")
    assert (made.tag, made.fields, made.position, made.offset, made.component_sep, made.repetition_sep) == \
        ("BEG", ["BEG", "00", "SA", "PO1"], 2, 40, ":", "^")
    assert made.get(3) == "PO1" and made.get(4) == "" and made.separators == (":", "^")
    made.suffix = "\n"
    assert made.suffix == "\n" and made == Segment("BEG", ["00", "SA", "PO1"], 2, 40, ":", "^", "\n")
    made.suffix = None
    assert made.suffix is None and made == Segment("BEG", ["00", "SA", "PO1"], 2, 40, ":", "^")


def test_the_tag_is_field_zero_and_element_n_is_field_n() -> None:
    seg = Segment("N1", ["ST", "DC 1", "92", "0042"])
    assert seg.fields == ["N1", "ST", "DC 1", "92", "0042"] and seg.get(4) == seg.fields[4] == "0042"
    seg.tag = "N2"
    seg.component_sep = ":"
    seg.repetition_sep = "^"
    assert (seg.fields[0], seg.separators) == ("N2", (":", "^"))
    assert seg != Segment("N1", ["ST", "DC 1", "92", "0042"])


def test_segments_survive_pickle_and_copy() -> None:
    seg = Segment("N1", ["ST", "DC 1"], 5, 99, ">", None, "\n")
    for twin in (pickle.loads(pickle.dumps(seg)), copy.copy(seg), copy.deepcopy(seg)):
        assert twin == seg and isinstance(twin, Segment) and twin.suffix == "\n"


def test_reader_segments_carry_their_positions_and_offsets() -> None:
    data = (b"ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *261129*0900*U*00401*"
            b"000000001*0*P*>~\nGS*PO*S*R*20261129*0900*1*X*004010~\nST*850*0001~\nBEG*00*SA*PO1**20261129~\n"
            b"SE*3*0001~\nGE*1*1~\nIEA*1*000000001~\n")
    result = x12.parse(data, validate=False)
    segs = result.transactions[0].segments
    assert [(s.tag, s.position) for s in segs] == [("ST", 1), ("BEG", 2), ("SE", 3)]
    assert [data[s.offset:s.offset + 3] for s in segs] == [b"ST*", b"BEG", b"SE*"]
    assert all(isinstance(s, Segment) for s in segs)


BIG = (b"ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *261129*0900*U*00401*"
       b"000000001*0*P*>~\nGS*PO*S*R*20261129*0900*1*X*004010~\n"
       + b"".join(b"ST*850*%04d~\nBEG*00*SA*PO%d**20261129~\n" % (n, n)
                  + b"".join(b"PO1*%d*%d*EA*1.5**UP*6141410000%02d~\n" % (i, i, i) for i in range(1, 30))
                  + b"SE*31*%04d~\n" % n for n in range(1, 41))
       + b"GE*40*1~\nIEA*1*000000001~\n")


def test_lazily_located_segments_find_their_bytes_and_pin_when_renumbered() -> None:
    """The bulk path locates offsets lazily (from the chunk's text and the position): every one must
    still point at its segment, survive a change of position, and compare and pickle by value."""
    result = x12.parse(BIG, validate=False)
    segs = [s for tx in result.transactions for s in tx.segments]
    assert any(not isinstance(s[OFFSET], int) for s in segs)        # the lazy form is what is being tested
    assert all(BIG[s.offset:s.offset + len(s.tag) + 1] == s.tag.encode() + b"*" for s in segs)
    again = x12.parse(BIG, validate=False)
    assert [s for tx in again.transactions for s in tx.segments] == segs
    po1 = result.transactions[5].segments[7]
    where = po1.offset
    po1.position = 99                                           # pins the offset before renumbering
    assert po1.offset == where and isinstance(po1[OFFSET], int) and BIG[where:where + 6] == b"PO1*6*"
    twin = pickle.loads(pickle.dumps(result.transactions[9].segments[4]))
    assert twin == result.transactions[9].segments[4] and isinstance(twin[OFFSET], int)
    assert copy.copy(result.transactions[9].segments[4]).offset == twin.offset
    assert result.transactions[9].segments[4] != result.transactions[9].segments[5]


def test_offsets_are_the_same_whatever_the_chunk_size() -> None:
    """Chunks cut mid-segment, mid-transaction and on the terminator: each run locates its own."""
    whole = [(s.tag, s.position, s.offset) for tx in x12.parse(BIG, validate=False).transactions for s in tx.segments]
    for size in (64, 333, 1000, 4096):
        reader = x12.X12Reader(io.BytesIO(BIG), chunk_size=size)
        assert [(s.tag, s.position, s.offset) for tx in reader for s in tx.segments] == whole


def test_positions_past_the_precomputed_numbers_come_from_a_range() -> None:
    """A transaction set longer than the reader's table of ready-made numbers (half a chunk of them):
    positions go on counting, the SE count still matches, offsets still point at their segments."""
    lines = 9_500
    data = (b"ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *261129*0900*U*00401*"
            b"000000001*0*P*>~\nGS*PO*S*R*20261129*0900*1*X*004010~\nST*850*0001~\nBEG*00*SA*PO1**20261129~\n"
            + b"".join(b"PO1*%d*1*EA*1.5**UP*614141000012~\n" % i for i in range(1, lines + 1))
            + b"SE*%d*0001~\nGE*1*1~\nIEA*1*000000001~\n" % (lines + 3))
    result = x12.parse(data, validate=False)
    assert not result.errors
    segs = result.transactions[0].segments
    assert [s.position for s in segs] == list(range(1, lines + 4))
    for s in (segs[8190], segs[8191], segs[8192], segs[9000], segs[-2]):
        assert data[s.offset:s.offset + len(s.tag) + 1] == s.tag.encode() + b"*"
