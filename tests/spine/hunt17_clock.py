"""Preloaded into a daemon subprocess: its wall clock (the journal's, the pipeline's, the outbox's, the scheduler's and APScheduler's)
shifted by the seconds in the file `EDI_TEST_CLOCK_FILE`, which a test rewrites to step the clock while it runs, as
NTP stepping back a clock that ran ahead does. The monotonic clock is left alone, as the kernel leaves it.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path

import apscheduler.executors.base
import apscheduler.schedulers.base
import apscheduler.triggers.interval

import gateway.daemon
import gateway.journal.sqlite
import gateway.odoo.scheduler
import gateway.outbound.outbox
import gateway.pipeline

CLOCK = Path(os.environ["EDI_TEST_CLOCK_FILE"])


def offset() -> timedelta:
    try:
        return timedelta(seconds=float(CLOCK.read_text() or 0))
    except (OSError, ValueError):
        return timedelta(0)


class ShiftedDatetime(datetime):
    @classmethod
    def now(cls, tz: tzinfo | None = None) -> datetime:       # type: ignore[override]
        return datetime.now(tz) + offset()


def utcnow() -> datetime:
    return datetime.now(UTC) + offset()


for module in (gateway.pipeline, gateway.journal.sqlite, gateway.outbound.outbox, gateway.daemon):
    module.utcnow = utcnow                                    # type: ignore[attr-defined]
for module in (apscheduler.schedulers.base, apscheduler.triggers.interval, apscheduler.executors.base,
               gateway.odoo.scheduler):
    module.datetime = ShiftedDatetime                        # type: ignore[attr-defined]
