"""Build an outbound AS2 message on disk: MIME entity, then compress, sign and encrypt as the partner wants."""

from __future__ import annotations

import base64
import hashlib
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509

from gateway.transports.as2 import cms, mime


@dataclass(slots=True)
class Packed:
    content_type: str          # the HTTP Content-Type header
    body: Path                 # the HTTP body
    body_offset: int           # where the body starts in `body` (after the entity's header block)
    mic: str                   # base64 MIC we expect back in the MDN
    mic_alg: str               # normalised digest name
    disposition: str | None = None   # the HTTP Content-Disposition of a message without S/MIME layers (its file name)
    mics: dict[str, list[str]] = field(default_factory=dict)   # unsigned: the MICs a partner may return, by algorithm


def _quote(name: str) -> str:
    return name.replace("\\", "_").replace('"', "_").replace("\r", "").replace("\n", "")


def pack(payload: Path, work: Path, *, filename: str, content_type: str = "application/edi-x12",
         signer: cms.Identity | None = None, digest: str = "sha256",
         recipients: list[x509.Certificate] | None = None, encryption: str = "aes256-cbc",
         key_transport: str = "rsa", compress: bool = False) -> Packed:
    """Layers in RFC 4130 order: compress (before signing), sign, encrypt."""
    work.mkdir(parents=True, exist_ok=True)
    step = 0

    def next_path() -> Path:
        nonlocal step
        step += 1
        return work / f"entity{step}"

    cur = next_path()
    with cur.open("wb") as dst, payload.open("rb") as src:
        dst.write(f'Content-Type: {content_type}\r\nContent-Transfer-Encoding: binary\r\n'
                  f'Content-Disposition: attachment; filename="{_quote(filename)}"\r\n\r\n'.encode())
        shutil.copyfileobj(src, dst, mime.CHUNK)
    mic_alg = cms.norm_digest(digest)
    mics: dict[str, list[str]] = {}
    if signer is None:
        # unsigned (RFC 4130 7.3.1, RFC 5402 4): the MIC is over the uncompressed entity, with its headers when
        # encrypted, else over the payload alone, as the receiver computes it
        mics = unsigned_mics(cur, cur.stat().st_size - payload.stat().st_size, content_too=not recipients)
        mic_digest = base64.b64decode(mics[mic_alg][-1])
    if compress:
        out = next_path()
        with cur.open("rb") as src, out.open("wb") as dst, (work / "deflated").open("w+b") as scratch:
            dst.write(b"Content-Type: application/pkcs7-mime; smime-type=compressed-data; name=smime.p7z\r\n"
                      b"Content-Transfer-Encoding: binary\r\n"
                      b"Content-Disposition: attachment; filename=smime.p7z\r\n\r\n")
            cms.compress_stream(src, dst, scratch)
        (work / "deflated").unlink()
        cur = out
    if signer is not None:
        mic_digest = mime.digest_range(cur, 0, cur.stat().st_size, mic_alg)      # the entity signed
        sig = cms.sign_detached(mic_digest, mic_alg, signer)
        boundary = f"----=_as2_{uuid.uuid4().hex}"
        out = next_path()
        with cur.open("rb") as src, out.open("wb") as dst:
            dst.write(f'Content-Type: multipart/signed; protocol="application/pkcs7-signature"; '
                      f'micalg={cms.micalg_name(mic_alg)}; boundary="{boundary}"\r\n\r\n'
                      f"--{boundary}\r\n".encode())
            shutil.copyfileobj(src, dst, mime.CHUNK)
            dst.write(f"\r\n--{boundary}\r\n".encode()
                      + b"Content-Type: application/pkcs7-signature; name=smime.p7s\r\n"
                        b"Content-Transfer-Encoding: base64\r\n"
                        b"Content-Disposition: attachment; filename=smime.p7s\r\n\r\n"
                      + base64.encodebytes(sig).replace(b"\n", b"\r\n") + f"--{boundary}--\r\n".encode())
        cur = out
    if recipients:
        out = next_path()
        with cur.open("rb") as src, out.open("wb") as dst:
            smime_type = "authEnveloped-data" if encryption.endswith("-gcm") else "enveloped-data"   # RFC 5083
            dst.write(f"Content-Type: application/pkcs7-mime; smime-type={smime_type}; name=smime.p7m\r\n"
                      "Content-Transfer-Encoding: binary\r\n"
                      "Content-Disposition: attachment; filename=smime.p7m\r\n\r\n".encode())
            cms.encrypt_stream(src, cur.stat().st_size, dst, recipients, encryption, key_transport)
        cur = out
    ent = mime.read_entity(cur)
    ctype = " ".join(str(ent.headers["Content-Type"]).split())
    # no layer: the payload's own headers become HTTP headers, its file name with them (else it is inside)
    disposition = " ".join(str(ent.headers["Content-Disposition"]).split()) if step == 1 else None
    return Packed(ctype, cur, ent.body_start - ent.start, base64.b64encode(mic_digest).decode(), mic_alg,
                  disposition, mics)


def unsigned_mics(entity: Path, content_start: int, *, content_too: bool) -> dict[str, list[str]]:
    """The MICs a partner may compute over an unsigned message's `entity` (base64, by digest name), in every
    algorithm it may answer in (ours asked or not: Mendelson answers SHA-1 to any unsigned message), so that its MDN
    is checked whatever it chose. Over the entity with its headers (RFC 4130 7.3.1 when encrypted; RFC 5402 4.3
    and Mendelson for any unsigned one); `content_too`, not encrypted: over the content from `content_start` alone
    as well (RFC 4130 7.3.1, OpenAS2), last, the form we expect. One read of the file."""
    whole = {name: hashlib.new(name, usedforsecurity=False) for name in cms.DIGESTS}
    content = {name: hashlib.new(name, usedforsecurity=False) for name in cms.DIGESTS} if content_too else {}
    at = 0
    for chunk in mime.iter_range(entity, 0, entity.stat().st_size):
        for h in whole.values():
            h.update(chunk)
        if content and at + len(chunk) > content_start:
            part = chunk[max(0, content_start - at):]
            for h in content.values():
                h.update(part)
        at += len(chunk)
    return {name: [base64.b64encode(h.digest()).decode()
                   for h in (whole[name], *([content[name]] if content else []))] for name in whole}
