"""`our_ids:` in a partner file (the ids that partner knows us by), as `edi-gateway lint` (a subprocess) reads it."""

from __future__ import annotations

from pathlib import Path

from tests.commands.test_lint_mistakes import edit, lint
from tests.helpers.gateway import cli

BIGBOX_ISA = "x12:\n  ids:\n    - {qualifier: ZZ, id: BIGBOXRETAIL}\n"


def test_one_id_for_us_in_two_partner_files_is_fine(ws: Path) -> None:
    """Two retailers may each give us vendor number 4471: each one's files are ours under it."""
    for name in ("bigbox", "northwind"):
        edit(ws / "partners" / f"{name}.yaml", "x12:\n", "our_ids:\n  x12: {qualifier: ZZ, id: VENDOR4471}\nx12:\n")
    done = cli("lint", config=ws / "gateway.yaml")
    assert done.returncode == 0 and done.stdout.endswith("ok (4 partners)\n"), done.stdout


def test_an_id_that_cannot_fit_its_envelope_element_is_an_error_at_its_line(ws: Path) -> None:
    """An ISA id over 15 characters would shift the fixed-width ISA we send; a qualifier is 2 characters; a UNB id
    at most 35; the AS2 id a partner knows us by has its place on the AS2 channel already."""
    edit(ws / "partners" / "bigbox.yaml", BIGBOX_ISA,
         "our_ids:\n  x12: {qualifier: Z, id: ACMEDISTRIBUTION1}\n  gs: A\n  as2_id: ACME-BB\n" + BIGBOX_ISA)
    edit(ws / "partners" / "eurohandel.yaml", "edifact:\n", f"our_ids:\n  edifact: {{id: '{'4' * 36}'}}\nedifact:\n")
    assert lint(ws) == [
        "partners/bigbox.yaml:15:9: our_ids.x12.qualifier: an ISA qualifier (ISA05/07) is 2 characters, 'Z' has 1",
        ("partners/bigbox.yaml:15:23: our_ids.x12.id: an ISA id (ISA06/08) is 1 to 15 characters, "
         "'ACMEDISTRIBUTION1' has 17"),
        "partners/bigbox.yaml:16:3: our_ids.gs: a GS application code (GS02/03) is 2 to 15 characters, 'A' has 1",
        ("partners/bigbox.yaml:17:3: our_ids.as2_id: the AS2 id this partner knows us by is its as2 channel's "
         "our_as2_id"),
        (f"partners/eurohandel.yaml:14:13: our_ids.edifact.id: a UNB id (0004/0010) is 1 to 35 characters, "
         f"'{'4' * 36}' has 36")]


def test_an_isa_id_too_long_in_gateway_yaml_is_an_error_at_its_line(ws: Path) -> None:
    """The same check for gateway.yaml's own ids (one X12Id for both): ACMEDISTRIBUTION1 passed lint, and every
    ISA we sent was 1 character too wide for a partner's fixed-width reader."""
    edit(ws / "gateway.yaml", "id: ACMEDIST}", "id: ACMEDISTRIBUTION1}")
    [error] = lint(ws)
    assert error.startswith("gateway.yaml:") and "our_ids.x12.id: an ISA id (ISA06/08) is 1 to 15 characters" in error
