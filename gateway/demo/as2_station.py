"""BigBox's AS2 station in the demo: the gateway's own AS2 client and server, configured as the partner.

BigBox signs with its certificate, encrypts for ours, asks for a signed synchronous MDN and
checks it (signature and MIC), exactly as the gateway does when it sends to a partner; its AS2
server takes our 997, 856 and 810 the same way and drops them in demo-partners/bigbox/received/. The
certificates are made by the demo (self-signed, a year, RSA-2048), written where the partner
file and gateway.yaml expect them; BigBox's private key stays under demo-partners/.
"""

from __future__ import annotations

import hashlib
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

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
            mdn_signed=True, tls_ca=None, timeout=30.0))
        self.ledger = Ledger(work / "as2.sqlite3")
        self.sender = As2Sender(self.config, None, self.ledger, work / "as2-out")

    async def send(self, filename: str, data: bytes, doc_type: str = "850") -> str:
        """POST one file; return the MDN's disposition (raises DeliveryRejected/DeliveryRetry otherwise)."""
        now = datetime.now(UTC)
        message = Message(id=new_id(), direction=Direction.OUT, state=State.QUEUED, partner="acme", channel="as2",
                          filename=filename, sha256=hashlib.sha256(data).hexdigest(), size=len(data),
                          created_at=now, updated_at=now, syntax="x12", doc_type=doc_type)
        result = await self.sender.send(message, data, self.gateway)
        return result.detail

    def close(self) -> None:
        self.ledger.close()


class _FolderIntake:
    """BigBox's back office in the demo: what its AS2 server accepts lands in a folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    async def submit(self, data: bytes | Path, meta: Any) -> Message:
        content = data.read_bytes() if isinstance(data, Path) else bytes(data)
        name = Path(meta.filename).name or "received.edi"
        target = self.folder / name
        n = 1
        while target.exists():
            n += 1
            target = self.folder / f"{Path(name).stem}.{n}{Path(name).suffix}"
        tmp = target.with_name("." + target.name + ".part")
        tmp.write_bytes(content)
        os.replace(tmp, target)
        now = datetime.now(UTC)
        return Message(id=new_id(), direction=Direction.IN, state=State.RECEIVED, partner=meta.partner,
                       channel="as2", filename=target.name, sha256=hashlib.sha256(content).hexdigest(),
                       size=len(content), created_at=now, updated_at=now)


class As2Receiver:
    """A partner's AS2 server (the gateway's own As2Server class, configured as the partner)."""

    def __init__(self, *, work: Path, as2_id: str, cert: Path, key: Path, gateway_as2_id: str,
                 gateway_cert: Path, port: int) -> None:
        self.work = work
        self.config = GatewayConfig.model_validate({
            "state_dir": str(work), "our_ids": {"as2_id": as2_id},
            "as2_server": {"enabled": True, "host": "127.0.0.1", "port": port, "certificate": str(cert),
                           "private_key": str(key)}})
        self.partners = {"acme": PartnerConfig(id="acme", name="Acme Distribution", inbound=[As2Channel(
            channel="as2", as2_id=gateway_as2_id, certificates=[gateway_cert], tls_ca=None, timeout=30.0)])}
        self.received = work / "received"
        self.port = port
        self._server: Any = None
        self._ledger: Any = None

    @property
    def running(self) -> bool:
        return self._server is not None

    async def start(self) -> None:
        from gateway.transports.as2.ledger import Ledger
        from gateway.transports.as2.server import As2Server

        self._ledger = Ledger(self.work / "as2-in.sqlite3")
        self._server = As2Server(self.config, self.partners, _FolderIntake(self.received), self._ledger,
                                 self.work / "as2-in")
        await self._server.start()

    async def stop(self) -> None:
        if self._server is not None:
            await self._server.close()
            self._server = None
        if self._ledger is not None:
            self._ledger.close()
            self._ledger = None
