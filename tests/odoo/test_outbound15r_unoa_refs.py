"""Under UNOA, what a partner's system matches goes back as it was sent. EuroHandel declares UNOA and, as many
partners do, sends its order number in lowercase ('eh-po-7b'; our reader notes text outside UNOA, it does not
refuse it). Since e79b731 every value of a UNOA message was upper-cased, so the DESADV said RFF+ON:EH-PO-7B, an
order the partner's system (which compares references character by character) does not have: the ship notice was
not matched to its order. Order numbers, references and item and party codes now go back as sent; names,
addresses and notes stay in capitals.

The order posted into the sandbox Odoo over HTTP, the DESADV through the daemon's scheduler and the profile."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.odoo.client import OdooClient
from gateway.odoo.sandbox import SandboxServer
from tests.odoo import test_outbound_odd_odoo as odd
from tests.odoo.test_extraction import deliver
from tests.odoo.test_outbound15_unoa import desadv, with_syntax
from tests.odoo.test_outbound_taxes_packs import examples  # noqa: F401 - the fixture
from tests.odoo.test_tracking_numbers import EUROHANDEL_DC


@pytest.mark.parametrize("sandbox", [18], indirect=True, ids=["odoo18"])
async def test_a_unoa_partners_lowercase_order_number_goes_back_as_sent(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, examples: LoadedConfig,  # noqa: F811
        tmp_path: Path) -> None:
    order_id = odd.ordered(examples, client, "eurohandel", "eh-po-7b", EUROHANDEL_DC,
                           [odd.line("1", {"gtin": "00614141000012"}, 10)])
    deliver(odoo, order_id, packages=["006141410000123452"])
    body = (await desadv(with_syntax(examples, "UNOA"), client, journal, tmp_path)).decode("latin-1")
    message = body[body.index("UNH+"):body.index("UNZ+")]
    assert "RFF+ON:eh-po-7b'" in message, message
    assert "BLUE WIDGET" in message and "Blue Widget" not in message      # text a person reads: in capitals
