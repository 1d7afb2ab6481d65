"""A UBL order line priced per a BaseQuantity in another unit than the line's quantity (87.50 per box for a line
counted in pieces), through the daemon's pipeline into the sandbox over HTTP, checked with odoorpc."""

from __future__ import annotations

from pathlib import Path

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.journal.api import State
from gateway.odoo.sandbox import SandboxServer
from tests.odoo.test_pipeline_posting import examples
from tests.odoo.test_xmlhunt18_ubl_order import peppol_order, sale_lines, submit

__all__ = ["examples"]          # the module fixture, shared

pytestmark = pytest.mark.parametrize("sandbox", [17, 19], ids=["odoo17", "odoo19"], indirect=True)


def priced_per(number: str, price: str, base: str, unit: str) -> bytes:
    """The Peppol order of 20 red widgets (C62, pieces) at `price` per `base` `unit`."""
    return peppol_order(number, price, base).replace(b'<b:BaseQuantity unitCode="C62">',
                                                     f'<b:BaseQuantity unitCode="{unit}">'.encode())


async def test_a_price_per_box_for_a_line_in_pieces_is_held(tmp_path: Path, examples: LoadedConfig,
                                                           sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    """87.50 per 1 box (XBX) for 20 pieces: the price of a piece is not known from the line. It was read as 87.50
    a piece (the base quantity 1 divided out, its unit never looked at): a quotation of 1750.00."""
    held = await submit(tmp_path, examples, sandbox, priced_per("PPL-BQ-BOX", "87.50", "1", "XBX"))
    assert held.state is State.QUARANTINED
    assert "Price/BaseQuantity is in XBX and the line's quantity in C62" in (held.last_error or "")
    assert odoo.execute_kw("sale.order", "search", [[("client_order_ref", "=", "PPL-BQ-BOX")]]) == []


async def test_a_price_per_ten_each_for_a_line_in_c62_is_posted_per_unit(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    """EA and C62 are both 'one' (ubl-common reads both as EA): 87.50 per 10 EA for 20 C62 is 8.75 each, as
    before."""
    done = await submit(tmp_path, examples, sandbox, priced_per("PPL-BQ-EA", "87.50", "10", "EA"))
    assert done.state is State.DONE, done.last_error
    lines, _note = sale_lines(odoo, "PPL-BQ-EA")
    assert lines == [("WR-200", 20.0, 8.75)]
