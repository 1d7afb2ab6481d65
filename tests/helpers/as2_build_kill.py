"""Preloaded into a daemon subprocess: SIGKILL it once as an AS2 build records its MIC in the ledger, before the
row is written (`EDI_TEST_KILL_MARKER` must exist; it is removed first, so the restarted daemon runs through)."""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any

from gateway.transports.as2.ledger import Ledger

_record_sent = Ledger.record_sent


def _die_then_record(self: Ledger, rec: Any) -> None:
    marker = os.environ.get("EDI_TEST_KILL_MARKER")
    if marker and Path(marker).exists():
        Path(marker).unlink()
        os.kill(os.getpid(), signal.SIGKILL)
    _record_sent(self, rec)


Ledger.record_sent = _die_then_record  # type: ignore[method-assign]
