"""A vendor's ship notice for goods whose PO line was received in full already (Odoo's backorder holds only the
other lines) is held saying so, naming the validated receipt, not as a product 'not on receipt' of the backorder:
an 856 through the real pipeline into the sandbox over HTTP."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.journal.api import State
from gateway.odoo.client import OdooClient
from gateway.odoo.posting import Cache, post
from gateway.odoo.sandbox import SandboxServer
from gateway.translate.canonical import ShipItem, ShipNotice, ShipOrder
from gateway.transports.base import IntakeMeta
from tests.odoo.test_pipeline_posting import examples, pipeline_for, run
from tests.odoo.test_vendor_odd import purchase, widgetworks
from tests.odoo.test_vendor_receipt_dates import asn, vendor
from tests.odoo.test_vendor_receipts import received

__all__ = ["examples"]


def receipts(odoo: odoorpc.ODOO, po: int) -> list[dict[str, Any]]:
    """The PO's receipts in order: name, state and move lines."""
    return list(odoo.execute_kw("stock.picking", "search_read", [[("purchase_id", "=", po)], [
        "name", "state", "move_line_ids"]], {"order": "id"}))


# 16 (its stock.move.line qty_done; a PO line discount only where the database has the field), 18 (17's names
# and models, with is_storable) and 19 (JSON-2, product_uom_id/tax_ids, stock.package): 17 is on 18's side of
# each version threshold these tests touch
pytestmark = pytest.mark.parametrize("sandbox", [16, 18, 19], ids=["odoo16", "odoo18", "odoo19"],
                                     indirect=True)


async def test_a_notice_for_a_line_received_in_full_is_held_naming_the_receipt(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, client: OdooClient,
        odoo: odoorpc.ODOO) -> None:
    """The 100 blue widgets of the PO came with notice ASN-400 and were received (its receipt validated, the 50
    red ones on the backorder); a week later the vendor's 856 ships 60 more blue widgets. Held, nothing written,
    the reason saying they were received in full, on which receipt: the person checks with the vendor."""
    po, name = purchase(odoo)
    post(client, ShipNotice(number="ASN-400", orders=[ShipOrder(po_number=name, items=[
        ShipItem(item_ids={"vendor": "WW-WB-100"}, quantity=Decimal(100))])]),
        widgetworks(validate_receipts=True), Cache())
    done, backorder = receipts(odoo, po)
    assert (done["state"], backorder["state"], received(odoo, po)) == ("done", "assigned", [100.0, 0.0])
    pipeline, journal = pipeline_for(tmp_path, examples, sandbox)
    pipeline.config.partners["widgetworks"] = vendor("user")
    message = await pipeline.submit(asn(401, "ASN-401", name, ["DTM*011*20261206"]),
                                    IntakeMeta(channel="sftp", filename="856_401.edi", partner="widgetworks"))
    held = run(pipeline, message.id, {State.DONE, State.QUARANTINED})
    assert held.state is State.QUARANTINED
    assert (f"ship notice ASN-401, purchase order {name}, line 1: [WB-100] Blue Widget (vendor item WW-WB-100) was "
            f"received in full already (100 of 100 ordered, on {done['name']}), so the open receipt "
            f"{backorder['name']} has none to come; nothing was written") in (held.last_error or "")
    assert receipts(odoo, po)[1] == backorder and journal.odoo_links(held.id) == []
