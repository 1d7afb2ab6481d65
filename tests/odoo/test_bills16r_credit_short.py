"""A vendor credit note for line 1's own goods when its backordered part was billed ahead of its shipment. 10 blue
ordered, the 855 splits them 4 now + 6 backordered; 2 of the 4 came, and the vendor billed all 10 (4 on line 1, 6 on
the part: its received-quantity control shows line 1 billed 2 beyond received, the part 6, still coming). It then
credits 2 of line 1, the two it will not ship (as it would credit two we sent back: Odoo lowers line 1's received
the same way). Since 4f14262 a credit took back first what any line is billed beyond what it received, the parts
before the line, so the 2 came off the part, whose 6 are still coming: line 1 stayed billed 4 of 2 received, and the
part was short 2 to bill when its 6 came, the three-way match off on both for good. What a line is billed beyond
what it orders (a part the vendor cancelled) is still taken back first, parts first; beyond what it received, the
line first, its parts' goods being the ones still to come. Through the daemon's pipeline into the sandbox over HTTP
(16, 18, 19)."""

from __future__ import annotations

from pathlib import Path

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.odoo.client import OdooClient
from gateway.odoo.posting import Cache, post
from gateway.odoo.sandbox import SandboxServer
from tests.odoo.test_bills16_backordered_parts import SPLIT_855, line_ids, to_bill
from tests.odoo.test_cross16_billed_ack import daemon
from tests.odoo.test_pipeline_posting import examples
from tests.odoo.test_vendor16_acks import x12_855
from tests.odoo.test_vendor_bill_checks import bill, x12_810
from tests.odoo.test_vendor_odd import purchase, widgetworks
from tests.odoo.test_vendor_receipts import notice

__all__ = ["examples"]

pytestmark = pytest.mark.parametrize("sandbox", [16, 18, 19], ids=["odoo16", "odoo18", "odoo19"], indirect=True)


async def test_a_credit_for_line_1s_goods_comes_off_line_1_not_its_part_billed_ahead(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, client: OdooClient,
        odoo: odoorpc.ODOO) -> None:
    po, name = purchase(odoo, [(1, 10, 7.5), (2, 6, 5.25)])
    send = daemon(tmp_path, examples, sandbox)
    await send(x12_855(1951, name, SPLIT_855), "855_1951.edi")
    post(client, notice(f"ASN-{po}", name, 2), widgetworks(validate_receipts=True), Cache())
    blue, _reds, part = line_ids(odoo, po)
    await send(x12_810(1952, f"WW-INV-{po}", name, ["IT1*1*10*EA*7.50**VN*WW-WB-100"], ["TDS*7500"]), "810_1952.edi")
    assert bill(odoo, f"WW-INV-{po}")["lines"] == [(4.0, 7.5, blue), (6.0, 7.5, part)]
    credit = x12_810(1953, f"WW-CM-{po}", name, ["IT1*1*2*EA*7.50**VN*WW-WB-100"], ["TDS*1500"])
    credit = credit.replace(f"**{name}~".encode(), f"**{name}***CR~\nREF*IV*WW-INV-{po}~".encode()).replace(
        b"SE*7*", b"SE*8*")                 # BIG07 CR and the invoice it credits
    await send(credit, "810_1953.edi")
    made = bill(odoo, f"WW-CM-{po}")
    assert made["lines"] == [(2.0, 7.5, blue)], made["lines"]       # before: (2.0, 7.5, part)
    assert to_bill(odoo, po)[0::2] == [(4.0, 2.0, 0.0), (6.0, 6.0, -6.0)]
