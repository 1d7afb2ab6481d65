"""X12 text that is not ASCII: valid UTF-8 (a BOM, an accented name) reads quietly; bytes that are not UTF-8
are kept and reported once, wherever in the file they are (the check is made per chunk read)."""

from __future__ import annotations

from gateway.formats import x12
from gateway.formats.x12 import write_parsed
from gateway.formats.x12_tokens import CHUNK_SIZE

ISA = ("ISA*00*          *00*          *ZZ*BIGBOXRETAIL   *ZZ*ACMEDIST       *260115*1030*U*00401*"
       "000000101*0*P*>~\n")


def order(names: list[str]) -> str:
    body = ["GS*PO*BIGBOX*ACMEDIST*20260115*1030*101*X*004010", "ST*850*0001", "BEG*00*SA*PO-4711**20260115"]
    body += [f"N1*ST*{name}*92*{i:04d}" for i, name in enumerate(names)]
    body += ["PO1*1*10*EA*12.50**UP*614141000012", "CTT*1", f"SE*{len(names) + 5}*0001", "GE*1*101",
             "IEA*1*000000101"]
    return ISA + "".join(f"{segment}~\n" for segment in body)


def undecoded_warnings(data: bytes) -> int:
    return sum("not valid UTF-8" in issue.message for issue in x12.parse(data).issues)


def test_a_bom_and_accented_names_in_utf8_are_not_reported() -> None:
    data = b"\xef\xbb\xbf" + order(["Lager K\u00f6ln", "Entrep\u00f4t Lyon"]).encode()
    result = x12.parse(data)
    assert undecoded_warnings(data) == 0
    assert result.transactions[0].segments[3].get(2) == "Entrep\u00f4t Lyon"
    assert write_parsed(result) == data


def test_latin1_bytes_are_reported_once_and_kept() -> None:
    data = b"\xef\xbb\xbf" + order(["Lager K\u00f6ln", "Entrep\u00f4t Lyon"]).encode("latin-1")
    assert undecoded_warnings(data) == 1
    assert write_parsed(x12.parse(data)) == data


def test_a_latin1_byte_in_a_later_chunk_is_reported() -> None:
    names = [f"Store {i}" for i in range(CHUNK_SIZE // 10)] + ["Lager K\u00f6ln"]
    data = order(names).encode("latin-1")
    assert len(data) > 2 * CHUNK_SIZE and data.index(b"\xf6") > CHUNK_SIZE
    assert undecoded_warnings(data) == 1
    assert undecoded_warnings(order(names).encode()) == 0
