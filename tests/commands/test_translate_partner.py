"""`edi-gateway translate FILE --partner P` (a subprocess) on an `edi-gateway init` workspace: a file whose envelope
names another partner is translated as asked, with a note saying whose file it is."""

from __future__ import annotations

from pathlib import Path

from tests.helpers.gateway import cli


def test_a_sample_given_to_the_wrong_partner_is_noted(tmp_path: Path) -> None:
    """Northwind's 850 with --partner bigbox was translated with BigBox's codes (CA as a case, the store as a
    buyer id) and said nothing: it looked like a BigBox order."""
    ws = tmp_path / "ws"
    assert cli("init", str(ws)).returncode == 0
    sample = ws / "samples" / "northwind" / "850_NW-77001.edi"
    done = cli("translate", str(sample), "--partner", "bigbox", config=ws / "gateway.yaml")
    assert done.returncode == 0 and "partner bigbox]" in done.stdout, done.stdout + done.stderr
    assert ("note: file from given partner bigbox carries ISA05/06 12/8005551234, GS02 NORTHWIND, which belongs to "
            "northwind; translated with bigbox's profiles all the same (--partner)") in done.stderr
    done = cli("translate", str(sample), "--partner", "northwind", config=ws / "gateway.yaml")
    assert done.returncode == 0 and "partner northwind]" in done.stdout and "note:" not in done.stderr
