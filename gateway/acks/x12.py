"""997 / 999 / TA1: built from the validation report of what we received, read when partners send them.

What we send, per inbound interchange (the partner's `x12` settings decide):
- TA1 (own interchange) as `ta1` says: `requested` (the default) when the interchange asks for one
  (ISA14 = 1), unless it carries only TA1s; `true` also when it does not but has envelope findings; `false`
  never: TA104 A / E / R and the first TA105 code.
  An interchange a TA1 rejects (TA104 R) gets no 997 / 999: X12 acknowledges the groups of an
  interchange taken, and this one's were not; without a TA1 the 997 rejects its sets instead;
- one 997 per functional group (004010 family, or any version when `ack: "997"`), or a 999
  (`ack: "999"` and a 005010 group): AK1, then per transaction set AK2, AK3 / IK3 per faulty
  segment (position from ST = 1), AK4 / IK4 per faulty element, AK5 / IK5, and AK9.
  A group of acknowledgements (GS01 FA) is never acknowledged.
Envelopes mirror the inbound one: sender and receiver swapped, ISA12 and GS08 kept, test
flag kept; every control number comes from the journal's per-partner counters.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from gateway.config.models import OurIds, PartnerConfig, X12Settings
from gateway.formats import x12_codes as codes
from gateway.formats.base import (
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
from gateway.formats.x12_validate import check_value, separator_in_text
from gateway.formats.x12_writer import OutGroup, OutTransaction, write_interchange
from gateway.journal.api import Journal
from gateway.outbound.rendered import RenderedDocument
from gateway.translate.canonical import AckedTransaction, FunctionalAck, Source

ACK_FUNCTIONAL_ID = "FA"
VERSION_999 = "005010X231A1"
_STATUS: dict[str, Any] = {"A": "accepted", "E": "accepted_with_errors", "P": "partially_accepted", "R": "rejected",
           "M": "rejected", "W": "rejected", "X": "rejected"}
_TX_STATUS: dict[str, Any] = {"A": "accepted", "E": "accepted_with_errors"}
# AK905-AK909 (716) a partner may give for the group we sent, named in what the journal records
_GROUP_ERRORS = {"1": "functional group not supported", "2": "functional group version not supported",
                 "3": "functional group trailer missing", "4": "group control number in GS and GE differ",
                 "5": "number of included transaction sets does not match", "6": "group control number syntax",
                 "19": "group control number not unique (004050 on)"}


@dataclass(slots=True)
class _SetReport:
    tx: Transaction
    code: str                                   # A / E / R
    set_codes: list[str]                        # AK502..AK506
    segments: dict[tuple[int, str], list[Issue]] = field(default_factory=dict)   # (position, tag) -> issues


def _delimiters(settings: X12Settings) -> Delimiters:
    d = settings.delimiters
    return Delimiters(d.element, d.component, d.segment, d.repetition or None, suffix=d.suffix)


def _is_5010(version: str) -> bool:
    return version[:6] >= "005010"


def _worst(issues: list[Issue]) -> str:
    if any(i.severity is Severity.ERROR for i in issues):
        return "R"
    if any(i.severity is Severity.WARNING for i in issues):
        return "E"
    return "A"


def _index(result: ParseResult) -> tuple[dict[int, list[Issue]], dict[tuple[int, int], list[Issue]],
                                          dict[tuple[int, int, int], list[Issue]]]:
    """Issues by interchange, by group and by transaction (INFO left out: it changes nothing)."""
    by_env: dict[int, list[Issue]] = defaultdict(list)
    by_grp: dict[tuple[int, int], list[Issue]] = defaultdict(list)
    by_tx: dict[tuple[int, int, int], list[Issue]] = defaultdict(list)
    for issue in result.issues:
        if issue.severity is Severity.INFO or issue.interchange is None:
            continue
        if issue.level == "interchange" or issue.group is None:
            by_env[issue.interchange].append(issue)
        elif issue.level == "group" or issue.transaction is None:
            by_grp[(issue.interchange, issue.group)].append(issue)
        else:
            by_tx[(issue.interchange, issue.group, issue.transaction)].append(issue)
    return by_env, by_grp, by_tx


def _set_report(tx: Transaction, issues: list[Issue]) -> _SetReport:
    """AK5 / IK5 of one set. A set is rejected whenever it goes no further (`tx.accepted` is false), also when
    the fault is its group's or interchange's (a wrong GE01, a missing GE, a wrong IEA): then the AK9 (or TA1)
    carries the code and the AK5 says R with none of its own, since no transaction set code (718) fits."""
    set_level = [i for i in issues if i.level == "transaction"]
    located = [i for i in issues if i.level in ("segment", "element") and i.segment_position]
    set_codes = [i.code for i in set_level if i.severity is not Severity.INFO and i.code]
    code = _worst(issues)
    if not tx.accepted:
        code = "R"
    if located and code != "A" and codes.TX_SEGMENTS_IN_ERROR not in set_codes:
        set_codes.append(codes.TX_SEGMENTS_IN_ERROR)
    report = _SetReport(tx, code, list(dict.fromkeys(set_codes))[:5])
    for issue in located:
        report.segments.setdefault((issue.segment_position or 0, issue.segment_tag), []).append(issue)
    return report


# Codes a version's code list lacks, and what that version says instead: (table, code) -> (first version, code).
# 004010's 723 stops at 10 (12 and 13 came with 005010), and its 716 19 is "S1E security end segment missing"
# (19 became "group control number not unique" in 004050): a 004010 997 saying 19 would misinform.
_NOT_BEFORE = {("element", codes.EL_TOO_MANY_COMPONENTS): ("005010", codes.EL_TOO_MANY),
               ("element", codes.EL_TOO_MANY_REPEATS): ("005010", codes.EL_TOO_MANY),
               ("group", codes.GROUP_CONTROL_NOT_UNIQUE): ("004050", codes.GROUP_CONTROL_SYNTAX)}


def _in_version(table: str, code: str, version: str) -> str:
    """`code` as the acknowledged group's version (GS08, which our 997 keeps) can say it."""
    since, instead = _NOT_BEFORE.get((table, code), ("", code))
    return instead if version[:6] < since else code


def _segment_loops(report: _SetReport, ack_999: bool, version: str, d: Delimiters) -> list[list[str]]:
    """AK3/AK4 (IK3/IK4) segments for one transaction set, written with our delimiters `d`."""
    out: list[list[str]] = []
    for position, tag in sorted(report.segments, key=lambda key: (key[0], key[1] != "")):
        issues = report.segments[(position, tag)]
        seg_level = [i for i in issues if i.level == "segment"]
        elements = [i for i in issues if i.level == "element" and i.element_position]
        head = seg_level[0] if seg_level else issues[0]
        code = head.code if seg_level else codes.SEG_HAS_ELEMENT_ERRORS
        tag = _segment_id(head.segment_tag)
        if not tag:
            continue      # no segment id to quote ('|X'): the AK5 / IK5 still says R, 5
        out.append(["IK3" if ack_999 else "AK3", tag, str(position), head.loop_id[:4], code])
        for el in elements[:99]:
            where = str(el.element_position)
            if el.component_position or (ack_999 and el.repetition_position):
                where += f"{d.component}{el.component_position or ''}"
                if ack_999 and el.repetition_position:
                    where += f"{d.component}{el.repetition_position}"
            # AK402 / IK402 (725) is a number: a composite's id (C040) cannot go there, its position says it
            ref = el.element_ref if el.element_ref.isdecimal() else ""
            out.append(["IK4" if ack_999 else "AK4", where, ref, _in_version("element", el.code, version),
                        _copy(el.value, d)])
    return out


def _group_number(number: str) -> str:
    """AK102 must be 1-9 digits; a partner's malformed GS06 is quoted by its digits."""
    if number.isdecimal() and len(number) <= 9:
        return number
    return "".join(c for c in number if c.isdecimal())[:9] or "0"


_SEGMENT_ID = re.compile(r"[A-Za-z0-9]{2,3}")


def _segment_id(tag: str) -> str:
    """AK301 / IK301 (ID 2-3): the letters and digits the segment id as read begins with. A damaged one, a
    segment written with '*' in a file whose ISA declares '|' (read as the tag 'N1*ST*DC 1'), made the 997
    refuse to be written ('AK301 value 'N1*' contains the element separator'): the file was quarantined
    blaming our AK3, and the partner got no acknowledgement at all. '' when there are not two."""
    found = _SEGMENT_ID.match(tag)
    return found.group() if found else ""


def _set_number(number: str) -> str:
    """AK202 must be 4-9 characters; a partner's malformed ST02 is cut or zero-filled to fit."""
    return number[:9].rjust(4, "0")


def _echo(value: str, d: Delimiters) -> str:
    """A partner's envelope value quoted in our ack (GS01, GS08, ST01-ST03), less what `_copy` leaves out: a
    partner whose delimiters are not ours can have our element separator in them, which the writer refuses."""
    return _copy(value, d, len(value))


def _copy(value: str, d: Delimiters, most: int = 99) -> str:
    """AK404 / IK404: the bad value as sent, so that the partner finds it ('SMITH & SONS, INC.' stays so), less
    our own delimiters and anything but printable ASCII (X12's basic and extended sets): a control character,
    or an 'Ü' in a partner's name, made the whole 997 invalid to pyx12 and to translators held to those sets."""
    ours = {d.element, d.component, d.segment, d.repetition or d.element}
    return "".join(c for c in value if c not in ours and " " <= c <= "~")[:most].rstrip()


def _trim(elements: list[str]) -> list[str]:
    """Drop trailing empty elements (X12 forbids trailing element separators)."""
    while elements and elements[-1] == "":
        elements.pop()
    return elements


def _functional_ack(group: Group, reports: list[_SetReport], group_issues: list[Issue], included: int,
                    ack_999: bool, d: Delimiters, rejected: bool) -> list[list[str]]:
    body: list[list[str]] = [_trim(["AK1", _echo(group.functional_id, d)[:2], _group_number(group.control_number),
                                    _echo(group.version, d)[:12] if ack_999 else ""])]
    for r in reports:
        body.append(_trim(["AK2", _echo(r.tx.doc_type, d)[:3], _set_number(_echo(r.tx.control_number, d)),
                           _echo(r.tx.segments[0].get(3), d) if ack_999 and r.tx.segments else ""]))
        for seg in _segment_loops(r, ack_999, VERSION_999 if ack_999 else group.version, d):
            body.append(_trim(seg))
        body.append(_trim(["IK5" if ack_999 else "AK5", r.code, *r.set_codes]))
    accepted = sum(1 for r in reports if r.code in ("A", "E"))
    group_errors = [i for i in group_issues if i.severity is Severity.ERROR]
    if group_errors or rejected or (reports and accepted == 0):
        status = "R"
    elif accepted < len(reports):
        status = "P"
    elif any(r.code == "E" for r in reports) or group_issues:
        status = "E"
    else:
        status = "A"
    group_codes = list(dict.fromkeys(_in_version("group", i.code, VERSION_999 if ack_999 else group.version)
                                     for i in group_errors if i.code))[:5]
    body.append(_trim(["AK9", status, str(included), str(len(reports)), str(accepted), *group_codes]))
    return body


def _control_version(env: Envelope, group_version: str = "") -> str:
    """ISA12 for our answer: the partner's (unless not a valid version), raised to the group's if older."""
    version = env.version
    version = version if len(version) == 5 and version.isdecimal() and version >= "00200" else "00401"
    wanted = group_version[:5]
    return wanted if len(wanted) == 5 and wanted.isdecimal() and wanted[:3] > version[:3] else version


def _group_version(env: Envelope, group: Group) -> str:
    """GS08 of our 997: the acknowledged group's, or a plain version when theirs is not one."""
    version = group.version
    if len(version) >= 6 and version[:6].isdecimal():
        return version
    return "005010" if env.version >= "00501" else "004010"


def _mirror(env: Envelope) -> tuple[tuple[str, str], tuple[str, str]]:
    """(our sender, partner receiver) for an answer to `env`."""
    return (env.receiver_qualifier, env.receiver_id), (env.sender_qualifier, env.sender_id)


def _ta1(env: Envelope, issues: list[Issue], now: datetime) -> list[str]:
    """TA101-TA105. The interchange's own number, date and time, as far as they are valid: TA101 is 9 digits
    and TA102/TA103 a date and time, and a partner's malformed ISA13 (the very thing a TA1 may be about) must
    not make our TA1 invalid too: its digits are quoted, the date and time are ours when theirs are not one
    (six digits that are no date, a 13th month, are not one either)."""
    status = _worst(issues)
    first = next((i.code for i in issues if i.severity is Severity.ERROR and i.code), None) or \
        next((i.code for i in issues if i.code), codes.TA_OK)
    number = env.control_number if len(env.control_number) == 9 and env.control_number.isdecimal() else \
        "".join(c for c in env.control_number if c.isdecimal())[-9:].zfill(9)
    date = env.date if check_value(env.date, ["DT", 6, 6, "Date"]) is None else now.strftime("%y%m%d")
    time = env.time if len(env.time) == 4 and check_value(env.time, ["TM", 4, 4, "Time"]) is None \
        else now.strftime("%H%M")
    return [number, date, time, status, first if status != "A" else codes.TA_OK]


def _sends_ta1(settings: X12Settings, env: Envelope, findings: list[Issue], only_ta1s: bool) -> bool:
    """Whether `env` gets a TA1: as its ISA14 asks (`ta1: requested`, the default); with `true` also, whatever
    ISA14 says, when its envelope has something to report (an error, a repeat); never with `false`. A partner
    whose ISA14 asked for one got none unless its file said `ta1: true`; it waited for an answer that never came.
    An interchange of TA1s only (`only_ta1s`) is not answered for its ISA14: an acknowledgement is not acknowledged
    (X12 avoids TA1 loops so, as translators' 'requested' modes do); a partner whose envelopes all say ISA14 = 1
    got a TA1 for each TA1 it sent us."""
    asked = env.ack_requested and not only_ta1s
    if settings.ta1 == "requested":
        return asked
    return settings.ta1 is True and (asked or bool(findings))


def _only_ta1s(result: ParseResult, groups: dict[int, list[Group]]) -> set[int]:
    """The interchanges (by `id`) that carry TA1s and nothing else: no group, no other set."""
    found = {id(tx.envelope) for tx in result.transactions if tx.doc_type == "TA1"}
    found -= {id(tx.envelope) for tx in result.transactions if tx.doc_type != "TA1"}
    return {key for key in found if not groups.get(key)}


def build(result: ParseResult, partner: PartnerConfig, our_ids: OurIds, journal: Journal,
          *, now: datetime | None = None) -> list[RenderedDocument]:
    """The TA1 / 997 / 999 documents the partner's settings ask for, for everything in `result`."""
    settings = partner.x12 or X12Settings()
    d = _delimiters(settings)
    now = now or datetime.now()
    by_env, by_grp, by_tx = _index(result)
    docs: list[RenderedDocument] = []
    txs_by_group: dict[int, list[Transaction]] = defaultdict(list)
    for tx in result.transactions:
        if tx.group is not None:
            txs_by_group[id(tx.group)].append(tx)
    groups_by_env = _groups(result)
    only_ta1s = _only_ta1s(result, groups_by_env)
    for env in result.interchanges:
        env_issues = by_env.get(env.index, [])
        duplicate = any(i.code == codes.TA_DUPLICATE for i in env_issues)
        rejected = _worst(env_issues) == "R"
        sender, receiver = _mirror(env)
        ta1 = _sends_ta1(settings, env, env_issues, id(env) in only_ta1s)
        if ta1:
            number = journal.next_control_number(partner.id, "isa")
            data = write_interchange(d, sender, receiver, number, [], version=_control_version(env), when=now,
                                     test=env.test, ta1=[_ta1(env, env_issues, now)])
            docs.append(RenderedDocument("TA1", Syntax.X12, f"{partner.id}_TA1_{number:09d}.x12", data,
                                         control_number=f"{number:09d}"))
        if settings.ack == "none" or duplicate or (rejected and ta1):
            continue
        per_kind: dict[tuple[bool, str], list[OutTransaction]] = defaultdict(list)
        for group in groups_by_env.get(id(env), []):
            if group.functional_id == ACK_FUNCTIONAL_ID:
                continue
            ack_999 = settings.ack == "999" and _is_5010(group.version)
            reports = [_set_report(tx, by_tx.get((env.index, group.index, tx.index), []))
                       for tx in txs_by_group[id(group)]]
            ge = _trailers(env).get(group.index)
            included = int(ge.get(1)) if ge is not None and ge.get(1).isdecimal() else len(reports)
            body = _functional_ack(group, reports, by_grp.get((env.index, group.index), []), included,
                                   ack_999, d, rejected)
            st = journal.next_control_number(partner.id, "st")
            kind = "999" if ack_999 else "997"
            version = VERSION_999 if ack_999 else _group_version(env, group)
            per_kind[(ack_999, version)].append(
                OutTransaction(kind, f"{st:04d}", body, VERSION_999 if ack_999 else ""))
        for (ack_999, version), transactions in per_kind.items():
            gs = journal.next_control_number(partner.id, "gs")
            isa = journal.next_control_number(partner.id, "isa")
            first_group = groups_by_env[id(env)][0]
            group_out = OutGroup(ACK_FUNCTIONAL_ID, first_group.receiver_id, first_group.sender_id, str(gs), version,
                                 transactions)
            data = write_interchange(d, sender, receiver, isa, [group_out], version=_control_version(env, version),
                                     when=now, test=env.test)
            kind = "999" if ack_999 else "997"
            docs.append(RenderedDocument(kind, Syntax.X12, f"{partner.id}_{kind}_{isa:09d}.x12", data,
                                         control_number=f"{isa:09d}", group_number=str(gs),
                                         transaction_numbers=[t.control_number for t in transactions]))
    return docs


def _groups(result: ParseResult) -> dict[int, list[Group]]:
    """Each interchange's groups in order (by `id` of its envelope), one without a set too: X12 answers every group
    with an AK1, and an empty one (GS..GE and no ST) got no answer at all, `Transaction.group` naming only the
    others. The reader lists a group for each GS of an interchange, in order."""
    found: dict[int, list[Group]] = defaultdict(list)
    listed = iter(result.groups)
    for env in result.interchanges:
        for seg in env.service_segments:
            group = next(listed, None) if seg.tag == "GS" else None
            if group is not None:
                found[id(env)].append(group)
    for tx in result.transactions:          # a result put together without its groups listed
        if tx.group is not None and tx.envelope is not None and all(g is not tx.group for g in found[id(tx.envelope)]):
            found[id(tx.envelope)].append(tx.group)
    return found


def _trailers(env: Envelope) -> dict[int, Segment]:
    """GE segments of an interchange by the index of the group they close."""
    found: dict[int, Segment] = {}
    index = -1
    for seg in env.service_segments:
        if seg.tag == "GS":
            index += 1
        elif seg.tag == "GE" and index >= 0:
            found.setdefault(index, seg)
    return found


def judge_separators(result: ParseResult, partner: PartnerConfig) -> None:
    """The component separator in a text element as the partner's `component_separator_in_text` says: `error`
    keeps the validator's AK4 6 (AK5 E); `warn` makes it a note in our findings that no 997 / 999 carries;
    `ignore` drops it. Many translators only split composites, and a ':' partner writing '10:30' or 'ATTN:' had
    every such clean order come back 'accepted with errors', or rejected under accept_with_errors: false."""
    setting = (partner.x12 or X12Settings()).component_separator_in_text
    if result.syntax is not Syntax.X12 or setting == "error":
        return
    kept = []
    for issue in result.issues:
        if issue.severity is Severity.WARNING and separator_in_text(issue):
            if setting == "ignore":
                continue
            issue.severity = Severity.INFO
            issue.message += " (not told in the acknowledgement: x12.component_separator_in_text is warn)"
        kept.append(issue)
    result.issues[:] = kept


def hold_back_errors(result: ParseResult, partner: PartnerConfig) -> None:
    """Sets with errors noted (AK5 E) go no further when the partner's `accept_with_errors` is off: each gets
    an ERROR saying so (AK502 5) and is marked not accepted, so its 997 / 999 says R and it is not translated.
    Called by the pipeline's parse and translate steps alike (each reads the file again), before the
    acknowledgements are built: the separator findings are judged first (judge_separators)."""
    judge_separators(result, partner)
    settings = partner.x12 or X12Settings()
    if result.syntax is not Syntax.X12 or settings.accept_with_errors:
        return
    _, _, by_tx = _index(result)
    for tx in result.transactions:
        if not tx.accepted or tx.doc_type in ("997", "999", "TA1"):
            continue
        key = (tx.envelope.index if tx.envelope else -1, tx.group.index if tx.group else -1, tx.index)
        if _worst(by_tx.get(key, [])) != "E":
            continue
        tx.accepted = False
        result.issues.append(Issue(
            Severity.ERROR, f"transaction set {tx.doc_type} {tx.control_number} has errors (see above) and partner "
            f"{partner.id} takes no set with errors (x12.accept_with_errors: false): rejected, not translated",
            code=codes.TX_SEGMENTS_IN_ERROR, level="transaction", interchange=key[0], group=key[1],
            transaction=tx.index, segment_tag="ST", segment_position=1))


def accepted_transactions(result: ParseResult, partner: PartnerConfig) -> list[Transaction]:
    """The business documents that go on to translation and Odoo: accepted sets (those with errors noted only
    when the partner's `accept_with_errors` is on, see hold_back_errors); acknowledgements are matched, not
    translated."""
    hold_back_errors(result, partner)
    return [tx for tx in result.transactions if tx.accepted and tx.doc_type not in ("997", "999", "TA1")]


# --------------------------------------------------------------------------- reading partners' acks

def read(tx: Transaction) -> FunctionalAck:
    """A partner's TA1, 997 or 999 as a FunctionalAck the journal can match to what we sent."""
    env = tx.envelope
    source = Source(syntax="x12", standard_type=tx.doc_type, version=tx.version,
                    sender=env.sender_id if env else None, receiver=env.receiver_id if env else None,
                    interchange_control=env.control_number if env else None,
                    group_control=tx.group.control_number if tx.group else None,
                    transaction_control=tx.control_number)
    if tx.doc_type == "TA1":
        seg = tx.segments[0]
        note = seg.get(5)
        return FunctionalAck(number=seg.get(1), ack_standard="TA1", interchange_control=seg.get(1),
                             status=_STATUS.get(seg.get(4), "rejected"), source=source,
                             notes=[f"TA105 {note}"] if note and note != codes.TA_OK else [])
    group_control = functional_id = None
    status = "rejected"
    notes: list[str] = []
    acked: list[AckedTransaction] = []
    current: AckedTransaction | None = None
    for seg in tx.segments:
        if seg.tag == "AK1":
            functional_id, group_control = seg.get(1), seg.get(2)
        elif seg.tag == "AK2":
            current = AckedTransaction(control_number=seg.get(2), doc_type=seg.get(1), status="accepted")
            acked.append(current)
        elif seg.tag in ("AK3", "IK3") and current is not None:
            current.errors.append(f"segment {seg.get(1)} at position {seg.get(2)}: error {seg.get(4) or '?'}")
        elif seg.tag in ("AK4", "IK4") and current is not None:
            current.errors.append(f"element {seg.get(1)} (ref {seg.get(2) or '?'}): error {seg.get(3)}")
        elif seg.tag in ("AK5", "IK5") and current is not None:
            current.status = _TX_STATUS.get(seg.get(1), "rejected")
            reasons = [c for c in seg.fields[2:] if c]
            if reasons:
                current.errors.append("set error codes " + ", ".join(reasons))
        elif seg.tag == "AK9":
            status = _STATUS.get(seg.get(1), "rejected")
            notes = [f"AK905 {c} ({_GROUP_ERRORS.get(c, 'see X12 code list 716')})" for c in seg.fields[5:] if c]
    return FunctionalAck(number=group_control or tx.control_number, ack_standard=tx.doc_type,
                         group_control=group_control, functional_id=functional_id, status=status, notes=notes,
                         transactions=acked, source=source)


def apply(ack: FunctionalAck, partner: str, journal: Journal) -> list[str]:
    """Mark the outbound messages `ack` refers to as acknowledged (DONE) or REJECTED; their ids.

    A TA1 is matched by ISA13, a 997/999 by GS06 (AK102). Accepted-with-errors counts as
    accepted; a partially accepted group is rejected only when every set we sent was.
    """
    from gateway.journal.api import State
    from gateway.outbound.channels import NOT_YET_SENT, ack_before_sent
    if ack.ack_standard == "TA1":
        matched = journal.match_ack(partner, "TA1", ack.interchange_control or "", None) or \
            journal.match_ack(partner, "997", ack.interchange_control or "", None) or \
            journal.match_ack(partner, "999", ack.interchange_control or "", None)
        if matched is None or ack.status != "rejected":
            return [matched] if matched else []
    else:
        matched = journal.match_ack(partner, ack.ack_standard, "", ack.group_control)
        if matched is None:
            other = "999" if ack.ack_standard == "997" else "997"
            matched = journal.match_ack(partner, other, "", ack.group_control)
        if matched is None:
            return []
    message = journal.get(matched)
    rejected = ack.status == "rejected"
    target = State.REJECTED if rejected else State.DONE
    reason = f"{ack.ack_standard} {ack.status}" + (f" ({'; '.join(ack.notes)})" if ack.notes else "")
    if message.state is State.SENT or (message.state is State.DONE and rejected):
        journal.transition(matched, target, reason)
    elif message.state in NOT_YET_SENT:
        # the partner has it though our delivery was not confirmed (a POST that timed out): kept, not lost,
        # and the document is not sent again
        ack_before_sent(journal, matched, ack.ack_standard, target, reason)
    return [matched]


def overdue(journal: Journal, now: datetime) -> list[str]:
    """Outbound messages still without their acknowledgement after the partner's window (for alerts)."""
    return [m.id for m in journal.overdue_acks(now)]
