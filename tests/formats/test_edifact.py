"""EDIFACT reader and writer: separators, release character, character sets, envelopes, round trips."""

from __future__ import annotations

import pytest

from gateway.formats import detect, edifact
from gateway.formats.base import Delimiters, Segment, Severity, Syntax

ORDERS = (
    "UNA:+.? '\n"
    "UNB+UNOC:3+4012345000009:14+0614141000005:14+261129:0915+42++++1++1'\n"
    "UNH+1+ORDERS:D:96A:UN:EAN008'\n"
    "BGM+220+PO-4711+9'\n"
    "DTM+137:20261129:102'\n"
    "FTX+ZZZ+++Price 10?+2 ?: free?? really?'s'\n"
    "NAD+DP+4012345000016::9++Lager K\u00f6ln'\n"
    "LIN+1++00614141000012:EN'\n"
    "QTY+21:12:PCE'\n"
    "UNS+S'\n"
    "UNT+9+1'\n"
    "UNZ+1+42'\n"
)


def test_reads_envelope_message_and_segments() -> None:
    # Given an ORDERS interchange with UNA, UNOC latin-1 text and released characters
    data = ORDERS.encode("latin-1")
    # When it is read (and validated against ORDERS D96A)
    r = edifact.parse(data)
    # Then the envelope, the message and the unreleased values are there, with no issue
    assert r.issues == []
    env = r.interchanges[0]
    assert (env.sender_id, env.sender_qualifier, env.receiver_id, env.receiver_qualifier) == (
        "4012345000009", "14", "0614141000005", "14")
    assert env.control_number == "42" and env.version == "UNOC:3" and env.encoding == "latin-1"
    assert env.test is True and env.ack_requested is True
    assert env.date == "261129" and env.time == "0915"
    tx = r.transactions[0]
    assert (tx.doc_type, tx.version, tx.control_number, tx.accepted) == ("ORDERS", "D96A", "1", True)
    assert [s.tag for s in tx.segments][:3] == ["UNH", "BGM", "DTM"]
    assert [s.position for s in tx.segments] == list(range(1, 10))
    nad = tx.segments[4]
    assert nad.get(4) == "Lager K\u00f6ln" and nad.component(2, 3) == "9"
    ftx = tx.segments[3]
    assert ftx.get(4) == "Price 10+2 : free? really's"
    assert ftx.component(4, 1) == "Price 10+2 : free? really's"   # the released ':' does not split
    assert r.segment_count == 11


def test_round_trip_is_byte_identical() -> None:
    data = ORDERS.encode("latin-1")
    assert edifact.write_result(edifact.parse(data, validate=False)) == data


def test_released_component_separator_keeps_components_apart() -> None:
    # Given a segment with a real component separator and a released one
    data = (b"UNB+UNOA:3+S+R+261129:0900+1'UNH+1+ORDERS:D:96A:UN'FTX+AAI+++A?:B:C'UNT+3+1'UNZ+1+1'")
    r = edifact.parse(data, validate=False)
    ftx = r.transactions[0].segments[1]
    # Then component() sees two components, the first holding the literal ':'
    assert ftx.component(4, 1) == "A:B" and ftx.component(4, 2) == "C"
    # And writing releases the literal one again
    assert edifact.write_result(r) == data


def test_default_separators_without_una_and_byte_offsets() -> None:
    data = b"UNB+UNOA:2+S:1+R:1+261129:0900+7'UNH+9+INVOIC:D:96A:UN'BGM+380+1'UNT+3+9'UNZ+1+7'"
    r = edifact.parse(data, validate=False)
    assert r.issues == []
    env = r.interchanges[0]
    assert env.delimiters == Delimiters("+", ":", "'", None, "?", ".", "")
    bgm = r.transactions[0].segments[1]
    assert data[bgm.offset:bgm.offset + 3] == b"BGM"


def test_una_with_other_separators_and_repetition() -> None:
    data = (b"UNA:|.!*'UNB|UNOB:4|S|R|261129:0900|5'UNH|1|ORDERS:D:01B:UN'"
            b"FTX|AAI|||I!'m a!|b!*c*d'UNT|3|1'UNZ|1|5'")
    r = edifact.parse(data, validate=False)
    assert r.issues == []
    ftx = r.transactions[0].segments[1]
    assert ftx.repeats(4) == ["I'm a|b*c", "d"]
    assert edifact.write_result(r) == data


def test_syntax_version_4_default_repetition_separator() -> None:
    data = b"UNB+UNOC:4+S+R+20261129:0900+5'UNH+1+ORDERS:D:01B:UN'RFF+ON:1*ON:2'UNT+3+1'UNZ+1+5'"
    r = edifact.parse(data, validate=False)
    assert r.transactions[0].segments[1].repeats(1) == ["ON:1", "ON:2"]


@pytest.mark.parametrize(("syntax", "text", "codec"), [
    ("UNOC", "M\u00fcller", "latin-1"),
    ("UNOD", "\u0141\u00f3d\u017a", "iso8859-2"),
    ("UNOE", "\u041c\u043e\u0441\u043a\u0432\u0430", "iso8859-5"),
    ("UNOF", "\u0391\u03b8\u03ae\u03bd\u03b1", "iso8859-7"),
    ("UNOW", "\u6771\u4eac", "utf-8"),
    ("UNOY", "K\u00f6ln \u20ac", "utf-8"),
])
def test_character_sets_decode_as_declared(syntax: str, text: str, codec: str) -> None:
    msg = f"UNB+{syntax}:3+S+R+261129:0900+1'UNH+1+ORDERS:D:96A:UN'NAD+BY+1++{text}'UNT+3+1'UNZ+1+1'"
    data = msg.encode(codec)
    r = edifact.parse(data, validate=False)
    assert r.errors == []
    assert r.transactions[0].segments[1].get(4) == text
    assert r.interchanges[0].encoding == codec
    assert edifact.write_result(r) == data


def test_unoc_file_that_is_really_utf8_is_read_as_utf8_with_a_note() -> None:
    data = "UNB+UNOC:3+S+R+261129:0900+1'UNH+1+ORDERS:D:96A:UN'NAD+BY+1++K\u00f6ln'UNT+3+1'UNZ+1+1'".encode()
    r = edifact.parse(data, validate=False)
    assert r.transactions[0].segments[1].get(4) == "K\u00f6ln"
    assert [i.severity for i in r.issues] == [Severity.INFO]
    assert edifact.write_result(r) == data


def test_unoa_with_non_ascii_bytes_is_flagged_not_fatal() -> None:
    data = b"UNB+UNOA:3+S+R+261129:0900+1'UNH+1+ORDERS:D:96A:UN'NAD+BY+1++K\xf6ln'UNT+3+1'UNZ+1+1'"
    r = edifact.parse(data, validate=False)
    assert r.transactions[0].segments[1].get(4) == "K\u00f6ln"
    warn = [i for i in r.issues if i.code == "21"]
    assert warn and warn[0].offset == data.index(b"\xf6")


def test_several_interchanges_in_one_file_with_their_own_una() -> None:
    a = b"UNA:+.? '\nUNB+UNOA:3+S+R+261129:0900+1'\nUNH+1+ORDERS:D:96A:UN'\nUNT+2+1'\nUNZ+1+1'\n"
    b = b"UNA:|.? 'UNB|UNOC:3|S2|R|261129:0900|2'UNH|7|DESADV:D:96A:UN'UNT|2|7'UNZ|1|2'"
    r = edifact.parse(a + b, validate=False)
    assert r.issues == []
    assert [e.control_number for e in r.interchanges] == ["1", "2"]
    assert [e.index for e in r.interchanges] == [0, 1]
    assert [(t.doc_type, t.envelope and t.envelope.sender_id) for t in r.transactions] == [("ORDERS", "S"), ("DESADV", "S2")]
    assert edifact.write_result(r) == a + b


def test_groups_are_read_and_counted() -> None:
    data = (b"UNB+UNOA:3+S+R+261129:0900+1'UNG+ORDERS+S:14+R:14+261129:0900+77+UN+D:96A'"
            b"UNH+1+ORDERS:D:96A:UN'UNT+2+1'UNH+2+ORDERS:D:96A:UN'UNT+2+2'UNE+2+77'UNZ+1+1'")
    r = edifact.parse(data, validate=False)
    assert r.issues == []
    g = r.groups[0]
    assert (g.functional_id, g.sender_id, g.control_number, g.version) == ("ORDERS", "S", "77", "D96A")
    assert all(t.group is g for t in r.transactions)
    assert edifact.write_result(r) == data


def test_wrong_counts_and_references_are_located_with_contrl_codes() -> None:
    data = (b"UNB+UNOA:3+S+R+261129:0900+1'UNH+1+ORDERS:D:96A:UN'BGM+220+1'UNT+5+2'"
            b"UNH+2+ORDERS:D:96A:UN'UNT+2+2'UNZ+3+9'")
    r = edifact.parse(data, validate=False)
    by_code = {(i.code, i.segment_tag, i.element_position, i.transaction) for i in r.issues}
    assert ("29", "UNT", 1, 0) in by_code and ("28", "UNT", 2, 0) in by_code
    assert ("29", "UNZ", 1, None) in by_code and ("28", "UNZ", 2, None) in by_code
    # the first by its UNT, the second by the UNZ's faults: the CONTRL rejects the interchange (UCI action 4)
    assert [t.accepted for t in r.transactions] == [False, False]
    unt = next(i for i in r.issues if i.code == "29" and i.segment_tag == "UNT")
    assert unt.location() == "interchange 1, transaction 1, segment 3 UNT, element 1"
    # the writer computes the counts
    fixed = edifact.parse(edifact.write_result(r), validate=False)
    assert {i.code for i in fixed.issues} == {"28"}


def test_truncated_file_gives_errors_not_exceptions() -> None:
    data = b"UNB+UNOA:3+S+R+261129:0900+1'UNH+1+ORDERS:D:96A:UN'BGM+220+1'LIN+1++4711"
    r = edifact.parse(data, validate=False)
    assert r.fatal
    msgs = " ".join(str(i) for i in r.errors)
    assert "no segment terminator" in msgs and "no UNT" in msgs and "no UNZ" in msgs


@pytest.mark.parametrize("data", [b"", b"   \n", b"UNA", b"UNA:+.? ", b"UNB", b"UNB+", b"UNH+1+X'",
                                  b"hello world", b"UNA:+.? 'UNB+UNOX:3+\x1b$B\xff'", b"UNB+UNOC:3'UNZ'"])
def test_garbage_never_raises(data: bytes) -> None:
    r = edifact.parse(data, validate=False)
    assert r.errors
    assert r.fatal


def test_newline_terminated_export_is_read_with_a_warning() -> None:
    data = b"UNB+UNOA:1+A:12+B:12+090723:1010+1\nUNH+1+APERAK:D:97A:UN\nBGM+23\nUNT+3+1\nUNZ+1+1"
    r = edifact.parse(data, validate=False)
    assert [t.doc_type for t in r.transactions] == ["APERAK"]
    assert r.errors == []
    assert any(i.code == "20" and i.severity is Severity.WARNING for i in r.issues)


def test_bom_is_kept_for_the_round_trip() -> None:
    data = b"\xef\xbb\xbfUNB+UNOC:3+S+R+261129:0900+1'UNH+1+ORDERS:D:96A:UN'UNT+2+1'UNZ+1+1'"
    r = edifact.parse(data, validate=False)
    assert r.issues == [] and r.interchanges[0].bom
    assert edifact.write_result(r) == data


def test_writer_escapes_and_computes_trailers() -> None:
    w = edifact.Writer(sender=edifact.Party("0614141000005", "14"), recipient=edifact.Party("4012345000009", "14"),
                       control_number="17", date="261129", time="0900", ack_request=True)
    w.message("1", "ORDERS:D:96A:UN:EAN008", [("BGM", ["220", "PO'1+2", "9"]), ("FTX", ["AAI", "", "", "a?b:c"])])
    w.message("2", "ORDERS:D:96A:UN:EAN008", [("BGM", ["220", "PO2", "9", "", ""])])
    data = w.to_bytes()
    assert data.splitlines() == [
        b"UNA:+.? '",
        b"UNB+UNOC:3+0614141000005:14+4012345000009:14+261129:0900+17++++1'",
        b"UNH+1+ORDERS:D:96A:UN:EAN008'",
        b"BGM+220+PO?'1?+2+9'",
        b"FTX+AAI+++a??b:c'",
        b"UNT+4+1'",
        b"UNH+2+ORDERS:D:96A:UN:EAN008'",
        b"BGM+220+PO2+9'",
        b"UNT+3+2'",
        b"UNZ+2+17'",
    ]
    r = edifact.parse(data, validate=False)
    assert r.issues == []
    assert r.transactions[0].segments[1].get(2) == "PO'1+2"


def test_format_segment_with_repetitions() -> None:
    d = Delimiters("+", ":", "'", "*", "?")
    seg = Segment("RFF", ["ON:1*ON:2", "a*b"], component_sep=":", repetition_sep="*")
    assert edifact.format_segment(seg, d) == "RFF+ON:1*ON:2+a*b'"


def test_detect_picks_edifact() -> None:
    assert detect(ORDERS.encode("latin-1")) is Syntax.EDIFACT
    assert detect(b"\xef\xbb\xbf\r\nUNB+UNOA:3+S+R+261129:0900+1'") is Syntax.EDIFACT


def test_iter_segments_streams_the_same_segments_in_small_chunks() -> None:
    import io
    many = "FTX+AAI+++x?'y?:z??'\r\n" * 300
    data = (ORDERS + f"UNA:+.? 'UNB+UNOC:3+A+B+261129:0900+2'UNH+9+DESADV:D:96A:UN'{many}UNT+302+9'UNZ+1+2'"
            ).encode("latin-1")
    assert len(data) > 4096 + 2000
    parsed = edifact.parse(data, validate=False)
    expected = [(s.tag, s.fields, s.position) for env in parsed.interchanges for s in
                [env.service_segments[0]]
                + [seg for t in parsed.transactions if t.envelope is env for seg in t.segments]
                + env.service_segments[1:]]
    for chunk in (1, 7, 4096):
        streamed = [(s.tag, s.fields, s.position) for s in edifact.iter_segments(io.BytesIO(data), chunk)]
        assert streamed == expected, chunk
    assert list(edifact.iter_segments(io.BytesIO(b"not edifact"))) == []


def test_writer_says_clearly_when_the_character_set_cannot_carry_a_value() -> None:
    from gateway.errors import FormatError
    w = edifact.Writer(sender=edifact.Party("S"), recipient=edifact.Party("R"), control_number="1",
                       date="261129", time="0900", syntax="UNOC")
    w.message("1", "ORDERS:D:96A:UN", [("NAD", ["DP", "", "", "", ["Tokyo 東京"]])])
    with pytest.raises(FormatError, match="cannot be written in the interchange's character set UNOC.*: UNOW, UNOY"):
        w.to_bytes()
    # a letter with a base letter is written as that (UNOA has no umlauts)
    w = edifact.Writer(sender=edifact.Party("S"), recipient=edifact.Party("R"), control_number="1",
                       date="261129", time="0900", syntax="UNOA")
    w.message("1", "ORDERS:D:96A:UN", [("NAD", ["DP", "", "", "", ["Köln"]])])
    assert b"NAD+DP++++Koln'" in w.to_bytes()


def test_leading_blank_lines_are_kept_for_the_round_trip() -> None:
    data = b"\r\n\r\nUNB+UNOA:3+S+R+261129:0900+1'UNH+1+X:D:96A:UN'UNT+2+1'UNZ+1+1'\n"
    r = edifact.parse(data, validate=False)
    assert r.issues == [] and r.interchanges[0].leading == "\r\n\r\n"
    assert edifact.write_result(r) == data


@pytest.mark.parametrize(("text", "value"), [("12.50", "12.50"), ("12,5", "12.5"), ("-3", "-3"), (",5", "0.5"),
                                              ("7.", "7")])
def test_number_takes_either_decimal_mark(text: str, value: str) -> None:
    from decimal import Decimal
    assert edifact.number(text) == Decimal(value)


@pytest.mark.parametrize("text", ["", "1.234,5", "12a", "--1", "1 000"])
def test_number_refuses_what_is_not_an_edifact_number(text: str) -> None:
    with pytest.raises(ValueError, match="not an EDIFACT number"):
        edifact.number(text)


def test_byte_offsets_are_exact_in_multibyte_text() -> None:
    data = "UNB+UNOW:4+S+R+20261129:0900+1'UNH+1+X:D:96A:UN'NAD+BY+++東京都 ☃'FTX+AAI+++ü?'é'UNT+4+1'UNZ+1+1'".encode()
    r = edifact.parse(data, validate=False)
    assert r.issues == []
    for seg in r.transactions[0].segments:
        assert data[seg.offset:seg.offset + 3] == seg.tag.encode()


def test_interchange_without_unz_does_not_swallow_the_next_one() -> None:
    a = b"UNB+UNOA:3+S+R+261129:0900+1'UNH+1+X:D:96A:UN'UNT+2+1'\n"
    b = b"UNA:|.? 'UNB|UNOA:3|S2|R|261129:0900|2'UNH|7|Y:D:96A:UN'UNT|2|7'UNZ|1|2'"
    r = edifact.parse(a + b, validate=False)
    assert [e.control_number for e in r.interchanges] == ["1", "2"]
    assert [(t.doc_type, t.envelope and t.envelope.index) for t in r.transactions] == [("X", 0), ("Y", 1)]
    assert [(i.interchange, i.segment_tag) for i in r.errors] == [(0, "UNZ")]
