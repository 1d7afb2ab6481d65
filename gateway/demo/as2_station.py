"""BigBox's AS2 station in the demo: the gateway's own AS2 client, configured as the partner would be.

BigBox signs with its certificate, encrypts for ours, asks for a signed synchronous MDN and
checks it (signature and MIC), exactly as the gateway does when it sends to a partner. The
certificates are made by the demo (self-signed, a year, RSA-2048), written where the partner
file and gateway.yaml expect them; BigBox's private key stays under demo-partners/.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from pathlib import Path

from gateway.config.models import As2Channel, GatewayConfig, PartnerConfig
from gateway.journal.api import Direction, Message, State
from gateway.journal.sqlite import new_id


class As2Station:
    """A partner's AS2 sender pointed at the gateway's AS2 server."""

    def __init__(self, *, work: Path, as2_id: str, cert: Path, key: Path, gateway_as2_id: str,
                 gateway_cert: Path, url: str) -> None:
        from gateway.transports.as2.client import As2Sender
        from gateway.transports.as2.ledger import Ledger

        self.config = GatewayConfig.model_validate({
            "state_dir": str(work), "our_ids": {"as2_id": as2_id},
            "as2_server": {"certificate": str(cert), "private_key": str(key)}})
        self.gateway = PartnerConfig(id="acme", name="Acme Distribution", outbound=As2Channel(
            channel="as2", as2_id=gateway_as2_id, certificates=[gateway_cert], url=url, mdn="sync",
            mdn_signed=True, timeout=30.0))
        self.ledger = Ledger(work / "as2.sqlite3")
        self.sender = As2Sender(self.config, None, self.ledger, work / "as2-out")

    async def send(self, filename: str, data: bytes, doc_type: str = "850") -> str:
        """POST one file; return the MDN's disposition (raises DeliveryRejected/DeliveryRetry otherwise)."""
        now = datetime.now(timezone.utc)
        message = Message(id=new_id(), direction=Direction.OUT, state=State.QUEUED, partner="acme", channel="as2",
                          filename=filename, sha256=hashlib.sha256(data).hexdigest(), size=len(data),
                          created_at=now, updated_at=now, syntax="x12", doc_type=doc_type)
        result = await self.sender.send(message, data, self.gateway)
        return result.detail

    def close(self) -> None:
        self.ledger.close()
