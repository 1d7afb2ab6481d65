"""Non-UTF-8 bytes are looked for per chunk read (x12_tokens._undecoded): a character cut by a chunk edge must
not look like bad bytes, and bad bytes cut by one must still be seen, once, and kept as they are.
A chunk edge falls anywhere in a partner's file, so every cut of a multi-byte character is tried."""

from __future__ import annotations

import io

import pytest

from gateway.formats import x12
from gateway.formats.base import Issue
from gateway.formats.x12 import X12Reader, write_parsed
from gateway.formats.x12_tokens import CHUNK_SIZE

ISA = (b"ISA*00*          *00*          *ZZ*BIGBOXRETAIL   *ZZ*ACMEDIST       *260115*1030*U*00401*"
       b"000000101*0*P*>~\n")
TAIL = (b"~\nPO1*1*10*EA*12.50**UP*614141000012~\nCTT*1~\nSE*6*0001~\nGE*1*101~\nIEA*1*000000101~\n")
HEAD = ISA + b"GS*PO*BIGBOX*ACMEDIST*20260115*1030*101*X*004010~\nST*850*0001~\nBEG*00*SA*PO-4711**20260115~\n"


def order(name: bytes, at: int = 0) -> bytes:
    """An 850 whose ship-to name is `name`, padded so that the name starts at byte `at` (0: no padding)."""
    start = HEAD + b"N1*ST*"
    pad = b"x" * (at - len(start)) if at else b""
    return start + pad + name + b"*92*0001" + TAIL


def warnings(issues: list[Issue]) -> list[str]:
    return [i.message for i in issues if "not valid UTF-8" in i.message]


VALID = ["\u20ac".encode(), "\U0001f600".encode(), "K\u00f6ln".encode()]        # 3, 4 and 2-byte characters
BROKEN = [b"\xe2\x82", b"\xf0\x9f\x98", b"K\xf6ln", b"\xed\xa0\x80"]          # cut short, Latin-1, a surrogate


@pytest.mark.parametrize("name", VALID)
def test_a_character_cut_by_a_chunk_edge_is_not_reported(name: bytes) -> None:
    for cut in range(len(name) + 1):                 # the whole file in memory: the default chunk
        data = order(name, CHUNK_SIZE - cut)
        result = x12.parse(data)
        assert warnings(result.issues) == [], cut
        assert name.decode() in result.transactions[0].segments[2].fields[2]
    for size in range(1, 9):                         # a file read as a stream, in small chunks
        reader = X12Reader(io.BytesIO(order(name)), chunk_size=size)
        assert [tx.segments[2].get(2) for tx in reader] == [name.decode()], size
        assert warnings(reader.issues) == [], size


@pytest.mark.parametrize("name", BROKEN)
def test_bad_bytes_cut_by_a_chunk_edge_are_reported_once_and_kept(name: bytes) -> None:
    for cut in range(len(name) + 1):
        data = order(name, CHUNK_SIZE - cut)
        result = x12.parse(data)
        assert len(warnings(result.issues)) == 1, cut
        assert write_parsed(result) == data
    for size in range(1, 9):
        reader = X12Reader(io.BytesIO(order(name)), chunk_size=size)
        list(reader)
        assert len(warnings(reader.issues)) == 1, size
