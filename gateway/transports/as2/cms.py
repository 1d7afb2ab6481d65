"""CMS (RFC 5652) for AS2: detached signatures, EnvelopedData and CompressedData, streamed from files.

Why not pyas2lib: its 1.4.x line pins oscrypto 1.3.0, which cannot parse OpenSSL's
version string from 3.0.10 on, and it holds whole messages in memory. Why not only
`cryptography`: its PKCS#7 API signs, encrypts and decrypts byte strings in memory
and has no CompressedData. So `cryptography` does the primitives (RSA, ECDSA, AES,
3DES, hashes, X.509) and asn1crypto encodes and decodes the small CMS structures;
payload bytes are streamed through `der.Reader` in 1 MiB chunks.
"""

from __future__ import annotations

import hashlib
import os
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import BinaryIO, ClassVar, NamedTuple

from asn1crypto import algos, cms, core
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import padding as sym_padding
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa, utils
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.serialization import Encoding

from gateway.transports.as2 import der

OID_DATA = "1.2.840.113549.1.7.1"
OID_SIGNED = "1.2.840.113549.1.7.2"
OID_ENVELOPED = "1.2.840.113549.1.7.3"
OID_AUTH_ENVELOPED = "1.2.840.113549.1.9.16.1.23"
OID_COMPRESSED = "1.2.840.113549.1.9.16.1.9"
OID_ZLIB = "1.2.840.113549.1.9.16.3.8"

DIGESTS: dict[str, Callable[[], hashes.HashAlgorithm]] = {
    "md5": hashes.MD5, "sha1": hashes.SHA1, "sha224": hashes.SHA224, "sha256": hashes.SHA256,
    "sha384": hashes.SHA384, "sha512": hashes.SHA512}

# our name -> (asn1crypto EncryptionAlgorithm name, key bytes)
CIPHERS: dict[str, tuple[str, int]] = {
    "aes128-cbc": ("aes128_cbc", 16), "aes192-cbc": ("aes192_cbc", 24), "aes256-cbc": ("aes256_cbc", 32),
    "3des": ("tripledes_3key", 24),
    "aes128-gcm": ("aes128_gcm", 16), "aes192-gcm": ("aes192_gcm", 24), "aes256-gcm": ("aes256_gcm", 32),
}
OAEP_DIGESTS = {"rsa-oaep": "sha256", "rsa-oaep-sha1": "sha1", "rsa-oaep-sha256": "sha256",
                "rsa-oaep-sha384": "sha384", "rsa-oaep-sha512": "sha512"}
"""`key_encryption` names for RSAES-OAEP and the digest of OAEP and its MGF1 (RFC 4055): `rsa-oaep` is SHA-256."""
KEY_TRANSPORTS = ("rsa", *OAEP_DIGESTS)     # RSAES-PKCS1-v1_5, or RSAES-OAEP
# AES-GCM (RFC 5084) content encryption: only inside AuthEnvelopedData; asn1crypto name -> key bytes
GCM_KEYS = {"aes128_gcm": 16, "aes192_gcm": 24, "aes256_gcm": 32}


class CmsError(ValueError):
    """A CMS structure could not be verified, decrypted or decoded; the text says which check failed."""


@dataclass(slots=True)
class Identity:
    """A certificate with its private key (ours)."""

    cert: x509.Certificate
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


def norm_digest(name: str) -> str:
    """'SHA-256', 'sha256', 'sha_256', '"sha-256"' -> 'sha256' (MIC algorithm spellings vary between products;
    some quote header values)."""
    return name.strip().strip("\"'").strip().lower().replace("-", "").replace("_", "")


def micalg_name(name: str) -> str:
    """RFC 5751 micalg spelling: sha256 -> sha-256."""
    n = norm_digest(name)
    return {"sha1": "sha-1", "md5": "md5"}.get(n, n.replace("sha", "sha-", 1))


def new_hash(name: str) -> hashlib._Hash:
    n = norm_digest(name)
    if n not in DIGESTS:
        raise CmsError(f"unsupported digest algorithm {name!r}")
    return hashlib.new(n)


# --------------------------------------------------------------------------- signatures

def _asn1_cert(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(Encoding.DER))


def sign_detached(digest: bytes, digest_name: str, signer: Identity) -> bytes:
    """A detached SignedData (DER) over content whose digest is given, with signed attributes."""
    n = norm_digest(digest_name)
    attrs = cms.CMSAttributes([
        cms.CMSAttribute({"type": "content_type", "values": ["data"]}),
        cms.CMSAttribute({"type": "signing_time",
                          "values": [cms.Time({"utc_time": core.UTCTime(datetime.now(UTC))})]}),
        cms.CMSAttribute({"type": "message_digest", "values": [digest]}),
    ])
    to_sign = attrs.dump()
    hash_cls = DIGESTS[n]
    if isinstance(signer.key, rsa.RSAPrivateKey):
        signature = signer.key.sign(to_sign, padding.PKCS1v15(), hash_cls())
        sig_alg = {"algorithm": "rsassa_pkcs1v15"}
    else:
        signature = signer.key.sign(to_sign, ec.ECDSA(hash_cls()))
        sig_alg = {"algorithm": f"{n}_ecdsa"}
    cert = _asn1_cert(signer.cert)
    signer_info = cms.SignerInfo({
        "version": "v1",
        "sid": cms.SignerIdentifier({"issuer_and_serial_number": cms.IssuerAndSerialNumber({
            "issuer": cert.issuer, "serial_number": cert.serial_number})}),
        "digest_algorithm": algos.DigestAlgorithm({"algorithm": n}),
        "signed_attrs": attrs,
        "signature_algorithm": algos.SignedDigestAlgorithm(sig_alg),
        "signature": signature,
    })
    signed = cms.SignedData({
        "version": "v1",
        "digest_algorithms": [algos.DigestAlgorithm({"algorithm": n})],
        "encap_content_info": {"content_type": "data"},
        "certificates": [cert],
        "signer_infos": [signer_info],
    })
    return bytes(cms.ContentInfo({"content_type": "signed_data", "content": signed}).dump())


def signer_id(cert: x509.Certificate) -> bytes:
    """How a SignerInfo names `cert` (issuer and serial number, DER), as `sign_detached` writes it."""
    asn1 = _asn1_cert(cert)
    return bytes(cms.IssuerAndSerialNumber({"issuer": asn1.issuer, "serial_number": asn1.serial_number}).dump())


def _first_signer(signature_der: bytes) -> tuple[cms.SignerInfo, str]:
    """The first SignerInfo of a SignedData (AS2 messages and MDNs carry one signer) and its digest's name, or
    CmsError saying why not."""
    try:
        info = cms.ContentInfo.load(signature_der)
        if info["content_type"].dotted != OID_SIGNED:
            raise CmsError("signature part is not a CMS SignedData")
        signer_infos = info["content"]["signer_infos"]
        if len(signer_infos) == 0:
            raise CmsError("SignedData has no signer")
        si = signer_infos[0]
        return si, norm_digest(si["digest_algorithm"]["algorithm"].native)
    except (ValueError, TypeError, KeyError) as exc:
        if isinstance(exc, CmsError):
            raise
        raise CmsError(f"signature is not valid CMS: {exc}") from exc


def signer_of(signature_der: bytes) -> tuple[bytes, str]:
    """Who made a SignedData (its first signer as `signer_id` names a certificate) and with which digest."""
    si, digest_name = _first_signer(signature_der)
    return bytes(si["sid"].chosen.dump()), digest_name


@dataclass(slots=True)
class Verified:
    digest_name: str                   # "sha256"
    signer: x509.Certificate           # the configured partner certificate that verified
    candidate: int = 0                 # which of the content's candidate digests it signed (0 raw, 1 canonical)


def verify_detached(signature_der: bytes, digests: Callable[[str], Iterable[bytes]],
                    certs: list[x509.Certificate]) -> Verified:
    """Check a detached SignedData against the content and the partner's certificates.

    `digests(name)` yields candidate digests of the signed content (raw, then canonical
    line endings) for the signer's digest algorithm. Any of `certs` may verify (rollover).
    """
    si, digest_name = _first_signer(signature_der)
    if not certs:
        raise CmsError("no partner certificate configured to verify the signature")
    if digest_name not in DIGESTS:
        raise CmsError(f"unsupported digest algorithm {digest_name}")
    hash_cls = DIGESTS[digest_name]
    attrs = si["signed_attrs"]
    if attrs.native is not None and len(attrs):
        md = None
        for attr in attrs:
            if attr["type"].native == "message_digest":
                md = attr["values"][0].native
        if md is None:
            raise CmsError("signed attributes carry no message digest")
        matched = next((i for i, d in enumerate(digests(digest_name)) if d == md), None)   # lazy: canonical
        if matched is None:                                                            # form only if raw fails
            raise CmsError("content digest does not match the signature (payload altered: MIC mismatch)")
        candidates: list[bytes] = []
        signed_bytes = der.tlv(0x31, attrs.contents)
        prehashed = False
    else:
        candidates = list(digests(digest_name))
        signed_bytes = b""
        prehashed = True
    sig = si["signature"].native
    sig_alg = si["signature_algorithm"]
    last: Exception | None = None
    for cert in certs:
        pub = cert.public_key()
        try:
            for i, content_digest in enumerate(candidates if prehashed else [b""]):
                try:
                    _verify_one(pub, sig, sig_alg, signed_bytes, content_digest, hash_cls, prehashed)
                    return Verified(digest_name, cert, i if prehashed else matched or 0)
                except InvalidSignature as exc:
                    last = exc
        except (ValueError, TypeError) as exc:
            last = exc
    raise CmsError("signature does not verify with any configured partner certificate"
                   + (f" ({last})" if last and str(last) else ""))


def _enter(r: der.Reader, oids: tuple[str, ...], refusal: str) -> str:
    """Step into a ContentInfo whose content type is one of `oids`, up to its content's first field; the OID."""
    r.expect(0x30)
    oid = str(core.ObjectIdentifier.load(r.whole()).dotted)
    if oid not in oids:
        raise CmsError(refusal)
    r.expect(0xA0)
    r.expect(0x30)
    return oid


def open_signed_stream(src: BinaryIO, dst: BinaryIO, certs: list[x509.Certificate]) -> Verified:
    """An opaque signature (smime-type=signed-data: a SignedData that carries its content): the content is
    streamed to `dst` while it is hashed, then the signature is checked as a detached one over it.
    `dst` holds unverified bytes until this returns; a caller discards it on CmsError."""
    r = der.Reader(src)
    try:
        _enter(r, (OID_SIGNED,), "body is not a CMS SignedData")
        version = r.whole()
        digest_algs = r.whole()
        names = {norm_digest(a["algorithm"].native) for a in cms.DigestAlgorithms.load(digest_algs)}
        hashers = {n: new_hash(n) for n in names if n in DIGESTS}
        encap = r.expect(0x30)
        r.whole()                                       # eContentType
        wrapper = r.header()
        if wrapper.tag != 0xA0:
            raise CmsError("SignedData carries no content (a detached signature needs multipart/signed)")
        octets = r.header()
        if octets.tag not in (0x04, 0x24):
            raise CmsError("signed content is not an OCTET STRING")
        for chunk in r.octets(octets):
            for h in hashers.values():
                h.update(chunk)
            dst.write(chunk)
        r.end_of_contents(wrapper)
        r.end_of_contents(encap)
        rest = []                                       # [0] certificates, [1] crls, then signerInfos
        while True:
            item = r.whole()
            if item[0] == 0x31:
                break
            rest.append(item)
        detached = cms.ContentInfo({"content_type": "signed_data", "content": cms.SignedData.load(der.tlv(
            0x30, version + digest_algs + der.tlv(0x30, core.ObjectIdentifier(OID_DATA).dump())
            + b"".join(rest) + item))}).dump()
    except der.DerError as exc:
        raise CmsError(f"signed body is not valid CMS: {exc}") from exc
    return verify_detached(detached, lambda name: iter([hashers[name].digest()] if name in hashers else []), certs)


def _verify_one(pub: object, sig: bytes, sig_alg: algos.SignedDigestAlgorithm, data: bytes,
                content_digest: bytes, hash_cls: Callable[[], hashes.HashAlgorithm], prehashed: bool) -> None:
    name = sig_alg["algorithm"].native
    msg, algo = (content_digest, utils.Prehashed(hash_cls())) if prehashed else (data, hash_cls())
    if isinstance(pub, rsa.RSAPublicKey):
        if name == "rsassa_pss":
            params = sig_alg["parameters"]
            pss_hash = DIGESTS[norm_digest(params["hash_algorithm"]["algorithm"].native)]
            mgf_hash = DIGESTS[norm_digest(params["mask_gen_algorithm"]["parameters"]["algorithm"].native)]
            pad: padding.AsymmetricPadding = padding.PSS(padding.MGF1(mgf_hash()), params["salt_length"].native)
            if not prehashed:
                algo = pss_hash()
        else:
            pad = padding.PKCS1v15()
        pub.verify(sig, msg, pad, algo)
    elif isinstance(pub, ec.EllipticCurvePublicKey):
        pub.verify(sig, msg, ec.ECDSA(algo))
    else:
        raise CmsError("unsupported partner key type")


# --------------------------------------------------------------------------- encryption

def _content_info_head(oid: str, content_len: int) -> bytes:
    """ContentInfo { contentType oid, [0] EXPLICIT SEQUENCE } up to where the SEQUENCE's `content_len`
    bytes begin: written first so that the content itself can be streamed after it."""
    inner = der.header(0x30, content_len)
    oid_der: bytes = core.ObjectIdentifier(oid).dump()
    explicit = der.header(0xA0, len(inner) + content_len)
    outer = der.header(0x30, len(oid_der) + len(explicit) + len(inner) + content_len)
    return outer + oid_der + explicit + inner


def _cipher(name: str, key: bytes, iv: bytes) -> Cipher[modes.CBC]:
    if name == "tripledes_3key":
        return Cipher(TripleDES(key), modes.CBC(iv))
    if name in ("aes128_cbc", "aes192_cbc", "aes256_cbc"):
        return Cipher(algorithms.AES(key), modes.CBC(iv))
    raise CmsError(f"unsupported content encryption algorithm {name}")


class GcmParameters(core.Sequence):  # type: ignore[misc]  # asn1crypto is untyped
    """RFC 5084 GCMParameters (asn1crypto knows the AES-GCM OIDs but not their parameters)."""

    _fields: ClassVar = [("aes_nonce", core.OctetString), ("aes_icvlen", core.Integer, {"default": 12})]


def encrypt_stream(src: BinaryIO, size: int, dst: BinaryIO, recipients: list[x509.Certificate],
                   algorithm: str = "aes256-cbc", key_transport: str = "rsa") -> None:
    """Write an EnvelopedData (CBC ciphers) or AuthEnvelopedData (AES-GCM, RFC 5083/5084) of the `size`
    bytes read from `src`, DER with definite lengths; the content key wrapped per `key_transport`."""
    if algorithm not in CIPHERS:
        raise CmsError(f"unsupported encryption {algorithm}")
    if key_transport not in KEY_TRANSPORTS:
        raise CmsError(f"unsupported key transport {key_transport}")
    alg_name, key_len = CIPHERS[algorithm]
    gcm = alg_name in GCM_KEYS
    block = 8 if alg_name == "tripledes_3key" else 16
    key = os.urandom(key_len)
    iv = os.urandom(12 if gcm else block)               # RFC 5084: a 12-byte nonce is recommended
    version = core.Integer(0).dump()
    rinfos = _recipient_infos(key, recipients, key_transport)
    ctype = core.ObjectIdentifier(OID_DATA).dump()
    params: core.Asn1Value = (GcmParameters({"aes_nonce": iv, "aes_icvlen": 16}) if gcm
                              else core.OctetString(iv))
    calg = cms.EncryptionAlgorithm({"algorithm": alg_name, "parameters": params}).dump()
    enc_len = size if gcm else (size // block + 1) * block
    enc_hdr = der.header(0x80, enc_len)
    eci_len = len(ctype) + len(calg) + len(enc_hdr) + enc_len
    eci_hdr = der.header(0x30, eci_len)
    mac_len = len(der.header(0x04, 16)) + 16 if gcm else 0
    env_len = len(version) + len(rinfos) + len(eci_hdr) + eci_len + mac_len
    dst.write(_content_info_head(OID_AUTH_ENVELOPED if gcm else OID_ENVELOPED, env_len) + version + rinfos
              + eci_hdr + ctype + calg + enc_hdr)
    if gcm:
        enc = Cipher(algorithms.AES(key), modes.GCM(iv)).encryptor()
        _copy(src, size, dst, enc.update)
        dst.write(enc.finalize())
        dst.write(der.tlv(0x04, enc.tag))               # the mac, after the content it authenticates
        return
    cbc = _cipher(alg_name, key, iv).encryptor()
    padder = sym_padding.PKCS7(block * 8).padder()
    _copy(src, size, dst, lambda chunk: cbc.update(padder.update(chunk)))
    dst.write(cbc.update(padder.finalize()) + cbc.finalize())


def _copy(src: BinaryIO, size: int, dst: BinaryIO, transform: Callable[[bytes], bytes]) -> None:
    left = size
    while left:
        chunk = src.read(min(der.CHUNK, left))
        if not chunk:
            raise CmsError("source shorter than announced")
        left -= len(chunk)
        dst.write(transform(chunk))


def _recipient_infos(key: bytes, recipients: list[x509.Certificate], key_transport: str = "rsa") -> bytes:
    """RecipientInfos (DER): the content key wrapped for each certificate with RSA PKCS#1 v1.5, or with
    RSA-OAEP (the digest of `OAEP_DIGESTS` for OAEP and MGF1, no label: the parameters named in full,
    RFC 4055 section 4.1)."""
    if key_transport in OAEP_DIGESTS:
        name = OAEP_DIGESTS[key_transport]
        digest = algos.DigestAlgorithm({"algorithm": name})
        wrap = cms.KeyEncryptionAlgorithm({"algorithm": "rsaes_oaep", "parameters": algos.RSAESOAEPParams({
            "hash_algorithm": digest,
            "mask_gen_algorithm": algos.MaskGenAlgorithm({"algorithm": "mgf1", "parameters": digest})})})
        h = DIGESTS[name]
        pad: padding.AsymmetricPadding = padding.OAEP(padding.MGF1(h()), h(), None)
    else:
        wrap = cms.KeyEncryptionAlgorithm({"algorithm": "rsaes_pkcs1v15"})
        pad = padding.PKCS1v15()
    infos = []
    for cert in recipients:
        pub = cert.public_key()
        if not isinstance(pub, rsa.RSAPublicKey):
            raise CmsError("encryption needs an RSA partner certificate")
        acert = _asn1_cert(cert)
        infos.append(cms.RecipientInfo({"ktri": cms.KeyTransRecipientInfo({
            "version": "v0",
            "rid": cms.RecipientIdentifier({"issuer_and_serial_number": cms.IssuerAndSerialNumber({
                "issuer": acert.issuer, "serial_number": acert.serial_number})}),
            "key_encryption_algorithm": wrap,
            "encrypted_key": pub.encrypt(key, pad),
        })}))
    return bytes(cms.RecipientInfos(infos).dump())


class Opened(NamedTuple):
    """What opened an encrypted body: the content cipher, and which of our identities it was sent to."""

    cipher: str
    recipient: Identity


def decrypt_stream(src: BinaryIO, dst: BinaryIO, ours: list[Identity], scratch: BinaryIO | None = None) -> Opened:
    """Decrypt an EnvelopedData or AuthEnvelopedData read from `src` into `dst`.

    `ours` may hold several identities (the current key pair and previous ones during a rollover of
    our certificate): the recipient info that names one of them is the one opened.

    The content type inside the body decides, not the MIME smime-type, which partners get wrong.
    AuthEnvelopedData (AES-GCM) needs `scratch`: see `_open_auth`.
    """
    r = der.Reader(src)
    try:
        oid = _enter(r, (OID_ENVELOPED, OID_AUTH_ENVELOPED), "body is not a CMS EnvelopedData or AuthEnvelopedData")
        r.whole()                                       # version
        item = r.whole()
        if item[0] == 0xA0:                             # originatorInfo: not used for key transport
            item = r.whole()
        rinfos = cms.RecipientInfos.load(item)
        r.expect(0x30)                                  # (auth)EncryptedContentInfo
        r.whole()                                       # content type
        calg = cms.EncryptionAlgorithm.load(r.whole())
        key, recipient = _unwrap_key(rinfos, ours)
        alg_name = str(calg["algorithm"].native)
        h = r.header()
        if h.tag not in (0x80, 0xA0):
            raise CmsError("EnvelopedData carries no encrypted content")
        if oid == OID_AUTH_ENVELOPED:
            if scratch is None:
                raise CmsError("AuthEnvelopedData needs a scratch file")
            _open_auth(r, h, dst, scratch, alg_name, key, calg["parameters"].dump())
            return Opened(alg_name, recipient)
        if alg_name in GCM_KEYS:
            raise CmsError(f"{alg_name} is only valid inside AuthEnvelopedData")
        cipher = _cipher(alg_name, key, calg["parameters"].native)
        block = 8 if alg_name == "tripledes_3key" else 16
        dec = cipher.decryptor()
        unpad = sym_padding.PKCS7(block * 8).unpadder()
        dst.writelines(unpad.update(dec.update(chunk)) for chunk in r.octets(h))
        try:
            dst.write(unpad.update(dec.finalize()) + unpad.finalize())
        except ValueError as exc:
            raise CmsError("decryption failed: wrong key or damaged content") from exc
    except der.DerError as exc:
        raise CmsError(f"encrypted body is not valid CMS: {exc}") from exc
    return Opened(alg_name, recipient)


def _open_auth(r: der.Reader, h: der.Header, dst: BinaryIO, scratch: BinaryIO, alg_name: str, key: bytes,
               params_der: bytes) -> None:
    """The rest of an AuthEnvelopedData (RFC 5083) after the encrypted content's header.

    The GCM tag (`mac`) follows the ciphertext, and `cryptography` checks it only at
    finalize, so the ciphertext is copied to `scratch` (disk, chunked) first; the tag is
    then known before any plaintext is produced. Plaintext written to `dst` is still
    unauthenticated until the end: on a bad tag `dst` is emptied and CmsError raised, and
    the caller releases nothing.
    """
    if alg_name not in GCM_KEYS:
        raise CmsError(f"unsupported authenticated content encryption algorithm {alg_name}")
    try:
        params = GcmParameters.load(params_der)
        nonce, icvlen = bytes(params["aes_nonce"].native), int(params["aes_icvlen"].native)
    except (ValueError, TypeError) as exc:
        raise CmsError(f"AES-GCM parameters are not valid: {exc}") from exc
    if len(key) != GCM_KEYS[alg_name] or not 12 <= icvlen <= 16 or not nonce:
        raise CmsError("AES-GCM key, nonce or tag length is not valid")
    scratch.seek(0)
    scratch.truncate()
    scratch.writelines(r.octets(h))
    item = r.whole()                                    # authAttrs [1] (authenticated, not encrypted) or mac
    aad = b""
    if item[0] == 0xA1:                                 # RFC 5083: the AAD is their DER with a SET tag
        aad = der.tlv(0x31, _contents(item))
        item = r.whole()
    if item[0] != 0x04:
        raise CmsError("AuthEnvelopedData carries no message authentication code")
    tag = _contents(item)
    if len(tag) != icvlen:
        raise CmsError("AES-GCM tag length does not match its parameters")
    try:
        dec = Cipher(algorithms.AES(key), modes.GCM(nonce, tag, min_tag_length=12)).decryptor()
    except ValueError as exc:                           # e.g. a nonce shorter than 8 bytes
        raise CmsError(f"AES-GCM parameters are not valid: {exc}") from exc
    if aad:
        dec.authenticate_additional_data(aad)
    scratch.seek(0)
    start = dst.tell()
    while chunk := scratch.read(der.CHUNK):
        dst.write(dec.update(chunk))
    try:
        dst.write(dec.finalize())
    except InvalidTag as exc:
        dst.seek(start)
        dst.truncate()
        raise CmsError("decryption failed: AES-GCM tag does not verify (wrong key or altered content)") from exc


def _contents(tlv_bytes: bytes) -> bytes:
    """The content octets of one definite-length TLV as `der.Reader.whole` returns it."""
    n = tlv_bytes[1]
    skip = 2 if n < 0x80 else 2 + (n & 0x7F)
    return tlv_bytes[skip:]


def _unwrap_key(rinfos: cms.RecipientInfos, ours: list[Identity]) -> tuple[bytes, Identity]:
    """The content key, from the recipient info for the first of `ours` that has one: a message encrypted
    to our current and our previous certificate is opened with the current one, whatever the order."""
    for ident in ours:
        acert = _asn1_cert(ident.cert)
        for ri in rinfos:
            if ri.name != "ktri":
                continue
            ktri = ri.chosen
            rid = ktri["rid"]
            if rid.name == "issuer_and_serial_number":
                ias = rid.chosen
                if ias["serial_number"].native != acert.serial_number or ias["issuer"] != acert.issuer:
                    continue
            elif rid.chosen.native != acert.key_identifier:
                continue
            if not isinstance(ident.key, rsa.RSAPrivateKey):
                continue
            alg = ktri["key_encryption_algorithm"]
            if alg["algorithm"].native == "rsaes_oaep":
                params = alg["parameters"]
                h = DIGESTS[norm_digest(params["hash_algorithm"]["algorithm"].native)]
                mh = DIGESTS[norm_digest(params["mask_gen_algorithm"]["parameters"]["algorithm"].native)]
                pad: padding.AsymmetricPadding = padding.OAEP(padding.MGF1(mh()), h(), None)
            else:
                pad = padding.PKCS1v15()
            try:
                return bytes(ident.key.decrypt(ktri["encrypted_key"].native, pad)), ident
            except ValueError as exc:
                raise CmsError("content key does not decrypt with our private key") from exc
    raise CmsError("message is not encrypted for our certificate")


# --------------------------------------------------------------------------- compression

def compress_stream(src: BinaryIO, dst: BinaryIO, scratch: BinaryIO) -> None:
    """Write a CompressedData (zlib, RFC 3274) of `src`; `scratch` holds the deflated bytes first."""
    z = zlib.compressobj()
    while chunk := src.read(der.CHUNK):
        scratch.write(z.compress(chunk))
    scratch.write(z.flush())
    n = scratch.tell()
    scratch.seek(0)
    version = core.Integer(0).dump()
    calg = cms.CompressionAlgorithm({"algorithm": "zlib"}).dump()
    ctype = core.ObjectIdentifier(OID_DATA).dump()
    oct_hdr = der.header(0x04, n)
    expl = der.header(0xA0, len(oct_hdr) + n)
    eci_len = len(ctype) + len(expl) + len(oct_hdr) + n
    eci_hdr = der.header(0x30, eci_len)
    cd_len = len(version) + len(calg) + len(eci_hdr) + eci_len
    dst.write(_content_info_head(OID_COMPRESSED, cd_len) + version + calg + eci_hdr + ctype + expl + oct_hdr)
    while chunk := scratch.read(der.CHUNK):
        dst.write(chunk)


def decompress_stream(src: BinaryIO, dst: BinaryIO, max_size: int | None = None) -> None:
    """Inflate a CompressedData read from `src` into `dst` (bounded: no zip bombs)."""
    r = der.Reader(src)
    try:
        _enter(r, (OID_COMPRESSED,), "part is not a CMS CompressedData")
        r.whole()
        alg = cms.CompressionAlgorithm.load(r.whole())
        if alg["algorithm"].dotted != OID_ZLIB:
            raise CmsError(f"unsupported compression {alg['algorithm'].dotted}")
        r.expect(0x30)
        r.whole()
        r.expect(0xA0)
        h = r.header()
        z = zlib.decompressobj()
        total = 0
        for chunk in r.octets(h):
            data = chunk
            while data:
                total = _bounded_write(dst, z.decompress(data, der.CHUNK), total, max_size)
                data = z.unconsumed_tail
        _bounded_write(dst, z.flush(), total, max_size)
    except (der.DerError, zlib.error) as exc:
        raise CmsError(f"compressed part is not valid: {exc}") from exc


def _bounded_write(dst: BinaryIO, data: bytes, total: int, max_size: int | None) -> int:
    """Write inflated bytes unless they take the total past `max_size` (a zip bomb); the new total."""
    total += len(data)
    if max_size is not None and total > max_size:
        raise CmsError(f"decompressed content exceeds {max_size} bytes")
    dst.write(data)
    return total
