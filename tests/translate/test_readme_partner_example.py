"""README's "Adding a partner" step 3, taken from README.md itself, does what the README says.

ACME sends its item numbers in the PO1 pair qualified CB. Said with a code list (`item_qualifiers:
{CB: buyer}`), the order carries one buyer item number and the 855 gives it back once, as CB. Said with a
field pick (`item_ids.buyer: {pair: CB, at: 6}`, what README showed before), the number was kept twice
(`buyer` beside the base's `buyer_catalog`) and the 855 sent it back twice, as BP and as CB.
"""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path
from typing import Any

import pytest

from gateway.cli import main
from tests.translate.conftest import make_workspace

README = Path(__file__).resolve().parents[2] / "README.md"

PARTNER = """id: acme
name: ACME Retail Stores
x12:
  ids: [{qualifier: ZZ, id: ACMERETAIL}]
  gs_ids: [ACME]
  version: "004010"
inbound:
  - {channel: folder}
documents:
  - {type: "850", direction: in, profile: acme-850}
  - {type: "855", direction: out, profile: acme-855}
"""

SAMPLE = ("ISA*00*          *00*          *ZZ*ACMERETAIL     *ZZ*ACMEDIST       *261130*0800*U*00401*000000501*0*P*>~"
          "GS*PO*ACME*ACMEDIST*20261130*0800*501*X*004010~ST*850*0001~BEG*00*SA*AC-1001**20261130~"
          "PO1*1*4*CT*12.50*PE*CB*CAT-77*VN*V-77~CTT*1~SE*5*0001~GE*1*501~IEA*1*000000501~")


def readme_step_3() -> tuple[str, str]:
    """(acme-850.yaml as README step 3 shows it, the `codes:` README says to share with the outbound profiles)."""
    text = README.read_text()
    step = text[text.index("3. Write `translations/acme-850.yaml`"):text.index("4. Check it against their files")]
    block = textwrap.dedent(step.split("```yaml\n", 1)[1].split("```", 1)[0])
    shared = re.search(r"`(codes: \{.*?\}\}\})`", step.replace("\n   ", " "))
    assert shared, "README step 3 no longer names the codes to share with the outbound profiles"
    return block, shared.group(1)


def _workspace(root: Path, profile_850: str, shared_codes: str) -> Path:
    config = make_workspace(root)
    (root / "partners" / "acme.yaml").write_text(PARTNER)
    (root / "translations" / "acme-850.yaml").write_text(profile_850)
    (root / "translations" / "acme-codes.yaml").write_text(f"abstract: true\nsyntax: x12\n{shared_codes}\n")
    (root / "translations" / "acme-855.yaml").write_text("extends: [x12-004010-855, acme-codes]\n")
    (root / "po.edi").write_text(SAMPLE)
    return config


def _order_then_ack(config: Path, capsys: pytest.CaptureFixture[str]) -> tuple[dict[str, Any], str]:
    """The 850 translated for acme, and the 855 rendered for it from the order's own lines."""
    assert main(["translate", str(config.parent / "po.edi"), "--config", str(config), "--json"]) == 0
    order = json.loads(capsys.readouterr().out)
    ack = {"doc_type": "PurchaseOrderAck", "number": order["number"], "po_number": order["number"],
           "date": "2026-11-30", "ack_type": "accepted",
           "lines": [{"line_no": ln["line_no"], "item_ids": ln["item_ids"], "quantity": ln["quantity"],
                      "unit": ln["unit"], "status": "accepted"} for ln in order["lines"]]}
    (config.parent / "ack.json").write_text(json.dumps(ack))
    assert main(["render", str(config.parent / "ack.json"), "--partner", "acme", "--type", "855",
                 "--config", str(config)]) == 0
    return order, capsys.readouterr().out


def test_readme_profile_keeps_the_item_number_once_and_the_855_gives_it_back_as_sent(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    profile, shared = readme_step_3()
    config = _workspace(tmp_path, profile, shared)
    assert main(["lint", "--config", str(config)]) == 0, capsys.readouterr().out
    capsys.readouterr()
    order, edi = _order_then_ack(config, capsys)
    assert order["lines"][0]["item_ids"] == {"buyer": "CAT-77", "vendor": "V-77"}
    assert order["lines"][0]["unit"] == "CS"
    po1 = next(seg.strip() for seg in edi.split("~") if seg.strip().startswith("PO1*"))
    assert po1.count("CAT-77") == 1 and "*CB*CAT-77" in po1 and "*BP*" not in po1
    assert po1.split("*")[3] == "CT"


def test_a_field_pick_instead_is_warned_of_and_still_works(tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    """What README warns of, the field pick it showed before: the number is kept twice and the 855 sends it back as
    BP and CB. Lint warns at its line; it is no error, so a gateway configured from README's earlier example still
    starts after the upgrade, and works as it did."""
    _profile, shared = readme_step_3()
    pick = ("extends: x12-004010-850\ncodes:\n  units: {CT: CS}\n"
            "structure:\n  lines:\n    fields:\n      item_ids.buyer: {pair: CB, at: 6}\n")
    config = _workspace(tmp_path, pick, shared.replace("item_qualifiers: {CB: buyer, _out: {buyer: CB}}",
                                                      "item_qualifiers: {}"))
    capsys.readouterr()
    assert main(["lint", "--config", str(config)]) == 0
    assert "warning: " in (said := capsys.readouterr().out) and "acme-850.yaml:7: 'item_ids.buyer' picks the CB pair" \
        in said, said
    order, edi = _order_then_ack(config, capsys)
    assert order["lines"][0]["item_ids"] == {"buyer_catalog": "CAT-77", "buyer": "CAT-77", "vendor": "V-77"}
    po1 = next(seg.strip() for seg in edi.split("~") if seg.strip().startswith("PO1*"))
    assert po1.count("CAT-77") == 2 and "*BP*CAT-77" in po1 and "*CB*CAT-77" in po1
