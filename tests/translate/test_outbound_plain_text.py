"""X12 prose from Odoo as the partner gets it: through the pipeline, the scheduler and BigBox's profiles on the
sandbox, the names, addresses and cities of an 856 are ASCII (X12's character sets are), and only what has an
ASCII reading is changed."""

from __future__ import annotations

from pathlib import Path

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.odoo.client import OdooClient
from gateway.odoo.sandbox import SandboxServer
from tests.odoo.conftest import client, odoo, sandbox
from tests.odoo.test_crossdock import scheduler
from tests.odoo.test_outbound_changed_lines import segments, sent
from tests.odoo.test_outbound_odd_odoo import pack_and_ship
from tests.odoo.test_pipeline_posting import examples
from tests.translate.test_outbound_odoo_invoice import confirmed_order

__all__ = ["client", "examples", "odoo", "sandbox"]      # the fixtures, used by the test below

pytestmark = pytest.mark.parametrize("sandbox", [17], ids=["odoo17"], indirect=True)


async def test_a_ship_from_in_montreal_goes_out_in_ascii(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO) -> None:
    """Our warehouse's company is 'Société Générale – Québec' in 'Montréal': the N1 name went out in ASCII, but
    N401 (the city, not among the elements made ASCII) went out in UTF-8, 'N4*Montréal*', in the same 856 a
    retailer's translator checks the character set of (AK4 6, invalid character)."""
    pipeline, order_id = await confirmed_order(tmp_path, examples, sandbox, odoo)
    [company] = odoo.execute_kw("res.company", "search_read", [[]], {"fields": ["partner_id"], "limit": 1})
    odoo.execute_kw("res.partner", "write", [[company["partner_id"][0]], {
        "name": "Société Générale – Québec", "city": "Montréal", "street": "1200 rue Sainte‑Catherine"}])
    pack_and_ship(odoo, order_id, [])
    assert await scheduler(pipeline, client).run_once("bigbox", "856") == 1
    data = sent(pipeline, "856")
    assert data.isascii()
    [ship_from] = [seg for seg in segments(data, "N1") if seg[1] == "SF"]
    assert ship_from[2] == "Societe Generale - Quebec"
    assert ["N3", "1200 rue Sainte-Catherine"] in segments(data, "N3")
    assert any(seg[:2] == ["N4", "Montreal"] for seg in segments(data, "N4"))


async def test_units_in_a_product_name_keep_their_meaning_in_ascii(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO) -> None:
    """A hardware or electronics product named '90° Elbow 1½ in, 10 kΩ ±5%' went out in the 856's PID05 as
    '90? Elbow 1? in, 10 k? ?5%' (no ASCII reading: '?'), what the retailer's receiving and the invoice audit read.
    It goes out as ASCII writes those units."""
    pipeline, order_id = await confirmed_order(tmp_path, examples, sandbox, odoo)
    [line] = odoo.execute_kw("sale.order.line", "search_read", [[("order_id", "=", order_id)]],
                             {"fields": ["product_id"], "order": "sequence, id", "limit": 1})
    odoo.execute_kw("product.product", "write", [[line["product_id"][0]], {"name": "90° Elbow 1½ in, 10 kΩ ±5%"}])
    pack_and_ship(odoo, order_id, [])
    assert await scheduler(pipeline, client).run_once("bigbox", "856") == 1
    assert ["PID", "F", "", "", "", "90 deg Elbow 1 1/2 in, 10 kOhm +/-5%"] in segments(sent(pipeline, "856"), "PID")
