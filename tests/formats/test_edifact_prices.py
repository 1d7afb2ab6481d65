"""EANCOM prices given for a quantity of units (PRI C509 5284, unit price basis: `PRI+AAA:125:::100:PCE` is 125
for 100 pieces, as cheap items like screws and labels are priced). The base profiles read 5118 alone, so the
sale order line got 125 a piece: an order a hundred times its value when the partner sent no line amount,
held by the amount check when it did. Through `edi-gateway translate` on files written here, and through the
pipeline into the Odoo sandbox's sale order lines."""

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


def translate(tmp: Path, *pris: str) -> subprocess.CompletedProcess[str]:
    """`edi-gateway translate --json` of an ORDERS with one line per PRI in `pris`."""
    body = ["BGM+220+PO-PRI+9", "DTM+137:20261129:102", "NAD+BY+4012345000009::9"]
    for n, pri in enumerate(pris, 1):
        body += [f"LIN+{n}++0614141000012:EN", "QTY+21:1000:PCE", pri]
    body.append("UNS+S")
    segs = ["UNA:+,? '", "UNB+UNOC:3+4012345000009:14+0614141000005:14+261129:0915+501",
            "UNH+1+ORDERS:D:96A:UN:EAN008", *body, f"UNT+{len(body) + 2}+1", "UNZ+1+501"]
    path = tmp / "orders.edi"
    path.write_bytes("".join(s if s.startswith("UNA") else s + "'\n" for s in segs).encode("latin-1"))
    return subprocess.run([sys.executable, "-m", "gateway", "translate", str(path), "--json"], cwd=tmp,
                          capture_output=True, text=True, check=False)


def test_a_price_for_100_or_1000_units_is_read_per_unit(tmp_path: Path) -> None:
    done = translate(tmp_path, "PRI+AAA:125:::100:PCE", "PRI+AAA:12,5:::1000:PCE", "PRI+AAA:3,10", "PRI+AAA:7:::1:PCE",
                     "PRI+AAA:1:::3:PCE")
    assert done.returncode == 0, done.stderr
    prices = [line["unit_price"] for line in json.loads(done.stdout)["lines"]]
    assert prices == ["1.25", "0.0125", "3.10", "7", "0.333333"]


def test_a_basis_that_is_no_quantity_is_refused_naming_it(tmp_path: Path) -> None:
    done = translate(tmp_path, "PRI+AAA:125:::0:PCE")
    assert done.returncode != 0
    assert "PRI unit price basis (5284) '0' is not a quantity" in done.stderr


@pytest.mark.parametrize("sandbox", [19], ids=["odoo19"], indirect=True)
async def test_the_sale_order_line_gets_the_price_of_one(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    # Given EuroHandel's sample order with its Blue Widgets (48 at 12.50, 600.00) priced per 100; when it is posted
    await post_sample_with(tmp_path, examples, sandbox, b"PRI+AAA:12.50'", b"PRI+AAA:1250:::100:PCE'")
    # Then their sale order line is at 12.50 a piece
    so = sample_sale_order(odoo, ["order_line"])
    lines = odoo.execute_kw("sale.order.line", "read", [so["order_line"], ["product_uom_qty", "price_unit"]])
    assert (48.0, 12.5) in [(ln["product_uom_qty"], ln["price_unit"]) for ln in lines]
