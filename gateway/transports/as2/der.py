"""Streaming BER/DER: read and write the few CMS structures AS2 needs without loading payloads.

asn1crypto parses whole byte strings; a 100 MB EnvelopedData would be held two or three
times. This module walks the outer TLVs from a file and hands the small parts (recipient
infos, algorithm identifiers, signer infos) to asn1crypto while the big OCTET STRING is
streamed in chunks.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

CHUNK = 1 << 20
MAX_DEPTH = 64       # nesting levels read: CMS needs about ten; '30 80' repeated 5,000 times overflowed the stack


class DerError(ValueError):
    """The bytes are not the BER/DER structure we expected."""


class Header:
    __slots__ = ("constructed", "length", "raw", "tag")

    def __init__(self, tag: int, constructed: bool, length: int | None, raw: bytes) -> None:
        self.tag = tag                   # the identifier octet (class + constructed bit + number)
        self.constructed = constructed
        self.length = length             # None: indefinite (ends with 00 00)
        self.raw = raw                   # the header bytes as read


class Reader:
    """Reads TLVs from a binary file, forward only."""

    def __init__(self, f: BinaryIO) -> None:
        self.f = f

    def _read(self, n: int) -> bytes:
        data = self.f.read(n)
        if len(data) != n:
            raise DerError("truncated ASN.1 data")
        return data

    def header(self) -> Header:
        first = self._read(1)
        tag = first[0]
        raw = bytearray(first)
        if tag & 0x1F == 0x1F:
            raise DerError("high tag numbers are not used in CMS")
        lb = self._read(1)
        raw += lb
        n = lb[0]
        if n < 0x80:
            length: int | None = n
        elif n == 0x80:
            length = None
        else:
            count = n & 0x7F
            if count > 8:
                raise DerError("length too long")
            lbytes = self._read(count)
            raw += lbytes
            length = int.from_bytes(lbytes, "big")
        return Header(tag, bool(tag & 0x20), length, bytes(raw))

    def expect(self, tag: int) -> Header:
        h = self.header()
        if h.tag != tag:
            raise DerError(f"expected ASN.1 tag 0x{tag:02x}, found 0x{h.tag:02x}")
        return h

    def rest_of(self, h: Header, limit: int = 16 << 20, depth: int = 0) -> bytes:
        """The content of a TLV whose header was read (small items only), re-encoded as definite."""
        if h.length is not None:
            if h.length > limit:
                raise DerError("ASN.1 item too large to hold")
            return self._read(h.length)
        _nested(depth)
        parts = bytearray()
        while True:
            sub = self.header()
            if sub.tag == 0 and sub.length == 0:
                return bytes(parts)
            parts += tlv(sub.tag, self.rest_of(sub, limit, depth + 1))
            if len(parts) > limit:
                raise DerError("ASN.1 item too large to hold")

    def whole(self, limit: int = 16 << 20) -> bytes:
        """Read one complete TLV (small items), returned as definite-length bytes."""
        h = self.header()
        return tlv(h.tag, self.rest_of(h, limit))

    def octets(self, h: Header, depth: int = 0) -> Iterator[bytes]:
        """Yield the content of an OCTET STRING (primitive or constructed, up to MAX_DEPTH levels) in chunks."""
        if not h.constructed:
            left = h.length or 0
            while left:
                chunk = self._read(min(CHUNK, left))
                left -= len(chunk)
                yield chunk
            return
        consumed = 0
        while h.length is None or consumed < h.length:
            sub = self.header()
            consumed += len(sub.raw)
            if h.length is None and sub.tag == 0 and sub.length == 0:
                return
            if sub.length is None:
                if h.length is not None:
                    raise DerError("indefinite item inside a definite one")
            else:
                consumed += sub.length
            _nested(depth)
            yield from self.octets(sub, depth + 1)

    def end_of_contents(self, h: Header) -> None:
        """Consume the end-of-contents octets of an indefinite-length item."""
        if h.length is None:
            eoc = self._read(2)
            if eoc != b"\x00\x00":
                raise DerError("missing end-of-contents")


def _nested(depth: int) -> None:
    """Refuse BER nested deeper than any CMS structure is, before the recursion that reads it runs out of stack (a
    RecursionError: a traceback at ERROR for each such message from anyone, and an MDN saying 'internal error')."""
    if depth >= MAX_DEPTH:
        raise DerError(f"ASN.1 nested more than {MAX_DEPTH} levels deep")


def length_bytes(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def header(tag: int, length: int) -> bytes:
    return bytes([tag]) + length_bytes(length)


def tlv(tag: int, content: bytes) -> bytes:
    return header(tag, len(content)) + content
