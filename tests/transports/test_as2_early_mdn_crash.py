"""An async MDN that came before our POST returned is kept on the message (early_acks) and settles it once the
outbox writes SENT. A SIGKILL right after that SENT left the message sent and awaiting an MDN that had already
come: the restart's resume() skipped it (an acknowledgement is pending), so it went overdue and a person would
resend what the partner has (found by the outbound chaos run, kill point after_sent)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from tests.helpers.gateway import GatewayProcess
from tests.helpers.wait import wait_for
from tests.spine.test_acks_hostile import queue_asn, row
from tests.transports.certs import Cert
from tests.transports.test_crash import died
from tests.transports.test_delivery_hostile import Partner, as2_workspace, partner

__all__ = ["partner"]       # the fixture

pytestmark = pytest.mark.slow


async def test_an_mdn_kept_before_sent_settles_the_message_after_a_crash_right_after_sent(
        tmp_path: Path, partner: tuple[Partner, str, Cert]) -> None:
    peer, url, ours = partner                  # its MDN goes out before it answers our POST
    ws = as2_workspace(tmp_path, url, ours, peer.theirs, mdn="async", outbox={"min_backoff": 0.1, "max_backoff": 0.5})
    peer.ledger_path = ws.root / "state" / "as2.sqlite3"
    marker = tmp_path / "kill.marker"
    marker.touch()
    mid = await asyncio.to_thread(queue_asn, ws, None)
    gw = GatewayProcess(ws.config, preload=["tests.helpers.kill_points"],
                        env={"EDI_TEST_KILL_AT": "after_sent", "EDI_TEST_KILL_MARKER": str(marker)})
    await asyncio.to_thread(gw.start)
    await asyncio.to_thread(died, gw, 60)
    assert not marker.exists() and len(peer.posts) == 1
    assert json.loads(row(ws, mid)["meta"]).get("early_acks"), peer.mdn_answers
    restarted = await asyncio.to_thread(GatewayProcess(ws.config).start)
    try:
        await asyncio.to_thread(wait_for, lambda: row(ws, mid)["state"] != "sent", 20, 0.05,
                                "the kept MDN settled after the restart")
    finally:
        await asyncio.to_thread(restarted.stop)
    final = row(ws, mid)
    assert final["state"] == "done", [(e["to_state"], e["reason"]) for e in ws.events(mid)]
    assert not json.loads(final["meta"]).get("awaits") and len(peer.posts) == 1     # not sent again
