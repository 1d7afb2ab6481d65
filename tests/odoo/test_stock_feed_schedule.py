"""A scheduled 846 whose time comes while Odoo is down still goes out, once, for its slot.

Given the scheduler running its jobs as in the daemon (APScheduler on the event loop) over the sandbox Odoo on
loopback HTTP, when Odoo answers 503 to the run at the slot and is back a moment later, then the feed is retried
before its next slot and queued once under the slot it was due for; a retry that finds it queued sends nothing.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import odoorpc

from gateway.config.loader import LoadedConfig
from gateway.config.models import FolderChannel
from gateway.journal.api import Direction, Message, State
from gateway.odoo.client import OdooClient
from gateway.odoo.sandbox import SandboxServer
from gateway.odoo.scheduler import current_slot
from gateway.outbound.outbox import Outbox
from gateway.translate import render
from tests.odoo.test_stock_feed_levels import examples, scheduler_for

__all__ = ["examples"]          # the module's fixture, shared


def feeds(journal: Any) -> list[Message]:
    """Northwind's 846s queued for the outbox (not entries held in quarantine)."""
    return [m for m in journal.find(direction=Direction.OUT, partner="northwind", limit=50)
            if m.doc_type == "846" and not m.meta.get("held")]


async def test_odoo_down_at_the_slot_is_retried_before_the_next_slot_and_sent_once(
        sandbox: SandboxServer, client: OdooClient, journal: Any, examples: LoadedConfig, tmp_path: Path) -> None:
    scheduler = scheduler_for(examples, client, journal, tmp_path)
    scheduler.ctx.config.gateway.odoo.poll_seconds = 0.2
    partner = scheduler.ctx.partners["northwind"]
    setting = next(d for d in partner.documents if d.type == "846")
    due = current_slot(setting.schedule, zone=scheduler.zone_of(setting))
    # the client tries each call 4 times (retry_max 3): the run at the slot fails, Odoo is back right after
    sandbox.faults.unavailable = 4
    await scheduler.start()                 # the latest slot is run at once, as when the daemon starts
    try:
        for _ in range(600):                # the next slot is hours away: only a retry can send it now
            if feeds(journal):
                break
            await asyncio.sleep(0.05)
        assert sandbox.faults.unavailable == 0
        [message] = feeds(journal)
        assert message.source_key is not None and message.source_key.endswith(f"@{due}:846")
        assert await scheduler.run_once("northwind", "846") == 0        # the same slot again: already queued
        assert len(feeds(journal)) == 1
    finally:
        await scheduler.stop()


async def test_a_feed_that_failed_to_queue_is_retried_before_the_next_slot(
        client: OdooClient, journal: Any, examples: LoadedConfig, tmp_path: Path) -> None:
    scheduler = scheduler_for(examples, client, journal, tmp_path)
    scheduler.ctx.config.gateway.odoo.poll_seconds = 0.2
    calls = {"n": 0}

    def failing_once(*args: Any, **kw: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 1:
            raise OSError("No space left on device")     # the render's control number: a journal write
        return render(*args, **kw)

    scheduler.render = failing_once
    await scheduler.start()
    try:
        for _ in range(600):
            if feeds(journal):
                break
            await asyncio.sleep(0.05)
        assert calls["n"] == 2 and len(feeds(journal)) == 1
    finally:
        await scheduler.stop()


async def test_a_warehouse_odoo_does_not_have_is_held_with_the_reason_not_a_silent_missing_feed(
        client: OdooClient, journal: Any, examples: LoadedConfig, tmp_path: Path) -> None:
    scheduler = scheduler_for(examples, client, journal, tmp_path)
    northwind = scheduler.ctx.partners["northwind"]
    scheduler.ctx.partners["northwind"] = northwind.model_copy(
        update={"odoo": northwind.odoo.model_copy(update={"warehouse": "WH-EAST"})})     # misspelt, or archived
    assert await scheduler.run_once("northwind", "846", slot="2026-12-04 08:00") == 0
    [held] = [m for m in journal.find(partner="northwind", limit=10) if m.state is State.QUARANTINED]
    assert "'WH-EAST' (odoo.warehouse) is not in Odoo" in (held.last_error or "")
    # fixed in the partner's file: the next run sends the feed and settles the held entry
    scheduler.ctx.partners["northwind"] = northwind
    assert await scheduler.run_once("northwind", "846", slot="2026-12-04 12:00") == 1
    assert not [m for m in journal.find(partner="northwind", limit=10) if m.state is State.QUARANTINED]


async def test_a_feed_held_for_a_warehouse_archived_in_odoo_goes_once_it_is_restored_not_at_the_next_slot(
        client: OdooClient, odoo: odoorpc.ODOO, journal: Any, examples: LoadedConfig, tmp_path: Path) -> None:
    scheduler = scheduler_for(examples, client, journal, tmp_path)
    scheduler.ctx.config.gateway.odoo.poll_seconds = 0.2
    northwind = scheduler.ctx.partners["northwind"]
    scheduler.ctx.partners["northwind"] = northwind.model_copy(
        update={"odoo": northwind.odoo.model_copy(update={"warehouse": "WH"})})
    [wh] = odoo.execute_kw("stock.warehouse", "search", [[("code", "=", "WH")]])
    odoo.execute_kw("stock.warehouse", "write", [[wh], {"active": False}])      # archived by mistake
    await scheduler.start()
    try:
        for _ in range(600):
            if held := [m for m in journal.find(partner="northwind", limit=10)
                        if m.state is State.QUARANTINED and m.last_error]:       # recorded, then its reason
                break
            await asyncio.sleep(0.05)
        assert "'WH' (odoo.warehouse) is not in Odoo" in (held[0].last_error or "")
        # restored in Odoo (no change to the gateway's files, so no reload): the feed of this slot goes now, as
        # the held entry says, not at the next slot hours away
        odoo.execute_kw("stock.warehouse", "write", [[wh], {"active": True}])
        for _ in range(200):
            if feeds(journal):
                break
            await asyncio.sleep(0.05)
        assert len(feeds(journal)) == 1
    finally:
        await scheduler.stop()
    assert not [m for m in journal.find(partner="northwind", limit=10) if m.state is State.QUARANTINED]


async def test_a_feed_the_outbox_is_retrying_is_not_overtaken_by_a_newer_one(
        client: OdooClient, journal: Any, examples: LoadedConfig, tmp_path: Path) -> None:
    scheduler = scheduler_for(examples, client, journal, tmp_path)
    scheduler.ctx.config.gateway.outbox.min_backoff = scheduler.ctx.config.gateway.outbox.max_backoff = 0.05
    folder = tmp_path / "northwind-out"
    folder.write_text("")                       # the partner's folder cannot be written to: a full or lost mount
    northwind = scheduler.ctx.partners["northwind"]
    scheduler.ctx.partners["northwind"] = northwind.model_copy(
        update={"outbound": FolderChannel(channel="folder", path=folder)})
    outbox = Outbox(scheduler.ctx.config, journal, scheduler.ctx.pipeline.archive)

    assert await scheduler.run_once("northwind", "846", slot="2026-12-04 08:00") == 1
    [morning] = feeds(journal)
    assert (await outbox.deliver_one(morning.id)).state is State.RETRY_WAIT
    # noon's feed would be due before the morning one's retry and reach Northwind first: it waits for it
    assert await scheduler.run_once("northwind", "846", slot="2026-12-04 12:00") == 0
    assert feeds(journal) == [journal.get(morning.id)]

    folder.unlink()
    folder.mkdir()                              # back
    for _ in range(200):                        # the retry's backoff (0.05 s; longer on a loaded machine's clock)
        if (await outbox.deliver_one(morning.id)).state is State.SENT:
            break
        await asyncio.sleep(0.05)
    assert journal.get(morning.id).state is State.SENT, journal.get(morning.id).last_error
    assert await scheduler.run_once("northwind", "846", slot="2026-12-04 12:00") == 1
    [noon] = [m for m in feeds(journal) if m.id != morning.id]
    assert (await outbox.deliver_one(noon.id)).state is State.SENT
    assert sorted(p.name for p in folder.iterdir()) == sorted([morning.filename, noon.filename])
