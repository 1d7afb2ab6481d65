"""The X.509 certificates the gateway relies on, and how long each has left.

An AS2 certificate that expires unnoticed stops a trading relationship on a given day: partners
refuse our signatures (or we theirs), or encryption to the partner fails. So every certificate in
use is exported as a metric (seconds left, negative once expired), and `lint` and the status page
say which ones expire within `WARN_DAYS`. For a partner, only its latest certificate counts: during
a rollover the old one is listed beside the new one and may expire without harm. For us, the
current certificate and the TLS one count; `previous_keys` are old by design and only exported.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path

from gateway.config.models import As2Channel, GatewayConfig, PartnerConfig
from gateway.errors import ConfigError
from gateway.transports.keys import load_certificates

WARN_DAYS = 30
REMIND_EVERY = timedelta(days=1)     # how often the daemon's log repeats a warning that still holds

USES = {
    "as2": "our AS2 certificate",
    "as2_previous": "our previous AS2 certificate",
    "as2_tls": "our AS2 HTTPS certificate",
    "partner_as2": "AS2 certificate",
    "as2_tls_client": "our AS2 HTTPS client certificate",      # a partner's tls_client_certificate: ours, for it
}


@dataclass(frozen=True, slots=True)
class CertificateInUse:
    use: str                 # a key of USES
    partner: str             # "" for our own
    path: Path
    subject: str
    serial: str              # hexadecimal, as certificate viewers show it
    not_after: datetime      # UTC

    def describe(self) -> str:
        owner = f"partner {self.partner}'s " if self.partner and self.use == "partner_as2" else ""
        whose = f" for partner {self.partner}" if self.partner and not owner else ""
        return f"{owner}{USES[self.use]}{whose} {self.path} ({self.subject}, serial {self.serial})"


def certificates_in_use(gateway: GatewayConfig, partners: Mapping[str, PartnerConfig]) -> list[CertificateInUse]:
    """Every certificate configured, ours first; a file that does not load is skipped (lint reports it)."""
    found: list[CertificateInUse] = []
    seen: set[tuple[str, str, str]] = set()

    def add(use: str, partner: str, path: Path | None) -> None:
        if path is None:
            return
        try:
            stat = path.stat()
            certs = _facts(path, stat.st_mtime_ns, stat.st_size)
        except (ConfigError, OSError):
            return
        for subject, serial, not_after in certs[:1] if partner == "" or use == "as2_tls_client" else certs:
            if (use, partner, serial) in seen:
                continue
            seen.add((use, partner, serial))
            found.append(CertificateInUse(use, partner, path, subject, serial, not_after))

    as2 = gateway.as2_server
    add("as2", "", as2.certificate)
    for pair in as2.identities.values():               # an AS2 id's own pair: in use like the one above
        add("as2", "", pair.certificate)
    for pair in as2.previous_keys:
        add("as2_previous", "", pair.certificate)
    add("as2_tls", "", as2.tls_certificate)
    for pid, partner in sorted(partners.items()):
        for channel in [*partner.inbound, partner.outbound]:
            if isinstance(channel, As2Channel):
                for path in channel.certificates:
                    add("partner_as2", pid, path)
        if isinstance(partner.outbound, As2Channel):
            add("as2_tls_client", pid, partner.outbound.tls_client_certificate)
    return found


@lru_cache(maxsize=1024)
def _facts(path: Path, mtime_ns: int, size: int) -> tuple[tuple[str, str, datetime], ...]:
    """(subject, serial, not after) of each certificate in a file, parsed again only when the file changes:
    every /metrics scrape and status page asks (mtime and size are part of the key)."""
    return tuple((c.subject.rfc4514_string(), format(c.serial_number, "X"), c.not_valid_after_utc)
                 for c in load_certificates(path))


def expiry_warnings(certs: list[CertificateInUse], now: datetime, days: int = WARN_DAYS) -> list[str]:
    """Sentences for the certificates that have expired or expire within `days`: ours in use, and each
    partner's latest (an older one beside it is a rollover's leftover)."""
    latest: dict[str, CertificateInUse] = {}
    for c in certs:
        if c.use == "partner_as2" and (c.partner not in latest or c.not_after > latest[c.partner].not_after):
            latest[c.partner] = c
    watched = [c for c in certs if c.use in ("as2", "as2_tls", "as2_tls_client")] + list(latest.values())
    out = []
    for c in watched:
        left = c.not_after - now
        when = c.not_after.date().isoformat()
        client = (f"{c.partner}'s endpoint refuses our TLS connections with it: renew it (tls_client_certificate, "
                  f"tls_client_key) and give {c.partner} the new one if it pins it") if c.use == "as2_tls_client" else ""
        if left.total_seconds() <= 0:
            action = client or ("partners refuse what it signs and cannot encrypt to it: install the new one and send "
                                "it to every AS2 partner" if not c.partner else
                                f"ask {c.partner} for its new certificate and add it to the partner's certificates")
            out.append(f"{c.describe()} expired on {when}: {action}")
        elif left.days < days:
            action = client or ("send partners the next one now and keep this key in previous_keys while they switch"
                                if not c.partner else f"ask {c.partner} for its next certificate")
            out.append(f"{c.describe()} expires on {when}, in {left.days} day{'s' if left.days != 1 else ''}: "
                       f"{action}")
    return out


@dataclass
class Reminders:
    """Which warnings (or keys naming them) the running daemon logs now: each when it first appears, then once a
    day while it holds (a daemon runs for months; a warning logged only at start is read by nobody)."""

    last: dict[str, datetime] = field(default_factory=dict)

    def due(self, warnings: list[str], now: datetime) -> list[str]:
        never = datetime.min.replace(tzinfo=UTC)
        due = [w for w in warnings if now - self.last.get(w, never) >= REMIND_EVERY]
        self.last = {w: now if w in due else self.last[w] for w in warnings}     # a resolved one is forgotten
        return due
