"""One exception tree for the whole gateway.

Whether an error is *transient* (retry with backoff) or *permanent* (quarantine,
a human must act) is decided here, by class, and nowhere else::

    GatewayError
    ├── ConfigError(path, line, column)        bad gateway.yaml / partner / translation file
    ├── JournalError                            the journal or archive cannot be written
    ├── TransportError                          a transport failed (listening, auth, I/O)
    ├── FormatError(location)                   bytes are not a readable X12/EDIFACT/CSV/XML document
    ├── PartnerUnknown                          no partner profile matches the envelope / channel
    ├── TranslationError(location, profile)     a profile cannot map a document
    ├── OdooError
    │   ├── OdooUnavailable      (transient)   network, 5xx, lock/serialization conflicts, timeouts
    │   └── OdooRejected         (permanent)   access, validation, missing record, unknown product
    └── DeliveryError
        ├── DeliveryRetry        (transient)   partner endpoint down, timeout, busy (with its Retry-After)
        └── DeliveryRejected     (permanent)   partner refused the message (bad cert, 4xx, unverifiable MDN)
"""

from __future__ import annotations

import errno

DISK_FULL = frozenset({errno.ENOSPC, errno.EDQUOT})
"""An OSError's errno when the disk or the quota has no room: transient, and our own fault, not a partner's."""


def printable(text: str) -> str:
    """`text` as UTF-8 can carry it: the bytes a partner's file held that are not UTF-8 (kept by the readers as
    lone surrogates) written as \\xNN, so that a reason quoting them can be logged, journaled and shown."""
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return text


class GatewayError(Exception):
    """Base of every error the gateway raises on purpose."""

    transient: bool = False


class ConfigError(GatewayError):
    """A configuration file is invalid; carries where, so `lint` can point at it."""

    def __init__(self, message: str, path: str | None = None, line: int | None = None,
                 column: int | None = None, hint: str | None = None) -> None:
        self.message = message
        self.path = path
        self.line = line
        self.column = column
        self.hint = hint
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = ""
        if self.path:
            where = self.path
            if self.line is not None:
                where += f":{self.line}"
                if self.column is not None:
                    where += f":{self.column}"
            where += ": "
        text = f"{where}{self.message}"
        if self.hint:
            text += f" ({self.hint})"
        return text


class ConfigWarning(ConfigError):
    """A configuration that works but does something its author likely did not mean (a number kept twice): `lint`
    and the daemon's log report it at its line; unlike an error it does not stop `run` or a reload, so a working
    gateway is not refused after an upgrade whose lint learned to see it."""


class JournalError(GatewayError):
    """The journal or the archive could not durably record something."""


class StorageFull(JournalError):
    """The disk (or quota) of the archive or journal is full. Transient: nothing new is taken (senders are
    not acknowledged, inbox files stay), and what is in flight waits where it is until space is freed."""

    transient = True


class TransportError(GatewayError):
    """A transport could not receive or send."""


class FormatError(GatewayError):
    """The bytes are not a document the gateway can read; `location` says where it broke."""

    def __init__(self, message: str, location: str | None = None) -> None:
        self.message = message
        self.location = location
        super().__init__(f"{location}: {message}" if location else message)


class UnrecognisedFile(FormatError):
    """No syntax was recognised: a file that is not EDI at all, or CSV from a partner whose `csv:` settings are
    missing. Which of the two only a person can tell, so the cause may be ours (settings, then a replay)."""


class PartnerUnknown(GatewayError):
    """No partner profile matches the envelope ids or the channel the file came from."""


class TranslationError(GatewayError):
    """A translation profile could not map a document (names the profile and the source location)."""

    def __init__(self, message: str, location: str | None = None, profile: str | None = None) -> None:
        self.message = message
        self.location = location
        self.profile = profile
        parts = [p for p in (profile, location) if p]
        super().__init__(f"{' '.join(parts)}: {message}" if parts else message)


class OdooError(GatewayError):
    """Base of errors talking to Odoo."""


class OdooUnavailable(OdooError):
    """Odoo could not be reached or asked us to retry: transient. `in_doubt`: a call that changes records was sent
    and its answer lost (a timeout, a dropped connection, the stop cutting it): Odoo may still be running it."""

    transient = True
    in_doubt = False


class OdooStopped(OdooUnavailable):
    """A wait for Odoo (a retry's backoff) that the daemon's stop ended, with no further attempt: the step is left
    as it stood, to be resumed at the next start, rather than holding the stop for the rest of its retries."""


class OdooCredentialsRefused(OdooUnavailable):
    """Odoo refused the gateway's password or API key after it had worked (changed, expired: Odoo 19's keys
    last three months at most, revoked). Transient: documents wait, as in an outage, instead of each being
    quarantined; whoever holds a client makes it anew for the next attempt."""

    detail = ""                 # Odoo's own exception name and message


class OdooRejected(OdooError):
    """Odoo refused the data (access, validation, missing record): permanent, carries Odoo's message."""

    def __init__(self, message: str, odoo_error: str | None = None) -> None:
        self.odoo_error = odoo_error
        super().__init__(f"{odoo_error}: {message}" if odoo_error else message)


class OrderNotInOdoo(OdooRejected):
    """A change or cancellation whose purchase order has no sale order (yet): its original may still be on the
    way, a file behind or a worker behind, so the message waits `wait_minutes` for it before it is quarantined."""

    def __init__(self, message: str, wait_minutes: float) -> None:
        super().__init__(message)
        self.wait_minutes = wait_minutes


class DeliveryError(GatewayError):
    """Base of outbound delivery failures."""


class DeliveryRetry(DeliveryError):
    """The partner's endpoint is down or timed out: retry with backoff."""

    transient = True

    def __init__(self, message: str, retry_after: float | None = None, *, disk_full: bool = False) -> None:
        super().__init__(message)
        self.retry_after = retry_after    # seconds the partner asked us to wait (HTTP Retry-After), if it did
        self.disk_full = disk_full        # our own disk (quota) had no room for it: not the partner's fault

    @classmethod
    def from_os_error(cls, message: str, exc: OSError) -> DeliveryRetry:
        """A failed write of ours: a full disk or quota (ENOSPC, EDQUOT) is `disk_full`, so the outbox waits for
        room without counting it as a try (`max_attempts` would otherwise end the message dead meanwhile)."""
        return cls(message, disk_full=exc.errno in DISK_FULL)


class DeliveryRejected(DeliveryError):
    """The partner refused the message: dead-letter, a human must look."""
