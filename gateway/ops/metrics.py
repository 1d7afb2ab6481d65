"""/metrics: the Prometheus text exposition format (version 0.0.4), written out directly.

Every figure is computed from the journal at scrape time, so counters survive restarts and
agree with what `messages` and the status page show; the only thing kept in memory is the last
query results, reused while the journal has not changed since (see JournalQueries._memo).
The format is small enough that a dependency would not earn its place: HELP and TYPE lines,
then `name{label="value"} number`, label values escaped (backslash, quote, newline).
"""

from __future__ import annotations

import importlib.metadata
import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from gateway.journal.api import State
from gateway.ops.certificates import CertificateInUse
from gateway.ops.disk import FreeSpace
from gateway.ops.queries import LATENCY_BUCKETS, JournalQueries
from gateway.ops.setaside import SetAside

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
PREFIX = "edi_gateway_"

Labels = tuple[tuple[str, str], ...]


@dataclass(slots=True)
class Family:
    name: str
    type: Literal["counter", "gauge", "histogram"]
    help: str
    samples: list[tuple[str, Labels, float]] = field(default_factory=list)   # (suffix, labels, value)

    def add(self, value: float, suffix: str = "", **labels: str) -> None:
        self.samples.append((suffix, tuple(labels.items()), value))


def _escape_label(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n")


def _escape_help(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n")


def _number(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if float(value).is_integer() and abs(value) < 2 ** 53:
        return str(int(value))
    return repr(float(value))


def _bound(value: float) -> str:
    return "+Inf" if math.isinf(value) else repr(float(value))


def render(families: list[Family]) -> str:
    """The exposition text of `families`, one HELP/TYPE block each."""
    out: list[str] = []
    for fam in families:
        out.append(f"# HELP {fam.name} {_escape_help(fam.help)}")
        out.append(f"# TYPE {fam.name} {fam.type}")
        for suffix, labels, value in fam.samples:
            text = ",".join(f'{k}="{_escape_label(v)}"' for k, v in labels)
            out.append(f"{fam.name}{suffix}{{{text}}} {_number(value)}" if text
                       else f"{fam.name}{suffix} {_number(value)}")
    return "\n".join(out) + "\n"


def _version() -> str:
    """The installed distribution's version (the package metadata, not gateway/__init__: an editable
    install may import `gateway` as a namespace package outside the source tree)."""
    try:
        return importlib.metadata.version("edi-gateway")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def collect(queries: JournalQueries, now: datetime, checks: dict[str, bool] | None = None,
            certificates: list[CertificateInUse] | None = None, spaces: list[FreeSpace] | None = None,
            set_aside: list[SetAside] | None = None) -> list[Family]:
    """Every metric the gateway exports, read from the journal now (and the certificates configured, the free
    space where it writes, and the files set aside in the quarantine while taken in, which no message records)."""
    messages = Family(PREFIX + "messages", "gauge", "Messages in the journal by direction, state, partner and type.")
    for direction, state, partner, doc_type, n in queries.message_counts():
        messages.add(n, direction=direction, state=state, partner=partner, type=doc_type)

    latency = Family(PREFIX + "intake_to_odoo_seconds", "histogram",
                     "Seconds from intake (bytes archived and journaled) to the Odoo records being posted.")
    for (partner, doc_type), hist in queries.intake_to_odoo().items():
        for bound, cumulative in zip(LATENCY_BUCKETS, hist.buckets):
            latency.add(cumulative, "_bucket", partner=partner, type=doc_type, le=_bound(bound))
        latency.add(hist.count, "_bucket", partner=partner, type=doc_type, le="+Inf")
        latency.add(hist.total, "_sum", partner=partner, type=doc_type)
        latency.add(hist.count, "_count", partner=partner, type=doc_type)

    retries = Family(PREFIX + "retries_total", "counter", "Transient failures that put a message into retry_wait.")
    for partner, direction, n in queries.event_totals(State.RETRY_WAIT):
        retries.add(n, partner=partner, direction=direction)

    dead = Family(PREFIX + "dead_letters_total", "counter", "Messages moved to dead after their retries ran out.")
    for partner, direction, n in queries.event_totals(State.DEAD):
        dead.add(n, partner=partner, direction=direction)

    quarantined = Family(PREFIX + "quarantined_total", "counter", "Messages quarantined (a human must act).")
    for partner, direction, n in queries.event_totals(State.QUARANTINED):
        quarantined.add(n, partner=partner, direction=direction)

    depth = Family(PREFIX + "outbox_depth", "gauge", "Outbound messages queued or waiting to retry, per partner.")
    for partner, n in sorted(queries.outbox_depth().items()):
        depth.add(n, partner=partner)

    oldest = Family(PREFIX + "oldest_unacked_outbound_age_seconds", "gauge",
                    "Age of the oldest sent outbound message still awaiting its 997/999/CONTRL, per partner.")
    for partner, age in sorted(queries.oldest_unacked(now).items()):
        oldest.add(age, partner=partner)

    overdue = Family(PREFIX + "overdue_acks", "gauge", "Sent outbound messages whose acknowledgement is past due.")
    for partner, n in sorted(queries.overdue_ack_counts(now).items()):
        overdue.add(n, partner=partner)

    info = Family(PREFIX + "info", "gauge", "Always 1; the labels say which edi-gateway answers.")
    info.add(1, version=_version())
    families = [info, messages, latency, retries, dead, quarantined, depth, oldest, overdue]
    if checks is not None:
        ready = Family(PREFIX + "ready", "gauge", "1 when a readiness check passed at its last run, else 0.")
        for name, ok in sorted(checks.items()):
            ready.add(1 if ok else 0, check=name)
        families.append(ready)
    if certificates:
        expiry = Family(PREFIX + "certificate_expiry_seconds", "gauge",
                        "Seconds until a configured certificate expires (negative once it has); use is as2, "
                        "as2_previous, as2_tls, partner_as2 or as2_tls_client.")
        for c in certificates:
            expiry.add((c.not_after - now).total_seconds(), use=c.use, partner=c.partner, serial=c.serial)
        families.append(expiry)
    if spaces:
        free = Family(PREFIX + "free_bytes", "gauge", "Free bytes on each filesystem the gateway writes to; uses "
                      "lists what it keeps there (state, archive, quarantine, outbox, inbox, sftp).")
        size = Family(PREFIX + "filesystem_size_bytes", "gauge", "Size of each filesystem the gateway writes to.")
        for space in spaces:
            free.add(space.free, path=str(space.path), uses=",".join(space.uses))
            size.add(space.total, path=str(space.path), uses=",".join(space.uses))
        families += [free, size]
    if set_aside is not None:
        kept = Family(PREFIX + "intake_set_aside", "gauge", "Files set aside in the quarantine, unread, because the "
                      "gateway was killed each time it took them in (no message records them); a file leaves the "
                      "count once a person moves or deletes its copy.")
        per_partner: dict[str, int] = {}
        for s in set_aside:
            per_partner[s.partner] = per_partner.get(s.partner, 0) + 1
        for partner, n in sorted(per_partner.items()):
            kept.add(n, partner=partner)
        families.append(kept)
    return families
