"""X12 tokenizer: bytes in, `Segment`s out, in bounded memory, whatever real files do to the layout.

The delimiters come from each ISA header (element separator = 4th byte, ISA16 = component
separator, the byte after it = segment terminator, ISA11 = repetition separator when it
is not the "U" standards id). The text is split on the terminator with `str.split`, one
chunk at a time, so no Python loop ever runs per character. What surrounds segments is
kept, so the writer can give the same bytes back:

* a UTF-8 BOM and whitespace before the ISA (`Envelope.bom`, `Envelope.leading`);
* the CR / LF / CRLF / spaces after each terminator (`Delimiters.suffix`, or
  `Segment.suffix` where one segment differs, e.g. indented pretty-printed files);
* lines hard-wrapped at a fixed width (`Delimiters.wrap`): line ends are removed first;
* several interchanges, each with its own delimiters; bytes after the last IEA are
  reported (INFO), never fatal.
"""

from __future__ import annotations

import codecs
import gc
from collections.abc import Iterator
from functools import lru_cache
from itertools import chain, compress, pairwise, repeat
from operator import itemgetter
from typing import BinaryIO

from gateway.formats import x12_codes as codes
from gateway.formats.base import Delimiters, Issue, Segment, Severity

CHUNK_SIZE = 1 << 14          # 16 KiB: what str.split needs to be fast; its segments' objects (~15x the text) stay in cache
_WS = " \t\r\n\x00"
_EOL = "\r\n"
_HEADER_MIN = 600            # characters to look at before deciding an ISA header is broken
_BOM = "\ufeff"
_ISA_FIELDS = 16
MAX_SEGMENT = 8 << 20        # characters without a terminator after which the rest of a file is not read
_NUMBERS = tuple(range(CHUNK_SIZE // 2))
"""Piece indexes and positions made once: a chunk's worth of ints that compress() and the positions take
from here instead of a range() making one per segment (most above CPython's cache of small ints)."""


def _numbers(start: int, stop: int) -> tuple[int, ...] | range:
    """start .. stop - 1, from `_NUMBERS` when they are in it (a long transaction's positions are not)."""
    return _NUMBERS[start:stop] if stop <= len(_NUMBERS) else range(start, stop)
CONTROL_TAGS = frozenset({"ISA", "IEA", "GS", "GE", "ST", "SE", "TA1"})   # envelope and set boundaries


@lru_cache(maxsize=256)
def _delimiters(el: str, comp: str, term: str, rep: str | None, suffix: str, wrap: int = 0,
                wrap_eol: str = "\r\n") -> Delimiters:
    """One shared `Delimiters` per combination: they are immutable, real traffic uses a handful of
    combinations, and building a frozen dataclass costs more than reading a small file's ISA."""
    return Delimiters(element=el, component=comp, segment=term, repetition=rep, suffix=suffix, wrap=wrap,
                      wrap_eol=wrap_eol)


def _undecoded(text: str) -> bool:
    """Whether `text` holds bytes that were not UTF-8 (the lone surrogates surrogateescape leaves).

    Only they make encoding fail, found in one C pass; `base.UNDECODED.search` tries a match at each character
    of a text that is not ASCII, which a BOM or one accented name is enough to make (3 % of reading the
    corpus' 850s, a tenth of the files starting with a BOM)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


class HeaderError(Exception):
    """An ISA header from which no delimiters can be found (not an interchange)."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def split_header(text: str) -> tuple[list[str], Delimiters, int]:
    """ISA elements, delimiters and the length of the ISA up to and including its terminator.

    `text` starts with "ISA". The fixed 106-character layout is the fast path; headers whose
    fields were not padded are read by counting 16 element separators.
    """
    if len(text) < 4:
        raise HeaderError("the file ends inside the ISA header", codes.TA_PREMATURE_EOF)
    el = text[3]
    if el.isalnum() or el in _WS:
        raise HeaderError(f"ISA is followed by {el!r}, which cannot be an element separator",
                          codes.TA_BAD_ELEMENT_SEP)
    if len(text) >= 106 and text[103] == el and text.count(el, 0, 104) == _ISA_FIELDS:
        pos = 103
    else:
        pos = 3
        for _ in range(_ISA_FIELDS - 1):
            pos = text.find(el, pos + 1, _HEADER_MIN)
            if pos < 0:
                break
    short = _cut_short(text, el, pos)
    if short:
        raise HeaderError(f"it ends after ISA{short:02d}, where a GS segment begins: an ISA has 16 elements "
                          "(the sender's envelope is cut short or has fields missing)",
                          codes.TA_BAD_STRUCTURE)
    if pos < 0:
        raise HeaderError("the ISA header does not have 16 elements", codes.TA_BAD_STRUCTURE)
    end = pos + 1
    if len(text) < end + 2:
        raise HeaderError("the file ends inside the ISA header", codes.TA_PREMATURE_EOF)
    comp, term = text[end], text[end + 1]
    if term.isalnum() or term == el or term == comp or term == " ":
        raise HeaderError(f"no segment terminator after ISA16 (found {term!r})", codes.TA_BAD_TERMINATOR)
    if comp.isalnum() or comp == el:
        raise HeaderError(f"ISA16 {comp!r} cannot be a component separator", codes.TA_BAD_COMPONENT_SEP)
    elements = text[4:end - 1].split(el)
    elements.append(comp)
    isa11 = elements[10] if len(elements) > 10 else ""
    rep = None
    if len(isa11) == 1 and not isa11.isalnum() and isa11 not in (el, comp, term, " "):
        rep = isa11
    suffix = _leading_eol(text, end + 2)
    return elements, _delimiters(el, comp, term, rep, suffix), end + 2


def _cut_short(text: str, el: str, sixteenth: int) -> int:
    """The number of ISA elements when a GS segment starts before the header's 16th element separator
    (`sixteenth`, -1 when there is none), else 0. Counting separators on into the GS would blame ISA16
    for whatever character follows them, which tells the reader nothing."""
    limit = sixteenth if sixteenth >= 0 else min(len(text), _HEADER_MIN)
    at = text.find("GS" + el, 4, limit)
    while at >= 0:
        head = text[4:at]
        before = head.rstrip(_WS)
        # a terminator (neither a letter, digit nor the element separator) or a line end right before
        # "GS*": "...*ACMEDIST~GS*" or "...*ACMEDIST\nGS*", not a sender id such as "KINGS*"
        if before and ((not before[-1].isalnum() and before[-1] != el) or "\n" in head[len(before):]
                       or "\r" in head[len(before):]):
            return before.count(el) + 1
        at = text.find("GS" + el, at + 1, limit)
    return 0


def _leading_eol(text: str, at: int) -> str:
    """What follows the ISA terminator as layout: whitespace up to the last line end ("\r\n",
    "  \n"), or the spaces when no line end follows; indentation after a line end is not part of it."""
    j = at
    while j < len(text) and text[j] in " \t\r\n":
        j += 1
    run = text[at:j]
    last = max(run.rfind("\n"), run.rfind("\r"))
    return run[:last + 1] if last >= 0 else run


def _wrap_width(text: str, isa_end: int, term: str) -> tuple[int, str]:
    """(width, eol) when the text is hard-wrapped at a fixed width, else (0, "")."""
    if term in _EOL:
        return 0, ""
    first = text.find("\n")
    cr = text.find("\r", 0, first if first >= 0 else len(text))
    if cr >= 0:
        first = cr
    if first <= 0 or first == isa_end or text[first - 1] == term:
        return 0, ""
    eol = "\r\n" if text.startswith("\r\n", first) else text[first]
    nxt = text.find(eol, first + len(eol))
    if nxt >= 0 and nxt - first - len(eol) != first:
        return 0, ""      # lines of different lengths: not a fixed-width wrap
    return first, eol


class Tokenizer:
    """Iterate over the segments of one X12 file (several interchanges allowed).

    Before each ISA segment is yielded, `delimiters`, `bom`, `leading` and `interchange`
    describe the interchange it opens. Problems go to `issues`.
    """

    def __init__(self, source: bytes | BinaryIO, issues: list[Issue], chunk_size: int = CHUNK_SIZE) -> None:
        self._source = source
        self._chunk_size = chunk_size
        self.issues = issues
        self.delimiters: Delimiters | None = None
        self.bom = False
        self.leading = ""
        self.interchange = -1
        self.bad_bytes_reported = False
        self._buf = ""
        self._eof = False
        self._off = 0              # byte offset (clean-text offset when wrapped) of _buf[0]
        self._wrap = 0
        self._wrap_eol = ""
        self._wrap_base = 0        # byte offset where the wrapped text starts
        self._hold = ""            # a CR held back while removing CRLF line ends at chunk edges
        self._last: Segment | None = None
        self._chunks = self._read_chunks()
        self._bytes_read = 0
        self.trailing_junk = ""

    # ------------------------------------------------------------------ input
    def _read_chunks(self) -> Iterator[str]:
        if isinstance(self._source, (bytes, bytearray, memoryview)) and len(self._source) <= self._chunk_size:
            yield bytes(self._source).decode("utf-8", "surrogateescape")     # a small file: one piece
            return
        decoder = codecs.getincrementaldecoder("utf-8")("surrogateescape")
        if isinstance(self._source, (bytes, bytearray, memoryview)):
            data = bytes(self._source)
            for i in range(0, len(data), self._chunk_size):
                yield decoder.decode(data[i:i + self._chunk_size])
        else:
            clean = True              # the decoder holds no partial character
            while True:
                block = self._source.read(self._chunk_size)
                if not block:
                    break
                if clean and block.isascii():
                    yield block.decode("ascii")       # the usual chunk: no incremental decoder's copy and call
                else:
                    yield decoder.decode(block)
                    clean = not decoder.getstate()[0]
        yield decoder.decode(b"", final=True)

    def _fill(self) -> bool:
        """Append the next chunk to the buffer; False at end of input."""
        if self._eof:
            return False
        for text in self._chunks:
            if not text:
                continue
            if not text.isascii() and not self.bad_bytes_reported and _undecoded(text):
                self.bad_bytes_reported = True
                self.issues.append(Issue(Severity.WARNING, "the file is not valid UTF-8; the bytes that are "
                                         "not were kept as they are", level="interchange",
                                         interchange=max(self.interchange, 0), code=codes.TA_BAD_CONTENT))
            if self._wrap:
                text = self._hold + text
                self._hold = ""
                if self._wrap_eol == "\r\n" and text.endswith("\r"):
                    self._hold, text = "\r", text[:-1]
                text = text.replace(self._wrap_eol, "")
            self._buf += text
            return True
        self._eof = True
        if self._hold:
            self._buf += self._hold
            self._hold = ""
        return False

    def _byte_offset(self, clean: int) -> int:
        if not self._wrap:
            return clean
        rel = clean - self._wrap_base
        return self._wrap_base + rel + (rel // self._wrap) * len(self._wrap_eol)

    @staticmethod
    def _width(text: str) -> int:
        return len(text) if text.isascii() else len(text.encode("utf-8", "surrogateescape"))

    # ------------------------------------------------------------------ segments
    def __iter__(self) -> Iterator[Segment]:
        for batch, _marks in self.batches():
            yield from batch

    def batches(self) -> Iterator[tuple[list[Segment], list[int]]]:
        """(segments, indexes of the CONTROL_TAGS segments among them) per chunk, cut after each IEA,
        so callers work on lists and look only at the few envelope and ST/SE segments one by one.

        `Segment.position` is already set: 1 for ST and counting on until the next ST (envelope
        segments get a number too; the reader resets them to 0). An ISA is always the first segment
        of its list, so `delimiters` and friends describe it while the list is being consumed.

        The cyclic garbage collector is paused while a chunk is cut into segments (they form no
        cycles, and a collection every 700 new objects would otherwise halve the speed); it runs
        again whenever control goes back to the caller.
        """
        self._fill()
        if self._buf.startswith(_BOM):
            self.bom = True
            self._buf = self._buf[1:]
            self._off = 3
        collect = gc.isenabled()
        try:
            while self._seek_header():
                isa = self._header()
                if isa is None:
                    continue
                gc.disable()
                yield from self._cut(isa, collect)
        finally:
            if collect:
                gc.enable()

    def _seek_header(self) -> bool:
        """Skip to the next ISA; False at end of input. Reports what was skipped that is not whitespace."""
        skipped: list[str] = []
        while True:
            buf = self._buf
            body = buf.lstrip(_WS)
            if not body:
                if self._fill():
                    continue
                break
            if body.startswith("ISA"):
                if len(body) < _HEADER_MIN and self._fill():
                    continue
                break
            idx = body.find("ISA")
            if idx >= 0:
                drop = len(buf) - len(body) + idx
            elif self._eof or len(buf) <= 2:
                if not self._eof and self._fill():
                    continue
                drop = len(buf)
            else:
                drop = len(buf) - 2
            skipped.append(buf[:drop])
            self._off += self._width(buf[:drop])
            self._buf = buf[drop:]
        gap = buf[:len(buf) - len(body)]
        if skipped:
            self._report_skipped("".join(skipped), body)
        elif self._last is not None:
            default = self.delimiters.suffix if self.delimiters else ""
            self._last.suffix = None if gap == default else gap
        if not body:
            return False
        self.leading = gap if self.interchange < 0 and not skipped else ""
        self._off += self._width(gap)
        self._buf = body
        return True

    def _report_skipped(self, skipped: str, rest: str) -> None:
        text = skipped.strip(_WS)
        shown = text[:40] + ("..." if len(text) > 40 else "")
        if self.interchange < 0:
            message = f"{len(text)} characters before the first ISA were ignored ({shown!r})"
            severity = Severity.WARNING
        elif rest:
            message = (f"{len(text)} characters between interchange {self.interchange + 1} and the next ISA "
                       f"were ignored ({shown!r})")
            severity = Severity.WARNING
        else:
            message = f"{len(text)} characters after the last IEA were ignored ({shown!r})"
            severity = Severity.INFO
        self.trailing_junk = skipped
        self.issues.append(Issue(severity, message, level="interchange", interchange=max(self.interchange, 0),
                                 offset=self._off))

    def _header(self) -> Segment | None:
        """Read the ISA at the start of the buffer; on a broken header, report and skip past 'ISA'."""
        text = self._buf
        try:
            elements, delims, length = split_header(text)
        except HeaderError as exc:
            self.issues.append(Issue(Severity.ERROR, f"unreadable ISA header: {exc.message}", code=exc.code,
                                     level="interchange", interchange=self.interchange + 1, segment_tag="ISA",
                                     offset=self._byte_offset(self._off)))
            self._buf = text[3:]
            self._off += 3
            return None
        if self.interchange < 0 and not self._wrap:
            width, eol = _wrap_width(text, length, delims.segment)
            if width:
                self._wrap, self._wrap_eol, self._wrap_base = width, eol, self._off
                clean = text.replace(eol, "")
                if eol == "\r\n" and clean.endswith("\r") and not self._eof:
                    self._hold, clean = "\r", clean[:-1]
                self._buf = text = clean
                elements, delims, length = split_header(text)
                delims = _delimiters(delims.element, delims.component, delims.segment, delims.repetition, "",
                                     width, eol)
        elif self._wrap:
            delims = _delimiters(delims.element, delims.component, delims.segment, delims.repetition, "",
                                 self._wrap, self._wrap_eol)
        self.interchange += 1
        self.delimiters = delims
        seg = Segment("ISA", elements, 0, self._byte_offset(self._off), delims.component, delims.repetition)
        self._last = seg
        self._off += self._width(text[:length])
        self._buf = text[length:]
        return seg

    def _same_header(self, piece: str, d: Delimiters) -> bool:
        """True when `piece` is an ISA using delimiters `d` (so reading can go straight on)."""
        head = piece.lstrip(_WS)
        if not (head.startswith("ISA") and len(head) > 4 and head[3] == d.element and head.count(d.element) == 16
                and head.endswith(d.element + d.component)):
            return False
        isa11 = head.split(d.element, 12)[11]
        return (isa11 if len(isa11) == 1 and not isa11.isalnum() and isa11 != " " else None) == d.repetition

    def _cut(self, isa: Segment, collect: bool) -> Iterator[tuple[list[Segment], list[int]]]:
        """The hot loop: lists of segments from `isa` up to and including its IEA (or the end of input).

        When every terminator in the buffer is followed by the usual suffix, the buffer is split on
        both at once; when moreover no segment is indented, empty, non-ASCII or an envelope boundary,
        the whole buffer is turned into segments by C-level map() calls (the bulk path). Otherwise
        segments are made one by one, keeping every irregularity for the writer.
        """
        d = self.delimiters
        assert d is not None
        term, el, suffix = d.segment, d.element, d.suffix
        seps = (d.component, d.repetition)
        tlen = self._width(term)
        slen = self._width(suffix)
        full = term + suffix
        prev = isa
        wrap = self._wrap
        ws = _WS
        batch: list[Segment] = [isa]
        marks: list[int] = [0]
        is_control = CONTROL_TAGS.__contains__
        first = itemgetter(0)
        make = Segment.bulk
        inline_isa = False
        consumed = False              # the suffix after the previous segment is already behind us
        pos = 0                       # position of the last segment within its transaction
        while True:
            buf = self._buf
            if suffix and not consumed and buf.startswith(suffix):
                buf = buf[len(suffix):]
                self._off += slen
                consumed = True
            lead = suffix if consumed else ""
            pieces = buf.split(full) if suffix and term not in suffix else [buf]
            leftover = pieces.pop()
            # no terminator left inside a piece (one without its suffix); join + memchr beats count()
            if pieces and term not in "".join(pieces):
                eaten, step = suffix, tlen + slen
            else:
                pieces = buf.split(term)
                leftover = pieces.pop()
                eaten, step = "", tlen
            if not pieces:
                self._buf = buf
                if len(buf) > MAX_SEGMENT:
                    self._give_up(d)
                    if batch:
                        if collect:
                            gc.enable()
                        yield batch, marks
                    return
                if self._fill():
                    consumed = bool(lead)
                    continue
                self._last = prev
                if leftover.strip(ws):
                    seg = self._unterminated(leftover, prev, d)
                    if seg is not None:
                        seg.position = 1 if seg.tag == "ST" else pos + 1
                        if seg.tag in CONTROL_TAGS:
                            marks.append(len(batch))
                        batch.append(seg)
                else:
                    prev.suffix = None if lead + leftover == suffix else lead + leftover
                if batch:
                    if collect:
                        gc.enable()
                    yield batch, marks
                return
            ascii_only = buf.isascii()
            off = base_off = self._off
            missing = eaten != suffix     # pieces still carry their suffix (or lack it): check each
            if pieces[0][:1] > " " and lead != suffix:
                prev.suffix = lead
            # The bulk path needs the usual suffix after every terminator, ASCII text, no hard wrap and
            # no indented or empty segment in the chunk. Then the whole chunk is split at once, each
            # step one C-level pass (map, compress), so no bytecode runs per segment except
            # Segment.__init__; only IEA and ISA (interchange boundaries) are read one by one below.
            bulk = eaten == suffix and ascii_only and not wrap
            if bulk:
                parts_list = list(map(str.split, pieces, repeat(el)))
                tags = list(map(first, parts_list))         # each segment's fields keep their tag
                # an indented or empty segment has a tag that is empty or starts with whitespace: every
                # tag non-empty and all of them letters and digits (bytes.isalnum, a table look-up per
                # character, over the tags joined) shows none does; any other tag takes the path below
                bulk = all(tags) and "".join(tags).encode().isalnum()
            if bulk:
                found = list(compress(_NUMBERS if len(tags) <= len(_NUMBERS) else range(len(tags)),
                                      map(is_control, tags)))
                bounds = [m for m in found if tags[m] == "IEA" or tags[m] == "ISA"]
            at = 0                        # the first piece not read yet
            while at < len(pieces):
                stop = next((m for m in bounds if m >= at), len(pieces)) if bulk else at
                if stop > at:
                    n = stop - at
                    whole = n == len(pieces)          # the usual run: the whole chunk, nothing to cut out
                    marked = found if whole else [m - at for m in found if at <= m < stop]
                    starts = [m for m in marked if tags[at + m] == "ST"]
                    # Offsets are located lazily (see base._offset): each segment gets (run, delta), one
                    # tuple per transaction, instead of an int per segment; run = the chunk's text, where
                    # the run starts in it and at which byte offset, the terminator + suffix, how many
                    # segments and where they end: the leftover's start after a whole chunk, else (an
                    # interchange boundary, rare) from the lengths of the run's pieces.
                    end = (base_off + len(buf) - len(leftover) if stop == len(pieces) else
                           off + sum(map(len, pieces[at:stop])) + n * step)
                    run = (buf, off - base_off, off, full, n, end - base_off)
                    if starts:
                        ends = starts + [n]
                        positions = chain(_numbers(pos + 1, pos + 1 + starts[0]),
                                          *(_numbers(1, b - a + 1) for a, b in pairwise(ends)))
                        offsets = chain(repeat((run, -pos - 1), starts[0]),
                                        *(repeat((run, a - 1), b - a) for a, b in pairwise(ends)))
                        pos = n - starts[-1]
                    else:
                        positions = _numbers(pos + 1, pos + 1 + n)      # type: ignore[assignment]
                        offsets = repeat((run, -pos - 1), n)      # type: ignore[assignment]
                        pos += n
                    if marked:
                        base = len(batch)
                        marks += [base + m for m in marked] if base else marked
                    batch.extend(map(make, zip(parts_list if whole else parts_list[at:stop], positions, offsets,
                                               repeat(seps))))
                    prev = batch[-1]
                    off = end
                    at = stop
                # one by one, keeping every irregularity for the writer
                for i in range(at, len(pieces)):
                    raw = pieces[i]
                    if raw[:1] > " ":
                        body = raw
                        pre = 0
                        if missing and i:
                            prev.suffix = eaten
                    else:
                        body = raw.lstrip(ws)
                        pre = len(raw) - len(body)
                        gap = (lead if i == 0 else eaten) + raw[:pre]
                        if gap != suffix:
                            prev.suffix = gap
                        if not body:
                            self.issues.append(Issue(Severity.WARNING, "empty segment (two terminators in a row) "
                                                     "ignored", level="interchange", interchange=self.interchange,
                                                     offset=self._byte_offset(off)))
                            prev.suffix = gap + term + eaten
                            off += (len(raw) if ascii_only else self._width(raw)) + step
                            continue
                        if not ascii_only:
                            pre = self._width(raw[:pre])
                    parts = body.split(el)
                    tag = parts[0]
                    if tag == "ISA" and not inline_isa:
                        # a new interchange without an IEA before it: read its header afresh
                        self._off = off + pre
                        self._buf = (term + eaten).join([body, *pieces[i + 1:], leftover])
                        self._last = prev
                        if batch:
                            if collect:
                                gc.enable()
                            yield batch, marks
                        return
                    pos = 1 if tag == "ST" else pos + 1
                    seg = make((parts, pos, self._byte_offset(off + pre) if wrap else off + pre, seps))
                    off += (len(raw) if ascii_only else self._width(raw)) + step
                    prev = seg
                    if tag not in CONTROL_TAGS:
                        batch.append(seg)
                        continue
                    marks.append(len(batch))
                    batch.append(seg)
                    if inline_isa:
                        # the ISA of the next interchange, same delimiters: back to the bulk path
                        inline_isa = False
                        at = i + 1
                        break
                    if tag == "IEA":
                        if collect:
                            gc.enable()
                        yield batch, marks
                        gc.disable()
                        batch, marks = [], []
                        if i + 1 < len(pieces) and self._same_header(pieces[i + 1], d):
                            inline_isa = True
                            self.interchange += 1     # next ISA, same delimiters: read straight on
                            self.bom = False
                            self.leading = ""
                            continue
                        self._off = off - (slen if eaten else 0)
                        self._buf = eaten + (term + eaten).join(pieces[i + 1:] + [leftover])
                        self._last = seg
                        return
                else:
                    break
            self._off = off
            self._buf = leftover
            self._last = prev
            consumed = bool(eaten)
            # drop this chunk's working lists now: they hold the element lists of segments the caller is
            # about to free, which the next chunk's segments can then reuse (warm memory, fewer new pages)
            pieces, parts_list, tags = [], [], []
            if batch:
                if collect:
                    gc.enable()
                yield batch, marks
                gc.disable()
                batch, marks = [], []
            if not self._fill() and not leftover:
                return

    def _give_up(self, d: Delimiters) -> None:
        """A 'segment' longer than MAX_SEGMENT: the terminator is wrong or the data is not X12; stop here."""
        self.issues.append(Issue(
            Severity.ERROR, f"no segment terminator {d.segment!r} in {len(self._buf) >> 20} MB: the rest of the "
            "file was not read (wrong terminator in ISA, or not X12 data)", code=codes.TA_BAD_TERMINATOR,
            level="interchange", interchange=self.interchange, offset=self._byte_offset(self._off)))
        self._buf = ""
        while self._fill():          # drain in bounded memory
            self._buf = ""

    def _unterminated(self, text: str, prev: Segment, d: Delimiters) -> Segment | None:
        """Text at the end of the file with no terminator: read it as a last segment, and say so."""
        body = text.lstrip(_WS)
        gap = text[:len(text) - len(body)]
        prev.suffix = None if gap == d.suffix else gap
        off = self._byte_offset(self._off + self._width(gap))
        parts = body.rstrip(_WS).split(d.element)
        tag = parts[0]
        if not (2 <= len(tag) <= 3 and tag.isalnum()):
            self.trailing_junk = text
            self.issues.append(Issue(Severity.INFO, f"{len(body)} characters after the last segment were ignored "
                                     f"({body[:40]!r})", level="interchange", interchange=self.interchange,
                                     offset=off))
            return None
        benign = d.segment in _EOL      # a text editor dropped the final line end
        lines = body.rstrip(_WS).count("\n") if not benign else 0
        self.issues.append(Issue(Severity.INFO if benign else Severity.WARNING,
                                 f"the last segment {tag} has no segment terminator "
                                 f"{d.segment!r}" + (f": the {lines + 1} lines from it on end in line ends, not in "
                                                     f"the ISA's {d.segment!r} (its character 106)" if lines else ""),
                                 level="interchange", interchange=self.interchange,
                                 segment_tag=tag, offset=off, code=codes.TA_PREMATURE_EOF))
        seg = Segment.bulk((parts, 0, off, (d.component, d.repetition)))
        self._buf = ""
        self._last = seg
        return seg
