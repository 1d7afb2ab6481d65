"""Onboarding a partner with a YAML file only.

GadgetMart sends 004010 850s that differ from the base in six ways: its item numbers come
qualified CB (buyer catalog), not BP/IN; its unit CT (carton) is our case; the ship-to is
a store number in N1*ST qualified ZZ; the required-by date is qualifier 106, not 002; the
department comes in REF*19; it never sends CUR (Canadian dollars). Given its sample file,
when translated with the base profile the order is wrong in each of those ways; when a
coordinator adds partners/gadgetmart.yaml and translations/gadgetmart-850.yaml (no Python),
then `lint` is clean and the same file translates right, and the 855 we send back uses
GadgetMart's codes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from gateway.cli import main
from tests.translate.conftest import make_workspace

SAMPLE = """ISA*00*          *00*          *ZZ*GADGETMART     *ZZ*ACMEDIST       *261129*0800*U*00401*000000777*0*P*>~
GS*PO*GADGETMART*ACMEDIST*20261129*0800*777*X*004010~
ST*850*7001~
BEG*00*SA*GM-55501**20261129~
REF*19*TOYS~
DTM*106*20261210~
N1*BY*GADGETMART INC*UL*0860001000030~
N1*ST*GADGETMART STORE 12*ZZ*GM12~
N3*12 MAIN ST~
N4*TORONTO*ON*M5V 2T6*CA~
PO1*1*3*CT*150.00*PE*CB*GM-CAT-881*UP*614141000012~
PID*F****BLUE WIDGET~
PO1*2*20*EA*8.75*PE*CB*GM-CAT-882*UP*614141000029~
PID*F****RED WIDGET~
CTT*2*23~
SE*14*7001~
GE*1*777~
IEA*1*000000777~
"""

PARTNER = """id: gadgetmart
name: GadgetMart Inc.
odoo: {partner_ref: GADGETMART, currency: CAD}
x12:
  ids: [{qualifier: ZZ, id: GADGETMART}]
  gs_ids: [GADGETMART]
  version: "004010"
inbound:
  - {channel: folder}
documents:
  - {type: "850", direction: in, profile: gadgetmart-850}
  - {type: "855", direction: out, profile: gadgetmart-855}
"""

CODES = """# GadgetMart's codes, shared by its profiles
abstract: true
syntax: x12
codes:
  item_qualifiers: {CB: buyer}          # catalog numbers are their item numbers
  units: {CT: CS, _out: {CS: CT}}       # a carton is our case (and we write CS as CT)
  id_qualifiers: {ZZ: store}            # N1*ST*...*ZZ*GM12: their store code
  date_qualifiers: {"106": requested_delivery, "002": requested_delivery_002}
  ref_qualifiers: {"19": department}
"""

PROFILE_850 = """extends: [x12-004010-850, gadgetmart-codes]
description: GadgetMart 850 (004010)
defaults: {currency: CAD}
structure:
  lines:
    fields:
      item_ids.buyer: {pair: CB, at: 6}
"""

PROFILE_855 = """extends: [x12-004010-855, gadgetmart-codes]
description: GadgetMart 855 (004010)
structure:
  lines:
    fields:
      item_ids.buyer: {pair: CB, at: 6}
"""


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    config = make_workspace(tmp_path)
    (tmp_path / "gm.edi").write_text(SAMPLE)
    return config


def _translate(config: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any], str]:
    code = main(["translate", str(config.parent / "gm.edi"), "--config", str(config), "--json"])
    out, err = capsys.readouterr()
    return code, json.loads(out) if out.strip() else {}, err


def test_base_profile_gets_the_partner_wrong(ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, doc, err = _translate(ws, capsys)
    assert code == 0 and "using the base profile" in err
    line = doc["lines"][0]
    assert "buyer" not in line["item_ids"] and line["item_ids"]["buyer_catalog"] == "GM-CAT-881"
    assert line["unit"] == "CT"
    assert doc["parties"][1]["ids"] == {"mutual": "GM12"}
    assert doc["dates"][0]["qualifier"] == "106"
    assert doc["references"][0]["qualifier"] == "division"
    assert "currency" not in doc


def test_yaml_only_onboarding(ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = ws.parent
    (root / "partners" / "gadgetmart.yaml").write_text(PARTNER)
    (root / "translations" / "gadgetmart-codes.yaml").write_text(CODES)
    (root / "translations" / "gadgetmart-850.yaml").write_text(PROFILE_850)
    (root / "translations" / "gadgetmart-855.yaml").write_text(PROFILE_855)
    assert main(["lint", "--config", str(ws)]) == 0
    capsys.readouterr()
    code, doc, err = _translate(ws, capsys)
    assert code == 0, err
    assert doc["source"]["partner"] == "gadgetmart"
    assert [ln["item_ids"]["buyer"] for ln in doc["lines"]] == ["GM-CAT-881", "GM-CAT-882"]
    assert [ln["unit"] for ln in doc["lines"]] == ["CS", "EA"]
    assert doc["parties"][1]["ids"] == {"store": "GM12"}
    assert doc["dates"] == [{"qualifier": "requested_delivery", "date": "2026-12-10"}]
    assert doc["references"] == [{"qualifier": "department", "value": "TOYS"}]
    assert doc["currency"] == "CAD"
    # and back out: the 855 acknowledgment speaks GadgetMart's codes
    ack = {"doc_type": "PurchaseOrderAck", "number": "GM-55501", "po_number": "GM-55501",
           "date": "2026-11-29", "ack_type": "accepted",
           "lines": [{"line_no": "1", "item_ids": {"buyer": "GM-CAT-881"}, "quantity": "3", "unit": "CS",
                      "status": "accepted"}]}
    (root / "ack.json").write_text(json.dumps(ack))
    assert main(["render", str(root / "ack.json"), "--partner", "gadgetmart", "--type", "855",
                 "--config", str(ws)]) == 0
    out = capsys.readouterr().out
    assert "PO1*1*3*CT***CB*GM-CAT-881~" in out and "ACK*IA*3*CT~" in out
    from gateway.formats import x12
    assert not x12.parse(out.encode()).errors


def test_stand_in_credentials_make_a_copied_workspace_lint(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Given example partner files copied without the certificates and keys they name, when the
    public `write_stand_in_credentials` runs, then lint is clean, the partners' private halves are
    kept apart (mode 0600) and a second run writes nothing."""
    import shutil

    from gateway.commands.init import EXAMPLES, PARTNER_SIDE, write_stand_in_credentials

    (tmp_path / "partners").mkdir()
    (tmp_path / "translations").mkdir()
    shutil.copy(EXAMPLES / "gateway.yaml", tmp_path / "gateway.yaml")
    for partner in ("bigbox", "northwind"):
        shutil.copy(EXAMPLES / "partners" / f"{partner}.yaml", tmp_path / "partners")
        for profile in (EXAMPLES / "translations").glob(f"{partner}-*.yaml"):
            shutil.copy(profile, tmp_path / "translations")
    assert main(["lint", "--config", str(tmp_path / "gateway.yaml")]) != 0       # keys and certificates missing
    made = write_stand_in_credentials(tmp_path)
    assert "keys/northwind.pub" in made and any(m.endswith(".pem") for m in made)
    assert all((tmp_path / m).is_file() for m in made)
    private = sorted(p.name for p in (tmp_path / PARTNER_SIDE).iterdir())
    assert "northwind_ed25519" in private and "bigbox.key" in private
    assert all((tmp_path / PARTNER_SIDE / name).stat().st_mode & 0o077 == 0 for name in private)
    capsys.readouterr()
    assert main(["lint", "--config", str(tmp_path / "gateway.yaml")]) == 0, capsys.readouterr().out
    assert write_stand_in_credentials(tmp_path) == []
