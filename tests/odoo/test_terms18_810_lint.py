"""The base 810's ITD nodes lint clean: the instalments node (one ITD*04 per part) written after the single ITD
was warned about on every workspace ('ITD node instalments can never match: terms takes every ITD first') until the
ITDs were read by a read-only node placed first."""

from __future__ import annotations

from pathlib import Path

from gateway.translate.lint import lint_profiles
from gateway.translate.profile import ProfileRegistry


def test_the_base_810_itd_nodes_lint_clean(tmp_path: Path) -> None:
    (tmp_path / "acme-810.yaml").write_text("extends: x12-005010-810\n")
    said = [str(e) for e in lint_profiles(ProfileRegistry.load([tmp_path]))]
    assert not any("810" in s and "ITD" in s for s in said), said
