"""Message Disposition Notifications (RFC 3798 as profiled by RFC 4130 §7): build and read."""

from __future__ import annotations

import base64
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from aiohttp import StreamReader
from cryptography import x509

from gateway.transports.as2 import cms, mime

MAX_MDN = 1 << 20
MAX_REPORT_PARTS = 8        # RFC 6522: a text, the notification, maybe the original; some products add one


@dataclass(slots=True)
class Disposition:
    """`processed`, `processed/warning: duplicate-document`, `processed/error: authentication-failed`, ..."""

    status: str                    # "processed" | "failed"
    kind: str | None = None        # "error" | "warning" | "failure"
    modifier: str | None = None    # "authentication-failed", "duplicate-document", ...

    def __str__(self) -> str:
        text = self.status
        if self.kind:
            text += f"/{self.kind}: {self.modifier or ''}"
        return text

    @property
    def ok(self) -> bool:
        return self.status == "processed" and self.kind in (None, "warning")

    @classmethod
    def parse(cls, value: str) -> Disposition:
        part = value.split(";", 1)[-1].strip()
        status, _, rest = part.partition("/")
        kind, _, modifier = rest.partition(":")
        return cls(status.strip().lower(), kind.strip().lower() or None, modifier.strip() or None)


def new_message_id(domain: str) -> str:
    return f"<{uuid.uuid4().hex}@{domain}>"


def build(*, original_message_id: str, our_id: str, partner_id: str, disposition: Disposition,
          mic: tuple[str, str] | None, text: str, signer: cms.Identity | None,
          sign_digest: str = "sha256") -> tuple[dict[str, str], bytes]:
    """HTTP headers and body of an MDN; `mic` is (base64 value, algorithm as the partner spelled it)."""
    boundary = f"----=_mdn_{uuid.uuid4().hex}"
    fields = [
        "Reporting-UA: edi-gateway",
        f"Original-Recipient: rfc822; {our_id}",
        f"Final-Recipient: rfc822; {our_id}",
        f"Original-Message-ID: {original_message_id}",
    ]
    if mic is not None:
        fields.append(f"Received-Content-MIC: {mic[0]}, {mic[1]}")
    fields.append(f"Disposition: automatic-action/MDN-sent-automatically; {disposition}")
    report_ct = f'multipart/report; report-type=disposition-notification; boundary="{boundary}"'
    report_body = (
        f"--{boundary}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{text}\r\n"
        f"--{boundary}\r\nContent-Type: message/disposition-notification\r\n\r\n"
        + "\r\n".join(fields) + f"\r\n\r\n--{boundary}--\r\n"
    ).encode("utf-8")
    headers = {
        "AS2-Version": "1.2", "AS2-From": quote_id(our_id), "AS2-To": quote_id(partner_id),
        "Message-ID": new_message_id("edi-gateway"), "MIME-Version": "1.0",
    }
    if signer is None:
        headers["Content-Type"] = report_ct
        return headers, report_body
    headers["Content-Type"], body = _signed(f"Content-Type: {report_ct}\r\n\r\n".encode() + report_body, signer,
                                            sign_digest)
    return headers, body


def _signed(entity: bytes, signer: cms.Identity, sign_digest: str) -> tuple[str, bytes]:
    """The Content-Type and body of `entity` in a multipart/signed with a detached signature."""
    sig = cms.sign_detached(_digest(entity, sign_digest), sign_digest, signer)
    outer = f"----=_sig_{uuid.uuid4().hex}"
    body = (f"--{outer}\r\n".encode() + entity + f"\r\n--{outer}\r\n".encode()
            + b"Content-Type: application/pkcs7-signature; name=smime.p7s\r\n"
              b"Content-Transfer-Encoding: base64\r\n"
              b"Content-Disposition: attachment; filename=smime.p7s\r\n\r\n"
            + base64.encodebytes(sig).replace(b"\n", b"\r\n") + f"--{outer}--\r\n".encode())
    return (f'multipart/signed; protocol="application/pkcs7-signature"; micalg={cms.micalg_name(sign_digest)}; '
            f'boundary="{outer}"'), body


def signed_again(headers: dict[str, str], body: bytes, signer: cms.Identity) -> tuple[dict[str, str], bytes] | None:
    """A queued MDN signed with `signer`, when another key signed it (ours before a certificate rotation, which
    the partner may no longer hold), with the digest it was signed with; None when it is unsigned or `signer`'s.
    The signed report is kept byte for byte: its MIC and disposition describe the message received."""
    name = next((k for k in headers if k.lower() == "content-type"), "Content-Type")
    content_type = headers.get(name, "")
    if not content_type.lower().startswith("multipart/signed"):
        return None
    with tempfile.TemporaryDirectory(prefix="mdn-") as tmp:
        path = Path(tmp) / "mdn"
        path.write_bytes(f"Content-Type: {content_type}\r\n\r\n".encode("latin-1") + body)
        parts = mime.split_multipart(mime.read_entity(path), 2)
        if len(parts) != 2:
            raise mime.MimeError("signed MDN must have two parts")
        entity = path.read_bytes()[parts[0][0]:parts[0][1]]
        made_by, digest = cms.signer_of(_decoded(mime.read_entity(path, *parts[1]), Path(tmp) / "sig"))
    if made_by == cms.signer_id(signer.cert):
        return None
    new_type, new_body = _signed(entity, signer, digest)
    return {**headers, name: new_type}, new_body


def _digest(data: bytes, name: str) -> bytes:
    h = cms.new_hash(name)
    h.update(data)
    return h.digest()


def quote_id(as2_id: str) -> str:
    """AS2 ids with spaces are sent quoted (RFC 4130 §6.2)."""
    return f'"{as2_id}"' if " " in as2_id else as2_id


def bare_message_id(message_id: str) -> str:
    """A Message-ID without its angle brackets: some products add or strip them in Original-Message-ID, and
    RFC 4130 5.3.3 says not to check for them when receiving."""
    return message_id.strip().removeprefix("<").removesuffix(">")


def unquote_id(value: str | None) -> str:
    v = (value or "").strip()
    return v[1:-1] if len(v) >= 2 and v[0] == v[-1] == '"' else v


@dataclass(slots=True)
class Mdn:
    original_message_id: str
    disposition: Disposition
    mic: str | None                 # base64 value
    mic_alg: str | None             # normalised ("sha256")
    signed: bool
    text: str


async def receive(stream: StreamReader, limit: int = MAX_MDN) -> bytes:
    """The whole body of an MDN as it arrives over HTTP, up to `limit` + 1 bytes (more is refused by `read`).

    `StreamReader.read(n)` returns what has arrived so far, not n bytes: an MDN bigger than one
    TCP segment would be cut short, so this reads to the end of the body.
    """
    body = bytearray()
    async for chunk in stream.iter_any():
        body += chunk
        if len(body) > limit:
            break
    return bytes(body)


def read(content_type: str, body: bytes, certs: list[x509.Certificate], require_signed: bool) -> Mdn:
    """Parse an MDN, verifying its signature with the partner's certificates when signed."""
    if len(body) > MAX_MDN:
        raise mime.MimeError("MDN larger than 1 MiB")
    with tempfile.TemporaryDirectory(prefix="mdn-") as tmp:
        path = Path(tmp) / "mdn"
        path.write_bytes(f"Content-Type: {content_type}\r\n\r\n".encode("latin-1") + body)
        ent = mime.read_entity(path)
        signed = False
        if ent.content_type == "multipart/signed":
            parts = mime.split_multipart(ent, 2)
            if len(parts) != 2:
                raise mime.MimeError("signed MDN must have two parts")
            signed_part = mime.read_entity(path, *parts[0])
            sig_part = mime.read_entity(path, *parts[1])
            sig = _decoded(sig_part, Path(tmp) / "sig")
            cms.verify_detached(sig, lambda n: _both_digests(path, parts[0], n), certs)
            signed = True
            ent = signed_part
        elif require_signed:
            raise cms.CmsError("MDN is not signed but a signed MDN was requested")
        if ent.content_type != "multipart/report":
            raise mime.MimeError(f"MDN is {ent.content_type}, expected multipart/report")
        text = ""
        fields = None
        for start, end in mime.split_multipart(ent, MAX_REPORT_PARTS):
            part = mime.read_entity(path, start, end)
            raw = _decoded(part, Path(tmp) / "part")
            if part.content_type == "message/disposition-notification":
                fields = mime.parse_headers(raw.strip() + b"\r\n\r\n")
            elif part.content_type == "text/plain" and not text:
                text = raw.decode("utf-8", "replace").strip()
        if fields is None:
            raise mime.MimeError("MDN has no message/disposition-notification part")
    mic = mic_alg = None
    if fields.get("Received-Content-MIC"):
        value, _, alg = str(fields["Received-Content-MIC"]).partition(",")
        mic, mic_alg = value.strip(), cms.norm_digest(alg) if alg.strip() else None
    return Mdn(str(fields.get("Original-Message-ID", "")).strip(),
               Disposition.parse(str(fields.get("Disposition", ""))), mic, mic_alg, signed, text)


def _decoded(ent: mime.Entity, scratch: Path) -> bytes:
    with scratch.open("wb") as f:
        mime.decode_body(ent, f)
    return scratch.read_bytes()


def _both_digests(path: Path, rng: tuple[int, int], name: str) -> Iterator[bytes]:
    """Raw first, then with canonical line endings (some products sign the canonical form)."""
    for canonical in (False, True):
        yield mime.digest_range(path, rng[0], rng[1], name, canonical=canonical)
