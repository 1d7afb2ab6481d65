"""Review of the upgrade baseline (d7f38e2): an invoice the earlier release sent and no one touched until after the
upgrade, then reset to draft, repriced and posted again (days later, within odoo.lookback_days), must be held for a
person as before. The baseline was taken at the record's first write after the upgrade, whatever that write was: the
repost's new figures became the baseline, nothing was held or sent, and the partner kept the old invoice with no one
told. Now the first run after the upgrade builds again, once, each version an earlier release sent and that is still
Odoo's current one, so the baseline is the document the partner got."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import odoorpc

from gateway.journal.api import State
from gateway.odoo.client import OdooClient
from gateway.odoo.extract import versions
from gateway.odoo.sandbox import SandboxServer
from gateway.odoo.scheduler import SETTLED_AFTER, OdooScheduler
from tests.odoo.test_scheduler import json_render, outbound
from tests.odoo.test_scheduler_hostile import invoice_sent, next_second, repriced, sent
from tests.odoo.test_upgrade17_content_version import as_earlier_release
from tests.odoo.test_upgrade17r_chain import asn_sent


async def test_an_invoice_untouched_until_after_the_upgrade_and_then_reposted_is_held(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, tmp_path: Path) -> None:
    ctx, earlier, move = await invoice_sent(client, odoo, journal, tmp_path)
    await asyncio.sleep(SETTLED_AFTER.total_seconds() + 0.2)
    assert await earlier.run_once("bigbox", "810") == 0     # its second is settled: no longer built again each run
    [first] = outbound(journal)
    as_earlier_release(journal, first)
    upgraded = OdooScheduler(ctx, lambda: client, render=json_render)
    assert await upgraded.run_once("bigbox", "810") == 0     # the upgrade's first run: the sent version, baselined
    assert journal.get(first.id).meta["content_version"] == versions.CONTENT_VERSION
    assert any("sent by an earlier release; its record read again at" in (e.reason or "")
               for e in journal.events(first.id))
    assert await upgraded.run_once("bigbox", "810") == 0     # once: not built again
    assert len(journal.events(first.id)) == 2
    await repriced(upgraded, odoo, move)
    assert await upgraded.run_once("bigbox", "810") == 0
    [held] = [m for m in outbound(journal) if m.state is State.QUARANTINED]
    assert "went out before with other figures" in (held.last_error or "")


async def test_an_asn_untouched_until_after_the_upgrade_then_corrected_is_replaced(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, tmp_path: Path) -> None:
    """The ship notice's counterpart: a tracking number corrected after the upgrade goes out as a replacement, not
    swallowed as the baseline."""
    ctx, earlier, pick = await asn_sent(client, odoo, journal, tmp_path)
    await asyncio.sleep(SETTLED_AFTER.total_seconds() + 0.2)
    assert await earlier.run_once("bigbox", "856") == 0
    [first] = outbound(journal)
    as_earlier_release(journal, first)
    upgraded = OdooScheduler(ctx, lambda: client, render=json_render)
    assert await upgraded.run_once("bigbox", "856") == 0
    next_second()
    odoo.execute_kw("stock.picking", "write", [[pick], {"carrier_tracking_ref": "1Z999AA10123456799"}])
    assert await upgraded.run_once("bigbox", "856") == 1
    original, replacement = sent(ctx, journal)
    assert (replacement["purpose"], replacement["tracking_number"]) == ("replace", "1Z999AA10123456799")
    assert replacement["number"] == original["number"]
