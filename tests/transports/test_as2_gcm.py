"""AS2 with AES-GCM (CMS AuthEnvelopedData, RFC 5083/5084): openssl cms as the independent partner.

Inbound: openssl encrypts with -aes-128-gcm / -aes-256-gcm (RSA PKCS#1 v1.5 or OAEP key
transport), curl posts to our server over 127.0.0.1. Outbound: openssl decrypts what we send.
A changed ciphertext byte or tag must give `decryption-failed` and store nothing.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
from pathlib import Path

import pytest
from asn1crypto import cms as acms
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives.asymmetric import padding as asym_padding
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.serialization import Encoding

from gateway.transports.as2 import cms
from tests.transports.as2_peer import as2_headers, build_message, openssl, verify_mdn
from tests.transports.certs import Cert, make_cert
from tests.transports.conftest import JournalIntake
from tests.transports.test_as2_client import (  # noqa: F401  (peer is a fixture)
    DOC,
    Peer,
    outbound_message,
    partner_for,
    peer,
    sender_for,
)
from tests.transports.test_as2_memory import AUTH_CTYPE
from tests.transports.test_as2_server import PAYLOAD, World, mdn_fields, post, start_server
from tests.transports.test_as2_server import world as world  # noqa: PLC0414  (fixture)


@pytest.mark.parametrize("cipher,key_transport,label", [
    ("-aes-128-gcm", "pkcs1", AUTH_CTYPE),
    ("-aes-256-gcm", "oaep", AUTH_CTYPE),
    ("-aes-256-gcm", "pkcs1", "application/pkcs7-mime; smime-type=enveloped-data; name=smime.p7m"),
])
async def test_openssl_gcm_message_is_decrypted_and_gets_processed_mdn(
        world: World, intake: JournalIntake, cipher: str, key_transport: str, label: str) -> None:
    """The last case: a partner labelling AuthEnvelopedData as enveloped-data; the CMS content type decides."""
    server = await start_server(world, intake)
    try:
        opts = ("-keyopt", "rsa_padding_mode:oaep") if key_transport == "oaep" else ()
        _, body, entity = build_message(world.tmp / "g", PAYLOAD, signer=world.partner, recipient=world.ours,
                                        cipher=cipher, encrypt_opts=opts)
        assert acms.ContentInfo.load(body.read_bytes())["content_type"].native == "authenticated_enveloped_data"
        reply = await post(world, body, as2_headers("BIGBOX-AS2", "ACMEDIST", "<gcm@bigbox>", label))
        assert reply.status == 200
        fields = mdn_fields(verify_mdn(world.tmp, reply.headers["content-type"], reply.body, world.ours))
        assert fields["disposition"].endswith("; processed"), fields
        mic = base64.b64encode(hashlib.sha256(entity.read_bytes()).digest()).decode()
        assert fields["received-content-mic"] == f"{mic}, sha-256"
        (msg,) = intake.messages()
        assert intake.stored(msg) == PAYLOAD and msg.meta["layers"] == ["encrypted", "signed"]
    finally:
        await server.close()


def _tampered(body: Path, where: str) -> None:
    """Flip one bit of the GCM tag (the `mac`, last item of openssl's DER) or of the ciphertext before it."""
    data = bytearray(body.read_bytes())
    info = acms.ContentInfo.load(bytes(data))
    mac = info["content"]["mac"].native
    assert data[-len(mac):] == mac and len(mac) == 16          # openssl writes no unauthAttrs after it
    data[-1 if where == "tag" else -(len(mac) + 2 + 40)] ^= 0x01
    body.write_bytes(bytes(data))


@pytest.mark.parametrize("where", ["ciphertext", "tag"])
async def test_altered_gcm_ciphertext_or_tag_is_refused_and_nothing_stored(
        world: World, intake: JournalIntake, where: str) -> None:
    server = await start_server(world, intake)
    try:
        _, body, _ = build_message(world.tmp / where, PAYLOAD, signer=world.partner, recipient=world.ours,
                                   cipher="-aes-128-gcm")
        _tampered(body, where)
        reply = await post(world, body, as2_headers("BIGBOX-AS2", "ACMEDIST", f"<{where}@bigbox>", AUTH_CTYPE))
        assert reply.status == 200
        report = verify_mdn(world.tmp, reply.headers["content-type"], reply.body, world.ours)
        assert mdn_fields(report)["disposition"].endswith("processed/error: decryption-failed")
        assert b"AES-GCM tag does not verify" in report
        assert intake.messages() == [] and list(intake.archive) == []
        assert list((world.tmp / "state" / "as2-work").iterdir()) == []      # no decrypted leftovers
    finally:
        await server.close()


def test_a_bad_tag_releases_no_plaintext(tmp_path: Path) -> None:
    """Even the caller's output file is emptied when the tag fails (unverified plaintext is never kept)."""
    ours = make_cert(tmp_path, "acme")
    entity = tmp_path / "entity"
    entity.write_bytes(b"Content-Type: application/edi-x12\r\n\r\n" + PAYLOAD * 50)
    enc = tmp_path / "enc.der"
    r = openssl("cms", "-encrypt", "-binary", "-aes-256-gcm", "-in", entity, "-outform", "DER", "-out", enc,
                "-recip", ours.cert_path)
    assert r.returncode == 0, r.stderr
    out = io.BytesIO()
    with enc.open("rb") as src:
        assert cms.decrypt_stream(src, out, [ours.identity], io.BytesIO()).cipher == "aes256_gcm"
    assert out.getvalue() == entity.read_bytes()
    _tampered(enc, "tag")
    out = io.BytesIO()
    with enc.open("rb") as src, pytest.raises(cms.CmsError, match="AES-GCM tag does not verify"):
        cms.decrypt_stream(src, out, [ours.identity], io.BytesIO())
    assert out.getvalue() == b""


@pytest.mark.parametrize("encryption,oid_name", [("aes128-gcm", "aes-128-gcm"), ("aes256-gcm", "aes-256-gcm")])
async def test_openssl_decrypts_our_gcm_message(tmp_path: Path, peer: Peer, encryption: str,  # noqa: F811
                                                oid_name: str) -> None:
    sender = sender_for(tmp_path, peer.ours)
    result = await sender.send(outbound_message(), DOC, partner_for(peer, encryption=encryption))
    assert result.detail == "MDN processed"
    assert peer.payloads == [DOC]                       # openssl cms -decrypt, then -verify, in the peer
    headers, body = peer.requests[0]
    assert "smime-type=authEnveloped-data" in headers["Content-Type"]
    (tmp_path / "sent.der").write_bytes(body)
    parsed = openssl("asn1parse", "-inform", "DER", "-in", tmp_path / "sent.der").stdout.decode()
    assert ":id-smime-ct-authEnvelopedData" in parsed and f":{oid_name}" in parsed


def _auth_enveloped(tmp: Path, content: bytes, recipient: Cert, attrs: acms.CMSAttributes,
                    wire_attrs: acms.CMSAttributes) -> Path:
    """An AuthEnvelopedData with authAttrs, by the RFC 5083 text (openssl writes none): the tag covers
    `attrs` as AAD, the message carries `wire_attrs` (equal, or altered to show they are authenticated)."""
    key, nonce = os.urandom(16), os.urandom(12)
    sealed = AESGCM(key).encrypt(nonce, content, attrs.dump())  # AAD: the DER with its SET OF tag
    cert = asn1_x509.Certificate.load(recipient.identity.cert.public_bytes(Encoding.DER))
    pub = recipient.identity.cert.public_key()
    assert isinstance(pub, rsa.RSAPublicKey)
    rc = acms.IssuerAndSerialNumber({"issuer": cert.issuer, "serial_number": cert.serial_number})
    data = acms.ContentInfo({"content_type": "authenticated_enveloped_data", "content": acms.AuthEnvelopedData({
        "version": "v0",
        "recipient_infos": [acms.RecipientInfo({"ktri": {
            "version": "v0", "rid": {"issuer_and_serial_number": rc},
            "key_encryption_algorithm": {"algorithm": "rsaes_pkcs1v15"},
            "encrypted_key": pub.encrypt(key, asym_padding.PKCS1v15())}})],
        "auth_encrypted_content_info": {
            "content_type": "data",
            "content_encryption_algorithm": {"algorithm": "aes128_gcm",
                                             "parameters": cms.GcmParameters({"aes_nonce": nonce, "aes_icvlen": 16})},
            "encrypted_content": sealed[:-16]},
        "auth_attrs": wire_attrs,
        "mac": sealed[-16:]})}).dump()
    path = tmp / "authattrs.der"
    path.write_bytes(data)
    return path


def test_auth_attrs_are_authenticated(tmp_path: Path) -> None:
    ours = make_cert(tmp_path, "acme")
    content = b"Content-Type: application/edi-x12\r\n\r\n" + PAYLOAD

    def attrs(ctype: str) -> acms.CMSAttributes:
        return acms.CMSAttributes([acms.CMSAttribute({"type": "content_type", "values": [ctype]})])

    good = _auth_enveloped(tmp_path, content, ours, attrs("data"), attrs("data"))
    out = io.BytesIO()
    with good.open("rb") as src:
        cms.decrypt_stream(src, out, [ours.identity], io.BytesIO())
    assert out.getvalue() == content
    bad = _auth_enveloped(tmp_path, content, ours, attrs("data"), attrs("signed_data"))
    out = io.BytesIO()
    with bad.open("rb") as src, pytest.raises(cms.CmsError, match="tag does not verify"):
        cms.decrypt_stream(src, out, [ours.identity], io.BytesIO())
    assert out.getvalue() == b""


def test_a_body_for_our_current_and_previous_certificate_is_opened_with_the_current_one(tmp_path: Path) -> None:
    """During a rollover a partner may encrypt to both of our certificates; whichever recipient info comes
    first, the current key opens it (only a body for the previous certificate alone is reported as such)."""
    current, previous = make_cert(tmp_path, "acme-2027"), make_cert(tmp_path, "acme-2026")
    for order in ([previous, current], [current, previous]):
        enc = io.BytesIO()
        cms.encrypt_stream(io.BytesIO(PAYLOAD), len(PAYLOAD), enc, [c.identity.cert for c in order])
        enc.seek(0)
        out = io.BytesIO()
        opened = cms.decrypt_stream(enc, out, [current.identity, previous.identity], io.BytesIO())
        assert out.getvalue() == PAYLOAD and opened.recipient is current.identity
    enc = io.BytesIO()
    cms.encrypt_stream(io.BytesIO(PAYLOAD), len(PAYLOAD), enc, [previous.identity.cert])
    enc.seek(0)
    assert cms.decrypt_stream(enc, io.BytesIO(), [current.identity, previous.identity]).recipient is previous.identity
