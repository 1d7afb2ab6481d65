"""A partner's MDN mode changed (sync <-> async) while one of our AS2 messages waits to be sent again: the retry
goes out as first built (same Message-ID, same headers, so the partner's duplicate check holds), and its answer is
read as that message asked for it. Read by the partner's new setting, a sync MDN in the answer to a message that
asked for one was taken for 'awaiting async MDN' and the message sat sent for ever (found while making the outbound
chaos run change Northwind's mode between rounds, which now exercises it)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from tests.helpers.gateway import GatewayProcess, Workspace
from tests.helpers.wait import wait_for
from tests.spine.test_acks_hostile import queue_asn, row
from tests.transports.certs import Cert
from tests.transports.test_delivery_hostile import Partner, as2_workspace, partner

__all__ = ["partner"]       # the fixture

pytestmark = pytest.mark.slow


async def sent_after_a_mode_change(tmp_path: Path, peer: Partner, url: str, ours: Cert, first: str,
                                   then: str) -> tuple[Workspace, str]:
    """Our 856 refused busy under `mdn: first`, the partner's YAML changed to `mdn: then`, the daemon started
    again with the partner up: the message once it settled."""
    ws = as2_workspace(tmp_path, url, ours, peer.theirs, outbox={"min_backoff": 1, "max_backoff": 1}, mdn=first)
    peer.ledger_path = ws.root / "state" / "as2.sqlite3"
    peer.busy = "1"
    gw = await asyncio.to_thread(GatewayProcess(ws.config).start)
    try:
        mid = await asyncio.to_thread(queue_asn, ws, None)
        await asyncio.to_thread(wait_for, lambda: row(ws, mid)["state"] == "retry_wait", 60, 0.05, "refused busy")
    finally:
        await asyncio.to_thread(gw.stop)
    yaml = ws.root / "partners" / "acme.yaml"
    yaml.write_text(yaml.read_text().replace(f"mdn: {first}", f"mdn: {then}"))
    peer.busy = None
    gw = await asyncio.to_thread(GatewayProcess(ws.config).start)
    try:
        await asyncio.to_thread(wait_for, lambda: row(ws, mid)["state"] in ("done", "rejected", "dead"), 30, 0.05,
                                "settled")
    finally:
        await asyncio.to_thread(gw.stop)
    return ws, mid


@pytest.mark.parametrize("first,then", [("sync", "async"), ("async", "sync")])
async def test_a_retry_after_the_partners_mdn_mode_changed_is_read_as_it_was_sent(
        tmp_path: Path, partner: tuple[Partner, str, Cert], first: str, then: str) -> None:
    peer, url, ours = partner
    ws, mid = await sent_after_a_mode_change(tmp_path, peer, url, ours, first, then)
    done = row(ws, mid)
    assert done["state"] == "done", (done["state"], done["last_error"])
    assert json.loads(done["meta"])["mdn"] == "processed"
    ids = {p["Message-ID"] for p in peer.posts}
    assert len(ids) == 1 and len(peer.posts) >= 2                 # the retry under the first Message-ID
    assert ("Receipt-Delivery-Option" in peer.posts[-1]) is (first == "async")
