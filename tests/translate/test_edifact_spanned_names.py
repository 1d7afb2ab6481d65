"""EDIFACT text continued over the components of one element: NAD C080's five 3036 (party name), C059's four
3042 (street), IMD C273's two 7008 (item description).

The base profiles read only the first component: OBI's `NAD+BY+...++OBI 029 PLZEN II. OBI CESKA REPUBLI:KA S.R.O`
(cut at 35 in mid-word) was the party "OBI 029 PLZEN II. OBI CESKA REPUBLI", and a name or street longer than 35
that we wrote was cut at 35 where EANCOM has it go on in the next component.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gateway.cli import main
from tests.helpers.corpus import CORPUS, needs_corpus
from tests.helpers.examples import example_workspace

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "translate_other" / "fixtures"
OBI = CORPUS / "edifact" / "ORDERS_D93A_underware_ean007.edi"
LONG_NAME = "Nordwestdeutsche Baustoffhandelsgesellschaft mbH"      # 48 characters
LONG_STREET = "Industriestrasse 114-118, Tor 3 (Warenannahme)"      # 46


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def translated(capsys: pytest.CaptureFixture[str], path: Path, *more: str) -> list[dict[str, object]]:
    code, out, err = run(capsys, "translate", str(path), "--json", *more)
    assert code == 0, err
    docs = json.loads(out)
    return docs if isinstance(docs, list) else [docs]


def parties(doc: dict[str, object]) -> dict[str, dict[str, object]]:
    found = doc["parties"]
    assert isinstance(found, list)
    return {str(p["role"]): p for p in found}


@needs_corpus
def test_obis_party_names_cut_mid_word_are_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)                      # no gateway.yaml: the base profile
    [order] = translated(capsys, OBI)
    named = {role: p.get("name") for role, p in parties(order).items()}
    assert named["buyer"] == named["ship_to"] == "OBI 029 PLZEN II. OBI CESKA REPUBLIKA S.R.O"
    assert named["bill_to"] == "OBI CESKA REPUBLIKA S.R.O DIRECT IMPORT ZVD"
    lines = order["lines"]
    assert isinstance(lines, list)
    # IMD+F++:::BATERIE UMYVADLOVAS VYPUSTI TITANIA:NEW keeps its second 7008 (D93A is read with the D96A
    # profile, the nearest before it; its item descriptions join their two 7008 with a space: the 35 characters
    # before NEW end at a word, where OBI's NAD names run on mid-word)
    assert lines[0]["description"] == "BATERIE UMYVADLOVAS VYPUSTI TITANIA NEW"
    assert lines[7]["description"] == "BATERIE DREZOVA KUCHYNSKA CHROM"


def interchange(*body: str) -> bytes:
    segments = ["UNB+UNOC:3+4012345000009:14+0614141000005:14+261129:0850+77", "UNH+1+ORDERS:D:96A:UN:EAN008",
                "BGM+220+PO77+9", "DTM+137:20261129:102", *body, "LIN+1++4012345000122:EN", "QTY+21:3", "UNS+S",
                f"UNT+{len(body) + 7}+1", "UNZ+1+77"]
    return ("UNA:+.? '" + "'\n".join(segments) + "'\n").encode("latin-1")


def test_components_that_end_short_are_words_or_lines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    """A part shorter than 35 ended where its sender chose: a space follows it (a name) or it ends a line (a
    street); a street part filled to 35 goes on in the next one."""
    monkeypatch.chdir(tmp_path)
    sample = tmp_path / "orders.edi"
    sample.write_bytes(interchange(
        "NAD+BY+4012345000009::9++Test:Name2+Test Street:Steet2+Berlin++10115+DE",
        "NAD+DP+4012345000016::9++Lager:::Nord+ZONE REPUBLIQUE III 1 RUE DE GALILE:E:Batiment C+Poitiers++86000+FR"))
    [order] = translated(capsys, sample)
    by_role = parties(order)
    assert by_role["buyer"]["name"] == "Test Name2"
    assert by_role["buyer"]["address"]["lines"] == ["Test Street", "Steet2"]       # type: ignore[index]
    assert by_role["ship_to"]["name"] == "Lager Nord"
    assert by_role["ship_to"]["address"]["lines"] == [                             # type: ignore[index]
        "ZONE REPUBLIQUE III 1 RUE DE GALILEE", "Batiment C"]


@pytest.mark.parametrize(("fixture", "doc_type"), [("eurohandel_invoice.json", "INVOIC"),
                                                   ("eurohandel_shipnotice.json", "DESADV")])
def test_a_long_name_and_street_go_on_in_the_next_components_and_read_back(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], fixture: str,
        doc_type: str) -> None:
    monkeypatch.chdir(tmp_path)                      # read back with the base profile
    config = example_workspace(tmp_path / "ws", ("eurohandel",))
    doc = json.loads((FIXTURES / fixture).read_text())
    buyer = next(p for p in doc["parties"] if p["role"] == "buyer")
    buyer["name"] = LONG_NAME
    buyer["address"] = {"lines": [LONG_STREET, "Halle 7"], "city": "Bremen", "postal_code": "28197", "country": "DE"}
    source = tmp_path / "doc.json"
    source.write_text(json.dumps(doc))
    written = tmp_path / f"{doc_type}.edi"
    code, _, err = run(capsys, "render", str(source), "--partner", "eurohandel", "--type", doc_type,
                         "--config", str(config), "--output", str(written))
    assert code == 0, err
    text = written.read_bytes().decode("latin-1")
    nad = next(s for s in text.split("'") if s.strip().startswith("NAD+BY"))
    assert nad.strip() == ("NAD+BY+4012345000009::9++Nordwestdeutsche Baustoffhandelsges:ellschaft mbH"
                           "+Industriestrasse 114-118, Tor 3 (Wa:renannahme):Halle 7+Bremen++28197+DE")
    [back] = translated(capsys, written)
    read = parties(back)["buyer"]
    assert read["name"] == LONG_NAME
    assert read["address"]["lines"] == [LONG_STREET, "Halle 7"]                    # type: ignore[index]


def test_only_what_does_not_fit_in_every_component_is_cut(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = example_workspace(tmp_path / "ws", ("eurohandel",))
    doc = json.loads((FIXTURES / "eurohandel_invoice.json").read_text())
    doc["lines"][0]["description"] = "Blue Widget " * 7                  # 84 characters: IMD has two 7008 of 35
    source = tmp_path / "doc.json"
    source.write_text(json.dumps(doc))
    code, out, err = run(capsys, "render", str(source), "--partner", "eurohandel", "--type", "INVOIC",
                         "--config", str(config))
    assert code == 0, err
    # the item description is cut between words (`join: " "`): the seventh "Blue Widget" fits in neither 7008
    assert "IMD+F++:::Blue Widget Blue Widget Blue Widget:Blue Widget Blue Widget Blue Widget'" in out, \
        [s for s in out.split("\n") if s.startswith("IMD")]


def with_parties_override(tmp_path: Path, fields: str) -> Path:
    """EuroHandel's workspace with its ORDERS profile reading NAD as `fields` says."""
    config = example_workspace(tmp_path / "ws", ("eurohandel",))
    profile = config.parent / "translations" / "eurohandel-orders.yaml"
    profile.write_text(profile.read_text() + f"structure:\n  parties:\n    fields:\n{fields}")
    return config


def test_a_partner_that_always_splits_at_words_says_join_space(tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    """A part of exactly 35 ending at a word reads as running on (auto); `join: " "` makes it a word break."""
    config = with_parties_override(tmp_path, '      name: {at: 4.1, spans: 5, join: " "}\n')
    sample = tmp_path / "orders.edi"
    sample.write_bytes(interchange("NAD+BY+4012345000009::9++EUROHANDEL GROSSHANDEL UND VERTRIEB:GMBH UND CO KG"))
    [order] = translated(capsys, sample, "--config", str(config))
    assert parties(order)["buyer"]["name"] == "EUROHANDEL GROSSHANDEL UND VERTRIEB GMBH UND CO KG"


def test_lint_names_a_span_past_the_composites_end(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = with_parties_override(tmp_path, "      address.lines: {at: 5.1, spans: 5, join: lines}\n")
    code, out, err = run(capsys, "lint", "--config", str(config))
    assert code == 1
    assert "NAD element 5 (C059) has 4 components; 5.5 (spans: 5 from 5.1) does not exist" in out + err


@pytest.mark.parametrize(("spec", "says"), [
    ('{at: 4.1, spans: 5, join: ", "}', 'join: one of auto, " ", "", lines'),
    ("{at: 4, spans: 5}", "spans: needs a component address (at: 4.1)"),
    ("{at: 4.1, spans: 5, codes: units}", "spans: is for text; codes cannot go with it"),
])
def test_a_wrong_span_is_an_error_at_its_line(tmp_path: Path, capsys: pytest.CaptureFixture[str], spec: str,
                                              says: str) -> None:
    config = with_parties_override(tmp_path, f"      name: {spec}\n")
    code, out, err = run(capsys, "lint", "--config", str(config))
    assert code != 0
    assert "eurohandel-orders.yaml:" in out + err and says in out + err


def test_an_allowance_description_goes_on_in_the_second_7160(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    config = example_workspace(tmp_path / "ws", ("eurohandel",))
    doc = json.loads((FIXTURES / "eurohandel_invoice.json").read_text())
    [charge] = doc["allowances_charges"]
    charge["description"] = "Frachtkostenpauschale Speditionsversand Palette"       # 47 characters
    source, written = tmp_path / "doc.json", tmp_path / "INVOIC.edi"
    source.write_text(json.dumps(doc))
    code, _, err = run(capsys, "render", str(source), "--partner", "eurohandel", "--type", "INVOIC",
                       "--config", str(config), "--output", str(written))
    assert code == 0, err
    assert b"ALC+C++++FC:::Frachtkostenpauschale Speditionsver:sand Palette'" in written.read_bytes()
    [back] = translated(capsys, written)
    assert [c["description"] for c in back["allowances_charges"]] == [charge["description"]]  # type: ignore[union-attr]


NOTE = ("Lieferung erfolgte in zwei Teilen, Restmenge folgt mit separater Rechnung nach Eingang der Ware im "
        "Zentrallager.")                                                                      # 112 characters


def test_a_note_goes_on_over_ftxs_five_texts_and_reads_as_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    """FTX C108 holds five 4440 of 70. A note was written whole into the first, so one longer than 70 made the
    INVOIC fail the outbound check (held, not sent); and a note read kept its components' separator in it."""
    monkeypatch.chdir(tmp_path)
    config = example_workspace(tmp_path / "ws", ("eurohandel",))
    doc = json.loads((FIXTURES / "eurohandel_invoice.json").read_text())
    doc["notes"] = [NOTE]
    source, written = tmp_path / "doc.json", tmp_path / "INVOIC.edi"
    source.write_text(json.dumps(doc))
    code, _, err = run(capsys, "render", str(source), "--partner", "eurohandel", "--type", "INVOIC",
                       "--config", str(config), "--output", str(written))
    assert code == 0, err
    assert f"FTX+AAI+++{NOTE[:70]}:{NOTE[70:]}'".encode() in written.read_bytes()
    [back] = translated(capsys, written)
    assert back["notes"] == [NOTE]
    sample = tmp_path / "orders.edi"
    sample.write_bytes(interchange("FTX+AAI+++Bitte an Rampe 3 liefern:nicht vor 8?:00 Uhr", "NAD+BY+4012345000009::9"))
    [order] = translated(capsys, sample)
    assert order["notes"] == ["Bitte an Rampe 3 liefern nicht vor 8:00 Uhr"]
