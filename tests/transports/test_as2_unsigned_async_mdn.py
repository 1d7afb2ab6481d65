"""An unsigned async MDN settles one of our messages only when it quotes the MIC we computed for it.

Anyone who can reach our MDN URL and knows (or guesses) a Message-ID can POST an unsigned MDN; only the partner
that opened the message knows its MIC. A sync MDN is the answer on our own connection, so an unsigned one without
a MIC stays a receipt there (RFC 4130 7.4.3, OpenAS2); an async one does not."""

from __future__ import annotations

import asyncio
from pathlib import Path

from gateway.journal.api import Direction, State
from tests.transports.as2_peer import curl_post
from tests.transports.certs import Cert
from tests.transports.conftest import JournalIntake, bigbox_as2, sending_gateway
from tests.transports.test_as2_client import DOC
from tests.transports.test_as2_interop import RfcPeer, rfc_peer

__all__ = ["rfc_peer"]      # the fixture


def _report(original_id: str, mic_line: str) -> bytes:
    return ("--rep\r\nContent-Type: message/disposition-notification\r\n\r\n"
            f"Original-Message-ID: {original_id}\r\n{mic_line}"
            "Disposition: automatic-action/MDN-sent-automatically; processed\r\n\r\n--rep--\r\n").encode()


async def test_an_unsigned_async_mdn_without_our_mic_settles_nothing(
        tmp_path: Path, rfc_peer: tuple[RfcPeer, Cert], intake: JournalIntake) -> None:
    """A forged 'processed' (unsigned, no Received-Content-MIC) marked the message delivered: the partner never
    had to have it, the coordinator was never told. Ignored; the partner's own MDN, with the MIC, settles it."""
    peer, ours = rfc_peer
    partner = bigbox_as2(peer.theirs, url=peer.url, sign=False, mdn_signed=False, mdn="async")
    gw = sending_gateway(tmp_path / "gw", ours, partner, intake)
    await gw.server.start()
    gw.config.as2_server.public_url = f"http://127.0.0.1:{gw.server.port}/as2"
    try:
        msg = gw.journal.record_intake(direction=Direction.OUT, partner="bigbox", channel="as2",
                                       filename="bigbox_997_1.x12", sha256="1" * 64, size=len(DOC),
                                       source_key="997:1", state=State.QUEUED)
        sent = await gw.sender.send(msg, DOC, partner)
        gw.journal.transition(msg.id, State.SENT, sent.detail, expect=State.QUEUED)
        headers, _ = peer.received[-1]
        rec = gw.ledger.sent(headers["Message-ID"])
        assert rec is not None
        mdn_headers = {"AS2-From": "BIGBOX-AS2", "AS2-To": "ACMEDIST",
                       "Content-Type": 'multipart/report; report-type=disposition-notification; boundary="rep"'}
        (tmp_path / "forged").write_bytes(_report(headers["Message-ID"], ""))
        reply = await asyncio.to_thread(curl_post, headers["Receipt-Delivery-Option"], tmp_path / "forged",
                                        {**mdn_headers, "Message-ID": "<forged@x>"}, tmp_path)
        assert reply.status == 200 and b"ignored" in reply.body, reply.body
        assert gw.journal.get(msg.id).state is State.SENT

        (tmp_path / "real").write_bytes(_report(headers["Message-ID"], f"Received-Content-MIC: {rec.mic}, sha-256\r\n"))
        reply = await asyncio.to_thread(curl_post, headers["Receipt-Delivery-Option"], tmp_path / "real",
                                        {**mdn_headers, "Message-ID": "<mdn1@bigbox>"}, tmp_path)
        assert reply.status == 200 and reply.body.startswith(b"settled"), reply.body
        assert gw.journal.get(msg.id).state is State.DONE
    finally:
        await gw.server.close()
        gw.journal.close()
