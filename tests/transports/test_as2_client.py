"""AS2 sender: openssl opens what we send and answers with MDNs it signs; our client against our server."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from gateway.config.models import As2Channel, As2ServerSettings, GatewayConfig, OurIds, PartnerConfig
from gateway.errors import DeliveryRetry
from gateway.journal.api import Direction, Journal, Message, State
from gateway.transports.as2.client import As2Sender
from gateway.transports.as2.ledger import Ledger
from gateway.transports.as2.server import As2Server
from tests.helpers.wait import wait_for_async
from tests.transports.as2_peer import openssl, openssl_decrypt, openssl_signed_mdn, serve
from tests.transports.certs import Cert, make_cert
from tests.transports.conftest import JournalIntake, bigbox_as2, sending_gateway

DOC = b"ISA*00*          *00*          *ZZ*ACMEDIST       *ZZ*BIGBOXRETAIL   *260101*1200*U*00401*000000042*0*P*>~\n"


class Peer:
    """An AS2 partner made of aiohttp + openssl: decrypts, verifies, answers an openssl-signed MDN."""

    def __init__(self, tmp: Path, ours: Cert, theirs: Cert) -> None:
        self.tmp, self.ours, self.theirs = tmp, ours, theirs
        self.url = ""
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.fail_next = 0
        self.mic_override: str | None = None
        self.mic_alg = "sha-256"
        self.sign_with = theirs
        self.payloads: list[bytes] = []

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        self.requests.append((dict(request.headers), body))
        if self.fail_next:
            self.fail_next -= 1
            return web.Response(status=503, text="busy")
        return await asyncio.to_thread(self.answer, dict(request.headers), body)

    def answer(self, headers: dict[str, str], body: bytes) -> web.Response:
        t = self.tmp
        (t / "in.signed").write_bytes(openssl_decrypt(t, body, self.theirs))
        r = openssl("cms", "-verify", "-binary", "-crlfeol", "-in", t / "in.signed", "-CAfile",
                    self.ours.cert_path, "-out", t / "in.entity")
        assert r.returncode == 0, r.stderr
        entity = (t / "in.entity").read_bytes()
        self.payloads.append(entity.split(b"\r\n\r\n", 1)[1])
        mic = self.mic_override or base64.b64encode(hashlib.sha256(entity).digest()).decode()
        report = ("Content-Type: multipart/report; report-type=disposition-notification; boundary=\"rep\"\r\n\r\n"
                  "--rep\r\nContent-Type: text/plain\r\n\r\nreceived\r\n"
                  "--rep\r\nContent-Type: message/disposition-notification\r\n\r\n"
                  "Reporting-UA: openssl-peer\r\nFinal-Recipient: rfc822; BIGBOX-AS2\r\n"
                  f"Original-Message-ID: {headers['Message-ID']}\r\n"
                  f"Received-Content-MIC: {mic}, {self.mic_alg}\r\n"
                  "Disposition: automatic-action/MDN-sent-automatically; processed\r\n\r\n--rep--\r\n")
        ctype, mdn_body = openssl_signed_mdn(t, report.encode(), self.sign_with)
        return web.Response(body=mdn_body, headers={"Content-Type": ctype, "AS2-From": "BIGBOX-AS2",
                                                     "AS2-To": "ACMEDIST"})


@pytest.fixture
async def peer(tmp_path: Path) -> AsyncIterator[Peer]:
    certs = tmp_path / "certs"
    ours, theirs = make_cert(certs, "acme"), make_cert(certs, "bigbox")
    p = Peer(tmp_path, ours, theirs)
    app = web.Application(client_max_size=1 << 30)
    app.router.add_post("/as2", p.handle)
    runner, port = await serve(app)
    p.url = f"http://127.0.0.1:{port}/as2"
    yield p
    await runner.cleanup()


def sender_for(tmp: Path, ours: Cert, journal: Journal | None = None) -> As2Sender:
    config = GatewayConfig(our_ids=OurIds(as2_id="ACMEDIST"), as2_server=As2ServerSettings(
        certificate=ours.cert_path, private_key=ours.key_path))
    return As2Sender(config, journal, Ledger(tmp / "state" / "as2.sqlite3"), tmp / "state" / "as2-out")


def outbound_message(mid: str = "01OUTBOUND0000000000000001") -> Message:
    now = datetime.now(UTC)
    return Message(id=mid, direction=Direction.OUT, state=State.QUEUED, partner="bigbox", channel="as2",
                   filename="bigbox_997_000000042.x12", sha256="0" * 64, size=len(DOC), created_at=now,
                   updated_at=now, syntax="x12", doc_type="997", control_number="000000042")


def partner_for(peer: Peer, **kw: Any) -> PartnerConfig:
    ch = As2Channel(channel="as2", as2_id="BIGBOX-AS2", certificates=[peer.theirs.cert_path], url=peer.url, **kw)
    return PartnerConfig(id="bigbox", outbound=ch)


async def test_openssl_decrypts_and_verifies_what_we_send_and_its_mdn_settles(tmp_path: Path,
                                                                              peer: Peer) -> None:
    sender = sender_for(tmp_path, peer.ours)
    result = await sender.send(outbound_message(), DOC, partner_for(peer))
    assert result.detail == "MDN processed"
    assert peer.payloads == [DOC]
    headers, _ = peer.requests[0]
    assert headers["AS2-From"] == "ACMEDIST" and headers["AS2-To"] == "BIGBOX-AS2"
    assert "signed-receipt-micalg=optional, sha-256" in headers["Disposition-Notification-Options"]


async def test_mic_spelled_sha256_is_accepted(tmp_path: Path, peer: Peer) -> None:
    peer.mic_alg = "sha256"
    result = await sender_for(tmp_path, peer.ours).send(outbound_message(), DOC, partner_for(peer))
    assert result.detail == "MDN processed"


async def test_mic_mismatch_is_a_rejection(tmp_path: Path, peer: Peer) -> None:
    peer.mic_override = base64.b64encode(b"\0" * 32).decode()
    result = await sender_for(tmp_path, peer.ours).send(outbound_message(), DOC, partner_for(peer))
    assert result.rejected is not None and "MDN MIC mismatch" in result.rejected


async def test_mdn_signed_by_someone_else_leaves_the_message_sent_its_mdn_overdue(tmp_path: Path, peer: Peer) -> None:
    """The partner took it (HTTP 200) and would answer a resend the same way (see test_as2_15r_sync_mdn): sent,
    its MDN awaited and overdue at once, not retried and not dead."""
    peer.sign_with = make_cert(tmp_path / "certs", "impostor")
    result = await sender_for(tmp_path, peer.ours).send(outbound_message(), DOC, partner_for(peer))
    assert result.rejected is None and result.ack_pending and result.awaits is not None
    assert result.awaits.kind == "MDN" and result.awaits.within.total_seconds() == 0
    assert "does not verify" in result.detail and "not sent again by itself" in result.detail


async def test_retry_reuses_message_id_and_bytes(tmp_path: Path, peer: Peer) -> None:
    peer.fail_next = 1
    sender = sender_for(tmp_path, peer.ours)
    with pytest.raises(DeliveryRetry, match="HTTP 503"):
        await sender.send(outbound_message(), DOC, partner_for(peer))
    sender = sender_for(tmp_path, peer.ours)                    # as after a restart
    result = await sender.send(outbound_message(), DOC, partner_for(peer))
    assert result.detail == "MDN processed"
    (h1, b1), (h2, b2) = peer.requests
    assert h1["Message-ID"] == h2["Message-ID"] and b1 == b2


async def test_a_retry_after_our_certificate_rotation_is_signed_with_the_new_key(tmp_path: Path, peer: Peer,
                                                                                   caplog: pytest.LogCaptureFixture
                                                                                   ) -> None:
    """The first try is answered 503; then we rotate our key pair (the partner now holds our new certificate) and
    restart. The retry sent the bytes built at the first try, signed with the old key, which openssl at the
    partner no longer verifies: it is built again, same Message-ID and MIC, signed with the new key."""
    peer.fail_next = 1
    with pytest.raises(DeliveryRetry, match="HTTP 503"):
        await sender_for(tmp_path, peer.ours).send(outbound_message(), DOC, partner_for(peer))
    first = sender_for(tmp_path, peer.ours).ledger.sent(peer.requests[0][0]["Message-ID"])
    peer.ours = make_cert(tmp_path / "certs", "acme-2027")
    caplog.set_level(logging.INFO, "gateway.transports.as2")
    result = await sender_for(tmp_path, peer.ours).send(outbound_message(), DOC, partner_for(peer))
    assert result.detail == "MDN processed" and peer.payloads == [DOC]
    (h1, b1), (h2, b2) = peer.requests
    assert h1["Message-ID"] == h2["Message-ID"] and b1 != b2
    assert sender_for(tmp_path, peer.ours).ledger.sent(h2["Message-ID"]) == first          # the same MIC
    assert "built again, with the same Message-ID: signed by another certificate" in caplog.text


async def test_a_retry_after_the_partners_certificate_rotation_is_encrypted_for_the_new_one(tmp_path: Path,
                                                                                           peer: Peer) -> None:
    """The partner rotated its key pair between two tries and we list its new certificate beside the old one:
    the retry was still encrypted for the old one, which the partner may no longer open."""
    peer.fail_next = 1
    old = peer.theirs
    with pytest.raises(DeliveryRetry, match="HTTP 503"):
        await sender_for(tmp_path, peer.ours).send(outbound_message(), DOC, partner_for(peer))
    peer.theirs = make_cert(tmp_path / "certs", "bigbox-2027")
    while peer.theirs.identity.cert.not_valid_before_utc <= old.identity.cert.not_valid_before_utc:
        peer.theirs = make_cert(tmp_path / "certs", "bigbox-2027")    # the newer one (dates count seconds)
    partner = PartnerConfig(id="bigbox", outbound=As2Channel(
        channel="as2", as2_id="BIGBOX-AS2", certificates=[old.cert_path, peer.theirs.cert_path], url=peer.url))
    result = await sender_for(tmp_path, peer.ours).send(outbound_message(), DOC, partner)
    assert result.detail == "MDN processed" and peer.payloads == [DOC]


async def test_endpoint_down_is_transient(tmp_path: Path, peer: Peer) -> None:
    ch_partner = partner_for(peer)
    assert isinstance(ch_partner.outbound, As2Channel)
    ch_partner.outbound.url = "http://127.0.0.1:9/as2"
    with pytest.raises(DeliveryRetry, match="failed"):
        await sender_for(tmp_path, peer.ours).send(outbound_message(), DOC, ch_partner)


@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_our_client_to_our_server_compressed_signed_encrypted(tmp_path: Path, intake: JournalIntake,
                                                                    mode: str) -> None:
    """Round trip between two gateways: compress+sign+encrypt, MDN sync or async settles the journal."""
    certs = tmp_path / "certs"
    acme, bigbox = make_cert(certs, "acme"), make_cert(certs, "bigbox")
    # receiving gateway (BIGBOX)
    recv_cfg = GatewayConfig(our_ids=OurIds(as2_id="BIGBOX-AS2"), as2_server=As2ServerSettings(
        enabled=True, port=0, certificate=bigbox.cert_path, private_key=bigbox.key_path))
    acme_at_bigbox = PartnerConfig(id="acme", inbound=[As2Channel(channel="as2", as2_id="ACMEDIST",
                                                                  certificates=[acme.cert_path],
                                                                  async_mdn_allow=["127.0.0.1"])])
    receiver = As2Server(recv_cfg, {"acme": acme_at_bigbox}, intake, Ledger(tmp_path / "r" / "as2.sqlite3"),
                         tmp_path / "r" / "work")
    await receiver.start()
    # sending gateway (ACME) with its own server for async MDNs
    bigbox_at_acme = bigbox_as2(bigbox, url=f"http://127.0.0.1:{receiver.port}/as2", compress=True, mdn=mode)
    ours = sending_gateway(tmp_path / "s", acme, bigbox_at_acme, intake)
    journal, sender, mdn_server = ours.journal, ours.sender, ours.server
    await mdn_server.start()
    ours.config.as2_server.public_url = f"http://127.0.0.1:{mdn_server.port}/as2"
    try:
        msg = journal.record_intake(direction=Direction.OUT, partner="bigbox", channel="as2",
                                    filename="bigbox_856_1.x12", sha256="1" * 64, size=len(DOC),
                                    source_key="856:1", state=State.QUEUED)
        result = await sender.send(msg, DOC, bigbox_at_acme)
        journal.transition(msg.id, State.SENT, result.detail, expect=State.QUEUED)
        if mode == "sync":
            assert result.detail == "MDN processed" and not result.ack_pending
        else:
            assert result.ack_pending
            await wait_for_async(lambda: journal.get(msg.id).state is State.DONE, message="the async MDN settled it")
        (received,) = intake.messages()
        assert intake.stored(received) == DOC
        assert received.meta["layers"] == ["encrypted", "signed", "compressed"]
        assert received.filename == "bigbox_856_1.x12"
    finally:
        await receiver.close()
        await mdn_server.close()
        journal.close()


async def test_https_send_trusting_the_partner_ca(tmp_path: Path, intake: JournalIntake) -> None:
    certs = tmp_path / "certs"
    acme, bigbox = make_cert(certs, "acme"), make_cert(certs, "bigbox", dns="localhost")
    receiver = As2Server(GatewayConfig(our_ids=OurIds(as2_id="BIGBOX-AS2"), as2_server=As2ServerSettings(
        enabled=True, port=0, certificate=bigbox.cert_path, private_key=bigbox.key_path,
        tls_certificate=bigbox.cert_path, tls_key=bigbox.key_path)),
        {"acme": PartnerConfig(id="acme", inbound=[As2Channel(channel="as2", as2_id="ACMEDIST",
                                                              certificates=[acme.cert_path])])},
        intake, Ledger(tmp_path / "r" / "as2.sqlite3"), tmp_path / "r" / "work")
    await receiver.start()
    try:
        url = f"https://127.0.0.1:{receiver.port}/as2"
        sender = sender_for(tmp_path, acme)
        trusted = PartnerConfig(id="bigbox", outbound=As2Channel(
            channel="as2", as2_id="BIGBOX-AS2", certificates=[bigbox.cert_path], url=url, tls_ca=bigbox.cert_path))
        result = await sender.send(outbound_message("01HTTPS"), DOC, trusted)
        assert result.detail == "MDN processed"
        untrusted = PartnerConfig(id="bigbox", outbound=As2Channel(
            channel="as2", as2_id="BIGBOX-AS2", certificates=[bigbox.cert_path], url=url))
        with pytest.raises(DeliveryRetry, match="certificate verify failed"):
            await sender.send(outbound_message("01HTTPS2"), DOC, untrusted)
        assert len(intake.messages()) == 1
    finally:
        await receiver.close()


# --------------------------------------------------------------------------- RSA-OAEP key transport

@pytest.mark.parametrize("encryption, smime_type", [("aes256-cbc", "enveloped-data"),
                                                    ("aes192-gcm", "authEnveloped-data")])
async def test_openssl_decrypts_what_we_wrap_with_rsa_oaep(tmp_path: Path, peer: Peer, encryption: str,
                                                           smime_type: str) -> None:
    sender = sender_for(tmp_path, peer.ours)
    partner = partner_for(peer, encryption=encryption, key_encryption="rsa-oaep")
    result = await sender.send(outbound_message(), DOC, partner)
    assert result.detail == "MDN processed"
    assert peer.payloads == [DOC]                       # openssl cms -decrypt, then -verify, in the peer
    headers, body = peer.requests[0]
    assert f"smime-type={smime_type}" in headers["Content-Type"]
    (tmp_path / "sent.der").write_bytes(body)
    parsed = openssl("asn1parse", "-inform", "DER", "-in", tmp_path / "sent.der").stdout.decode()
    assert ":rsaesOaep" in parsed and ":mgf1" in parsed and ":sha256" in parsed


# SHA-1 is OAEP's default: DER leaves the parameters out (an empty SEQUENCE), as RFC 4055 says
@pytest.mark.parametrize("key_encryption, digest", [("rsa-oaep-sha1", "l=   0 cons: SEQUENCE"),
                                                    ("rsa-oaep-sha384", ":sha384"), ("rsa-oaep-sha512", ":sha512")])
async def test_openssl_decrypts_rsa_oaep_with_the_digest_the_partner_asks_for(tmp_path: Path, peer: Peer,
                                                                              key_encryption: str, digest: str) -> None:
    sender = sender_for(tmp_path, peer.ours)
    result = await sender.send(outbound_message(), DOC, partner_for(peer, key_encryption=key_encryption))
    assert result.detail == "MDN processed" and peer.payloads == [DOC]     # openssl cms -decrypt in the peer
    (tmp_path / "sent.der").write_bytes(peer.requests[0][1])
    parsed = openssl("asn1parse", "-inform", "DER", "-in", tmp_path / "sent.der").stdout.decode()
    oaep = parsed[parsed.index(":rsaesOaep"):][:600]
    assert digest in oaep and ":sha256" not in oaep
    assert (":mgf1" in oaep) is (key_encryption != "rsa-oaep-sha1")


async def test_the_default_stays_pkcs1_v1_5(tmp_path: Path, peer: Peer) -> None:
    sender = sender_for(tmp_path, peer.ours)
    assert (await sender.send(outbound_message(), DOC, partner_for(peer))).detail == "MDN processed"
    (tmp_path / "sent.der").write_bytes(peer.requests[0][1])
    parsed = openssl("asn1parse", "-inform", "DER", "-in", tmp_path / "sent.der").stdout.decode()
    assert ":rsaesOaep" not in parsed and ":rsaEncryption" in parsed


@pytest.mark.parametrize("on", ["outbound", "inbound"])
async def test_we_send_as_the_as2_id_the_partner_knows_us_by(tmp_path: Path, peer: Peer, on: str) -> None:
    # set on the outbound channel, or only on the inbound one (the partner knows us by one id either way)
    sender = sender_for(tmp_path, peer.ours)
    partner = partner_for(peer, our_as2_id="ACME-FOR-BIGBOX")
    if on == "inbound":
        out = partner.outbound
        assert isinstance(out, As2Channel)
        partner = partner.model_copy(update={"inbound": [out], "outbound": out.model_copy(update={"our_as2_id": None})})
    result = await sender.send(outbound_message(), DOC, partner)
    assert result.detail == "MDN processed" and peer.payloads == [DOC]
    headers, _ = peer.requests[0]
    assert headers["AS2-From"] == "ACME-FOR-BIGBOX" and headers["Disposition-Notification-To"] == "ACME-FOR-BIGBOX"
    assert headers["Message-ID"].endswith("@ACME-FOR-BIGBOX>")
