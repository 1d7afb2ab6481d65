"""CONTRL (ISO 9735-4 syntax and service report): built for interchanges we receive, read when partners send one.

What we send, per interchange read:
- UCI: the subject interchange (its reference, sender and recipient as received) and the action:
  7 acknowledged, or 4 rejected with the 0085 error code and the UNB/UNZ element at fault;
- UCF per functional group when the interchange used UNG/UNE;
- UCM per message: 7 acknowledged / 4 rejected, UNH/UNT faults in the UCM itself;
- UCS per faulty segment (position from UNH = 1; a missing segment at the last segment read before
  the place it was expected) and UCD per faulty element.
Every data element position (S011 0098) counts the segment tag as 1, as ISO 9735 defines it: the
first element after the tag is 2, so `QTY+21:1x` is reported `UCD+37+2:2`.
A CONTRL is never answered with a CONTRL. Whether one is sent at all, and for clean
interchanges too, is the partner's `edifact.contrl` / `edifact.contrl_on_success`; with
`contrl: requested` one is sent exactly when the UNB asks for it (0031 = 1), clean or not.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

from gateway.config.models import OurIds, PartnerConfig
from gateway.formats import edifact
from gateway.formats.base import Envelope, Group, Issue, ParseResult, Segment, Severity, Syntax, Transaction
from gateway.journal.api import Journal
from gateway.outbound.rendered import RenderedDocument
from gateway.translate.canonical import AckedTransaction, FunctionalAck, Source

ACKNOWLEDGED = "7"
REJECTED = "4"
RECEIVED = "8"

# Data element 0085, syntax error coded (ISO 9735 service code list).
ERROR_NAMES = {
    "2": "syntax version or level not supported", "7": "interchange recipient not actual recipient",
    "12": "invalid value", "13": "missing", "14": "value not supported in this position",
    "15": "not supported in this position", "16": "too many constituents", "17": "no agreement",
    "18": "unspecified error", "19": "invalid decimal notation", "20": "character invalid as service character",
    "21": "invalid character(s)", "22": "invalid service segment tag", "23": "unknown interchange sender",
    "24": "too old", "25": "test indicator not supported", "26": "duplicate detected",
    "28": "references do not match", "29": "control count does not match number of instances received",
    "30": "functional groups and messages mixed", "31": "more than one message type in group",
    "32": "lower level empty", "33": "invalid occurrence outside message, package or group",
    "35": "too many repetitions", "36": "too many segment group repetitions", "37": "invalid type of characters",
    "38": "missing digit in front of decimal sign", "39": "data element too long", "40": "data element too short",
    "45": "trailing separator", "46": "character set not supported", "47": "envelope functionality not supported",
}

_UCI_TAGS = frozenset({"", "UNA", "UNB", "UNZ"})     # ISO 9735-4: the UCI reports on UNA, UNB and UNZ


@dataclass(slots=True)
class _MessageReport:
    tx: Transaction
    rejected: bool
    header_issue: Issue | None = None                 # UNH / UNT fault, reported in the UCM
    # (UCS position, a segment missing after it?) -> issues: one UCS each, so a missing segment's 13 is not
    # read as the code of the segment before it, whose own element errors (UCD) it would then head
    segments: dict[tuple[int, bool], list[Issue]] = field(default_factory=dict)


@dataclass(slots=True)
class _Report:
    env: Envelope
    interchange_issue: Issue | None
    groups: list[tuple[Group, Issue | None]]
    messages: list[_MessageReport]

    @property
    def clean(self) -> bool:
        return self.interchange_issue is None and all(
            not m.rejected and m.header_issue is None and not m.segments for m in self.messages) and all(
            issue is None for _, issue in self.groups)


def build(result: ParseResult, partner: PartnerConfig, our_ids: OurIds, journal: Journal,
          now: datetime | None = None) -> list[RenderedDocument]:
    """The CONTRLs this partner's profile asks for, one per interchange in `result`."""
    settings = partner.edifact
    if result.syntax is not Syntax.EDIFACT or settings is None or not settings.contrl:
        return []
    out: list[RenderedDocument] = []
    for env in result.interchanges:
        txs = [t for t in result.transactions if t.envelope is env]
        if txs and all(t.doc_type == "CONTRL" for t in txs):
            continue          # ISO 9735-4: a CONTRL is not acknowledged
        if settings.contrl == "requested" and not env.ack_requested:
            continue          # this partner's CONTRLs answer the UNB acknowledgement request (0031) only
        report = _report(result, env, txs)
        if report.clean and not settings.contrl_on_success and settings.contrl != "requested":
            continue
        out.append(_render(report, partner, our_ids, journal, now or datetime.now(UTC)))
    return out


def _report(result: ParseResult, env: Envelope, txs: list[Transaction]) -> _Report:
    issues = [i for i in result.issues if i.interchange == env.index and i.severity is Severity.ERROR]
    found = [i for i in issues if i.transaction is None and i.level == "interchange"]
    # the UCI names the interchange's own segments (UNA, UNB, UNZ): a cut file's "last segment QTY has no
    # terminator" comes first, but what the partner must hear is that the UNZ is missing
    inter = next((i for i in found if i.segment_tag in _UCI_TAGS), found[0] if found else None)
    groups: list[tuple[Group, Issue | None]] = []
    seen: set[int] = set()
    for tx in txs:
        if tx.group is not None and id(tx.group) not in seen:
            seen.add(id(tx.group))
            g_issue = next((i for i in issues if i.transaction is None and i.level == "group"
                            and i.group == tx.group.index), None)
            groups.append((tx.group, g_issue))
    messages = []
    for tx in txs:
        mine = [i for i in issues if i.transaction == tx.index]
        rep = _MessageReport(tx, rejected=not tx.accepted)
        rep.header_issue = next((i for i in mine if i.level == "transaction"), None)
        for issue in mine:
            if issue.level == "transaction":
                continue
            if issue.segment_tag in ("UNH", "UNT") and issue.level == "element" and _in_ucm(issue, rep):
                continue
            if issue.segment_position:
                rep.segments.setdefault(_segment_position(issue), []).append(issue)
        messages.append(rep)
    return _Report(env, inter, groups, messages)


def _in_ucm(issue: Issue, rep: _MessageReport) -> bool:
    """An element of UNH / UNT at fault is the UCM's to report (ISO 9735-4: the UCM identifies "any error related
    to the UNH and UNT segments"): it becomes the UCM's error when the UCM has none, and is not repeated as a UCS
    when the UCM already names that element; another one still gets its UCS / UCD, the UCM having room for one."""
    head = rep.header_issue
    if head is None:
        rep.header_issue = issue
        return True
    return (head.segment_tag, head.element_position) == (issue.segment_tag, issue.element_position)


def _render(report: _Report, partner: PartnerConfig, our_ids: OurIds, journal: Journal,
            now: datetime) -> RenderedDocument:
    settings = partner.edifact
    assert settings is not None
    env = report.env
    unb = journal.next_control_number(partner.id, "unb")
    unh = journal.next_control_number(partner.id, "unh")
    ours = our_ids.edifact
    sender = edifact.Party(ours.id, ours.qualifier) if ours else edifact.Party(env.receiver_id, env.receiver_qualifier)
    recipient = edifact.Party(env.sender_id, env.sender_qualifier, tuple(settings.recipient_internal))
    syntax_version = settings.syntax_version
    writer = edifact.Writer(sender=sender, recipient=recipient, control_number=str(unb),
                            date=now.strftime("%Y%m%d"),
                            time=now.strftime("%H%M"), syntax=settings.syntax, syntax_version=syntax_version,
                            una=settings.una, test=settings.test or env.test)
    body: list[tuple[str, list[str | list[str]]]] = []
    inter = report.interchange_issue
    header = next((s for s in env.service_segments if s.tag == "UNB"), None)
    room = 4 if syntax_version >= "4" else 3             # S002 / S003: syntax 4 adds the internal id (0042 / 0046)
    uci: list[str | list[str]] = [env.control_number,
                                  _composite(header, 2, room, [env.sender_id, env.sender_qualifier]),
                                  _composite(header, 3, room, [env.receiver_id, env.receiver_qualifier])]
    if inter is not None:
        uci += [REJECTED, inter.code or "18", inter.segment_tag if inter.segment_tag in _UCI_TAGS else "",
                _position(inter)]
    else:
        uci.append(ACKNOWLEDGED)
    body.append(("UCI", uci))
    if inter is None:
        if report.groups:
            for group, g_issue in report.groups:
                body.append(("UCF", _ucf(group, g_issue, env)))
                for m in report.messages:
                    if m.tx.group is group:
                        body.extend(_message(m, syntax_version >= "4"))
        else:
            for m in report.messages:
                body.extend(_message(m, syntax_version >= "4"))
    message_type = "CONTRL:D:3:UN" if syntax_version < "4" else "CONTRL:4:1:UN"
    writer.message(str(unh), message_type, body)
    return RenderedDocument(doc_type="CONTRL", syntax=Syntax.EDIFACT, filename=f"{partner.id}_CONTRL_{unb}.edi",
                            data=writer.to_bytes(), control_number=str(unb), transaction_numbers=[str(unh)],
                            expects_ack=None)


def _position(issue: Issue, v4: bool = False) -> list[str]:
    """S011: 0098 counts the segment tag as position 1 (our issues count the first data element as 1),
    then the component (0104) from 1; in syntax 4 also the occurrence (0136) of a repeated element, a
    composite's component as well: S011 holds all three (0098 M, 0104 C, 0136 C), and a syntax 4 CONTRL that
    named the component of a repeated composite did not say which occurrence, so the partner had to guess."""
    if issue.element_position is None:
        return []
    if v4 and issue.repetition_position:
        return [str(issue.element_position + 1), str(issue.component_position or ""), str(issue.repetition_position)]
    return [str(issue.element_position + 1), str(issue.component_position or "")]


def _segment_position(issue: Issue) -> tuple[int, bool]:
    """UCS 0096: a missing segment (0085 13 on a segment) is reported at the last segment read before the place
    where it was expected, which is the one before the segment that showed it missing; (position, missing)."""
    position = issue.segment_position or 0
    if issue.level == "segment" and issue.code == "13" and issue.element_position is None:
        return max(position - 1, 1), True
    return position, False


def _composite(seg: Segment | None, index: int, room: int, fallback: list[str]) -> list[str]:
    """A UNB / UNG composite (S002, S003, S006, S007) as the partner sent it (UCI and UCF repeat the subject's
    values: a routing address too), split at the partner's own component separators only, so a released one
    stays in its id, and cut to the `room` components the CONTRL's composite has: a partner's surplus one
    (a syntax 4 internal id answered in syntax 3, a third component in a UNG id) would make our CONTRL invalid."""
    if seg is None or not seg.get(index):
        return fallback
    return seg.get(index).split(seg.component_sep)[:room]


def _ucf(group: Group, issue: Issue | None, env: Envelope) -> list[str | list[str]]:
    ung = next((s for s in env.service_segments if s.tag == "UNG" and s.get(5) == group.control_number), None)
    out: list[str | list[str]] = [group.control_number, _composite(ung, 2, 2, [group.sender_id]),
                                  _composite(ung, 3, 2, [group.receiver_id])]
    if issue is None:
        out.append(ACKNOWLEDGED)
    else:
        out += [REJECTED, issue.code or "18", _service_tag(issue, ("UNG", "UNE"), "UNE"), _position(issue)]
    return out


def _service_tag(issue: Issue, tags: tuple[str, str], trailer: str) -> str:
    """0013 of a UCM / UCF: the header or trailer at fault; a missing one (0085 13 found at another segment,
    where the reader noticed it) is the trailer, since a message or group is only known by its header."""
    if issue.segment_tag in tags:
        return issue.segment_tag
    return trailer if issue.code == "13" else ""


def _message(m: _MessageReport, v4: bool) -> list[tuple[str, list[str | list[str]]]]:
    tx = m.tx
    unh = tx.segments[0] if tx.segments and tx.segments[0].tag == "UNH" else None
    s009 = unh.get(2).split(unh.component_sep)[:5] if unh is not None else [tx.doc_type]   # v3 S009 has 5
    if len(s009) == 5 and len(s009[4]) > 6:
        s009 = s009[:4]       # an over-long association code (0057 an..6) would make our CONTRL invalid
    if len(s009) >= 3 and all(s009[:3]) and not "".join(s009[3:4]):
        # 0051 is mandatory in the UCM's S009 too: a UNH without it ('ORDERS:D:96A') was echoed so, and the CONTRL
        # rejecting that very UNH was invalid (our reader refuses it); a UN/EDIFACT message's agency is UN
        s009 = [*s009[:3], "UN", *s009[4:]]
    ucm: list[str | list[str]] = [tx.control_number, s009, REJECTED if m.rejected else ACKNOWLEDGED]
    h = m.header_issue
    if h is not None:
        ucm += [h.code or "18", _service_tag(h, ("UNH", "UNT"), "UNT"), _position(h, v4)]
    out: list[tuple[str, list[str | list[str]]]] = [("UCM", ucm)]
    for position, missing in sorted(m.segments):
        found = m.segments[(position, missing)]
        seg_issue = next((i for i in found if i.element_position is None), None)
        out.append(("UCS", [str(position), seg_issue.code if seg_issue else ""]))
        for issue in found:
            if issue.element_position is not None:
                out.append(("UCD", [issue.code or "18", _position(issue, v4)]))
    return out


# ----------------------------------------------------------------------------- reading

def read(tx: Transaction) -> FunctionalAck:
    """A partner's CONTRL as a FunctionalAck the journal can match to the interchange we sent."""
    uci = next((s for s in tx.segments if s.tag == "UCI"), None)
    if uci is None:
        from gateway.errors import FormatError
        raise FormatError("CONTRL without UCI: nothing says which interchange it answers",
                          f"message {tx.control_number}")
    action = uci.get(4)
    acked: list[AckedTransaction] = []
    group_control: str | None = None
    current: AckedTransaction | None = None
    for seg in tx.segments:
        if seg.tag == "UCF" and group_control is None:
            group_control = seg.get(1)
        elif seg.tag == "UCM":
            current = AckedTransaction(control_number=seg.get(1), doc_type=seg.component(2, 1) or None,
                                       status="rejected" if seg.get(3) == REJECTED else "accepted")
            if seg.get(4):
                current.errors.append(_describe(seg.get(4), f"{seg.get(5) or 'UNH/UNT'}"))
            acked.append(current)
        elif seg.tag == "UCS" and current is not None and seg.get(2):
            current.errors.append(_describe(seg.get(2), f"segment {seg.get(1)}"))
        elif seg.tag == "UCD" and current is not None:
            where = f"element {seg.component(2, 1)}" + (f".{seg.component(2, 2)}" if seg.component(2, 2) else "")
            current.errors.append(_describe(seg.get(1), where))
    for t in acked:
        if t.status == "accepted" and t.errors:
            t.status = "accepted_with_errors"
    status: Literal["accepted", "accepted_with_errors", "partially_accepted", "rejected"]
    if action == REJECTED:
        status = "rejected"
    elif any(t.status == "rejected" for t in acked):
        status = "rejected" if all(t.status == "rejected" for t in acked) else "partially_accepted"
    elif any(t.status == "accepted_with_errors" for t in acked):
        status = "accepted_with_errors"
    else:
        status = "accepted"
    env = tx.envelope
    errors = [_describe(uci.get(5), uci.get(6) or "interchange")] if uci.get(5) else []
    return FunctionalAck(
        number=tx.control_number, ack_standard="CONTRL", interchange_control=uci.get(1),
        group_control=group_control, status=status, transactions=acked, notes=errors,
        source=Source(syntax="edifact", standard_type="CONTRL", version=tx.version,
                      sender=env.sender_id if env else None, receiver=env.receiver_id if env else None,
                      interchange_control=env.control_number if env else None,
                      transaction_control=tx.control_number, test=env.test if env else False))


def _describe(code: str, where: str) -> str:
    return f"{where}: error {code} ({ERROR_NAMES.get(code, 'unknown code')})"
