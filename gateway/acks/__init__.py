"""Acknowledgements: building 997 / 999 / TA1 (acks.x12) and CONTRL (acks.contrl) from a ParseResult,
and reading the ones partners send us into `FunctionalAck` documents for the journal to match.

Contract (each syntax module implements both):
    build(result: ParseResult, partner: PartnerConfig, our_ids: OurIds, journal: Journal) -> list[RenderedDocument]
    read(tx: Transaction) -> FunctionalAck
"""

from __future__ import annotations

from gateway.config.models import OurIds, PartnerConfig
from gateway.formats.base import ParseResult, Syntax, Transaction
from gateway.journal.api import Journal
from gateway.outbound.rendered import RenderedDocument
from gateway.translate.canonical import FunctionalAck

ACK_TYPES = frozenset({"997", "999", "TA1", "CONTRL"})


def build(result: ParseResult, partner: PartnerConfig, our_ids: OurIds, journal: Journal) -> list[RenderedDocument]:
    """The acknowledgements this partner's profile asks for, for everything in `result`."""
    if result.syntax is Syntax.X12:
        from gateway.acks import x12
        return x12.build(result, partner, our_ids, journal)
    if result.syntax is Syntax.EDIFACT:
        from gateway.acks import contrl
        return contrl.build(result, partner, our_ids, journal)
    return []


def is_ack(tx: Transaction) -> bool:
    return tx.doc_type in ACK_TYPES


def read(tx: Transaction) -> FunctionalAck:
    """A partner's acknowledgement as a canonical FunctionalAck."""
    if tx.syntax is Syntax.X12:
        from gateway.acks import x12
        return x12.read(tx)
    from gateway.acks import contrl
    return contrl.read(tx)
