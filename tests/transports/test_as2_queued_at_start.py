"""A message queued for an AS2 partner while the gateway was down (a restart, a crash) is delivered at start-up
without first failing: the outbox's workers started before the AS2 transport, so such a message's first attempt
failed with "the AS2 transport is not started" and waited out a backoff (in a chaos run under load, longer than
the run itself)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.helpers.gateway import GatewayProcess
from tests.helpers.wait import wait_for
from tests.spine.test_acks_hostile import queue_asn, row
from tests.transports.certs import Cert
from tests.transports.test_as2_15_sync_mdn_retry import Flaky, flaky
from tests.transports.test_delivery_hostile import as2_workspace

__all__ = ["flaky"]       # the fixture

pytestmark = pytest.mark.slow


async def test_a_message_queued_while_stopped_is_delivered_at_its_first_attempt(
        tmp_path: Path, flaky: tuple[Flaky, str, Cert]) -> None:
    peer, url, ours = flaky
    ws = as2_workspace(tmp_path, url, ours, peer.theirs, outbox={"min_backoff": 60, "max_backoff": 60}, mdn="sync")
    peer.ledger_path = ws.root / "state" / "as2.sqlite3"
    mids = [await asyncio.to_thread(queue_asn, ws, None) for _ in range(3)]
    gw = await asyncio.to_thread(GatewayProcess(ws.config, preload=["tests.helpers.slow_as2_start"]).start)
    try:
        await asyncio.to_thread(wait_for, lambda: all(row(ws, m)["state"] != "queued" for m in mids), 60, 0.05,
                                "first attempts")
    finally:
        await asyncio.to_thread(gw.stop)
    events = ws._query("SELECT message_id, reason FROM events WHERE to_state = 'retry_wait'")
    assert [dict(e) for e in events] == []
    assert [row(ws, m)["state"] for m in mids] == ["done"] * 3
