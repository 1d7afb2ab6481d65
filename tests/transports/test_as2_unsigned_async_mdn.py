"""An unsigned async MDN settles one of our messages only when it quotes the MIC we computed for it.

Anyone who can reach our MDN URL and knows (or guesses) a Message-ID can POST an unsigned MDN; only the partner
that opened the message knows its MIC. A sync MDN is the answer on our own connection, so an unsigned one without
a MIC stays a receipt there (RFC 4130 7.4.3, OpenAS2); an async one does not."""

from __future__ import annotations

from pathlib import Path

from gateway.journal.api import State
from tests.transports.certs import Cert
from tests.transports.conftest import JournalIntake
from tests.transports.test_as2_interop import RfcPeer, awaiting_async_mdn, post_mdn, rfc_peer

__all__ = ["rfc_peer"]      # the fixture


async def test_an_unsigned_async_mdn_without_our_mic_settles_nothing(
        tmp_path: Path, rfc_peer: tuple[RfcPeer, Cert], intake: JournalIntake) -> None:
    """A forged 'processed' (unsigned, no Received-Content-MIC) marked the message delivered: the partner never
    had to have it, the coordinator was never told. Ignored; the partner's own MDN, with the MIC, settles it."""
    peer, ours = rfc_peer
    async with awaiting_async_mdn(tmp_path, peer, ours, intake) as (gw, msg_id, headers, mic):
        url, original = headers["Receipt-Delivery-Option"], headers["Message-ID"]
        reply = await post_mdn(tmp_path, url, original, "", message_id="<forged@x>")
        assert reply.status == 200 and b"ignored" in reply.body, reply.body
        assert gw.journal.get(msg_id).state is State.SENT

        reply = await post_mdn(tmp_path, url, original, f"Received-Content-MIC: {mic}, sha-256\r\n")
        assert reply.status == 200 and reply.body.startswith(b"settled"), reply.body
        assert gw.journal.get(msg_id).state is State.DONE
