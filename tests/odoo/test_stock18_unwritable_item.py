"""One item the partner's syntax cannot carry is left out of the stock feed, not the reason no feed goes out.

Given the demo world in the sandbox Odoo over loopback HTTP, where sales entered Northwind's code for a new product
as 'NW:Q1' (':' is a delimiter of Northwind's X12), when the scheduler runs Northwind's 846 through the real
profile, then the feed goes out with every other item and that one is left out, said in the log with the reason.
Before, the whole feed was held in quarantine: the retailer kept yesterday's figures of every item and sold on them.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.odoo.client import OdooClient
from gateway.odoo.sandbox import SandboxServer
from tests.odoo.test_stock_feed_levels import examples, feed, item, new_product, northwind_code, scheduler_for

__all__ = ["examples"]          # the module's fixture, shared


async def test_an_item_code_holding_a_delimiter_is_left_out_and_the_feed_goes_out(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, examples: LoadedConfig,
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    northwind_code(odoo, new_product(odoo, sandbox.version, "Widget Quad", "storable", default_code="WQ-4"), "NW:Q1")
    caplog.set_level(logging.WARNING)
    segments = await feed(scheduler_for(examples, client, journal, tmp_path))
    assert [s for s in segments if s.startswith("CTT*")] == ["CTT*5"]
    assert [s for s in segments if s.startswith("LIN*")][-1].startswith("LIN*5*")      # numbered without a gap
    assert item(segments, "WB-100")[1] == "QTY*33*500*EA"
    assert not [s for s in segments if "WQ-4" in s]
    assert "leaves out WQ-4" in caplog.text and "holds ':'" in caplog.text, caplog.text
