"""Every EDIFACT file of ../shared/corpus: read without a crash, counted as SOURCES.md says,
well-formed ones written back byte for byte, broken ones reported with located issues."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from gateway.formats import detect, edifact, parse
from gateway.formats.base import ParseResult, Severity, Syntax
from tests.helpers.corpus import CORPUS, corpus_files, needs_corpus, sources_md

FILES = corpus_files("edifact", "*.edi")

pytestmark = needs_corpus


def _catalogue() -> dict[str, tuple[int, list[str]]]:
    """messages=N and types=[...] per file, as SOURCES.md's independent scan recorded them."""
    out: dict[str, tuple[int, list[str]]] = {}
    for line in sources_md().splitlines():
        m = re.match(r"\| edifact/(\S+) \|", line)
        counts = re.search(r"messages=(\d+) types=\[([^\]]*)\]", line)
        if m and counts and counts.group(1) != "0":   # the scan could not split the "|"-separated file
            types = [t.strip().strip("'").split(":")[0] for t in counts.group(2).split(",")]
            out[m.group(1)] = (int(counts.group(1)), types)
    return out


CATALOGUE = _catalogue()

# Files published with deliberate or accidental faults, and the CONTRL code we must report for each.
KNOWN_FAULTS = {
    "INVOIC_D97A_effektor_iway_newline-term.edi": "20",   # newline terminator without UNA
    "APERAK_D97A_effektor_iway.edi": "20",
    "CONTRL_v3_effektor_iway.edi": "20",
    "ORDERS_D96A_ballerina_1.edi": "13",                  # no UNT / UNZ
    "ORDERS_D96A_pydifact_no-una.edi": "13",              # no UNZ
    "ORDERS_D96A_pydifact_ean008.edi": "13",
    "INVOIC_D01B_edinet_ean011.edi": "29",                # UNT count
    "APERAK_D96A_pydifact_1.edi": "29",
    "APERAK_D96A_pydifact_rejected-v4.edi": "29",
    "DESADV_D96A_effektor_bom.edi": "29",
    "INVOIC_D03B_smooks_una.edi": "29",
    "ORDERS_D96B_staedi_ung.edi": "29",
    "QUOTES_D96A_edinet_2msg.edi": "29",
    "mixed_IFTMIN-INVOIC_D96A_edinet.edi": "29",
    "ORDRSP_D10A_edinet_1.edi": "28",                     # UNT / UNZ references
    "ORDERS_D96A_daxaholic_crlf.edi": "28",
    "ORDERS_D96A_pydifact_wikipedia-de.edi": "28",
    "INVOIC_D97B_staedi_wrapped.edi": "21",               # line breaks inside segments
    "ORDERS_D93A_underware_ean007.edi": "21",
}


# Files that are well-formed EDIFACT but break their message's segment table or directory.
STRUCTURE_FAULTS = {
    "ORDERS_D01B_phpedifact_ean010.edi": "39",      # QTY 6411 'GBND' longer than an..3
    "DESADV_D96A_effektor_bom.edi": "15",           # GIN straight after PAC (PCI missing)
    "INVOIC_D01B_edinet_ean011.edi": "13",          # no BGM
    "mixed_IFTMIN-INVOIC_D96A_edinet.edi": "13",    # one-segment INVOIC bodies
    "ORDERS_D96A_ballerina_1.edi": "39",            # NAD postal code longer than an..9
}
DEFINED = re.compile(r"^(ORDERS|ORDRSP|DESADV|INVOIC|INVRPT|APERAK)_D(96A|01B)_")


def _well_formed(result: ParseResult) -> bool:
    return not any(i.severity in (Severity.ERROR, Severity.WARNING) for i in result.issues)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_corpus_file_reads_without_crash_and_as_catalogued(path: Path) -> None:
    data = path.read_bytes()
    assert detect(data) is Syntax.EDIFACT
    result = parse(data)
    assert result.syntax is Syntax.EDIFACT
    assert result.interchanges, [str(i) for i in result.issues]
    expected = CATALOGUE.get(path.name)
    if expected is not None:
        count, types = expected
        assert len(result.transactions) == count
        assert {t.doc_type for t in result.transactions} == set(types)
    for issue in result.issues:
        assert issue.location() != "file", f"unlocated issue: {issue}"
        assert issue.code, f"issue without a CONTRL 0085 code: {issue}"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_well_formed_files_round_trip_byte_identically(path: Path) -> None:
    data = path.read_bytes()
    result = edifact.parse(data, validate=False)
    if not _well_formed(result):
        assert path.name in KNOWN_FAULTS, [str(i) for i in result.issues]
        return
    assert edifact.write_result(result) == data


@pytest.mark.parametrize("name", sorted(KNOWN_FAULTS))
def test_faulty_fixtures_give_located_issues_with_the_right_code(name: str) -> None:
    path = CORPUS / "edifact" / name
    result = edifact.parse(path.read_bytes(), validate=False)
    found = [i for i in result.issues if i.code == KNOWN_FAULTS[name]]
    assert found, [str(i) for i in result.issues]
    assert all(i.interchange == 0 and (i.segment_tag or i.offset is not None) for i in found)


def test_catalogue_and_defined_selection_are_not_empty() -> None:
    # the per-file count check and the validation test must not pass (or vanish) vacuously
    assert len(CATALOGUE) >= len(FILES) - 2, sorted({p.name for p in FILES} - set(CATALOGUE))
    assert len([p for p in FILES if DEFINED.match(p.name)]) >= 15


def test_most_of_the_corpus_is_well_formed() -> None:
    good = [p.name for p in FILES if _well_formed(edifact.parse(p.read_bytes(), validate=False))]
    # the round-trip test must not pass vacuously
    assert len(good) >= len(FILES) - len(KNOWN_FAULTS) >= 20


@pytest.mark.parametrize("path", [p for p in FILES if DEFINED.match(p.name)], ids=lambda p: p.name)
def test_messages_we_define_validate_as_expected(path: Path) -> None:
    # Given a corpus message whose type and directory we carry definitions for
    result = edifact.parse(path.read_bytes())
    structure = [i for i in result.issues if i.code not in ("20", "21", "28", "29", "33") and i.severity != "info"
                 and i.segment_tag not in ("UNZ", "UNB") and "UNT" not in i.message]
    if path.name in STRUCTURE_FAULTS:
        # Then the known fault is reported, located at a segment position
        hits = [i for i in structure if i.code == STRUCTURE_FAULTS[path.name]]
        assert hits, [str(i) for i in structure]
        assert all(i.segment_position and i.transaction is not None for i in hits)
    else:
        # Then a conforming real-world message passes our segment tables and directory
        assert structure == [], [str(i) for i in structure]
