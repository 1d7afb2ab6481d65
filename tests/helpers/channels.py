"""A test delivery channel that replaces "folder" inside a daemon subprocess.

Preload it (`GatewayProcess(config, preload=["tests.helpers.channels"])`) and steer it with
`<control dir>/channel.json`, re-read on every delivery (so a test can make a partner recover)::

    {"fail": {"flaky": 2, "broken": -1},    # per partner: fail N times per message (-1: always)
     "delay": {"slow": 3.0}}                 # per partner: seconds each delivery takes

The control dir is $EDI_TEST_CHANNEL_DIR. Attempts are counted in files there (they survive
restarts), and a delivery that starts writes `started-<message id>` first. Partners not named
are delivered by the real folder channel.
"""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path
from typing import Any

from gateway.config.models import PartnerConfig
from gateway.errors import DeliveryRetry
from gateway.journal.api import Message
from gateway.outbound import folder_channel
from gateway.outbound.channels import DeliveryResult, register


def control_dir() -> Path:
    return Path(os.environ["EDI_TEST_CHANNEL_DIR"])


def write_control(folder: Path, fail: dict[str, int] | None = None, delay: dict[str, float] | None = None) -> None:
    tmp = folder / "channel.json.tmp"
    tmp.write_text(json.dumps({"fail": fail or {}, "delay": delay or {}}))
    os.replace(tmp, folder / "channel.json")


class ControlledFolder:
    name = "folder"

    def __init__(self) -> None:
        self.real = folder_channel.FOLDER

    def _control(self) -> dict[str, Any]:
        try:
            control: dict[str, Any] = json.loads((control_dir() / "channel.json").read_text())
            return control
        except FileNotFoundError:
            return {}

    async def deliver(self, message: Message, data: bytes, partner: PartnerConfig) -> DeliveryResult:
        if "EDI_TEST_CHANNEL_DIR" not in os.environ:
            # imported in a test process (for write_control) without being steered: registering replaced "folder"
            # for every later test of that pytest worker, whose deliveries then failed on the missing variable
            return await self.real.deliver(message, data, partner)
        folder = control_dir()
        control = self._control()
        (folder / f"started-{message.id}").touch()
        delay = float(control.get("delay", {}).get(partner.id, 0))
        if delay:
            await asyncio.sleep(delay)
        fails = int(control.get("fail", {}).get(partner.id, 0))
        counter = folder / f"attempts-{message.id}"
        attempts = int(counter.read_text()) if counter.exists() else 0
        counter.write_text(str(attempts + 1))
        if fails < 0 or attempts < fails:
            raise DeliveryRetry(f"test channel: {partner.id} is down (attempt {attempts + 1})")
        return await self.real.deliver(message, data, partner)


register(ControlledFolder())
