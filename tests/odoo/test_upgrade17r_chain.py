"""Review of the upgrade baseline (d7f38e2): a delivery whose ASN the earlier release had already replaced (BSN01 05)
keeps its chain. The baseline is noted on the replacement (the latest message of the record), and a change after it
goes out as a further replacement under the same shipment number, not as a new original."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import odoorpc

from gateway.odoo.client import OdooClient
from gateway.odoo.extract import versions
from gateway.odoo.posting import Cache, post
from gateway.odoo.sandbox import SandboxServer
from gateway.odoo.scheduler import OdooScheduler
from tests.odoo.conftest import order
from tests.odoo.test_extraction import deliver
from tests.odoo.test_scheduler import BIGBOX, Ctx, json_render, outbound
from tests.odoo.test_scheduler_hostile import next_second, sent
from tests.odoo.test_upgrade17_content_version import EARLIER, as_earlier_release


async def asn_sent(client: OdooClient, odoo: odoorpc.ODOO, journal: Any,
                   tmp_path: Path) -> tuple[Ctx, OdooScheduler, int]:
    """BigBox's order delivered and its 856 queued by a first run (of the release before the upgrade)."""
    [link] = post(client, order(), BIGBOX, Cache())
    pick = deliver(odoo, link.record_id)
    ctx = Ctx(tmp_path, journal, {"bigbox": BIGBOX})
    earlier = OdooScheduler(ctx, lambda: client, render=json_render)
    assert await earlier.run_once("bigbox", "856") == 1
    return ctx, earlier, pick

async def test_an_asn_replaced_before_the_upgrade_is_replaced_again_after_it(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, tmp_path: Path) -> None:
    ctx, earlier, pick = await asn_sent(client, odoo, journal, tmp_path)
    next_second()
    odoo.execute_kw("stock.picking", "write", [[pick], {"carrier_tracking_ref": "1Z999AA10123456700"}])
    assert await earlier.run_once("bigbox", "856") == 1                  # replaced by the earlier release
    replaced, original = outbound(journal)                               # newest first
    for message in (original, replaced):
        as_earlier_release(journal, message)
    upgraded = OdooScheduler(ctx, lambda: client, render=json_render)
    next_second()
    odoo.execute_kw("stock.picking", "write", [[pick], {"carrier_tracking_ref": "1Z999AA10123456700"}])
    assert await upgraded.run_once("bigbox", "856") == 0                 # saved again: nothing sent
    assert journal.get(replaced.id).meta["content_version"] == versions.CONTENT_VERSION
    assert journal.get(replaced.id).meta["content_earlier"] == EARLIER
    assert journal.get(original.id).meta["content"] == EARLIER           # the chain's head is left as it was
    next_second()
    odoo.execute_kw("stock.picking", "write", [[pick], {"carrier_tracking_ref": "1Z999AA10123456799"}])
    assert await upgraded.run_once("bigbox", "856") == 1
    first, second, third = sent(ctx, journal)
    assert [d["purpose"] for d in (first, second, third)] == ["original", "replace", "replace"]
    assert first["number"] == second["number"] == third["number"]
    assert third["tracking_number"] == "1Z999AA10123456799"
