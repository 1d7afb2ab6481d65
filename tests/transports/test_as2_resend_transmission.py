"""`edi-gateway resend` of an AS2 message the partner had settled (its MDN said processed, or refused it) is a new
transmission with a Message-ID of its own: under the old one a partner that keeps every Message-ID it has seen
(django-pyas2, Azure's 'disallow duplicates') answered duplicate-document and processed nothing, and the message
ended done. A resend of one the partner never settled (refused over HTTP, or sent with no readable MDN) keeps its
Message-ID, so the partner's duplicate check still applies."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from gateway.transports.as2 import mdn
from tests.helpers.gateway import GatewayProcess, cli
from tests.helpers.wait import wait_for
from tests.spine.test_acks_hostile import queue_asn, row
from tests.transports.certs import Cert
from tests.transports.test_as2_15_sync_mdn_retry import FAST, Flaky, flaky
from tests.transports.test_delivery_hostile import Partner, as2_workspace, partner

__all__ = ["flaky", "partner"]       # the fixtures

pytestmark = pytest.mark.slow

REFUSED = mdn.Disposition("processed", "error", "decryption-failed")


@pytest.mark.parametrize("first,settled,new_id", [("refused", "rejected", True), ("processed", "done", True),
                                                 ("400", "dead", False)])
async def test_a_resend_after_the_partner_settled_the_message_has_a_message_id_of_its_own(
        tmp_path: Path, flaky: tuple[Flaky, str, Cert], first: str, settled: str, new_id: bool) -> None:
    peer, url, ours = flaky
    if first == "refused":
        peer.disposition = REFUSED
    elif first.isdigit():
        peer.answers = [first]
    ws = as2_workspace(tmp_path, url, ours, peer.theirs, outbox={**FAST, "max_attempts": 3}, mdn="sync")
    peer.ledger_path = ws.root / "state" / "as2.sqlite3"
    gw = await asyncio.to_thread(GatewayProcess(ws.config).start)
    try:
        mid = await asyncio.to_thread(queue_asn, ws, None)
        await asyncio.to_thread(wait_for, lambda: row(ws, mid)["state"] == settled, 60, 0.05, settled)
        peer.disposition = mdn.Disposition("processed")       # the cause fixed on the partner's side
        resent = await asyncio.to_thread(cli, "resend", mid, config=ws.config)
        assert resent.returncode == 0, resent.stdout + resent.stderr
        await asyncio.to_thread(wait_for, lambda: len(peer.posts) == 2 and row(ws, mid)["state"] != "queued", 60,
                                0.05, "the resend settled")
        await asyncio.to_thread(wait_for, lambda: row(ws, mid)["state"] in ("done", "dead", "rejected"), 60, 0.05,
                                "the resend settled")
    finally:
        await asyncio.to_thread(gw.stop)
    ids = [post["Message-ID"] for post in peer.posts]
    assert (ids[0] != ids[1]) is new_id, ids
    assert ids[0] == f"<{mid}@ACMEDIST>"
    assert row(ws, mid)["state"] == "done"             # the new transmission's own MDN settles the message


async def test_a_late_async_mdn_for_the_earlier_transmission_settles_nothing(
        tmp_path: Path, partner: tuple[Partner, str, Cert]) -> None:
    """The resent message awaits the MDN of its new Message-ID; one quoting the old Message-ID (a partner's retry of
    its earlier answer) is not taken for it."""
    peer, url, ours = partner
    peer.disposition = REFUSED                            # async MDN, sent before the partner answers our POST
    ws = as2_workspace(tmp_path, url, ours, peer.theirs, outbox=FAST)
    peer.ledger_path = ws.root / "state" / "as2.sqlite3"
    gw = await asyncio.to_thread(GatewayProcess(ws.config).start)
    try:
        mid = await asyncio.to_thread(queue_asn, ws, None)
        await asyncio.to_thread(wait_for, lambda: row(ws, mid)["state"] == "rejected", 60, 0.05, "refused")
        peer.mdn_first, peer.disposition = False, mdn.Disposition("processed")    # no MDN of itself now
        resent = await asyncio.to_thread(cli, "resend", mid, config=ws.config)
        assert resent.returncode == 0, resent.stdout + resent.stderr
        await asyncio.to_thread(wait_for, lambda: row(ws, mid)["state"] == "sent", 60, 0.05, "resent")
        old, new = (post["Message-ID"] for post in peer.posts)
        mdn_url = peer.posts[1]["Receipt-Delivery-Option"]
        await peer.send_mdn(old, mdn_url)
        assert row(ws, mid)["state"] == "sent"
        await peer.send_mdn(new, mdn_url)
        await asyncio.to_thread(wait_for, lambda: row(ws, mid)["state"] == "done", 60, 0.05, "done by its own MDN")
    finally:
        await asyncio.to_thread(gw.stop)
    assert old != new
