"""MIME on files: header blocks, multipart boundaries and transfer decoding without loading bodies.

AS2 bodies can be hundreds of megabytes, so an entity is a (path, start, end) byte range
and everything here reads it in chunks. Only header blocks (bounded) go through Python's
`email` parser.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import Message as EmailMessage
from email.parser import BytesHeaderParser
from email.policy import compat32
from pathlib import Path
from typing import BinaryIO

CHUNK = 1 << 20
MAX_HEADER = 64 * 1024
MAX_QP_LINE = CHUNK         # a quoted-printable "line" longer than this is decoded in pieces (RFC 2045: 76)


class MimeError(ValueError):
    """A MIME entity is malformed; the text says what was expected."""


@dataclass(slots=True)
class Entity:
    """A MIME entity stored in a file between `start` and `end` (headers included)."""

    path: Path
    start: int
    end: int
    headers: EmailMessage
    body_start: int

    @property
    def content_type(self) -> str:
        return self.headers.get_content_type()

    def param(self, name: str) -> str | None:
        value = self.headers.get_param(name)
        if isinstance(value, tuple):
            value = value[2]
        return value if isinstance(value, str) else None

    @property
    def transfer_encoding(self) -> str:
        return str(self.headers.get("Content-Transfer-Encoding", "binary")).strip().lower()


def parse_headers(block: bytes) -> EmailMessage:
    return BytesHeaderParser(policy=compat32).parsebytes(block)


def read_entity(path: Path, start: int = 0, end: int | None = None) -> Entity:
    """Read the header block of the entity at [start, end) in `path`."""
    if end is None:
        end = path.stat().st_size
    with path.open("rb") as f:
        f.seek(start)
        head = f.read(min(MAX_HEADER, end - start))
    for sep in (b"\r\n\r\n", b"\n\n"):
        if head.startswith(sep[len(sep) // 2:]):           # no headers at all
            return Entity(path, start, end, parse_headers(b""), start + len(sep) // 2)
    idx_crlf = head.find(b"\r\n\r\n")
    idx_lf = head.find(b"\n\n")
    candidates = [(i, 4) for i in [idx_crlf] if i >= 0] + [(i, 2) for i in [idx_lf] if i >= 0]
    if not candidates:
        raise MimeError("MIME entity has no end of headers (blank line) within 64 KiB")
    idx, n = min(candidates)
    headers = parse_headers(head[:idx + n])
    return Entity(path, start, end, headers, start + idx + n)


def iter_range(path: Path, start: int, end: int) -> Iterator[bytes]:
    with path.open("rb") as f:
        f.seek(start)
        left = end - start
        while left > 0:
            chunk = f.read(min(CHUNK, left))
            if not chunk:
                break
            left -= len(chunk)
            yield chunk


def digest_range(path: Path, start: int, end: int, name: str, canonical: bool = False) -> bytes:
    """Digest bytes [start, end); `canonical` turns bare LF into CRLF on the fly (S/MIME text canon)."""
    h = hashlib.new(name)
    prev_cr = False
    for chunk in iter_range(path, start, end):
        if canonical:
            data = chunk.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
            if prev_cr and chunk[:1] == b"\n":
                data = data[1:]                         # CR LF split across two chunks
            prev_cr = chunk[-1:] == b"\r"
            h.update(data)
        else:
            h.update(chunk)
    return h.digest()


def split_multipart(ent: Entity, max_parts: int) -> list[tuple[int, int]]:
    """Byte ranges of the body parts of a multipart entity (delimiter CRLF excluded).

    More than `max_parts` parts is refused: the scan stops at the delimiter after the last part
    allowed, so a body of nothing but boundary lines costs no more than the parts it may have.
    """
    boundary = ent.param("boundary")
    if not boundary:
        raise MimeError(f"{ent.content_type} without a boundary parameter")
    marker = b"--" + boundary.encode("latin-1")
    positions = _delimiters(ent, marker, max_parts + 1)
    if len(positions) < 2:
        raise MimeError(f"multipart body has no parts delimited by boundary {boundary!r}")
    parts: list[tuple[int, int]] = []
    with ent.path.open("rb") as f:
        for a, b in itertools.pairwise(positions):
            f.seek(a + len(marker))
            line = f.read(256)
            if line.startswith(b"--"):
                return parts                            # close delimiter
            nl = line.find(b"\n")
            if nl < 0:
                raise MimeError("boundary line not terminated")
            start = a + len(marker) + nl + 1
            end = b - 1                                 # the LF before the next delimiter
            f.seek(end - 1)
            if f.read(1) == b"\r":
                end -= 1
            parts.append((start, max(start, end)))
        if len(positions) > max_parts:
            f.seek(positions[-1] + len(marker))
            if f.read(2) != b"--":
                raise MimeError(f"{ent.content_type} has more than {max_parts} parts")
    return parts


def _delimiters(ent: Entity, marker: bytes, limit: int) -> list[int]:
    """Offsets of the first `limit` delimiter lines (`marker` at the start of a line) in the body."""
    positions: list[int] = []
    overlap = len(marker) + 2
    with ent.path.open("rb") as f:
        pos = ent.body_start
        carry = b""
        carry_at = pos
        f.seek(pos)
        while pos < ent.end:
            chunk = f.read(min(CHUNK, ent.end - pos))
            if not chunk:
                break
            buf = carry + chunk
            base = carry_at
            i = buf.find(marker)
            while i >= 0:
                at = base + i
                line_start = at == ent.body_start or (i > 0 and buf[i - 1:i] == b"\n")
                # offsets only grow: the carried-over tail may hold a delimiter already seen
                if line_start and (not positions or at > positions[-1]):
                    positions.append(at)
                    if len(positions) == limit:
                        return positions
                i = buf.find(marker, i + 1)
            pos += len(chunk)
            carry = buf[-overlap:]
            carry_at = base + len(buf) - len(carry)
    return positions


def decode_body(ent: Entity, dst: BinaryIO) -> int:
    """Write the entity's body to `dst`, undoing its Content-Transfer-Encoding; returns bytes written."""
    enc = ent.transfer_encoding
    written = 0
    if enc in ("binary", "8bit", "7bit", ""):
        for chunk in iter_range(ent.path, ent.body_start, ent.end):
            dst.write(chunk)
            written += len(chunk)
        return written
    if enc == "base64":
        rest = b""
        for chunk in iter_range(ent.path, ent.body_start, ent.end):
            data = rest + b"".join(chunk.split())
            cut = len(data) - len(data) % 4
            rest = data[cut:]
            try:
                out = base64.b64decode(data[:cut], validate=True)
            except binascii.Error as exc:
                raise MimeError(f"invalid base64 body: {exc}") from exc
            dst.write(out)
            written += len(out)
        if rest.strip(b"="):
            raise MimeError("base64 body ends with an incomplete group")
        return written
    if enc == "quoted-printable":
        rest = b""
        for chunk in iter_range(ent.path, ent.body_start, ent.end):
            data = rest + chunk
            cut = _qp_cut(data)
            out, rest = binascii.a2b_qp(data[:cut]), data[cut:]
            dst.write(out)
            written += len(out)
        out = binascii.a2b_qp(rest)
        dst.write(out)
        return written + len(out)
    raise MimeError(f"unsupported Content-Transfer-Encoding {enc!r}")


def _qp_cut(data: bytes) -> int:
    """Where quoted-printable `data` (starting at a line or a cut) can be cut to decode it in pieces."""
    cut = data.rfind(b"\n") + 1
    if cut or len(data) <= MAX_QP_LINE:
        return cut
    # a line longer than any QP writer makes: cut where no escape (=XY), "==" or soft break (= CR LF)
    # spans the cut, as binascii.a2b_qp reads them
    for c in range(len(data) - 1, max(2, len(data) - 256), -1):
        if b"=" not in data[c - 2:c] or (data[c] == 0x3D and data[c - 1] not in b"=\r"):
            if data.find(b"=\r", 0, c) < 0:
                return c
            break
    raise MimeError(f"quoted-printable line longer than {MAX_QP_LINE} bytes")
