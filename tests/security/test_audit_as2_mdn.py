"""Audit: an async MDN nobody signed must not settle one of our outbound AS2 messages.

The /as2/mdn endpoint takes anyone's POST; AS2-From is only a header. When the partner's channel
asks for signed MDNs (the default), an unsigned MDN proves nothing about who sent it, so it must be
refused and leave the message SENT (still awaiting the partner's real receipt), not REJECTED.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest

from gateway.journal.api import Direction, State
from gateway.transports.as2 import mdn
from gateway.transports.as2.ledger import SentRecord
from tests.transports.certs import make_cert
from tests.transports.conftest import JournalIntake, bigbox_as2, sending_gateway


@pytest.fixture
def intake(tmp_path: Path) -> Iterator[JournalIntake]:
    it = JournalIntake(tmp_path / "state")
    yield it
    it.journal.close()


async def _post_forged_mdn(port: int, original: str, disposition: mdn.Disposition) -> int:
    headers, body = mdn.build(original_message_id=original, our_id="BIGBOX-AS2", partner_id="ACMEDIST",
                              disposition=disposition, mic=None, text="forged", signer=None)
    async with aiohttp.ClientSession() as session, session.post(
            f"http://127.0.0.1:{port}/as2/mdn", data=body, headers=headers) as resp:
        await resp.read()
        return resp.status


async def test_audit_unsigned_async_mdn_does_not_settle_outbound(tmp_path: Path, intake: JournalIntake) -> None:
    certs = tmp_path / "certs"
    acme, bigbox = make_cert(certs, "acme"), make_cert(certs, "bigbox")
    ours = sending_gateway(tmp_path / "s", acme, bigbox_as2(bigbox, mdn="async"), intake)  # mdn_signed (default)
    journal, ledger, server = ours.journal, ours.ledger, ours.server
    await server.start()
    try:
        msg = journal.record_intake(direction=Direction.OUT, partner="bigbox", channel="as2",
                                    filename="bigbox_856_1.x12", sha256="1" * 64, size=10,
                                    source_key="856:1", state=State.QUEUED)
        as2_id = f"<{msg.id}@ACMEDIST>"
        ledger.record_sent(SentRecord(as2_id, msg.id, "bigbox", "bWlj", "sha256"))
        journal.transition(msg.id, State.SENT, "posted, awaiting async MDN", expect=State.QUEUED)
        assert server.port is not None
        failed = mdn.Disposition("processed", "error", "authentication-failed")
        status = await _post_forged_mdn(server.port, as2_id, failed)
        assert status in (400, 403)
        assert journal.get(msg.id).state is State.SENT
        # nor through the main endpoint, which also takes multipart/report bodies
        headers, body = mdn.build(original_message_id=as2_id, our_id="BIGBOX-AS2", partner_id="ACMEDIST",
                                  disposition=failed, mic=None, text="forged", signer=None)
        async with aiohttp.ClientSession() as session, session.post(
                f"http://127.0.0.1:{server.port}/as2", data=body, headers=headers) as resp:
            await resp.read()
            assert resp.status in (400, 403)
        assert journal.get(msg.id).state is State.SENT
        # the partner's own signed MDN still settles it
        headers, body = mdn.build(original_message_id=as2_id, our_id="BIGBOX-AS2", partner_id="ACMEDIST",
                                  disposition=mdn.Disposition("processed"), mic=("bWlj", "sha-256"),
                                  text="ok", signer=bigbox.identity)
        async with aiohttp.ClientSession() as session, session.post(
                f"http://127.0.0.1:{server.port}/as2/mdn", data=body, headers=headers) as resp:
            await resp.read()
            assert resp.status == 200
        assert journal.get(msg.id).state is State.DONE
    finally:
        await server.close()
        journal.close()
