"""Preloaded into a daemon subprocess: SIGKILL it at one named point, once.

    GatewayProcess(config, preload=["tests.helpers.kill_points"],
                   env={"EDI_TEST_KILL_AT": "after_commit", "EDI_TEST_KILL_MARKER": str(marker)})

The marker file must exist for the kill to fire; it is removed first, so the restarted daemon
runs through. Points:
- `after_archive`  bytes archived and fsynced, journal row not yet committed
- `after_commit`   intake committed, the source (inbox file) not yet released
- `after_ack`      an acknowledgement queued, the inbound message not yet moved to PARSED
- `after_write`    a file delivered to the partner's folder, the outbound message not yet SENT
- `after_sent`     an outbound message's move to SENT written (in the open transaction), nothing after it
"""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any

from gateway.journal.api import State
from gateway.journal.archive import Archive
from gateway.journal.sqlite import SqliteJournal
from gateway.outbound.folder_channel import FolderDelivery
from gateway.pipeline import Pipeline

POINT = os.environ.get("EDI_TEST_KILL_AT", "")


def _maybe_die(point: str) -> None:
    marker = os.environ.get("EDI_TEST_KILL_MARKER")
    if point == POINT and marker and Path(marker).exists():
        Path(marker).unlink()
        os.kill(os.getpid(), signal.SIGKILL)


_put = Archive.put
_submit_sync = Pipeline.submit_sync
_queue_outbound = Pipeline.queue_outbound
_write = FolderDelivery.write
_transition = SqliteJournal.transition


def _put_then(self: Archive, data: Any) -> str:
    sha = _put(self, data)
    _maybe_die("after_archive")
    return sha


def _submit_then(self: Pipeline, data: Any, meta: Any) -> Any:
    message = _submit_sync(self, data, meta)
    _maybe_die("after_commit")
    return message


def _queue_then(self: Pipeline, partner: Any, rendered: Any, **kw: Any) -> Any:
    message = _queue_outbound(self, partner, rendered, **kw)
    if kw.get("parent_id"):
        _maybe_die("after_ack")
    return message


def _write_then(folder: Path, name: str, data: bytes) -> Path:
    target = _write(folder, name, data)
    _maybe_die("after_write")
    return target


def _transition_then(self: SqliteJournal, message_id: str, to: State, *args: Any, **kw: Any) -> Any:
    message = _transition(self, message_id, to, *args, **kw)
    if to is State.SENT:
        _maybe_die("after_sent")
    return message


Archive.put = _put_then                              # type: ignore[method-assign]
Pipeline.submit_sync = _submit_then                  # type: ignore[method-assign]
Pipeline.queue_outbound = _queue_then                # type: ignore[method-assign]
FolderDelivery.write = staticmethod(_write_then)     # type: ignore[method-assign]
SqliteJournal.transition = _transition_then          # type: ignore[method-assign]
