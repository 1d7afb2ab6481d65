"""A partner whose UNB declares UNOA reads ISO 9735 level A only: capital letters, digits, space and a few signs.
EuroHandel's DESADV, extracted from the Odoo sandbox over real HTTP by the daemon's scheduler, went out with Odoo's
product names in lowercase under UNOA ('Blue Widget'), which such a partner refuses or reads as garbage; it is now
written in capitals with stand-ins for the signs UNOA lacks, while a UNOC partner keeps its lowercase."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.formats import parse
from gateway.journal.api import Direction, State
from gateway.odoo.client import OdooClient
from gateway.odoo.sandbox import SandboxServer
from tests.odoo import test_outbound_odd_odoo as odd
from tests.odoo.test_extraction import deliver
from tests.odoo.test_outbound_taxes_packs import daemon_scheduler, examples  # noqa: F401 - the fixture
from tests.odoo.test_tracking_numbers import EUROHANDEL_DC


def with_syntax(examples: LoadedConfig, syntax: str) -> LoadedConfig:  # noqa: F811
    partner = examples.partners["eurohandel"].model_copy(deep=True)
    assert partner.edifact is not None
    partner.edifact = partner.edifact.model_copy(update={"syntax": syntax})
    return dataclasses.replace(examples, partners={**examples.partners, "eurohandel": partner})


async def desadv(config: LoadedConfig, client: OdooClient, journal: Any, tmp_path: Path) -> bytes:
    scheduler, pipeline = daemon_scheduler(config, client, journal, tmp_path)
    await scheduler.run_once("eurohandel", "DESADV")
    [message] = journal.find(direction=Direction.OUT, partner="eurohandel", limit=10)
    assert message.state is State.QUEUED, message.last_error
    return bytes(pipeline.archive.read(message.sha256))


@pytest.mark.parametrize("sandbox", [18], indirect=True, ids=["odoo18"])
@pytest.mark.parametrize("syntax", ["UNOA", "UNOC"])
async def test_a_unoa_partners_desadv_is_in_capitals_and_a_unoc_partners_keeps_lowercase(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, examples: LoadedConfig,  # noqa: F811
        tmp_path: Path, syntax: str) -> None:
    [product] = odoo.execute_kw("product.product", "search", [[("default_code", "=", "WB-100")]])
    odoo.execute_kw("product.product", "write", [[product], {"name": "Blue widget, 1½ in (info@acme.com)"}])
    order_id = odd.ordered(examples, client, "eurohandel", "EH-UNOA", EUROHANDEL_DC,
                           [odd.line("1", {"gtin": "00614141000012"}, 10)])
    deliver(odoo, order_id, packages=["006141410000123452"])
    data = await desadv(with_syntax(examples, syntax), client, journal, tmp_path)
    body = data.decode("latin-1")
    assert f"UNB+{syntax}:" in body
    message = body[body.index("UNH+"):body.index("UNZ+")]
    result = parse(data)
    if syntax == "UNOA":
        assert re.search("[a-z@]", message) is None, message
        assert "IMD+F++:::BLUE WIDGET, 1 1/2 IN:(INFO(AT)ACME.COM)'" in message
        assert [str(i) for i in result.issues if "UNOA" in i.message] == []
    else:
        assert "IMD+F++:::Blue widget, 1½ in (info@acme.com)'" in message
