"""What the EDIFACT writer puts in an outbound interchange, through `edi-gateway render` in a workspace: the UNB
date as the partner's syntax version wants it, and Odoo text the partner's character set lacks."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from gateway.formats import edifact
from tests.helpers.gateway import Workspace

OURS = {"our_ids": {"edifact": {"qualifier": "14", "id": "0614141000005"}}}
# an order as Odoo text comes: Word's apostrophe and dash, a euro sign, umlauts, a Polish letter
NAME = "L\u2019Or\xe9al \u2013 M\xfcller & Wo\u0142ek \u201eNord\u201c"
NOTE = "Preis 12,50 \u20ac \u2026 Stra\xdfe"


def rendered(tmp: Path, syntax: str, version: str, name: str = NAME,
             description: str = "Ger\xe4t \u2018Gro\xdf\u2019") -> bytes:
    """The ORDERS a partner with this character set and syntax version gets for an order buying `description`
    from `name`."""
    partner = {"edifact": {"ids": [{"qualifier": "14", "id": "4012345000009"}], "syntax": syntax,
                           "syntax_version": version},
               "documents": [{"type": "ORDERS", "direction": "out", "profile": "edifact-d96a-orders"}]}
    ws = Workspace.create(tmp, OURS, partners={"vendor": partner})
    doc = {"doc_type": "PurchaseOrder", "number": "PO-77", "date": "2026-11-30",
           "parties": [{"role": "supplier", "name": name, "ids": {"gln": "4012345000009"}}],
           "notes": [NOTE],
           "lines": [{"line_no": "1", "item_ids": {"ean": "0614141000012"}, "quantity": "2", "unit": "EA",
                      "description": description}]}
    (tmp / "doc.json").write_text(json.dumps(doc), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "gateway", "render", str(tmp / "doc.json"), "--partner", "vendor",
                           "--type", "ORDERS", "--config", str(ws.config), "--output", str(tmp / "out.edi")],
                          check=False, cwd=tmp, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return (tmp / "out.edi").read_bytes()


def values(data: bytes, tag: str) -> list[str]:
    result = edifact.parse(data)
    assert [str(i) for i in result.errors] == []
    seg = next(s for s in result.transactions[0].segments if s.tag == tag)
    return [edifact.plain(v, result.interchanges[0].delimiters) for v in seg.fields[1:]]


@pytest.mark.parametrize(("version", "form"), [("3", "%y%m%d"), ("4", "%Y%m%d")])
def test_the_unb_date_is_yymmdd_before_syntax_4_and_ccyymmdd_in_it(tmp_path: Path, version: str, form: str) -> None:
    data = rendered(tmp_path, "UNOC", version)
    env = edifact.parse(data).interchanges[0]
    assert env.version == f"UNOC:{version}"
    assert datetime.strptime(env.date, form).strftime(form) == env.date       # the render day, in that form


def test_text_unoc_lacks_gets_its_usual_stand_ins_and_keeps_what_unoc_has(tmp_path: Path) -> None:
    data = rendered(tmp_path, "UNOC", "3")
    assert values(data, "NAD")[3] == "L'Or\xe9al - M\xfcller & Wolek \"Nord\""
    assert "L?'Or" in data.decode("latin-1")                 # the apostrophe made is released, as any other
    assert values(data, "FTX")[3] == "Preis 12,50 EUR ... Stra\xdfe"
    assert values(data, "IMD")[2] == ":::Ger\xe4t 'Gro\xdf'"


def test_unoa_gets_plain_letters(tmp_path: Path) -> None:
    data = rendered(tmp_path, "UNOA", "3")
    assert data.isascii()
    assert values(data, "NAD")[3] == "L'OREAL - MULLER & WOLEK \"NORD\""     # UNOA has no lowercase letters
    assert values(data, "FTX")[3] == "PREIS 12,50 EUR ... STRASSE"


def test_unoy_keeps_every_character(tmp_path: Path) -> None:
    data = rendered(tmp_path, "UNOY", "4")
    assert values(data, "NAD")[3] == NAME


def test_a_stand_in_longer_than_its_character_is_counted_where_a_value_is_spread_or_cut(tmp_path: Path) -> None:
    # Given a supplier name spread over C080's components and a description over IMD's two 7008, each with a '™'
    # in its first 35 characters (UNOC has none: 'TM', one character more)
    name = "B\xe4ckerei M\xfcller & S\xf6hne\u2122 Gro\xdfhandel GmbH und Co KG"
    description = "Schutzh\xfclle\u2122 Apple iPhone 15 Pro Ma Silikon mit MagSafe"
    # When the ORDERS is written: it is, not refused as 36 characters in 3036 and 7008 (held by the daemon)
    data = rendered(tmp_path, "UNOC", "3", name, description)
    # Then both are all there, spread over components of at most 35 characters
    name_parts = values(data, "NAD")[3].split(":")
    assert "".join(name_parts) == name.replace("\u2122", "TM") and max(map(len, name_parts)) == 35
    assert values(data, "IMD")[2].split(":")[3:] == ["Schutzh\xfclleTM Apple iPhone 15 Pro", "Ma Silikon mit MagSafe"]


def test_a_c1_control_in_odoo_text_is_a_space_in_prose(tmp_path: Path) -> None:
    # Given an Odoo product name imported from a Windows file as Latin-1: its en dash is U+0096, a C1 control
    # When the ORDERS is written for a UNOC partner: it is, not held as text 'read as Windows-1252' by our check
    data = rendered(tmp_path, "UNOC", "3", description="Kabel \x96 3m")
    # Then the control is prose's space, as a line break is, and no byte 0x80-0x9F goes out
    assert values(data, "IMD")[2] == ":::Kabel 3m"
    assert not any(0x80 <= b <= 0x9F for b in data)
