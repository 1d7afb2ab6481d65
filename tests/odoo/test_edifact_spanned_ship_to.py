"""An EANCOM ORDERS whose ship-to has no GLN, only a name cut at 35 in mid-word over two C080 components (as OBI
writes its names), through the real pipeline into the sandbox: the delivery contact is found by its whole name
and postcode. The base profile read the first component only ("EuroHandel Zentrallager Nordwest Lo"), which no
contact in Odoo is called. Checked with odoorpc."""

from __future__ import annotations

from pathlib import Path

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.journal.api import State
from gateway.odoo.sandbox import SandboxServer
from gateway.transports.base import IntakeMeta
from tests.helpers.examples import EXAMPLES
from tests.odoo.test_pipeline_posting import examples, pipeline_for, run

__all__ = ["examples"]      # the module-scoped fixture, re-exported

pytestmark = pytest.mark.parametrize("sandbox", [19], ids=["odoo19"], indirect=True)

SAMPLE = EXAMPLES / "samples" / "eurohandel" / "ORDERS_4500012345.edi"
DC = "EuroHandel Zentrallager Nordwest Logistik GmbH"          # 46 characters


async def test_a_ship_to_named_over_two_components_is_found_by_its_whole_name(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    [eurohandel] = odoo.execute_kw("res.partner", "search", [[("barcode", "=", "4012345000009")]])
    dc = odoo.execute_kw("res.partner", "create", [{"name": DC, "parent_id": eurohandel, "type": "delivery",
                                                    "street": "Hafenstrasse 12", "zip": "28197", "city": "Bremen"}])
    sent = "NAD+DP+4012345000016::9++Lager K\xf6ln+Robert-Bosch-Stra\xdfe 7+K\xf6ln++50769+DE'".encode("latin-1")
    data = SAMPLE.read_bytes()
    assert sent in data
    data = data.replace(sent, f"NAD+DP+++{DC[:35]}:{DC[35:]}+Hafenstrasse 12+Bremen++28197+DE'".encode("latin-1"))
    pipeline, _ = pipeline_for(tmp_path, examples, sandbox)
    message = await pipeline.submit(data, IntakeMeta(channel="folder", filename="ORDERS_dc_by_name.edi"))
    done = run(pipeline, message.id, {State.DONE, State.QUARANTINED})
    assert done.state is State.DONE, done.last_error
    [so] = odoo.execute_kw("sale.order", "search_read", [[("client_order_ref", "=", "4500012345")]],
                           {"fields": ["partner_shipping_id"]})
    assert so["partner_shipping_id"][0] == dc
