"""UN/EDIFACT reader and writer (ISO 9735 syntax versions 1-4).

Reading works on the decoded text of one interchange at a time: the UNA service string
advice (or the defaults without it) gives the separators, UNB S001 gives the character
set, then the text is split on the segment terminator with plain `str.split` and only the
segments that contain the release character take the slow path. That keeps a 10 MB file
well under a second and the code small.

Elements are stored as strings with release characters removed. When a segment contains
a *released* component or repetition separator (``I?:dream``), the real separators of
that one segment are stored as private noncharacters and the segment's `component_sep` /
`repetition_sep` say so, so `Segment.component()` still splits correctly and the writer
can escape the literal ones again.

Envelope problems (counts, references, missing trailers) become located `Issue`s with the
CONTRL syntax error code (data element 0085); structure validation against message
definitions lives in `gateway.formats.edifact_validate`.
"""

from __future__ import annotations

import codecs
import gc
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, BinaryIO

from gateway.errors import FormatError
from gateway.formats.base import (
    POSITION,
    Delimiters,
    Envelope,
    Group,
    Issue,
    ParseResult,
    Segment,
    Severity,
    Syntax,
    Transaction,
)

# Syntax identifier (UNB S001 0001) -> Python codec. ISO 9735-1 annex: levels A/B are ISO 646
# subsets, C..L the ISO 8859 parts, W/Y the UCS in UTF-8, X the ISO 2022 code extension.
CHARSETS: dict[str, str] = {
    "UNOA": "ascii", "UNOB": "ascii", "UNOC": "latin-1", "UNOD": "iso8859-2", "UNOE": "iso8859-5",
    "UNOF": "iso8859-7", "UNOG": "iso8859-3", "UNOH": "iso8859-4", "UNOI": "iso8859-6",
    "UNOJ": "iso8859-8", "UNOK": "iso8859-9", "UNOL": "iso8859-15", "UNOW": "utf-8",
    "UNOX": "iso2022_jp_2", "UNOY": "utf-8", "KECA": "euc_kr", "IATA": "ascii", "IATB": "ascii",
}
_SINGLE_BYTE = frozenset({"ascii", "latin-1"}) | {c for c in CHARSETS.values() if c.startswith("iso8859")}

DEFAULT_DELIMITERS = Delimiters(element="+", component=":", segment="'", repetition=None,
                                release="?", decimal=".", suffix="")
# Level B without UNA: the information separators IS1..IS4 (ISO 9735-1, 7.1).
LEVEL_B_DELIMITERS = Delimiters(element="\x1d", component="\x1f", segment="\x1c", repetition="\x1e",
                                release=None, decimal=".", suffix="")

# Stand-ins for the real separators of a segment that also holds released (literal) ones.
# Unicode noncharacters: never valid in an interchange, so they cannot collide with data.
COMPONENT_MARK = "\ufdd0"
REPETITION_MARK = "\ufdd1"
_LIT_ELEMENT = "\ufdd2"
_LIT_COMPONENT = "\ufdd3"
_LIT_REPETITION = "\ufdd4"

_WS = " \t\r\n"
_BOM = b"\xef\xbb\xbf"

SERVICE_TAGS = frozenset({"UNA", "UNB", "UNG", "UNH", "UNT", "UNE", "UNZ"})


# ----------------------------------------------------------------------------- reading

def parse(data: bytes, *, validate: bool = True, each: Callable[[Transaction], None] | None = None) -> ParseResult:
    """Read every interchange in `data`; never raises on bad input (problems become Issues).

    With `validate`, messages we carry definitions for (ORDERS, ORDRSP, DESADV, INVOIC, INVRPT,
    APERAK in D96A / D01B, CONTRL) are also checked against their segment tables.
    `each`, when given, is called with every message as soon as it is read (UNT) and checked, so a
    caller that translates it there and drops its segments needs memory for the interchange's text,
    not for all its segments.
    """
    gc_was_on = gc.isenabled()
    gc.disable()          # hundreds of thousands of new objects, no cycles: skip the collector's rescans
    call = None
    if each is not None:
        def call(tx: Transaction) -> None:
            if gc_was_on:
                gc.enable()          # the caller's own work runs with the collector on
            try:
                each(tx)
            finally:
                gc.disable()
    try:
        return _parse(data, validate, call)
    finally:
        if gc_was_on:
            gc.enable()


def _parse(data: bytes, validate: bool, each: Callable[[Transaction], None] | None = None) -> ParseResult:
    result = ParseResult(syntax=Syntax.EDIFACT)
    pos = 0
    bom = data.startswith(_BOM)
    if bom:
        pos = len(_BOM)
    index = 0
    size = len(data)
    while True:
        start = _skip_ws(data, pos)
        if start >= size:
            break
        head = data[start:start + 3]
        if head not in (b"UNA", b"UNB"):
            if index == 0:
                result.issues.append(Issue(Severity.ERROR, "file does not start with UNA or UNB: not an "
                                           f"EDIFACT interchange (starts with {data[start:start + 16]!r})",
                                           code="22", level="interchange", interchange=0, offset=start))
            else:
                result.issues.append(Issue(Severity.WARNING, f"{size - start} bytes after the last UNZ "
                                           "that are not an interchange were ignored",
                                           code="33", level="interchange", interchange=index - 1,
                                           offset=start))
            break
        before = len(result.interchanges)
        end = _read_interchange(data, start, index, bom and index == 0, result, validate, each)
        if len(result.interchanges) > before and start > pos:
            result.interchanges[before].leading = data[pos:start].decode("latin-1")
        pos = end
        index += 1
    if not result.interchanges and not result.issues:
        result.issues.append(Issue(Severity.ERROR, "empty file: no UNB interchange header",
                                   code="13", level="interchange", interchange=0, offset=0))
    if validate:
        from gateway.formats.edifact_validate import validate as check
        from gateway.formats.edifact_validate import validate_envelope
        for env in result.interchanges:
            result.issues.extend(validate_envelope(env))
        if each is None:                      # else each message was checked when it was read
            for tx in result.transactions:
                result.issues.extend(check(tx, tx.envelope.index if tx.envelope is not None else None))
    _apply_acceptance(result)
    return result


def _apply_acceptance(result: ParseResult) -> None:
    """Messages under an interchange (or group) with an ERROR of its own are not accepted: the CONTRL
    rejects that level and all below it (UCI / UCF action 4), so none of them may go on to translation,
    as X12's interchange and group errors reject their sets (`x12.apply_acceptance`)."""
    bad_env: set[int] = set()
    bad_grp: set[tuple[int, int]] = set()
    for issue in result.issues:
        if issue.severity is not Severity.ERROR or issue.interchange is None or issue.transaction is not None:
            continue
        if issue.level == "interchange":
            bad_env.add(issue.interchange)
        elif issue.level == "group" and issue.group is not None:
            bad_grp.add((issue.interchange, issue.group))
    if not bad_env and not bad_grp:
        return                          # the usual case
    for tx in result.transactions:
        env = tx.envelope.index if tx.envelope is not None else -1
        if env in bad_env or tx.group is not None and (env, tx.group.index) in bad_grp:
            tx.accepted = False


def _skip_ws(data: bytes, pos: int) -> int:
    size = len(data)
    while pos < size and data[pos] in b" \t\r\n\x00":
        pos += 1
    return pos


@dataclass(slots=True)
class _Header:
    """What the UNA and the start of UNB tell before the interchange can be decoded."""

    delimiters: Delimiters
    service_string: str
    body_start: int          # byte offset of "UNB"
    charset: str
    syntax_version: str
    newline_terminated: bool = False
    issues: list[Issue] = field(default_factory=list)


def _read_header(data: bytes, start: int, index: int) -> _Header:
    issues: list[Issue] = []
    pos = start
    service_string = ""
    if data[pos:pos + 3] == b"UNA":
        una = data[pos + 3:pos + 9].decode("latin-1")
        if len(una) < 6:
            issues.append(Issue(Severity.ERROR, "UNA service string advice is shorter than 6 characters",
                                code="20", level="interchange", interchange=index, segment_tag="UNA",
                                offset=pos))
            una = (una + DEFAULT_DELIMITERS.component + DEFAULT_DELIMITERS.element + "." + "? '")[:6]
        comp, elem, dec, rel, rep, term = una[0], una[1], una[2], una[3], una[4], una[5]
        if len({comp, elem, term}) < 3 or (rel != " " and rel in (comp, elem, term)):
            issues.append(Issue(Severity.ERROR, f"UNA declares the same character twice as a separator: {una!r}",
                                code="20", level="interchange", interchange=index, segment_tag="UNA",
                                offset=pos))
        body = _skip_ws(data, pos + 9)
        service_string = data[pos:body].decode("latin-1")
        delims = Delimiters(element=elem, component=comp, segment=term,
                            repetition=None if rep == " " else rep,
                            release=None if rel == " " else rel, decimal=dec if dec in ".," else ".")
        if dec not in ".,":
            issues.append(Issue(Severity.WARNING, f"UNA decimal mark {dec!r} is neither '.' nor ','",
                                code="19", level="interchange", interchange=index, segment_tag="UNA",
                                offset=pos + 5))
        pos = body
    else:
        delims = LEVEL_B_DELIMITERS if data[pos + 3:pos + 4] == b"\x1d" else DEFAULT_DELIMITERS
    if data[pos:pos + 3] != b"UNB":
        issues.append(Issue(Severity.ERROR, "UNA is not followed by UNB", code="13", level="interchange",
                            interchange=index, segment_tag="UNB", offset=pos))
    # S001: syntax identifier and version, read from the raw bytes (ASCII by definition).
    esep = delims.element.encode("latin-1")
    csep = delims.component.encode("latin-1")
    head = data[pos:pos + 200]
    parts = head.split(esep)
    s001 = parts[1] if len(parts) > 1 else b""
    s001_parts = s001.split(csep)
    charset = s001_parts[0][:4].decode("latin-1", "replace")
    version = s001_parts[1][:1].decode("latin-1", "replace") if len(s001_parts) > 1 else ""
    newline = False
    if not service_string and delims is DEFAULT_DELIMITERS:
        newline = _looks_newline_terminated(data, pos)
        if newline:
            delims = Delimiters(element="+", component=":", segment="\n", release="?", decimal=".")
            issues.append(Issue(Severity.WARNING, "no UNA and no \"'\" segment terminator: segments are "
                                "read one per line (newline-terminated), which ISO 9735 does not allow",
                                code="20", level="interchange", interchange=index, segment_tag="UNB",
                                offset=pos))
    if version == "4" and not service_string and delims is DEFAULT_DELIMITERS:
        delims = Delimiters(element="+", component=":", segment="'", repetition="*", release="?", decimal=".")
    return _Header(delims, service_string, pos, charset, version, newline, issues)


_TAG_LINE = re.compile(rb"[A-Z][A-Z0-9]{2}\+")


def _looks_newline_terminated(data: bytes, pos: int) -> bool:
    """True for files whose lines are segments without the "'" terminator (a common export quirk)."""
    nl = data.find(b"\n", pos)
    if nl < 0:
        return False
    apos = data.find(b"'", pos, nl)
    if apos >= 0:
        return False
    return _TAG_LINE.match(data, nl + 1) is not None


def _decode(chunk: bytes, charset: str, index: int, offset: int) -> tuple[str, str, list[Issue]]:
    """Decode one interchange as its syntax identifier says, with honest fall-backs."""
    issues: list[Issue] = []
    codec = CHARSETS.get(charset)
    if codec is None:
        issues.append(Issue(Severity.WARNING, f"unknown syntax identifier {charset!r}: text read as UTF-8",
                            code="46", level="interchange", interchange=index, segment_tag="UNB",
                            element_position=1, component_position=1, value=charset, offset=offset))
        codec = "utf-8"
    if chunk.isascii():
        return chunk.decode("ascii"), ("ascii" if codec in _SINGLE_BYTE or codec == "utf-8" else codec), issues
    if codec in _SINGLE_BYTE:
        # any ISO 8859 part: real text in one is almost never valid UTF-8, a mislabelled UTF-8 file always is
        try:
            text = chunk.decode("utf-8")
        except UnicodeDecodeError:
            text = None
        if text is not None and _letters_of(text, codec):
            issues.append(Issue(Severity.INFO, f"declared {charset} but the text is valid UTF-8 with "
                                "non-ASCII characters: read as UTF-8", code="21", level="interchange",
                                interchange=index, segment_tag="UNB", offset=offset))
            return text, "utf-8", issues
        windows = _windows_code_page(chunk, charset, codec, index, offset)
        if windows is not None:
            issues.append(windows[2])
            return windows[0], windows[1], issues
        if codec == "ascii":
            bad = next(i for i, b in enumerate(chunk) if b > 127)
            issues.append(Issue(Severity.WARNING, f"{charset} allows only ISO 646 characters but byte "
                                f"0x{chunk[bad]:02x} was found: text read as ISO 8859-1", code="21",
                                level="interchange", interchange=index, offset=offset + bad))
            return chunk.decode("latin-1"), "latin-1", issues
    try:
        return chunk.decode(codec), codec, issues
    except (UnicodeDecodeError, LookupError) as exc:
        bad = getattr(exc, "start", 0)
        if codec == "utf-8" and _UTF8_SEQUENCE.search(chunk) is None:
            # declared UNOW/UNOY, written by a Windows system (no UTF-8 character in it anywhere): its text,
            # not a name full of U+FFFD; a UTF-8 file with a stray byte keeps its UTF-8, that byte replaced
            single = "cp1252" if _encodes_bytes(chunk, "cp1252") else "latin-1"
            issues.append(Issue(Severity.WARNING, f"declared {charset} but the text is not valid UTF-8 (byte "
                                f"0x{chunk[bad]:02x} at {offset + bad}): read as "
                                f"{'Windows-1252' if single == 'cp1252' else 'ISO 8859-1'}", code="21",
                                level="interchange", interchange=index, segment_tag="UNB", offset=offset + bad))
            return chunk.decode(single), single, issues
        issues.append(Issue(Severity.WARNING, f"text is not valid {charset} ({codec}) at byte "
                            f"{offset + bad}: undecodable bytes replaced", code="21", level="interchange",
                            interchange=index, offset=offset + bad))
        return chunk.decode(codec if codec != "iso2022_jp_2" else "latin-1", "replace"), codec, issues


_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_TYPOGRAPHY = frozenset("\xa0\xab\xbb\u20ac\u2116")      # besides General Punctuation (U+2010-U+206F): « » € №
_LATIN = ((0xC0, 0x24F),)
_SCRIPTS: dict[str, tuple[tuple[int, int], ...]] = {    # the letters of an ISO 8859 part's languages, all of them
    "iso8859-2": _LATIN, "iso8859-3": _LATIN, "iso8859-4": _LATIN, "iso8859-9": _LATIN,
    "iso8859-5": ((0x400, 0x52F),), "iso8859-6": ((0x600, 0x6FF),), "iso8859-7": ((0x370, 0x3FF), (0x1F00, 0x1FFF)),
    "iso8859-8": ((0x590, 0x5FF),),
}


def _letters_of(text: str, codec: str) -> bool:
    """Whether `text`, declared in ISO 8859 part `codec` and valid UTF-8, is in that part's script.

    A partner declaring UNOD..UNOK and writing UTF-8 writes its own script (with letters the part lacks, as
    Ukrainian Ґ, and quotes, dashes, the euro sign), while a little real ISO 8859-2 or -5 text is valid UTF-8 too,
    of a script nobody declared: 'PHU GÓŁKOWSKI' in ISO 8859-2 reads 'PHU GӣKOWSKI' in UTF-8, 'ЧИТА' in ISO 8859-5
    'Ǹ°'. UNOA..UNOC and UNOL take UTF-8 whatever it holds: real Latin-1 text is valid UTF-8 only by a rare
    accident, and a UTF-8 file declared UNOC may carry any name."""
    scripts = _SCRIPTS.get(codec)
    if scripts is None:
        return True
    return all(ch in _TYPOGRAPHY or "\u2010" <= ch <= "\u206f" or _encodes(ch, codec)
               or any(low <= ord(ch) <= high for low, high in scripts) for ch in set(_NON_ASCII.findall(text)))


_C1 = re.compile(rb"[\x80-\x9f]")
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


def _encodes_bytes(chunk: bytes, codec: str) -> bool:
    """Whether `chunk` decodes in `codec` (Windows-1252 leaves five bytes undefined)."""
    try:
        chunk.decode(codec)
    except UnicodeDecodeError:
        return False
    return True


# The Windows code page a system writing an ISO 8859 part's languages uses, where its letters are where the part has
# them (A0-FF) and 0x80-0x9F holds more: Polish ś ź, Czech š ž ť in Windows-1250, and everywhere quotes, dashes, €.
_WINDOWS = {"ascii": "cp1252", "latin-1": "cp1252", "iso8859-15": "cp1252", "iso8859-2": "cp1250",
            "iso8859-9": "cp1254"}


def _windows_code_page(chunk: bytes, charset: str, codec: str, index: int,
                       offset: int) -> tuple[str, str, Issue] | None:
    """Text declared UNOA..UNOD, UNOK or UNOL holding bytes 0x80-0x9F, as the Windows code page of its languages
    (`_WINDOWS`): (text, codec, the issue saying so).

    Those bytes are control characters in ISO 8859, never text; a Windows system writes its € – “ ” ‘ ’ … there,
    and in Windows-1250 the Polish and Czech ś Ś ź Ź š Š ž Ž ť. Read as declared they went into names and
    descriptions as invisible controls (an en dash as U+0096, 'Śląsk' as '\x8clšsk'), so the coordinator saw
    mangled text in Odoo with nothing pointing at the cause."""
    page = _WINDOWS.get(codec)
    c1 = _C1.search(chunk) if page is not None else None
    if page is None or c1 is None:
        return None
    try:
        text = chunk.decode(page)
    except UnicodeDecodeError:
        return None                       # a byte the code page leaves undefined (0x81 ... in Windows-1252)
    byte, name = chunk[c1.start()], f"Windows-{page[2:]}"
    return text, page, Issue(Severity.WARNING, f"declared {charset} but byte 0x{byte:02x} is a control character "
                             f"there and {bytes([byte]).decode(page)!r} in {name}: text read as {name}", code="21",
                             level="interchange", interchange=index, segment_tag="UNB", offset=offset + c1.start())


def _interchange_end(data: bytes, start: int, d: Delimiters) -> int:
    """Byte offset just past the UNZ segment (and its trailing whitespace) of the interchange at `start`.

    A UNA or UNB at the start of a segment also ends it (the UNZ is missing), so the next
    interchange is read with its own separators instead of as stray segments of this one.
    """
    term = d.segment.encode("latin-1")
    esep = re.escape(d.element.encode("latin-1"))
    rel = d.release.encode("latin-1") if d.release else b""
    pattern = re.compile(re.escape(term) + rb"[ \t\r\n]*(UNZ" + esep + rb"|UNB" + esep + rb"|UNA)")
    pos = start
    while True:
        m = pattern.search(data, pos)
        if m is None:
            return len(data)
        if rel and _released(data, m.start(), rel):
            pos = m.end()
            continue
        if m.group(1)[:3] != b"UNZ":
            return m.start() + len(term)          # the next interchange starts here; this one lacks its UNZ
        end = m.end()
        while True:
            t = data.find(term, end)
            if t < 0:
                t = end = len(data)
                break
            if rel and _released(data, t, rel):
                end = t + 1
                continue
            end = t + len(term)
            break
        # a UNZ without its terminator ends at the line where the next interchange starts (else that UNA/UNB
        # was read as its reference, and the next interchange's messages were left out unread)
        nxt = re.compile(rb"[\r\n][ \t\r\n]*(?:UNA|UNB" + esep + rb")").search(data, m.end(), t)
        if nxt is not None:
            return nxt.start()
        # swallow whitespace up to the next interchange
        while end < len(data) and data[end] in b" \t\r\n":
            end += 1
        return end


def _released(data: bytes | str, at: int, rel: bytes | str) -> bool:
    """True when the character at `at` is preceded by an odd run of release characters."""
    n = 0
    i = at - 1
    while i >= 0 and data[i:i + 1] == rel:
        n += 1
        i -= 1
    return n % 2 == 1


def _read_interchange(data: bytes, start: int, index: int, bom: bool, result: ParseResult, validate: bool = True,
                      each: Callable[[Transaction], None] | None = None) -> int:
    header = _read_header(data, start, index)
    d = header.delimiters
    result.issues.extend(header.issues)
    end = _interchange_end(data, header.body_start, d) if not header.newline_terminated else len(data)
    body = data[header.body_start:end]
    text, codec, dec_issues = _decode(body, header.charset, index, header.body_start)
    result.issues.extend(dec_issues)
    byte_offsets = codec not in _SINGLE_BYTE and len(text) != len(body)
    del body
    builder = _Builder(result, index, header, text, codec, bom, byte_offsets, validate, each)
    del text                      # the builder drops it once split, so the whole text is not held twice
    builder.run()
    return end


def split_segments(text: str, d: Delimiters) -> list[str]:
    """Split interchange text on unreleased segment terminators (pieces keep leading whitespace)."""
    pieces = text.split(d.segment)
    rel = d.release
    if rel and rel in text:
        pieces = _merge_released(pieces, rel, d.segment)
    return pieces


def _merge_released(pieces: list[str], rel: str, sep: str) -> list[str]:
    """Re-join pieces whose separator was released (preceded by an odd run of release characters).

    Joined once per merged run, so a hostile run of thousands of released terminators stays linear.
    """
    out: list[str] = []
    run: list[str] = []
    for p in pieces:
        run.append(p)
        if p.endswith(rel):
            n = len(p) - len(p.rstrip(rel))     # the run cannot reach past `sep` into the previous piece
            if n % 2 == 1:
                continue
        out.append(sep.join(run) if len(run) > 1 else p)
        run = []
    if run:
        out.append(sep.join(run))
    return out


class _Unreleaser:
    """Removes release characters from one segment, per interchange delimiters."""

    def __init__(self, d: Delimiters) -> None:
        assert d.release
        self.d = d
        self.pattern = re.compile(re.escape(d.release) + "(.)", re.DOTALL)
        self.literal = {d.element: _LIT_ELEMENT, d.component: _LIT_COMPONENT}
        if d.repetition:
            self.literal[d.repetition] = _LIT_REPETITION

    def _sub(self, m: re.Match[str]) -> str:
        ch = m.group(1)
        return self.literal.get(ch, ch)

    def split(self, raw: str) -> tuple[list[str], str, str | None]:
        """Elements of `raw` (tag first), and the component / repetition separators they use."""
        d = self.d
        s = self.pattern.sub(self._sub, raw)
        parts = s.split(d.element)
        comp, rep = d.component, d.repetition
        if _LIT_COMPONENT in s or _LIT_REPETITION in s:
            comp = COMPONENT_MARK
            parts = [p.replace(d.component, COMPONENT_MARK).replace(_LIT_COMPONENT, d.component)
                     for p in parts]
            if d.repetition:
                rep = REPETITION_MARK
                parts = [p.replace(d.repetition, REPETITION_MARK).replace(_LIT_REPETITION, d.repetition)
                         for p in parts]
        if _LIT_ELEMENT in s:
            parts = [p.replace(_LIT_ELEMENT, d.element) for p in parts]
        return parts, comp, rep


class _Builder:
    """Turns the segment strings of one interchange into envelopes, groups, transactions and Issues."""

    def __init__(self, result: ParseResult, index: int, header: _Header, text: str, codec: str,
                 bom: bool, byte_offsets: bool, validate: bool = True,
                 each: Callable[[Transaction], None] | None = None) -> None:
        self.result = result
        self.validate = validate
        self.each = each
        self.message_segments = 0         # UNH..UNT of the messages read so far (each may let them go)
        self.index = index
        self.header = header
        self.text = text
        self.codec = codec
        self.bom = bom
        self.byte_offsets = byte_offsets
        self.envelope: Envelope | None = None
        self.group: Group | None = None
        self.group_count = 0
        self.tx: Transaction | None = None
        self.message_count = 0            # messages directly in the interchange or in the current group
        self.interchange_messages = 0
        self.groups_in_interchange = 0
        self.tx_index = 0
        self.closed = False

    # -- issues ---------------------------------------------------------------------
    def issue(self, severity: Severity, message: str, code: str, level: str, seg: Segment | None = None,
              element: int | None = None, component: int | None = None, value: str = "",
              tx: Transaction | None = None) -> Issue:
        issue = Issue(severity, message, code=code, level=level, interchange=self.index,
                      group=(self.group.index if self.group is not None and level != "interchange" else None),
                      transaction=(tx.index if tx is not None else None),
                      segment_tag=seg.tag if seg else "",
                      segment_position=(seg.position or None) if seg and tx is not None else None,
                      element_position=element, component_position=component, value=value,
                      offset=seg.offset if seg else None)
        self.result.issues.append(issue)
        if severity is Severity.ERROR and tx is not None:
            tx.accepted = False
        return issue

    # -- main loop -------------------------------------------------------------------
    def run(self) -> None:
        h = self.header
        d = h.delimiters
        text = self.text
        self.text = ""
        pieces = split_segments(text, d)
        has_release = bool(d.release and d.release in text)
        del text
        # The whitespace after the first terminator is the interchange's usual segment suffix.
        suffix = ""
        if len(pieces) > 1:
            nxt = pieces[1]
            suffix = nxt[:len(nxt) - len(nxt.lstrip(_WS))]
            if d.segment == "\n":
                suffix = ""
        d = Delimiters(element=d.element, component=d.component, segment=d.segment, repetition=d.repetition,
                       release=d.release, decimal=d.decimal, suffix=suffix)
        self.d = d
        unrel = _Unreleaser(d) if has_release else None
        rel = d.release or ""
        esep, csep, rsep = d.element, d.component, d.repetition
        seps = (csep, rsep)                           # shared by the segments, as the X12 reader's
        base = h.body_start
        char_pos = 0
        term_len = len(d.segment)
        last: Segment | None = None
        newline_term = d.segment == "\n"
        segs_out = self._consume
        tags: dict[str, str] = {}
        make = Segment.bulk
        n_pieces = len(pieces)
        wrapped = False
        codec = self.codec
        term_bytes = len(d.segment.encode(codec, "replace"))
        for i, piece in enumerate(pieces):
            pieces[i] = ""                            # let each raw piece go once read: lower peak memory
            start = char_pos
            if self.byte_offsets:         # multi-byte text: count bytes piece by piece (linear, not quadratic)
                char_pos += len(piece.encode(codec, "replace")) + term_bytes
            else:
                char_pos += len(piece) + term_len
            if piece[:1] in _WS:
                body = piece.lstrip(_WS)
                lead = piece[:len(piece) - len(body)]
            else:
                body = piece
                lead = ""
            if newline_term and body.endswith("\r"):
                body = body.rstrip("\r")
            if last is not None and lead != suffix:
                last.suffix = lead
            if not body:
                if i < n_pieces - 1 and last is not None:
                    self.issue(Severity.WARNING, "empty segment (two terminators in a row) ignored", "18",
                               "segment", last, tx=self.tx)
                continue
            offset = base + start + len(lead)
            unterminated = i == n_pieces - 1 and not newline_term
            if unterminated:
                body = body.rstrip(_WS)                 # a final line end after it is no part of the segment
            if "\n" in body or "\r" in body:
                body = body.replace("\r", "").replace("\n", "")
                if not wrapped:
                    wrapped = True
                    self.result.issues.append(Issue(
                        Severity.WARNING, "line breaks inside segments were removed (file wrapped at a fixed "
                        "width?)", code="21", level="segment", interchange=self.index, offset=offset,
                        segment_tag=body[:3]))
            if unterminated:
                # A UNZ is the whole interchange's end: its count and reference (checked) say whether anything is
                # missing, so only its terminator is, as a text editor or an export drops it. Any other segment
                # ends a cut file.
                tag = body[:3]
                complete = tag == "UNZ" and body[3:4] == d.element
                self.result.issues.append(Issue(
                    Severity.WARNING if complete else Severity.ERROR,
                    f"last segment {tag!r} has no segment terminator {d.segment!r}: "
                    + ("read as the interchange's end" if complete else "the file is truncated"),
                    code="13", level="interchange", interchange=self.index, offset=offset, segment_tag=tag))
            if unrel is not None and rel in body:
                parts, seg_csep, seg_rsep = unrel.split(body)
                seg_seps = (seg_csep, seg_rsep)       # a released separator: this segment's own marks
            else:
                parts = body.split(esep)
                seg_csep, seg_seps = csep, seps
            tag = parts[0]
            if seg_csep in tag:
                tag = tag.split(seg_csep, 1)[0]
            parts[0] = tags.setdefault(tag, tag)    # one string per tag, not one per segment
            # kept for the whole result: an exact-size copy (str.split's list holds room for 12 items)
            seg = make((parts[:], 0, offset, seg_seps))
            segs_out(seg)
            last = seg
        self._finish()

    # -- structure -------------------------------------------------------------------
    def _consume(self, seg: Segment) -> None:
        tag = seg.tag
        tx = self.tx
        if tx is not None:
            if tag == "UNT":
                seg[POSITION] = len(tx.segments) + 1
                tx.segments.append(seg)
                self._close_message(seg)
                return
            if tag in ("UNH", "UNE", "UNZ", "UNB", "UNG"):
                self.issue(Severity.ERROR, f"message {tx.control_number!r} ({tx.doc_type}) has no UNT trailer "
                           f"before {tag}", "13", "transaction", tx.segments[-1], tx=tx)
                self.tx = None
                self._done(tx)
            else:
                seg[POSITION] = len(tx.segments) + 1
                tx.segments.append(seg)
                return
        if tag == "UNH":
            self._open_message(seg)
        elif tag == "UNB":
            self._open_interchange(seg)
        elif tag == "UNG":
            self._open_group(seg)
        elif tag == "UNE":
            self._close_group(seg)
        elif tag == "UNZ":
            self._close_interchange(seg)
        else:
            if self.envelope is not None:
                self.envelope.service_segments.append(seg)
            self.issue(Severity.WARNING, f"segment {tag} outside a message ignored", "33", "interchange", seg)

    def _open_interchange(self, seg: Segment) -> None:
        if self.envelope is not None:
            self.issue(Severity.ERROR, "second UNB inside an interchange (UNZ missing?)", "13", "interchange", seg)
            return
        h = self.header
        s001 = seg.get(1).split(seg.component_sep)
        sender = seg.get(2).split(seg.component_sep)
        recipient = seg.get(3).split(seg.component_sep)
        when = seg.get(4).split(seg.component_sep)
        env = Envelope(
            syntax=Syntax.EDIFACT,
            sender_id=sender[0], sender_qualifier=sender[1] if len(sender) > 1 else "",
            receiver_id=recipient[0], receiver_qualifier=recipient[1] if len(recipient) > 1 else "",
            control_number=seg.get(5),
            version=":".join(s001[:2]),
            date=when[0], time=when[1] if len(when) > 1 else "",
            test=seg.get(11) == "1",
            ack_requested=seg.get(9) == "1",
            delimiters=self.d, raw_header=plain_elements(seg, self.d), index=self.index,
            encoding=self.codec, service_string=h.service_string, bom=self.bom,
            service_segments=[seg])
        self.envelope = env
        self.result.interchanges.append(env)
        if h.syntax_version and h.syntax_version not in "1234":
            self.issue(Severity.ERROR, f"syntax version {h.syntax_version!r} is not 1 to 4", "2",
                       "interchange", seg, element=1, component=2, value=h.syntax_version)

    def _need_envelope(self, seg: Segment) -> Envelope:
        if self.envelope is None:
            self.issue(Severity.ERROR, f"{seg.tag} before UNB: interchange header missing", "13",
                       "interchange", seg)
            self.envelope = Envelope(syntax=Syntax.EDIFACT, delimiters=self.d, index=self.index,
                                     encoding=self.codec, service_string=self.header.service_string,
                                     bom=self.bom)
            self.result.interchanges.append(self.envelope)
        return self.envelope

    def _open_group(self, seg: Segment) -> None:
        env = self._need_envelope(seg)
        env.service_segments.append(seg)
        if self.group is not None:
            self.issue(Severity.ERROR, f"group {self.group.control_number!r} has no UNE before the next UNG",
                       "13", "group", seg)
        if self.interchange_messages and not self.groups_in_interchange:
            self.issue(Severity.ERROR, "functional groups and messages mixed in one interchange", "30",
                       "interchange", seg)
        sender = seg.get(2).split(seg.component_sep)
        recipient = seg.get(3).split(seg.component_sep)
        when = seg.get(4).split(seg.component_sep)
        s008 = seg.get(7).split(seg.component_sep)
        self.group = Group(functional_id=seg.get(1), sender_id=sender[0], receiver_id=recipient[0],
                           control_number=seg.get(5), version="".join(s008[:2]),
                           date=when[0], time=when[1] if len(when) > 1 else "",
                           index=self.group_count, raw_header=plain_elements(seg, self.d),
                           message_type=seg.get(1))
        self.group_count += 1
        self.groups_in_interchange += 1
        self.message_count = 0
        self.result.groups.append(self.group)

    def _close_group(self, seg: Segment) -> None:
        env = self._need_envelope(seg)
        env.service_segments.append(seg)
        group = self.group
        if group is None:
            self.issue(Severity.ERROR, "UNE without a UNG", "13", "group", seg)
            return
        self._check_count(seg, self.message_count, "group", "messages in the group")
        if seg.get(2) != group.control_number:
            self.issue(Severity.ERROR, f"UNE reference {seg.get(2)!r} does not match UNG reference "
                       f"{group.control_number!r}", "28", "group", seg, element=2, value=seg.get(2))
        if self.message_count == 0:
            self.issue(Severity.ERROR, "functional group holds no message", "32", "group", seg)
        self.group = None
        self.message_count = 0

    def _open_message(self, seg: Segment) -> None:
        env = self._need_envelope(seg)
        if self.groups_in_interchange and self.group is None:
            self.issue(Severity.ERROR, "message outside a functional group in an interchange that uses groups",
                       "30", "interchange", seg)
        s009 = seg.get(2).split(seg.component_sep)
        doc_type = s009[0]
        version = "".join(s009[1:3])
        tx = Transaction(syntax=Syntax.EDIFACT, doc_type=doc_type, version=version,
                         control_number=seg.get(1), envelope=env, group=self.group,
                         index=self.tx_index)
        self.tx_index += 1
        seg.position = 1
        tx.segments.append(seg)
        self.tx = tx
        self.result.transactions.append(tx)
        self.message_count += 1
        self.interchange_messages += 1
        if not seg.get(1):
            self.issue(Severity.ERROR, "UNH has no message reference number (0062)", "13", "transaction", seg,
                       element=1, tx=tx)
        if not doc_type or len(s009) < 4:
            self.issue(Severity.ERROR, f"UNH message identifier {seg.get(2)!r} lacks type, version, release "
                       "or agency (S009)", "13", "transaction", seg, element=2, value=seg.get(2), tx=tx)
        group_type = self.group.message_type if self.group is not None else ""
        if len(group_type) == 6 and group_type.isalpha() and doc_type != group_type:
            self.issue(Severity.WARNING, f"message type {doc_type} in a group of {group_type}",
                       "31", "transaction", seg, element=2, component=1, value=doc_type, tx=tx)

    def _close_message(self, seg: Segment) -> None:
        tx = self.tx
        assert tx is not None
        count = seg.get(1)
        if not count.isdecimal() or int(count) != len(tx.segments):
            self.issue(Severity.ERROR, f"UNT says {count!r} segments but the message has {len(tx.segments)} "
                       "(UNH..UNT inclusive)", "29", "transaction", seg, element=1, value=count, tx=tx)
        if seg.get(2) != tx.control_number:
            self.issue(Severity.ERROR, f"UNT reference {seg.get(2)!r} does not match UNH reference "
                       f"{tx.control_number!r}", "28", "transaction", seg, element=2, value=seg.get(2), tx=tx)
        self.tx = None
        self._done(tx)

    def _done(self, tx: Transaction) -> None:
        """A message is complete (its UNT, or what ended it without one): count it, and with `each`,
        check it and hand it over now."""
        self.message_segments += len(tx.segments)
        if self.each is not None:
            if self.validate:
                from gateway.formats.edifact_validate import validate as check
                self.result.issues.extend(check(tx, self.index))
            self.each(tx)

    def _check_count(self, seg: Segment, actual: int, level: str, what: str) -> None:
        count = seg.get(1)
        if not count.isdecimal() or int(count) != actual:
            self.issue(Severity.ERROR, f"{seg.tag} control count {count!r} does not match the {actual} {what}",
                       "29", level, seg, element=1, value=count)

    def _close_interchange(self, seg: Segment) -> None:
        env = self._need_envelope(seg)
        env.service_segments.append(seg)
        if self.group is not None:
            self.issue(Severity.ERROR, f"group {self.group.control_number!r} has no UNE trailer", "13",
                       "group", seg)
            self.group = None
        if self.groups_in_interchange:
            self._check_count(seg, self.groups_in_interchange, "interchange", "functional groups")
        else:
            self._check_count(seg, self.interchange_messages, "interchange", "messages")
        if seg.get(2) != env.control_number:
            self.issue(Severity.ERROR, f"UNZ reference {seg.get(2)!r} does not match UNB reference "
                       f"{env.control_number!r}", "28", "interchange", seg, element=2, value=seg.get(2))
        self.closed = True

    def _finish(self) -> None:
        if self.tx is not None:
            tx = self.tx
            self.issue(Severity.ERROR, f"message {tx.control_number!r} ({tx.doc_type}) has no UNT trailer",
                       "13", "transaction", tx.segments[-1], tx=tx)
            self.tx = None
            self._done(tx)
        if self.envelope is None:
            self.result.issues.append(Issue(Severity.ERROR, "no UNB interchange header", code="13",
                                            level="interchange", interchange=self.index,
                                            offset=self.header.body_start))
            return
        if self.group is not None:
            self.issue(Severity.ERROR, f"group {self.group.control_number!r} has no UNE trailer", "13", "group",
                       None)
        if not self.closed:
            self.result.issues.append(Issue(Severity.ERROR, "interchange has no UNZ trailer (file truncated?)",
                                            code="13", level="interchange", interchange=self.index,
                                            segment_tag="UNZ"))
        self.result.segment_count += self.message_segments + len(self.envelope.service_segments)


def plain(value: str, d: Delimiters) -> str:
    """`value` of a segment that holds released separators, with its real separators shown as `d`'s.

    Such a segment keeps its real separators as noncharacters (see the module docstring) so that
    splitting stays exact; text meant for people or for an envelope's raw header must not carry
    them. The result is ambiguous where a literal separator was released: it is for reading only.
    """
    if COMPONENT_MARK in value:
        value = value.replace(COMPONENT_MARK, d.component)
    if REPETITION_MARK in value and d.repetition:
        value = value.replace(REPETITION_MARK, d.repetition)
    return value


def plain_elements(seg: Segment, d: Delimiters) -> list[str]:
    """The elements of `seg` as `plain` text (a copy; the segment keeps its exact form)."""
    if seg.component_sep != COMPONENT_MARK:
        return seg.fields[1:]
    return [plain(v, d) for v in seg.fields[1:]]


def number(value: str) -> Decimal:
    """An EDIFACT numeric value (n..15, n..18) as a Decimal.

    ISO 9735 lets a sender use either decimal mark whatever its UNA says, and puts a minus
    sign first; there are no thousands separators. Raises ValueError for anything else.
    """
    text = value.strip()
    if not _NUMBER.match(text):
        raise ValueError(f"{value!r} is not an EDIFACT number (digits, one '.' or ',' decimal mark, leading '-')")
    return Decimal(text.replace(",", "."))


_NUMBER = re.compile(r"^-?(\d+([.,]\d*)?|[.,]\d+)$")


# ----------------------------------------------------------------------------- writing

class Escaper:
    """Escapes text values for one set of delimiters (release character before every service character)."""

    def __init__(self, d: Delimiters) -> None:
        self.d = d
        specials = [d.element, d.component, d.segment]
        if d.repetition:
            specials.append(d.repetition)
        if d.release:
            specials.insert(0, d.release)
        self.specials = specials
        self.pattern = re.compile("[" + re.escape("".join(specials)) + "]")

    def __call__(self, value: str) -> str:
        if not self.pattern.search(value):
            return value
        if not self.d.release:
            raise ValueError(f"value {value!r} contains a separator and the interchange has no release character")
        rel = self.d.release
        return self.pattern.sub(lambda m: rel + m.group(0), value)


def format_segment(seg: Segment, d: Delimiters, escape: Escaper | None = None) -> str:
    """One segment as text with terminator (no suffix), releasing service characters in the data."""
    esc = escape or Escaper(d)
    fields = seg.fields
    out = [fields[0]]
    csep_in = seg.component_sep
    rsep_in = seg.repetition_sep
    for value in fields[1:]:
        if not esc.pattern.search(value) and csep_in == d.component and (rsep_in or "") == (d.repetition or ""):
            out.append(value)
            continue
        reps = value.split(rsep_in) if rsep_in else [value]
        out.append((d.repetition or "").join(
            d.component.join(esc(c) for c in rep.split(csep_in)) for rep in reps))
    return d.element.join(out) + d.segment


def una_for(d: Delimiters) -> str:
    """The UNA service string advice for `d`."""
    return "UNA" + d.component + d.element + d.decimal + (d.release or " ") + (d.repetition or " ") + d.segment


def write_result(result: ParseResult) -> bytes:
    """Write every interchange of `result` back to bytes, recomputing UNT / UNE / UNZ counts.

    A well-formed file read by `parse` comes back byte for byte (separators, UNA, line ends,
    character set, BOM); that is what the round-trip tests check.
    """
    out: list[bytes] = []
    for env in result.interchanges:
        txs = [t for t in result.transactions if t.envelope is env]
        out.append(write_interchange(env, txs))
    return b"".join(out)


def write_interchange(env: Envelope, transactions: Sequence[Transaction]) -> bytes:
    """One interchange from an envelope (as read, or built by `Writer`) and its messages.

    Text the interchange's character set lacks is written as `fit_text` makes it (an Odoo name's typographic
    apostrophe or en dash in a UNOC interchange, an umlaut in a UNOA one); a character with no such stand-in
    (a Chinese name in UNOC) is a FormatError naming the syntax identifiers that have it."""
    codec = env.encoding or CHARSETS.get(env.version.split(":")[0], "utf-8")
    text = _interchange_text(env, transactions, None)
    try:
        data = text.encode(codec)
    except UnicodeEncodeError:
        text = _interchange_text(env, transactions, codec)
        try:
            data = text.encode(codec)
        except UnicodeEncodeError as exc:
            bad = text[exc.start:exc.end]
            having = [name for name in _UNO if _encodes(bad, CHARSETS[name])]
            raise FormatError(f"{bad!r} cannot be written in the interchange's character set {env.version or codec} "
                              f"({codec}); the syntax identifiers that have it: {', '.join(having) or 'none'}",
                              f"interchange {env.control_number or env.index + 1}") from None
    return (_BOM + data) if env.bom else data


def _interchange_text(env: Envelope, transactions: Sequence[Transaction], fit_to: str | None) -> str:
    """The interchange as text; with `fit_to` (a codec), every value through `fit_text` for it."""
    d = env.delimiters or DEFAULT_DELIMITERS
    esc = Escaper(d)
    parts: list[str] = [env.leading] if env.leading else []
    if env.service_string:
        parts.append(env.service_string)

    def emit(seg: Segment) -> None:
        if fit_to is not None:
            seg = Segment(seg.tag, [fit_text(v, fit_to) for v in seg.fields[1:]], seg.position, seg.offset,
                          seg.component_sep, seg.repetition_sep, seg.suffix)
        parts.append(format_segment(seg, d, esc))
        parts.append(d.suffix if seg.suffix is None else seg.suffix)

    service = env.service_segments or [Segment("UNB", list(env.raw_header)), Segment("UNZ", ["", ""])]
    loose = [t for t in transactions if t.group is None]
    grouped: dict[int, list[Transaction]] = {}
    for tx in transactions:
        if tx.group is not None:
            grouped.setdefault(tx.group.index, []).append(tx)
    n_groups = 0
    in_group: list[Transaction] = []
    for seg in service:
        if seg.tag == "UNG":
            in_group = grouped.get(n_groups, [])
            n_groups += 1
            emit(seg)
            for tx in in_group:
                _emit_message(tx, emit)
        elif seg.tag == "UNE":
            emit(_with_count(seg, len(in_group)))
            in_group = []
        elif seg.tag == "UNZ":
            for tx in loose:
                _emit_message(tx, emit)
            unz = _with_count(seg, n_groups if n_groups else len(loose))
            if not unz.get(2):
                unz = Segment("UNZ", [unz.get(1), env.control_number], suffix=seg.suffix)
            emit(unz)
        else:
            emit(seg)
    return "".join(parts)


_UNO = ("UNOA", "UNOB", "UNOC", "UNOD", "UNOE", "UNOF", "UNOG", "UNOH", "UNOI", "UNOJ", "UNOK", "UNOL", "UNOW",
        "UNOY")
# What Odoo text holds and ISO 8859 parts lack, as EDI translators write it in UNOA..UNOL: Word's typography
# (quotes, dashes, ellipsis), the euro sign (UNOC has none), and the letters NFKD does not take apart
STAND_INS: dict[str, str] = {
    **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032", "'"), **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\xab\xbb", '"'),
    **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"), **dict.fromkeys("\xa0\u2009\u202f", " "),
    "\u2026": "...", "\u20ac": "EUR", "\u2022": "*", "\xd7": "x", "\u2122": "TM", "\xae": "(R)", "\xa9": "(C)",
    "\xdf": "ss", "\xe6": "ae", "\xc6": "AE", "\u0153": "oe", "\u0152": "OE", "\xf8": "o", "\xd8": "O",
    "\u0142": "l", "\u0141": "L", "\u0111": "d", "\u0110": "D", "\u200b": "",
    # units in product names ('90° elbow', '1½ in', '100 µF', '10 kΩ'): as ASCII writes them, a fraction after a
    # space so that 1½ is '1 1/2', not '11/2'
    "\xb0": " deg", "\xb5": "u", "\u2126": "Ohm", "\u03a9": "Ohm", "\xb1": "+/-",
    **{f: " " + unicodedata.normalize("NFKD", f).replace("\u2044", "/")
       for f in "\xbc\xbd\xbe\u2153\u2154\u215b\u215c\u215d\u215e"},
}


def fit_text(value: str, codec: str) -> str:
    """`value` with each character `codec` cannot write replaced by its stand-in (`STAND_INS`), else by its base
    letter (NFKD without the accents: 'é' is 'e' in UNOA); one with neither is kept, for the caller to refuse."""
    if _encodes(value, codec):
        return value
    out = []
    for ch in value:
        if ch in (COMPONENT_MARK, REPETITION_MARK) or _encodes(ch, codec):
            out.append(ch)
            continue
        stand_in = STAND_INS.get(ch)
        if stand_in is None:
            stand_in = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
        out.append(stand_in if stand_in != ch and _encodes(stand_in, codec) else ch)
    return "".join(out)


UNOA_STAND_INS = {"@": "(AT)", "#": "NO.", "_": "-", "~": "-", "[": "(", "]": ")", "{": "(", "}": ")", "\\": "/",
                  "|": "/", "`": "'", "^": " ", "$": "USD "}
"""What a UNOA writer puts for the ASCII signs ISO 9735 level A lacks: 'info@acme.com' as 'INFO(AT)ACME.COM',
'#12' as 'NO.12'; any other character is written '?', as an ASCII writer marks one it cannot carry."""
_NOT_UNOA = re.compile("[^A-Z0-9 .,()/='+:?!\"%&*;<>\\-\ufdd0-\ufdd4]")


def unoa_text(value: str) -> str:
    """`value` in ISO 9735 level A (UNOA): capital letters, digits, space and . , - ( ) / = ' + : ? ! " % & * ; < >.
    A partner that declares UNOA reads with that repertoire (an old mainframe's, or a translator that checks it):
    'Blue widget' in lowercase is refused there or read as garbage, so its letters go in capitals and the other
    signs as their stand-ins (`UNOA_STAND_INS`). UNOB and above carry lowercase and are written as they are."""
    upper = fit_text(value, "ascii").upper()
    return _NOT_UNOA.sub(lambda found: UNOA_STAND_INS.get(found.group(), "?"), upper)


def fit_texts(data: Any, codec: str) -> Any:
    """`data` (a document's plain values: dicts, lists, strings) with each string as `fit_text` makes it for `codec`.

    For the writer of an outbound document, before its profile spreads a name over C080's components and cuts a
    description to its element: a stand-in longer than its character ('™' as 'TM', '€' as 'EUR') counted there
    fits. Fitted in the written segments only, a 35-character piece became 36 and the whole document was held as
    one its partner would refuse."""
    if isinstance(data, str):
        return fit_text(data, codec)
    if isinstance(data, dict):
        return {key: fit_texts(value, codec) for key, value in data.items()}
    if isinstance(data, list):
        return [fit_texts(value, codec) for value in data]
    return data


def _encodes(text: str, codec: str) -> bool:
    try:
        text.encode(codec)
    except UnicodeEncodeError:
        return False
    return True


def _emit_message(tx: Transaction, emit: Callable[[Segment], None]) -> None:
    segs = tx.segments
    for seg in segs[:-1]:
        emit(seg)
    last = segs[-1] if segs else None
    if last is not None and last.tag == "UNT":
        emit(_with_count(last, len(segs)))
    else:
        if last is not None:
            emit(last)
        emit(Segment("UNT", [str(len(segs) + 1), tx.control_number]))


def _with_count(seg: Segment, count: int) -> Segment:
    """`seg` with element 1 set to `count`, keeping the original text when it already says so."""
    old = seg.get(1)
    if old.isdecimal() and int(old) == count:
        return seg
    elements = seg.fields[1:] or [""]
    elements[0] = str(count)
    return Segment(seg.tag, elements, seg.position, seg.offset, seg.component_sep, seg.repetition_sep,
                   seg.suffix)


@dataclass(slots=True)
class Party:
    id: str
    qualifier: str = ""
    internal: tuple[str, ...] = ()      # S002 0008/0042, S003 0014/0046: an internal id a hub routes by


class Writer:
    """Builds an outbound interchange: UNB header from parties and numbers, messages, computed trailers.

    >>> w = Writer(sender=Party("0614141000005", "14"), recipient=Party("4012345000009", "14"),
    ...            control_number="17", date="261129", time="0900")
    >>> w.message("1", "ORDERS:D:96A:UN", [("BGM", ["220", "PO1", "9"])])
    >>> w.to_bytes()[:9]
    b"UNA:+.? '"
    """

    def __init__(self, *, sender: Party, recipient: Party, control_number: str, date: str, time: str,
                 syntax: str = "UNOC", syntax_version: str = "3", delimiters: Delimiters | None = None,
                 una: bool = True, test: bool = False, ack_request: bool = False,
                 application_ref: str = "", suffix: str = "\n") -> None:
        base = delimiters or DEFAULT_DELIMITERS
        if syntax_version == "4" and base.repetition is None and delimiters is None:
            base = Delimiters(element="+", component=":", segment="'", repetition="*", release="?")
        self.d = Delimiters(element=base.element, component=base.component, segment=base.segment,
                            repetition=base.repetition, release=base.release, decimal=base.decimal,
                            suffix=suffix)
        c = self.d.component
        date = unb_date(date, syntax_version)
        header = [f"{syntax}{c}{syntax_version}",
                  _join_components([sender.id, sender.qualifier, *sender.internal], c),
                  _join_components([recipient.id, recipient.qualifier, *recipient.internal], c),
                  f"{date}{c}{time}", control_number]
        tail = ["", application_ref, "", "1" if ack_request else "", "", "1" if test else ""]
        while tail and not tail[-1]:
            tail.pop()
        header.extend(tail)
        self.envelope = Envelope(
            syntax=Syntax.EDIFACT, sender_id=sender.id, sender_qualifier=sender.qualifier,
            receiver_id=recipient.id, receiver_qualifier=recipient.qualifier, control_number=control_number,
            version=f"{syntax}:{syntax_version}", date=date, time=time, test=test, ack_requested=ack_request,
            delimiters=self.d, raw_header=header, encoding=CHARSETS.get(syntax, "utf-8"),
            service_string=(una_for(self.d) + suffix) if una else "",
            service_segments=[Segment("UNB", header, component_sep=c, repetition_sep=self.d.repetition),
                              Segment("UNZ", ["0", control_number])])
        self.transactions: list[Transaction] = []

    def message(self, reference: str, message_type: str,
                body: Iterable[tuple[str, Sequence[str | Sequence[str]]]]) -> Transaction:
        """Add a message: UNH from `reference` and `message_type` ("ORDERS:D:96A:UN:EAN008"), the body
        segments as (tag, elements), and UNT with the computed count.

        An element is either a string whose components are joined by the writer's component
        separator (":" by default), or a list of component values; values in a list are taken
        literally, so a ":" inside one is released on output. Prefer lists for free text.
        """
        c = self.d.component
        mt = message_type.replace(":", c) if c != ":" else message_type
        segs = [Segment("UNH", [reference, mt], 1, component_sep=c, repetition_sep=self.d.repetition)]
        for tag, elements in body:
            segs.append(self._segment(tag, elements, len(segs) + 1))
        segs.append(Segment("UNT", [str(len(segs) + 1), reference], len(segs) + 1, component_sep=c))
        s009 = message_type.split(":")
        tx = Transaction(syntax=Syntax.EDIFACT, doc_type=s009[0], version="".join(s009[1:3]),
                         control_number=reference, envelope=self.envelope, segments=segs,
                         index=len(self.transactions))
        self.transactions.append(tx)
        return tx

    def _segment(self, tag: str, elements: Sequence[str | Sequence[str]], position: int) -> Segment:
        c = self.d.component
        if all(isinstance(e, str) for e in elements):
            return Segment(tag, _trim([str(e) for e in elements]), position, component_sep=c,
                           repetition_sep=self.d.repetition)
        r = self.d.repetition
        values = []
        for e in elements:
            if isinstance(e, str):
                e = e.replace(c, COMPONENT_MARK)
                values.append(e.replace(r, REPETITION_MARK) if r else e)
            else:
                values.append(COMPONENT_MARK.join(_trim(list(e))))    # literal values: no repetition either
        return Segment(tag, _trim(values), position, component_sep=COMPONENT_MARK,
                       repetition_sep=REPETITION_MARK if r else None)

    def to_bytes(self) -> bytes:
        return write_interchange(self.envelope, self.transactions)


def unb_date(date: str, syntax_version: str) -> str:
    """UNB S004 0017 as the syntax version has it: CCYYMMDD from version 4 on, YYMMDD before (either given).

    A version 4 UNB dated YYMMDD is refused by a partner's translator that checks 0017 (n8)."""
    if syntax_version >= "4" and len(date) == 6 and date.isdecimal():
        return "20" + date
    if syntax_version < "4" and len(date) == 8 and date.isdecimal():
        return date[2:]
    return date


def _join_components(values: list[str], sep: str) -> str:
    while values and not values[-1]:
        values = values[:-1]
    return sep.join(values)


def _trim(elements: list[str]) -> list[str]:
    """Drop trailing empty elements (EDIFACT forbids trailing separators)."""
    while elements and not elements[-1]:
        elements.pop()
    return elements


def iter_segments(stream: BinaryIO, chunk_size: int = 1 << 16) -> Iterator[Segment]:
    """Every segment of an EDIFACT stream in order, envelope segments included, in bounded memory.

    For files too large to hold as a ParseResult: separators come from the first UNA (or the
    defaults), the character set from the first UNB; text is decoded incrementally and cut on
    unreleased terminators, so memory stays at one chunk plus one segment. Positions count
    from UNH = 1 inside messages; offsets are character offsets from the first UNB.
    """
    first = stream.read(max(chunk_size, 4096))
    first = first.removeprefix(_BOM)
    start = _skip_ws(first, 0)
    if first[start:start + 3] not in (b"UNA", b"UNB"):
        return
    header = _read_header(first, start, 0)
    d = header.delimiters
    codec = CHARSETS.get(header.charset, "utf-8")
    if codec == "ascii":
        codec = "latin-1"          # lenient: a stray byte must not stop a bulk read
    decoder = codecs.getincrementaldecoder(codec)(errors="replace")
    carry = decoder.decode(first[header.body_start:])
    unrel = _Unreleaser(d) if d.release else None
    rel = d.release or ""
    term = d.segment
    offset = 0
    position = 0
    eof = False
    make = Segment.bulk
    seps = (d.component, d.repetition)
    while True:
        if not eof:
            chunk = stream.read(chunk_size)
            if chunk:
                carry += decoder.decode(chunk)
            else:
                carry += decoder.decode(b"", final=True)
                eof = True
        pieces = split_segments(carry, d)
        carry = pieces.pop() if not eof else ""
        for piece in pieces:
            body = piece.lstrip(_WS)
            seg_offset = offset + len(piece) - len(body)
            offset += len(piece) + len(term)
            if not body:
                continue
            if "\n" in body or "\r" in body:
                body = body.replace("\r", "").replace("\n", "")
            if body.startswith("UNA") and len(body) == 8:
                d = Delimiters(element=body[4], component=body[3], segment=term,
                               repetition=None if body[7] == " " else body[7],
                               release=None if body[6] == " " else body[6], decimal=body[5])
                unrel = _Unreleaser(d) if d.release else None
                rel = d.release or ""
                continue
            if unrel is not None and rel in body:
                parts, csep, rsep = unrel.split(body)
                seps = (csep, rsep)
            else:
                parts = body.split(d.element)
                if seps[0] != d.component or seps[1] != d.repetition:
                    seps = (d.component, d.repetition)   # one tuple for every segment until the next UNA
            tag = parts[0]
            if tag == "UNH":
                position = 1
            elif position:
                position += 1
            seg = make((parts, position, seg_offset, seps))
            if tag == "UNT":
                position = 0
            yield seg
        if eof:
            break
