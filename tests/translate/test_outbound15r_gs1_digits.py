"""A GS1 check digit is judged on ASCII digits only. '١٢٣٤٥٦٧٨٩٠١٢' (Arabic-Indic) and fullwidth digits are
decimal to Python's str.isdecimal, so since 5c63dbd the check-digit note summed them as ASCII bytes and raised
UnicodeEncodeError out of the X12 reader: an 850 with such a UP element (a garbled or mis-encoded file) made
`edi-gateway inspect` fail with a traceback, and the daemon's reading of the file with it, where the file was read
and answered before. Such a value is no GS1 number and is not judged. Odoo's Barcode typed in fullwidth digits
likewise crashed the outbound check."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "gateway" / "examples" / "samples" / "bigbox" / "850_4500001234.edi"


def test_an_850_with_non_ascii_digits_in_a_upc_is_read(tmp_path: Path) -> None:
    path = tmp_path / SAMPLE.name
    path.write_bytes(SAMPLE.read_bytes().replace(b"UP*614141000012", "UP*١٢٣٤٥٦٧٨٩٠١٢".encode()))
    shown = subprocess.run([sys.executable, "-m", "gateway", "inspect", str(path)], capture_output=True, text=True,
                           check=False, cwd=ROOT)
    assert "Traceback" not in shown.stderr and shown.returncode == 0, shown.stderr
    assert "check digit" not in shown.stdout
