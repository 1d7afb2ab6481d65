"""A partner's ISA05 qualifier off X12's I05 list: lint warns at its line (the gateway answers each of its
interchanges with a TA1 E 005, and reads it), and a listed one is no warning. A warning, not an error: `run` and a
reload must not stop a partner whose files flow."""

from __future__ import annotations

from pathlib import Path

from tests.helpers.gateway import cli


def test_an_isa_qualifier_off_the_x12_list_is_warned_of_at_its_line(ws: Path) -> None:
    partner = ws / "partners" / "bigbox.yaml"
    text = partner.read_text()
    assert "qualifier: ZZ" in text
    partner.write_text(text.replace("qualifier: ZZ", "qualifier: XX", 1))
    done = cli("lint", config=ws / "gateway.yaml")
    assert done.returncode == 0 and done.stdout.endswith("ok (4 partners)\n"), done.stdout + done.stderr
    line = next(n for n, row in enumerate(partner.read_text().splitlines(), 1) if "qualifier: XX" in row)
    [warning] = [row for row in done.stdout.splitlines() if "not an X12 interchange id qualifier" in row]
    assert warning.startswith(f"warning: {partner}:{line}:"), warning
    assert "'XX'" in warning and "TA1 E (005)" in warning, warning


def test_listed_qualifiers_are_no_warning(ws: Path) -> None:
    done = cli("lint", config=ws / "gateway.yaml")
    assert done.returncode == 0 and "interchange id qualifier" not in done.stdout, done.stdout
