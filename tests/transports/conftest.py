"""Shared fixtures: a real Intake over the real SQLite journal and archive, test certificates, and our
AS2 sending side (journal, ledger, sender and the server its async MDNs come back to)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from gateway.config.models import As2Channel, As2ServerSettings, GatewayConfig, OurIds, PartnerConfig
from gateway.journal.api import Direction, Message
from gateway.journal.archive import Archive
from gateway.journal.sqlite import SqliteJournal
from gateway.transports.as2.client import As2Sender
from gateway.transports.as2.ledger import Ledger
from gateway.transports.as2.server import As2Server
from gateway.transports.base import IntakeMeta
from tests.transports.certs import Cert


class JournalIntake:
    """The intake commit point as the pipeline does it: archive (fsync) + journal row, then return.

    `fail` makes the next submit raise, to show that the sender is then not acknowledged.
    """

    def __init__(self, root: Path) -> None:
        self.journal = SqliteJournal(root / "journal.sqlite3")
        self.archive = Archive(root / "archive")
        self.calls: list[IntakeMeta] = []
        self.fail: Exception | None = None

    def submit_sync(self, data: bytes | Path, meta: IntakeMeta) -> Message:
        if self.fail is not None:
            exc, self.fail = self.fail, None
            raise exc
        sha = self.archive.put(data)
        self.calls.append(meta)
        return self.journal.record_intake(direction=Direction.IN, partner=meta.partner, channel=meta.channel,
                                          filename=meta.filename, sha256=sha,
                                          size=self.archive.path(sha).stat().st_size,
                                          source_key=meta.source_key, meta=dict(meta.extra))

    async def submit(self, data: bytes | Path, meta: IntakeMeta) -> Message:
        return await asyncio.to_thread(self.submit_sync, data, meta)

    def messages(self) -> list[Message]:
        return self.journal.find(direction=Direction.IN, limit=1000)

    def stored(self, message: Message) -> bytes:
        return self.archive.read(message.sha256)


@pytest.fixture
def intake(tmp_path: Path) -> Iterator[JournalIntake]:
    it = JournalIntake(tmp_path / "state")
    yield it
    it.journal.close()


@dataclass
class SendingGateway:
    """ACME's side of an AS2 exchange: what sends to `partner` and receives its async MDNs (not started)."""

    config: GatewayConfig
    journal: SqliteJournal
    ledger: Ledger
    sender: As2Sender
    server: As2Server


def sending_gateway(root: Path, acme: Cert, partner: PartnerConfig, intake: JournalIntake) -> SendingGateway:
    """Our sender (AS2 id ACMEDIST, `acme`'s certificate) under `root`, its MDN server routing to `sender.receipt`."""
    config = GatewayConfig(our_ids=OurIds(as2_id="ACMEDIST"), as2_server=As2ServerSettings(
        enabled=True, port=0, certificate=acme.cert_path, private_key=acme.key_path))
    journal = SqliteJournal(root / "journal.sqlite3")
    ledger = Ledger(root / "as2.sqlite3")
    sender = As2Sender(config, journal, ledger, root / "out")
    server = As2Server(config, {partner.id: partner}, intake, ledger, root / "work", on_mdn=sender.receipt)
    return SendingGateway(config, journal, ledger, sender, server)


def bigbox_as2(bigbox: Cert, **channel: object) -> PartnerConfig:
    """BigBox as an outbound AS2 partner (AS2 id BIGBOX-AS2); `channel` overrides url, mdn, ..."""
    settings: dict[str, object] = {"channel": "as2", "as2_id": "BIGBOX-AS2", "certificates": [bigbox.cert_path],
                                   "url": "http://127.0.0.1:9/as2", **channel}
    return PartnerConfig(id="bigbox", outbound=As2Channel.model_validate(settings))
