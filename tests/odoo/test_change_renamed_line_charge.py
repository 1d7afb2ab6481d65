"""A changed line's own charge the partner renames in its change (X12 850 line 2 'SAC*C*D240...*FREIGHT', the 860's
POC line 2 'SAC*C*D240...*FREIGHT CHARGE') is the same charge: its charge line is updated, not added beside the
first (the line would be charged twice). Real X12, read as the pipeline does, posted to the sandbox over HTTP
and checked with odoorpc."""

from __future__ import annotations

import html

import odoorpc
import pytest

from gateway.errors import OdooRejected
from gateway.odoo.client import OdooClient
from gateway.odoo.posting import Cache, post
from tests.odoo.test_change_charges import PARTNER, charge_rows, order_note, x12_change
from tests.odoo.test_change_line_charges import LINE_FREIGHT
from tests.odoo.test_posting_charges import FREIGHT, sac, services, x12_order

__all__ = ["services"]      # the fixture, used by name

pytestmark = pytest.mark.usefixtures("services")

RENAMED = sac("C", "D240", amount="700", description="FREIGHT CHARGE")          # line 2's own freight: 7.00
CHANGE_2 = "POC*2*QI*12**EA***BP*BB-1002"


def test_a_renamed_line_charge_updates_its_line(client: OdooClient, odoo: odoorpc.ODOO) -> None:
    post(client, x12_order("PO-RN-1", [FREIGHT], line2=[LINE_FREIGHT]), PARTNER, Cache())
    post(client, x12_change("PO-RN-1", [], pocs=[CHANGE_2, RENAMED]), PARTNER, Cache())
    assert charge_rows(odoo, "PO-RN-1") == [("SVC-FREIGHT", "FREIGHT", 1.0, 50.0),
                                            ("SVC-FREIGHT", "FREIGHT (line 2)", 1.0, 7.0)]
    assert "line 2: charge freight FREIGHT CHARGE: 7.00 (order line SVC-FREIGHT, 5.00 -> 7.00)" in html.unescape(
        order_note(odoo, "PO-RN-1"))


def test_a_renamed_line_charge_beside_another_on_its_product_is_held(client: OdooClient, odoo: odoorpc.ODOO) -> None:
    """Line 2's freight and special handling both went to SVC-FREIGHT: which of the two the renamed charge is
    cannot be told, so the change is held, the order as it was."""
    partner = PARTNER.model_copy(update={"odoo": PARTNER.odoo.model_copy(update={
        "charge_products": {**PARTNER.odoo.charge_products, "charge": "SVC-FREIGHT"}})})
    handling = sac("C", "H090", amount="300", description="SPECIAL HANDLING")
    post(client, x12_order("PO-RN-2", [], line2=[LINE_FREIGHT, handling]), partner, Cache())
    before = charge_rows(odoo, "PO-RN-2")
    assert before == [("SVC-FREIGHT", "FREIGHT (line 2)", 1.0, 5.0), ("SVC-FREIGHT", "SPECIAL HANDLING (line 2)", 1.0, 3.0)]
    with pytest.raises(OdooRejected, match=r"'FREIGHT \(line 2\)', 'SPECIAL HANDLING \(line 2\)' are all on "
                                           r"SVC-FREIGHT, and none is named 'FREIGHT CHARGE \(line 2\)'"):
        post(client, x12_change("PO-RN-2", [], pocs=[CHANGE_2, RENAMED]), partner, Cache())
    assert charge_rows(odoo, "PO-RN-2") == before
