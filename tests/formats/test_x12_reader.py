"""X12 reader and writer: delimiters, layouts real files use, envelope checks, byte-exact rewriting."""

from __future__ import annotations

import io

import pytest

from gateway.errors import FormatError
from gateway.formats import detect, x12
from gateway.formats import parse as parse_any
from gateway.formats.base import Delimiters, Envelope, Severity, Syntax, Transaction
from gateway.formats.x12 import OutGroup, OutTransaction, X12Reader, write_interchange, write_parsed

ISA = ("ISA*00*          *00*          *ZZ*BIGBOXRETAIL   *ZZ*ACMEDIST       *260115*1030*U*00401*"
       "000000101*0*P*>~")
BODY = ["GS*PO*BIGBOX*ACMEDIST*20260115*1030*101*X*004010VICS",
        "ST*850*0001", "BEG*00*SA*PO-4711**20260115", "PO1*1*10*EA*12.50**UP*614141000012",
        "PO1*2*5*CA*8.75**UP*614141000029", "CTT*2", "SE*6*0001", "GE*1*101", "IEA*1*000000101"]


def delims(env: Envelope) -> Delimiters:
    """The delimiters an interchange was read with (every readable X12 interchange has them)."""
    assert env.delimiters is not None
    return env.delimiters


def interchange(term: str = "~", suffix: str = "", el: str = "*", isa: str = ISA, body: list[str] | None = None) -> str:
    head = isa.replace("*", el)[:-1] + term
    return head + suffix + "".join(s.replace("*", el) + term + suffix for s in (body or BODY))


def test_plain_interchange_fills_the_model() -> None:
    result = x12.parse(interchange(suffix="\n").encode())
    assert result.syntax is Syntax.X12 and [i for i in result.issues if i.severity is not Severity.INFO] == []
    env = result.interchanges[0]
    assert (env.sender_qualifier, env.sender_id, env.receiver_id, env.control_number, env.version) == \
        ("ZZ", "BIGBOXRETAIL", "ACMEDIST", "000000101", "00401")
    assert env.delimiters == Delimiters("*", ">", "~", None, suffix="\n")
    group = result.groups[0]
    assert (group.functional_id, group.control_number, group.version) == ("PO", "101", "004010VICS")
    tx = result.transactions[0]
    assert (tx.doc_type, tx.control_number, tx.version, tx.accepted) == ("850", "0001", "004010VICS", True)
    assert [s.tag for s in tx.segments] == ["ST", "BEG", "PO1", "PO1", "CTT", "SE"]
    assert [s.position for s in tx.segments] == [1, 2, 3, 4, 5, 6]
    po1 = tx.segments[2]
    assert po1.get(7) == "614141000012" and po1.component_sep == ">"
    data = interchange(suffix="\n").encode()
    assert data[po1.offset:po1.offset + 4] == b"PO1*"
    assert result.segment_count == 10


@pytest.mark.parametrize("term,suffix", [("~", ""), ("~", "\n"), ("~", "\r\n"), ("~", "  "), ("\n", ""),
                                         ("\r", ""), ("\r", "\n"), ("\x15", "\r\n"), ("!", "\n"), ("|", ""),
                                         ("~", "  \r\n")])
def test_terminators_and_what_follows_them(term: str, suffix: str) -> None:
    data = interchange(term, suffix).encode()
    result = x12.parse(data)
    assert delims(result.interchanges[0]).segment == term
    assert delims(result.interchanges[0]).suffix == suffix.replace("  ", "  ")
    assert [s.tag for s in result.transactions[0].segments][-1] == "SE"
    assert not result.errors
    assert write_parsed(result) == data


def test_bom_leading_whitespace_and_indentation_are_read_and_kept() -> None:
    text = "\ufeff \r\n" + ISA + "\r\n" + "".join("  " * (i % 3) + s + "~\r\n" for i, s in enumerate(BODY))
    data = text.encode()
    result = x12.parse(data)
    assert not result.errors
    assert result.interchanges[0].bom and result.interchanges[0].leading == " \r\n"
    assert [s.tag for s in result.transactions[0].segments] == ["ST", "BEG", "PO1", "PO1", "CTT", "SE"]
    beg = result.transactions[0].segments[1]
    assert data[beg.offset:beg.offset + 3] == b"BEG"
    assert write_parsed(result) == data


def test_lines_wrapped_at_fixed_width_are_unwrapped_and_rewrapped() -> None:
    flat = interchange()
    flat += " " * (-len(flat) % 80)
    data = "".join(flat[i:i + 80] + "\r\n" for i in range(0, len(flat), 80)).encode()
    result = x12.parse(data)
    assert not result.errors
    assert delims(result.interchanges[0]).wrap == 80
    po1 = result.transactions[0].segments[2]
    assert po1.get(7) == "614141000012"
    assert data[po1.offset:po1.offset + 3] == b"PO1"
    assert write_parsed(result) == data


def test_several_interchanges_with_different_delimiters_and_trailing_bytes() -> None:
    second = interchange("\x15", "\r\n", el="|").replace("000000101", "000000102")
    data = (interchange("~", "\n") + second + "garbage after the end").encode()
    result = x12.parse(data)
    assert [delims(e).element for e in result.interchanges] == ["*", "|"]
    assert [delims(e).segment for e in result.interchanges] == ["~", "\x15"]
    assert len(result.transactions) == 2 and all(t.accepted for t in result.transactions)
    info = [i for i in result.issues if i.severity is Severity.INFO]
    assert len(info) == 1 and "after the last IEA" in info[0].message and info[0].offset is not None
    assert not result.errors


def test_repetition_separator_from_00402_only() -> None:
    isa_5010 = ISA.replace("*U*00401*", "*^*00501*")
    result = x12.parse(interchange(isa=isa_5010).encode())
    assert delims(result.interchanges[0]).repetition == "^"
    assert result.transactions[0].segments[1].repetition_sep == "^"
    assert delims(x12.parse(interchange().encode()).interchanges[0]).repetition is None


def test_ta1_surfaces_as_its_own_transaction() -> None:
    body = ["TA1*000000777*260115*1031*A*000"] + BODY
    result = x12.parse(interchange(body=body).encode())
    assert [t.doc_type for t in result.transactions] == ["TA1", "850"]
    assert result.transactions[0].segments[0].get(1) == "000000777"


def test_streaming_with_tiny_chunks_gives_the_same_result() -> None:
    data = (interchange("~", "\r\n") * 3).encode()
    whole = x12.parse(data)
    reader = X12Reader(io.BytesIO(data), chunk_size=7)
    txs = list(reader)
    def layout(items: list[Transaction]) -> list[tuple[str, list[tuple[str, int, int, list[str]]]]]:
        return [(t.control_number, [(s.tag, s.position, s.offset, s.fields) for s in t.segments]) for t in items]
    assert layout(txs) == layout(whole.transactions)
    assert [s.position for s in whole.transactions[0].segments] == [1, 2, 3, 4, 5, 6]
    assert [s.position for e in whole.interchanges for s in e.service_segments] == [0] * 12
    assert len(reader.interchanges) == 3


def test_envelope_counts_and_control_numbers_are_checked_and_located() -> None:
    body = list(BODY)
    body[6] = "SE*9*0002"
    body[7] = "GE*2*102"
    body[8] = "IEA*3*000000999"
    result = x12.parse(interchange(body=body).encode())
    found = {(i.level, i.code, i.segment_tag, i.element_position) for i in result.errors}
    assert found == {("transaction", "4", "SE", 1), ("transaction", "3", "SE", 2),
                     ("group", "5", "GE", 1), ("group", "4", "GE", 2),
                     ("interchange", "021", "IEA", 1), ("interchange", "001", "IEA", 2)}
    se_issue = next(i for i in result.errors if i.code == "4")
    assert se_issue.location() == "interchange 1, group 1, transaction 1, segment 6 SE, element 1"
    assert "SE01 says '9' segments" in se_issue.message
    assert not result.transactions[0].accepted


def test_missing_trailers_and_truncated_file() -> None:
    text = interchange()
    result = x12.parse(text[:text.index("CTT")].encode())
    codes = {(i.level, i.code) for i in result.errors}
    assert ("transaction", "2") in codes and ("group", "3") in codes and ("interchange", "023") in codes
    assert result.fatal


def test_isa_field_widths_are_checked() -> None:
    bad = ISA.replace("*ZZ*BIGBOXRETAIL   *", "*ZZ*BIGBOXRETAIL*")
    result = x12.parse(interchange(isa=bad).encode())
    issue = next(i for i in result.errors if i.segment_tag == "ISA")
    assert (issue.code, issue.element_position, issue.level) == ("006", 6, "interchange")
    assert "15 characters" in issue.message


@pytest.mark.parametrize("term,suffix", [("~", ""), ("~", "\r\n"), ("\n", ""), ("'", "\n")])
@pytest.mark.parametrize("kept,sender", [(8, "BIGBOXRETAIL   "), (10, "KINGS"), (12, "BIGBOXRETAIL   ")])
def test_an_isa_cut_short_before_its_gs_says_where_it_ends(term: str, suffix: str, kept: int, sender: str) -> None:
    """An ISA that stops early and runs into its GS: counting 16 separators on into the GS would blame
    'ISA16' for a character of the GS (the reason once read "no segment terminator after ISA16 (found '0')")."""
    isa = ISA.replace("BIGBOXRETAIL   ", sender)
    head = "*".join(isa.split("*")[:kept + 1]).replace("~", "")
    data = (head + term + suffix + "".join(s + term + suffix for s in BODY)).encode()
    with pytest.raises(FormatError) as raised:
        x12.parse(data)
    assert f"it ends after ISA{kept:02d}, where a GS segment begins: an ISA has 16 elements" in str(raised.value)


def test_not_x12_raises_format_error_and_detect_routes() -> None:
    with pytest.raises(FormatError):
        x12.parse(b"hello world")
    with pytest.raises(FormatError):
        x12.parse(b"ISA")
    assert detect(interchange().encode()) is Syntax.X12
    assert parse_any(interchange().encode()).transactions[0].doc_type == "850"


def test_writer_pads_isa_counts_and_uses_given_numbers() -> None:
    d = Delimiters("*", ":", "~", "^", suffix="\n")
    body = [["BSN", "00", "SHIP-1", "20260115", "1200"], ["HL", "1", "", "S"]]
    data = write_interchange(d, ("ZZ", "ACMEDIST"), ("12", "8005551234"), 42,
                             [OutGroup("SH", "ACMEDIST", "NORTHWIND", "7", "005010",
                                       [OutTransaction("856", "0001", body), OutTransaction("856", "0002", body)])],
                             version="00501")
    text = data.decode()
    isa = text.split("~")[0]
    fields = isa.split("*")       # fields[n] is ISAnn
    assert len(isa) == 105 and fields[12] == "00501" and fields[11] == "^"
    assert fields[13] == "000000042" and isa.endswith("*:")
    assert "SE*4*0001~" in text and "GE*2*7~" in text and text.endswith("IEA*1*000000042~\n")
    again = x12.parse(data)
    assert not again.errors and [t.control_number for t in again.transactions] == ["0001", "0002"]


def test_non_ascii_values_keep_byte_offsets_and_bad_bytes_are_kept() -> None:
    body = list(BODY)
    body.insert(2, "N1*ST*Lager Köln*92*0042")
    body[7] = "SE*7*0001"
    data = interchange(suffix="\n", body=body).encode()
    result = x12.parse(data)
    segs = result.transactions[0].segments
    assert segs[1].get(2) == "Lager Köln"
    assert data[segs[3].offset:segs[3].offset + 3] == b"PO1"           # offsets are bytes, not characters
    assert write_parsed(result) == data
    latin = data.replace("Köln".encode(), "K\xf6ln".encode("latin-1"))
    odd = x12.parse(latin)
    assert any("not valid UTF-8" in i.message for i in odd.issues)
    assert write_parsed(odd) == latin                                    # the bytes survive as they were
    assert latin[odd.transactions[0].segments[3].offset:][:3] == b"PO1"


def test_characters_split_across_chunks_read_the_same_as_whole() -> None:
    """ASCII chunks skip the incremental decoder; a chunk after one that ends inside a character must not."""
    def sample(name: str) -> bytes:
        body = list(BODY)
        body.insert(2, f"N1*ST*{name}*92*0042")
        body[7] = "SE*7*0001"
        return interchange(suffix="\n", body=body).encode()
    utf8 = sample("Lager Köln Süd ĂŞ")
    # a UTF-8 lead byte, then only ASCII: not UTF-8, and the byte must stay where it was
    broken = sample("Lager K~ln central warehouse").replace(b"K~ln", b"K\xc3ln")
    for data, name in ((utf8, "Lager Köln Süd ĂŞ"), (broken, "Lager K\udcc3ln central warehouse")):
        whole = [(s.tag, s.fields, s.offset) for t in x12.parse(data).transactions for s in t.segments]
        assert whole[1][1][2] == name
        lead = broken.index(b"\xc3") + 1
        for size in [*range(5, 60), lead, lead + 1, lead - 1]:        # lead: a chunk ends on the lead byte
            with io.BytesIO(data) as fh:
                reader = X12Reader(fh, chunk_size=size)
                assert [(s.tag, s.fields, s.offset) for t in reader for s in t.segments] == whole, size
                assert any("UTF-8" in i.message for i in reader.issues) == (data is broken)


def test_segment_terminator_missing_at_the_end_and_junk_inside_a_group() -> None:
    text = interchange(suffix="\r\n")
    result = x12.parse(text.rstrip("\r\n~").encode())
    notes = [i for i in result.issues if i.segment_tag == "IEA"]
    assert notes and notes[0].severity is Severity.WARNING and not result.errors
    junk = text.replace("ST*850*0001~", "HELLO~ST*850*0001~")
    issue = next(i for i in x12.parse(junk.encode()).errors)
    assert "'HELLO' between transaction sets" in issue.message and issue.offset == junk.index("HELLO")


def test_duplicate_set_and_group_numbers_are_found_in_flat_memory() -> None:
    from gateway.formats.x12 import SeenNumbers
    seen = SeenNumbers()
    assert all(seen.add(f"{n:04d}") for n in range(1, 5000))
    assert seen._runs == [] and not seen._other                 # one run, whatever the count
    assert not seen.add("0042") and seen.add("42") and not seen.add("42")
    assert seen.add("A1") and not seen.add("A1") and seen.add("9000") and not seen.add("0100")
    body = BODY[:7] + ["ST*850*0001", "BEG*00*SA*PO-2**20260115", "CTT*0", "SE*4*0001"] + \
        ["GE*2*101", "IEA*1*000000101"]
    result = x12.parse(interchange(body=body).encode())
    dup = [i for i in result.errors if i.code == "23"]
    assert [(i.transaction, i.element_position) for i in dup] == [(1, 2)]


def test_writer_refuses_values_that_hold_a_delimiter() -> None:
    d = Delimiters("*", ">", "~", suffix="\n")
    group = OutGroup("PO", "A", "B", "1", "004010", [OutTransaction("850", "0001", [["PID", "F", "", "", "", "A*B"]])])
    with pytest.raises(FormatError) as err:
        write_interchange(d, ("ZZ", "A"), ("ZZ", "B"), 1, [group])
    assert err.value.location == "segment PID, element 5" and "element separator" in err.value.message
    group.transactions[0].body = [["PID", "F", "", "", "", "TILDE~HERE"]]
    with pytest.raises(FormatError, match="segment terminator"):
        write_interchange(d, ("ZZ", "A"), ("ZZ", "B"), 1, [group])


def test_isa_field_holding_the_segment_terminator_is_reported() -> None:
    """ISA fields are read by position: a terminator inside one is a damaged header, said so, and the file
    is not written back silently (found by the property tests)."""
    data = (b"ISA*00*\n         *00*          *ZZ*SENDER         *ZZ*RECEIVER       *261129*1017*U*00401*"
            b"000000001*0*P*|\nGS*PO*S*R*20261129*1017*1*X*004010\nGE*0*1\nIEA*1*000000001\n")
    result = x12.parse(data)
    errors = [i for i in result.errors if i.segment_tag == "ISA"]
    assert errors and errors[0].element_position == 2
    assert "contains the segment terminator" in errors[0].message


def test_control_numbers_of_superscript_digits_are_compared_not_converted() -> None:
    # "²" is a digit to str.isdigit() but not to int(): such ST02s once raised ValueError
    body = BODY[:6] + ["SE*6*\u00b2\u00b2\u00b2\u00b2", "ST*850*\u00b2\u00b2\u00b2\u00b2", "BEG*00*SA*PO-2**20260115",
                       "SE*3*\u00b2\u00b2\u00b2\u00b2", "GE*2*101", "IEA*1*000000101"]
    body[1] = "ST*850*\u00b2\u00b2\u00b2\u00b2"
    result = x12.parse(interchange(suffix="\n", body=body).encode(), validate=False)
    assert [tx.control_number for tx in result.transactions] == ["\u00b2\u00b2\u00b2\u00b2"] * 2
    assert [i.message for i in result.errors] == ["ST02 control number \u00b2\u00b2\u00b2\u00b2 is used twice in this group"]


def test_streaming_keeps_about_one_chunk_of_segments_alive() -> None:
    """While the next chunk is cut, the previous chunk's finished transactions are already freed: the
    reader and tokenizer let go of their lists first. Holding them kept two chunks' segments alive, 2.3x
    what one chunk's segments take (1.55x now), and the new segments landed in fresh, cold memory."""
    import tracemalloc

    from gateway.formats.x12_tokens import CHUNK_SIZE
    lines = ["PO1*1*10*EA*12.50**UP*614141000012*VN*WB-001", "PID*F****BLUE WIDGET 10 PACK"] * 20
    sets = [f"ST*850*{n:04d}~\nBEG*00*SA*PO{n:06d}**20260115~\n" + "".join(s + "~\n" for s in lines)
            + f"CTT*20~\nSE*{len(lines) + 4}*{n:04d}~\n" for n in range(1, 700)]
    head = interchange(suffix="\n", body=BODY[:1])

    def envelope(count: int) -> bytes:
        return (head + "".join(sets[:count]) + f"GE*{count}*101~\nIEA*1*000000101~\n").encode()

    per_set = len(sets[0])
    one_chunk = envelope(CHUNK_SIZE // per_set)
    many = envelope(len(sets))
    assert len(many) > 40 * CHUNK_SIZE
    tracemalloc.start()
    try:
        kept = list(X12Reader(io.BytesIO(one_chunk)))             # one chunk's transactions, all kept
        chunk_bytes = tracemalloc.get_traced_memory()[0]
        del kept
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        assert sum(len(tx.segments) for tx in X12Reader(io.BytesIO(many))) == (len(lines) + 4) * len(sets)
        peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    assert peak < 2 * chunk_bytes, (peak, chunk_bytes)
