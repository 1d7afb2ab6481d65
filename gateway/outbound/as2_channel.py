"""`outbound: {channel: as2, ...}`: the outbox's AS2 delivery, backed by the sender the AS2 transport configures."""

from __future__ import annotations

from gateway.config.models import PartnerConfig
from gateway.errors import DeliveryRetry
from gateway.journal.api import Message
from gateway.outbound.channels import DeliveryResult, register
from gateway.transports.as2.client import As2Sender


class As2Delivery:
    name = "as2"

    def __init__(self) -> None:
        self.sender: As2Sender | None = None      # set by gateway.transports.as2.start(ctx)

    async def deliver(self, message: Message, data: bytes, partner: PartnerConfig) -> DeliveryResult:
        if self.sender is None:
            raise DeliveryRetry("the AS2 transport is not started (gateway.transports.as2.start)")
        return await self.sender.send(message, data, partner)


AS2 = As2Delivery()
register(AS2)
