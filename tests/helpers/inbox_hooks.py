"""Imported into a daemon under test (GatewayProcess(preload=[...])): a partner replaces `swap.x12` in the
inbox (a new file renamed into place) just after the gateway has read and recorded the old one, before the
file leaves the inbox. Deterministic: the replacement happens inside the first submit of that name."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from gateway import pipeline
from tests.helpers.x12 import purchase_order

NAME = "swap.x12"
REPLACEMENT = purchase_order(2)
_original = pipeline.Pipeline.submit_sync
_done: list[bool] = []


def _submit_then_replace(self: Any, data: Any, meta: Any) -> Any:
    message = _original(self, data, meta)
    if meta.filename == NAME and not _done and isinstance(data, Path):
        _done.append(True)
        part = data.with_name(NAME + ".part")
        part.write_bytes(REPLACEMENT)
        os.rename(part, data)
    return message


pipeline.Pipeline.submit_sync = _submit_then_replace  # type: ignore[method-assign]
