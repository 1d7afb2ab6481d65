"""Review of cd163f5 (an invoice Odoo made due in parts is sent as one ITD*04 per part): the single ITD was left out
by the base 810's before_write hook, so a partner 810 profile with a before_write hook of its own (one calling
`invoice_prices_out`, as README advised) wrote the single ITD too, an `ITD*04` with the last due date and no part's
amount or percent (X12 wants ITD10 or ITD11 with 04), beside the parts' ITDs: three terms for one invoice, where
the partner had one `ITD*01` before. The parts are now made by `render` before any hook. Through `edi-gateway
render` on the shipped BigBox partner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gateway.cli import main
from tests.helpers.examples import example_workspace

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "bigbox" / "810_invoice.json"
HOOK = '''from typing import Any

from gateway.translate.x12_fields import invoice_prices_out


def out(data: dict[str, Any]) -> dict[str, Any]:
    data["references"] = [*data.get("references", []), {"qualifier": "vendor_order", "value": "BB-OWN"}]
    return invoice_prices_out(data)
'''


def itds(tmp_path: Path, capsys: pytest.CaptureFixture[str], own_hook: bool, more: str = "") -> list[str]:
    """BigBox's golden invoice due 30 % now and 70 % at 45 days, rendered as its 810 (`more` added to its profile):
    the ITD segments."""
    config = example_workspace(tmp_path / "ws", ("bigbox",))
    profile = tmp_path / "ws" / "translations" / "bigbox-810.yaml"
    profile.write_text(profile.read_text() + more)
    if own_hook:
        (tmp_path / "ws" / "translations" / "bbterms18hook.py").write_text(HOOK)
        profile.write_text(profile.read_text() + 'hooks:\n  before_write: "bbterms18hook:out"\n')
    doc = json.loads(GOLDEN.read_text())
    doc.update(terms_type="deferred_or_instalment", terms_discount_percent="2", terms_discount_days=30,
               instalments=[{"due_date": "2026-12-03", "amount": "30.00", "percent": "30"},
                            {"due_date": "2027-01-17", "amount": "70.00", "percent": "70"}])
    (tmp_path / "doc.json").write_text(json.dumps(doc))
    code = main(["render", str(tmp_path / "doc.json"), "--partner", "bigbox", "--type", "810", "--config", str(config)])
    out, err = capsys.readouterr()
    assert code == 0, err
    if own_hook:
        assert "BB-OWN" in out                    # the partner's hook ran
    return [s.strip() for s in out.split("~") if s.strip().startswith("ITD*")]


@pytest.mark.parametrize("own_hook", [False, True], ids=["base", "own_hook"])
def test_an_instalment_invoice_is_one_itd_a_part_with_a_partner_hook_too(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], own_hook: bool) -> None:
    assert itds(tmp_path, capsys, own_hook) == ["ITD*04*3*2**30****20261203*3000*30*2% 30 NET 45",
                                                "ITD*04*3*******20270117*7000*70"]


def test_a_profile_writing_no_parts_states_01_with_the_last_due_date(tmp_path: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    """A partner whose retailer takes no ITD*04 removes the base's instalments node (`instalments: null`): the invoice
    states one ITD*01 with its last due date, as before parts were stated, not a bare ITD*04 (X12 wants ITD10 or
    ITD11 with 04) nor no ITD at all (the base's hook left the single ITD out for parts no node wrote)."""
    said = itds(tmp_path, capsys, False, "structure:\n  instalments: null\n")
    assert said == ["ITD*01*3*2**30*20270117******2% 30 NET 45"], said
