"""The AS2 receiver: aiohttp endpoint that streams the body to disk, unpacks it, commits, then answers the MDN.

Order per message (the non-negotiable): refuse early what needs no body (unknown
partner, wrong AS2-To), stream the body to a work folder, verify/decrypt/decompress
from files, `Intake.submit()` the payload, record the Message-ID, and only then
return the MDN (sync) or queue it (async). A refusal stores nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import shutil
import socket
import ssl
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from ipaddress import ip_address
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from aiohttp import (
    ClientConnectorError,
    ClientError,
    ClientSession,
    ClientTimeout,
    StreamReader,
    TCPConnector,
    ThreadedResolver,
    web,
)
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.http_exceptions import HttpProcessingError, InvalidURLError, TransferEncodingError
from aiohttp.typedefs import Handler
from aiohttp.web_urldispatcher import _default_expect_handler
from yarl import URL

from gateway.config.models import As2Channel, As2ServerSettings, GatewayConfig, PartnerConfig
from gateway.errors import DeliveryRetry, JournalError
from gateway.journal.api import State
from gateway.journal.sqlite import SqliteJournal
from gateway.logs import redact_url
from gateway.outbound.retry_after import parse_retry_after, retry_wait
from gateway.pipeline import compute_backoff
from gateway.poison import Isolation, intake_key, set_aside_file
from gateway.transports.as2 import cms, mdn, mime
from gateway.transports.as2.egress import proxy_for, tls_context
from gateway.transports.as2.http_fold import unfolding_handler
from gateway.transports.as2.ledger import Ledger, PendingMdn, owed_note
from gateway.transports.as2.unpack import Policy, Refused, choose_micalg, micalg_spelling, unpack
from gateway.transports.base import Intake, IntakeMeta, Refusals, source_of
from gateway.transports.destinations import DestinationRefused, Destinations
from gateway.transports.keys import load_certificates, load_private_key

log = logging.getLogger("gateway.transports.as2")
http_log = logging.getLogger("gateway.transports.as2.http")     # aiohttp's own messages about our connections

# Connections and bodies that stall must not hold sockets and work folders for ever: the limits are
# settings (as2_server: max_connections, max_in_flight, idle_timeout, body_deadline, body_min_rate,
# mdn_post_timeout)
RETRY_AFTER = 30               # seconds, in the 503 of a request beyond max_in_flight (or beyond min_free_mb)
ROOM_CHECK = 1024 * 1024       # bytes of all bodies together written between two looks at the work folder's free space
SERVER_HEADER = "edi-gateway"  # instead of aiohttp's, which names the Python and aiohttp versions (also our
                               # User-Agent, in the messages and MDNs we post)
PROXIED_LOOKUP = 5.0           # seconds our own lookup of an MDN URL's name may take before a proxy is left to it
LOOK_AGAIN = 2.0               # seconds: the longest the MDN sender waits before it reads the queue again, so an
                               # MDN queued again by `edi-gateway mdn resend` (another process) goes out soon


@dataclass(slots=True)
class As2Partner:
    partner: PartnerConfig
    channel: As2Channel                      # inbound settings (AS2 id, certificates, requirements)
    certs: list[Any]


def inbound_as2(partner: PartnerConfig) -> As2Channel | None:
    for ch in partner.inbound:
        if isinstance(ch, As2Channel):
            return ch
    return partner.outbound if isinstance(partner.outbound, As2Channel) else None


def _identity(certificate: Path, private_key: Path, password_file: Path | None) -> cms.Identity:
    return cms.Identity(load_certificates(certificate)[0], load_private_key(private_key, password_file))


def our_identity(settings: As2ServerSettings) -> cms.Identity | None:
    if not settings.certificate or not settings.private_key:
        return None
    return _identity(settings.certificate, settings.private_key, settings.private_key_password_file)


def id_identities(settings: As2ServerSettings) -> dict[str, cms.Identity]:
    """The key pairs of those of our AS2 ids that have their own (`identities`), by id."""
    return {as2_id: _identity(pair.certificate, pair.private_key, pair.private_key_password_file)
            for as2_id, pair in settings.identities.items()}


def previous_identities(settings: As2ServerSettings) -> list[cms.Identity]:
    """Our earlier key pairs (`previous_keys`): they decrypt, never sign."""
    return [_identity(pair.certificate, pair.private_key, pair.private_key_password_file)
            for pair in settings.previous_keys]


def our_as2_id(config: GatewayConfig) -> str:
    if config.our_ids and config.our_ids.as2_id:
        return config.our_ids.as2_id
    return config.as2_server.as2_id


def partner_table(partners: dict[str, PartnerConfig]) -> dict[str, As2Partner]:
    table: dict[str, As2Partner] = {}
    for p in partners.values():
        ch = inbound_as2(p)
        if ch is None or not p.active:
            continue
        certs = [c for path in ch.certificates for c in load_certificates(path)]
        table[ch.as2_id] = As2Partner(p, ch, certs)
    return table


_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


class As2Server:
    def __init__(self, config: GatewayConfig, partners: dict[str, PartnerConfig], intake: Intake,
                 ledger: Ledger, work_dir: Path, on_mdn: Any = None, journal: SqliteJournal | None = None) -> None:
        self.config = config
        self.settings = config.as2_server
        self.partners = partner_table(partners)
        self.intake = intake
        self.ledger = ledger
        self.work_dir = work_dir
        self.our_id = our_as2_id(config)
        self.identity = our_identity(self.settings)
        self.by_id = id_identities(self.settings)
        self.previous = previous_identities(self.settings)
        self.on_mdn = on_mdn                  # async callable(partner, Mdn, raw headers) for async MDN receipts
        self.journal = journal                # where an async MDN that was not sent is noted on its message
        self.isolation: Isolation | None = None   # notes a message being opened: one that kills us is set aside
        self._runner: web.AppRunner | None = None
        self.site: _CappedSite | None = None
        self._mdn_task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self.port: int | None = None
        self.in_flight = 0
        self.unlooked = 0                     # bytes of bodies written since the work folder's free space was looked at

    @property
    def our_ids(self) -> set[str]:
        """Every AS2 id we answer to: ours, and the ones partners know us by (`our_as2_id`)."""
        return {self.our_id} | {p.channel.our_as2_id for p in self.partners.values() if p.channel.our_as2_id}

    def local_id(self, known: As2Partner) -> str:
        """The AS2 id this partner knows us by."""
        return known.channel.our_as2_id or self.our_id

    def identity_for(self, local: str) -> cms.Identity | None:
        """The key pair of our AS2 id `local`: its own (`identities`), else our one current pair."""
        return self.by_id.get(local, self.identity)

    # ---------------------------------------------------------------- lifecycle
    def app(self) -> web.Application:
        app = web.Application(client_max_size=self.settings.max_body, middlewares=[self._admission()])
        app.on_response_prepare.append(_server_header)
        base = self.settings.path.rstrip("/") or "/as2"
        app.router.add_post(base, self.receive, expect_handler=self._expect)
        app.router.add_post(base + "/mdn", self.receive_mdn)
        return app

    async def start(self) -> None:
        self.work_dir.mkdir(parents=True, exist_ok=True)
        for stale in self.work_dir.iterdir():           # bodies of requests a crash interrupted
            shutil.rmtree(stale, ignore_errors=True)
        self._runner = web.AppRunner(self.app(), access_log=None, keepalive_timeout=self.settings.idle_timeout,
                                      logger=http_log)
        await self._runner.setup()
        ctx = None
        if self.settings.tls_certificate and self.settings.tls_key:
            ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            ctx.load_cert_chain(self.settings.tls_certificate, self.settings.tls_key)
        site = _CappedSite(self._runner, self.settings.host, self.settings.port, ssl_context=ctx,
                           max_connections=self.settings.max_connections,
                           per_address=self.settings.max_connections_per_address,
                           handshake_timeout=self.settings.idle_timeout)
        await site.start()
        self.site = site
        sockets = getattr(site._server, "sockets", None)
        if sockets:
            self.port = int(sockets[0].getsockname()[1])
        self._mdn_task = asyncio.create_task(self._send_async_mdns())
        log.info("AS2 server listening on %s:%s%s (%s)", self.settings.host, self.port, self.settings.path,
                 "https" if ctx else "http")

    def _admission(self) -> Any:
        """Middleware: at most max_in_flight requests at once; beyond, 503 with Retry-After (partners resend)."""
        @web.middleware
        async def admit(request: web.Request, handler: Handler) -> web.StreamResponse:
            if self.in_flight >= self.settings.max_in_flight:
                log.warning("AS2 request from %s refused: %d requests already in progress", request.remote,
                            self.in_flight)
                return web.Response(status=503, text="busy, try again later\r\n",
                                    headers={"Retry-After": str(RETRY_AFTER)})
            self.in_flight += 1
            try:
                return await handler(request)
            finally:
                self.in_flight -= 1
        return admit

    async def close(self) -> None:
        if self._mdn_task:
            self._mdn_task.cancel()
            try:
                await self._mdn_task
            except asyncio.CancelledError:
                pass
        if self._runner:
            await self._runner.cleanup()

    # ---------------------------------------------------------------- inbound messages
    async def receive(self, request: web.Request) -> web.StreamResponse:
        if _is_mdn(request):
            return await self.receive_mdn(request)
        admitted = self._admitted(request)
        if isinstance(admitted, web.Response):
            return admitted
        known, message_id = admitted
        work = self.work_dir / uuid.uuid4().hex
        try:
            work.mkdir(parents=True)
            return await self._receive(request, known, message_id, work)
        except OSError as exc:          # the work folder's disk is full (or gone): not stored, no MDN, resend
            log.error("AS2 message %s from %s not stored: %s", message_id, known.partner.id, exc)
            return _refuse(503, "the gateway could not store the message; send it again later")
        finally:
            shutil.rmtree(work, ignore_errors=True)

    async def _expect(self, request: web.Request) -> web.StreamResponse | None:
        """`Expect: 100-continue`: a message its headers refuse is answered before its body is sent (aiohttp said
        100 Continue to any, and a 50 MB message to a wrong AS2 id was uploaded whole to be refused)."""
        if not _is_mdn(request):
            admitted = self._admitted(request)
            if isinstance(admitted, web.Response):
                return admitted
        await _default_expect_handler(request)
        return None

    def _admitted(self, request: web.Request) -> tuple[As2Partner, str] | web.Response:
        """The partner and Message-ID of a message its headers let in, else the refusal (nothing is read)."""
        h = request.headers
        as2_from = mdn.unquote_id(h.get("AS2-From"))
        as2_to = mdn.unquote_id(h.get("AS2-To"))
        message_id = (h.get("Message-ID") or "").strip()
        if not as2_from or not as2_to or not message_id:
            return _refuse(400, "AS2-From, AS2-To and Message-ID headers are required")
        for name in ("Message-ID", "Receipt-Delivery-Option"):
            if not _is_text(h.get(name, "")):
                # HTTP keeps header bytes that are not UTF-8 as lone surrogates: the MDN quoting the id, the duplicate
                # check and the async MDN queue could not encode them (a 500 and a traceback for anyone who sends one;
                # for the URL, after the message was committed, so the partner resent it and got no MDN)
                return _refuse(400, f"the {name} header is not UTF-8 text")
        known = self.partners.get(as2_from)
        if as2_to not in self.our_ids:
            return _refuse(403, f"AS2-To {as2_to!r} is not our AS2 id")
        if known is None:
            log.warning("AS2 message %s refused: unknown partner AS2-From %r", message_id, as2_from)
            return _refuse(403, f"AS2-From {as2_from!r} is not a configured partner")
        if as2_to != self.local_id(known):
            return _refuse(403, f"AS2-To {as2_to!r} is not the AS2 id partner {as2_from!r} knows us by")
        if self.identity_for(as2_to) is None:
            return _refuse(503, "AS2 server has no certificate/private key configured")
        if request.content_length is not None and request.content_length > self.settings.max_body:
            return _refuse(413, f"body of {request.content_length} bytes exceeds {self.settings.max_body}")
        if request.content_length and not self._room(request.content_length):
            return self._no_room(message_id, known)
        return known, message_id

    def _room(self, more: int) -> bool:
        """Whether `more` bytes written to the work folder still leave `min_free_mb` free there. Bodies are written
        before their signature is checked, by anyone who names a partner's AS2 id: without a reserve, uploads could
        fill the disk the journal and archive share, and every partner's messages would fail to commit."""
        try:
            free = shutil.disk_usage(self.work_dir).free
        except OSError:
            return True                       # (the write itself then says what is wrong)
        return free - more >= self.settings.min_free_mb * 1024 * 1024

    def _room_for(self, chunk: int) -> bool:
        """Whether a chunk of a body may be written: looked at once ROOM_CHECK bytes of all bodies together were
        written since the last look, leaving room for ROOM_CHECK more. Counted per body, 64 bodies at once each wrote
        8 MiB between two looks, past the reserve: the disk was filled all the same."""
        self.unlooked += chunk
        if self.unlooked < ROOM_CHECK:
            return True
        self.unlooked = 0
        return self._room(chunk + ROOM_CHECK)

    def _no_room(self, message_id: str, known: As2Partner) -> web.Response:
        log.warning("AS2 message %s from %s refused: its body would leave less than as2_server.min_free_mb (%d MB) "
                    "free in %s; the partner is asked to send it again later", message_id, known.partner.id,
                    self.settings.min_free_mb, self.work_dir)
        return web.Response(status=503, text="the gateway has no room for the message now; send it again later\r\n",
                            headers={"Retry-After": str(RETRY_AFTER)})

    async def _receive(self, request: web.Request, known: As2Partner, message_id: str,
                       work: Path) -> web.StreamResponse:
        h = request.headers
        outer = work / "outer"
        # the body's MIME headers came as HTTP headers; Content-Disposition names the file of a message sent
        # unsigned and unencrypted (OpenAS2). Written back as the bytes received: a header in UTF-8 (a name="Łódź.edi"
        # parameter) is not Latin-1, and writing it as such failed the request with a 500 and a traceback
        head = f"Content-Type: {h.get('Content-Type', 'application/octet-stream')}\r\n"
        for name in ("Content-Transfer-Encoding", "Content-Disposition"):
            if h.get(name):
                head += f"{name}: {h[name]}\r\n"
        size = 0
        started = asyncio.get_running_loop().time()
        with outer.open("wb") as f:
            f.write((head + "\r\n").encode("utf-8", "surrogateescape"))
            try:
                while chunk := await _next_chunk(request.content, started, size, self.settings):
                    size += len(chunk)
                    if size > self.settings.max_body:
                        return _refuse(413, f"body exceeds {self.settings.max_body} bytes")
                    if not self._room_for(len(chunk)):
                        return self._no_room(message_id, known)       # (a chunked body, or others filling the disk)
                    f.write(chunk)
            except (TimeoutError, ConnectionResetError) as exc:
                return _unfinished(f"message {message_id}", known.partner.id, exc, size)
        options = h.get("Disposition-Notification-Options")
        micalg = choose_micalg(options)
        spelled = micalg_spelling(options, micalg)
        ch = known.channel
        ours = self.identity_for(self.local_id(known))
        # its id's pair first; then our one current pair, which the id used before it had its own, and earlier ones
        keys = [k for k in (ours, self.identity) if k is not None]
        policy = Policy(known.certs, [k for n, k in enumerate(keys) if k not in keys[:n]] + self.previous,
                        ch.require_signed, ch.require_encrypted, self.settings.max_body)
        wants_mdn = bool(h.get("Disposition-Notification-To"))
        async_url = (h.get("Receipt-Delivery-Option") or "").strip() or None
        sign_mdn = bool(options and re.search(r"pkcs7-signature", options, re.IGNORECASE))
        pid = known.partner.id
        if async_url and not async_url.lower().startswith(("http://", "https://")):
            async_url = None                                  # mailto: etc. are AS1: answer synchronously
        mdn_refused = self._check_mdn_url(known, async_url, message_id) if async_url else None
        key = intake_key("as2", pid, message_id)               # a resend keeps its Message-ID (RFC 4130 9.2)
        if self.isolation is not None and (reason := self.isolation.intake_verdict(key)) is not None:
            return await self._set_aside(known, message_id, outer, reason, wants_mdn, sign_mdn, micalg)
        try:
            with self.isolation.taking_in(key, f"AS2 message {message_id} from {pid}") if self.isolation \
                    else contextlib.nullcontext():
                got = await asyncio.to_thread(unpack, outer, work, policy, micalg)
        except Exception as exc:                              # never a traceback to the partner
            if isinstance(exc, OSError):    # our disk (full as the layers were written), not the message: 503 and a
                raise                       # resend (`receive`); an error MDN is final, the partner would not resend
            if isinstance(exc, Refused):
                modifier, text = exc.modifier, exc.text
            elif isinstance(exc, (mime.MimeError, cms.CmsError, ValueError)):
                modifier, text = "unexpected-processing-error", f"message cannot be read: {exc}"
            else:
                log.exception("AS2 message %s from %s: unexpected error", message_id, pid)
                modifier, text = "unexpected-processing-error", "internal error while opening the message"
            log.warning("AS2 message %s from %s refused: %s: %s", message_id, pid, modifier, text)
            disp = mdn.Disposition("processed", "error", modifier)
            if not wants_mdn:
                return _refuse(400, f"{modifier}: {text}")
            # not authenticated: answer in this response, never POST to a URL the sender chose
            return await self._answer(known, message_id, disp, None, text, sign_mdn, None, micalg)
        earlier = self.ledger.seen(pid, message_id, self.settings.duplicate_window_days)
        if earlier is not None:
            log.info("AS2 message %s from %s is a duplicate of %s", message_id, pid, earlier)
            disp = mdn.Disposition("processed", "warning", "duplicate-document")
            return await self._answer(known, message_id, disp, (got.mic, spelled),
                                      f"duplicate of message {earlier}; not processed again",
                                      sign_mdn, async_url, micalg, mdn_refused, earlier)
        old_key = self._previous_key_used(got.recipient, pid, message_id, ours)
        filename = got.filename or (_SAFE.sub("_", message_id.strip("<>"))[:120] + ".edi")
        meta = IntakeMeta(channel="as2", filename=filename, partner=pid,
                          source_key=f"{known.channel.as2_id}:{message_id}",
                          extra={"as2_message_id": message_id, "as2_from": known.channel.as2_id,
                                 "as2_to": self.local_id(known), "mic": got.mic, "mic_alg": got.mic_alg,
                                 "layers": got.layers, "content_type": got.content_type,
                                 "subject": h.get("Subject", ""),
                                 **({"encrypted_to_previous_certificate": old_key} if old_key else {}),
                                 **({"async_mdn": owed_note("refused", async_url or "", mdn_refused)}
                                    if mdn_refused else {})})
        try:
            message = await self.intake.submit(got.payload, meta)
        except Exception as exc:  # noqa: BLE001 - not stored, whatever the cause: no MDN, the partner resends
            log.error("AS2 message %s from %s not stored: %s", message_id, pid, exc)
            return _refuse(503, "the gateway could not store the message; send it again later")
        self.ledger.remember(pid, message_id, message.id, self.settings.duplicate_window_days)
        if message.state == State.DUPLICATE:
            disp = mdn.Disposition("processed", "warning", "duplicate-document")
            text = f"duplicate document (journal {message.id}); not processed again"
        else:
            disp = mdn.Disposition("processed")
            text = f"received as {message.id}"
        log.info("AS2 message %s from %s committed as %s (%s)", message_id, pid, message.id, message.state.value)
        if not wants_mdn:
            return web.Response(status=200, text="OK\r\n")
        return await self._answer(known, message_id, disp, (got.mic, spelled), text, sign_mdn,
                                  async_url, micalg, mdn_refused, message.id)

    async def _set_aside(self, known: As2Partner, message_id: str, outer: Path, reason: str, wants_mdn: bool,
                         sign: bool, micalg: str) -> web.StreamResponse:
        """A message the gateway was killed opening, again and again (`gateway.poison`): kept as received, unopened,
        in the quarantine, and refused with an error MDN, so that its partner stops sending it and tells a person."""
        assert self.isolation is not None
        pid = known.partner.id
        step = ("Find what killed the gateway (the log and the system journal at each of those kills: an OOM kill, a "
                "crash in a library), give it what it lacked, then ask the partner to send the message again with "
                "a new Message-ID (this one is set aside again). It was refused with an error MDN; this copy is "
                "the message as received (its HTTP content headers, then its body), still encrypted and signed.")
        name = _SAFE.sub("_", message_id.strip("<>"))[:120] + ".as2"
        try:
            kept = await asyncio.to_thread(set_aside_file, outer, name, self.isolation.quarantine / pid,
                                           f"{reason}.\nIt is AS2 message {message_id} from {pid}.", step, move=False)
        except OSError as exc:
            log.error("AS2 message %s from %s: %s; it could not be set aside: %s", message_id, pid, reason, exc)
            return _refuse(503, "the gateway could not store the message; send it again later")
        log.error("AS2 message %s from %s set aside: %s: kept as %s, refused with an error MDN", message_id, pid,
                  reason, kept)
        text = ("the receiving gateway failed each time it opened this message; it was not processed and is kept "
                "for the receiving EDI team: contact them")
        if not wants_mdn:
            return _refuse(400, f"unexpected-processing-error: {text}")
        # not authenticated (never opened): answered in this response, never at a URL the sender chose
        disp = mdn.Disposition("processed", "error", "unexpected-processing-error")
        return await self._answer(known, message_id, disp, None, text, sign, None, micalg)

    def _check_mdn_url(self, known: As2Partner, url: str, message_id: str) -> str | None:
        """Why the MDN cannot go to the URL the partner named (a warning in the log), or None; a name that
        passes here is checked again on its addresses when the MDN is POSTed."""
        refused = _url_refused(Destinations.of(known.channel.async_mdn_allow, self.settings.nat64_prefixes), url)
        if refused:
            log.warning("AS2 message %s from %s: its asynchronous MDN is not sent to %s: %s (a partner's URL may "
                        "lead there only if its AS2 channel lists it in async_mdn_allow)", message_id,
                        known.partner.id, redact_url(url), refused)
        return refused

    def _previous_key_used(self, recipient: Any, pid: str, message_id: str, ours: cms.Identity | None) -> str:
        """When a partner encrypted to one of our previous certificates (or, to an id with a pair of its own, to our
        one current pair): a warning, and the serial for the journal."""
        if recipient is None or ours is None or recipient == ours.cert:
            return ""
        serial = format(recipient.serial_number, "X")
        log.warning("AS2 message %s from %s was encrypted to our previous certificate (serial %s, valid until %s), "
                    "not the current one (serial %X): the partner has not switched to our new certificate yet",
                    message_id, pid, serial, recipient.not_valid_after_utc.date().isoformat(), ours.cert.serial_number)
        return serial

    async def _answer(self, known: As2Partner, message_id: str, disp: mdn.Disposition,
                      mic: tuple[str, str] | None, text: str, sign: bool, async_url: str | None,
                      micalg: str, mdn_refused: str | None = None, journal_id: str = "") -> web.StreamResponse:
        """The MDN in this response, or queued for `async_url` (kept unsent when `mdn_refused`: `edi-gateway mdn
        resend` sends it once the partner's settings allow its URL)."""
        headers, body = mdn.build(original_message_id=message_id, our_id=self.local_id(known),
                                  partner_id=known.channel.as2_id, disposition=disp, mic=mic,
                                  text=f"The AS2 message {message_id} was {disp}. {text}",
                                  signer=self.identity_for(self.local_id(known)) if sign else None,
                                  sign_digest=micalg)
        if async_url:
            self.ledger.queue_mdn(known.partner.id, async_url, headers, body, message_id=message_id,
                                  journal_id=journal_id, refused=mdn_refused)
            if mdn_refused:
                return web.Response(status=200,
                                    text=f"received; the asynchronous MDN is not sent: {mdn_refused}\r\n")
            self._wake.set()
            return web.Response(status=200, text="MDN will be sent asynchronously\r\n")
        return web.Response(status=200, body=body, headers=headers)

    def _destinations(self, partner_id: str) -> Destinations:
        """Where the partner's MDN URLs may lead (public addresses only, for a partner no longer configured)."""
        known = self._known(partner_id)
        return Destinations.of(known.channel.async_mdn_allow if known else [], self.settings.nat64_prefixes)

    def _known(self, partner_id: str) -> As2Partner | None:
        return next((p for p in self.partners.values() if p.partner.id == partner_id), None)

    def _egress(self, partner_id: str) -> As2Channel | None:
        """The channel whose proxy and TLS settings our POSTs to this partner use: its outbound AS2 channel, the one
        its messages go by, else its inbound one (None for a partner no longer configured: direct)."""
        known = self._known(partner_id)
        if known is None:
            return None
        out = known.partner.outbound
        return out if isinstance(out, As2Channel) else known.channel

    async def _post_mdns(self, items: list[PendingMdn]) -> None:
        """POST the due MDNs of one destination, in order; a failure is retried with the outbox's backoff (or the
        partner's Retry-After), a URL that leads where the partner's settings do not allow is not tried again.
        One given up or refused is noted on its inbound message, and so is one sent after that."""
        box = self.config.outbox
        for item in items:
            where = redact_url(item.url)
            await asyncio.to_thread(self._sign_now, item)
            try:
                refused = await self._post_mdn(item)
            except (TimeoutError, ClientError, OSError, DeliveryRetry) as exc:
                asked = exc.retry_after if isinstance(exc, DeliveryRetry) else None
                delay = retry_wait(compute_backoff(item.attempts + 1, box.min_backoff, box.max_backoff, jitter=False),
                                   asked, box.max_backoff)
                give_up = item.attempts + 1 >= box.max_attempts
                error = str(exc) or type(exc).__name__
                if not self.ledger.mdn_failed(item, error, delay, give_up):
                    _requeued(item, error)
                    continue
                log.warning("async MDN %s to %s failed (%s)%s", _which(item), where, error,
                            f", giving up: the partner has no MDN for {item.message_id or 'its message'} "
                            f"(edi-gateway mdn resend {item.journal_id or item.id})" if give_up
                            else f", retry in {delay:.0f}s")
                if give_up:
                    await self._note_mdn(item, "failed", f"given up after {item.attempts + 1} attempts: {error}")
                continue
            if refused:
                if not self.ledger.mdn_refused(item, refused):
                    _requeued(item, refused)
                    continue
                log.warning("async MDN %s not sent to %s: %s (a partner's URL may lead there only if its "
                            "AS2 channel lists it in async_mdn_allow; then edi-gateway mdn resend %s)", _which(item),
                            where, refused, item.journal_id or item.id)
                await self._note_mdn(item, "refused", refused)
            else:
                if not self.ledger.mdn_sent(item):
                    log.info("async MDN %s sent to %s, but queued again meanwhile for another address (edi-gateway "
                             "mdn resend --url): it is sent there too", _which(item), where)
                    continue
                log.info("async MDN %s sent to %s", _which(item), where)
                await self._note_sent(item)

    def _sign_now(self, item: PendingMdn) -> None:
        """An MDN queued before a certificate rotation goes out signed with the current key pair of the id it is
        from (AS2-From), the one the partner now holds (the old signature would not verify there); its report, MIC
        and disposition unchanged."""
        ours = self.identity_for(mdn.unquote_id(next((v for k, v in item.headers.items() if k.lower() == "as2-from"),
                                                     None)))
        if ours is None:
            return
        try:
            again = mdn.signed_again(item.headers, item.body, ours)
        except (ValueError, OSError) as exc:     # MimeError, CmsError (a row no release of ours wrote), disk full
            log.warning("async MDN %s: its signature cannot be read (%s), it is sent as queued", _which(item), exc)
            return
        if again is None:
            return
        item.headers, item.body = again
        self.ledger.mdn_signed(item.id, item.headers, item.body)
        log.info("async MDN %s signed again, with our current certificate (serial %X): another key pair signed it "
                 "when it was queued", _which(item), ours.cert.serial_number)

    async def _note_sent(self, item: PendingMdn) -> None:
        """The message told its MDN was refused, failed or queued again (`edi-gateway mdn resend` says so too, of
        one that had not failed yet) is told it was sent; one told nothing needs no journal write."""
        if self.journal is None or not item.journal_id:
            return
        if item.last_error is None:
            try:
                message = await asyncio.to_thread(self.journal.get, item.journal_id)
            except (KeyError, JournalError):
                return
            if "async_mdn" not in message.meta:
                return
        await self._note_mdn(item, "sent")

    async def _note_mdn(self, item: PendingMdn, state: str, reason: str | None = None) -> None:
        """What became of an MDN, on the inbound message it answers (meta `async_mdn`), where `show` and the status
        page show it: the log alone would leave a coordinator believing the partner had its receipt."""
        if self.journal is None or not item.journal_id:
            return
        try:
            await asyncio.to_thread(self.journal.note, item.journal_id,
                                    meta={"async_mdn": owed_note(state, item.url, reason)})
        except (KeyError, JournalError) as exc:          # purged, or the journal unwritable: the ledger has it
            log.warning("async MDN %s: not noted on its message: %s", _which(item), exc)

    async def _post_mdn(self, item: PendingMdn) -> str | None:
        """POST one MDN; why it was not (its URL or the addresses its name resolved to are not allowed), or None
        once sent. A connection of its own, no redirects followed: only the checked address is ever reached. It goes
        by the partner's proxy and with its TLS settings (CA, our client certificate), as our messages to it do."""
        policy = self._destinations(item.partner)
        refused = _url_refused(policy, item.url)
        if refused:
            return refused
        listed = policy.listed(item.url)
        ch = self._egress(item.partner)
        proxy, proxy_auth = proxy_for(ch, item.url) if ch else (None, None)
        if proxy is not None and not listed:
            refused = await _resolves_allowed(policy, item.url)
            if refused:
                return refused
        tls: ssl.SSLContext | bool = True
        if ch is not None and item.url.strip().lower().startswith("https:"):
            tls = await asyncio.to_thread(tls_context, ch, item.partner, system_too=True)
        # a URL the partner's settings list goes wherever its name leads; any other only to allowed addresses (the
        # proxy's address is ours to choose: through it the name was checked above)
        resolver = None if listed or proxy is not None else _AllowedOnly(policy)
        connector = TCPConnector(resolver=resolver, use_dns_cache=False, force_close=True)
        try:
            async with (ClientSession(connector=connector, timeout=ClientTimeout(
                            total=self.settings.mdn_post_timeout, connect=10)) as session,
                        session.post(item.url, data=item.body, headers={**item.headers, "User-Agent": SERVER_HEADER},
                                     allow_redirects=False, ssl=tls, proxy=proxy, proxy_auth=proxy_auth) as resp):
                if resp.status >= 300:
                    asked = parse_retry_after(resp.headers.get("Retry-After"), datetime.now(UTC)) \
                        if resp.status in (429, 503) else None
                    raise DeliveryRetry(f"HTTP {resp.status}", retry_after=asked)
        except ClientConnectorError as exc:
            if isinstance(exc.os_error, DestinationRefused):
                return str(exc.os_error)
            raise
        return None

    async def _send_async_mdns(self) -> None:
        """The durable async-MDN outbox: POST each queued MDN, retry with backoff, give up after the limit."""
        # one task per destination, each posting its MDNs in order: a partner whose URL hangs delays its own
        # MDNs (each POST waits up to mdn_post_timeout), not everyone's
        posting: dict[str, asyncio.Task[None]] = {}
        try:
            while True:
                by_host: dict[str, list[PendingMdn]] = {}
                for item in self.ledger.due_mdns():
                    by_host.setdefault(urlsplit(item.url).netloc.lower(), []).append(item)
                for host, items in by_host.items():
                    if host not in posting or posting[host].done():
                        posting[host] = asyncio.create_task(self._post_mdns(items))
                        posting[host].add_done_callback(lambda _task: self._wake.set())
                nxt = self.ledger.next_mdn_at()
                timeout = LOOK_AGAIN if nxt is None else max(0.05, min(LOOK_AGAIN, nxt - time.time()))
                if by_host and all(not posting[host].done() for host in by_host):
                    timeout = max(timeout, 1.0)       # what is due is being posted: its task wakes us
                self._wake.clear()
                # (not wait_for: on 3.11 it can swallow the cancellation of close() when the wake comes
                # at the same moment, a posting task ending, and this loop would then never end)
                try:
                    async with asyncio.timeout(timeout):
                        await self._wake.wait()
                except TimeoutError:
                    pass
        finally:
            for task in posting.values():
                task.cancel()
            await asyncio.gather(*posting.values(), return_exceptions=True)

    # ---------------------------------------------------------------- async MDN receipts
    async def receive_mdn(self, request: web.Request) -> web.StreamResponse:
        as2_from = mdn.unquote_id(request.headers.get("AS2-From"))
        known = self.partners.get(as2_from)
        if known is None:
            return _refuse(403, f"AS2-From {as2_from!r} is not a configured partner")
        try:
            async with asyncio.timeout(self.settings.body_deadline):
                body = await mdn.receive(request.content)
        except (TimeoutError, ConnectionResetError) as exc:
            return _unfinished("async MDN", known.partner.id, exc)
        # AS2-From is only a header: unless the partner's channel waives signed MDNs, only its
        # signature tells its receipt from anyone's, so an unsigned one must not settle anything
        out = known.partner.outbound
        signed = out.mdn_signed if isinstance(out, As2Channel) else True
        try:
            got = await asyncio.to_thread(mdn.read, request.headers.get("Content-Type", ""), body, known.certs,
                                          require_signed=signed)
        except (mime.MimeError, cms.CmsError) as exc:
            log.warning("async MDN claiming to be from %s refused: %s", known.partner.id, exc)
            return _refuse(403 if isinstance(exc, cms.CmsError) else 400, f"not a valid MDN: {exc}")
        if self.on_mdn is None:
            return _refuse(503, "no outbound AS2 channel to match MDNs")
        answer = await self.on_mdn(known.partner, got)
        return web.Response(status=200, text=f"{answer}\r\n")


def _url_refused(policy: Destinations, url: str) -> str | None:
    """Why an MDN may not go to `url` before any lookup (Destinations.check_url), judged on the URL as written and
    as aiohttp connects to it: yarl reads the host as IDNA, so '127。0。0。1' (ideographic full stops) is the address
    127.0.0.1, which aiohttp connects to without asking our resolver; judged as written alone it was a name, and
    an MDN went to our own loopback."""
    refused = policy.check_url(url)
    if refused or policy.listed(url):
        return refused
    try:
        sent = str(URL(url.strip()))
    except ValueError:             # aiohttp cannot send to it either (retried, then given up)
        return None
    return policy.check_url(sent)


async def _resolves_allowed(policy: Destinations, url: str) -> str | None:
    """Why an MDN to `url` may not go through a proxy, which resolves its name itself: when our own resolver has
    an answer, every address it gives must be allowed (the proxy may connect to any of them: a name of the
    company's own DNS, or 127.1, would lead it inside). The name is looked up as the proxy reads it: without
    trailing dots (Squid drops them: 'localhost.' and '127.0.0.1.' are loopback to it, no name to our resolver).
    A name we cannot resolve (a host whose DNS knows only the inside, where the proxy is the way out) is left to
    the proxy, whose own rules then guard the inside, as for the host's other outbound traffic; so is a name that
    resolves elsewhere for the proxy than for us. Not a name of one label ('odoo'): no public host has one, and
    the proxy completes it with its own domain (Squid's append_domain) into an inside host."""
    try:
        target = URL(url.strip())
    except ValueError:
        return None
    host = (target.raw_host or "").rstrip(".")
    try:
        async with asyncio.timeout(PROXIED_LOOKUP):
            found = await asyncio.get_running_loop().getaddrinfo(host, target.port, type=socket.SOCK_STREAM)
    except (OSError, TimeoutError):
        if "." not in host and ":" not in host:
            return f"{host or 'the URL'}: a name of one label, which the proxy would complete into an inside host"
        return None
    why = sorted({w for *_, sockaddr in found
                  if (w := policy.check_address(ip_address(str(sockaddr[0]).partition("%")[0])))})
    return f"{host}: {'; '.join(why)}" if why else None


class _AllowedOnly(AbstractResolver):
    """aiohttp's resolver, keeping only the addresses the partner's policy allows: the connection goes to an
    address checked as it is made, so a name that now resolves elsewhere (DNS rebinding) gains nothing."""

    def __init__(self, policy: Destinations) -> None:
        self.policy = policy
        self.inner = ThreadedResolver()

    async def resolve(self, host: str, port: int = 0,
                      family: socket.AddressFamily = socket.AF_INET) -> list[ResolveResult]:
        found = await self.inner.resolve(host, port, family)
        why = [self.policy.check_address(ip_address(r["host"].partition("%")[0])) for r in found]
        kept = [r for r, no in zip(found, why, strict=True) if no is None]
        if not kept:
            raise DestinationRefused(f"{host}: {'; '.join(w for w in why if w) or 'no address'}")
        return kept

    async def close(self) -> None:
        await self.inner.close()


class _CappedSite(web.TCPSite):
    """aiohttp's TCP site, accepting at most `max_connections` connections at once, `per_address` of them from one
    address (an IPv6 /64): one more is closed as soon as it is accepted (the partner's AS2 software retries
    later), so a flood of connections that send nothing cannot use up the daemon's file descriptors, nor one
    address every slot. A connection counts from its accept, its TLS
    handshake included (cut after `handshake_timeout` seconds): TLS is started on the accepted connection
    (`_Handshake`) rather than by the listener, which would hand it over, and let it be counted, only once
    the handshake is over. Refusals are logged once a minute, with a count."""

    def __init__(self, runner: web.AppRunner, host: str, port: int, *, ssl_context: ssl.SSLContext | None,
                 max_connections: int, per_address: int, handshake_timeout: float) -> None:
        super().__init__(runner, host, port, ssl_context=ssl_context)
        self.max_connections = max_connections
        self.per_address = per_address
        self.handshake_timeout = handshake_timeout
        self.refused = Refusals(log, "AS2", "as2_server.max_connections")
        self.refused_source = Refusals(log, "AS2", "from its address or IPv6 /64: "
                                       "as2_server.max_connections_per_address")
        self.handshakes: set[asyncio.Task[None]] = set()
        self.by_source: dict[str, set[asyncio.BaseTransport]] = {}    # source -> its accepted connections

    def admit(self, transport: asyncio.BaseTransport) -> bool:
        """Whether a connection just accepted may stay: its source holds fewer than `per_address` open ones (a
        connection counts until its socket is closed, by aiohttp, the TLS layer or the peer)."""
        peer = transport.get_extra_info("peername")
        address = str(peer[0]) if peer else "?"
        source = source_of(address)
        held = {t for t in self.by_source.get(source, ()) if not t.is_closing()}
        if len(held) >= self.per_address:
            self.by_source[source] = held
            self.refused_source.add(address, len(held))
            return False
        held.add(transport)
        self.by_source[source] = held
        if len(self.by_source) > 2 * self.max_connections:             # sources long gone: forgotten
            self.by_source = {k: v for k, v in self.by_source.items() if any(not t.is_closing() for t in v)}
        return True

    async def start(self) -> None:
        await web.BaseSite.start(self)                 # registers the site with its runner, as TCPSite does
        server = self._runner.server
        assert server is not None
        tls = self._ssl_context

        def accept() -> asyncio.BaseProtocol:
            open_now = len(server.connections) + len(self.handshakes)
            if open_now >= self.max_connections:
                return _Closed(self.refused, open_now)
            return _PerAddress(self, lambda: unfolding_handler(server) if tls is None
                               else _Handshake(self, tls, unfolding_handler(server)))

        self._server = await asyncio.get_running_loop().create_server(
            accept, self._host, self._port, backlog=self._backlog,
            reuse_address=self._reuse_address, reuse_port=self._reuse_port)

    async def stop(self) -> None:
        for task in self.handshakes:
            task.cancel()
        await asyncio.gather(*self.handshakes, return_exceptions=True)
        await super().stop()


class _Handshake(asyncio.Protocol):
    """An accepted connection during its TLS handshake, counted in its site's `handshakes` until it ends: then
    the connection is handed to `handler` (aiohttp's protocol) over TLS, or closed. Until the hand-over this is
    the TLS layer's application protocol, keeping what arrives with the end of the handshake for the handler."""

    def __init__(self, site: _CappedSite, context: ssl.SSLContext, handler: asyncio.Protocol) -> None:
        self.site, self.context, self.handler = site, context, handler
        self.early: list[bytes] = []
        self.eof = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        transport.pause_reading()                    # the client's hello is for the TLS layer, once it is there
        task = asyncio.get_running_loop().create_task(self._start_tls(transport))
        self.site.handshakes.add(task)
        task.add_done_callback(self.site.handshakes.discard)

    async def _start_tls(self, transport: asyncio.Transport) -> None:
        try:
            secure = await asyncio.get_running_loop().start_tls(
                transport, self, self.context, server_side=True, ssl_handshake_timeout=self.site.handshake_timeout)
        except asyncio.CancelledError:
            transport.close()
            raise
        except Exception as exc:  # noqa: BLE001 - a failed handshake (bad hello, timeout, peer gone) ends it alone
            transport.close()
            log.debug("AS2 TLS handshake not completed: %s", exc or type(exc).__name__)
            return
        if secure is None or secure.is_closing():
            return
        secure.set_protocol(self.handler)
        self.handler.connection_made(secure)
        for data in self.early:
            self.handler.data_received(data)
        if self.eof:
            self.handler.eof_received()

    def data_received(self, data: bytes) -> None:
        self.early.append(data)

    def eof_received(self) -> bool | None:
        self.eof = True
        return True


class _PerAddress(asyncio.Protocol):
    """An accepted connection before anything is read from it: closed when its address holds its share of the
    site's connections (`_CappedSite.admit`), else handed to the protocol `then` makes (aiohttp's, or the TLS
    handshake's), before the transport reads its first bytes."""

    def __init__(self, site: _CappedSite, then: Callable[[], asyncio.Protocol]) -> None:
        self.site, self.then = site, then

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        if not self.site.admit(transport):
            transport.close()
            return
        protocol = self.then()
        transport.set_protocol(protocol)
        protocol.connection_made(transport)


class _Closed(asyncio.Protocol):
    """A connection beyond the limit: counted, and closed as soon as it is made."""

    def __init__(self, refused: Refusals, open_now: int) -> None:
        self.refused, self.open_now = refused, open_now

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        peer = transport.get_extra_info("peername")
        self.refused.add(str(peer[0]) if peer else "?", self.open_now)
        transport.close()


async def _next_chunk(content: StreamReader, started: float, received: int, limits: As2ServerSettings) -> bytes:
    """The next piece of a request body (b"" at its end); TimeoutError once it is later than a live sender
    would be: body_deadline seconds after `started`, plus one second per body_min_rate bytes received."""
    async with asyncio.timeout_at(started + limits.body_deadline + received / limits.body_min_rate):
        return await content.readany()


def _requeued(item: PendingMdn, outcome: str) -> None:
    """An attempt whose row `edi-gateway mdn resend` queued again while it ran: the queue's word stands."""
    log.info("async MDN %s to %s: not sent (%s), but queued again meanwhile (edi-gateway mdn resend): it is "
             "sent as queued", _which(item), redact_url(item.url), outcome)


def _which(item: PendingMdn) -> str:
    """An MDN in the log by what a coordinator can look up (`show`, `mdn list`), not by its queue row's number."""
    return f"for {item.message_id or '?'} (message {item.journal_id or '-'}, partner {item.partner})"


def _unfinished(what: str, pid: str, exc: Exception, received: int | None = None) -> web.Response:
    """A body that stalled (TimeoutError) or whose connection closed early: nothing is stored."""
    got = "" if received is None else f" after {received} bytes"
    if isinstance(exc, TimeoutError):
        log.warning("AS2 %s from %s dropped: its body stalled%s", what, pid, got)
        return _refuse(408, "request body not received in time")
    log.warning("AS2 %s from %s not received: the connection closed%s, before the end of its body", what, pid, got)
    return _refuse(400, "connection closed before the end of the body")


async def _server_header(request: web.Request, response: web.StreamResponse) -> None:
    response.headers["Server"] = SERVER_HEADER


_QUOTED = re.compile(r"""[ :]*b?['"]""")     # where an aiohttp parser error starts quoting what it received
_CHUNK_WORDS = re.compile(r"expected CRLF|Not enough data|chunk-extension")   # its own words for a chunk error


def _refusal_words(exc: HttpProcessingError) -> str:
    """aiohttp's words for a malformed request, without the bytes it quotes (perhaps a partner's payload). Two of
    its Python parser's errors are those bytes unquoted: a request target, and a chunk-size line that is not hex
    (with wrong chunk sizes, a line of the payload)."""
    if isinstance(exc, InvalidURLError):
        return "Invalid request target"
    first = _QUOTED.split((str(exc.message).splitlines() or [""])[0], 1)[0].rstrip(" :.")[:120]
    if isinstance(exc, TransferEncodingError) and not _CHUNK_WORDS.search(first):
        return "Invalid chunk size"
    return first


class _MalformedRequests(logging.Filter):
    """aiohttp logs a malformed request at ERROR with a traceback that quotes the bytes received (perhaps a
    partner's payload): one line at WARNING instead, without them."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if isinstance(exc, HttpProcessingError):
            remote = record.args[0] if isinstance(record.args, tuple) and record.args else "?"
            record.levelno, record.levelname = logging.WARNING, "WARNING"
            record.msg, record.args = ("malformed HTTP request from %s refused (HTTP %s): %s",
                                       (remote, exc.code, _refusal_words(exc)))
            record.exc_info, record.exc_text = None, None
        return True


http_log.addFilter(_MalformedRequests())


def _is_mdn(request: web.Request) -> bool:
    """An async MDN POSTed to the message URL (not /mdn)."""
    return request.headers.get("Content-Type", "").lower().startswith("multipart/report")


def _is_text(value: str) -> bool:
    """`value` can be written as UTF-8 (a header whose bytes were not UTF-8 holds lone surrogates)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _refuse(status: int, text: str) -> web.Response:
    return web.Response(status=status, text=text + "\r\n")
