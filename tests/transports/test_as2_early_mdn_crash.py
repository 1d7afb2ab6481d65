"""An async MDN that came before our POST returned is kept on the message (early_acks) and settles it once the
outbox writes SENT. A SIGKILL right after that SENT left the message sent and awaiting an MDN that had already
come: the restart's resume() skipped it (an acknowledgement is pending), so it went overdue and a person would
resend what the partner has (found by the outbound chaos run, kill point after_sent)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.spine.test_acks_hostile import row
from tests.transports.certs import Cert
from tests.transports.test_crash import asn_killed_after_sent, restarted_until_settled
from tests.transports.test_delivery_hostile import Partner, partner

__all__ = ["partner"]       # the fixture

pytestmark = pytest.mark.slow


async def test_an_mdn_kept_before_sent_settles_the_message_after_a_crash_right_after_sent(
        tmp_path: Path, partner: tuple[Partner, str, Cert]) -> None:
    peer, url, ours = partner                  # its MDN goes out before it answers our POST
    ws, mid = await asn_killed_after_sent(tmp_path, peer, url, ours, "async")
    assert len(peer.posts) == 1
    assert json.loads(row(ws, mid)["meta"]).get("early_acks"), peer.mdn_answers
    final = await restarted_until_settled(ws, mid, lambda state: state != "sent")   # the kept MDN settled it
    assert final["state"] == "done", [(e["to_state"], e["reason"]) for e in ws.events(mid)]
    assert not json.loads(final["meta"]).get("awaits") and len(peer.posts) == 1     # not sent again
