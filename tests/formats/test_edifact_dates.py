"""EANCOM delivery dates in the DTM formats partners use (2379): a delivery week (616, CCYYWW) is read as the
week's Monday; a value whose length does not fit its format code is read by its length. It was not read at all: the base profiles passed over a DTM of a format they did not list, so an
order asking for delivery in week 49 reached Odoo with no requested date. Through `edi-gateway translate` on a
file written here, and through the pipeline into the Odoo sandbox's sale order."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.odoo.sandbox import SandboxServer
from tests.formats.test_edifact_nad_c058 import post_sample_with, sample_sale_order
from tests.odoo.conftest import odoo, sandbox
from tests.odoo.test_pipeline_posting import examples

__all__ = ["examples", "odoo", "sandbox"]          # fixtures, used by name


def order(*dtms: str) -> bytes:
    body = ["BGM+220+PO-DTM+9", "DTM+137:20261129:102", *dtms, "NAD+BY+4012345000009::9",
            "LIN+1++0614141000012:EN", "QTY+21:10", "UNS+S"]
    segs = ["UNB+UNOC:3+4012345000009:14+0614141000005:14+261129:0915+501", "UNH+1+ORDERS:D:96A:UN:EAN008",
            *body, f"UNT+{len(body) + 2}+1", "UNZ+1+501"]
    return "".join(s + "'\n" for s in segs).encode("latin-1")


def translate(tmp: Path, data: bytes) -> subprocess.CompletedProcess[str]:
    path = tmp / "orders.edi"
    path.write_bytes(data)
    return subprocess.run([sys.executable, "-m", "gateway", "translate", str(path), "--json"], cwd=tmp,
                          capture_output=True, text=True, check=False)


def test_a_delivery_week_is_read_as_its_monday(tmp_path: Path) -> None:
    done = translate(tmp_path, order("DTM+2:202649:616", "DTM+64:202653:616", "DTM+63:20261201:102"))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["dates"] == [
        {"qualifier": "requested_delivery", "date": "2026-11-30"},      # ISO week 49 of 2026 starts Monday 30 Nov
        {"qualifier": "deliver_not_before", "date": "2026-12-28"},      # 2026 has 53 ISO weeks
        {"qualifier": "deliver_not_after", "date": "2026-12-01"}]


def test_a_date_whose_format_code_does_not_fit_its_length_is_read_by_its_length(tmp_path: Path) -> None:
    """`DTM+2:261201:102` (YYMMDD under the CCYYMMDD code, a common export slip) was refused as "not a valid
    CCYYMMDD date (no such day)" and the order quarantined, though its six digits can only be YYMMDD; a 12-digit
    value under 102 already read by its length."""
    done = translate(tmp_path, order("DTM+2:261201:102", "DTM+63:20261203:101", "DTM+64:20261130:203"))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["dates"] == [
        {"qualifier": "requested_delivery", "date": "2026-12-01"},
        {"qualifier": "deliver_not_after", "date": "2026-12-03"},
        {"qualifier": "deliver_not_before", "date": "2026-11-30"}]


@pytest.mark.parametrize("week", ["202654", "2026W49", "20264"])
def test_a_week_that_is_none_is_refused_naming_it(tmp_path: Path, week: str) -> None:
    done = translate(tmp_path, order(f"DTM+2:{week}:616"))
    assert done.returncode != 0
    assert f"week '{week}' is not an ISO week CCYYWW (2379 616)" in done.stderr


@pytest.mark.parametrize("sandbox", [19], ids=["odoo19"], indirect=True)
async def test_the_week_is_the_sale_orders_commitment_date(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    # Given EuroHandel's sample order asking for delivery in week 50 instead of on 3 December, 10:00
    await post_sample_with(tmp_path, examples, sandbox, b"DTM+2:202612031000:203'", b"DTM+2:202650:616'")
    # Then its sale order is committed for the Monday of that week
    assert str(sample_sale_order(odoo, ["commitment_date"])["commitment_date"])[:10] == "2026-12-07"
