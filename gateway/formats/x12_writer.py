"""X12 writer: segments rendered with a partner's delimiters, envelopes with counts computed.

`X12Writer` is the one place X12 text is produced: ISA fields are padded to their widths,
SE01 / GE01 / IEA01 are counted, never given. `write_interchange()` is the short form for a
whole interchange; `write_parsed()` writes a `ParseResult` back (what the round-trip test
uses: a well-formed file comes back byte for byte, layout included).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from gateway.errors import FormatError
from gateway.formats.base import Delimiters, ParseResult, Segment, Transaction

ISA_WIDTHS = (2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1, 1)

Elements = Sequence[str]


@dataclass(slots=True)
class OutTransaction:
    """A transaction set to write: its body is everything between ST and SE."""

    doc_type: str
    control_number: str
    body: Sequence[Segment | Sequence[str]]       # Segment, or [tag, element1, element2, ...]
    version: str = ""                             # ST03 (005010 implementation guides)


@dataclass(slots=True)
class OutGroup:
    functional_id: str
    sender: str
    receiver: str
    control_number: str
    version: str                                  # GS08 "004010", "005010X231"
    transactions: list[OutTransaction] = field(default_factory=list)
    date: str = ""                                # CCYYMMDD; default now
    time: str = ""                                # HHMM; default now


def pad_isa(elements: Sequence[str]) -> list[str]:
    """ISA01..ISA16 padded to their fixed widths (ISA13 zero-filled); ValueError if one cannot fit."""
    if len(elements) != 16:
        raise ValueError(f"an ISA has 16 elements, got {len(elements)}")
    out = []
    for pos, (value, width) in enumerate(zip(elements, ISA_WIDTHS), start=1):
        value = value.rjust(width, "0") if pos == 13 else value.ljust(width)
        if len(value) != width:
            raise ValueError(f"ISA{pos:02d} {value!r} is longer than {width} characters")
        out.append(value)
    return out


class X12Writer:
    """Accumulates one or more interchanges; `getvalue()` returns the bytes."""

    def __init__(self, delimiters: Delimiters, *, leading: str = "", bom: bool = False) -> None:
        self.d = delimiters
        self._parts: list[str] = ["\ufeff" if bom else "", leading]
        self._groups = 0
        self._sets = 0
        self._count = 0
        self._isa13 = ""
        self._gs06 = ""
        self._st02 = ""

    # ------------------------------------------------------------------ segments
    def segment(self, tag: str, elements: Iterable[str], suffix: str | None = None) -> None:
        """Write one segment; trailing empty elements are the caller's business (kept as given).

        X12 has no escape character: a value holding the element separator or the segment
        terminator would silently cut the partner's reading, so it is refused here (FormatError
        naming the segment and element) rather than sent.
        """
        d = self.d
        values = list(elements)
        text = d.element.join((tag, *values))
        if text.count(d.element) != len(values) or d.segment in text:
            self._refuse(tag, values)
        self._parts.append(text + d.segment + (d.suffix if suffix is None else suffix))
        self._count += 1

    def _refuse(self, tag: str, values: list[str]) -> None:
        d = self.d
        for pos, value in enumerate(values, start=1):
            for sep, what in ((d.element, "element separator"), (d.segment, "segment terminator")):
                if sep in value:
                    raise FormatError(f"{tag}{pos:02d} value {value!r} contains the {what} {sep!r}; change the "
                                      "data or the partner's delimiters", location=f"segment {tag}, element {pos}")
        raise FormatError(f"segment id {tag!r} contains a delimiter", location=f"segment {tag}")

    def _write(self, item: Segment | Sequence[str]) -> None:
        if isinstance(item, Segment):
            fields = item.fields
            self.segment(fields[0], fields[1:], item.suffix)
        else:
            self.segment(item[0], item[1:])

    # ------------------------------------------------------------------ envelopes
    def begin_interchange(self, isa: Sequence[str], suffix: str | None = None, *, exact: bool = False) -> None:
        """ISA01..ISA16 as given, padded to width (`exact`: as read, for rewriting a parsed file).

        ISA16 and, from version 00402 on, ISA11 are taken from the delimiters.
        """
        elements = list(isa)
        if not exact:
            elements[15] = self.d.component
            if self.d.repetition and elements[11] >= "00402":
                elements[10] = self.d.repetition
            elements = pad_isa(elements)
        self._isa13 = elements[12]
        self._groups = 0
        self.segment("ISA", elements, suffix)

    def begin_group(self, gs: Sequence[str], suffix: str | None = None) -> None:
        """GS01..GS08 as given."""
        self._gs06 = gs[5] if len(gs) > 5 else ""
        self._sets = 0
        self._groups += 1
        self.segment("GS", gs, suffix)

    def transaction(self, doc_type: str, control_number: str, body: Iterable[Segment | Sequence[str]],
                    version: str = "", st: Segment | None = None, se: Segment | None = None) -> None:
        """ST, the body, and an SE whose count is computed."""
        start = self._count
        if st is not None:
            self._write(st)
        else:
            self.segment("ST", [doc_type, control_number, version] if version else [doc_type, control_number])
        for item in body:
            self._write(item)
        count = self._count_text(self._count - start + 1, se.get(1) if se else None)
        self.segment("SE", [count, control_number, *(se.fields[3:] if se else ())], se.suffix if se else None)
        self._sets += 1

    def end_group(self, ge: Segment | None = None) -> None:
        """GE with the counted number of sets (`ge`: the trailer as read, for its layout)."""
        count = self._count_text(self._sets, ge.get(1) if ge else None)
        self.segment("GE", [count, self._gs06, *(ge.fields[3:] if ge else ())], ge.suffix if ge else None)

    def end_interchange(self, iea: Segment | None = None) -> None:
        """IEA with the counted number of groups (`iea`: the trailer as read, for its layout)."""
        count = self._count_text(self._groups, iea.get(1) if iea else None)
        self.segment("IEA", [count, self._isa13, *(iea.fields[3:] if iea else ())], iea.suffix if iea else None)

    @staticmethod
    def _count_text(count: int, like: str | None) -> str:
        """The count as digits; zero-padded like `like` when that is the same number (rewriting)."""
        if like and like.isdecimal() and int(like) == count:
            return like
        return str(count)

    def raw(self, text: str) -> None:
        self._parts.append(text)

    def getvalue(self) -> bytes:
        text = "".join(self._parts)
        d = self.d
        if d.wrap:
            width = d.wrap
            text = "".join(text[i:i + width] + d.wrap_eol for i in range(0, len(text), width))
        return text.encode("utf-8", "surrogateescape")


def isa_elements(sender: tuple[str, str], receiver: tuple[str, str], control_number: int | str,
                 version: str = "00401", *, when: datetime | None = None, ack_requested: bool = False,
                 test: bool = False) -> list[str]:
    """ISA01..ISA16 for an interchange we send (no authorization / security information)."""
    when = when or datetime.now()
    return ["00", "", "00", "", sender[0], sender[1], receiver[0], receiver[1], when.strftime("%y%m%d"),
            when.strftime("%H%M"), "U", version, str(int(control_number)).zfill(9),
            "1" if ack_requested else "0", "T" if test else "P", ">"]


def write_interchange(delimiters: Delimiters, sender: tuple[str, str], receiver: tuple[str, str],
                      control_number: int | str, groups: Sequence[OutGroup], *, version: str = "00401",
                      when: datetime | None = None, ack_requested: bool = False, test: bool = False,
                      ta1: Sequence[Sequence[str]] = ()) -> bytes:
    """One interchange: ISA (sender/receiver as (qualifier, id)), optional TA1s, groups, IEA."""
    when = when or datetime.now()
    w = X12Writer(delimiters)
    w.begin_interchange(isa_elements(sender, receiver, control_number, version, when=when,
                                     ack_requested=ack_requested, test=test))
    for item in ta1:
        w.segment("TA1", item)
    for g in groups:
        w.begin_group([g.functional_id, g.sender, g.receiver, g.date or when.strftime("%Y%m%d"),
                       g.time or when.strftime("%H%M"), str(int(g.control_number)), "X", g.version])
        for t in g.transactions:
            w.transaction(t.doc_type, t.control_number, t.body, t.version)
        w.end_group()
    w.end_interchange()
    return w.getvalue()


def write_parsed(result: ParseResult) -> bytes:
    """Write a parsed X12 file back with its own delimiters and layout; counts are recomputed."""
    by_group: dict[int, list[Transaction]] = {}
    ta1: dict[int, list[Transaction]] = {}
    for tx in result.transactions:
        if tx.group is not None:
            by_group.setdefault(id(tx.group), []).append(tx)
        elif tx.envelope is not None:
            ta1.setdefault(id(tx.envelope), []).append(tx)
    groups = iter(result.groups)
    if not result.interchanges or result.interchanges[0].delimiters is None:
        return b""
    w = X12Writer(result.interchanges[0].delimiters, bom=result.interchanges[0].bom)
    for env in result.interchanges:
        assert env.delimiters is not None
        w.d = env.delimiters
        w.raw(env.leading)
        items: list[tuple[int, Segment | Transaction]] = [(s.offset, s) for s in env.service_segments]
        items += [(t.segments[0].offset, t) for t in ta1.get(id(env), [])]
        items.sort(key=lambda pair: pair[0])
        for _, item in items:
            if isinstance(item, Transaction):
                w._write(item.segments[0])
            elif item.tag == "ISA":
                w.begin_interchange(item.fields[1:], item.suffix, exact=True)
            elif item.tag == "GS":
                group = next(groups)
                w.begin_group(item.fields[1:], item.suffix)
                for tx in by_group.get(id(group), []):
                    closed = tx.segments[-1].tag == "SE"
                    w.transaction(tx.doc_type, tx.control_number, tx.segments[1:-1] if closed else tx.segments[1:],
                                  st=tx.segments[0], se=tx.segments[-1] if closed else None)
            elif item.tag == "GE":
                w.end_group(item)
            elif item.tag == "IEA":
                w.end_interchange(item)
    return w.getvalue()
