"""A unit of measure Odoo has and the partner's settings do not name: never sent as EA."""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.errors import GatewayError
from gateway.odoo.client import OdooClient
from gateway.odoo.extract.ship_notices import extract_ship_notices
from gateway.odoo.posting import Cache, post
from gateway.odoo.sandbox import SandboxServer
from gateway.translate import render
from gateway.translate.canonical import PurchaseOrder, Source
from tests.odoo.test_outbound_odd_odoo import BIGBOX_DC, examples, line, pack_and_ship  # noqa: F401


@pytest.mark.parametrize("sandbox", [18], indirect=True, ids=["odoo18"])
def test_a_unit_the_partner_has_no_code_for_holds_the_document_instead_of_saying_ea(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any,
        examples: LoadedConfig, caplog: pytest.LogCaptureFixture) -> None:   # noqa: F811
    """The order came in as 2 BX (boxes of 12, mapped for the order by a partner setting that was later
    removed); its ship notice said 2 EA: 22 pieces short. Now the unit stays Odoo's ("Boxes"), the 856 fails its
    own check at SN103 and is held, and the log says which setting to add."""
    units = odoo.execute_kw("uom.uom", "search_read", [[("name", "=", "Units")], ["category_id"]])[0]
    odoo.execute_kw("uom.uom", "create", [{"name": "Boxes", "category_id": units["category_id"][0],
                                           "uom_type": "bigger", "factor": 1 / 12}])
    partner = examples.partners["bigbox"].model_copy(deep=True)
    partner.odoo = partner.odoo.model_copy(update={"confirm_orders": True, "price_policy": "odoo",
                                                   "units": {**partner.odoo.units, "BX": "Boxes"}})
    doc = PurchaseOrder(number="PO-BOX-1", parties=[BIGBOX_DC], lines=[line("1", {"upc": "614141000012"}, 2, "BX")],
                        source=Source(standard_type="850", message_id="01UNITS"))
    [link] = post(client, doc, partner, Cache())
    pack_and_ship(odoo, link.record_id, [None])
    plain = examples.partners["bigbox"]
    with caplog.at_level(logging.WARNING, logger="gateway.odoo.lookup"):
        [asn] = extract_ship_notices(client, plain, journal)
    [item] = asn.all_items()
    assert (item.quantity, item.unit) == (Decimal(2), "Boxes")
    assert any("Odoo unit 'Boxes' has no code for partner bigbox: add it to the partner's odoo.units"
               in r.getMessage() for r in caplog.records)
    with pytest.raises(GatewayError, match=r"SN103 \(Unit or Basis for Measurement Code\): 'Boxes'"):
        render(asn, plain, examples.profiles, journal, "856", our_ids=examples.gateway.our_ids)
