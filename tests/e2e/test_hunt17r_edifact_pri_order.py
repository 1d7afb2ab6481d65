"""A line priced twice without a net price (PRI+AAA) reads its last PRI, as every line did before 762f6a3.

762f6a3 took a line's AAA price wherever it stands, else its first one: a line giving PRI+INV 12,50 then PRI+AAB
13,16 with its ALC of 5 % went from the gross price (the ALC then made the 12,50) to the invoice price, which
posting takes the same 5 % off again (11.875 a piece), as nothing says INV has the allowances in. Without an AAA
the line keeps the last price, as before. Through `edi-gateway translate`, with the retailer sample of
tests/e2e/test_hunt17_edifact_retailer.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers.gateway import Workspace, cli

SAMPLE = Path(__file__).parent / "samples" / "hunt17_suedmarkt_orders.edi"
PRICED = b"PRI+AAA:12,5:::1:PCE'\r\nPRI+AAB:13,16:::1:PCE'\r\n"


@pytest.mark.parametrize(("prices", "expected"), [
    (b"PRI+INV:12,5:::1:PCE'\r\nPRI+AAB:13,16:::1:PCE'\r\n", ("13.16", "AAB")),
    (b"PRI+AAB:13,16:::1:PCE'\r\nPRI+INV:12,5:::1:PCE'\r\n", ("12.5", "INV")),
    (b"PRI+AAB:13,16:::1:PCE'\r\nPRI+AAA:12,5:::1:PCE'\r\n", ("12.5", "AAA"))],
    ids=["INV-then-AAB", "AAB-then-INV", "AAB-then-AAA"])
def test_a_line_without_a_net_price_keeps_its_last_one(tmp_path: Path, prices: bytes,
                                                       expected: tuple[str, str]) -> None:
    data = SAMPLE.read_bytes()
    assert PRICED in data
    (tmp_path / "order.edi").write_bytes(data.replace(PRICED, prices).replace(b"MOA+203:600'\r\n", b""))
    ws = Workspace.create(tmp_path / "gw")
    done = cli("translate", str(tmp_path / "order.edi"), "--json", config=ws.config)
    assert done.returncode == 0, done.stdout + done.stderr
    line = json.loads(done.stdout)["lines"][0]
    assert (line["unit_price"], line["price_basis"]) == expected, line
