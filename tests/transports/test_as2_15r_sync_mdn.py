"""A 2xx whose synchronous MDN is missing or unreadable, through the real daemon: the partner's side took the whole
request (a product set up to answer async or not at all, an HTML page, an MDN signed with a key we do not hold) and
answers the same way every time. Since e376ff0 it was sent again up to `outbox.max_attempts` times (10 by default)
before going dead: a partner whose product has no Message-ID check (OpenAS2, ../shared/reference) processed each copy
as a new 856. It is now sent once and left SENT with its MDN overdue at once (the status page's overdue
acknowledgements, edi_gateway_overdue_acks), as an async MDN that never came; `edi-gateway resend` sends the same
AS2 message again (same Message-ID and bytes) when a person asks for it."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.helpers.gateway import GatewayProcess, cli
from tests.helpers.net import free_port
from tests.helpers.wait import wait_for
from tests.spine.test_acks_hostile import queue_asn, row
from tests.transports.as2_daemon import send_one
from tests.transports.certs import Cert, make_cert
from tests.transports.test_as2_15_sync_mdn_retry import FAST, Flaky, flaky
from tests.transports.test_delivery_hostile import as2_workspace

__all__ = ["flaky"]       # the fixture

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("answer", ["empty", "text", "garbage", "impostor"])
async def test_a_2xx_without_a_readable_mdn_is_sent_once_its_mdn_overdue_and_resent_only_when_asked(
        tmp_path: Path, flaky: tuple[Flaky, str, Cert], answer: str) -> None:
    peer, url, ours = flaky
    peer.answers = [answer]                       # then a good MDN, for the resend
    ws = as2_workspace(tmp_path, url, ours, peer.theirs, outbox={**FAST, "max_attempts": 5}, mdn="sync")
    peer.ledger_path = ws.root / "state" / "as2.sqlite3"
    gw = await asyncio.to_thread(GatewayProcess(ws.config).start)
    try:
        mid = await asyncio.to_thread(queue_asn, ws, None)
        await asyncio.to_thread(wait_for, lambda: row(ws, mid)["state"] in ("sent", "done", "dead"), 60, 0.05,
                                "the message sent")
        first = row(ws, mid)
        assert (first["state"], len(peer.posts)) == ("sent", 1), (first["state"], first["last_error"])
        meta = json.loads(first["meta"])
        assert meta["awaits"] == "MDN" and "not sent again by itself" in meta["delivery"], meta
        overdue = ws._query("SELECT a.kind FROM ack_expectations a JOIN messages m ON m.id = a.message_id "
                            "WHERE m.id = ? AND m.state = 'sent' AND a.due_at <= ?",
                            (mid, datetime.now(UTC).isoformat()))
        assert [r["kind"] for r in overdue] == ["MDN"]          # what the status page and the metric count
        # a person asked the partner, which has not got it: the same AS2 message again
        resent = await asyncio.to_thread(cli, "resend", mid, config=ws.config)
        assert resent.returncode == 0, resent.stdout + resent.stderr
        await asyncio.to_thread(wait_for, lambda: row(ws, mid)["state"] in ("done", "dead", "rejected"), 60, 0.05,
                                "the resent message settled")
    finally:
        await asyncio.to_thread(gw.stop)
    assert row(ws, mid)["state"] == "done"
    assert len(peer.posts) == 2
    assert len({p["Message-ID"] for p in peer.posts}) == 1 and len(set(peer.bodies)) == 1


async def test_a_post_that_never_reached_the_partner_does_not_say_it_may_have_it(tmp_path: Path) -> None:
    """Connection refused (nothing listens): retried, then dead, without sending a person to ask the partner about
    a message it cannot have (e376ff0 said 'the partner may have the message' of every failed POST)."""
    certs = tmp_path / "certs"
    peer = Flaky(make_cert(certs, "acmeretail"), make_cert(certs, "impostor"))
    url = f"http://127.0.0.1:{free_port()}/as2"
    ws = as2_workspace(tmp_path, url, make_cert(certs, "acme"), peer.theirs, outbox={**FAST, "max_attempts": 2},
                       mdn="sync")
    final, _ = await send_one(ws, peer, ("done", "dead", "rejected"))
    error = str(final["last_error"])
    assert final["state"] == "dead" and "failed" in error, (final["state"], error)
    assert "may have" not in error, error
