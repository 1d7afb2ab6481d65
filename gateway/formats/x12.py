"""X12 reader: segments into interchanges, groups and transaction sets, with the envelope checks.

`parse(data)` is what the pipeline calls: the whole file as a `ParseResult`, envelope-checked
and validated against the structure definitions in `x12_defs/`. `X12Reader(stream)` is the
streaming form underneath it: iterate it to get each `Transaction` as soon as its SE is read,
so a file of any size is read in bounded memory (`bench/x12_parse.py` measures both).

Envelope checks made here, each an `Issue` with the code its acknowledgement carries:
ISA field widths and values (TA105), ISA13 = IEA02 and IEA01 = number of groups, GS06 = GE02
and GE01 = number of sets (AK905), ST02 = SE02 and SE01 = number of segments (AK502), GS08
against ISA12, missing trailers, and segments outside any transaction set.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Callable, Iterator
from typing import BinaryIO

from gateway.errors import FormatError
from gateway.formats import x12_codes as codes
from gateway.formats.base import (
    FIELDS,
    POSITION,
    UNDECODED_UTF8,
    Envelope,
    Group,
    Issue,
    ParseResult,
    Segment,
    Severity,
    Syntax,
    Transaction,
)
from gateway.formats.x12_tokens import CHUNK_SIZE, Tokenizer
from gateway.formats.x12_writer import OutGroup, OutTransaction, X12Writer, write_interchange, write_parsed

Writer = X12Writer     # the name docs/ARCHITECTURE.md uses

__all__ = [
    "OutGroup",
    "OutTransaction",
    "Writer",
    "X12Reader",
    "X12Writer",
    "apply_acceptance",
    "check_duplicates",
    "iter_segments",
    "parse",
    "write_interchange",
    "write_parsed",
]


# ISA01..ISA16: (width, TA105 code when wrong, what it is)
_ISA_FIELDS: tuple[tuple[int, str, str], ...] = (
    (2, codes.TA_BAD_AUTH_QUAL, "authorization qualifier"),
    (10, codes.TA_BAD_AUTH, "authorization information"),
    (2, codes.TA_BAD_SECURITY_QUAL, "security qualifier"),
    (10, codes.TA_BAD_SECURITY, "security information"),
    (2, codes.TA_BAD_SENDER_QUAL, "sender id qualifier"),
    (15, codes.TA_BAD_SENDER, "sender id"),
    (2, codes.TA_BAD_RECEIVER_QUAL, "receiver id qualifier"),
    (15, codes.TA_BAD_RECEIVER, "receiver id"),
    (6, codes.TA_BAD_DATE, "date (YYMMDD)"),
    (4, codes.TA_BAD_TIME, "time (HHMM)"),
    (1, codes.TA_BAD_STANDARDS_ID, "standards id / repetition separator"),
    (5, codes.TA_BAD_VERSION, "control version number"),
    (9, codes.TA_BAD_CONTROL_NUMBER, "control number"),
    (1, codes.TA_BAD_ACK_REQUESTED, "acknowledgment requested flag"),
    (1, codes.TA_BAD_TEST_INDICATOR, "usage indicator"),
    (1, codes.TA_BAD_COMPONENT_SEP, "component separator"),
)
_ISA_WIDTHS = tuple(width for width, _, _ in _ISA_FIELDS)
_ISA_VERSION = re.compile(r"00[2-9]\d\d\Z")
_DIGITS = re.compile(r"\d+\Z")
_GS_VERSION = re.compile(r"\d{6}")
_ISA_VALID = re.compile(r"0[0-6].{10}0[01].{10}.{2}.{15}.{2}.{15}[0-9]{2}(?:0[1-9]|1[0-2])[0-9]{2}"
                        r"(?:[01][0-9]|2[0-3])[0-5][0-9].00[2-9][0-9]{2}[0-9]{9}[01][PTI].", re.DOTALL)
"""ISA01..16 joined, each of its width, when `_isa_problems` finds nothing: ISA01 00-06, ISA03 00/01, ISA09 a
YYMMDD with a month, ISA10 an HHMM, ISA12 a version 002xx-009xx, ISA13 digits, ISA14 0/1, ISA15 P/T/I (ASCII
digits only: a header this does not match is checked field by field, as before)."""


class SeenNumbers:
    """Control numbers seen so far, in memory that stays flat for the usual consecutive numbering.

    Numbers counting up by one are kept as runs (first, last); anything else goes to a set.
    A group of a million sets numbered 0001, 0002, ... costs one run, not a million strings.
    """

    __slots__ = ("_first", "_last", "_other", "_runs", "_width")

    def __init__(self) -> None:
        self._first = self._last = -2
        self._width = 0
        self._runs: list[tuple[int, int, int]] = []     # (first, last, digits) of closed runs
        self._other: set[str] = set()

    def add(self, number: str) -> bool:
        """Record `number`; False when it was seen before."""
        if not number.isdecimal():
            if number in self._other:
                return False
            self._other.add(number)
            return True
        value = int(number)
        if len(number) == self._width and value == self._last + 1:
            self._last = value
            return True
        if self._first >= 0:          # (with no run open, no number was recorded yet)
            if number in self:
                return False
            self._runs.append((self._first, self._last, self._width))
        self._first = self._last = value
        self._width = len(number)
        return True

    def __contains__(self, number: object) -> bool:
        if not isinstance(number, str):
            return False
        if number in self._other:
            return True
        if not number.isdecimal():
            return False
        value, width = int(number), len(number)
        if width == self._width and self._first <= value <= self._last:
            return True
        return any(w == width and a <= value <= b for a, b, w in self._runs)


def _isa_problems(el: list[str], terminator: str = "") -> list[tuple[int, str, str]]:
    """(element position, TA105 code, sentence) for each ISA field that breaks the standard.

    ISA fields are read by position, so a field may hold the segment terminator; such a header
    cannot be what the sender meant (and cannot be written back), so it is reported.
    """
    joined = "".join(el)
    if _ISA_VALID.fullmatch(joined) and tuple(map(len, el)) == _ISA_WIDTHS and not (terminator and
                                                                                    terminator in joined[:-1]):
        return []                   # the usual header: every check below passes (one C-level match, not ~40 steps)
    found: list[tuple[int, str, str]] = []
    if terminator and terminator in "".join(el[:15]):
        for pos, ((_, code, what), value) in enumerate(zip(_ISA_FIELDS[:15], el), start=1):
            if terminator in value:
                found.append((pos, code, (f"ISA{pos:02d} ({what}) {value!r} contains the segment terminator "
                                          f"{terminator!r}: the ISA header is damaged")))
    if tuple(map(len, el)) != _ISA_WIDTHS:     # (every width right is the usual case)
        for pos, ((width, code, what), value) in enumerate(zip(_ISA_FIELDS, el), start=1):
            if len(value) != width:
                found.append((pos, code, (f"ISA{pos:02d} ({what}) must be exactly {width} characters, "
                                          f"found {len(value)} ({value!r})")))
    if len(el) != 16:
        return found
    checks = (
        (1, el[0] in ("00", "01", "02", "03", "04", "05", "06")),
        (3, el[2] in ("00", "01")),
        (9, el[8].isdecimal() and 1 <= int(el[8][2:4] or 0) <= 12),
        (10, el[9].isdecimal() and int(el[9][:2] or 99) < 24 and int(el[9][2:] or 99) < 60),
        (12, bool(_ISA_VERSION.match(el[11]))),
        (13, el[12].isdecimal()),
        (14, el[13] in ("0", "1")),
        (15, el[14] in ("P", "T", "I")),
    )
    for pos in [pos for pos, ok in checks if not ok]:      # usually none
        if not any(p == pos for p, _, _ in found):
            width, code, what = _ISA_FIELDS[pos - 1]
            found.append((pos, code, f"ISA{pos:02d} ({what}) has an invalid value {el[pos - 1]!r}"))
    return found


def _unlisted_qualifiers(el: list[str], found: list[tuple[int, str, str]]) -> list[tuple[int, str, str]]:
    """(position, TA105 code, sentence) for an ISA05 / ISA07 of its width that is not on X12's list (I05).

    A warning, not an envelope error: the ids themselves name the partner and us (identify checks them, and
    a qualifier against the partner's configured one), and a partner whose envelopes said 'XX' or 'zz' for
    years had its orders flow; refused, they were lost to the business until someone read the TA1. Where a
    TA1 is sent it says E with 005 / 007, so the partner hears of it; its sets are read.
    """
    if len(el) != 16:
        return []
    return [(pos, code, (f"ISA{pos:02d} ({what}) {el[pos - 1]!r} is not on X12's list of interchange id "
                         "qualifiers (I05); read as sent"))
            for pos, code, what in ((5, codes.TA_BAD_SENDER_QUAL, "sender id qualifier"),
                                    (7, codes.TA_BAD_RECEIVER_QUAL, "receiver id qualifier"))
            if len(el[pos - 1]) == 2 and el[pos - 1] not in codes.INTERCHANGE_ID_QUALIFIERS
            and not any(p == pos for p, _, _ in found)]


class X12Reader:
    """Stream the transactions of an X12 file; `interchanges`, `groups` and `issues` fill as it goes.

    Transactions are yielded when their SE is read (or when a missing trailer closes them);
    acceptance of a whole interchange or group is only known at the end: call
    `apply_acceptance()` on the finished result (`parse()` does).
    """

    def __init__(self, source: bytes | BinaryIO, *, chunk_size: int = CHUNK_SIZE) -> None:
        self.issues: list[Issue] = []
        self.interchanges: list[Envelope] = []
        self.groups: list[Group] = []
        self.segment_count = 0
        self.trailing = ""
        self._tok = Tokenizer(source, self.issues, chunk_size)
        self._env: Envelope | None = None
        self._grp: Group | None = None
        self._tx: Transaction | None = None
        self._env_groups = 0
        self._grp_sets = 0
        # each ISA / GS starts its own; until then (an ST before any GS) one placeholder serves both
        self._grp_numbers = self._st_numbers = SeenNumbers()

    # ------------------------------------------------------------------ helpers
    def _issue(self, severity: Severity, message: str, code: str, level: str, seg: Segment | None = None,
               element: int | None = None, in_tx: bool = False, value: str = "") -> None:
        env, grp, tx = self._env, self._grp, self._tx
        self.issues.append(Issue(
            severity, message, code=code, level=level,
            interchange=env.index if env else None,
            group=grp.index if grp and level != "interchange" else None,
            transaction=tx.index if tx is not None and in_tx else None,
            segment_tag=seg.tag if seg else "",
            segment_position=seg.position if seg and in_tx else None,
            element_position=element, value=value, offset=seg.offset if seg else None))

    def __iter__(self) -> Iterator[Transaction]:
        """Transactions as their SE is read.

        Runs of ordinary segments are moved into their transaction with one list slice; only the
        control segments (ISA GS ST SE GE IEA TA1) are looked at one by one. The garbage collector
        is paused (see Tokenizer) and runs (if it was on) only while the caller has a transaction.
        """
        collect = gc.isenabled()
        gc.disable()
        try:
            tx: Transaction | None = None
            segs: list[Segment] = []
            for batch, marks in self._tok.batches():
                marks.append(len(batch))
                start = 0
                for mark in marks:
                    if mark > start:
                        if tx is not None:
                            segs += batch[start:mark]
                        else:
                            for seg in batch[start:mark]:
                                self._stray(seg)
                    if mark == len(batch):
                        break
                    start = mark + 1
                    seg = batch[mark]
                    tag = seg[FIELDS][0]                      # (seg.tag: a property call per control segment)
                    if tx is not None:
                        # an SE closes the set; any other control segment means its SE is missing
                        if tag == "SE":
                            segs.append(seg)
                            if seg[POSITION] != len(segs):    # the tokenizer counted from the ST already
                                seg.position = len(segs)
                            self._close_tx(seg, len(segs))
                        else:
                            self._tx = tx
                            self._issue(Severity.ERROR, f"transaction set {tx.doc_type} {tx.control_number} has "
                                        f"no SE trailer before {tag}", codes.TX_TRAILER_MISSING, "transaction", seg,
                                        in_tx=True)
                        self.segment_count += len(segs)
                        self._mark_undecoded(tx)
                        if collect:
                            gc.enable()
                        yield tx
                        gc.disable()
                        tx = self._tx = None
                        if tag == "SE":
                            continue
                    if tag == "ST":
                        tx = self._open_tx(seg)
                        segs = tx.segments
                    elif tag == "TA1":
                        ta1 = self._ta1(seg)
                        if collect:
                            gc.enable()
                        yield ta1
                        gc.disable()
                    else:
                        seg.position = 0
                        self._envelope_segment(seg)
                # let go of the chunk before the next is cut: its finished transactions' segments are
                # freed now, and the next chunk's are made in that warm memory instead of fresh pages
                del batch, marks
            if tx is not None:
                self._tx = tx
                self._issue(Severity.ERROR, f"the file ends inside transaction set {tx.doc_type} "
                            f"{tx.control_number} (no SE trailer)", codes.TX_TRAILER_MISSING, "transaction",
                            tx.segments[0], in_tx=False)
                self.segment_count += len(segs)
                self._mark_undecoded(tx)
                if collect:
                    gc.enable()
                yield tx
                gc.disable()
                self._tx = None
            self._end_of_file()
            self.trailing = self._tok.trailing_junk
        finally:
            if collect:
                gc.enable()

    def _mark_undecoded(self, tx: Transaction) -> None:
        """A set read from a file with bytes that are not UTF-8: its interchange says so (UNDECODED_UTF8)."""
        if self._tok.bad_bytes_reported and tx.envelope is not None:
            tx.envelope.encoding = UNDECODED_UTF8

    # ------------------------------------------------------------------ envelope segments
    def _envelope_segment(self, seg: Segment) -> None:
        self.segment_count += 1
        tag = seg[FIELDS][0]                  # (seg.tag: a Python-level property call)
        if tag == "ISA":
            self._open_interchange(seg)
            return
        env = self._env
        if env is None:
            self._issue(Severity.ERROR, f"{tag} segment outside any interchange", codes.TA_BAD_STRUCTURE,
                        "interchange", seg)
            return
        env.service_segments.append(seg)
        if tag == "GS":
            self._open_group(seg)
        elif tag == "GE":
            self._close_group(seg)
        elif tag == "IEA":
            self._close_interchange(seg)

    def _open_interchange(self, seg: Segment) -> None:
        if self._env is not None:
            self._close_group(None)
            self._issue(Severity.ERROR, f"interchange {self._env.control_number} has no IEA trailer before "
                        "the next ISA", codes.TA_BAD_STRUCTURE, "interchange", seg)
            self._env = None
        tok = self._tok
        fields = seg.fields
        if len(fields) < 17:
            fields += [""] * (17 - len(fields))       # a short ISA is padded: it is written back whole
        el = fields[1:]
        env = Envelope(Syntax.X12, sender_qualifier=el[4], sender_id=el[5].strip(), receiver_qualifier=el[6],
                       receiver_id=el[7].strip(), control_number=el[12], version=el[11], date=el[8],
                       time=el[9], test=el[14] == "T", ack_requested=el[13] == "1",
                       delimiters=tok.delimiters, raw_header=list(el), index=len(self.interchanges),
                       encoding="utf-8", bom=tok.bom and not self.interchanges, leading=tok.leading,
                       service_segments=[seg])
        self.interchanges.append(env)
        self._env = env
        self._env_groups = 0
        self._grp_numbers = SeenNumbers()
        found = _isa_problems(el, tok.delimiters.segment if tok.delimiters else "")
        for pos, code, message in found:
            self._issue(Severity.ERROR, message, code, "interchange", seg, element=pos, value=el[pos - 1])
        for pos, code, message in _unlisted_qualifiers(el, found):
            self._issue(Severity.WARNING, message, code, "interchange", seg, element=pos, value=el[pos - 1])

    def _close_interchange(self, seg: Segment) -> None:
        env = self._env
        assert env is not None
        self._close_group(None)
        count, number = (*seg[FIELDS], "", "")[1:3]
        if number != env.control_number:
            self._issue(Severity.ERROR, f"IEA02 {number!r} does not match ISA13 {env.control_number!r}: the "
                        "interchange trailer belongs to another interchange or the file was cut and spliced",
                        codes.TA_CONTROL_MISMATCH, "interchange", seg, element=2, value=number)
        if not _DIGITS.match(count) or int(count) != self._env_groups:
            self._issue(Severity.ERROR, f"IEA01 says {count!r} functional groups but the interchange has "
                        f"{self._env_groups}", codes.TA_BAD_GROUP_COUNT, "interchange", seg, element=1,
                        value=count)
        self._env = None

    def _open_group(self, seg: Segment) -> None:
        env = self._env
        assert env is not None
        if self._grp is not None:
            self._issue(Severity.ERROR, f"functional group {self._grp.control_number} has no GE trailer before "
                        "the next GS", codes.GROUP_TRAILER_MISSING, "group", seg)
        el = seg.fields[1:]
        raw_header = list(el)
        if len(el) < 8:
            el += [""] * (8 - len(el))
        group = Group(functional_id=el[0], sender_id=el[1], receiver_id=el[2], control_number=el[5],
                      version=el[7], date=el[3], time=el[4], index=self._env_groups, raw_header=raw_header)
        self.groups.append(group)
        self._grp = group
        self._env_groups += 1
        self._grp_sets = 0
        self._st_numbers = SeenNumbers()
        number = group.control_number
        if not _DIGITS.match(number) or len(number) > 9:
            self._issue(Severity.ERROR, f"GS06 group control number {number!r} must be 1 to 9 digits",
                        codes.GROUP_CONTROL_SYNTAX, "group", seg, element=6, value=number)
        elif not self._grp_numbers.add(number):
            self._issue(Severity.ERROR, f"GS06 group control number {number} is used twice in this interchange",
                        codes.GROUP_CONTROL_NOT_UNIQUE, "group", seg, element=6, value=number)
        if len(group.functional_id) != 2:
            self._issue(Severity.ERROR, f"GS01 functional identifier {group.functional_id!r} must be 2 letters",
                        codes.GROUP_NOT_SUPPORTED, "group", seg, element=1, value=group.functional_id)
        version = group.version
        if not _GS_VERSION.match(version):
            self._issue(Severity.ERROR, f"GS08 version {version!r} is not an X12 version such as 004010",
                        codes.GROUP_VERSION_UNSUPPORTED, "group", seg, element=8, value=version)
        elif _ISA_VERSION.match(env.version) and version[:3] > env.version[:3]:
            self._issue(Severity.WARNING, f"GS08 version {version} is newer than the interchange's ISA12 "
                        f"{env.version}; check the partner's envelope settings", codes.GROUP_VERSION_UNSUPPORTED,
                        "group", seg, element=8, value=version)

    def _close_group(self, seg: Segment | None) -> None:
        grp = self._grp
        if grp is None:
            if seg is not None:
                self._issue(Severity.ERROR, "GE segment without a GS header", codes.GROUP_TRAILER_MISSING,
                            "interchange", seg)
            return
        if seg is None:
            self._issue(Severity.ERROR, f"functional group {grp.control_number} has no GE trailer",
                        codes.GROUP_TRAILER_MISSING, "group", None)
        else:
            count, number = (*seg[FIELDS], "", "")[1:3]
            if number != grp.control_number:
                self._issue(Severity.ERROR, f"GE02 {number!r} does not match GS06 {grp.control_number!r}",
                            codes.GROUP_CONTROL_MISMATCH, "group", seg, element=2, value=number)
            if not _DIGITS.match(count) or int(count) != self._grp_sets:
                self._issue(Severity.ERROR, f"GE01 says {count!r} transaction sets but the group has "
                            f"{self._grp_sets}", codes.GROUP_COUNT_MISMATCH, "group", seg, element=1, value=count)
        if not self._grp_sets:               # X12.6: a group holds one or more sets (716 has no code of its own)
            self._issue(Severity.ERROR, f"functional group {grp.control_number} holds no transaction set",
                        "", "group", seg)
        self._grp = None

    # ------------------------------------------------------------------ transaction sets
    def _open_tx(self, seg: Segment) -> Transaction:
        if seg[POSITION] != 1:                # (seg.position and seg.tag: a property call each)
            seg.position = 1
        grp = self._grp
        if grp is None:
            self._issue(Severity.ERROR, "ST segment outside a functional group (no GS before it)",
                        codes.TA_BAD_CONTENT, "interchange", seg)
        doc_type, number, version = (*seg[FIELDS], "", "", "")[1:4]
        # positional: half the cost of keywords, once per transaction set
        tx = Transaction(Syntax.X12, doc_type, version or (grp.version if grp else ""), number, self._env, grp,
                         [seg], None, [], [], self._grp_sets)
        self._grp_sets += 1
        self._tx = tx
        if not (len(doc_type) == 3 and doc_type.isdecimal()):
            self._issue(Severity.ERROR, f"ST01 {doc_type!r} is not a transaction set identifier",
                        codes.TX_BAD_ID, "transaction", seg, element=1, in_tx=True, value=doc_type)
        if not 4 <= len(number) <= 9:
            self._issue(Severity.ERROR, f"ST02 control number {number!r} must be 4 to 9 characters",
                        codes.TX_BAD_CONTROL_NUMBER, "transaction", seg, element=2, in_tx=True, value=number)
        elif not self._st_numbers.add(number):
            self._issue(Severity.ERROR, f"ST02 control number {number} is used twice in this group",
                        codes.TX_CONTROL_NOT_UNIQUE, "transaction", seg, element=2, in_tx=True, value=number)
        return tx

    def _close_tx(self, seg: Segment, count: int) -> None:
        tx = self._tx
        assert tx is not None
        se01, se02 = (*seg[FIELDS], "", "")[1:3]
        if se01.isascii() and se01.isdecimal() and int(se01) == count:
            pass                    # the usual case, without the regular expression
        elif not _DIGITS.match(se01) or int(se01) != count:
            self._issue(Severity.ERROR, f"SE01 says {se01!r} segments but transaction set {tx.control_number} "
                        f"has {count} (ST to SE)", codes.TX_COUNT_MISMATCH, "transaction", seg, element=1,
                        in_tx=True, value=se01)
        if se02 != tx.control_number:
            self._issue(Severity.ERROR, f"SE02 {se02!r} does not match ST02 {tx.control_number!r}",
                        codes.TX_CONTROL_MISMATCH, "transaction", seg, element=2, in_tx=True, value=se02)

    def _ta1(self, seg: Segment) -> Transaction:
        self.segment_count += 1
        seg.position = 1
        if self._env is None:
            self._issue(Severity.ERROR, "TA1 segment outside any interchange", codes.TA_BAD_STRUCTURE,
                        "interchange", seg)
        return Transaction(Syntax.X12, "TA1", version=self._env.version if self._env else "",
                           control_number=seg.get(1), envelope=self._env, group=None, segments=[seg])

    def _stray(self, seg: Segment) -> None:
        self.segment_count += 1
        where = "between transaction sets" if self._grp else "outside any functional group"
        tag = seg.tag if len(seg.tag) <= 12 else seg.tag[:12] + "..."
        self._issue(Severity.ERROR, f"segment {tag!r} {where}: it belongs to no transaction set and was "
                    "not read", codes.TA_BAD_CONTENT, "interchange", seg)

    def _end_of_file(self) -> None:
        if self._env is not None:
            self._close_group(None)
            self._issue(Severity.ERROR, f"the file ends before the IEA trailer of interchange "
                        f"{self._env.control_number}", codes.TA_PREMATURE_EOF, "interchange", None)
            self._env = None


def iter_segments(source: bytes | BinaryIO, issues: list[Issue] | None = None) -> Iterator[Segment]:
    """Every segment of an X12 file (envelope segments included), read in bounded memory."""
    return iter(Tokenizer(source, issues if issues is not None else []))


def apply_acceptance(result: ParseResult) -> None:
    """Mark transactions rejected (accepted=False) by ERROR issues at their level or above."""
    if not any(issue.severity is Severity.ERROR for issue in result.issues):
        return                      # the usual case
    bad_env: set[int] = set()
    bad_grp: set[tuple[int, int]] = set()
    bad_tx: set[tuple[int, int, int]] = set()
    for issue in result.issues:
        if issue.severity is not Severity.ERROR or issue.interchange is None:
            continue
        if issue.level == "interchange":
            bad_env.add(issue.interchange)
        elif issue.group is not None and issue.level == "group":
            bad_grp.add((issue.interchange, issue.group))
        elif issue.group is not None and issue.transaction is not None:
            bad_tx.add((issue.interchange, issue.group, issue.transaction))
    for tx in result.transactions:
        e = tx.envelope.index if tx.envelope else -1
        g = tx.group.index if tx.group else -1
        if e in bad_env or (e, g) in bad_grp or (e, g, tx.index) in bad_tx:
            tx.accepted = False


def parse(data: bytes, *, validate: bool = True, each: Callable[[Transaction], None] | None = None) -> ParseResult:
    """Read a whole X12 file: envelopes, groups, transactions and every issue found.

    `each`, when given, is called with every transaction set as soon as it is read and checked, while
    the rest of the file is still to come: a caller that translates it there and then drops its
    segments keeps memory bounded by one set, not the file. Whether a set is accepted is final only in
    the returned result (a group or interchange trailer further on can still reject it).
    Raises FormatError only when no interchange at all can be read from `data`.
    """
    reader = X12Reader(data)
    if each is None:
        transactions = list(reader)
    else:
        from gateway.formats.x12_validate import check_transaction
        transactions = []
        for tx in reader:
            if validate:
                check_transaction(tx, reader.issues)
            transactions.append(tx)
            each(tx)
    if not reader.interchanges:
        first = next((i.message for i in reader.issues if i.severity is Severity.ERROR), "no ISA header found")
        raise FormatError(f"not a readable X12 file: {first}", location="byte 0")
    result = ParseResult(Syntax.X12, interchanges=reader.interchanges, groups=reader.groups,
                         transactions=transactions, issues=reader.issues, segment_count=reader.segment_count)
    if validate and each is None:
        from gateway.formats.x12_validate import validate_result
        validate_result(result)
    apply_acceptance(result)
    return result


def check_duplicates(result: ParseResult, journal: object, partner: str, message_id: str) -> list[Issue]:
    """Record each interchange with the journal (idempotent consumer); a repeat becomes a TA105 025 error.

    `journal` is a `gateway.journal.api.Journal`. The returned issues are also added to `result`
    and the repeated interchange's transactions are marked rejected.
    """
    found: list[Issue] = []
    for env in result.interchanges:
        sender = f"{env.sender_qualifier}:{env.sender_id}"
        first = journal.seen_interchange(partner, sender, env.control_number, message_id)  # type: ignore[attr-defined]
        if first is not None and first != message_id:
            found.append(Issue(Severity.ERROR, f"interchange {env.control_number} from {sender} was already "
                               f"received (message {first}); it is not processed again", code=codes.TA_DUPLICATE,
                               level="interchange", interchange=env.index, segment_tag="ISA", element_position=13,
                               value=env.control_number))
    result.issues.extend(found)
    apply_acceptance(result)
    return found
