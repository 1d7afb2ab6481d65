"""The independent AS2 peer for tests: `openssl cms` builds and opens messages, curl posts them."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

from tests.transports.certs import Cert


async def serve(app: web.Application, port: int = 0) -> tuple[web.AppRunner, int]:
    """Serve `app` on 127.0.0.1 (a free port unless one is given); the caller cleans up the runner."""
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner, int(runner.addresses[0][1])


def openssl(*args: object) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["openssl", *map(str, args)], capture_output=True, check=False)


def compressed_entity(inner: bytes) -> bytes:
    """An RFC 3274 compressed-data MIME entity (base64), built with asn1crypto + zlib (openssl here lacks zlib)."""
    import base64
    import zlib

    from asn1crypto import cms as acms
    der = acms.ContentInfo({"content_type": "compressed_data", "content": acms.CompressedData({
        "version": "v0", "compression_algorithm": {"algorithm": "zlib"},
        "encap_content_info": {"content_type": "data", "content": zlib.compress(inner)}})}).dump()
    return (b"Content-Type: application/pkcs7-mime; smime-type=compressed-data; name=smime.p7z\r\n"
            b"Content-Transfer-Encoding: base64\r\n\r\n" + base64.encodebytes(der).replace(b"\n", b"\r\n"))


def build_message(tmp: Path, payload: bytes, *, signer: Cert | None, recipient: Cert | None,
                  digest: str = "sha256", cipher: str = "-aes256", filename: str = "po.edi",
                  tamper: bool = False, compress: bool = False, sign_opts: tuple[str, ...] = (),
                  encrypt_opts: tuple[str, ...] = ()) -> tuple[str, Path, Path]:
    """(Content-Type, body file, signed entity file) of an AS2 message made by openssl."""
    tmp.mkdir(parents=True, exist_ok=True)
    entity = tmp / "entity"
    entity.write_bytes(b"Content-Type: application/edi-x12\r\n"
                       + f'Content-Disposition: attachment; filename="{filename}"\r\n\r\n'.encode() + payload)
    if compress:
        entity.write_bytes(compressed_entity(entity.read_bytes()))
    current = entity
    ctype = "application/edi-x12"
    if signer is not None:
        signed = tmp / "signed"
        r = openssl("cms", "-sign", "-binary", "-crlfeol", "-md", digest, "-in", entity,
                    "-signer", signer.cert_path, "-inkey", signer.key_path, *sign_opts,
                    "-outform", "SMIME", "-out", signed)
        assert r.returncode == 0, r.stderr
        if tamper:
            data = signed.read_bytes()
            idx = data.index(payload[:8])
            signed.write_bytes(data[:idx] + payload[:8].swapcase() + data[idx + 8:])
        current = signed
        ctype = ""
    if recipient is not None:
        enc = tmp / "encrypted"
        r = openssl("cms", "-encrypt", "-binary", cipher, "-in", current, "-outform", "DER", "-out", enc,
                    "-recip", recipient.cert_path, *encrypt_opts)
        assert r.returncode == 0, r.stderr
        return "application/pkcs7-mime; smime-type=enveloped-data; name=smime.p7m", enc, entity
    if signer is not None:
        # unencrypted signed message: the MIME header block goes into HTTP headers
        data = current.read_bytes()
        head, _, body = data.partition(b"\r\n\r\n")
        ct = next(line for line in head.decode().replace("\r\n ", " ").replace("\r\n\t", " ").split("\r\n")
                  if line.lower().startswith("content-type:"))
        out = tmp / "body"
        out.write_bytes(body)
        return ct.split(":", 1)[1].strip(), out, entity
    out = tmp / "body"
    out.write_bytes(payload)
    return ctype, out, entity


def openssl_decrypt(tmp: Path, body: bytes, recipient: Cert) -> bytes:
    """The entity `openssl cms -decrypt` opens a DER EnvelopedData to with `recipient`'s key."""
    (tmp / "in.der").write_bytes(body)
    r = openssl("cms", "-decrypt", "-binary", "-inform", "DER", "-in", tmp / "in.der", "-recip", recipient.cert_path,
                "-inkey", recipient.key_path, "-out", tmp / "in.entity")
    assert r.returncode == 0, r.stderr
    return (tmp / "in.entity").read_bytes()


def openssl_signed_mdn(tmp: Path, report: bytes, signer: Cert) -> tuple[str, bytes]:
    """An MDN report entity (its headers and body) signed by openssl: the HTTP Content-Type and body."""
    (tmp / "mdn.report").write_bytes(report)
    r = openssl("cms", "-sign", "-binary", "-crlfeol", "-md", "sha256", "-in", tmp / "mdn.report",
                "-signer", signer.cert_path, "-inkey", signer.key_path, "-outform", "SMIME", "-out", tmp / "mdn.signed")
    assert r.returncode == 0, r.stderr
    head, _, body = (tmp / "mdn.signed").read_bytes().partition(b"\r\n\r\n")
    ctype = next(ln for ln in head.decode().split("\r\n") if ln.lower().startswith("content-type:"))
    return ctype.split(":", 1)[1].strip(), body


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes


def curl_post(url: str, body: Path, headers: dict[str, str], tmp: Path, cacert: Path | None = None) -> Reply:
    hfile, bfile = tmp / "reply.headers", tmp / "reply.body"
    cmd = ["curl", "-sS", "--noproxy", "*", "-X", "POST", "--data-binary", f"@{body}", "-D", str(hfile),
           "-o", str(bfile), "-H", "Expect:"]
    for k, v in headers.items():
        cmd += ["-H", f"{k}: {v}"]
    if cacert:
        cmd += ["--cacert", str(cacert)]
    cmd.append(url)
    r = subprocess.run(cmd, capture_output=True, timeout=120, check=False)
    assert r.returncode == 0, r.stderr
    lines = hfile.read_bytes().decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    hdrs: dict[str, str] = {}
    for line in lines[1:]:
        if ":" in line:
            k, v = line.split(":", 1)
            hdrs[k.strip().lower()] = v.strip()
    return Reply(status, hdrs, bfile.read_bytes())


def as2_headers(frm: str, to: str, message_id: str, ctype: str, *, mdn: bool = True, signed_mdn: bool = True,
                micalg: str = "sha-256", async_url: str | None = None) -> dict[str, str]:
    h = {"AS2-Version": "1.2", "AS2-From": frm, "AS2-To": to, "Message-ID": message_id,
         "Content-Type": ctype, "MIME-Version": "1.0", "Subject": "test"}
    if mdn:
        h["Disposition-Notification-To"] = "edi@example.invalid"
        if signed_mdn:
            h["Disposition-Notification-Options"] = ("signed-receipt-protocol=optional, pkcs7-signature; "
                                                     f"signed-receipt-micalg=optional, {micalg}")
    if async_url:
        h["Receipt-Delivery-Option"] = async_url
    return h


def verify_mdn(tmp: Path, content_type: str, body: bytes, signer: Cert) -> bytes:
    """openssl verifies the signed MDN against our certificate; returns the signed report entity."""
    f = tmp / "mdn.eml"
    f.write_bytes(f"MIME-Version: 1.0\r\nContent-Type: {content_type}\r\n\r\n".encode() + body)
    out = tmp / "mdn.report"
    r = openssl("cms", "-verify", "-in", f, "-CAfile", signer.cert_path, "-out", out)
    assert r.returncode == 0, r.stderr
    return out.read_bytes()
