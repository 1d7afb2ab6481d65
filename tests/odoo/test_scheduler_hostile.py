"""The scheduler against an Odoo that does what real ones do: records written again without a change, reset
and posted again, edited while their document is built, slots missed while the daemon was down."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import odoorpc

from gateway.journal.api import State
from gateway.odoo.client import OdooClient
from gateway.odoo.posting import Cache, post
from gateway.odoo.sandbox import SandboxServer
from gateway.odoo.sandbox.orm import now_str
from gateway.odoo.scheduler import OdooScheduler
from tests.odoo.conftest import order
from tests.odoo.test_extraction import deliver, invoice
from tests.odoo.test_scheduler import BIGBOX, Ctx, json_render, outbound


def next_second() -> None:
    """Odoo's write_date counts seconds: wait until a write gets a new one (no assertion on the time)."""
    first = now_str()
    while now_str() == first:
        time.sleep(0.05)


def sent(ctx: Ctx, journal: Any) -> list[dict[str, Any]]:
    """What was queued for the partner, oldest first, as the canonical JSON the test renderer writes."""
    return [json.loads(ctx.pipeline.archive.read(m.sha256)) for m in reversed(outbound(journal))
            if m.state is State.QUEUED]


async def invoice_sent(client: OdooClient, odoo: odoorpc.ODOO, journal: Any,
                       tmp_path: Path) -> tuple[Ctx, OdooScheduler, int]:
    """BigBox's order delivered, invoiced and posted, and its 810 queued by a first run."""
    [link] = post(client, order(), BIGBOX, Cache())
    deliver(odoo, link.record_id)
    move = invoice(odoo, link.record_id)
    odoo.execute_kw("account.move", "action_post", [[move]])
    ctx = Ctx(tmp_path, journal, {"bigbox": BIGBOX})
    scheduler = OdooScheduler(ctx, lambda: client, render=json_render)
    assert await scheduler.run_once("bigbox", "810") == 1
    return ctx, scheduler, move


async def test_an_invoice_written_again_unchanged_is_not_sent_twice(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, tmp_path: Path) -> None:
    """Send & Print (is_move_sent), a payment (payment_state) or a note: a new write_date, the same invoice. A
    second 810 with the same number would be a duplicate invoice to the partner."""
    ctx, scheduler, move = await invoice_sent(client, odoo, journal, tmp_path)
    for vals in ({"is_move_sent": True}, {"payment_state": "paid"}):
        next_second()
        odoo.execute_kw("account.move", "write", [[move], vals])
        assert await scheduler.run_once("bigbox", "810") == 0
        assert await OdooScheduler(ctx, lambda: client, render=json_render).run_once("bigbox", "810") == 0
    assert len(outbound(journal)) == 1


async def test_an_invoice_reset_changed_and_posted_again_is_sent_once_more_with_its_number(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, tmp_path: Path) -> None:
    ctx, scheduler, move = await invoice_sent(client, odoo, journal, tmp_path)
    next_second()
    odoo.execute_kw("account.move", "button_draft", [[move]])
    assert await scheduler.run_once("bigbox", "810") == 0            # a draft is nothing to send
    [line] = odoo.execute_kw("account.move.line", "search", [[("move_id", "=", move)]])[:1]
    odoo.execute_kw("account.move.line", "write", [[line], {"price_unit": 12.0}])
    odoo.execute_kw("account.move", "action_post", [[move]])
    assert await scheduler.run_once("bigbox", "810") == 1            # the corrected invoice
    assert await scheduler.run_once("bigbox", "810") == 0
    first, second = sent(ctx, journal)
    assert first["number"] == second["number"]                       # Odoo keeps the number of a move posted before
    assert first["lines"][0]["unit_price"] != second["lines"][0]["unit_price"]


async def test_a_shipment_corrected_after_its_asn_went_out_is_sent_as_a_replacement(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, tmp_path: Path) -> None:
    [link] = post(client, order(), BIGBOX, Cache())
    pick = deliver(odoo, link.record_id)
    ctx = Ctx(tmp_path, journal, {"bigbox": BIGBOX})
    scheduler = OdooScheduler(ctx, lambda: client, render=json_render)
    assert await scheduler.run_once("bigbox", "856") == 1
    next_second()                                      # the same tracking number typed again: nothing new
    odoo.execute_kw("stock.picking", "write", [[pick], {"carrier_tracking_ref": "1Z999AA10123456784"}])
    assert await scheduler.run_once("bigbox", "856") == 0
    next_second()                                      # a wrong tracking number corrected: the ASN is replaced
    odoo.execute_kw("stock.picking", "write", [[pick], {"carrier_tracking_ref": "1Z999AA10123456799"}])
    assert await scheduler.run_once("bigbox", "856") == 1
    first, second = sent(ctx, journal)
    assert (first["number"], first["tracking_number"]) == (second["number"], "1Z999AA10123456784")
    assert (second["purpose"], second["tracking_number"]) == ("replace", "1Z999AA10123456799")
    assert "purpose" not in first or first["purpose"] == "original"
