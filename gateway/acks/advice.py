"""Application acknowledgements partners send us: EDIFACT APERAK and X12 824 Application Advice.

A CONTRL or 997 says a partner's translator read what we sent; an APERAK or 824 says what its application made of
it: the invoice booked, or refused ("unknown GLN", "duplicate invoice number"). Each is read into `Advice` items (an
824 has one per OTI, an APERAK one for the message) and applied to the outbound message it names: rejected, that
message becomes `rejected` with the partner's codes and texts as its reason, so a person sees it (status, the
status page) instead of a `done` invoice nobody pays; accepted, an event on the message says so. Nothing is resent.
A refusal that matches nothing we sent is returned to the pipeline, which quarantines its file for a person.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from gateway.config.models import PartnerConfig
from gateway.errors import GatewayError
from gateway.formats.base import Segment, Syntax, Transaction
from gateway.journal.api import ALLOWED, Journal, Message, State
from gateway.outbound.channels import NOT_YET_SENT, ack_before_sent

log = logging.getLogger(__name__)

ADVICE_TYPES = frozenset({"APERAK", "824"})

Verdict = Literal["accepted", "accepted_with_errors", "rejected", "on_hold"]

# EDIFACT RFF qualifiers (UNCL 1153) naming the document acknowledged, and our document types that carry it
_RFF_DOCUMENTS: dict[str, tuple[str, ...]] = {"IV": ("INVOIC",), "DQ": ("DESADV",), "AAK": ("DESADV",)}
# D01B's SG1 DOC (EANCOM 2002 and later): the acknowledged document's own name code (UNCL 1001) and its number
_DOC_DOCUMENTS: dict[str, tuple[str, ...]] = {**dict.fromkeys(("380", "381", "383", "384", "385", "386"), ("INVOIC",)),
                                              "351": ("DESADV",), "231": ("ORDRSP",)}
_INVOICE_NUMBERED = frozenset({"IV", "380", "381", "383", "384", "385", "386"})   # RFF+IV, OTI IV, DOC: its number
# X12 OTI02 reference qualifiers (element 128) and the sets of ours that carry that number
_OTI_DOCUMENTS: dict[str, tuple[str, ...]] = {"IV": ("810",), "SI": ("856",), "BM": ("856",), "CN": ("856",)}
# what we send that an application acknowledgement can answer, for a partner whose file lists no documents
BUSINESS_TYPES = ("INVOIC", "DESADV", "ORDRSP", "INVRPT", "810", "856", "855", "846", "865")

UNNUMBERED_LOOKED_AT = 200            # files of documents sent before this release read for a number, at most

# BGM 1225 (message function, UNCL 1225) and 4343 (response type) as EANCOM and UN D96A/D01B use them in an APERAK
_REJECTING = frozenset({"27", "48"})         # 1225: not accepted; accepted, contents rejected
_ACCEPTING = frozenset({"6", "29", "44"})    # 1225: confirmation; accepted without amendment; without reserves
# 1225: accepted with amendment (in the heading 28, the detail 30, anywhere 34); accepted with reserves (45)
_ACCEPTED_CHANGED = frozenset({"28", "30", "34", "45"})


@dataclass(slots=True)
class Advice:
    """What one APERAK or one 824 OTI says of one document we sent."""

    standard: str                            # "APERAK" | "824"
    advice_number: str                       # BGM 1004 / BGN02: the partner's number of its acknowledgement
    verdict: Verdict
    document_types: tuple[str, ...] = ()     # ours that the reference below can name ("INVOIC", "810", ...)
    reference: tuple[str, str] | None = None   # (qualifier, number): RFF+IV:2744, OTI*TR*IV*2744
    message_reference: str | None = None     # RFF+ACW: our UNH 0062 (or UNB 0020)
    group_control: str | None = None         # OTI08: our GS06
    set_control: str | None = None           # OTI09: our ST02
    named: list[str] = field(default_factory=list)   # every reference it gives, for a message that matches none
    errors: list[str] = field(default_factory=list)
    part: str = ""                           # which of its file's advices: "<UNH or ST02>.<OTI ordinal>"

    def describe(self) -> str:
        return f"{self.standard} {self.advice_number}".strip()

    def summary(self) -> str:
        """'APERAK 10015: rejected, for IV 2744: error 186: duplicate invoice' (`edi-gateway translate`)."""
        return (f"{self.describe()}: {self.verdict.replace('_', ' ')}, for {', '.join(self.named) or 'no reference'}"
                + (f": {'; '.join(self.errors)}" if self.errors else ""))


def read(tx: Transaction) -> list[Advice]:
    """A partner's APERAK or 824 as one Advice per document it acknowledges."""
    return read_824(tx) if tx.syntax is Syntax.X12 else [read_aperak(tx)]


def read_aperak(tx: Transaction) -> Advice:
    """BGM's function (1225) and response type (4343) give the verdict; without either, error codes (ERC) mean the
    message was refused (an APERAK's first purpose, EANCOM's examples send ERC alone) and none means accepted.
    The document it answers: RFF+ACW (our message), RFF+IV/DQ/AAK, or D01B's DOC (its name code and number)."""
    bgm = next((s for s in tx.segments if s.tag == "BGM"), None)
    function = bgm.get(3) if bgm is not None else ""
    response = bgm.get(4) if bgm is not None else ""
    advice = Advice("APERAK", bgm.component(2, 1) if bgm is not None else tx.control_number, "accepted",
                    part=tx.control_number)
    in_error = False
    header: list[str] = []
    for seg in tx.segments:
        if seg.tag == "DOC" and not in_error and (number := seg.component(2, 1)):
            code = seg.component(1, 1)
            advice.named.append(f"DOC {code} {number}")
            if code in _DOC_DOCUMENTS and advice.reference is None:
                advice.reference, advice.document_types = (code, number), _DOC_DOCUMENTS[code]
        elif seg.tag == "RFF":
            qualifier, number = seg.component(1, 1), seg.component(1, 2)
            if not number:
                continue
            if in_error:              # SG4: the part of the document the error is in
                if advice.errors:
                    advice.errors[-1] += f" ({qualifier} {number})"
                continue
            advice.named.append(f"{qualifier} {number}")
            if qualifier == "ACW" and advice.message_reference is None:
                advice.message_reference = number
            elif qualifier in _RFF_DOCUMENTS and advice.reference is None:
                advice.reference, advice.document_types = (qualifier, number), _RFF_DOCUMENTS[qualifier]
        elif seg.tag == "ERC":
            in_error = True
            advice.errors.append(_code_text(seg))
        elif seg.tag == "FTX" and (text := _free_text(seg)):
            if in_error and advice.errors:
                advice.errors[-1] += f": {text}"
            else:
                header.append(text)   # the message's own text ('invoice refused: wrong VAT rate'), no error code
    advice.verdict = _aperak_verdict(function, response, bool(advice.errors))
    advice.errors[:0] = header
    return advice


def _aperak_verdict(function: str, response: str, errors: bool) -> Verdict:
    if function in _REJECTING or response == "RE":
        return "rejected"             # a "not accepted" wins over any other code beside it: a person looks
    if function in _ACCEPTED_CHANGED or response == "CA":
        return "accepted_with_errors"
    if function in _ACCEPTING or response == "AP":
        return "accepted_with_errors" if errors else "accepted"
    return "rejected" if errors else "accepted"


def _code_text(seg: Segment) -> str:
    """ERC+186::92 -> 'error 186'; the agency (91 supplier, 92 buyer) is not needed to tell the person."""
    return f"error {seg.component(1, 1) or '?'}"


def _free_text(seg: Segment) -> str:
    """FTX's text (C108, element 4), its lines joined."""
    text = ""
    for part in seg.get(4).split(seg.component_sep) if seg.component_sep else [seg.get(4)]:
        # a colon typed in the text and not released ('rejected: bad GTIN') splits it too: kept where a blank follows
        text += (":" if part.startswith(" ") else " ") + part if text else part
    return " ".join(text.split())


def read_824(tx: Transaction) -> list[Advice]:
    """Each OTI with its TED errors and NTE notes. OTI01 ends in R (TR, GR, IR, BR) for a rejection, in E, C or P
    (TE, TC, TP) for an acceptance with errors, changes or in part, in A for an acceptance, in H (005010's TH, GH)
    for a set held by the partner's application, neither accepted nor rejected yet."""
    bgn = next((s for s in tx.segments if s.tag == "BGN"), None)
    number = bgn.get(2) if bgn is not None else tx.control_number
    found: list[Advice] = []
    current: Advice | None = None
    for seg in tx.segments:
        if seg.tag == "OTI":
            code, qualifier, reference = seg.get(1), seg.get(2), seg.get(3)
            verdict: Verdict = "rejected" if code.endswith("R") else "on_hold" if code.endswith("H") else \
                "accepted_with_errors" if code[-1:] in ("E", "C", "P") else "accepted"
            current = Advice("824", number, verdict, group_control=seg.get(8) or None, set_control=seg.get(9) or None,
                             part=f"{tx.control_number}.{len(found) + 1}")
            set_id = seg.get(10)
            if qualifier and reference:
                current.named.append(f"{qualifier} {reference}")
                types = _OTI_DOCUMENTS.get(qualifier) or ((set_id,) if set_id in BUSINESS_TYPES else ())
                if types:
                    current.reference, current.document_types = (qualifier, reference), types
            if current.group_control:
                current.named.append(f"group {current.group_control}"
                                     + (f" set {current.set_control}" if current.set_control else ""))
            found.append(current)
        elif seg.tag == "TED" and current is not None:
            text = f"error {seg.get(1) or '?'}" + (f": {seg.get(2)}" if seg.get(2) else "")
            if seg.get(3):
                text += f" (segment {seg.get(3)}" + (f" at {seg.get(4)}" if seg.get(4) else "") + ")"
            current.errors.append(text)
        elif seg.tag == "NTE" and current is not None and seg.get(2):
            if current.errors:
                current.errors[-1] += f"; {seg.get(2)}"
            else:
                current.errors.append(seg.get(2))
    return found


# --------------------------------------------------------------------------- applying them

def apply(advice: Advice, partner: PartnerConfig, journal: Journal, message_id: str,
          read: Callable[[Message], bytes] | None = None) -> str | None:
    """Apply `advice` (read from inbound message `message_id`) to the document we sent; None when it matched one,
    else what it names, for the inbound message's reason. `read`: an outbound message's archived bytes."""
    target = match(advice, partner, journal, read)
    where = f"{advice.describe()} in {message_id}"
    texts = "; ".join(advice.errors)
    if target is None:
        log.warning("%s matches nothing we sent (%s)", where, ", ".join(advice.named) or "no reference")
        return f"{advice.describe()} ({advice.verdict}) for {', '.join(advice.named) or 'no reference it gives'}"
    sent = journal.get(target.id)
    before = sent.meta.get("application_ack") or {}
    same_file = before.get("message") == message_id
    if same_file and advice.part in (before.get("parts") or []):
        return None                   # applied before (this file's step run again after a crash)
    # an 824 often gives one document several OTIs (one per error, or the set's TA and an item's IR): each counts
    applied = {"message": message_id, "parts": [*(before.get("parts") or []), advice.part] if same_file
               else [advice.part],
               "verdict": "rejected" if same_file and before.get("verdict") == "rejected" else advice.verdict}
    if advice.verdict == "on_hold":   # no verdict yet: an event, and what we wait for (its 997) is still awaited
        journal.remark(sent.id, f"on hold in {partner.id}'s application ({where})" + (f": {texts}" if texts else ""),
                       meta={"application_ack": {**applied, "errors": advice.errors or None}})
        return None
    if sent.state in NOT_YET_SENT:    # its application has it though our delivery was not confirmed: not sent again
        to = State.REJECTED if advice.verdict == "rejected" else State.DONE
        said = "rejected" if advice.verdict == "rejected" else "accepted"
        ack_before_sent(journal, sent.id, advice.standard, to,
                        f"{said} by {partner.id}'s application ({where})" + (f": {texts}" if texts else ""),
                        {"application_ack": applied})
        return None
    if advice.verdict == "rejected":
        reason = f"rejected by {partner.id}'s application ({where})" + (f": {texts}" if texts else "")
        if State.REJECTED in ALLOWED[sent.state]:
            journal.transition(sent.id, State.REJECTED, reason, error=reason, meta={"application_ack": applied})
        else:                         # rejected before (its CONTRL / 997, an earlier APERAK): the texts are kept,
            # and an earlier OTI of this same 824 rejected it: its further errors join the reason a person reads
            more = f"{sent.last_error}; {texts}" if same_file and texts and before.get("verdict") == "rejected" \
                and sent.last_error else None
            journal.note(sent.id, error=more, meta={"application_ack": {**applied, "errors": advice.errors}})
        return None
    said = "accepted" if advice.verdict == "accepted" else "accepted with errors"
    reason = f"{said} by {partner.id}'s application ({where})" + (f": {texts}" if texts else "")
    ack = {"application_ack": {**applied, "errors": advice.errors or None}}
    if sent.state is State.SENT:      # its application has it, so its translator did
        journal.transition(sent.id, State.DONE, reason, meta=ack)
    elif sent.state is State.DONE:    # an event beside its CONTRL's / 997's
        journal.remark(sent.id, reason, meta=ack)
    else:
        journal.note(sent.id, meta=ack)
    return None


def match(advice: Advice, partner: PartnerConfig, journal: Journal,
          read: Callable[[Message], bytes] | None = None) -> Message | None:
    """The outbound message `advice` acknowledges: by our envelope's numbers where it quotes them (RFF+ACW our
    UNH reference, else our UNB reference; OTI08/OTI09 our GS06/ST02), else by the document's own number among our
    documents of its type for this partner (the newest, a corrected resend being the one it answers); failing that,
    with `read`, by the number in the files of the latest ones that kept none (sent before this release)."""
    ours = tuple(d.type for d in partner.documents if d.direction == "out") or BUSINESS_TYPES
    if advice.message_reference:
        for found in (journal.sent_documents(partner.id, transaction=advice.message_reference, doc_types=ours),
                      journal.sent_documents(partner.id, control_number=advice.message_reference, doc_types=ours)):
            if found := [m for m in found if _agrees(m, advice)]:
                return found[0]
    if advice.group_control:
        found = journal.sent_documents(partner.id, group_number=advice.group_control,
                                       transaction=advice.set_control, doc_types=ours)
        if found := [m for m in found if _agrees(m, advice)]:
            return found[0]
    if advice.reference is not None:
        found = journal.sent_documents(partner.id, number=advice.reference[1], doc_types=advice.document_types)
        if found:
            return found[0]
        if read is not None:
            for older in journal.sent_documents(partner.id, doc_types=advice.document_types, unnumbered=True,
                                                limit=UNNUMBERED_LOOKED_AT):
                if advice.reference[1] in _numbers_in(older, read):
                    return older
    return None


def _agrees(message: Message, advice: Advice) -> bool:
    """Whether an envelope number's match is the document the advice also names: of its type, and for an invoice
    named by its number, of that number. A partner's RFF+ACW may carry a reference of its own (its order number, its
    own count) that equals one of our UNH references, which count up from 1 for each partner: without this its
    refusal of invoice 2744 rejected whichever despatch advice had that UNH reference."""
    if advice.reference is None:
        return True
    qualifier, number = advice.reference
    kept = message.meta.get("number")
    return message.doc_type in advice.document_types and (
        qualifier not in _INVOICE_NUMBERED or kept is None or _plain(str(kept)) == _plain(number))


def _plain(number: str) -> str:
    """'INV/2026/00042' as a retailer's system that keeps letters and digits only may quote it: INV202600042."""
    return "".join(c for c in number if c.isalnum()).upper()


def _numbers_in(message: Message, read: Callable[[Message], bytes]) -> set[str]:
    """The document numbers in one of our archived files: BGM 1004 (EDIFACT), BIG02 / BSN02 (X12)."""
    from gateway.formats import parse
    try:
        result = parse(read(message))
    except (OSError, GatewayError):
        return set()                  # purged from the archive, or not EDI: not this one
    found = set()
    for tx in result.transactions:
        for seg in tx.segments:
            if seg.tag == "BGM":
                found.add(seg.component(2, 1))
            elif seg.tag in ("BIG", "BSN"):
                found.add(seg.get(2))
    return found - {""}
