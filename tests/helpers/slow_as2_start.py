"""Preloaded into a test daemon (`GatewayProcess(preload=[...])`): the AS2 transport takes a second to start, as on
a loaded machine, so what the daemon does before it is up shows."""

from __future__ import annotations

import asyncio
from typing import Any

from gateway.transports import as2

_start = as2.start


async def _slow_start(ctx: Any) -> Any:
    await asyncio.sleep(1.0)
    return await _start(ctx)


as2.start = _slow_start
