"""The partner's certificate file cannot be read when an AS2 message is retried (emptied while an editor saves
it, a rotation half done): the daemon sends the message as built, with the certificates it was built with, and
verifies the partner's MDN with them. Loading the file at every try (to build again after a rotation) made the
retry fail with the file's error, a configuration error: the message went dead at once, and one whose POST had
already gone out went dead after the partner took it (its sync MDN could not be checked)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.helpers.gateway import GatewayProcess
from tests.helpers.wait import wait_for
from tests.spine.test_acks_hostile import queue_asn, row
from tests.transports.certs import Cert
from tests.transports.test_delivery_hostile import Partner, as2_workspace, partner

__all__ = ["partner"]       # the fixture

pytestmark = pytest.mark.slow


async def test_a_retry_while_the_partners_certificate_file_is_unreadable_goes_out_as_built(
        tmp_path: Path, partner: tuple[Partner, str, Cert]) -> None:
    peer, url, ours = partner
    peer.busy = "1"
    ws = as2_workspace(tmp_path, url, ours, peer.theirs, outbox={"min_backoff": 1, "max_backoff": 2}, mdn="sync")
    peer.ledger_path = ws.root / "state" / "as2.sqlite3"
    gw = await asyncio.to_thread(GatewayProcess(ws.config).start)
    try:
        mid = await asyncio.to_thread(queue_asn, ws, None)
        await asyncio.to_thread(wait_for, lambda: row(ws, mid)["state"] == "retry_wait", 60, 0.05, "refused busy")
        peer.theirs.cert_path.write_bytes(b"")          # being saved: not a certificate yet
        peer.busy = None
        await asyncio.to_thread(wait_for, lambda: row(ws, mid)["state"] in ("done", "dead", "rejected"), 60, 0.05,
                                "settled")
    finally:
        await asyncio.to_thread(gw.stop)
    final = row(ws, mid)
    assert final["state"] == "done", (final["state"], final["last_error"])
    assert len(peer.posts) == 2 and peer.posts[0]["Message-ID"] == peer.posts[1]["Message-ID"]
    assert "sent with the certificates it was built with" in gw.output()


async def test_a_first_try_without_a_readable_certificate_is_retried_not_dead(
        tmp_path: Path, partner: tuple[Partner, str, Cert]) -> None:
    peer, url, ours = partner
    ws = as2_workspace(tmp_path, url, ours, peer.theirs, outbox={"min_backoff": 1, "max_backoff": 2}, mdn="sync")
    peer.ledger_path = ws.root / "state" / "as2.sqlite3"
    pem = peer.theirs.cert_path.read_bytes()
    gw = await asyncio.to_thread(GatewayProcess(ws.config).start)
    try:
        peer.theirs.cert_path.write_bytes(b"")          # (the daemon does not start without it)
        mid = await asyncio.to_thread(queue_asn, ws, None)
        await asyncio.to_thread(wait_for, lambda: row(ws, mid)["state"] in ("retry_wait", "dead"), 60, 0.05,
                                "tried")
        waiting = row(ws, mid)
        assert waiting["state"] == "retry_wait" and "not a PEM or DER X.509 certificate" in waiting["last_error"]
        peer.theirs.cert_path.write_bytes(pem)
        await asyncio.to_thread(wait_for, lambda: row(ws, mid)["state"] in ("done", "dead", "rejected"), 60, 0.05,
                                "settled")
    finally:
        await asyncio.to_thread(gw.stop)
    assert row(ws, mid)["state"] == "done" and len(peer.posts) == 1
