"""`edi-gateway lint` checks a partner's `odoo.untaxed_lines` (the VAT category of an invoice line without a tax):
a category an untaxed line cannot have (S is charged at a rate), a zero-rated (Z) line with an exemption reason
(EN 16931 BR-Z-10, which a retailer's invoice check applies) and a reason that is no CEF VATEX code are named
before an invoice goes out with them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.helpers.gateway import Workspace, cli


def lint(tmp_path: Path, untaxed: dict[str, Any]) -> str:
    name = "-".join(f"{k}{v}" for k, v in untaxed.items()).replace(" ", "_")
    ws = Workspace.create(tmp_path / f"gw-{name}", partners={"eu-retail": {"odoo": {"untaxed_lines": untaxed}}})
    result = cli("lint", "--config", str(ws.config))
    return result.stdout + result.stderr


@pytest.mark.parametrize(("untaxed", "named"), [
    ({"category": "S"}, "untaxed_lines.category"),
    ({"category": "Z", "exemption_reason": "VATEX-EU-132"}, "category Z (zero rated) takes no exemption_reason"),
    ({"category": "E", "exemption_reason": "article 132"}, "untaxed_lines.exemption_reason"),
], ids=["standard", "zero-rated-reason", "not-vatex"])
def test_lint_names_an_untaxed_category_a_retailer_would_refuse(tmp_path: Path, untaxed: dict[str, Any],
                                                                  named: str) -> None:
    said = lint(tmp_path, untaxed)
    assert named in said and "ok (1 partner" not in said, said


def test_lint_takes_an_exempt_category_with_its_vatex_code(tmp_path: Path) -> None:
    said = lint(tmp_path, {"category": "E", "exemption_reason": "VATEX-EU-132-1A", "exemption_text": "Medical care"})
    assert "ok (1 partner" in said and "untaxed_lines" not in said, said


def test_lint_names_a_tax_category_that_is_no_uncl_5305_code(tmp_path: Path) -> None:
    ws = Workspace.create(tmp_path / "gw-names", partners={"eu-retail": {"odoo": {
        "tax_categories": {"0% reverse charge": "RC"}}}})
    result = cli("lint", "--config", str(ws.config))
    said = result.stdout + result.stderr
    assert "odoo.tax_categories.0% reverse charge: expected one of: S, Z, E, AE, K, G, O, L, M" in said, said
