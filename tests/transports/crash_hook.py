"""Preloaded into the daemon by the crash tests: SIGKILL the process right after the intake commit.

Armed by EDI_TEST_CRASH_MARKER (a file that must exist) and EDI_TEST_CRASH_CHANNEL; it fires
once (the marker is removed first), between `Intake.submit()` returning and the transport
acknowledging its sender: the exact window the non-negotiable is about.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any

from gateway.pipeline import Pipeline

_submit = Pipeline.submit


async def _submit_then_die(self: Pipeline, data: Any, meta: Any) -> Any:
    message = await _submit(self, data, meta)
    marker = os.environ.get("EDI_TEST_CRASH_MARKER")
    if marker and meta.channel == os.environ.get("EDI_TEST_CRASH_CHANNEL") and Path(marker).exists():
        Path(marker).unlink()
        os.kill(os.getpid(), signal.SIGKILL)
    return message


Pipeline.submit = _submit_then_die  # type: ignore[method-assign]  # the crash point is this patch
