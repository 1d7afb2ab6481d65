"""Workspace profiles that worked before today's lint checks must still lint clean: `run` and a SIGHUP reload
refuse to start on any lint error, so a false positive stops a working gateway after an upgrade."""

from __future__ import annotations

import shutil
from pathlib import Path

from gateway.translate.profile import BASE_DIR
from tests.helpers.gateway import cli


def lint_ok(ws: Path) -> None:
    done = cli("lint", config=ws / "gateway.yaml")
    assert "Traceback" not in done.stdout + done.stderr
    assert done.returncode == 0 and done.stdout.endswith("ok (4 partners)\n"), done.stdout + done.stderr


def test_a_pick_the_base_makes_itself_is_no_error(ws: Path) -> None:
    """A partner whose BP is an internal code says `item_ids.buyer: {pair: IN, at: 6}` (docs/profiles.md's
    example). It must not stop `run`: the number is kept twice (the base reads IN as `buyer_item` too, and since
    the base 850 no longer picks IN as `buyer` lint warns of it), but a warning is no error."""
    (ws / "translations" / "acme-850.yaml").write_text(
        "extends: x12-004010-850\nstructure:\n  lines:\n    fields:\n      item_ids.buyer: {pair: IN, at: 6}\n")
    lint_ok(ws)


def test_a_workspace_copy_of_every_shipped_profile_lints_clean(ws: Path) -> None:
    """A workspace file with a base profile's name replaces it (docs/profiles.md: 'base overrides'); a coordinator
    copies the shipped file to change one line. The copy, unchanged, was refused at the base's own IN picks."""
    for path in BASE_DIR.glob("*.yaml"):
        shutil.copy(path, ws / "translations" / path.name)
    lint_ok(ws)


HOOK = '''from typing import Any


def after(doc: dict[str, Any], tx: Any) -> dict[str, Any]:
    kind = doc.pop("_store_kind", None)
    if kind:
        doc.setdefault("notes", []).append(f"stores by {kind}")
    return doc
'''


def test_a_default_an_after_read_hook_takes_out_is_no_error(ws: Path) -> None:
    """`defaults: {_store_kind: gln}` with an after_read hook that pops it (a setting of the hook, the escape hatch)
    translated fine, and lint called it 'not a field of PurchaseOrder'; without a hook it still is an error."""
    (ws / "translations" / "acmehook.py").write_text(HOOK)
    profile = ws / "translations" / "acme-850.yaml"
    profile.write_text("extends: x12-004010-850\ndefaults:\n  currency: USD\n  _store_kind: gln\n"
                       "hooks:\n  after_read: \"acmehook:after\"\n")
    lint_ok(ws)
    sample = ws / "samples" / "bigbox" / "850_4500001234.edi"
    done = cli("translate", str(sample), "--profile", "acme-850", "--json", config=ws / "gateway.yaml")
    assert done.returncode == 0 and '"stores by gln"' in done.stdout, done.stdout + done.stderr
    profile.write_text("extends: x12-004010-850\ndefaults:\n  currency: USD\n  _store_kind: gln\n")
    done = cli("lint", config=ws / "gateway.yaml")
    assert done.returncode == 1 and "defaults: '_store_kind' is not a field of PurchaseOrder" in done.stdout
