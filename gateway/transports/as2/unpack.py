"""Open a received AS2 message on disk: decrypt, verify, decompress, compute the MIC, extract the payload.

Each layer reads the previous file in chunks and writes the next one, so memory stays
flat whatever the payload size. Refusals raise `Refused` with the RFC 4130 disposition
modifier the MDN must carry.
"""

from __future__ import annotations

import base64
import binascii
import functools
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.header import decode_header, make_header
from pathlib import Path
from typing import BinaryIO

from asn1crypto import core
from cryptography import x509

from gateway.transports.as2 import cms, der, mime

PKCS7_MIME = ("application/pkcs7-mime", "application/x-pkcs7-mime")
MAX_LAYERS = 6


class Refused(Exception):
    """The message is not accepted; `modifier` goes into the MDN (`processed/error: <modifier>`)."""

    def __init__(self, modifier: str, text: str) -> None:
        self.modifier = modifier
        self.text = text
        super().__init__(f"{modifier}: {text}")


@dataclass(slots=True)
class Policy:
    certs: list[x509.Certificate]          # the partner's (old and new during a rollover)
    ours: list[cms.Identity]                # our decryption keys
    require_signed: bool = True
    require_encrypted: bool = True
    max_size: int | None = None


@dataclass(slots=True)
class Unpacked:
    payload: Path
    filename: str | None
    content_type: str
    mic: str                                # base64
    mic_alg: str                            # normalised, "sha256"
    signed: bool = False
    encrypted: bool = False
    compressed: bool = False
    layers: list[str] = field(default_factory=list)
    recipient: x509.Certificate | None = None   # which of our certificates it was encrypted to


def choose_micalg(options: str | None, fallback: str = "sha256") -> str:
    """The first supported algorithm of `signed-receipt-micalg=optional, sha-256, sha1`."""
    if options:
        m = re.search(r"signed-receipt-micalg\s*=\s*([^;]*)", options, re.IGNORECASE)
        if m:
            for item in m.group(1).split(","):
                name = cms.norm_digest(item)
                if name in cms.DIGESTS and name != "md5":
                    return name
    return fallback


def micalg_spelling(options: str | None, chosen: str) -> str:
    """The partner's own spelling of the chosen algorithm (`sha1` or `sha-1`), echoed in the MDN."""
    m = re.search(r"signed-receipt-micalg\s*=\s*([^;]*)", options or "", re.IGNORECASE)
    for item in (m.group(1).split(",") if m else []):
        if cms.norm_digest(item) == chosen:
            return item.strip().strip("\"'").strip().lower()
    return cms.micalg_name(chosen)


def unpack(outer: Path, work: Path, policy: Policy, micalg: str) -> Unpacked:
    """`outer` holds the HTTP Content-Type header block followed by the body, as received."""
    ent = mime.read_entity(outer)
    signed = encrypted = compressed = False
    mic_range: tuple[Path, int, int] | None = None
    canonical_mic = False
    layers: list[str] = []
    opened: list[cms.Opened] = []
    inflated = 0            # decompressed bytes over all layers: one budget (max_size) per message, not per layer
    for depth in range(MAX_LAYERS):
        ctype = ent.content_type
        smime = (ent.param("smime-type") or "").lower()
        kind = _cms_kind(ent, smime) if ctype in PKCS7_MIME else None
        if kind == "enveloped":
            if encrypted:
                raise Refused("unexpected-processing-error", "message is encrypted twice")
            ent = _layer(ent, work / f"layer{depth}", "decryption-failed",
                         _decrypt(policy.ours, work / f"layer{depth}.ciphertext", opened))
            encrypted = True
            layers.append("encrypted")
        elif ctype == "multipart/signed":
            try:
                parts = mime.split_multipart(ent, 2)
            except mime.MimeError as exc:
                raise Refused("integrity-check-failed", str(exc)) from exc
            if len(parts) != 2:
                raise Refused("integrity-check-failed", f"multipart/signed has {len(parts)} parts, expected 2")
            content = _entity(ent.path, *parts[0])
            sig_ent = _entity(ent.path, *parts[1])
            if sig_ent.content_type not in ("application/pkcs7-signature", "application/x-pkcs7-signature"):
                raise Refused("integrity-check-failed", f"signature part is {sig_ent.content_type}")
            _der_head(sig_ent)                          # (a base64 signature not labelled so is decoded)
            with _BodyStream(sig_ent, work / f"layer{depth}.p7s") as f:
                sig = f.read(1 << 20)
            path, (a, b) = ent.path, parts[0]
            try:
                verified = cms.verify_detached(sig, _digests(path, a, b), policy.certs)
            except cms.CmsError as exc:
                raise Refused("authentication-failed", str(exc)) from exc
            signed = True
            layers.append("signed")
            mic_range = (path, a, b)
            # the sender signed the canonical form of what it sent with bare LFs: its MIC is over that form too
            canonical_mic = verified.candidate == 1
            ent = content
        elif kind == "signed":
            # an opaque signature: the signed entity is inside the SignedData, the MIC is over it
            if signed:
                raise Refused("unexpected-processing-error", "message is signed twice")
            ent = _layer(ent, work / f"layer{depth}", "authentication-failed",
                         lambda src, dst: cms.open_signed_stream(src, dst, policy.certs))
            signed = True
            layers.append("signed")
            mic_range = (ent.path, ent.start, ent.end)
        elif kind == "compressed":
            budget = None if policy.max_size is None else policy.max_size - inflated
            ent = _layer(ent, work / f"layer{depth}", "decompression-failed",
                         functools.partial(cms.decompress_stream, max_size=budget))
            inflated += ent.end
            compressed = True
            layers.append("compressed")
        elif ctype in PKCS7_MIME:
            raise Refused("unexpected-processing-error", f"unsupported smime-type {smime!r}")
        else:
            break
    else:
        raise Refused("unexpected-processing-error", "too many nested S/MIME layers")
    if policy.require_encrypted and not encrypted:
        raise Refused("insufficient-message-security", "message is not encrypted but the partner profile "
                      "requires encryption")
    if policy.require_signed and not signed:
        raise Refused("insufficient-message-security", "message is not signed but the partner profile "
                      "requires a signature")
    payload = work / "payload"
    with payload.open("wb") as dst:
        try:
            size = mime.decode_body(ent, dst)
        except mime.MimeError as exc:
            raise Refused("unexpected-processing-error", str(exc)) from exc
    if policy.max_size is not None and size > policy.max_size:
        raise Refused("unexpected-processing-error", f"payload of {size} bytes exceeds {policy.max_size}")
    if mic_range is None:
        # unsigned (RFC 4130 7.3.1, RFC 5402 4): over the uncompressed entity, its MIME headers included when the
        # message was encrypted, else over its content alone, decoded (as OpenAS2 computes it, sending and receiving)
        mic_range = (ent.path, ent.start, ent.end) if encrypted else (payload, 0, size)
    mic = base64.b64encode(mime.digest_range(*mic_range, micalg, canonical=canonical_mic)).decode()
    return Unpacked(payload, _filename(ent), ent.content_type, mic, micalg, signed, encrypted, compressed, layers,
                    opened[0].recipient.cert if opened else None)


_KINDS = {cms.OID_ENVELOPED: "enveloped", cms.OID_AUTH_ENVELOPED: "enveloped", cms.OID_SIGNED: "signed",
          cms.OID_COMPRESSED: "compressed"}
_LABELS = {"enveloped-data": "enveloped", "authenveloped-data": "enveloped", "": "enveloped",
           "signed-data": "signed", "compressed-data": "compressed"}
_BASE64 = re.compile(rb"[A-Za-z0-9+/=\s]*")


def _cms_kind(ent: mime.Entity, smime: str) -> str | None:
    """What an application/pkcs7-mime body holds, by its CMS content type; by its smime-type label only when its
    first bytes are not a CMS ContentInfo. Products leave the label out (RFC 2633 had none: `name=smime.p7m` on a
    signed or compressed body) or write another one; opened by the label, those were refused 'decryption-failed'."""
    try:
        r = der.Reader(io.BytesIO(_der_head(ent)))
        r.expect(0x30)
        oid = str(core.ObjectIdentifier.load(r.whole()).dotted)
    except (der.DerError, ValueError, TypeError):
        return _LABELS.get(smime)
    return _KINDS.get(oid) or _LABELS.get(smime)


def _der_head(ent: mime.Entity, size: int = 1024) -> bytes:
    """The first bytes of an S/MIME body, decoded. A body in base64 without a Content-Transfer-Encoding saying so
    (over HTTP the header may be left out, RFC 4130 5.2.1) is labelled base64 here, so that it is decoded: DER
    starts with 0x30, never with the `MI` its base64 starts with."""
    with ent.path.open("rb") as f:
        f.seek(ent.body_start)
        raw = f.read(min(size, ent.end - ent.body_start))
    if (ent.transfer_encoding in ("binary", "8bit", "7bit", "") and raw.lstrip()[:2] == b"MI"
            and _BASE64.fullmatch(raw)):
        del ent.headers["Content-Transfer-Encoding"]
        ent.headers["Content-Transfer-Encoding"] = "base64"
    if ent.transfer_encoding != "base64":
        return raw
    data = b"".join(raw.split())
    try:
        return base64.b64decode(data[:len(data) // 4 * 4], validate=True)
    except binascii.Error:
        return b""


def _decrypt(ours: list[cms.Identity], scratch: Path, opened: list[cms.Opened]) -> Callable[[BinaryIO, BinaryIO], object]:
    """The decrypt step; AES-GCM (AuthEnvelopedData) parks the ciphertext in `scratch` until its tag is read.
    What opened the body is appended to `opened`."""
    def step(src: BinaryIO, dst: BinaryIO) -> cms.Opened:
        try:
            with scratch.open("w+b") as f:
                result = cms.decrypt_stream(src, dst, ours, f)
                opened.append(result)
                return result
        finally:
            scratch.unlink(missing_ok=True)             # a second copy of the body: free the disk now
    return step


def _digests(path: Path, start: int, end: int) -> Callable[[str], Iterator[bytes]]:
    """Digests of the signed part: raw first, then with canonical line endings (computed only if needed)."""
    def digests(name: str) -> Iterator[bytes]:
        for canonical in (False, True):
            yield mime.digest_range(path, start, end, name, canonical=canonical)
    return digests


def _layer(ent: mime.Entity, stem: Path, refusal: str,
           step: Callable[[BinaryIO, BinaryIO], object]) -> mime.Entity:
    """Stream `ent`'s body through one CMS step (decrypt, decompress) into `<stem>.out`; the entity inside."""
    out = stem.with_suffix(".out")
    with _BodyStream(ent, stem.with_suffix(".body")) as src, out.open("wb") as dst:
        try:
            step(src, dst)
        except cms.CmsError as exc:
            raise Refused(refusal, str(exc)) from exc
    return _entity(out)


def _entity(path: Path, start: int = 0, end: int | None = None) -> mime.Entity:
    try:
        return mime.read_entity(path, start, end)
    except mime.MimeError as exc:
        raise Refused("unexpected-processing-error", str(exc)) from exc


class _BodyStream:
    """Open an entity's body positioned at its start; decode base64 into `scratch` first."""

    def __init__(self, ent: mime.Entity, scratch: Path) -> None:
        self.ent, self.scratch = ent, scratch

    def __enter__(self) -> BinaryIO:
        if self.ent.transfer_encoding in ("binary", "8bit", "7bit", ""):
            self.f = self.ent.path.open("rb")
            self.f.seek(self.ent.body_start)
        else:
            with self.scratch.open("wb") as dst:
                try:
                    mime.decode_body(self.ent, dst)
                except mime.MimeError as exc:
                    raise Refused("unexpected-processing-error", str(exc)) from exc
            self.f = self.scratch.open("rb")
        return self.f

    def __exit__(self, *exc: object) -> None:
        self.f.close()


_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def _filename(ent: mime.Entity) -> str | None:
    """Content-Disposition filename (RFC 2231/2047 decoded), reduced to a safe base name."""
    name = ent.headers.get_filename()
    if not name:
        return None
    try:
        name = str(make_header(decode_header(name)))
    except (ValueError, LookupError):
        pass
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    safe = _SAFE.sub("_", base).strip("._")
    return safe[:200] or None
