"""AS2 interoperability: what other products send and answer, reproduced with openssl + curl/aiohttp.

Each case is a behaviour of a named product (read in its source), not of our own client or server."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import subprocess
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from aiohttp import web

from gateway.config.models import As2Channel, PartnerConfig
from gateway.journal.api import Direction, State
from tests.helpers.wait import wait_for_async
from tests.transports.as2_peer import (
    Reply,
    as2_headers,
    build_message,
    compressed_entity,
    curl_post,
    openssl,
    openssl_decrypt,
    openssl_signed_mdn,
    serve,
)
from tests.transports.certs import Cert, make_cert
from tests.transports.conftest import JournalIntake, SendingGateway, bigbox_as2, sending_gateway
from tests.transports.test_as2_client import DOC, outbound_message, partner_for, sender_for
from tests.transports.test_as2_server import PAYLOAD, World, mdn_fields, post, start_server, verify_mdn, world

__all__ = ["world"]         # the fixture


class Answering:
    """A partner that opens our message with openssl and answers a sync MDN the way `style` says:
    `openas2`: unsigned and without Received-Content-MIC when we ask for no signed receipt (OpenAS2 computes the
    MIC only for a micalg in Disposition-Notification-Options); `pyas2lib-duplicate`: signed, processed/Warning:
    duplicate-document without a MIC (pyas2lib answers a known Message-ID before opening it); `no-mic`: signed,
    processed, no MIC (pyas2lib and django-pyas2 to a message we did not sign: they compute a MIC only over a
    signature; to a signed one, no product we know: refused); `mendelson`: signed, processed, the MIC of our
    unsigned message in SHA-1 whatever micalg we asked (Mendelson's AS2MessageParser.computeReceivedContentMIC)."""

    def __init__(self, tmp: Path, ours: Cert, theirs: Cert, style: str) -> None:
        self.tmp, self.ours, self.theirs, self.style = tmp, ours, theirs, style
        self.url = ""
        self.requests: list[dict[str, str]] = []

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        self.requests.append(dict(request.headers))
        return await asyncio.to_thread(self.answer, dict(request.headers), body)

    def answer(self, headers: dict[str, str], body: bytes) -> web.Response:
        entity = openssl_decrypt(self.tmp, body, self.theirs)
        disposition = "processed/Warning: duplicate-document" if self.style == "pyas2lib-duplicate" else "processed"
        report = ("Content-Type: multipart/report; report-type=disposition-notification; boundary=\"rep\"\r\n\r\n"
                  "--rep\r\nContent-Type: text/plain\r\n\r\nreceived\r\n"
                  "--rep\r\nContent-Type: message/disposition-notification\r\n\r\n"
                  "Reporting-UA: peer\r\nFinal-Recipient: rfc822; BIGBOX-AS2\r\n"
                  f"Original-Message-ID: {headers['Message-ID']}\r\n"
                  + (f"Received-Content-MIC: {base64.b64encode(hashlib.sha1(entity).digest()).decode()}, sha1\r\n"
                     if self.style == "mendelson" else "")
                  + f"Disposition: automatic-action/MDN-sent-automatically; {disposition}\r\n\r\n--rep--\r\n"
                  ).encode()
        if self.style == "openas2":
            assert "Disposition-Notification-Options" not in headers
            head, _, mdn_body = report.partition(b"\r\n\r\n")
            return web.Response(body=mdn_body, headers={"Content-Type": head.decode().split(":", 1)[1].strip()})
        ctype, mdn_body = openssl_signed_mdn(self.tmp, report, self.theirs)
        return web.Response(body=mdn_body, headers={"Content-Type": ctype})


@contextlib.asynccontextmanager
async def listening(handle: Callable[[web.Request], Awaitable[web.Response]]) -> AsyncIterator[str]:
    """`handle` serving POST /as2 on loopback: its URL."""
    app = web.Application()
    app.router.add_post("/as2", handle)
    runner, port = await serve(app)
    try:
        yield f"http://127.0.0.1:{port}/as2"
    finally:
        await runner.cleanup()


@pytest.fixture
async def answering(tmp_path: Path, request: pytest.FixtureRequest) -> AsyncIterator[Answering]:
    certs = tmp_path / "certs"
    p = Answering(tmp_path, make_cert(certs, "acme"), make_cert(certs, "bigbox"), request.param)
    async with listening(p.handle) as p.url:
        yield p


@pytest.mark.parametrize("answering, mdn_signed, detail", [
    ("openas2", False, "MDN processed"),
    ("pyas2lib-duplicate", True, "MDN processed/warning: duplicate-document")], indirect=["answering"])
async def test_an_mdn_without_a_mic_where_the_rfc_or_the_product_leaves_it_out_is_a_receipt(
        tmp_path: Path, answering: Answering, mdn_signed: bool, detail: str) -> None:
    """RFC 4130 7.4.3 requires the MIC in signed receipts only. Both answers were taken for the partner's refusal
    ('carries no Received-Content-MIC'): the message ended rejected, though the partner had it."""
    sender = sender_for(tmp_path, answering.ours)
    result = await sender.send(outbound_message(), DOC, partner_for(answering, mdn_signed=mdn_signed))
    assert result.rejected is None and result.detail == detail


@pytest.mark.parametrize("answering", ["no-mic", "mendelson"], indirect=True)
async def test_a_signed_mdn_without_the_mic_to_a_message_we_did_not_sign_is_a_receipt(
        tmp_path: Path, answering: Answering) -> None:
    """pyas2lib (django-pyas2) computes the MIC only when it verifies a signature: its signed 'processed' to an
    unsigned message has none. Mendelson computes it in SHA-1, not the sha-256 we asked for. Both were taken for
    a refusal: the message ended rejected though the partner had it."""
    sender = sender_for(tmp_path, answering.ours)
    result = await sender.send(outbound_message(), DOC, partner_for(answering, sign=False))
    assert result.rejected is None and result.detail == "MDN processed"


@pytest.mark.parametrize("answering", ["no-mic"], indirect=True)
async def test_a_signed_processed_mdn_without_the_mic_is_still_refused(tmp_path: Path, answering: Answering) -> None:
    result = await sender_for(tmp_path, answering.ours).send(outbound_message(), DOC, partner_for(answering))
    assert result.rejected is not None and "carries no Received-Content-MIC" in result.rejected


# --------------------------------------------------------------------------- what we receive

def _encrypt(tmp: Path, entity: bytes, recipient: Cert, name: str) -> Path:
    (tmp / f"{name}.in").write_bytes(entity)
    r = openssl("cms", "-encrypt", "-binary", "-aes256", "-in", tmp / f"{name}.in", "-outform", "DER",
                "-out", tmp / f"{name}.p7m", "-recip", recipient.cert_path)
    assert r.returncode == 0, r.stderr
    return tmp / f"{name}.p7m"


def _signed(tmp: Path, entity: bytes, signer: Cert, *extra: str) -> bytes:
    (tmp / "to-sign").write_bytes(entity)
    r = openssl("cms", "-sign", "-binary", "-crlfeol", "-md", "sha256", "-in", tmp / "to-sign", "-signer",
                signer.cert_path, "-inkey", signer.key_path, *extra, "-outform", "SMIME", "-out", tmp / "signed")
    assert r.returncode == 0, r.stderr
    return (tmp / "signed").read_bytes()


@pytest.mark.parametrize("case", ["compressed-unlabelled", "opaque-signature-unlabelled", "base64-without-cte"])
async def test_a_body_is_opened_by_its_cms_content_type_and_encoding_not_its_labels(
        world: World, intake: JournalIntake, case: str) -> None:
    """smime-type left out (RFC 2633 had none: `application/pkcs7-mime; name=smime.p7z` on a compressed or signed
    body), and a base64 body sent without Content-Transfer-Encoding. Each was refused `decryption-failed`: the
    missing label was read as enveloped-data, and base64 text as DER."""
    server = await start_server(world, intake)
    tmp = world.tmp / case
    tmp.mkdir()
    inner = b"Content-Type: application/edi-x12\r\nContent-Disposition: attachment; filename=\"po.edi\"\r\n\r\n" + PAYLOAD
    try:
        if case == "compressed-unlabelled":
            signed_content = compressed_entity(inner).replace(b"smime-type=compressed-data; ", b"")
            body = _encrypt(tmp, _signed(tmp, signed_content, world.partner), world.ours, "m")
        elif case == "opaque-signature-unlabelled":
            signed_content = inner
            opaque = _signed(tmp, inner, world.partner, "-nodetach")
            assert b"smime-type=signed-data; " in opaque
            body = _encrypt(tmp, opaque.replace(b"smime-type=signed-data; ", b""), world.ours, "m")
        else:
            signed_content = inner
            der = _encrypt(tmp, _signed(tmp, inner, world.partner), world.ours, "m").read_bytes()
            body = tmp / "m.b64"
            body.write_bytes(base64.encodebytes(der).replace(b"\n", b"\r\n"))
        ctype = "application/pkcs7-mime; name=smime.p7m"
        reply = await post(world, body, as2_headers("BIGBOX-AS2", "ACMEDIST", f"<{case}@bigbox>", ctype))
        fields = mdn_fields(verify_mdn(tmp, reply.headers["content-type"], reply.body, world.ours))
        assert fields["disposition"].endswith("; processed"), fields
        mic = base64.b64encode(hashlib.sha256(signed_content).digest()).decode()
        assert fields["received-content-mic"] == f"{mic}, sha-256"
        (msg,) = intake.messages()
        assert intake.stored(msg) == PAYLOAD and msg.filename == "po.edi"
    finally:
        await server.close()


# --------------------------------------------------------------------------- the MIC of an unsigned message

def _decompressed(entity: bytes) -> bytes:
    """The entity inside an RFC 3274 compressed-data entity (asn1crypto + zlib: openssl here has no zlib)."""
    import zlib

    from asn1crypto import cms as acms
    head, _, body = entity.partition(b"\r\n\r\n")
    der = base64.b64decode(body) if b"base64" in head.lower() else body
    return zlib.decompress(acms.ContentInfo.load(der)["content"]["encap_content_info"]["content"].native)


class RfcPeer:
    """A partner computing the MIC of an unsigned message as RFC 4130 7.3.1 and RFC 5402 say and OpenAS2 does:
    over the uncompressed entity with its headers when encrypted, over the content alone when not; it answers an
    unsigned MDN quoting it."""

    def __init__(self, tmp: Path, theirs: Cert) -> None:
        self.tmp, self.theirs = tmp, theirs
        self.url = ""
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.strip_brackets = False                 # Original-Message-ID without the angle brackets we sent

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        headers = dict(request.headers)
        entity = await asyncio.to_thread(self.open, headers, body)
        self.received.append((headers, entity))
        if "smime-type=enveloped-data" in headers["Content-Type"]:
            content = entity                                   # headers and all
        else:
            content = body
        mic = base64.b64encode(hashlib.sha256(content).digest()).decode()
        report = ("--rep\r\nContent-Type: text/plain\r\n\r\nreceived\r\n"
                  "--rep\r\nContent-Type: message/disposition-notification\r\n\r\n"
                  f"Original-Message-ID: {self.original_id(headers['Message-ID'])}\r\n"
                  f"Received-Content-MIC: {mic}, sha-256\r\n"
                  "Disposition: automatic-action/MDN-sent-automatically; processed\r\n\r\n--rep--\r\n")
        return web.Response(body=report.encode(), headers={
            "Content-Type": 'multipart/report; report-type=disposition-notification; boundary="rep"'})

    def original_id(self, message_id: str) -> str:
        return message_id.strip("<>") if self.strip_brackets else message_id

    def open(self, headers: dict[str, str], body: bytes) -> bytes:
        """The uncompressed entity of an encrypted message (openssl decrypts), else the body."""
        if "pkcs7-mime" not in headers["Content-Type"]:
            return body
        entity = openssl_decrypt(self.tmp, body, self.theirs)
        return _decompressed(entity) if b"compressed-data" in entity.partition(b"\r\n\r\n")[0] else entity


@pytest.fixture
async def rfc_peer(tmp_path: Path) -> AsyncIterator[tuple[RfcPeer, Cert]]:
    certs = tmp_path / "peer-certs"
    p = RfcPeer(tmp_path, make_cert(certs, "bigbox"))
    async with listening(p.handle) as p.url:
        yield p, make_cert(certs, "acme")


@pytest.mark.parametrize("encrypt, compress", [(False, False), (True, True)], ids=["plain", "encrypted-compressed"])
async def test_the_mic_of_an_unsigned_message_we_send_is_the_one_the_partner_computes(
        tmp_path: Path, rfc_peer: tuple[RfcPeer, Cert], encrypt: bool, compress: bool) -> None:
    """Unsigned, the MIC was over the outermost entity we built: the payload with our headers when not encrypted,
    the compressed entity when compressed. The partner's MDN quoted another MIC: the message ended rejected
    ('MIC mismatch'), though the partner had it."""
    peer, ours = rfc_peer
    partner = PartnerConfig(id="bigbox", outbound=As2Channel(
        channel="as2", as2_id="BIGBOX-AS2", certificates=[peer.theirs.cert_path], url=peer.url, sign=False,
        encrypt=encrypt, compress=compress, mdn_signed=False))
    result = await sender_for(tmp_path, ours).send(outbound_message(), DOC, partner)
    assert result.rejected is None and result.detail == "MDN processed"
    ((_, entity),) = peer.received
    assert entity.endswith(DOC)


@pytest.mark.parametrize("case", ["plain", "encrypted-compressed"])
async def test_the_mic_of_an_unsigned_message_we_receive_is_the_one_the_sender_computed(
        world: World, intake: JournalIntake, case: str) -> None:
    """Our MDN quoted a MIC over our own record of the HTTP Content-Type and the body (plain), or over the
    compressed entity: OpenAS2 finds it does not match and sends the message again."""
    server = await start_server(world, intake, require_signed=False, require_encrypted=case != "plain")
    tmp = world.tmp / case
    tmp.mkdir()
    inner = b"Content-Type: application/edi-x12\r\nContent-Disposition: attachment; filename=\"po.edi\"\r\n\r\n" + PAYLOAD
    try:
        if case == "plain":
            body, ctype, expected = tmp / "body", "application/edi-x12", PAYLOAD
            body.write_bytes(PAYLOAD)
        else:
            body = _encrypt(tmp, compressed_entity(inner), world.ours, "m")
            ctype, expected = "application/pkcs7-mime; smime-type=enveloped-data; name=smime.p7m", inner
        reply = await post(world, body, as2_headers("BIGBOX-AS2", "ACMEDIST", f"<{case}@bigbox>", ctype,
                                                    signed_mdn=False))
        fields = mdn_fields(reply.body)
        assert fields["disposition"].endswith("; processed"), fields
        mic = base64.b64encode(hashlib.sha256(expected).digest()).decode()
        assert fields["received-content-mic"] == f"{mic}, sha-256"
        (msg,) = intake.messages()
        assert intake.stored(msg) == PAYLOAD
    finally:
        await server.close()


# --------------------------------------------------------------------------- the file name of a plain message

async def test_a_plain_message_names_its_file_in_the_http_headers_and_utf8_there_is_taken(
        world: World, intake: JournalIntake) -> None:
    """Unsigned and unencrypted, the payload's MIME headers are the HTTP headers: OpenAS2 names the file in an
    HTTP Content-Disposition, which we did not read (the file was named after the Message-ID), and a header in
    UTF-8 (a Polish partner's name="Łódź 850.edi") failed the request with a 500 and a traceback."""
    server = await start_server(world, intake, require_signed=False, require_encrypted=False)
    try:
        body = world.tmp / "body"
        body.write_bytes(PAYLOAD)
        for i, name in enumerate(["po 850.edi", "Łódź 850.edi"]):
            headers = as2_headers("BIGBOX-AS2", "ACMEDIST", f"<plain{i}@bigbox>",
                                  f'application/edi-x12; name="{name}"', signed_mdn=False)
            headers["Content-Disposition"] = f'attachment; filename="{name}"'
            reply = await post(world, body, headers)
            assert reply.status == 200 and mdn_fields(reply.body)["disposition"].endswith("; processed")
        assert sorted(m.filename for m in intake.messages()) == ["d_850.edi", "po_850.edi"]
    finally:
        await server.close()


async def test_a_plain_message_we_send_names_its_file(tmp_path: Path, rfc_peer: tuple[RfcPeer, Cert]) -> None:
    peer, ours = rfc_peer
    partner = PartnerConfig(id="bigbox", outbound=As2Channel(
        channel="as2", as2_id="BIGBOX-AS2", url=peer.url, sign=False, encrypt=False, mdn_signed=False))
    assert (await sender_for(tmp_path, ours).send(outbound_message(), DOC, partner)).rejected is None
    ((headers, _),) = peer.received
    assert headers["Content-Disposition"] == 'attachment; filename="bigbox_997_000000042.x12"'


@pytest.mark.parametrize("options", [
    '"signed-receipt-protocol=optional, pkcs7-signature; signed-receipt-micalg=optional, sha1"',
    'signed-receipt-protocol=optional, "pkcs7-signature"; signed-receipt-micalg=optional, "sha1"'],
    ids=["whole-value-quoted", "items-quoted"])
async def test_a_quoted_micalg_is_the_one_the_mdn_uses(world: World, intake: JournalIntake, options: str) -> None:
    """phase2 4.4.2 quoted whole header values (phax/phase2#95), others quote the items: the quoted `sha1` was not
    recognised and the MDN's MIC came in SHA-256, which the sender refuses as another algorithm than it asked
    for (OpenAS2 sends the message again)."""
    server = await start_server(world, intake)
    try:
        ctype, body, entity = build_message(world.tmp / "q", PAYLOAD, signer=world.partner, recipient=world.ours,
                                            digest="sha1")
        headers = as2_headers("BIGBOX-AS2", "ACMEDIST", "<q@bigbox>", ctype)
        headers["Disposition-Notification-Options"] = options
        reply = await post(world, body, headers)
        fields = mdn_fields(verify_mdn(world.tmp, reply.headers["content-type"], reply.body, world.ours))
        mic = base64.b64encode(hashlib.sha1(entity.read_bytes()).digest()).decode()
        assert fields["received-content-mic"] == f"{mic}, sha1"
        assert "micalg=sha-1" in reply.headers["content-type"]
    finally:
        await server.close()


async def test_a_signature_over_the_canonical_form_gets_the_mic_of_that_form(world: World,
                                                                            intake: JournalIntake) -> None:
    """A sender that signs the canonical form (CRLF) of an entity it sends with bare LFs (text mode on Unix,
    django-pyas2#59/#84): the signature verifies on the canonical form, and the sender's MIC is over that form.
    Ours was over the bytes as received: a MIC the sender does not find, and OpenAS2 sends again."""
    server = await start_server(world, intake, require_encrypted=False)
    tmp = world.tmp / "canon"
    tmp.mkdir()
    entity = b"Content-Type: application/edi-x12\r\n\r\n" + PAYLOAD.replace(b"\n", b"\r\n") * 3
    try:
        signed = _signed(tmp, entity, world.partner)
        assert signed.count(entity) == 1
        head, _, body = signed.replace(entity, entity.replace(b"\r\n", b"\n")).partition(b"\r\n\r\n")
        ctype = " ".join(next(h for h in head.decode().split("\r\n") if h.startswith("Content-Type:")).split()[1:])
        (tmp / "body").write_bytes(body)
        reply = await post(world, tmp / "body", as2_headers("BIGBOX-AS2", "ACMEDIST", "<canon@bigbox>", ctype))
        fields = mdn_fields(verify_mdn(tmp, reply.headers["content-type"], reply.body, world.ours))
        assert fields["disposition"].endswith("; processed"), fields
        mic = base64.b64encode(hashlib.sha256(entity).digest()).decode()
        assert fields["received-content-mic"] == f"{mic}, sha-256"
    finally:
        await server.close()


async def test_an_mdn_naming_our_message_without_its_angle_brackets_settles_it(
        tmp_path: Path, rfc_peer: tuple[RfcPeer, Cert], intake: JournalIntake) -> None:
    """RFC 4130 5.3.3: brackets are not checked when receiving; OpenAS2 and Mendelson add or strip them. An MDN
    whose Original-Message-ID had lost ours was 'for another message': the sync one rejected ours, the async one
    found no message and the message stayed sent, its MDN overdue."""
    peer, ours = rfc_peer
    peer.strip_brackets = True
    partner = bigbox_as2(peer.theirs, url=peer.url, sign=False, mdn_signed=False)
    result = await sender_for(tmp_path, ours).send(outbound_message(), DOC, partner)
    assert result.rejected is None and result.detail == "MDN processed"

    async with awaiting_async_mdn(tmp_path, peer, ours, intake) as (gw, msg_id, headers, mic):
        reply = await post_mdn(tmp_path, headers["Receipt-Delivery-Option"], peer.original_id(headers["Message-ID"]),
                               f"Received-Content-MIC: {mic}, sha-256\r\n")
        assert reply.status == 200 and reply.body.startswith(b"settled"), reply.body
        assert gw.journal.get(msg_id).state is State.DONE


@contextlib.asynccontextmanager
async def awaiting_async_mdn(tmp_path: Path, peer: RfcPeer, ours: Cert, intake: JournalIntake
                             ) -> AsyncIterator[tuple[SendingGateway, str, dict[str, str], str]]:
    """Our gateway (its MDN server started) has sent a journal message to `peer` unsigned, asking an unsigned async
    MDN: the gateway, the journal id, the headers the peer received and the MIC we recorded."""
    partner = bigbox_as2(peer.theirs, url=peer.url, sign=False, mdn_signed=False, mdn="async")
    gw = sending_gateway(tmp_path / "gw", ours, partner, intake)
    await gw.server.start()
    gw.config.as2_server.public_url = f"http://127.0.0.1:{gw.server.port}/as2"
    try:
        msg = gw.journal.record_intake(direction=Direction.OUT, partner="bigbox", channel="as2",
                                       filename="bigbox_997_1.x12", sha256="1" * 64, size=len(DOC),
                                       source_key="997:1", state=State.QUEUED)
        sent = await gw.sender.send(msg, DOC, partner)
        gw.journal.transition(msg.id, State.SENT, sent.detail, expect=State.QUEUED)
        headers, _ = peer.received[-1]
        rec = gw.ledger.sent(headers["Message-ID"])
        assert rec is not None
        yield gw, msg.id, headers, rec.mic
    finally:
        await gw.server.close()
        gw.journal.close()


async def post_mdn(tmp_path: Path, url: str, original_id: str, mic_line: str, message_id: str = "<mdn1@bigbox>"
                   ) -> Reply:
    """An unsigned 'processed' MDN POSTed with curl as BigBox; `mic_line` its Received-Content-MIC line, or ''."""
    report = ("--rep\r\nContent-Type: message/disposition-notification\r\n\r\n"
              f"Original-Message-ID: {original_id}\r\n{mic_line}"
              "Disposition: automatic-action/MDN-sent-automatically; processed\r\n\r\n--rep--\r\n")
    (tmp_path / "mdn").write_bytes(report.encode())
    return await asyncio.to_thread(curl_post, url, tmp_path / "mdn", {
        "AS2-From": "BIGBOX-AS2", "AS2-To": "ACMEDIST", "Message-ID": message_id,
        "Content-Type": 'multipart/report; report-type=disposition-notification; boundary="rep"'}, tmp_path)


async def test_what_we_post_does_not_name_python_or_aiohttp(tmp_path: Path, rfc_peer: tuple[RfcPeer, Cert],
                                                            world: World, intake: JournalIntake) -> None:
    """Our server answers as `edi-gateway`; our messages and async MDNs went out with aiohttp's User-Agent, which
    names the Python and aiohttp versions to every partner (and to whoever a partner's URL leads to)."""
    peer, ours = rfc_peer
    partner = PartnerConfig(id="bigbox", outbound=As2Channel(
        channel="as2", as2_id="BIGBOX-AS2", url=peer.url, sign=False, encrypt=False, mdn_signed=False))
    assert (await sender_for(tmp_path, ours).send(outbound_message(), DOC, partner)).rejected is None
    server = await start_server(world, intake)
    try:
        ctype, body, _ = build_message(world.tmp / "a", PAYLOAD, signer=world.partner, recipient=world.ours)
        await post(world, body, as2_headers("BIGBOX-AS2", "ACMEDIST", "<ua@bigbox>", ctype, async_url=peer.url))
        await wait_for_async(lambda: len(peer.received) == 2, message="our async MDN posted to the peer")
    finally:
        await server.close()
    assert [headers["User-Agent"] for headers, _ in peer.received] == ["edi-gateway", "edi-gateway"]


async def test_compressed_outside_the_signature_gets_the_mic_of_the_signed_entity(world: World,
                                                                                 intake: JournalIntake) -> None:
    """OpenAS2's compress-after-signing and pyas2lib's compression after signing: encrypted(compressed(signed)).
    The MIC is over the signed entity, inside the compressed layer."""
    server = await start_server(world, intake)
    tmp = world.tmp / "cas"
    tmp.mkdir()
    inner = b"Content-Type: application/edi-x12\r\nContent-Disposition: attachment; filename=\"po.edi\"\r\n\r\n" + PAYLOAD
    try:
        signed = _signed(tmp, inner, world.partner)
        body = _encrypt(tmp, compressed_entity(signed), world.ours, "m")
        reply = await post(world, body, as2_headers("BIGBOX-AS2", "ACMEDIST", "<cas@bigbox>",
                                                    "application/pkcs7-mime; smime-type=enveloped-data"))
        fields = mdn_fields(verify_mdn(tmp, reply.headers["content-type"], reply.body, world.ours))
        assert fields["disposition"].endswith("; processed"), fields
        mic = base64.b64encode(hashlib.sha256(inner).digest()).decode()
        assert fields["received-content-mic"] == f"{mic}, sha-256"
        (msg,) = intake.messages()
        assert intake.stored(msg) == PAYLOAD and msg.meta["layers"] == ["encrypted", "compressed", "signed"]
    finally:
        await server.close()


async def test_a_message_asking_100_continue_is_refused_before_its_body_is_sent(world: World,
                                                                               intake: JournalIntake) -> None:
    """curl asks `Expect: 100-continue` for bodies over 1 MiB, as Apache HttpClient does where enabled. A message
    its headers refuse (another AS2 id, an unknown partner) was told 100 Continue and uploaded whole to be refused;
    it is refused at once. One its headers let in gets its 100 Continue and its MDN."""
    server = await start_server(world, intake)
    try:
        ctype, body, _ = build_message(world.tmp / "big", PAYLOAD * 30_000, signer=world.partner,
                                       recipient=world.ours)
        assert body.stat().st_size > 2 << 20
        for frm, to, status in [("BIGBOX-AS2", "SOMEONE", "403"), ("NOBODY", "ACMEDIST", "403"),
                                ("BIGBOX-AS2", "ACMEDIST", "200")]:
            cmd = ["curl", "-sS", "-v", "--noproxy", "*", "--data-binary", f"@{body}", "-o", "/dev/null",
                   "-w", "%{http_code}", "-H", "Expect: 100-continue"]
            for k, v in as2_headers(frm, to, f"<big-{frm}-{to}@x>", ctype).items():
                cmd += ["-H", f"{k}: {v}"]
            r = await asyncio.to_thread(subprocess.run, [*cmd, world.url], capture_output=True, timeout=60,
                                        check=False)
            trace = r.stderr.decode()
            assert r.stdout.decode() == status, trace[-2000:]
            assert ("100 Continue" in trace) is (status == "200"), trace[-2000:]
        assert len(intake.messages()) == 1
    finally:
        await server.close()
