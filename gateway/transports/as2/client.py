"""The AS2 sender: build once per journal message (retries reuse Message-ID and bytes), POST, check the MDN.

The built body and its headers are kept in `state/as2-out/<message id>/` until the message
is settled, so a retry after a timeout or a crash sends the very same Message-ID and
payload, and the partner's duplicate detection can work. After a certificate rotation (ours or
the partner's) it is built again with the same Message-ID and content. A resend after the partner settled the
message (its MDN said processed or refused it) is a new transmission with a Message-ID of its own
(`transmission_id`): under the old one a partner that keeps every Message-ID it has seen would answer
duplicate-document and process nothing.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import shutil
import ssl
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from aiohttp import (
    ClientConnectorError,
    ClientError,
    ClientHttpProxyError,
    ClientSession,
    ClientTimeout,
    ConnectionTimeoutError,
)
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import Encoding

from gateway.config.models import As2Channel, GatewayConfig, PartnerConfig
from gateway.errors import ConfigError, DeliveryRejected, DeliveryRetry
from gateway.journal.api import Journal, Message, State
from gateway.logs import redact_url
from gateway.outbound.channels import (
    NOT_YET_SENT,
    Awaiting,
    DeliveryResult,
    ack_before_sent,
    confirm_delivery,
)
from gateway.outbound.retry_after import parse_retry_after
from gateway.transports.as2 import cms, mdn, mime
from gateway.transports.as2.egress import proxy_for, tls_context
from gateway.transports.as2.ledger import Ledger, SentRecord
from gateway.transports.as2.pack import pack
from gateway.transports.as2.server import SERVER_HEADER, id_identities, inbound_as2, our_as2_id, our_identity
from gateway.transports.keys import load_certificates, write_public

log = logging.getLogger("gateway.transports.as2")

CONTENT_TYPES = {"x12": "application/edi-x12", "edifact": "application/edifact", "xml": "application/xml",
                 "csv": "text/csv"}


def outbound_as2(partner: PartnerConfig) -> As2Channel | None:
    if isinstance(partner.outbound, As2Channel):
        return partner.outbound
    return None


@dataclass(slots=True)
class Built:
    headers: dict[str, str]
    body: Path
    offset: int
    mic: str
    mic_alg: str
    certs: list[x509.Certificate]          # the partner's, as read for this try: they verify its MDN
    signed: bool = True                    # signed by us (else a partner may leave the MIC out of its MDN)
    mics: dict[str, list[str]] = field(default_factory=dict)   # unsigned: the MICs it may be answered with


# The connection cut or timed out before any answer: the partner may or may not have the message. Sent again as
# built (same Message-ID and MIC: its duplicate check, RFC 4130 5.2) with the outbox's backoff; once the attempts
# run out the message is dead with this, for a person to ask the partner before a resend
MAY_HAVE_IT = ("the partner may have the message: sent again with the same Message-ID (its duplicate check "
               "applies); if it stays dead, ask the partner whether it has it before `edi-gateway resend`")
# A 2xx whose sync MDN is missing or unreadable (an empty or HTML body, a signature by a key we do not hold): the
# partner's side took the whole request and answers the same way each time, so a resend gets the same answer and a
# partner whose product has no Message-ID check (OpenAS2) processes each copy. Sent, its MDN overdue at once (the
# status page, edi_gateway_overdue_acks), as an async MDN that never came: never resent by itself
UNCONFIRMED = ("not sent again by itself (the same answer would come back, and a partner without a Message-ID "
               "check would process each copy): ask the partner whether it has it; `edi-gateway resend` sends the "
               "same Message-ID again")
BUILT_FOR = "certificates.pem"             # beside a built message: the partner certificates it was built with


class As2Sender:
    def __init__(self, config: GatewayConfig, journal: Journal | None, ledger: Ledger, work_dir: Path) -> None:
        self.config = config
        self.journal = journal
        self.ledger = ledger
        self.work_dir = work_dir
        self.our_id = our_as2_id(config)
        self.identity = our_identity(config.as2_server)
        self.by_id = id_identities(config.as2_server)

    # ---------------------------------------------------------------- build (once)
    def build(self, message: Message, data: bytes, partner: PartnerConfig, ch: As2Channel) -> Built:
        """The message as sent: built at its first try and kept, unless the certificates it was signed or
        encrypted with are no longer the ones in use (a rotation of ours or the partner's since): then built
        again, the same Message-ID and content (so the same MIC), signed and encrypted as now."""
        folder = self.work_dir / message.id
        meta_file = folder / "headers.json"
        certs = _partner_certificates(ch, partner.id, folder, message.id)
        inbound = inbound_as2(partner)                # the id this partner knows us by, set on either channel
        local = ch.our_as2_id or (inbound.our_as2_id if inbound else None) or self.our_id
        identity = self.by_id.get(local, self.identity)         # that id's own pair, else our one current pair
        keys = {"signed_by": _fingerprint(identity.cert) if ch.sign and identity else None,
                "encrypted_for": _fingerprint(_current(certs)) if ch.encrypt and certs else None}
        domain = re.sub(r"[^A-Za-z0-9.-]", "", local) or "edi-gateway"
        message_id = f"<{transmission_id(message)}@{domain}>"
        if meta_file.is_file():
            saved = json.loads(meta_file.read_text())
            same_id = saved["headers"].get("Message-ID") == message_id
            if same_id and all(saved.get(name, now) == now for name, now in keys.items()):    # (kept)
                return Built(saved["headers"], Path(saved["body"]), saved["offset"], saved["mic"], saved["mic_alg"],
                             certs, saved.get("signed_by") is not None, saved.get("mics") or {})
            if same_id:
                log.info("AS2 message %s built again, with the same Message-ID: %s", message.id, " and ".join(
                    f"{name.replace('_', ' ')} another certificate" for name, now in keys.items()
                    if saved.get(name, now) != now))
            else:
                log.info("AS2 message %s built anew for a new transmission: Message-ID %s", message.id, message_id)
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        if (ch.sign or ch.mdn_signed) and identity is None:
            raise DeliveryRejected("AS2 signing needs as2_server.certificate and private_key")
        if ch.encrypt and not certs:
            raise DeliveryRejected(f"partner {partner.id} has no AS2 certificate to encrypt for")
        payload = folder / "payload"
        payload.write_bytes(data)
        packed = pack(payload, folder / "layers", filename=Path(message.filename).name or message.id,
                      content_type=CONTENT_TYPES.get((message.syntax or "").lower(), "application/edi-x12"),
                      signer=identity if ch.sign else None, digest=ch.digest,
                      recipients=[_current(certs)] if ch.encrypt else None, encryption=ch.encryption,
                      key_transport=ch.key_encryption, compress=ch.compress)
        body = folder / "body"
        os.replace(packed.body, body)
        write_public(folder / BUILT_FOR, b"".join(c.public_bytes(Encoding.PEM) for c in certs))
        shutil.rmtree(folder / "layers", ignore_errors=True)
        payload.unlink()
        headers = {
            "AS2-Version": "1.2", "AS2-From": mdn.quote_id(local), "AS2-To": mdn.quote_id(ch.as2_id),
            "Message-ID": message_id, "MIME-Version": "1.0",
            "Subject": f"{message.doc_type or 'EDI'} {message.control_number or message.filename}",
            "Content-Type": packed.content_type,
            **({"Content-Disposition": packed.disposition} if packed.disposition else {}),
        }
        if ch.mdn != "none":
            headers["Disposition-Notification-To"] = local
            if ch.mdn_signed:
                headers["Disposition-Notification-Options"] = (
                    "signed-receipt-protocol=optional, pkcs7-signature; "
                    f"signed-receipt-micalg=optional, {cms.micalg_name(ch.digest)}")
            if ch.mdn == "async":
                url = self.config.as2_server.public_url
                if not url:
                    raise DeliveryRejected("async MDN requested but as2_server.public_url is not set")
                headers["Receipt-Delivery-Option"] = url.rstrip("/") + "/mdn"
        built = Built(headers, body, packed.body_offset, packed.mic, packed.mic_alg, certs,
                      keys["signed_by"] is not None, packed.mics)
        # the MIC in the ledger before headers.json keeps the build: a kill (or a closed ledger) between them left a
        # kept build whose MDN no later attempt could match
        self.ledger.record_sent(SentRecord(headers["Message-ID"], message.id, partner.id, packed.mic,
                                           packed.mic_alg, packed.mics))
        tmp = folder / "headers.json.tmp"
        tmp.write_text(json.dumps({"headers": headers, "body": str(body), "offset": packed.body_offset,
                                   "mic": packed.mic, "mic_alg": packed.mic_alg, "mics": packed.mics, **keys}))
        os.replace(tmp, meta_file)
        return built

    def forget(self, message_id: str) -> None:
        shutil.rmtree(self.work_dir / message_id, ignore_errors=True)

    # ---------------------------------------------------------------- send
    async def send(self, message: Message, data: bytes, partner: PartnerConfig) -> DeliveryResult:
        ch = outbound_as2(partner)
        if ch is None or not ch.url:
            raise DeliveryRejected(f"partner {partner.id} has no outbound AS2 url")
        built = await asyncio.to_thread(self.build, message, data, partner, ch)
        size = built.body.stat().st_size - built.offset
        headers = {**built.headers, "Content-Length": str(size), "User-Agent": SERVER_HEADER}
        ssl_ctx: ssl.SSLContext | bool = True
        if ch.url.lower().startswith("https:"):
            ssl_ctx = await asyncio.to_thread(tls_context, ch, partner.id)
        proxy, proxy_auth = proxy_for(ch)
        try:
            async with (ClientSession(timeout=ClientTimeout(total=ch.timeout)) as session,
                        # a redirect is not followed: aiohttp turns a POST answered 301/302 into a GET, whose
                        # page (an AS2 product's 'server is running') read as a 2xx without an MDN
                        session.post(ch.url, data=_stream(built.body, built.offset), headers=headers,
                                     ssl=ssl_ctx, proxy=proxy, proxy_auth=proxy_auth, allow_redirects=False) as resp):
                status = resp.status
                moved = resp.headers.get("Location", "") if 300 <= status < 400 else ""
                reply = await mdn.receive(resp.content)
                reply_type = resp.headers.get("Content-Type", "")
                asked = parse_retry_after(resp.headers.get("Retry-After"), datetime.now(UTC)) \
                    if status in (429, 503) else None
        except (TimeoutError, ClientError, OSError) as exc:
            # cut or timed out, perhaps after the whole body went out: the partner may have it (MAY_HAVE_IT); not
            # when no connection to the partner was made (refused, DNS, TLS handshake, the proxy's refusal)
            unsent = isinstance(exc, (ClientConnectorError, ConnectionTimeoutError, ClientHttpProxyError))
            raise DeliveryRetry(f"AS2 POST to {redact_url(ch.url)} failed: {exc or type(exc).__name__}"
                                + ("" if unsent else f"; {MAY_HAVE_IT}")) from exc
        message_id = built.headers["Message-ID"]
        if status >= 500 or status in (408, 429):
            raise DeliveryRetry(f"AS2 endpoint {redact_url(ch.url)} answered HTTP {status}"
                                + ("" if asked is None else f", Retry-After {asked:.0f}s"), retry_after=asked)
        if moved:
            raise DeliveryRejected(f"AS2 endpoint {redact_url(ch.url)} answered {message_id} with HTTP {status}, "
                                   f"moved to {redact_url(moved)[:200]}: not sent there; if the partner confirms the "
                                   "address, put it in its url and resend")
        if status >= 300:
            raise DeliveryRejected(f"AS2 endpoint {redact_url(ch.url)} refused {message_id}: HTTP {status} "
                                   f"{reply[:200].decode('utf-8', 'replace').strip()}")
        meta = {"as2_message_id": message_id, "mic": built.mic, "mic_alg": built.mic_alg}
        asked_for = _mdn_asked(built.headers)
        if asked_for == "none":
            self.forget(message.id)
            return DeliveryResult(detail=f"AS2 {message_id} posted (no MDN requested)", meta=meta)
        if asked_for == "async":
            # overdue (ops pages, metrics, one warning) after mdn_timeout_hours; never resent by itself: the
            # partner may have the message and only its MDN got lost, so a resend is the coordinator's call
            return DeliveryResult(detail=f"AS2 {message_id} posted, awaiting async MDN", ack_pending=True,
                                  meta=meta, awaits=Awaiting("MDN", message_id,
                                                             timedelta(hours=ch.mdn_timeout_hours)))
        if not reply.strip():
            return _unconfirmed(message_id, meta, f"HTTP {status} without the MDN it was asked for")
        try:
            got = await asyncio.to_thread(mdn.read, reply_type, reply, built.certs, require_signed=ch.mdn_signed)
        except (mime.MimeError, cms.CmsError) as exc:
            # the partner took the request (it answered 2xx) but we cannot tell what it says: not its refusal
            return _unconfirmed(message_id, meta, f"HTTP {status} and an MDN that cannot be read or verified: {exc}")
        verdict = check_mdn(got, message_id, built.mic, built.mic_alg, we_signed=built.signed, mics=built.mics)
        self.forget(message.id)
        # a readable MDN that refuses the message (negative disposition, another MIC) is the partner's answer, not
        # a failed delivery: rejected, the same outcome as that MDN sent asynchronously (see receipt())
        return DeliveryResult(detail=f"MDN {got.disposition}", meta={**meta, "mdn": str(got.disposition)},
                              rejected=verdict)

    # ---------------------------------------------------------------- async MDN receipts
    async def receipt(self, partner: PartnerConfig, got: mdn.Mdn) -> str:
        """Settle the outbound message an async MDN answers: SENT -> DONE, or REJECTED."""
        rec = self.ledger.sent(got.original_message_id)
        if rec is None or rec.partner != partner.id:
            log.warning("async MDN from %s for unknown Message-ID %s", partner.id, got.original_message_id)
            return f"unknown Original-Message-ID {got.original_message_id}"
        ch = outbound_as2(partner)
        if (ch is None or ch.mdn_signed) and not got.signed:
            # anyone can POST an unsigned MDN: it proves nothing, so it settles nothing (not even a rejection)
            log.warning("unsigned async MDN for %s ignored: %s asks for signed MDNs", rec.journal_id, partner.id)
            return "MDN is not signed but a signed MDN was requested; ignored"
        verdict = check_mdn(got, rec.message_id, rec.mic, rec.mic_alg, we_signed=ch is None or ch.sign, mics=rec.mics)
        if not got.signed and not _quotes_mic(got, rec.mic, rec.mic_alg, rec.mics):
            # an unsigned MDN may come from anyone who knows a Message-ID; only the partner knows the MIC it
            # computed over what we sent, so without it the MDN settles nothing (a sync one, the answer on our
            # own connection, may leave the MIC out: check_mdn)
            log.warning("unsigned async MDN for %s from %s ignored: %s, and it does not quote our MIC",
                        rec.journal_id, partner.id, got.disposition)
            return "unsigned MDN without the MIC of our message; ignored"
        if self.journal is None:
            return "no journal"
        to, reason = (State.DONE, f"async MDN {got.disposition}") if verdict is None else (State.REJECTED, verdict)
        current = await asyncio.to_thread(self.journal.get, rec.journal_id)
        if mdn.bare_message_id(got.original_message_id).split("@")[0] != transmission_id(current):
            log.warning("async MDN for %s ignored: it answers %s, an earlier transmission", rec.journal_id,
                        got.original_message_id)
            return f"MDN for an earlier transmission of {rec.journal_id} ({got.original_message_id}); ignored"
        meta = {"mdn": str(got.disposition)}
        if current.state in NOT_YET_SENT:
            # before the outbox recorded the delivery: the POST is still out (the partner answers it after its
            # MDN), timed out, or was given up. Kept on the message and applied once the outbox records it; the
            # partner has it, so it is not sent again
            settled = await asyncio.to_thread(ack_before_sent, self.journal, rec.journal_id, "MDN", to, reason, meta)
            if current.state is not State.QUEUED:         # no POST of it is running: its built body is not needed
                self.forget(rec.journal_id)
            return f"{rec.journal_id} {settled.state.value}: MDN kept for when its delivery is recorded"
        if current.state is State.SENT:
            if to is State.REJECTED:
                await asyncio.to_thread(self.journal.transition, rec.journal_id, to, reason, expect=State.SENT,
                                        error=reason, meta=meta)
                done = True
            else:
                # the MDN is in: no longer awaited, whatever else (a 997) still is
                await asyncio.to_thread(self.journal.settle_ack, rec.journal_id, "MDN")
                done = await asyncio.to_thread(confirm_delivery, self.journal, current, reason,
                                               {**meta, "awaits": None})
            self.forget(rec.journal_id)
            if done:
                return f"settled {rec.journal_id}: {to.value}"
            return f"{rec.journal_id} delivered: awaiting its {current.meta['expects_ack']}"
        return f"{rec.journal_id} already {current.state.value}"


def transmission_id(message: Message) -> str:
    """The local part of the AS2 Message-ID of `message`'s current transmission: its journal id, then `.2`, `.3`
    for each resend after the partner had settled it (the outbox counts those as `transmissions`)."""
    count = int(message.meta.get("transmissions") or 0)
    return f"{message.id}.{count + 1}" if count else message.id


def _unconfirmed(message_id: str, meta: dict[str, Any], why: str) -> DeliveryResult:
    """Delivered without a confirmation to read (see UNCONFIRMED): its MDN awaited and overdue at once, its built
    body kept so that a resend is the same AS2 message."""
    return DeliveryResult(detail=f"AS2 {message_id} posted, answered with {why}; {UNCONFIRMED}", ack_pending=True,
                          meta=meta, awaits=Awaiting("MDN", message_id, timedelta(0)))


def _quotes_mic(got: mdn.Mdn, mic: str, mic_alg: str, mics: dict[str, list[str]]) -> bool:
    """The MDN's Received-Content-MIC is one we computed when sending (see `_our_mics`)."""
    return got.mic is not None and got.mic in (_our_mics(got.mic_alg or mic_alg, mic, mic_alg, mics) or ())


def _our_mics(alg: str, mic: str, mic_alg: str, mics: dict[str, list[str]]) -> list[str] | None:
    """The MICs we computed in `alg` over what we sent: ours, or for an unsigned message those its partner may have
    computed (`mics`, pack.unsigned_mics); None when we have none in that algorithm (one we do not know, or a
    message built by a release that computed only ours)."""
    if alg in mics:
        return mics[alg]
    return [mic] if alg == mic_alg else None


def _mdn_asked(headers: dict[str, str]) -> str:
    """The MDN a built message asked for (none, sync, async): its answer is read so even when the partner's
    `mdn:` changed since, as a retry goes out as first built (same Message-ID and headers)."""
    if "Disposition-Notification-To" not in headers:
        return "none"
    return "async" if "Receipt-Delivery-Option" in headers else "sync"


def check_mdn(got: mdn.Mdn, message_id: str, mic: str, mic_alg: str, *, we_signed: bool = True,
              mics: dict[str, list[str]] | None = None) -> str | None:
    """None when the MDN confirms our message (`we_signed`: the message was signed by us; `mics`: the MICs of an
    unsigned one by algorithm, pack.unsigned_mics); else why it does not."""
    if mdn.bare_message_id(got.original_message_id) != mdn.bare_message_id(message_id):
        return f"MDN answers {got.original_message_id!r}, not {message_id}"
    if not got.disposition.ok:
        return f"partner MDN for {message_id}: {got.disposition}" + (f" ({got.text[:200]})" if got.text else "")
    if got.mic is None:
        # RFC 4130 7.4.3: the MIC is required in signed receipts only. OpenAS2 leaves it out of the unsigned
        # MDN asked for without Disposition-Notification-Options, pyas2lib out of its duplicate-document
        # warning (answered before it opens the message), pyas2lib (django-pyas2) out of its signed MDN to a message
        # we did not sign (it computes a MIC only over a signature): the partner's receipt all the same
        if not got.signed or not we_signed or (got.disposition.modifier or "").lower() == "duplicate-document":
            return None
        return f"MDN for {message_id} carries no Received-Content-MIC"
    if got.mic_alg and got.mic_alg != mic_alg and we_signed:
        return f"MDN MIC algorithm {got.mic_alg} differs from the requested {mic_alg}"
    # unsigned by us: Mendelson answers in SHA-1 whatever was asked, over the entity with its headers (RFC 5402 4.3)
    # where OpenAS2 takes the content alone (RFC 4130 7.3.1); each is checked against what we computed in its
    # algorithm over its form (RFC 4130 7.3.1: a MIC that differs means the content may not be what we sent)
    alg = got.mic_alg or mic_alg
    expected = [mic] if we_signed else _our_mics(alg, mic, mic_alg, mics or {})
    if expected is None:
        return None               # an algorithm we did not compute in: no less a receipt than an MDN without MIC
    if got.mic not in expected:
        return (f"MDN MIC mismatch for {message_id}: partner computed {got.mic}, we sent {expected[-1]}"
                + (f" (both {cms.micalg_name(alg)})" if alg != mic_alg else ""))
    return None


def _partner_certificates(ch: As2Channel, partner_id: str, folder: Path, message_id: str) -> list[x509.Certificate]:
    """The partner's certificates from its files; when they cannot be read (a rotation half done, a file being
    saved, permissions), those the message was built with at an earlier try: it goes out as built, its MDN is
    verified with them. Never read before: a retry later, not a dead message."""
    try:
        return [c for path in ch.certificates for c in load_certificates(path)]
    except ConfigError as exc:
        try:
            kept = x509.load_pem_x509_certificates((folder / BUILT_FOR).read_bytes())
        except (OSError, ValueError):
            raise DeliveryRetry(f"partner {partner_id}'s AS2 certificate: {exc}") from exc
        log.warning("AS2 message %s for %s: %s; sent with the certificates it was built with (serial %s)",
                    message_id, partner_id, exc, ", ".join(format(c.serial_number, "X") for c in kept))
        return kept


def _fingerprint(cert: x509.Certificate) -> str:
    """A certificate as a build remembers what it was signed or encrypted with."""
    return cert.fingerprint(hashes.SHA256()).hex()


def _current(certs: list[Any]) -> Any:
    """Of several partner certificates (rollover), encrypt for the newest one valid now."""
    now = datetime.now(UTC)
    valid = [c for c in certs if c.not_valid_before_utc <= now <= c.not_valid_after_utc] or certs
    return max(valid, key=lambda c: c.not_valid_before_utc)


async def _stream(path: Path, offset: int) -> AsyncIterator[bytes]:
    with path.open("rb") as f:
        f.seek(offset)
        while chunk := await asyncio.to_thread(f.read, mime.CHUNK):
            yield chunk
