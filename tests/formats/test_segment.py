"""The Segment type's contract: named fields over a list, one meaning whichever way it was built."""

from __future__ import annotations

import copy
import pickle

from gateway.formats import x12
from gateway.formats.base import POSITION, Segment


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
    fields = ("BEG", ["00", "SA", "PO1"], 2, 40, ":", "^", None)
    made = Segment.bulk(fields)
    assert isinstance(made, Segment)
    assert made == Segment(*fields)
    assert (made.tag, made.elements, made.position, made.offset, made.component_sep, made.repetition_sep) == \
        fields[:6]
    made.suffix = "\n"
    assert made.suffix == "\n"


def test_segments_survive_pickle_and_copy() -> None:
    seg = Segment.bulk(("N1", ["ST", "DC 1"], 5, 99, ">", None, "\n"))
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
