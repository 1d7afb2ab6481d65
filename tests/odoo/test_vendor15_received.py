"""A bill beyond what was received, as an accounts-payable clerk's three-way match sees it: Odoo's bill control
(product `purchase_method`) bills goods on received quantities by default, so an 810 billing more of a PO line than
its receipts brought in (with what earlier bills took of it) is noted on the draft bill, naming the PO line, what
was received, billed before and on this bill; a product billed on ordered quantities is compared with what was
ordered instead. Real X12 810s through the daemon's pipeline into the sandbox over HTTP, checked with odoorpc."""

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
from tests.odoo.test_vendor_bill_checks import VENDOR, bill, x12_810
from tests.odoo.test_vendor_odd import purchase, widgetworks

__all__ = ["examples"]

pytestmark = pytest.mark.parametrize("sandbox", [16, 17, 18, 19], ids=["odoo16", "odoo17", "odoo18", "odoo19"],
                                     indirect=True)


def receive(client: OdooClient, name: str, blue: int) -> None:
    """The vendor's ship notice for `blue` blue widgets of PO `name`, its receipt validated (the rest backordered)."""
    notice = ShipNotice(number=f"ASN-{name}", orders=[ShipOrder(po_number=name, items=[
        ShipItem(line_no="1", item_ids={"vendor": "WW-WB-100"}, quantity=Decimal(blue))])])
    post(client, notice, widgetworks(validate_receipts=True), Cache())


async def test_a_bill_beyond_what_was_received_is_noted(tmp_path: Path, examples: LoadedConfig,
                                                        sandbox: SandboxServer, client: OdooClient,
                                                        odoo: odoorpc.ODOO) -> None:
    """100 blue widgets ordered (billed on received quantities, Odoo's default for goods), 60 received; red ones
    (50 ordered, none received) billed on ordered quantities. A first bill of 50 blue and 50 red is within both;
    the second bills 20 blue more (70 of 60 received) and 10 red more (60 of 50 ordered): its notes name each PO
    line with its figures. The bill is made all the same, as the vendor invoiced it."""
    _po, name = purchase(odoo)
    red = odoo.execute_kw("product.product", "read", [[2], ["product_tmpl_id"]])[0]["product_tmpl_id"][0]
    odoo.execute_kw("product.template", "write", [[red], {"purchase_method": "purchase"}])
    receive(client, name, 60)
    pipeline, _journal = pipeline_for(tmp_path, examples, sandbox)
    pipeline.config.partners["widgetworks"] = VENDOR

    async def send(control: int, number: str, blue: int, reds: int) -> Any:
        data = x12_810(control, number, name, [f"IT1*1*{blue}*EA*7.50**VN*WW-WB-100",
                                               f"IT1*2*{reds}*EA*5.25**VN*WW-WR-200"],
                       [f"TDS*{int(blue * 750 + reds * 525)}"])
        message = await pipeline.submit(data, IntakeMeta(channel="sftp", filename=f"810_{control}.edi",
                                                         partner="widgetworks"))
        done = run(pipeline, message.id, {State.DONE, State.QUARANTINED}, rounds=60)
        assert done.state is State.DONE, done.last_error
        return bill(odoo, number)

    first = await send(301, "WW-INV-R1", 50, 50)
    assert "EDI" not in str(first["narration"] or "")          # 50 of 60 received, 50 of 50 ordered
    second = await send(302, "WW-INV-R2", 20, 10)
    notes = second["narration"]
    assert second["state"] == "draft" and sorted(q for q, _, _ in second["lines"]) == [10.0, 20.0]
    assert (f"EDI lines differ from the purchase order: purchase order {name} line 1 ([WB-100] Blue Widget): this "
            "bill 20, billed before 50, received 60 (ordered 100): more than was received, for a product billed on "
            "received quantities (its bill control): check the receipt before posting") in notes
    assert (f"EDI lines differ from the purchase order: purchase order {name} line 2 ([WR-200] Red Widget): billed "
            "60 (with 50 billed before), ordered 50") in notes
    assert "received 0" not in notes            # the red widgets are billed on what was ordered, not received
