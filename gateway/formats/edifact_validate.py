"""Validation of EDIFACT messages against their segment tables and the segment directory.

Two checks, each producing located `Issue`s with the CONTRL syntax error code (0085):
- structure: segment order, groups, mandatory segments, repeats (codes 13, 15, 35, 36);
- elements: mandatory elements / components, too many constituents, type and length (13, 16, 37-40).

A message type or directory we have no definition for is read generically: no issue at all,
because a partner's D97A ORDERS is not wrong just because we only carry D96A and D01B.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from gateway.formats import edifact_defs as defs
from gateway.formats import gs1
from gateway.formats.base import Delimiters, Envelope, Issue, Segment, Severity, Transaction
from gateway.formats.edifact import COMPONENT_MARK, plain

MAX_ISSUES = 100   # per message: enough for a CONTRL and a human, bounded for a hostile file
_NUMERIC = re.compile(r"^-?(\d*)(?:[.,](\d*))?$")
# ISO 9735 level A (UNOA): capital letters, digits, space and . , - ( ) / = ' + : ? ! " % & * ; < > (the reader's
# marks for separators, U+FDD0-U+FDD4, are separators); bytes over 0x7F are the reader's to note (code 21), a NUL an error
_NOT_UNOA = re.compile("[^A-Z0-9 .,()/='+:?!\"%&*;<>\\-\x00\ufdd0-\ufdd4\x80-\U0010ffff]")


def validate(tx: Transaction, interchange: int | None = None) -> list[Issue]:
    """Issues of one message; marks the transaction not accepted when one is an ERROR."""
    table = defs.message(tx.doc_type, tx.version)
    if table is None:
        return []
    directory = defs.directory_for(tx.doc_type, tx.version)
    checker = _Checker(tx, interchange, directory)
    checker.structure(table)
    if directory is not None:
        for seg in tx.segments:
            checker.elements(seg)
    checker.repertoire()
    if any(i.severity is Severity.ERROR for i in checker.issues):
        tx.accepted = False
    return checker.issues + gs1.findings(tx)        # a GTIN's check digit: noted, the CONTRL unchanged


def validate_envelope(env: Envelope) -> list[Issue]:
    """Issues of the interchange's own segments (UNB, UNG, UNE, UNZ) against ISO 9735.

    A missing mandatory element is an ERROR (the interchange cannot be trusted); a value of the
    wrong type or length is a WARNING, so a partner's long reference does not bounce a whole file.
    """
    directory = defs.directory(defs.SERVICE)
    assert directory is not None
    checker = _Checker(None, env.index, directory)
    checker.delimiters = env.delimiters
    group = -1
    for seg in env.service_segments:
        if seg.tag == "UNG":
            group += 1
        checker.group = group if seg.tag in ("UNG", "UNE") else None
        checker.elements(seg)
    for issue in checker.issues:
        issue.level = "group" if issue.segment_tag in ("UNG", "UNE") else "interchange"
        if issue.code != "13":
            issue.severity = Severity.WARNING
    return checker.issues


@dataclass(slots=True)
class _Frame:
    nodes: list[defs.Node]
    name: str                      # "" for the message level, "SGn" inside a group
    index: int = -1                # last node matched in `nodes`
    counts: dict[int, int] = field(default_factory=dict)


class _Checker:
    def __init__(self, tx: Transaction | None, interchange: int | None, directory: defs.Directory | None) -> None:
        self.tx = tx
        self.interchange = interchange
        self.directory = directory
        self.issues: list[Issue] = []
        self.group: int | None = tx.group.index if tx is not None and tx.group is not None else None
        env = tx.envelope if tx is not None else None
        self.delimiters: Delimiters | None = env.delimiters if env is not None else None

    def issue(self, message: str, code: str, seg: Segment, level: str = "segment", loop: str = "",
              element: int | None = None, component: int | None = None, ref: str = "",
              value: str = "", repetition: int | None = None, severity: Severity = Severity.ERROR) -> None:
        transaction = self.tx.index if self.tx is not None else None
        if len(self.issues) == MAX_ISSUES:
            self.issues.append(Issue(
                Severity.ERROR, f"more than {MAX_ISSUES} errors in this message; the rest are not listed",
                code="18", level="transaction", interchange=self.interchange, transaction=transaction,
                segment_tag=seg.tag, segment_position=seg.position or None, offset=seg.offset))
        if len(self.issues) > MAX_ISSUES:
            return
        if seg.component_sep == COMPONENT_MARK and self.delimiters is not None:
            value, message = plain(value, self.delimiters), plain(message, self.delimiters)   # no noncharacters
        self.issues.append(Issue(
            severity, message, code=code, level=level, interchange=self.interchange,
            group=self.group, transaction=transaction,
            segment_tag=seg.tag, segment_position=seg.position or None, element_position=element,
            component_position=component, repetition_position=repetition, element_ref=ref, value=value,
            loop_id=loop, offset=seg.offset))

    # ------------------------------------------------------------------ character set
    def repertoire(self) -> None:
        """Characters a UNOA interchange may not hold (lowercase letters, @, #, _, ...): ISO 9735 code 21, noted once
        per message at the first, and not a rejection: the CONTRL still accepts it. Many partners declare UNOA and
        send lowercase names and e-mail addresses; refusing their orders for it would stop real business, and the
        text reads the same. A note (INFO), not a WARNING: our own UNOA output keeps lowercase too, and a warning in
        a file read back is a document held. Not checked before: the UNOA repertoire was taken on trust."""
        env = self.tx.envelope if self.tx is not None else None
        if self.tx is None or env is None or not env.version.startswith("UNOA"):
            return
        for seg in self.tx.segments:
            for pos, value in enumerate(seg.fields[1:], start=1):
                for found in _NOT_UNOA.finditer(value):
                    if found.group() not in (seg.component_sep, seg.repetition_sep):
                        self.issue(f"{seg.tag} element {pos} holds {found.group()!r}, which the UNOA character set "
                                   f"(ISO 9735 level A: capitals, digits, space and . , - ( ) / = ' + : ? ! \" % & * ; "
                                   f"< >) does not have: {value!r}; read as sent (declare UNOB or UNOC for such "
                                   "text)", "21", seg, level="element", element=pos, value=value,
                                   severity=Severity.INFO)
                        return

    # ------------------------------------------------------------------ structure
    def structure(self, table: list[defs.Node]) -> None:
        assert self.tx is not None
        stack = [_Frame(table, "")]
        for seg in self.tx.segments:
            depth, j = self._find(stack, seg.tag)
            if depth < 0:
                where = stack[-1].name or "the message level"
                known = self.directory is not None and seg.tag in self.directory.segments
                why = "is not allowed here" if known else "is not a segment of this message"
                self.issue(f"segment {seg.tag} {why} (after {self._last(stack)} in {where})", "15", seg,
                           loop=stack[-1].name)
                continue
            while len(stack) - 1 > depth:
                self._close(stack.pop(), seg)
            frame = stack[-1]
            node = frame.nodes[j]
            self._missing_between(frame, frame.index + 1, j, seg)
            count = frame.counts.get(j, 0) + 1
            frame.counts[j] = count
            frame.index = j
            if node.is_group:
                if count > node.max:
                    self.issue(f"segment group {node.tag} ({node.trigger}) occurs {count} times, at most "
                               f"{node.max} allowed", "36", seg, loop=node.tag)
                inner = _Frame(node.children, node.tag, 0, {0: 1})
                stack.append(inner)
            elif count > node.max:
                self.issue(f"segment {seg.tag} repeats {count} times, at most {node.max} allowed", "35", seg,
                           loop=frame.name)
        last = self.tx.segments[-1] if self.tx.segments else Segment("UNT", [])
        if last.tag != "UNT":
            # no UNT (the next UNH came first): what is missing at the end is missing after the last segment, where
            # the UNT belongs; at the last segment the CONTRL's UCS named the one before it, one segment early
            last = Segment("UNT", [], last.position + 1, last.offset, *last.separators)
        while stack:
            self._close(stack.pop(), last)

    @staticmethod
    def _last(stack: list[_Frame]) -> str:
        frame = stack[-1]
        return frame.nodes[frame.index].trigger if frame.index >= 0 else "the start"

    @staticmethod
    def _find(stack: list[_Frame], tag: str) -> tuple[int, int]:
        """The innermost frame (and node index in it) where `tag` can come next; (-1, -1) if none.

        A group's trigger seen inside that group starts its next occurrence one level up, so
        node 0 of a group frame is never matched again.
        """
        for depth in range(len(stack) - 1, -1, -1):
            frame = stack[depth]
            start = max(frame.index, 1 if frame.name else 0)
            nodes = frame.nodes
            for j in range(start, len(nodes)):
                if nodes[j].trigger == tag:
                    return depth, j
        return -1, -1

    def _missing_between(self, frame: _Frame, start: int, end: int, seg: Segment) -> None:
        for k in range(start, end):
            node = frame.nodes[k]
            if node.tag == "UNT":
                continue      # a missing UNT is the reader's finding (edifact.py), not reported twice
            if node.mandatory and frame.counts.get(k, 0) == 0:
                what = f"segment group {node.tag} ({node.trigger})" if node.is_group else f"segment {node.tag}"
                self.issue(f"mandatory {what} is missing before {seg.tag}", "13", seg, loop=frame.name)

    def _close(self, frame: _Frame, seg: Segment) -> None:
        self._missing_between(frame, frame.index + 1, len(frame.nodes), seg)

    # ------------------------------------------------------------------ elements
    def elements(self, seg: Segment) -> None:
        assert self.directory is not None
        spec = _compiled(self.directory).get(seg.tag)
        if spec is None:
            return
        clean = _clean_memo(self.directory)
        key = seg.component_sep + (seg.repetition_sep or "") + "\x00".join(seg.fields)
        if key in clean:
            return                                    # bulk files repeat segments; each is checked once
        before = len(self.issues)
        if before > MAX_ISSUES:
            return                                    # nothing more is listed, and nothing is learnt as clean
        self._elements(seg, spec)
        if len(self.issues) == before and len(clean) < _MEMO_SIZE and len(key) < 256:
            clean.add(key)

    def _elements(self, seg: Segment, spec: tuple[_Element, ...]) -> None:
        values = seg.fields[1:]
        if len(values) > len(spec):
            if any(values[len(spec):]):
                self.issue(f"{seg.tag} has {len(values)} data elements, at most {len(spec)} defined", "16", seg,
                           level="element", element=len(spec) + 1, value=values[len(spec)])
            else:
                self.trailing(seg, f"{seg.tag} ends in {len(values) - len(spec)} empty data element(s) after the "
                              f"{len(spec)} defined", len(spec) + 1, None)
        for el in spec:
            pos = el.pos
            value = values[pos - 1] if pos <= len(values) else ""
            if not value:
                if el.mandatory:
                    self.issue(f"mandatory data element {el.ref} ({seg.tag} element {pos}) is missing", "13",
                               seg, level="element", element=pos, ref=el.ref)
                continue
            reps = value.split(seg.repetition_sep) if seg.repetition_sep and seg.repetition_sep in value \
                else (value,)
            for rep_no, rep in enumerate(reps, start=1):
                repetition = rep_no if len(reps) > 1 else None
                if el.components is not None:
                    self._composite(seg, el, rep, repetition)
                elif seg.component_sep in rep:
                    self.issue(f"data element {el.ref} ({seg.tag} element {pos}) is simple but has components",
                               "16", seg, level="element", element=pos, component=2, ref=el.ref, value=rep,
                               repetition=repetition)
                elif el.format is not None:
                    self._value(seg, pos, None, el.ref, el.format, rep, repetition)

    def trailing(self, seg: Segment, what: str, element: int, component: int | None) -> None:
        """Separators with nothing after them up to the terminator (`DTM+137:20261129:102+'`, `QTY+21:12:PCE:'`):
        ISO 9735 names them (0085 45, trailing separator), yet they carry no value, and an export that writes
        a fixed number of elements does it to every message: a warning, not a rejected order."""
        self.issue(f"{what}: trailing separators, ignored", "45", seg, level="element", element=element,
                   component=component, severity=Severity.WARNING)

    def _composite(self, seg: Segment, el: _Element, value: str, repetition: int | None) -> None:
        comps = el.components
        assert comps is not None
        pos = el.pos
        parts = value.split(seg.component_sep)
        if len(parts) > len(comps):
            if any(parts[len(comps):]):
                self.issue(f"composite {el.ref} ({seg.tag} element {pos}) has {len(parts)} components, at most "
                           f"{len(comps)} defined", "16", seg, level="element", element=pos,
                           component=len(comps) + 1, ref=el.ref, value=value, repetition=repetition)
            else:
                self.trailing(seg, f"composite {el.ref} ({seg.tag} element {pos}) ends in {len(parts) - len(comps)} "
                              f"empty component(s) after the {len(comps)} defined", pos, len(comps) + 1)
        for comp in comps:
            cpos = comp.pos
            part = parts[cpos - 1] if cpos <= len(parts) else ""
            if not part:
                if comp.mandatory:
                    self.issue(f"mandatory component {comp.ref} of {el.ref} ({seg.tag} element {pos}.{cpos}) is "
                               "missing", "13", seg, level="element", element=pos, component=cpos,
                               ref=comp.ref, repetition=repetition)
                continue
            if comp.format is not None:
                self._value(seg, pos, cpos, comp.ref, comp.format, part, repetition)

    def _value(self, seg: Segment, pos: int, cpos: int | None, ref: str, fmt: defs.Format, value: str,
               repetition: int | None) -> None:
        kind = fmt.kind
        if "\x00" in value:        # no character set of ISO 9735 has it, and Odoo's database refuses it
            self.issue(f"data element {ref} ({seg.tag} element {pos}{f'.{cpos}' if cpos else ''}) holds a NUL "
                       f"character (0x00): {value!r}", "21", seg, level="element", element=pos, component=cpos,
                       ref=ref, value=value, repetition=repetition)
            return
        if kind == "an":
            size = len(value)
            if fmt.min <= size <= fmt.max:
                return
        where = f"{seg.tag} element {pos}" + (f".{cpos}" if cpos else "")
        if kind == "n":
            m = _NUMERIC.match(value)
            if m is None or not (m.group(1) or m.group(2)):
                self.issue(f"data element {ref} ({where}) must be numeric ({fmt.text}), got {value!r}", "37",
                           seg, level="element", element=pos, component=cpos, ref=ref, value=value,
                           repetition=repetition)
                return
            if not m.group(1):
                self.issue(f"data element {ref} ({where}) has no digit before the decimal mark: {value!r}",
                           "38", seg, level="element", element=pos, component=cpos, ref=ref, value=value,
                           repetition=repetition)
            size = len(m.group(1)) + len(m.group(2) or "")
        else:
            size = len(value)
            if kind == "a" and any(c.isdecimal() for c in value):
                self.issue(f"data element {ref} ({where}) must be alphabetic ({fmt.text}), got {value!r}", "37",
                           seg, level="element", element=pos, component=cpos, ref=ref, value=value,
                           repetition=repetition)
                return
        if size > fmt.max:
            self.issue(f"data element {ref} ({where}) is {size} characters long, at most {fmt.max} allowed "
                       f"({fmt.text}): {value!r}", "39", seg, level="element", element=pos, component=cpos,
                       ref=ref, value=value, repetition=repetition)
        elif size < fmt.min:
            self.issue(f"data element {ref} ({where}) is {size} characters long, exactly {fmt.min} required "
                       f"({fmt.text}): {value!r}", "40", seg, level="element", element=pos, component=cpos,
                       ref=ref, value=value, repetition=repetition)


# ---------------------------------------------------------------------- compiled directory
_MEMO_SIZE = 50_000


@dataclass(frozen=True, slots=True)
class _Component:
    pos: int
    ref: str
    mandatory: bool
    format: defs.Format | None


@dataclass(frozen=True, slots=True)
class _Element:
    pos: int
    ref: str
    mandatory: bool
    format: defs.Format | None
    components: tuple[_Component, ...] | None       # None for a simple data element


@cache
def _compiled(directory: defs.Directory) -> dict[str, tuple[_Element, ...]]:
    """Each segment's elements with their formats resolved once, instead of per value."""
    out: dict[str, tuple[_Element, ...]] = {}
    for tag, refs in directory.segments.items():
        elements = []
        for pos, ref in enumerate(refs, start=1):
            comps = None
            if ref.composite:
                spec = directory.composites.get(ref.ref, [])
                comps = tuple(_Component(cpos, c.ref, c.mandatory, directory.elements.get(c.ref))
                              for cpos, c in enumerate(spec, start=1))
            elements.append(_Element(pos, ref.ref, ref.mandatory, directory.elements.get(ref.ref), comps))
        out[tag] = tuple(elements)
    return out


@cache
def _clean_memo(directory: defs.Directory) -> set[str]:
    return set()
