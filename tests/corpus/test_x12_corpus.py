"""Every X12 file of the shared corpus: read without crashing, counts as SOURCES.md records them,
well-formed files written back byte for byte, published failing fixtures rejected with located errors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from gateway.formats import x12
from gateway.formats.base import ParseResult, Severity
from tests.helpers.corpus import corpus_files, needs_corpus, sources_md

FILES = corpus_files("x12", "*.edi")
pytestmark = needs_corpus


def _sources() -> dict[str, str]:
    rows = {}
    for line in sources_md().splitlines():
        if line.startswith("| x12/"):
            name = line.split("|")[1].strip()[4:]
            rows[name] = line
    return rows


SOURCES = _sources()
ENVELOPE_LEVELS = ("interchange", "group", "transaction")


def _escaped(value: str) -> str:
    return value.replace("\\|", "|").encode("latin-1", "backslashreplace").decode("unicode_escape")


def expectations(name: str) -> dict[str, object]:
    """What SOURCES.md (written independently of this reader) says about a file."""
    row = SOURCES[name]
    found: dict[str, object] = {}
    m = re.search(r"element='((?:\\\||[^'])+)' segment='((?:\\\||\\\\|[^'])+)' component='((?:\\\||[^'])+)'", row)
    if m:
        found["delimiters"] = tuple(_escaped(g) for g in m.groups())
    m = re.search(r"ISA/UNB=(\d+) GS/UNG=(\d+) sets=(\d+)", row)
    if m:
        found["counts"] = tuple(int(g) for g in m.groups())
    m = re.search(r"types=\[([^\]]*)\]", row)
    if m:
        found["types"] = {t.strip(" '") for t in m.group(1).split(",")}
    desc = row.lower()
    found["failing"] = any(k in desc for k in ("fail fixture", "\"fail\" fixture", "negative fixture",
                                               "\"invalid\" fixture", "malformed"))
    return found


def parse(path: Path) -> ParseResult:
    return x12.parse(path.read_bytes())


def test_sources_md_gives_expectations_for_every_file() -> None:
    missing = [p.name for p in FILES if not {"delimiters", "counts", "types"} <= set(expectations(p.name))]
    assert missing == []


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_reads_without_crashing_and_finds_what_sources_records(path: Path) -> None:
    result = parse(path)
    x12.write_parsed(result)
    expected = expectations(path.name)
    env = result.interchanges[0]
    assert env.delimiters is not None
    if "delimiters" in expected:
        assert (env.delimiters.element, env.delimiters.segment, env.delimiters.component) == expected["delimiters"]
    if "counts" in expected:
        assert (len(result.interchanges), len(result.groups), len(result.transactions)) == expected["counts"]
    if "types" in expected:
        assert {t.doc_type for t in result.transactions} == expected["types"]
    for issue in result.issues:           # every finding is located and says something
        assert issue.message and issue.interchange is not None
        assert issue.location() != "file"


def _well_formed(path: Path, result: ParseResult) -> bool:
    """Envelope right (no ERROR at interchange/group/set level) and every segment terminated."""
    data = path.read_bytes()
    term = result.interchanges[-1].delimiters.segment.encode()   # type: ignore[union-attr]
    tail = data.rstrip(b" \r\n".replace(term, b""))
    envelope_errors = [i for i in result.issues if i.severity is Severity.ERROR and i.level in ENVELOPE_LEVELS]
    return tail.endswith(term) and not envelope_errors


def test_well_formed_files_round_trip_byte_for_byte() -> None:
    checked = []
    for path in FILES:
        result = parse(path)
        if _well_formed(path, result):
            assert x12.write_parsed(result) == path.read_bytes(), path.name
            checked.append(path.name)
    assert len(checked) >= 50, checked     # nearly all of the corpus is well-formed; this is no empty check


def test_published_failing_fixtures_give_located_errors() -> None:
    failing = [p for p in FILES if expectations(p.name)["failing"]]
    assert len(failing) >= 4, [p.name for p in failing]
    for path in failing:
        result = parse(path)
        errors = result.errors
        assert errors, path.name
        for issue in errors:
            assert issue.interchange is not None and (issue.segment_tag or issue.segment_position), str(issue)
        assert not all(t.accepted for t in result.transactions), path.name


def test_specific_real_world_layouts() -> None:
    by_name = {p.name: p for p in FILES}
    wrapped = parse(by_name["850_004010_bots_wrapped80-crlf.edi"]).interchanges[0].delimiters
    assert wrapped is not None and wrapped.wrap == 79         # 79 characters + CRLF per line
    nak = parse(by_name["850_004010_bots_nak-crlf.edi"]).interchanges[0].delimiters
    assert nak is not None and nak.segment == "\x15" and nak.suffix == "\r\n"
    rep = parse(by_name["997_005010X230_staedi_extradelim.edi"])
    ak3 = next(s for s in rep.transactions[0].segments if s.tag == "AK3")
    assert ak3.repeats(2) == ["AK302-R1", "AK302-R2", "AK302-R3-COMP1:AK302-R3-COMP2"]
    bom = parse(by_name["850_004010_edinet_1.edi"])
    assert bom.interchanges[0].bom
    hl = parse(by_name["856_004010_oopf_4.edi"])
    assert any(i.segment_tag == "HL" and i.element_position == 2 for i in hl.issues)    # HL02 parent missing
    adobe = parse(by_name["810_004010_oopf_adobe_cr.edi"])
    isa12 = [i for i in adobe.errors if i.segment_tag == "ISA"]
    assert [(i.element_position, i.code, i.value) for i in isa12] == [(12, "017", "00040")]


def test_acknowledgements_for_every_file_are_themselves_clean(tmp_path: Path) -> None:
    """997 / 999 / TA1 for each corpus file (errors and all) read back without a single finding."""
    from gateway.acks import x12 as acks
    from gateway.config.models import OurIds, PartnerConfig, X12Id, X12Settings
    from gateway.journal.sqlite import SqliteJournal

    journal = SqliteJournal(tmp_path / "journal.sqlite3")
    ours = OurIds(x12=X12Id(qualifier="ZZ", id="ACMEDIST"))
    built = 0
    try:
        for path in FILES:
            result = parse(path)
            for ack in ("997", "999"):
                partner = PartnerConfig(id="p", x12=X12Settings(ack=ack, ta1=True))
                for doc in acks.build(result, partner, ours, journal):
                    again = x12.parse(doc.data)
                    assert [str(i) for i in again.issues if i.severity is not Severity.INFO] == [], path.name
                    assert {t.doc_type for t in again.transactions} <= {"997", "999", "TA1"}
                    built += 1
    finally:
        journal.close()
    assert built >= len(FILES)
