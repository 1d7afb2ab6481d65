"""Release character against separators: literal ':' '+' "'" '?' (and '*') inside elements and components.

A released separator is data. Reading must keep it in the value (get / component / repeats see
it as text, never as a separator), real separators next to it must still split, and writing the
parsed result must release it again so the file comes back byte for byte.
"""

from __future__ import annotations

import io

import pytest

from gateway.formats import edifact
from gateway.formats.base import Segment

HEAD = b"UNA:+.? 'UNB+UNOC:3+4012345000009:14+0614141000005:14+261129:0900+1'UNH+1+ORDERS:D:96A:UN'"


def _interchange(*body: bytes) -> bytes:
    return HEAD + b"".join(body) + b"UNT+%d+1'UNZ+1+1'" % (len(body) + 2)


def _body(data: bytes) -> list[Segment]:
    r = edifact.parse(data, validate=False)
    assert r.issues == [], [str(i) for i in r.issues]
    assert edifact.write_result(r) == data          # the writer re-releases every literal separator
    return r.transactions[0].segments[1:-1]


def test_released_colon_inside_a_free_text_component() -> None:
    # Given FTX whose free text holds two literal ':' and a real component separator after it
    [ftx] = _body(_interchange(b"FTX+AAI+++Price?: 12?:50 each:second line'"))
    # Then the element (release removed) and the components split only on the real ':'
    assert ftx.get(1) == "AAI"
    assert ftx.component(4, 1) == "Price: 12:50 each"
    assert ftx.component(4, 2) == "second line"
    assert ftx.component(4, 3) == ""


def test_released_colon_in_a_name_and_a_real_composite_in_the_same_segment() -> None:
    # Given NAD with a party id composite (real ':') and a name with a literal ':'
    [nad] = _body(_interchange(b"NAD+BY+4012345000009::9++Meyer ?: Sohn:Zweigwerk+Hauptstr. 1'"))
    # Then the real composite still splits and the name keeps its colon
    assert nad.get(1) == "BY" and nad.get(5) == "Hauptstr. 1"
    assert [nad.component(2, n) for n in (1, 2, 3)] == ["4012345000009", "", "9"]
    assert [nad.component(4, n) for n in (1, 2)] == ["Meyer : Sohn", "Zweigwerk"]


def test_simple_elements_get_the_value_without_release_characters() -> None:
    # Given simple elements holding every service character, released
    [ftx, rff] = _body(_interchange(b"FTX+AAI+++a?+b?'c??d?:e'", b"RFF+ON?:1?+2'"))
    # Then get() gives the plain text translation maps, with each character once
    assert ftx.get(4) == "a+b'c?d:e" and ftx.component(4, 1) == "a+b'c?d:e"
    assert rff.get(1) == "ON:1+2" and rff.component(1, 1) == "ON:1+2" and rff.component(1, 2) == ""
    assert ftx.repeats(4) == ["a+b'c?d:e"]


@pytest.mark.parametrize(("raw", "components"), [
    (b"x??:y", ["x?", "y"]),              # a released release character, then a real separator
    (b"x???:y", ["x?:y"]),                # a released '?' and a released ':'
    (b"x??", ["x?"]),                     # a released '?' at the end of the element
    (b"??:?:", ["?", ":"]),
    (b"?'?+", ["'+"]),
])
def test_runs_of_release_characters(raw: bytes, components: list[str]) -> None:
    [ftx] = _body(_interchange(b"FTX+AAI+++" + raw + b"'"))
    assert [ftx.component(4, n) for n in range(1, len(components) + 1)] == components
    assert ftx.component(4, len(components) + 1) == ""


def test_released_repetition_separator_in_syntax_version_4() -> None:
    # Given UNA with '*' as repetition separator and values holding literal '*' and ':'
    data = (b"UNA:+.?*'UNB+UNOC:4+S:14+R:14+261129:0900+1'UNH+1+ORDERS:D:01B:UN'"
            b"FTX+AAI+++a?*b*c?:d:e'UNT+3+1'UNZ+1+1'")
    [ftx] = _body(data)
    # Then repeats() splits on the real '*' only and each repetition keeps its literal characters
    assert ftx.repeats(4)[0] == "a*b"
    reps = ftx.repeats(4)
    assert len(reps) == 2
    second = Segment("FTX", [reps[1]], component_sep=ftx.component_sep)
    assert (second.component(1, 1), second.component(1, 2)) == ("c:d", "e")


def test_released_separator_in_the_interchange_header() -> None:
    # Given a UNB whose sender id holds a literal ':'
    data = (b"UNA:+.? 'UNB+UNOC:3+SHOP?:1:14+R:14+261129:0900+1'UNH+1+ORDERS:D:96A:UN'BGM+220+1+9'"
            b"UNT+3+1'UNZ+1+1'")
    r = edifact.parse(data, validate=False)
    env = r.interchanges[0]
    # Then the envelope reads the id with its colon, and the raw header shows the real separators
    assert (env.sender_id, env.sender_qualifier, env.version, env.date, env.time) == (
        "SHOP:1", "14", "UNOC:3", "261129", "0900")
    assert env.raw_header[:4] == ["UNOC:3", "SHOP:1:14", "R:14", "261129:0900"]
    assert all("\ufdd0" not in v for v in env.raw_header)
    assert edifact.write_result(r) == data


def test_streaming_reader_splits_the_same_way() -> None:
    data = _interchange(b"NAD+BY+4012345000009::9++Meyer ?: Sohn:Zweigwerk'", b"FTX+AAI+++a?+b?'c??d'")
    segs = {s.tag: s for s in edifact.iter_segments(io.BytesIO(data), 16)}
    assert [segs["NAD"].component(4, n) for n in (1, 2)] == ["Meyer : Sohn", "Zweigwerk"]
    assert segs["NAD"].component(2, 3) == "9"
    assert segs["FTX"].get(4) == "a+b'c?d"


def test_writer_releases_literal_separators_given_as_component_lists() -> None:
    # Given an outbound message whose values hold every service character
    w = edifact.Writer(sender=edifact.Party("S", "14"), recipient=edifact.Party("R", "14"), control_number="7",
                       date="261129", time="0900", suffix="")
    w.message("1", "ORDERS:D:96A:UN", [("NAD", ["BY", ["4012345000009", "", "9"], "", ["Meyer : Sohn", "a+b'c?d"]])])
    data = w.to_bytes()
    # Then each one is released on output, and reading gives the values back
    assert b"NAD+BY+4012345000009::9++Meyer ?: Sohn:a?+b?'c??d'" in data
    [nad] = _body(data)
    assert [nad.component(4, 1), nad.component(4, 2)] == ["Meyer : Sohn", "a+b'c?d"]


def test_validation_findings_show_real_separators_not_internal_marks() -> None:
    # Given an ORDERS D96A NAD whose party composite has one component too many, in a segment that
    # also holds a released ':' (so the segment's separators are kept in their exact internal form)
    data = _interchange(b"BGM+220+PO1+9'", b"DTM+137:20261129:102'", b"NAD+BY+4012345000009::9:X++A?:B'")
    r = edifact.parse(data)
    [issue] = [i for i in r.issues if i.segment_tag == "NAD"]
    # Then the finding quotes the element as the partner wrote it, with ':' between components
    assert issue.value == "4012345000009::9:X" and (issue.element_position, issue.component_position) == (2, 4)
    assert "\ufdd0" not in issue.value and "\ufdd0" not in issue.message
