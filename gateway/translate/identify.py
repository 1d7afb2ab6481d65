"""Which partner sent a file: from the channel it came in on and the ids in its envelope.

The channel (SFTP account, AS2 id, a partner's own inbox) authenticates; the envelope
(ISA05/06, GS02, UNB sender, XML sender id) names. When both speak they must agree:
a partner logged in as `northwind` cannot send an interchange as `bigbox`. A file
addressed to someone else and a file nobody claims are refused with the reason, for quarantine;
a test interchange for a production partner (or the other way round) is its partner's, rejected.
"""

from __future__ import annotations

from collections.abc import Mapping

from gateway.config.models import OurIds, PartnerConfig, effective_our_ids
from gateway.errors import PartnerUnknown
from gateway.formats import xml as xml_format
from gateway.formats.base import Envelope, Group, Issue, ParseResult, Severity, Syntax
from gateway.translate.profile import ProfileRegistry
from gateway.transports.base import IntakeMeta


def _envelope_claims(partner: PartnerConfig, env: Envelope, group: Group | None) -> bool:
    sender = env.sender_id.strip()
    if env.syntax is Syntax.X12 and partner.x12 is not None:
        if any(i.id == sender and i.qualifier == env.sender_qualifier.strip() for i in partner.x12.ids):
            return True
        if group is not None and group.sender_id.strip() in partner.x12.gs_ids:
            return True
    if env.syntax is Syntax.EDIFACT and partner.edifact is not None:
        for i in partner.edifact.ids:
            if i.id == sender and (not i.qualifier or i.qualifier == env.sender_qualifier.strip()):
                return True
    return bool(env.syntax is Syntax.XML and partner.xml is not None
                and any(i in partner.xml.ids for i in xml_format.identities(env, "from")))


def _has_ids(partner: PartnerConfig, syntax: Syntax) -> bool:
    if syntax is Syntax.X12:
        return bool(partner.x12 and (partner.x12.ids or partner.x12.gs_ids))
    if syntax is Syntax.EDIFACT:
        return bool(partner.edifact and partner.edifact.ids)
    if syntax is Syntax.XML:
        return bool(partner.xml and partner.xml.ids)
    return False


def _describe(env: Envelope, group: Group | None) -> str:
    if env.syntax is Syntax.X12:
        text = f"ISA05/06 {env.sender_qualifier.strip()}/{env.sender_id.strip()}"
        return text + (f", GS02 {group.sender_id}" if group is not None else "")
    if env.syntax is Syntax.EDIFACT:
        return f"UNB sender {env.sender_id.strip()}:{env.sender_qualifier.strip()}"
    return f"sender id {env.sender_id.strip() or '(none)'}"


def _addressed_to_us(env: Envelope, group: Group | None, candidates: list[OurIds | None]) -> bool:
    """Whether the receiver (ISA07/08 and GS03, UNB recipient, XML receiver id) is one of `candidates`' ids.
    A syntax none of them has an id for is not checked."""
    known = [c for c in candidates if c is not None]
    receiver = env.receiver_id.strip()
    if env.syntax is Syntax.X12 and any(c.x12 for c in known):
        isa = [c.x12 for c in known if c.x12 is not None]
        qualifier = env.receiver_qualifier.strip()
        if not any(receiver == i.id and (not qualifier or qualifier == i.qualifier) for i in isa):
            return False                  # ISA07/08
        ours = {i.id for i in isa} | {c.gs for c in known if c.gs}
        return group is None or not group.receiver_id.strip() or group.receiver_id.strip() in ours   # GS03
    if env.syntax is Syntax.EDIFACT and any(c.edifact for c in known):
        return receiver in {c.edifact.id for c in known if c.edifact is not None}
    if env.syntax is Syntax.XML and any(c.xml for c in known) and receiver:
        # an id written DUNS:123456789 (the domain of the cXML Credential we send) is received as its Identity
        ours = {x for c in known if c.xml for x in (c.xml, c.xml.rpartition(":")[2])}
        return any(i in ours for i in xml_format.identities(env, "to"))
    return True


def _names(candidates: list[OurIds | None], syntax: Syntax) -> bool:
    """Whether any of `candidates` has an id of ours for `syntax` (else its receivers are not checked)."""
    parts = {Syntax.X12: "x12", Syntax.EDIFACT: "edifact", Syntax.XML: "xml"}
    return syntax in parts and any(c is not None and getattr(c, parts[syntax]) for c in candidates)


def _known_by(partner: PartnerConfig, env: Envelope, group: Group | None) -> bool:
    """Whether the file is addressed to an id `partner` itself knows us by (its own `our_ids:`, for this syntax)."""
    if partner.our_ids is None:
        return False
    own = effective_our_ids(partner, None)
    return _names([own], env.syntax) and _addressed_to_us(env, group, [own])


def answering_ids(result: ParseResult, partner: PartnerConfig, ours: OurIds | None) -> OurIds:
    """The ids our acknowledgements of `result` come from: those `partner` knows us by, except that a CONTRL
    answers from gateway.yaml's EDIFACT id when that is the one the interchanges were sent to (a partner moving
    to an id of its own sends to both for a while). X12 acknowledgements mirror the ISA/GS they answer."""
    base, own = ours or OurIds(), effective_our_ids(partner, ours)
    envs = [e for e in result.interchanges if e.syntax is Syntax.EDIFACT]
    if base.edifact and own.edifact != base.edifact and envs and all(
            e.receiver_id.strip() == base.edifact.id for e in envs):
        return own.model_copy(update={"edifact": base.edifact})
    return own


def _check_test_flag(partner: PartnerConfig, env: Envelope, result: ParseResult) -> None:
    """A test interchange for a partner in production (or the other way round) is rejected at its envelope, as the
    standards answer it (TA1 020, CONTRL 0085 25 "test indicator not supported"): its partner is known, so the file
    is kept under it and the partner told; none of its sets goes on."""
    settings = partner.x12 if env.syntax is Syntax.X12 else partner.edifact if env.syntax is Syntax.EDIFACT else None
    if settings is None or env.test == settings.test:
        return
    x12 = env.syntax is Syntax.X12
    flag, section = ("ISA15", "x12") if x12 else ("UNB 0035", "edifact")
    said = (f"interchange {env.control_number} is a test interchange ({flag}) but partner {partner.id} is in "
            f"production ({section}.test: false)" if env.test else f"interchange {env.control_number} is a "
            f"production interchange ({flag}) but partner {partner.id} is set up for testing ({section}.test: true)")
    result.issues.append(Issue(Severity.ERROR, said, code="020" if x12 else "25", level="interchange",
                               interchange=env.index, segment_tag="ISA" if x12 else "UNB",
                               element_position=15 if x12 else 11))
    for tx in result.transactions:
        if tx.envelope is env:
            tx.accepted = False


def identify(result: ParseResult, meta: IntakeMeta, partners: Mapping[str, PartnerConfig],
             our_ids: OurIds | None = None) -> PartnerConfig:
    """The partner of a parsed file; raises PartnerUnknown with the reason when none (or a wrong one) matches."""
    channel_partner: PartnerConfig | None = None
    if meta.partner:
        channel_partner = partners.get(meta.partner)
        if channel_partner is None:
            raise PartnerUnknown(f"{meta.channel} channel names partner {meta.partner!r}, which has no partner file")
        if not channel_partner.active:
            raise PartnerUnknown(f"partner {channel_partner.id} is not active (active: false)")
    found: PartnerConfig | None = channel_partner
    for env in result.interchanges:
        # every functional group speaks for itself: a second GS with another sender is not waved through
        groups: list[Group | None] = [g for g in result.groups if _group_in(result, g, env)]
        for group in groups or [None]:
            partner = _partner_of(env, group, meta, partners, our_ids, channel_partner)
            if found is not None and found is not partner:
                raise PartnerUnknown(f"one file holds documents of two partners ({found.id}, {partner.id})")
            found = partner
        if found is not None:
            _check_test_flag(found, env, result)
    if found is None:
        raise PartnerUnknown(f"no partner for {meta.filename}: it has no envelope and the {meta.channel} "
                             "channel does not say who sent it")
    return found


def _partner_of(env: Envelope, group: Group | None, meta: IntakeMeta, partners: Mapping[str, PartnerConfig],
                our_ids: OurIds | None, channel_partner: PartnerConfig | None) -> PartnerConfig:
    """The partner one interchange (and one of its groups) comes from, or PartnerUnknown saying why none.

    Addressed to gateway.yaml's ids, or to those its sender (and only its sender) knows us by (`our_ids:` in
    its partner file): one partner's vendor number for us does not make another's files ours. The sender is
    known before the receiver is checked: where gateway.yaml has no id for the syntax, the sender's ids still
    are, and where neither has one, an id another partner knows us by is still not the sender's to use."""
    try:
        sender: PartnerConfig | None = _sender_of(env, group, meta, partners, channel_partner)
    except PartnerUnknown:
        if _addressed_to_us(env, group, [our_ids]):
            raise                         # ours, from no partner we know: that is the reason
        sender = None
    ours = [our_ids, effective_our_ids(sender, our_ids)]
    owners = [p.id for p in partners.values() if _known_by(p, env, group)]
    if sender is None or not _addressed_to_us(env, group, ours) or (owners and not _names(ours, env.syntax)):
        gs03 = f", GS03 {group.receiver_id}" if group is not None and env.syntax is Syntax.X12 else ""
        whose = (f" (the id partner {', '.join(owners)} knows us by; the sender is "
                 f"{f'partner {sender.id}' if sender else 'no partner of ours'})") if owners else ""
        raise PartnerUnknown(f"interchange {env.control_number} is addressed to "
                             f"{env.receiver_qualifier.strip()}/{env.receiver_id.strip()}{gs03}, not to us{whose}")
    return sender


def _sender_of(env: Envelope, group: Group | None, meta: IntakeMeta, partners: Mapping[str, PartnerConfig],
               channel_partner: PartnerConfig | None) -> PartnerConfig:
    """The partner the channel and the envelope's sender ids name, or PartnerUnknown saying why none."""
    claimants = [p for p in partners.values() if p.active and _envelope_claims(p, env, group)]
    if channel_partner is not None:
        if claimants and channel_partner not in claimants:
            raise PartnerUnknown(f"file from {meta.channel} partner {channel_partner.id} carries "
                                 f"{_describe(env, group)}, which belongs to {claimants[0].id}")
        if not claimants and _has_ids(channel_partner, env.syntax):
            raise PartnerUnknown(f"file from {meta.channel} partner {channel_partner.id} carries "
                                 f"{_describe(env, group)}, not one of its configured ids")
        return channel_partner
    if len(claimants) > 1:
        # lint refuses one id for two partners of a shared inbox, so this is an ISA of one and a GS02 of another
        raise PartnerUnknown(f"{_describe(env, group)} name different partners "
                             f"({', '.join(p.id for p in claimants)}): an interchange's sender and its group's "
                             "sender must be the same partner's")
    if not claimants:
        raise PartnerUnknown(f"no partner matches {_describe(env, group)} "
                             f"(received over {meta.channel}, file {meta.filename}){_near_miss(env, partners)}")
    return claimants[0]


def _near_miss(env: Envelope, partners: Mapping[str, PartnerConfig]) -> str:
    """A partner file with the sender's id under another qualifier (ZZ typed for the 01 or 14 it sends)."""
    sender = env.sender_id.strip()
    for p in partners.values():
        ids = (p.x12.ids if env.syntax is Syntax.X12 and p.x12 else
               p.edifact.ids if env.syntax is Syntax.EDIFACT and p.edifact else [])
        for i in ids:
            if i.id == sender:
                return (f"; partner {p.id} has that id with qualifier {i.qualifier!r}, the file says "
                        f"{env.sender_qualifier.strip()!r}")
    return ""


def _group_in(result: ParseResult, group: Group, env: Envelope) -> bool:
    return any(t.group is group and t.envelope is env for t in result.transactions)


ACK_TYPES = frozenset({"997", "999", "TA1", "CONTRL", "APERAK", "824"})   # acknowledgements: always taken


def refuse_undeclared(result: ParseResult, partner: PartnerConfig, profiles: ProfileRegistry) -> None:
    """X12 sets and EDIFACT messages of a type the partner is not set up to send are rejected (AK5 R with
    AK502 1, "transaction set not supported"; CONTRL UCM 4 with 0085 17, "no agreement") and go no further.

    A partner that lists inbound documents has agreed to send those: a customer's 810 would otherwise be read
    by the base profile and become a vendor bill in Odoo, a vendor's 850 a sale order. A partner that lists
    none takes whatever the base profiles read. Acknowledgements are always taken; CSV and XML files are
    matched to their profile as before."""
    inbound = [d for d in partner.documents if d.direction == "in"]
    if not inbound:
        return
    declared = {d.type for d in inbound}
    for d in inbound:
        if d.profile in profiles:
            declared.add(profiles.get(d.profile).message)
    for tx in result.transactions:
        if tx.syntax not in (Syntax.X12, Syntax.EDIFACT) or tx.doc_type in ACK_TYPES or tx.doc_type in declared:
            continue
        if not tx.accepted:
            continue
        tx.accepted = False
        x12 = tx.syntax is Syntax.X12
        first = tx.segments[0] if tx.segments else None
        result.issues.append(Issue(
            Severity.ERROR, f"partner {partner.id} is not set up to send {tx.doc_type} (its documents: "
            f"{', '.join(sorted(d.type for d in inbound))}): not translated or posted; to take it, add it to the "
            f"partner's documents", code="1" if x12 else "17", level="transaction",
            interchange=tx.envelope.index if tx.envelope else None,
            group=tx.group.index if tx.group else None, transaction=tx.index,
            segment_tag="ST" if x12 else "UNH", segment_position=1 if x12 else None,
            offset=first.offset if first is not None else None))
